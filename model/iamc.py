"""IAMC export: a run or a sweep as the long table integrated-assessment tools read.

``to_iamc(ds)`` gives one row per model, scenario, region, variable, unit and year;
``write_iamc(ds, path)`` writes it as ``iamc.csv``; ``python -m model.iamc FOLDER`` does so for a
run or a sweep folder. ``pyam.IamDataFrame(pd.read_csv("iamc.csv"))`` reads it with no extra
column, and pyam's ``check_aggregate`` and ``check_aggregate_region`` pass (``.ci/run`` checks both
with pyam 4.0 and iam-units in a separate environment: ``.ci/external_clients.py``).

Names, units and signs follow the IAMC common definitions (github.com/IAMconsortium/
common-definitions, ``definitions/variable/``) where they define the quantity; the other variables
are this model's extensions in the same ``Category|Subcategory`` style (``ext`` in the table).

- **Sign.** ``Emissions|CO2|AFOLU|…`` are net emissions: a forest sink is **negative**
  (``emissions/emissions-afolu.yaml``: "Net emissions 'Emissions|CO2|AFOLU' = 'Gross
  Emissions|CO2|AFOLU' + 'Gross Removals|CO2|AFOLU'"), so ``Gross Removals|CO2|AFOLU`` is negative
  too and ``Gross Emissions|CO2|AFOLU`` positive. The results' ``forest_net_absorption_tco2e``
  (positive = sink) appears with the opposite sign. ``Forest Land`` is forest remaining forest
  (growth − harvest − fire); ``Deforestation`` is forest converted to industrial land. The model has
  no other AFOLU flows, so ``Emissions|CO2|AFOLU`` = ``…|LULUCF`` = ``…|Forest Land`` +
  ``…|Deforestation``. Forest carbon is biomass carbon × 44/12: CO2, reported as ``Mt CO2``.
- **Seeds** become scenario labels, ``baseline|seed=3``, when the data has more than one seed (a
  single seed keeps the plain scenario name): every row is one model run, so aggregates hold
  exactly. Swept settings are folded in the same way,
  ``carbon_credits|policies__forest__carbon_price_usd_tco2e=10|seed=0``.
- **Regions:** the provinces, and ``Hà Nội Capital Region`` (:data:`REGION_TOTAL`) for
  region-wide variables and for the sums of additive ones (intensive variables such as occupancy
  have no total). Forest variables are reported only for provinces that have forest; missing
  values (a failed member, the base year of flows) are left out, never written as NaN or 0.
- **Money** is converted from constant VND of the price base year (the base year of the region
  data, 2025) to ``USD_2022`` — the latest US-dollar price year iam-units defines, so that pyam
  converts it: VND → USD at the run's ``firms.usd_vnd`` (26,000 VND/US$, 2025), then 2025 → 2022
  US dollars with :data:`USD_DEFLATOR_2025_2022`. iam-units has no VND.
- **Counts** are in ``thousand`` (firms, jobs, workers), as the common definitions report
  population and employment in ``million``.

Variable mapping (IAMC variable [unit] ← results variable; ``ext``: this model's extension):

- ``Emissions|CO2|AFOLU`` [Mt CO2/yr] ← −forest_net_absorption_tco2e
- ``Emissions|CO2|AFOLU|LULUCF`` [Mt CO2/yr] ← −forest_net_absorption_tco2e
- ``Emissions|CO2|AFOLU|LULUCF|Forest Land`` [Mt CO2/yr] ← harvest + fire − removals
- ``Emissions|CO2|AFOLU|LULUCF|Deforestation`` [Mt CO2/yr] ← forest_emissions_conversion_tco2e
- ``Gross Emissions|CO2|AFOLU`` [Mt CO2/yr] ← harvest + fire + conversion
- ``Gross Emissions|CO2|AFOLU|Forest Harvest`` [Mt CO2/yr] ext ← forest_emissions_harvest_tco2e
- ``Gross Emissions|CO2|AFOLU|Forest Fire`` [Mt CO2/yr] ext ← forest_emissions_fire_tco2e
- ``Gross Emissions|CO2|AFOLU|Deforestation`` [Mt CO2/yr] ext ← forest_emissions_conversion_tco2e
- ``Gross Removals|CO2|AFOLU`` [Mt CO2/yr] ← −forest_removals_tco2e
- ``Carbon Stock|Forest`` [Mt CO2] ext ← forest_carbon_stock_tco2e (sum)
- ``Land Cover|Forest`` [million ha] ← forest_area_ha (sum of types)
- ``Land Cover|Forest|Planted|Plantation|Timber`` [million ha] ← plantation types
- ``Carbon Credits|Forest|Issued`` [Mt CO2/yr] ext ← carbon_credits_tco2e
- ``Carbon Credits|Forest|Reversals`` [Mt CO2/yr] ext ← credit_reversals_tco2e
- ``Carbon Credits|Forest|Leakage`` [Mt CO2/yr] ext ← credit_leakage_tco2e
- ``Carbon Credits|Forest|Buffer Pool`` [Mt CO2] ext ← buffer_pool_tco2e
- ``Carbon Credits|Forest|Additional Stock`` [Mt CO2] ext ← additional_stock_tco2e
- ``Emissions|CO2|Energy|Demand|Transportation|Commuting`` [Mt CO2/yr] ext ← commute_co2_t
- ``Land|Industrial Clusters|Occupancy`` [%] ext ← province_occupancy
- ``Land|Industrial Clusters|Area Let`` [ha] ext ← cluster_occupied_ha (by province)
- ``Land|Industrial Clusters|Area Serviced`` [ha] ext ← cluster_serviced_ha (by province)
- ``Land|Industrial Clusters|Phases Started`` [1/yr] ext ← cluster_phases_started
- ``Economy|Firms|Relocated`` [thousand/yr] ext ← firms_relocated
- ``Economy|Firms|Relocated|Cumulative`` [thousand] ext ← firms_relocated (cumulated)
- ``Economy|Firms|Located`` [thousand] ext ← firms (summed over sectors)
- ``Employment|Jobs`` [thousand] ext ← jobs
- ``Employment|Local Hires|Cumulative`` [thousand] ext ← local_hires
- ``Employment|Vacancies`` [thousand] ext ← vacancies
- ``Employment|Workers Relocated Firms|Moved Home`` [thousand] ext ← workers_moved_home
- ``Employment|Workers Relocated Firms|Quit`` [thousand] ext ← workers_quit
- ``Transport|Commuting|Workers Relocated Firms[|<Mode>]`` [thousand] ext ← workers_commuting
- ``Transport|Commuting|Mean Time`` [min] ext ← mean_commute_min
- ``Transport|Commuting|Share Over 60 min`` [%] ext ← commute_over_60min_share
- ``Economy|Land Rent Forgone`` [billion USD_2022/yr] ext ← rent_forgone_vnd
- ``Economy|Payments|Forest Carbon`` [billion USD_2022/yr] ext ← carbon_payments_vnd
- ``Economy|Payments|PFES`` [billion USD_2022/yr] ext ← pfes_payments_vnd
- ``Economy|Serviced Land Cost`` [billion USD_2022/yr] ext ← serviced_land_cost_vnd

Variables a dataset lacks (an older file, a branch that does not write them) are skipped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr
import yaml

from .compare import as_sweep, load_results
from .errors import UserError
from .outputs import write_text

REGION_TOTAL = "Hà Nội Capital Region"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]

USD_DEFLATOR_2025_2022 = 1.08
"""US GDP price index 2025 / 2022 (assumed; range 1.06-1.10: the BEA GDP price index rose about
3.6 % in 2023, 2.4 % in 2024 and 2-3 % in 2025; BEA NIPA table 1.1.4, recollection, L). Converts
2025 US dollars to the ``USD_2022`` of iam-units."""
MONEY_UNIT = "billion USD_2022/yr"
MT = 1e-6
"""Tonnes to megatonnes."""
THOUSAND = 1e-3


@dataclass(frozen=True)
class Mapping:
    """One IAMC variable: how to compute it from a results dataset (sweep layout)."""

    variable: str
    unit: str
    compute: Callable[[xr.Dataset], xr.DataArray]
    """Gives a (scenario, seed, year[, province][, mode]) array in the IAMC unit and sign."""
    additive: bool = True
    """The region total is the sum over provinces (False: no total row)."""
    forest: bool = False
    """Reported only for provinces that have forest."""


def _sum_types(name: str, types: tuple[str, ...] | None = None):
    def compute(ds: xr.Dataset) -> xr.DataArray:
        da = ds[name]
        if types is not None:
            da = da.sel(forest_type=[t for t in types if t in da["forest_type"].values])
        return da.sum("forest_type", min_count=1)
    return compute


def _by_cluster_province(name: str) -> Callable[[xr.Dataset], xr.DataArray]:
    def compute(ds: xr.Dataset) -> xr.DataArray:
        da = ds[name].assign_coords(province=("cluster", ds["cluster_province"].values))
        return da.groupby("province").sum("cluster").reindex(province=ds["province"].values,
                                                             fill_value=0.0)
    return compute


def _usd_vnd(ds: xr.Dataset) -> float:
    """The run's exchange rate (VND per US$): from its recorded configuration, else the default."""
    from .config import RunConfig

    try:
        return float(yaml.safe_load(ds.attrs["config_yaml"])["firms"]["usd_vnd"])
    except (KeyError, TypeError, yaml.YAMLError):
        return float(RunConfig().firms.usd_vnd)


