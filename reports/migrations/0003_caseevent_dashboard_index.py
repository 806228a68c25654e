"""An index for the dashboard panels that read case events (escalations, reassignments,
transfers) by kind and time: a range scan over one kind's events of the period instead of
every event of the agency's cases. Built CONCURRENTLY so writing to the case timeline does not
wait while it is built on a large table.

It lives here rather than in cases' models because only these reads need it; the table is
cases'. A partial index: only the three kinds the panels read.
"""

from django.db import migrations

KINDS = "('sla_escalation', 'assignment', 'transfer')"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0012_case_consent_surveys"),
        ("reports", "0002_saved_views"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS reports_caseevent_kind_time_idx "
            f"ON cases_caseevent (kind, created_at) WHERE kind IN {KINDS}",
            "DROP INDEX CONCURRENTLY IF EXISTS reports_caseevent_kind_time_idx",
        ),
    ]
