"""The audit trail held by the database: review events that cannot change, entries whose history keeps them,
the status constraint, and stored files that go with their rows (and `check_storage` for what is left)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency, Region, Role, User
from registry import workflow
from registry.models import Answer, Evidence, Innovation, ReviewEvent
from reports.models import HandoffPackage
from scoring.models import Edition
from tests.conftest import assert_error_page, client_for, make_cycle, make_person
from tests.registry.test_object_storage import bucket, s3_endpoint, s3_storage_settings  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def submitted(entry, owner):
    """The entry as submitted, with the one review event that says so."""
    event = ReviewEvent.objects.create(
        innovation=entry, actor=owner, from_status="draft", to_status="submitted", note="dikirim"
    )
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.SUBMITTED)
    entry.refresh_from_db()
    return event


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.org", password="x")


def with_file(entry, owner, name="sk.pdf", content=PDF) -> Evidence:
    answer = Answer.objects.create(
        innovation=entry, indicator=entry.cycle.edition.indicators.get(code="SID-16"), level=3
    )
    item = Evidence(answer=answer, kind="file", original_name=name, created_by=owner)
    item.file.save(name, ContentFile(content), save=False)
    item.save()
    return item


def table():
    return connection.ops.quote_name(ReviewEvent._meta.db_table)


@pytest.mark.parametrize(
    "change",
    [
        lambda event: ReviewEvent.objects.filter(pk=event.pk).update(note="diubah"),
        lambda event: ReviewEvent.objects.filter(pk=event.pk).update(to_status="approved"),
        lambda event: connection.cursor().execute(
            f"UPDATE {table()} SET note = 'diubah' WHERE id = %s", [event.pk]
        ),
    ],
    ids=["orm-note", "orm-status", "raw-sql"],
)
def test_review_event_update_refused_by_the_database(submitted, change):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        change(submitted)
    assert "review_event_append_only" in str(refused.value)
    submitted.refresh_from_db()
    assert (submitted.note, submitted.to_status) == ("dikirim", "submitted")


@pytest.mark.parametrize(
    "remove",
    [
        lambda event: ReviewEvent.objects.filter(pk=event.pk).delete(),
        lambda event: ReviewEvent.objects.all()._raw_delete(connection.alias),
        lambda event: connection.cursor().execute(f"DELETE FROM {table()} WHERE id = %s", [event.pk]),
    ],
    ids=["orm", "orm-raw-delete", "raw-sql"],
)
def test_review_event_delete_refused_by_the_database(submitted, remove):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        remove(submitted)
    assert "review_event_append_only" in str(refused.value)
    assert ReviewEvent.objects.filter(pk=submitted.pk).exists()


def test_review_events_are_still_written_by_the_workflow(submitted, reviewer, entry):
    workflow.start_review(entry, by=reviewer)
    assert list(entry.events.values_list("to_status", flat=True)) == ["submitted", "in_review"]


def test_innovation_with_events_cannot_be_deleted(submitted, entry):
    with pytest.raises(ProtectedError), transaction.atomic():
        entry.delete()
    assert Innovation.objects.filter(pk=entry.pk).exists()
    assert ReviewEvent.objects.filter(innovation=entry).count() == 1


def test_admin_refuses_to_delete_an_innovation_with_events_and_says_why(submitted, entry, superuser):
    client = client_for(superuser)
    url = reverse("admin:registry_innovation_delete", args=[entry.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
    html = page.content.decode()
    assert page.status_code == 200
    assert "riwayat verifikasi" in html.lower()
    assert "1 peristiwa" in html
    client.post(url, {"post": "yes"})
    assert Innovation.objects.filter(pk=entry.pk).exists()
    bulk = client.post(
        reverse("admin:registry_innovation_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code == 200
    assert Innovation.objects.filter(pk=entry.pk).exists()


def test_review_events_cannot_be_changed_in_the_admin(submitted, superuser):
    client = client_for(superuser)
    delete = client.get(reverse("admin:registry_reviewevent_delete", args=[submitted.pk]))
    assert_error_page(delete, 403, "dikirim")  # the app's page, not the admin's confirmation
    change = client.post(
        reverse("admin:registry_reviewevent_change", args=[submitted.pk]), {"note": "diubah"}
    )
    assert_error_page(change, 403, "dikirim", "diubah")
    submitted.refresh_from_db()
    assert (submitted.note, submitted.to_status) == ("dikirim", "submitted")


def test_database_refuses_an_unknown_status(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        Innovation.objects.filter(pk=entry.pk).update(status="disetujui_diam_diam")
    entry.refresh_from_db()
    assert entry.status == Innovation.Status.DRAFT


def test_admin_deleting_a_draft_removes_its_files_after_commit(
    entry, owner, superuser, django_capture_on_commit_callbacks
):
    item = with_file(entry, owner)
    entry.budget_file.save("anggaran.pdf", ContentFile(PDF), save=True)
    names = [item.file.name, entry.budget_file.name]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(superuser).post(
            reverse("admin:registry_innovation_delete", args=[entry.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Innovation.objects.filter(pk=entry.pk).exists()
    assert [default_storage.exists(name) for name in names] == [False, False]


def test_cascaded_files_stay_when_the_deletion_rolls_back(entry, owner):
    item = with_file(entry, owner)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        Answer.objects.filter(innovation=entry).delete()  # cascades to the evidence
        raise Abort
    assert default_storage.exists(item.file.name)
    assert Evidence.objects.filter(pk=item.pk).exists()


def test_evidence_file_removed_when_its_answer_is_deleted(entry, owner, django_capture_on_commit_callbacks):
    item = with_file(entry, owner)
    with django_capture_on_commit_callbacks(execute=True):
        Answer.objects.filter(innovation=entry).delete()
    assert not default_storage.exists(item.file.name)


def test_handoff_package_files_removed_with_the_package(
    open_cycle, admin_user, django_capture_on_commit_callbacks
):
    package = HandoffPackage.objects.create(cycle=open_cycle, requested_by=admin_user)
    package.workbook.save("paket.xlsx", ContentFile(b"xlsx"), save=False)
    package.archive.save("bukti.zip", ContentFile(b"zip"), save=True)
    names = [package.workbook.name, package.archive.name]
    with django_capture_on_commit_callbacks(execute=True):
        package.delete()
    assert [default_storage.exists(name) for name in names] == [False, False]


def run_check_storage(*args) -> tuple[int, str]:
    out = io.StringIO()
    with translation.override("id"):
        try:
            call_command("check_storage", *args, stdout=out, stderr=out)
        except SystemExit as exit_:
            return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_check_storage_lists_orphans_and_missing_files(entry, owner):
    kept = with_file(entry, owner, "kept.pdf")
    lost = Evidence.objects.create(
        answer=kept.answer,
        kind="file",
        file="evidence/hilang.pdf",
        original_name="hilang.pdf",
        created_by=owner,
    )
    orphan = default_storage.save("evidence/999/yatim.pdf", ContentFile(PDF))

    code, output = run_check_storage()
    assert code == 1
    assert "Berkas tanpa baris (1):" in output
    assert orphan in output
    assert "Baris yang berkasnya hilang (1):" in output
    assert f"evidence/hilang.pdf (registry.Evidence #{lost.pk}, file)" in output
    assert kept.file.name not in output
    assert default_storage.exists(orphan)  # listed, not removed

    lost.delete()
    code, output = run_check_storage("--delete-orphans")  # too young: an upload may be on its way
    assert (code, default_storage.exists(orphan)) == (0, True)
    assert "1 berkas tanpa baris disimpan: lebih muda dari 60 menit." in output
    code, output = run_check_storage("--delete-orphans", "--older-than", "0")
    assert code == 0
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name)
    assert "1 berkas tanpa baris dihapus." in output


def test_check_storage_reports_a_clean_storage(entry, owner):
    with_file(entry, owner)
    code, output = run_check_storage()
    assert code == 0
    assert "Penyimpanan cocok dengan basis data: 1 berkas, tidak ada yatim, tidak ada yang hilang." in output


@pytest.mark.django_db(transaction=True)
def test_flush_empties_review_events_and_keeps_them_protected(region, agency_a, owner, open_cycle):
    entry = Innovation.objects.create(cycle=open_cycle, agency=agency_a, name="Inovasi", created_by=owner)
    ReviewEvent.objects.create(innovation=entry, actor=owner, from_status="draft", to_status="submitted")
    call_command("flush", interactive=False, verbosity=0)
    assert ReviewEvent.objects.count() == 0
    assert Innovation.objects.count() == 0
    # The exception the flush made is gone again.
    region = Region.objects.create(code="73.72", name="Kota Parepare", kind=Region.Kind.KOTA)
    agency = Agency.objects.create(region=region, code="A", name="A", kind=Agency.Kind.PERANGKAT_DAERAH)
    person = make_person("p@example.org", Role.INNOVATOR, region, [agency])
    cycle = make_cycle(region, 2024, Edition.objects.get(region=None, year=2024))
    entry = Innovation.objects.create(cycle=cycle, agency=agency, name="Lagi", created_by=person)
    event = ReviewEvent.objects.create(
        innovation=entry, actor=person, from_status="draft", to_status="submitted"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        ReviewEvent.objects.filter(pk=event.pk).delete()
    assert ReviewEvent.objects.count() == 1


def test_status_constraint_lists_every_status():
    [constraint] = [c for c in Innovation._meta.constraints if c.name == "innovation_status_valid"]
    assert sorted(constraint.condition.children[0][1]) == sorted(Innovation.Status.values)


def test_check_storage_and_cascaded_deletion_work_on_object_storage(
    bucket,  # noqa: F811 (the fixture imported above)
    entry,
    owner,
    django_capture_on_commit_callbacks,
):
    kept = with_file(entry, owner, "kept.pdf")
    orphan = default_storage.save("evidence/999/yatim.pdf", ContentFile(PDF))
    Evidence.objects.create(
        answer=kept.answer,
        kind="file",
        file="evidence/hilang.pdf",
        original_name="hilang.pdf",
        created_by=owner,
    )
    assert bucket.keys() == {f"registri/uji/{kept.file.name}", f"registri/uji/{orphan}"}
    code, output = run_check_storage("--delete-orphans")
    assert code == 1
    assert f"  {orphan}\n" in output
    assert "evidence/hilang.pdf (registry.Evidence #" in output
    assert "1 berkas tanpa baris disimpan: lebih muda dari 60 menit." in output
    run_check_storage("--delete-orphans", "--older-than", "0")
    assert bucket.keys() == {f"registri/uji/{kept.file.name}"}
    with django_capture_on_commit_callbacks(execute=True):
        Answer.objects.filter(innovation=entry).delete()
    assert bucket.keys() == set()
