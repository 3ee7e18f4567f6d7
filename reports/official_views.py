"""The *Hasil resmi* page: the IID results Kemendagri published for the region, beside the computed ones.

Bappeda staff see the region's results; only administrators add, edit or import them. Another region's
result is reached through `visible_to`, which does not hold it: 404.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from agencies.access import bappeda_required, ensure_admin
from reports.models import OfficialResult
from reports.official import OfficialImportError, import_official_results
from reports.official_forms import OfficialImportForm, OfficialResultForm


def _page(request, *, form=None, upload=None, problems=(), report=None, status=200):
    results = OfficialResult.objects.visible_to(request.user).select_related("entered_by").order_by("-year")
    if request.user.is_admin:
        form = form or OfficialResultForm(region=request.user.region)
        upload = upload or OfficialImportForm()
    context = {"results": results, "form": form, "upload": upload, "problems": problems, "report": report}
    return render(request, "reports/official_results.html", context, status=status)


def _saved(request, form) -> None:
    result = form.save(commit=False)
    result.entered_by = request.user
    result.save()
    messages.success(request, _("The official result of %(year)s was saved.") % {"year": result.year})


@bappeda_required
def official_results(request):
    if request.method != "POST":
        return _page(request)
    ensure_admin(request.user)
    form = OfficialResultForm(request.POST, region=request.user.region)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    _saved(request, form)
    return redirect("official_results")


@bappeda_required
def official_result_edit(request, pk):
    result = get_object_or_404(OfficialResult.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    form = OfficialResultForm(request.POST or None, instance=result, region=request.user.region)
    if request.method == "POST":
        if form.is_valid():
            _saved(request, form)
            return redirect("official_results")
        status = 422
    else:
        status = 200
    return render(
        request, "reports/official_result_form.html", {"form": form, "result": result}, status=status
    )


@bappeda_required
def official_results_import(request):
    ensure_admin(request.user)
    if request.method != "POST":
        return redirect("official_results")
    upload = OfficialImportForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, upload=upload, status=422)
    try:
        report = import_official_results(
            upload.cleaned_data["file"].read(), region=request.user.region, by=request.user
        )
    except OfficialImportError as error:
        return _page(request, upload=upload, problems=error.problems, status=422)
    messages.success(request, report.summary())
    return redirect("official_results")
