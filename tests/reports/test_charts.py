"""The SVG charts are pure functions: tested without a database."""

import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from reports import charts
from reports.charts import Band, BarGroup, Marker

SVG = "{http://www.w3.org/2000/svg}"
BANDS = [
    Band("Sangat Inovatif", Decimal("60.01"), Decimal("100.00")),
    Band("Inovatif", Decimal("35.00"), Decimal("60.00")),
    Band("Kurang Inovatif", Decimal("0.01"), Decimal("34.99")),
    Band("Tidak Dapat Dinilai", Decimal("0"), Decimal("0")),
]


def parse(svg: str) -> ET.Element:
    """Well-formed XML, or this raises: an unescaped label would break it."""
    return ET.fromstring(svg)


def bars(svg: str, series: int) -> list[float]:
    return [
        float(rect.get("width"))
        for rect in parse(svg).iter(f"{SVG}rect")
        if f"bar-{series}" in (rect.get("class") or "")
    ]


def column_heights(svg: str, series: int) -> list[float]:
    return [
        float(rect.get("height"))
        for rect in parse(svg).iter(f"{SVG}rect")
        if f"bar-{series}" in (rect.get("class") or "")
    ]


def test_grouped_bars_lengths_are_proportional_to_values():
    svg = charts.grouped_bars(
        [BarGroup("A", (Decimal("10"), Decimal("5")), 40), BarGroup("B", (20, 40), 40)],
        series=["Mandiri", "Terverifikasi"],
        title="Skor",
        empty_text="Kosong",
    )
    claimed, verified = bars(svg, 0), bars(svg, 1)
    full = claimed[1] * 2  # 20 of 40 is half the axis
    assert claimed == [full / 4, full / 2]
    assert verified == [full / 8, full]
    assert full > 0


def test_grouped_bars_each_group_has_its_own_maximum():
    svg = charts.grouped_bars(
        [BarGroup("SPD", (Decimal("40.5"),), Decimal("40.5")), BarGroup("SID", (Decimal("13.5"),), 27)],
        series=["Mandiri"],
        title="Skor",
        empty_text="Kosong",
    )
    top, half = bars(svg, 0)
    assert half == top / 2


def test_grouped_bars_zero_and_full_values():
    svg = charts.grouped_bars(
        [BarGroup("nol", (0, 100), 100), BarGroup("lebih", (150, -5), 100)],
        series=["a", "b"],
        title="t",
        empty_text="e",
    )
    assert bars(svg, 0)[0] == 0
    # Values past either end are clamped to the axis instead of drawing outside the chart.
    assert bars(svg, 0)[1] == bars(svg, 1)[0] > 0
    assert bars(svg, 1)[1] == 0


def test_grouped_bars_with_a_zero_maximum_draws_empty_bars():
    svg = charts.grouped_bars([BarGroup("x", (5,), 0)], series=["a"], title="t", empty_text="e")
    assert bars(svg, 0) == [0]


def test_labels_are_escaped():
    hostile = "<script>alert(\"x\")</script> & 'kutip'"
    for svg in (
        charts.grouped_bars([BarGroup(hostile, (1,), 2)], series=[hostile], title=hostile, empty_text="e"),
        charts.columns(["<b>2024</b>"], [(1, 2)], series=[hostile, "b"], title=hostile, empty_text="e"),
        charts.scale([Marker(hostile, 50)], bands=[Band(hostile, 0, 100)], title=hostile),
        charts.grouped_bars([], series=[], title=hostile, empty_text=hostile),
    ):
        assert "<script>" not in svg and "<b>" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)
        assert root.get("aria-label") == hostile  # the attribute survives escaping intact
        assert root.find(f"{SVG}title").text == hostile


def test_every_chart_is_accessible_and_responsive():
    for svg in (
        charts.grouped_bars([BarGroup("a", (1, 2), 3)], series=["x", "y"], title="Judul", empty_text="e"),
        charts.columns(["2024"], [(1, 2)], series=["x", "y"], title="Judul", empty_text="e"),
        charts.scale([Marker("x", 1), Marker("y", 2)], bands=BANDS, title="Judul"),
    ):
        root = parse(svg)
        assert root.get("role") == "img"
        assert root.get("aria-label") == "Judul"
        assert root.get("width") == "100%" and root.get("height") is None
        assert re.fullmatch(r"0 0 360 [\d.]+", root.get("viewBox"))
        assert root[0].tag == f"{SVG}title"


