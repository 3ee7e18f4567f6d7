"""Background work, run by the task backend of settings.TASKS (a database queue in production)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tasks import task

from agencies.models import User
from registry.models import Notification, ReminderDelivery


def absolute_url(path: str) -> str:
    """`path` on the registry's public address (a task has no request to build it from)."""
    return getattr(settings, "REGISTRI_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def notification_link(notification: Notification) -> str:
    """The absolute address of the page the notification is about: its entry, else the entry list."""
    if notification.innovation_id:
        return absolute_url(reverse("entry_detail", args=[notification.innovation_id]))
    return absolute_url(reverse("entry_list"))


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient, once. Returns whether a mail was sent."""
    notification = (
        Notification.objects.select_related("recipient", "innovation").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        return False
    context = {"notification": notification, "recipient": recipient, "link": notification_link(notification)}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("registry/email/notification_subject.txt", context).split())
        body = render_to_string("registry/email/notification.txt", context)
    # Claim the row first: of two workers running the same task, only one sends.
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        send_mail(subject, body, None, [recipient.email])
    except Exception:
        # Leave it unsent, so a retry of the task may deliver it.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


@task()
def send_reminder_email(delivery_id: int) -> bool:
    """E-mail a submission reminder to an agency's contact address (nobody there has an account), once.

    In Indonesian: the agencies, the deadline, the sign-in link, and whom at Bappeda to ask for an account.
    """
    delivery = (
        ReminderDelivery.objects.select_related("cycle__region")
        .filter(pk=delivery_id, recipient__isnull=True)
        .first()
    )
    if delivery is None or delivery.emailed_at is not None:
        return False
    cycle = delivery.cycle
    admins = User.objects.admins_of(cycle.region_id).order_by("full_name")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "agencies": [agency.name for agency in delivery.agencies.order_by("name")],
            "cycle": cycle,
            "region": cycle.region,
            "deadline": date_format(cycle.submission_closes, "j F Y"),
            "message": delivery.message,
            "login_link": absolute_url(reverse("login")),
            "admins": [(admin.full_name, admin.email) for admin in admins],
        }
        subject = " ".join(render_to_string("registry/email/reminder_contact_subject.txt", context).split())
        body = render_to_string("registry/email/reminder_contact.txt", context)
    # Claim the row first: of two workers running the same task, only one sends.
    claimed = ReminderDelivery.objects.filter(pk=delivery.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        send_mail(subject, body, None, [delivery.address])
    except Exception:
        # Leave it unsent, so a retry of the task may deliver it.
        ReminderDelivery.objects.filter(pk=delivery.pk).update(emailed_at=None)
        raise
    return True
