"""A real Celery worker process for the benches that measure work through the queues.

It runs in its own process group, so stopping it also stops its pool children, and logs to a
temporary file whose tail is shown when it dies or does not answer.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class BenchWorker:
    """`celery worker -Q <queues>` with the bench's environment (its own database and Redis)."""

    def __init__(self, *, name: str, queues: str, pool: list[str], env: dict[str, str]) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "infusion_rcm.celery",
                "worker",
                "-Q",
                queues,
                *pool,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-{name}-{os.getpid()}@%h",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def check(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the worker exited ({self.process.returncode}):\n{self.tail()}")

    def wait_ready(self, timeout: float = 120) -> None:
        from infusion_rcm.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            if app.control.ping(timeout=1.0):
                return
        raise RuntimeError(f"the worker did not answer a ping in {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
