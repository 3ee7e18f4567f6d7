"""Background work, run by the task backend of settings.TASKS (a database queue in production)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from registry.models import Notification


def notification_link(notification: Notification) -> str:
    """The absolute address of the page the notification is about: its entry, else the entry list."""
    base = getattr(settings, "REGISTRI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    if notification.innovation_id:
        return base + reverse("entry_detail", args=[notification.innovation_id])
    return base + reverse("entry_list")


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
