"""277CA category and status codes in words, with what to fix (claims.domain.claim_status_codes)."""

from __future__ import annotations

from claims.domain.ack_277ca import StatusInfo, status_words
from claims.domain.claim_status_codes import CATEGORIES, STATUS_CODES, describe, explain_one, explain_text


def test_a_rejection_in_words_with_its_fix() -> None:
    e = explain_one("A7", "562", "85")
    assert e.code == "A7:562:85" and e.rejected
    assert e.category == "Rejected for invalid information"
    assert e.status == "Entity's National Provider Identifier (NPI) (billing provider)"
    assert "NPPES" in e.fix


def test_category_action_when_the_status_has_no_fix_of_its_own() -> None:
    e = explain_one("A6", "21")
    assert not e.status.endswith(")") and "other status codes" in e.fix
    accepted = explain_one("A2", "20")
    assert not accepted.rejected and accepted.fix == "Nothing to do: wait for the 835."


def test_unknown_codes_are_shown_not_dropped() -> None:
    e = explain_one("A9", "9999", "ZZ")
    assert e.category == "category A9"
    assert e.status == "status code 9999 (see the X12 claim status code list) (entity ZZ)"


def test_explain_text_reads_stored_reasons() -> None:
    found = explain_text("277CA rejected (A7:562:85, A6:128, DR06:255): Billing NPI invalid")
    assert [e.code for e in found] == ["A7:562:85", "A6:128", "DR06:255"]
    assert explain_text("") == [] and explain_text("999 rejected the file: CLM at 23 (error 8)") == []


def test_status_words_of_a_277ca_claim() -> None:
    words = status_words([StatusInfo(category="A7", status="33", entity="IL")])
    assert (
        words
        == "A7:33:IL Rejected for invalid information: Subscriber and subscriber id not found (insured / subscriber)"
    )
    assert describe([]) == ""


def test_tables_are_complete_sentences() -> None:
    assert {"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"} <= set(CATEGORIES)
    for code, (words, fix) in STATUS_CODES.items():
        assert code.isdigit() and words and not words.endswith(".")
        assert fix == "" or fix.endswith(".")
