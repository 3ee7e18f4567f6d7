from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from agencies.access import admin_required, bappeda_required
from scoring.catalogue import CatalogueError
from scoring.editions import load_edition_text
from scoring.forms import CatalogueUploadForm
from scoring.models import Edition, IndicatorOption


def _editions_of(user):
    """The editions the person's region may use, with how many of the region's cycles use each."""
    cycles = Q() if user.region_id is None else Q(cycles__region_id=user.region_id)
    return (
        Edition.objects.visible_to(user)
        .select_related("region")
        .defer("source_text")
        .annotate(cycle_count=Count("cycles", filter=cycles))
        .order_by("-year", "-version")
    )


@bappeda_required
def edition_list(request):
    form = CatalogueUploadForm() if request.user.is_admin else None
    return render(
        request,
        "scoring/edition_list.html",
        {"editions": _editions_of(request.user), "form": form, "problems": []},
    )


@admin_required
def edition_upload(request):
    """Administrators only; the edition belongs to their region (national for a superuser without one)."""
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if form.is_valid():
        try:
            edition, created = load_edition_text(form.cleaned_data["file"], region=request.user.region)
        except CatalogueError as error:
            problems = error.problems
        else:
            if created:
                messages.success(request, _("%(edition)s was loaded.") % {"edition": edition})
            else:
                messages.info(
                    request, _("This file is already loaded as %(edition)s.") % {"edition": edition}
                )
            return redirect("edition_detail", pk=edition.pk)
    return render(
        request,
        "scoring/edition_list.html",
        {"editions": _editions_of(request.user), "form": form, "problems": problems},
    )


@bappeda_required
def edition_detail(request, pk):
    # Another region's upload answers 404: its existence is not revealed.
    edition = get_object_or_404(
        Edition.objects.visible_to(request.user).select_related("region").defer("source_text"), pk=pk
    )
    indicators = edition.indicators.prefetch_related(
        Prefetch("options", queryset=IndicatorOption.objects.order_by("position"))
    )
    return render(request, "scoring/edition_detail.html", {"edition": edition, "indicators": indicators})
