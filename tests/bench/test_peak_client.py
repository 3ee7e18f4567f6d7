"""The deadline-peak benchmark's client (bench/peak_client.py) against Django's live server, for a few seconds with
a handful of people: every kind of request it sends is accepted (autosaves carry their next version, uploads come
back in the evidence list, verdicts redirect to their row, exports are files), and afterwards the database and the
storage hold everything acknowledged. Without this, a changed form could turn the benchmark into a measure of
error pages.

Each kind of request is first sent once by each person in turn (on SQLite too, whose in-memory test database
refuses concurrent writers); on PostgreSQL everyone then runs at once for a few seconds, as in the benchmark."""

import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.registry.upload_samples import VALID_PDF

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import peak_client

PASSWORD = "kata-sandi-tenggat-123"
KINDS = {
    "autosave: profile",
    "autosave: answer",
    "upload: evidence PDF",
    "verdict (POST)",
    "export: xlsx",
    "export: csv",
    "page: review queue",
    "page: indicator",
}


@pytest.mark.django_db(transaction=True)
def test_every_request_of_the_peak_is_accepted_and_nothing_is_lost(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--entries", "40", stdout=io.StringIO())
    people = peak_client.prepare_actors(innovators=3, reviewers=2, password=PASSWORD)
    recorder, acks = peak_client.Recorder(), peak_client.Acks()
    persons = peak_client.people_for(
        people,
        live_server.url,
        recorder,
        acks,
        password=PASSWORD,
        pdf=VALID_PDF,
        reviewer_pages=1,
        export_pause=0.5,
    )
    innovators, reviewers, exporter = persons[:3], persons[3:5], persons[5]
    concurrent = connection.vendor == "postgresql"
    peak_client.start_all(persons, workers=4 if concurrent else 1)

    recorder.start()
    for innovator in innovators:
        innovator.save_profile()
        innovator.open_indicator(people["pdf_codes"][0])
        innovator.save_answer()
        innovator.upload()
    for reviewer in reviewers:
        # Until a row of theirs is judged: a page of the queue may hold no entry of theirs.
        for _attempt in range(10):
            reviewer.step()
            if any(email == reviewer.email for email, _verdict in acks.verdicts.values()):
                break
    exporter.step()  # the XLSX
    exporter.step()  # the CSV
    recorder.stop()
    if concurrent:
        peak_client.run_load(persons, recorder, warmup=0, duration=3, think=0.1)

    assert recorder.error_examples() == []
    assert recorder.errors_outside_window == 0
    done = {row["kind"] for row in recorder.rows({}) if row["count"]}
    assert done >= KINDS, f"not exercised: {KINDS - done}"
    counts, problems = peak_client.verify(acks)
    assert problems == []
    assert counts["profiles"] == 3
    assert counts["uploads"] > 0
    assert counts["verdicts"] > 0
    assert counts["exports"] > 0
