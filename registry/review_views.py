"""Bappeda reviews entries: the queue, the per-row verdicts, and the workflow's moves."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import bappeda_required
from agencies.models import User
from registry import workflow
from registry.filters import ReviewQueueFilter
from registry.models import Answer, Cycle, Evidence, Innovation
from scoring.collect import gather_answers
from scoring.index import InnovationInput, kematangan
from scoring.models import IndicatorOption

PAGE_SIZE = 50


@bappeda_required
def review_queue(request):
    cycle = Cycle.objects.current_for(request.user.region)
    entries = Innovation.objects.none()
    mandatory_count = 0
    if cycle:
        mandatory_count = cycle.edition.indicators.filter(part="SID", mandatory=True).count()
        entries = (
            Innovation.objects.filter(cycle=cycle)
            .exclude(status=Innovation.Status.DRAFT)
            .select_related("agency", "agency__parent", "assigned_reviewer")
            .order_by("-submitted_at", "pk")
        )
    queue = ReviewQueueFilter(
        request.GET or None, queryset=entries, region=request.user.region, mandatory_count=mandatory_count
    )
    page = Paginator(queue.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    filled = dict(
        Answer.objects.filter(
            innovation__in=[entry.pk for entry in page], level__isnull=False, evidence__isnull=False
        )
        .values("innovation")
        .annotate(rows=Count("indicator", distinct=True))
        .values_list("innovation", "rows")
    )
    rows = [(entry, filled.get(entry.pk, 0)) for entry in page]
    reviewers = queue.filters["reviewer"].queryset
    return render(
        request,
        "registry/review_queue.html",
        {"cycle": cycle, "filter": queue, "page": page, "rows": rows, "reviewers": reviewers},
    )


@bappeda_required
@require_POST
def review_assign(request):
    reviewer = None
    if request.POST.get("reviewer"):
        reviewer = get_object_or_404(
            User.objects.filter(region=request.user.region, is_active=True, role__in=["reviewer", "admin"]),
            pk=request.POST["reviewer"],
        )
    ids = [value for value in request.POST.getlist("entries") if value.isdigit()]
    assigned = Innovation.objects.filter(pk__in=ids, cycle__region=request.user.region).update(
        assigned_reviewer=reviewer
    )
    if not ids:
        messages.warning(request, _("Tick the entries to assign first."))
    elif reviewer:
        messages.success(
            request,
            _("%(count)s entries assigned to %(name)s.") % {"count": assigned, "name": reviewer.full_name},
        )
    else:
        messages.success(request, _("%(count)s entries are no longer assigned.") % {"count": assigned})
    return redirect(f"{reverse('review_queue')}?{request.POST.get('query', '')}")


def _reviewed_entry(request, pk) -> Innovation:
    return get_object_or_404(
        Innovation.objects.visible_to(request.user).select_related(
            "agency", "cycle__edition", "assigned_reviewer"
        ),
        pk=pk,
    )


@bappeda_required
def review_entry(request, pk):
    entry = _reviewed_entry(request, pk)
    edition, answers_by_code = gather_answers(entry)
    item = InnovationInput(key=str(entry.pk), name=entry.name, answers=answers_by_code)
    claimed, verified = kematangan(edition, item, verified=False), kematangan(edition, item, verified=True)
    indicators = (
        entry.cycle.edition.indicators.filter(part="SID")
        .order_by("position")
        .prefetch_related(Prefetch("options", queryset=IndicatorOption.objects.order_by("position")))
    )
    answers = {
        answer.indicator_id: answer
        for answer in Answer.objects.filter(innovation=entry).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at"))
        )
    }
    request_event = workflow.last_revision_request(entry)
    changed = {}
    if request_event and entry.status in (Innovation.Status.RESUBMITTED, Innovation.Status.IN_REVIEW):
        changed = workflow.changes_since(request_event.snapshot, workflow.answers_snapshot(entry))
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
        rows.append(
            {
                "indicator": indicator,
                "answer": answer,
                "chosen": chosen,
                "claimed": scores[indicator.code][0],
                "verified": scores[indicator.code][1],
                "change": changed.get(indicator.code),
                "levels": range((answer.level or 0) + 1) if answer else range(1),
            }
        )
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
            "under_review": entry.status in workflow.UNDER_REVIEW,
            "events": entry.events.select_related("actor"),
        },
    )


@bappeda_required
@require_POST
def review_verdict(request, pk, code):
    entry = _reviewed_entry(request, pk)
    answer = get_object_or_404(
        Answer.objects.select_related("innovation"), innovation=entry, indicator__code=code
    )
    level = request.POST.get("level")
    try:
        workflow.record_verdict(
            answer,
            by=request.user,
            verdict=request.POST.get("verdict", ""),
            level=int(level) if level and level.isdigit() else None,
            note=request.POST.get("note", ""),
        )
    except (workflow.TransitionRefused, workflow.StaleStatus) as refused:
        messages.error(request, f"{code}: {refused}")
    else:
        messages.success(request, _("%(code)s: verdict saved.") % {"code": code})
    return redirect(f"{reverse('review_entry', args=[entry.pk])}#row-{code}")


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
    arguments = (
        {"note": note}
        if action in ("request_revision", "approve")
        else {"reason": note}
        if action == "reject"
        else {}
    )
    try:
        function(entry, by=request.user, **arguments)
    except (workflow.TransitionRefused, workflow.StaleStatus) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("The entry is now %(status)s.") % {"status": entry.get_status_display().lower()}
        )
    return redirect("review_entry", pk=entry.pk)
