"""A worker that reads and posts a file hands posting the rows it has just stored instead of
reading them back: they must be exactly what posting would read, and are used only when they
still are (payments.services.store `Totals.pending`, posting `remittance_file_post(stored=)`)."""

from __future__ import annotations

import pytest

from payments import services
from payments.models import ClaimPayment, Posting
from payments.services.posting import _load, _pending, remittance_file_post
from payments.services.receive import remittance_file_parse_rows
from tests.payments.helpers import accepted_claim, clp, denied, era, paid

pytestmark = pytest.mark.django_db


def _file(biller):
    first, second, third = (accepted_claim(biller) for _ in range(3))
    text = era(
        clp(
            first, claim_cas=(("CO", "253", "1.00"),), drop_ref=frozenset({1}), drop_modifiers=frozenset({3})
        ),
        clp(second, status="4", lines=lambda i, c: denied(c, "CO", "197")),
        clp(third, lines=lambda i, c: denied(c, "PR", "1") if i == 0 else paid(c, patient="0.30")),
        clp(first, status="22", sign=-1),
        clp(third, number="NOT-OURS-1", icn="UNKNOWN-ICN"),  # unmatched: not pending
    )
    file, _ = services.remittance_file_receive(text=text, file_name="stored.835", actor=biller)
    return file


def test_the_rows_handed_over_are_those_posting_reads_back(biller):
    file, stored = remittance_file_parse_rows(file=_file(biller))
    assert file.status == "parsed" and stored is not None
    from_database = _load(_pending(file))
    assert len(from_database) == 4  # the unmatched claim payment does not post
    assert stored == from_database  # ids, amounts (to the cent), lines, units, adjustments, order
    assert [line.adjustments for row in stored for _, _, line in row.lines] == [
        line.adjustments for row in from_database for _, _, line in row.lines
    ]


def test_a_second_parse_hands_over_nothing(biller):
    file = _file(biller)
    remittance_file_parse_rows(file=file)
    again, stored = remittance_file_parse_rows(file=file)
    assert again.status == "parsed" and stored is None


def test_rows_that_are_not_the_pending_ones_are_not_used(biller):
    file, stored = remittance_file_parse_rows(file=_file(biller))
    assert stored is not None
    result = remittance_file_post(file=file, actor=biller, stored=stored[:1])  # stale: one of four
    assert (result.claims_posted, result.held) == (3, 1)  # the reversal waits for approval
    posted = ClaimPayment.objects.filter(remittance__file=file, status="posted")
    assert posted.count() == 3
    assert set(Posting.objects.filter(claim_payment__in=posted).values_list("claim_payment", flat=True)) == {
        p.pk for p in posted
    }
