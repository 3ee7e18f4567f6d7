"""Issue 16: each rule is stated once, next to its data, and the pages read it from there.

The kematangan maximum and the design's word minimum are the catalogue's; the completeness of a row is
`AnswerQuerySet.filled`'s; compliance per agency kind is the cycle's; the verified level is the engine's.
"""

import datetime
import re
from pathlib import Path

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from registry.entries import answers_overview, design_min_words, submission_readiness
from registry.forms import ProfileForm
from registry.models import Answer, Cycle, Innovation, SpdProfile
from scoring.catalogue import bundled_catalogue_path, load_edition
from scoring.editions import load_edition_text
from tests.conftest import client_for, make_answer

pytestmark = pytest.mark.django_db

METHOD = Path(__file__).resolve().parents[3] / "shared" / "iid" / "METHOD.md"


@pytest.fixture(autouse=True)
def indonesian():
    # The forms and rules are also asked outside a request here: in the interface's language, whatever an
    # earlier test left active.
    with translation.override("id"):
        yield


def shipped():
    return load_edition(bundled_catalogue_path(2024).read_text(encoding="utf-8"))


def revised_text(change) -> str:
    data = yaml.safe_load(bundled_catalogue_path(2024).read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def with_design_rule(rule):
    def change(data):
        design = next(item for item in data["profile_fields"] if item["field"] == "rancang_bangun")
        if rule is None:
            design.pop("rule")
        else:
            design["rule"] = rule

    return change


# The kematangan maximum.


def test_the_kematangan_maximum_is_the_catalogues_statement():
    edition = shipped()
    assert edition.parameters.sid_per_innovation_max == 111
    assert sum(row.max_score for row in edition.sid_rows) == 111
    if METHOD.exists():  # the method's own words, where the shared folder is at hand
        assert "maximum **111** per innovation" in METHOD.read_text(encoding="utf-8")


def test_the_entry_page_shows_the_catalogues_maxima(entry, owner):
    make_answer(entry, "SID-16", 2, by=owner)
    response = client_for(owner).get(reverse("entry_detail", args=[entry.pk]))
    assert response.context["kematangan_max"] == 111
    tops = {indicator.code: top for indicator, _answer, _score, top in response.context["rows"]}
    edition = shipped()
    assert tops == {row.id: row.max_score for row in edition.sid_rows}
    assert re.search(r"6 / 9\b", response.content.decode())  # SID-16: bobot 3, level 2 of 3


# The design's word minimum.


def test_the_design_minimum_is_the_catalogues_rule():
    assert design_min_words(shipped()) == 300
    assert (
        design_min_words(load_edition(revised_text(with_design_rule("minimum 120 words; dasar hukum"))))
        == 120
    )
    assert design_min_words(load_edition(revised_text(with_design_rule(None)))) == 0


@pytest.fixture
def short_design(entry):
    Innovation.objects.filter(pk=entry.pk).update(design=" ".join(["kata"] * 150))
    entry.refresh_from_db()
    return entry


def design_problems(entry) -> list[str]:
    return [problem for problem in submission_readiness(entry).problems if "rancang bangun" in problem]


def on_edition(entry, change) -> Innovation:
    edition, _created = load_edition_text(revised_text(change), region=entry.cycle.region)
    Cycle.objects.filter(pk=entry.cycle_id).update(edition=edition)
    return Innovation.objects.select_related("cycle__edition").get(pk=entry.pk)


def test_a_catalogue_with_another_minimum_changes_the_check(short_design):
    assert design_problems(short_design) == ["Profil: rancang bangun baru berisi 150 kata; minimal 300 kata."]
    assert design_problems(on_edition(short_design, with_design_rule("min 100 words; cara kerja"))) == []
    stricter = on_edition(short_design, with_design_rule("min 200 words; cara kerja"))
    assert design_problems(stricter) == ["Profil: rancang bangun baru berisi 150 kata; minimal 200 kata."]


def test_the_profile_form_states_the_catalogues_minimum():
    form = ProfileForm(edition=shipped(), today=datetime.date(2024, 7, 1))
    assert str(form.fields["design"].help_text).startswith("Minimal 300 kata: dasar hukum")
    other = load_edition(revised_text(with_design_rule("min 250 words")))
    form = ProfileForm(edition=other, today=datetime.date(2024, 7, 1))
    assert str(form.fields["design"].help_text).startswith("Minimal 250 kata: dasar hukum")
    none = ProfileForm(
        edition=load_edition(revised_text(with_design_rule(None))), today=datetime.date(2024, 7, 1)
    )
    assert str(none.fields["design"].help_text).startswith("Dasar hukum, permasalahan")
    # The base field is not changed for the next form.
    assert "300" not in str(ProfileForm.base_fields["design"].help_text)


# Completeness.


def test_the_overview_counts_complete_rows_as_filled_does(entry, owner):
    make_answer(entry, "SID-16", 2, by=owner)  # complete
    make_answer(entry, "SID-17", 1, by=owner, evidence=False)  # no evidence
    make_answer(entry, "SID-35", None, by=owner)  # evidence, no option
    make_answer(entry, "SID-25", 0, by=owner)  # level 0 is an option chosen
    answers, complete = answers_overview(entry)
    assert complete == Answer.objects.filter(innovation=entry).filled().count() == 2
    filled = {answer.indicator.code for answer in answers.values() if answer.is_filled}
    assert filled == {"SID-16", "SID-25"}
    page = client_for(owner).get(reverse("entry_detail", args=[entry.pk]))
    assert page.context["complete"] == 2


def test_the_spd_overview_counts_the_same_way(open_cycle, reviewer):
    profile = SpdProfile.objects.create(cycle=open_cycle)
    codes = list(
        open_cycle.edition.indicators.filter(part="SPD").order_by("position").values_list("code", flat=True)
    )
    make_answer(profile, codes[0], 1, by=reviewer)
    make_answer(profile, codes[1], 1, by=reviewer, evidence=False)
    _answers, complete = answers_overview(profile)
    assert complete == 1
    page = client_for(reviewer).get(reverse("spd_detail", args=[open_cycle.pk]))
    assert page.context["complete"] == 1


# Compliance per agency kind.


def test_compliance_by_kind_is_the_cycles(entry, agency_b):
    [row] = entry.cycle.compliance_by_kind()
    assert (row["total"], row["with_entry"], row["missing"]) == (2, 0, 2)
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.SUBMITTED)
    assert entry.cycle.compliance_by_kind()[0]["with_entry"] == 1


