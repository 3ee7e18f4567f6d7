import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agencies.access import admin_required, ensure_admin
from agencies.models import Agency
from registry.entries import AgencyEntries, entries_by_agency
from registry.forms import CycleForm
from registry.models import Cycle, EditionChangeRefused

logger = logging.getLogger(__name__)


@login_required
def home(request):
    user = request.user
    cycle = Cycle.objects.current_for(user.region) if user.region_id else None
    context = {"cycle": cycle}
    if user.is_bappeda:
        context["compliance"] = cycle.compliance_by_kind() if cycle else []
        context["agency_count"] = Agency.objects.visible_to(user).active().count()
        context["setting_up"] = not context["agency_count"] or cycle is None
    else:
        agencies = list(Agency.objects.visible_to(user).select_related("parent").order_by("name"))
        if cycle:
            context["agency_rows"] = entries_by_agency(agencies, cycle)
        else:
            context["agency_rows"] = [AgencyEntries(agency, None, []) for agency in agencies]
    return render(request, "registry/home.html", context)


@admin_required
def cycle_list(request):
    cycles = Cycle.objects.visible_to(request.user).select_related("edition").order_by("-year")
    return render(request, "registry/cycle_list.html", {"cycles": cycles})


@admin_required
def cycle_create(request):
    form = CycleForm(request.POST or None, region=request.user.region)
    if form.is_valid():
        cycle = form.save()
        messages.success(request, _("Cycle %(year)s was created.") % {"year": cycle.year})
        return redirect("cycle_list")
    return render(request, "registry/cycle_form.html", {"form": form})


@login_required
def cycle_edit(request, pk):
    cycle = get_object_or_404(Cycle.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    form = CycleForm(request.POST or None, instance=cycle, region=cycle.region)
    if form.is_valid():
        try:
            form.save()
        except EditionChangeRefused as refused:
            form.add_error("edition", str(refused))
        else:
            messages.success(request, _("Cycle %(year)s was saved.") % {"year": cycle.year})
            return redirect("cycle_list")
    return render(request, "registry/cycle_form.html", {"form": form, "cycle": cycle})


@never_cache
def health(request):
    """For the load balancer and monitoring: 200 when the database answers, 503 when it does not.

    The cause goes to the log, not to the caller (who is anonymous: without a database nobody is signed in).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.error("Health check: the database does not answer", exc_info=True)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
