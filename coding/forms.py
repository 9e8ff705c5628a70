"""Nurse documentation and biller override forms: shape checks here, rules in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from coding.models import (
    Administration,
    ChargeLine,
    Drug,
    DrugNdc,
    HomeTherapyDay,
    NursingVisitEntry,
    Visit,
)
from infusion_rcm.common.identifiers import normalize_ndc

# A dose this far from the ordered dose is flagged for the nurse to confirm (not refused).
DOSE_TOLERANCE = Decimal("0.10")
DOSE_UNITS = [("", "—"), ("mg", "mg"), ("g", "g"), ("mcg", "mcg"), ("mL", "mL"), ("units", "units")]


class TimeInput(forms.TimeInput):
    input_type = "time"


# Mass units convert into one another; mL and units only into themselves (engine DRG-U1).
_UNITS_FOR_BILLING_UNIT = {
    "mg": ("mg", "g", "mcg"),
    "g": ("mg", "g", "mcg"),
    "mcg": ("mg", "g", "mcg"),
    "mL": ("mL",),
    "units": ("units",),
}
# Routes through a vascular access: the access is part of the record (ADM-I3).
_ACCESS_ROUTES = {
    Administration.Route.IV_INFUSION,
    Administration.Route.IV_PUSH,
    Administration.Route.PUMP_START,
}


class DrugSelect(forms.Select):
    """Options carry the drug's billing unit, so the page can preset the dose unit."""

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units: dict[str, str] = units or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        unit = self.units.get(str(value))
        if unit:
            option["attrs"]["data-unit"] = unit
        return option


class DrugChoiceField(forms.ChoiceField):
    """The whole active catalog, grouped: the order's drugs first, then premeds and other drugs,
    then fluids (whose HCPCS is the fluid supply). Cleans to a Drug (or None: no drug)."""

    def __init__(self, *, blank_label: str, **kwargs):
        super().__init__(required=False, **kwargs)
        self.blank_label = blank_label
        self.drugs: dict[str, Drug] = {}

    def offer(self, drugs, ordered_codes: list[str]) -> None:
        self.drugs = {str(d.pk): d for d in drugs}
        ordered = [d for d in self.drugs.values() if d.hcpcs in ordered_codes]
        ordered.sort(key=lambda d: ordered_codes.index(d.hcpcs))
        fluids = [d for d in self.drugs.values() if d.drug_class == "hydration_fluid" and d not in ordered]
        others = [d for d in self.drugs.values() if d not in ordered and d not in fluids]
        groups: list = [("", self.blank_label)]
        for label, rows in (
            ("On the order", ordered),
            ("Premeds and other drugs", sorted(others, key=lambda d: d.description.lower())),
            ("Fluids (billed as the fluid supply)", fluids),
        ):
            if rows:
                groups.append((label, [(str(d.pk), f"{d.hcpcs} {d.description}") for d in rows]))
        self.choices = groups
        cast(DrugSelect, self.widget).units = {pk: d.billing_unit for pk, d in self.drugs.items()}

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, Drug) else value

    def clean(self, value):
        value = super().clean(value)
        return self.drugs.get(str(value)) if value else None

    def valid_value(self, value) -> bool:
        return str(value) in self.drugs


def _check_dose_unit(form: forms.BaseForm, drug: Drug | None, unit: str | None) -> None:
    if drug is None or not unit:
        return
    if unit not in _UNITS_FOR_BILLING_UNIT[drug.billing_unit]:
        allowed = " or ".join(_UNITS_FOR_BILLING_UNIT[drug.billing_unit])
        form.add_error(
            "dose_unit", f"{drug.hcpcs} is billed per {drug.billing_unit}: give the dose in {allowed}."
        )


