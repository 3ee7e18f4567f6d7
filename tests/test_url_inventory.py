"""Every URL pattern of the project, tried by the three people who must not get in.

The table ACCESS below names, for each pattern, what an anonymous visitor, an innovator of another agency of the
same region (outsider) and a reviewer of another region (foreign) must get on region A's objects: the login page,
404 (the object's existence is not revealed), 403 (a page the person may not use at all), or 200 for what is
public (the showcase, health, login) or the person's own page. A new pattern without a row fails
`test_every_url_pattern_has_an_access_row`, so whoever adds a URL says who may use it.

Each row is then requested for real, against objects that exist (a second region with its own cycle, entries,
evidence, SPD profile, hand-off package, notification): first by the three, whose requests must change nothing
in region A and leak none of its secret text, then by the rightful person, whose success proves that the URL's
arguments point at real objects (a 404 from a mistyped id would prove nothing). Every signed-in response also
carries `Cache-Control: no-store` and every HTML page a Content-Security-Policy (issue 13).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import Agency, Region, Role, User
from registry.models import Answer, Cycle, Evidence, Innovation, Notification, ReviewEvent, SpdProfile
from reports.models import HandoffPackage, OfficialResult
from scoring.models import Edition
from tests.conftest import PDF, client_for, cycle_like, make_answer, make_cycle, make_person, stored_pdf

pytestmark = pytest.mark.django_db

# What a request must get. LOGIN: a redirect to the login page; REDIRECT: a redirect elsewhere (a signed-in
# person sent home, an action done on the person's own region).
LOGIN, REDIRECT = "login", "redirect"
# Region A's text that none of the three may see on any page or file they get.
SECRET = "rahasia-a"
# Skipped: Django's admin (its own permission system, staff only) and the language switch (no data behind it).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}


@dataclass
class Access:
    """One pattern: how it is requested and what each person must get."""

    method: str
    anonymous: int | str
    outsider: int | str
    foreign: int | str
    rightful: str | None  # who may use it: owner, reviewer, admin, anonymous; None when nobody in this world
    kwargs: Callable = lambda w: {}
    data: Callable = lambda w: {}
    query: str = ""
    rightful_gets: tuple = (200, REDIRECT)


@dataclass
class World:
    region: Region
    cycle: Cycle
    agency: Agency
    spare_agency: Agency
    owner: User
    reviewer: User
    admin: User
    entry: Innovation
    approved: Innovation
    link: Evidence
    file: Evidence
    public_file: Evidence
    spd_link: Evidence
    package: HandoffPackage
    notification: Notification
    official: OfficialResult
    edition: Edition
    people: dict = field(default_factory=dict)


def entry_pk(w):
    return {"pk": w.entry.pk}


def entry_row(w):
    return {"pk": w.entry.pk, "code": "SID-16"}


def spd_row(w):
    return {"pk": w.cycle.pk, "code": "SPD-01"}


def link_data(w):
    return {
        "url": "https://evil.example/x.pdf",
        "document_number": "1",
        "document_date": "2023-01-02",
        "subject": "Perwali",
    }


def entry_verdict(w):
    return {"verdict": "sesuai", f"item-{w.link.pk}": "accepted", f"item-{w.file.pk}": "accepted"}


def spd_verdict(w):
    return {"verdict": "sesuai", f"item-{w.spd_link.pk}": "accepted"}


def official_upload(w):
    text = "region_code,year,iid_verified\n73.72,2021,49.63\n"
    return {"file": SimpleUploadedFile("hasil.csv", text.encode(), content_type="text/csv")}


def uid(w):
    return urlsafe_base64_encode(force_bytes(w.owner.pk))


ACCESS: dict[str, Access] = {
    # registry
    "home": Access("GET", LOGIN, 200, 200, "owner"),
    "health": Access("GET", 200, 200, 200, "anonymous"),
    "cycle_list": Access("GET", LOGIN, 403, 403, "admin"),
    "cycle_create": Access("GET", LOGIN, 403, 403, "admin"),
    "cycle_edit": Access(
        "POST", LOGIN, 403, 404, "admin", lambda w: {"pk": w.cycle.pk}, lambda w: {"year": 2031}
    ),
    "entry_list": Access("GET", LOGIN, 200, 200, "owner"),
    "entry_start": Access(
        "POST", LOGIN, 404, 404, "owner", lambda w: {"agency_pk": w.agency.pk}, lambda w: {"name": "Baru"}
    ),
    "entry_detail": Access("GET", LOGIN, 404, 404, "owner", entry_pk),
    "entry_profile": Access(
        "POST",
        LOGIN,
        404,
        404,
        "owner",
        entry_pk,
        lambda w: {"version": 1, "name": "Diubah", "stage": "uji_coba"},
    ),
    "entry_submit": Access("POST", LOGIN, 404, 404, "owner", entry_pk),
    "entry_attachment": Access(
        "GET", LOGIN, 404, 404, "owner", lambda w: {"pk": w.entry.pk, "field": "budget_file"}
    ),
    "entry_indicator": Access(
        "POST", LOGIN, 404, 404, "owner", entry_row, lambda w: {"version": 1, "option": "1"}
    ),
    "entry_evidence_add": Access("POST", LOGIN, 404, 404, "owner", entry_row, link_data),
    # Approved innovations are open to every region to learn from (Innovation.objects.replicable_for).
    "replication_list": Access("GET", LOGIN, 200, 200, "owner"),
    "replication_detail": Access("GET", LOGIN, 200, 200, "reviewer", lambda w: {"pk": w.approved.pk}),
    # Replicating into region A's agency, which neither may act for.
    "replication_start": Access(
        "POST", LOGIN, 404, 404, None, lambda w: {"pk": w.approved.pk}, lambda w: {"agency": w.agency.pk}
    ),
    "spd_detail": Access("GET", LOGIN, 404, 404, "reviewer", lambda w: {"pk": w.cycle.pk}),
    "spd_indicator": Access(
        "POST", LOGIN, 404, 404, "reviewer", spd_row, lambda w: {"version": 1, "option": "1"}
    ),
    # SPD-01 takes files only: the rightful reviewer's link is refused by the form, so the view was reached.
    "spd_evidence_add": Access("POST", LOGIN, 404, 404, "reviewer", spd_row, link_data, rightful_gets=(422,)),
    "review_queue": Access("GET", LOGIN, 403, 200, "reviewer"),
    # Assigning to region A's reviewer: the foreign reviewer's assignments stay in their own region.
    "review_assign": Access(
        "POST",
        LOGIN,
        403,
        404,
        "reviewer",
        data=lambda w: {"entries": [w.entry.pk], "reviewer": w.reviewer.pk},
    ),
    "review_entry": Access("GET", LOGIN, 403, 404, "reviewer", entry_pk),
    "review_verdict": Access("POST", LOGIN, 403, 404, "reviewer", entry_row, entry_verdict),
    "review_spd": Access("GET", LOGIN, 403, 404, "reviewer", lambda w: {"pk": w.cycle.pk}),
    "review_spd_verdict": Access("POST", LOGIN, 403, 404, "reviewer", spd_row, spd_verdict),
    "review_evidence_public": Access(
        "POST", LOGIN, 403, 404, "reviewer", lambda w: {"pk": w.file.pk}, lambda w: {"public": "1"}
    ),
    "review_action": Access(
        "POST",
        LOGIN,
        403,
        404,
        "reviewer",
        lambda w: {"pk": w.entry.pk, "action": "start_review"},
        lambda w: {"expected_status": "submitted"},
    ),
    "evidence_file": Access("GET", LOGIN, 404, 404, "owner", lambda w: {"pk": w.file.pk}),
    "evidence_delete": Access("POST", LOGIN, 404, 404, "owner", lambda w: {"pk": w.link.pk}),
    "notification_list": Access("GET", LOGIN, 200, 200, "owner"),
    "notification_read": Access("POST", LOGIN, 404, 404, "owner", lambda w: {"pk": w.notification.pk}),
    # agencies
    "agency_list": Access("GET", LOGIN, 200, 200, "owner"),
    "agency_parent_options": Access("GET", LOGIN, 200, 200, "owner"),
    "agency_create": Access("GET", LOGIN, 403, 403, "admin"),
    "agency_import": Access("GET", LOGIN, 403, 403, "admin"),
    "agency_detail": Access("GET", LOGIN, 404, 404, "owner", lambda w: {"pk": w.agency.pk}),
    "agency_edit": Access(
        "POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.agency.pk}, lambda w: {"name": "Diubah"}
    ),
    "agency_set_active": Access(
        "POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.agency.pk}, lambda w: {"active": "0"}
    ),
    "agency_delete": Access("POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.spare_agency.pk}),
    # A person with a region is sent home; the page is for a superuser without one.
    "region_setup": Access(
        "POST", LOGIN, REDIRECT, REDIRECT, None, data=lambda w: {"code": "73.99", "name": "Kota Baru"}
    ),
    "person_list": Access("GET", LOGIN, 403, 403, "admin"),
    "person_invite": Access("GET", LOGIN, 403, 403, "admin"),
    "person_edit": Access(
        "POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.owner.pk}, lambda w: {"full_name": "Diubah"}
    ),
    "person_set_active": Access(
        "POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.owner.pk}, lambda w: {"active": "0"}
    ),
    "person_resend_invitation": Access("POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.owner.pk}),
    "person_unlock": Access("POST", LOGIN, 404, 404, "admin", lambda w: {"pk": w.owner.pk}),
    "login": Access("GET", 200, REDIRECT, REDIRECT, "anonymous"),
    "logout": Access("POST", LOGIN, LOGIN, LOGIN, "owner", rightful_gets=(LOGIN,)),
    "password_change": Access("GET", LOGIN, 200, 200, "owner"),
    "password_change_done": Access("GET", LOGIN, 200, 200, "owner"),
    "password_reset": Access("GET", 200, 200, 200, "anonymous"),
    "password_reset_done": Access("GET", 200, 200, 200, "anonymous"),
    # With a token that is not the owner's, the page only says the link is invalid.
    "password_reset_confirm": Access(
        "GET", 200, 200, 200, "anonymous", lambda w: {"uidb64": uid(w), "token": "set-password"}
    ),
    "password_reset_complete": Access("GET", 200, 200, 200, "anonymous"),
    "invitation_accept": Access(
        "GET", 200, 200, 200, "anonymous", lambda w: {"uidb64": uid(w), "token": "set-password"}
    ),
    "invitation_done": Access("GET", 200, 200, 200, "anonymous"),
    # scoring: the shipped catalogue is every region's, an edition uploaded by region A only its own
    "edition_list": Access("GET", LOGIN, 403, 200, "reviewer"),
    "edition_upload": Access("GET", LOGIN, 403, 403, "admin"),
    "edition_detail": Access("GET", LOGIN, 403, 404, "reviewer", lambda w: {"pk": w.edition.pk}),
    # reports: the foreign reviewer gets their own region's reports, never region A's
    "dashboard": Access("GET", LOGIN, 403, 200, "reviewer"),
    "compliance_board": Access("GET", LOGIN, 403, 200, "reviewer"),
    "compliance_export": Access("GET", LOGIN, 403, 200, "reviewer", lambda w: {"fmt": "csv"}),
    "export_log": Access("GET", LOGIN, 403, 200, "reviewer"),
    # reports: the agencies that have not submitted, and reminding them; administrators only
    "pending_agencies": Access("GET", LOGIN, 403, 403, "admin"),
    "pending_remind": Access("POST", LOGIN, 403, 403, "admin", lambda w: {"pk": w.agency.pk}),
    "pending_remind_all": Access("POST", LOGIN, 403, 403, "admin"),
    "handoff": Access("GET", LOGIN, 403, 200, "reviewer"),
    "handoff_request": Access("POST", LOGIN, 403, REDIRECT, "reviewer", data=lambda w: {"tahun": "2024"}),
    "handoff_progress": Access("GET", LOGIN, 403, 404, "reviewer", lambda w: {"pk": w.package.pk}),
    "handoff_workbook": Access("GET", LOGIN, 403, 404, "reviewer", lambda w: {"pk": w.package.pk}),
    "handoff_archive": Access("GET", LOGIN, 403, 404, "reviewer", lambda w: {"pk": w.package.pk}),
    # reports: Kemendagri's official results; reviewers view, administrators add, edit and import
    "official_results": Access(
        "POST", LOGIN, 403, 403, "admin", data=lambda w: {"year": "2022", "validated_iid": "58,89"}
    ),
    "official_results_import": Access("POST", LOGIN, 403, 403, "admin", data=official_upload),
    "official_result_edit": Access(
        "POST",
        LOGIN,
        403,
        404,
        "admin",
        lambda w: {"pk": w.official.pk},
        lambda w: {"year": "2023", "claimed_iid": "1"},
    ),
    # reports: the public showcase
    "showcase": Access("GET", 200, 200, 200, "anonymous"),
    "showcase_detail": Access("GET", 200, 200, 200, "anonymous", lambda w: {"pk": w.approved.pk}),
    "showcase_evidence": Access(
        "GET", 200, 200, 200, "anonymous", lambda w: {"pk": w.approved.pk, "evidence_pk": w.public_file.pk}
    ),
}


def url_patterns(patterns=None, namespaces=()):
    """(name, pattern) of every URL of the project but the skipped ones, nested includes walked."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = (pattern.namespace,) if pattern.namespace else ()
            if set(namespace) & SKIPPED_NAMESPACES or str(pattern.pattern) == "i18n/":
                continue
            yield from url_patterns(pattern.url_patterns, namespaces + namespace)
        elif isinstance(pattern, URLPattern):
            if pattern.name in SKIPPED_NAMES:
                continue
            yield ":".join([*namespaces, pattern.name or ""]), str(pattern.pattern)


