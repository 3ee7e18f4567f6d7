"""The index dashboard: its figures are the engine's (and, for one scenario, worked out by hand)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Agency
from registry.models import Cycle, Innovation, SpdProfile
from scoring.collect import cycle_index, gather_inputs
from scoring.index import gain_ranking, variable_scores
from tests.conftest import assert_error_page, assert_sent_to_login, client_for, make_answer, make_cycle

pytestmark = pytest.mark.django_db

URL = "/laporan/"


def innovation(cycle, agency, by, name, status, *, urusan="", stage="penerapan"):
    return Innovation.objects.create(
        cycle=cycle, agency=agency, name=name, status=status, stage=stage, urusan=urusan, created_by=by
    )


@pytest.fixture
def scenario(open_cycle, agency_a, agency_b, owner):
    """Worked by hand in the tests below (weights from catalogue-2024.yaml)."""
    spd = SpdProfile.objects.create(cycle=open_cycle)
    make_answer(spd, "SPD-01", 3, by=owner, verdict="sesuai")  # Institusi, bobot 1: 3 claimed, 3 verified
    # Sumber Daya Manusia, bobot 2: 4 claimed, 2 verified.
    make_answer(spd, "SPD-12", 2, by=owner, verdict="tidak_sesuai", verified_level=1)
    posyandu = innovation(open_cycle, agency_a, owner, "Posyandu Digital", "approved", urusan="Kesehatan")
    make_answer(posyandu, "SID-16", 3, by=owner, verdict="sesuai")  # Infrastruktur, bobot 3: 9 and 9
    # Jumlah Inovasi dan Hasil Kreatif, bobot 4: 8 claimed, no verdict yet so 0 verified (D2).
    make_answer(posyandu, "SID-35", 2, by=owner)
    sekolah = innovation(open_cycle, agency_b, owner, "Sekolah Ramah Anak", "submitted", urusan="Pendidikan")
    make_answer(sekolah, "SID-17", 1, by=owner)  # Infrastruktur, bobot 2: 2 claimed, not approved
    return open_cycle


def test_dashboard_shows_the_hand_computed_scenario(scenario, reviewer):
    response = client_for(reviewer).get(URL)
    assert response.status_code == 200
    result = response.context["result"]
    # Claimed: n = 2; SPD 3 + 4 = 7; Σ kematangan 9 + 8 + 2 = 19; SID = 19 / 10 + 2 × 0.38 = 2.66;
    # total 9.66; IID 9.66 / 250 × 100 = 3.864 → 3.86.
    claimed = result.self_assessed
    assert (claimed.n, claimed.spd, claimed.sid, claimed.iid) == (2, 7, Decimal("2.66"), Decimal("3.86"))
    # Verified: n = 1; SPD 3 + 2 = 5; Σ kematangan 9; SID = 0.9 + 0.38 = 1.28; total 6.28; IID 2.512 → 2.51.
    verified = result.verified
    assert (verified.n, verified.spd, verified.sid, verified.iid) == (1, 5, Decimal("1.28"), Decimal("2.51"))
    html = response.content.decode()
    assert _testid_text(html, "iid-claimed") == "3,86"
    assert _testid_text(html, "iid-verified") == "2,51"
    assert _testid_text(html, "predicate-claimed") == "Kurang Inovatif"
    assert _testid_text(html, "n") == "2 / 1"
    assert _testid_text(html, "spd-claimed") == "7,00"
    assert _testid_text(html, "sid-verified") == "1,28"


def test_dashboard_variables_are_worked_out_by_hand(scenario, reviewer):
    response = client_for(reviewer).get(URL)
    figures = {(item.part, item.name): item for item in response.context["variables"]}
    # The 2024 edition's variables in its own order: 3 SPD, then 5 SID.
    assert [key for key in figures] == [
        ("SPD", "Institusi"),
        ("SPD", "Sumber Daya Manusia"),
        ("SPD", "Ekosistem Inovasi dan Kajian"),
        ("SID", "Infrastruktur"),
        ("SID", "Kecanggihan Produk"),
        ("SID", "Output Pengetahuan dan Teknologi"),
        ("SID", "Kecepatan Bisnis Proses"),
        ("SID", "Jumlah Inovasi dan Hasil Kreatif"),
    ]
    institusi = figures[("SPD", "Institusi")]
    # Institusi weights: 9 rows of 1, 4 of 0.75, 3 of 1.5 → 13.5, × level 3 = 40.5.
    assert (institusi.claimed, institusi.verified, institusi.maximum) == (3, 3, Decimal("40.5"))
    sdm = figures[("SPD", "Sumber Daya Manusia")]
    assert (sdm.claimed, sdm.verified, sdm.maximum) == (4, 2, Decimal("10.5"))
    # SID averages per innovation in n: claimed (9 + 2) / 2; verified 9 / 1 (only the approved one).
    infrastruktur = figures[("SID", "Infrastruktur")]
    assert (infrastruktur.claimed, infrastruktur.verified, infrastruktur.maximum) == (
        Decimal("5.5"),
        9,
        30,
    )
    hasil = figures[("SID", "Jumlah Inovasi dan Hasil Kreatif")]
    assert (hasil.claimed, hasil.verified, hasil.maximum) == (4, 0, 27)
    assert figures[("SID", "Kecanggihan Produk")].claimed == 0


def test_variable_figures_add_up_to_the_engine_totals(scenario):
    """SPD variables sum to SPD, and the SID averages × n sum to Σ kematangan, for both scores."""
    index = cycle_index(scenario)
    result = index.result
    figures = variable_scores(index.edition, result)
    for kind, score in (("claimed", result.self_assessed), ("verified", result.verified)):
        spd = sum(getattr(item, kind) for item in figures if item.part == "SPD")
        sid = sum(getattr(item, kind) for item in figures if item.part == "SID")
        assert spd == score.spd
        assert sid * score.n == score.kematangan_sum


def figures(result):
    """Every figure of both scores but the per-innovation rows, which the stored index does not carry."""
    return [
        (
            score.n,
            score.spd,
            score.kematangan_sum,
            score.sid_average,
            score.jumlah_inovasi,
            score.sid,
            score.total,
            score.iid,
            score.predicate,
            score.spd_rows,
        )
        for score in (result.self_assessed, result.verified)
    ]


def test_dashboard_figures_equal_cycle_index(scenario, admin_user):
    response = client_for(admin_user).get(URL)
    index = cycle_index(scenario)
    assert figures(response.context["result"]) == figures(index.result)
    rows = response.context["innovations"]
    assert [(row.name, row.claimed, row.verified) for row in rows] == [
        ("Posyandu Digital", 17, 9),
        ("Sekolah Ramah Anak", 2, 0),
    ]
    html = response.content.decode()
    for row in rows:
        assert f'href="{reverse("review_entry", args=[row.pk])}"' in html
    assert [point.year for point in response.context["trend"]] == [2024]


def test_dashboard_innovations_are_sorted_by_claimed_kematangan(scenario, region, owner, reviewer):
    third = Agency.objects.create(region=region, code="KEC-1", name="Kecamatan Bacukiki", kind="kecamatan")
    draft = innovation(scenario, third, owner, "Lorong Sehat", "draft")
    make_answer(draft, "SID-16", 3, by=owner)
    make_answer(draft, "SID-17", 3, by=owner)  # 9 + 6 = 15: between the two others
    names = [row.name for row in client_for(reviewer).get(URL).context["innovations"]]
    assert names == ["Posyandu Digital", "Lorong Sehat", "Sekolah Ramah Anak"]


def test_dashboard_gains_are_the_engines_ranking(scenario, reviewer):
    response = client_for(reviewer).get(URL)
    edition, spd, claimed, _verified = gather_inputs(scenario)
    expected = gain_ranking(edition, spd, claimed, limit=10)
    shown = response.context["gains"]
    assert [row.gain for row in shown] == [gain.gain for gain in expected]
    names = {item.key: item.name for item in claimed}
    assert [row.what for row in shown] == [
        f"SPD {gain.row_id}" if gain.target == "SPD" else f"{names[gain.target]} · {gain.row_id}"
        for gain in expected
    ]
    # By hand: an empty SPD row of bobot 1.5 at level 3 adds 4.5 to the total: 4.5 / 250 × 100 = 1.8 IID
    # points, the most any single row can add here; SPD-06 is the first of the three by id.
    assert (shown[0].what, shown[0].gain, shown[0].level) == ("SPD SPD-06", Decimal("1.8"), None)
    html = response.content.decode()
    assert "+1,8<" in html  # not "+1,800", which reads as eighteen hundred
    assert reverse("spd_indicator", args=[scenario.pk, "SPD-06"]) in html


def test_gain_shown_keeps_three_decimals_at_most_without_trailing_zeros():
    from reports.dashboard_views import GainRow

    def shown(gain):
        return str(GainRow("SPD SPD-01", "Visi", None, Decimal(0), Decimal(gain), "/").gain_shown)

    assert [shown(g) for g in ("1.8", "2.4", "0.0036", "0.0355", "0.00049")] == [
        "1.8",
        "2.4",
        "0.004",
        "0.036",
        "0",
    ]


def test_dashboard_spread_warning_only_when_d4_triggers(scenario, reviewer):
    client = client_for(reviewer)
    html = client.get(URL).content.decode()
    assert 'data-testid="spread-warning"' not in html  # Kesehatan and Pendidikan: 2 of 6
    Innovation.objects.filter(name="Sekolah Ramah Anak").update(urusan="Perhubungan")
    html = client.get(URL).content.decode()
    assert 'data-testid="spread-warning"' in html
    assert "baru mencakup 1 dari 6 urusan" in html


def test_dashboard_compliance_counts_and_link(scenario, region, owner, reviewer):
    Agency.objects.create(region=region, code="KEC-2", name="Kecamatan Soreang", kind="kecamatan")
    response = client_for(reviewer).get(URL)
    by_kind = {row["kind"]: row for row in response.context["compliance"]}
    # Two dinas, both reported (approved, submitted); one kecamatan without an entry.
    assert (by_kind["Perangkat daerah"]["with_entry"], by_kind["Perangkat daerah"]["missing"]) == (2, 0)
    assert (by_kind["Kecamatan"]["total"], by_kind["Kecamatan"]["missing"]) == (1, 1)
    assert 'href="/laporan/kepatuhan/?tahun=2024"' in response.content.decode()


def test_dashboard_draws_every_chart_with_its_table(scenario, reviewer):
    html = client_for(reviewer).get(URL).content.decode()
    for name in ("scale", "variables", "innovations", "trend"):
        figure = re.search(rf'data-testid="chart-{name}">(.*?)</figure>', html, re.S).group(1)
        assert "<svg" in figure and 'role="img"' in figure
    for table in ("figures", "variables", "innovations", "trend"):
        assert '<table class="table table-sm align-middle' in html and f'data-testid="{table}"' in html


def test_dashboard_trend_holds_every_cycle_of_the_region(scenario, region, other_region, reviewer):
    edition = scenario.edition
    dates = {
        "submission_opens": datetime.date(2023, 6, 1),
        "submission_closes": datetime.date(2023, 8, 1),
        "review_opens": datetime.date(2023, 6, 1),
        "review_closes": datetime.date(2023, 9, 1),
    }
    Cycle.objects.create(region=region, year=2023, edition=edition, **dates)
    Cycle.objects.create(region=other_region, year=2022, edition=edition, **dates)
    client = client_for(reviewer)
    points = client.get(URL).context["trend"]
    assert [(point.year, point.claimed.iid, point.verified.iid) for point in points] == [
        (2023, 0, 0),
        (2024, Decimal("3.86"), Decimal("2.51")),
    ]
    older = client.get(URL, {"tahun": "2023"})
    assert older.context["cycle"].year == 2023
    assert older.context["result"].self_assessed.predicate == "Tidak Dapat Dinilai"


# session, user, cycles, current cycle, entries to recompute, totals per cycle, SPD answers (and one more for
# their evidence where the region has any), variables, table page, chart, official results, compliance, gains,
# urusan (D4), notification badge
QUERIES = 15
# An entry changed since the last read: its answers, its score and variables written (whatever their number).
RECOMPUTING = 4


def test_dashboard_query_count_does_not_grow_with_innovations(
    open_cycle, region, owner, reviewer, django_assert_num_queries
):
    client = client_for(reviewer)

    def add(number):
        agency = Agency.objects.create(
            region=region, code=f"X-{number}", name=f"X {number}", kind="kecamatan"
        )
        entry = innovation(open_cycle, agency, owner, f"Inovasi {number}", "approved", urusan="Kesehatan")
        make_answer(entry, "SID-16", 2, by=owner, verdict="sesuai")
        make_answer(entry, "SID-20", 1, by=owner)

    add(0)
    with django_assert_num_queries(QUERIES + RECOMPUTING):
        response = client.get(URL)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert len(response.context["innovations"]) == 1
    add(1)
    add(2)
    with django_assert_num_queries(QUERIES + RECOMPUTING):
        client.get(URL)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert len(response.context["innovations"]) == 3


def test_dashboard_query_count_does_not_grow_with_cycles(
    open_cycle, region, owner, agency_a, reviewer, django_assert_num_queries
):
    client = client_for(reviewer)
    innovation(open_cycle, agency_a, owner, "Inovasi 2024", "approved")
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    older = make_cycle(region, 2023, open_cycle.edition)
    innovation(older, agency_a, owner, "Inovasi 2023", "approved")
    client.get(URL)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert [point.year for point in response.context["trend"]] == [2023, 2024]


def test_dashboard_without_any_cycle_tells_an_admin_to_create_one(region, admin_user, reviewer):
    html = client_for(admin_user).get(URL).content.decode()
    assert 'data-testid="dashboard-empty"' in html
    assert f'href="{reverse("cycle_create")}"' in html
    html = client_for(reviewer).get(URL).content.decode()
    assert 'data-testid="dashboard-empty"' in html
    assert reverse("cycle_create") not in html


def test_dashboard_refuses_innovators_and_sends_anonymous_to_login(scenario, owner, client):
    refused = client_for(owner).get(URL)
    assert_error_page(refused, 403, "Dasbor indeks", "Sekolah Ramah Anak", 'data-testid="iid-claimed"')
    assert_sent_to_login(client.get(URL), URL)


def test_dashboard_year_of_another_region_is_404(scenario, other_region, agency_a, owner, reviewer):
    from agencies.models import Role
    from tests.conftest import make_person

    # Data that could leak: the other region's 2022 cycle with an innovation.
    other = make_cycle(other_region, 2022, scenario.edition)
    makassar = Agency.objects.create(
        region=other_region, code="PD-X", name="Dinas Rahasia", kind="perangkat_daerah"
    )
    innovation(other, makassar, owner, "Inovasi Rahasia Makassar", "approved")
    client = client_for(reviewer)
    for year in ("2022", "2019", "abc", ""):
        response = client.get(URL, {"tahun": year})
        assert response.status_code == 404, year
        assert "Inovasi Rahasia Makassar" not in response.content.decode()
    html = client.get(URL).content.decode()
    assert "Inovasi Rahasia Makassar" not in html and "Dinas Rahasia" not in html
    # And the other region's reviewer sees only its own cycle.
    stranger = make_person("makassar@example.org", Role.REVIEWER, other_region)
    response = client_for(stranger).get(URL)
    assert response.context["cycle"] == other
    assert "Posyandu Digital" not in response.content.decode()
    assert client_for(stranger).get(URL, {"tahun": "2024"}).status_code == 404


def _testid_text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert match, testid
    return match.group(1).strip()


# --- the limit of innovations per agency (issue 14) ---------------------------------------------------------


def test_dashboard_warns_when_the_ceiling_keeps_the_count_below_the_cap(
    open_cycle, region, agency_a, agency_b, reviewer, admin_user
):
    for code in ("KEC-1", "KEC-2"):
        Agency.objects.create(region=region, code=code, name=f"Kecamatan {code}", kind="kecamatan")
    Agency.objects.create(region=region, code="OLD", name="Dinas Lama", kind="kecamatan", is_active=False)
    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=2)
    cap = open_cycle.edition.parsed().parameters.count_cap
    # By hand: 4 active agencies × 2 = 8 innovations at most; ceil(cap / 4) per agency reaches the cap.
    enough = -(-cap // 4)
    response = client_for(reviewer).get(URL, HTTP_ACCEPT_LANGUAGE="id")
    html = response.content.decode()
    assert 'data-testid="ceiling-warning"' in html
    assert (
        f"Dengan batas 2 inovasi per instansi dan 4 instansi aktif, paling banyak 8 inovasi dapat dihitung, "
        f"padahal indeks nasional menghitung hingga {cap} inovasi. Batas {enough} per instansi cukup untuk "
        f"mencapai {cap}."
    ) in html
    assert 'data-testid="ceiling-settings"' not in html  # only an administrator changes the cycle
    html = client_for(admin_user).get(URL).content.decode()
    assert f'href="{reverse("cycle_edit", args=[open_cycle.pk])}" data-testid="ceiling-settings"' in html

    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=enough)
    html = client_for(reviewer).get(URL).content.decode()
    assert 'data-testid="ceiling-warning"' not in html
