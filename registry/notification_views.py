"""A person's notifications: the list, which marks what it shows as read, and one-click reading."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from registry.models import Notification, unread_changed

PAGE_SIZE = 30


@login_required
def notification_list(request):
    notifications = (
        Notification.objects.filter(recipient=request.user)
        .select_related("innovation")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page keeps showing them as new; the next visit shows them as read.
    shown_unread = [notification.pk for notification in page if notification.read_at is None]
    if shown_unread:
        Notification.objects.filter(pk__in=shown_unread).unread().update(read_at=timezone.now())
        unread_changed([request.user.pk])
    return render(request, "registry/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    Notification.objects.filter(pk=notification.pk).unread().update(read_at=timezone.now())
    unread_changed([request.user.pk])
    if notification.innovation_id:
        return redirect("entry_detail", pk=notification.innovation_id)
    return redirect("entry_list")
