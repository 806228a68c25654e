import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """The model moved here from `cases` with its table (cases_open311client): state only."""

    initial = True

    dependencies = [
        ("agencies", "0003_agency_admins_group"),
        ("cases", "0007_open311client_moves_to_open311"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Open311Client",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="Who uses this key.", max_length=100, unique=True
                            ),
                        ),
                        ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                        (
                            "key_prefix",
                            models.CharField(
                                editable=False,
                                help_text="The start of the key, to recognise it.",
                                max_length=16,
                            ),
                        ),
                        ("active", models.BooleanField(default=True, editable=False)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "last_used_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="open311_clients",
                                to="agencies.agency",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Open311 client",
                        "ordering": ["name"],
                        "db_table": "cases_open311client",
                    },
                ),
            ],
            database_operations=[],
        )
    ]
