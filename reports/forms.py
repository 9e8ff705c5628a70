"""The dashboards' filters: period (months), site of care, payer, aging basis. Bad values are
refused with a message; the page then shows the defaults."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms

from intake.domain.types import SiteOfCare
from intake.models import Payer
from reports.domain.definitions import AgingBasis
from reports.domain.kpis import add_months, parse_month

MAX_MONTHS = 36


def _month(value: str, field: str) -> dt.date:
    month = parse_month(value)
    if month is None:
        raise forms.ValidationError(
            f"{field}: write the month as YYYY-MM (for example 2026-11).", code="month"
        )
    return month


class ReportFilterForm(forms.Form):
    start = forms.CharField(label="From month", required=False, max_length=7, help_text="YYYY-MM")
    end = forms.CharField(label="To month", required=False, max_length=7, help_text="YYYY-MM")
    site = forms.ChoiceField(label="Site of care", required=False)
    payer = forms.ChoiceField(label="Payer", required=False)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            ("", "All sites"),
            *((s.value, s.label) for s in SiteOfCare),
        ]
        cast(forms.ChoiceField, self.fields["payer"]).choices = [
            ("", "All payers"),
            *((str(pk), name) for pk, name in Payer.objects.order_by("name").values_list("pk", "name")),
        ]
        self.fields["start"].widget.attrs.update(placeholder="YYYY-MM", size=8)
        self.fields["end"].widget.attrs.update(placeholder="YYYY-MM", size=8)

    def clean(self):
        data = super().clean() or {}
        this_month = self.today.replace(day=1)
        end = _month(data["end"], "To month") if data.get("end") else this_month
        start = _month(data["start"], "From month") if data.get("start") else add_months(end, -11)
        if start > end:
            raise forms.ValidationError("The period starts after it ends: swap the months.", code="order")
        if add_months(start, MAX_MONTHS) <= end:
            raise forms.ValidationError(f"Choose at most {MAX_MONTHS} months.", code="span")
        data["first"], data["last"] = start, end
        data["payer_id"] = int(data["payer"]) if data.get("payer") else None
        return data

    def values(self) -> dict:
        """The cleaned filters, or the defaults when the input was refused."""
        if self.is_bound and self.is_valid():
            c = self.cleaned_data
            return {
                "first": c["first"],
                "last": c["last"],
                "site": c["site"] or "",
                "payer_id": c["payer_id"],
            }
        end = self.today.replace(day=1)
        return {"first": add_months(end, -11), "last": end, "site": "", "payer_id": None}


class AgingFilterForm(forms.Form):
    basis = forms.ChoiceField(
        label="Age from",
        required=False,
        choices=[(b.value, b.label.capitalize()) for b in AgingBasis],
    )
    site = forms.ChoiceField(label="Site of care", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            ("", "All sites"),
            *((s.value, s.label) for s in SiteOfCare),
        ]

    def values(self) -> dict:
        if self.is_bound and self.is_valid():
            c = self.cleaned_data
            return {"basis": AgingBasis(c["basis"] or AgingBasis.SERVICE), "site": c["site"] or ""}
        return {"basis": AgingBasis.SERVICE, "site": ""}
