"""Bappeda's compliance board, its downloads (XLSX, CSV, PDF) and the log of every file exported."""

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from agencies.access import bappeda_required
from agencies.models import Agency
from reports import exports
from reports.data import board_page_rows, gather_csv, gather_export
from reports.filters import ComplianceFilter, filters_in_words, kecamatan_ids
from reports.models import ExportLog

PAGE_SIZE = 50


@bappeda_required
def compliance_board(request):
    board = ComplianceFilter(request.GET, region=request.user.region)
    page = Paginator(board.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    cycle = board.cycle
    return render(
        request,
        "reports/compliance.html",
        {
            "filter": board,
            "cycle": cycle,
            "page": page,
            "rows": board_page_rows(cycle, page) if cycle else [],
            "by_kind": cycle.compliance_by_kind() if cycle else [],
            "query": _export_query(request),
        },
    )


@bappeda_required
def compliance_export(request, fmt):
    board = ComplianceFilter(request.GET, region=request.user.region)
    if not board.is_valid():
        return _refused(request, board, _("The file was not made: some filter values are not valid."))
    if board.cycle is None:
        return _refused(request, board, _("The file was not made: the region has no measurement cycle yet."))
    # The CSV streams: it is read, scored and sent a chunk at a time, its memory flat whatever the cycle's size.
    data = gather_csv(board) if fmt == "csv" else gather_export(board)
    filename = exports.export_filename(data, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _logged_stream(data, filename, request.user), content_type=exports.FORMATS[fmt]
        )
    else:
        content = exports.build_file(data, fmt)
        tally = exports.Tally()
        tally.add(content)
        exports.record_export(
            data, fmt=fmt, filename=filename, size=tally.size, checksum=tally.checksum, by=request.user
        )
        response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _logged_stream(data, filename, user):
    """The CSV's chunks as they are written; the log row follows the last one, with the checksum of the bytes sent
    (and the row count and the cycle's IID, computed once the rows are sent).

    Hashing while streaming avoids building the file twice or holding it whole; a download abandoned halfway
    never reaches the end, so it leaves no log row for a file nobody received.
    """
    tally = exports.Tally()
    for chunk in exports.csv_chunks(data):
        yield tally.add(chunk)
    exports.record_export(
        data, fmt="csv", filename=filename, size=tally.size, checksum=tally.checksum, by=user
    )


def _refused(request, board, message):
    fields = board.form.fields
    problems = [
        (fields[name].label if name in fields else "", error)
        for name, errors in board.form.errors.items()
        for error in errors
    ]
    return render(
        request,
        "reports/compliance/export_refused.html",
        {"message": message, "problems": problems, "query": _export_query(request)},
        status=400,
    )


def _export_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@bappeda_required
def export_log(request):
    logs = (
        ExportLog.objects.filter(cycle__region_id=request.user.region_id)
        .select_related("created_by", "cycle")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The filters in words: the kecamatan named on this page are read at once, and only when there are some.
    wanted = set().union(*(kecamatan_ids(log.filters) for log in page))
    names = (
        dict(Agency.objects.filter(region_id=request.user.region_id, pk__in=wanted).values_list("pk", "name"))
        if wanted
        else {}
    )
    for log in page:
        log.filters_words = filters_in_words(log.filters, names)
    return render(request, "reports/compliance/export_log.html", {"page": page})
