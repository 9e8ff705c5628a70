"""Settings modules; DJANGO_ENV picks one (an unknown value reaches base.py, which refuses it)."""

import os

KNOWN_ENVS = ("local", "test", "production")


def default_module() -> str:
    env = os.environ.get("DJANGO_ENV", "local")
    return f"infusion_rcm.settings.{env}" if env in KNOWN_ENVS else "infusion_rcm.settings.base"
