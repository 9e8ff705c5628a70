"""ISA13 is unique across every interchange one sender writes: 270 eligibility requests and 837
claim batches take it from the same x12 series, and each is in the register as what it is."""

from __future__ import annotations

import pytest
from django.conf import settings

from claims import services as claims_services
from claims.models import Claim
from infusion_rcm.x12.models import OutboundInterchange
from infusion_rcm.x12.reader import tokenize
from intake import services as intake_services
from intake.models import EligibilityCheck
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def test_isa13_is_unique_across_a_270_and_several_837_batches_from_one_sender(biller):
    pay = f.payer("medicare")
    visits = [f.chemo_with_hydration(biller, pay) for _ in range(3)]
    built = claims_services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False)
    claims_services.claims_scrub_many(claim_ids=[c.pk for c in built.claims])
    assert Claim.objects.filter(status="ready").count() == 3
    batches = [
        claims_services.batch_build(payer=pay, actor=biller, validate=False, max_claims=1) for _ in range(3)
    ]
    # A pending check whose id is one of those ISA13s: the 270 took its check id as ISA13 until
    # the x12 service, so this is the collision the shared series rules out.
    clash = batches[0].interchange_control_number
    check = EligibilityCheck.objects.create(
        pk=clash,
        coverage=built.claims[0].coverage,
        checked_on=f.today(),
        service_date=f.today(),
        source=EligibilityCheck.Source.X12_271,
        status=EligibilityCheck.Status.PENDING,
        trace_number=f"IRCM{clash:09d}",
    )
    intake_services.eligibility_build_270(check_id=check.pk)
    check.refresh_from_db()
    assert check.status == EligibilityCheck.Status.PENDING and check.request_270, check.message

    files = [("837", b.content) for b in batches] + [("270", check.request_270)]
    headers = [(kind, tokenize(text)[0]) for kind, text in files]
    assert {isa[6].strip() for _, isa in headers} == {settings.X12_SENDER_ID}
    numbers = [isa[13] for _, isa in headers]
    assert len(set(numbers)) == len(numbers), numbers
    registered = set(OutboundInterchange.objects.values_list("interchange_control", "transaction_set"))
    assert {(int(isa[13]), kind) for kind, isa in headers} <= registered
    assert OutboundInterchange.objects.filter(sender_id=settings.X12_SENDER_ID).count() == len(files)
