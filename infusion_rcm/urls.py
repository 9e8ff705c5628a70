"""Root URLs: HTML apps at /, the API at /api/v1/, schema and docs behind login."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from infusion_rcm.common.api_docs import protected
from infusion_rcm.platform import views as platform_views

admin.site.site_header = "Infusion RCM administration"
admin.site.site_title = "Infusion RCM"

api_v1 = [
    path("intake/", include("intake.api.urls")),
    path("coding/", include("coding.api.urls")),
    path("claims/", include("claims.api.urls")),
    path("payments/", include("payments.api.urls")),
    path("denials/", include("denials.api.urls")),
    path("reports/", include("reports.api.urls")),
]

urlpatterns = [
    path("", platform_views.home, name="home"),
    path("healthz", platform_views.healthz, name="healthz"),
    path("accounts/", include("infusion_rcm.accounts.urls")),
    path("audit/", include("infusion_rcm.audit.urls")),
    path("platform/", include("infusion_rcm.platform.urls")),
    path("intake/", include("intake.urls")),
    path("coding/", include("coding.urls")),
    path("claims/", include("claims.urls")),
    path("payments/", include("payments.urls")),
    path("denials/", include("denials.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", protected(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", protected(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]

handler400 = "infusion_rcm.platform.views.error_400"
handler403 = "infusion_rcm.platform.views.error_403"
handler404 = "infusion_rcm.platform.views.error_404"
handler500 = "infusion_rcm.platform.views.error_500"
