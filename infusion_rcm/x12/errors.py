"""The one error type of the X12 layer: what is wrong, and at which segment of the file."""

from __future__ import annotations

from infusion_rcm.common.errors import InvalidInputError


class X12Error(InvalidInputError):
    """A file that cannot be read as the transaction it claims to be.

    `position` counts segments from 1 (the ISA); `segment_id` is that segment's tag. Both are in
    the message so that a biller can hand it to the clearinghouse or open the file at the spot.
    """

    code = "x12.malformed"

    def __init__(
        self,
        message: str,
        *,
        position: int | None = None,
        segment_id: str | None = None,
        code: str | None = None,
    ) -> None:
        where = ""
        if position is not None:
            where = f"segment {position}" + (f" ({segment_id})" if segment_id else "") + ": "
        super().__init__(
            where + message, code=code, extra={"position": position, "segment": segment_id or None}
        )
        self.position = position
        self.segment_id = segment_id
