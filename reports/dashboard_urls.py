"""URLs of the dashboard pages."""

from django.urls import path

from reports import dashboard_views

urlpatterns = [
    path("laporan/", dashboard_views.dashboard, name="dashboard"),
]
