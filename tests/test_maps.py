"""Maps drawn from data/maps.yaml over the Natural Earth extract: valid, accessible, legible, placed right."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from defusedxml import ElementTree

from studyguide import maps
from studyguide.backmatter import load_data
from studyguide.errors import StudyguideError
from studyguide.paths import Paths
from studyguide.render import render
from tests.support import REPO

SVG = "{http://www.w3.org/2000/svg}"
FONT = "Noto Sans"


def copy_guide_data(dest: Path) -> Path:
    """The guide's map data and templates in a scratch project (the tests never write into the repo)."""
    shutil.copytree(REPO / "data", dest / "data")
    shutil.copytree(REPO / "templates", dest / "templates")
    return dest


@pytest.fixture(scope="module")
def built() -> list[tuple[dict, maps.MapLayout, list[maps.Feature]]]:
    return maps.build_maps(REPO, FONT)


TEMPLATES = Paths.of(REPO).template_dirs


def render_map(layout: maps.MapLayout) -> str:
    return render(TEMPLATES, "figures/map.svg.j2", layout=layout)


def text_sizes(root: ElementTree) -> list[tuple[str, float]]:
    """Every <text> with its effective font-size (its own or the nearest ancestor's)."""
    found: list[tuple[str, float]] = []

    def walk(node: object, inherited: float | None) -> None:
        size = float(node.get("font-size")) if node.get("font-size") else inherited
        if node.tag == SVG + "text":
            found.append((node.text or "", size))
        for child in node:
            walk(child, size)

    walk(root, None)
    return found


def print_scale(root: object) -> float:
    """Points on paper per user unit, from the declared printed width and the viewBox."""
    width_mm = float(root.get("width").removesuffix("mm"))
    return width_mm * maps.PT_PER_MM / float(root.get("viewBox").split()[2])


def test_the_guide_has_the_four_maps_the_issue_asks_for(built: list) -> None:
    ids = [spec["id"] for spec, _, _ in built]
    assert ids == ["map-indochina-1954", "map-supply-routes", "map-border-1969", "map-indochina-1979"]
    shown = {spec["id"]: {f.id for f in features} for spec, _, features in built}
    assert {"parallel-17", "ben-hai", "hanoi", "haiphong", "hue", "saigon", "dien-bien-phu", "pleiku", "trail"} <= shown[
        "map-indochina-1954"]
    assert {"rail-across-china", "sea-route", "southern-china", "railcar-backlog"} <= shown["map-supply-routes"]
    assert {"zhenbao", "xinjiang-clash", "sino-soviet-border"} <= shown["map-border-1969"]
    assert {"paracels", "spratlys", "chinese-attack-east", "invasion-of-cambodia"} <= shown["map-indochina-1979"]


def test_every_map_is_valid_svg_with_a_title_a_description_and_legible_labels(built: list) -> None:
    for spec, layout, features in built:
        root = ElementTree.fromstring(render_map(layout))  # defusedxml: entities and DTDs are refused
        title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
        assert title is not None and title.text == spec["title"]
        assert desc is not None and len(desc.text) > 200
        for feature in features:  # the text alternative names every feature the map shows
            assert feature.label in desc.text
        scale = print_scale(root)
        sizes = text_sizes(root)
        assert sizes, spec["id"]
        small = [(text, size * scale) for text, size in sizes if size is None or size * scale < maps.MIN_LABEL_PT]
        assert not small, f"{spec['id']}: labels under 7 pt at the printed size: {small}"


def test_maps_fit_the_narrowest_printed_measure(built: list) -> None:
    """A5 and half-Letter booklets have a text measure of about 112 mm; no map may be wider."""
    for spec, layout, _ in built:
        assert layout.width_mm <= 110, spec["id"]
        assert layout.height / maps.PT_PER_MM <= 150, spec["id"]


def test_the_17th_parallel_is_drawn_at_17_degrees_north_across_vietnam(built: list) -> None:
    spec, layout, _ = next(b for b in built if b[0]["id"] == "map-indochina-1954")
    root = ElementTree.fromstring(render_map(layout))
    group = next(g for g in root.iter(SVG + "g") if g.get("id") == "parallel-17")
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", group.find(SVG + "path").get("d"))]
    assert len(points) >= 2
    projection = maps.Projection(spec)
    lonlat = [projection.to_lonlat(x, y) for x, y in points]
    assert all(abs(lat - 17.0) < 0.03 for _, lat in lonlat), lonlat
    # It runs across Vietnam's land only: from near the Laotian border to the coast.
    lons = sorted(lon for lon, _ in lonlat)
    assert 106.0 < lons[0] < 106.8 and 106.9 < lons[-1] < 107.3, lons


