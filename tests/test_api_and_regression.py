"""The Python interface, determinism, and the seeded regression against a committed file."""

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import model
from model.testing import assert_results_equal, changed_settings, check_results

REGRESSION_FILE = Path(__file__).parent / "data" / "regression_small.nc"
REGRESSION_RUN = {"scenario": "corridors", "seed": 1, "agent_scale": 0.1,
                  "overrides": {"run.end_year": 2032}}


def test_run_returns_a_conforming_dataset_without_hydra():
    ds = model.run(scenario="baseline", seed=2, overrides={"run.end_year": 2027})
    assert check_results(ds) == []
    assert ds.sizes["year"] == 3
    assert ds.attrs["config_yaml"].startswith("scenario: baseline")


def test_same_seed_same_results_and_written_file_round_trips(tmp_path):
    config = model.load_config("baseline", seed=5, overrides={"run.end_year": 2027})
    ds, _ = model.run_to_folder(config, tmp_path)
    again = model.run(config)
    assert_results_equal(again, ds)
    with xr.open_dataset(tmp_path / "results.nc") as written:
        assert_results_equal(written.load(), ds)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.nc", "summary.txt"]


def test_corridor_scenario_shortens_trips_to_the_centre():
    base = model.run(scenario="baseline", overrides={"run.end_year": 2045})
    corr = model.run(scenario="corridors", overrides={"run.end_year": 2045})
    b = base["travel_time_to_centre_min"].sel(year=2045)
    c = corr["travel_time_to_centre_min"].sel(year=2045)
    assert (c <= b + 1e-9).all()
    assert (c < b - 1e-9).any()
    # Base year: no corridor of the scenario is open yet.
    xr.testing.assert_equal(base["travel_time_to_centre_min"].sel(year=2025),
                            corr["travel_time_to_centre_min"].sel(year=2025))


def test_seeded_regression_against_committed_file():
    """Compare with tests/data/regression_small.nc.

    When behaviour changes on purpose, regenerate it with HNCR_UPDATE_REGRESSION=1 and say why in
    the commit message.
    """
    ds = model.run(**REGRESSION_RUN)
    if os.environ.get("HNCR_UPDATE_REGRESSION") == "1":
        model.outputs.write_netcdf(ds, REGRESSION_FILE)
        pytest.fail("regression file regenerated; rerun without HNCR_UPDATE_REGRESSION")
    with xr.open_dataset(REGRESSION_FILE) as expected:
        expected = expected.load()
    # Data must match exactly; the recorded settings must all still hold (parameters added since
    # the file was made are allowed: they did not exist, so they cannot have changed).
    assert changed_settings(expected.attrs["config_yaml"], ds.attrs["config_yaml"]) == []
    assert_results_equal(ds, expected, rtol=1e-10, ignore_attrs=("config_yaml",))


def test_regression_file_is_small():
    assert REGRESSION_FILE.stat().st_size < 2_000_000


def test_results_have_no_infinite_travel_times():
    ds = model.run(overrides={"run.end_year": 2026})
    assert np.isfinite(ds["travel_time_to_centre_min"].values).all()


def test_changed_settings_ignores_added_keys_and_finds_changed_ones():
    old = "a: 1\nb:\n  c: 2\n  d: [1, 2]\n"
    assert changed_settings(old, "a: 1\nb:\n  c: 2\n  d: [1, 2]\n  e: 5\nf: 0\n") == []
    assert changed_settings(old, "a: 1\nb:\n  c: 3\n  d: [1, 2]\n") == ["b.c"]
    assert changed_settings(old, "a: 1\nb:\n  d: [1]\n") == ["b.c", "b.d"]
