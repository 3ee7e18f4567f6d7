"""Backup and restore: a consistent copy of the database plus every stored file, with a manifest of checksums.

A backup folder holds `database.dump` (PostgreSQL, pg_dump's custom format) or `database.sqlite3` (SQLite),
`files/<storage name>` for every uploaded file, and `manifest.json`. The manifest is written last, under a
temporary name renamed at the end: a folder without it is an interrupted backup, never a good one.

Uploaded files never change (a new upload gets a new name), so most of them are the same every night. With
`link_dest` (the previous backup folder, like rsync's --link-dest) a file whose bytes equal the previous backup's
copy becomes a hard link to that copy instead of a second copy: fourteen nightly backups then cost the files about
once. A hard link is an ordinary file with one more name, so restoring needs nothing special and deleting the
older folder leaves the newer one complete.

`restore_backup` checks the manifest and every checksum before it changes anything, then replaces the
database and puts the files back through the storage API (local disk or S3 alike), and finally compares the
recorded migrations and the row counts with the manifest.

Messages are in Indonesian: they are what an operator reads in the terminal.
"""

import datetime
import errno
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from agencies.models import Region, User
from registry.downloads import open_stored
from registry.models import Innovation

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK_SIZE = 1024 * 1024
APPLICATION = "registri-inovasi-daerah"