def test_places_sit_where_natural_earth_puts_them(built: list) -> None:
    spec, layout, _ = next(b for b in built if b[0]["id"] == "map-indochina-1954")
    projection = maps.Projection(spec)
    hanoi = next(s for s in layout.symbols if s["id"] == "hanoi")
    lon, lat = projection.to_lonlat(hanoi["x"], hanoi["y"])
    assert abs(lon - 105.85) < 0.05 and abs(lat - 21.03) < 0.05


def test_every_historical_feature_is_dated_and_cited_or_flagged() -> None:
    raw = load_data(REPO / "data" / "maps.yaml")
    for name, item in raw["features"].items():
        if name.startswith("__") or item.get("geography"):
            continue
        assert item.get("dates"), name
        assert item.get("cite") or item.get("uncited"), name


def test_captions_say_what_the_dagger_and_the_schematic_routes_mean(built: list) -> None:
    for spec, _, features in built:
        notes = maps.caption_notes(features)
        assert ("†" in notes) == any(f.data.get("uncited") for f in features), spec["id"]
        assert "Natural Earth" in notes
    border = next(f for s, _, f in built if s["id"] == "map-border-1969")
    assert any(f.label.endswith("†") for f in border)


def test_the_build_reads_no_file_outside_the_project() -> None:
    text = (REPO / "studyguide" / "maps.py").read_text(encoding="utf-8")
    assert "/work/shared" not in text and "shared/geo" not in text
    assert (REPO / "data" / "geo" / "README.md").read_text(encoding="utf-8").count("Natural Earth") >= 1


def mutated(tmp_path: Path, old: str, new: str) -> Path:
    project = copy_guide_data(tmp_path / "guide")
    path = project / "data" / "maps.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return project


def errors_of(project: Path) -> list[str]:
    with pytest.raises(StudyguideError) as caught:
        maps.build_maps(project, FONT)
    return [str(d).replace(f"{project}/", "") for d in caught.value.diagnostics]


def line_of(project: Path, needle: str) -> int:
    lines = (project / "data" / "maps.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_an_uncited_historical_feature_is_refused_at_its_line(tmp_path: Path) -> None:
    project = mutated(tmp_path, '    symbol: battle\n    cite: "@radchenkovietnam"\n', "    symbol: battle\n")
    line = line_of(project, "  pleiku:")
    assert errors_of(project) == [
        f"data/maps.yaml:{line}: error: feature 'pleiku' needs exactly one of 'cite', 'uncited' (a reason) or "
        "'geography: true' (historical lines and places are cited like any fact)"]


def test_a_label_that_fits_nowhere_is_refused_at_the_line_of_the_map_entry(tmp_path: Path) -> None:
    long = "Huế, " * 30
    project = mutated(tmp_path, "      - {feature: hue, label: left, dx: -1, dy: 3}",
                      f'      - {{feature: hue, label: left, text: "{long}"}}')
    line = line_of(project, long)
    problems = errors_of(project)
    assert f"data/maps.yaml:{line}: error: map 'map-indochina-1954': label '{long}' runs off the map " in problems[0]


def test_colliding_labels_move_to_a_free_side() -> None:
    """Placement is greedy: the data's side first, then the others; the guide's maps need no manual fix."""
    requests = [{"text": "Hanoi", "anchor_xy": (100.0, 100.0), "side": "right", "style": "place", "line": 1,
                 "room": maps.SYMBOL_RADIUS, "owner": "a"},
                {"text": "Hanoi", "anchor_xy": (100.0, 100.0), "side": "right", "style": "place", "line": 2,
                 "room": maps.SYMBOL_RADIUS, "owner": "b"}]
    projection = type("Frame", (), {"width": 300.0, "height": 300.0})()
    first, second = maps._place_labels(requests, [], projection, FONT)
    assert first.anchor == "start" and not maps._overlap(first.box, second.box)


def test_labels_with_markup_characters_stay_text_in_valid_xml(tmp_path: Path) -> None:
    project = mutated(tmp_path, 'label: "Pleiku"', 'label: "Pleiku & <Kontum>"')
    built = maps.build_maps(project, FONT)
    _, layout, _ = next(b for b in built if b[0]["id"] == "map-indochina-1954")
    svg = render(TEMPLATES, "figures/map.svg.j2", layout=layout)
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Pleiku & <Kontum>" in texts
    assert "Pleiku & <Kontum>" in root.find(SVG + "desc").text


def test_map_ids_count_as_defined_figures_for_the_chapters() -> None:
    """A chapter may place a map like a chart; doit plans its file dependencies from these ids."""
    from studyguide.config import defined_figures

    assert {"map-indochina-1954", "map-supply-routes", "map-border-1969", "map-indochina-1979"} <= defined_figures(REPO)