def _money(name: str) -> Callable[[xr.Dataset], xr.DataArray]:
    def compute(ds: xr.Dataset) -> xr.DataArray:
        return ds[name] / _usd_vnd(ds) / USD_DEFLATOR_2025_2022 * 1e-9
    return compute


def _gross_emissions(ds: xr.Dataset) -> xr.DataArray:
    return (ds["forest_emissions_harvest_tco2e"] + ds["forest_emissions_fire_tco2e"]
            + ds["forest_emissions_conversion_tco2e"]) * MT


def _forest_land(ds: xr.Dataset) -> xr.DataArray:
    return (ds["forest_emissions_harvest_tco2e"] + ds["forest_emissions_fire_tco2e"]
            - ds["forest_removals_tco2e"]) * MT


PLANTATIONS = ("plantation_small_timber", "plantation_large_timber")

MAPPINGS: list[Mapping] = [
    Mapping("Emissions|CO2|AFOLU", "Mt CO2/yr",
            lambda ds: -ds["forest_net_absorption_tco2e"] * MT, forest=True),
    Mapping("Emissions|CO2|AFOLU|LULUCF", "Mt CO2/yr",
            lambda ds: -ds["forest_net_absorption_tco2e"] * MT, forest=True),
    Mapping("Emissions|CO2|AFOLU|LULUCF|Forest Land", "Mt CO2/yr", _forest_land, forest=True),
    Mapping("Emissions|CO2|AFOLU|LULUCF|Deforestation", "Mt CO2/yr",
            lambda ds: ds["forest_emissions_conversion_tco2e"] * MT, forest=True),
    Mapping("Gross Emissions|CO2|AFOLU", "Mt CO2/yr", _gross_emissions, forest=True),
    Mapping("Gross Emissions|CO2|AFOLU|Forest Harvest", "Mt CO2/yr",
            lambda ds: ds["forest_emissions_harvest_tco2e"] * MT, forest=True),
    Mapping("Gross Emissions|CO2|AFOLU|Forest Fire", "Mt CO2/yr",
            lambda ds: ds["forest_emissions_fire_tco2e"] * MT, forest=True),
    Mapping("Gross Emissions|CO2|AFOLU|Deforestation", "Mt CO2/yr",
            lambda ds: ds["forest_emissions_conversion_tco2e"] * MT, forest=True),
    Mapping("Gross Removals|CO2|AFOLU", "Mt CO2/yr",
            lambda ds: -ds["forest_removals_tco2e"] * MT, forest=True),
    Mapping("Carbon Stock|Forest", "Mt CO2",
            lambda ds: _sum_types("forest_carbon_stock_tco2e")(ds) * MT, forest=True),
    Mapping("Land Cover|Forest", "million ha",
            lambda ds: _sum_types("forest_area_ha")(ds) * 1e-6, forest=True),
    Mapping("Land Cover|Forest|Planted|Plantation|Timber", "million ha",
            lambda ds: _sum_types("forest_area_ha", PLANTATIONS)(ds) * 1e-6, forest=True),
    Mapping("Carbon Credits|Forest|Issued", "Mt CO2/yr",
            lambda ds: ds["carbon_credits_tco2e"] * MT, forest=True),
    Mapping("Carbon Credits|Forest|Reversals", "Mt CO2/yr",
            lambda ds: ds["credit_reversals_tco2e"] * MT, forest=True),
    Mapping("Carbon Credits|Forest|Leakage", "Mt CO2/yr",
            lambda ds: ds["credit_leakage_tco2e"] * MT, forest=True),
    Mapping("Carbon Credits|Forest|Buffer Pool", "Mt CO2",
            lambda ds: ds["buffer_pool_tco2e"] * MT, forest=True),
    Mapping("Carbon Credits|Forest|Additional Stock", "Mt CO2",
            lambda ds: ds["additional_stock_tco2e"] * MT, forest=True),
    Mapping("Emissions|CO2|Energy|Demand|Transportation|Commuting", "Mt CO2/yr",
            lambda ds: ds["commute_co2_t"] * MT),
    Mapping("Land|Industrial Clusters|Occupancy", "%",
            lambda ds: ds["province_occupancy"] * 100, additive=False),
    Mapping("Land|Industrial Clusters|Area Let", "ha", _by_cluster_province("cluster_occupied_ha")),
    Mapping("Land|Industrial Clusters|Area Serviced", "ha",
            _by_cluster_province("cluster_serviced_ha")),
    Mapping("Land|Industrial Clusters|Phases Started", "1/yr",
            lambda ds: ds["cluster_phases_started"]),
    Mapping("Economy|Firms|Relocated", "thousand/yr",
            lambda ds: ds["firms_relocated"] * THOUSAND),
    Mapping("Economy|Firms|Relocated|Cumulative", "thousand",
            lambda ds: ds["firms_relocated"].cumsum("year") * THOUSAND),
    Mapping("Economy|Firms|Located", "thousand", lambda ds: ds["firms"].sum("sector") * THOUSAND),
    Mapping("Employment|Jobs", "thousand", lambda ds: ds["jobs"] * THOUSAND),
    Mapping("Employment|Local Hires|Cumulative", "thousand",
            lambda ds: ds["local_hires"] * THOUSAND),
    Mapping("Employment|Vacancies", "thousand", lambda ds: ds["vacancies"] * THOUSAND),
    Mapping("Employment|Workers Relocated Firms|Moved Home", "thousand",
            lambda ds: ds["workers_moved_home"] * THOUSAND),
    Mapping("Employment|Workers Relocated Firms|Quit", "thousand",
            lambda ds: ds["workers_quit"] * THOUSAND),
    Mapping("Transport|Commuting|Workers Relocated Firms", "thousand",
            lambda ds: ds["workers_commuting"].sum("mode") * THOUSAND),
    Mapping("Transport|Commuting|Workers Relocated Firms", "thousand",
            lambda ds: ds["workers_commuting"] * THOUSAND),
    Mapping("Transport|Commuting|Mean Time", "min", lambda ds: ds["mean_commute_min"],
            additive=False),
    Mapping("Transport|Commuting|Share Over 60 min", "%",
            lambda ds: ds["commute_over_60min_share"] * 100, additive=False),
    Mapping("Economy|Land Rent Forgone", MONEY_UNIT, _money("rent_forgone_vnd")),
    Mapping("Economy|Payments|Forest Carbon", MONEY_UNIT, _money("carbon_payments_vnd")),
    Mapping("Economy|Payments|PFES", MONEY_UNIT, _money("pfes_payments_vnd")),
    Mapping("Economy|Serviced Land Cost", MONEY_UNIT, _money("serviced_land_cost_vnd")),
]
"""Every exported variable (see the table in the module docstring); a by-mode array is split into
``<variable>|<Mode>`` rows."""

