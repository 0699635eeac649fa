"""Maps drawn at build time from the guide's own dated geography (data/maps.yaml) over Natural Earth.

Geometry and projection come from well-kept libraries: shapely clips, dissolves, intersects and
simplifies, pyproj projects (a Lambert conformal conic per map, chosen for the map's latitudes).
What no library does for us is written here, and kept small: turning the projected geometry into
SVG paths at a fixed printed size, and placing labels where the data says, with a check that no two
labels collide and none falls off the map (a collision is an error at the line of the map entry,
because an author fixes it by moving the label, not by reading a traceback).

Every map is designed for its printed width (``width_mm``): one SVG user unit is one point on paper,
so a label declared 7.5 pt prints at 7.5 pt in the book, the handout and the A5 booklet alike (the
print stylesheet gives the figure that width, never less). Black, white and greys only.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyproj
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, shape

from .errors import Collector, StudyguideError
from .render import human_date

PT_PER_MM = 72 / 25.4
MIN_LABEL_PT = 7.0
GEO_LAYERS = ("countries", "rivers", "lakes", "places")

# Type sizes (points at the printed size) and weights of the kinds of text on a map.
TEXT_STYLES: dict[str, dict[str, Any]] = {
    "place": {"size": 7.5, "weight": "normal", "italic": False, "fill": "#000"},
    "feature": {"size": 7.5, "weight": "bold", "italic": False, "fill": "#000"},
    "country": {"size": 8.0, "weight": "bold", "italic": False, "fill": "#333"},
    "country-small": {"size": 7.0, "weight": "bold", "italic": False, "fill": "#333"},
    "region": {"size": 7.5, "weight": "bold", "italic": False, "fill": "#555"},
    "sea": {"size": 7.5, "weight": "normal", "italic": True, "fill": "#444"},
    "river": {"size": 7.0, "weight": "normal", "italic": True, "fill": "#444"},
    "geography": {"size": 7.0, "weight": "normal", "italic": True, "fill": "#333"},
    "key": {"size": 7.0, "weight": "normal", "italic": False, "fill": "#000"},
}
# Line styles: stroke (black or grey), width in points, dash pattern, arrowhead at the end.
LINE_STYLES: dict[str, dict[str, Any]] = {
    "division": {"stroke": "#000", "width": 1.6, "dash": "5 2", "arrow": False, "key": "Dividing line"},
    "trail": {"stroke": "#000", "width": 1.2, "dash": "2.5 1.5", "arrow": False, "key": "Trail (schematic)"},
    "front": {"stroke": "#000", "width": 2.2, "dash": "", "arrow": False, "key": "Sino-Soviet border"},
    "flow": {"stroke": "#555", "width": 3.2, "dash": "", "arrow": True, "key": "Soviet supplies (schematic)"},
    "flow-light": {"stroke": "#888", "width": 2.4, "dash": "", "arrow": True, "key": "Chinese supplies, 1950s"},
    "attack": {"stroke": "#000", "width": 1.8, "dash": "", "arrow": True, "key": "Attack (schematic)"},
    "attack-light": {"stroke": "#555", "width": 1.2, "dash": "3 1.5", "arrow": True, "key": "Raids (schematic)"},
}
AREA_STYLES = {"hatch": {"stroke": "#666", "width": 0.5, "spacing": 3.2}}
SYMBOLS = {"capital": "Capital", "town": "Town", "battle": "Battle", "clash": "Border clash",
           "obstacle": "Transit held up", "island": "Islands"}
SYMBOL_RADIUS = 3.0  # points: the room a symbol takes, for label placement and collisions
SYMBOL_ROOM = {"clash": 4.6, "obstacle": 3.4}  # larger symbols
LABEL_GAP = 2.5
LEADING = 1.15
SIDES = ("right", "left", "above", "below", "centre", "none")
ISO_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")
FEATURE_FIELDS = {"label", "what", "dates", "cite", "uncited", "geography", "geo", "at", "points", "path", "parallel",
                  "within", "border", "area", "north_of", "south_of", "style", "symbol", "schematic"}
MAP_FIELDS = {"id", "title", "caption", "alt", "width_mm", "frame", "projection", "highlight", "labels", "show", "rivers",
              "soviet_union", "key"}


@dataclass
class Label:
    text: str
    x: float
    y: float
    anchor: str
    style: str
    line: int | None
    owner: str = ""
    size: float = 0.0
    box: tuple[float, float, float, float] = (0, 0, 0, 0)
    lines: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, float]]:
        """Each line of the label with its baseline."""
        return [(text, self.y + n * self.size * LEADING) for n, text in enumerate(self.lines or [self.text])]

    @property
    def attrs(self) -> dict[str, Any]:
        return TEXT_STYLES[self.style]


@dataclass
class MapLayout:
    """Everything the SVG template draws, in points at the printed size (y grows downwards)."""

    id: str
    title: str
    desc: str
    width: float
    height: float
    width_mm: float
    font: str
    land: list[dict[str, str]] = field(default_factory=list)
    coast: str = ""
    borders: str = ""
    lakes: str = ""
    rivers: str = ""
    areas: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    symbols: list[dict[str, Any]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    key: list[dict[str, Any]] = field(default_factory=list)
    key_box: tuple[float, float, float, float] = (0, 0, 0, 0)
    scale: dict[str, Any] = field(default_factory=dict)
    graticule: str = ""


# --- text measurement ---------------------------------------------------------------------------

@cache
def _font_metrics(family: str, bold: bool, italic: bool) -> tuple[dict[int, int], int]:
    """Advance widths of the book's own font file, so that label boxes are what prints."""
    from fontTools.ttLib import TTFont

    from .fonts import font_files

    style = ("bold" if bold else "") + ("italic" if italic else "") or "regular"
    path = next(f.path for f in font_files(family) if f.style == style)
    font = TTFont(str(path), lazy=True)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    widths = {code: hmtx[name][0] for code, name in cmap.items()}
    return widths, font["head"].unitsPerEm


