"""Forms of the appeals on the denial page: shape checks only; denials.services.appeals decides."""

from __future__ import annotations

from django import forms

from denials.domain.appeals import ATTACHMENT_CHOICES, Outcome

DATE = forms.DateInput(attrs={"type": "date"})


class AppealStartForm(forms.Form):
    attachments = forms.MultipleChoiceField(
        choices=[(a, a) for a in ATTACHMENT_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Enclosed with the letter",
    )
    other = forms.CharField(required=False, max_length=120, label="Another attachment (optional)")
    letter_note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label="Your paragraph for the letter (optional)",
    )

    def attachment_list(self) -> list[str]:
        return [*self.cleaned_data["attachments"], self.cleaned_data.get("other") or ""]


class AppealSendForm(forms.Form):
    sent_on = forms.DateField(widget=DATE, label="Sent on")


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(o.value, o.label) for o in Outcome], label="Outcome")
    decision_date = forms.DateField(widget=DATE, label="Date on the decision")
    received_on = forms.DateField(widget=DATE, required=False, label="Received on (blank: the same day)")
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), label="Note"
    )
