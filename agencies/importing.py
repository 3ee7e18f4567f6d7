"""Import agencies from a CSV file (columns code,name,kind,parent_code), all or nothing.

Optional columns head_name, contact_email and contact_phone (or their Indonesian names, see CONTACT_COLUMNS)
give the agency's head and contact; a file without them, or an empty cell, leaves the stored ones as they are.

The same rules serve the `import_agencies` command and the admin's upload page. Every problem
is collected with its row number so that the person fixing the spreadsheet sees them all at
once, and nothing is written unless the whole file is valid. Importing the same file again
changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agencies.models import PARENT_KIND, TOP_KINDS, Agency, AgencyKind

COLUMNS = ("code", "name", "kind", "parent_code")
# Optional columns: the field each fills, under its English name or the names an Indonesian sheet uses.
CONTACT_COLUMNS = {
    "head_name": ("head_name", "kepala", "kepala_instansi", "nama_kepala"),
    "contact_email": ("contact_email", "email", "e_mail", "email_kontak", "surel"),
    "contact_phone": ("contact_phone", "phone", "telepon", "telp", "no_telepon", "no_hp"),
}
CODE_MAX_LENGTH = Agency._meta.get_field("code").max_length
NAME_MAX_LENGTH = Agency._meta.get_field("name").max_length
CONTACT_MAX_LENGTH = {name: Agency._meta.get_field(name).max_length for name in CONTACT_COLUMNS}


class ProblemsError(Exception):
    """A check that collects every problem (in Indonesian) before refusing, so that all are fixed at once."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class AgencyImportError(ProblemsError):
    pass


@dataclass(frozen=True)
class AgencyRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str
    # Empty: the column is absent or the cell blank, and the stored value stays.
    head_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    def contact(self) -> dict[str, str]:
        """The contact fields the row sets (those not left empty)."""
        return {name: getattr(self, name) for name in CONTACT_COLUMNS if getattr(self, name)}


