"""What every export format lays out, from `reports.data.ExportData`: the summary, score and official-result
lines, the compliance columns, and the labels translated once per file.

Every figure was computed by the scoring engine before; these only choose what to show and in which words.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from agencies.models import AgencyKind
from registry.models import Innovation
from reports.data import STATE_LABELS, ExportData

# A spreadsheet treats a cell beginning with one of these as a formula (OWASP "CSV injection"). Spreadsheets
# skip leading blanks, and a cell opened with ";" or "," splits into a formula cell in a locale whose separator
# that is; fullwidth "＝＋－＠" become ASCII under the compatibility normalisation some importers apply.
_FORMULA_RE = re.compile(r"[\s;,]*[=+\-@]|[\t\r\n]")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and _FORMULA_RE.match(unicodedata.normalize("NFKC", value)) is not None


class Labels:
    """Choice labels and yes/no translated once per file, as `BoardRow`'s label properties give them: a lazy
    label turned into text on every row costs a gettext call each time, tens of thousands for a large cycle."""

    def __init__(self):
        self.kinds = {value: str(label) for value, label in AgencyKind.choices}
        self.states = {value: str(label) for value, label in STATE_LABELS.items()}
        self.stages = {"": "", **{value: str(label) for value, label in Innovation.Stage.choices}}
        self.yes_no = {True: _("yes"), False: _("no")}


def summary_lines(data: ExportData) -> list[tuple[str, object]]:
    lines = [
        (_("Region"), data.region),
        (_("Measurement year"), data.year),
        (_("Catalogue edition"), f"{data.edition_title} (v{data.edition_version})"),
        (_("Generated at"), data.generated_at.strftime("%d-%m-%Y %H:%M")),
    ]
    if data.filters_shown:
        lines += [(_("Filter: %(name)s") % {"name": label}, value) for label, value in data.filters_shown]
    else:
        lines.append((_("Filters"), _("none (every active agency)")))
    lines.append((_("Rows listed"), len(data.rows)))
    return lines


def score_lines(data: ExportData) -> list[tuple[str, object, object]]:
    claimed, verified = data.index.result.self_assessed, data.index.result.verified
    return [
        (_("IID"), claimed.iid, verified.iid),
        (_("Predicate"), claimed.predicate, verified.predicate),
        (_("SPD part"), claimed.spd, verified.spd),
        (_("SID part"), claimed.sid, verified.sid),
        (
            _(
                "Average kematangan per innovation (the sum of kematangan divided by the number of "
                "innovations, at least %(floor)s)"
            )
            % {"floor": data.index.edition.parameters.divisor_floor},
            claimed.sid_average,
            verified.sid_average,
        ),
        (_("Jumlah inovasi score"), claimed.jumlah_inovasi, verified.jumlah_inovasi),
        (_("Total"), claimed.total, verified.total),
        (_("Number of innovations counted"), claimed.n, verified.n),
    ]


def official_lines(data: ExportData) -> list[tuple[str, object, object]]:
    """Kemendagri's published result for the year, beside the computed scores: (label, self-assessed,
    validated) rows, the text ones in the second column; empty when none is recorded."""
    official = data.official
    if official is None:
        return []
    lines = [(_("Official IID"), official.claimed_iid, official.validated_iid)]
    if official.predicate:
        lines.append((_("Official predicate"), official.predicate, ""))
    if official.innovation_count is not None:
        lines.append((_("Number of innovations"), official.innovation_count, ""))
    if official.source:
        lines.append((_("Decree or source"), official.source, ""))
    if official.note:
        lines.append((_("Note"), official.note, ""))
    return lines


def compliance_header() -> list[str]:
    return [
        _("Agency code"),
        _("Agency"),
        _("Kind"),
        _("Kecamatan"),
        _("State"),
        _("Innovation"),
        _("Kematangan (self-assessed)"),
        _("Kematangan (verified)"),
    ]


def compliance_values(row, labels: Labels) -> list:
    return [
        row.agency_code,
        row.agency,
        labels.kinds[row.kind],
        row.kecamatan,
        labels.states[row.state],
        row.innovation,
        row.claimed,
        row.verified,
    ]
