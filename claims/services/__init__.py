"""Claims writes, by use case. Only these modules change `Claim.status`: every move is checked
against `CLAIM_TRANSITIONS` under a row lock and recorded as a ClaimEvent in the same
transaction. The bulk paths (build, scrub, batch) lock their claims in id order (no deadlocks
between workers), load with a few queries, and write set-based, still one ClaimEvent per move.
"""

from claims.services.acknowledgments import acknowledgment_import, claim_resubmit_after_rejection
from claims.services.batches import (
    batch_build,
    batch_build_all,
    batch_build_request,
    batch_pull_back,
    batch_release,
    submitter_receiver,
)
from claims.services.build import (
    BuildResult,
    claim_number_format,
    claims_build_from_charges,
    revenue_code_for,
)
from claims.services.common import (
    MAX_CLAIMS_PER_BATCH,
    SCRUBBABLE,
    BatchStateError,
    ClaimStateError,
    control_numbers_take,
)
from claims.services.corrections import (
    ReopeningRequiredError,
    claim_correction_options,
    claim_replace,
    claim_void,
    claim_void_at_payer,
)
from claims.services.edit import (
    ClaimEditConflictError,
    ClaimEditUnchangedError,
    claim_edit,
    claim_version,
)
from claims.services.ready_to_bill import (
    claim_build_request,
    claim_build_run_execute,
    claims_build_ready,
)
from claims.services.rules import payer_rule_save, payer_rule_try, payer_rule_validate
from claims.services.scrub import (
    ScrubOutcome,
    claim_scrub,
    claim_scrub_request,
    claims_scrub_many,
    scrub_preload,
)
from claims.services.transitions import claim_transition

__all__ = [
    "MAX_CLAIMS_PER_BATCH",
    "SCRUBBABLE",
    "BatchStateError",
    "BuildResult",
    "ClaimEditConflictError",
    "ClaimEditUnchangedError",
    "ClaimStateError",
    "ReopeningRequiredError",
    "ScrubOutcome",
    "acknowledgment_import",
    "batch_build",
    "batch_build_all",
    "batch_build_request",
    "batch_pull_back",
    "batch_release",
    "claim_build_request",
    "claim_build_run_execute",
    "claim_correction_options",
    "claim_edit",
    "claim_number_format",
    "claim_replace",
    "claim_resubmit_after_rejection",
    "claim_scrub",
    "claim_scrub_request",
    "claim_transition",
    "claim_version",
    "claim_void",
    "claim_void_at_payer",
    "claims_build_from_charges",
    "claims_build_ready",
    "claims_scrub_many",
    "control_numbers_take",
    "payer_rule_save",
    "payer_rule_try",
    "payer_rule_validate",
    "revenue_code_for",
    "scrub_preload",
    "submitter_receiver",
]
