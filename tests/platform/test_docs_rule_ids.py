"""Every billing rule id the code cites is documented in docs/billing-rules/.

A rule id in a reason, a warning or an edit source is only useful if a biller can look it up, so
an id that the code uses and the docs do not explain fails here, listing the missing ids.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "billing-rules"
APP_PACKAGES = ("coding", "claims", "intake", "payments", "denials", "reports", "infusion_rcm")
RULE_ID = re.compile(r"\b(ADM|DRG|HIT|SOC|TF|NDC|ELIG|PA|PATIENT|DEN|CARC|COB|PD|X12)-[A-Z]*[0-9]+\b")
# PATIENT-LED/PAY/STM: patient ledger, payments and statements (patient-statements.md); COB:
# secondary claims (secondary-claims.md); DEN: denials and appeals (denial-codes.md). Reports cite
# HFMA MAP Keys (AR-1, PAS-1) as sources of their definitions, not rule ids of ours.
# Ids of the reference that carry no number (SOC-POS, SOC-AIS); other prefixes without a digit
# are payer rule names chosen by admins (e.g. PA-BIOLOGICS), not rule ids.
UNNUMBERED_RULE_ID = re.compile(r"\bSOC-[A-Z]+\b")
EDIT_CODE = re.compile(r'_edit\(\s*"([A-Z0-9_]+)"')
FIXTURE = ROOT / "tests" / "fixtures" / "coding" / "encounters.json"


def _code_files() -> list[Path]:
    files = [p for pkg in APP_PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    assert files, "no application code found"
    return files


def _ids_in_code() -> set[str]:
    ids: set[str] = set()
    for path in _code_files():
        text = path.read_text(encoding="utf-8")
        ids.update(m.group(0) for m in RULE_ID.finditer(text))
        ids.update(m.group(0) for m in UNNUMBERED_RULE_ID.finditer(text))
    return ids


def _docs_text() -> str:
    pages = sorted(DOCS.glob("*.md"))
    assert pages, f"{DOCS} has no pages"
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def _documented(identifier: str, docs: str) -> bool:
    return re.search(rf"(?<![A-Z0-9_-]){re.escape(identifier)}(?![A-Z0-9_])", docs) is not None


def test_every_rule_id_in_code_is_documented():
    ids = _ids_in_code()
    assert len(ids) > 40, f"only {len(ids)} rule ids found: is the regex still right?"
    docs = _docs_text()
    missing = sorted(i for i in ids if not _documented(i, docs))
    assert not missing, f"rule ids used in code but not in docs/billing-rules/: {', '.join(missing)}"


def test_every_rule_id_of_the_worked_examples_is_documented():
    examples = json.loads(FIXTURE.read_text(encoding="utf-8"))
    ids = {rule for example in examples for rule in example.get("rules", [])}
    docs = _docs_text()
    missing = sorted(i for i in ids if not _documented(i, docs))
    assert not missing, f"rule ids of {FIXTURE.name} not in docs/billing-rules/: {', '.join(missing)}"


def test_every_scrubber_edit_code_is_documented():
    text = (ROOT / "claims" / "domain" / "scrubber.py").read_text(encoding="utf-8")
    codes = set(EDIT_CODE.findall(text))
    assert len(codes) > 20, f"only {len(codes)} edit codes found: is the pattern still right?"
    docs = (DOCS / "scrubber-edits.md").read_text(encoding="utf-8")
    missing = sorted(c for c in codes if f"`{c}`" not in docs)
    assert not missing, (
        f"scrubber edit codes not in docs/billing-rules/scrubber-edits.md: {', '.join(missing)}"
    )
