"""The work queue's filter, shared by the HTML queue, its CSV export and the API list
(docs/conventions.md 14.10). Every value is in the query string, so a filtered queue has a URL
to share and a saved view is that query string under a name."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from denials.domain.types import OPEN_STATUSES, Category, DenialStatus, NextAction
from denials.models import Denial
from infusion_rcm.common.models import enum_choices
from intake.models import Payer

STATUS_CHOICES = [("open", "Open (not resolved)"), *enum_choices(DenialStatus)]
DUE_CHOICES = [
    ("overdue", "Overdue"),
    ("7", "Due within 7 days"),
    ("30", "Due within 30 days"),
    ("later", "Due later than 30 days"),
]
ORDER_CHOICES = [
    ("priority", "Priority (highest first)"),
    ("due", "Due date (soonest first)"),
    ("amount", "Amount (largest first)"),
    ("newest", "Newest first"),
]
ORDERINGS = {
    "priority": ("-priority", "due_date", "pk"),
    "due": ("due_date", "-priority", "pk"),
    "amount": ("-amount", "due_date", "pk"),
    "newest": ("-created_at", "-pk"),
}


def _owners():
    return get_user_model().objects.filter(groups__name="biller", is_active=True).order_by("username")


class DenialFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label="Any status",
        help_text="open, new, in_progress, waiting_on_payer or resolved",
    )
    category = django_filters.ChoiceFilter(choices=enum_choices(Category), empty_label="Any category")
    next_action = django_filters.ChoiceFilter(
        choices=enum_choices(NextAction), empty_label="Any next action", label="Next action"
    )
    payer = django_filters.ModelChoiceFilter(
        queryset=Payer.objects.order_by("name"), to_field_name="public_id", empty_label="Any payer"
    )
    owner = django_filters.CharFilter(
        method="filter_owner", label="Owner", help_text="a username, 'me' or 'none'"
    )
    due = django_filters.ChoiceFilter(
        choices=DUE_CHOICES, method="filter_due", empty_label="Any due date", label="Due"
    )
    q = django_filters.CharFilter(
        method="filter_q", label="Claim or patient", help_text="claim number or patient's last name"
    )
    order = django_filters.ChoiceFilter(
        choices=ORDER_CHOICES, method="filter_order", empty_label=None, label="Sort by"
    )

    class Meta:
        model = Denial
        fields = ["status", "category", "next_action", "payer", "owner", "due", "q", "order"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:
            data.setdefault("status", "open")
            data.setdefault("order", "priority")
        super().__init__(data, *args, **kwargs)
        # On the page the owner is picked from a list (the API takes the same values as text).
        owners = [("", "Anyone"), ("me", "Me"), ("none", "Nobody")] + [
            (u.get_username(), u.get_full_name() or u.get_username()) for u in _owners()
        ]
        self.form.fields["owner"].widget = forms.Select(choices=owners)

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=[s.value for s in OPEN_STATUSES])
        return queryset.filter(status=value)

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(owner_id=getattr(user, "pk", None))
        return queryset.filter(owner__username=value)

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(due_date__lt=today)
        if value == "later":
            return queryset.filter(due_date__gt=today + dt.timedelta(days=30))
        return queryset.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=int(value)))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(claim__claim_number__iexact=value) | Q(claim__patient__last_name__istartswith=value)
        )

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["priority"]))
