"""Figures drawn at build time from data: bar charts of the sources' figures and a timeline graphic.

Each figure is an SVG (vector, crisp in print, accepted by EPUB 3) plus a small JSON sidecar with
its caption, alt text and citation, which the pandoc stage turns into a captioned figure. Fills are
greys and black so that charts survive a black-and-white photocopier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backmatter import load_valid
from .config import Book
from .fsutil import atomic_write_text
from .render import human_date, render

WIDTH = 720
LABEL_WIDTH = 300
BAR_HEIGHT = 26
FILLS = ("#222222", "#777777", "#aaaaaa")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    fill: str
    shown: str


TEMPLATES = ("figures/bar.svg.j2", "figures/timeline.svg.j2")


def figures_dir(book: Book) -> Path:
    return book.paths.figures


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def bar_layout(chart: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    """Bars grouped by unit, each group on its own scale (different currencies are never compared)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for bar in chart["bars"]:
        groups.setdefault(str(bar.get("group", "")), []).append(bar)
    y, laid_out = 10.0, []
    for index, (name, bars) in enumerate(groups.items()):
        top = max(float(b["value"]) for b in bars) or 1.0
        rows = []
        if name:
            y += 8
            laid_out.append({"heading": name, "y": y + 14})
            y += 24
        for number, bar in enumerate(bars):
            width = (WIDTH - LABEL_WIDTH - 110) * float(bar["value"]) / top
            unit = bar.get("unit", chart.get("unit", ""))
            rows.append(Bar(str(bar["label"]), float(bar["value"]), y, width, FILLS[(index + number) % len(FILLS)],
                            f"{_number(bar['value'])} {unit}".strip()))
            y += BAR_HEIGHT + 8
        laid_out.append({"bars": rows})
    return laid_out, y + 10


def timeline_layout(graphic: dict[str, Any], events: dict[str, str]) -> dict[str, Any]:
    periods = graphic["periods"]
    start, end = min(p["start"] for p in periods), max(p["end"] for p in periods)
    left, right = 20, WIDTH - 20

    def x(year: float) -> float:
        return left + (right - left) * (year - start) / (end - start)

    bands = [{"label": p["label"], "x": x(p["start"]), "width": x(p["end"]) - x(p["start"]), "fill": FILLS[1 + i % 2],
              "start": p["start"], "end": p["end"]} for i, p in enumerate(periods)]
    marks = []
    for row, item in enumerate(graphic["events"]):
        date = item["date"] if isinstance(item, dict) else str(item)
        label = item.get("label") if isinstance(item, dict) else None
        year = int(date[:4]) + (int(date[5:7]) - 1) / 12 if len(date) >= 7 else int(date[:4])
        marks.append({"x": x(year), "label": label or human_date(date), "row": row % 6, "date": date,
                      "known": date in events})
    ticks = [{"x": x(y), "year": y} for y in range(start - start % 10 + 10, end + 1, 10)]
    return {"bands": bands, "marks": marks, "ticks": ticks, "width": WIDTH}


def write_figures(book: Book) -> list[Path]:
    """Render every chart in data/figures.yaml and the timeline graphic; return the files written."""
    source = book.paths.data_file("figures")
    if not source.exists():
        return []
    raw = load_valid(source, "figures") or {}  # checked against schema.Figures, with lines
    charts = raw.get("charts") or []
    templates, out = book.paths.template_dirs, figures_dir(book)
    written: list[Path] = []
    for chart in charts:
        groups, height = bar_layout(chart)
        svg = render(templates, "figures/bar.svg.j2", chart=chart, groups=groups, height=height, width=WIDTH,
                     label_width=LABEL_WIDTH, bar_height=BAR_HEIGHT, fonts=book.fonts)
        written += _write(out, chart["id"], svg, chart)
    graphic = raw.get("timeline_graphic")
    if graphic:
        timeline = book.paths.data_file("timeline")
        events = {str(e["date"]): e["event"] for e in load_valid(timeline, "timeline")} if timeline.exists() else {}
        layout = timeline_layout(graphic, events)
        svg = render(templates, "figures/timeline.svg.j2", layout=layout, fonts=book.fonts, graphic=graphic)
        written += _write(out, "timeline", svg, {"title": "Timeline", **graphic})
    return written


def _write(out: Path, name: str, svg: str, meta: dict[str, Any]) -> list[Path]:
    sidecar = {"src": f"build/figures/{name}.svg", "caption": meta["caption"], "alt": meta["alt"],
               "cite": meta.get("cite", ""), "title": meta.get("title", "")}
    atomic_write_text(out / f"{name}.svg", svg)
    atomic_write_text(out / f"{name}.json", json.dumps(sidecar, ensure_ascii=False, sort_keys=True))
    return [out / f"{name}.svg", out / f"{name}.json"]