@pytest.mark.parametrize(("new_group", "new_level"), [("", None), (None, 1)])
def test_a_changed_option_clears_its_verdict_so_the_index_never_breaks(entry, owner, new_group, new_level):
    """A verdict judged the option it was given on. Clearing or lowering the option during a revision used to
    leave "Tidak Sesuai, level 2" on a row without an option (the engine refused the whole cycle) or a
    supported level above the chosen one (the database refused the save)."""
    from registry.entries import save_answer
    from scoring.collect import cycle_index

    answer = make_answer(entry, "SID-16", 3, by=owner)
    Answer.objects.filter(pk=answer.pk).update(verdict="tidak_sesuai", verified_level=2)
    answer.refresh_from_db()
    group = answer.option_group if new_group is None else new_group
    assert save_answer(answer, group=group, level=new_level, expected_version=answer.version)
    answer.refresh_from_db()
    assert (answer.level, answer.verdict, answer.verified_level) == (new_level, "", 0)
    cycle_index(entry.cycle)  # computes without error


def test_the_same_option_sent_again_keeps_its_verdict(entry, owner):
    from registry.entries import save_answer

    answer = make_answer(entry, "SID-16", 3, by=owner)
    Answer.objects.filter(pk=answer.pk).update(verdict="tidak_sesuai", verified_level=2)
    answer.refresh_from_db()
    assert save_answer(answer, group=answer.option_group, level=3, expected_version=answer.version)
    answer.refresh_from_db()
    assert (answer.verdict, answer.verified_level) == ("tidak_sesuai", 2)
