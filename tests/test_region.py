import re

import numpy as np
import pandas as pd
import pytest

from model.errors import RegionError
from model.region import DEFAULT_REGION_PATH, TABLES, Region
from model.region import main as region_main


def edit(folder, table, fn):
    """Apply ``fn`` to a table of a region copy (as text cells) and write it back."""
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = fn(frame)
    frame.to_csv(path, index=False)


def problems_of(folder):
    with pytest.raises(RegionError) as err:
        Region.load(folder)
    return err.value.problems, str(err.value)


# ---- the embedded default region ------------------------------------------------------------

def test_default_region_validates(default_region):
    assert default_region.sha256 and len(default_region.sha256) == 64


def test_zone_counts_per_province(default_region):
    zones = default_region.zones
    districts = zones[zones["kind"] == "district"].groupby("province").size()
    assert districts["Hà Nội"] == 30
    assert districts["Phú Thọ"] == 33
    assert districts["Thái Nguyên"] == 17
    old = zones[zones["province"] == "Phú Thọ"].groupby("old_province").size()
    assert old.to_dict() == {"Phú Thọ": 13, "Vĩnh Phúc": 9, "Hòa Bình": 11}
    competitors = default_region.provinces.query("role == 'competitor'")["province"]
    assert set(competitors) == {"Bắc Ninh", "Hưng Yên", "Hải Phòng"}
    assert set(competitors) <= set(zones["province"])


def test_population_matches_resolution_202(default_region):
    """Zone populations add up to the Resolution 202/2025/QH15 counts (data-facts, H)."""
    expected = {"Hà Nội": 8_807_523, "Phú Thọ": 4_022_638, "Thái Nguyên": 1_799_489,
                "Bắc Ninh": 3_619_433, "Hưng Yên": 3_567_943, "Hải Phòng": 4_664_124}
    by_province = default_region.zones.groupby("province")["population"].sum()
    provinces = default_region.provinces.set_index("province")["population"]
    for province, count in expected.items():
        assert provinces[province] == count
        assert by_province[province] == pytest.approx(count, rel=0.005), province


def test_clusters_of_phu_tho_programme(default_region):
    """133 industrial clusters in Phú Thọ, 25 priority ones on the corridor (seed 000)."""
    c = default_region.clusters
    ccn = c[(c["province"] == "Phú Thọ") & (c["kind"] == "industrial_cluster") & ~c["aggregate"]]
    assert len(ccn) == 133
    assert ccn["gross_ha"].between(10, 75).all()
    priority = c[c["priority"]]
    assert len(priority) == 25
    corridor = {"Việt Trì", "Phù Ninh", "Lâm Thao", "Lập Thạch"}
    zone_names = default_region.zones.set_index("zone_id")["name"]
    assert set(zone_names[priority["zone_id"]]) <= corridor
    assert (priority["province"] == "Phú Thọ").all()


def test_base_year_occupancy_matches_facts(default_region):
    c = default_region.clusters
    occupancy = (c.groupby("province")["occupied_ha_base"].sum()
                 / c.groupby("province")["serviced_ha_base"].sum())
    assert 0.80 <= occupancy["Hà Nội"] <= 0.97


def test_logistics_points_and_gateways(default_region):
    lg = default_region.logistics
    assert (lg.query("province == 'Phú Thọ' and kind == 'logistics_point'").shape[0]) == 13
    assert default_region.gateway_zone("airport") == default_region.zone("HN_SOC_SON")
    port = default_region.gateway_zone("seaport")
    assert default_region.zones.loc[port, "province"] == "Hải Phòng"


def test_forest_area_matches_facts(default_region):
    f = default_region.forest.merge(default_region.zones[["zone_id", "province", "old_province"]],
                                    on="zone_id")
    by_province = f.groupby("province")["area_ha"].sum()
    assert by_province["Hà Nội"] == pytest.approx(18_342, rel=0.01)
    assert by_province["Phú Thọ"] == pytest.approx(405_000, rel=0.05)
    # Hòa Bình 2023: 141,614 ha natural + 95,305 ha planted. Planted protection forest is kept
    # under `protection` (not harvested on a rotation), so plantations are at most the planted area.
    hoa_binh = f[f["old_province"] == "Hòa Bình"]
    plantation = hoa_binh["forest_type"].str.startswith("plantation")
    assert hoa_binh["area_ha"].sum() == pytest.approx(141_614 + 95_305, rel=0.01)
    assert hoa_binh.loc[plantation, "area_ha"].sum() <= 95_305
    assert hoa_binh.loc[~plantation, "area_ha"].sum() >= 141_614
    bac_kan = f[f["old_province"] == "Bắc Kạn"]
    assert bac_kan["area_ha"].sum() == pytest.approx(372_665, rel=0.01)
    large = f[(f["province"] == "Phú Thọ") & (f["forest_type"] == "plantation_large_timber")]
    assert large["area_ha"].sum() == pytest.approx(26_800, rel=0.05)


