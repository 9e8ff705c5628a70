"""Paper EOBs entered by hand: the same models, balancing and posting as an 835."""

from __future__ import annotations

from claims.models import Claim
from intake.models import BillingProvider
from payments.domain.manual_eob import ManualEob, to_remittance
from payments.domain.posting import FileSource
from payments.models import RemittanceFile
from payments.services.posting import remittance_file_post
from payments.services.receive import remittance_file_receive, remittance_file_store_read


def _payee(eob: ManualEob) -> BillingProvider | None:
    claim = (
        Claim.objects.filter(claim_number__in=[c.claim_number for c in eob.claims])
        .select_related("billing_provider")
        .order_by("pk")
        .first()
    )
    return claim.billing_provider if claim else BillingProvider.objects.order_by("pk").first()


def manual_eob_enter(*, eob: ManualEob, actor, post: bool = True) -> RemittanceFile:
    """Record a paper EOB as a remittance (source paper, entered by `actor`) and post it.

    `to_remittance` balances it like an 835 and raises InvalidInputError naming the claim and the
    figures when it does not: then nothing is stored. The entry (as JSON) is the file's content,
    so entering the same EOB twice is the same remittance and posts once.
    """
    provider = _payee(eob)
    npi = provider.npi if provider else ""
    remittance = to_remittance(
        eob, payee_name=provider.name[:60] if provider else "", payee_npi=npi, provider_id=npi or "unknown"
    )
    text = eob.model_dump_json()
    file, created = remittance_file_receive(
        text=text,
        file_name=f"Paper EOB {eob.payer_name} check {eob.check_number}",
        actor=actor,
        source=FileSource.PAPER,
    )
    if created:
        remittance_file_store_read(file=file, remittances=[remittance])
    if post:
        remittance_file_post(file=file, actor=actor)
        file.refresh_from_db()
    return file
