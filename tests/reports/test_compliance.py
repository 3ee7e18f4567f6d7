"""The compliance board: every active agency of the region with its entry's state, filtered, sorted and paged."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Agency, Role
from registry.models import Cycle, Evidence, Innovation, SpdProfile
from reports.models import ExportLog
from scoring.collect import cycle_index
from tests.conftest import (
    assert_error_page,
    assert_sent_to_login,
    client_for,
    cycle_like,
    heading,
    make_answer,
    make_cycle,
    make_person,
)

pytestmark = pytest.mark.django_db

BOARD = "compliance_board"


def make_entry(cycle, agency, by, name, status, *, urusan="", stage="penerapan"):
    return Innovation.objects.create(
        cycle=cycle, agency=agency, name=name, status=status, stage=stage, urusan=urusan, created_by=by
    )


@pytest.fixture
def world(open_cycle, region, other_region, agency_a, agency_b, owner):
    return build_world(open_cycle, region, other_region, agency_a, agency_b, owner)


def build_world(open_cycle, region, other_region, agency_a, agency_b, owner):
    """A region worked by hand (see the figures in test_exports.py) and another region that must never leak.

    Agencies: Dinas Kesehatan (approved), Dinas Pendidikan (submitted), Kecamatan Bacukiki (no entry) with
    Kelurahan Lemoe (draft), Kecamatan Ujung (rejected) with Kelurahan Lapadde (no entry), an inactive dinas.
    """
    kec_1 = Agency.objects.create(region=region, code="KEC-BCK", name="Kecamatan Bacukiki", kind="kecamatan")
    kel_1 = Agency.objects.create(
        region=region, code="KEL-LMO", name="Kelurahan Lemoe", kind="kelurahan", parent=kec_1
    )
    kec_2 = Agency.objects.create(region=region, code="KEC-UJG", name="Kecamatan Ujung", kind="kecamatan")
    Agency.objects.create(
        region=region, code="KEL-LPD", name="Kelurahan Lapadde", kind="kelurahan", parent=kec_2
    )
    Agency.objects.create(
        region=region, code="PD-LAMA", name="Dinas Lama", kind="perangkat_daerah", is_active=False
    )

    spd = SpdProfile.objects.create(cycle=open_cycle)
    make_answer(spd, "SPD-01", 3, by=owner, verdict="sesuai")
    make_answer(spd, "SPD-06", 2, by=owner, verdict="tidak_sesuai", verified_level=1)
    make_answer(spd, "SPD-12", 2, by=owner, evidence=False, verdict="sesuai")

    approved = make_entry(open_cycle, agency_a, owner, "Posyandu Digital", "approved", urusan="Kesehatan")
    sid_16 = make_answer(approved, "SID-16", 3, by=owner, verdict="sesuai")
    Evidence.objects.create(
        answer=sid_16,
        kind="file",
        file="evidence/test/sk-inovasi.pdf",
        original_name="SK Inovasi.pdf",
        document_number="800/12/2024",
        document_date=datetime.date(2024, 1, 15),
        subject="Surat Keputusan Inovasi",
        created_by=owner,
    )
    make_answer(approved, "SID-35", 2, by=owner)
    make_answer(approved, "SID-33", 1, by=owner, group="orang", verdict="tidak_sesuai", verified_level=0)
    submitted = make_entry(
        open_cycle, agency_b, owner, "Sekolah Ramah Anak", "submitted", urusan="Pendidikan"
    )
    make_answer(submitted, "SID-17", 1, by=owner)
    draft = make_entry(open_cycle, kel_1, owner, "Kelurahan Bersih", "draft")
    make_answer(draft, "SID-16", 3, by=owner)
    rejected = make_entry(open_cycle, kec_2, owner, "Pasar Tertib", "rejected")
    make_answer(rejected, "SID-16", 3, by=owner, verdict="sesuai")

    elsewhere = Agency.objects.create(
        region=other_region, code="PD-RAHASIA", name="Dinas Rahasia Makassar", kind="perangkat_daerah"
    )
    other_cycle = cycle_like(open_cycle, other_region)
    stranger = make_person("stranger@example.org", Role.INNOVATOR, other_region, [elsewhere])
    hidden = make_entry(other_cycle, elsewhere, stranger, "Inovasi Rahasia", "approved")
    make_answer(hidden, "SID-16", 3, by=stranger, verdict="sesuai")
    return open_cycle


def listed(response) -> list[tuple[str, str]]:
    return [(row.agency_code, row.state) for row in response.context["rows"]]


def test_board_lists_every_active_agency_of_the_region_with_its_state(world, reviewer):
    response = client_for(reviewer).get(reverse(BOARD))
    assert response.status_code == 200
    # Top kinds first (perangkat daerah, then kecamatan), each kelurahan after its kecamatan's name order.
    assert listed(response) == [
        ("PD-DINKES", "approved"),
        ("PD-DIKBUD", "submitted"),
        ("KEC-BCK", "none"),
        ("KEC-UJG", "rejected"),
        ("KEL-LMO", "draft"),
        ("KEL-LPD", "none"),
    ]
    html = response.content.decode()
    assert "Dinas Lama" not in html  # inactive
    assert "Rahasia" not in html  # another region


def test_board_shows_the_innovation_and_both_kematangan(world, reviewer):
    rows = {row.agency_code: row for row in client_for(reviewer).get(reverse(BOARD)).context["rows"]}
    # By hand: SID-16 bobot 3 × 3 = 9 (Sesuai), SID-35 bobot 4 × 2 = 8 (not reviewed: 0 verified),
    # SID-33 bobot 3 × 1 = 3 (Tidak Sesuai at level 0: 0 verified).
    assert (rows["PD-DINKES"].innovation, rows["PD-DINKES"].claimed, rows["PD-DINKES"].verified) == (
        "Posyandu Digital",
        Decimal(20),
        Decimal(9),
    )
    assert (rows["KEC-BCK"].entry_pk, rows["KEC-BCK"].claimed, rows["KEC-BCK"].innovation) == (None, None, "")
    # The same figures as the index engine's, for every entry.
    index = {item.facts.pk: item for item in cycle_index(world).innovations}
    for row in rows.values():
        if row.entry_pk:
            assert (row.claimed, row.verified) == (
                index[row.entry_pk].self_assessed.kematangan,
                index[row.entry_pk].verified.kematangan,
            )


def test_board_summary_counts_complied_agencies_per_kind(world, admin_user):
    response = client_for(admin_user).get(reverse(BOARD))
    by_kind = {item["kind"]: (item["total"], item["with_entry"]) for item in response.context["by_kind"]}
    # Complied: submitted and neither draft nor rejected. PD: approved + submitted of 2 active (the inactive
    # one is not counted); kecamatan: rejected only; kelurahan: a draft only.
    assert by_kind == {"Perangkat daerah": (2, 2), "Kecamatan": (2, 0), "Kelurahan": (2, 0)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "kelurahan"}, ["KEL-LMO", "KEL-LPD"]),
        ({"kecamatan": "KEC-BCK"}, ["KEC-BCK", "KEL-LMO"]),
        ({"state": "none"}, ["KEC-BCK", "KEL-LPD"]),
        ({"state": "approved"}, ["PD-DINKES"]),
        ({"state": "draft", "kind": "kelurahan"}, ["KEL-LMO"]),
        ({"q": "ramah"}, ["PD-DIKBUD"]),  # innovation name
        ({"q": "lapadde"}, ["KEL-LPD"]),  # agency name
        ({"q": "rahasia"}, []),  # another region's innovation
    ],
)
def test_board_filters(world, reviewer, query, expected):
    if "kecamatan" in query:
        query = {**query, "kecamatan": Agency.objects.get(code=query["kecamatan"]).pk}
    response = client_for(reviewer).get(reverse(BOARD), query)
    assert [code for code, _state in listed(response)] == expected
    assert not response.context["filter"].errors


@pytest.mark.parametrize(
    "query", [{"state": "lost"}, {"kind": "desa"}, {"kecamatan": "999999"}, {"tahun": "1999"}, {"tahun": "x"}]
)
def test_board_invalid_filter_is_shown_and_lists_nothing(world, reviewer, query):
    response = client_for(reviewer).get(reverse(BOARD), query)
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert listed(response) == []
    assert "Beberapa nilai filter tidak valid" in response.content.decode()
    assert 'data-testid="export-buttons"' not in response.content.decode()
    # Whatever the filter, the region has its cycle: the page never says it has none.
    assert 'data-testid="no-cycle"' not in response.content.decode()


def test_board_filtered_to_nothing_offers_to_clear_the_filters(world, reviewer):
    response = client_for(reviewer).get(reverse(BOARD), {"q": "tidak ada instansi bernama begini"})
    html = response.content.decode()
    assert listed(response) == [] and not response.context["filter"].errors
    assert 'data-testid="clear-filters"' in html and "Tidak ada yang cocok" in html


def test_board_kecamatan_of_another_region_is_an_invalid_filter(world, reviewer, other_region):
    foreign = Agency.objects.create(
        region=other_region, code="KEC-X", name="Kecamatan Asing", kind="kecamatan"
    )
    response = client_for(reviewer).get(reverse(BOARD), {"kecamatan": foreign.pk})
    assert "kecamatan" in response.context["filter"].errors
    assert listed(response) == []


def test_board_year_chooses_the_cycle(world, region, agency_a, owner, reviewer):
    earlier = make_cycle(region, 2023, world.edition)
    make_entry(earlier, agency_a, owner, "Posyandu Lama", "approved")
    response = client_for(reviewer).get(reverse(BOARD), {"tahun": "2023"})
    assert response.context["cycle"] == earlier
    assert [code for code, state in listed(response) if state != "none"] == ["PD-DINKES"]
    assert response.context["rows"][0].innovation == "Posyandu Lama"
    assert client_for(reviewer).get(reverse(BOARD)).context["cycle"] == world  # the current cycle by default


def test_board_sorts(world, reviewer):
    response = client_for(reviewer).get(reverse(BOARD), {"ordering": "-agency"})
    names = [row.agency for row in response.context["rows"]]
    assert names == sorted(names, reverse=True)
    response = client_for(reviewer).get(reverse(BOARD), {"ordering": "state", "kind": "kecamatan"})
    assert listed(response) == [("KEC-BCK", "none"), ("KEC-UJG", "rejected")]  # NULL state first


def test_board_pages(world, region, reviewer, monkeypatch):
    from reports import compliance_views

    monkeypatch.setattr(compliance_views, "PAGE_SIZE", 4)
    client = client_for(reviewer)
    first = listed(client.get(reverse(BOARD)))
    second = listed(client.get(reverse(BOARD), {"page": 2}))
    assert len(first) == 4 and len(second) == 2
    assert {code for code, _ in first} | {code for code, _ in second} == set(
        Agency.objects.filter(region=region, is_active=True).values_list("code", flat=True)
    )


def test_board_export_buttons_carry_the_filter(world, reviewer):
    kecamatan = Agency.objects.get(code="KEC-BCK").pk
    html = client_for(reviewer).get(reverse(BOARD), {"kecamatan": kecamatan, "page": 1}).content.decode()
    for fmt in ("xlsx", "csv", "pdf"):
        assert f'href="{reverse("compliance_export", args=[fmt])}?kecamatan={kecamatan}"' in html


def test_board_permissions(world, client, owner, reviewer, admin_user):
    assert_sent_to_login(client.get(reverse(BOARD)), reverse(BOARD))
    assert_error_page(client_for(owner).get(reverse(BOARD)), 403, "Kecamatan Bacukiki", "Sekolah Ramah Anak")
    for person in (reviewer, admin_user):
        response = client_for(person).get(reverse(BOARD))
        assert response.status_code == 200
        assert heading(response) == "Kepatuhan 2024"
        html = response.content.decode()
        assert "Kecamatan Bacukiki" in html and "Dinas Rahasia Makassar" not in html


def test_board_of_a_region_without_cycle(region, agency_a, reviewer):
    response = client_for(reviewer).get(reverse(BOARD))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert 'data-testid="no-cycle"' in response.content.decode()


def test_board_query_count_does_not_grow_with_rows(
    open_cycle, region, owner, reviewer, django_assert_num_queries
):
    client = client_for(reviewer)
    agency = Agency.objects.create(region=region, code="KEC-1", name="Kecamatan 1", kind="kecamatan")
    entry = make_entry(open_cycle, agency, owner, "Satu", "submitted")
    make_answer(entry, "SID-16", 2, by=owner)
    with django_assert_num_queries(11):
        response = client.get(reverse(BOARD), {"kind": "kecamatan"})
    assert len(response.context["rows"]) == 1
    for number in (2, 3):
        agency = Agency.objects.create(
            region=region, code=f"KEC-{number}", name=f"Kecamatan {number}", kind="kecamatan"
        )
        entry = make_entry(open_cycle, agency, owner, f"Inovasi {number}", "approved")
        make_answer(entry, "SID-16", 2, by=owner, verdict="sesuai")
    with django_assert_num_queries(11):
        response = client.get(reverse(BOARD), {"kind": "kecamatan"})
    assert len(response.context["rows"]) == 3


# --- the export log page --------------------------------------------------------------------------------------


def log_row(cycle, user, name, *, fmt="xlsx", filters=None):
    return ExportLog.objects.create(
        cycle=cycle,
        edition=cycle.edition,
        created_by=user,
        format=fmt,
        filters=filters or {},
        filename=name,
        size=10,
        checksum="a" * 64,
        row_count=1,
        claimed_iid=Decimal("3.58"),
        verified_iid=Decimal("2.31"),
    )


def test_export_log_lists_the_region_files_only(world, reviewer, other_region):
    log_row(world, reviewer, "kepatuhan-ini.xlsx")
    log_row(world, None, "dari-perintah.xlsx")
    log_row(Cycle.objects.get(region=other_region), None, "kepatuhan-rahasia.xlsx")
    response = client_for(reviewer).get(reverse("export_log"))
    html = response.content.decode()
    assert [log.filename for log in response.context["page"]] == ["dari-perintah.xlsx", "kepatuhan-ini.xlsx"]
    assert "kepatuhan-rahasia" not in html
    assert html.count('data-testid="by-command"') == 1


def test_export_log_permissions(world, client, owner, admin_user):
    log_row(world, admin_user, "kepatuhan-ini.xlsx")
    assert_sent_to_login(client.get(reverse("export_log")), reverse("export_log"))
    assert_error_page(client_for(owner).get(reverse("export_log")), 403, "kepatuhan-ini.xlsx")
    response = client_for(admin_user).get(reverse("export_log"))
    assert response.status_code == 200
    assert heading(response) == "Riwayat ekspor"
    assert "kepatuhan-ini.xlsx" in response.content.decode()


def test_export_log_query_count_does_not_grow(open_cycle, reviewer, admin_user, django_assert_num_queries):
    client = client_for(reviewer)
    log_row(open_cycle, admin_user, "satu.xlsx")
    with django_assert_num_queries(5):
        response = client.get(reverse("export_log"))
    assert len(response.context["page"]) == 1
    log_row(open_cycle, reviewer, "dua.xlsx")
    log_row(open_cycle, None, "tiga.xlsx")
    with django_assert_num_queries(5):
        response = client.get(reverse("export_log"))
    assert len(response.context["page"]) == 3


def test_export_log_is_read_only_in_the_admin(world, admin_user):
    from django.contrib.admin.sites import site

    from reports.admin import ExportLogAdmin

    model_admin = ExportLogAdmin(ExportLog, site)
    request = type("Request", (), {"user": admin_user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, None)
    assert not model_admin.has_delete_permission(request, None)


# --- several entries per agency (issue 14) ---------------------------------------------------------------------


def by_kind_of(cycle):
    return {row["kind"]: row for row in cycle.compliance_by_kind()}


def test_two_drafts_do_not_make_an_agency_complied(open_cycle, agency_a, owner, reviewer):
    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=2)
    make_entry(open_cycle, agency_a, owner, "Draf Satu", "draft")
    make_entry(open_cycle, agency_a, owner, "Draf Dua", "draft")
    assert by_kind_of(open_cycle)["Perangkat daerah"]["with_entry"] == 0
    response = client_for(reviewer).get(reverse(BOARD), HTTP_ACCEPT_LANGUAGE="id")
    rows = [row for row in response.context["rows"] if row.agency_code == "PD-DINKES"]
    assert [(row.innovation, row.entries, row.counting, row.compliant) for row in rows] == [
        ("Draf Satu", 2, 0, False),
        ("Draf Dua", 2, 0, False),
    ]
    assert "2 diisi, 0 dihitung" in response.content.decode()


def test_one_rejected_and_one_submitted_entry_make_an_agency_complied_once(
    open_cycle, agency_a, agency_b, owner, reviewer
):
    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=3)
    make_entry(open_cycle, agency_a, owner, "Ditolak", "rejected")
    make_entry(open_cycle, agency_a, owner, "Terkirim", "submitted")
    make_entry(open_cycle, agency_b, owner, "Disetujui", "approved")
    make_entry(open_cycle, agency_b, owner, "Terkirim Juga", "submitted")
    # Two agencies complied, not four entries.
    assert by_kind_of(open_cycle)["Perangkat daerah"]["with_entry"] == 2
    assert by_kind_of(open_cycle)["Perangkat daerah"]["missing"] == 0
    response = client_for(reviewer).get(reverse(BOARD), HTTP_ACCEPT_LANGUAGE="id")
    rows = {row.innovation: row for row in response.context["rows"]}
    assert (rows["Ditolak"].entries, rows["Ditolak"].counting, rows["Ditolak"].compliant) == (2, 1, True)
    assert (rows["Terkirim Juga"].entries, rows["Terkirim Juga"].counting) == (2, 2)
    html = response.content.decode()
    assert "2 diisi, 1 dihitung" in html and "2 diisi, 2 dihitung" in html
    # The state filter still picks the entries in that state.
    rejected_only = client_for(reviewer).get(reverse(BOARD), {"state": "rejected"})
    assert [row.innovation for row in rejected_only.context["rows"]] == ["Ditolak"]


def test_board_query_count_does_not_grow_with_entries_per_agency(
    open_cycle, region, owner, reviewer, django_assert_num_queries
):
    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=3)
    client = client_for(reviewer)
    agency = Agency.objects.create(region=region, code="KEC-1", name="Kecamatan 1", kind="kecamatan")
    make_answer(make_entry(open_cycle, agency, owner, "Satu", "submitted"), "SID-16", 2, by=owner)
    with django_assert_num_queries(11):
        response = client.get(reverse(BOARD), {"kind": "kecamatan"})
    assert len(response.context["rows"]) == 1
    for number in (2, 3):
        entry = make_entry(open_cycle, agency, owner, f"Inovasi {number}", "approved")
        make_answer(entry, "SID-16", 2, by=owner, verdict="sesuai")
    with django_assert_num_queries(11):
        response = client.get(reverse(BOARD), {"kind": "kecamatan"})
    assert [(row.entries, row.counting) for row in response.context["rows"]] == [(3, 3)] * 3
