"""Developer / demo machine: the embedded defaults of base.py."""

from infusion_rcm.settings.base import *  # noqa: F403
