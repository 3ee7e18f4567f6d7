"""Innovators fill their agency's yearly entry; Bappeda fills the region's SPD profile with the same pages."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from agencies.models import Agency
from registry import drafts
from registry.downloads import serve
from registry.entries import (
    DuplicateEntry,
    EntryLimitReached,
    add_evidence,
    answers_for,
    answers_overview,
    can_edit,
    carry_over,
    previous_entries,
    remove_evidence,
    replicate,
    save_answer,
    save_profile,
    set_attachment,
    start_entry,
    submission_readiness,
    with_room,
)
from registry.filters import ReplicationFilter
from registry.forms import (
    AnswerForm,
    AttachmentForm,
    EvidenceForm,
    ProfileForm,
    StartEntryForm,
    option_value,
)
from registry.models import Answer, Cycle, CycleClosed, Evidence, Innovation, SpdProfile
from registry.uploads import client_size_limits
from registry.uploads import refusal as stopped_upload
from registry.workflow import StaleStatus, TransitionRefused, last_revision_request, submit
from scoring.collect import live_kematangan, live_spd
from scoring.models import IndicatorOption

PAGE_SIZE = 50


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


def _entry(request, pk) -> Innovation:
    return get_object_or_404(
        Innovation.objects.visible_to(request.user).select_related(
            "agency", "cycle__edition", "cycle__region"
        ),
        pk=pk,
    )


@login_required
def entry_detail(request, pk):
    entry = _entry(request, pk)
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
    entry = _entry(request, pk)
    editable, reason = can_edit(request.user, entry)
    today = timezone.localdate()
    edition = entry.cycle.edition.parsed()
    restored = drafts.take(request)
    status = 200
    if request.method == "POST":
        if not editable:
            return _refused(request, reason, reverse("entry_detail", args=[entry.pk]))
        form = ProfileForm(request.POST, edition=edition, today=today)
        if "version" in form.errors:
            refusal = _version_missing(request)
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


def _version_missing(request) -> HttpResponse | None:
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


def _refused(request, reason: str, back_url: str):
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
    entry = _entry(request, pk)
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


@dataclass
class Owner:
    """What an indicator page belongs to: an innovation's SID rows or the region's SPD rows."""

    obj: Innovation | SpdProfile
    kind: str  # "innovation" or "spd"
    cycle: Cycle
    editable: bool
    reason: str

    @property
    def part(self) -> str:
        return "SID" if self.kind == "innovation" else "SPD"

    @property
    def detail_url(self) -> str:
        if self.kind == "innovation":
            return reverse("entry_detail", args=[self.obj.pk])
        return reverse("spd_detail", args=[self.cycle.pk])

    def url(self, name: str, *args) -> str:
        prefix = "entry" if self.kind == "innovation" else "spd"
        return reverse(
            f"{prefix}_{name}", args=[self.obj.pk if self.kind == "innovation" else self.cycle.pk, *args]
        )


def _owner(request, kind: str, pk: int) -> Owner:
    if kind == "innovation":
        entry = _entry(request, pk)
        editable, reason = can_edit(request.user, entry)
        return Owner(entry, kind, entry.cycle, editable, reason)
    if not request.user.is_bappeda:
        raise Http404
    cycle = get_object_or_404(
        Cycle.objects.visible_to(request.user).select_related("edition", "region"), pk=pk
    )
    profile, _created = SpdProfile.objects.get_or_create(cycle=cycle)
    editable, reason = True, ""
    try:
        cycle.ensure_submission_open()
    except CycleClosed as closed:
        editable, reason = False, str(closed)
    return Owner(profile, kind, cycle, editable, reason)


def _indicator(owner: Owner, code: str):
    indicators = owner.cycle.edition.indicators.filter(part=owner.part).prefetch_related(
        Prefetch("options", queryset=IndicatorOption.objects.order_by("position"))
    )
    indicator = get_object_or_404(indicators, code=code)
    answer = answers_for(owner.obj, [indicator])[indicator.pk]
    return indicator, answer


@drafts.login_required_keeping_draft
def indicator_page(request, pk, code, kind):
    owner = _owner(request, kind, pk)
    indicator, answer = _indicator(owner, code)
    options = list(indicator.options.all())
    restored = drafts.take(request) if request.method == "GET" else None
    if restored is not None:
        form = AnswerForm(restored, indicator=indicator, options=options)
        form.is_valid()
        messages.warning(
            request,
            _(
                "Your session had ended before this answer was saved. It is restored below: check it and save."
            ),
        )
    elif request.method == "POST":
        if not owner.editable:
            return _refused(request, owner.reason, owner.detail_url)
        form = AnswerForm(request.POST, indicator=indicator, options=options)
        if "version" in form.errors:
            refusal = _version_missing(request)
            if refusal is not None:
                return refusal
            evidence_form = EvidenceForm(kinds=indicator.evidence_kinds, today=timezone.localdate())
            return _render_indicator(request, owner, indicator, answer, form, evidence_form, status=409)
        saved = conflict = False
        if form.is_valid():
            group, level = form.chosen()
            expected = form.cleaned_data["version"]
            if request.POST.get("overwrite") == "1":
                expected = Answer.objects.values_list("version", flat=True).get(pk=answer.pk)
            saved = save_answer(answer, group=group, level=level, expected_version=expected)
            conflict = not saved
        if request.htmx:
            return render(
                request,
                "registry/includes/save_status.html",
                {"form": form, "saved": saved, "conflict": conflict, "version": answer.version},
            )
        if saved:
            messages.success(request, _("Your answer was saved."))
            return redirect(owner.url("indicator", code))
        if conflict:
            messages.warning(
                request,
                _(
                    "This answer was changed in another tab or by a colleague; yours is kept below, not yet saved."
                ),
            )
    else:
        form = AnswerForm(
            initial={"version": answer.version, "option": option_value(answer.option_group, answer.level)},
            indicator=indicator,
            options=options,
        )
    return _render_indicator(
        request,
        owner,
        indicator,
        answer,
        form,
        EvidenceForm(kinds=indicator.evidence_kinds, today=timezone.localdate()),
    )


def _render_indicator(request, owner, indicator, answer, form, evidence_form, status=200):
    siblings = list(
        owner.cycle.edition.indicators.filter(part=owner.part)
        .order_by("position")
        .values_list("code", flat=True)
    )
    position = siblings.index(indicator.code)
    return render(
        request,
        "registry/indicator.html",
        {
            "owner": owner,
            "indicator": indicator,
            "answer": answer,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": answer.evidence.select_related("created_by"),
            "previous_code": siblings[position - 1] if position else None,
            "next_code": siblings[position + 1] if position + 1 < len(siblings) else None,
            "position": position + 1,
            "count": len(siblings),
        },
        status=status,
    )


@login_required
@require_POST
def evidence_add(request, pk, code, kind):
    owner = _owner(request, kind, pk)
    if not owner.editable:
        return _refused(request, owner.reason, owner.detail_url)
    indicator, answer = _indicator(owner, code)
    form = EvidenceForm(
        request.POST,
        request.FILES,
        kinds=indicator.evidence_kinds,
        today=timezone.localdate(),
        stopped_upload=stopped_upload(request),
    )
    uploading = request.headers.get("x-requested-with") == "XMLHttpRequest" or request.htmx
    if form.is_valid():
        add_evidence(answer, by=request.user, **_evidence_fields(form))
        if uploading:
            return render(
                request,
                "registry/includes/evidence_list.html",
                {
                    "owner": owner,
                    "indicator": indicator,
                    "evidence": answer.evidence.select_related("created_by"),
                    "added": True,
                },
            )
        messages.success(request, _("The evidence was added."))
        return redirect(owner.url("indicator", code))
    if uploading:
        # registri.js shows the errors of a 422 in place; any other status reads as a lost connection.
        return render(request, "registry/includes/evidence_errors.html", {"evidence_form": form}, status=422)
    answer_form = AnswerForm(
        initial={"version": answer.version, "option": option_value(answer.option_group, answer.level)},
        indicator=indicator,
        options=list(indicator.options.all()),
    )
    status = 413 if form.stopped_upload else 422
    return _render_indicator(request, owner, indicator, answer, answer_form, form, status=status)


def _evidence_fields(form) -> dict:
    data = form.cleaned_data
    fields = {
        "document_number": data.get("document_number", ""),
        "document_date": data.get("document_date"),
        "subject": data.get("subject", ""),
    }
    checked = data.get("checked")
    if checked:
        upload = data["file"]
        upload.name = checked.stored_name
        return fields | {
            "kind": Evidence.Kind.FILE,
            "file": upload,
            "original_name": checked.original_name,
            "content_type": checked.content_type,
            "size": checked.size,
        }
    return fields | {"kind": Evidence.Kind.LINK, "url": data["url"]}


def _evidence(request, pk) -> Evidence:
    return get_object_or_404(Evidence.objects.visible_to(request.user).select_related("answer"), pk=pk)


@login_required
@require_POST
def evidence_delete(request, pk):
    item = _evidence(request, pk)
    answer = item.answer
    kind, owner_pk = (
        ("innovation", answer.innovation_id) if answer.innovation_id else ("spd", answer.spd_profile.cycle_id)
    )
    owner = _owner(request, kind, owner_pk)
    if not owner.editable:
        return _refused(request, owner.reason, owner.detail_url)
    remove_evidence(item)
    messages.success(request, _("The evidence was removed."))
    return redirect(owner.url("indicator", answer.indicator.code))


@login_required
@xframe_options_sameorigin
def evidence_file(request, pk):
    """Evidence files are private: handed out only here, after the same access check as their entry."""
    item = _evidence(request, pk)
    if item.kind != Evidence.Kind.FILE:
        raise Http404
    return serve(
        item.file,
        content_type=item.content_type or "application/octet-stream",
        filename=item.original_name,
        as_attachment=request.GET.get("download") == "1",
    )


# --- the region's SPD profile -------------------------------------------------------------------------------


@login_required
def spd_detail(request, pk):
    owner = _owner(request, "spd", pk)
    indicators = owner.cycle.edition.indicators.filter(part="SPD").order_by("position")
    answers, complete = answers_overview(owner.obj)
    result = live_spd(owner.obj)
    scores = {row.row_id: row for row in result.rows}
    rows = [(indicator, answers.get(indicator.pk), scores[indicator.code]) for indicator in indicators]
    return render(
        request,
        "registry/spd_detail.html",
        {"owner": owner, "cycle": owner.cycle, "rows": rows, "complete": complete, "spd": result.score},
    )


# Optional documents of the profile (catalogue profile_fields anggaran and profil_bisnis), PDF only.
ATTACHMENTS = {"budget_file", "business_profile_file"}


@login_required
def entry_attachment(request, pk, field):
    entry = _entry(request, pk)
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
