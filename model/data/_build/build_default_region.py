"""Build the embedded default region (Hà Nội Capital Region) of `model/data/`.

Run from anywhere:

    python model/data/_build/build_default_region.py

It reads only the small hand-written tables in this folder (see SOURCES.md beside the CSVs
for where every number comes from), regenerates the seven region tables in `model/data/`
deterministically (one fixed random seed, used only to size and date the synthetic industrial
clusters), checks them against docs/region-data.md, checks the road network against the travel-time
calibration targets, and refreshes the generated blocks of `model/data/SOURCES.md`.

Conventions: every estimate made here is marked `assumed` in the `source` column; rows that stand
for a planned object whose name or site is not public are marked `synthetic`.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import Delaunay

from model.errors import RegionError
from model.region import Region

HERE = Path(__file__).resolve().parent
OUT = HERE.parent  # model/data/
SEED = 20250701  # date of the provincial merger; any fixed value would do
BASE_YEAR = 2025

# ---------------------------------------------------------------------------------------------
# Province facts (Resolution 202/2025/QH15, confidence H). Zones are scaled to these totals.
# ---------------------------------------------------------------------------------------------
PROVINCES = [
    # province, name_en, role, area_km2, population
    ("Hà Nội", "Ha Noi", "capital", 3359.84, 8_807_523),
    ("Phú Thọ", "Phu Tho", "receiving", 9361.38, 4_022_638),
    ("Thái Nguyên", "Thai Nguyen", "receiving", 8375.21, 1_799_489),
    ("Bắc Ninh", "Bac Ninh", "competitor", 4718.60, 3_619_433),
    ("Hưng Yên", "Hung Yen", "competitor", 2514.81, 3_567_943),
    ("Hải Phòng", "Hai Phong", "competitor", 3194.72, 4_664_124),
]
NEW_PROVINCE_OF_OLD = {
    "Hà Nội": "Hà Nội",
    "Phú Thọ": "Phú Thọ",
    "Vĩnh Phúc": "Phú Thọ",
    "Hòa Bình": "Phú Thọ",
    "Thái Nguyên": "Thái Nguyên",
    "Bắc Kạn": "Thái Nguyên",
}

LABOUR_SHARE = 0.55  # labour force / population; data-facts: 52-58 % (L) -> assumed 0.55
CCN_RENT_FACTOR = (
    0.85  # industrial clusters ask less than parks in the same zone (assumed 0.75-0.95)
)
HN_CCN_RENT_FACTOR = (
    0.90  # Hà Nội's own clusters are nearly full, so closer to park rents (assumed)
)
CCN_LETTABLE_RATIO = (
    0.70  # lettable / gross for a cluster (roads, green, utilities ~30 %; assumed 0.6-0.75)
)
HN_CCN_OCCUPANCY = 0.92  # Hà Nội clusters "nearly full" (assumed 0.85-0.97)
HN_CCN_TOTALS = dict(n_op=70, ha_op=1680.0, n_plan=159, ha_plan=3204.0)  # hn_ccn (H)

# ---------------------------------------------------------------------------------------------
# Road network parameters (assumed; they were set so that the calibration targets below are met).
# ---------------------------------------------------------------------------------------------
# Off-peak car speed (km/h) and circuity (network km / crow-fly km) of ordinary roads between two
# zone seats, by the rougher terrain of the two ends. Inner Hà Nội is slow; mountains are twisty.
TERRAIN_RANK = {"urban": 0, "urban_small": 1, "lowland": 1, "midland": 2, "mountain": 3}
ROAD_CLASS = {
    # class: (speed_kmh, circuity)
    "inner_hanoi": (25.0, 1.25),  # both ends inner-city districts (quận)
    "hanoi_edge": (32.0, 1.25),  # one end an inner-city district
    "lowland": (40.0, 1.30),
    "midland": (37.0, 1.35),
    "mountain": (32.0, 1.45),
}
# National highways (QL) get these instead, by terrain
NATIONAL_ROAD = {
    "lowland": (50.0, 1.25),
    "midland": (45.0, 1.25),
    "mountain": (40.0, 1.35),
    "hanoi_edge": (35.0, 1.25),
    "inner_hanoi": (25.0, 1.25),
}
MAX_ROAD_EDGE_KM = 60.0  # longer triangulation edges are convex-hull artefacts

# Calibration targets: off-peak car minutes from Hoàn Kiếm (data-facts, L-M)
CALIBRATION = [
    # zone, year, low, high, label
    ("PT_PHUC_YEN", 2025, 45, 55, "Phúc Yên"),
    ("PT_VINH_YEN", 2025, 60, 75, "Vĩnh Yên"),
    ("PT_VIET_TRI", 2025, 75, 90, "Việt Trì"),
    ("PT_HOA_BINH", 2025, 75, 90, "Hòa Bình"),
    ("TN_PHO_YEN", 2025, 55, 65, "Phổ Yên"),
    ("TN_SONG_CONG", 2025, 60, 75, "Sông Công"),
    ("TN_THAI_NGUYEN", 2025, 75, 90, "Thái Nguyên city"),
    ("TN_BAC_KAN", 2025, 170, 190, "Bắc Kạn (~3 h)"),
    ("TN_BAC_KAN", 2026, 130, 150, "Bắc Kạn after Chợ Mới–Bắc Kạn (~2 h 20)"),
    ("BN_BAC_NINH", 2025, 40, 50, "Bắc Ninh"),
    ("HY_MY_HAO", 2025, 40, 55, "Mỹ Hào (Hưng Yên north)"),
    ("HP_HAI_PHONG", 2025, 90, 105, "Hải Phòng"),
]
CAL_TOLERANCE_MIN = 3.0

# ---------------------------------------------------------------------------------------------
# Forest (see SOURCES.md, forest section)
# ---------------------------------------------------------------------------------------------
CARBON_FRACTION = 0.47  # IPCC
# FREL strata (AGB+BGB, tC/ha; data-facts L): midpoints of the ranges
STRATUM_TC = {"rich": 115.0, "medium": 75.0, "poor": 42.5, "regrowth": 22.5}
# Assumed stratum mix of each natural-forest management type
STRATUM_MIX = {
    "special_use": {"rich": 0.5, "medium": 0.4, "poor": 0.1},
    "protection": {"rich": 0.2, "medium": 0.45, "poor": 0.35},
    "production_natural": {"rich": 0.05, "medium": 0.35, "poor": 0.4, "regrowth": 0.2},
}
NATURAL_AGE = {"special_use": 60, "protection": 40, "production_natural": 30}
PLANTED_PROTECTION_AGE = {"Hà Nội": 25, "default": 20}
PLANTED_PROTECTION_AGB = (
    80.0  # t d.m./ha, mature protection plantations (pine/acacia/mixed), assumed 50-120
)
SMALL_TIMBER_AGES = range(1, 8)  # acacia, 5-7 yr rotation
LARGE_TIMBER_AGES = range(1, 16)  # 10-15 yr rotation

# Forest area by old province and type (ha). Totals: data-facts (H/M); splits: see SOURCES.md.
FOREST_OLD_PROVINCE = {
    # old province: dict of type -> ha; "planted_protection" ends up as forest_type protection
    "Phú Thọ": dict(
        special_use=13_500,
        protection=14_000,
        production_natural=10_500,
        planted_protection=25_000,
        plantation_large_timber=16_000,
        plantation_small_timber=59_081,
    ),  # 138,081 (remainder)
    "Vĩnh Phúc": dict(
        special_use=13_882,
        protection=3_636,
        production_natural=0,
        planted_protection=0,
        plantation_large_timber=2_000,
        plantation_small_timber=10_482,
    ),  # 30,000
    "Hòa Bình": dict(
        special_use=36_478,
        protection=73_274,
        production_natural=31_862,
        planted_protection=45_000,
        plantation_large_timber=8_800,
        plantation_small_timber=41_505,
    ),  # 236,919
    "Thái Nguyên": dict(
        special_use=30_000,
        protection=25_000,
        production_natural=28_000,
        planted_protection=10_000,
        plantation_large_timber=10_000,
        plantation_small_timber=83_660,
    ),  # 186,660
    "Bắc Kạn": dict(
        special_use=24_000,
        protection=70_000,
        production_natural=179_329,
        planted_protection=15_000,
        plantation_large_timber=10_000,
        plantation_small_timber=74_336,
    ),  # 372,665
}
# Special-use forest: real protected areas, share of the old province's special-use area
SPECIAL_USE_SHARES = {
    "Phú Thọ": {"PT_TAN_SON": 1.0},  # Xuân Sơn National Park
    "Vĩnh Phúc": {"PT_TAM_DAO": 0.8, "PT_PHUC_YEN": 0.1, "PT_BINH_XUYEN": 0.1},  # Tam Đảo NP
    "Hòa Bình": {
        "PT_DA_BAC": 0.30,  # Phu Canh NR + Hòa Bình reservoir watershed
        "PT_MAI_CHAU": 0.18,  # Hang Kia – Pà Cò NR
        "PT_KIM_BOI": 0.12,  # Thượng Tiến NR
        "PT_TAN_LAC": 0.15,
        "PT_LAC_SON": 0.15,  # Ngọc Sơn – Ngổ Luông NR
        "PT_LUONG_SON": 0.05,
        "PT_KY_SON": 0.05,
    },  # Ba Vì NP (Hòa Bình side)
    "Thái Nguyên": {
        "TN_DAI_TU": 0.50,  # Tam Đảo NP (Thái Nguyên side)
        "TN_VO_NHAI": 0.35,  # Thần Sa – Phượng Hoàng NR
        "TN_DINH_HOA": 0.15,
    },  # ATK Định Hóa historical forest
    "Bắc Kạn": {
        "TN_NA_RI": 0.55,  # Kim Hỷ NR
        "TN_BA_BE": 0.38,  # Ba Bể NP
        "TN_CHO_DON": 0.07,
    },  # Nam Xuân Lạc NR
}
# Other types are spread over an old province's zones by area x a terrain factor (assumed)
TERRAIN_FOREST_FACTOR = {
    "natural": {
        "mountain": 1.0,
        "midland": 0.4,
        "lowland": 0.03,
        "urban_small": 0.03,
        "urban": 0.0,
    },
    "planted": {
        "mountain": 1.0,
        "midland": 1.0,
        "lowland": 0.15,
        "urban_small": 0.10,
        "urban": 0.0,
    },
}
# Hà Nội 2024 (forest_hn2024, H): district totals; they sum to 19,363 ha > the city total of
# 18,342 ha (different dates/definitions in the source), so they are scaled down to the total.
HN_FOREST_TOTAL, HN_NATURAL, HN_PLANTED = 18_342, 7_593, 10_749
HN_FOREST_DISTRICT = {
    "HN_BA_VI": 7574,
    "HN_MY_DUC": 4401,
    "HN_SOC_SON": 3314,
    "HN_THACH_THAT": 2104,
    "HN_QUOC_OAI": 861,
    "HN_SON_TAY": 588,
    "HN_CHUONG_MY": 521,
}
# Natural forest by district (assumed split of the 7,593 ha): Ba Vì NP and Hương Sơn are special-use
HN_NATURAL_DISTRICT = {
    "HN_BA_VI": ("special_use", 4700),
    "HN_MY_DUC": ("special_use", 2600),
    "HN_SOC_SON": ("protection", 150),
    "HN_THACH_THAT": ("protection", 80),
    "HN_QUOC_OAI": ("protection", 63),
}
HN_PLANTED_PROTECTION_SHARE = (
    0.6  # most of Hà Nội's plantations are protection forest (assumed 0.4-0.8)
)

R_EARTH = 6371.0088


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_EARTH * math.asin(math.sqrt(a))


def ascii_upper(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def norm_vi(text: str) -> str:
    """The seat file writes 'Hoà Bình'; the rest of the project writes 'Hòa Bình'."""
    return text.replace("Hoà", "Hòa")


def largest_remainder(total: int, weights) -> np.ndarray:
    """Integers proportional to weights that sum exactly to total."""
    w = np.asarray(weights, dtype=float)
    raw = w / w.sum() * total
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def fmt_bool(b) -> str:
    return "true" if bool(b) else "false"


# ---------------------------------------------------------------------------------------------
# provinces and zones
# ---------------------------------------------------------------------------------------------
# Existing PFES payouts (VND/ha/yr) by former province; see build_zones.
PFES_VND_HA_YR_BY_OLD_PROVINCE = {
    "Hà Nội": 100_000.0, "Phú Thọ": 150_000.0, "Vĩnh Phúc": 100_000.0, "Hòa Bình": 350_000.0,
    "Thái Nguyên": 100_000.0, "Bắc Kạn": 200_000.0,
}

# Industrial land let each year to firms the model does not represent as agents (FDI, new domestic
# firms), ha/yr. Assumed (L): northern industrial land absorbs ~1,000-1,500 ha/yr (CBRE/Savills
# market reports); read each value as 0.5x-1.5x.
BACKGROUND_DEMAND_HA_YR = {
    "Hà Nội": 60.0, "Phú Thọ": 150.0, "Thái Nguyên": 100.0, "Bắc Ninh": 300.0,
    "Hưng Yên": 200.0, "Hải Phòng": 300.0,
}


def build_provinces() -> pd.DataFrame:
    rows = [
        dict(province=p, name_en=e, role=r, area_km2=a, population=n,
             background_demand_ha_yr=BACKGROUND_DEMAND_HA_YR[p], source="nq202_2025;assumed")
        for p, e, r, a, n in PROVINCES
    ]
    return pd.DataFrame(rows)


def build_zones(provinces: pd.DataFrame) -> pd.DataFrame:
    seats = pd.read_csv(HERE / "former_districts.csv")
    seats["old_province"] = seats["old_province"].map(norm_vi)
    seats["former_district"] = seats["former_district"].map(norm_vi)
    zi = pd.read_csv(HERE / "zone_inputs.csv")
    zi["old_province"] = zi["old_province"].map(norm_vi)
    zi["former_district"] = zi["former_district"].map(norm_vi)

    # Former districts per old province in the seat file (brief: HN 30, PT 13+9+11, TN 9+8)
    core = seats[seats["province_2025"].isin(["Hà Nội", "Phú Thọ", "Thái Nguyên"])]
    counts = core.groupby("old_province").size().to_dict()
    expected = {
        "Hà Nội": 30,
        "Phú Thọ": 13,
        "Vĩnh Phúc": 9,
        "Hòa Bình": 11,
        "Thái Nguyên": 9,
        "Bắc Kạn": 8,
    }
    assert counts == expected, f"seat file counts differ: {counts}"

    d = zi.merge(core, on=["former_district", "old_province"], how="left", validate="one_to_one")
    assert d["lat"].notna().all(), d[d["lat"].isna()]
    assert len(d) == len(core), "zone_inputs.csv must list every core former district exactly once"
    d["province"] = d["old_province"].map(NEW_PROVINCE_OF_OLD)
    assert (d["province"] == d["province_2025"]).all()
    # zone ids: province prefix + ASCII name (checked against the hand-written id)
    prefix = {"Hà Nội": "HN", "Phú Thọ": "PT", "Thái Nguyên": "TN"}
    auto = d["province"].map(prefix) + "_" + d["former_district"].map(ascii_upper)
    assert (auto == d["zone_id"]).all(), d.loc[auto != d["zone_id"], ["zone_id"]]
    d["kind"] = "district"
    d["name"] = d["former_district"]
    d["seat_source"] = "febaocaocovid"

    ag = pd.read_csv(HERE / "aggregate_zones.csv")
    ag["kind"] = "aggregate"
    ag["terrain"] = "lowland"
    ag["afforestable_ha"] = 0.0

    cols = [
        "zone_id",
        "name",
        "province",
        "old_province",
        "kind",
        "lat",
        "lon",
        "terrain",
        "pop2019",
        "area_km2_2019",
        "wage_region",
        "rent_usd_m2_term",
        "housing_pct",
        "afforestable_ha",
        "seat_source",
    ]
    z = pd.concat([d[cols], ag[cols]], ignore_index=True)

    # Scale 2019 census population and district areas to the Resolution 202 province totals.
    z["population"] = 0
    z["area_km2"] = 0.0
    for p in provinces.itertuples():
        m = z["province"] == p.province
        z.loc[m, "population"] = largest_remainder(p.population, z.loc[m, "pop2019"])
        z.loc[m, "area_km2"] = (
            z.loc[m, "area_km2_2019"] * p.area_km2 / z.loc[m, "area_km2_2019"].sum()
        ).round(2)
        # put the rounding residual on the largest zone so the province total is exact
        big = z.loc[m, "area_km2"].idxmax()
        z.loc[big, "area_km2"] = round(
            z.loc[big, "area_km2"] + p.area_km2 - z.loc[m, "area_km2"].sum(), 2
        )
    # Forest attributes of a zone. Ecological zone (IPCC 2019): the two mountainous former
    # provinces (Đà River / Việt Bắc uplands) are tropical mountain systems, the rest tropical
    # moist (assumed rule). Existing PFES payouts per ha by former province, within the facts'
    # northern range 50,000-500,000 VND/ha/yr (assumed, L); Hòa Bình higher (Đà River hydropower).
    z["ecological_zone"] = np.where(z["old_province"].isin(["Hòa Bình", "Bắc Kạn"]),
                                    "tropical_mountain", "tropical_moist")
    z["pfes_vnd_ha_yr"] = z["old_province"].map(PFES_VND_HA_YR_BY_OLD_PROVINCE).fillna(0.0)
    z["labour_force"] = (z["population"] * LABOUR_SHARE).round().astype(int)
    z["land_rent_usd_m2_term"] = z["rent_usd_m2_term"].astype(float)
    z["housing_capacity"] = (z["population"] * z["housing_pct"] / 100).round().astype(int)

    def src(r):
        keys = ["gso2019", "nq202_2025", r.seat_source, "nd293_2025", "ind_land_facts", "assumed"]
        return ";".join(dict.fromkeys(keys))  # keeps order, drops duplicates

    z["source"] = [src(r) for r in z.itertuples()]
    z["lat"] = z["lat"].round(6)
    z["lon"] = z["lon"].round(6)
    return z


# ---------------------------------------------------------------------------------------------
# clusters
# ---------------------------------------------------------------------------------------------
PRIORITY_FOCUS = "mechanical_engineering;electronics;construction_materials;agro_food_processing"
AGRO_FOCUS = "agro_food_processing;wood_furniture"
MOUNTAIN_FOCUS = "agro_food_processing;wood_furniture;construction_materials"


def build_clusters(zones: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    zone = zones.set_index("zone_id")
    named = pd.read_csv(HERE / "named_clusters.csv", dtype={"rent": float})
    rows = []

    def add(
        name,
        zone_id,
        kind,
        priority,
        gross,
        lettable,
        serviced,
        occupied,
        bs,
        be,
        rent,
        focus,
        aggregate,
        synthetic,
        source,
    ):
        # a synthetic row says so in its source too (docs/region-data.md)
        if synthetic and "synthetic" not in source.split(";"):
            source = f"{source};synthetic"
        rows.append(
            dict(
                name=name,
                province=zone.at[zone_id, "province"],
                zone_id=zone_id,
                kind=kind,
                priority=priority,
                gross_ha=round(gross, 2),
                lettable_ha=round(lettable, 2),
                serviced_ha_base=round(serviced, 2),
                occupied_ha_base=round(occupied, 2),
                build_start_year=int(bs),
                build_end_year=int(be),
                rent_usd_m2_term=round(rent, 1),
                sector_focus=focus,
                aggregate=aggregate,
                synthetic=synthetic,
                source=source,
            )
        )

    # 1) named parks and clusters (and aggregates of competitors' parks), from the hand table
    for r in named.itertuples():
        # the table layout starts at 2000: parks built in the 1990s are fully serviced, so clamping
        # their dates changes nothing in the simulation
        r = r._replace(build_start=max(r.build_start, 2000), build_end=max(r.build_end, 2000))
        lettable = r.gross_ha * r.lettable_ratio
        serviced = lettable * r.serviced_frac
        occupied = serviced * r.occupancy
        if pd.notna(r.rent):
            rent = r.rent
        elif r.kind == "industrial_cluster":
            rent = zone.at[r.zone_id, "rent_usd_m2_term"] * CCN_RENT_FACTOR
        else:
            rent = zone.at[r.zone_id, "rent_usd_m2_term"]
        focus = PRIORITY_FOCUS if r.sector_focus == "PRIORITY" else r.sector_focus
        add(
            r.name,
            r.zone_id,
            r.kind,
            str(r.priority).lower() == "true",
            r.gross_ha,
            lettable,
            serviced,
            occupied,
            r.build_start,
            r.build_end,
            rent,
            focus,
            str(r.aggregate).lower() == "true",
            str(r.synthetic).lower() == "true",
            r.source,
        )

    # 2) Phú Thọ's 133 industrial clusters: the named ones above plus synthetic ones per zone
    alloc = pd.read_csv(HERE / "ccn_allocation.csv")
    assert alloc["n_total"].sum() == 133 and alloc["n_priority"].sum() == 25
    corridor = {"PT_VIET_TRI", "PT_PHU_NINH", "PT_LAM_THAO", "PT_LAP_THACH"}
    assert set(alloc.loc[alloc["n_priority"] > 0, "zone_id"]) <= corridor
    named_ccn = [
        r for r in rows if r["kind"] == "industrial_cluster" and r["province"] == "Phú Thọ"
    ]
    for a in alloc.itertuples():
        here = [r for r in named_ccn if r["zone_id"] == a.zone_id]
        n_pri = a.n_priority - sum(r["priority"] for r in here)
        n_op = a.n_operating - sum(r["serviced_ha_base"] > 0 for r in here)
        n_new = a.n_total - len(here)
        assert n_new >= 0 and 0 <= n_pri <= n_new and 0 <= n_op <= n_new, a
        # "Phú Thọ" and "Hòa Bình" are also province names: say which unit is meant
        zname = {"PT_PHU_THO": "Phú Thọ town", "PT_HOA_BINH": "Hòa Bình city"}.get(
            a.zone_id, zone.at[a.zone_id, "name"]
        )
        zrent = zone.at[a.zone_id, "rent_usd_m2_term"] * CCN_RENT_FACTOR
        # operating ones first (the priority list favours clusters already under way), then planned
        for k in range(n_new):
            number = len(here) + k + 1
            is_pri = k < n_pri
            is_op = k < n_op
            mountain = a.profile == "mountain"
            if is_pri:
                gross = rng.uniform(30, 75)
            elif mountain:
                gross = float(np.clip(rng.lognormal(math.log(20), 0.35), 10, 50))
            else:
                gross = float(np.clip(rng.lognormal(math.log(35), 0.40), 10, 75))
            lettable = gross * CCN_LETTABLE_RATIO
            if is_op:
                bs = int(rng.integers(2008, 2021))
                frac = float(rng.uniform(0.6, 1.0))
                be = (
                    int(rng.integers(bs + 3, 2021 + 1))
                    if frac > 0.95
                    else int(rng.integers(2026, 2029))
                )
                if frac > 0.95:
                    frac = 1.0
                serviced = lettable * frac
                occupied = serviced * float(rng.uniform(0.5, 0.9))
                name = f"CCN {zname} {number} (existing; name not listed)"
            else:
                if is_pri:
                    bs = int(rng.integers(2026, 2030))
                elif mountain:
                    bs = int(rng.integers(2029, 2037))
                else:
                    bs = int(rng.integers(2027, 2035))
                be = bs + int(rng.integers(2, 5))
                serviced = occupied = 0.0
                name = f"CCN {zname} {number} (planned)"
            if is_pri:
                focus = PRIORITY_FOCUS
            elif a.profile in ("agro", "corridor_agro"):
                focus = AGRO_FOCUS
            elif mountain:
                focus = MOUNTAIN_FOCUS
            else:
                focus = "any"
            src = "seed_pt_28ctr;synthetic"
            add(
                name,
                a.zone_id,
                "industrial_cluster",
                is_pri,
                gross,
                lettable,
                serviced,
                occupied,
                bs,
                be,
                zrent,
                focus,
                False,
                True,
                src,
            )

    # 3) Hà Nội's own clusters, one aggregate row per district
    hn = pd.read_csv(HERE / "hanoi_ccn.csv")
    assert (
        hn["n_operating_2020"].sum() == HN_CCN_TOTALS["n_op"]
        and hn["n_plan_2030"].sum() == HN_CCN_TOTALS["n_plan"]
    )
    ha_op = hn["ha_operating_raw"] * HN_CCN_TOTALS["ha_op"] / hn["ha_operating_raw"].sum()
    ha_plan = hn["ha_plan_raw"] * HN_CCN_TOTALS["ha_plan"] / hn["ha_plan_raw"].sum()
    for r, op, pl in zip(hn.itertuples(), ha_op, ha_plan, strict=True):
        zname = zone.at[r.zone_id, "name"]
        lettable = pl * CCN_LETTABLE_RATIO
        serviced = op * CCN_LETTABLE_RATIO
        add(
            f"Hà Nội industrial clusters – {zname} "
            f"({r.n_operating_2020} operating 2020; {r.n_plan_2030} planned by 2030)",
            r.zone_id,
            "industrial_cluster",
            False,
            pl,
            lettable,
            serviced,
            serviced * HN_CCN_OCCUPANCY,
            2026,
            2030,
            zone.at[r.zone_id, "rent_usd_m2_term"] * HN_CCN_RENT_FACTOR,
            "any",
            True,
            False,
            "hn_ccn;assumed",
        )

    c = pd.DataFrame(rows)
    # ids: province prefix + running number within (province, kind)
    pre = {
        "Hà Nội": "HN",
        "Phú Thọ": "PT",
        "Thái Nguyên": "TN",
        "Bắc Ninh": "BN",
        "Hưng Yên": "HY",
        "Hải Phòng": "HP",
    }
    kind_code = {"industrial_cluster": "CCN", "industrial_park": "KCN", "logistics": "LOG"}
    c = c.sort_values(
        ["province", "kind", "zone_id", "name"],
        key=lambda s: s if s.name != "province" else s.map(list(pre).index),
        kind="stable",
    )
    c["cluster_id"] = [
        f"{pre[p]}_{kind_code[k]}_{i:03d}"
        for p, k, i in zip(
            c["province"], c["kind"], c.groupby(["province", "kind"]).cumcount() + 1, strict=True
        )
    ]
    cols = [
        "cluster_id",
        "name",
        "province",
        "zone_id",
        "kind",
        "priority",
        "gross_ha",
        "lettable_ha",
        "serviced_ha_base",
        "build_start_year",
        "build_end_year",
        "occupied_ha_base",
        "rent_usd_m2_term",
        "sector_focus",
        "aggregate",
        "synthetic",
        "source",
    ]
    return c[cols].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# logistics
# ---------------------------------------------------------------------------------------------
def build_logistics(zones: pd.DataFrame) -> pd.DataFrame:
    lg = pd.read_csv(HERE / "logistics_inputs.csv")
    lg["province"] = lg["zone_id"].map(zones.set_index("zone_id")["province"])
    return lg[
        ["logistics_id", "name", "province", "zone_id", "kind", "open_year", "synthetic", "source"]
    ]


# ---------------------------------------------------------------------------------------------
# links
# ---------------------------------------------------------------------------------------------
def road_class(t1: str, t2: str) -> str:
    if t1 == "urban" and t2 == "urban":
        return "inner_hanoi"
    if "urban" in (t1, t2):
        return "hanoi_edge"
    worst = max(TERRAIN_RANK[t1], TERRAIN_RANK[t2])
    return {1: "lowland", 2: "midland", 3: "mountain"}[worst]


def build_links(zones: pd.DataFrame) -> pd.DataFrame:
    z = zones.set_index("zone_id")
    ids = list(zones["zone_id"])

    def km(a, b):
        return haversine(z.at[a, "lat"], z.at[a, "lon"], z.at[b, "lat"], z.at[b, "lon"])

    # 1) ordinary roads: Delaunay triangulation of the seats (local equirectangular projection),
    #    i.e. every zone linked to its natural neighbours, minus hull artefacts and river/mountain
    #    crossings that have no road (road_edits.csv), plus a few missing trunk roads.
    xy = np.c_[zones["lon"].to_numpy() * math.cos(math.radians(21.0)), zones["lat"].to_numpy()]
    edges = set()
    for s in Delaunay(xy).simplices:
        for i in range(3):
            a, b = ids[s[i]], ids[s[(i + 1) % 3]]
            edges.add(tuple(sorted((a, b))))
    edges = {e for e in edges if km(*e) <= MAX_ROAD_EDGE_KM}
    edits = pd.read_csv(HERE / "road_edits.csv")
    national, explicit, names = set(), {}, {}
    for r in edits.itertuples():
        e = tuple(sorted((r.from_zone, r.to_zone)))
        assert r.from_zone in z.index and r.to_zone in z.index, r
        if r.action == "exclude":
            edges.discard(e)
        elif r.action in ("national", "add", "set"):
            edges.add(e)
            if r.action == "national":
                national.add(e)
            if r.action == "set":
                explicit[e] = (float(r.speed_kmh), float(r.circuity))
            if isinstance(r.name, str):
                names[e] = r.name
        else:
            raise ValueError(r.action)

    rows = []
    for a, b in sorted(edges):
        cls = road_class(z.at[a, "terrain"], z.at[b, "terrain"])
        if (a, b) in explicit:
            speed, circ = explicit[(a, b)]
            src = "febaocaocovid;assumed"
        elif (a, b) in national:
            speed, circ = NATIONAL_ROAD[cls]
            src = "febaocaocovid;assumed"
        else:
            speed, circ = ROAD_CLASS[cls]
            src = "febaocaocovid;assumed"
        name = names.get((a, b), f"road {z.at[a, 'name']} – {z.at[b, 'name']} ({cls})")
        rows.append(
            dict(
                from_zone=a,
                to_zone=b,
                mode="road",
                length_km=km(a, b) * circ,
                speed_kmh=speed,
                open_year=2000,
                corridor="",
                name=name,
                source=src,
            )
        )

    # 2) named corridors: expressways, railways, urban rail and planned projects (corridors.csv)
    cor = pd.read_csv(HERE / "corridors.csv", dtype={"open_year": "Int64"})
    cor["hav"] = [km(a, b) for a, b in zip(cor["from_zone"], cor["to_zone"], strict=True)]
    cor["len"] = np.where(
        cor["length_km"].notna(), cor["length_km"], cor["hav"] * cor["detour"].fillna(1.0)
    )
    for _group, idx in cor[cor["scale_group"].notna()].groupby("scale_group").groups.items():
        target = cor.loc[idx, "scale_group_km"].iloc[0]
        cor.loc[idx, "len"] = cor.loc[idx, "len"] * target / cor.loc[idx, "len"].sum()
    for r in cor.itertuples():
        rows.append(
            dict(
                from_zone=r.from_zone,
                to_zone=r.to_zone,
                mode=r.mode,
                length_km=r.len,
                speed_kmh=float(r.speed_kmh),
                open_year=r.open_year,
                corridor=r.corridor,
                name=r.name,
                source=r.source,
            )
        )
    links = pd.DataFrame(rows)
    links["length_km"] = links["length_km"].round(2)
    links["open_year"] = links["open_year"].astype("Int64")
    prefix = {"road": "R", "expressway": "E", "rail": "RL", "urban_rail": "UR"}
    links["link_id"] = [
        f"{prefix[m]}{i:03d}"
        for m, i in zip(links["mode"], links.groupby("mode").cumcount() + 1, strict=True)
    ]
    return links[
        [
            "link_id",
            "from_zone",
            "to_zone",
            "mode",
            "length_km",
            "speed_kmh",
            "open_year",
            "corridor",
            "name",
            "source",
        ]
    ]


def car_times(zones: pd.DataFrame, links: pd.DataFrame, year: int, origin: str) -> pd.Series:
    """Off-peak car minutes from `origin` over road + expressway links open in `year`."""
    ids = list(zones["zone_id"])
    pos = {zid: i for i, zid in enumerate(ids)}
    ok = links["mode"].isin(["road", "expressway"]) & links["open_year"].notna()
    ok &= links["open_year"].fillna(9999).astype(int) <= year
    lk = links[ok]
    w = (lk["length_km"] / lk["speed_kmh"] * 60).to_numpy()
    i = lk["from_zone"].map(pos).to_numpy()
    j = lk["to_zone"].map(pos).to_numpy()
    n = len(ids)
    # parallel links: keep the fastest (csr_matrix would add them up)
    best = {}
    for a, b, t in zip(i, j, w, strict=True):
        k = (min(a, b), max(a, b))
        best[k] = min(best.get(k, np.inf), t)
    a = np.array([k[0] for k in best])
    b = np.array([k[1] for k in best])
    t = np.array(list(best.values()))
    g = csr_matrix((np.r_[t, t], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    ncomp, _ = connected_components(g, directed=False)
    assert ncomp == 1, f"road network of {year} has {ncomp} components"
    d = dijkstra(g, directed=False, indices=pos[origin])
    return pd.Series(d, index=ids)


def calibration_table(zones, links):
    rows = []
    cache = {}
    for zid, year, lo, hi, label in CALIBRATION:
        if year not in cache:
            cache[year] = car_times(zones, links, year, "HN_HOAN_KIEM")
        t = cache[year][zid]
        ok = (lo - CAL_TOLERANCE_MIN) <= t <= (hi + CAL_TOLERANCE_MIN)
        rows.append(
            dict(
                destination=label,
                zone_id=zid,
                year=year,
                target_min=f"{lo}–{hi}",
                model_min=round(float(t), 1),
                ok="yes" if ok else "NO",
            )
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# forest
# ---------------------------------------------------------------------------------------------
def natural_agb(ftype: str) -> float:
    """AGB (t d.m./ha) from the FREL strata mix: C(AGB+BGB)/0.47/(1+R), R from IPCC by AGB class."""
    c = sum(share * STRATUM_TC[s] for s, share in STRATUM_MIX[ftype].items())
    total_dm = c / CARBON_FRACTION
    # IPCC root:shoot for tropical moist forest: 0.24 when AGB > 125 t/ha, else 0.20
    agb = total_dm / 1.24
    if agb <= 125:
        agb = total_dm / 1.20
    return round(agb, 1)


def build_forest(zones: pd.DataFrame) -> pd.DataFrame:
    z = zones.set_index("zone_id")
    rows = []

    def add(zid, ftype, age, area, agb, src):
        if area >= 0.5:
            rows.append(
                dict(
                    zone_id=zid,
                    forest_type=ftype,
                    age_yr=int(age),
                    area_ha=area,
                    agb_t_ha=agb,
                    source=src,
                )
            )

    agb = {t: natural_agb(t) for t in STRATUM_MIX}

    def add_stand(zid, ftype, area, src, hn=False):
        if ftype in STRATUM_MIX:
            add(zid, ftype, NATURAL_AGE[ftype], area, agb[ftype], src + ";frel_2018;ipcc2019")
        elif ftype == "planted_protection":
            age = PLANTED_PROTECTION_AGE["Hà Nội" if hn else "default"]
            add(zid, "protection", age, area, PLANTED_PROTECTION_AGB, src + ";assumed")
        elif ftype == "plantation_small_timber":
            for age in SMALL_TIMBER_AGES:
                add(zid, ftype, age, area / len(SMALL_TIMBER_AGES), None, src)
        elif ftype == "plantation_large_timber":
            for age in LARGE_TIMBER_AGES:
                add(zid, ftype, age, area / len(LARGE_TIMBER_AGES), None, src)

    # Hà Nội: district totals scaled to the city total; natural part assigned by district
    scale = HN_FOREST_TOTAL / sum(HN_FOREST_DISTRICT.values())
    assert sum(a for _, a in HN_NATURAL_DISTRICT.values()) == HN_NATURAL
    for zid, total in HN_FOREST_DISTRICT.items():
        total = total * scale
        nat_type, nat = HN_NATURAL_DISTRICT.get(zid, (None, 0.0))
        if nat:
            add_stand(zid, nat_type, nat, "forest_hn2024;assumed", hn=True)
        planted = total - nat
        add_stand(
            zid,
            "planted_protection",
            planted * HN_PLANTED_PROTECTION_SHARE,
            "forest_hn2024",
            hn=True,
        )
        add_stand(
            zid,
            "plantation_small_timber",
            planted * (1 - HN_PLANTED_PROTECTION_SHARE),
            "forest_hn2024;assumed",
            hn=True,
        )

    src_of = {
        "Phú Thọ": "forest_pt2025;assumed",
        "Vĩnh Phúc": "forest_vp;forest_pt2025;assumed",
        "Hòa Bình": "forest_hb2023;forest_pt2025",
        "Thái Nguyên": "forest_tn;assumed",
        "Bắc Kạn": "forest_bk2020;assumed",
    }
    for old, spec in FOREST_OLD_PROVINCE.items():
        m = zones[zones["old_province"] == old]
        for ftype, total in spec.items():
            if total <= 0:
                continue
            if ftype == "special_use":
                shares = SPECIAL_USE_SHARES[old]
                assert abs(sum(shares.values()) - 1) < 1e-9
                alloc = {k: total * v for k, v in shares.items()}
            else:
                fam = "natural" if ftype in ("protection", "production_natural") else "planted"
                w = m["area_km2"] * m["terrain"].map(TERRAIN_FOREST_FACTOR[fam])
                alloc = dict(zip(m["zone_id"], total * w / w.sum(), strict=True))
            for zid, area in alloc.items():
                add_stand(zid, ftype, area, src_of[old])

    f = pd.DataFrame(rows)
    # one row per (zone, type, age); natural (age 40) and planted (age 20/25) protection never clash
    f = f.groupby(["zone_id", "forest_type", "age_yr"], as_index=False).agg(
        area_ha=("area_ha", "sum"), agb_t_ha=("agb_t_ha", "first"), source=("source", "first")
    )
    f["area_ha"] = f["area_ha"].round(1)
    # forest may not exceed 95 % of a zone's land area
    share = f.groupby("zone_id")["area_ha"].sum() / (z["area_km2"] * 100)
    over = share[share > 0.95]
    assert over.empty, f"forest exceeds 95 % of zone area: {over.to_dict()}"
    order = {
        t: i
        for i, t in enumerate(
            [
                "special_use",
                "protection",
                "production_natural",
                "plantation_small_timber",
                "plantation_large_timber",
            ]
        )
    }
    f = f.sort_values(
        ["zone_id", "forest_type", "age_yr"],
        key=lambda s: s.map(order) if s.name == "forest_type" else s,
    )
    return f.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# sectors
# ---------------------------------------------------------------------------------------------
def build_sectors() -> pd.DataFrame:
    s = pd.read_csv(HERE / "sectors_inputs.csv")
    emp = (s["hanoi_firms"] * s["mean_employees"]).sum()
    assert (
        20_000 <= s.loc[s["sector_id"] != "logistics", "hanoi_firms"].sum() <= 30_000
    )  # data-facts: ~20-30k
    assert 0.8e6 <= emp <= 1.2e6, emp  # implied employment target of the brief
    return s[
        [
            "sector_id",
            "name",
            "name_vi",
            "land_m2_per_worker",
            "pollution_class",
            "export_share",
            "hanoi_firms",
            "mean_employees",
            "source",
        ]
    ]


# ---------------------------------------------------------------------------------------------
# validation against docs/region-data.md
# ---------------------------------------------------------------------------------------------
def validate(t: dict[str, pd.DataFrame]) -> list[str]:
    """Checks specific to this data set (the facts it must reproduce).

    The table layout itself (types, allowed values, ranges, unique ids, references between
    tables) is checked by the model's own loader, model.region.Region.load, in main().
    """
    errs = []
    p, z, c = t["provinces"], t["zones"], t["clusters"]

    def need(cond, msg):
        if not bool(cond):
            errs.append(msg)

    source_keys = set()
    for name, df in t.items():
        need(
            df["source"].notna().all() and (df["source"].str.len() > 0).all(),
            f"{name}: empty source",
        )
        for v in df["source"]:
            source_keys.update(v.split(";"))
    need(z["zone_id"].str.fullmatch(r"[A-Z0-9_]+").all(), "zone ids are upper-case ASCII")
    for prov in p.itertuples():
        m = z["province"] == prov.province
        need(z.loc[m, "population"].sum() == prov.population, f"population of {prov.province}")
        need(abs(z.loc[m, "area_km2"].sum() - prov.area_km2) < 0.5, f"area of {prov.province}")
    ptc = c[(c["province"] == "Phú Thọ") & (c["kind"] == "industrial_cluster")]
    need(len(ptc) == 133 and ptc["priority"].sum() == 25, "133 CCN / 25 priority")
    need(
        set(ptc.loc[ptc["priority"], "zone_id"])
        <= {"PT_VIET_TRI", "PT_PHU_NINH", "PT_LAM_THAO", "PT_LAP_THACH"},
        "priority zones",
    )
    need(c.loc[c["province"] != "Phú Thọ", "priority"].sum() == 0, "priority outside Phú Thọ")
    t["_source_keys"] = sorted(source_keys)
    return errs


# ---------------------------------------------------------------------------------------------
# report (goes into SOURCES.md between the GENERATED markers)
# ---------------------------------------------------------------------------------------------
def md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in r) + " |")
    return "\n".join(lines)


def summary(t: dict) -> dict[str, str]:
    z, c, f, s, lk = t["zones"], t["clusters"], t["forest"], t["sectors"], t["links"]
    out = {}
    out["calibration"] = md_table(t["_calibration"])
    counts = pd.DataFrame(
        [
            (k, len(t[k]))
            for k in ["provinces", "zones", "clusters", "logistics", "links", "forest", "sectors"]
        ],
        columns=["table", "rows"],
    )
    out["counts"] = md_table(counts)
    zp = (
        z.groupby("province")
        .agg(
            zones=("zone_id", "size"),
            population=("population", "sum"),
            area_km2=("area_km2", "sum"),
            labour_force=("labour_force", "sum"),
            housing_capacity=("housing_capacity", "sum"),
            afforestable_ha=("afforestable_ha", "sum"),
        )
        .reset_index()
    )
    zp["area_km2"] = zp["area_km2"].round(2)
    out["zones"] = md_table(zp)
    fz = f.merge(z[["zone_id", "province", "old_province"]], on="zone_id")
    ft = fz.pivot_table(
        index=["province", "old_province"],
        columns="forest_type",
        values="area_ha",
        aggfunc="sum",
        fill_value=0,
    ).round(0)
    ft["total"] = ft.sum(axis=1)
    ft = ft.reset_index()
    tot = fz.pivot_table(
        index="province", columns="forest_type", values="area_ha", aggfunc="sum", fill_value=0
    ).round(0)
    tot["total"] = tot.sum(axis=1)
    out["forest"] = (
        md_table(ft.astype({k: int for k in ft.columns if k not in ("province", "old_province")}))
        + "\n\nBy new province:\n\n"
        + md_table(tot.reset_index().astype({k: int for k in tot.columns}))
    )
    cc = c.copy()
    cc["group"] = cc["province"]
    cc.loc[cc["zone_id"].map(z.set_index("zone_id")["old_province"]).eq("Vĩnh Phúc"), "group"] = (
        "Phú Thọ (ex-Vĩnh Phúc)"
    )
    cc.loc[cc["zone_id"].map(z.set_index("zone_id")["old_province"]).eq("Hòa Bình"), "group"] = (
        "Phú Thọ (ex-Hòa Bình)"
    )
    cc.loc[cc["group"].eq("Phú Thọ"), "group"] = "Phú Thọ (ex-Phú Thọ)"
    g = (
        cc.groupby(["group", "kind"])
        .agg(
            rows=("cluster_id", "size"),
            priority=("priority", "sum"),
            gross_ha=("gross_ha", "sum"),
            serviced_ha_base=("serviced_ha_base", "sum"),
            occupied_ha_base=("occupied_ha_base", "sum"),
        )
        .reset_index()
    )
    occ = (g["occupied_ha_base"] / g["serviced_ha_base"].where(g["serviced_ha_base"] > 0)).round(3)
    g = g.round(1)
    g["occupancy_base"] = occ
    out["clusters"] = md_table(g)
    notable = c[
        c["name"].str.contains(
            "Thụy Vân|Phú Hà|Khai Quang|Yên Bình|Thăng Long \\(|Bắc Ninh core", regex=True
        )
    ]
    notable = notable.assign(
        occupancy=(notable["occupied_ha_base"] / notable["serviced_ha_base"]).round(3)
    )
    out["notable"] = md_table(
        notable[
            ["cluster_id", "name", "gross_ha", "serviced_ha_base", "occupied_ha_base", "occupancy"]
        ]
    )
    s2 = s.assign(employment=s["hanoi_firms"] * s["mean_employees"])
    out["sectors"] = md_table(
        pd.DataFrame(
            [dict(firms=int(s2["hanoi_firms"].sum()), employment=int(s2["employment"].sum()))]
        )
    )
    lm = lk.assign(
        status=np.where(
            lk["open_year"].isna(),
            "no date",
            np.where(lk["open_year"].fillna(0) <= BASE_YEAR, "open ≤2025", "planned (dated)"),
        )
    )
    out["links"] = md_table(lm.groupby(["mode", "status"]).size().rename("links").reset_index())
    return out


def refresh_sources_md(blocks: dict[str, str]) -> None:
    path = OUT / "SOURCES.md"
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    for key, body in blocks.items():
        pat = re.compile(rf"(<!-- GENERATED:{key} -->\n).*?(<!-- /GENERATED:{key} -->)", re.S)
        text = pat.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
def main() -> int:
    rng = np.random.default_rng(SEED)
    provinces = build_provinces()
    zones_full = build_zones(provinces)
    clusters = build_clusters(zones_full, rng)
    logistics = build_logistics(zones_full)
    links = build_links(zones_full)
    forest = build_forest(zones_full)
    sectors = build_sectors()

    zones = zones_full[
        [
            "zone_id",
            "name",
            "province",
            "old_province",
            "kind",
            "lat",
            "lon",
            "area_km2",
            "population",
            "labour_force",
            "wage_region",
            "land_rent_usd_m2_term",
            "housing_capacity",
            "afforestable_ha",
            "ecological_zone",
            "pfes_vnd_ha_yr",
            "source",
        ]
    ]
    tables = dict(
        provinces=provinces,
        zones=zones,
        clusters=clusters,
        logistics=logistics,
        links=links,
        forest=forest,
        sectors=sectors,
    )
    errs = validate(tables)
    cal = calibration_table(zones_full, links)
    tables["_calibration"] = cal
    if errs:
        print("VALIDATION ERRORS:", *errs, sep="\n  ")
        return 1
    # Write to a staging folder, validate it with the model's own loader (the layout of
    # docs/region-data.md), and only then replace the shipped tables.
    with tempfile.TemporaryDirectory() as staging:
        staged = Path(staging)
        for name in ["provinces", "zones", "clusters", "logistics", "links", "forest", "sectors"]:
            df = tables[name].copy()
            for col in df.columns:
                if df[col].dtype == bool:
                    df[col] = df[col].map(fmt_bool)
            df.to_csv(staged / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        try:
            Region.load(staged)
        except RegionError as exc:
            print(exc)
            return 1
        for csv in staged.glob("*.csv"):
            shutil.copyfile(csv, OUT / csv.name)
    blocks = summary(tables)
    refresh_sources_md(blocks)
    # every source key used in a table must be defined in SOURCES.md
    defined = set(
        re.findall(r"^### `([a-z0-9_]+)`", (OUT / "SOURCES.md").read_text(encoding="utf-8"), re.M)
    )
    undefined = sorted(set(tables["_source_keys"]) - defined)
    if undefined:
        print("source keys not defined in SOURCES.md:", undefined)
        return 3
    # forest totals vs the facts (ha): Hà Nội 18,342; new Phú Thọ ~405,000; large timber 26,800
    fz = forest.merge(zones[["zone_id", "province"]], on="zone_id")
    tot = fz.groupby("province")["area_ha"].sum()
    assert abs(tot["Hà Nội"] - HN_FOREST_TOTAL) < 5 and abs(tot["Phú Thọ"] - 405_000) < 50, tot
    lt = fz[(fz["province"] == "Phú Thọ") & (fz["forest_type"] == "plantation_large_timber")][
        "area_ha"
    ].sum()
    assert abs(lt - 26_800) < 20, lt
    print(cal.to_string(index=False))
    print(blocks["counts"])
    print("source keys used:", ", ".join(tables["_source_keys"]))
    bad = cal[cal["ok"] != "yes"]
    if not bad.empty:
        print("CALIBRATION TARGETS MISSED")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
