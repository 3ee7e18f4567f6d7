"""Charts drawn on the server as inline SVG, from plain numbers and labels.

No Django and no JavaScript: the page works without scripts, prints, and the same markup can go into an
export. Every function takes numbers (int, float or Decimal) and already translated labels, and returns an
`Svg` string whose every label is escaped here, so a template prints it as is.

Shared rules:
- `viewBox` with `width="100%"`: the chart scales to its column. The viewBox is 360 units wide, about a
  phone's width, so 12-13 unit text stays readable at 360 px; `static/css/charts.css` caps the width on a
  desktop so the text does not grow too large.
- `role="img"`, `aria-label` and `<title>`: a screen reader announces the chart's title; the data table the
  page puts beside every chart carries the figures themselves.
- Okabe-Ito colours (safe for the common colour-vision deficiencies); claimed and verified also differ in
  lightness and, on the scale, in marker shape, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape as _escape_text

Number = int | float | Decimal

CLAIMED = "#E69F00"  # Okabe-Ito orange
VERIFIED = "#0072B2"  # Okabe-Ito blue
SERIES_COLOURS = (CLAIMED, VERIFIED, "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
# Predicate bands, lowest first: neutral greys, so the orange and blue markers stand out on every band.
BAND_COLOURS = ("#f1f3f5", "#dee2e6", "#ced4da", "#adb5bd", "#949ca4")
TEXT = "#212529"
MUTED = "#495057"
TRACK = "#e9ecef"
GRID = "#adb5bd"

WIDTH = 360
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""
LABEL_CHARS = 46  # a group label longer than this is shortened; its full text stays in a <title> tooltip


class Svg(str):
    """SVG markup with every label escaped: Django's templates print an object with `__html__` unescaped."""

    def __html__(self) -> str:
        return str(self)


def default_format(value: Number) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


@dataclass(frozen=True)
class BarGroup:
    """One labelled group of bars: one value per series, drawn against `maximum` (a full-length bar)."""

    label: str
    values: tuple[Number, ...]
    maximum: Number


@dataclass(frozen=True)
class Band:
    name: str
    min: Number
    max: Number


@dataclass(frozen=True)
class Marker:
    label: str
    value: Number


# --- the charts ---------------------------------------------------------------------------------------------


def grouped_bars(
    groups: Sequence[BarGroup],
    *,
    series: Sequence[str],
    title: str,
    empty_text: str,
    fmt: Callable[[Number], str] = default_format,
) -> Svg:
    """Horizontal bars, one group per label (label above its bars, so long labels fit on a phone)."""
    if not groups:
        return _empty(title, empty_text)
    bar_height, bar_gap, label_height, group_gap = 12, 3, 17, 9
    bar_width = 290  # room on the right for the value text
    body, y = [], _legend(series, 0)
    y += 6
    for group in groups:
        label = _shorten(group.label, LABEL_CHARS)
        tooltip = f"<title>{_text(group.label)}</title>" if label != group.label else ""
        y += label_height
        body.append(f'<text x="0" y="{y - 5}" font-size="13" fill="{TEXT}">{tooltip}{_text(label)}</text>')
        for index, value in enumerate(group.values):
            length = _scaled(value, group.maximum, bar_width)
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            body.append(
                f'<rect class="track" x="0" y="{y}" width="{bar_width}" height="{bar_height}" fill="{TRACK}"/>'
            )
            body.append(
                f'<rect class="bar bar-{index}" x="0" y="{y}" width="{_n(length)}" height="{bar_height}" '
                f'fill="{colour}"><title>{_text(series[index])}: {_text(fmt(value))}</title></rect>'
            )
            body.append(
                f'<text x="{bar_width + 5}" y="{y + bar_height - 2}" font-size="12" fill="{TEXT}">'
                f"{_text(fmt(value))}</text>"
            )
            y += bar_height + bar_gap
        y += group_gap
    return _svg(title, y, _legend_items(series, 0) + body)


