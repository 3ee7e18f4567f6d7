"""A region's first run: the region, its first administrator, its agencies and the year's cycle.

`setup_region` is what `manage.py setup_region` does; it is idempotent (running it again with the same
arguments changes nothing) and all or nothing (any problem is reported and nothing is written).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.importing import AgencyImportError, ImportReport, ProblemsError, import_agencies
from agencies.models import Region, Role, User
from registry.models import Cycle
from scoring.models import Edition

# The national submission deadline has fallen in August in recent years (22 August 2024).
DEFAULT_SUBMISSION_CLOSE = (8, 31)
SHORTEST_FIRST_WINDOW = datetime.timedelta(days=60)
REVIEW_AFTER_SUBMISSION = datetime.timedelta(days=30)


class SetupError(ProblemsError):
    pass


@dataclass
class SetupReport:
    region: Region
    region_created: bool
    admin: User
    admin_created: bool
    cycle: Cycle
    cycle_created: bool
    agencies: ImportReport | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def admin_needs_password(self) -> bool:
        return not self.admin.has_usable_password()


@dataclass(frozen=True)
class Windows:
    submission_opens: datetime.date
    submission_closes: datetime.date
    review_opens: datetime.date
    review_closes: datetime.date


def default_windows(year: int, today: datetime.date) -> Windows:
    """Submissions open today (or on 1 January of a later year) and close at the end of August, or two
    months later when that is too soon; review runs alongside and a month beyond. Editable afterwards."""
    opens = max(today, datetime.date(year, 1, 1))
    closes = datetime.date(year, *DEFAULT_SUBMISSION_CLOSE)
    if closes < opens + SHORTEST_FIRST_WINDOW:
        closes = opens + SHORTEST_FIRST_WINDOW
    return Windows(opens, closes, opens, closes + REVIEW_AFTER_SUBMISSION)


def chosen_windows(year, today, submission_opens, submission_closes, review_closes) -> Windows:
    """The default windows, with the dates given in their place; a later date moves with an earlier one."""
    default = default_windows(year, today)
    opens = submission_opens or default.submission_opens
    closes = submission_closes or max(default.submission_closes, opens + SHORTEST_FIRST_WINDOW)
    if submission_opens is None and submission_closes is not None:
        opens = min(opens, closes)
    return Windows(opens, closes, opens, review_closes or closes + REVIEW_AFTER_SUBMISSION)


def edition_for_year(year: int) -> Edition | None:
    """The newest national catalogue edition of the year, or of the latest earlier year when none is loaded yet.

    National: a new region has no edition of its own, and another region's upload is not its to use.
    """
    return (
        Edition.objects.national()
        .filter(year__lte=year)
        .defer("source_text")
        .order_by("-year", "-version")
        .first()
    )


def check_arguments(*, code: str, name: str, kind: str, admin_email: str, year: int) -> list[str]:
    problems = []
    if kind not in Region.Kind.values:
        problems.append(
            _("Unknown region kind %(kind)s: use one of %(choices)s.")
            % {"kind": kind, "choices": ", ".join(Region.Kind.values)}
        )
    code_problem = Region.code_problem(code, kind)
    if code_problem:
        problems.append(code_problem)
    if not name.strip():
        problems.append(_("The region name is empty."))
    elif len(name) > Region._meta.get_field("name").max_length:
        problems.append(_("The region name is too long."))
    try:
        validate_email(admin_email)
    except ValidationError:
        problems.append(_("%(email)s is not a valid e-mail address.") % {"email": admin_email})
    if not 2000 <= year <= 2100:
        problems.append(_("%(year)s is not a plausible measurement year.") % {"year": year})
    return problems


def setup_region(
    *,
    code: str,
    name: str,
    kind: str,
    admin_email: str,
    admin_name: str = "",
    agencies_csv: bytes | None = None,
    year: int,
    today: datetime.date,
    submission_opens: datetime.date | None = None,
    submission_closes: datetime.date | None = None,
    review_closes: datetime.date | None = None,
) -> SetupReport:
    """Create (or find) the region, its administrator, its agencies and its cycle for `year`.

    Raises SetupError listing every problem; then nothing has been written.
    """
    code, name, admin_email = code.strip(), " ".join(name.split()), admin_email.strip().lower()
    problems = check_arguments(code=code, name=name, kind=kind, admin_email=admin_email, year=year)
    edition = edition_for_year(year)
    if edition is None:
        problems.append(
            _("No catalogue edition of %(year)s or earlier is loaded: run `python manage.py migrate` first.")
            % {"year": year}
        )
    windows = None
    if not problems:
        windows = chosen_windows(year, today, submission_opens, submission_closes, review_closes)
        if windows.submission_closes < windows.submission_opens:
            problems.append(_("Submissions cannot close before they open."))
        if windows.review_closes < windows.submission_closes:
            problems.append(_("Review cannot close before submissions close."))
    existing_admin = User.objects.filter(email__iexact=admin_email).select_related("region").first()
    if existing_admin and existing_admin.region is not None and existing_admin.region.code != code:
        problems.append(
            _(
                "%(email)s already belongs to %(region)s; choose another address for this region's administrator."
            )
            % {"email": admin_email, "region": existing_admin.region.name}
        )
    if problems:
        raise SetupError(problems)
    try:
        with transaction.atomic():
            return _apply(
                code=code,
                name=name,
                kind=kind,
                admin_email=admin_email,
                admin_name=admin_name.strip() or _("Administrator %(region)s") % {"region": name},
                agencies_csv=agencies_csv,
                year=year,
                edition=edition,
                windows=windows,
            )
    except AgencyImportError as error:
        raise SetupError([_("The agency file was not imported:"), *error.problems]) from error


def _apply(*, code, name, kind, admin_email, admin_name, agencies_csv, year, edition, windows) -> SetupReport:
    changes = []
    region, region_created = Region.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    if not region_created and (region.name, region.kind) != (name, kind):
        changes.append(
            _("Region %(code)s renamed from %(old)s to %(new)s.")
            % {"code": code, "old": f"{region.name} ({region.kind})", "new": f"{name} ({kind})"}
        )
        region.name, region.kind = name, kind
        region.save(update_fields=["name", "kind"])

    admin = User.objects.filter(email__iexact=admin_email).first()
    admin_created = admin is None
    if admin_created:
        admin = User.objects.create_user(
            email=admin_email, full_name=admin_name, role=Role.ADMIN, region=region, is_staff=True
        )
    elif admin.region_id != region.pk or admin.role != Role.ADMIN or not admin.is_active:
        changes.append(
            _("%(email)s is now an active administrator of %(region)s.")
            % {"email": admin_email, "region": name}
        )
        admin.region, admin.role, admin.is_active = region, Role.ADMIN, True
        admin.save(update_fields=["region", "role", "is_active"])

    agencies = import_agencies(region, agencies_csv) if agencies_csv is not None else None

    cycle, cycle_created = Cycle.objects.get_or_create(
        region=region,
        year=year,
        defaults={
            "edition": edition,
            "submission_opens": windows.submission_opens,
            "submission_closes": windows.submission_closes,
            "review_opens": windows.review_opens,
            "review_closes": windows.review_closes,
        },
    )
    return SetupReport(
        region=region,
        region_created=region_created,
        admin=admin,
        admin_created=admin_created,
        cycle=cycle,
        cycle_created=cycle_created,
        agencies=agencies,
        changes=changes,
    )
