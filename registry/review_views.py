"""Bappeda reviews entries: the queue, the per-row verdicts, and the workflow's moves."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import bappeda_required
from registry import workflow
from registry.filters import ReviewQueueFilter
from registry.models import Answer, Cycle, Evidence, Innovation, SpdProfile
from registry.review_forms import EvidenceReviewsForm, ReviewAssignForm, RowVerdictForm
from scoring.collect import gather_answers
from scoring.index import InnovationInput, kematangan, spd_score
from scoring.models import IndicatorOption

PAGE_SIZE = 50


@bappeda_required
def review_queue(request):
    cycle = Cycle.objects.current_for(request.user.region)
    entries, sid_rows = Innovation.objects.none(), []
    if cycle:
        entries = (
            Innovation.objects.filter(cycle=cycle)
            .exclude(status=Innovation.Status.DRAFT)
            .order_by("-submitted_at", "pk")
        )
        sid_rows = list(cycle.edition.indicators.filter(part="SID").order_by().values_list("pk", "mandatory"))
    queue = ReviewQueueFilter(
        request.GET or None,
        queryset=entries,
        region=request.user.region,
        mandatory_ids=[pk for pk, mandatory in sid_rows if mandatory],
    )
    # Count and page over the entries alone, then read the columns of the 50 shown: joining the
    # agencies and reviewers of every entry before sorting costs more than the page itself.
    page = Paginator(queue.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list.values_list("pk", flat=True))
    columns = {row["pk"]: row for row in Innovation.objects.filter(pk__in=ids).queue_columns()}
    labels = dict(Innovation.Status.choices)
    rows = []
    for pk in ids:
        row = columns[pk]
        row["status_label"] = labels[row["status"]]
        rows.append(row)
    return render(
        request,
        "registry/review_queue.html",
        {
            "cycle": cycle,
            "filter": queue,
            "page": page,
            "rows": rows,
            "sid_rows": len(sid_rows),
            "reviewers": queue.reviewer_choices,
        },
    )


@bappeda_required
@require_POST
def review_assign(request):
    form = ReviewAssignForm(request.POST, region=request.user.region)
    if not form.is_valid():  # a reviewer of another region, or one no longer active
        raise Http404
    assigned = form.save()
    reviewer = form.cleaned_data["reviewer"]
    if not form.cleaned_data["entries"]:
        messages.warning(request, _("Tick the entries to assign first."))
    elif reviewer:
        messages.success(
            request,
            _("%(count)s entries assigned to %(name)s.") % {"count": assigned, "name": reviewer.full_name},
        )
    else:
        messages.success(request, _("%(count)s entries are no longer assigned.") % {"count": assigned})
    return redirect(f"{reverse('review_queue')}?{form.cleaned_data['query']}")


def _reviewed_entry(request, pk) -> Innovation:
    return get_object_or_404(
        Innovation.objects.visible_to(request.user).select_related(
            "agency", "cycle__edition", "assigned_reviewer"
        ),
        pk=pk,
    )


def _reviewed_spd(request, pk) -> SpdProfile:
    cycle = get_object_or_404(Cycle.objects.visible_to(request.user).select_related("edition"), pk=pk)
    profile, _created = SpdProfile.objects.get_or_create(cycle=cycle)
    return profile


@dataclass
class PostedRow:
    """What the reviewer sent for one row: the row's verdict and its items' verdicts, each a form.

    Shown again when it is refused, so nothing typed is lost; `error` says why.
    """

    code: str
    verdict_form: RowVerdictForm
    items_form: EvidenceReviewsForm
    error: str = ""

    @classmethod
    def of(cls, request, answer: Answer) -> "PostedRow":
        items = answer.evidence.order_by("created_at")
        return cls(
            answer.indicator.code,
            RowVerdictForm(request.POST, chosen_level=answer.level),
            EvidenceReviewsForm(request.POST, items=items),
        )

    def first_error(self) -> str:
        """The first problem of what was sent, the items' before the row's (as they are saved); "" if none."""
        forms = (self.items_form, self.verdict_form)
        valid = [form.is_valid() for form in forms]  # both checked: a refused row shows all that was sent
        for form, ok in zip(forms, valid, strict=True):
            if not ok:
                return next(iter(form.errors.values()))[0]
        return ""

    def sent(self, name: str, default=None):
        return self.verdict_form.cleaned_data.get(name, default)

    def item(self, evidence: Evidence) -> tuple[str, str]:
        """The item's verdict and note as sent, or as stored when none was sent."""
        return self.items_form.sent(evidence) or (evidence.review, evidence.review_note)


