"""The index dashboard of a cycle for Bappeda staff: both scores, their parts, trend, gaps and gains.

Every figure comes from `scoring.collect` (the same `compute_index` the command and the exports use); the
functions below only regroup the engine's row results for the charts and tables. The page costs a fixed
number of queries per cycle the region holds, whatever the number of innovations.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agencies.access import bappeda_required
from registry.models import Cycle, Innovation, compliance_by_kind
from reports import charts
from reports.models import OfficialResult
from scoring.catalogue import Edition
from scoring.collect import CycleIndex, InnovationScore, cycle_index, gather_inputs, index_gains
from scoring.index import Score, compute_index, round_half_up, variable_scores

GAINS_SHOWN = 10
INNOVATIONS_CHARTED = 20  # the chart shows the most mature ones; the table lists every innovation


@dataclass(frozen=True)
class TrendPoint:
    """A year of the trend: the computed scores where the region has a cycle, Kemendagri's where published."""

    year: int
    claimed: Score | None
    verified: Score | None
    official: OfficialResult | None = None


@dataclass(frozen=True)
class InnovationRow:
    score: InnovationScore
    status_label: str


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


def innovation_rows(index: CycleIndex) -> list[InnovationRow]:
    """Every innovation of the cycle, the most mature (claimed, then verified) first."""
    ordered = sorted(
        index.innovations,
        key=lambda item: (
            -item.self_assessed.kematangan,
            -item.verified.kematangan,
            item.facts.agency,
            item.facts.pk,
        ),
    )
    return [InnovationRow(item, Innovation.Status(item.facts.status).label) for item in ordered]


def gain_rows(cycle, index: CycleIndex) -> list[GainRow]:
    rows = []
    edition = index.edition
    for what, gain in index_gains(index, limit=GAINS_SHOWN):
        if gain.target == "SPD":
            url = reverse("spd_indicator", args=[cycle.pk, gain.row_id])
        else:
            url = reverse("review_entry", args=[int(gain.target)])
        rows.append(GainRow(what, edition.row(gain.row_id).name, gain.level, gain.score, gain.gain, url))
    return rows


def trend(cycles, chosen: Cycle, chosen_index: CycleIndex, official=()) -> list[TrendPoint]:
    """Both IIDs of every cycle and the official results, oldest first: three queries per cycle
    (`gather_inputs`); a year with only an official result is a point too."""
    official_of = {result.year: result for result in official}
    points = []
    for cycle in cycles:
        result = chosen_index.result if cycle.pk == chosen.pk else compute_index(*gather_inputs(cycle))
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
                    f"{row.score.facts.name} · {row.score.facts.agency}",
                    (row.score.self_assessed.kematangan, row.score.verified.kematangan),
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
    index = cycle_index(cycle)
    variables = variable_scores(index.edition, index.result)
    innovations = innovation_rows(index)
    # One query for every year's official result: the trend's and the chosen year's.
    official = list(OfficialResult.objects.filter(region_id=request.user.region_id))
    points = trend(cycles, cycle, index, official)
    compliance = compliance_by_kind(cycle)
    active_agencies = sum(row["total"] for row in compliance)
    context = {
        "cycle": cycle,
        "cycles": cycles,
        "index": index,
        "result": index.result,
        "bands": index.edition.parameters.predicates,
        "variables": variables,
        "innovations": innovations,
        "charted": INNOVATIONS_CHARTED,
        "trend": points,
        "official": next((item for item in official if item.year == cycle.year), None),
        "gains": gain_rows(cycle, index),
        "compliance": compliance,
        "ceiling_shortfall": cycle.ceiling_shortfall(active_agencies, index.edition.parameters.count_cap),
        "charts": _charts(index.edition, index.result, variables, innovations, points),
    }
    return render(request, "reports/dashboard.html", context)