class AdministrationForm(forms.ModelForm):
    drug = DrugChoiceField(
        blank_label="No drug: hydration fluid, supply not billed", widget=DrugSelect, label="Drug or fluid"
    )
    # as printed on the vial (with dashes); clean_ndc turns it into the 11-digit form
    ndc = forms.CharField(label="NDC", required=False, max_length=13)

    class Meta:
        model = Administration
        fields = [
            "drug",
            "purpose",
            "route",
            "access_site",
            "access_side",
            "access_device",
            "encounter",
            "start",
            "stop",
            "dose",
            "dose_unit",
            "wasted",
            "ndc",
            "lot",
            "reactions",
            "notes",
        ]
        labels = {"wasted": "Wasted (same unit; 0 when none)"}
        help_texts = {
            "encounter": "1; 2 only when the patient left and came back the same day",
            "wasted": "Single-dose vials: what was thrown away. Medicare needs it for JW or JZ.",
        }
        widgets = {
            "start": TimeInput(format="%H:%M"),
            "stop": TimeInput(format="%H:%M"),
            "reactions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "encounter": forms.Select(choices=[(1, "1"), (2, "2 (came back)"), (3, "3")]),
            "dose_unit": forms.Select(choices=DOSE_UNITS),
        }

    def __init__(self, *args, drugs=None, ordered_doses=None, ordered_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        drug_field = cast(DrugChoiceField, self.fields["drug"])
        drug_field.offer(
            drugs if drugs is not None else Drug.objects.filter(active=True).order_by("hcpcs"),
            list(ordered_codes),
        )
        if self.instance.pk and self.instance.drug_id:
            self.initial["drug"] = str(self.instance.drug_id)
        self.ordered_doses: dict[str, Decimal] = ordered_doses or {}
        self.dose_warning = ""

    def clean_ndc(self) -> str:
        raw = (self.cleaned_data.get("ndc") or "").strip()
        if not raw:
            return ""
        ndc = normalize_ndc(raw)
        if ndc is None:
            raise forms.ValidationError(
                "Give the NDC as printed (5-4-2, 4-4-2, 5-3-2 or 5-4-1) or in 11 digits."
            )
        return ndc

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # Django returns cleaned_data
        route = data.get("route")
        start, stop = data.get("start"), data.get("stop")
        if route != Administration.Route.PUMP_START and stop is None:
            self.add_error("stop", "Record the stop time (only a pump start has none).")
        if start and stop and stop <= start:
            self.add_error("stop", "The stop time must be after the start time.")
        drug: Drug | None = data.get("drug")
        dose = data.get("dose")
        ndc = data.get("ndc")
        if drug is not None and ndc:
            packages = set(DrugNdc.objects.filter(drug=drug).values_list("ndc", flat=True))
            if packages and ndc not in packages:
                self.add_error("ndc", f"NDC {ndc} is not a package of {drug.hcpcs} in the drug catalog.")
        if drug is not None and dose is None:
            self.add_error("dose", "Record the dose given.")
        if dose is not None and not data.get("dose_unit"):
            self.add_error("dose_unit", "Pick the unit of the dose.")
        _check_dose_unit(self, drug, data.get("dose_unit"))
        access = [data.get("access_site"), data.get("access_side"), data.get("access_device")]
        if any(access) and not all(access):
            for name, value in zip(("access_site", "access_side", "access_device"), access, strict=True):
                if not value:
                    self.add_error(name, "Pick the site, the side and the device of the access.")
        elif route in _ACCESS_ROUTES and not any(access):
            self.add_error("access_site", "Pick the IV access (site, side and device) this ran through.")
        wasted = data.get("wasted")
        if wasted is not None and dose is not None and wasted > dose * 10:
            self.add_error("wasted", "The amount wasted looks too large for this dose; check it.")
        ordered = self.ordered_doses.get(drug.hcpcs) if drug is not None else None
        if ordered and dose is not None and abs(dose - ordered) > ordered * DOSE_TOLERANCE:
            self.dose_warning = f"Dose {dose} differs from the ordered {ordered} by more than 10%."
        return data


class VitalsForm(forms.Form):
    blood_pressure = forms.RegexField(
        regex=r"^\d{2,3}/\d{2,3}$",
        required=False,
        label="Blood pressure",
        error_messages={"invalid": "Write it as 120/80."},
    )
    pulse = forms.IntegerField(min_value=20, max_value=250, required=False)
    temperature_f = forms.DecimalField(
        min_value=90, max_value=110, decimal_places=1, required=False, label="Temperature (°F)"
    )
    spo2 = forms.IntegerField(min_value=50, max_value=100, required=False, label="SpO₂ %")


class EvaluationForm(forms.Form):
    evaluation_code = forms.RegexField(
        regex=r"^99\d{3}$",
        required=False,
        label="Same-day E/M code",
        error_messages={"invalid": "An E/M code looks like 99213."},
    )
    evaluation_separately_identifiable = forms.BooleanField(
        required=False, label="Separately identifiable (modifier 25)"
    )


class VisitProvidersForm(forms.ModelForm):
    """Who the services are billed under: the claim's rendering (2310B) and supervising (2310D)
    practitioners. A nurse bills no NPI of her own: in an office or infusion center name the
    physician who supervised; at home the pharmacist (the payer decides who goes on the claim)."""

    class Meta:
        model = Visit
        fields = ["rendering_provider", "supervising_provider"]
        labels = {
            "rendering_provider": "Rendering practitioner (pharmacist, NP or physician billed under)",
            "supervising_provider": "Supervising physician",
        }


class HomeTherapyForm(forms.ModelForm):
    """A home therapy as the engine knows it: a per-diem family from the list, with its drug."""

    drug = DrugChoiceField(blank_label="No drug (standard TPN, hydration)", widget=DrugSelect)

    class Meta:
        model = HomeTherapyDay
        fields = [
            "therapy",
            "drug",
            "frequency_hours",
            "dose",
            "dose_unit",
            "volume_ml_per_day",
            "days",
            "start_day",
            "position",
        ]
        labels = {"frequency_hours": "Every (hours)", "volume_ml_per_day": "Volume per day (mL)"}
        widgets = {"dose_unit": forms.Select(choices=DOSE_UNITS)}

    def __init__(self, *args, drugs=None, ordered_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        drug_field = cast(DrugChoiceField, self.fields["drug"])
        drug_field.offer(
            drugs if drugs is not None else Drug.objects.filter(active=True).order_by("hcpcs"),
            list(ordered_codes),
        )
        if self.instance.pk and self.instance.drug_id:
            self.initial["drug"] = str(self.instance.drug_id)

    def clean(self):
        data = cast(dict[str, Any], super().clean())
        drug, dose = data.get("drug"), data.get("dose")
        if dose is not None and not data.get("dose_unit"):
            self.add_error("dose_unit", "Pick the unit of the dose.")
        if drug is not None and dose is None:
            self.add_error("dose", "Record the daily dose of the drug.")
        _check_dose_unit(self, drug, data.get("dose_unit"))
        return data


class NursingVisitForm(forms.ModelForm):
    class Meta:
        model = NursingVisitEntry
        fields = ["start", "stop"]
        widgets = {"start": TimeInput(format="%H:%M"), "stop": TimeInput(format="%H:%M")}

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # Django returns cleaned_data
        if data.get("start") and data.get("stop") and data["stop"] <= data["start"]:
            self.add_error("stop", "The stop time must be after the start time.")
        return data


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Addendum")


class ChargeOverrideForm(forms.Form):
    code = forms.RegexField(
        regex=r"^[A-Za-z0-9]\d{3}[A-Za-z0-9]$", error_messages={"invalid": "5-character code"}
    )
    modifiers = forms.CharField(required=False, help_text="Space separated, e.g. JW XS")
    units = forms.IntegerField(min_value=1)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Required: why you changed it"
    )

    @classmethod
    def for_line(cls, line: ChargeLine, data=None):
        initial = {
            "code": line.billed_code,
            "modifiers": " ".join(line.billed_modifiers),
            "units": line.billed_units,
        }
        return cls(data=data, initial=initial, prefix=f"line{line.pk}")

    def clean_modifiers(self) -> list[str]:
        mods = [m.upper() for m in self.cleaned_data["modifiers"].split()]
        if len(mods) > 4 or any(len(m) != 2 or not m.isalnum() for m in mods):
            raise forms.ValidationError("Up to four 2-character modifiers.")
        return mods
