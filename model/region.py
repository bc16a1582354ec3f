"""Region data: load a folder of CSV tables, validate it, and hold it as typed tables and arrays.

The layout of the tables (columns, types, allowed values) is declared once, in :data:`TABLES`,
and documented for users in ``docs/region-data.md``. Validation reports *every* problem found —
file, line (header = line 1), column, the value found and what is allowed — rather than stopping
at the first, so that a user fixing official data gets one complete list.

Command line: ``python -m model.region check FOLDER`` validates a folder without running a model.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .config import BASE_YEAR, MAX_MAGNITUDE
from .errors import ConfigError, RegionError

DEFAULT_REGION_PATH = Path(__file__).parent / "data"

FOREST_TYPES = (
    "special_use",
    "protection",
    "production_natural",
    "plantation_small_timber",
    "plantation_large_timber",
)
CLUSTER_KINDS = ("industrial_cluster", "industrial_park", "logistics")
LINK_MODES = ("road", "expressway", "rail", "urban_rail")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """A name without diacritics, case, spaces, '_' or '-': 'Phú Thọ' -> 'phutho'.

    Lets users type province names on a command line ('phu_tho', 'Phu Tho') where Hydra's
    grammar does not take 'Phú Thọ' as a dictionary key.
    """
    text = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", "", text).lower()


@dataclass(frozen=True)
class Column:
    """One column of a table: its type and what values it allows.

    ``kind`` is one of ``id`` (unique ASCII key), ``str``, ``int``, ``float``, ``bool``.
    ``bounds`` are inclusive. ``optional`` allows empty cells (NaN / None after parsing).
    ``ref`` names ``(table, column)`` whose values this column must take.
    """

    name: str
    kind: str
    allowed: tuple[str, ...] | None = None
    bounds: tuple[float | None, float | None] | None = None
    optional: bool = False
    ref: tuple[str, str] | None = None

    def describe(self) -> str:
        """Say what the column allows, for error messages."""
        if self.allowed:
            return "one of " + ", ".join(self.allowed)
        what = {
            "id": "an id (letters, digits, _ . -)",
            "str": "text",
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
        }[self.kind]
        if self.kind in ("int", "float"):
            lo, hi = self.limits()
            what += f" in [{lo:g}, {hi:g}]"
        if self.optional:
            what += " (or empty)"
        return what

    def limits(self) -> tuple[float, float]:
        """Inclusive bounds of a numeric column; a side not declared is ±``MAX_MAGNITUDE``."""
        lo, hi = self.bounds or (None, None)
        return (-MAX_MAGNITUDE if lo is None else lo, MAX_MAGNITUDE if hi is None else hi)


@dataclass(frozen=True)
class Table:
    """A region table: its file, key column(s) and columns."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        """File name inside a region folder."""
        return f"{self.name}.csv"


SOURCE = Column("source", "str")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("provinces", ("province",), (
            Column("province", "str"),
            Column("name_en", "str"),
            Column("role", "str", allowed=("capital", "receiving", "competitor")),
            Column("area_km2", "float", bounds=(1e-9, None)),
            Column("population", "int", bounds=(0, None)),
            Column("background_demand_ha_yr", "float", bounds=(0, None)),
            SOURCE,
        )),
        Table("zones", ("zone_id",), (
            Column("zone_id", "id"),
            Column("name", "str"),
            Column("province", "str", ref=("provinces", "province")),
            Column("old_province", "str"),
            Column("kind", "str", allowed=("district", "aggregate")),
            Column("lat", "float", bounds=(19.0, 23.0)),
            Column("lon", "float", bounds=(104.0, 108.0)),
            Column("area_km2", "float", bounds=(1e-9, None)),
            Column("population", "int", bounds=(0, None)),
            Column("labour_force", "int", bounds=(0, None)),
            Column("wage_region", "str", allowed=("I", "II", "III", "IV")),
            Column("land_rent_usd_m2_term", "float", bounds=(1e-9, None)),
            Column("housing_capacity", "int", bounds=(0, None)),
            Column("afforestable_ha", "float", bounds=(0, None)),
            Column("ecological_zone", "str", allowed=("tropical_moist", "tropical_mountain")),
            Column("pfes_vnd_ha_yr", "float", bounds=(0, None)),
            SOURCE,
        )),
        Table("sectors", ("sector_id",), (
            Column("sector_id", "id"),
            Column("name", "str"),
            Column("name_vi", "str"),
            Column("land_m2_per_worker", "float", bounds=(1e-9, None)),
            Column("pollution_class", "str", allowed=("low", "medium", "high")),
            Column("export_share", "float", bounds=(0, 1)),
            Column("hanoi_firms", "int", bounds=(0, None)),
            Column("mean_employees", "float", bounds=(1e-9, None)),
            SOURCE,
        )),
        Table("clusters", ("cluster_id",), (
            Column("cluster_id", "id"),
            Column("name", "str"),
            Column("province", "str", ref=("provinces", "province")),
            Column("zone_id", "id", ref=("zones", "zone_id")),
            Column("kind", "str", allowed=CLUSTER_KINDS),
            Column("priority", "bool"),
            Column("gross_ha", "float", bounds=(1e-9, None)),
            Column("lettable_ha", "float", bounds=(1e-9, None)),
            Column("serviced_ha_base", "float", bounds=(0, None)),
            Column("build_start_year", "int", bounds=(2000, 2060)),
            Column("build_end_year", "int", bounds=(2000, 2060)),
            Column("occupied_ha_base", "float", bounds=(0, None)),
            Column("rent_usd_m2_term", "float", bounds=(1e-9, None)),
            Column("sector_focus", "str"),
            Column("aggregate", "bool"),
            Column("synthetic", "bool"),
            SOURCE,
        )),
        Table("logistics", ("logistics_id",), (
            Column("logistics_id", "id"),
            Column("name", "str"),
            Column("province", "str", ref=("provinces", "province")),
            Column("zone_id", "id", ref=("zones", "zone_id")),
            Column("kind", "str", allowed=("logistics_point", "airport", "seaport", "dry_port")),
            Column("open_year", "int", bounds=(1900, 2060)),
            Column("synthetic", "bool"),
            SOURCE,
        )),
        Table("links", ("link_id",), (
            Column("link_id", "id"),
            Column("from_zone", "id", ref=("zones", "zone_id")),
            Column("to_zone", "id", ref=("zones", "zone_id")),
            Column("mode", "str", allowed=LINK_MODES),
            Column("length_km", "float", bounds=(1e-9, None)),
            Column("speed_kmh", "float", bounds=(5, 350)),
            Column("open_year", "int", bounds=(1900, 2060), optional=True),
            Column("corridor", "str", optional=True),
            Column("name", "str"),
            SOURCE,
        )),
        Table("forest", ("zone_id", "forest_type", "age_yr"), (
            Column("zone_id", "id", ref=("zones", "zone_id")),
            Column("forest_type", "str", allowed=FOREST_TYPES),
            Column("age_yr", "int", bounds=(0, 200)),
            Column("area_ha", "float", bounds=(1e-9, None)),
            Column("agb_t_ha", "float", bounds=(0, 600), optional=True),
            SOURCE,
        )),
    )
}


def _where(table: Table, row: int | None = None, column: str | None = None) -> str:
    parts = [table.file]
    if row is not None:
        parts.append(f"line {row + 2}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


def _parse_column(table: Table, col: Column, raw: pd.Series, problems: list[str]) -> pd.Series:
    """Convert one column of text cells to its type, recording every bad cell."""
    text = raw.str.strip()
    empty = text == ""
    bad_empty = empty & (not col.optional)
    for i in np.flatnonzero(bad_empty.to_numpy()):
        problems.append(f"{_where(table, i, col.name)}: empty; expected {col.describe()}")

    if col.kind in ("str", "id"):
        # object dtype: an empty cell must become None, not NaN (a float no text check expects)
        values = text.astype(object).where(~empty, None)
        if col.kind == "id":
            for i, v in enumerate(values):
                if v is not None and not ID_PATTERN.match(v):
                    problems.append(
                        f"{_where(table, i, col.name)}: {v!r} is not a valid id; "
                        "use letters, digits, '_', '.', '-' without spaces"
                    )
        if col.allowed:
            for i, v in enumerate(values):
                if v is not None and v not in col.allowed:
                    problems.append(
                        f"{_where(table, i, col.name)}: {v!r} is not allowed; "
                        f"expected {col.describe()}"
                    )
        return values

    if col.kind == "bool":
        lowered = text.str.lower()
        ok = lowered.isin(["true", "false"]) | empty
        for i in np.flatnonzero(~ok.to_numpy()):
            problems.append(
                f"{_where(table, i, col.name)}: {text.iloc[i]!r} is not true or false"
            )
        return lowered == "true"

    numbers = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
    # Whole-column checks; messages only for the offending cells.
    values = numbers.to_numpy(dtype=float)
    cells = text.to_numpy(dtype=object)
    filled = ~empty.to_numpy()
    for i in np.flatnonzero(filled & ~np.isfinite(values)):
        cell = cells[i]
        what = "is not a number" if math.isnan(values[i]) and cell.lower() != "nan" else (
            "is not allowed (NaN and infinite values are not accepted)"
        )
        problems.append(f"{_where(table, i, col.name)}: {cell!r} {what}; "
                        f"expected {col.describe()}")
    ok = filled & np.isfinite(values)
    if col.kind == "int":
        fractional = ok & (values != np.round(values))
        for i in np.flatnonzero(fractional):
            problems.append(f"{_where(table, i, col.name)}: {cells[i]!r} is not a whole number")
        ok &= ~fractional
    # Range-checked as numbers, before any cast: a huge integer must not wrap around in int64.
    lo, hi = col.limits()
    outside = ok & ((values < lo) | (values > hi))
    for i in np.flatnonzero(outside):
        problems.append(f"{_where(table, i, col.name)}: {cells[i]} is out of range; "
                        f"expected {col.describe()}")
    if col.kind == "int":
        whole = numbers.where(ok & ~outside, 0 if not col.optional else np.nan).round()
        if col.optional:
            return whole.astype("Int64")
        return whole.fillna(0).astype(np.int64)
    return numbers


def _read_table(folder: Path, table: Table, problems: list[str]) -> pd.DataFrame | None:
    path = folder / table.file
    if not path.is_file():
        problems.append(f"{table.file}: file missing from the region folder")
        return None
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
        )
    except UnicodeDecodeError as exc:
        problems.append(f"{table.file}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.append(f"{table.file}: not a readable CSV table ({str(exc).strip()})")
        return None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c.name for c in table.columns if c.name not in raw.columns]
    if missing:
        problems.append(
            f"{table.file}: missing column(s) {', '.join(missing)}; "
            f"required columns: {', '.join(c.name for c in table.columns)}"
        )
    if raw.empty:
        problems.append(f"{table.file}: no rows")
    parsed = {}
    for col in table.columns:
        if col.name in raw.columns:
            parsed[col.name] = _parse_column(table, col, raw[col.name], problems)
    frame = pd.DataFrame(parsed, index=raw.index)
    present_key = [k for k in table.key if k in frame.columns]
    if len(present_key) == len(table.key) and not frame.empty:
        dup = frame.duplicated(subset=list(table.key), keep="first")
        for i in np.flatnonzero(dup.to_numpy()):
            key_value = ", ".join(str(frame[k].iloc[i]) for k in table.key)
            problems.append(
                f"{_where(table, i, '/'.join(table.key))}: duplicate {'/'.join(table.key)} "
                f"({key_value}); each must be unique"
            )
    return frame


def _check_refs(frames: dict[str, pd.DataFrame], problems: list[str]) -> None:
    for table in TABLES.values():
        frame = frames.get(table.name)
        if frame is None:
            continue
        for col in table.columns:
            if col.ref is None or col.name not in frame.columns:
                continue
            ref_table, ref_col = col.ref
            target = frames.get(ref_table)
            if target is None or ref_col not in target.columns:
                continue
            known = set(target[ref_col].dropna())
            for i, v in enumerate(frame[col.name]):
                if v is not None and v not in known:
                    problems.append(
                        f"{_where(table, i, col.name)}: {v!r} is not a {ref_col} of "
                        f"{TABLES[ref_table].file}"
                    )


Rule = Callable[[pd.DataFrame], pd.Series]


def _check_rules(
    table: Table, frame: pd.DataFrame, rules: list[tuple[str, tuple[str, ...], Rule]],
    problems: list[str],
) -> None:
    """Row-wise relations between columns; each rule returns True where a row is valid."""
    for message, cols, rule in rules:
        if not set(cols) <= set(frame.columns):
            continue
        ok = rule(frame).fillna(True).to_numpy(dtype=bool)
        for i in np.flatnonzero(~ok):
            values = ", ".join(f"{c}={frame[c].iloc[i]}" for c in cols)
            problems.append(f"{_where(table, i, cols[0])}: {message} ({values})")


def _check_relations(frames: dict[str, pd.DataFrame], problems: list[str]) -> None:
    zones = frames.get("zones")
    if zones is not None:
        _check_rules(TABLES["zones"], zones, [
            ("labour_force must not exceed population", ("labour_force", "population"),
             lambda f: f["labour_force"] <= f["population"]),
        ], problems)
    clusters = frames.get("clusters")
    if clusters is not None:
        single_cluster = (clusters.get("kind") == "industrial_cluster") & ~clusters.get(
            "aggregate", pd.Series(False, index=clusters.index)
        )
        _check_rules(TABLES["clusters"], clusters, [
            ("lettable_ha must not exceed gross_ha", ("lettable_ha", "gross_ha"),
             lambda f: f["lettable_ha"] <= f["gross_ha"]),
            ("serviced_ha_base must not exceed lettable_ha", ("serviced_ha_base", "lettable_ha"),
             lambda f: f["serviced_ha_base"] <= f["lettable_ha"]),
            ("occupied_ha_base must not exceed serviced_ha_base",
             ("occupied_ha_base", "serviced_ha_base"),
             lambda f: f["occupied_ha_base"] <= f["serviced_ha_base"]),
            ("build_end_year must not be before build_start_year",
             ("build_end_year", "build_start_year"),
             lambda f: f["build_end_year"] >= f["build_start_year"]),
            ("a single industrial cluster (CCN) has 10-75 ha gross (Decree 32/2024); "
             "mark several clusters lumped together with aggregate=true",
             ("gross_ha", "kind", "aggregate"),
             lambda f: ~single_cluster | f["gross_ha"].between(10, 75)),
        ], problems)
        sectors = frames.get("sectors")
        if (sectors is not None and "sector_id" in sectors.columns
                and "sector_focus" in clusters.columns):
            known = set(sectors["sector_id"].dropna())
            for i, focus in enumerate(clusters["sector_focus"]):
                if focus is None or focus == "any":
                    continue
                unknown = [s.strip() for s in focus.split(";") if s.strip() not in known]
                if unknown:
                    problems.append(
                        f"{_where(TABLES['clusters'], i, 'sector_focus')}: unknown sector(s) "
                        f"{', '.join(unknown)}; expected 'any' or sector ids of sectors.csv "
                        "separated by ';'"
                    )
    if zones is not None and {"zone_id", "province"} <= set(zones.columns):
        zone_province = dict(zip(zones["zone_id"], zones["province"], strict=True))
        for name in ("clusters", "logistics"):
            frame = frames.get(name)
            if frame is None or not {"zone_id", "province"} <= set(frame.columns):
                continue
            for i, (z, p) in enumerate(zip(frame["zone_id"], frame["province"], strict=True)):
                if z in zone_province and p != zone_province[z]:
                    problems.append(
                        f"{_where(TABLES[name], i, 'province')}: {p!r} differs from the "
                        f"province of zone {z} in zones.csv ({zone_province[z]!r})"
                    )
    links = frames.get("links")
    if links is not None:
        _check_rules(TABLES["links"], links, [
            ("a link must join two different zones", ("from_zone", "to_zone"),
             lambda f: f["from_zone"] != f["to_zone"]),
        ], problems)


MAX_FIRMS = 1_000_000
MAX_WORKERS = 20_000_000
"""Limits on the firms and workers a region may hold (sectors.csv): the model holds one agent per
firm and one array entry per worker at agent scale 1, so these bound a run's memory (about 20
and 40 times the default region's 27,500 firms and 1.03 million workers)."""

