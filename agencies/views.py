import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.access import admin_required, ensure_admin
from agencies.filters import AgencyFilter, PersonFilter, parent_suggestions
from agencies.forms import AgencyForm, AgencyImportForm, PersonForm, RegionSetupForm
from agencies.importing import AgencyImportError, import_agencies
from agencies.invitations import send_invitation
from agencies.models import Agency, PasswordResetRequest, User
from agencies.throttling import account_lockouts, client_ip, password_reset_throttle_message, unlock_account

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


@login_required
def agency_list(request):
    agencies = (
        Agency.objects.visible_to(request.user)
        .select_related("parent")
        .annotate(people_count=Count("memberships", distinct=True))
        .order_by("kind", "name")
    )
    agency_filter = AgencyFilter(request.GET, queryset=agencies, region=request.user.region)
    page = Paginator(agency_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    suggestions = parent_suggestions(request.user, request.GET.get("parent", ""))
    return render(
        request,
        "agencies/agency_list.html",
        {"filter": agency_filter, "page": page, "parent_suggestions": suggestions},
    )


@login_required
def agency_parent_options(request):
    """The parent agencies matching what is typed in the list's filter: the <option>s of its suggestions."""
    suggestions = parent_suggestions(request.user, request.GET.get("parent", ""))
    return render(request, "agencies/parent_options.html", {"parent_suggestions": suggestions})


@login_required
def agency_detail(request, pk):
    agency = get_object_or_404(
        Agency.objects.visible_to(request.user).select_related("parent", "region"), pk=pk
    )
    children = agency.children.order_by("name")
    people = (
        agency.people.order_by("full_name")
        if request.user.is_bappeda
        else agency.people.filter(is_active=True)
    )
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "children": children,
            "people": people,
            "innovations": agency.innovations.select_related("cycle"),
        },
    )


@admin_required
def agency_create(request):
    form = AgencyForm(request.POST or None, region=request.user.region)
    if form.is_valid():
        agency = form.save()
        messages.success(request, _("Agency %(name)s was added.") % {"name": agency.name})
        return redirect("agency_detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form})


@login_required
def agency_edit(request, pk):
    agency = get_object_or_404(Agency.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    form = AgencyForm(request.POST or None, instance=agency, region=agency.region)
    if form.is_valid():
        form.save()
        messages.success(request, _("Agency %(name)s was saved.") % {"name": agency.name})
        return redirect("agency_detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": agency})


@login_required
@require_POST
def agency_set_active(request, pk):
    agency = get_object_or_404(Agency.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    agency.is_active = request.POST.get("active") == "1"
    agency.save(update_fields=["is_active", "updated_at"])
    if agency.is_active:
        messages.success(request, _("%(name)s is active again.") % {"name": agency.name})
    else:
        messages.success(request, _("%(name)s was deactivated; its history is kept.") % {"name": agency.name})
    return redirect("agency_detail", pk=agency.pk)


@login_required
@require_POST
def agency_delete(request, pk):
    agency = get_object_or_404(Agency.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    try:
        agency.delete()
    except ProtectedError:
        messages.error(
            request,
            _("%(name)s has submissions or sub-agencies and cannot be deleted; deactivate it instead.")
            % {"name": agency.name},
        )
        return redirect("agency_detail", pk=agency.pk)
    messages.success(request, _("Agency %(name)s was deleted.") % {"name": agency.name})
    return redirect("agency_list")


@admin_required
def agency_import(request):
    form = AgencyImportForm(request.POST or None, request.FILES or None)
    problems, report = [], None
    if form.is_valid():
        try:
            report = import_agencies(request.user.region, form.cleaned_data["file"].read())
        except AgencyImportError as error:
            problems = error.problems
        else:
            messages.success(request, report.summary())
    return render(
        request, "agencies/agency_import.html", {"form": form, "problems": problems, "report": report}
    )


@admin_required
def person_list(request):
    people = User.objects.visible_to(request.user).prefetch_related("agencies").order_by("full_name")
    person_filter = PersonFilter(request.GET, queryset=people)
    page = Paginator(person_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    lockouts = account_lockouts([person.email for person in page], now=timezone.now())
    for person in page:
        person.locked_until = lockouts.get(person.email)
    return render(request, "agencies/person_list.html", {"filter": person_filter, "page": page})


@admin_required
def person_invite(request):
    form = PersonForm(request.POST or None, region=request.user.region)
    if form.is_valid():
        form.instance.invited_by = request.user
        person = form.save()
        send_invitation(person, invited_by=request.user, base_url=request.build_absolute_uri("/"))
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": person.email})
        return redirect("person_list")
    return render(request, "agencies/person_form.html", {"form": form})


@login_required
def person_edit(request, pk):
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    form = PersonForm(
        request.POST or None,
        instance=person,
        region=person.region,
        initial={"agencies": person.agencies.all()},
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": person.full_name})
        return redirect("person_list")
    return render(request, "agencies/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_set_active(request, pk):
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    if person == request.user:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("person_list")
    person.is_active = request.POST.get("active") == "1"
    person.save(update_fields=["is_active"])
    if person.is_active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": person.full_name})
    else:
        messages.success(
            request, _("%(name)s was deactivated and can no longer sign in.") % {"name": person.full_name}
        )
    return redirect("person_list")


@login_required
@require_POST
def person_resend_invitation(request, pk):
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk, is_active=True)
    ensure_admin(request.user)
    send_invitation(person, invited_by=request.user, base_url=request.build_absolute_uri("/"))
    messages.success(request, _("The invitation was sent again to %(email)s.") % {"email": person.email})
    return redirect("person_list")


@login_required
@require_POST
def person_unlock(request, pk):
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    ensure_admin(request.user)
    removed = unlock_account(person.email)
    logger.info(
        "%s unlocked the sign-in of %s (%d attempt rows removed).", request.user.email, person.email, removed
    )
    messages.success(request, _("%(name)s can try to sign in again.") % {"name": person.full_name})
    return redirect("person_list")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, sending at most a few e-mails per address and per client address an hour."""

    def form_valid(self, form):
        now = timezone.now()
        retry_at = PasswordResetRequest.objects.admit(
            email=form.cleaned_data["email"], ip=client_ip(self.request), now=now
        )
        if retry_at is None:
            return super().form_valid(form)
        message = password_reset_throttle_message(retry_at, now)
        context = {"title": self.title, "throttle_message": message}
        return render(self.request, "registration/password_reset_done.html", context, status=429)


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: the same signed token as a password reset, worded as a welcome."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("invitation_done")
    title = gettext_lazy("Set your password")


class InvitationDoneView(auth_views.PasswordResetCompleteView):
    template_name = "registration/invitation_done.html"
    title = gettext_lazy("Your account is ready")


@login_required
def region_setup(request):
    if request.user.region_id is not None:
        return redirect("home")
    form = RegionSetupForm(request.POST or None)
    if form.is_valid():
        region = form.save(request.user)
        messages.success(
            request,
            _("You are now the administrator of %(region)s. Next: import its agencies and open a cycle.")
            % {"region": region.name},
        )
        return redirect("home")
    return render(request, "agencies/region_setup.html", {"form": form})
