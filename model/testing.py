"""Helpers for checking and comparing results datasets (for the test-suite and for researchers).

- :func:`check_results` lists every way a dataset departs from the results contract
  (``docs/results.md``): coordinates, attributes, variable dimensions and attributes, and the
  accounting identities of the variables present (:func:`check_identities`).
- :func:`assert_results_equal` compares two runs' results, ignoring the attributes that say when
  and from which commit a run was made.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
import yaml

from .cf import cf_units
from .outputs import VARIABLES

CORE_COORDS = ("year", "province", "zone", "cluster", "mode", "forest_type", "sector")
ZONE_COORDS = ("zone_name", "zone_province", "zone_lat", "zone_lon")
CLUSTER_COORDS = (
    "cluster_name", "cluster_province", "cluster_zone", "cluster_kind", "cluster_priority",
)
ATTRS = (
    "title", "scenario", "seed", "model_version", "git_commit", "region_data_sha256",
    "config_yaml", "created_utc", "Conventions",
)
RUN_SPECIFIC_ATTRS = ("created_utc", "git_commit", "model_version", "region_path", "history",
                      "source")


def check_results(ds: xr.Dataset) -> list[str]:
    """Return the problems of a results dataset against the contract (empty when it conforms)."""
    problems: list[str] = []
    problems += [f"missing coordinate {c!r}" for c in CORE_COORDS if c not in ds.coords]
    problems += [f"missing zone coordinate {c!r}" for c in ZONE_COORDS if c not in ds.coords]
    problems += [f"missing cluster coordinate {c!r}" for c in CLUSTER_COORDS if c not in ds.coords]
    problems += [f"missing global attribute {a!r}" for a in ATTRS if a not in ds.attrs]
    if ds.attrs.get("Conventions") not in (None, "CF-1.10"):
        problems.append(f"Conventions is {ds.attrs['Conventions']!r}, expected 'CF-1.10'")
    if "year" in ds.coords:
        years = np.asarray(ds["year"])
        if years.size < 2 or np.any(np.diff(years) != 1):
            problems.append("year is not a consecutive annual sequence")
    for name, var in ds.data_vars.items():
        meta = VARIABLES.get(str(name))
        if meta is None:
            problems.append(f"variable {name!r} is not declared in model.outputs.VARIABLES")
            continue
        if tuple(var.dims) != meta.dims:
            problems.append(f"{name} has dims {var.dims}, expected {meta.dims}")
        for attr in ("units", "long_name", "long_name_vi"):
            if not var.attrs.get(attr):
                problems.append(f"{name} lacks attribute {attr!r}")
        expected = cf_units(meta.units, meta.long_name, meta.kind)
        if var.attrs.get("units") not in (None, expected):
            problems.append(f"{name} has units {var.attrs['units']!r}, expected {expected!r} "
                            f"(the CF form of {meta.units!r})")
        values = np.asarray(var, dtype=float)
        if np.isinf(values).any():
            problems.append(f"{name} has infinite values")
    return problems + check_identities(ds)


def check_identities(ds: xr.Dataset, rtol: float = 1e-9) -> list[str]:
    """The accounting identities of the results contract, for the variables present."""
    problems: list[str] = []
    names = set(ds.data_vars)
    if {"cluster_occupied_ha", "cluster_serviced_ha"} <= names:
        excess = float((ds["cluster_occupied_ha"] - ds["cluster_serviced_ha"]).max())
        if excess > 1e-6:
            problems.append(f"occupied exceeds serviced land by up to {excess:.3g} ha")
    if "cluster_serviced_ha" in names:
        shrink = float(-ds["cluster_serviced_ha"].diff("year").min()) if ds.sizes["year"] > 1 \
            else 0.0
        if shrink > 1e-6:
            problems.append(f"serviced land shrinks by up to {shrink:.3g} ha in a year")
    if "cluster_phases_started" in names:
        phases = ds["cluster_phases_started"].values
        if (phases < 0).any() or not np.allclose(phases, np.rint(phases)):
            problems.append("cluster_phases_started is not a non-negative whole number")
    if "serviced_land_cost_vnd" in names and (ds["serviced_land_cost_vnd"].values < 0).any():
        problems.append("serviced_land_cost_vnd is negative")
    if "firms" in names:
        total = ds["firms"].sum(["province", "sector"]).values
        if np.ptp(total) > 1e-6 * max(1.0, float(np.abs(total).max())):
            problems.append("total firms change over the years (conservation)")
    carbon = {"forest_carbon_stock_tco2e", "forest_removals_tco2e",
              "forest_emissions_harvest_tco2e", "forest_emissions_fire_tco2e",
              "forest_emissions_conversion_tco2e", "forest_net_absorption_tco2e"}
    if carbon <= names:
        stock = ds["forest_carbon_stock_tco2e"].sum("forest_type")
        flows = (ds["forest_removals_tco2e"] - ds["forest_emissions_harvest_tco2e"]
                 - ds["forest_emissions_fire_tco2e"] - ds["forest_emissions_conversion_tco2e"])
        change = stock.diff("year")
        gap = np.abs((change - flows.sel(year=change["year"])).values)
        scale = np.maximum(np.abs(stock.values[1:]), 1.0)
        worst = float(np.max(gap / scale)) if gap.size else 0.0
        if not np.isfinite(worst) or worst > rtol:
            problems.append(f"carbon stock change differs from the flows: worst relative gap "
                            f"{worst:.3g}")
        net = np.abs((flows - ds["forest_net_absorption_tco2e"]).values[1:])
        if np.max(net / np.maximum(np.abs(flows.values[1:]), 1.0)) > rtol:
            problems.append("net absorption differs from removals minus emissions")
    problems += _credit_identities(ds, rtol)
    return problems


CREDIT_NAMES = ("carbon_credits_tco2e", "credit_reversals_tco2e", "credit_cancellations_tco2e",
                "credit_leakage_tco2e", "buffer_pool_tco2e", "additional_stock_tco2e")


def _credit_identities(ds: xr.Dataset, rtol: float) -> list[str]:
    """The registry ledger (``model/forest/credits.py``), every year and province.

    With b the buffer share and L the leakage share of the run's configuration, c credits, r
    reversals, x cancellations, l leakage, B the buffer pool and A the additional stock:
    ``B_t - B_{t-1} = bin_t - (r_t - x_t)`` defines the buffer intake ``bin``, and
    ``(1 - b) bin = b c``, ``L (c + bin) = (1 - L) l``, ``0 <= x <= r``,
    ``sum(c) - sum(r) <= (1 - b)(1 - L) max(A, 0)`` and
    ``sum(c) - sum(x) + B <= (1 - L) max(A, 0)``.
    """
    if not set(CREDIT_NAMES) <= set(ds.data_vars) or "config_yaml" not in ds.attrs:
        return []
    forest = (yaml.safe_load(ds.attrs["config_yaml"]).get("policies") or {}).get("forest") or {}
    if "buffer_share" not in forest or "leakage_share" not in forest:
        return []
    b, leak = float(forest["buffer_share"]), float(forest["leakage_share"])
    get = {n: np.nan_to_num(ds[n].transpose("year", "province").values) for n in CREDIT_NAMES}
    c, r, x = get["carbon_credits_tco2e"], get["credit_reversals_tco2e"], get[
        "credit_cancellations_tco2e"]
    lk, pool, add = get["credit_leakage_tco2e"], get["buffer_pool_tco2e"], get[
        "additional_stock_tco2e"]
    scale = rtol * max(1.0, float(np.abs(add).max()), float(np.abs(c).sum(axis=0).max()))
    if "forest_carbon_stock_tco2e" in ds:
        stock = float(ds["forest_carbon_stock_tco2e"].sum("forest_type").max())
        scale = max(scale, rtol * stock)
    intake = np.diff(pool, axis=0, prepend=0.0) + r - x
    checks = {
        "a credit flow is negative": -min(c.min(), r.min(), x.min(), lk.min(), pool.min()),
        "cancellations exceed reversals": (x - r).max(),
        "buffer intake is not the buffer share of issuance": np.abs(
            (1 - b) * intake - b * c).max(),
        "leakage is not its share of the new additional stock": np.abs(
            leak * (c + intake) - (1 - leak) * lk).max(),
        "credits net of reversals exceed (1 - buffer)(1 - leakage) x additional stock": (
            np.cumsum(c - r, axis=0) - (1 - b) * (1 - leak) * np.maximum(add, 0.0)).max(),
        "outstanding credits plus buffer exceed (1 - leakage) x additional stock": (
            np.cumsum(c - x, axis=0) + pool - (1 - leak) * np.maximum(add, 0.0)).max(),
    }
    return [f"credit ledger: {what} (by {gap:.3g} tCO2e)" for what, gap in checks.items()
            if gap > scale]


def assert_results_equal(
    actual: xr.Dataset, expected: xr.Dataset, *, rtol: float = 1e-12, atol: float = 0.0,
    ignore_attrs: tuple[str, ...] = (),
) -> None:
    """Assert two results datasets hold the same data, coordinates and run settings.

    Attributes that depend on when or where a run was made (creation time, commit, version,
    region path) are ignored, and so are ``ignore_attrs``; everything else, ``config_yaml``
    included, must match.
    """
    skip = set(RUN_SPECIFIC_ATTRS) | set(ignore_attrs)

    def strip(ds: xr.Dataset) -> xr.Dataset:
        ds = ds.copy()
        ds.attrs = {k: v for k, v in ds.attrs.items() if k not in skip}
        return ds

    a, e = strip(actual), strip(expected)
    xr.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
    for key in sorted(set(a.attrs) | set(e.attrs)):
        va, ve = a.attrs.get(key), e.attrs.get(key)
        if not np.array_equal(np.asarray(va), np.asarray(ve)):
            raise AssertionError(f"attribute {key!r} differs: {va!r} != {ve!r}")


def changed_settings(old_yaml: str, new_yaml: str) -> list[str]:
    """Settings recorded in ``old_yaml`` whose value differs (or is gone) in ``new_yaml``.

    Keys only in ``new_yaml`` (parameters added since) are not changes.
    """
    def walk(old: object, new: object, key: str) -> list[str]:
        if isinstance(old, dict):
            if not isinstance(new, dict):
                return [key]
            return [c for k, v in old.items()
                    for c in walk(v, new.get(k, _MISSING), f"{key}.{k}" if key else str(k))]
        return [] if old == new else [key]

    return walk(yaml.safe_load(old_yaml), yaml.safe_load(new_yaml), "")


_MISSING = object()
