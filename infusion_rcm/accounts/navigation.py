"""The navigation: each entry names the capability that shows it. Apps add their entries here.

The first entry a role sees is its landing page (platform.views.home): a nurse lands on today's
schedule, a biller on the patients.
"""

from __future__ import annotations

from dataclasses import dataclass

from infusion_rcm.accounts.roles import Capability, user_has


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: Capability
    # Roles holding any of these do not see the entry (the page itself stays reachable by its URL).
    hidden_for: frozenset[Capability] = frozenset()

    def visible_to(self, user) -> bool:
        return user_has(user, self.capability) and not any(user_has(user, c) for c in self.hidden_for)


NAVIGATION: list[NavItem] = [
    NavItem("Today", "coding:schedule", Capability.VISIT_DOCUMENT),
    NavItem("Patients", "intake:patient_list", Capability.PATIENT_VIEW),
    NavItem("Intake queue", "intake:intake_queue", Capability.BILLING_VIEW),
    NavItem(
        "Schedule",
        "coding:schedule",
        Capability.BILLING_VIEW,
        hidden_for=frozenset({Capability.VISIT_DOCUMENT}),
    ),
    NavItem("Visits", "coding:visit_list", Capability.VISIT_DOCUMENT),
    NavItem("Charge review", "coding:charge_review", Capability.BILLING_VIEW),
    NavItem("Ready to bill", "claims:ready_to_bill", Capability.BILLING_VIEW),
    NavItem("Claims", "claims:claim_list", Capability.BILLING_VIEW),
    NavItem("Needs fix", "claims:needs_fix", Capability.BILLING_VIEW),
    NavItem("Batches", "claims:batch_list", Capability.BILLING_VIEW),
    NavItem("ERA inbox", "payments:inbox", Capability.BILLING_VIEW),
    NavItem("Unmatched remits", "payments:unmatched", Capability.BILLING_VIEW),
    NavItem("Reversals to approve", "payments:held", Capability.BILLING_VIEW),
    NavItem("Underpayments", "payments:underpayments", Capability.BILLING_VIEW),
    NavItem("Denials", "denials:queue", Capability.BILLING_VIEW),
    NavItem("Patient balances", "payments:patient_balances", Capability.BILLING_VIEW),
    NavItem("Statements", "payments:statement_runs", Capability.BILLING_VIEW),
    NavItem("Dashboard", "reports:dashboard", Capability.DASHBOARD_VIEW),
    NavItem("Audit log", "audit:entry_list", Capability.AUDIT_VIEW),
    NavItem("Reference data", "admin:index", Capability.REFERENCE_MANAGE),
    # The API is for integrations and billers' tools; a nurse documents on a tablet and never needs it.
    NavItem("API", "api-docs", Capability.API_DOCS_VIEW, hidden_for=frozenset({Capability.VISIT_DOCUMENT})),
]
