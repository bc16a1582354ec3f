"""IAMC export: layout, round trip of values, swept settings, command line."""

import subprocess
import sys

import numpy as np
import pandas as pd

from model import iamc

from .presentation_data import write_run_folder, write_sweep_folder


def test_columns_and_seed_column_only_with_several_seeds(sweep, runs):
    table = iamc.to_iamc(sweep)
    assert list(table.columns) == ["model", "scenario", "seed", "region", "variable", "unit",
                                   "year", "value"]
    assert set(table["seed"]) == {0, 1}
    assert set(table["model"]) == {"HNCR-ABM"}
    assert not table["value"].isna().any()
    single = iamc.to_iamc(runs[0], model_name="X")
    assert list(single.columns) == iamc.COLUMNS
    assert set(single["scenario"]) == {"baseline"}
    keys = ["model", "scenario", "region", "variable", "year"]
    assert not single.duplicated(keys).any()
    assert not table.duplicated([*keys, "seed"]).any()


def test_variable_names_follow_the_iamc_style(sweep):
    names = set(iamc.to_iamc(sweep)["variable"])
    for expected in ("Land|Industrial Clusters|Occupancy",
                     "Emissions|CO2|AFOLU|Forest Net Absorption", "Carbon Stock|Forest",
                     "Economy|Land Rent Forgone", "Transport|Commuting|Mean Time",
                     "Transport|Commuting|Workers Relocated Firms|Motorbike"):
        assert expected in names
    assert all("|" in n for n in names)


def test_round_trip_through_the_csv(sweep, tmp_path):
    path = iamc.write_iamc(sweep, tmp_path / "iamc.csv")
    back = pd.read_csv(path)
    assert not list(tmp_path.glob("*.tmp*"))

    def pivot(variable, region):
        rows = back[(back["variable"] == variable) & (back["region"] == region)]
        return rows.pivot_table(index=["scenario", "seed"], columns="year", values="value")

    occ = pivot("Land|Industrial Clusters|Occupancy", "Phú Thọ")
    assert len(occ) == 4
    for (scenario, seed), row in occ.iterrows():
        np.testing.assert_allclose(
            row.values, sweep["province_occupancy"].sel(
                scenario=scenario, seed=seed, province="Phú Thọ").values * 100, rtol=1e-12)

    net = pivot("Emissions|CO2|AFOLU|Forest Net Absorption", "Thái Nguyên")
    data = sweep["forest_net_absorption_tco2e"].sel(province="Thái Nguyên")
    assert 2025 not in net.columns  # base-year flows are NaN: left out, not written
    for (scenario, seed), row in net.iterrows():
        np.testing.assert_allclose(row.values, data.sel(scenario=scenario, seed=seed,
                                                        year=list(net.columns)).values)

    rent = pivot("Economy|Land Rent Forgone", iamc.REGION_TOTAL)
    total = sweep["rent_forgone_vnd"].sum("province") * 1e-9
    for (scenario, seed), row in rent.iterrows():
        np.testing.assert_allclose(row.values, total.sel(scenario=scenario, seed=seed).values)

    quit_ = pivot("Employment|Workers Relocated Firms|Quit", iamc.REGION_TOTAL)
    for (scenario, seed), row in quit_.iterrows():
        np.testing.assert_allclose(row.values, sweep["workers_quit"].sel(
            scenario=scenario, seed=seed).values)
    # Occupancy is not additive: no region total.
    assert back[(back["variable"] == "Land|Industrial Clusters|Occupancy")
                & (back["region"] == iamc.REGION_TOTAL)].empty


def test_swept_settings_are_folded_into_the_scenario_name(sweep):
    swept = sweep.expand_dims(policies__forest__carbon_price_usd_tco2e=[5.0, 10.0])
    names = set(iamc.to_iamc(swept)["scenario"])
    assert names == {f"{s}|policies__forest__carbon_price_usd_tco2e={p}"
                     for s in ("baseline", "phu_tho_programme") for p in (5, 10)}


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