def test_empty_data_gives_a_message_not_an_error():
    for svg in (
        charts.grouped_bars([], series=["a"], title="t", empty_text="Belum ada data"),
        charts.columns([], [], series=["a"], title="t", empty_text="Belum ada data"),
    ):
        texts = [node.text for node in parse(svg).iter(f"{SVG}text")]
        assert texts == ["Belum ada data"]


def test_long_labels_are_shortened_with_the_full_text_in_a_tooltip():
    name = "Sistem Informasi Pelayanan Administrasi Kependudukan Terpadu Berbasis Kelurahan"
    svg = charts.grouped_bars([BarGroup(name, (1,), 2)], series=["a"], title="t", empty_text="e")
    label = next(node for node in parse(svg).iter(f"{SVG}text") if node.find(f"{SVG}title") is not None)
    assert label.find(f"{SVG}title").text == name
    shown = "".join(label.itertext()).replace(name, "", 1)
    assert shown.endswith("…") and len(shown) <= charts.LABEL_CHARS


def test_columns_heights_are_proportional_on_the_0_to_100_axis():
    svg = charts.columns(
        ["2023", "2024"],
        [(Decimal("50"), Decimal("25")), (Decimal("100"), Decimal("0"))],
        series=["Mandiri", "Terverifikasi"],
        title="IID",
        empty_text="e",
    )
    claimed, verified = column_heights(svg, 0), column_heights(svg, 1)
    assert claimed[0] == claimed[1] / 2 and verified[0] == claimed[1] / 4
    assert verified[1] == 0


def test_columns_draw_a_line_where_each_band_starts_away_from_the_baseline():
    svg = charts.columns(["2024"], [(40, 30)], series=["a", "b"], title="t", empty_text="e", bands=BANDS)
    root = parse(svg)
    lines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "band-line"]
    # 35.00 and 60.01 get a line; 0.01 and 0 lie on the baseline.
    assert len(lines) == 2
    texts = " ".join(node.text or "" for node in root.iter(f"{SVG}text"))
    assert "Inovatif ≥ 35.00" in texts and "Sangat Inovatif ≥ 60.01" in texts
    assert "Kurang Inovatif" not in texts
    baseline = max(float(line.get("y1")) for line in root.iter(f"{SVG}line"))
    tallest = max(column_heights(svg, 0))  # 40 on the 0-100 axis
    levels = sorted(baseline - float(line.get("y1")) for line in lines)
    assert [round(level / tallest * 40, 1) for level in levels] == [35.0, 60.0]


def test_scale_bands_come_from_the_data_and_markers_sit_at_their_values():
    svg = charts.scale(
        [Marker("Mandiri", Decimal("61.31")), Marker("Terverifikasi", 0)], bands=BANDS, title="IID"
    )
    root = parse(svg)
    bands = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "band"]
    # The 0-0 band has no width; the three others are drawn lowest first, each as long as its range.
    assert len(bands) == 3
    ranges = [Decimal("34.98"), Decimal("25.00"), Decimal("39.99")]
    units = [float(rect.get("width")) / float(span) for rect, span in zip(bands, ranges, strict=True)]
    assert max(units) - min(units) < 0.001
    unit = units[0]
    zero = float(bands[0].get("x")) - 0.01 * unit  # the lowest drawn band starts at 0.01
    tips = [float(polygon.get("points").split()[-1].split(",")[0]) for polygon in root.iter(f"{SVG}polygon")]
    assert abs(tips[0] - (zero + 61.31 * unit)) < 0.03
    assert abs(tips[1] - zero) < 0.03
    texts = [" ".join(node.itertext()) for node in root.iter(f"{SVG}text")]
    assert "Mandiri 61.31" in texts and "Terverifikasi 0.00" in texts
    assert {"Sangat Inovatif", "Inovatif", "Kurang Inovatif"} <= set(texts)


def test_scale_draws_whatever_bands_the_edition_has():
    later = [
        Band("Sangat Inovatif", Decimal("65.01"), 100),
        Band("Inovatif", Decimal("40.01"), 65),
        Band("Kurang", 0, 40),
    ]
    root = parse(charts.scale([Marker("a", 100)], bands=later, title="t"))
    bands = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "band"]
    starts = [float(rect.get("x")) for rect in bands]
    widths = [float(rect.get("width")) for rect in bands]
    unit = widths[0] / 40
    assert [round((start - starts[0]) / unit, 2) for start in starts] == [0, 40.01, 65.01]
    assert [round(width / unit, 2) for width in widths] == [40, 24.99, 34.99]


