from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "infusion_rcm.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Bind @shared_task to our Celery app in every Django process (web, worker, beat).
        from infusion_rcm import celery  # noqa: F401
