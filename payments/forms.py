"""Payments forms: the 835 upload, the inbox and queue filters, the search for an unmatched claim
payment's claim, a paper EOB (header, one block per claim with its lines, provider-level amounts)
and the fee schedule upload of the admin."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from infusion_rcm.common.models import enum_choices
from intake.forms import DateInput
from intake.models import Payer
from payments.domain.codes import ClaimStatus, PaymentMethod, PlbReason
from payments.domain.contracts import ScheduleKind
from payments.domain.posting import FileSource, FileStatus

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ADJUSTMENT = re.compile(
    r"^(?P<group>CO|PR|OA|PI|CR)[\s\-]*(?P<reason>[0-9A-Z]{1,5})[\s:=]+(?P<amount>-?\d+(?:\.\d{1,2})?)$"
)
ADJUSTMENT_HELP = "group-reason amount, several separated by commas: CO-45 120.00, PR-2 30.00"


def _read_upload(upload, what: str) -> str:
    if upload.size == 0:
        raise forms.ValidationError(f"The {what} is empty.")
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(f"The {what} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    raw = upload.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # X12 and CSV exports are ASCII; a stray byte from another system must not be a 500
        return raw.decode("latin-1")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="835 file", help_text="An 835 remittance from the clearinghouse or a payer portal"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.text = _read_upload(upload, "file")
        return upload


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *enum_choices(FileStatus)], required=False)
    source = forms.ChoiceField(
        choices=[
            ("", "Any source"),
            (FileSource.EDI.value, "835 file"),
            (FileSource.PAPER.value, "Paper EOB"),
        ],
        required=False,
    )


class MatchSearchForm(forms.Form):
    """Find the claim an unmatched claim payment pays."""

    claim_number = forms.CharField(required=False, max_length=20, label="Claim number")
    patient = forms.CharField(required=False, max_length=100, label="Patient (last, first)")
    service_date = forms.DateField(required=False, widget=DateInput(), label="Date of service")
    amount = forms.DecimalField(required=False, max_digits=12, decimal_places=2, label="Total charge")


class MatchForm(forms.Form):
    claim = forms.UUIDField(widget=forms.HiddenInput)


class UnderpaymentFilterForm(forms.Form):
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        empty_label="Any payer",
    )
    service_from = forms.DateField(required=False, widget=DateInput(), label="Service from")
    service_to = forms.DateField(required=False, widget=DateInput(), label="Service to")


# ---------------------------------------------------------------------------
# Paper EOB
# ---------------------------------------------------------------------------


def parse_adjustments(text: str) -> list[dict[str, str]]:
    """ "CO-45 120.00, PR-2 30.00" -> [{"group": "CO", "reason": "45", "amount": "120.00"}, ...];
    ValidationError naming each entry it cannot read."""
    out: list[dict[str, str]] = []
    bad: list[str] = []
    for part in re.split(r"[,;\n]+", text or ""):
        entry = " ".join(part.upper().split())
        if not entry:
            continue
        found = ADJUSTMENT.match(entry)
        if found is None:
            bad.append(entry)
            continue
        out.append({"group": found["group"], "reason": found["reason"], "amount": found["amount"]})
    if bad:
        raise forms.ValidationError(
            f"Not understood: {', '.join(repr(b) for b in bad)}. Write {ADJUSTMENT_HELP}."
        )
    return out


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", (text or "").upper()) if c]


class EobHeaderForm(forms.Form):
    """The check (or EFT) the paper EOB came with."""

    payer = forms.ModelChoiceField(queryset=Payer.objects.filter(active=True).order_by("name"))
    check_number = forms.CharField(max_length=50, label="Check / EFT number")
    payment_date = forms.DateField(widget=DateInput(), label="Check date")
    payment_amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        required=False,
        label="Check amount",
        help_text="Blank: the claims' payments less the provider-level amounts",
    )
    payment_method = forms.ChoiceField(
        choices=[(PaymentMethod.CHECK.value, "Check"), (PaymentMethod.ACH.value, "EFT (ACH)")],
        initial=PaymentMethod.CHECK.value,
        label="Paid by",
    )


CLAIM_STATUSES = [(s.value, f"{s.value} {s.meaning}") for s in ClaimStatus]


class EobClaimForm(forms.Form):
    """One claim as the EOB states it."""

    claim_number = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=CLAIM_STATUSES, initial=ClaimStatus.PRIMARY.value, label="Processed as"
    )
    paid = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        label="Paid on the claim",
        help_text="Blank: the lines' payments less the claim-level adjustments",
    )
    patient_responsibility = forms.DecimalField(
        max_digits=12, decimal_places=2, required=False, label="Patient responsibility (as printed)"
    )
    payer_claim_number = forms.CharField(max_length=50, required=False, label="Payer claim number (ICN)")
    adjustments = forms.CharField(required=False, label="Claim-level adjustments", help_text=ADJUSTMENT_HELP)

    def clean_adjustments(self):
        return parse_adjustments(self.cleaned_data["adjustments"])


class EobLineForm(forms.Form):
    """One service line as the EOB states it; prefilled from our claim line. A line with no
    payment and no adjustment typed is not on the EOB and left out."""

    code = forms.CharField(max_length=48, label="Code paid")
    modifiers = forms.CharField(max_length=20, required=False)
    units = forms.DecimalField(max_digits=10, decimal_places=3, min_value=Decimal("0.001"))
    service_date = forms.DateField(widget=DateInput(), required=False, label="Date")
    charge = forms.DecimalField(max_digits=12, decimal_places=2)
    line_control_number = forms.CharField(widget=forms.HiddenInput, required=False)
    paid = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    allowed = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    adjustments = forms.CharField(required=False, help_text=ADJUSTMENT_HELP)
    remark_codes = forms.CharField(
        required=False, max_length=100, label="Remark codes", help_text="e.g. N130 M15"
    )

    def clean_adjustments(self):
        return parse_adjustments(self.cleaned_data["adjustments"])

    def clean_modifiers(self):
        mods = _codes(self.cleaned_data["modifiers"])
        if len(mods) > 4 or any(not re.fullmatch(r"[A-Z0-9]{2}", m) for m in mods):
            raise forms.ValidationError("Up to four two-character modifiers, e.g. JZ or 59 XS.")
        return mods

    def clean_remark_codes(self):
        codes = _codes(self.cleaned_data["remark_codes"])
        if any(not re.fullmatch(r"[A-Z0-9]{1,8}", c) for c in codes):
            raise forms.ValidationError("Remark codes are letters and digits, e.g. N130 M15.")
        return codes

    @property
    def on_the_eob(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("paid") is not None or bool(data.get("adjustments"))


PLB_CHOICES = [
    ("", "—"),
    *[
        (r.value, f"{r.value} {r.meaning}")
        for r in (
            PlbReason.INTEREST_OWED,
            PlbReason.OVERPAYMENT_RECOVERY,
            PlbReason.FORWARDING_BALANCE,
            PlbReason.AUTHORIZED_RETURN,
            PlbReason.LATE_CHARGE,
            PlbReason.INTEREST_PENALTY,
            PlbReason.ADJUSTMENT,
        )
    ],
]


class EobProviderAdjustmentForm(forms.Form):
    reason = forms.ChoiceField(choices=PLB_CHOICES, required=False, label="Provider-level adjustment")
    reference = forms.CharField(max_length=50, required=False)
    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Positive takes money back (recoupment); negative adds (interest)",
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if bool(data.get("reason")) != (data.get("amount") is not None):
            raise forms.ValidationError("Give both the reason and the amount, or neither.")
        return data


# ---------------------------------------------------------------------------
# Admin: fee schedule upload
# ---------------------------------------------------------------------------


class FeeScheduleUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=enum_choices(ScheduleKind), initial=ScheduleKind.CONTRACT.value)
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.order_by("name"), required=False, help_text="Required for a payer contract"
    )
    file = forms.FileField(
        help_text="CSV. Contract: code, modifier, method, rate, percent (optional description). "
        "Reference list: code, modifier, amount."
    )
    effective_from = forms.DateField(widget=DateInput(), label="In force from")
    effective_to = forms.DateField(
        widget=DateInput(), required=False, label="In force to (blank: open-ended)"
    )
    name = forms.CharField(max_length=100, required=False)
    replace = forms.BooleanField(
        required=False, help_text="Replace the rates of the version starting that day"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.text = _read_upload(upload, "file")
        return upload

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, payer = data.get("kind"), data.get("payer")
        if kind == ScheduleKind.CONTRACT and payer is None:
            self.add_error("payer", "A payer contract needs its payer.")
        if kind and kind != ScheduleKind.CONTRACT and payer is not None:
            self.add_error("payer", "A reference list (Medicare fee, ASP) is for no payer: leave it blank.")
        return data
