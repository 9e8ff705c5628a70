"""Claims forms: claim edits (claim fields and a formset of lines), reasons for voids, batch build,
acknowledgment upload, payer rules."""

from __future__ import annotations

import json

from django import forms

from claims import services
from claims.domain.claim_edit import NDC_UNITS, ClaimState, LineState
from claims.domain.types import ClaimForm
from claims.models import Claim, PayerRule
from claims.services.edit import provider_model
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.models import enum_choices
from intake.forms import DateInput
from intake.models import Payer


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(forms.Form):
    pass


class BatchBuildForm(forms.Form):
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.filter(claims__status="ready").distinct().order_by("name")
    )
    form = forms.ChoiceField(
        choices=[("", "Oldest ready claim decides"), *enum_choices(ClaimForm)], required=False
    )


class AcknowledgmentForm(forms.Form):
    file = forms.FileField(help_text="A 999 or 277CA file from the clearinghouse")


class PayerRuleAdminForm(forms.ModelForm):
    """Admin form: the config is validated with the pydantic rule union; its message is shown as is."""

    note = forms.CharField(
        max_length=200, required=False, help_text="Why this change (kept with the version)"
    )

    class Meta:
        model = PayerRule
        fields = ["payer", "config", "enabled"]
        help_texts = {
            "config": 'JSON, e.g. {"kind": "max_units_per_day", "rule_id": "J1745-MAX", "code": "J1745", "units": 150}'
        }

    def clean_config(self):
        config = self.cleaned_data["config"]
        if isinstance(config, str):
            try:
                config = json.loads(config)
            except json.JSONDecodeError as exc:
                raise forms.ValidationError(f"Not JSON: {exc}") from exc
        try:
            services.payer_rule_validate(config)
        except InvalidInputError as exc:
            raise forms.ValidationError(exc.message) from exc
        return config


class TryRuleForm(forms.Form):
    claim_number = forms.CharField(max_length=20, help_text="An existing claim's number, e.g. C000000012")

    def clean_claim_number(self):
        number = self.cleaned_data["claim_number"].strip().upper()
        claim = Claim.objects.filter(claim_number=number).first()
        if claim is None:
            raise forms.ValidationError("No claim has that number.")
        self.claim = claim
        return number


# ---------------------------------------------------------------------------
# Claim edit: the claim fields and one form per line. The forms check shapes only (a number, a
# date); claims.domain.claim_edit_apply judges the values and its messages are put on the fields.
# ---------------------------------------------------------------------------


def _show_decimal(value) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class ClaimEditForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    diagnosis_codes = forms.CharField(
        max_length=300,
        required=False,
        label="Diagnoses (ICD-10-CM)",
        help_text="Separated by commas; the first is the principal diagnosis, lines point at them by number.",
    )
    prior_auth_number = forms.CharField(max_length=50, required=False, label="Prior authorization number")
    place_of_service = forms.CharField(
        max_length=2,
        required=False,
        help_text="11 office, 12 home, 22 hospital outpatient, 49 infusion suite",
    )
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the change",
        help_text="Kept in the claim's history, e.g. 'NDC quantity from the MAR'.",
    )

    def __init__(self, *args, state: ClaimState, version: str, roles: list[str], **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": version,
                "diagnosis_codes": ", ".join(_dotted(c) for c in state.diagnosis_codes),
                "prior_auth_number": state.prior_auth_number,
                "place_of_service": state.place_of_service,
                **dict(state.providers),
            },
        )
        super().__init__(*args, **kwargs)
        self.roles = tuple(roles)
        if state.form is ClaimForm.INSTITUTIONAL:
            del self.fields["place_of_service"]
        for role in roles:
            model = provider_model(role)
            label = role.replace("_", " ").capitalize()
            if role == "referring_provider" and state.form is ClaimForm.INSTITUTIONAL:
                label = "Attending / referring provider"
            self.fields[role] = ProviderChoiceField(
                queryset=model.objects.all(),
                to_field_name="npi",
                required=False,
                label=label,
                empty_label="— none —" if role != "rendering_provider" else "— the billing provider —",
            )

        # Reason last, after the fields it explains.
        self.order_fields([*[n for n in self.fields if n != "reason"], "reason"])

    def changed_values(self) -> dict:
        """The claim-level values as claims.domain.claim_edit.ClaimChanges takes them."""
        data = self.cleaned_data
        values = {
            "diagnosis_codes": [c for c in data["diagnosis_codes"].replace(";", ",").split(",") if c.strip()],
            "prior_auth_number": data["prior_auth_number"],
        }
        if "place_of_service" in self.fields:
            values["place_of_service"] = data["place_of_service"]
        for role in self.roles:
            values[role] = data[role].npi if data.get(role) is not None else ""
        return values


