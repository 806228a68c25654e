from django.db import migrations
from django.db.models.functions import TruncDay


def unlink_anonymous_answers(apps, schema_editor):
    """Anonymous answers kept the second they were given, and their audit row named the
    invitation: keep the day only, and move the audit row to the survey without the address."""
    SurveyResponse = apps.get_model("feedback", "SurveyResponse")
    SurveyInvitation = apps.get_model("feedback", "SurveyInvitation")
    AuditEvent = apps.get_model("core", "AuditEvent")
    SurveyResponse.objects.filter(anonymous=True).update(submitted_at=TruncDay("submitted_at"))
    rows = AuditEvent.objects.filter(
        action="survey.answered", actor_label="citizen (anonymous survey answer)"
    )
    for row in rows:
        invitation = SurveyInvitation.objects.filter(pk=row.object_id).first()
        if invitation is not None:
            SurveyInvitation.objects.filter(pk=invitation.pk).update(
                answered_at=TruncDay("answered_at")
            )
        row.action = "survey.answered_anonymously"
        row.object_type = "feedback.survey"
        row.object_id = str(invitation.survey_id) if invitation is not None else ""
        row.ip_address = None
        row.changes = {"answers": [None, 1]}
        row.save(update_fields=["action", "object_type", "object_id", "ip_address", "changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_retention"),
        ("core", "0004_api_tokens"),
    ]

    operations = [migrations.RunPython(unlink_anonymous_answers, migrations.RunPython.noop)]
