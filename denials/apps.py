from django.apps import AppConfig


def on_claim_payments_posted(*, claim_payment_ids, claim_ids=(), **_):
    """CLAIM_PAYMENTS_POSTED subscriber: the work goes to a task (retried), after the posting commits."""
    from denials.tasks import denials_from_posting_task

    if claim_payment_ids:
        denials_from_posting_task.delay(list(claim_payment_ids))


class DenialsConfig(AppConfig):
    name = "denials"
    verbose_name = "Denials"

    def ready(self) -> None:
        from infusion_rcm.common import events

        events.subscribe(events.CLAIM_PAYMENTS_POSTED, on_claim_payments_posted)
