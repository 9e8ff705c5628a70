"""A 999 or 277CA that cannot be read is kept as a failed import with its reason: never a 500
(issue 9: a 999 with a non-ASCII digit in a count crashed the import)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.models import Acknowledgment
from tests.claims.test_acknowledgment_import import ack_277, envelope_999
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BAD_FILES = [
    (
        "superscript count",
        envelope_999("AK1*HC*12*005010X222A1~AK9*R*1*1*²~", count=4),
        "AK904 '²' is not a number",
    ),
    (
        "Arabic-Indic count",
        envelope_999("AK1*HC*12*005010X222A1~AK9*A*١*1*1~", count=4),
        "AK902 '١' is not a number",
    ),
    (
        "999 of another version",
        envelope_999("AK1*HC*12*005010X222A1~AK9*A*1*1*1~", count=4).replace("005010X231A1", "004010X231A1"),
        "GS08 declares 004010X231A1",
    ),
    ("277CA 30-digit amount", ack_277("C000000001", None).replace("WQ*50", "WQ*" + "9" * 30), "STC04"),
    ("277CA exponent", ack_277("C000000001", None).replace("WQ*50", "WQ*5E1"), "'5E1' is not an amount"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_unreadable_acknowledgment_is_a_failed_import_with_its_reason(biller, case, text, message):
    ack = services.acknowledgment_import(text=text, file_name="bad.ack", actor=biller)
    assert ack.status == Acknowledgment.Status.FAILED and ack.results == []
    assert message in ack.error and "segment " in ack.error


def test_the_page_answers_with_the_reason_not_a_500(biller):
    client = client_for(biller)
    text = BAD_FILES[0][1]
    upload = SimpleUploadedFile("bad.999", text.encode(), content_type="text/plain")
    response = client.post(reverse("claims:acknowledgment_import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "bad.999 could not be applied" in page and "AK904" in page
