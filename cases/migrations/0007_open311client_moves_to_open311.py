from django.db import migrations


class Migration(migrations.Migration):
    """Open311Client now belongs to the `open311` app; its table stays (state only)."""

    dependencies = [("cases", "0006_open_data_and_case_contact")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Open311Client")],
            database_operations=[],
        )
    ]
