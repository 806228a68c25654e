"""The "Agency administrators" group: what agency admins may do in the (agency-scoped) admin.

`agencies.services` puts staff with the admin role in it (and sets is_staff); the admin
itself restricts them to their own agency (core.admin_scoping).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Agency administrators"
PERMISSIONS = {
    "team": ("add", "change", "delete", "view"),
    "businesscalendar": ("add", "change", "delete", "view"),
    "openinginterval": ("add", "change", "delete", "view"),
    "holiday": ("add", "change", "delete", "view"),
    "staffmember": ("change", "view"),
    "agency": ("view",),
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): make them now.
    app_config = apps.get_app_config("agencies")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="agencies", codename__in=codenames
    )
    assert permissions.count() == len(codenames), "agencies permissions missing"
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_teams_calendars_holidays"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