@dataclass
class ImportReport:
    """What an all-or-nothing CSV import did, row by row (agencies here, official results in reports)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return _("Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


def csv_records(reader, problems: list[str]):
    """The rows of a CSV reader that hold anything, with their line numbers. A row the reader cannot parse
    ends the file with a problem naming its line (the import then refuses the whole file)."""
    try:
        for values in reader:
            if any(value.strip() for value in values):
                yield reader.line_num, values
    except csv.Error as error:
        problems.append(_("Row %(line)s: %(error)s") % {"line": reader.line_num, "error": error})


def _normalise_header(raw: str) -> str:
    """'Contact E-mail', 'contact-email' and 'contact_email' alike."""
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


# What Bappeda sheets call a perangkat daerah: Satuan/Organisasi Perangkat Daerah, in any case.
KIND_ALIASES = {"skpd": AgencyKind.PERANGKAT_DAERAH, "opd": AgencyKind.PERANGKAT_DAERAH}


def _normalise_kind(raw: str) -> str:
    """Accept 'perangkat_daerah', 'Perangkat Daerah', 'perangkat-daerah', 'SKPD' or 'OPD' alike."""
    kind = raw.strip().lower().replace(" ", "_").replace("-", "_")
    return KIND_ALIASES.get(kind, kind)


def decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise AgencyImportError(
            [
                _(
                    "Row %(line)s: the file is not UTF-8 text. Save it from the spreadsheet as "
                    "'CSV UTF-8' and upload it again."
                )
                % {"line": line}
            ]
        ) from error


def sniff_delimiter(header_line: str) -> str:
    # Spreadsheets set to Indonesian separate columns with ';' because ',' is the decimal mark.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_agency_csv(data: bytes) -> list[AgencyRow]:
    """Parse the file into rows, or raise AgencyImportError listing every format problem."""
    text = decode_csv(data)
    if not text.strip():
        raise AgencyImportError([_("The file is empty.")])
    if "\x00" in text:
        raise AgencyImportError([_("The file is not a CSV text file.")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.splitlines()[0]))
    try:
        header = [_normalise_header(column) for column in next(reader)]
    except csv.Error as error:
        raise AgencyImportError([_("Row 1: %(error)s") % {"error": error}]) from error
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise AgencyImportError(
            [
                _("Row 1: the header must have the columns %(expected)s; missing: %(missing)s.")
                % {"expected": ",".join(COLUMNS), "missing": ", ".join(missing)}
            ]
        )
    position = {column: header.index(column) for column in COLUMNS}
    for name, aliases in CONTACT_COLUMNS.items():
        found = next((alias for alias in aliases if alias in header), None)
        if found is not None:
            position[name] = header.index(found)
    rows, problems = [], []
    for line, values in csv_records(reader, problems):
        if len(values) < len(header):
            values = values + [""] * (len(header) - len(values))
        rows.append(
            AgencyRow(
                line=line,
                code=values[position["code"]].strip(),
                name=" ".join(values[position["name"]].split()),
                kind=_normalise_kind(values[position["kind"]]),
                parent_code=values[position["parent_code"]].strip(),
                head_name=" ".join(values[position["head_name"]].split()) if "head_name" in position else "",
                contact_email=values[position["contact_email"]].strip().lower()
                if "contact_email" in position
                else "",
                contact_phone=values[position["contact_phone"]].strip()
                if "contact_phone" in position
                else "",
            )
        )
    if not rows and not problems:
        problems.append(_("The file has a header but no agency rows."))
    if problems:
        raise AgencyImportError(problems)
    return rows


def validate_rows(region, rows: list[AgencyRow]) -> list[str]:
    """Every problem of the rows against each other and against the region's stored agencies."""
    problems: list[str] = []
    existing = {agency.code: agency for agency in Agency.objects.filter(region=region)}
    first_line_of: dict[str, int] = {}
    kind_in_file: dict[str, str] = {}
    for row in rows:
        if not row.code:
            problems.append(_("Row %(line)s: the code is empty.") % {"line": row.line})
        elif len(row.code) > CODE_MAX_LENGTH:
            problems.append(
                _("Row %(line)s: the code is longer than %(max)s characters.")
                % {"line": row.line, "max": CODE_MAX_LENGTH}
            )
        elif row.code in first_line_of:
            problems.append(
                _("Row %(line)s: the code %(code)s already appears in row %(first)s.")
                % {"line": row.line, "code": row.code, "first": first_line_of[row.code]}
            )
        else:
            first_line_of[row.code] = row.line
            kind_in_file[row.code] = row.kind
        if not row.name:
            problems.append(_("Row %(line)s: the name is empty.") % {"line": row.line})
        elif len(row.name) > NAME_MAX_LENGTH:
            problems.append(
                _("Row %(line)s: the name is longer than %(max)s characters.")
                % {"line": row.line, "max": NAME_MAX_LENGTH}
            )
        if row.kind not in AgencyKind.values:
            problems.append(
                _("Row %(line)s: the kind '%(kind)s' is unknown; use one of %(kinds)s.")
                % {"line": row.line, "kind": row.kind, "kinds": ", ".join(AgencyKind.values)}
            )
        problems.extend(_contact_problems(row))

    for row in rows:
        if row.kind not in AgencyKind.values:
            continue
        kind_label = AgencyKind(row.kind).label
        expected = PARENT_KIND.get(row.kind)
        if expected is None:
            if row.parent_code:
                problems.append(
                    _("Row %(line)s: a %(kind)s stands at the top and cannot have a parent (%(parent)s).")
                    % {"line": row.line, "kind": kind_label, "parent": row.parent_code}
                )
        elif not row.parent_code:
            problems.append(
                _("Row %(line)s: a %(kind)s needs the code of its %(parent_kind)s in parent_code.")
                % {"line": row.line, "kind": kind_label, "parent_kind": AgencyKind(expected).label}
            )
        else:
            parent_kind = kind_in_file.get(row.parent_code)
            if parent_kind is None and row.parent_code in existing:
                parent_kind = existing[row.parent_code].kind
            if parent_kind is None:
                problems.append(
                    _("Row %(line)s: the parent code %(parent)s is neither in the file nor in the registry.")
                    % {"line": row.line, "parent": row.parent_code}
                )
            elif parent_kind != expected:
                problems.append(
                    _(
                        "Row %(line)s: a %(kind)s must belong to a %(expected)s, but %(parent)s is a %(actual)s."
                    )
                    % {
                        "line": row.line,
                        "kind": kind_label,
                        "expected": AgencyKind(expected).label,
                        "parent": row.parent_code,
                        "actual": AgencyKind(parent_kind).label
                        if parent_kind in AgencyKind.values
                        else parent_kind,
                    }
                )
        stored = existing.get(row.code)
        if stored is not None and stored.kind != row.kind:
            keeping_children = [
                child.code
                for child in existing.values()
                if child.parent_id == stored.pk and child.code not in kind_in_file
            ]
            if keeping_children:
                problems.append(
                    _("Row %(line)s: %(code)s cannot change kind while %(children)s still belong to it.")
                    % {"line": row.line, "code": row.code, "children": ", ".join(sorted(keeping_children))}
                )
    return problems


