"""Experiment designs: Latin hypercubes over levers × uncertainties × seeds, run as Hydra sweeps.

A design is declared in a sweep preset (``configs/sweep/explore_*.yaml``) under ``experiment``::

    experiment:
      name: explore_phu_tho
      samples: 200          # experiments (rows of the Latin hypercube)
      design_seed: 2045     # the hypercube's own seed (not a run seed)
      levers: all           # dotted keys of model/levers.py LEVERS, or all, or []
      uncertainties: [...]  # dotted keys of parameters with a range, or all, or []
      id: 0                 # the member's experiment (swept: range(0, samples))

and the preset sweeps ``experiment.id`` × ``seed`` (× ``scenario``) with Hydra's basic sweeper, so
the members run on the existing launchers (joblib locally, submitit on SLURM). Every member
regenerates the same design from this block (:func:`design`: ``scipy.stats.qmc.LatinHypercube``
with ``design_seed``, one stratum per experiment and dimension; integers equally likely; a year
lever's code ``high + 1`` means *never*, see :mod:`model.levers`), takes its row and applies it
on top of the scenario (:func:`member_settings`): a lever set by the design always replaces the
scenario's value. Without levers the design depends on the uncertainties only, so every scenario
of a sweep meets the same futures (what regret needs).

After the sweep, :func:`collate` writes beside ``sweep.nc`` (which the generic collation writes):

- ``experiments.nc``: the headline variables along ``scenario`` × ``experiment`` × ``seed`` ×
  ``year`` (× ``province``), with the design (codes) as variables along ``experiment``;
- ``design.csv``: the design, one row per experiment (codes; *never* = ``high + 1``);
- ``outcomes.csv``: one row per member (scenario, experiment, seed, design codes, the scalar
  outcomes of :data:`OUTCOMES`), the table ``python -m model.discover`` reads.

Command line::

    python -m model.experiments design PRESET [--scenario S]   # print the design of a preset
    python -m model.experiments collate FOLDER                  # (re)collate an experiment sweep
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from . import levers as lv
from .config import deep_merge, dotted_to_nested
from .errors import ConfigError, UserError
from .outputs import write_netcdf, write_text
from .paths import configs_dir

PHU_THO = "Phú Thọ"


def _at(variable: str, province: str | None, year: int | None,
        cumulative: bool = False) -> Callable[[xr.Dataset], xr.DataArray]:
    def pick(ds: xr.Dataset) -> xr.DataArray:
        da = ds[variable]
        if cumulative:
            da = da.fillna(0.0).cumsum("year")
        if province is not None:
            da = da.sel(province=province)
        return da.sel(year=year if year is not None else ds["year"].values[-1])
    return pick


OUTCOMES: dict[str, Callable[[xr.Dataset], xr.DataArray]] = {
    "occupancy_phu_tho_2035": _at("province_occupancy", PHU_THO, 2035),
    "occupancy_phu_tho_2045": _at("province_occupancy", PHU_THO, 2045),
    "occupancy_thai_nguyen_2045": _at("province_occupancy", "Thái Nguyên", 2045),
    "net_absorption_phu_tho_2045": _at("forest_net_absorption_tco2e", PHU_THO, 2045),
    "net_absorption_phu_tho_cumulative_2045": _at("forest_net_absorption_tco2e", PHU_THO, 2045,
                                                  cumulative=True),
    "firms_relocated_phu_tho_2045": _at("firms_relocated", PHU_THO, 2045, cumulative=True),
    "rent_forgone_phu_tho_vnd_2045": _at("rent_forgone_vnd", PHU_THO, 2045, cumulative=True),
    "carbon_payments_phu_tho_vnd_2045": _at("carbon_payments_vnd", PHU_THO, 2045,
                                            cumulative=True),
    "workers_quit_2045": _at("workers_quit", None, 2045),
}
"""Scalar outcomes of a run (units of the variables: docs/results.md; cumulative sums from the
base year for flows named ``..._2045``). Any ``variable:province:year`` (``province`` empty for
variables without one) is accepted too, see :func:`outcome_function`."""

HEADLINE_VARIABLES = (
    "province_occupancy", "firms_relocated", "jobs", "rent_forgone_vnd",
    "forest_net_absorption_tco2e", "carbon_payments_vnd", "pfes_payments_vnd",
    "mean_commute_min", "workers_quit", "workers_moved_home", "commute_co2_t",
)
"""Variables kept in ``experiments.nc`` (the full per-run data stays in each member's folder)."""


def outcome_function(name: str, ds: xr.Dataset | None = None
                     ) -> Callable[[xr.Dataset], xr.DataArray]:
    """The function giving a scalar outcome of a run.

    ``name`` is a name of :data:`OUTCOMES` or ``variable:province:year`` (e.g.
    ``province_occupancy:phu_tho:2030``; the province in any spelling the region accepts when
    ``ds`` is given).

    Raises:
        UserError: neither form.
    """
    if name in OUTCOMES:
        return OUTCOMES[name]
    parts = name.split(":")
    if len(parts) == 3 and parts[2].strip().isdigit():
        variable, province, year = parts
        if ds is not None and province and "province" in ds.coords:
            from .region import name_key

            spelt = [str(p) for p in ds["province"].values if name_key(str(p)) == name_key(
                province)]
            province = spelt[0] if spelt else province
        return _at(variable, province or None, int(year))
    raise UserError(f"unknown outcome {name!r}; use one of {', '.join(OUTCOMES)} or "
                    "variable:province:year (e.g. province_occupancy:phu_tho:2030)")


def outcome_values(ds: xr.Dataset, names: list[str]) -> dict[str, float]:
    """Scalar outcomes of one run (NaN where the run lacks the year, province or variable)."""
    out = {}
    for name in names:
        try:
            out[name] = float(outcome_function(name, ds)(ds))
        except (KeyError, ValueError, TypeError):
            out[name] = float("nan")
    return out


@dataclass(frozen=True)
class DesignSpec:
    """The ``experiment`` block of a preset."""

    name: str = "experiment"
    samples: int = 10
    design_seed: int = 0
    levers: list[str] | str = field(default_factory=list)
    uncertainties: list[str] | str = "all"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "experiment") -> DesignSpec:
        """Validate an ``experiment`` block (unknown keys and bad values are errors)."""
        known = {"name", "samples", "design_seed", "levers", "uncertainties", "id"}
        problems = [f"{where}.{k}: unknown key; allowed: {', '.join(sorted(known))}"
                    for k in data if k not in known]
        samples = data.get("samples", cls.samples)
        if not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
            problems.append(f"{where}.samples: expected a positive integer, got {samples!r}")
        seed = data.get("design_seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            problems.append(f"{where}.design_seed: expected an integer >= 0, got {seed!r}")
        for key in ("levers", "uncertainties"):
            value = data.get(key, getattr(cls, key, None) if key != "levers" else [])
            if not (value == "all" or (isinstance(value, list) and all(
                    isinstance(v, str) for v in value))):
                problems.append(f"{where}.{key}: expected 'all' or a list of dotted keys, got "
                                f"{value!r}")
        if problems:
            raise ConfigError(where, problems)
        return cls(name=str(data.get("name", cls.name)), samples=samples, design_seed=seed,
                   levers=data.get("levers", []), uncertainties=data.get("uncertainties", "all"))

    def dimensions(self, scenario_settings: Mapping[str, Any]) -> list[lv.Dimension]:
        """Levers then uncertainties of the design (empty lists give none)."""
        lev = lv.levers(self.levers, scenario_settings) if self.levers else []
        unc = lv.uncertainties(self.uncertainties) if self.uncertainties else []
        if not lev and not unc:
            raise ConfigError("experiment", ["the design has no levers and no uncertainties"])
        return lev + unc


def design(spec: DesignSpec, scenario_settings: Mapping[str, Any]) -> pd.DataFrame:
    """The Latin hypercube of a design.

    One row per experiment (index ``experiment``), one column of codes per dimension (named
    ``key`` with ``.`` -> ``__``).

    Same spec and scenario ⇒ same design (the hypercube draws from ``design_seed`` only).
    """
    from scipy.stats import qmc

    dims = spec.dimensions(scenario_settings)
    unit = qmc.LatinHypercube(d=len(dims), seed=np.random.default_rng(spec.design_seed)).random(
        spec.samples)
    columns = {d.name: [d.code(d.from_unit(u)) for u in unit[:, j]] for j, d in enumerate(dims)}
    return pd.DataFrame(columns, index=pd.RangeIndex(spec.samples, name="experiment"))


def row_values(row: Mapping[str, float], dims: list[lv.Dimension]) -> dict[str, Any]:
    """Dotted keys to configuration values for one design row (codes -> settings)."""
    return {d.key: d.value(float(row[d.name])) for d in dims}


def member_settings(settings: Mapping[str, Any], experiment: Mapping[str, Any],
                    scenario_settings: Mapping[str, Any]) -> dict[str, Any]:
    """A member's nested settings with its design row applied (what ``python -m model`` runs).

    Args:
        settings: the composed settings (defaults + scenario + command line).
        experiment: the preset's ``experiment`` block, with the member's ``id``.
        scenario_settings: the scenario's own settings (which programmes it defines).

    Raises:
        ConfigError: a bad block or an ``id`` outside the design.
    """
    spec = DesignSpec.from_mapping(experiment)
    index = experiment.get("id", 0)
    if not isinstance(index, int) or not 0 <= index < spec.samples:
        raise ConfigError("experiment", [f"experiment.id: {index!r} is not an experiment of the "
                                         f"design; allowed 0 .. {spec.samples - 1}"])
    dims = spec.dimensions(scenario_settings)
    values = row_values(design(spec, scenario_settings).loc[index], dims)
    return deep_merge(settings, dotted_to_nested(lv.overrides(values, settings)))


def load_preset(name: str) -> dict[str, Any]:
    """The ``experiment`` block of ``configs/sweep/<name>.yaml``.

    Raises:
        UserError: no such preset, or it declares no experiment.
    """
    path = configs_dir() / "sweep" / f"{name}.yaml"
    if not path.is_file():
        raise UserError(f"no preset {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "experiment" not in data:
        raise UserError(f"{path} declares no experiment block")
    return data


# ---- collation ---------------------------------------------------------------------------


def _experiment_block(member_folder: Path) -> dict[str, Any] | None:
    config = yaml.safe_load((member_folder / ".hydra" / "config.yaml").read_text()) or {}
    block = config.get("experiment")
    return block if isinstance(block, dict) else None


def _designs(members: list, blocks: list) -> tuple[dict[str, pd.DataFrame], list[int], str]:
    """Each scenario's design, each member's experiment, and a title.

    An experiment preset's members regenerate their design; a plain sweep's design is its swept
    numeric settings (one experiment per combination of their values).

    Raises:
        UserError: a plain sweep that swept no numeric setting.
    """
    from .api import scenario_settings
    from .sweep import dim_name

    if all(b is not None for b in blocks):
        spec = DesignSpec.from_mapping(blocks[0])
        designs = {m.scenario: design(spec, scenario_settings(m.scenario)) for m in members}
        return designs, [int(b.get("id", 0)) for b in blocks], f"Experiment {spec.name}"
    keys = sorted({k for m in members for k in m.swept})
    numeric = [k for k in keys if all(isinstance(m.swept.get(k), (int, float))
                                      and not isinstance(m.swept.get(k), bool) for m in members)]
    if not numeric:
        raise UserError("the sweep varied no numeric setting besides scenario and seed: nothing "
                        "to discover; run an experiment preset (configs/sweep/explore_*.yaml)")
    combos = sorted({tuple(float(m.swept[k]) for k in numeric) for m in members})
    table = pd.DataFrame(combos, columns=[dim_name(k) for k in numeric])
    table.index.name = "experiment"
    ids = [combos.index(tuple(float(m.swept[k]) for k in numeric)) for m in members]
    return dict.fromkeys({m.scenario for m in members}, table), ids, "Sweep"


def collate(folder: str | Path, outcomes: list[str] | None = None) -> list[Path]:
    """Write ``experiments.nc``, ``design.csv`` and ``outcomes.csv`` for an experiment sweep.

    A plain sweep (``python -m model -m ...``) works too: its swept numeric settings are the
    design.

    Raises:
        UserError: not a sweep folder, nothing varied, or no member succeeded.
    """
    from .sweep import read_members

    folder = Path(folder)
    members = read_members(folder)
    blocks = [_experiment_block(m.folder) for m in members]
    designs, ids, title = _designs(members, blocks)
    names = outcomes or list(OUTCOMES)
    rows, parts = [], []
    for m, experiment in zip(members, ids, strict=True):
        row = {"scenario": m.scenario, "experiment": experiment, "seed": m.seed}
        if m.ok:
            with xr.open_dataset(m.folder / "results.nc") as ds:
                data = ds[[v for v in HEADLINE_VARIABLES if v in ds]].load()
            row |= outcome_values(data, names)
            labels = {k: ("run", [v]) for k, v in
                      (("scenario", m.scenario), ("experiment", experiment), ("seed", m.seed))}
            data.attrs = {}
            parts.append(data.expand_dims("run").assign_coords(labels))
        else:
            row |= dict.fromkeys(names, float("nan"))
        row |= designs[m.scenario].loc[experiment].to_dict()
        rows.append(row)
    if not parts:
        raise UserError("no member of the experiment succeeded (runs_failed.csv says why)")
    table = pd.DataFrame(rows).sort_values(["scenario", "experiment", "seed"])
    stacked = xr.concat(parts, dim="run", join="outer", combine_attrs="override")
    combined = stacked.set_index(run=["scenario", "experiment", "seed"]).unstack("run")
    combined = combined.transpose("scenario", "experiment", "seed", ...)
    first = next(iter(designs.values()))
    for col in first.columns:
        combined[f"design__{col}"] = ("experiment", first.loc[combined["experiment"].values,
                                                              col].to_numpy())
    block = next((b for b in blocks if b is not None), None)
    combined.attrs = {"title": f"{title}: headline results over the design",
                      "Conventions": "CF-1.10"}
    if block is not None:
        combined.attrs["experiment"] = yaml.safe_dump(block | {"id": "swept"},
                                                      allow_unicode=True)
    written = [write_netcdf(combined.drop_encoding(), folder / "experiments.nc")]
    frames = [d.reset_index().assign(scenario=s) for s, d in designs.items()]
    written.append(write_text(pd.concat(frames).to_csv(index=False), folder / "design.csv"))
    written.append(write_text(table.to_csv(index=False), folder / "outcomes.csv"))
    return written


def read_outcomes(folder: str | Path) -> pd.DataFrame:
    """The ``outcomes.csv`` of an experiment folder (collated on the fly if missing).

    Raises:
        UserError: not an experiment folder.
    """
    path = Path(folder) / "outcomes.csv"
    if not path.is_file():
        collate(folder)
    if not path.is_file():
        raise UserError(f"{folder}: no outcomes.csv could be written")
    return pd.read_csv(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m model.experiments design|collate ...``."""
    parser = argparse.ArgumentParser(prog="python -m model.experiments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("design", help="print the design of a preset (configs/sweep/)")
    d.add_argument("preset")
    d.add_argument("--scenario", default=None, help="default: the preset's scenario")
    sub.add_parser("collate", help="(re)collate an experiment sweep folder").add_argument(
        "folder")
    args = parser.parse_args(argv)
    try:
        if args.command == "design":
            from .api import scenario_settings

            data = load_preset(args.preset)
            spec = DesignSpec.from_mapping(data["experiment"])
            params = (data.get("hydra", {}).get("sweeper", {}) or {}).get("params", {}) or {}
            scenario = args.scenario or str(params.get("scenario", "baseline")).split(",")[0]
            print(design(spec, scenario_settings(scenario)).to_csv())
            return 0
        for path in collate(args.folder):
            print(f"written: {path}")
        return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
