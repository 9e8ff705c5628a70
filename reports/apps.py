from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Posting moves balances: the reports' per-claim facts catch up after commit
        # (docs/architecture.md, events). Reports is the rightmost app: nothing imports it.
        from infusion_rcm.common.events import CLAIM_PAYMENTS_POSTED, subscribe
        from reports.tasks import on_claim_payments_posted

        subscribe(CLAIM_PAYMENTS_POSTED, on_claim_payments_posted)