CAPITAL = "Hà Nội"
"""The province whose firms the model relocates (zones.csv ``province``)."""


def _check_region(frames: dict[str, pd.DataFrame], problems: list[str]) -> None:
    """Whole-region checks of clean tables: totals, gateways and the base-year road network.

    These are the conditions a run needs besides valid cells: the run itself would otherwise
    fail on them (or, for the totals, run out of memory).
    """
    zones, sectors, logistics, links = (frames[n] for n in ("zones", "sectors", "logistics",
                                                             "links"))
    capital = zones["province"] == CAPITAL
    if not capital.any():
        problems.append(f"zones.csv: no zone of province {CAPITAL!r}; the model relocates the "
                        "firms of Hà Nội's zones")
    elif zones.loc[capital, "population"].sum() <= 0:
        problems.append(f"zones.csv, column 'population': the zones of {CAPITAL} have no "
                        "population; firms are placed in them in proportion to it")
    for column in ("population", "labour_force"):
        if zones[column].sum() <= 0:
            problems.append(f"zones.csv, column {column!r}: every zone has 0; workers live in "
                            f"zones in proportion to it, so at least one zone needs more")
    firms = float(sectors["hanoi_firms"].sum())
    workers = float((sectors["hanoi_firms"] * sectors["mean_employees"]).sum())
    if firms > MAX_FIRMS:
        problems.append(f"sectors.csv, column 'hanoi_firms': {firms:,.0f} firms in total; at most "
                        f"{MAX_FIRMS:,} are supported (one agent each)")
    if workers > MAX_WORKERS:
        problems.append(f"sectors.csv: hanoi_firms x mean_employees gives {workers:,.0f} workers "
                        f"in total; at most {MAX_WORKERS:,} are supported")
    for kind in ("airport", "seaport"):
        if not (logistics["kind"] == kind).any():
            problems.append(f"logistics.csv, column 'kind': no row of kind {kind!r}; the model "
                            "needs an airport and a seaport (the gateways firms ship through)")
    _check_network(zones, links, problems)


