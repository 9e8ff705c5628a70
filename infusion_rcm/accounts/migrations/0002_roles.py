"""Create the four role groups with their capability permissions.

Re-run `sync_roles` in a new migration whenever ROLE_CAPABILITIES changes.
"""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from infusion_rcm.accounts.roles import ROLE_CAPABILITIES, Capability

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="rolepermission")
    permissions = {}
    for capability in Capability:
        permissions[capability], _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=capability.value,
            defaults={"name": capability.value.replace("_", " ").capitalize()},
        )
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([permissions[c] for c in capabilities])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
