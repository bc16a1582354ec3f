"""CF-1.10 encoding of results.nc and sweep.nc; the files the external checkers of .ci/ read.

When ``HNCR_EXTERNAL_CHECKS_DIR`` is set (``.ci/run`` sets it), the files written here are copied
there: ``.ci/external_clients.sh`` then runs the IOOS compliance-checker and pyam on them in a
separate virtual environment.
"""

import os
import shutil
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import xarray as xr
import yaml

from model import cf, iamc
from model.outputs import VARIABLES, Variable, write_netcdf
from model.sweep import collate
from model.testing import check_results

CHECKS_DIR_VAR = "HNCR_EXTERNAL_CHECKS_DIR"


def _member(folder: Path, run: xr.Dataset) -> None:
    """A sweep member folder as Hydra leaves it (results and the three .hydra files)."""
    hydra = folder / ".hydra"
    hydra.mkdir(parents=True)
    scenario, seed = run.attrs["scenario"], int(run.attrs["seed"])
    (hydra / "overrides.yaml").write_text(yaml.safe_dump([f"scenario={scenario}",
                                                          f"seed={seed}"]))
    (hydra / "config.yaml").write_text(yaml.safe_dump({"seed": seed}))
    (hydra / "hydra.yaml").write_text(yaml.safe_dump(
        {"hydra": {"runtime": {"choices": {"scenario": scenario}}}}))
    write_netcdf(run, folder / "results.nc")


@pytest.fixture(scope="module")
def files(runs, tmp_path_factory):
    """results.nc of one run, sweep.nc collated from four members, and the IAMC tables."""
    root = tmp_path_factory.mktemp("cf")
    run_folder = root / "run"
    write_netcdf(runs[0], run_folder / "results.nc")
    sweep_folder = root / "sweep"
    for number, run in enumerate(runs):
        _member(sweep_folder / str(number), run)
    collate(sweep_folder)
    with xr.open_dataset(sweep_folder / "sweep.nc") as opened:
        iamc.write_iamc(opened.load(), sweep_folder / "iamc.csv")
    iamc.write_iamc(runs[0], run_folder / "iamc.csv")
    written = {"results.nc": run_folder / "results.nc", "sweep.nc": sweep_folder / "sweep.nc",
               "iamc_sweep.csv": sweep_folder / "iamc.csv", "iamc_run.csv": run_folder / "iamc.csv"}
    target = os.environ.get(CHECKS_DIR_VAR)
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for name, path in written.items():
            shutil.copy(path, Path(target) / name)
    return written


@pytest.mark.parametrize("name", ["results.nc", "sweep.nc"])
def test_plain_xarray_selects_by_label(files, name):
    with xr.open_dataset(files[name]) as ds:
        assert ds["province"].dtype.kind in "OU"
        occ = ds["province_occupancy"].sel(province="Phú Thọ")
        assert "province" not in occ.dims
        assert ds.indexes["zone"].is_unique and "PT_VIET_TRI" in ds.indexes["zone"]
        assert ds["cluster_priority"].dtype == bool
        assert int(ds["cluster_priority"].sum()) > 0
        assert str(ds["zone_name"].sel(zone="PT_VIET_TRI").values) == "Việt Trì"


def test_labels_are_utf8_character_arrays_on_disk(files):
    with netCDF4.Dataset(files["results.nc"]) as nc:
        nc.set_auto_chartostring(False)
        for name in ("province", "zone", "zone_name", "cluster", "mode", "forest_type"):
            var = nc.variables[name]
            assert var.dtype == np.dtype("S1"), name
            assert var.getncattr("_Encoding") == "utf-8"
            assert var.dimensions[0] == name or name.startswith("zone_")
        assert nc.variables["year"].dtype.kind == "i"


