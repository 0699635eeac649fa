"""Charts and the timeline graphic: one unit per axis, legible at the printed size, accessible, escaped."""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypandoc
import pytest
from defusedxml import ElementTree
from hypothesis import given
from hypothesis import strategies as st

from studyguide import figures
from studyguide.backmatter import load_data
from studyguide.errors import Collector, StudyguideError
from studyguide.paths import Paths
from tests.support import REPO
from tests.test_maps import SVG, print_scale, text_sizes

FONT = "Noto Sans"


@dataclass
class Project:
    """What write_figures reads of a book: its root, paths and fonts."""

    root: Path

    @property
    def paths(self) -> Paths:
        return Paths.of(self.root)

    @property
    def build(self) -> Path:
        return self.paths.build

    @property
    def fonts(self) -> dict[str, str]:
        return {"body": "Noto Serif", "heading": FONT}


def guide_copy(dest: Path) -> Project:
    shutil.copytree(REPO / "data", dest / "data")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copy(REPO / "book.yaml", dest / "book.yaml")
    return Project(dest)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    project = guide_copy(tmp_path_factory.mktemp("guide"))
    written = figures.write_figures(project)
    return {p.stem: p for p in written if p.suffix == ".svg"}


def test_every_figure_is_valid_svg_with_title_desc_and_type_of_at_least_7_pt(drawn: dict[str, Path]) -> None:
    assert {"soviet-aid", "us-troops", "chinese-personnel", "chinese-casualties", "timeline"} <= set(drawn)
    for name, path in drawn.items():
        root = ElementTree.fromstring(path.read_text(encoding="utf-8"))
        assert (root.find(SVG + "title").text or "").strip(), name
        assert len(root.find(SVG + "desc").text or "") > 50, name
        assert root.get("width").endswith("mm")
        scale = print_scale(root)
        small = [(t, s) for t, s in text_sizes(root) if s is None or s * scale < 7.0]
        assert not small, f"{name}: {small}"


def test_every_figure_carries_its_numbers_as_a_table(drawn: dict[str, Path]) -> None:
    for name, path in drawn.items():
        sidecar = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        table = sidecar["table"]
        assert table["header"] and table["rows"], name
        assert all(len(row) == len(table["header"]) for row in table["rows"]), name
    aid = json.loads(drawn["soviet-aid"].with_suffix(".json").read_text(encoding="utf-8"))["table"]["rows"]
    assert ["All aid received by 1990", "16.4 billion rubles"] in aid
    assert ["All aid received by 1990, “more than”", "11 billion US dollars"] in aid
    desc = ElementTree.fromstring(drawn["soviet-aid"].read_text(encoding="utf-8")).find(SVG + "desc").text
    assert "16.4 billion rubles" in desc and "11 billion US dollars" in desc


def test_rubles_and_dollars_are_drawn_in_separate_panels_with_their_own_axes(drawn: dict[str, Path]) -> None:
    root = ElementTree.fromstring(drawn["soviet-aid"].read_text(encoding="utf-8"))
    panels = [g for g in root.iter(SVG + "g") if g.get("class") == "panel"]
    assert len(panels) == 2
    headings = [next(t.text for t in p.iter(SVG + "text")) for p in panels]
    assert "billion rubles" in headings[0] and "billion US dollars" in headings[1]
    for panel in panels:  # each panel has its own axis line and its own tick labels
        assert len([line for line in panel.iter(SVG + "line")]) >= 3


def chart_with(bars: str) -> str:
    return f"""charts:
  - id: mixed
    title: "Mixed"
    caption: "Two units."
    alt: "A chart."
    cite: "@chen2001mao"
    unit: "billion rubles"
    bars:
{bars}"""


def test_a_bar_in_another_unit_on_the_same_axis_is_refused_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "figures.yaml"
    source.write_text(chart_with('      - {label: "Rubles", value: 16.4}\n'
                                 '      - label: "Dollars"\n        value: 11\n        unit: "billion US dollars"\n'),
                      encoding="utf-8")
    problems = Collector()
    for chart in load_data(source)["charts"]:
        figures.check_chart(source, chart, problems)
    assert [str(d) for d in problems.errors] == [
        f"{source}:12: error: chart 'mixed': bar 'Dollars' is in 'billion US dollars' but its axis is in 'billion rubles';"
        " different units cannot share one axis (put the bar in its own panel with its own unit)"]


def test_the_old_group_field_is_refused_instead_of_drawing_two_units_on_one_baseline(tmp_path: Path) -> None:
    source = tmp_path / "figures.yaml"
    source.write_text(chart_with('      - {label: "Rubles", value: 16.4, group: "Rubles"}\n'), encoding="utf-8")
    problems = Collector()
    figures.check_chart(source, load_data(source)["charts"][0], problems)
    assert any("'group' is no longer read" in str(d) for d in problems.errors)


def test_write_figures_stops_on_mixed_units_before_writing_anything(tmp_path: Path) -> None:
    project = guide_copy(tmp_path / "g")
    path = project.root / "data" / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('            value: 11\n', '            value: 11\n            unit: "billion rubles"\n', 1),
                    encoding="utf-8")
    with pytest.raises(StudyguideError) as caught:
        figures.write_figures(project)
    assert "different units cannot share one axis" in str(caught.value.diagnostics[0])
    assert not (project.build / "figures").exists()


