from django.apps import AppConfig


def _enqueue_next_payer(*, claim_payment_ids: list[int], claim_ids: list[int], **_: object) -> None:
    """CLAIM_PAYMENTS_POSTED (after commit): the next payer's claim is real work, so it runs in a
    retried task (docs/architecture.md, events); an empty posting enqueues nothing."""
    if not claim_payment_ids:
        return
    from payments.tasks import next_payer_claims_task

    next_payer_claims_task.delay(list(claim_payment_ids))


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from infusion_rcm.common.events import CLAIM_PAYMENTS_POSTED, subscribe

        subscribe(CLAIM_PAYMENTS_POSTED, _enqueue_next_payer)