def test_every_row_cites_a_source_defined_in_sources_md(default_region):
    text = (DEFAULT_REGION_PATH / "SOURCES.md").read_text(encoding="utf-8")
    for name in TABLES:
        frame = getattr(default_region, name)
        keys = {k.strip() for cell in frame["source"] for k in cell.split(";")}
        for key in keys - {"assumed", "synthetic"}:
            assert re.search(rf"`{re.escape(key)}`", text), f"{name}.csv: source key {key!r} " \
                "is not defined in SOURCES.md"


def test_synthetic_clusters_are_marked(default_region):
    c = default_region.clusters
    assert (c.loc[c["synthetic"], "source"].str.contains("synthetic")).all()


# ---- corrupted copies are rejected with file, line and column -------------------------------

def test_missing_column(region_copy):
    edit(region_copy, "zones", lambda f: f.drop(columns=["lat"]))
    problems, _ = problems_of(region_copy)
    assert any(p.startswith("zones.csv: missing column(s) lat") for p in problems)


def test_duplicate_id(region_copy):
    def dup(f):
        f.loc[4, "cluster_id"] = f.loc[2, "cluster_id"]
        return f
    edit(region_copy, "clusters", dup)
    problems, _ = problems_of(region_copy)
    assert any(re.match(r"clusters\.csv, line 6, column 'cluster_id': duplicate", p)
               for p in problems), problems


def test_dangling_reference(region_copy):
    def dangle(f):
        f.loc[9, "zone_id"] = "NO_SUCH_ZONE"
        return f
    edit(region_copy, "clusters", dangle)
    problems, _ = problems_of(region_copy)
    assert ("clusters.csv, line 11, column 'zone_id': 'NO_SUCH_ZONE' is not a zone_id of "
            "zones.csv") in problems


def test_negative_area(region_copy):
    def negative(f):
        f.loc[0, "area_ha"] = "-5"
        return f
    edit(region_copy, "forest", negative)
    problems, _ = problems_of(region_copy)
    assert any(p.startswith("forest.csv, line 2, column 'area_ha': -5 is out of range") for p in
               problems)


def test_nan_and_text_in_numbers(region_copy):
    def bad(f):
        f.loc[0, "lat"] = "NaN"
        f.loc[1, "lon"] = "east"
        f.loc[2, "population"] = "12.5"
        return f
    edit(region_copy, "zones", bad)
    problems, _ = problems_of(region_copy)
    assert any(p.startswith("zones.csv, line 2, column 'lat': 'NaN' is not allowed") for p in
               problems)
    assert any(p.startswith("zones.csv, line 3, column 'lon': 'east' is not a number") for p in
               problems)
    assert any(p.startswith("zones.csv, line 4, column 'population': '12.5' is not a whole")
               for p in problems)


def test_unknown_province(region_copy):
    def unknown(f):
        f.loc[3, "province"] = "Atlantis"
        return f
    edit(region_copy, "zones", unknown)
    problems, _ = problems_of(region_copy)
    assert ("zones.csv, line 5, column 'province': 'Atlantis' is not a province of "
            "provinces.csv") in problems


def test_relations_between_columns(region_copy):
    def bad(f):
        f.loc[0, "occupied_ha_base"] = str(float(f.loc[0, "serviced_ha_base"]) + 1)
        f.loc[1, "sector_focus"] = "spaceships"
        return f
    edit(region_copy, "clusters", bad)
    problems, _ = problems_of(region_copy)
    assert any(p.startswith("clusters.csv, line 2, column 'occupied_ha_base': occupied_ha_base "
                            "must not exceed serviced_ha_base") for p in problems)
    assert any("unknown sector(s) spaceships" in p for p in problems)


def test_all_problems_at_once_and_missing_file(region_copy):
    (region_copy / "sectors.csv").unlink()
    edit(region_copy, "links",
         lambda f: f.assign(mode=np.where(f.index == 0, "teleport", f["mode"])))
    problems, message = problems_of(region_copy)
    assert "sectors.csv: file missing from the region folder" in problems
    assert any(p.startswith("links.csv, line 2, column 'mode': 'teleport' is not allowed; "
                            "expected one of road, expressway, rail, urban_rail") for p in problems)
    assert "docs/region-data.md" in message


def test_not_a_folder(tmp_path):
    with pytest.raises(RegionError, match="not a folder"):
        Region.load(tmp_path / "nowhere")


def test_check_command(region_copy, capsys):
    assert region_main(["check"]) == 0
    assert "valid" in capsys.readouterr().out
    edit(region_copy, "zones", lambda f: f.drop(columns=["lat"]))
    assert region_main(["check", str(region_copy)]) == 2
    assert "missing column(s) lat" in capsys.readouterr().err


def test_table_without_its_key_column_is_reported_not_crashed(region_copy):
    (region_copy / "sectors.csv").write_text("not,a,sectors,table\n1,2,3,4\n")
    problems, _ = problems_of(region_copy)
    assert any(p.startswith("sectors.csv: missing column(s) sector_id") for p in problems)
