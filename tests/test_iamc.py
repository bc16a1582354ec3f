"""IAMC export: layout, round trip of values, swept settings, command line."""

import subprocess
import sys

import numpy as np
import pandas as pd

from model import iamc

from .presentation_data import write_run_folder, write_sweep_folder


def test_columns_seeds_as_scenario_labels(sweep, runs):
    table = iamc.to_iamc(sweep)
    assert list(table.columns) == iamc.COLUMNS  # no extra column: pyam reads it as it is
    assert set(table["scenario"]) == {f"{s}|seed={k}" for s in ("baseline", "phu_tho_programme")
                                      for k in (0, 1)}
    assert set(table["model"]) == {"HNCR-ABM"}
    assert not table["value"].isna().any()
    single = iamc.to_iamc(runs[0], model_name="X")
    assert list(single.columns) == iamc.COLUMNS
    assert set(single["scenario"]) == {"baseline"}
    keys = ["model", "scenario", "region", "variable", "year"]
    assert not single.duplicated(keys).any()
    assert not table.duplicated(keys).any()


def test_common_definition_names_units_and_signs(sweep):
    table = iamc.to_iamc(sweep)
    units = table.groupby("variable")["unit"].first()
    for name in ("Emissions|CO2|AFOLU", "Emissions|CO2|AFOLU|LULUCF",
                 "Emissions|CO2|AFOLU|LULUCF|Forest Land",
                 "Emissions|CO2|AFOLU|LULUCF|Deforestation", "Gross Emissions|CO2|AFOLU",
                 "Gross Removals|CO2|AFOLU"):
        assert units[name] == "Mt CO2/yr", name
    assert units["Land Cover|Forest"] == "million ha"
    assert units["Economy|Land Rent Forgone"] == "billion USD_2022/yr"
    assert all("|" in n for n in units.index)

    def values(variable, region="Phú Thọ"):
        rows = table[(table["variable"] == variable) & (table["region"] == region)]
        return rows.set_index(["scenario", "year"])["value"].sort_index()

    net = sweep["forest_net_absorption_tco2e"].sel(province="Phú Thọ")
    afolu = values("Emissions|CO2|AFOLU")
    # Phú Thọ's forests are a sink: negative net emissions, the opposite sign of the results.
    assert (afolu < 0).all()
    label, year = afolu.index[3]
    scenario, seed = label.split("|seed=")
    np.testing.assert_allclose(afolu.iloc[3], -net.sel(scenario=scenario, seed=int(seed),
                                                       year=year).item() * 1e-6, rtol=1e-12)
    assert (values("Gross Removals|CO2|AFOLU") < 0).all()
    assert (values("Gross Emissions|CO2|AFOLU") >= 0).all()
    parts = values("Emissions|CO2|AFOLU|LULUCF|Forest Land") + values(
        "Emissions|CO2|AFOLU|LULUCF|Deforestation")
    np.testing.assert_allclose(parts.values, afolu.values, rtol=1e-9, atol=1e-12)
    gross = values("Gross Emissions|CO2|AFOLU") + values("Gross Removals|CO2|AFOLU")
    np.testing.assert_allclose(gross.values, afolu.values, rtol=1e-9, atol=1e-12)


def test_region_totals_add_up_and_provinces_without_forest_are_left_out(sweep):
    table = iamc.to_iamc(sweep)
    forested = set(iamc.forest_provinces(sweep))
    area = sweep["forest_area_ha"].sum("forest_type").max(["scenario", "seed", "year"])
    assert forested == {str(p) for p in area["province"].values if area.sel(province=p) > 0}
    assert forested < {str(p) for p in sweep["province"].values}  # some provinces have none
    forest_rows = table[table["variable"] == "Land Cover|Forest"]
    assert set(forest_rows["region"]) == forested | {iamc.REGION_TOTAL}
    assert (forest_rows["value"] > 0).all()
    for variable in ("Emissions|CO2|AFOLU", "Employment|Jobs", "Economy|Land Rent Forgone"):
        rows = table[table["variable"] == variable]
        by = rows.pivot_table(index=["scenario", "year"], columns="region", values="value")
        provinces = [c for c in by.columns if c != iamc.REGION_TOTAL]
        np.testing.assert_allclose(by[provinces].sum(axis=1), by[iamc.REGION_TOTAL], rtol=1e-9)


