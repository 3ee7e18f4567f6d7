"""Backup → wipe → restore: every row and every file back, checksums equal; damaged or mismatched backups refused.

Runs on SQLite (the default run) and on PostgreSQL (DATABASE_URL pointing at it): the restore replaces the whole
database, hence transactional tests.
"""

import datetime
import errno
import hashlib
import io
import json
import os
import resource
import shutil
import signal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.defaultfilters import filesizeformat

from agencies.models import Agency, Region, Role
from registry.models import Evidence, ReviewEvent
from tests.conftest import make_answer, make_person
from tests.registry.test_object_storage import BUCKET, PREFIX, bucket, s3_endpoint, s3_storage_settings  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Larger than one copy chunk (1 MiB), so chunked copying is exercised; every byte value occurs.
VIDEO = bytes(range(256)) * 10_000


def database_rows() -> dict[str, list[dict]]:
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def stored_files(media: Path) -> dict[str, str]:
    """Every file under MEDIA_ROOT by its storage name, with its SHA-256, read from disk directly."""
    if not media.exists():
        return {}
    return {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media.rglob("*")
        if path.is_file()
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def installation(media, entry, owner, reviewer, agency_a):
    """A region with a kelurahan under its kecamatan, people, a cycle on the real catalogue, an entry with
    answers, a review event and uploaded evidence, a profile attachment and a file with a space in its name."""
    kecamatan = Agency.objects.create(
        region=agency_a.region, code="KEC-UJUNG", name="Kecamatan Ujung", kind=Agency.Kind.KECAMATAN
    )
    lurah = Agency.objects.create(
        region=agency_a.region,
        code="KEL-LEMOE",
        name="Kelurahan Lemoe",
        kind=Agency.Kind.KELURAHAN,
        parent=kecamatan,
    )
    make_person("lurah@example.org", Role.INNOVATOR, agency_a.region, [lurah])
    answer = make_answer(entry, "SID-16", 2, by=owner)
    make_answer(entry, "SID-20", 1, by=owner, evidence=False)
    for name, content in (("sk-kepala-dinas.pdf", PDF), ("video-posyandu.mp4", VIDEO)):
        evidence = Evidence(
            answer=answer,
            kind=Evidence.Kind.FILE,
            original_name=name,
            size=len(content),
            document_number="800/12/2024",
            document_date=datetime.date(2024, 3, 1),
            created_by=owner,
        )
        evidence.file.save(name, ContentFile(content), save=False)
        evidence.save()
    entry.budget_file.save("anggaran.pdf", ContentFile(PDF + b"% anggaran\n"))
    ReviewEvent.objects.create(innovation=entry, actor=owner, from_status="draft", to_status="submitted")
    default_storage.save("handoff/paket nasional 2024.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    return entry


def backup(tmp_path: Path) -> Path:
    folder = tmp_path / "cadangan"
    call_command("backup", output=folder, stdout=io.StringIO())
    return folder


def wipe(media: Path) -> None:
    call_command("flush", interactive=False)
    shutil.rmtree(media)


def test_backup_wipe_restore_brings_back_every_row_and_every_file(installation, media, tmp_path):
    rows, files = database_rows(), stored_files(media)
    assert len(files) == 4
    assert len(rows["registry.evidence"]) == 3 and len(rows["agencies.user"]) == 3

    out = io.StringIO()
    folder = tmp_path / "cadangan"
    call_command("backup", output=folder, stdout=out)
    assert "4 berkas" in out.getvalue()

    manifest = json.loads((folder / "manifest.json").read_text())
    dump = folder / manifest["database"]["name"]
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["sha256"] == sha256(dump)
    assert manifest["database"]["size"] == dump.stat().st_size
    assert {item["name"]: item["sha256"] for item in manifest["files"]} == files
    assert {item["name"]: sha256(folder / "files" / item["name"]) for item in manifest["files"]} == files
    assert ["registry", "0001_initial"] in manifest["migrations"]
    assert manifest["rows"]["registry.innovation"] == 1
    assert manifest["rows"]["agencies.agency"] == 3
    assert manifest["rows"]["registry.evidence"] == 3
    assert manifest["rows"]["agencies.membership"] == 2
    assert datetime.datetime.fromisoformat(manifest["created_at"]).utcoffset() == datetime.timedelta(0)

    wipe(media)
    assert database_rows() != rows
    assert Region.objects.count() == 0
    assert stored_files(media) == {}

    out = io.StringIO()
    call_command("restore", str(folder), stdout=out)
    assert "Dipulihkan" in out.getvalue()
    assert database_rows() == rows
    assert stored_files(media) == files
    # The backup itself is untouched by a restore (no journal files beside the copy), so it can be restored again.
    assert sha256(dump) == manifest["database"]["sha256"]
    assert sorted(path.name for path in folder.iterdir()) == [dump.name, "files", "manifest.json"]


def test_round_trip_with_the_files_on_s3(bucket, installation, tmp_path):  # noqa: F811
    """The same round trip with the files in an S3 bucket (moto's server): listed, read and written back only
    through the storage API, under their original names."""

    def objects() -> dict[str, str]:
        return {
            key: hashlib.sha256(bucket.read(key.removeprefix(f"{PREFIX}/"))).hexdigest()
            for key in sorted(bucket.keys())
        }

    rows, files = database_rows(), objects()
    assert len(files) == 4
    folder = backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {f"{PREFIX}/{item['name']}": item["sha256"] for item in manifest["files"]} == files

    call_command("flush", interactive=False)
    for key in sorted(bucket.keys()):
        bucket.client.delete_object(Bucket=BUCKET, Key=key)
    assert objects() == {}

    call_command("restore", str(folder), stdout=io.StringIO())

    assert database_rows() == rows
    assert objects() == files


def corrupt_evidence(folder: Path) -> str:
    copy = next((folder / "files" / "evidence").rglob("sk-kepala-dinas*.pdf"))
    copy.write_bytes(copy.read_bytes().replace(b"Catalog", b"Katalog"))
    return f"{copy.relative_to(folder).as_posix()}: checksum SHA-256 tidak cocok"


def truncate_database(folder: Path) -> str:
    dump = next(folder.glob("database.*"))
    dump.write_bytes(dump.read_bytes()[:-512])
    return f"{dump.name}: ukurannya"


def remove_stored_copy(folder: Path) -> str:
    (folder / "files" / "handoff" / "paket nasional 2024.zip").unlink()
    return "files/handoff/paket nasional 2024.zip: tidak ada"


def add_unlisted_file(folder: Path) -> str:
    (folder / "files" / "evidence" / "sisipan.exe").write_bytes(b"MZ")
    return "files/evidence/sisipan.exe: tidak tercantum di manifest.json"


def remove_manifest(folder: Path) -> str:
    (folder / "manifest.json").unlink()
    return "tidak berisi manifest.json: cadangan ini tidak lengkap"


def break_manifest(folder: Path) -> str:
    path = folder / "manifest.json"
    path.write_text(path.read_text()[:-40])
    return "manifest.json rusak"


@pytest.mark.parametrize(
    "damage",
    [
        corrupt_evidence,
        truncate_database,
        remove_stored_copy,
        add_unlisted_file,
        remove_manifest,
        break_manifest,
    ],
)
def test_restore_of_a_damaged_backup_names_the_file_and_changes_nothing(
    installation, media, tmp_path, damage
):
    folder = backup(tmp_path)
    # The installation moves on after the backup, so a restore that went ahead would be visible.
    Region.objects.create(code="73.71", name="Kota Makassar", kind=Region.Kind.KOTA)
    default_storage.save("evidence/baru.pdf", ContentFile(PDF))
    rows, files = database_rows(), stored_files(media)
    expected = damage(folder)

    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(folder), replace=True, stdout=io.StringIO())

    assert expected in str(refusal.value)
    assert "tidak ada yang diubah" in str(refusal.value).lower()
    assert database_rows() == rows
    assert stored_files(media) == files


def test_restore_into_a_non_empty_installation_needs_replace(installation, media, tmp_path):
    original_rows, original_files = database_rows(), stored_files(media)
    folder = backup(tmp_path)
    Region.objects.create(code="73.71", name="Kota Makassar", kind=Region.Kind.KOTA)
    default_storage.save("evidence/baru.pdf", ContentFile(PDF))
    rows, files = database_rows(), stored_files(media)

    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(folder), stdout=io.StringIO())

    assert str(refusal.value).startswith(
        "Instalasi ini tidak kosong (3 pengguna, 2 daerah, 1 inovasi, 5 berkas tersimpan)."
    )
    assert "--replace" in str(refusal.value)
    assert database_rows() == rows
    assert stored_files(media) == files

    out = io.StringIO()
    call_command("restore", str(folder), replace=True, stdout=out)

    assert out.getvalue().startswith(
        "--replace: seluruh isi basis data (3 pengguna, 2 daerah, 1 inovasi, dan semua baris lainnya) "
        "diganti dengan isi cadangan, dan 5 berkas tersimpan dihapus.\n"
    )
    assert database_rows() == original_rows
    assert stored_files(media) == original_files


