"""Bappeda's "Belum mengajukan" page: the agencies without an entry handed in for the current cycle, how a
reminder reaches each, and the reminders sent from it (one agency, or all at once)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.access import admin_required
from agencies.models import Agency
from registry.models import Cycle
from registry.notifications import (
    REACH_CONTACT,
    REACH_PEOPLE,
    UNREACHABLE,
    pending_with_reach,
    remind_pending,
)


def _current_cycle(user):
    return Cycle.objects.current_for(user.region) if user.region_id else None


@admin_required
def pending_list(request):
    cycle = _current_cycle(request.user)
    today = timezone.localdate()
    rows = []
    if cycle is not None:
        rows = list(pending_with_reach(cycle).select_related("parent").order_by("kind", "name"))
    for row in rows:
        row.reminded_today = (
            row.last_reminded_at is not None and timezone.localdate(row.last_reminded_at) == today
        )
    return render(
        request,
        "reports/pending.html",
        {
            "cycle": cycle,
            "closed": cycle is not None and cycle.submission_closes < today,
            "rows": rows,
            "counts": {
                reach: sum(1 for row in rows if row.reach == reach)
                for reach in (REACH_PEOPLE, REACH_CONTACT, UNREACHABLE)
            },
            "REACH_PEOPLE": REACH_PEOPLE,
            "REACH_CONTACT": REACH_CONTACT,
        },
    )


def _cycle_open_for_reminders(request):
    """The current cycle, or None after saying why no reminder may be sent."""
    cycle = _current_cycle(request.user)
    if cycle is None:
        raise Http404(_("The region has no measurement cycle yet."))
    if cycle.submission_closes < timezone.localdate():
        messages.error(
            request,
            _("Submissions closed on %(date)s; no reminder was sent.")
            % {"date": date_format(cycle.submission_closes, "j F Y")},
        )
        return None
    return cycle


@admin_required
@require_POST
def pending_remind(request, pk):
    agency = get_object_or_404(Agency.objects.filter(region_id=request.user.region_id), pk=pk)
    cycle = _cycle_open_for_reminders(request)
    if cycle is None:
        return redirect("pending_agencies")
    reminded = remind_pending(cycle, today=timezone.localdate(), agency_ids=[agency.pk])
    values = {"name": agency.name}
    if not reminded.agencies:
        messages.info(request, _("%(name)s has handed in its entry; no reminder was sent.") % values)
    elif reminded.unreachable:
        messages.warning(
            request,
            _("%(name)s has no active innovator and no contact e-mail: add a contact to reach it.") % values,
        )
    elif reminded.sent:
        messages.success(
            request,
            ngettext(
                "%(name)s was reminded: %(count)s e-mail sent.",
                "%(name)s was reminded: %(count)s e-mails sent.",
                reminded.sent,
            )
            % {**values, "count": reminded.sent},
        )
    else:
        messages.info(request, _("%(name)s was already reminded today; nothing was sent.") % values)
    return redirect("pending_agencies")


@admin_required
@require_POST
def pending_remind_all(request):
    cycle = _cycle_open_for_reminders(request)
    if cycle is None:
        return redirect("pending_agencies")
    reminded = remind_pending(cycle, today=timezone.localdate())
    if reminded.sent:
        messages.success(
            request,
            _(
                "Reminders sent: %(people)s to innovators and %(contacts)s to agency contacts; "
                "%(already)s addresses had already been reminded today."
            )
            % {
                "people": reminded.people,
                "contacts": reminded.contacts,
                "already": reminded.already_reminded,
            },
        )
    elif reminded.already_reminded:
        messages.info(request, _("Everyone was already reminded today; nothing was sent."))
    if reminded.unreachable:
        messages.warning(
            request,
            ngettext(
                "%(count)s agency has no active innovator and no contact e-mail and was not reached.",
                "%(count)s agencies have no active innovator and no contact e-mail and were not reached.",
                len(reminded.unreachable),
            )
            % {"count": len(reminded.unreachable)},
        )
    elif not reminded.sent and not reminded.already_reminded:
        messages.info(request, _("Every agency has handed in its entry; no reminder was sent."))
    return redirect("pending_agencies")