def _check_network(zones: pd.DataFrame, links: pd.DataFrame, problems: list[str]) -> None:
    """Every zone must be reachable by road from every other with the links open in the base year.

    (Cars use road and expressway links; empty open_year means never open.)
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = {z: i for i, z in enumerate(zones["zone_id"])}
    year = links["open_year"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    road = links["mode"].isin(("road", "expressway")).to_numpy() & (year <= BASE_YEAR)
    a = links["from_zone"][road].map(index).to_numpy(dtype=np.int64)
    b = links["to_zone"][road].map(index).to_numpy(dtype=np.int64)
    n = len(zones)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    if count <= 1:
        return
    population = zones["population"].to_numpy(dtype=float)
    main = np.argmax(np.bincount(label, weights=population + 1e-9, minlength=count))
    cut = np.flatnonzero(label != main)
    names = ", ".join(zones["zone_id"].iloc[cut[:20]])
    more = f" and {cut.size - 20} more" if cut.size > 20 else ""
    problems.append(
        f"links.csv: zone(s) {names}{more} cannot be reached by car (road and expressway links) "
        f"from the rest of the region with the links open in {BASE_YEAR} (the base year); every "
        "zone needs a road or expressway link open then (open_year <= base year)"
    )


def _sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for table in TABLES.values():
        path = folder / table.file
        digest.update(table.file.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_SHARED: dict[tuple, Region] = {}
"""Regions loaded by :func:`load_shared`, keyed by folder and its tables' size and mtime."""