def test_every_url_pattern_has_an_access_row():
    patterns = dict(url_patterns())
    assert [pattern for name, pattern in patterns.items() if not name or name.endswith(":")] == []
    assert sorted(set(patterns) - set(ACCESS)) == [], "add a row to ACCESS for each new URL"
    assert sorted(set(ACCESS) - set(patterns)) == [], "remove the rows of URLs that are gone"
    assert len(patterns) >= 70


@pytest.fixture
def world(
    settings, tmp_path, open_cycle, region, other_region, agency_a, owner, outsider, reviewer, admin_user
):
    settings.MEDIA_ROOT = tmp_path / "media"
    spare = Agency.objects.create(
        region=region, code="PD-SPARE", name="Dinas Tanpa Inovasi", kind=Agency.Kind.PERANGKAT_DAERAH
    )
    entry = Innovation.objects.create(
        cycle=open_cycle,
        agency=agency_a,
        name=f"Inovasi {SECRET} yang diajukan",
        goals=f"Tujuan {SECRET}",
        status=Innovation.Status.SUBMITTED,
        created_by=owner,
    )
    entry.budget_file.save("anggaran.pdf", ContentFile(PDF))
    answer = make_answer(entry, "SID-16", 2, by=owner, evidence=False)
    link = Evidence.objects.create(
        answer=answer, kind="link", url=f"https://example.org/{SECRET}.pdf", created_by=owner
    )
    private_file = stored_pdf(answer, f"{SECRET}-sk.pdf", owner, stored_as="bukti.pdf")
    # Last year's approved innovation of the same agency: public in the showcase, open to replicate.
    last_year = make_cycle(region, 2023, open_cycle.edition)
    approved = Innovation.objects.create(
        cycle=last_year, agency=agency_a, name="Posyandu Terbuka", status="approved", created_by=owner
    )
    shown = make_answer(approved, "SID-16", 2, by=owner, evidence=False, verdict="sesuai")
    public_file = stored_pdf(shown, "perwali-terbuka.pdf", owner, stored_as="bukti.pdf")
    Evidence.objects.filter(pk=public_file.pk).update(is_public=True)
    spd = SpdProfile.objects.create(cycle=open_cycle)
    spd_answer = make_answer(spd, "SPD-01", 1, by=reviewer, evidence=False)
    spd_link = Evidence.objects.create(
        answer=spd_answer, kind="link", url=f"https://example.org/spd-{SECRET}", created_by=reviewer
    )
    event = ReviewEvent.objects.create(
        innovation=entry, actor=owner, from_status="draft", to_status="submitted"
    )
    notification = Notification.objects.create(
        recipient=owner, event=event, innovation=entry, message=f"Pesan {SECRET}"
    )
    package = HandoffPackage.objects.create(cycle=open_cycle, requested_by=reviewer)
    package.workbook.save("paket.xlsx", ContentFile(b"PK workbook"), save=False)
    package.archive.save("paket.zip", ContentFile(b"PK archive"), save=False)
    package.save()
    HandoffPackage.objects.filter(pk=package.pk).update(status=HandoffPackage.Status.DONE)
    # Region B: its own cycle and reviewer, so that its reports have something to show.
    cycle_like(open_cycle, other_region)
    Agency.objects.create(
        region=other_region, code="KEC-TAMALATE", name="Kecamatan Tamalate", kind=Agency.Kind.KECAMATAN
    )
    foreign = make_person("foreign.reviewer@example.org", Role.REVIEWER, other_region)
    return World(
        region=region,
        cycle=open_cycle,
        agency=agency_a,
        spare_agency=spare,
        owner=owner,
        reviewer=reviewer,
        admin=admin_user,
        entry=entry,
        approved=approved,
        link=link,
        file=private_file,
        public_file=public_file,
        spd_link=spd_link,
        package=package,
        notification=notification,
        official=OfficialResult.objects.create(
            region=region, year=2023, validated_iid=57.85, source=f"SK {SECRET}", note=f"Catatan {SECRET}"
        ),
        edition=Edition.objects.create(
            year=2025, version=1, title=f"IID {SECRET}", source_text="-", checksum="a" * 64, region=region
        ),
        people={
            "outsider": outsider,
            "foreign": foreign,
            "owner": owner,
            "reviewer": reviewer,
            "admin": admin_user,
        },
    )


