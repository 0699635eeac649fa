"""Copy the part of Natural Earth the maps use into the project (run once by hand, not by the build).

    python -m studyguide.geo_extract /work/shared/geo data/geo

The build reads only ``data/geo/``; this module records how that extract was made so that it can be
remade (a different region, a finer tolerance) instead of being an unexplained blob. It clips every
layer to the region of the maps, simplifies with shapely (topology-preserving Douglas-Peucker) and
rounds coordinates, which keeps the extract small enough to live in git and fast enough to read on
every figures run. Only the features and properties the maps draw are kept.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box, mapping, shape

# Longitude/latitude box covering every map in data/maps.yaml, with a margin.
REGION = (60.0, 4.0, 150.0, 62.0)
TOLERANCE = 0.01  # degrees, about 1 km: below half a point at the largest map scale (1:12 million)
DIGITS = 3
RIVERS = {"Mekong", "Hong", "Amur", "Heilong Jiang", "Argun’", "Chang Jiang", "Yangtze", "Xi", "Lancang", "Ertix", "Ili"}
LAKES = {"Tonle Sap", "Lake Khanka", "Lake Balkhash", "Lake Baikal", "Alaköl", "L. Zaysan", "Issyk-Kul", "Hulun Nur"}
PLACES = {"Hanoi", "Haiphong", "Ho Chi Minh City", "Da Nang", "Phnom Penh", "Vientiane", "Bangkok", "Beijing", "Kunming",
          "Nanning", "Guangzhou", "Khabarovsk", "Vladivostok", "Ulaanbaatar", "Ürümqi", "Almaty", "Harbin",
          "Wuhan", "Chita", "Irkutsk"}
ATTRIBUTION = """# Map data: Natural Earth extract

Natural Earth 1:50m vector data (public domain, <https://www.naturalearthdata.com>), from the
GeoJSON conversion in the public repository martynafford/natural-earth-geojson (CC0 1.0).
Made with `python -m studyguide.geo_extract SOURCE data/geo`: clipped to longitude
{w}°E–{e}°E and latitude {s}°N–{n}°N, simplified with shapely (tolerance {tol}°) and rounded to
{digits} decimals. Coordinates are WGS 84 longitude/latitude.

| file | what |
|---|---|
| countries.geojson | country polygons (ADM0_A3, NAME) |
| rivers.geojson | the rivers the maps name (name) |
| lakes.geojson | large lakes (name) |
| places.geojson | the towns the maps mark (name, adm0name) |

Borders and coastlines are today's. Historical lines (the 17th parallel, routes, the Soviet
Union of 1969 as one state) are drawn by the maps from `data/maps.yaml`, not taken from here.
"""


def _round(geometry: Any) -> Any:
    return shapely.set_precision(geometry, 10 ** -DIGITS)


def _layer(path: Path, keep: Any, properties: tuple[str, ...]) -> dict[str, Any]:
    region = box(*REGION)
    features = []
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        if not keep(props):
            continue
        geometry = shape(feature["geometry"]).intersection(region)
        if geometry.is_empty:
            continue
        geometry = _round(shapely.simplify(geometry, TOLERANCE, preserve_topology=True))
        if geometry.is_empty:
            continue
        features.append({"type": "Feature", "properties": {k: props.get(k) for k in properties},
                         "geometry": mapping(geometry)})
    features.sort(key=lambda f: json.dumps(f["properties"], sort_keys=True))
    return {"type": "FeatureCollection", "features": features}


def extract(source: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    layers = {
        "countries.geojson": _layer(source / "admin_0_countries.geojson", lambda p: True, ("ADM0_A3", "NAME")),
        "rivers.geojson": _layer(source / "rivers_lake_centerlines.geojson", lambda p: p.get("name") in RIVERS, ("name",)),
        "lakes.geojson": _layer(source / "lakes.geojson", lambda p: p.get("name") in LAKES, ("name",)),
        "places.geojson": _layer(source / "populated_places_simple.geojson", lambda p: p.get("name") in PLACES,
                                 ("name", "adm0name")),
    }
    for name, layer in layers.items():
        (out / name).write_text(json.dumps(layer, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    w, s, e, n = REGION
    (out / "README.md").write_text(ATTRIBUTION.format(w=w, e=e, s=s, n=n, tol=TOLERANCE, digits=DIGITS), encoding="utf-8")


if __name__ == "__main__":
    extract(Path(sys.argv[1]), Path(sys.argv[2]))
