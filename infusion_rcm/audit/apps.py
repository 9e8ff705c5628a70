from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "infusion_rcm.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from infusion_rcm.audit import tracking, worker

        tracking.connect()
        worker.connect()