class ProviderChoiceField(forms.ModelChoiceField):
    """A provider by name and NPI (the NPI is what the claim sends and what the choice posts)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj} · NPI {obj.npi}"


def _dotted(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


class ClaimLineForm(forms.Form):
    line_control_number = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(max_length=5, required=False, label="Code")
    modifiers = forms.CharField(max_length=20, required=False, help_text="e.g. JW 59")
    units = forms.DecimalField(max_digits=10, decimal_places=3, required=False)
    charge = forms.DecimalField(max_digits=12, decimal_places=2, required=False, label="Charge ($)")
    service_date_from = forms.DateField(required=False, widget=DateInput(), label="From")
    service_date_to = forms.DateField(required=False, widget=DateInput(), label="To")
    diagnosis_pointers = forms.CharField(
        max_length=20, required=False, label="Dx pointers", help_text="e.g. 1, 2"
    )
    revenue_code = forms.CharField(max_length=4, required=False, label="Revenue code")
    ndc = forms.CharField(max_length=13, required=False, label="NDC", help_text="5-4-2, e.g. 50242-0060-01")
    ndc_quantity = forms.DecimalField(max_digits=10, decimal_places=3, required=False, label="NDC quantity")
    ndc_unit = forms.ChoiceField(
        choices=[("", "—"), *[(u, u) for u in NDC_UNITS]], required=False, label="NDC unit"
    )
    remove = forms.BooleanField(required=False, label="Remove this line")

    def __init__(self, *args, claim_form: ClaimForm = ClaimForm.PROFESSIONAL, **kwargs):
        super().__init__(*args, **kwargs)
        if claim_form is ClaimForm.INSTITUTIONAL:
            del self.fields["diagnosis_pointers"]
        else:
            del self.fields["revenue_code"]

    @staticmethod
    def initial_for(line: LineState) -> dict:
        return {
            "line_control_number": line.key,
            "code": line.code,
            "modifiers": " ".join(line.modifiers),
            "units": _show_decimal(line.units),
            "charge": line.charge,
            "service_date_from": line.service_date_from,
            "service_date_to": line.service_date_to,
            "diagnosis_pointers": ", ".join(str(p) for p in line.diagnosis_pointers),
            "revenue_code": line.revenue_code,
            "ndc": line.ndc,
            "ndc_quantity": _show_decimal(line.ndc_quantity),
            "ndc_unit": line.ndc_unit,
        }

    def is_blank_new_line(self) -> bool:
        data = self.cleaned_data
        return not data.get("line_control_number") and not any(
            data.get(name) not in (None, "")
            for name in self.fields
            if name not in ("line_control_number", "remove")
        )

    def change(self) -> dict:
        """The line as claims.domain.claim_edit.ClaimChanges.from_data takes it."""
        data = dict(self.cleaned_data)
        if not data.get("line_control_number"):
            data = {k: v for k, v in data.items() if v not in (None, "")}
        values = {k: v for k, v in data.items() if k in self.fields}
        if "diagnosis_pointers" in values:
            values["diagnosis_pointers"] = _pointers(values["diagnosis_pointers"])
        if "modifiers" in values:
            values["modifiers"] = values["modifiers"].replace(",", " ").split()
        return values


def _pointers(text: str) -> list:
    # A non-number stays text so the claim edit rules report it with the other problems.
    return [int(p) if p.isdigit() else p for p in text.replace(",", " ").split()]


ClaimLineFormSet = forms.formset_factory(ClaimLineForm, extra=1, max_num=999)
