"""URLs of the national hand-off package pages."""

from django.urls import path

from reports import handoff_views

urlpatterns = [
    path("laporan/paket-nasional/", handoff_views.handoff_page, name="handoff"),
    path("laporan/paket-nasional/buat/", handoff_views.handoff_request, name="handoff_request"),
    path("laporan/paket-nasional/<int:pk>/progres/", handoff_views.handoff_progress, name="handoff_progress"),
    path(
        "laporan/paket-nasional/<int:pk>/buku-kerja/",
        handoff_views.handoff_download,
        {"part": "workbook"},
        name="handoff_workbook",
    ),
    path(
        "laporan/paket-nasional/<int:pk>/arsip/",
        handoff_views.handoff_download,
        {"part": "archive"},
        name="handoff_archive",
    ),
]