def text_width(text: str, size: float, family: str, bold: bool = False, italic: bool = False) -> float:
    widths, em = _font_metrics(family, bold, italic)
    fallback = widths.get(ord("n"), em // 2)
    return sum(widths.get(ord(c), fallback) for c in text) * size / em


# --- data ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Feature:
    id: str
    data: dict[str, Any]
    line: int | None

    @property
    def label(self) -> str:
        return str(self.data["label"]) + ("†" if self.data.get("uncited") else "")

    @property
    def when(self) -> str:
        dates = str(self.data.get("dates", ""))
        return human_date(dates) if ISO_DATE.match(dates) else dates


def _line(node: Any, key: str | None = None) -> int | None:
    if not isinstance(node, dict):
        return None
    if key and key in node.get("__lines__", {}):
        return node["__lines__"][key]
    return node.get("__line__")


def _lonlat(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def validate(source: Path, raw: Any, places: dict[str, tuple[float, float]], countries: set[str]) -> None:
    """Every problem in data/maps.yaml, each at its line, reported together."""
    problems = Collector()
    if not isinstance(raw, dict) or not isinstance(raw.get("features"), dict) or not isinstance(raw.get("maps"), list):
        raise StudyguideError.at(source, _line(raw), "maps file needs a 'features' mapping and a 'maps' list")
    features = raw["features"]
    for name, item in features.items():
        if name in ("__line__", "__lines__"):
            continue
        line = _line(features, name)
        if not isinstance(item, dict):
            problems.error(source, line, f"feature '{name}' must be a mapping")
            continue
        for key in item:
            if key not in FEATURE_FIELDS and not key.startswith("__"):
                problems.error(source, _line(item, key), f"feature '{name}': unknown field '{key}'")
        for key in ("label", "what"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.error(source, line, f"feature '{name}' needs a '{key}' (text)")
        sources = [k for k in ("cite", "uncited", "geography") if item.get(k)]
        if len(sources) != 1:
            problems.error(source, line, f"feature '{name}' needs exactly one of 'cite', 'uncited' (a reason) or "
                           "'geography: true'", hint="historical lines and places are cited like any fact")
        if item.get("cite") is not None and not re.search(r"@[\w:.-]+", str(item["cite"])):
            problems.error(source, _line(item, "cite"), f"feature '{name}': 'cite' holds no citation key")
        if not item.get("geography") and not item.get("dates"):
            problems.error(source, line, f"feature '{name}' is historical and needs its 'dates'")
        where = [k for k in ("geo", "at", "points", "path", "parallel", "border", "area") if k in item]
        if len(where) != 1:
            problems.error(source, line, f"feature '{name}' needs exactly one of geo, at, points, path, parallel, "
                           "border or area")
            continue
        kind = where[0]
        if kind == "geo" and item["geo"] not in places:
            problems.error(source, _line(item, "geo"), f"feature '{name}': no town '{item['geo']}' in data/geo/places.geojson")
        if kind == "at" and not _lonlat(item["at"]):
            problems.error(source, _line(item, "at"), f"feature '{name}': 'at' must be [longitude, latitude]")
        if kind in ("points", "path") and (not isinstance(item[kind], list) or len(item[kind]) < 2
                                           or not all(_lonlat(p) for p in item[kind])):
            problems.error(source, _line(item, kind), f"feature '{name}': '{kind}' must list at least two [longitude, latitude]")
        if kind == "parallel" and not isinstance(item["parallel"], int | float):
            problems.error(source, _line(item, "parallel"), f"feature '{name}': 'parallel' must be a latitude")
        groups = item["border"] if kind == "border" else [item.get("within") or item.get("area") or []]
        if kind in ("border", "parallel", "area"):
            for code in (c for g in groups for c in (g if isinstance(g, list) else [g])):
                if code not in countries:
                    problems.error(source, line, f"feature '{name}': unknown country code '{code}'")
        if kind in ("path", "parallel", "border") and item.get("style") not in LINE_STYLES:
            problems.error(source, _line(item, "style") or line, f"feature '{name}': 'style' must be one of "
                           + ", ".join(LINE_STYLES))
        if kind == "area" and item.get("style") not in AREA_STYLES:
            problems.error(source, line, f"feature '{name}': 'style' must be one of " + ", ".join(AREA_STYLES))
        if kind in ("geo", "at", "points") and item.get("symbol") not in (*SYMBOLS, None):
            problems.error(source, _line(item, "symbol"), f"feature '{name}': 'symbol' must be one of " + ", ".join(SYMBOLS))
    ids: set[str] = set()
    for spec in raw["maps"]:
        line = _line(spec)
        if not isinstance(spec, dict):
            problems.error(source, None, "each map must be a mapping")
            continue
        for key in ("id", "title", "caption", "alt", "width_mm", "frame", "projection", "show"):
            if key not in spec:
                problems.error(source, line, f"map '{spec.get('id', '?')}' is missing the field '{key}'")
        for key in spec:
            if key not in MAP_FIELDS and not key.startswith("__"):
                problems.error(source, _line(spec, key), f"map '{spec.get('id', '?')}': unknown field '{key}'")
        if spec.get("id") in ids:
            problems.error(source, line, f"map id '{spec['id']}' is used twice")
        ids.add(spec.get("id"))
        for entry in spec.get("show", []) or []:
            name = entry.get("feature") if isinstance(entry, dict) else None
            if name not in features:
                problems.error(source, _line(entry), f"map '{spec.get('id')}': unknown feature '{name}'")
            elif entry.get("label", "none" if "path" in features[name] else "right") not in SIDES:
                problems.error(source, _line(entry, "label"), f"label side must be one of {', '.join(SIDES)}")
    problems.raise_if_errors()


# --- geometry -----------------------------------------------------------------------------------

@cache
def _read_geo(geo_dir: Path, layer: str, stamp: float) -> list[tuple[dict[str, Any], Any]]:
    from . import sandbox

    data = json.loads(sandbox.read_bytes(geo_dir / f"{layer}.geojson").decode("utf-8"))  # confined, a regular file
    return [(f["properties"], shape(f["geometry"])) for f in data["features"]]


def geo_layer(geo_dir: Path, layer: str) -> list[tuple[dict[str, Any], Any]]:
    path = geo_dir / f"{layer}.geojson"
    if not path.exists():
        raise StudyguideError.at(path, None, "map data missing", hint="see data/geo/README.md for how it is made")
    return _read_geo(geo_dir, layer, path.stat().st_mtime)


class Projection:
    """Longitude/latitude → points on the printed map, through pyproj, and back (for tests)."""

    def __init__(self, spec: dict[str, Any]):
        frame, proj = spec["frame"], spec["projection"]
        lat_0 = (frame["south"] + frame["north"]) / 2
        crs = pyproj.CRS.from_dict({"proj": "lcc", "lat_1": proj["lat_1"], "lat_2": proj["lat_2"], "lat_0": lat_0,
                                    "lon_0": proj["lon_0"], "datum": "WGS84", "units": "m"})
        self.forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.inverse = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        outline = shapely.segmentize(box(frame["west"], frame["south"], frame["east"], frame["north"]), 0.25)
        self.minx, self.miny, self.maxx, self.maxy = self.project(outline).bounds
        self.width = float(spec["width_mm"]) * PT_PER_MM
        self.scale = self.width / (self.maxx - self.minx)  # points per metre
        self.height = (self.maxy - self.miny) * self.scale
        self.frame = box(self.minx, self.miny, self.maxx, self.maxy)
        self.lonlat_frame = box(frame["west"] - 20, frame["south"] - 8, frame["east"] + 20, frame["north"] + 8)

    def project(self, geometry: Any) -> Any:
        """Project a lon/lat geometry into metres (densified first, so that parallels curve)."""
        geometry = shapely.segmentize(geometry, 0.2) if not isinstance(geometry, Point) else geometry
        return shapely.transform(geometry, lambda xy: _stack(self.forward.transform(xy[:, 0], xy[:, 1])))

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.minx) * self.scale, (self.maxy - y) * self.scale

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return self.to_page(*self.forward.transform(lon, lat))

    def to_lonlat(self, px: float, py: float) -> tuple[float, float]:
        """Page point → longitude/latitude: how a test checks where a drawn line lies."""
        return self.inverse.transform(px / self.scale + self.minx, self.maxy - py / self.scale)

    def clip(self, geometry: Any) -> Any:
        """Project a lon/lat geometry and cut it to the map frame."""
        if geometry.is_empty:
            return geometry
        return self.project(geometry.intersection(self.lonlat_frame)).intersection(self.frame)

    def path(self, geometry: Any, closed: bool = False) -> str:
        """SVG path data of a projected geometry, in page points."""
        parts: list[str] = []
        for geom in getattr(geometry, "geoms", [geometry]):
            if geom.is_empty:
                continue
            if isinstance(geom, Polygon):
                for ring in (geom.exterior, *geom.interiors):
                    parts.append(self._ring(ring.coords, close=True))
            elif isinstance(geom, LineString | shapely.LinearRing):
                parts.append(self._ring(geom.coords, close=closed))
            elif hasattr(geom, "geoms"):
                parts.append(self.path(geom, closed))
        return " ".join(p for p in parts if p)

    def _ring(self, coords: Any, close: bool) -> str:
        points = [self.to_page(x, y) for x, y, *_ in coords]
        if len(points) < 2:
            return ""
        text = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        return text + (" Z" if close else "")


def _stack(xy: tuple[Any, Any]) -> Any:
    import numpy as np

    return np.column_stack(xy)


def _countries(geo_dir: Path) -> dict[str, Any]:
    return {p["ADM0_A3"]: g for p, g in geo_layer(geo_dir, "countries")}


def _places(geo_dir: Path) -> dict[str, tuple[float, float]]:
    return {p["name"]: (g.x, g.y) for p, g in geo_layer(geo_dir, "places")}


def _feature_geometry(feature: Feature, countries: dict[str, Any], places: dict[str, tuple[float, float]]) -> Any:
    item = feature.data
    if "geo" in item:
        return Point(places[item["geo"]])
    if "at" in item:
        return Point(item["at"])
    if "points" in item:
        return shapely.MultiPoint(item["points"])
    if "path" in item:
        return LineString(item["path"])
    if "parallel" in item:
        land = shapely.union_all([countries[c] for c in item["within"]])
        return LineString([(-180, item["parallel"]), (180, item["parallel"])]).intersection(land)
    if "border" in item:
        first, second = (shapely.union_all([countries[c] for c in group]) for group in item["border"])
        return first.boundary.intersection(second.buffer(0.03))
    land = shapely.union_all([countries[c] for c in item["area"]])
    cut = box(-180, item.get("north_of", -90), 180, item.get("south_of", 90))
    return land.intersection(cut)


def _star(x: float, y: float) -> str:
    """An eight-pointed star (a clash), as polygon points."""
    corners = [(x + (4.4 if k % 2 == 0 else 1.9) * math.cos(k * math.pi / 8),
                y + (4.4 if k % 2 == 0 else 1.9) * math.sin(k * math.pi / 8)) for k in range(16)]
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in corners)


def _arrowhead(path: LineString, size: float) -> list[tuple[float, float]]:
    """The triangle at the end of an arrow, in page points."""
    (x0, y0), (x1, y1) = path.coords[-2][:2], path.coords[-1][:2]
    angle = math.atan2(y1 - y0, x1 - x0)
    back = (x1 - size * math.cos(angle), y1 - size * math.sin(angle))
    half = size * 0.55
    left = (back[0] + half * math.sin(angle), back[1] - half * math.cos(angle))
    right = (back[0] - half * math.sin(angle), back[1] + half * math.cos(angle))
    return [(x1, y1), left, right]


def _page_line(projection: Projection, geometry: Any) -> LineString | None:
    """A projected line in page coordinates (for arrowheads and label positions)."""
    if geometry.is_empty:
        return None
    line = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.length)
    return LineString([projection.to_page(x, y) for x, y, *_ in line.coords])