def _review_rows(owner, part: str, posted: PostedRow | None = None) -> tuple[list[dict], object, object]:
    """Each row of an entry (SID) or the SPD profile with its answer, evidence, scores and form values."""
    edition, answers_by_code = gather_answers(owner)
    if part == "SID":
        item = InnovationInput(key=str(owner.pk), name=owner.name, answers=answers_by_code)
        claimed, verified = (
            kematangan(edition, item, verified=False),
            kematangan(edition, item, verified=True),
        )
    else:
        claimed = spd_score(edition, answers_by_code, verified=False)
        verified = spd_score(edition, answers_by_code, verified=True)
    indicators = (
        owner.cycle.edition.indicators.filter(part=part)
        .order_by("position")
        .prefetch_related(Prefetch("options", queryset=IndicatorOption.objects.order_by("position")))
    )
    owner_field = "innovation" if part == "SID" else "spd_profile"
    answers = {
        answer.indicator_id: answer
        for answer in Answer.objects.filter(**{owner_field: owner}).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at"))
        )
    }
    scores = {
        row.row_id: (row, verified_row) for row, verified_row in zip(claimed.rows, verified.rows, strict=True)
    }
    rows = []
    for indicator in indicators:
        answer = answers.get(indicator.pk)
        chosen = None
        if answer and answer.level is not None:
            chosen = next(
                (
                    o
                    for o in indicator.options.all()
                    if o.level == answer.level and o.group == answer.option_group
                ),
                None,
            )
        mine = posted if posted and posted.code == indicator.code else None
        items = []
        for evidence in answer.evidence.all() if answer else []:
            review, note = mine.item(evidence) if mine else (evidence.review, evidence.review_note)
            items.append({"evidence": evidence, "review": review, "note": note})
        rows.append(
            {
                "indicator": indicator,
                "answer": answer,
                "chosen": chosen,
                "items": items,
                "claimed": scores[indicator.code][0],
                "verified": scores[indicator.code][1],
                "levels": range((answer.level or 0) + 1) if answer else range(1),
                "verdict": mine.sent("verdict", "") if mine else (answer.verdict if answer else ""),
                "verified_level": mine.sent("level") if mine else (answer.verified_level if answer else None),
                # The "Supported level" menu shows the saved verdict's level (Sesuai keeps the chosen
                # one), or what was just sent; a row not judged yet starts at 0.
                "selected_level": mine.sent("level")
                if mine
                else (answer.verified_level if answer and answer.verdict else 0),
                "note": mine.sent("note", "") if mine else (answer.verdict_note if answer else ""),
                "error": mine.error if mine else "",
            }
        )
    return rows, claimed, verified


def _render_entry_review(
    request,
    entry: Innovation,
    posted: PostedRow | None = None,
    status: int = 200,
    decision: dict | None = None,
):
    """The review page; `decision` holds the decision form's values sent back after a refusal."""
    rows, claimed, verified = _review_rows(entry, "SID", posted)
    under_review = entry.status in workflow.UNDER_REVIEW
    request_event = workflow.last_revision_request(entry)
    changed = {}
    if request_event and entry.status in (Innovation.Status.RESUBMITTED, Innovation.Status.IN_REVIEW):
        changed = workflow.changes_since(request_event.snapshot, workflow.answers_snapshot(entry))
    for row in rows:
        row["change"] = changed.get(row["indicator"].code)
        row["action"] = reverse("review_verdict", args=[entry.pk, row["indicator"].code])
        row["editable"] = under_review and row["answer"] is not None and row["answer"].level is not None
    return render(
        request,
        "registry/review_entry.html",
        {
            "entry": entry,
            "rows": rows,
            "claimed": claimed.kematangan,
            "verified": verified.kematangan,
            "changed": changed,
            "request_event": request_event,
            "under_review": under_review,
            "events": entry.events.select_related("actor"),
            # Filled rows without a verdict: approving needs a verdict on each, or the confirmation they count 0.
            "unjudged": workflow.unjudged_rows(entry) if entry.status == Innovation.Status.IN_REVIEW else [],
            "decision": decision or {},
        },
        status=status,
    )


@bappeda_required
def review_entry(request, pk):
    return _render_entry_review(request, _reviewed_entry(request, pk))


def _render_spd_review(request, profile: SpdProfile, posted: PostedRow | None = None, status: int = 200):
    rows, claimed, verified = _review_rows(profile, "SPD", posted)
    for row in rows:
        row["action"] = reverse("review_spd_verdict", args=[profile.cycle_id, row["indicator"].code])
        row["editable"] = row["answer"] is not None and row["answer"].level is not None
    return render(
        request,
        "registry/review_spd.html",
        {
            "profile": profile,
            "cycle": profile.cycle,
            "rows": rows,
            "claimed": claimed.score,
            "verified": verified.score,
        },
        status=status,
    )


