"""Who may do what with agencies and people.

Innovators see only their own agencies; reviewers see their whole region; admins manage it.
Another agency's object is reached through a queryset that does not hold it, so it gives 404:
we do not reveal that it exists. 403 is kept for pages a signed-in user may not use at all.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def role_required(predicate, reason):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied(reason())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _only_admins():
    return _("Only administrators may do this.")


admin_required = role_required(lambda user: user.is_admin, _only_admins)


def ensure_admin(user) -> None:
    """For a view that has already fetched its object through `visible_to`: seen, but not changeable."""
    if not user.is_admin:
        raise PermissionDenied(_only_admins())


bappeda_required = role_required(
    lambda user: user.is_bappeda, lambda: _("Only Bappeda reviewers and administrators may open this page.")
)
