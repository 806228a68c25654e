from django.db import migrations, models


def own_actions_to_own_agency(apps, schema_editor):
    """Audit rows of shared records (citizens) written by staff without an agency now carry the
    actor's agency, so each agency reads its own actions on the shared record (issue 13)."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    StaffMember = apps.get_model("agencies", "StaffMember")
    agency = StaffMember.objects.filter(user_id=models.OuterRef("actor_user_id")).values(
        "agency_id"
    )
    AuditEvent.objects.filter(agency_id__isnull=True, actor_user_id__isnull=False).update(
        agency_id=models.Subquery(agency[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_agency_admins_group"),
        ("core", "0004_api_tokens"),
    ]

    operations = [migrations.RunPython(own_actions_to_own_agency, migrations.RunPython.noop)]