def load_shared(path: str | Path | None = None) -> Region:
    """The region of ``path`` (the embedded one for None), loaded once per process.

    Runs never modify a :class:`Region`, so the runs of one process (a sweep worker and the
    members it forks, the sensitivity runner) share one: reading and validating the 8 tables
    costs ~0.15 s per run otherwise. A table whose size or modification time changed since is
    read again; a folder that cannot be read goes through :meth:`Region.load` (and its errors).
    """
    folder = Path(path).expanduser() if path is not None else DEFAULT_REGION_PATH
    try:
        stats = [(t.file, (folder / t.file).stat()) for t in TABLES.values()]
        stamp = tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)
        key = (str(folder.resolve()), stamp)
    except OSError:
        return Region.load(path)
    region = _SHARED.get(key)
    if region is None:
        region = Region.load(path)
        if len(_SHARED) >= 4:
            _SHARED.clear()
        _SHARED[key] = region
    return region


@dataclass(frozen=True, eq=False)
class Region:
    """A validated region: typed tables (pandas) plus the index arrays the sub-models use.

    Tables keep the file's row order. Integer index columns (``zone``, ``from``, ``to``, ...)
    point into :attr:`zones` rows, so sub-models work on numpy arrays without string lookups.
    """

    path: Path
    sha256: str
    provinces: pd.DataFrame
    zones: pd.DataFrame
    sectors: pd.DataFrame
    clusters: pd.DataFrame
    logistics: pd.DataFrame
    links: pd.DataFrame
    forest: pd.DataFrame
    zone_index: dict[str, int] = field(repr=False)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Region:
        """Read and validate a region folder (the embedded default region when ``path`` is None).

        Raises:
            RegionError: with every problem found, each naming its file, line and column.
        """
        folder = Path(path).expanduser() if path is not None else DEFAULT_REGION_PATH
        if not folder.is_dir():
            raise RegionError(str(folder), ["not a folder (region.path must name a folder of "
                                            "region tables)"])
        problems: list[str] = []
        frames = {}
        for table in TABLES.values():
            frame = _read_table(folder, table, problems)
            if frame is not None:
                frames[table.name] = frame
        _check_refs(frames, problems)
        _check_relations(frames, problems)
        if not problems:
            _check_region(frames, problems)
        if problems:
            raise RegionError(str(folder), problems)
        zone_index = {z: i for i, z in enumerate(frames["zones"]["zone_id"])}
        province_codes = {p: i for i, p in enumerate(frames["provinces"]["province"])}
        zones = frames["zones"].assign(
            province_idx=frames["zones"]["province"].map(province_codes).astype(np.int64)
        )
        clusters = frames["clusters"].assign(
            zone=frames["clusters"]["zone_id"].map(zone_index).astype(np.int64),
            province_idx=frames["clusters"]["province"].map(province_codes).astype(np.int64),
        )
        logistics = frames["logistics"].assign(
            zone=frames["logistics"]["zone_id"].map(zone_index).astype(np.int64)
        )
        links = frames["links"].assign(
            from_idx=frames["links"]["from_zone"].map(zone_index).astype(np.int64),
            to_idx=frames["links"]["to_zone"].map(zone_index).astype(np.int64),
        )
        forest = frames["forest"].assign(
            zone=frames["forest"]["zone_id"].map(zone_index).astype(np.int64)
        )
        return cls(
            path=folder.resolve(),
            sha256=_sha256(folder),
            provinces=frames["provinces"],
            zones=zones,
            sectors=frames["sectors"],
            clusters=clusters,
            logistics=logistics,
            links=links,
            forest=forest,
            zone_index=zone_index,
        )

    @property
    def n_zones(self) -> int:
        """Number of zones."""
        return len(self.zones)

    @cached_property
    def province_names(self) -> list[str]:
        """Province names in the order of provinces.csv."""
        return list(self.provinces["province"])

    @cached_property
    def _province_keys(self) -> dict[str, int]:
        keys = {}
        for i, (vi, en) in enumerate(zip(self.provinces["province"], self.provinces["name_en"],
                                         strict=True)):
            keys[name_key(vi)] = i
            keys[name_key(en)] = i
        return keys

    def province_index(self, name: str) -> int | None:
        """Row of a province named as in provinces.csv, by its English name, or in ASCII."""
        return self._province_keys.get(name_key(name))

    def province_values(self, values: dict[str, float], key: str,
                        default: float = 0.0) -> np.ndarray:
        """Array over provinces from a mapping keyed by province names (any accepted spelling).

        Raises:
            ConfigError: a name matches no province (the message lists them).
        """
        out = np.full(len(self.provinces), default, dtype=float)
        errors = []
        for name, value in values.items():
            i = self.province_index(name)
            if i is None:
                errors.append(f"{key}.{name}: unknown province; provinces of the region: "
                              f"{', '.join(self.province_names)} (ASCII spellings such as "
                              "phu_tho are accepted)")
            else:
                out[i] = value
        if errors:
            raise ConfigError(key, errors)
        return out

    def province_mask(self, names: list[str], key: str) -> np.ndarray:
        """Boolean array over provinces selecting ``names`` (any accepted spelling)."""
        return self.province_values(dict.fromkeys(names, 1.0), key) > 0

    def zone(self, zone_id: str) -> int:
        """Row index of a zone id, with a clear error for an unknown id."""
        try:
            return self.zone_index[zone_id]
        except KeyError:
            raise RegionError(
                str(self.path), [f"zone {zone_id!r} is not a zone_id of zones.csv"]
            ) from None

    def gateway_zone(self, kind: str) -> int:
        """Zone of the first gateway of a kind (``airport``, ``seaport``) in logistics.csv."""
        rows = self.logistics.index[self.logistics["kind"] == kind]
        if len(rows) == 0:
            raise RegionError(str(self.path), [
                f"logistics.csv: no row of kind {kind!r}; the model needs one (the airport "
                "and seaport firms ship through)"
            ])
        return int(self.logistics.loc[rows[0], "zone"])


