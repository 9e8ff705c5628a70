"""Template context: the navigation entries this user's role may see."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from infusion_rcm.accounts.navigation import NAVIGATION
from infusion_rcm.accounts.roles import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items = []
    for item in NAVIGATION:
        if not item.visible_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # page of an app not built yet
        items.append({"label": item.label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items, "user_roles": user_roles(user)}
