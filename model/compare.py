"""Comparing scenarios: one layout for a run and a sweep, ranges across seeds, the baseline.

The figures (:mod:`model.plots`), the report (:mod:`model.report`) and the IAMC export
(:mod:`model.iamc`) all read results through these helpers, so a single run and a sweep look the
same to them:

- :func:`as_sweep` gives every dataset the leading dimensions ``scenario`` and ``seed``; a single
  run becomes one scenario (its ``scenario`` attribute) and one seed, and the other swept settings
  of a sweep (dimensions such as ``policies__forest__carbon_price_usd_tco2e``) are folded into the
  scenario label, ``carbon_credits|policies__forest__carbon_price_usd_tco2e=10``;
- :func:`spread` gives the median and the 5th and 95th percentiles across seeds, as ``summary.csv``
  does (linear interpolation, NaN slots of failed members skipped);
- :func:`baseline_of` finds the run each scenario is compared with, and :func:`paired_difference`
  the scenario minus the baseline seed by seed (seeds are common random numbers across scenarios).

:func:`load_results` opens a run folder, a sweep folder or a ``.nc`` file, raising
:class:`~model.errors.UserError` with what was expected when the path is none of those.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import UserError

BASELINE = "baseline"
FOCUS_PROVINCES = ("Phú Thọ", "Thái Nguyên")
"""The two receiving provinces of the provincial action plans: named first everywhere."""


@dataclass
class Results:
    """What :func:`load_results` opened."""

    ds: xr.Dataset
    """The results in the sweep layout (leading dimensions ``scenario``, ``seed``)."""
    folder: Path
    kind: str
    """``run`` or ``sweep``."""
    attrs: dict
    """Global attributes of the run, or of the sweep completed from its baseline member."""


def _label_value(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


def swept_dims(ds: xr.Dataset) -> list[str]:
    """Dimensions of a sweep that are swept settings (named like ``policies__forest__x``)."""
    return [d for d in ds.dims if "__" in str(d)]


def as_sweep(ds: xr.Dataset) -> xr.Dataset:
    """The dataset with leading dimensions ``scenario`` and ``seed`` and no other swept ones.

    A single run gains both dimensions from its attributes. Swept settings are folded into the
    scenario label (``scenario|key=value|key=value``); combinations where every value of every
    variable is missing (a setting not swept for that scenario) are dropped.
    """
    out = ds
    if "scenario" not in out.dims:
        out = out.expand_dims(scenario=[str(ds.attrs.get("scenario", "run"))])
    if "seed" not in out.dims:
        seed = ds.attrs.get("seed", 0)
        out = out.expand_dims(seed=[int(seed) if str(seed).lstrip("-").isdigit() else 0])
    extra = swept_dims(out)
    if extra:
        stacked = out.stack(_combo=["scenario", *extra])
        labels = []
        for combo in stacked["_combo"].values:
            scenario, *values = combo
            parts = [str(scenario)] + [f"{d}={_label_value(v)}"
                                       for d, v in zip(extra, values, strict=True)]
            labels.append("|".join(parts))
        stacked = stacked.drop_vars(["_combo", "scenario", *extra])
        stacked = stacked.assign_coords(_combo=labels).rename(_combo="scenario")
        numeric = [v for v in stacked.data_vars if stacked[v].dtype.kind in "fiub"]
        present = [s for s in labels if any(
            bool(stacked[v].sel(scenario=s).notnull().any()) for v in numeric)]
        out = stacked.sel(scenario=present)
    out = out.transpose("scenario", "seed", ...)
    out.attrs = dict(ds.attrs)
    return out


def combine_runs(runs: Iterable[xr.Dataset]) -> xr.Dataset:
    """Datasets of single runs (``model.run``) combined along ``scenario`` and ``seed``.

    The result has the layout of ``sweep.nc`` (without swept settings): a notebook can make a
    small sweep in memory and hand it to the figures, the report's tables or the IAMC export.
    Text variables are dropped (as in ``sweep.nc``); run attributes common to all runs are kept.

    Raises:
        UserError: two runs have the same scenario and seed, or there are no runs.
    """
    parts = []
    for ds in runs:
        numeric = ds.drop_vars([v for v in ds.data_vars if ds[v].dtype.kind not in "fiub"])
        labels = {"scenario": str(ds.attrs.get("scenario", "run")),
                  "seed": int(ds.attrs.get("seed", 0))}
        parts.append(numeric.expand_dims("run").assign_coords(
            {k: ("run", [v]) for k, v in labels.items()}))
    if not parts:
        raise UserError("no runs to combine")
    keys = [(str(p["scenario"].values[0]), int(p["seed"].values[0])) for p in parts]
    if len(set(keys)) < len(keys):
        raise UserError(f"runs share a scenario and seed: {sorted(keys)}")
    stacked = xr.concat(parts, dim="run", coords="minimal", compat="override", join="exact",
                        combine_attrs="drop_conflicts")
    combined = stacked.set_index(run=["scenario", "seed"]).unstack("run")
    combined = combined.transpose("scenario", "seed", ...)
    for key in ("scenario", "seed", "config_yaml", "created_utc"):
        combined.attrs.pop(key, None)
    return combined


def scenario_order(ds: xr.Dataset) -> list[str]:
    """Scenario labels with the baseline first, then the others in their order in the data."""
    labels = [str(s) for s in ds["scenario"].values]
    return sorted(labels, key=lambda s: (s.split("|")[0] != BASELINE, labels.index(s)))


def baseline_of(label: str, labels: list[str]) -> str | None:
    """The baseline a scenario is compared with (None when there is none or it is the baseline).

    A label with swept settings is compared with the baseline with the same settings if the sweep
    ran it, otherwise with the plain baseline.
    """
    name, _, settings = label.partition("|")
    if name == BASELINE:
        return None
    same = f"{BASELINE}|{settings}" if settings else BASELINE
    for candidate in (same, BASELINE):
        if candidate in labels:
            return candidate
    return None


def spread(da: xr.DataArray) -> xr.Dataset:
    """Median, 5th and 95th percentiles across seeds (``median``, ``p05``, ``p95``, ``n``)."""
    with warnings.catch_warnings():
        # All-NaN slots (failed members, years without flows) have NaN percentiles, as they should.
        warnings.simplefilter("ignore", RuntimeWarning)
        q = da.quantile([0.05, 0.5, 0.95], dim="seed", method="linear", skipna=True)
    return xr.Dataset({
        "p05": q.sel(quantile=0.05, drop=True),
        "median": q.sel(quantile=0.5, drop=True),
        "p95": q.sel(quantile=0.95, drop=True),
        "n": da.count("seed"),
    })


def paired_difference(da: xr.DataArray, label: str, baseline: str) -> xr.DataArray:
    """Scenario minus baseline, seed by seed (the same seed is the same draw of uncertainties)."""
    return da.sel(scenario=label, drop=True) - da.sel(scenario=baseline, drop=True)


def weighted_mean(values: xr.DataArray, weights: xr.DataArray, dim: str) -> xr.DataArray:
    """Mean of ``values`` over ``dim`` weighted by ``weights``, ignoring missing values."""
    ok = values.notnull() & weights.notnull() & (weights > 0)
    w = weights.where(ok, 0.0)
    total = w.sum(dim)
    return (values.where(ok, 0.0) * w).sum(dim) / total.where(total > 0)


def last_year(ds: xr.Dataset) -> int:
    """The last year of the horizon (2045 by default)."""
    return int(ds["year"].values[-1])


def milestones(ds: xr.Dataset, wanted: tuple[int, ...] = (2030, 2035, 2045)) -> list[int]:
    """The wanted milestone years within the horizon, plus the last year when it is not one."""
    years = [int(y) for y in ds["year"].values]
    return sorted({y for y in wanted if y in years} | {years[-1]})


def load_results(path: str | Path) -> Results:
    """Open a run folder (``results.nc``), a sweep folder (``sweep.nc``) or a ``.nc`` file.

    Raises:
        UserError: the path does not exist or holds neither file, or the file is not a results
            dataset of this model.
    """
    path = Path(path).expanduser()
    if path.is_file() and path.suffix == ".nc":
        file, folder = path, path.parent
    elif path.is_dir() and (path / "sweep.nc").is_file():
        file, folder = path / "sweep.nc", path
    elif path.is_dir() and (path / "results.nc").is_file():
        file, folder = path / "results.nc", path
    else:
        what = "does not exist" if not path.exists() else "holds neither sweep.nc nor results.nc"
        raise UserError(
            f"{path} {what}. Give the folder of one run (outputs/runs/<date>/<time>, with "
            "results.nc), the folder of a sweep (with sweep.nc, written when the sweep ends; "
            "python -m model.sweep collate FOLDER writes it again), or a .nc file of either.")
    try:
        with xr.open_dataset(file) as opened:
            ds = opened.load()
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{file} cannot be read as a netCDF results file ({first[:200]}); "
                        "re-run or re-collate to write it again") from exc
    if "year" not in ds.dims or "province_occupancy" not in ds:
        raise UserError(f"{file} is not a results file of this model (no year dimension or no "
                        "province_occupancy); see docs/results.md for the layout")
    kind = "sweep" if "scenario" in ds.dims else "run"
    attrs = dict(ds.attrs)
    if kind == "sweep":
        attrs |= _member_attrs(folder)
    return Results(ds=as_sweep(ds), folder=folder, kind=kind, attrs=attrs)


def _member_attrs(folder: Path) -> dict:
    """Attributes of the sweep's baseline member (or its first), for its config and region."""
    members = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()
                      and (p / "results.nc").is_file()), key=lambda p: int(p.name))
    chosen = None
    for member in members:
        with xr.open_dataset(member / "results.nc") as opened:
            attrs = dict(opened.attrs)
        if chosen is None or attrs.get("scenario") == BASELINE:
            chosen = attrs
        if attrs.get("scenario") == BASELINE:
            break
    if chosen is None:
        return {}
    keep = ("config_yaml", "region_path", "agent_scale", "created_utc")
    return {k: chosen[k] for k in keep if k in chosen} | {"config_scenario": chosen.get(
        "scenario", "")}
