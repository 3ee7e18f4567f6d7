from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("registry.urls")),
    path("", include("agencies.urls")),
    path("", include("scoring.urls")),
    path("", include("reports.dashboard_urls")),
    path("", include("reports.compliance_urls")),
    path("", include("reports.handoff_urls")),
    path("", include("reports.showcase_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