def columns(
    categories: Sequence[str],
    values: Sequence[Sequence[Number | None]],
    *,
    series: Sequence[str],
    title: str,
    empty_text: str,
    maximum: Number = 100,
    bands: Sequence[Band] = (),
    fmt: Callable[[Number], str] = default_format,
) -> Svg:
    """Columns per category (one per series) on a 0-`maximum` axis, with a dashed line where each band starts.

    `values[i][s]` is series `s` in category `i`; None draws no column there (a year with only an official
    result, say) while keeping the series' place. A band whose start lies too close to the baseline to be
    told apart from it gets no line.

    Nothing is written over anything else: the axis values (0, each band's start, the maximum) sit in a
    gutter left of the plot, the band names in a key under the years, and a column's value above it,
    upright when it is narrower than the column, else turned a quarter (read upwards), else left out when
    the columns are too thin even for that (the table beside the chart has every figure).
    """
    if not categories:
        return _empty(title, empty_text)
    count = max(1, len(series))
    gutter, plot_height, value_size = 30, 160, 11
    left = gutter + 4
    plot_width = WIDTH - left - 4
    slot = plot_width / len(categories)
    column = min(26.0, slot * 0.8 / count)
    shown = [[fmt(value) for value in row if value is not None] for row in values]
    widest = max((_text_width(text, value_size) for row in shown for text in row), default=0.0)
    upright = widest <= column - 2
    turned = not upright and column >= value_size + 2
    headroom = 14 if upright else widest + 6 if turned else 4
    legend, legend_height = _legend_rows(series, 0)
    top = legend_height + headroom
    base = top + plot_height
    body = legend
    lines = [
        band
        for band in sorted(bands, key=lambda band: _f(band.min))
        if _scaled(band.min, maximum, plot_height) >= 8
    ]
    ticks = [(0, "0"), (maximum, _tick(maximum, fmt)), *((band.min, fmt(band.min)) for band in lines)]
    # The top of the axis, so that low columns read as low rather than as a cropped chart.
    body.append(
        f'<line x1="{left}" y1="{_n(top)}" x2="{left + plot_width}" y2="{_n(top)}" stroke="{TRACK}" '
        'stroke-width="1"/>'
    )
    for band in lines:
        y = base - _scaled(band.min, maximum, plot_height)
        body.append(
            f'<line class="band-line" x1="{left}" y1="{_n(y)}" x2="{left + plot_width}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
    placed: list[float] = []
    for value, label in ticks:
        y = base - _scaled(value, maximum, plot_height)
        if any(abs(y - other) < 11 for other in placed):
            continue  # two band starts too close to label both: the key under the chart names them
        placed.append(y)
        body.append(
            f'<text class="tick" x="{gutter}" y="{_n(y + 3.5)}" font-size="10" text-anchor="end" '
            f'fill="{MUTED}">{_text(label)}</text>'
        )
    body.append(
        f'<line x1="{left}" y1="{_n(base)}" x2="{left + plot_width}" y2="{_n(base)}" stroke="{MUTED}" '
        'stroke-width="1"/>'
    )
    for position, (category, row) in enumerate(zip(categories, values, strict=True)):
        start = left + slot * position + (slot - column * count) / 2
        for index, value in enumerate(row):
            if value is None:
                continue
            height = _scaled(value, maximum, plot_height)
            x = start + column * index
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            body.append(
                f'<rect class="bar bar-{index}" x="{_n(x)}" y="{_n(base - height)}" width="{_n(column - 2)}" '
                f'height="{_n(height)}" fill="{colour}"><title>{_text(category)} · {_text(series[index])}: '
                f"{_text(fmt(value))}</title></rect>"
            )
            middle = x + (column - 2) / 2
            if upright:
                body.append(
                    f'<text class="value" x="{_n(middle)}" y="{_n(base - height - 3)}" font-size="{value_size}" '
                    f'text-anchor="middle" fill="{TEXT}">{_text(fmt(value))}</text>'
                )
            elif turned:
                body.append(
                    f'<text class="value" transform="translate({_n(middle + value_size * 0.35)} '
                    f'{_n(base - height - 3)}) rotate(-90)" font-size="{value_size}" fill="{TEXT}">'
                    f"{_text(fmt(value))}</text>"
                )
        body.append(
            f'<text x="{_n(left + slot * position + slot / 2)}" y="{_n(base + 15)}" font-size="12" '
            f'text-anchor="middle" fill="{TEXT}">{_text(category)}</text>'
        )
    key, key_height = _band_key(lines, base + 24, fmt)
    return _svg(title, base + 22 + key_height, body + key)


def _band_key(bands: Sequence[Band], y: float, fmt: Callable[[Number], str]) -> tuple[list[str], float]:
    """Under a column chart: a dashed sample and "name ≥ start" for each band line, wrapped into rows."""
    items, x, row = [], 0.0, 0
    for band in sorted(bands, key=lambda band: -_f(band.min)):
        text = f"{band.name} ≥ {fmt(band.min)}"
        width = 22 + _text_width(text, 10) + 12
        if x and x + width > WIDTH:
            x, row = 0.0, row + 1
        top = y + row * 15
        items.append(
            f'<path d="M{_n(x)} {_n(top + 6)}h16" stroke="{GRID}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        items.append(
            f'<text x="{_n(x + 22)}" y="{_n(top + 9.5)}" font-size="10" fill="{MUTED}">{_text(text)}</text>'
        )
        x += width
    return items, (row + 1) * 15 if items else 0.0


def scale(
    markers: Sequence[Marker],
    *,
    bands: Sequence[Band],
    title: str,
    maximum: Number = 100,
    fmt: Callable[[Number], str] = default_format,
) -> Svg:
    """A 0-`maximum` strip divided into the edition's bands, with a marker per value.

    The first marker points down from above the strip, the second up from below, so that the two can be
    told apart without colour and do not cover each other when the values are close.
    """
    left, strip_width, strip_top, strip_height = 8, WIDTH - 16, 34, 26
    body, names, pointers = [], [], []
    ordered = sorted(bands, key=lambda band: (_f(band.min), _f(band.max)))
    for index, band in enumerate(ordered):
        x = left + _scaled(band.min, maximum, strip_width)
        width = _scaled(band.max, maximum, strip_width) - _scaled(band.min, maximum, strip_width)
        if width <= 0:
            continue  # a single-value band (0.00) has no width to draw; the table lists it
        colour = BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]
        body.append(
            f'<rect class="band" x="{_n(x)}" y="{strip_top}" width="{_n(width)}" height="{strip_height}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"><title>{_text(band.name)}: '
            f"{_text(fmt(band.min))}–{_text(fmt(band.max))}</title></rect>"
        )
        if len(band.name) * 6.2 + 6 <= width:
            names.append(
                f'<text x="{_n(x + width / 2)}" y="{strip_top + 17}" font-size="11" text-anchor="middle" '
                f'fill="{TEXT}" stroke="#ffffff" stroke-width="3" stroke-opacity=".7" paint-order="stroke">'
                f"{_text(band.name)}</text>"
            )
    for tick in (0, maximum):
        x = left + _scaled(tick, maximum, strip_width)
        body.append(
            f'<text x="{_n(x)}" y="{strip_top + strip_height + 40}" font-size="10" '
            f'text-anchor="{"start" if tick == 0 else "end"}" fill="{MUTED}">{_text(_tick(tick, fmt))}</text>'
        )
    for index, marker in enumerate(markers[:2]):
        x = left + _scaled(marker.value, maximum, strip_width)
        colour = SERIES_COLOURS[index]
        anchor = "start" if x < 70 else "end" if x > WIDTH - 70 else "middle"
        label = f"{_text(marker.label)} {_text(fmt(marker.value))}"
        if index == 0:
            text_y = strip_top - 14
            points = f"{_n(x - 7)},{strip_top - 10} {_n(x + 7)},{strip_top - 10} {_n(x)},{strip_top}"
        else:
            text_y = strip_top + strip_height + 24
            bottom = strip_top + strip_height
            points = f"{_n(x - 7)},{bottom + 10} {_n(x + 7)},{bottom + 10} {_n(x)},{bottom}"
        body.append(
            f'<line x1="{_n(x)}" y1="{strip_top}" x2="{_n(x)}" y2="{strip_top + strip_height}" '
            f'stroke="{TEXT}" stroke-width="1.5"/>'
        )
        pointers.append(f'<polygon class="marker marker-{index}" points="{points}" fill="{colour}"/>')
        pointers.append(
            f'<text x="{_n(x)}" y="{text_y}" font-size="12" font-weight="600" text-anchor="{anchor}" '
            f'fill="{TEXT}">{label}</text>'
        )
    # Band names over the marker lines (with a light halo), so a marker never hides a name.
    return _svg(title, strip_top + strip_height + 46, body + names + pointers)