def region_a_state(w: World) -> dict:
    """Everything of region A that a request could change."""
    region = w.region
    evidence = Evidence.objects.filter(
        Q(answer__innovation__cycle__region=region) | Q(answer__spd_profile__cycle__region=region)
    )
    return {
        "innovations": list(
            Innovation.objects.filter(cycle__region=region)
            .order_by("pk")
            .values_list("pk", "name", "status", "version", "goals", "assigned_reviewer_id", "budget_file")
        ),
        "answers": list(
            Answer.objects.filter(Q(innovation__cycle__region=region) | Q(spd_profile__cycle__region=region))
            .order_by("pk")
            .values_list("pk", "level", "version", "verdict", "verified_level")
        ),
        "evidence": list(evidence.order_by("pk").values_list("pk", "url", "file", "review", "is_public")),
        "events": ReviewEvent.objects.filter(innovation__cycle__region=region).count(),
        "agencies": list(
            Agency.objects.filter(region=region).order_by("pk").values_list("pk", "name", "is_active")
        ),
        "people": list(
            User.objects.filter(region=region)
            .order_by("pk")
            .values_list("pk", "email", "full_name", "role", "is_active", "password")
        ),
        "cycles": list(Cycle.objects.filter(region=region).order_by("pk").values()),
        "notifications": list(
            Notification.objects.filter(recipient__region=region).order_by("pk").values_list("pk", "read_at")
        ),
        "packages": list(
            HandoffPackage.objects.filter(cycle__region=region).order_by("pk").values_list("pk", "status")
        ),
        "official": list(
            OfficialResult.objects.filter(region=region)
            .order_by("pk")
            .values_list("pk", "year", "claimed_iid")
        ),
        "regions": Region.objects.count(),
        "editions": Edition.objects.count(),
    }


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def outcome(response) -> int | str:
    if response.status_code in (301, 302, 303):
        return LOGIN if response["Location"].startswith(reverse("login")) else REDIRECT
    return response.status_code


