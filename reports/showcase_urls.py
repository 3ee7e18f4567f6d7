"""URLs of the showcase pages: public, no login."""

from django.urls import path

from reports import showcase_views

urlpatterns = [
    path("etalase/", showcase_views.showcase, name="showcase"),
    path("etalase/<int:pk>/", showcase_views.showcase_detail, name="showcase_detail"),
    path(
        "etalase/<int:pk>/bukti/<int:evidence_pk>/",
        showcase_views.showcase_evidence,
        name="showcase_evidence",
    ),
]
