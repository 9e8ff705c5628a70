"""Schedule forms: they check the shape of a booking; coding.schedule.services checks the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission

from coding.schedule import selectors
from infusion_rcm.accounts.models import User
from infusion_rcm.accounts.roles import Capability

DURATIONS = [
    (m, f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min")
    for m in (30, 60, 90, 120, 150, 180, 240, 300, 360, 480)
]


def nurses():
    """Active users whose role documents visits (the accounts.visit_document permission)."""
    permission = Permission.objects.filter(
        codename=Capability.VISIT_DOCUMENT, content_type__app_label="accounts"
    )
    return (
        User.objects.filter(is_active=True, groups__permissions__in=permission)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class _OrderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.patient} — {obj.therapy} · {obj.location.name} ({obj.get_status_display()})"


class _NurseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AppointmentForm(forms.Form):
    order = _OrderChoice(
        queryset=selectors.bookable_orders(), help_text="The visit takes place at the order's site of care"
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.TypedChoiceField(choices=DURATIONS, coerce=int, initial=120, label="Length")
    chair = forms.CharField(
        max_length=20,
        required=False,
        help_text="Infusion center or suite: e.g. Chair 3. Leave blank for a home visit.",
    )
    nurse = _NurseChoice(queryset=User.objects.none())
    notes = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nurse"].queryset = nurses()  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["order"].queryset = selectors.bookable_orders()  # type: ignore[attr-defined]  # a ModelChoiceField
