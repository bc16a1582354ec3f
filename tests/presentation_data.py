"""A small sweep made in memory for the presentation tests (figures, report, IAMC export).

Two scenarios × two seeds at agent scale 0.05 to 2032: a few seconds, made once per test module.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

import model
from model.compare import combine_runs
from model.outputs import write_netcdf

SCENARIOS = ("baseline", "phu_tho_programme")
SEEDS = (0, 1)
END_YEAR = 2032


def small_runs() -> list[xr.Dataset]:
    return [model.run(scenario=s, seed=seed, agent_scale=0.05,
                      overrides={"run.end_year": END_YEAR, "run.progress": False})
            for s in SCENARIOS for seed in SEEDS]


def small_sweep(runs: list[xr.Dataset]) -> xr.Dataset:
    return combine_runs(runs)


def write_sweep_folder(sweep: xr.Dataset, folder: Path) -> Path:
    write_netcdf(sweep, folder / "sweep.nc")
    return folder


def write_run_folder(run: xr.Dataset, folder: Path) -> Path:
    write_netcdf(run, folder / "results.nc")
    return folder
