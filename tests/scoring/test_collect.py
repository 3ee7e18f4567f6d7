"""From stored answers to the index: the figures are worked out by hand from METHOD.md."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from registry.models import Answer, Evidence, Innovation, SpdProfile
from scoring.catalogue import bundled_catalogue_path
from scoring.collect import cycle_index, gather_inputs
from scoring.editions import load_edition_file
from scoring.index import compute_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(cycle_2024):
    edition, _created = load_edition_file(bundled_catalogue_path(2024))
    cycle_2024.edition = edition
    cycle_2024.save()
    return cycle_2024


def answer(owner, code, level, *, evidence=True, verdict="", verified_level=0, group=""):
    indicator = owner.cycle.edition.indicators.get(code=code)
    fields = {"spd_profile": owner} if isinstance(owner, SpdProfile) else {"innovation": owner}
    row = Answer.objects.create(
        indicator=indicator,
        level=level,
        verdict=verdict,
        verified_level=verified_level,
        option_group=group,
        **fields,
    )
    if evidence:
        Evidence.objects.create(
            answer=row, kind="link", url="https://example.org/bukti.pdf", created_by_id=owner_user_id(owner)
        )
    return row


def owner_user_id(owner):
    from agencies.models import User

    return User.objects.order_by("pk").values_list("pk", flat=True).first()


def entry(cycle, agency, user, name, status, stage="penerapan", urusan=""):
    return Innovation.objects.create(
        cycle=cycle, agency=agency, name=name, status=status, stage=stage, urusan=urusan, created_by=user
    )


@pytest.fixture
def filled(cycle, region, owner, agency_a, agency_b):
    from agencies.models import Agency

    more = [
        Agency.objects.create(region=region, code=f"PD-{n}", name=f"Dinas {n}", kind="perangkat_daerah")
        for n in range(3)
    ]
    spd = SpdProfile.objects.create(cycle=cycle)
    answer(spd, "SPD-01", 3, verdict="sesuai")  # 3 claimed, 3 verified
    answer(spd, "SPD-06", 2, verdict="tidak_sesuai", verified_level=1)  # bobot 1.5: 3.0 claimed, 1.5 verified
    answer(spd, "SPD-12", 2, evidence=False, verdict="sesuai")  # D1: no evidence, 0 in both

    approved = entry(cycle, agency_a, owner, "Posyandu Digital", "approved", urusan="Kesehatan")
    answer(approved, "SID-16", 3, verdict="sesuai")  # bobot 3: 9 and 9
    answer(approved, "SID-35", 2)  # bobot 4: 8 claimed, no verdict yet → 0 verified (D2)
    answer(
        approved, "SID-33", 1, group="orang", verdict="tidak_sesuai", verified_level=0
    )  # 3 claimed, 0 verified
    submitted = entry(cycle, agency_b, owner, "Sekolah Ramah Anak", "submitted", urusan="Pendidikan")
    answer(submitted, "SID-17", 1)  # bobot 2: 2 claimed
    draft = entry(cycle, more[0], owner, "Draf", "draft")
    answer(draft, "SID-16", 3)
    rejected = entry(cycle, more[1], owner, "Ditolak", "rejected")
    answer(rejected, "SID-16", 3, verdict="sesuai")
    trial = entry(cycle, more[2], owner, "Uji Coba", "approved", stage="uji_coba")
    answer(trial, "SID-16", 3, verdict="sesuai")
    return cycle


def test_cycle_index_computes_both_scores_from_stored_answers(filled):
    index = cycle_index(filled)
    claimed, verified = index.result.self_assessed, index.result.verified
    # Claimed: n = 2 (approved + submitted); SPD 3 + 3.0; kematangan 9 + 8 + 3 + 2 = 22;
    # SID = 22 / 10 + 2 × 0.38 = 2.96; total 8.96; IID 3.584 → 3.58.
    assert (claimed.n, claimed.spd, claimed.kematangan_sum) == (2, 6, 22)
    assert (claimed.sid, claimed.total, claimed.iid, claimed.predicate) == (
        Decimal("2.96"),
        Decimal("8.96"),
        Decimal("3.58"),
        "Kurang Inovatif",
    )
    # Verified: n = 1 (approved); SPD 3 + 1.5; kematangan 9; SID = 0.9 + 0.38 = 1.28; total 5.78; IID 2.312 → 2.31.
    assert (verified.n, verified.spd, verified.kematangan_sum, str(verified.iid)) == (1, 4.5, 9, "2.31")
    by_name = {item.facts.name: item for item in index.innovations}
    assert by_name["Draf"].self_assessed.kematangan == 9 and not by_name["Draf"].facts.counts_self_assessed
    assert not by_name["Uji Coba"].facts.counts_verified
    assert index.spread_warning is None  # Kesehatan and Pendidikan: 2 of 6 covered


def test_gather_inputs_is_what_the_engine_needs(filled):
    result = compute_index(*gather_inputs(filled))
    assert str(result.self_assessed.iid) == "3.58"
    assert str(result.verified.iid) == "2.31"


def test_gather_inputs_query_count_does_not_grow_with_innovations(
    filled, region, owner, django_assert_num_queries
):
    from agencies.models import Agency

    with django_assert_num_queries(3):
        gather_inputs(filled)
    for n in range(5):
        agency = Agency.objects.create(region=region, code=f"X-{n}", name=f"X {n}", kind="kecamatan")
        answer(entry(filled, agency, owner, f"X{n}", "submitted"), "SID-20", 2)
    with django_assert_num_queries(3):
        gather_inputs(filled)


def test_compute_index_command_prints_the_same_figures(filled, capsys):
    call_command("compute_index", "--year", "2024", "--json")
    output = json.loads(capsys.readouterr().out)
    assert output["self_assessed"]["iid"] == 3.58 and output["verified"]["iid"] == 2.31
    assert output["self_assessed"]["n"] == 2 and output["verified"]["n"] == 1
    assert {row["name"]: row["kematangan_self_assessed"] for row in output["innovations"]}[
        "Posyandu Digital"
    ] == 20
    call_command("compute_index", "--year", "2024")
    table = capsys.readouterr().out
    assert "3.58" in table and "2.31" in table and "Kurang Inovatif" in table


def test_compute_index_command_refuses_an_unknown_year(filled):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("compute_index", "--year", "2019")


def test_spread_warning_when_one_basic_urusan(filled):
    from django.utils import translation

    Innovation.objects.filter(name="Sekolah Ramah Anak").update(urusan="Perhubungan")
    index = cycle_index(filled)
    # The warning is a sentence in the interface language; D4 is named only in its help text.
    with translation.override("id"):
        assert "mencakup 1 dari 6 urusan wajib pelayanan dasar (Kesehatan)" in index.spread_warning
        assert "D4" not in index.spread_warning and "D4" in index.spread_help
    with translation.override("en"):
        assert "cover 1 of the 6 basic-service urusan (Kesehatan)" in index.spread_warning


def test_compute_index_command_lists_the_biggest_gains(filled, capsys):
    call_command("compute_index", "--year", "2024", "--json", "--gains", "3")
    gains = json.loads(capsys.readouterr().out)["gains"]
    # SPD points go straight into the total: SPD-12 (bobot 2, level 2 without evidence, so 0) completed gives
    # 6 points = 6 / 250 x 100 = 2.4 IID; SPD-07 and SPD-08 (bobot 1.5, empty) give 4.5 = 1.8 each, ordered by id.
    # The best SID row, SID-35 of an innovation (bobot 4 x 3 = 12 / 10 = 1.2 points), gives only 0.48.
    assert gains == [
        {"target": "SPD SPD-12", "row": "SPD-12", "level": 2, "gain": 2.4},
        {"target": "SPD SPD-07", "row": "SPD-07", "level": None, "gain": 1.8},
        {"target": "SPD SPD-08", "row": "SPD-08", "level": None, "gain": 1.8},
    ]


@pytest.mark.parametrize("chunk", [1, 2, 500])
def test_streamed_scores_equal_compute_index_whatever_the_chunk(filled, monkeypatch, chunk):
    """Five innovations in several statuses and stages, read one, two or all at a time: only running sums kept."""
    from dataclasses import replace

    from scoring import collect

    monkeypatch.setattr(collect, "STREAM_CHUNK_SIZE", chunk)
    claimed, verified = collect.streamed_scores(filled)
    expected = compute_index(*gather_inputs(filled))
    assert claimed == replace(expected.self_assessed, innovations=())
    assert verified == replace(expected.verified, innovations=())
    assert (claimed.iid, verified.iid, claimed.n, verified.n) == (Decimal("3.58"), Decimal("2.31"), 2, 1)


def test_streamed_scores_query_count_grows_per_chunk_not_per_innovation(
    filled, monkeypatch, django_assert_num_queries
):
    from scoring import collect

    monkeypatch.setattr(collect, "STREAM_CHUNK_SIZE", 2)
    filled.edition.parsed()  # the parsed catalogue is cached, as in a running server
    # SPD answers; 5 innovations by 2 → 3 chunks and the empty 4th that ends the stream; the answers of a chunk
    # only when one of its innovations enters n (approved + submitted; not draft + rejected, nor the uji coba).
    with django_assert_num_queries(1 + 4 + 1):
        collect.streamed_scores(filled)


def test_cycle_index_equals_compute_index(filled):
    """`cycle_index` computes each kematangan once and assembles the scores from them: the same figures."""
    index = cycle_index(filled)
    assert index.result == compute_index(*gather_inputs(filled))
    counted = [item.self_assessed for item in index.innovations if item.facts.counts_self_assessed]
    assert index.result.self_assessed.innovations == tuple(counted)
