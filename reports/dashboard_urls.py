"""URLs of the dashboard pages and of the official results shown on them."""

from django.urls import path

from reports import dashboard_views, official_views

urlpatterns = [
    path("laporan/", dashboard_views.dashboard, name="dashboard"),
    path("laporan/hasil-resmi/", official_views.official_results, name="official_results"),
    path(
        "laporan/hasil-resmi/impor/", official_views.official_results_import, name="official_results_import"
    ),
    path("laporan/hasil-resmi/<int:pk>/", official_views.official_result_edit, name="official_result_edit"),
]
