"""Scenarios, sweeps, collation, failures, resume, launchers and sensitivity."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import model
import model.api
import model.sweep as sweep
from model.paths import configs_dir, scenario_names
from model.simulation import CapitalRegionModel
from model.testing import assert_results_equal, check_results

from .conftest import TINY_REGION, copy_region

FAST = ["run.agent_scale=0.05", "run.end_year=2027"]
EXPECTED_SCENARIOS = {"baseline", "land_rent_exemption", "corridors", "carbon_credits",
                      "phu_tho_programme", "thai_nguyen_plan", "capital_region"}


def run_sweep(*args, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")}
    env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "model", "-m", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_every_scenario_composes_and_validates_through_hydra_and_python():
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from model.__main__ import register_configs

    assert EXPECTED_SCENARIOS <= set(scenario_names())
    register_configs()
    with initialize_config_dir(config_dir=str(configs_dir()), version_base=None):
        for name in scenario_names():
            cfg = compose(config_name="config", overrides=[f"scenario={name}"])
            data = OmegaConf.to_container(cfg, resolve=True)
            data.pop("hydra", None)
            via_hydra = model.build_config(data, scenario=name)
            via_python = model.load_config(name)
            assert via_hydra == via_python, name
            CapitalRegionModel(model.load_config(name, agent_scale=0.05))  # levers resolve


def test_programmes_compose_their_levers():
    pt = model.load_config("phu_tho_programme")
    assert pt.policies.exemptions["phu_tho_priority"].years == 5
    assert pt.transport.corridors["phu_tho_urban_rail_1"] == 2035
    assert pt.policies.forest.credit_start_year == 2030
    both = model.load_config("capital_region")
    assert set(both.policies.green_bus) == {"hanoi_viet_tri", "hanoi_thai_nguyen"}
    assert both.policies.logistics.customs_provinces == ["Phú Thọ", "Thái Nguyên"]


def test_unknown_include_is_named(tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "bad.yaml").write_text("include: [nowhere]\n")
    monkeypatch.setattr(model.api, "scenarios_dir", lambda: folder)
    monkeypatch.setattr(model.api, "scenario_names", lambda: ["bad"])
    with pytest.raises(model.ConfigError, match=r"scenario 'nowhere' .included by 'bad'."):
        model.load_config("bad")


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("sweep")
    out = cwd / "s"
    proc = run_sweep("scenario=baseline,land_rent_exemption", "seed=0,1", *FAST,
                     "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={out}", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_sweep_writes_one_dataset_equal_to_the_individual_runs(small_sweep):
    out, proc = small_sweep
    assert "4 of 4 members succeeded" in proc.stdout
    assert "[4 of 4 done, 0 failed" in proc.stdout  # progress of the members
    with xr.open_dataset(out / "sweep.nc") as ds:
        ds = ds.load()
    assert ds["province_occupancy"].dims[:2] == ("scenario", "seed")
    assert set(ds["scenario"].values) == {"baseline", "land_rent_exemption"}  # not truncated
    assert list(ds["seed"].values) == [0, 1]
    single = model.run(scenario="land_rent_exemption", seed=1, agent_scale=0.05,
                       overrides={"run.end_year": 2027})
    member = ds.sel(scenario="land_rent_exemption", seed=1)
    for name in ("province_occupancy", "firms", "forest_carbon_stock_tco2e", "commute_flow"):
        np.testing.assert_allclose(member[name].values, single[name].values, rtol=1e-12)
    assert ds["province_occupancy"].attrs["units"] == "1"
    failed = pd.read_csv(out / "runs_failed.csv")
    assert failed.empty


def test_summary_lists_every_scenario_headline_province_and_milestone(small_sweep):
    out, _ = small_sweep
    summary = pd.read_csv(out / "summary.csv")
    assert {"scenario", "variable", "province", "year", "median", "p05", "p95"} <= set(summary)
    assert set(summary["scenario"]) == {"baseline", "land_rent_exemption"}
    assert set(summary["year"]) == {2027}  # the horizon ends before the first milestone
    defined = summary.dropna(subset=["p05", "median", "p95"])
    assert len(defined) > 50
    slack = 1e-9 * defined["p95"].abs().clip(lower=1)
    assert (defined["p05"] <= defined["median"] + slack).all()
    assert (defined["median"] <= defined["p95"] + slack).all()


def test_summary_percentiles_on_a_constructed_case():
    seeds = np.arange(20)
    values = np.stack([seeds * 1.0, seeds * 2.0 + 1])  # two provinces
    ds = xr.Dataset(
        {"province_occupancy": (("scenario", "seed", "year", "province"),
                                values.T[None, :, None, :] * np.ones((1, 20, 2, 2)))},
        coords={"scenario": ["s"], "seed": seeds, "year": [2030, 2045],
                "province": ["A", "B"]},
    )
    table = sweep.summarise(ds).set_index(["province", "year"])
    for province, column in (("A", seeds * 1.0), ("B", seeds * 2.0 + 1)):
        row = table.loc[(province, 2045)]
        assert row["median"] == pytest.approx(np.percentile(column, 50))
        assert row["p05"] == pytest.approx(np.percentile(column, 5))
        assert row["p95"] == pytest.approx(np.percentile(column, 95))
        assert row["n_seeds"] == 20


def test_failed_member_is_listed_others_kept_and_resume_reruns_only_it(tmp_path):
    good = copy_region(tmp_path / "good", TINY_REGION)
    bad = copy_region(tmp_path / "bad", TINY_REGION)
    (bad / "sectors.csv").write_text("not,a,sectors,table\n")
    out = tmp_path / "s"
    proc = run_sweep(f"region.path={good},{bad}", "transport.centre_zone=A", "seed=0",
                     "run.end_year=2027", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={out}",
                     cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "1 of 2 members succeeded" in proc.stdout
    assert "FAILED" in proc.stderr and "1 failed" in proc.stderr
    assert "Traceback" not in proc.stderr
    failed = pd.read_csv(out / "runs_failed.csv")
    assert list(failed["member"]) == [1]
    assert "sectors.csv" in failed["error"][0] and str(bad) in failed["overrides"][0]
    with xr.open_dataset(out / "sweep.nc") as ds:
        jobs = ds["jobs"].load()
    assert jobs.sel(region__path=str(good)).notnull().all()
    assert jobs.sel(region__path=str(bad)).isnull().all()  # the failed slot is NaN, not dropped
    kept = (out / "0" / "results.nc").stat().st_mtime_ns
    copy_region(bad, TINY_REGION)  # fix the data, then resume
    assert sweep.main(["resume", str(out)]) == 0
    assert (out / "0" / "results.nc").stat().st_mtime_ns == kept  # not re-run
    assert (out / "1" / "results.nc").is_file()
    assert pd.read_csv(out / "runs_failed.csv").empty
    with xr.open_dataset(out / "sweep.nc") as ds:
        assert ds["jobs"].notnull().all()


def test_results_are_identical_across_launchers_and_job_counts(tmp_path):
    args = ["seed=0,1", *FAST]
    for name, extra in (("one", ["hydra.launcher.n_jobs=1"]), ("two", ["hydra.launcher.n_jobs=2"]),
                        ("submitit", ["hydra/launcher=submitit_local"])):
        proc = run_sweep(*args, *extra, f"hydra.sweep.dir={tmp_path / name}", cwd=tmp_path)
        assert proc.returncode == 0, (name, proc.stderr)
    opened = {n: xr.open_dataset(tmp_path / n / "sweep.nc").load() for n in
              ("one", "two", "submitit")}
    assert_results_equal(opened["two"], opened["one"])
    assert_results_equal(opened["submitit"], opened["one"])
    sequential = model.run(seed=1, agent_scale=0.05, overrides={"run.end_year": 2027})
    member = opened["one"].sel(scenario="baseline", seed=1)
    np.testing.assert_array_equal(member["cluster_occupied_ha"].values,
                                  sequential["cluster_occupied_ha"].values)


def test_swept_setting_becomes_a_dimension(tmp_path):
    out = tmp_path / "s"
    proc = run_sweep("seed=0", "policies.forest.carbon_price_usd_tco2e=5,21.3", *FAST,
                     "policies.forest.credit_start_year=2026", f"hydra.sweep.dir={out}",
                     "hydra.launcher.n_jobs=2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out / "sweep.nc") as ds:
        price = ds["policies__forest__carbon_price_usd_tco2e"].values
        credits = ds["carbon_credits_tco2e"].sel(province="Phú Thọ").sum("year").load()
    assert sorted(price) == [5.0, 21.3]
    assert credits.sel(policies__forest__carbon_price_usd_tco2e=21.3).item() >= credits.sel(
        policies__forest__carbon_price_usd_tco2e=5.0).item()


def test_duplicate_labels_are_an_error_not_a_silent_drop(small_sweep, tmp_path):
    out, _ = small_sweep
    members = sweep.read_members(out)
    members[1].scenario, members[1].seed = members[0].scenario, members[0].seed
    with pytest.raises(model.UserError, match="share the same labels"):
        sweep.combine(members)


def test_collate_command_on_an_existing_folder(small_sweep):
    out, _ = small_sweep
    (out / "sweep.nc").unlink()
    assert sweep.main(["collate", str(out)]) == 0
    with xr.open_dataset(out / "sweep.nc") as ds:
        assert ds.sizes["seed"] == 2
    assert sweep.main(["collate", str(out.parent)]) == 2  # not a sweep folder


def test_sweep_preset_runs_from_config(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "model", "+sweep=quick", "run.end_year=2026",
         "run.agent_scale=0.05", f"hydra.sweep.dir={tmp_path / 'q'}",
         "hydra.launcher.n_jobs=2"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")}, "CI": "1"})
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(tmp_path / "q" / "sweep.nc") as ds:
        assert set(ds["scenario"].values) == {"baseline", "phu_tho_programme"}
        assert ds.sizes["seed"] == 3


def test_sensitivity_finds_effects_where_there_are_some(tmp_path):
    """Morris on two parameters: staying put drives occupancy; special-use forest fire cannot."""
    params = ["firms.asc_stay", "forest.fire_prob_special_use"]
    indices = sweep.sensitivity(tmp_path, "morris", params, trajectories=2, agent_scale=0.05,
                                end_year=2035, n_jobs=2)
    assert len(pd.read_csv(tmp_path / "design.csv")) == 2 * (len(params) + 1)
    assert len(pd.read_csv(tmp_path / "outcomes.csv")) == 2 * (len(params) + 1)
    occ = indices[indices["outcome"] == "occupancy_phu_tho_2035"].set_index("parameter")
    assert occ.loc["firms.asc_stay", "mu_star"] > 0
    assert occ.loc["forest.fire_prob_special_use", "mu_star"] == 0
    # Outcomes beyond the horizon (2045) are NaN and get no indices.
    assert "occupancy_phu_tho_2045" not in set(indices["outcome"])
    with pytest.raises(model.UserError, match="unknown or rangeless parameter"):
        sweep.sensitivity(tmp_path / "x", "morris", ["firms.nonsense"])


def test_every_member_result_follows_the_contract(small_sweep):
    out, _ = small_sweep
    for member in sorted(Path(out).glob("[0-9]*")):
        with xr.open_dataset(member / "results.nc") as ds:
            assert check_results(ds) == []


def test_progress_counts_members_done_and_failed(tmp_path):
    sweep.start_progress(tmp_path, 4)
    member = tmp_path / "0"
    assert sweep.member_finished(member, 0, True).startswith("1 of 4 done, 0 failed, about")
    assert sweep.member_finished(member, 1, False).startswith("2 of 4 done, 1 failed")
    sweep.start_progress(tmp_path, None)  # a new sweep in the folder starts from zero
    assert sweep.member_finished(member, 2, True) == "1 done, 0 failed"


def test_member_count_of_a_grid_and_a_preset():
    from omegaconf import OmegaConf

    from model.hydra_callbacks import _count_members

    grid = OmegaConf.create({"hydra": {"sweeper": {"params": {"scenario": "a,b,c",
                                                              "seed": "range(0,20)"}},
                                       "overrides": {"task": ["seed=range(0,5)", "x=1"]}}})
    assert _count_members(grid) == 15  # the command line's seeds replace the preset's


def test_covering_check_composes_each_group_option_once_and_each_setting_key_once():
    from model.hydra_sweep_check import covering_members

    grid = [[f"scenario={s}", f"seed={n}", "+sweep=all"] for s in "abc" for n in range(4)]
    groups = {"scenario", "sweep"}.__contains__
    assert covering_members(grid, groups) == [0, 4, 8]  # one member per scenario
    # Without knowing the groups, every distinct override is composed once.
    chosen = covering_members(grid)
    assert chosen == [0, 1, 2, 3, 4, 8]
    assert {o for i in chosen for o in grid[i]} == {o for member in grid for o in member}
    # hydra settings are typed: every value; a change of a setting's shape is checked too.
    hydra = [["hydra.launcher.n_jobs=1"], ["hydra.launcher.n_jobs=2"]]
    assert covering_members(hydra, groups) == [0, 1]
    shapes = [["firms.asc_stay=1"], ["firms.asc_stay=2"], ["firms.asc_stay=[1,2]"],
              ["+transport.corridors={a: 1}"], ["+transport.corridors={a: 2}"]]
    assert covering_members(shapes, groups) == [0, 2, 3]
    assert covering_members([["seed=1"], ["seed=1"]]) == [0]
    assert covering_members([[]]) == [0]


def test_a_bad_value_anywhere_in_a_grid_is_refused_before_any_member_runs(tmp_path):
    out = tmp_path / "sweep"
    proc = run_sweep("scenario=baseline,corridors,no_such_scenario", "seed=0,1", *FAST,
                     f"hydra.sweep.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "no_such_scenario" in proc.stderr
    assert not list(out.glob("*/results.nc"))
    # An unknown setting key, given as the last of a seed sweep's values.
    proc = run_sweep("seed=0,1,2", "firms.no_such_key=0,1", *FAST, f"hydra.sweep.dir={out}2",
                     cwd=tmp_path)
    assert proc.returncode == 2 and "no_such_key" in proc.stderr, proc.stderr
    assert not list((tmp_path / "sweep2").glob("*/results.nc"))


def _copy_sweep(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_direct_and_aligned_combination_give_the_same_dataset(small_sweep, tmp_path):
    out, _ = small_sweep
    members = sweep.read_members(out)
    direct = sweep._combine_direct(members)
    assert direct is not None  # one region and horizon: the direct path applies
    xr.testing.assert_identical(direct, sweep._combine_aligned(sweep.read_members(out)))
    # A failed member: its slot is NaN in both.
    broken = _copy_sweep(out, tmp_path / "broken")
    (broken / "2" / "results.nc").write_bytes(b"not netCDF")
    members = sweep.read_members(broken)
    direct = sweep._combine_direct(members)
    assert not members[2].ok and "cannot be read" in members[2].error
    xr.testing.assert_identical(direct, sweep._combine_aligned(sweep.read_members(broken)))
    label = {"scenario": members[2].scenario, "seed": members[2].seed}
    assert np.isnan(direct["province_occupancy"].sel(label).values).all()


def test_members_of_another_shape_are_aligned_not_read_directly(tmp_path):
    out = tmp_path / "s"
    proc = run_sweep("run.end_year=2026,2027", "run.agent_scale=0.02", f"hydra.sweep.dir={out}",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    members = sweep.read_members(out)
    assert sweep._combine_direct(members) is None  # 2 and 3 years: an outer join is needed
    ds = sweep.combine(members)
    assert ds.sizes["run__end_year"] == 2 and ds.sizes["year"] == 3
    short = ds["province_occupancy"].sel(run__end_year=2026, seed=0, scenario="baseline")
    assert np.isnan(short.sel(year=2027)).all() and not np.isnan(short.sel(year=2026)).any()


def _sweep_files(folder):
    with xr.open_dataset(folder / "sweep.nc") as ds:
        data = ds.load()
    data.attrs.pop("history", None)  # the time of writing
    return data, (folder / "summary.csv").read_text(), (folder / "runs_failed.csv").read_text()


def test_collation_from_files_read_ahead_equals_collation_from_disk(small_sweep, tmp_path,
                                                                     monkeypatch):
    from model import member_files

    out, _ = small_sweep
    plain, ahead_dir = _copy_sweep(out, tmp_path / "plain"), _copy_sweep(out, tmp_path / "ahead")
    sweep.collate(plain)
    ahead = member_files.ReadAhead(lambda: sweep.member_readers(ahead_dir))
    assert ahead.read_new() == 4 * 4  # three .hydra files and results.nc per member
    member_files.install(ahead)

    def no_read(path):
        raise AssertionError(f"{path} was read again")

    try:  # every member file comes from the read-ahead (only the template goes through xarray)
        monkeypatch.setattr(member_files, "read_stored", no_read)
        monkeypatch.setattr(sweep, "_yaml_file", no_read)
        sweep.collate(ahead_dir)
    finally:
        member_files.install(None)
    assert len(ahead) == 0
    a, b = _sweep_files(plain), _sweep_files(ahead_dir)
    xr.testing.assert_identical(a[0], b[0])
    assert a[1:] == b[1:]


def test_a_member_rerun_after_its_read_ahead_is_collated_from_its_new_file(small_sweep,
                                                                           tmp_path):
    from model import member_files

    out, _ = small_sweep
    folder = _copy_sweep(out, tmp_path / "rerun")
    ahead = member_files.ReadAhead(lambda: sweep.member_readers(folder))
    ahead.read_new()
    # Member 1's results are replaced (as a resumed member writes them) by member 0's.
    tmp = folder / "1" / ".results.nc.new"
    tmp.write_bytes((folder / "0" / "results.nc").read_bytes())
    os.replace(tmp, folder / "1" / "results.nc")
    member_files.install(ahead)
    try:
        ds = sweep.combine(sweep.read_members(folder))
    finally:
        member_files.install(None)
    m = sweep.read_members(folder)
    first = ds["firms"].sel(scenario=m[0].scenario, seed=m[0].seed)
    second = ds["firms"].sel(scenario=m[1].scenario, seed=m[1].seed)
    xr.testing.assert_identical(first.drop_vars(["scenario", "seed"]),
                                second.drop_vars(["scenario", "seed"]))


def _read_ahead_in_a_process(body, folders, files=16):
    """The printed words of ``body`` run in a fresh process after, for each of ``folders``,
    :func:`sweep.preload` has read ``files`` of its files ahead (or a minute has passed)."""
    code = ("import atexit, sys, time\n"
            "from pathlib import Path\n"
            "from model import member_files, sweep\n"
            "for folder in sys.argv[1:]:\n"
            "    sweep.preload(folder)\n"
            "    deadline = time.monotonic() + 60\n"
            f"    while len(sweep._READ_AHEAD) < {files} and time.monotonic() < deadline:\n"
            "        time.sleep(0.02)\n"
            + "".join(f"    {line}\n" for line in body))
    return subprocess.run([sys.executable, "-c", code, *map(str, folders)], capture_output=True,
                          text=True, check=True, timeout=120).stdout.split()


def test_the_parents_background_thread_reads_members_until_stopped(small_sweep, tmp_path):
    folder = _copy_sweep(small_sweep[0], tmp_path / "bg")
    out = _read_ahead_in_a_process(
        ["sweep.stop_background()",
         "print(len(sweep._READ_AHEAD), sweep._PRELOAD.is_alive())"], [folder])
    assert out == ["16", "False"]


def test_a_second_multirun_of_a_process_reads_its_own_folder_ahead(small_sweep, tmp_path):
    first = _copy_sweep(small_sweep[0], tmp_path / "first")
    second = _copy_sweep(small_sweep[0], tmp_path / "second")
    out = _read_ahead_in_a_process(
        ["sweep.stop_background()",
         "got = member_files.read(Path(folder) / '0' / 'results.nc', lambda p: 'read now')",
         "print(len(sweep._READ_AHEAD), type(got).__name__)",
         "member_files.install(None)"], [first, second])
    # Each folder's 16 files were read by its own thread; the one taken came from it.
    assert out == ["15", "dict", "15", "dict"]


def test_a_process_that_exits_without_collating_stops_the_read_ahead_first(small_sweep, tmp_path):
    folder = _copy_sweep(small_sweep[0], tmp_path / "exit")
    out = _read_ahead_in_a_process(
        ["atexit._run_exitfuncs()  # what the interpreter runs at exit (Ctrl-C, an error)",
         "print(sweep._PRELOAD.is_alive())"], [folder], files=1)
    assert out == ["False"]
