"""An agency's yearly entries: the list, starting (new, carried over, replicated), the overview, the profile and
submitting. The rows and their evidence, shared with Bappeda's SPD profile, are in `indicator_views`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from registry import drafts
from registry.downloads import serve
from registry.entries import (
    DuplicateEntry,
    EntryLimitReached,
    answers_overview,
    can_edit,
    carry_over,
    previous_entries,
    replicate,
    save_profile,
    set_attachment,
    start_entry,
    submission_readiness,
    with_room,
)
from registry.filters import ReplicationFilter
from registry.forms import (
    AttachmentForm,
    ProfileForm,
    StartEntryForm,
)
from registry.models import Cycle, CycleClosed, Innovation
from registry.uploads import client_size_limits
from registry.uploads import refusal as stopped_upload
from registry.workflow import StaleStatus, TransitionRefused, last_revision_request, submit
from scoring.collect import live_kematangan

PAGE_SIZE = 50
# Optional documents of the profile (catalogue profile_fields anggaran and profil_bisnis), PDF only.
ATTACHMENTS = {"budget_file", "business_profile_file"}


@login_required
def entry_list(request):
    cycle = Cycle.objects.current_for(request.user.region) if request.user.region_id else None
    entries = (
        Innovation.objects.visible_to(request.user)
        .select_related("agency", "cycle")
        .order_by("-cycle__year", "agency__name")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    startable = []
    if cycle and request.user.is_innovator:
        startable = list(with_room(Agency.objects.visible_to(request.user).active(), cycle).order_by("name"))
    return render(request, "registry/entry_list.html", {"page": page, "cycle": cycle, "startable": startable})


@login_required
def entry_start(request, agency_pk):
    agency = get_object_or_404(Agency.objects.visible_to(request.user).active(), pk=agency_pk)
    if not request.user.is_innovator:
        raise PermissionDenied(_("Only the agency's innovators start its entry."))
    cycle = Cycle.objects.current_for(agency.region)
    if cycle is None:
        raise Http404
    previous = previous_entries(agency, cycle)
    chosen = next((item for item in previous if str(item.pk) == request.POST.get("carry_over")), None)
    if request.method == "POST" and chosen:
        return _started(request, lambda: carry_over(chosen, cycle=cycle, by=request.user))
    form = StartEntryForm(request.POST or None)
    if form.is_valid():
        return _started(
            request,
            lambda: start_entry(agency=agency, cycle=cycle, by=request.user, **form.cleaned_data),
            message=_(
                "The entry was created. Fill the profile and the evidence step by step; everything is saved as you type."
            ),
            then="entry_profile",
        )
    return render(
        request,
        "registry/entry_start.html",
        {"form": form, "agency": agency, "cycle": cycle, "previous": previous},
    )


def _started(request, start, *, message=None, then="entry_detail"):
    """Run a way of starting an entry and answer as the start page does."""
    try:
        entry = start()
    except DuplicateEntry as duplicate:
        messages.info(request, str(duplicate))
        return redirect("entry_detail", pk=duplicate.existing.pk)
    except EntryLimitReached as full:
        messages.info(request, str(full))
        return redirect("entry_list")
    except CycleClosed as closed:
        messages.error(request, str(closed))
        return redirect("entry_list")
    messages.success(
        request,
        message
        or _(
            "The entry was created. Check every part: items marked 'check again' were copied and need a look."
        ),
    )
    return redirect(then, pk=entry.pk)


@login_required
def replication_list(request):
    offered = Innovation.objects.replicable_for(request.user)
    sources = (
        offered.select_related("agency__region", "cycle")
        .with_replication_counts()
        # The person's own region first: the agencies they know, then what other regions did.
        .annotate(elsewhere=Case(When(agency__region=request.user.region_id, then=0), default=1))
        .order_by("elsewhere", "-cycle__year", "name", "pk")
    )
    chosen = ReplicationFilter(request.GET or None, queryset=sources, offered=offered)
    page = Paginator(chosen.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/replication_list.html", {"page": page, "filter": chosen})


@login_required
def replication_detail(request, pk):
    source = get_object_or_404(
        Innovation.objects.replicable_for(request.user)
        .select_related("agency__region", "cycle")
        .with_replication_counts(),
        pk=pk,
    )
    cycle = Cycle.objects.current_for(request.user.region)
    agencies = []
    if cycle and request.user.is_innovator:
        agencies = list(with_room(Agency.objects.visible_to(request.user).active(), cycle).order_by("name"))
    return render(
        request, "registry/replication_detail.html", {"source": source, "agencies": agencies, "cycle": cycle}
    )


@login_required
@require_POST
def replication_start(request, pk):
    source = get_object_or_404(Innovation.objects.replicable_for(request.user), pk=pk)
    agency = get_object_or_404(
        Agency.objects.visible_to(request.user).active(), pk=request.POST.get("agency") or 0
    )
    if not request.user.is_innovator:
        raise PermissionDenied(_("Only the agency's innovators start its entry."))
    cycle = Cycle.objects.current_for(agency.region)
    return _started(request, lambda: replicate(source, agency=agency, cycle=cycle, by=request.user))


def entry_for(request, pk) -> Innovation:
    return get_object_or_404(
        Innovation.objects.visible_to(request.user).select_related(
            "agency", "cycle__edition", "cycle__region"
        ),
        pk=pk,
    )


@login_required
def entry_detail(request, pk):
    entry = entry_for(request, pk)
    editable, reason = can_edit(request.user, entry)
    indicators = entry.cycle.edition.indicators.filter(part="SID").order_by("position")
    edition = entry.cycle.edition.parsed()
    answers, complete = answers_overview(entry)
    result = live_kematangan(entry)
    scores = {row.row_id: row for row in result.rows}
    # Each row with its top score, and the kematangan's: the catalogue's own maxima.
    rows = [
        (indicator, answers.get(indicator.pk), scores[indicator.code], edition.row(indicator.code).max_score)
        for indicator in indicators
    ]
    readiness = submission_readiness(entry)
    return render(
        request,
        "registry/entry_detail.html",
        {
            "entry": entry,
            "rows": rows,
            "complete": complete,
            "kematangan": result.kematangan,
            "kematangan_max": edition.parameters.sid_per_innovation_max,
            "readiness": readiness,
            "editable": editable,
            "reason": reason,
            "events": entry.events.select_related("actor"),
            "revision": last_revision_request(entry)
            if entry.status == Innovation.Status.REVISION_REQUESTED
            else None,
        },
    )


@drafts.login_required_keeping_draft
def entry_profile(request, pk):
    entry = entry_for(request, pk)
    editable, reason = can_edit(request.user, entry)
    today = timezone.localdate()
    edition = entry.cycle.edition.parsed()
    restored = drafts.take(request)
    status = 200
    if request.method == "POST":
        if not editable:
            return refused(request, reason, reverse("entry_detail", args=[entry.pk]))
        form = ProfileForm(request.POST, edition=edition, today=today)
        if "version" in form.errors:
            refusal = version_missing(request)
            if refusal is not None:
                return refusal
            status, conflict = 409, False
        else:
            expected = form.cleaned_data["version"]
            if request.POST.get("overwrite") == "1":
                expected = Innovation.objects.values_list("version", flat=True).get(pk=entry.pk)
            saved = save_profile(entry, form.valid_values(), expected_version=expected)
            conflict = not saved
            if request.htmx:
                return render(
                    request,
                    "registry/includes/save_status.html",
                    {"form": form, "saved": saved, "conflict": conflict, "version": entry.version},
                )
            if saved and not form.errors:
                messages.success(request, _("The profile was saved."))
                return redirect("entry_profile", pk=entry.pk)
            if conflict:
                entry.refresh_from_db()
    elif restored is not None:
        form = ProfileForm(restored, edition=edition, today=today)
        form.is_valid()
        messages.warning(
            request,
            _(
                "Your session had ended before these changes were saved. They are restored below: check them and save."
            ),
        )
        conflict = False
    else:
        form = ProfileForm(initial=_profile_initial(entry), edition=edition, today=today)
        conflict = False
    attachments = [
        (name, Innovation._meta.get_field(name).verbose_name.capitalize()) for name in sorted(ATTACHMENTS)
    ]
    return render(
        request,
        "registry/entry_profile.html",
        {
            "entry": entry,
            "form": form,
            "editable": editable,
            "reason": reason,
            "conflict": conflict,
            "attachments": attachments,
            "size_limits": client_size_limits(),
        },
        status=status,
    )


def _profile_initial(entry: Innovation) -> dict:
    initial = {name: getattr(entry, name) for name in ProfileForm.base_fields if name != "version"}
    initial["version"] = entry.version
    return initial


def version_missing(request) -> HttpResponse | None:
    """A save without the version it was typed against (an old copy of the page, a crafted request) cannot be
    checked against a colleague's save: nothing is written, and the page says to reload. The typed values stay:
    an autosave is answered in place (409) and leaves the form alone; a full save gets the message and None, and
    the view shows the form again with what was typed."""
    message = _(
        "Not saved: this page is out of date. Copy what you typed if you need it, reload the page, then save again."
    )
    if request.htmx:
        return HttpResponse(
            format_html(
                '<div id="save-status" role="status" data-testid="save-status" '
                'class="small alert alert-danger w-100">{}</div>',
                message,
            ),
            status=409,
        )
    messages.error(request, message)
    return None


def refused(request, reason: str, back_url: str):
    """Why the change was not made: in place for autosave and upload requests, as a message otherwise."""
    if request.htmx or request.headers.get("x-requested-with") == "XMLHttpRequest":
        return HttpResponse(
            format_html('<div id="save-status" class="alert alert-warning">{}</div>', reason), status=409
        )
    messages.error(request, reason)
    return redirect(back_url)


@login_required
@require_POST
def entry_submit(request, pk):
    entry = entry_for(request, pk)
    editable, reason = can_edit(request.user, entry)
    if not editable:
        messages.error(request, reason)
        return redirect("entry_detail", pk=entry.pk)
    readiness = submission_readiness(entry)
    if not readiness.ready:
        messages.error(request, _("The entry cannot be submitted yet; see what is missing below."))
        return redirect("entry_detail", pk=entry.pk)
    try:
        submit(entry, by=request.user, note=request.POST.get("note", "").strip())
    except (StaleStatus, TransitionRefused) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("The entry was submitted to Bappeda. It is read-only until a reviewer sends it back.")
        )
    return redirect("entry_detail", pk=entry.pk)


# --- indicators and evidence: the same pages for an innovation (SID) and the SPD profile ---------------------


@login_required
def entry_attachment(request, pk, field):
    entry = entry_for(request, pk)
    if field not in ATTACHMENTS:
        raise Http404
    stored = getattr(entry, field)
    if request.method == "GET":
        return serve(stored, content_type="application/pdf")
    editable, reason = can_edit(request.user, entry)
    if not editable:
        messages.error(request, reason)
        return redirect("entry_profile", pk=entry.pk)
    # request.POST is read before the stopped upload is asked for (registry/uploads.py).
    form = AttachmentForm(request.POST, request.FILES, stopped_upload=stopped_upload(request))
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    elif form.cleaned_data["remove"]:
        set_attachment(entry, field, None)
        messages.success(request, _("The document was removed."))
    else:
        checked = form.cleaned_data["checked"]
        set_attachment(entry, field, form.cleaned_data["file"], name=checked.stored_name)
        messages.success(request, _("The document %(name)s was uploaded.") % {"name": checked.original_name})
    return redirect("entry_profile", pk=entry.pk)
