"""Several innovations per agency and cycle, up to the cycle's `entries_per_agency` (issue 14)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency
from registry.entries import DuplicateEntry, EntryLimitReached, start_entry
from registry.models import Cycle, CycleClosed, Innovation, ceiling_shortfall
from registry.workflow import reject, start_review, submit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def set_ceiling(cycle, ceiling):
    Cycle.objects.filter(pk=cycle.pk).update(entries_per_agency=ceiling)
    cycle.entries_per_agency = ceiling


def rejected(entry, *, by, reviewer):
    submit(entry, by=by)
    start_review(entry, by=reviewer)
    reject(entry, by=reviewer, reason="Bukan inovasi")
    entry.refresh_from_db()
    return entry


def test_ceiling_three_gives_places_one_to_three_then_refuses_with_the_count(open_cycle, agency_a, owner):
    set_ceiling(open_cycle, 3)
    entries = [
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=f"Inovasi {number}")
        for number in range(3)
    ]
    assert [entry.slot for entry in entries] == [1, 2, 3]
    with translation.override("id"), pytest.raises(EntryLimitReached) as full:
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Keempat")
    assert not isinstance(full.value, DuplicateEntry)
    assert str(full.value) == "Dinas Kesehatan sudah memiliki 3 inovasi untuk 2024, batas siklus ini."
    assert full.value.entries == entries
    assert Innovation.objects.filter(agency=agency_a).count() == 3


def test_ceiling_one_still_points_at_the_existing_entry(open_cycle, agency_a, owner):
    first = start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Posyandu Digital")
    with pytest.raises(DuplicateEntry) as duplicate:
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Lagi")
    assert duplicate.value.existing == first and first.slot == 1


def test_the_ceiling_counts_per_agency(open_cycle, agency_a, agency_b, owner, outsider):
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="A")
    other = start_entry(agency=agency_b, cycle=open_cycle, by=outsider, name="B")
    assert other.slot == 1


def test_the_database_refuses_a_second_entry_in_the_same_place(open_cycle, agency_a, owner):
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Innovation.objects.create(cycle=open_cycle, agency=agency_a, name="B", created_by=owner, slot=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Innovation.objects.create(cycle=open_cycle, agency=agency_a, name="C", created_by=owner, slot=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=0)


def test_a_rejected_entry_frees_its_place_in_the_lowest_free_slot(open_cycle, agency_a, owner, reviewer):
    set_ceiling(open_cycle, 2)
    first = start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Satu")
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Dua")
    with pytest.raises(EntryLimitReached):
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Tiga")
    first = rejected(first, by=owner, reviewer=reviewer)
    assert (first.status, first.slot) == ("rejected", None)
    again = start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Tiga")
    assert again.slot == 1


def test_after_rejection_the_pages_offer_a_new_entry_while_the_window_is_open(
    open_cycle, agency_a, owner, reviewer
):
    client = client_for(owner)
    client.post(reverse("entry_start", args=[agency_a.pk]), {"name": "Pasar Tertib", "stage": "penerapan"})
    first = Innovation.objects.get()
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="start-entry-link"' not in home  # ceiling 1, taken
    rejected(first, by=owner, reviewer=reviewer)

    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'data-testid="rejected-room"' in home and 'data-testid="start-entry-link"' in home
    assert "Pasar Tertib" in home  # the rejected entry is still listed
    assert agency_a in client.get(reverse("entry_list")).context["startable"]
    response = client.post(
        reverse("entry_start", args=[agency_a.pk]), {"name": "Pasar Rapi", "stage": "penerapan"}
    )
    second = Innovation.objects.get(name="Pasar Rapi")
    assert response.url == reverse("entry_profile", args=[second.pk])
    assert second.slot == 1
    assert 'data-testid="start-entry-link"' not in client.get(reverse("home")).content.decode()


def test_after_the_window_closes_a_rejected_entry_frees_nothing_to_start(
    open_cycle, agency_a, owner, reviewer
):
    first = start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Pasar Tertib")
    rejected(first, by=owner, reviewer=reviewer)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Cycle.objects.filter(pk=open_cycle.pk).update(
        submission_opens=yesterday - datetime.timedelta(days=30), submission_closes=yesterday
    )
    open_cycle.refresh_from_db()
    with pytest.raises(CycleClosed):
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Terlambat")
    client = client_for(owner)
    assert 'data-testid="start-entry-link"' not in client.get(reverse("home")).content.decode()
    response = client.post(
        reverse("entry_start", args=[agency_a.pk]), {"name": "Terlambat", "stage": "penerapan"}
    )
    assert response.url == reverse("entry_list")
    assert not Innovation.objects.filter(name="Terlambat").exists()


def test_home_lists_every_entry_and_offers_another_only_under_the_ceiling(open_cycle, agency_a, owner):
    set_ceiling(open_cycle, 2)
    client = client_for(owner)
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Posyandu Digital")
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Isi inovasi lain" in html and "1 dari paling banyak 2 inovasi" in html
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Sekolah Ramah Anak")
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Posyandu Digital" in html and "Sekolah Ramah Anak" in html
    assert html.count('data-testid="open-entry"') == 2
    assert 'data-testid="start-entry-link"' not in html
    assert client.get(reverse("entry_list")).context["startable"] == []
    # The start page of a full agency sends the person to the list with the reason.
    response = client.post(reverse("entry_start", args=[agency_a.pk]), {"name": "Tiga", "stage": "penerapan"})
    assert response.url == reverse("entry_list")


def test_carry_over_offers_each_of_last_years_entries(open_cycle, agency_a, owner):
    from tests.conftest import make_cycle

    earlier = make_cycle(open_cycle.region, 2023, open_cycle.edition)
    for name in ("Lama Satu", "Lama Dua"):
        Innovation.objects.create(cycle=earlier, agency=agency_a, name=name, created_by=owner)
    set_ceiling(open_cycle, 2)
    client = client_for(owner)
    page = client.get(reverse("entry_start", args=[agency_a.pk]))
    assert [item.name for item in page.context["previous"]] == ["Lama Dua", "Lama Satu"]
    chosen = Innovation.objects.get(name="Lama Satu")
    client.post(reverse("entry_start", args=[agency_a.pk]), {"carry_over": str(chosen.pk)})
    assert Innovation.objects.get(cycle=open_cycle).carried_over_from == chosen
    page = client.get(reverse("entry_start", args=[agency_a.pk]))
    assert [item.name for item in page.context["previous"]] == ["Lama Dua"]


def test_migration_gives_place_one_to_every_entry_not_rejected(open_cycle, agency_a, agency_b, owner):
    migration = importlib.import_module("registry.migrations.0008_entries_per_agency")
    kept = Innovation.objects.create(cycle=open_cycle, agency=agency_a, name="A", created_by=owner)
    gone = Innovation.objects.create(
        cycle=open_cycle, agency=agency_b, name="B", created_by=owner, status="rejected", slot=1
    )
    migration.give_places(apps, None)
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert (kept.slot, gone.slot) == (1, None)


# --- the cycle's setting ----------------------------------------------------------------------------------------


def cycle_post(cycle, **changes):
    values = {
        "year": cycle.year,
        "edition": cycle.edition_id,
        "submission_opens": cycle.submission_opens.isoformat(),
        "submission_closes": cycle.submission_closes.isoformat(),
        "review_opens": cycle.review_opens.isoformat(),
        "review_closes": cycle.review_closes.isoformat(),
        "entries_per_agency": cycle.entries_per_agency,
    }
    return {**values, **changes}


def test_cycle_form_saves_the_ceiling(open_cycle, admin_user):
    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[open_cycle.pk]), cycle_post(open_cycle, entries_per_agency=3)
    )
    assert response.status_code == 302
    open_cycle.refresh_from_db()
    assert open_cycle.entries_per_agency == 3


def test_cycle_form_refuses_a_ceiling_above_the_editions_cap(open_cycle, admin_user):
    cap = open_cycle.edition.parsed().parameters.count_cap
    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[open_cycle.pk]),
        cycle_post(open_cycle, entries_per_agency=cap + 1),
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.context["form"].errors["entries_per_agency"] == [
        f"Paling banyak {cap}: indeks nasional menghitung hingga {cap} inovasi per daerah, jadi batas yang "
        "lebih tinggi tidak akan pernah dihitung."
    ]
    open_cycle.refresh_from_db()
    assert open_cycle.entries_per_agency == 1
    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[open_cycle.pk]), cycle_post(open_cycle, entries_per_agency=0)
    )
    assert "entries_per_agency" in response.context["form"].errors


def test_cycle_form_refuses_a_ceiling_below_what_an_agency_holds_naming_it(
    open_cycle, agency_a, agency_b, owner, outsider, admin_user, reviewer
):
    set_ceiling(open_cycle, 3)
    for name in ("Satu", "Dua", "Tiga"):
        start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=name)
    start_entry(agency=agency_b, cycle=open_cycle, by=outsider, name="Lain")
    client = client_for(admin_user)
    response = client.post(
        reverse("cycle_edit", args=[open_cycle.pk]),
        cycle_post(open_cycle, entries_per_agency=2),
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.context["form"].errors["entries_per_agency"] == [
        "Paling sedikit 3: Dinas Kesehatan sudah memiliki 3 inovasi yang tidak ditolak pada siklus ini. "
        "Turunkan batas hanya setelah verifikator menolak sebagian di antaranya."
    ]
    # A rejected entry holds no place: then 2 is allowed.
    rejected(Innovation.objects.get(name="Satu"), by=owner, reviewer=reviewer)
    response = client.post(
        reverse("cycle_edit", args=[open_cycle.pk]), cycle_post(open_cycle, entries_per_agency=2)
    )
    assert response.status_code == 302
    open_cycle.refresh_from_db()
    assert open_cycle.entries_per_agency == 2


def test_admin_form_applies_the_same_rules(open_cycle, agency_a, owner):
    from registry.admin import CycleAdminForm

    set_ceiling(open_cycle, 2)
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Satu")
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Dua")
    data = cycle_post(open_cycle, entries_per_agency=1, region=open_cycle.region_id)
    form = CycleAdminForm(data, instance=open_cycle)
    assert not form.is_valid()
    assert "Dinas Kesehatan" in form.errors["entries_per_agency"][0]


# --- the arithmetic of the dashboard's warning ---------------------------------------------------------------


def test_ceiling_shortfall_arithmetic():
    short = ceiling_shortfall(1, 74, 200)
    assert (short.reachable, short.enough) == (74, 3)
    assert ceiling_shortfall(3, 74, 200) is None  # 222 ≥ 200
    assert ceiling_shortfall(2, 100, 200) is None  # exactly the cap
    assert ceiling_shortfall(1, 0, 200) is None  # no active agency
    assert ceiling_shortfall(1, 1, 200).enough == 200


def test_unrelated_agency_stays_out_of_the_busiest(open_cycle, agency_a, owner, region):
    Agency.objects.create(region=region, code="X", name="Kosong", kind="kecamatan")
    start_entry(agency=agency_a, cycle=open_cycle, by=owner, name="Satu")
    assert open_cycle.busiest_agency() == (agency_a, 1)
