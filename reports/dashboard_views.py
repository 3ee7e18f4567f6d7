"""The index dashboard of a cycle for Bappeda staff: both scores, their parts, trend, gaps and gains.

Every figure is the engine's: `reports.scores` assembles the scores of `scoring.collect.cycle_index` from the
kematangan stored per entry (recomputing the entries changed since), so the page costs a fixed number of
queries, whatever the number of innovations and of cycles; the list of innovations is paged and sortable.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agencies.access import bappeda_required
from registry.models import Cycle, Innovation
from reports import charts, scores
from reports.models import OfficialResult
from reports.scores import StoredIndex
from scoring.catalogue import Edition
from scoring.index import Score, enters_measurement, round_half_up

GAINS_SHOWN = 10
INNOVATIONS_CHARTED = 20  # the chart shows the most mature ones; the table lists every innovation, by pages
INNOVATIONS_PER_PAGE = 25


@dataclass(frozen=True)
class TrendPoint:
    """A year of the trend: the computed scores where the region has a cycle, Kemendagri's where published."""

    year: int
    claimed: Score | None
    verified: Score | None
    official: OfficialResult | None = None


@dataclass(frozen=True)
class InnovationRow:
    pk: int
    name: str
    agency: str
    status: str
    status_label: str
    claimed: Decimal
    verified: Decimal
    counts_self_assessed: bool
    counts_verified: bool


@dataclass(frozen=True)
class GainRow:
    what: str
    row_name: str
    level: int | None
    score: Decimal
    gain: Decimal  # exact
    url: str

    @property
    def gain_shown(self) -> Decimal:
        """Three decimals at most, without trailing zeros: with many innovations one SID row adds
        thousandths of a point, while "1,600" would read as sixteen hundred to an Indonesian eye."""
        rounded = round_half_up(self.gain, 3)
        return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded.normalize()


def innovation_row(row: dict) -> InnovationRow:
    """A row of `reports.scores.entry_rows` for the table and the chart."""
    status, stage = row["status"], row["stage"]
    return InnovationRow(
        pk=row["pk"],
        name=row["name"],
        agency=row["agency__name"],
        status=status,
        status_label=Innovation.Status(status).label,
        claimed=row["claimed"],
        verified=row["verified"],
        counts_self_assessed=enters_measurement(status, stage, verified=False),
        counts_verified=enters_measurement(status, stage, verified=True),
    )


class _Counted:
    """The entries' rows with their count already known (the index counted them): the paginator asks no COUNT."""

    def __init__(self, rows, count: int):
        self.rows, self.count_ = rows, count

    def __len__(self) -> int:
        return self.count_

    def __getitem__(self, key):
        return [innovation_row(row) for row in self.rows[key]]


def innovations_page(request, index: StoredIndex):
    """The page of the innovation table asked for (`?ordering=`, `?page=`): one query."""
    ordering = scores.ordering_of(request.GET.get("ordering"))
    rows = _Counted(scores.entry_rows(index.cycle, ordering), index.entries)
    return Paginator(rows, INNOVATIONS_PER_PAGE).get_page(request.GET.get("page")), ordering


def gain_rows(cycle, index: StoredIndex) -> list[GainRow]:
    rows = []
    edition = index.edition
    for item in scores.gains(index, limit=GAINS_SHOWN):
        gain = item.gain
        if item.entry_pk is None:
            url = reverse("spd_indicator", args=[cycle.pk, gain.row_id])
        else:
            url = reverse("review_entry", args=[item.entry_pk])
        rows.append(GainRow(item.what, edition.row(gain.row_id).name, gain.level, gain.score, gain.gain, url))
    return rows


def trend(cycles, indexes: dict[int, StoredIndex], official=()) -> list[TrendPoint]:
    """Both IIDs of every cycle (`reports.scores.indexes`, read for all at once) and the official results,
    oldest first; a year with only an official result is a point too."""
    official_of = {result.year: result for result in official}
    points = []
    for cycle in cycles:
        result = indexes[cycle.pk].result
        points.append(
            TrendPoint(cycle.year, result.self_assessed, result.verified, official_of.get(cycle.year))
        )
    computed = {cycle.year for cycle in cycles}
    points += [
        TrendPoint(year, None, None, item) for year, item in official_of.items() if year not in computed
    ]
    return sorted(points, key=lambda point: point.year)


def _fmt(value) -> str:
    return number_format(value, 2)


