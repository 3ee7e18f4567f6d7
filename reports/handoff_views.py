"""The national hand-off page: request a package, watch it being built, download its files."""

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import bappeda_required
from registry.downloads import serve
from registry.models import Cycle
from reports import handoff
from reports.models import HandoffPackage

YEAR_RE = re.compile(r"[0-9]{4}")


def _region_cycles(user):
    return Cycle.objects.filter(region_id=user.region_id)


def _chosen_cycle(request) -> tuple[Cycle | None, str]:
    """The cycle of `?tahun=`, else the current one; with a message when the asked year has no cycle."""
    year = request.GET.get("tahun", "").strip()
    if not year:
        return Cycle.objects.current_for(request.user.region), ""
    cycle = _region_cycles(request.user).filter(year=int(year)).first() if YEAR_RE.fullmatch(year) else None
    if cycle is None:
        return None, _(
            "There is no measurement cycle for the year “%(year)s”. Choose one of the years below."
        ) % {"year": year[:10]}
    return cycle, ""


def _package(request, pk) -> HandoffPackage:
    return get_object_or_404(
        HandoffPackage.objects.filter(cycle__region_id=request.user.region_id).select_related(
            "cycle", "requested_by"
        ),
        pk=pk,
    )


@bappeda_required
def handoff_page(request):
    cycle, problem = _chosen_cycle(request)
    now = timezone.now()
    packages = []
    if cycle:
        packages = [
            (package, handoff.is_stalled(package, now), handoff.is_busy(package, now))
            for package in HandoffPackage.objects.filter(cycle=cycle).select_related("requested_by")
        ]
    context = {
        "cycle": cycle,
        "problem": problem,
        "years": _region_cycles(request.user).order_by("-year").values_list("year", flat=True),
        "packages": packages,
        "any_busy": any(busy for _package, _stalled, busy in packages),
    }
    return render(request, "reports/handoff.html", context)


@bappeda_required
@require_POST
def handoff_request(request):
    year = request.POST.get("tahun", "")
    if not YEAR_RE.fullmatch(year):
        raise Http404
    cycle = get_object_or_404(_region_cycles(request.user), year=int(year))
    package, created = handoff.request_package(cycle=cycle, by=request.user)
    if created:
        messages.success(
            request,
            _("The package for %(year)s is being built. This page shows its progress.")
            % {"year": cycle.year},
        )
    else:
        messages.warning(
            request,
            _(
                "A package for %(year)s is already being built (requested by %(name)s at %(time)s). "
                "Wait for it to finish; no second package was started."
            )
            % {
                "year": cycle.year,
                "name": package.requested_by.full_name if package.requested_by else "—",
                "time": date_format(timezone.localtime(package.created_at), "j F Y H:i"),
            },
        )
    return redirect(f"{reverse('handoff')}?tahun={cycle.year}")


@bappeda_required
def handoff_progress(request, pk):
    """The package's card alone: polled by htmx while the package is being built."""
    package = _package(request, pk)
    now = timezone.now()
    context = {
        "package": package,
        "stalled": handoff.is_stalled(package, now),
        "busy": handoff.is_busy(package, now),
    }
    return render(request, "reports/handoff/package.html", context)


@bappeda_required
def handoff_download(request, pk, part):
    package = _package(request, pk)
    stored = package.workbook if part == "workbook" else package.archive
    if package.status != HandoffPackage.Status.DONE:
        raise Http404
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if part == "workbook"
        else "application/zip"
    )
    return serve(stored, content_type=content_type, as_attachment=True)
