"""999 and 277CA import: idempotent, accepted / rejected claims, failed files kept with the reason."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from claims import services
from claims.models import Acknowledgment, Claim
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def submitted(biller, *visits) -> tuple[list[Claim], object]:
    claims = services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False).claims
    services.claims_scrub_many(claim_ids=[c.pk for c in claims])
    batch = services.batch_build(payer=claims[0].payer, actor=biller, validate=False)
    services.batch_release(batch=batch, actor=biller)
    return [Claim.objects.get(pk=c.pk) for c in claims], batch


def ack_999(group: int, status: str) -> str:
    body = f"AK1*HC*{group}*005010X222A1~AK2*837*0001*005010X222A1~IK5*{status}~AK9*{status}*1*1*{1 if status == 'A' else 0}~"
    return (
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*INFUSIONRCM    *240306*0900*^*00501*000000777*0*P*:~"
        "GS*FA*CLEARINGHOUSE*INFUSIONRCM*20240306*0900*77*X*005010X231A1~"
        f"ST*999*0001*005010X231A1~{body}SE*6*0001~GE*1*77~IEA*1*000000777~"
    )


def ack_277(accepted: str, rejected: str) -> str:
    segs = [
        "ST*277*0001*005010X214",
        "BHT*0085*08*BATCH1*20240307*0900*TH",
        "HL*1**20*1",
        "NM1*PR*2*BLUE PLAN*****PI*BCBSIL01",
        "TRN*1*T1",
        "DTP*050*D8*20240307",
        "DTP*009*D8*20240307",
        "HL*2*1*21*1",
        "NM1*41*2*INFUSION RCM*****46*INFUSIONRCM",
        "TRN*2*000000001",
        "STC*A1:19:PR*20240307*WQ*100",
        "HL*3*2*19*1",
        "NM1*85*2*LAKESIDE*****XX*1234567893",
        "TRN*1*P1",
        "HL*4*3*PT",
        "NM1*QC*1*DOE*JOHN****MI*X1",
        f"TRN*2*{accepted}",
        "STC*A2:20:PR*20240307*WQ*50",
        "REF*1K*ICN0001",
        "DTP*472*D8*20240301",
        "HL*5*3*PT",
        "NM1*QC*1*DOE*JANE****MI*X2",
        f"TRN*2*{rejected}",
        "STC*A7:562:85*20240307*U*50********Billing NPI invalid",
        "DTP*472*D8*20240301",
    ]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return (
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*INFUSIONRCM    *240307*0900*^*00501*000000901*0*P*:~"
        "GS*HN*CLEARINGHOUSE*INFUSIONRCM*20240307*0900*901*X*005010X214~"
        + "~".join(segs)
        + "~GE*1*901~IEA*1*000000901~"
    )


def test_277ca_accepts_and_rejects_claim_by_claim_idempotently(biller):
    pay = f.payer("medicare")
    (one, two), _ = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    text = ack_277(one.claim_number, two.claim_number)
    ack = services.acknowledgment_import(text=text, file_name="a.277", actor=biller)
    assert ack.status == "applied" and ack.kind == "277CA"
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.payer_claim_number) == ("accepted", "ICN0001")
    assert two.status == "rejected" and "A7:562:85" in two.status_reason and "NPI" in two.status_reason
    again = services.acknowledgment_import(text=text, file_name="a.277", actor=biller)
    assert again.pk == ack.pk and Acknowledgment.objects.count() == 1
    assert two.events.last().to_status == "rejected"


def test_999_rejection_rejects_the_batch_claims(biller):
    (claim,), batch = submitted(biller, f.chemo_with_hydration(biller))
    ack = services.acknowledgment_import(
        text=ack_999(batch.group_control_number, "R"), file_name="r.999", actor=None
    )
    assert ack.status == "applied" and ack.results[0]["outcome"] == "rejected"
    claim.refresh_from_db()
    assert claim.status == "rejected" and "999" in claim.status_reason


def test_999_acceptance_leaves_claims_submitted(biller):
    (claim,), batch = submitted(biller, f.chemo_with_hydration(biller))
    services.acknowledgment_import(
        text=ack_999(batch.group_control_number, "A"), file_name="a.999", actor=None
    )
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_unreadable_file_is_kept_as_failed():
    ack = services.acknowledgment_import(text="ISA*garbage~ST*999~", file_name="bad.999", actor=None)
    assert ack.status == "failed" and ack.error


def test_rejected_claim_reopens_as_draft(biller):
    pay = f.payer("medicare")
    (one, two), _ = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    services.acknowledgment_import(
        text=ack_277(one.claim_number, two.claim_number), file_name="x", actor=None
    )
    two.refresh_from_db()
    services.claim_resubmit_after_rejection(claim=two, actor=biller)
    two.refresh_from_db()
    assert two.status == "draft" and two.batch_id is None


def test_import_ack_command(biller, tmp_path):
    pay = f.payer("medicare")
    (one, two), _ = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    path = tmp_path / "ack.277"
    path.write_text(ack_277(one.claim_number, two.claim_number))
    call_command("import_ack", str(path))
    assert Claim.objects.get(pk=one.pk).status == "accepted"
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing")
    with pytest.raises(CommandError):
        call_command("import_ack", str(bad))
