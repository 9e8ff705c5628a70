"""ORM rows -> the coding engine's Encounter (docs/encounter-format.md)."""

from __future__ import annotations

import math
from decimal import Decimal

from coding.domain.types import Administration as AdministrationIn
from coding.domain.types import Encounter, Evaluation, HomeTherapy, NursingVisit
from coding.models import Administration, DrugNdc, Visit
from intake.domain.types import PayerKind

# Payer kinds the engine knows; "other" plans are billed like commercial ones.
_PAYER_TYPE = {
    PayerKind.MEDICARE: "medicare",
    PayerKind.MEDICARE_ADVANTAGE: "medicare_advantage",
    PayerKind.MEDICAID: "medicaid",
    PayerKind.COMMERCIAL: "commercial",
    PayerKind.OTHER: "commercial",
}


def _clock(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _amount(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _ndc_quantity(a: Administration, packages: dict[str, DrugNdc]) -> dict:
    """DRG-N2: with the package known, report whole packages opened (dose + waste) as UN."""
    package = packages.get(a.ndc)
    if (
        package is None
        or package.unit_of_measure != "UN"
        or a.dose is None
        or a.dose_unit != a.drug.billing_unit  # type: ignore[union-attr]  # callers check drug_id
    ):
        return {}
    used = a.dose + (a.wasted or Decimal(0))
    return {"ndc_quantity": str(math.ceil(used / package.package_size)), "ndc_unit": "UN"}


def _access(a: Administration) -> dict | None:
    """ADM-I3: the structured access, which the engine compares as an identity (not the label)."""
    if not a.has_access:
        return None
    return {"site": a.access_site, "side": a.access_side, "device": a.access_device}


def finding_rows(visit: Visit, path: str) -> tuple[Administration | None, str]:
    """The documentation row an engine finding's path names (`administrations[2].wasted`) and the
    HCPCS it concerns. `visit` is the one visit_to_encounter read: the paths index its lists."""
    head = path.split(".", 1)[0]
    name, _, index = head.partition("[")
    if not index.endswith("]") or not index[:-1].isdigit():
        return None, ""
    i = int(index[:-1])
    if name == "administrations":
        administrations = list(visit.administrations.all())
        if i < len(administrations):
            a = administrations[i]
            return a, a.drug.hcpcs if a.drug else ""
    elif name == "home_therapies":
        therapies = list(visit.home_therapies.all())
        if i < len(therapies):
            t = therapies[i]
            return None, t.drug.hcpcs if t.drug else ""
    return None, ""


def visit_to_encounter(visit: Visit, *, payer_kind: str) -> Encounter:
    """Build the engine input from a visit with its administrations, therapies and nursing."""
    documented = list(visit.administrations.all())
    ndcs = {a.ndc for a in documented if a.ndc}
    packages = {p.ndc: p for p in DrugNdc.objects.filter(ndc__in=ndcs)} if ndcs else {}
    administrations = [
        AdministrationIn.model_validate(
            {
                k: v
                for k, v in {
                    "drug": a.drug.hcpcs if a.drug_id else None,  # type: ignore[union-attr]
                    "purpose": a.purpose or None,
                    "route": a.route,
                    "start": _clock(a.start),
                    "stop": _clock(a.stop),
                    "dose": _amount(a.dose),
                    "dose_unit": a.dose_unit or None,
                    "wasted": _amount(a.wasted),
                    "iv_site": a.iv_site or "A",
                    "access": _access(a),
                    "encounter": a.encounter,
                    "ndc": a.ndc or None,
                    **(_ndc_quantity(a, packages) if a.ndc and a.drug_id else {}),
                }.items()
                if v is not None
            }
        )
        for a in documented
    ]
    therapies = [
        HomeTherapy.model_validate(
            {
                k: v
                for k, v in {
                    "therapy": t.therapy,
                    "drug": t.drug.hcpcs if t.drug_id else None,  # type: ignore[union-attr]
                    "frequency_hours": t.frequency_hours,
                    "dose": _amount(t.dose),
                    "dose_unit": t.dose_unit or None,
                    "volume_ml_per_day": _amount(t.volume_ml_per_day),
                    "days": t.days,
                    "start_day": t.start_day,
                }.items()
                if v is not None
            }
        )
        for t in visit.home_therapies.all()
    ]
    nursing = [NursingVisit(start=_clock(n.start), stop=_clock(n.stop)) for n in visit.nursing_visits.all()]
    evaluation = (
        Evaluation(
            code=visit.evaluation_code, separately_identifiable=visit.evaluation_separately_identifiable
        )
        if visit.evaluation_code
        else None
    )
    return Encounter(
        id=f"visit-{visit.public_id}",
        date_of_service=visit.date_of_service,
        site_of_care=visit.location.site_of_care,
        payer_type=_PAYER_TYPE[PayerKind(payer_kind)],
        evaluation=evaluation,
        administrations=tuple(administrations),
        home_therapies=tuple(therapies),
        nursing_visits=tuple(nursing),
    )
