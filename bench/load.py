"""Load bench: 20 concurrent users (nurses, billers, managers) on gunicorn + PostgreSQL + a Celery
worker, all on 127.0.0.1, driven by locust (as a library, headless).

Run from the repo root: .venv/bin/python bench/load.py [--minutes 10] [--users 20]
Prints:
    BENCH load.p95_ms <n> ms        95th percentile response time over every request
    BENCH load.errors <n> errors    failed requests (non-2xx/3xx, timeouts); goal 0
    BENCH load.requests <n> requests
    BENCH load.<page>.p95_ms per page (stderr has locust's table)
Uses its own database (BENCH_LOAD_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/infusion_rcm_bench_load; never DATABASE_URL), migrated and
seeded with the demo on first use, its own Redis database (BENCH_LOAD_REDIS_URL, default
redis://127.0.0.1:6379/10) and port (BENCH_LOAD_PORT, default 8110). Users sign in through the
sign-in page like people do, then open their role's main pages with 1-3 s between clicks.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infusion_rcm_bench_load")
REDIS = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/10")
PORT = int(os.environ.get("BENCH_LOAD_PORT", "8110"))
ENV = {**os.environ, "DJANGO_ENV": "local", "DEMO_MODE": "true", "DATABASE_URL": DB, "REDIS_URL": REDIS,
       "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.local", "USE_HTTPS": "false"}  # fmt: skip
PY = str(ROOT / ".venv" / "bin" / "python")

PAGES = {
    "nurse": ["/", "/intake/patients/", "/coding/visits/"],
    "biller": [
        "/",
        "/claims/",
        "/claims/ready-to-bill/",
        "/claims/batches/",
        "/payments/remittances/",
        "/denials/",
    ],
    "manager": ["/", "/claims/", "/reports/", "/denials/"],
}
USERS = {"nurse": "nina", "biller": "bill", "manager": "mara"}


def _manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def _prepare() -> None:
    _manage("ensure_database")
    _manage("migrate", "--no-input")
    _manage("load_reference_data")
    _manage("seed_demo")  # idempotent: keeps what an earlier run made


def _wait_up(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--no-setup", action="store_true", help="skip migrate and seed_demo")
    args = parser.parse_args()
    if not args.no_setup:
        _prepare()
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    import django

    django.setup()
    from infusion_rcm.platform.demo import demo_password

    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "infusion_rcm.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2",
         "--threads", "4", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "infusion_rcm", "worker", "-Q", "default,scrub,batch,eligibility,era",
         "--pool", "solo", "-l", "warning"],
        cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        host = f"http://127.0.0.1:{PORT}"
        _wait_up(host + "/healthz")
        stats = _run(host, args.users, args.minutes, demo_password)
    finally:
        for p in (server, worker):
            p.terminate()
        for p in (server, worker):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    total = stats.total
    print(f"BENCH load.p95_ms {total.get_response_time_percentile(0.95):.0f} ms")
    print(f"BENCH load.errors {total.num_failures} errors")
    print(f"BENCH load.requests {total.num_requests} requests")
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        name = re.sub(r"[^a-z0-9]+", "_", entry.name.strip("/").lower()) or "home"
        print(f"BENCH load.{name}.p95_ms {entry.get_response_time_percentile(0.95):.0f} ms")


def _run(host: str, users: int, minutes: float, demo_password):
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment
    from locust.stats import stats_printer

    def make(role: str, weight: int):
        username = USERS[role]

        class RoleUser(HttpUser):
            wait_time = between(1, 3)

            def on_start(self) -> None:
                self.client.get("/accounts/login/", name="sign-in page")
                token = self.client.cookies.get("csrftoken", "")
                self.client.post(
                    "/accounts/login/",
                    {"username": username, "password": demo_password(username), "csrfmiddlewaretoken": token},
                    headers={"Referer": host + "/accounts/login/"},
                    name="sign in",
                )

            @task
            def browse(self) -> None:
                for page in PAGES[role]:
                    with self.client.get(page, name=page, catch_response=True) as response:
                        if response.status_code != 200 or "/accounts/login/" in response.url:
                            response.failure(f"{response.status_code} {response.url}")

        RoleUser.__name__ = f"{role.title()}User"
        RoleUser.weight = weight
        return RoleUser

    classes = [make("nurse", 3), make("biller", 5), make("manager", 2)]
    env = Environment(user_classes=classes, host=host)
    runner = env.create_local_runner()
    printer = gevent.spawn(stats_printer(env.stats))
    runner.start(users, spawn_rate=max(1, users / 10))
    gevent.spawn_later(minutes * 60, runner.quit)
    runner.greenlet.join()
    printer.kill()
    return env.stats


if __name__ == "__main__":
    main()