MODE_NAMES = {"motorbike": "Motorbike", "car": "Car", "shuttle_bus": "Shuttle Bus",
              "public_bus": "Public Bus", "rail": "Rail"}


def forest_provinces(ds: xr.Dataset) -> list[str]:
    """Provinces with forest in some year of some member (the others get no forest rows)."""
    if "forest_area_ha" not in ds:
        return [str(p) for p in ds["province"].values]
    area = ds["forest_area_ha"].sum("forest_type")
    has = (area > 0).any([d for d in area.dims if d != "province"])
    return [str(p) for p, keep in zip(ds["province"].values, has.values, strict=True) if keep]


def _rows(mapping: Mapping, da: xr.DataArray, forested: list[str]) -> pd.DataFrame:
    if "province" in da.dims and mapping.forest:
        da = da.sel(province=[p for p in da["province"].values if p in forested])
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

    Columns ``model, scenario, region, variable, unit, year, value``; with several seeds the
    scenario label ends in ``|seed=N``. Variables the dataset lacks are skipped.
    """
    sweep = as_sweep(ds)
    forested = forest_provinces(sweep)
    frames = []
    for mapping in MAPPINGS:
        try:
            da = mapping.compute(sweep)
        except KeyError:
            continue
        keep = {"scenario", "seed", "year", "province", "mode"}
        da = da.drop_vars([c for c in da.coords if c not in keep])
        frames.append(_rows(mapping, da, forested))
    table = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    table.insert(0, "model", model_name)
    table["year"] = table["year"].astype(int)
    if sweep.sizes["seed"] > 1:
        table["scenario"] = (table["scenario"].astype(str) + "|seed="
                             + table["seed"].astype(int).astype(str))
    return table[COLUMNS].reset_index(drop=True)


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