def _hatch(projection: Projection, area: Any, spacing_pt: float) -> str:
    """Diagonal hatching clipped to an area: shapely intersects the lines, no SVG pattern needed."""
    minx, miny, maxx, maxy = area.bounds
    step = spacing_pt / projection.scale
    span = (maxx - minx) + (maxy - miny)
    lines = [LineString([(minx + k * step, miny), (minx + k * step - (maxy - miny), maxy)])
             for k in range(int(span / step) + 2)]
    return projection.path(MultiLineString(lines).intersection(area))


# --- layout -------------------------------------------------------------------------------------

def _place_label(text: str, anchor_xy: tuple[float, float], side: str, style: str, font: str, line: int | None,
                 dx: float = 0.0, dy: float = 0.0, room: float = SYMBOL_RADIUS, owner: str = "") -> Label:
    attrs = TEXT_STYLES[style]
    size = attrs["size"]
    lines = text.split("\n")
    width = max(text_width(t, size, font, attrs["weight"] == "bold", attrs["italic"]) for t in lines)
    extra = (len(lines) - 1) * size * LEADING
    x, y = anchor_xy
    gap = room + LABEL_GAP if room else 0.0
    if side == "right":
        lx, ly, anchor = x + gap, y + 0.35 * size - extra / 2, "start"
    elif side == "left":
        lx, ly, anchor = x - gap, y + 0.35 * size - extra / 2, "end"
    elif side == "above":
        lx, ly, anchor = x, y - gap - 0.15 * size - extra, "middle"
    elif side == "below":
        lx, ly, anchor = x, y + gap + 0.8 * size, "middle"
    else:  # centred on the point (country, sea and river names)
        lx, ly, anchor = x, y + 0.35 * size - extra / 2, "middle"
    lx, ly = lx + dx, ly + dy
    x0 = {"start": lx, "end": lx - width, "middle": lx - width / 2}[anchor]
    return Label(text, lx, ly, anchor, style, line, owner, size,
                 (x0, ly - 0.75 * size, x0 + width, ly + 0.25 * size + extra), lines)


