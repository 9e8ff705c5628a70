"""eligibility_state: what is known about a coverage for a date of service (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from intake.domain.coverage import EligibilityState, eligibility_state

VISIT = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("kw", "state"),
    [
        ({"has_coverage": False}, EligibilityState.NO_COVERAGE),
        ({"last_checked": None}, EligibilityState.NEVER_CHECKED),
        ({"last_checked": date(2026, 2, 18)}, EligibilityState.OK),  # 30 days before the visit: fresh
        ({"last_checked": date(2026, 2, 17)}, EligibilityState.STALE),  # 31 days before the visit
        ({"last_checked": date(2026, 3, 19), "last_active": False}, EligibilityState.INACTIVE),
        ({"last_checked": date(2026, 3, 19), "last_active": None}, EligibilityState.INACTIVE),
        ({"last_checked": date(2026, 1, 1), "open_inquiry": "pending"}, EligibilityState.PENDING),
        ({"last_checked": None, "open_inquiry": "failed"}, EligibilityState.FAILED),
    ],
)
def test_eligibility_state(kw, state):
    args = {
        "has_coverage": True,
        "last_checked": None,
        "last_active": True,
        "freshness_days": 30,
        "on": VISIT,
    }
    assert eligibility_state(**{**args, **kw}) is state


def test_only_missing_or_stale_checks_call_for_an_inquiry():
    assert {s for s in EligibilityState if s.needs_inquiry} == {
        EligibilityState.NEVER_CHECKED,
        EligibilityState.STALE,
    }
    assert EligibilityState.NEVER_CHECKED.label == "Never checked"
