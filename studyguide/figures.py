"""Figures drawn at build time from data: bar charts of the sources' figures, a timeline and maps.

Each figure is an SVG (vector, crisp in print, accepted by EPUB 3) plus a small JSON sidecar with
its caption, alt text, citation and its numbers as a table, which the pandoc stage turns into a
captioned figure followed by a data table (shown in the EPUB for screen readers; the printed chart
prints every value as text already). Fills are black and greys so that charts survive a
black-and-white photocopier.

Every SVG is drawn for one printed width (``PRINT_WIDTH_MM``, narrower than the narrowest text
measure, the half-Letter booklet): one user unit is one point on paper, so the type sizes below
are what prints, never less than 7 pt, in the book, the handouts and the A5 booklets alike.

A chart's bars share one axis only when they share one unit: bars in different units (rubles and
dollars) go in separate panels, each with its own scale, and a chart that mixes units on one axis
is refused at the line of the offending bar.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backmatter import load_data, load_valid, strip_lines
from .config import Book
from .errors import Collector
from .fsutil import atomic_write_text
from .render import human_date, render

PRINT_WIDTH_MM = 110.0
PT_PER_MM = 72 / 25.4
WIDTH = round(PRINT_WIDTH_MM * PT_PER_MM, 1)  # user units = points at the printed size
LABEL_PT = 7.5
HEADING_PT = 8.0
MIN_PT = 7.0
BAR_HEIGHT = 11.0
BAR_GAP = 5.0
BAR_FILL = "#555555"  # one tone for every bar: a grey carries no meaning a reader could miss
TEMPLATES = ("figures/bar.svg.j2", "figures/timeline.svg.j2", "figures/map.svg.j2")


@dataclass(frozen=True)
class Bar:
    label: list[str]
    value: float
    y: float
    width: float
    shown: str


TEMPLATES = ("figures/bar.svg.j2", "figures/timeline.svg.j2")


def figures_dir(book: Book) -> Path:
    return book.paths.figures


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _text_width(text: str, size: float, font: str, bold: bool = False) -> float:
    from .maps import text_width

    return text_width(text, size, font, bold)


def _wrap(text: str, size: float, font: str, width: float) -> list[str]:
    """Break a label into lines no wider than ``width`` points (at spaces)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(lines[-1] + " " + word, size, font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _nice_step(top: float) -> float:
    """A round tick step giving three to six ticks up to ``top``."""
    raw = top / 4 or 1
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def chart_panels(chart: dict[str, Any]) -> list[dict[str, Any]]:
    """A chart's panels: its ``panels`` list, or one panel holding its ``bars`` on the chart's unit."""
    if "panels" in chart:
        return list(chart["panels"])
    return [{"title": "", "unit": chart.get("unit", ""), "bars": chart.get("bars", []), "__line__": chart.get("__line__")}]


def check_chart(source: Path, chart: dict[str, Any], problems: Collector) -> None:
    """Fields present, values numbers, and one unit per axis (the unit of each panel)."""
    for field in ("id", "title", "caption", "alt", "cite"):
        if field not in chart:
            problems.error(source, chart.get("__line__"), f"chart is missing the field '{field}'")
    if ("bars" in chart) == ("panels" in chart):
        problems.error(source, chart.get("__line__"), f"chart '{chart.get('id', '?')}' needs either 'bars' or 'panels'")
        return
    for panel in chart_panels(chart):
        unit = str(panel.get("unit", chart.get("unit", "")) or "")
        if not unit:
            problems.error(source, panel.get("__line__"), f"chart '{chart.get('id', '?')}': a panel needs its 'unit'",
                           hint="bars on one axis share one unit")
        for bar in panel.get("bars", []) or []:
            line = bar.get("__line__")
            if not isinstance(bar.get("value"), int | float) or isinstance(bar.get("value"), bool):
                problems.error(source, (bar.get("__lines__") or {}).get("value", line), "bar 'value' must be a number")
            if "group" in bar:
                problems.error(source, line, "bar 'group' is no longer read", hint="put bars of another unit in 'panels'")
            own = bar.get("unit")
            if own is not None and str(own) != unit:
                problems.error(source, (bar.get("__lines__") or {}).get("unit", line),
                               f"chart '{chart.get('id', '?')}': bar '{bar.get('label', '?')}' is in '{own}' but its axis "
                               f"is in '{unit}'; different units cannot share one axis",
                               hint="put the bar in its own panel with its own unit")


def bar_layout(chart: dict[str, Any], font: str) -> tuple[list[dict[str, Any]], float, float]:
    """Panels stacked vertically, each with a heading naming its unit, its own scale and axis."""
    panels = chart_panels(chart)
    labels = [str(b["label"]) for p in panels for b in p["bars"]]
    label_width = min(WIDTH * 0.42, max(_text_width(t, LABEL_PT, font) for t in labels) + 2)
    values = [f"{_number(b['value'])}" for p in panels for b in p["bars"]]
    value_room = max(_text_width(v, LABEL_PT, font, bold=True) for v in values) + 6
    left = label_width + 6
    right = WIDTH - value_room
    y, laid_out = 2.0, []
    for panel in panels:
        unit = str(panel.get("unit", chart.get("unit", "")))
        top = max(float(b["value"]) for b in panel["bars"]) or 1.0
        step = _nice_step(top)
        axis_top = step * math.ceil(top / step)
        heading = " — ".join(x for x in (str(panel.get("title", "")), unit) if x)
        heading = heading[:1].upper() + heading[1:]
        record: dict[str, Any] = {"heading": heading, "heading_y": y + HEADING_PT, "bars": [], "unit": unit}
        y += HEADING_PT + 6
        first = y
        for bar in panel["bars"]:
            lines = _wrap(str(bar["label"]), LABEL_PT, font, label_width)
            height = max(BAR_HEIGHT, len(lines) * LABEL_PT * 1.15 + 2)
            width = (right - left) * float(bar["value"]) / axis_top
            record["bars"].append(Bar(lines, float(bar["value"]), y + (height - BAR_HEIGHT) / 2, width,
                                      _number(bar["value"])))
            y += height + BAR_GAP
        record |= {"axis_top": first - 2, "axis_bottom": y - BAR_GAP + 2,
                   "ticks": [{"x": left + (right - left) * k * step / axis_top, "label": _number(k * step)}
                             for k in range(round(axis_top / step) + 1)]}
        y += 2 + LABEL_PT + 10  # tick labels, then room before the next panel
        laid_out.append(record)
    return laid_out, y, left


def chart_table(chart: dict[str, Any]) -> dict[str, Any]:
    panels = chart_panels(chart)
    rows = [[str(b["label"]), f"{_number(b['value'])} {p.get('unit', chart.get('unit', ''))}".strip()]
            for p in panels for b in p["bars"]]
    return {"header": ["Bar", "Value"], "rows": rows}


def timeline_layout(graphic: dict[str, Any], font: str) -> dict[str, Any]:
    """A vertical timeline: periods as a shaded band on the left, events on the right.

    Each event sits at its date on the axis; its label goes beside it or, when the one before is
    too close, is pushed down with a leader line, so no two labels collide whatever the dates.
    """
    periods, events = graphic["periods"], graphic["events"]
    start, end = min(p["start"] for p in periods), max(p["end"] for p in periods)
    top, per_year, row = 8.0, 4.8, LABEL_PT * 1.35
    axis_x, band_w, label_x = 128.0, 8.0, 146.0

    def y_of(year: float) -> float:
        return top + (year - start) * per_year

    def pushed(ideal: list[float], gap: float) -> list[float]:
        placed: list[float] = []
        for value in ideal:
            placed.append(max(value, placed[-1] + gap) if placed else value)
        return placed

    bands = [{"y": y_of(p["start"]), "height": y_of(p["end"]) - y_of(p["start"]),
              "fill": ("#bdbdbd", "#7a7a7a")[i % 2]} for i, p in enumerate(periods)]
    period_labels = [f"{p['label']}, {p['start']}–{str(p['end'])[2:]}" for p in periods]
    mids = [y_of((p["start"] + p["end"]) / 2) + LABEL_PT * 0.35 for p in periods]
    marks, dates = [], []
    for item in events:
        date = str(item["date"])
        year = int(date[:4]) + ((int(date[5:7]) - 1) / 12 if len(date) >= 7 else 0)
        dates.append(year)
        marks.append({"label": item.get("label") or human_date(date), "date": date, "dot": y_of(year)})
    for mark, text_y in zip(marks, pushed([m["dot"] + LABEL_PT * 0.35 for m in marks], row), strict=True):
        mark["y"] = text_y
    height = max(y_of(end), marks[-1]["y"] if marks else 0) + 10
    labels = [{"text": t, "y": y, "mid": m} for t, y, m in zip(period_labels, pushed(mids, row), mids, strict=True)]
    ticks = [{"y": y_of(y), "year": y} for y in range(start - start % 10 + 10, end + 1, 10)]
    widest = max([_text_width(m["label"], LABEL_PT, font) for m in marks] + [0])
    return {"bands": bands, "marks": marks, "periods": labels, "ticks": ticks, "width": WIDTH, "height": height,
            "axis_x": axis_x, "band_w": band_w, "label_x": label_x, "fits": label_x + widest <= WIDTH,
            "period_fits": all(_text_width(t, LABEL_PT, font) <= axis_x - band_w - 8 for t in period_labels)}


def timeline_table(graphic: dict[str, Any]) -> dict[str, Any]:
    return {"header": ["Date", "Event"],
            "rows": [[human_date(str(e["date"])), str(e.get("label") or e["date"])] for e in graphic["events"]]}


def write_figures(book: Book) -> list[Path]:
    """Render every chart in data/figures.yaml, the timeline graphic and the maps of data/maps.yaml."""
    from . import maps

    source = book.paths.data_file("figures")
    templates, out = book.paths.template_dirs, figures_dir(book)
    font = book.fonts["heading"]
    written: list[Path] = []
    problems = Collector()
    if source.exists():
        load_valid(source, "figures")  # its shape first (schema.Figures): types and unknown keys, with lines
    raw = load_data(source) if source.exists() else {}
    charts = raw.get("charts", []) if isinstance(raw, dict) else []
    for chart in charts:
        check_chart(source, chart, problems)
    graphic = strip_lines(raw.get("timeline_graphic")) if isinstance(raw, dict) else None
    if graphic:
        layout = timeline_layout(graphic, font)
        if not layout["fits"] or not layout["period_fits"]:
            problems.error(source, raw["timeline_graphic"].get("__line__"), "a timeline label is too wide for the graphic",
                           hint="shorten the event or period labels")
    built_maps = maps.build_maps(book.root, font, problems)
    problems.raise_if_errors()
    for chart in strip_lines(charts):
        panels, height, left = bar_layout(chart, font)
        svg = render(templates, "figures/bar.svg.j2", chart=chart, panels=panels, height=height, width=WIDTH,
                     left=left, bar_height=BAR_HEIGHT, fill=BAR_FILL, size=LABEL_PT, heading_size=HEADING_PT,
                     width_mm=PRINT_WIDTH_MM, font=font, desc=_chart_desc(chart))
        written += _write(out, chart["id"], svg, chart, chart_table(chart))
    if graphic:
        svg = render(templates, "figures/timeline.svg.j2", layout=layout, font=font, graphic=graphic,
                     size=LABEL_PT, width_mm=PRINT_WIDTH_MM)
        written += _write(out, "timeline", svg, {"title": "Timeline", **graphic}, timeline_table(graphic))
    for spec, layout_, shown in built_maps:
        svg = render(templates, "figures/map.svg.j2", layout=layout_)
        caption = " ".join(str(spec["caption"]).split()) + " " + maps.caption_notes(shown)
        meta = {"title": spec["title"], "caption": caption, "alt": " ".join(str(spec["alt"]).split()),
                "cite": maps.citations(shown)}
        written += _write(out, spec["id"], svg, meta, maps.data_table(shown))
    return written


def _chart_desc(chart: dict[str, Any]) -> str:
    """The SVG's <desc>: the author's text alternative and every number with its unit."""
    values = "; ".join(f"{label}: {value}" for label, value in chart_table(chart)["rows"])
    return " ".join(str(chart["alt"]).split()) + " Values: " + values + "."


def _write(out: Path, name: str, svg: str, meta: dict[str, Any], table: dict[str, Any]) -> list[Path]:
    sidecar = {"src": f"build/figures/{name}.svg", "caption": meta["caption"], "alt": meta["alt"],
               "cite": meta.get("cite", ""), "title": meta.get("title", ""), "table": table}
    atomic_write_text(out / f"{name}.svg", svg)
    atomic_write_text(out / f"{name}.json", json.dumps(sidecar, ensure_ascii=False, sort_keys=True))
    return [out / f"{name}.svg", out / f"{name}.json"]
