"""`make test` type-checks: a domain module that stops type-checking fails it.

mypy runs in-process (mypy.api) with the project's pyproject.toml on throwaway modules named like
app code, so the per-package settings apply to them exactly as to the real modules. Its cache is
kept under .mypy_cache/ (apart from the main one), so after the first run this takes seconds.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import yaml
from mypy import api

ROOT = Path(__file__).resolve().parents[2]

UNTYPED = "def total(lines):\n    return sum(lines)\n"
WRONG = 'def total(lines: list[int]) -> int:\n    return "none"\n'


def _write(base: Path, module: str, source: str) -> Path:
    """Write `module` (dotted) under `base`, with the package __init__ files mypy needs to name it."""
    parts = module.split(".")
    folder = base.joinpath(*parts[:-1])
    folder.mkdir(parents=True, exist_ok=True)
    for depth in range(1, len(parts)):
        base.joinpath(*parts[:depth], "__init__.py").touch()
    path = folder / f"{parts[-1]}.py"
    # A fresh line each run: mypy replays a cached module's errors under the path it was first
    # checked at, and the temp directory changes from run to run.
    path.write_text(f"# run {uuid.uuid4().hex}\n{source}")
    return path


def test_mypy_fails_a_domain_module_that_stops_type_checking(tmp_path):
    files = {
        "denials.domain.untyped_probe": _write(tmp_path, "denials.domain.untyped_probe", UNTYPED),
        "denials.domain.wrong_probe": _write(tmp_path, "denials.domain.wrong_probe", WRONG),
        "denials.untyped_probe": _write(tmp_path, "denials.untyped_probe", UNTYPED),
    }
    out, err, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "tooling-probe"),
            "--no-error-summary",
            *(str(p) for p in files.values()),
        ]
    )
    assert status == 1, out + err
    errors = [line for line in out.splitlines() if ": error: " in line]

    def errors_in(module: str) -> list[str]:
        return [line for line in errors if line.startswith(str(files[module]))]

    # Strict in domain/: an unannotated function is an error there ...
    assert any("[no-untyped-def]" in e for e in errors_in("denials.domain.untyped_probe")), out
    # ... and a plain type error is one everywhere.
    assert any("[return-value]" in e for e in errors_in("denials.domain.wrong_probe")), out
    # Outside domain/ the same unannotated code passes (check_untyped_defs, not strict).
    assert errors_in("denials.untyped_probe") == [], out
    assert len(errors) == len(errors_in("denials.domain.untyped_probe")) + 1, out


def test_make_test_runs_mypy_after_ruff_and_before_pytest():
    script = (ROOT / "scripts" / "test.sh").read_text()
    steps = [m.group(1) for m in re.finditer(r'^echo "== (\w+)', script, flags=re.M)]
    assert steps.index("ruff") < steps.index("mypy") < steps.index("pytest"), steps
    assert re.search(r"^\.venv/bin/mypy$", script, flags=re.M)
    assert "--cov" in script  # the whole suite runs under coverage, with the pyproject floor


def test_pre_commit_hooks_are_pinned_and_run_the_make_test_checks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    remote = [repo for repo in config["repos"] if repo["repo"] != "local"]
    assert remote and all(re.fullmatch(r"v\d+\.\d+\.\d+", repo["rev"]) for repo in remote)
    ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy", "django-check", "makemigrations-check"} <= ids
    ruff_pin = re.search(r"^ruff==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), flags=re.M)
    ruff_rev = next(repo["rev"] for repo in remote if repo["repo"].endswith("/ruff-pre-commit"))
    assert ruff_pin and ruff_rev == f"v{ruff_pin.group(1)}"