def _chosen_cycle(request, cycles: list[Cycle]) -> Cycle:
    """The cycle of `?tahun=`, else the current one; a year the region does not hold is a 404."""
    year = request.GET.get("tahun")
    if year is None:
        current = Cycle.objects.current_for(request.user.region)
        return next(cycle for cycle in cycles if cycle.pk == current.pk)
    for cycle in cycles:
        if str(cycle.year) == year.strip():
            return cycle
    raise Http404(_("The region has no measurement cycle for this year."))


def _charts(edition: Edition, result, variables, innovations, points) -> dict[str, charts.Svg]:
    params = edition.parameters
    series = [_("Claimed"), _("Verified")]
    bands = [charts.Band(band.name, band.min, band.max) for band in params.predicates]
    return {
        "scale": charts.scale(
            [
                charts.Marker(_("Claimed"), result.self_assessed.iid),
                charts.Marker(_("Verified"), result.verified.iid),
            ],
            bands=bands,
            title=_("IID on the 0–100 scale with the predicate bands"),
            fmt=_fmt,
        ),
        "variables": charts.grouped_bars(
            [
                charts.BarGroup(f"{item.part} · {item.name}", (item.claimed, item.verified), item.maximum)
                for item in variables
            ],
            series=series,
            title=_("Score per variable, claimed and verified"),
            empty_text=_("No data yet."),
            fmt=_fmt,
        ),
        "innovations": charts.grouped_bars(
            [
                charts.BarGroup(
                    f"{row.name} · {row.agency}",
                    (row.claimed, row.verified),
                    params.sid_per_innovation_max,
                )
                for row in innovations[:INNOVATIONS_CHARTED]
            ],
            series=series,
            title=_("Kematangan of each innovation, claimed and verified"),
            empty_text=_("No innovation entered yet."),
            fmt=_fmt,
        ),
        "trend": charts.columns(
            [str(point.year) for point in points],
            [
                (
                    point.claimed.iid if point.claimed else None,
                    point.verified.iid if point.verified else None,
                    point.official.iid if point.official else None,
                )
                for point in points
            ],
            series=[*series, _("Official result (Kemendagri)")],
            title=_("IID per year: claimed, verified and the official result"),
            empty_text=_("No data yet."),
            bands=bands,
            fmt=_fmt,
        ),
    }


def _export_query(cycle: Cycle) -> str:
    """The compliance export's query for what the dashboard shows: the whole region in the year chosen, written
    out even for the current cycle so that a saved link keeps making the same year's file. The dashboard filters
    nothing else, so nothing else is passed: the file holds the figures on the page."""
    query = QueryDict(mutable=True)
    query["tahun"] = str(cycle.year)
    return query.urlencode()


@bappeda_required
def dashboard(request):
    cycles = list(
        Cycle.objects.filter(region_id=request.user.region_id).select_related("edition").order_by("year")
    )
    if not cycles:
        if "tahun" in request.GET:
            raise Http404(_("The region has no measurement cycle for this year."))
        return render(request, "reports/dashboard.html", {"cycle": None})
    cycle = _chosen_cycle(request, cycles)
    indexes = scores.indexes(cycles)
    index = indexes[cycle.pk]
    variables = scores.variables(index)
    page, ordering = innovations_page(request, index)
    charted = [innovation_row(row) for row in scores.entry_rows(cycle)[:INNOVATIONS_CHARTED]]
    # One query for every year's official result: the trend's and the chosen year's.
    official = list(OfficialResult.objects.filter(region_id=request.user.region_id))
    points = trend(cycles, indexes, official)
    compliance = cycle.compliance_by_kind()
    active_agencies = sum(row["total"] for row in compliance)
    context = {
        "cycle": cycle,
        "cycles": cycles,
        "index": index,
        "result": index.result,
        "bands": index.edition.parameters.predicates,
        "variables": variables,
        "innovations": page.object_list,
        "page": page,
        "ordering": ordering,
        "charted": INNOVATIONS_CHARTED,
        "trend": points,
        "official": next((item for item in official if item.year == cycle.year), None),
        "gains": gain_rows(cycle, index),
        "compliance": compliance,
        "ceiling_shortfall": cycle.ceiling_shortfall(active_agencies, index.edition.parameters.count_cap),
        "charts": _charts(index.edition, index.result, variables, charted, points),
        "export_query": _export_query(cycle),
    }
    return render(request, "reports/dashboard.html", context)