def _place_labels(requests: list[dict[str, Any]], obstacles: list[tuple[tuple[float, float, float, float], str]],
                  projection: Projection, font: str) -> list[Label]:
    """Place each label on the side the data asks for or, if that collides, on the first free side.

    The usual greedy method of cartographic label placement (candidate positions around the point,
    first free one wins), written here because no maintained Python library does it for SVG. What
    still collides is reported by the caller, at the line of the map entry.
    """
    placed: list[Label] = []

    def free(label: Label) -> bool:
        x0, y0, x1, y1 = label.box
        inside = x0 >= 1 and y0 >= 1 and x1 <= projection.width - 1 and y1 <= projection.height - 1
        return inside and not any(_overlap(label.box, other.box) for other in placed) and not any(
            _overlap(label.box, box_) for box_, owner in obstacles)

    for request in requests:
        side = request["side"]
        if side == "centre":
            candidates = [("centre", dx, dy) for dy in (0, -7, 7, -14, 14) for dx in (0, -14, 14)]
        else:
            order = [side] + [s for s in ("right", "left", "above", "below") if s != side]
            candidates = [(s, 0.0, dy) for dy in (0.0, -5.0, 5.0) for s in order]
        first = None
        for candidate_side, dx, dy in candidates:
            label = _place_label(request["text"], request["anchor_xy"], candidate_side, request["style"], font,
                                 request["line"], request.get("dx", 0.0) + dx, request.get("dy", 0.0) + dy,
                                 request.get("room", 0.0), request.get("owner", ""))
            first = first or label
            if free(label):
                break
        else:
            label = first
        placed.append(label)
    return placed


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scale_bar(projection: Projection) -> dict[str, Any]:
    """A scale bar of a round number of kilometres, measured on the ground at the map's centre."""
    cx, cy = projection.width / 2, projection.height / 2
    lon0, lat0 = projection.to_lonlat(cx, cy)
    lon1, lat1 = projection.to_lonlat(cx + 100, cy)
    km_per_pt = pyproj.Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2] / 1000 / 100
    target = projection.width * 0.22 * km_per_pt
    nice = max(n for n in (50, 100, 200, 250, 500, 1000, 2000) if n <= max(target, 50))
    return {"km": nice, "length": nice / km_per_pt}


