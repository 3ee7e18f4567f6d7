import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.entries import DuplicateEntry, start_entry, submission_readiness
from registry.models import Answer, Evidence, Innovation
from tests.conftest import ENTRY_PROFILE, client_for

pytestmark = pytest.mark.django_db


def test_start_entry_once_per_agency_and_year(open_cycle, agency_a, owner):
    first = start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Posyandu Digital")
    with pytest.raises(DuplicateEntry) as duplicate:
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Lagi")
    assert duplicate.value.existing == first
    assert Innovation.objects.count() == 1


def test_start_page_shows_the_existing_entry_instead_of_a_second(open_cycle, agency_a, owner, member):
    client_for(owner).post(
        reverse("entry_start", args=[agency_a.pk]), {"name": "Posyandu Digital", "stage": "penerapan"}
    )
    response = client_for(member).post(
        reverse("entry_start", args=[agency_a.pk]), {"name": "Dobel", "stage": "penerapan"}
    )
    existing = Innovation.objects.get()
    assert response.url == reverse("entry_detail", args=[existing.pk])
    assert existing.name == "Posyandu Digital"


def test_start_entry_refused_when_the_cycle_is_closed(cycle_2024, agency_a, owner):
    from registry.models import CycleClosed

    with pytest.raises(CycleClosed):
        start_entry(agency=agency_a, cycle=cycle_2024, by=owner, name="Terlambat")


def test_outsider_cannot_start_or_see_another_agencys_entry(entry, agency_a, outsider):
    client = client_for(outsider)
    assert client.get(reverse("entry_start", args=[agency_a.pk])).status_code == 404
    for name in ("entry_detail", "entry_profile"):
        assert client.get(reverse(name, args=[entry.pk])).status_code == 404
    assert client.get(reverse("entry_indicator", args=[entry.pk, "SID-16"])).status_code == 404
    assert client.post(reverse("entry_submit", args=[entry.pk])).status_code == 404
    assert entry.name not in client.get(reverse("entry_list")).content.decode()


def profile_data(entry, **changes):
    return {**ENTRY_PROFILE, "version": entry.version, "name": entry.name, **changes}


def test_profile_saves_and_member_of_the_agency_may_edit(entry, member):
    response = client_for(member).post(reverse("entry_profile", args=[entry.pk]), profile_data(entry))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.urusan, entry.version, entry.implementation_date) == (
        "Kesehatan",
        2,
        datetime.date(2023, 2, 1),
    )


def test_profile_autosave_keeps_valid_fields_when_one_is_wrong(entry, owner):
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client_for(owner).post(
        reverse("entry_profile", args=[entry.pk]),
        profile_data(entry, implementation_date=future, goals="Tujuan baru"),
        headers={"HX-Request": "true"},
    )
    assert "is in the future" in response.content.decode() or "masa depan" in response.content.decode()
    entry.refresh_from_db()
    assert entry.goals == "Tujuan baru"
    assert entry.implementation_date is None


