"""IAMC export: a run or a sweep as the long table integrated-assessment tools read.

``to_iamc(ds)`` gives one row per model, scenario, region, variable, unit and year (plus ``seed``
when the data has more than one seed); ``write_iamc(ds, path)`` writes it as ``iamc.csv``; the
command line ``python -m model.iamc FOLDER`` does so for a run or a sweep folder. The layout is
pyam's (``pyam.IamDataFrame(pd.read_csv("iamc.csv"))`` reads it, with ``seed`` as an extra
column).

Scenarios: a sweep's swept settings are folded into the scenario name,
``carbon_credits|policies__forest__carbon_price_usd_tco2e=10`` (:func:`model.compare.as_sweep`).
Regions: the provinces of the run, and ``Hà Nội Capital Region`` (:data:`REGION_TOTAL`) for
region-wide variables and for the sums of additive province variables. Missing values (a failed
member, the base year of the forest flows) are left out, not written as NaN.

Variable mapping (results variable → IAMC variable, unit; × factor):

================================  ===============================================  ================
results (docs/results.md)         IAMC variable                                    unit
================================  ===============================================  ================
province_occupancy                Land|Industrial Clusters|Occupancy               % (× 100)
cluster_occupied_ha (by prov.)    Land|Industrial Clusters|Area Let                ha
cluster_serviced_ha (by prov.)    Land|Industrial Clusters|Area Serviced           ha
firms_relocated                   Economy|Firms|Relocated                          firms/yr
firms_relocated (cumulated)       Economy|Firms|Relocated|Cumulative               firms
firms (summed over sectors)       Economy|Firms|Located                            firms
jobs                              Employment|Jobs                                  jobs
local_hires                       Employment|Local Hires|Cumulative                workers
vacancies                         Employment|Vacancies                             jobs
workers_moved_home                Employment|Workers Relocated Firms|Moved Home    workers
workers_quit                      Employment|Workers Relocated Firms|Quit          workers
workers_commuting (by mode)       Transport|Commuting|Workers Relocated Firms|<m>  workers
mean_commute_min                  Transport|Commuting|Mean Time                    min
commute_over_60min_share          Transport|Commuting|Share Over 60 min            % (× 100)
commute_co2_t                     Emissions|CO2|Energy|Demand|Transportation|      t CO2/yr
                                  Commuting
rent_forgone_vnd                  Economy|Land Rent Forgone                        billion VND/yr
                                                                                   (× 1e-9)
carbon_payments_vnd               Economy|Payments|Forest Carbon                   billion VND/yr
pfes_payments_vnd                 Economy|Payments|PFES                            billion VND/yr
forest_area_ha (sum of types)     Land Cover|Forest                                ha
forest_carbon_stock_tco2e (sum)   Carbon Stock|Forest                              t CO2e
forest_net_absorption_tco2e       Emissions|CO2|AFOLU|Forest Net Absorption        t CO2e/yr
forest_removals_tco2e             Emissions|CO2|AFOLU|Forest Removals              t CO2e/yr
forest_emissions_harvest_tco2e    Emissions|CO2|AFOLU|Forest|Harvest               t CO2e/yr
forest_emissions_fire_tco2e       Emissions|CO2|AFOLU|Forest|Fire                  t CO2e/yr
forest_emissions_conversion_...   Emissions|CO2|AFOLU|Forest|Conversion            t CO2e/yr
carbon_credits_tco2e              Carbon Credits|Forest                            t CO2e/yr
================================  ===============================================  ================

``Forest Net Absorption`` keeps the results' sign (positive = sink), unlike IAMC emission
variables where positive is an emission; its name says so.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from .compare import as_sweep, load_results
from .errors import UserError
from .outputs import write_text

REGION_TOTAL = "Hà Nội Capital Region"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]


@dataclass(frozen=True)
class Mapping:
    """One IAMC variable: how to compute it from a results dataset (sweep layout)."""

    variable: str
    unit: str
    compute: Callable[[xr.Dataset], xr.DataArray]
    """Gives a (scenario, seed, year[, province][, mode]) array in the IAMC unit."""
    additive: bool = True
    """The region total is the sum over provinces (False: no total row)."""


def _by_cluster_province(name: str) -> Callable[[xr.Dataset], xr.DataArray]:
    def compute(ds: xr.Dataset) -> xr.DataArray:
        da = ds[name].assign_coords(province=("cluster", ds["cluster_province"].values))
        return da.groupby("province").sum("cluster").reindex(province=ds["province"].values,
                                                             fill_value=0.0)
    return compute


MAPPINGS: list[Mapping] = [
    Mapping("Land|Industrial Clusters|Occupancy", "%",
            lambda ds: ds["province_occupancy"] * 100, additive=False),
    Mapping("Land|Industrial Clusters|Area Let", "ha", _by_cluster_province("cluster_occupied_ha")),
    Mapping("Land|Industrial Clusters|Area Serviced", "ha",
            _by_cluster_province("cluster_serviced_ha")),
    Mapping("Economy|Firms|Relocated", "firms/yr", lambda ds: ds["firms_relocated"]),
    Mapping("Economy|Firms|Relocated|Cumulative", "firms",
            lambda ds: ds["firms_relocated"].cumsum("year")),
    Mapping("Economy|Firms|Located", "firms", lambda ds: ds["firms"].sum("sector")),
    Mapping("Employment|Jobs", "jobs", lambda ds: ds["jobs"]),
    Mapping("Employment|Local Hires|Cumulative", "workers", lambda ds: ds["local_hires"]),
    Mapping("Employment|Vacancies", "jobs", lambda ds: ds["vacancies"]),
    Mapping("Employment|Workers Relocated Firms|Moved Home", "workers",
            lambda ds: ds["workers_moved_home"]),
    Mapping("Employment|Workers Relocated Firms|Quit", "workers", lambda ds: ds["workers_quit"]),
    Mapping("Transport|Commuting|Workers Relocated Firms", "workers",
            lambda ds: ds["workers_commuting"]),
    Mapping("Transport|Commuting|Mean Time", "min", lambda ds: ds["mean_commute_min"],
            additive=False),
    Mapping("Transport|Commuting|Share Over 60 min", "%",
            lambda ds: ds["commute_over_60min_share"] * 100, additive=False),
    Mapping("Emissions|CO2|Energy|Demand|Transportation|Commuting", "t CO2/yr",
            lambda ds: ds["commute_co2_t"]),
    Mapping("Economy|Land Rent Forgone", "billion VND/yr",
            lambda ds: ds["rent_forgone_vnd"] * 1e-9),
    Mapping("Economy|Payments|Forest Carbon", "billion VND/yr",
            lambda ds: ds["carbon_payments_vnd"] * 1e-9),
    Mapping("Economy|Payments|PFES", "billion VND/yr", lambda ds: ds["pfes_payments_vnd"] * 1e-9),
    Mapping("Land Cover|Forest", "ha", lambda ds: ds["forest_area_ha"].sum("forest_type")),
    Mapping("Carbon Stock|Forest", "t CO2e",
            lambda ds: ds["forest_carbon_stock_tco2e"].sum("forest_type")),
    Mapping("Emissions|CO2|AFOLU|Forest Net Absorption", "t CO2e/yr",
            lambda ds: ds["forest_net_absorption_tco2e"]),
    Mapping("Emissions|CO2|AFOLU|Forest Removals", "t CO2e/yr",
            lambda ds: ds["forest_removals_tco2e"]),
    Mapping("Emissions|CO2|AFOLU|Forest|Harvest", "t CO2e/yr",
            lambda ds: ds["forest_emissions_harvest_tco2e"]),
    Mapping("Emissions|CO2|AFOLU|Forest|Fire", "t CO2e/yr",
            lambda ds: ds["forest_emissions_fire_tco2e"]),
    Mapping("Emissions|CO2|AFOLU|Forest|Conversion", "t CO2e/yr",
            lambda ds: ds["forest_emissions_conversion_tco2e"]),
    Mapping("Carbon Credits|Forest", "t CO2e/yr", lambda ds: ds["carbon_credits_tco2e"]),
]
"""Every exported variable (see the table in the module docstring)."""

MODE_NAMES = {"motorbike": "Motorbike", "car": "Car", "shuttle_bus": "Shuttle Bus",
              "public_bus": "Public Bus", "rail": "Rail"}


def _rows(mapping: Mapping, da: xr.DataArray) -> pd.DataFrame:
    with_total = da
    if "province" in da.dims and mapping.additive:
        total = da.sum("province", min_count=1).expand_dims(province=[REGION_TOTAL])
        with_total = xr.concat([da, total], dim="province")
    elif "province" not in da.dims:
        with_total = da.expand_dims(province=[REGION_TOTAL])
    frame = with_total.rename("value").to_dataframe().reset_index()
    frame = frame.rename(columns={"province": "region"})
    frame["variable"] = mapping.variable
    if "mode" in frame:
        frame["variable"] = mapping.variable + "|" + frame["mode"].map(
            lambda m: MODE_NAMES.get(m, str(m).replace("_", " ").title()))
    frame["unit"] = mapping.unit
    return frame[["scenario", "seed", "region", "variable", "unit", "year", "value"]]


def to_iamc(ds: xr.Dataset, model_name: str = "HNCR-ABM") -> pd.DataFrame:
    """The results in the long IAMC layout (see the module docstring for the mapping).

    Columns ``model, scenario, region, variable, unit, year, value``, and ``seed`` (after
    ``scenario``) when the data has more than one seed. Variables the dataset lacks are skipped.
    """
    sweep = as_sweep(ds)
    frames = []
    for mapping in MAPPINGS:
        try:
            da = mapping.compute(sweep)
        except KeyError:
            continue
        keep = {"scenario", "seed", "year", "province", "mode"}
        da = da.drop_vars([c for c in da.coords if c not in keep])
        frames.append(_rows(mapping, da))
    table = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    table.insert(0, "model", model_name)
    table["year"] = table["year"].astype(int)
    columns = list(COLUMNS)
    if sweep.sizes["seed"] > 1:
        columns.insert(2, "seed")
        table["seed"] = table["seed"].astype(int)
    return table[columns].reset_index(drop=True)


def write_iamc(ds: xr.Dataset, path: str | Path, model_name: str = "HNCR-ABM") -> Path:
    """Write :func:`to_iamc` as CSV at ``path`` (atomically); return the path."""
    return write_text(to_iamc(ds, model_name).to_csv(index=False), path)


def main(argv: list[str] | None = None) -> int:
    """``python -m model.iamc FOLDER``: write ``iamc.csv`` into a run or sweep folder."""
    parser = argparse.ArgumentParser(
        prog="python -m model.iamc",
        description="Write iamc.csv (the IAMC long table) into a run or sweep folder.")
    parser.add_argument("folder", help="a run folder (results.nc) or a sweep folder (sweep.nc)")
    parser.add_argument("--model-name", default="HNCR-ABM", help="the model column")
    args = parser.parse_args(argv)
    try:
        results = load_results(args.folder)
        path = write_iamc(results.ds, results.folder / "iamc.csv", args.model_name)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
