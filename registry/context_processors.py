from django.utils.functional import SimpleLazyObject

from registry.models import unread_count


def unread_notifications(request):
    """The signed-in person's unread notification count, for the badge in the navigation bar.

    Lazy: the COUNT runs only on pages that show it, not on HTMX fragments.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_count(user.pk))}
