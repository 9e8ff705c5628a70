"""Audit actions for logout, password, role and token changes; the address may read "worker"."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="auditentry",
            name="audit_action_valid",
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Create"),
                    ("update", "Update"),
                    ("delete", "Delete"),
                    ("view", "View"),
                    ("list", "List"),
                    ("export", "Export"),
                    ("login", "Login"),
                    ("login_failed", "Login Failed"),
                    ("login_locked", "Login Locked"),
                    ("logout", "Logout"),
                    ("password_change", "Password Change"),
                    ("role_change", "Role Change"),
                    ("token_create", "Token Create"),
                    ("token_revoke", "Token Revoke"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="ip",
            field=models.CharField(blank=True, max_length=45, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        [
                            "create",
                            "update",
                            "delete",
                            "view",
                            "list",
                            "export",
                            "login",
                            "login_failed",
                            "login_locked",
                            "logout",
                            "password_change",
                            "role_change",
                            "token_create",
                            "token_revoke",
                        ],
                    )
                ),
                name="audit_action_valid",
            ),
        ),
    ]
