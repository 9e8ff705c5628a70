"""What is fuzzed: every X12 reader and every file/JSON import, each with its own error type.

Each target reads text (or a JSON value) and must either return or raise InvalidInputError (the
base of X12Error, FeeScheduleFileError, EncounterError): the message a biller is shown. Any other
exception is a crash. Inputs are seeded with the public sample files of tests/fixtures and then
mutated (segments dropped, duplicated, swapped; elements replaced; delimiters broken), beside
wholly random text, so most inputs get past the envelope and into each reader's body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from infusion_rcm.common.errors import InvalidInputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class Target:
    name: str
    read: Callable[[Any], object]
    inputs: st.SearchStrategy[Any]


def _samples(kind: str) -> list[str]:
    return [
        p.read_text(encoding="utf-8", errors="replace") for p in sorted((FIXTURES / "x12" / kind).iterdir())
    ]


_ELEMENT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "0", "-1", "1e999", "NaN", "99999999999999", "20261301", "*", "~", ":", "^", "\x00"]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)


@st.composite
def mutated_x12(draw, samples: list[str]) -> str:
    text = draw(st.sampled_from(samples))
    if len(text) < 106:
        return text
    element, terminator = text[3], text[105]
    segments = text.split(terminator)
    for _ in range(draw(st.integers(1, 4))):
        if not segments:
            break
        i = draw(st.integers(0, len(segments) - 1))
        op = draw(st.sampled_from(["drop", "dup", "swap", "element", "truncate", "junk"]))
        if op == "drop":
            del segments[i]
        elif op == "dup":
            segments.insert(i, segments[i])
        elif op == "swap":
            j = draw(st.integers(0, len(segments) - 1))
            segments[i], segments[j] = segments[j], segments[i]
        elif op == "element":
            parts = segments[i].split(element)
            k = draw(st.integers(0, len(parts) - 1))
            parts[k] = draw(_ELEMENT)
            segments[i] = element.join(parts)
        elif op == "truncate":
            segments[i] = segments[i][: draw(st.integers(0, len(segments[i])))]
        else:
            segments.insert(i, draw(st.text(max_size=40)))
    return terminator.join(segments)


def x12_inputs(*kinds: str) -> st.SearchStrategy[str]:
    samples = [s for kind in kinds for s in _samples(kind)]
    return st.one_of(
        mutated_x12(samples),
        st.text(max_size=300),
        st.text(alphabet="ISAGSTEB*~:^|0123456789 \n", max_size=400),
    )


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)
        ),
        max_leaves=20,
    )


@st.composite
def mutated_encounter(draw) -> Any:
    examples = json.loads((FIXTURES / "coding" / "encounters.json").read_text())
    enc = json.loads(json.dumps(draw(st.sampled_from(examples))))
    for _ in range(draw(st.integers(1, 3))):
        node: Any = enc
        path = []
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            path.append((node, key))
            node = node[key]
        if not path:
            continue
        parent, key = path[-1]
        if draw(st.booleans()):
            parent[key] = draw(_json_values())
        elif isinstance(parent, dict):
            del parent[key]
    return enc


@st.composite
def mutated_csv(draw, header: list[str]) -> str:
    columns = list(header)
    if draw(st.integers(0, 9)) == 0:
        columns = draw(st.permutations(columns))[: draw(st.integers(0, len(columns)))]
    rows = [",".join(columns)]
    cell = st.one_of(
        st.sampled_from(
            [
                "J9263",
                "96413",
                "JW",
                "",
                "12.50",
                "-1",
                "0.001",
                "1e5",
                "x",
                '"',
                "percent_of_medicare",
                "flat",
                "asp_plus",
            ]
        ),
        st.text(max_size=10),
    )
    for _ in range(draw(st.integers(0, 5))):
        rows.append(",".join(draw(cell) for _ in range(draw(st.integers(0, len(columns) + 1)))))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(rows)


def targets() -> list[Target]:
    from claims.domain.ack_277ca import parse_277ca
    from claims.domain.ack_999 import parse_999
    from coding.domain.parse import parse_encounters
    from infusion_rcm.x12.reader import Expect, read_interchange
    from intake.domain.eligibility_271 import parse_271
    from payments.domain import fee_schedule_csv as fees
    from payments.domain.contracts import ScheduleKind
    from payments.domain.x12_835 import parse_835

    any_x12 = Expect(
        what="X12 file", set_id="835", functional_ids=frozenset({"HP"}), versions=frozenset({"005010X221A1"})
    )
    return [
        Target(
            "x12.envelope",
            lambda t: read_interchange(t, any_x12),
            x12_inputs("835", "271", "999", "277CA", "837P"),
        ),
        Target("x12.271", parse_271, x12_inputs("271")),
        Target("x12.835", parse_835, x12_inputs("835")),
        Target("x12.999", parse_999, x12_inputs("999")),
        Target("x12.277ca", parse_277ca, x12_inputs("277CA")),
        Target(
            "csv.fee_schedule",
            lambda t: fees.parse_fee_schedule(t, kind=ScheduleKind.CONTRACT),
            st.one_of(mutated_csv(list(fees.CONTRACT_COLUMNS)), st.text(max_size=200)),
        ),
        Target(
            "csv.reference_schedule",
            lambda t: fees.parse_fee_schedule(t, kind=ScheduleKind.ASP),
            st.one_of(mutated_csv(list(fees.REFERENCE_COLUMNS)), st.text(max_size=200)),
        ),
        Target(
            "json.encounter",
            parse_encounters,
            st.one_of(st.lists(mutated_encounter(), min_size=1, max_size=2), _json_values()),
        ),
    ]


def read_or_refuse(target: Target, value: Any) -> BaseException | None:
    """None when the target read the value or refused it with its error type; else the crash."""
    try:
        target.read(value)
    except InvalidInputError:
        return None
    except Exception as exc:
        return exc
    return None
