"""Domain error hierarchy: stable codes the API and UI map to clear messages.

Pure module: no Django imports. Raise these for impossible input or broken business
preconditions; rules engines return findings as data instead.
"""

from __future__ import annotations

from typing import Any


class DomainError(ValueError):
    """A business rule refused the operation. `code` is stable; `message` is for a biller."""

    code = "domain.error"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class InvalidInputError(DomainError):
    """Input that cannot be processed (malformed file, impossible value)."""

    code = "input.invalid"


class IllegalTransitionError(DomainError):
    """A state machine was asked for a move its table does not allow."""

    code = "state.illegal_transition"
