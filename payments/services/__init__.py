"""Payments writes, by use case: receive and read a remittance (`receive`, `store`), post it
(`posting`), paper EOBs (`manual`), a biller's matching by hand (`work`), the whole path for an
upload or a worker (`process`)."""

from payments.services.common import RemittanceRefusedError, RemittanceStateError
from payments.services.manual import manual_eob_enter
from payments.services.posting import (
    PostResult,
    claim_payment_approve,
    file_summary,
    remittance_file_post,
    remittance_file_preview,
)
from payments.services.process import remittance_file_process, remittance_file_upload
from payments.services.receive import remittance_file_parse, remittance_file_receive
from payments.services.work import claim_payment_match

__all__ = [
    "PostResult",
    "RemittanceRefusedError",
    "RemittanceStateError",
    "claim_payment_approve",
    "claim_payment_match",
    "file_summary",
    "manual_eob_enter",
    "remittance_file_parse",
    "remittance_file_post",
    "remittance_file_preview",
    "remittance_file_process",
    "remittance_file_receive",
    "remittance_file_upload",
]
