from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "infusion_rcm.accounts"
    label = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from infusion_rcm.accounts import signals

        signals.connect()