def _setup_problem(region: Region, settings: list[str]) -> str:
    """What a baseline run with these settings finds wrong when it sets up on ``region``.

    The same checks as a run (the sub-models' own: centre zone, corridors, levers), so that
    ``region check`` and a run never disagree; "" when the run can start.
    """
    import yaml

    from .api import load_config
    from .errors import UserError
    from .simulation import CapitalRegionModel

    overrides = {}
    for text in settings:
        key, sep, value = text.partition("=")
        if not sep:
            return f"{text!r}: settings are given as key=value (e.g. transport.centre_zone=A)"
        try:
            overrides[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            overrides[key] = value
    try:
        CapitalRegionModel(load_config(agent_scale=0.01, overrides=overrides), region)
    except UserError as exc:
        return str(exc)
    return ""


def main(argv: list[str] | None = None) -> int:
    """``python -m model.region check FOLDER``: validate a region folder and report."""
    parser = argparse.ArgumentParser(
        prog="python -m model.region",
        description="Validate a folder of region tables (the layout of docs/region-data.md) "
                    "without running a model. Every problem is listed: file, line (header = "
                    "line 1), column, the value found and what is allowed.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a region folder")
    check.add_argument("folder", nargs="?", default=None, help="default: the embedded region")
    check.add_argument("settings", nargs="*", metavar="key=value",
                       help="settings the runs will use, e.g. transport.centre_zone=A")
    args = parser.parse_args(argv)
    try:
        region = Region.load(args.folder)
    except RegionError as exc:
        print(exc, file=sys.stderr)
        return 2
    problem = _setup_problem(region, args.settings)
    if problem:
        print(f"{region.path}: the tables are valid, but a run with "
              f"{'these' if args.settings else 'the default'} settings rejects the region:\n"
              f"{problem}\nGive the settings your runs use after the folder, e.g. "
              "transport.centre_zone=<a zone_id>.", file=sys.stderr)
        return 2
    print(
        f"{region.path}: valid. {len(region.provinces)} provinces, {region.n_zones} zones, "
        f"{len(region.clusters)} clusters, {len(region.logistics)} logistics nodes, "
        f"{len(region.links)} links, {len(region.forest)} forest rows, "
        f"{len(region.sectors)} sectors."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
