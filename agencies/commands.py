"""What several apps' management commands share about agencies: choosing the region a command works on."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from agencies.models import Region


def resolve_region(code: str | None) -> Region:
    """The region with this code, or the only region when no code is given; else a CommandError saying why."""
    if code:
        try:
            return Region.objects.get(code=code)
        except Region.DoesNotExist as error:
            raise CommandError(_("No region with code %(code)s.") % {"code": code}) from error
    regions = list(Region.objects.all()[:2])
    if not regions:
        raise CommandError(
            _("No region exists yet. Run `python manage.py seed_demo` or create one in the admin.")
        )
    if len(regions) > 1:
        raise CommandError(_("Several regions exist: choose one with --region followed by its code."))
    return regions[0]
