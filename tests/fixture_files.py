"""The one way a test reads a file from `tests/fixtures/`: a missing fixture fails, never skips.

Every fixture is in the repository (origins and licences in `tests/fixtures/x12/MANIFEST.md`
and `tests/fixtures/README.md`), so a missing file means a broken checkout, which must be loud.
"""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
X12 = FIXTURES / "x12"
ENCOUNTERS = FIXTURES / "coding" / "encounters.json"


class MissingFixtureError(AssertionError):
    """A fixture the suite needs is not in the checkout."""


def fixture_path(*parts: str) -> Path:
    """Path of one fixture file under tests/fixtures/, or MissingFixtureError."""
    path = FIXTURES.joinpath(*parts)
    if not path.is_file():
        raise MissingFixtureError(f"fixture missing from the repository: {path.relative_to(FIXTURES.parent)}")
    return path


def x12_path(kind: str, name: str) -> Path:
    """Path of one public X12 sample, e.g. x12_path("271", "nodex12__271.edi")."""
    return fixture_path("x12", kind, name)


def read_x12(kind: str, name: str) -> str:
    return x12_path(kind, name).read_text(encoding="utf-8")


def x12_samples(kind: str) -> list[Path]:
    """Every sample of one transaction type, sorted; an empty or missing folder fails."""
    folder = X12 / kind
    samples = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if not samples:
        raise MissingFixtureError(f"no X12 samples in tests/fixtures/x12/{kind}")
    return samples
