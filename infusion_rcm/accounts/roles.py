"""Roles and what each may do. Pure table; the migration turns it into groups + permissions.

docs/architecture.md "Roles and audit": nurses see today's patients and orders and document visits, nothing
financial; billers work intake, eligibility, auths, charges, claims, postings and denials;
managers read what billers read plus dashboards; admins keep users and reference data.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    NURSE = "nurse"
    BILLER = "biller"
    MANAGER = "manager"
    ADMIN = "admin"


class Capability(StrEnum):
    PATIENT_VIEW = "patient_view"  # demographics, orders, the clinical side of a patient
    VISIT_DOCUMENT = "visit_document"  # record and sign administrations
    BILLING_VIEW = "billing_view"  # coverage money, eligibility, auths, charges, claims (read)
    BILLING_WORK = "billing_work"  # change any of the above
    DASHBOARD_VIEW = "dashboard_view"  # AR and denial dashboards, reports
    REFERENCE_MANAGE = "reference_manage"  # payers, payer rules, fee schedules, drug catalog, code sets
    USER_MANAGE = "user_manage"
    AUDIT_VIEW = "audit_view"
    API_DOCS_VIEW = "api_docs_view"


ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.NURSE: frozenset({Capability.PATIENT_VIEW, Capability.VISIT_DOCUMENT, Capability.API_DOCS_VIEW}),
    Role.BILLER: frozenset(
        {Capability.PATIENT_VIEW, Capability.BILLING_VIEW, Capability.BILLING_WORK, Capability.API_DOCS_VIEW}
    ),
    Role.MANAGER: frozenset(
        {
            Capability.PATIENT_VIEW,
            Capability.BILLING_VIEW,
            Capability.DASHBOARD_VIEW,
            Capability.API_DOCS_VIEW,
        }
    ),
    Role.ADMIN: frozenset(
        {Capability.REFERENCE_MANAGE, Capability.USER_MANAGE, Capability.AUDIT_VIEW, Capability.API_DOCS_VIEW}
    ),
}


def user_has(user, capability: Capability | str) -> bool:
    """True when the user's role grants `capability` (Django permission accounts.<capability>)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm(f"accounts.{capability}")


def user_roles(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted(g.name for g in user.groups.all())
