"""Denials writes, by use case: creation from posting (creation), the work on a denial (work),
and its actions through the owning apps' services (actions)."""

from denials.services.actions import (
    denial_bill_patient,
    denial_correct,
    denial_new_claim,
    denial_void,
    denial_write_off,
    write_off_approval_amount,
    write_off_approve,
    write_off_refuse,
)
from denials.services.appeals import (
    appeal_decide,
    appeal_letter_html,
    appeal_letter_pdf,
    appeal_next_level,
    appeal_send,
    appeal_start,
    appeals_record_recovery,
)
from denials.services.creation import (
    denials_from_claim_payments,
    denials_reprioritize,
    denials_resolve_recovered,
)
from denials.services.work import (
    DenialStateError,
    denial_assign,
    denial_mark_recovered,
    denial_move,
    denial_note,
    denials_assign_many,
    saved_view_delete,
    saved_view_save,
)

__all__ = [
    "DenialStateError",
    "appeal_decide",
    "appeal_letter_html",
    "appeal_letter_pdf",
    "appeal_next_level",
    "appeal_send",
    "appeal_start",
    "appeals_record_recovery",
    "denial_assign",
    "denial_bill_patient",
    "denial_correct",
    "denial_mark_recovered",
    "denial_move",
    "denial_new_claim",
    "denial_note",
    "denial_void",
    "denial_write_off",
    "denials_assign_many",
    "denials_from_claim_payments",
    "denials_reprioritize",
    "denials_resolve_recovered",
    "saved_view_delete",
    "saved_view_save",
    "write_off_approval_amount",
    "write_off_approve",
    "write_off_refuse",
]
