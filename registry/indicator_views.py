"""The rows of an entry and of the region's SPD profile, with the same pages for both: each indicator's option,
its evidence (add, remove, download) and the SPD overview."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from registry import drafts
from registry.downloads import serve
from registry.entries import (
    add_evidence,
    answers_for,
    answers_overview,
    can_edit,
    remove_evidence,
    save_answer,
)
from registry.entry_views import entry_for, refused, version_missing
from registry.forms import (
    AnswerForm,
    EvidenceForm,
    option_value,
)
from registry.models import Answer, Cycle, CycleClosed, Evidence, Innovation, SpdProfile
from registry.uploads import refusal as stopped_upload
from scoring.collect import live_spd
from scoring.models import IndicatorOption


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
        entry = entry_for(request, pk)
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
            return refused(request, owner.reason, owner.detail_url)
        form = AnswerForm(request.POST, indicator=indicator, options=options)
        if "version" in form.errors:
            refusal = version_missing(request)
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
        return refused(request, owner.reason, owner.detail_url)
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
        return refused(request, owner.reason, owner.detail_url)
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
