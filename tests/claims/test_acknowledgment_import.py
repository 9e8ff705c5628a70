"""999 and 277CA import: matched on the register of interchanges we sent (never by GS06 alone),
idempotent, accepted / rejected claims and batches, failed files kept with the reason; the page."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import services
from claims.models import Acknowledgment, Claim
from infusion_rcm.x12.control_numbers import control_numbers_take as x12_control_numbers_take
from infusion_rcm.x12.control_numbers import interchange_open, interchange_written
from infusion_rcm.x12.models import OutboundInterchange
from intake import services as intake_services
from tests.claims import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def submitted(biller, *visits) -> tuple[list[Claim], object]:
    claims = services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False).claims
    services.claims_scrub_many(claim_ids=[c.pk for c in claims])
    batch = services.batch_build(payer=claims[0].payer, actor=biller, validate=False)
    services.batch_release(batch=batch, actor=biller)
    return [Claim.objects.get(pk=c.pk) for c in claims], batch


def ack_999(
    group: int, status: str, *, functional_id: str = "HC", set_id: str = "837", st02: str = "0001"
) -> str:
    """A 999 addressed to us (ISA08 = our sender id) for group `group`; status A or R."""
    version = "005010X279A1" if set_id == "270" else "005010X222A1"
    accepted = 1 if status == "A" else 0
    body = (
        f"AK1*{functional_id}*{group}*{version}~AK2*{set_id}*{st02}*{version}~IK5*{status}~"
        f"AK9*{status}*1*1*{accepted}~"
    )
    return envelope_999(body, count=6)


def envelope_999(body: str, *, count: int) -> str:
    return (
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*INFUSIONRCM    *240306*0900*^*00501*000000777*0*P*:~"
        "GS*FA*CLEARINGHOUSE*INFUSIONRCM*20240306*0900*77*X*005010X231A1~"
        f"ST*999*0001*005010X231A1~{body}SE*{count}*0001~GE*1*77~IEA*1*000000777~"
    )


def ack_999_group_rejected(group: int) -> str:
    """A 999 rejecting a whole functional group: no AK2, AK9 R (AK905 2: version not supported)."""
    return envelope_999(f"AK1*HC*{group}*005010X222A1~AK9*R*1*1*0*2~", count=4)


def ack_277(
    accepted: str | None,
    rejected: str | None,
    *,
    reference: str = "000000001",
    receiver_status: str = "A1:19:PR",
    provider_status: str | None = None,
    npi: str = f.NPI_BILLING,
) -> str:
    """A 277CA: information receiver (TRN02 = our BHT03 `reference`), one billing provider, and a
    claim accepted and a claim rejected (either left out when None)."""
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
        f"TRN*2*{reference}",
        f"STC*{receiver_status}*20240307*WQ*100",
        "HL*3*2*19*" + ("1" if accepted or rejected else "0"),
        f"NM1*85*2*LAKESIDE*****XX*{npi}",
        "TRN*1*P1",
    ]
    if provider_status:
        segs.append(f"STC*{provider_status}*20240307*U*100********Billing provider not enrolled")
    if accepted:
        segs += [
            "HL*4*3*PT",
            "NM1*QC*1*DOE*JOHN****MI*X1",
            f"TRN*2*{accepted}",
            "STC*A2:20:PR*20240307*WQ*50",
            "REF*1K*ICN0001",
            "DTP*472*D8*20240301",
        ]
    if rejected:
        segs += [
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


# -- matched on the register, never by GS06 alone ------------------------------------------------


def test_a_999_set_the_batch_does_not_hold_changes_nothing(biller):
    (claim,), batch = submitted(biller, f.chemo_with_hydration(biller))
    ack = services.acknowledgment_import(
        text=ack_999(batch.group_control_number, "R", st02="0002"), file_name="r.999", actor=None
    )
    assert ack.results == [
        {
            "batch": batch.file_name,
            "set": "837 0002",
            "outcome": "names a transaction set this batch does not hold",
        }
    ]
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_999_for_a_270_changes_no_claim(biller):
    (claim,), _ = submitted(biller, f.chemo_with_hydration(biller))
    request = interchange_open(functional_id="HS", transaction_set="270", version="005010X279A1")
    interchange_written(request.record, transaction_count=1)
    ack = services.acknowledgment_import(
        text=ack_999(request.envelope.group_control, "R", functional_id="HS", set_id="270"),
        file_name="270.999",
        actor=None,
    )
    (row,) = ack.results
    assert row["outcome"].startswith(
        f"acknowledges the 270 eligibility request (ISA13 {request.envelope.interchange_control:09d}, "
        f"GS06 {request.envelope.group_control}): rejected"
    )
    assert row["outcome"].endswith("no claim changed")
    claim.refresh_from_db()
    assert claim.status == "submitted" and not claim.events.filter(to_status="rejected").exists()


def test_a_999_for_the_270_intake_wrote_names_its_eligibility_check(biller):
    (claim,), _ = submitted(biller, f.chemo_with_hydration(biller))
    check = intake_services.eligibility_request(coverage=claim.coverage, service_date=f.today())
    intake_services.eligibility_build_270(check_id=check.pk)
    check.refresh_from_db()
    record = OutboundInterchange.objects.get(functional_id="HS", transaction_set="270")
    ack = services.acknowledgment_import(
        text=ack_999(record.group_control, "A", functional_id="HS", set_id="270"),
        file_name="e.999",
        actor=None,
    )
    (row,) = ack.results
    assert f"of eligibility check {check.trace_number}: accepted (AK9 A); no claim changed" in row["outcome"]
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_999_naming_our_gs06_with_functional_id_hs_leaves_the_837_batch_with_that_number(biller):
    (claim,), batch = submitted(biller, f.chemo_with_hydration(biller))
    gs06 = batch.group_control_number
    text = ack_999(gs06, "R", functional_id="HS", set_id="270")
    # no 270 was sent with that GS06: the 999 matches nothing, whatever 837 shares the number
    ack = services.acknowledgment_import(text=text, file_name="hs.999", actor=None)
    assert ack.results == [{"group": f"HS {gs06}", "outcome": "matches no interchange we sent"}]
    # a 270 group that does carry the same GS06 number (GS06 is unique per functional id)
    (isa,) = x12_control_numbers_take("isa")
    OutboundInterchange.objects.create(
        sender_id=batch.interchange.sender_id,
        receiver_id=batch.interchange.receiver_id,
        interchange_control=isa,
        group_control=gs06,
        functional_id="HS",
        transaction_set="270",
        version="005010X279A1",
        transaction_count=1,
    )
    again = services.acknowledgment_import(text=text + "\n", file_name="hs2.999", actor=None)
    assert again.results[0]["outcome"].startswith("acknowledges the 270 eligibility request")
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_999_from_someone_else_matches_nothing(biller):
    (claim,), batch = submitted(biller, f.chemo_with_hydration(biller))
    text = ack_999(batch.group_control_number, "R").replace("*ZZ*INFUSIONRCM    *", "*ZZ*OTHERSUBMITTER *")
    ack = services.acknowledgment_import(text=text, file_name="other.999", actor=None)
    assert ack.results[0]["outcome"] == "matches no interchange we sent"
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_999_rejecting_the_whole_group_rejects_every_submitted_claim_of_the_batch(biller):
    pay = f.payer("medicare")
    (one, two), batch = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    (other,), _ = submitted(biller, f.office_sequential_concurrent(biller))
    ack = services.acknowledgment_import(
        text=ack_999_group_rejected(batch.group_control_number), file_name="g.999", actor=None
    )
    assert ack.results == [{"batch": batch.file_name, "set": "all", "outcome": "rejected", "claims": 2}]
    for claim in (one, two):
        claim.refresh_from_db()
        assert (
            claim.status == "rejected"
            and claim.status_reason == "999 rejected the whole file (AK9 R, error 2)"
        )
    other.refresh_from_db()
    assert other.status == "submitted"


def test_277ca_billing_provider_rejection_rejects_the_batch_claims(biller):
    pay = f.payer("medicare")
    (one, two), batch = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    (other,), _ = submitted(biller, f.office_sequential_concurrent(biller))
    text = ack_277(
        None, None, reference=f"{batch.interchange_control_number:09d}", provider_status="A3:85:85"
    )
    ack = services.acknowledgment_import(text=text, file_name="bp.277", actor=biller)
    assert ack.status == "applied", ack.error
    assert ack.results == [
        {
            "level": "billing provider",
            "reference": f"{batch.interchange_control_number:09d}",
            "batch": batch.file_name,
            "outcome": "rejected",
            "claims": 2,
            "reason": "A3:85:85 Returned as unprocessable: rejected, not entered into adjudication: "
            "Entity not primary (billing provider)",
        }
    ]
    for claim in (one, two):
        claim.refresh_from_db()
        assert claim.status == "rejected"
        assert claim.status_reason == (
            f"277CA rejected at billing provider {f.NPI_BILLING} level: A3:85:85 Returned as "
            "unprocessable: rejected, not entered into adjudication: Entity not primary (billing provider). "
            "Payer's note: Billing provider not enrolled"
        )
    other.refresh_from_db()
    assert other.status == "submitted"


def test_277ca_receiver_rejection_spares_claims_with_a_status_of_their_own(biller):
    pay = f.payer("medicare")
    (one, two, three), batch = submitted(
        biller,
        f.chemo_with_hydration(biller, pay),
        f.drug_with_waste(biller, pay),
        f.chemo_with_hydration(biller, pay),
    )
    text = ack_277(
        one.claim_number, None, reference=f"{batch.interchange_control_number:09d}", receiver_status="A3:24"
    )
    ack = services.acknowledgment_import(text=text, file_name="ir.277", actor=None)
    assert [r["outcome"] for r in ack.results] == ["accepted", "rejected"]
    assert ack.results[1]["level"] == "information receiver" and ack.results[1]["claims"] == 2
    statuses = {c.pk: Claim.objects.get(pk=c.pk).status for c in (one, two, three)}
    assert statuses == {one.pk: "accepted", two.pk: "rejected", three.pk: "rejected"}


def test_277ca_level_rejection_for_a_batch_we_never_sent_changes_nothing(biller):
    (claim,), _ = submitted(biller, f.chemo_with_hydration(biller))
    text = ack_277(None, None, reference="999999998", provider_status="A3:85:85")
    ack = services.acknowledgment_import(text=text, file_name="x.277", actor=None)
    assert ack.results == [
        {"level": "billing provider", "reference": "999999998", "outcome": "matches no interchange we sent"}
    ]
    claim.refresh_from_db()
    assert claim.status == "submitted"


# -- the page -------------------------------------------------------------------------------------


def test_the_acknowledgments_page_renders_every_kind_of_result_row(biller):
    pay = f.payer("medicare")
    (one, two), batch = submitted(biller, f.chemo_with_hydration(biller, pay), f.drug_with_waste(biller, pay))
    reference = f"{batch.interchange_control_number:09d}"
    services.acknowledgment_import(
        text=ack_277(one.claim_number, two.claim_number), file_name="a.277", actor=None
    )
    services.acknowledgment_import(
        text=ack_277(None, None, reference=reference, provider_status="A3:85:85"),
        file_name="b.277",
        actor=None,
    )
    services.acknowledgment_import(
        text=ack_999(batch.group_control_number, "A"), file_name="a.999", actor=None
    )
    services.acknowledgment_import(
        text=ack_999(424242, "A", functional_id="HS", set_id="270"), file_name="n.999", actor=None
    )
    services.acknowledgment_import(text="ISA*garbage~", file_name="bad.999", actor=None)
    # rows stored before the result rows had a subject of their own still render
    Acknowledgment.objects.create(
        kind="999",
        checksum="0" * 64,
        content="x",
        status="applied",
        results=[{"group": "5", "outcome": "unknown batch"}],
    )
    response = client_for(biller).get(reverse("claims:acknowledgment_import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"claim {one.claim_number}: accepted" in page and f"claim {two.claim_number}: rejected" in page
    assert f"{batch.file_name} billing provider level: rejected (0 claims)" in page
    assert f"{batch.file_name} set 837 0001: accepted" in page
    assert "group HS 424242: matches no interchange we sent" in page
    assert "group 5: unknown batch" in page
    assert "bad.999" in page
