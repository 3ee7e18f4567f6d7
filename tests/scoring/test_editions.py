from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from scoring.catalogue import bundled_catalogue_path, load_edition
from scoring.editions import shipped_edition_files
from scoring.models import Edition, Indicator, IndicatorOption

pytestmark = pytest.mark.django_db

CATALOGUE = bundled_catalogue_path(2024)


def test_load_catalogue_stores_every_row_and_option():
    call_command("load_catalogue", str(CATALOGUE))
    edition = Edition.objects.get(year=2024)
    assert edition.indicators.filter(part="SPD").count() == 20
    assert edition.indicators.filter(part="SID").count() == 20
    spd_02a = Indicator.objects.get(edition=edition, code="SPD-02a")
    assert (spd_02a.number, spd_02a.sub) == (2, "a")
    assert str(Indicator.objects.get(edition=edition, code="SPD-05a").bobot) == "0.75"
    sid_33 = Indicator.objects.get(edition=edition, code="SID-33")
    assert sid_33.mandatory and sid_33.evidence_kinds == ["pdf", "screenshot"]
    groups = sorted(set(sid_33.options.values_list("group", flat=True)))
    assert groups == ["biaya", "orang", "pendapatan", "produk", "unit"]
    assert sid_33.options.get(group="orang", level=3).label == "201 orang atau lebih"
    assert IndicatorOption.objects.filter(indicator__code="SID-16").count() == 3
    assert [row.code for row in edition.indicators.filter(mandatory=True)] == [
        "SID-16",
        "SID-17",
        "SID-32",
        "SID-33",
        "SID-35",
    ]


def test_load_catalogue_twice_changes_nothing():
    call_command("load_catalogue", str(CATALOGUE))
    call_command("load_catalogue", str(CATALOGUE))
    assert Edition.objects.count() == 1
    assert Indicator.objects.count() == 40


def test_corrected_catalogue_becomes_a_new_version_and_the_used_one_stays(cycle_2024, tmp_path):
    call_command("load_catalogue", str(CATALOGUE))
    original = Edition.objects.get(year=2024, checksum=load_edition(CATALOGUE.read_text("utf-8")).checksum)
    cycle_2024.edition = original
    cycle_2024.save()
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    data["sid"][0]["options"][0]["label"] = "SK Kepala Perangkat Daerah (dikoreksi)"
    corrected = tmp_path / "catalogue-2024-fix.yaml"
    corrected.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before = original.source_text
    previous = Edition.objects.latest_for_year(2024)
    call_command("load_catalogue", str(corrected))
    newest = Edition.objects.latest_for_year(2024)
    assert newest.version == previous.version + 1
    assert newest.indicators.get(code="SID-16").options.get(level=1).label.endswith("(dikoreksi)")
    original.refresh_from_db()
    assert original.source_text == before
    assert original.indicators.get(code="SID-16").options.get(level=1).label == "SK Kepala Perangkat Daerah"


def test_load_catalogue_rejects_a_bad_file_listing_every_problem(tmp_path):
    editions_before = set(Edition.objects.values_list("pk", flat=True))
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    data["sid"][1]["id"] = data["sid"][0]["id"]
    data["spd"][0]["bobot"] = 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_catalogue", str(bad))
    message = str(caught.value)
    assert "SID-16" in message and "SPD-01" in message
    assert set(Edition.objects.values_list("pk", flat=True)) == editions_before


def test_load_catalogue_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("load_catalogue", str(Path(tmp_path) / "nope.yaml"))


def test_edition_parsed_matches_the_file():
    call_command("load_catalogue", str(CATALOGUE))
    parsed = Edition.objects.get().parsed()
    assert parsed.year == 2024
    assert [row.id for row in parsed.rows] == list(
        Indicator.objects.order_by("position").values_list("code", flat=True)
    )


def test_every_shipped_edition_is_in_the_database_after_migrate():
    shipped = {load_edition(path.read_text("utf-8")).checksum for path in shipped_edition_files()}
    assert shipped
    assert shipped <= set(Edition.objects.values_list("checksum", flat=True))


@pytest.mark.django_db(transaction=True)
def test_migrating_again_adds_no_second_copy_of_a_shipped_edition():
    before = list(Edition.objects.values_list("year", "version", "checksum"))
    call_command("migrate", verbosity=0)
    assert list(Edition.objects.values_list("year", "version", "checksum")) == before
