from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from agencies.access import admin_required, bappeda_required
from scoring.catalogue import CatalogueError
from scoring.editions import load_edition_text
from scoring.forms import CatalogueUploadForm
from scoring.models import Edition, IndicatorOption


@bappeda_required
def edition_list(request):
    editions = (
        Edition.objects.defer("source_text")
        .annotate(cycle_count=Count("cycles"))
        .order_by("-year", "-version")
    )
    form = CatalogueUploadForm() if request.user.is_admin else None
    return render(request, "scoring/edition_list.html", {"editions": editions, "form": form, "problems": []})


@admin_required
def edition_upload(request):
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if form.is_valid():
        try:
            edition, created = load_edition_text(form.cleaned_data["file"])
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
    editions = (
        Edition.objects.defer("source_text")
        .annotate(cycle_count=Count("cycles"))
        .order_by("-year", "-version")
    )
    return render(
        request, "scoring/edition_list.html", {"editions": editions, "form": form, "problems": problems}
    )


@bappeda_required
def edition_detail(request, pk):
    edition = get_object_or_404(Edition.objects.defer("source_text"), pk=pk)
    indicators = edition.indicators.prefetch_related(
        Prefetch("options", queryset=IndicatorOption.objects.order_by("position"))
    )
    return render(request, "scoring/edition_detail.html", {"edition": edition, "indicators": indicators})
