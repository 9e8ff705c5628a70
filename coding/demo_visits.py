"""Demo visits: signed, coded visits under the demo orders (half of them reviewed)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from coding import services
from coding.models import Administration, Drug, HomeTherapyDay, NursingVisitEntry, Visit
from infusion_rcm.accounts.models import User
from infusion_rcm.common.errors import DomainError
from intake.domain.types import OrderStatus
from intake.models import Order

logger = logging.getLogger(__name__)


def _document_infusions(visit: Visit, order: Order) -> None:
    start = dt.datetime.combine(visit.date_of_service, dt.time(9, 0))
    for position, ordered in enumerate(order.drugs.all()):
        drug = Drug.objects.filter(hcpcs=ordered.hcpcs).first()
        if drug is None:
            continue
        minutes = 150 if position == 0 else 40
        stop = start + dt.timedelta(minutes=minutes)
        Administration.objects.create(
            visit=visit,
            drug=drug,
            route=Administration.Route.IV_INFUSION,
            start=start.time(),
            stop=stop.time(),
            dose=ordered.dose,
            dose_unit=ordered.dose_unit,
            wasted=0 if drug.single_dose else None,
            # one right antecubital peripheral IV for the visit's infusions (ADM-I3)
            access_site="antecubital",
            access_side="right",
            access_device="peripheral_iv",
        )
        start = stop


def _document_home(visit: Visit, order: Order) -> None:
    for position, ordered in enumerate(order.drugs.all(), start=1):
        drug = Drug.objects.filter(hcpcs=ordered.hcpcs).first()
        therapy = "anti_infective" if drug and drug.drug_class == "anti_infective" else "hydration"
        HomeTherapyDay.objects.create(
            visit=visit,
            therapy=therapy,
            drug=drug,
            frequency_hours=8 if therapy == "anti_infective" else None,
            dose=ordered.dose,
            dose_unit=ordered.dose_unit,
            days=7,
            position=position,
            volume_ml_per_day=None if therapy == "anti_infective" else 1000,
        )
    NursingVisitEntry.objects.create(visit=visit, start=dt.time(10, 0), stop=dt.time(11, 30))


def seed_visits(*, today: dt.date, per_order: int = 3) -> int:
    """Weekly visits (home: one 7-day therapy visit) for orders under way, signed by the demo
    nurse; all but each order's latest visit are reviewed, so charge review and claims have work."""
    nurse = User.objects.filter(groups__name="nurse").first()
    if nurse is None:
        return 0
    orders = (
        Order.objects.filter(status=OrderStatus.ACTIVE, start_date__lt=today)
        .select_related("patient", "location")
        .prefetch_related("drugs")
        .order_by("id")
    )
    signed = 0
    for order in orders:
        if Visit.objects.filter(order=order).exists():
            continue
        home = order.location.site_of_care == "home"
        days = (
            [order.start_date]
            if home
            else [
                order.start_date + dt.timedelta(weeks=w)
                for w in range(per_order)
                if order.start_date + dt.timedelta(weeks=w) < today
            ]
        )
        for position, day in enumerate(days):
            try:
                with transaction.atomic():
                    visit = services.visit_start(
                        patient=order.patient,
                        location=order.location,
                        order=order,
                        actor=nurse,
                        date_of_service=day,
                    )
                    if home:
                        _document_home(visit, order)
                    else:
                        _document_infusions(visit, order)
                    services.visit_sign(visit=visit, actor=nurse)
                    if position < len(days) - 1 or home:
                        services.charge_lines_review(visit=visit, actor=nurse)
            except DomainError as exc:
                logger.info("demo visit for order %s not signed: %s", order.pk, exc.code)
                continue
            signed += 1
    return signed