def test_backup_into_a_non_empty_folder_is_refused(installation, tmp_path):
    folder = tmp_path / "cadangan"
    folder.mkdir()
    (folder / "catatan.txt").write_text("cadangan kemarin")

    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("backup", output=folder, stdout=io.StringIO())

    assert [path.name for path in folder.iterdir()] == ["catatan.txt"]


def test_backup_into_an_existing_empty_folder_is_accepted(installation, tmp_path):
    folder = tmp_path / "cadangan"
    folder.mkdir()

    call_command("backup", output=folder, stdout=io.StringIO())

    assert (folder / "manifest.json").exists()


def test_restore_refuses_a_backup_of_another_database_vendor(installation, media, tmp_path):
    folder = backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest["database"]["vendor"] = other
    (folder / "manifest.json").write_text(json.dumps(manifest))
    wipe(media)
    rows = database_rows()

    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(folder), stdout=io.StringIO())

    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert str(refusal.value).startswith(
        f"Cadangan ini dibuat dari basis data {names[other]}, sedangkan instalasi ini memakai "
        f"{names[connection.vendor]}."
    )
    assert database_rows() == rows


@pytest.fixture
def file_size_limit():
    """Writes beyond 2 MiB a file fail as on a full disk (EFBIG instead of the kill signal)."""
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 1024 * 1024, previous_limit[1]))
    yield
    resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
    signal.signal(signal.SIGXFSZ, previous_handler)


