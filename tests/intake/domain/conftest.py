"""Shared helpers for the pure intake domain tests: the shared X12 samples sit beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_X12 = Path(__file__).resolve().parents[3].parent / "shared" / "x12"


def shared_x12(kind: str, name: str) -> Path:
    """Path of one shared sample, e.g. shared_x12("271", "nodex12__271.edi")."""
    return SHARED_X12 / kind / name


def read_x12(kind: str, name: str) -> str:
    path = shared_x12(kind, name)
    if not path.exists():
        pytest.skip(f"shared X12 sample missing: {path}")
    return path.read_text(encoding="utf-8")
