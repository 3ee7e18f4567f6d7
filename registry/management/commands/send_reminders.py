import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.models import Region
from registry.models import Cycle
from registry.notifications import remind_pending, reminder_due


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("%(value)s is not a date (use YYYY-MM-DD).") % {"value": value}) from error


class Command(BaseCommand):
    help = (
        "Remind the agencies that have not submitted their innovation (their innovators, else their contact "
        "e-mail), when the cycle's submissions close within --days days. The worker does it every day by "
        "itself; safe to run several times a day (one reminder a day per address)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Measurement year of the cycle.")
        parser.add_argument("--region", help="Region code; every region with a cycle that year if omitted.")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REGISTRI_REMINDER_DAYS,
            help="Remind from this many days before closing (REGISTRI_REMINDER_DAYS).",
        )
        parser.add_argument("--today", type=iso_date, help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *, year, region, days, today, **options):
        if days < 0:
            raise CommandError(_("--days cannot be negative."))
        today = today or timezone.localdate()
        cycles = Cycle.objects.filter(year=year).select_related("region").order_by("region__name")
        if region:
            if not Region.objects.filter(code=region).exists():
                raise CommandError(_("There is no region with code %(code)s.") % {"code": region})
            cycles = cycles.filter(region__code=region)
        cycles = list(cycles)
        if not cycles:
            raise CommandError(_("There is no cycle for %(year)s.") % {"year": year})
        for cycle in cycles:
            values = {
                "region": cycle.region.name,
                "year": cycle.year,
                "date": date_format(cycle.submission_closes, "j F Y"),
            }
            if not reminder_due(cycle, today=today, days=days):
                self.stdout.write(
                    _("%(region)s %(year)s: submissions close on %(date)s; no reminder is due.") % values
                )
                continue
            reminded = remind_pending(cycle, today=today)
            self.stdout.write(
                _(
                    "%(region)s %(year)s: submissions close on %(date)s. %(agencies)s agencies have not "
                    "submitted; %(people)s people and %(contacts)s agency contacts reminded, %(already)s "
                    "addresses already reminded today."
                )
                % {
                    **values,
                    "agencies": reminded.agencies,
                    "people": reminded.people,
                    "contacts": reminded.contacts,
                    "already": reminded.already_reminded,
                }
            )
            if reminded.unreachable:
                self.stdout.write(
                    _("Unreachable (no active innovator, no contact e-mail): %(agencies)s.")
                    % {"agencies": ", ".join(reminded.unreachable)}
                )