def layout_map(spec: dict[str, Any], features: dict[str, Feature], geo_dir: Path, font: str, source: Path,
               problems: Collector) -> MapLayout:
    projection = Projection(spec)
    countries = _countries(geo_dir)
    places = _places(geo_dir)
    soviet = set(spec.get("soviet_union", []))
    highlight = set(spec.get("highlight", []))
    layout = MapLayout(spec["id"], spec["title"], "", projection.width, projection.height, float(spec["width_mm"]), font)

    # Land: one polygon per country (the Soviet republics of the period dissolved into one state).
    drawn: dict[str, Any] = {}
    if soviet:
        drawn["SOV"] = shapely.union_all([countries[c] for c in soviet if c in countries])
    for code, geom in sorted(countries.items()):
        if code not in soviet:
            drawn[code] = geom
    projected = {code: projection.clip(geom) for code, geom in drawn.items()}
    projected = {code: geom for code, geom in projected.items() if not geom.is_empty}
    for code, geom in projected.items():
        fill = "#d4d4d4" if code in highlight else "#ececec"
        layout.land.append({"d": projection.path(geom), "fill": fill})
    land = shapely.union_all(list(projected.values()))
    coast = land.boundary
    layout.coast = projection.path(coast.intersection(projection.frame.buffer(-1)))
    edges = shapely.union_all([g.boundary for g in projected.values()])
    layout.borders = projection.path(edges.difference(coast.buffer(800)))  # metres: coast drawn apart
    lakes = [projection.clip(g) for _, g in geo_layer(geo_dir, "lakes")]
    layout.lakes = projection.path(shapely.union_all([g for g in lakes if not g.is_empty])) if lakes else ""
    rivers = [projection.clip(g) for p, g in geo_layer(geo_dir, "rivers") if p["name"] in spec.get("rivers", [])]
    layout.rivers = projection.path(shapely.union_all([g for g in rivers if not g.is_empty])) if rivers else ""

    requests: list[dict[str, Any]] = []
    obstacles: list[tuple[tuple[float, float, float, float], str]] = []
    used_styles: dict[str, None] = {}
    used_symbols: dict[str, None] = {}
    for entry in spec["show"]:
        feature = features[entry["feature"]]
        item, line = feature.data, _line(entry)
        geometry = _feature_geometry(feature, countries, places)
        kind = next(k for k in ("geo", "at", "points", "path", "parallel", "border", "area") if k in item)
        side = entry.get("label", "none" if kind in ("path", "parallel", "border", "area") else "right")
        anchor: tuple[float, float] | None = None
        room = SYMBOL_RADIUS
        if kind in ("path", "parallel", "border"):
            style = LINE_STYLES[item["style"]]
            used_styles[item["style"]] = None
            clipped = projection.clip(geometry)
            if clipped.is_empty:
                problems.error(source, line, f"map '{spec['id']}': feature '{feature.id}' lies outside the map frame")
                continue
            record = {"id": feature.id, "d": projection.path(clipped), "style": style, "arrow": ""}
            if style["arrow"]:
                page = _page_line(projection, clipped)
                if page is not None:
                    record["arrow"] = " ".join(f"{x:.1f},{y:.1f}" for x, y in _arrowhead(page, style["width"] * 2.6 + 3))
            layout.lines.append(record)
            room = 0.0
        elif kind == "area":
            clipped = projection.clip(geometry)
            spacing = AREA_STYLES[item["style"]]["spacing"]
            layout.areas.append({"id": feature.id, "d": _hatch(projection, clipped, spacing),
                                 "outline": projection.path(clipped), "style": AREA_STYLES[item["style"]]})
            room = 0.0
        elif item.get("symbol"):
            used_symbols[item["symbol"]] = None
            for point in getattr(geometry, "geoms", [geometry]):
                x, y = projection.point(point.x, point.y)
                if not (0 <= x <= projection.width and 0 <= y <= projection.height):
                    problems.error(source, line, f"map '{spec['id']}': '{feature.id}' lies outside the map frame")
                layout.symbols.append({"id": feature.id, "kind": item["symbol"], "x": x, "y": y, "star": _star(x, y)})
                r = room = SYMBOL_ROOM.get(item["symbol"], SYMBOL_RADIUS)
                obstacles.append(((x - r, y - r, x + r, y + r), feature.id))
            if isinstance(geometry, Point):
                anchor = projection.point(geometry.x, geometry.y)
        else:  # a named river, sea or pass: the label alone, in italics
            anchor = projection.point(geometry.x, geometry.y)
            room = 0.0
            if side == "right" and "label" not in entry:
                side = "none"
        if side == "none":
            continue
        if "at" in entry:
            anchor = projection.point(*entry["at"])
        if anchor is None:
            problems.error(source, line, f"map '{spec['id']}': give the label of '{feature.id}' a position ('at')")
            continue
        if kind in ("path", "parallel", "border", "area"):
            style_name = "feature"
        elif item.get("symbol"):
            style_name = "place"
        else:
            style_name = "geography"
        text = str(entry.get("text", feature.label))
        if feature.data.get("uncited") and not text.endswith("†"):
            text += "†"
        requests.append({"text": text, "anchor_xy": anchor, "side": side, "style": style_name, "line": line,
                         "dx": float(entry.get("dx", 0)), "dy": float(entry.get("dy", 0)), "room": room,
                         "owner": feature.id})
    for extra in spec.get("labels", []) or []:
        style = extra.get("style", "country")
        if style not in TEXT_STYLES:
            problems.error(source, _line(extra), f"label style must be one of {', '.join(TEXT_STYLES)}")
            continue
        requests.append({"text": str(extra["text"]), "anchor_xy": projection.point(*extra["at"]), "side": "centre",
                         "style": style, "line": _line(extra)})

    # Key: the line styles and symbols this map uses, bottom left, then a scale bar.
    key_items = [{"kind": "line", "style": LINE_STYLES[s], "text": LINE_STYLES[s]["key"]} for s in used_styles]
    key_items += [{"kind": "symbol", "symbol": s, "text": SYMBOLS[s]} for s in used_symbols]
    row = 9.0
    key_width = 27 + max([text_width(i["text"], TEXT_STYLES["key"]["size"], font) for i in key_items] + [40])
    key_height = row * len(key_items) + 18
    corner = spec.get("key", "bottom-left")
    kx = 4.0 if corner.endswith("left") else projection.width - key_width - 4
    ky = 4.0 if corner.startswith("top") else projection.height - key_height - 4
    for number, item in enumerate(key_items):
        item |= {"x": kx + 4, "y": ky + 6 + number * row, "star": _star(kx + 11, ky + 6 + number * row)}
    layout.key, layout.key_box = key_items, (kx, ky, kx + key_width, ky + key_height)
    layout.scale = _scale_bar(projection) | {"x": kx + 4, "y": ky + key_height - 6}
    obstacles.append((layout.key_box, "the key"))
    labels = _place_labels(requests, obstacles, projection, font)

    # Every label inside the frame, at least 7 pt, clear of the others and of the symbols.
    for label in labels:
        label.text = label.text.replace("\n", " ")
        x0, y0, x1, y1 = label.box
        if label.size < MIN_LABEL_PT:
            problems.error(source, label.line, f"map '{spec['id']}': label '{label.text}' is {label.size} pt, below "
                           f"{MIN_LABEL_PT} pt at the printed size")
        if x0 < 1 or y0 < 1 or x1 > projection.width - 1 or y1 > projection.height - 1:
            problems.error(source, label.line, f"map '{spec['id']}': label '{label.text}' runs off the map",
                           hint="move it with label: left/right/above/below, dx, dy or at")
    for i, first in enumerate(labels):
        for second in labels[i + 1:]:
            if _overlap(first.box, second.box):
                problems.error(source, second.line or first.line,
                               f"map '{spec['id']}': label '{second.text}' overlaps label '{first.text}'",
                               hint="move one of them with label, dx, dy or at")
        for box_, owner in obstacles:
            if _overlap(first.box, box_):
                what = owner if owner == "the key" else f"the symbol of '{owner}'"
                problems.error(source, first.line, f"map '{spec['id']}': label '{first.text}' covers {what}",
                               hint="move it with label, dx, dy or at")
    layout.labels = labels
    return layout


