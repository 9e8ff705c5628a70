"""The OpenAPI schema and docs are for signed-in users with a role, not the public."""

from __future__ import annotations

from infusion_rcm.accounts.decorators import View, requires
from infusion_rcm.accounts.roles import Capability


def protected(view: View) -> View:
    return requires(Capability.API_DOCS_VIEW)(view)