def test_units_and_attributes_follow_the_table(files):
    with xr.open_dataset(files["results.nc"]) as ds:
        removals = ds["forest_removals_tco2e"].attrs
        assert removals["units"] == "t/yr" and removals["species"] == "CO2e"
        assert "CO2 equivalent" in removals["long_name"]
        assert ds["forest_carbon_stock_tco2e"].attrs["units"] == "t"  # a stock: no /yr
        rent = ds["rent_forgone_vnd"].attrs
        assert rent["units"] == "1/yr" and rent["currency"] == "VND"
        assert rent["price_base_year"] == int(ds["year"][0])
        assert ds["carbon_payments_vnd"].attrs["units"] == "1/yr"
        assert ds["commute_co2_t"].attrs["units"] == "t/yr"
        assert ds["commute_co2_t"].attrs["species"] == "CO2"
        assert ds["firms"].attrs["units"] == "1"
        assert ds["firms_relocated"].attrs["units"] == "1/yr"
        assert ds["afforested_ha"].attrs["units"] == "ha/yr"
        assert ds["forest_area_ha"].attrs["units"] == "ha"
        assert ds["zone_lat"].attrs["standard_name"] == "latitude"
        assert ds["zone_lon"].attrs["units"] == "degrees_east"
        assert list(ds["cluster_priority"].attrs["flag_values"]) == [0, 1]
        assert ds["cluster_priority"].attrs["flag_meanings"] == "not_priority priority"
        assert ds.attrs["Conventions"] == "CF-1.10"
        assert "hncr-model" in ds.attrs["history"]
        for name in ds.variables:
            if name in ds.data_vars or name in cf.COORDINATES:
                assert ds[name].attrs.get("long_name"), name
        assert check_results(ds) == []


def test_sweep_file_has_the_same_attributes_and_a_history(files):
    with xr.open_dataset(files["sweep.nc"]) as ds:
        assert ds["forest_net_absorption_tco2e"].attrs["units"] == "t/yr"
        assert ds["scenario"].attrs["long_name"] == "scenario"
        assert "sweep collated" in ds.attrs["history"]
        assert set(ds["scenario"].values) == {"baseline", "phu_tho_programme"}


@pytest.mark.parametrize(("unit", "long_name", "kind", "expected"), [
    ("tCO2e", "credits issued in the year after buffer and leakage", "", "t/yr"),
    ("tCO2e", "reversals debited in the year", "", "t/yr"),
    ("tCO2e", "balance of the buffer pool at year end", "", "t"),
    ("tCO2e", "cumulative project stock minus baseline stock", "", "t"),
    ("tCO2e", "leakage deducted", "flow", "t/yr"),
    ("count", "cluster servicing phases started in the year", "", "1/yr"),
    ("VND", "public cost of land serviced ahead of demand, in the year", "", "1/yr"),
    ("VND/yr", "a cost", "", "1/yr"),
    ("t/yr", "a flow already declared as a rate", "", "t/yr"),
    ("min", "mean one-way commute", "", "min"),
])
def test_new_variables_get_cf_units_from_their_declaration(unit, long_name, kind, expected):
    assert cf.cf_units(unit, long_name, kind) == expected


def test_a_newly_declared_variable_is_written_conformingly(runs, tmp_path, monkeypatch):
    ds = runs[0].copy()
    ds["buffer_pool_tco2e"] = ds["forest_removals_tco2e"].cumsum("year") * 0.2
    ds["serviced_land_cost_vnd"] = ds["rent_forgone_vnd"] * 3
    monkeypatch.setitem(VARIABLES, "buffer_pool_tco2e", Variable(
        ("year", "province"), "tCO2e", "balance of the buffer pool at year end", "quỹ dự phòng"))
    monkeypatch.setitem(VARIABLES, "serviced_land_cost_vnd", Variable(
        ("year", "province"), "VND", "public cost of land serviced ahead of demand in the year",
        "chi phí hạ tầng"))
    write_netcdf(ds, tmp_path / "results.nc")
    with xr.open_dataset(tmp_path / "results.nc") as back:
        assert back["buffer_pool_tco2e"].attrs["units"] == "t"
        assert back["buffer_pool_tco2e"].attrs["species"] == "CO2e"
        cost = back["serviced_land_cost_vnd"].attrs
        assert (cost["units"], cost["currency"]) == ("1/yr", "VND")


def test_every_declared_unit_maps_to_a_cf_unit():
    known = {"t", "t/yr", "1", "1/yr", "ha", "ha/yr", "min", "yr"}
    for name, meta in VARIABLES.items():
        units = cf.cf_units(meta.units, meta.long_name, meta.kind)
        assert units in known, (name, units)
