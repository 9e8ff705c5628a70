"""Check an X12 file against the 5010 implementation guides with pyx12 (a plain library).

The batch service calls `validate_with_pyx12` before it releases an 837 file, and every test that
generates an 837 calls it too (x12/README.md: every generated file is validated with pyx12).
pyx12 picks its map from GS08, so the envelope must say 005010X222A1 / 005010X223A2.

pyx12 is slow: about 290 claims/s (0.19 MB/s) on a 2-core machine for our infusion claims
(~4 lines each, 500-claim batch). Fine for a batch before release, not for a hot path.
pyx12 also logs each error at ERROR level on the "pyx12" logger; this wrapper returns them as data.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.x12n_document


def _collect(node: dict[str, Any], where: str, out: list[str]) -> None:
    for err in node.get("errors", []):
        out.append(f"{where}: [{err.get('err_cde')}] {err.get('err_str')}")


def validate_with_pyx12(text: str) -> list[str]:
    """Validate `text` with pyx12; return every error it reports (empty list = clean).

    Each message names the line (segment number in the file), the segment and, for element
    errors, the element position, e.g. ``line 23 HI (Health Care Diagnosis Code) HI01-2: [1] ...``.
    A file pyx12 cannot read at all (no ISA, unknown GS08 map) yields one error describing why.
    """
    if text.startswith("\ufeff"):
        return ["file starts with a byte-order mark; pyx12 and most payers refuse it"]
    params = pyx12.params.params()
    json_out = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(params, io.StringIO(text), None, None, None, json_out)
    except pyx12.errors.EngineError as exc:
        return [f"pyx12 engine error: {exc}"]
    except pyx12.errors.X12Error as exc:  # pragma: no cover - pyx12 catches these itself today
        return [f"not an X12 file: {exc}"]

    raw = json_out.getvalue()
    if not raw:
        return ["pyx12 could not read the file as X12 (no ISA header?)"]
    report = json.loads(raw)
    errors: list[str] = []
    for isa in report.get("interchanges", []):
        _collect(isa, f"ISA {isa.get('isa_trn_set_id')}", errors)
        for gs in isa.get("groups", []):
            _collect(gs, f"GS {gs.get('gs_control_num')}", errors)
            for st in gs.get("transactions", []):
                _collect(st, f"ST {st.get('trn_set_control_num')}", errors)
                for seg in st.get("segments", []):
                    where = f"line {seg.get('cur_line')} {seg.get('seg_id')} ({seg.get('name')})"
                    _collect(seg, where, errors)
                    for ele in seg.get("elements", []):
                        pos = f"{seg.get('seg_id')}{int(ele.get('ele_pos') or 0):02d}"
                        if ele.get("subele_pos"):
                            pos += f"-{ele['subele_pos']}"
                        _collect(ele, f"{where} {pos}", errors)
    if not ok and not errors:
        errors.append("pyx12 reported the file invalid without detail (see the pyx12 log)")
    return errors