def test_profile_stale_tab_gets_a_conflict_and_nothing_is_overwritten(entry, owner):
    client = client_for(owner)
    client.post(reverse("entry_profile", args=[entry.pk]), profile_data(entry, goals="Dari tab pertama"))
    stale = client.post(
        reverse("entry_profile", args=[entry.pk]),
        profile_data(entry, goals="Dari tab kedua"),
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="overwrite"' in stale.content.decode()
    entry.refresh_from_db()
    assert entry.goals == "Dari tab pertama"
    # The second tab chooses to keep its version.
    client.post(
        reverse("entry_profile", args=[entry.pk]),
        profile_data(entry, goals="Dari tab kedua", version=1, overwrite="1"),
    )
    entry.refresh_from_db()
    assert entry.goals == "Dari tab kedua"


def test_profile_typed_after_the_session_expired_is_restored_after_login(entry, owner):
    from django.test import Client

    from tests.conftest import PASSWORD

    browser = Client()
    url = reverse("entry_profile", args=[entry.pk])
    response = browser.post(
        url, profile_data(entry, goals="Ditulis saat sesi habis"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 401 and response["HX-Redirect"].startswith(reverse("login"))
    browser.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    page = browser.get(url)
    assert page.context["form"]["goals"].value() == "Ditulis saat sesi habis"
    entry.refresh_from_db()
    assert entry.goals == ""


def choose(client, entry, code, option):
    answer_version = (
        Answer.objects.filter(innovation=entry, indicator__code=code)
        .values_list("version", flat=True)
        .first()
        or 1
    )
    return client.post(
        reverse("entry_indicator", args=[entry.pk, code]), {"version": answer_version, "option": option}
    )


def add_link(client, entry, code, url="https://pareparekota.go.id/perwali-2023.pdf"):
    return client.post(
        reverse("entry_evidence_add", args=[entry.pk, code]),
        {"url": url, "document_number": "12/2023", "document_date": "2023-01-10", "subject": "Perwali"},
    )


def test_indicator_answer_and_link_evidence_count_in_kematangan(entry, owner):
    client = client_for(owner)
    choose(client, entry, "SID-25", "3")
    add_link(client, entry, "SID-25")
    answer = Answer.objects.get(innovation=entry, indicator__code="SID-25")
    assert (answer.level, answer.evidence.count()) == (3, 1)
    page = client.get(reverse("entry_detail", args=[entry.pk]))
    assert page.context["kematangan"] == 3  # SID-25: bobot 1 x level 3


def test_option_group_answer_is_stored_with_its_group(entry, owner):
    choose(client_for(owner), entry, "SID-33", "orang:2")
    answer = Answer.objects.get(innovation=entry, indicator__code="SID-33")
    assert (answer.option_group, answer.level) == ("orang", 2)


def test_submit_refused_with_the_list_of_what_is_missing(entry, owner):
    client = client_for(owner)
    client.post(reverse("entry_submit", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "draft"
    problems = submission_readiness(entry).problems
    assert any("SID-16" in problem for problem in problems)
    assert any("300" in problem for problem in problems)


def fill_for_submission(client, entry):
    client.post(reverse("entry_profile", args=[entry.pk]), profile_data(entry))
    for code in ("SID-16", "SID-17", "SID-32", "SID-33", "SID-35"):
        choose(client, entry, code, "orang:1" if code == "SID-33" else "1")
    for code in ("SID-16", "SID-17", "SID-32", "SID-33"):
        Evidence.objects.create(
            answer=Answer.objects.get(innovation=entry, indicator__code=code),
            kind="link",
            url="https://example.org/a.pdf",
            created_by=entry.created_by,
        )
    add_link(client, entry, "SID-35", "https://www.youtube.com/watch?v=abc")


def test_submit_when_complete_then_read_only(entry, owner):
    client = client_for(owner)
    fill_for_submission(client, entry)
    entry.refresh_from_db()
    assert submission_readiness(entry).problems == []
    client.post(reverse("entry_submit", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "submitted" and entry.submitted_at is not None
    assert entry.events.get().to_status == "submitted"
    response = client.post(reverse("entry_profile", args=[entry.pk]), profile_data(entry, goals="Diubah"))
    entry.refresh_from_db()
    assert entry.goals == "Tujuan" and response.status_code == 302
    autosave = client.post(
        reverse("entry_profile", args=[entry.pk]),
        profile_data(entry, goals="Diubah"),
        headers={"HX-Request": "true"},
    )
    assert autosave.status_code == 409 and 'id="save-status"' in autosave.content.decode()
    assert add_link(client, entry, "SID-20").status_code == 302
    assert not Answer.objects.filter(
        innovation=entry, indicator__code="SID-20", evidence__isnull=False
    ).exists()


def test_eligibility_old_implementation_needs_development(entry, owner):
    client = client_for(owner)
    fill_for_submission(client, entry)
    entry.refresh_from_db()
    client.post(
        reverse("entry_profile", args=[entry.pk]), profile_data(entry, implementation_date="2019-05-01")
    )
    entry.refresh_from_db()
    assert any("2019" in problem for problem in submission_readiness(entry).problems)
    client.post(
        reverse("entry_profile", args=[entry.pk]),
        profile_data(
            entry, implementation_date="2019-05-01", has_development="on", development_note="Versi 2 aplikasi"
        ),
    )
    entry.refresh_from_db()
    assert submission_readiness(entry).problems == []


def test_reviewer_sees_the_entry_but_cannot_edit_it(entry, reviewer):
    client = client_for(reviewer)
    assert client.get(reverse("entry_detail", args=[entry.pk])).status_code == 200
    client.post(reverse("entry_profile", args=[entry.pk]), profile_data(entry, goals="Oleh verifikator"))
    entry.refresh_from_db()
    assert entry.goals == ""


def test_entry_list_query_count_does_not_grow(open_cycle, region, owner, django_assert_num_queries):
    from agencies.models import Agency

    client = client_for(owner)
    agencies = [
        Agency.objects.create(region=region, code=f"PD-{n}", name=f"Dinas {n}", kind="perangkat_daerah")
        for n in range(3)
    ]
    owner.agencies.add(agencies[0])
    Innovation.objects.create(cycle=open_cycle, agency=agencies[0], name="Satu", created_by=owner)
    with django_assert_num_queries(7):
        client.get(reverse("entry_list"))
    owner.agencies.add(*agencies[1:])
    for agency in agencies[1:]:
        Innovation.objects.create(cycle=open_cycle, agency=agency, name=agency.name, created_by=owner)
    with django_assert_num_queries(7):
        client.get(reverse("entry_list"))


def test_entry_overview_query_count_does_not_grow_with_filled_rows(entry, owner, django_assert_num_queries):
    client = client_for(owner)
    choose(client, entry, "SID-25", "1")
    add_link(client, entry, "SID-25")
    with django_assert_num_queries(11):
        client.get(reverse("entry_detail", args=[entry.pk]))
    for code in ("SID-35", "SID-16"):
        choose(client, entry, code, "2")
        answer = Answer.objects.get(innovation=entry, indicator__code=code)
        Evidence.objects.create(answer=answer, kind="link", url="https://example.org/x", created_by=owner)
    with django_assert_num_queries(11):
        response = client.get(reverse("entry_detail", args=[entry.pk]))
    assert response.context["complete"] == 3
