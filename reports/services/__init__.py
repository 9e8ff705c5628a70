"""Reports' writes: the pre-aggregated facts (facts.py) and the daily A/R snapshot (snapshot.py)."""

from reports.services.facts import facts_rebuild, facts_refresh, reports_catch_up
from reports.services.snapshot import ar_snapshot_take

__all__ = ["ar_snapshot_take", "facts_rebuild", "facts_refresh", "reports_catch_up"]