# --- helpers ------------------------------------------------------------------------------------------------


def _svg(title: str, height: float, body: list[str]) -> Svg:
    label = _attr(title)
    return Svg(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" role="img" aria-label="{label}" {FONT}><title>{_text(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _empty(title: str, empty_text: str) -> Svg:
    return _svg(
        title,
        40,
        [
            f'<rect x="0" y="0" width="{WIDTH}" height="40" fill="{TRACK}"/>',
            f'<text x="{WIDTH / 2}" y="25" font-size="13" text-anchor="middle" fill="{MUTED}">'
            f"{_text(empty_text)}</text>",
        ],
    )


def _legend(series: Sequence[str], y: float) -> float:
    """The height the legend takes."""
    return y + 16 if series else y


def _legend_items(series: Sequence[str], y: float) -> list[str]:
    items, x = [], 0.0
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        items.append(f'<rect x="{_n(x)}" y="{y + 3}" width="11" height="11" fill="{colour}"/>')
        items.append(f'<text x="{_n(x + 15)}" y="{y + 13}" font-size="12" fill="{TEXT}">{_text(name)}</text>')
        x += 15 + len(name) * 6.8 + 14
    return items


def _legend_rows(series: Sequence[str], y: float) -> tuple[list[str], float]:
    """The legend wrapped into as many rows as its names need within the width, and the height it takes."""
    items, x, row = [], 0.0, 0
    for index, name in enumerate(series):
        width = 15 + _text_width(name, 12) + 14
        if x and x + width - 14 > WIDTH:
            x, row = 0.0, row + 1
        top = y + row * 16
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        items.append(f'<rect x="{_n(x)}" y="{_n(top + 3)}" width="11" height="11" fill="{colour}"/>')
        items.append(
            f'<text x="{_n(x + 15)}" y="{_n(top + 13)}" font-size="12" fill="{TEXT}">{_text(name)}</text>'
        )
        x += width
    return items, (row + 1) * 16 if series else 0.0


# Average advance of the system sans-serif per character, in ems: digits are tabular, separators narrow.
_NARROW, _DIGIT, _OTHER = 0.3, 0.56, 0.58


def _text_width(text: str, size: float) -> float:
    """About how wide `text` is at font size `size`, to keep labels from running into each other."""
    return size * sum(
        _NARROW if char in ".,:;'|!il ()" else _DIGIT if char.isdigit() else _OTHER for char in str(text)
    )


def _tick(value: Number, fmt: Callable[[Number], str]) -> str:
    """An axis end: a whole number without decimals ("100"), anything else as the caller formats it."""
    return str(int(value)) if _f(value).is_integer() else fmt(value)


def _scaled(value: Number, maximum: Number, length: float) -> float:
    """`value` as a length on a 0-`maximum` axis of `length` units, clamped to the axis."""
    top = _f(maximum)
    if top <= 0:
        return 0.0
    return max(0.0, min(1.0, _f(value) / top)) * length


def _f(value: Number) -> float:
    return float(value)


def _n(value: float) -> str:
    """A coordinate with at most 2 decimals, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    # Shorten before escaping, so an entity is never cut in half.
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(text: str) -> str:
    return _escape_text(str(text))


def _attr(text: str) -> str:
    return _escape_text(str(text), {'"': "&quot;", "'": "&#x27;"})