@bappeda_required
def review_spd(request, pk):
    return _render_spd_review(request, _reviewed_spd(request, pk))


def _save_row_verdicts(posted: PostedRow, answer: Answer, *, by) -> None:
    """The row's item verdicts and its own verdict, all or nothing (both forms valid)."""
    with transaction.atomic():
        for item, review, note in posted.items_form.changed():
            workflow.record_evidence_verdict(item, by=by, review=review, note=note)
        verdict = posted.sent("verdict")
        if verdict:
            workflow.record_verdict(
                Answer.objects.select_related("innovation", "indicator").get(pk=answer.pk),
                by=by,
                verdict=verdict,
                level=posted.sent("level"),
                note=posted.sent("note", ""),
            )


def _item_label(item: Evidence) -> str:
    return item.original_name or item.url


@bappeda_required
@require_POST
def review_verdict(request, pk, code, kind):
    """The verdicts on one row of an entry (kind "innovation") or of the region's SPD profile ("spd")."""
    if kind == "innovation":
        owner = _reviewed_entry(request, pk)
        answers, page = Answer.objects.filter(innovation=owner), reverse("review_entry", args=[owner.pk])
    else:
        owner = _reviewed_spd(request, pk)
        answers, page = Answer.objects.filter(spd_profile=owner), reverse("review_spd", args=[owner.cycle_id])
    answer = get_object_or_404(answers.select_related("innovation", "indicator"), indicator__code=code)
    posted = PostedRow.of(request, answer)
    posted.error = posted.first_error()
    if not posted.error:
        try:
            _save_row_verdicts(posted, answer, by=request.user)
        except (workflow.TransitionRefused, workflow.StaleStatus) as refused:
            posted.error = str(refused)
    if posted.error:
        messages.error(request, f"{code}: {posted.error}")
        if kind == "innovation":
            owner.refresh_from_db()
            return _render_entry_review(request, owner, posted, status=400)
        return _render_spd_review(request, owner, posted, status=400)
    messages.success(request, _("%(code)s: verdicts saved.") % {"code": code})
    return redirect(f"{page}#row-{code}")


@bappeda_required
@require_POST
def review_evidence_public(request, pk):
    item = get_object_or_404(
        Evidence.objects.visible_to(request.user).select_related("answer__indicator"), pk=pk
    )
    answer = item.answer
    target = (
        reverse("review_entry", args=[answer.innovation_id])
        if answer.innovation_id
        else reverse("review_spd", args=[answer.spd_profile.cycle_id])
    )
    public = request.POST.get("public") == "1"
    try:
        workflow.set_evidence_public(item, by=request.user, public=public)
    except workflow.TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        message = (
            _("%(item)s is now shown in the public showcase once the entry is approved.")
            if public
            else _("%(item)s is no longer shown in the public showcase.")
        )
        messages.success(request, message % {"item": _item_label(item)})
    return redirect(f"{target}#row-{answer.indicator.code}")


@bappeda_required
@require_POST
def review_action(request, pk, action):
    entry = _reviewed_entry(request, pk)
    if action not in workflow.ACTIONS:
        return redirect("review_entry", pk=entry.pk)
    function, _target = workflow.ACTIONS[action]
    if request.POST.get("expected_status") != entry.status:
        messages.error(
            request, _("Somebody else changed this entry a moment ago. The page shows its current state now.")
        )
        return redirect("review_entry", pk=entry.pk)
    note = request.POST.get("note", "").strip()
    confirmed = request.POST.get("count_unjudged_as_zero") == "1"
    arguments = (
        {"note": note}
        if action == "request_revision"
        else {"note": note, "count_unjudged_as_zero": confirmed}
        if action == "approve"
        else {"reason": note}
        if action == "reject"
        else {}
    )
    try:
        function(entry, by=request.user, **arguments)
    except workflow.StaleStatus as stale:
        messages.error(request, str(stale))
    except workflow.TransitionRefused as refused:
        # Shown again with what the reviewer typed, so a refused decision loses nothing.
        messages.error(request, str(refused))
        entry.refresh_from_db()
        decision = {"note": request.POST.get("note", ""), "count_unjudged_as_zero": confirmed}
        return _render_entry_review(request, entry, status=400, decision=decision)
    else:
        messages.success(
            request, _("The entry is now %(status)s.") % {"status": entry.get_status_display().lower()}
        )
    return redirect("review_entry", pk=entry.pk)
