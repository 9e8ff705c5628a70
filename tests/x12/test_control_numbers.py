"""The control-number service: unique, increasing ISA13/GS06 across every outgoing transaction."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from infusion_rcm.x12.control_numbers import (
    control_numbers_take,
    interchange_open,
    interchange_written,
    outbound_for_acknowledgment,
)
from infusion_rcm.x12.models import OutboundInterchange

pytestmark = pytest.mark.django_db


def test_numbers_increase_and_never_repeat():
    first = control_numbers_take("isa", 3)
    second = control_numbers_take("isa")
    assert first == sorted(first) and len(set(first)) == 3
    assert second[0] > first[-1]


def test_unknown_series_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        control_numbers_take("claim")


def test_a_rolled_back_interchange_leaves_a_gap_not_a_reuse():
    opened = []

    def build_that_fails() -> None:
        with transaction.atomic():
            opened.append(interchange_open(functional_id="HC", transaction_set="837", version="005010X222A1"))
            raise RuntimeError("render failed")

    with pytest.raises(RuntimeError):
        build_that_fails()
    (gone,) = opened
    kept = interchange_open(functional_id="HC", transaction_set="837", version="005010X222A1")
    assert kept.envelope.interchange_control > gone.envelope.interchange_control
    assert not OutboundInterchange.objects.filter(
        interchange_control=gone.envelope.interchange_control
    ).exists()


def test_register_matches_a_999_by_functional_id_and_group_not_gs06_alone():
    claims = interchange_open(functional_id="HC", transaction_set="837", version="005010X222A1")
    interchange_written(claims.record, transaction_count=2)
    gs06 = str(claims.envelope.group_control)
    assert (
        outbound_for_acknowledgment(our_id=claims.record.sender_id, functional_id="HC", group_control=gs06)
        == claims.record
    )
    assert (
        outbound_for_acknowledgment(our_id=claims.record.sender_id, functional_id="HS", group_control=gs06)
        is None
    )
    assert outbound_for_acknowledgment(our_id="SOMEONEELSE", functional_id="HC", group_control=gs06) is None
    assert claims.record.holds_set("837", "0002") and not claims.record.holds_set("837", "0003")
    assert not claims.record.holds_set("270", "0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_takers_get_distinct_numbers():
    if connection.vendor != "postgresql":  # pragma: no cover - the suite runs on PostgreSQL
        pytest.fail("the suite must run on PostgreSQL")
    taken: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        try:
            numbers = control_numbers_take("gs", 25)
            with lock:
                taken.extend(numbers)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 100 and len(set(taken)) == 100
