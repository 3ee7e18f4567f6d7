"""`manage.py setup_region`: put a region into service on an empty installation (idempotent)."""

import datetime
import smtplib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.invitations import invitation_link, send_invitation
from registry.onboarding import SetupError, setup_region

# With these backends nothing leaves the machine, so the printed link is the only way in.
UNDELIVERED_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("%(value)s is not a date of the form YYYY-MM-DD.") % {"value": value}) from error


class Command(BaseCommand):
    help = (
        "Set up a region: the region, its first administrator (a set-password link is printed and e-mailed), "
        "its agencies from a CSV file, and the year's measurement cycle. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Kemendagri code, e.g. 73.71 (a province: 73).")
        parser.add_argument("--name", required=True, help='e.g. "Kota Makassar".')
        parser.add_argument("--kind", required=True, help="kota, kabupaten or provinsi.")
        parser.add_argument("--admin-email", required=True, help="The first administrator's e-mail address.")
        parser.add_argument("--admin-name", default="", help="The administrator's full name.")
        parser.add_argument("--agencies", type=Path, help="CSV file code,name,kind,parent_code to import.")
        parser.add_argument(
            "--year", type=int, help="Measurement year of the first cycle (default: this year)."
        )
        parser.add_argument("--submission-opens", type=iso_date, help="YYYY-MM-DD (default: today).")
        parser.add_argument("--submission-closes", type=iso_date, help="YYYY-MM-DD (default: 31 August).")
        parser.add_argument("--review-closes", type=iso_date, help="YYYY-MM-DD (default: a month later).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        year = options["year"] or today.year
        agencies_csv = None
        if options["agencies"]:
            try:
                agencies_csv = options["agencies"].read_bytes()
            except OSError as error:
                raise CommandError(
                    _("Cannot read %(file)s: %(error)s")
                    % {"file": options["agencies"], "error": error.strerror}
                ) from error
        try:
            report = setup_region(
                code=options["code"],
                name=options["name"],
                kind=options["kind"].strip().lower(),
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                agencies_csv=agencies_csv,
                year=year,
                today=today,
                submission_opens=options["submission_opens"],
                submission_closes=options["submission_closes"],
                review_closes=options["review_closes"],
            )
        except SetupError as error:
            lines = [_("Nothing was changed. Problems found:")] + [
                f"  - {problem}" for problem in error.problems
            ]
            raise CommandError("\n".join(lines)) from error
        self.print_report(report)

    def print_report(self, report):
        region, cycle = report.region, report.cycle
        done = _("created") if report.region_created else _("already present")
        self.stdout.write(
            _("Region %(name)s (%(code)s): %(done)s.")
            % {"name": region.name, "code": region.code, "done": done}
        )
        for change in report.changes:
            self.stdout.write(f"  {change}")
        if report.agencies is not None:
            self.stdout.write(
                _("Agencies: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": len(report.agencies.created),
                    "updated": len(report.agencies.updated),
                    "unchanged": len(report.agencies.unchanged),
                }
            )
        done = _("opened") if report.cycle_created else _("already present")
        self.stdout.write(
            _(
                "Cycle %(year)s (%(edition)s): %(done)s; submissions %(opens)s – %(closes)s, review until %(review)s."
            )
            % {
                "year": cycle.year,
                "edition": cycle.edition,
                "done": done,
                "opens": date_format(cycle.submission_opens),
                "closes": date_format(cycle.submission_closes),
                "review": date_format(cycle.review_closes),
            }
        )
        if cycle.edition.year != cycle.year:
            self.stdout.write(
                _(
                    "No catalogue of %(year)s is loaded yet; the cycle uses the newest one. Load the new edition "
                    "at Catalogue when Kemendagri publishes it, then choose it in the cycle."
                )
                % {"year": cycle.year}
            )
        admin = report.admin
        self.stdout.write(
            _("Administrator: %(email)s (%(done)s).")
            % {"email": admin.email, "done": _("created") if report.admin_created else _("already present")}
        )
        if report.admin_needs_password:
            self.print_invitation(admin)
        else:
            self.stdout.write(
                _("The administrator has a password already (forgotten: use 'Forgot password').")
            )

    def print_invitation(self, admin):
        base_url = settings.REGISTRI_BASE_URL
        self.stdout.write(_("Link to choose the password (valid for three days):"))
        self.stdout.write(f"  {invitation_link(admin, base_url=base_url)}")
        if settings.EMAIL_BACKEND in UNDELIVERED_MAIL_BACKENDS:
            self.stdout.write(_("E-mail is not configured (DJANGO_EMAIL_*): hand the link over yourself."))
            return
        try:
            send_invitation(admin, invited_by=None, base_url=base_url)
        except (OSError, smtplib.SMTPException) as error:
            self.stderr.write(
                _("The e-mail to %(email)s could not be sent (%(error)s): hand the link over yourself.")
                % {"email": admin.email, "error": error}
            )
            return
        self.stdout.write(_("The link was also sent to %(email)s.") % {"email": admin.email})