def describe(spec: dict[str, Any], shown: list[Feature]) -> str:
    """The SVG's <desc>: the author's text alternative, then every feature with what and when."""
    items = [f"{f.label}: {f.data['what']}" + (f" ({f.when})" if f.when else "") for f in shown]
    return " ".join(str(spec["alt"]).split()) + " Marked on the map: " + "; ".join(items) + "."


def caption_notes(shown: list[Feature]) -> str:
    notes = []
    if any(f.data.get("schematic") for f in shown):
        notes.append("Routes and arrows are schematic.")
    if any(f.data.get("uncited") for f in shown):
        notes.append("† Not named in the guide's sources; shown for orientation.")
    notes.append("Base map: Natural Earth, today's borders.")
    return " ".join(notes)


def citations(shown: list[Feature]) -> str:
    seen: dict[str, None] = {}
    for feature in shown:
        for part in str(feature.data.get("cite") or "").split(";"):
            if part.strip():
                seen[part.strip()] = None
    return "; ".join(seen)


def data_table(shown: list[Feature]) -> dict[str, Any]:
    """The map as a table (for the EPUB and screen readers): feature, what it shows, when."""
    rows = [[f.label, str(f.data["what"]), f.when or "—"] for f in shown]
    return {"header": ["On the map", "What it shows", "When"], "rows": rows}


def load_maps(root: Path) -> tuple[Path, Any] | None:
    source = root / "data" / "maps.yaml"
    if not source.exists():
        return None
    from .backmatter import load_data

    return source, load_data(source)


def build_maps(root: Path, font: str, problems: Collector | None = None) -> list[tuple[dict[str, Any], MapLayout, list[Feature]]]:
    """Validate data/maps.yaml and lay out every map; all problems are reported at once."""
    loaded = load_maps(root)
    if loaded is None:
        return []
    source, raw = loaded
    geo_dir = root / "data" / "geo"
    places, countries = _places(geo_dir), _countries(geo_dir)
    validate(source, raw, places, set(countries))
    features = {name: Feature(name, item, _line(raw["features"], name))
                for name, item in raw["features"].items() if not name.startswith("__")}
    collect = problems if problems is not None else Collector()
    built = []
    for spec in raw["maps"]:
        shown = [features[e["feature"]] for e in spec["show"]]
        layout = layout_map(spec, features, geo_dir, font, source, collect)
        layout.desc = describe(spec, shown)
        built.append((spec, layout, shown))
    if problems is None:
        collect.raise_if_errors()
    return built