def test_backup_that_runs_out_of_space_leaves_nothing_behind(installation, tmp_path, file_size_limit):
    folder = tmp_path / "cadangan"

    with pytest.raises(CommandError) as failure:
        call_command("backup", output=folder, stdout=io.StringIO())

    assert str(failure.value).startswith(f"Ruang disk untuk {folder} tidak cukup")
    assert not folder.exists()


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore are used on PostgreSQL only")


def test_backup_without_pg_dump_says_what_to_install(postgresql_only, installation, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "kosong"))
    folder = tmp_path / "cadangan"

    with pytest.raises(CommandError) as failure:
        call_command("backup", output=folder, stdout=io.StringIO())

    assert str(failure.value).startswith("pg_dump tidak ditemukan. Pasang klien PostgreSQL")
    assert not folder.exists()


def test_backup_reports_pg_dump_failure(postgresql_only, installation, tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text(
        "#!/bin/sh\necho 'pg_dump: error: could not write to output file: No space left on device' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    folder = tmp_path / "cadangan"
    folder.mkdir()

    with pytest.raises(CommandError) as failure:
        call_command("backup", output=folder, stdout=io.StringIO())

    assert str(failure.value) == (
        "pg_dump gagal: pg_dump: error: could not write to output file: No space left on device. "
        "Ruang disk habis."
    )
    assert list(folder.iterdir()) == []


def test_restore_drops_tables_the_backup_does_not_know(postgresql_only, installation, media, tmp_path):
    rows = database_rows()
    folder = backup(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE reports_from_a_newer_version (id integer)")

    call_command("restore", str(folder), replace=True, stdout=io.StringIO())

    assert "reports_from_a_newer_version" not in connection.introspection.table_names()
    assert database_rows() == rows


def test_failing_pg_restore_leaves_the_database_as_it_was(postgresql_only, installation, media, tmp_path):
    folder = backup(tmp_path)
    Region.objects.create(code="73.71", name="Kota Makassar", kind=Region.Kind.KOTA)
    # A view the backup does not know depends on a table pg_restore must drop: it fails halfway through.
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW region_names AS SELECT name FROM agencies_region")
    rows, files = database_rows(), stored_files(media)

    with pytest.raises(CommandError) as failure:
        call_command("restore", str(folder), replace=True, stdout=io.StringIO())

    assert str(failure.value).startswith("pg_restore gagal: ")
    assert str(failure.value).endswith("Basis data tidak diubah: pg_restore berjalan dalam satu transaksi.")
    assert database_rows() == rows
    assert stored_files(media) == files
    with connection.cursor() as cursor:
        cursor.execute("DROP VIEW region_names")


# --- --link-dest: unchanged files are hard links to the previous backup's copies -----------------------------

ZIP = "handoff/paket nasional 2024.zip"


def backup_linked(tmp_path: Path, name: str, link_dest: Path) -> tuple[Path, str]:
    folder = tmp_path / name
    out = io.StringIO()
    call_command("backup", output=folder, link_dest=link_dest, stdout=out)
    return folder, out.getvalue()


def copy_of(folder: Path, name: str) -> Path:
    return folder / "files" / name


def linked_in(folder: Path) -> dict[str, bool]:
    return {
        item["name"]: item["linked"] for item in json.loads((folder / "manifest.json").read_text())["files"]
    }


def change_the_night_after() -> tuple[str, str]:
    """The storage moves on: the hand-off package is overwritten under its name (same size, other bytes) and a
    new file is uploaded. Returns (changed, new)."""
    default_storage.delete(ZIP)
    assert default_storage.save(ZIP, ContentFile(b"PK\x05\x06" + b"\x01" * 18)) == ZIP
    assert default_storage.save("evidence/baru.pdf", ContentFile(PDF + b"% baru\n")) == "evidence/baru.pdf"
    return ZIP, "evidence/baru.pdf"


def test_link_dest_links_unchanged_files_and_copies_changed_and_new_ones(installation, media, tmp_path):
    first = backup(tmp_path)
    unchanged = sorted(stored_files(media).keys() - {ZIP})
    assert len(unchanged) == 3
    changed, new = change_the_night_after()

    second, out = backup_linked(tmp_path, "kedua", first)

    for name in unchanged:
        assert copy_of(second, name).stat().st_ino == copy_of(first, name).stat().st_ino, name
        assert copy_of(second, name).stat().st_nlink == 2, name
    assert copy_of(second, changed).stat().st_ino != copy_of(first, changed).stat().st_ino
    for name in (changed, new):
        assert copy_of(second, name).stat().st_nlink == 1, name
    assert linked_in(second) == {**dict.fromkeys(unchanged, True), changed: False, new: False}
    assert set(linked_in(first).values()) == {False}
    # Every copy holds what the storage holds now, and nothing else is in the folder (no temporary copies).
    manifest = json.loads((second / "manifest.json").read_text())
    assert {item["name"]: item["sha256"] for item in manifest["files"]} == stored_files(media)
    assert stored_files(second / "files") == stored_files(media)
    copied = manifest["database"]["size"] + sum(
        item["size"] for item in manifest["files"] if item["name"] in (changed, new)
    )
    assert "5 berkas" in out and "2 disalin, 3 ditautkan ke cadangan sebelumnya" in out
    assert f"ruang disk baru {filesizeformat(copied)}." in out


def test_restore_of_a_linked_backup_after_the_previous_one_is_deleted(installation, media, tmp_path):
    first = backup(tmp_path)
    change_the_night_after()
    second, _out = backup_linked(tmp_path, "kedua", first)
    rows, files = database_rows(), stored_files(media)
    assert len(files) == 5 and sum(linked_in(second).values()) == 3

    shutil.rmtree(first)
    wipe(media)
    call_command("restore", str(second), stdout=io.StringIO())

    assert database_rows() == rows
    assert stored_files(media) == files
    assert {path.stat().st_nlink for path in (second / "files").rglob("*") if path.is_file()} == {1}


def missing_folder(folder: Path) -> str:
    shutil.rmtree(folder)
    return "folder itu tidak ada"


@pytest.mark.parametrize(
    "damage, reason",
    [
        (remove_manifest, "tidak berisi manifest.json (pencadangan terputus?)"),
        (break_manifest, "manifest.json rusak atau tidak sah"),
        (missing_folder, "folder itu tidak ada"),
    ],
)
def test_link_dest_without_a_complete_backup_is_ignored_and_everything_copied(
    installation, media, tmp_path, damage, reason
):
    first = backup(tmp_path)
    damage(first)

    second, out = backup_linked(tmp_path, "kedua", first)

    assert f"--link-dest {first} diabaikan: {reason}" in out and "; semua berkas disalin.\n" in out
    assert "4 disalin, 0 ditautkan" in out
    assert linked_in(second) == dict.fromkeys(stored_files(media), False)
    assert {path.stat().st_nlink for path in (second / "files").rglob("*") if path.is_file()} == {1}


def tamper_same_size(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"Catalog", b"Katalog"))


def tamper_shorter(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


@pytest.mark.parametrize("tamper", [tamper_same_size, tamper_shorter])
def test_a_damaged_previous_copy_is_not_linked(installation, media, tmp_path, tamper):
    first = backup(tmp_path)
    damaged = next(name for name in stored_files(media) if "sk-kepala-dinas" in name)
    before = copy_of(first, damaged).read_bytes()
    tamper(copy_of(first, damaged))
    assert copy_of(first, damaged).read_bytes() != before

    second, out = backup_linked(tmp_path, "kedua", first)

    assert f"files/{damaged} di cadangan {first}" in out and "(cadangan itu rusak); berkas disalin." in out
    assert copy_of(second, damaged).stat().st_nlink == 1
    assert copy_of(second, damaged).read_bytes() == before
    assert linked_in(second) == {**dict.fromkeys(stored_files(media), True), damaged: False}
    call_command("restore", str(second), replace=True, stdout=io.StringIO())  # verified: the copy is sound


def test_hard_links_refused_by_the_file_system_leave_copies(installation, media, tmp_path, monkeypatch):
    first = backup(tmp_path)
    attempts = []

    def refuse(source, target):
        attempts.append(target)
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "link", refuse)
    second, out = backup_linked(tmp_path, "kedua", first)

    assert (
        len(attempts) == 1
    )  # no further attempt (nor re-reading of previous copies) after the first refusal
    assert out.count("Tautan keras") == 1 and "semua berkas disalin" in out
    assert "4 disalin, 0 ditautkan" in out
    assert stored_files(second / "files") == stored_files(media)
    assert set(linked_in(second).values()) == {False}


def test_link_dest_with_the_files_on_s3(bucket, installation, tmp_path):  # noqa: F811
    """Read from the bucket as a stream, linked where the object is unchanged; restored after the first backup is
    gone."""

    def objects() -> dict[str, str]:
        return {
            key: hashlib.sha256(bucket.read(key.removeprefix(f"{PREFIX}/"))).hexdigest()
            for key in sorted(bucket.keys())
        }

    first = backup(tmp_path)
    bucket.client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{ZIP}", Body=b"PK\x05\x06" + b"\x02" * 18)
    rows, files = database_rows(), objects()

    second, out = backup_linked(tmp_path, "kedua", first)

    assert "3 disalin" not in out and "1 disalin, 3 ditautkan" in out
    for name, linked in linked_in(second).items():
        assert (copy_of(second, name).stat().st_ino == copy_of(first, name).stat().st_ino) == linked
        assert linked == (name != ZIP)
    shutil.rmtree(first)
    call_command("flush", interactive=False)
    for key in sorted(bucket.keys()):
        bucket.client.delete_object(Bucket=BUCKET, Key=key)

    call_command("restore", str(second), stdout=io.StringIO())

    assert database_rows() == rows
    assert objects() == files
