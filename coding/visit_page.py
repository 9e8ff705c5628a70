"""The nurse's visit page: its forms (new row or the row being edited) and what it shows.

Rows stay editable until signing: `?edit=<id>` (administrations), `?edit_therapy=`, `?edit_nursing=`
open the row in its form; the POST names the row it changes.
"""

from __future__ import annotations

from coding import selectors, services
from coding.forms import AdministrationForm, HomeTherapyForm, NursingVisitForm, VitalsForm
from coding.models import Administration, Visit

_ACCESS_FIELDS = ("access_site", "access_side", "access_device")


def _row(rows, pk) -> object | None:
    """The visit's own row with that id (never another visit's: the id comes from the request)."""
    try:
        wanted = int(pk)
    except (TypeError, ValueError):
        return None
    return next((r for r in rows if r.pk == wanted), None)


def ordered_doses(visit: Visit) -> dict:
    return {d.hcpcs: d.dose for d in visit.order.drugs.all()} if visit.order else {}


def administration_form(visit: Visit, data=None, *, pk=None) -> AdministrationForm:
    """A form for a new administration (the access of the last one preset: one vein, one pick) or
    for the visit's administration `pk`."""
    instance = _row(visit.administrations.all(), pk) if pk else None
    initial = {}
    if instance is None:
        last = next((a for a in reversed(visit.administrations.all()) if a.has_access), None)
        if last is not None:
            initial = {f: getattr(last, f) for f in _ACCESS_FIELDS}
    return AdministrationForm(
        data,
        instance=instance or Administration(visit=visit),
        initial=initial,
        drugs=selectors.documentation_drugs(),
        ordered_codes=selectors.ordered_codes(order=visit.order),
        ordered_doses=ordered_doses(visit),
    )


def home_therapy_form(visit: Visit, data=None, *, pk=None) -> HomeTherapyForm:
    instance = _row(visit.home_therapies.all(), pk) if pk else None
    return HomeTherapyForm(
        data,
        instance=instance,
        drugs=selectors.documentation_drugs(),
        ordered_codes=selectors.ordered_codes(order=visit.order),
    )


def nursing_form(visit: Visit, data=None, *, pk=None) -> NursingVisitForm:
    instance = _row(visit.nursing_visits.all(), pk) if pk else None
    return NursingVisitForm(data, instance=instance)


def vitals_rows(values: dict) -> list[tuple[str, str]]:
    """Stored vitals as the nurse reads them ("Blood pressure 120/80"), in the form's order."""
    fields = VitalsForm.base_fields
    return [
        (str(fields[k].label or k.replace("_", " ").capitalize()), values[k]) for k in fields if k in values
    ]


def review_context(visit: Visit) -> dict:
    """Draft: what signing now would store (findings to fix first, or why it cannot be coded).
    Signed: the findings stored with the lines."""
    if visit.status == Visit.Status.DRAFT:
        findings, blocked = services.visit_findings_preview(visit=visit)
    else:
        findings, blocked = list(visit.findings.all()), ""
    findings.sort(key=lambda f: f.severity != "warning")  # warnings first, each group as coded
    return {
        "findings": findings,
        "sign_blocked": blocked,
        "finding_rows": {
            f.administration_id for f in findings if f.administration_id and f.severity == "warning"
        },
    }


def edit_ids(request) -> dict:
    return {
        "editing": request.GET.get("edit"),
        "editing_therapy": request.GET.get("edit_therapy"),
        "editing_nursing": request.GET.get("edit_nursing"),
    }