def test_svg_prints_unescaped_in_a_template_but_labels_stay_escaped():
    from django.template import Context, Template

    svg = charts.grouped_bars([BarGroup("<i>", (1,), 1)], series=["a"], title="t", empty_text="e")
    html = Template("{{ chart }}").render(Context({"chart": svg}))
    assert html.startswith("<svg") and "&lt;i&gt;" in html and "<i>" not in html


def test_formatter_is_used_for_every_value():
    svg = charts.grouped_bars(
        [BarGroup("a", (Decimal("3.5"),), 10)],
        series=["s"],
        title="t",
        empty_text="e",
        fmt=lambda v: f"<{v}>",
    )
    assert "&lt;3.5&gt;" in svg and "<3.5>" not in svg


def value_boxes(svg: str) -> list[tuple[float, float]]:
    """The horizontal extent of each column's value label: upright ones centred on x, turned ones (read upwards)
    about one line high around their translated x."""
    boxes = []
    for node in parse(svg).iter(f"{SVG}text"):
        if node.get("class") != "value":
            continue
        text = "".join(node.itertext())
        if node.get("transform"):
            x = float(re.match(r"translate\(([\d.]+)", node.get("transform")).group(1))
            boxes.append((x - 0.8 * 11, x + 0.25 * 11))
        else:
            x, width = float(node.get("x")), charts._text_width(text, 11)
            boxes.append((x - width / 2, x + width / 2))
    return sorted(boxes)


def test_column_values_never_run_into_each_other():
    # Issue 15: two neighbouring zeros printed as "0,000,00" on the dashboard's trend.
    fmt = lambda value: f"{Decimal(str(value)).quantize(Decimal('0.01'))}".replace(".", ",")  # noqa: E731
    series = ["Diklaim", "Terverifikasi", "Hasil resmi (Kemendagri)"]
    for years in range(1, 9):
        rows = [(Decimal("0"), Decimal("0"), Decimal("100"))] * years
        svg = charts.columns(
            [str(2020 + year) for year in range(years)],
            rows,
            series=series,
            title="t",
            empty_text="e",
            fmt=fmt,
        )
        boxes = value_boxes(svg)
        for (_start, end), (start, _end) in itertools.pairwise(boxes):
            assert end <= start, (years, boxes)
        # Labels are shown while there is room for them (the table beside the chart has every figure).
        assert len(boxes) == 3 * years or years > 4
        # Each label fits under the chart's top: nothing is drawn above the viewBox.
        for node in parse(svg).iter(f"{SVG}text"):
            match = re.match(r"translate\(([\d.]+) ([\d.]+)\)", node.get("transform") or "")
            if match:
                assert float(match.group(2)) - charts._text_width("".join(node.itertext()), 11) >= 0


def test_columns_keep_band_names_off_the_plot_and_the_legend_inside_the_width():
    svg = charts.columns(
        ["2023", "2024"],
        [(Decimal("70"), Decimal("65"), Decimal("64")), (Decimal("50"), Decimal("45"), None)],
        series=["Diklaim", "Terverifikasi", "Hasil resmi (Kemendagri) yang diumumkan"],
        title="t",
        empty_text="e",
        bands=BANDS,
    )
    root = parse(svg)
    base = max(float(line.get("y1")) for line in root.iter(f"{SVG}line"))
    texts = {"".join(node.itertext()): node for node in root.iter(f"{SVG}text")}
    # The band names are in the key under the years, not over the columns.
    for name in ("Sangat Inovatif ≥ 60.01", "Inovatif ≥ 35.00"):
        assert float(texts[name].get("y")) > base + 15
    # The axis values sit left of the plot, where no column is.
    first_column = min(
        float(rect.get("x")) for rect in root.iter(f"{SVG}rect") if "bar" in (rect.get("class") or "")
    )
    for node in root.iter(f"{SVG}text"):
        if node.get("class") == "tick":
            assert node.get("text-anchor") == "end" and float(node.get("x")) < first_column
    # The legend wraps rather than running past the right edge.
    for name in ("Diklaim", "Terverifikasi", "Hasil resmi (Kemendagri) yang diumumkan"):
        node = texts[name]
        assert float(node.get("x")) + charts._text_width(name, 12) <= charts.WIDTH
