"""Production: base.py already hardens on DJANGO_ENV=production; nothing lives only here."""

from infusion_rcm.settings.base import *  # noqa: F403
