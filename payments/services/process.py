"""The whole path of a received file: read it, then post it (a worker, the command, an upload)."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from payments.domain.posting import FileStatus
from payments.models import RemittanceFile
from payments.services.posting import PostResult, file_summary, remittance_file_post
from payments.services.receive import (
    refuse,
    remittance_file_parse,
    remittance_file_parse_rows,
    remittance_file_receive,
)


def remittance_file_process(*, file: RemittanceFile, actor, post: bool = True) -> PostResult:
    """Read the file if it is only received, then post it if asked and it is parsed. Each step is
    idempotent and takes the file's row lock, so any number of workers may run this at once."""
    stored = None
    if file.status == FileStatus.RECEIVED:
        file, stored = remittance_file_parse_rows(file=file)
    if post and file.status == FileStatus.PARSED:
        return remittance_file_post(file=file, actor=actor, stored=stored)
    return file_summary(file, already=file.status == FileStatus.POSTED)


def remittance_file_upload(
    *, text: str, file_name: str, actor, post: bool = True
) -> tuple[RemittanceFile, bool]:
    """An upload: keep it, read it now (so a refusal is answered at once; the refused file stays
    in the inbox with its error), and queue the posting on the `era` queue after commit.
    Returns (file, created); raises RemittanceRefusedError for a refused file."""
    file, created = remittance_file_receive(text=text, file_name=file_name, actor=actor)
    file = remittance_file_parse(file=file)
    refuse(file)
    if post and file.status == FileStatus.PARSED:
        from payments.tasks import remittance_file_process_task

        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        transaction.on_commit(partial(remittance_file_process_task.delay, file.pk, actor_id))
    return file, created
