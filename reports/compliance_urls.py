"""URLs of the compliance pages."""

from django.urls import path, re_path

from reports import compliance_views, pending_views

urlpatterns = [
    path("laporan/kepatuhan/", compliance_views.compliance_board, name="compliance_board"),
    # The address ends with the file's extension, so a saved link says what it downloads.
    re_path(
        r"^laporan/ekspor\.(?P<fmt>xlsx|csv|pdf)$",
        compliance_views.compliance_export,
        name="compliance_export",
    ),
    path("laporan/ekspor/riwayat/", compliance_views.export_log, name="export_log"),
    path("laporan/belum-mengajukan/", pending_views.pending_list, name="pending_agencies"),
    path("laporan/belum-mengajukan/<int:pk>/ingatkan/", pending_views.pending_remind, name="pending_remind"),
    path(
        "laporan/belum-mengajukan/ingatkan-semua/",
        pending_views.pending_remind_all,
        name="pending_remind_all",
    ),
]
