"""Home, health and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache

from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.platform.health import broker_status, database_status


@never_cache
def healthz(request):
    """No login: load balancers and compose health checks call it. 503 when the DB is down."""
    database = database_status()
    broker = broker_status()
    healthy = database == "ok" and broker != "down"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
        status=200 if database == "ok" else 503,
    )


@login_required
def home(request):
    """Each role lands on its first page in the navigation."""
    from infusion_rcm.accounts.context import navigation

    items = navigation(request)["nav_items"]
    if items:
        return redirect(items[0]["url"])
    return render(request, "platform/home.html")


@requires(Capability.DASHBOARD_VIEW)
def dashboard(request):
    links = []
    for label, name in (("Claims", "claims:claim_list"), ("Batches", "claims:batch_list")):
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return render(request, "platform/dashboard.html", {"links": links})


def error_400(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "request.malformed", "message": "The request could not be read.", "extra": {}},
            status=400,
        )
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