# libpq reads these variables, so no connection parameter (above all the password) appears in `ps`.
_PG_SETTINGS = {
    "NAME": "PGDATABASE",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "HOST": "PGHOST",
    "PORT": "PGPORT",
}
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Indonesian."""


@dataclass(frozen=True)
class Item:
    """One file of a backup: its name (inside `files/` for stored files), size and SHA-256; `linked` when the
    stored file's copy is a hard link to the previous backup's copy rather than a copy of its own."""

    name: str
    size: int
    sha256: str
    linked: bool = False

    def as_json(self) -> dict:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    vendor: str
    migrations: list[tuple[str, str]]
    database: Item
    files: list[Item]
    rows: dict[str, int]

    @property
    def files_size(self) -> int:
        return sum(item.size for item in self.files)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def linked_files(self) -> int:
        return sum(1 for item in self.files if item.linked)

    @property
    def new_bytes(self) -> int:
        """What this backup added to the disk: the database dump and the files copied rather than linked."""
        return self.database.size + sum(item.size for item in self.files if not item.linked)

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "created_at": self.created_at,
            "application": {"name": APPLICATION, "version": self.app_version},
            "database": {"vendor": self.vendor, **self.database.as_json()},
            "migrations": [list(migration) for migration in self.migrations],
            "files": [{**item.as_json(), "linked": item.linked} for item in self.files],
            "rows": self.rows,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Manifest":
        database = data["database"]
        return cls(
            created_at=str(data["created_at"]),
            app_version=str(data["application"]["version"]),
            vendor=str(database["vendor"]),
            migrations=[(str(app), str(name)) for app, name in data["migrations"]],
            database=Item(str(database["name"]), int(database["size"]), str(database["sha256"])),
            files=[
                Item(
                    str(item["name"]), int(item["size"]), str(item["sha256"]), bool(item.get("linked", False))
                )
                for item in data["files"]
            ],
            rows={str(label): int(count) for label, count in data["rows"].items()},
        )


@dataclass(frozen=True)
class Contents:
    """What an installation holds that a restore would overwrite."""

    users: int
    regions: int
    innovations: int
    files: int

    @property
    def empty(self) -> bool:
        return not (self.users or self.regions or self.innovations or self.files)

    def __str__(self) -> str:
        return (
            f"{self.users} pengguna, {self.regions} daerah, {self.innovations} inovasi, "
            f"{self.files} berkas tersimpan"
        )


def create_backup(
    *, output: Path, link_dest: Path | None = None, announce: Callable[[str], None] | None = None
) -> Manifest:
    """Write a backup into `output`, which must not exist or be empty; return its manifest.

    `link_dest` is the previous backup: its unchanged files are hard-linked instead of copied (see
    `_store_file`). A folder without a valid manifest is ignored, and `announce` hears why.
    """
    announce = announce or (lambda message: None)
    if output.exists():
        if not output.is_dir():
            raise BackupError(f"{output} sudah ada dan bukan folder.")
        if any(output.iterdir()):
            raise BackupError(
                f"Folder {output} tidak kosong. Cadangan ditulis ke folder baru atau kosong, "
                "agar cadangan lain tidak tertimpa."
            )
        created = False
    else:
        created = True
    try:
        output.mkdir(parents=True, exist_ok=True)
        manifest = _write_backup(output, _previous_files(link_dest, announce), announce)
    except BaseException as error:
        # Nothing half-written stays behind: the folder was empty or absent when we started.
        _remove_contents(output, remove_folder=created)
        if isinstance(error, OSError):
            raise BackupError(_os_error_message(error, output)) from error
        if isinstance(error, sqlite3.Error):
            raise BackupError(
                f"Salinan basis data SQLite gagal: {error}. Tidak ada cadangan yang tersimpan."
            ) from error
        raise
    return manifest


def _write_backup(
    output: Path, previous: "PreviousFiles | None", announce: Callable[[str], None]
) -> Manifest:
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Basis data {vendor} tidak didukung; hanya PostgreSQL dan SQLite.")
    created_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    dump = output / DUMP_NAMES[vendor]
    partial = dump.with_name(dump.name + ".partial")
    if vendor == "postgresql":
        migrations, rows = _dump_postgresql(partial)
    else:
        migrations, rows = _dump_sqlite(partial)
    _fsync(partial)
    partial.rename(dump)
    database = _describe(dump, dump.name)
    # Files after the database: every file the dumped rows name already exists (a later upload may come
    # along too, which costs nothing); only a file deleted during the backup is missed, and that fails it.
    files = _copy_stored_files(output / FILES, previous, announce)
    manifest = Manifest(
        created_at=created_at,
        app_version=_app_version(),
        vendor=vendor,
        migrations=migrations,
        database=database,
        files=files,
        rows=rows,
    )
    partial_manifest = output / (MANIFEST + ".partial")
    partial_manifest.write_text(json.dumps(manifest.as_json(), indent=2, ensure_ascii=False) + "\n")
    _fsync(partial_manifest)
    partial_manifest.rename(output / MANIFEST)
    _fsync(output)
    return manifest


def _dump_postgresql(target: Path) -> tuple[list[tuple[str, str]], dict[str, int]]:
    if connection.in_atomic_block:
        raise BackupError("Pencadangan harus dijalankan di luar transaksi basis data.")
    # pg_dump reads the snapshot this transaction exports, so the migrations and row counts in the
    # manifest describe exactly the rows in the dump, even while the application keeps writing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run_postgresql_tool(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
        existing = set(connection.introspection.table_names(cursor))
        return _recorded_migrations(cursor, existing), _count_rows(cursor, existing)


def _dump_sqlite(target: Path) -> tuple[list[tuple[str, str]], dict[str, int]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # The backup API copies one consistent state of the live database while others write (WAL).
        connection.connection.backup(copy)
        # A backup file in WAL mode would sprout -wal/-shm files beside it whenever it is opened.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        existing = {name for (name,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return _recorded_migrations(cursor, existing), _count_rows(cursor, existing)
    finally:
        copy.close()


@dataclass
class PreviousFiles:
    """The stored files of the previous backup (from its manifest) that new copies may be hard-linked to."""

    folder: Path
    items: dict[str, Item]
    linking: bool = True  # off after the first link the file system refuses: the others would fail alike


def _previous_files(link_dest: Path | None, announce: Callable[[str], None]) -> PreviousFiles | None:
    """The previous backup's manifest entries, or None (with the reason announced) when it is no complete backup.

    Only the manifest is read here; each copy is checked when it is about to be linked.
    """
    if link_dest is None:
        return None
    ignored = f"--link-dest {link_dest} diabaikan"
    everything = "semua berkas disalin."
    path = link_dest / MANIFEST
    if not link_dest.is_dir():
        announce(f"{ignored}: folder itu tidak ada; {everything}")
        return None
    if not path.is_file():
        announce(f"{ignored}: tidak berisi {MANIFEST} (pencadangan terputus?); {everything}")
        return None
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        manifest = Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        announce(f"{ignored}: {MANIFEST} rusak atau tidak sah ({error}); {everything}")
        return None
    return PreviousFiles(link_dest, {item.name: item for item in manifest.files})


def _copy_stored_files(
    target: Path, previous: PreviousFiles | None, announce: Callable[[str], None]
) -> list[Item]:
    stored = []
    for name in stored_names():
        destination = target / _relative(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            source, _size = open_stored(default_storage, name)
        except FileNotFoundError as error:
            raise BackupError(
                f"Berkas {name} hilang selama pencadangan (dihapus oleh aplikasi?). Jalankan pencadangan lagi."
            ) from error
        try:
            stored.append(_store_file(name, source, destination, previous, announce))
        finally:
            source.close()
    return stored


def _store_file(
    name: str, source, destination: Path, previous: PreviousFiles | None, announce: Callable[[str], None]
) -> Item:
    """Copy one stored file to `destination`, or hard-link the previous backup's copy when the bytes are equal.

    The bytes are always read from the storage and hashed while they are written to a temporary name beside
    `destination`: the storage, not the previous backup, decides what this backup holds. Only when the
    checksum and size equal the previous manifest's entry does the temporary copy give way to a link.

    A hard link shares its bytes with the previous backup. Linking to a copy that was damaged since it was
    written (a bit flipped on disk, an edit by hand) would put that damage into this backup too, under a
    manifest entry computed from the good bytes in storage, and both backups would then fail at restore time,
    not now. So the previous copy must prove itself before it is linked: its size is compared first (free, from
    `stat`), then it is hashed again, which costs a read of the previous file but no write. A copy that fails
    keeps the fresh one, and the operator hears about it: the previous backup is damaged.
    """
    digest, size = hashlib.sha256(), 0
    descriptor, temporary_name = tempfile.mkstemp(prefix=".", suffix=".partial", dir=destination.parent)
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as sink:
            while chunk := source.read(CHUNK_SIZE):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
            sink.flush()
            os.fsync(sink.fileno())
        item = Item(name, size, digest.hexdigest())
        if _link_previous(item, destination, previous, announce):
            temporary.unlink()
            return Item(name, size, item.sha256, linked=True)
        temporary.rename(destination)
        return item
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _link_previous(
    item: Item, destination: Path, previous: PreviousFiles | None, announce: Callable[[str], None]
) -> bool:
    if previous is None or not previous.linking:
        return False
    recorded = previous.items.get(item.name)
    if recorded is None or (recorded.size, recorded.sha256) != (item.size, item.sha256):
        return False  # a new file, or one overwritten under the same name
    copy = previous.folder / FILES / _relative(item.name)
    try:
        status = copy.lstat()
    except FileNotFoundError:
        announce(f"{FILES}/{item.name} tidak ada di cadangan {previous.folder}; berkas disalin.")
        return False
    if not stat.S_ISREG(status.st_mode) or status.st_size != item.size:
        announce(
            f"{FILES}/{item.name} di cadangan {previous.folder} tidak cocok dengan {MANIFEST}-nya "
            "(cadangan itu rusak); berkas disalin."
        )
        return False
    if _describe(copy, item.name).sha256 != item.sha256:
        announce(
            f"{FILES}/{item.name} di cadangan {previous.folder}: checksum SHA-256 tidak cocok dengan "
            f"{MANIFEST}-nya (cadangan itu rusak); berkas disalin."
        )
        return False
    try:
        os.link(copy, destination)
    except OSError as error:
        if error.errno == errno.EMLINK:
            return False  # this one copy has as many names as the file system allows; the next may link
        if error.errno not in _NO_HARD_LINKS:
            raise
        previous.linking = False
        announce(
            f"Tautan keras ke {previous.folder} tidak dapat dibuat ({error.strerror}; folder cadangan harus "
            "berada di sistem berkas yang sama); semua berkas disalin."
        )
        return False
    return True


# What os.link answers where hard links are impossible: another file system, one without hard links (FAT,
# some network shares), or no permission to link (fs.protected_hardlinks and a copy owned by someone else).
_NO_HARD_LINKS = {errno.EXDEV, errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP}


def stored_names(directory: str = "") -> Iterator[str]:
    """Every file name in the default storage, walked with `listdir` so that S3 works as well as a disk."""
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:  # a storage folder nobody has written to yet
        return
    prefix = f"{directory}/" if directory else ""
    for name in sorted(files):
        yield prefix + name
    for folder in sorted(folders):
        yield from stored_names(prefix + folder)


def verify_backup(*, source: Path) -> Manifest:
    """Read the manifest and check every file of the backup against it; change nothing."""
    if not source.is_dir():
        raise BackupError(f"Folder cadangan {source} tidak ada.")
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(
            f"{source} tidak berisi {MANIFEST}: cadangan ini tidak lengkap (pencadangan terputus?) "
            "atau bukan folder cadangan. Tidak ada yang diubah."
        )
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise BackupError(
                f"{MANIFEST} berformat {data.get('format')!r}; versi aplikasi ini hanya mengenal format {FORMAT}."
            )
        manifest = Manifest.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{MANIFEST} rusak atau tidak sah ({error}). Tidak ada yang diubah.") from error
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"Cadangan ini dibuat dari basis data {VENDOR_NAMES.get(manifest.vendor, manifest.vendor)}, "
            f"sedangkan instalasi ini memakai {VENDOR_NAMES.get(connection.vendor, connection.vendor)}. "
            "Pemulihan antarjenis basis data tidak didukung: pulihkan ke instalasi dengan jenis yang sama, "
            "lalu pindahkan datanya dengan dumpdata/loaddata. Tidak ada yang diubah."
        )
    problems = [_check(source / _relative(manifest.database.name), manifest.database, manifest.database.name)]
    for item in manifest.files:
        problems.append(_check(source / FILES / _relative(item.name), item, f"{FILES}/{item.name}"))
    listed = {item.name for item in manifest.files}
    folder = source / FILES
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in listed:
                problems.append(f"{FILES}/{name}: tidak tercantum di {MANIFEST}")
    problems = [problem for problem in problems if problem]
    if problems:
        raise BackupError(
            "Cadangan rusak atau tidak lengkap; tidak ada yang diubah.\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return manifest


def _check(path: Path, item: Item, shown: str) -> str:
    if not path.is_file():
        return f"{shown}: tidak ada"
    actual = _describe(path, item.name)
    if actual.size != item.size:
        return f"{shown}: ukurannya {actual.size} bita, menurut {MANIFEST} {item.size} bita"
    if actual.sha256 != item.sha256:
        return f"{shown}: checksum SHA-256 tidak cocok (isinya berubah)"
    return ""


def installation_contents() -> Contents:
    return Contents(
        users=User.objects.count(),
        regions=Region.objects.count(),
        innovations=Innovation.objects.count(),
        files=sum(1 for _name in stored_names()),
    )


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    replaced: Contents
    pending_migrations: int


def restore_backup(
    *, source: Path, replace: bool = False, announce: Callable[[str], None] | None = None
) -> RestoreReport:
    """Put a backup back: verify it, refuse a non-empty installation unless `replace`, then database and files.

    `announce` hears, before anything is wiped, what a replacing restore is about to remove.
    """
    manifest = verify_backup(source=source)
    before = installation_contents()
    if not before.empty:
        if not replace:
            raise BackupError(
                f"Instalasi ini tidak kosong ({before}). Pemulihan akan menimpa semuanya; "
                "ulangi dengan --replace bila memang itu yang dimaksud. Tidak ada yang diubah."
            )
        if announce:
            announce(
                f"--replace: seluruh isi basis data ({before.users} pengguna, {before.regions} daerah, "
                f"{before.innovations} inovasi, dan semua baris lainnya) diganti dengan isi cadangan, "
                f"dan {before.files} berkas tersimpan dihapus."
            )
    dump = source / _relative(manifest.database.name)
    if manifest.vendor == "postgresql":
        _restore_postgresql(dump)
    else:
        _restore_sqlite(dump)
    ContentType.objects.clear_cache()  # content type ids are the backup's now
    for name in list(stored_names()):
        default_storage.delete(name)
    for item in manifest.files:
        with (source / FILES / _relative(item.name)).open("rb") as handle:
            saved = default_storage.save(item.name, File(handle, name=item.name))
        if saved != item.name:
            default_storage.delete(saved)
            raise BackupError(
                f"Penyimpanan berkas menyimpan {item.name} dengan nama lain ({saved}), sehingga basis data "
                "tidak akan menemukannya. Pemulihan berhenti: basis data sudah dipulihkan, berkas belum "
                "lengkap. Periksa pengaturan penyimpanan lalu ulangi dengan --replace."
            )
    _check_restored(manifest)
    return RestoreReport(manifest=manifest, replaced=before, pending_migrations=_pending_migrations())


def _restore_postgresql(dump: Path) -> None:
    # pg_restore needs the tables free: Django's own connection would hold locks and is closed first.
    connections.close_all()
    try:
        _run_postgresql_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                # Empty: libpq then takes the database from PGDATABASE, like every other parameter.
                "--dbname=",
                str(dump),
            ]
        )
    except BackupError as error:
        raise BackupError(
            f"{error} Basis data tidak diubah: pg_restore berjalan dalam satu transaksi."
        ) from error
    # A newer installation's `migrate` may have made tables the backup does not know; left behind they
    # would collide with the next `migrate`. The dump's own tables were just replaced by --clean.
    dumped = _dumped_tables(_run_postgresql_tool(["pg_restore", "--list", str(dump)]))
    with transaction.atomic(), connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names(cursor)) - dumped):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")


def _dumped_tables(listing: str) -> set[str]:
    """Table names in a `pg_restore --list` table of contents ("215; 1259 16390 TABLE public name owner")."""
    tables = set()
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[0].endswith(";") and fields[3] == "TABLE" and fields[4] != "DATA":
            tables.add(fields[5])
    return tables


def _restore_sqlite(dump: Path) -> None:
    connections.close_all()  # ignored for the in-memory test database, which closing would destroy
    connection.ensure_connection()
    source = sqlite3.connect(dump.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        # Page by page into the live database, through Django's own connection: works for a file and for
        # the shared in-memory database of the tests alike.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(
            f"Basis data SQLite tidak dapat ditimpa: {error}. Hentikan aplikasi (dan pekerja tugas) lalu ulangi."
        ) from error
    finally:
        source.close()
    connections.close_all()


def _check_restored(manifest: Manifest) -> None:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        migrations = _recorded_migrations(cursor, existing)
        rows = _count_rows(cursor, existing)
    problems = []
    if migrations != manifest.migrations:
        problems.append("migrasi yang tercatat berbeda dengan manifest")
    for label, count in sorted(manifest.rows.items()):
        if rows.get(label) != count:
            problems.append(f"{label}: {rows.get(label, 'tabel tidak ada')} baris, menurut manifest {count}")
    for item in manifest.files:
        if not default_storage.exists(item.name) or default_storage.size(item.name) != item.size:
            problems.append(f"berkas {item.name} tidak tersimpan utuh")
    if problems:
        raise BackupError(
            "Pemeriksaan setelah pemulihan gagal:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )


def _pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _model_tables() -> dict[str, str]:
    return {
        model._meta.label_lower: model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _count_rows(cursor, existing: set[str]) -> dict[str, int]:
    counts = {}
    for label, table in sorted(_model_tables().items()):
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[label] = cursor.fetchone()[0]
    return counts


def _recorded_migrations(cursor, existing: set[str]) -> list[tuple[str, str]]:
    if "django_migrations" not in existing:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [(app, name) for app, name in cursor.fetchall()]


def _run_postgresql_tool(command: list[str]) -> str:
    settings_dict = connection.settings_dict
    environment = dict(os.environ)
    for key, variable in _PG_SETTINGS.items():
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    for key, variable in _PG_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(key):
            environment[variable] = str(settings_dict["OPTIONS"][key])
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} tidak ditemukan. Pasang klien PostgreSQL yang versinya sama dengan server "
            "(Debian: apt install postgresql-client)."
        ) from error
    if result.returncode != 0:
        detail = result.stderr.strip() or f"kode keluar {result.returncode}"
        hint = " Ruang disk habis." if "No space left" in detail else ""
        raise BackupError(f"{command[0]} gagal: {detail}.{hint}")
    return result.stdout


def _describe(path: Path, name: str) -> Item:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return Item(name, size, digest.hexdigest())


def _relative(name: str) -> PurePosixPath:
    """A storage name as a path that stays inside its folder (a manifest could be edited by anyone)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Nama berkas {name!r} tidak sah: harus relatif dan tanpa '..'.")
    return path


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_contents(folder: Path, *, remove_folder: bool) -> None:
    if not folder.is_dir():
        return
    if remove_folder:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _os_error_message(error: OSError, output: Path) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (
            f"Ruang disk untuk {output} tidak cukup ({error.strerror}). Tidak ada cadangan yang tersimpan; "
            "kosongkan ruang atau pilih disk lain."
        )
    return f"Cadangan gagal ditulis: {error}. Tidak ada cadangan yang tersimpan."


def _app_version() -> str:
    try:
        return importlib.metadata.version(APPLICATION)
    except importlib.metadata.PackageNotFoundError:
        return "tidak diketahui"