def test_money_in_usd_of_a_stated_year(runs):
    table = iamc.to_iamc(runs[1])
    rent = table[(table["variable"] == "Economy|Land Rent Forgone")
                 & (table["region"] == iamc.REGION_TOTAL)].set_index("year")["value"]
    vnd = runs[1]["rent_forgone_vnd"].sum("province").to_series()
    expected = vnd / 26000.0 / iamc.USD_DEFLATOR_2025_2022 * 1e-9
    np.testing.assert_allclose(rent.values, expected.loc[rent.index].values, rtol=1e-12)
    assert rent.max() > 0


def test_new_forest_variables_are_exported_when_present(runs):
    ds = runs[0].drop_vars(["buffer_pool_tco2e", "credit_reversals_tco2e"], errors="ignore")
    table = iamc.to_iamc(ds)
    assert "Carbon Credits|Forest|Buffer Pool" not in set(table["variable"])
    ds["buffer_pool_tco2e"] = ds["forest_removals_tco2e"].fillna(0).cumsum("year") * 0.2
    table = iamc.to_iamc(ds)
    pool = table[table["variable"] == "Carbon Credits|Forest|Buffer Pool"]
    assert set(pool["unit"]) == {"Mt CO2"} and len(pool)
    assert "Carbon Credits|Forest|Reversals" not in set(table["variable"])  # absent: skipped


def test_round_trip_through_the_csv(sweep, tmp_path):
    path = iamc.write_iamc(sweep, tmp_path / "iamc.csv")
    back = pd.read_csv(path)
    assert not list(tmp_path.glob("*.tmp*"))

    def pivot(variable, region):
        rows = back[(back["variable"] == variable) & (back["region"] == region)]
        return rows.pivot_table(index="scenario", columns="year", values="value")

    def member(label):
        scenario, seed = label.split("|seed=")
        return {"scenario": scenario, "seed": int(seed)}

    occ = pivot("Land|Industrial Clusters|Occupancy", "Phú Thọ")
    assert len(occ) == 4
    for label, row in occ.iterrows():
        np.testing.assert_allclose(
            row.values, sweep["province_occupancy"].sel(
                **member(label), province="Phú Thọ").values * 100, rtol=1e-12)

    net = pivot("Emissions|CO2|AFOLU", "Thái Nguyên")
    data = sweep["forest_net_absorption_tco2e"].sel(province="Thái Nguyên")
    assert 2025 not in net.columns  # base-year flows are NaN: left out, not written
    for label, row in net.iterrows():
        np.testing.assert_allclose(row.values, -1e-6 * data.sel(
            **member(label), year=list(net.columns)).values)

    quit_ = pivot("Employment|Workers Relocated Firms|Quit", iamc.REGION_TOTAL)
    for label, row in quit_.iterrows():
        np.testing.assert_allclose(row.values, 1e-3 * sweep["workers_quit"].sel(
            **member(label)).values)
    # Occupancy is not additive: no region total.
    assert back[(back["variable"] == "Land|Industrial Clusters|Occupancy")
                & (back["region"] == iamc.REGION_TOTAL)].empty


def test_swept_settings_are_folded_into_the_scenario_name(sweep):
    swept = sweep.expand_dims(policies__forest__carbon_price_usd_tco2e=[5.0, 10.0])
    names = set(iamc.to_iamc(swept)["scenario"])
    assert names == {f"{s}|policies__forest__carbon_price_usd_tco2e={p}|seed={k}"
                     for s in ("baseline", "phu_tho_programme") for p in (5, 10)
                     for k in (0, 1)}


def test_command_line_writes_into_run_and_sweep_folders(sweep, runs, tmp_path):
    run_folder = write_run_folder(runs[1], tmp_path / "run")
    sweep_folder = write_sweep_folder(sweep, tmp_path / "sweep")
    for folder in (run_folder, sweep_folder):
        proc = subprocess.run([sys.executable, "-m", "model.iamc", str(folder)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        table = pd.read_csv(folder / "iamc.csv")
        assert {"model", "scenario", "region", "variable", "unit", "year", "value"} <= set(
            table.columns)


def test_bad_folder_is_exit_2_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "model.iamc", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "neither sweep.nc nor results.nc" in proc.stderr
    assert "Traceback" not in proc.stderr