def ask(client: Client, row: Access, url: str, w: World):
    if row.method == "POST":
        return client.post(url, row.data(w))
    return client.get(url + row.query)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_url_refuses_the_wrong_people_and_serves_the_rightful_one(world, name):
    row = ACCESS[name]
    url = reverse(name, kwargs=row.kwargs(world))
    clients = {
        "anonymous": Client(),
        "outsider": client_for(world.people["outsider"]),
        "foreign": client_for(world.people["foreign"]),
    }
    before = region_a_state(world)
    for persona, client in clients.items():
        response = ask(client, row, url, world)
        got, expected = outcome(response), getattr(row, persona)
        assert got == expected, f"{row.method} {url} as {persona}: {got}, expected {expected}"
        assert region_a_state(world) == before, f"{row.method} {url} as {persona} changed region A"
        if response.status_code == 200:
            assert SECRET not in body_of(response).lower(), f"{url} shows region A's data to {persona}"
        headers(response, persona, url)

    if row.rightful is None:
        return
    client = Client() if row.rightful == "anonymous" else client_for(world.people[row.rightful])
    response = ask(client, row, url, world)
    got = outcome(response)
    assert got in row.rightful_gets, f"{row.method} {url} as {row.rightful}: {got}"
    headers(response, row.rightful, url)


def headers(response, persona: str, url: str) -> None:
    cache_control = response.get("Cache-Control", "")
    if persona != "anonymous":
        assert "no-store" in cache_control and "private" in cache_control, f"{url}: {cache_control!r}"
    elif url.startswith("/etalase/"):
        assert "no-store" not in cache_control, f"{url}: {cache_control!r}"
    if response.get("Content-Type", "").startswith("text/html"):
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, f"{url}: {policy!r}"
