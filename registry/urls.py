from django.urls import path

from registry import entry_views, indicator_views, notification_views, review_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("entries/", entry_views.entry_list, name="entry_list"),
    path("entries/start/<int:agency_pk>/", entry_views.entry_start, name="entry_start"),
    path("entries/<int:pk>/", entry_views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/profile/", entry_views.entry_profile, name="entry_profile"),
    path("entries/<int:pk>/submit/", entry_views.entry_submit, name="entry_submit"),
    path("entries/<int:pk>/documents/<str:field>/", entry_views.entry_attachment, name="entry_attachment"),
    path(
        "entries/<int:pk>/indicators/<str:code>/",
        indicator_views.indicator_page,
        {"kind": "innovation"},
        name="entry_indicator",
    ),
    path(
        "entries/<int:pk>/indicators/<str:code>/evidence/",
        indicator_views.evidence_add,
        {"kind": "innovation"},
        name="entry_evidence_add",
    ),
    path("replications/", entry_views.replication_list, name="replication_list"),
    path("replications/<int:pk>/", entry_views.replication_detail, name="replication_detail"),
    path("replications/<int:pk>/start/", entry_views.replication_start, name="replication_start"),
    path("spd/<int:pk>/", indicator_views.spd_detail, name="spd_detail"),
    path(
        "spd/<int:pk>/indicators/<str:code>/",
        indicator_views.indicator_page,
        {"kind": "spd"},
        name="spd_indicator",
    ),
    path(
        "spd/<int:pk>/indicators/<str:code>/evidence/",
        indicator_views.evidence_add,
        {"kind": "spd"},
        name="spd_evidence_add",
    ),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/assign/", review_views.review_assign, name="review_assign"),
    path("review/<int:pk>/", review_views.review_entry, name="review_entry"),
    path(
        "review/<int:pk>/rows/<str:code>/",
        review_views.review_verdict,
        {"kind": "innovation"},
        name="review_verdict",
    ),
    path("review/spd/<int:pk>/", review_views.review_spd, name="review_spd"),
    path(
        "review/spd/<int:pk>/rows/<str:code>/",
        review_views.review_verdict,
        {"kind": "spd"},
        name="review_spd_verdict",
    ),
    path(
        "review/evidence/<int:pk>/public/", review_views.review_evidence_public, name="review_evidence_public"
    ),
    path("review/<int:pk>/<str:action>/", review_views.review_action, name="review_action"),
    path("evidence/<int:pk>/", indicator_views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/delete/", indicator_views.evidence_delete, name="evidence_delete"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
]