def _contact_problems(row: AgencyRow) -> list[str]:
    problems = []
    if row.contact_email:
        try:
            validate_email(row.contact_email)
        except ValidationError:
            problems.append(
                _("Row %(line)s: the contact e-mail %(email)s is not a valid e-mail address.")
                % {"line": row.line, "email": row.contact_email}
            )
    for name, label in (
        ("head_name", _("the head's name")),
        ("contact_email", _("the contact e-mail")),
        ("contact_phone", _("the contact phone")),
    ):
        if len(getattr(row, name)) > CONTACT_MAX_LENGTH[name]:
            problems.append(
                _("Row %(line)s: %(field)s is longer than %(max)s characters.")
                % {"line": row.line, "field": label, "max": CONTACT_MAX_LENGTH[name]}
            )
    return problems


def import_agencies(region, data: bytes) -> ImportReport:
    """Validate the whole file and apply it in one transaction; raise AgencyImportError otherwise."""
    rows = read_agency_csv(data)
    report = ImportReport()
    try:
        with transaction.atomic():
            problems = validate_rows(region, rows)
            if problems:
                raise AgencyImportError(problems)
            _apply(region, rows, report)
    except IntegrityError as error:
        # Another admin imported or edited the same agencies at the same moment.
        raise AgencyImportError(
            [
                _("The registry changed while importing (%(error)s). Nothing was imported; try again.")
                % {"error": error}
            ]
        ) from error
    return report


def _apply(region, rows: list[AgencyRow], report: ImportReport) -> None:
    by_code = {agency.code: agency for agency in Agency.objects.select_for_update().filter(region=region)}
    # Parents first, so that every child finds its parent's id.
    ordered = sorted(rows, key=lambda row: row.kind not in TOP_KINDS)
    for row in ordered:
        parent = by_code[row.parent_code] if row.parent_code else None
        agency = by_code.get(row.code)
        contact = row.contact()
        if agency is None:
            agency = Agency.objects.create(
                region=region, code=row.code, name=row.name, kind=row.kind, parent=parent, **contact
            )
            by_code[row.code] = agency
            report.created.append(row.code)
        elif (agency.name, agency.kind, agency.parent_id, *(getattr(agency, name) for name in contact)) != (
            row.name,
            row.kind,
            parent.pk if parent else None,
            *contact.values(),
        ):
            agency.name, agency.kind, agency.parent = row.name, row.kind, parent
            for name, value in contact.items():
                setattr(agency, name, value)
            agency.save(update_fields=["name", "kind", "parent", *contact, "updated_at"])
            report.updated.append(row.code)
        else:
            report.unchanged.append(row.code)
