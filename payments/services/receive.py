"""Receiving a remittance: store the text once (by checksum), read it whole, store what it says.

`remittance_file_receive` keeps the upload as a RemittanceFile (received); `remittance_file_parse`
reads it with the pure 835 reader and, in one transaction, stores every Remittance, ClaimPayment,
LinePayment, Adjustment, RemarkCode and ProviderAdjustment with their matches (status parsed), or
records why the file is refused (status failed) and stores nothing else. Nothing here posts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.x12.errors import X12Error
from payments.domain.posting import FileSource, FileStatus
from payments.domain.remittance import EraFile, Remittance
from payments.domain.x12_835 import parse_835
from payments.models import ClaimPayment, RemittanceFile
from payments.services.common import RemittanceRefusedError, user_or_none, without_cyclic_gc
from payments.services.posting import _Row
from payments.services.store import store_remittances


def checksum_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def remittance_file_receive(
    *, text: str, file_name: str, actor, source: FileSource = FileSource.EDI
) -> tuple[RemittanceFile, bool]:
    """Keep the text as a received RemittanceFile; (file, created). The same text again returns
    the row it made the first time (whatever its status), so a re-sent file changes nothing."""
    checksum = checksum_of(text)
    existing = RemittanceFile.objects.filter(checksum=checksum).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = RemittanceFile.objects.create(
                checksum=checksum,
                content=text,
                file_name=file_name[:200],
                source=source,
                received_by=user_or_none(actor),
            )
    except IntegrityError:  # the same file arrived on another connection in the meantime
        return RemittanceFile.objects.get(checksum=checksum), False
    return row, True


def remittance_file_parse(*, file: RemittanceFile) -> RemittanceFile:
    """Read a received 835 and store what it says (status parsed), or refuse it (failed).

    Takes the file's row lock, so a second worker on the same file waits and then finds it
    parsed. Idempotent: a file past `received` is returned as it is. A refused file keeps only
    its error (message, code, segment position): no claim payment, no posting.
    """
    return remittance_file_parse_rows(file=file)[0]


def remittance_file_parse_rows(*, file: RemittanceFile) -> tuple[RemittanceFile, list[_Row] | None]:
    """`remittance_file_parse`, also giving the pending claim payments it stored as posting reads
    them (None when it stored nothing), for a caller that posts next in the same process."""
    with without_cyclic_gc(), transaction.atomic():
        locked = RemittanceFile.objects.select_for_update().get(pk=file.pk)
        if locked.status != FileStatus.RECEIVED:
            return locked, None
        try:
            era = parse_835(locked.content)
        except X12Error as exc:
            _fail(locked, exc)
            return locked, None
        _describe(locked, era)
        pending = _store(locked, era.remittances)
        return locked, pending


def remittance_file_store_read(*, file: RemittanceFile, remittances: Sequence[Remittance]) -> RemittanceFile:
    """Store remittances already read and balanced (a paper EOB) on a received file."""
    with transaction.atomic():
        locked = RemittanceFile.objects.select_for_update().get(pk=file.pk)
        if locked.status != FileStatus.RECEIVED:
            return locked
        _store(locked, remittances)
        return locked


def _fail(file: RemittanceFile, exc: X12Error) -> None:
    file.status = FileStatus.FAILED
    file.error = {"message": exc.message, "code": exc.code, **exc.extra}
    file.save(update_fields=["status", "error", "updated_at"])


def _describe(file: RemittanceFile, era: EraFile) -> None:
    file.interchange_control = era.interchange_control
    file.sender_id = era.sender_id.strip()[:15]
    file.receiver_id = era.receiver_id.strip()[:15]
    file.usage = era.usage
    file.warnings = list(era.warnings)


def _store(file: RemittanceFile, remittances: Sequence[Remittance]) -> list[_Row]:
    # The partial unique key on ClaimPayment can collide with another file being stored at the
    # same moment (the same claim payment sent twice): then the other committed first, and a
    # second pass over our rows marks that claim payment a duplicate.
    for attempt in range(2):
        try:
            with transaction.atomic():
                totals = store_remittances(file, remittances)
            break
        except IntegrityError:
            if attempt:
                raise
    file.remittance_count = totals.remittances
    file.claim_count = totals.claims
    file.total_paid = totals.paid
    file.total_claims_paid = totals.claims_paid
    file.provider_adjustment_total = totals.provider_adjustments
    file.status = FileStatus.PARSED
    file.error = {}
    # every column but the text itself (megabytes, unchanged: rewriting it cost more than the rest)
    file.save(
        update_fields=[
            f.name for f in RemittanceFile._meta.concrete_fields if f.name not in ("id", "content")
        ]
    )
    ids = ClaimPayment.objects.filter(remittance__file=file).values_list("pk", flat=True)
    audit_events_bulk(action=AuditEntry.Action.CREATE, model=ClaimPayment, ids=ids)
    return totals.pending


def refuse(file: RemittanceFile) -> None:
    """Raise the refusal of a failed file, for callers that answer with an error."""
    if file.status == FileStatus.FAILED:
        raise RemittanceRefusedError(
            f"{file.file_name or 'The file'} was refused: {file.error.get('message', 'unreadable')}",
            extra={"file": str(file.public_id), **file.error},
        )
