"""Revision 2 of the 2024 catalogue: Indonesian evidence guidance (English kept beside it), nothing that scores
changed, so a cycle on the original moves to it with every answer, evidence item and verdict, and the same IID.

The original file (revision 1, English guidance) is kept here as a fixture: databases loaded before revision 2
hold it as version 1 of 2024, and their cycles use it until an administrator moves them.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from registry.models import Answer, Evidence, Innovation, SpdProfile
from scoring import catalogue
from scoring.collect import cycle_index
from scoring.editions import load_edition_text, load_shipped_editions
from scoring.models import Edition
from tests.conftest import client_for, make_answer

pytestmark = pytest.mark.django_db

REV1 = Path(__file__).resolve().parent / "data" / "catalogue-2024-rev1.yaml"
REV2 = catalogue.bundled_catalogue_path(2024)

SID16_ID = "Perda/Perkada/SK beserta halaman yang menyebut nama inovasi; berlaku pada tahun penerapan"
SID16_EN = "Perda/Perkada/SK plus the page naming the innovation; valid for the year of penerapan"
SPD01_ID = "Halaman RPJMD / Perkada yang memuat visi dan misi daerah"
SPD01_EN = "RPJMD / Perkada page stating the vision/mission"

# code → (level chosen, verified level); the entry's and the SPD profile's answers.
SID_ANSWERS = {"SID-16": (3, 3), "SID-17": (2, 1), "SID-19": (2, 2), "SID-35": (2, 2)}
SPD_ANSWERS = {"SPD-01": (3, 3), "SPD-02a": (2, 2), "SPD-12": (2, 1)}


def test_revision_2_parses_with_indonesian_guidance_and_the_english_beside_it():
    rev1, rev2 = catalogue.load_edition_file(REV1), catalogue.load_edition_file(REV2)
    assert rev2.subject == "Indeks Inovasi Daerah (IID) — Kemendagri, BSKDN (dahulu Balitbang)"
    assert rev2.subject_en == "Regional Innovation Index (IID) — Kemendagri, BSKDN (formerly Balitbang)"
    assert (rev2.row("SID-16").evidence_description, rev2.row("SID-16").evidence_description_en) == (
        SID16_ID,
        SID16_EN,
    )
    # Every row has both texts, and the English is revision 1's text word for word.
    assert all(row.evidence_description_en for row in rev2.rows)
    assert [row.evidence_description_en for row in rev2.rows] == [
        row.evidence_description for row in rev1.rows
    ]
    assert (rev1.subject_en, rev1.row("SID-16").evidence_description_en) == ("", "")
    # Nothing that scores differs.
    assert rev1.parameters == rev2.parameters
    assert [(row.id, row.bobot, row.all_options) for row in rev1.rows] == [
        (row.id, row.bobot, row.all_options) for row in rev2.rows
    ]


@pytest.mark.parametrize(
    ("place", "value", "problem"),
    [
        ("description_en", '""', "kunci 'evidence.description_en' harus berupa teks"),
        ("description_en", "[a, b]", "kunci 'evidence.description_en' harus berupa teks"),
        ("description_en", "3", "kunci 'evidence.description_en' harus berupa teks"),
        ("subject_en", "{a: 1}", "Kunci 'meta.subject_en' harus berupa teks"),
    ],
)
def test_english_texts_must_be_text_when_given(place, value, problem):
    text = REV2.read_text(encoding="utf-8")
    if place == "subject_en":
        old = 'subject_en: "Regional Innovation Index (IID) — Kemendagri, BSKDN (formerly Balitbang)"'
        text = text.replace(old, f"subject_en: {value}", 1)
    else:
        text = text.replace(f'description_en: "{SID16_EN}"', f"description_en: {value}", 1)
    with pytest.raises(catalogue.CatalogueError) as error:
        catalogue.load_edition(text)
    assert any(problem in item for item in error.value.problems), error.value.problems


def test_a_fresh_database_has_revision_2_as_the_only_2024_edition():
    [edition] = Edition.objects.filter(year=2024)
    assert edition.version == 1
    assert edition.source_text == REV2.read_text(encoding="utf-8")
    assert edition.title == "IID 2024: Indeks Inovasi Daerah (IID) — Kemendagri, BSKDN (dahulu Balitbang)"
    assert (
        edition.title_en
        == "IID 2024: Regional Innovation Index (IID) — Kemendagri, BSKDN (formerly Balitbang)"
    )
    with translation.override("en"):
        assert edition.display_title == edition.title_en
    with translation.override("id"):
        assert edition.display_title == edition.title
    indicator = edition.indicators.get(code="SID-16")
    assert (indicator.evidence_description, indicator.evidence_description_en) == (SID16_ID, SID16_EN)


def test_evidence_guidance_follows_the_active_language():
    indicator = Edition.objects.get(year=2024).indicators.get(code="SPD-01")
    with translation.override("id"):
        assert indicator.evidence_guidance == SPD01_ID
    with translation.override("en"):
        assert indicator.evidence_guidance == SPD01_EN
    # A row without an English text (revision 1) shows its only text in English too.
    indicator.evidence_description_en = ""
    with translation.override("en"):
        assert indicator.evidence_guidance == SPD01_ID


@pytest.fixture
def editions(db):
    """A database loaded before revision 2: the original as version 1; the shipped files (what `migrate`
    runs after every deploy) then add revision 2 as version 2, leaving version 1 as it was."""
    Edition.objects.filter(year=2024).delete()
    rev1, created = load_edition_text(REV1.read_text(encoding="utf-8"))
    assert created
    [(rev2, created)] = load_shipped_editions()
    assert created
    assert load_shipped_editions() == [(rev2, False)]
    return rev1, rev2


def test_revision_2_loads_as_a_new_version_next_to_the_original(editions):
    rev1, rev2 = editions
    assert [(edition.year, edition.version) for edition in Edition.objects.order_by("version")] == [
        (2024, 1),
        (2024, 2),
    ]
    assert (rev1.pk, rev2.pk) == tuple(Edition.objects.order_by("version").values_list("pk", flat=True))
    assert rev1.revision_difference(rev2) is None
    assert rev1.indicators.get(code="SID-16").evidence_description == SID16_EN
    assert rev1.indicators.get(code="SID-16").evidence_description_en == ""
    assert rev2.indicators.get(code="SID-16").evidence_description == SID16_ID


@pytest.fixture
def rev1_cycle(editions, region, agency_a, agency_b, owner, reviewer, admin_user):
    """A cycle on the original with an approved entry, a submitted one and the SPD profile, all judged."""
    from tests.conftest import open_windows

    rev1, _rev2 = editions
    cycle = region.cycles.create(year=2024, edition=rev1, **open_windows())
    approved = Innovation.objects.create(
        cycle=cycle, agency=agency_a, name="Posyandu Digital", created_by=owner, stage="penerapan"
    )
    submitted = Innovation.objects.create(
        cycle=cycle, agency=agency_b, name="Rapor Digital Sekolah", created_by=owner, stage="penerapan"
    )
    profile = SpdProfile.objects.create(cycle=cycle)
    for owner_row, answers in ((approved, SID_ANSWERS), (submitted, SID_ANSWERS), (profile, SPD_ANSWERS)):
        for code, (level, verified) in answers.items():
            verdict = "sesuai" if verified == level else "tidak_sesuai"
            answer = make_answer(owner_row, code, level, by=owner, verdict=verdict, verified_level=verified)
            Evidence.objects.create(
                answer=answer, kind="link", url=f"https://example.org/{code}-2", created_by=owner
            )
            review = "accepted" if verdict == "sesuai" else "rejected"
            Evidence.objects.filter(answer=answer).update(
                review=review, reviewed_by=reviewer, review_note=f"Catatan {code}"
            )
    Innovation.objects.filter(pk=approved.pk).update(status=Innovation.Status.APPROVED)
    Innovation.objects.filter(pk=submitted.pk).update(status=Innovation.Status.SUBMITTED)
    return cycle


def answer_state(cycle) -> list[tuple]:
    answers = Answer.objects.filter(innovation__cycle=cycle) | Answer.objects.filter(spd_profile__cycle=cycle)
    return sorted(
        answers.values_list(
            "pk", "innovation", "spd_profile", "indicator__code", "level", "option_group", "verdict",
            "verified_level", "version",
        )
    )  # fmt: skip


def evidence_state(cycle) -> list[tuple]:
    items = Evidence.objects.filter(answer__innovation__cycle=cycle) | Evidence.objects.filter(
        answer__spd_profile__cycle=cycle
    )
    return sorted(items.values_list("pk", "answer", "kind", "url", "review", "review_note", "reviewed_by"))


def scores(cycle) -> tuple:
    result = cycle_index(cycle).result
    return tuple(
        (score.n, score.spd, score.sid, score.total, score.iid, score.predicate)
        for score in (result.self_assessed, result.verified)
    )


def test_a_cycle_moves_to_revision_2_with_every_answer_evidence_item_verdict_and_the_same_iid(
    rev1_cycle, editions, admin_user
):
    rev1, rev2 = editions
    cycle = rev1_cycle
    answers, items, before = answer_state(cycle), evidence_state(cycle), scores(cycle)
    assert len(answers) == 2 * len(SID_ANSWERS) + len(SPD_ANSWERS)
    (claimed, verified) = before
    assert claimed[0] == 2 and verified[0] == 1 and claimed[4] > verified[4] > 0

    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[cycle.pk]),
        {
            "year": 2024,
            "edition": rev2.pk,
            **{
                name: getattr(cycle, name).isoformat()
                for name in ("submission_opens", "submission_closes", "review_opens", "review_closes")
            },
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.edition == rev2
    answers_of_cycle = Answer.objects.filter(innovation__cycle=cycle) | Answer.objects.filter(
        spd_profile__cycle=cycle
    )
    assert set(answers_of_cycle.values_list("indicator__edition", flat=True)) == {rev2.pk}
    assert answer_state(cycle) == answers
    assert evidence_state(cycle) == items
    assert scores(cycle) == before
    # Version 1 stays as it was, its rows now unused.
    assert rev1.indicators.count() == rev2.indicators.count()
    assert not Answer.objects.filter(indicator__edition=rev1).exists()


def indicator_page(user, cycle, code, language: str | None) -> str:
    client = client_for(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if code.startswith("SPD"):
        url = reverse("spd_indicator", args=[cycle.pk, code])
    else:
        entry = Innovation.objects.filter(cycle=cycle).order_by("pk").first()
        url = reverse("entry_indicator", args=[entry.pk, code])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_after_the_move_the_indicator_page_shows_the_guidance_in_the_interface_language(
    rev1_cycle, editions, owner, admin_user
):
    _rev1, rev2 = editions
    cycle = rev1_cycle
    # Before the move: the original's only text, the English one, in either language.
    assert SID16_EN in indicator_page(owner, cycle, "SID-16", None)
    rev1_cycle.switch_edition(rev2)

    indonesian = indicator_page(owner, cycle, "SID-16", None)
    assert SID16_ID in indonesian and SID16_EN not in indonesian
    assert SID16_ID in indicator_page(owner, cycle, "SID-16", "id")
    english = indicator_page(owner, cycle, "SID-16", "en")
    assert SID16_EN in english and SID16_ID not in english

    assert SPD01_ID in indicator_page(admin_user, cycle, "SPD-01", None)
    assert SPD01_EN in indicator_page(admin_user, cycle, "SPD-01", "en")


def test_the_catalogue_page_shows_the_guidance_in_the_interface_language(editions, admin_user):
    _rev1, rev2 = editions
    client = client_for(admin_user)
    url = reverse("edition_detail", args=[rev2.pk])
    indonesian = client.get(url).content.decode()
    assert SID16_ID in indonesian and SID16_EN not in indonesian
    assert "BSKDN (dahulu Balitbang)" in indonesian
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert SID16_EN in english and SID16_ID not in english
    assert "BSKDN (formerly Balitbang)" in english and "dahulu" not in english
    # The original (revision 1) gives no English subject: its only title is shown in English too.
    assert rev1_title_shown(client, _rev1)


def rev1_title_shown(client, rev1) -> bool:
    return rev1.title in client.get(reverse("edition_detail", args=[rev1.pk])).content.decode()


def test_editions_loaded_before_the_english_title_get_it_from_their_own_file():
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = import_module("scoring.migrations.0005_edition_title_en")
    edition = Edition.objects.get(year=2024)
    Edition.objects.filter(pk=edition.pk).update(title_en="")
    migration.fill_title_en(apps, SimpleNamespace(connection=connection))
    edition.refresh_from_db()
    assert (
        edition.title_en
        == "IID 2024: Regional Innovation Index (IID) — Kemendagri, BSKDN (formerly Balitbang)"
    )
