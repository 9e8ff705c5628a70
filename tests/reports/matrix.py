"""Reports pages and endpoints in the permission matrix (GET): dashboards are the manager's."""

from __future__ import annotations

MANAGER = {"manager"}

EXPECTED: dict[str, set[str]] = {
    "reports:dashboard": MANAGER,
    "reports:ar_aging": MANAGER,
    "reports:ar_claims": MANAGER,
    "reports:kpis": MANAGER,
    "reports:denials": MANAGER,
    "reports:denial_lines": MANAGER,
    "reports:monthly_report": MANAGER,
    "api:reports:ar-aging": MANAGER,
    "api:reports:kpis": MANAGER,
    "api:reports:denials": MANAGER,
}