def test_markup_in_chart_data_stays_text_in_valid_xml(tmp_path: Path) -> None:
    project = guide_copy(tmp_path / "g")
    path = project.root / "data" / "figures.yaml"
    text = path.read_text(encoding="utf-8").replace('title: "Chinese casualties in North Vietnam"',
                                                    'title: "Casualties <North> & South"', 1)
    text = text.replace('label: "Wounded (2017 essay, Chinese estimates)"', 'label: "Wounded & <missing>"', 1)
    path.write_text(text, encoding="utf-8")
    written = figures.write_figures(project)
    svg = next(p for p in written if p.name == "chinese-casualties.svg").read_text(encoding="utf-8")
    root = ElementTree.fromstring(svg)
    assert root.find(SVG + "title").text == "Casualties <North> & South"
    assert "Wounded & <missing>" in [t.text for t in root.iter(SVG + "text")]


def test_timeline_labels_never_overlap_and_sit_at_or_below_their_dates(drawn: dict[str, Path]) -> None:
    graphic = load_data(REPO / "data" / "figures.yaml")["timeline_graphic"]
    layout = figures.timeline_layout(graphic, FONT)
    ys = [m["y"] for m in layout["marks"]]
    assert all(b - a >= figures.LABEL_PT * 1.3 for a, b in itertools.pairwise(ys))
    assert all(m["y"] >= m["dot"] for m in layout["marks"])
    assert layout["fits"] and layout["period_fits"]
    # Laid out as a timeline: the dates run down one axis, in order.
    dots = [m["dot"] for m in layout["marks"]]
    assert dots == sorted(dots)


@given(st.floats(min_value=0.01, max_value=1e9, allow_nan=False))
def test_axis_steps_give_three_to_six_round_ticks(top: float) -> None:
    import math

    step = figures._nice_step(top)
    ticks = math.ceil(top / step)
    assert 1 <= ticks <= 6 and step * ticks >= top
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))


def test_the_pandoc_filter_puts_the_data_table_after_the_figure_as_plain_text(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sidecar = {"src": "build/figures/x.svg", "caption": "A caption.", "alt": "Alt text.", "cite": "", "title": "X & Y",
               "table": {"header": ["Bar", "Value"], "rows": [["A <b> & @key *c*", "3 billion rubles"]]}}
    (tmp_path / "x.json").write_text(json.dumps(sidecar), encoding="utf-8")
    monkeypatch.setenv("STUDYGUIDE_FIGURES_DIR", str(tmp_path))  # the filters' settings come from the build's env
    html = pypandoc.convert_text('::: {.figure-ref chart="x"}\n:::\n', "html", format="markdown",
                                 extra_args=["--lua-filter", str(REPO / "studyguide" / "filters" / "prepare.lua")])
    assert html.index("<figure") < html.index('class="figure-data"') < html.index("<table")
    assert "A &lt;b&gt; &amp; @key *c*" in html  # not read as markup, a citation or emphasis
    assert 'alt="Alt text."' in html


MINI_MAPS = """features:
  capital:
    label: "Quokkaville"
    what: "A capital"
    dates: "1954–1976"
    geo: "Hanoi"
    symbol: capital
    cite: "@chen2001mao, 207"
  line:
    label: "Wombat line"
    what: "A dated line"
    dates: "1954"
    parallel: 17.0
    within: [VNM]
    style: division
    cite: "@chen2001mao, 207"
maps:
  - id: map-test
    title: "Test map"
    caption: "A map."
    alt: "A map of Vietnam."
    width_mm: 78
    frame: {west: 100.2, east: 110.2, south: 8.4, north: 23.5}
    projection: {lon_0: 105.5, lat_1: 11, lat_2: 21}
    show:
      - {feature: capital, label: left}
      - {feature: line, label: left, at: [106.55, 17.0]}
"""


@pytest.mark.slow
def test_figure_type_prints_at_7_pt_or_more_in_the_half_letter_booklet(tmp_path: Path) -> None:
    """The narrowest page the build makes: a chart and a map in a 5.5 × 8.5 in booklet, measured in the PDF."""
    import pdfplumber

    from tests.support import doit, make_project

    project = make_project(tmp_path / "mini")
    config = project / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("papers: [a4]", "papers: [letter]"), encoding="utf-8")
    (project / "data").mkdir(exist_ok=True)
    (project / "data" / "figures.yaml").write_text(chart_with(
        '      - {label: "Zebrawood total", value: 16.4}\n      - {label: "Xylophone part", value: 4}\n'),
        encoding="utf-8")
    (project / "data" / "maps.yaml").write_text(MINI_MAPS, encoding="utf-8")
    shutil.copytree(REPO / "data" / "geo", project / "data" / "geo")
    beta = project / "content" / "02-beta.md"
    beta.write_text(beta.read_text(encoding="utf-8") + '\n::: {.figure-ref chart="mixed"}\n:::\n\n'
                    '::: {.figure-ref chart="map-test"}\n:::\n', encoding="utf-8")
    result = doit(project, "handouts:student:letter:02-beta:booklet")
    assert result.returncode == 0, result.stdout + result.stderr
    booklet = next((project / "build").rglob("02-beta-booklet.pdf"))
    sizes: dict[str, float] = {}
    with pdfplumber.open(booklet) as pdf:
        for page in pdf.pages:
            for word in page.extract_words(extra_attrs=["size"]):
                # WeasyPrint sets SVG text without space glyphs, so "Zebrawood total" reads as one word.
                for name in ("Zebrawood", "Xylophone", "Quokkaville", "Wombat", "16.4"):
                    if word["text"].startswith(name):
                        sizes[name] = min(sizes.get(name, 99.0), word["size"])
    assert set(sizes) == {"Zebrawood", "Xylophone", "Quokkaville", "Wombat", "16.4"}, sizes
    assert min(sizes.values()) >= 7.0 - 0.01, sizes
