"""Claims forms: reasons for voids/replacements, batch build, acknowledgment upload, payer rules."""

from __future__ import annotations

import json

from django import forms

from claims import services
from claims.domain.types import ClaimForm
from claims.models import Claim, PayerRule
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.models import enum_choices
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
