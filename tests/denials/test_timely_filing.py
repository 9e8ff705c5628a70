"""Timely filing: the deadline rule (TF-4), the alerts at 30/14/7 days on a frozen clock, once
per claim per threshold (TF-5), the queue of claims at risk and the claim page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from claims.domain.timely_filing import filing_deadline, latest_adjudication
from claims.models import Claim
from denials.models import TimelyFilingAlert
from denials.services.timely_filing import claims_at_risk, timely_filing_alerts_raise
from denials.tasks import timely_filing_alerts_task
from tests.claims import factories as f
from tests.denials.helpers import accepted_claim

SERVICE = dt.date(2026, 3, 2)


def _noon(day: dt.date) -> dt.datetime:
    """Noon of `day` in the office's time zone (localdate is what the services read)."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_deadline_rules():
    medicare = filing_deadline(
        payer_kind="medicare", timely_filing_days=90, form="837P", service_from=SERVICE, service_to=SERVICE
    )
    assert medicare.deadline == dt.date(2027, 3, 2)  # one calendar year, not the payer's days
    leap = filing_deadline(
        payer_kind="medicare",
        timely_filing_days=365,
        form="837I",
        service_from=dt.date(2028, 2, 1),
        service_to=dt.date(2028, 2, 29),
    )
    assert leap.deadline == dt.date(2029, 2, 28)  # the through date; 29 February -> 28
    commercial = filing_deadline(
        payer_kind="commercial", timely_filing_days=90, form="837P", service_from=SERVICE, service_to=SERVICE
    )
    assert commercial.deadline == SERVICE + dt.timedelta(days=90)
    secondary = filing_deadline(
        payer_kind="commercial",
        timely_filing_days=90,
        form="837P",
        service_from=SERVICE,
        service_to=SERVICE,
        payer_sequence="S",
        prior_adjudication=dt.date(2026, 5, 1),
    )
    assert secondary.deadline == dt.date(2026, 7, 30) and "prior payer" in secondary.basis
    assert latest_adjudication(
        [{"adjudication_date": "2026-05-01"}, {"adjudication_date": "2026-04-01"}]
    ) == (dt.date(2026, 5, 1))
    assert latest_adjudication([{"adjudication_date": "junk"}]) is None


@pytest.fixture
def ready_claim(db, biller):
    claim = accepted_claim(biller, f.payer(kind="commercial", name="Acme Health"))
    claim.payer.timely_filing_days = 90
    claim.payer.save()
    Claim.objects.filter(pk=claim.pk).update(
        status="ready", service_date_from=SERVICE, service_date_to=SERVICE
    )
    return Claim.objects.get(pk=claim.pk)


def _alerts(claim):
    return sorted(TimelyFilingAlert.objects.filter(claim=claim).values_list("threshold", flat=True))


@pytest.mark.django_db
def test_alerts_at_30_14_7_days_once_each(ready_claim):
    deadline = SERVICE + dt.timedelta(days=90)
    with time_machine.travel(_noon(deadline - dt.timedelta(days=31)), tick=False):
        assert timely_filing_alerts_task() == 0 and _alerts(ready_claim) == []
    with time_machine.travel(_noon(deadline - dt.timedelta(days=30)), tick=False):
        assert timely_filing_alerts_raise() == 1 and _alerts(ready_claim) == [30]
        assert timely_filing_alerts_raise() == 0  # the same day again: nothing new
    with time_machine.travel(_noon(deadline - dt.timedelta(days=20)), tick=False):
        assert timely_filing_alerts_raise() == 0
    with time_machine.travel(_noon(deadline - dt.timedelta(days=14)), tick=False):
        assert timely_filing_alerts_raise() == 1 and _alerts(ready_claim) == [14, 30]
    with time_machine.travel(_noon(deadline - dt.timedelta(days=3)), tick=False):
        assert timely_filing_alerts_raise() == 1 and _alerts(ready_claim) == [7, 14, 30]
        assert timely_filing_alerts_raise() == 0
    alert = TimelyFilingAlert.objects.get(claim=ready_claim, threshold=7)
    assert alert.deadline == deadline and alert.days_left == 3


@pytest.mark.django_db
def test_first_seen_late_gets_every_threshold_reached_and_filed_claims_none(ready_claim):
    deadline = SERVICE + dt.timedelta(days=90)
    with time_machine.travel(_noon(deadline - dt.timedelta(days=10)), tick=False):
        assert timely_filing_alerts_raise() == 2 and _alerts(ready_claim) == [14, 30]
    Claim.objects.filter(pk=ready_claim.pk).update(status="submitted")
    with time_machine.travel(_noon(deadline - dt.timedelta(days=2)), tick=False):
        assert timely_filing_alerts_raise() == 0  # filed: no longer at risk
        assert claims_at_risk() == []


@pytest.mark.django_db
def test_queue_and_claim_page(ready_claim, biller_client, nurse_client):
    deadline = SERVICE + dt.timedelta(days=90)
    with time_machine.travel(_noon(deadline - dt.timedelta(days=5)), tick=False):
        timely_filing_alerts_raise()
        page = biller_client.get(reverse("denials:timely_filing"))
        assert page.status_code == 200
        body = page.content.decode()
        assert ready_claim.claim_number in body and "90 days after the date of service" in body
        assert "30-day, 14-day, 7-day" in body
        claim_page = biller_client.get(reverse("claims:claim_detail", args=[ready_claim.public_id]))
        assert f"File by <strong>{deadline:%Y-%m-%d}</strong>" in claim_page.content.decode()
        assert nurse_client.get(reverse("denials:timely_filing")).status_code == 403
