"""Compare the stored files with the rows that point at them, through the storage API (disk or S3).

Orphans are stored files no row names (left by a crash between storing and saving, or by a deletion whose
storage call failed); missing files are rows whose file is not in the storage, which is data loss.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class StoredReference:
    name: str
    row: str  # "registry.Evidence #12, file": where the name is written


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def file_references(model, field) -> Iterator[StoredReference]:
    """Every non-empty file name the field holds, with the row that holds it."""
    rows = model._default_manager.exclude(**{field.name: ""}).values_list("pk", field.name).order_by("pk")
    for pk, name in rows.iterator():
        yield StoredReference(name, f"{model._meta.label} #{pk}, {field.name}")


def stored_names(storage, directory: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:  # nothing stored yet
        return
    prefix = f"{directory}/" if directory else ""
    for name in sorted(files):
        yield prefix + name
    for folder in sorted(folders):
        yield from stored_names(storage, prefix + folder)


class Command(BaseCommand):
    help = (
        "List stored files that no row points at (orphans) and rows whose file is missing from the storage. "
        "Exits with status 1 when a file is missing. --delete-orphans removes orphans older than --older-than."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete-orphans", action="store_true", help="Remove the orphans listed.")
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            help="Only delete orphans at least this old: an upload in progress is stored before its row.",
        )

    def handle(self, *, delete_orphans, older_than, **options):
        fields = file_fields()
        storages = {id(field.storage): field.storage for _model, field in fields}
        # The storage first, then the rows: a file stored meanwhile is then found with its row, not orphaned.
        stored = {key: set(stored_names(storage)) for key, storage in storages.items()}
        referenced = {key: set() for key in storages}
        missing = []
        for model, field in fields:
            key = id(field.storage)
            for reference in file_references(model, field):
                referenced[key].add(reference.name)
                if reference.name not in stored[key]:
                    missing.append(reference)
        orphans = [
            (storages[key], name) for key, names in stored.items() for name in sorted(names - referenced[key])
        ]
        total = sum(len(names) for names in stored.values())

        if orphans:
            self.stdout.write(_("Stored files no row points at (%(count)s):") % {"count": len(orphans)})
            for _storage, name in orphans:
                self.stdout.write(f"  {name}")
        if missing:
            self.stdout.write(_("Rows whose file is missing (%(count)s):") % {"count": len(missing)})
            for reference in missing:
                self.stdout.write(f"  {reference.name} ({reference.row})")
        if not orphans and not missing:
            self.stdout.write(
                _("The storage matches the database: %(count)s files, no orphans, nothing missing.")
                % {"count": total}
            )
        if delete_orphans and orphans:
            self._delete(orphans, older_than)
        if missing:
            raise SystemExit(1)

    def _delete(self, orphans, older_than: int) -> None:
        cutoff = timezone.now() - datetime.timedelta(minutes=older_than)
        deleted = kept = 0
        for storage, name in orphans:
            if older_than and storage.get_modified_time(name) > cutoff:
                kept += 1
                continue
            storage.delete(name)
            deleted += 1
        self.stdout.write(
            ngettext("%(count)s orphan deleted.", "%(count)s orphans deleted.", deleted) % {"count": deleted}
        )
        if kept:
            self.stdout.write(
                ngettext(
                    "%(count)s orphan kept: younger than %(minutes)s minutes.",
                    "%(count)s orphans kept: younger than %(minutes)s minutes.",
                    kept,
                )
                % {"count": kept, "minutes": older_than}
            )
