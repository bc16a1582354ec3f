"""Issue 13: no silent wrong result, no lost sweep member, no traceback, one validator.

Each test names the numbered failure of the issue it covers (1 silently wrong results, 2 sweeps
that lose or mix members, 3 hangs, 4 tracebacks or exit 1 for user mistakes, 5 validators that
disagree, 6 leftovers). The sweep tests share one small sweep in which a member is killed.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import model
import model.api
import model.simulation  # run_to_folder imports simulate from here when a run starts
import model.sweep as sweep
from model.errors import OutputError, RegionError, ResultsContractError
from model.region import Region
from model.region import main as region_main
from model.testing import assert_results_equal
from model.writing import remove_stale_temporaries

from .conftest import REPO_ROOT, run_cli

FAST = ["run.agent_scale=0.05", "run.end_year=2027"]


def edit_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


# ---- 1. silently wrong results ----------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"firms.hazard_small": float("nan")}, "firms.hazard_small: nan is not allowed"),
    ({"policies.forest.carbon_price_usd_tco2e": float("nan")},
     "carbon_price_usd_tco2e: nan is not allowed"),
    ({"workers.commute_km_target": float("inf")}, "commute_km_target: inf is not allowed"),
    ({"firms.moving_cost_vnd_per_worker": 10**400}, "a 401-digit number is too large"),
    ({"firms.freight_cost_vnd_per_truck_hour": 1e300}, "out of range; allowed [0, 1e+15]"),
    ({"policies.shuttle.subsidised_min_employees": 10**19}, "out of range"),
    ({"run.start_year": 2030, "run.end_year": 2040},
     "run.start_year: 2030 is not allowed; a run starts in the base year"),
    ({"policies.housing.units_per_year": {"phu_tho": -500}},  # 4: a negative housing lever
     "units_per_year.phu_tho: -500.0 is out of range"),
])
def test_non_finite_huge_and_misdated_settings_are_rejected(overrides, expected):
    with pytest.raises(model.ConfigError) as info:
        model.load_config(overrides=overrides)
    assert expected in str(info.value)


def test_nan_exits_2_on_the_command_line(tmp_path):
    proc = run_cli("firms.hazard_small=nan", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "firms.hazard_small: nan is not allowed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "run").exists()  # 6: a failed run leaves no folder


@pytest.mark.parametrize(("table", "column", "value"), [
    ("zones", "housing_capacity", "1e19"),  # wrapped to -9.2e18 in int64 before
    ("zones", "population", "99999999999999999999"),
    ("forest", "area_ha", "1e308"),  # a results file full of inf before
    ("sectors", "hanoi_firms", "2000000"),  # 2 million agents: would exhaust memory
])
def test_huge_numbers_in_region_tables_are_rejected_before_any_cast(region_copy, table, column,
                                                                   value, capsys):
    edit_cell(region_copy, table, 2, column, value)
    with pytest.raises(RegionError) as info:
        Region.load(region_copy)
    assert f"{table}.csv" in str(info.value) and f"column '{column}'" in str(info.value)
    assert region_main(["check", str(region_copy)]) == 2
    assert f"column '{column}'" in capsys.readouterr().err


def test_results_breaking_the_contract_are_not_written(tmp_path, monkeypatch):
    real = model.simulation.simulate

    def broken(*args, **kwargs):
        ds = real(*args, **kwargs)
        ds["jobs"][:] = np.inf
        return ds

    monkeypatch.setattr(model.simulation, "simulate", broken)
    config = model.load_config(agent_scale=0.05, overrides={"run.end_year": 2026})
    with pytest.raises(ResultsContractError, match="jobs has infinite values"):
        model.api.run_to_folder(config, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_contract_violation_is_an_internal_error_exit_1_with_a_log(tmp_path, monkeypatch,
                                                                     capsys):
    from model.__main__ import main

    real = model.simulation.simulate
    monkeypatch.setattr(model.simulation, "simulate",
                        lambda *a, **k: real(*a, **k).drop_vars("zone_name"))
    monkeypatch.setenv("CI", "1")
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as info:
        main(["run.agent_scale=0.05", "run.end_year=2026", f"hydra.run.dir={out}"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "missing zone coordinate 'zone_name'" in err
    log = Path(err.split("the details are in ")[1].split(". Please")[0])
    assert "ResultsContractError" in log.read_text()
    assert not out.exists()


# ---- 3. hangs and broken scenario files ---------------------------------------------------------

BOMB = "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9 if p else ['lol'] * 9)}]\n"
               for p, k in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


def test_yaml_alias_bomb_and_broken_files_affect_only_the_scenario_that_names_them(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    shutil.copy(REPO_ROOT / "scenarios" / "baseline.yaml", scenarios)
    (scenarios / "bomb.yaml").write_text(BOMB)
    (scenarios / "broken.yaml").write_text("transport: [unclosed\n")
    (scenarios / "uses_bomb.yaml").write_text("include: [bomb]\n")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        import model.paths
        model.paths.scenarios_dir = lambda: Path({str(scenarios)!r})
        from model.__main__ import main
        main(sys.argv[1:])
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")} | {"CI": "1"}

    def run(*args):
        return subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    ok = run("run.agent_scale=0.05", "run.end_year=2026", f"hydra.run.dir={tmp_path / 'ok'}")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok" / "results.nc").is_file()
    started = time.monotonic()
    for name, expected in (("bomb", "values once YAML aliases are expanded"),
                           ("uses_bomb", "values once YAML aliases are expanded"),
                           ("broken", "not valid YAML")):
        bad = run(f"scenario={name}", f"hydra.run.dir={tmp_path / name}")
        assert bad.returncode == 2, bad.stderr
        assert expected in bad.stderr and f"{name if name != 'uses_bomb' else 'bomb'}.yaml" \
            in bad.stderr
        assert "Traceback" not in bad.stderr
    assert time.monotonic() - started < 100


def test_scenario_file_limits(tmp_path):
    from model.config import load_scenario_file

    cases = {"rec.yaml": ("x: &x [*x]\n", "recursive alias"),
             "deep.yaml": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
             "big.yaml": ("# " + "x" * 300_000 + "\n", "bytes; a scenario file may have at most"),
             "latin.yaml": ("name: caf\xe9\n", "not UTF-8")}
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(text.encode("latin-1"))
        with pytest.raises(model.ConfigError, match=expected):
            load_scenario_file(path)


# ---- 4/5. user mistakes in region data; one validator ---------------------------------------


def test_empty_id_cell_is_reported_not_a_traceback(region_copy, capsys):
    edit_cell(region_copy, "zones", 3, "zone_id", "")
    assert region_main(["check", str(region_copy)]) == 2
    err = capsys.readouterr().err
    assert "zones.csv, line 5, column 'zone_id': empty" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("edit", "expected"), [
    ("population", "every zone has 0"),
    ("unreachable", "cannot be reached by car"),
    ("no_seaport", "no row of kind 'seaport'"),
])
def test_region_check_runs_the_checks_a_run_needs(region_copy, edit, expected, capsys):
    if edit == "population":
        zones = pd.read_csv(region_copy / "zones.csv", dtype=str, keep_default_na=False)
        zones["population"] = "0"
        zones["labour_force"] = "0"
        zones.to_csv(region_copy / "zones.csv", index=False)
    elif edit == "unreachable":
        links = pd.read_csv(region_copy / "links.csv", dtype=str, keep_default_na=False)
        zone = "PT_VIET_TRI"
        keep = (links["from_zone"] != zone) & (links["to_zone"] != zone)
        links[keep].to_csv(region_copy / "links.csv", index=False)
    else:
        rows = pd.read_csv(region_copy / "logistics.csv", dtype=str, keep_default_na=False)
        rows[rows["kind"] != "seaport"].to_csv(region_copy / "logistics.csv", index=False)
    assert region_main(["check", str(region_copy)]) == 2
    assert expected in capsys.readouterr().err
    config = model.load_config(agent_scale=0.05, overrides={"region.path": str(region_copy)})
    with pytest.raises(model.UserError, match=expected):
        model.run(config)  # the run rejects it for the same reason


def test_region_check_tries_the_settings_a_run_uses(capsys):
    from .conftest import TINY_REGION

    assert region_main(["check", str(TINY_REGION)]) == 2  # no HN_HOAN_KIEM: the default centre
    assert "zone 'HN_HOAN_KIEM' is not a zone_id" in capsys.readouterr().err
    assert region_main(["check", str(TINY_REGION), "transport.centre_zone=A"]) == 0


# ---- 4/6. output folders, I/O failures and leftovers ---------------------------------------


def test_file_size_limit_is_a_cannot_write_error_exit_2(tmp_path):
    out = tmp_path / "run"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")} | {"CI": "1"}
    proc = subprocess.run([sys.executable, "-m", "model", *FAST, f"hydra.run.dir={out}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          preexec_fn=limit)
    assert proc.returncode == 2, proc.stderr
    assert f"Cannot write results to {out / 'results.nc'}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()  # nothing left: not even the summary or a temporary file


def test_unwritable_output_folder_exits_2(tmp_path):
    proc = run_cli(*FAST, "hydra.run.dir=/proc/hncr-model-test/run", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "cannot write to /proc/hncr-model-test" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_netcdf_failure_becomes_an_output_error(tmp_path, monkeypatch):
    import model.writing

    def full_disk(ds, path, complevel=4):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(model.writing, "write_netcdf", full_disk)
    with pytest.raises(OutputError, match="disk may be full"):
        model.writing.write_results(xr.Dataset(), tmp_path / "r.nc")


def test_temporary_files_of_killed_writes_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".results.nc.{dead}.tmp"
    stale.write_text("half a file")
    live = tmp_path / f".results.nc.{os.getppid()}.tmp"  # a process that is still running
    live.write_text("being written")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert live.exists() and not stale.exists()
    config = model.load_config(agent_scale=0.05, overrides={"run.end_year": 2026})
    stale.write_text("half a file")
    model.api.run_to_folder(config, tmp_path)
    assert not stale.exists() and (tmp_path / "results.nc").is_file()


def test_failed_run_in_a_used_folder_keeps_its_files(tmp_path):
    out = tmp_path / "used"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    proc = run_cli("+transport.corridors.warp_drive=2030", "run.end_year=2026",
                   f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert not (out / "results.nc").exists()


# ---- 2. sweeps ------------------------------------------------------------------------------


def run_sweep(*args, cwd, timeout=600, popen=False):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")} | {"CI": "1"}
    command = [sys.executable, "-m", "model", "-m", *args]
    if popen:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


GRID = ["seed=0,1,2", "run.agent_scale=0.05", "run.end_year=2028", "hydra.launcher.n_jobs=2"]


@pytest.fixture(scope="module")
def killed_sweep(tmp_path_factory):
    """A 3-member sweep whose member 1 is killed (SIGKILL) while it runs."""
    cwd = tmp_path_factory.mktemp("killed")
    out = cwd / "s"
    proc = run_sweep(*GRID, f"hydra.sweep.dir={out}", cwd=cwd, popen=True)
    marker = out / ".progress" / "1.running"
    deadline = time.monotonic() + 300
    while not marker.is_file() and time.monotonic() < deadline:
        time.sleep(0.02)
    pid = int(marker.read_text() or 0)
    os.kill(pid, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    return out, proc.returncode, stdout, stderr


def test_killed_member_fails_alone_and_the_sweep_exits_3(killed_sweep):
    out, code, stdout, stderr = killed_sweep
    assert code == 3, stderr
    assert "2 of 3 members succeeded" in stdout
    assert "Traceback" not in stderr
    failed = pd.read_csv(out / "runs_failed.csv")
    assert list(failed["member"]) == [1]
    assert "killed by signal 9 (SIGKILL)" in failed["error"][0]
    with xr.open_dataset(out / "sweep.nc") as ds:
        jobs = ds["jobs"].load()
    assert jobs.sel(seed=1).isnull().all()
    assert jobs.sel(seed=[0, 2]).notnull().all()
    assert not (out / sweep.LOCK).exists()  # released
    assert len(json.loads((out / sweep.MANIFEST).read_text())["members"]) == 3


@pytest.fixture
def sweep_copy(killed_sweep, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(killed_sweep[0], out)
    return out


def test_a_planned_member_that_never_ran_is_listed_as_not_run(sweep_copy):
    manifest = json.loads((sweep_copy / sweep.MANIFEST).read_text())
    manifest["members"].append(["seed=3", "run.agent_scale=0.05", "run.end_year=2028"])
    (sweep_copy / sweep.MANIFEST).write_text(json.dumps(manifest))
    outcome = sweep.collate(sweep_copy)
    assert outcome.members == 4 and len(outcome.failed) == 2
    failed = pd.read_csv(sweep_copy / "runs_failed.csv").set_index("member")
    assert failed.loc[3, "error"].startswith("not run")
    with xr.open_dataset(sweep_copy / "sweep.nc") as ds:
        assert list(ds["seed"].values) == [0, 1, 2, 3]
        assert ds["jobs"].sel(seed=3).isnull().all()
    assert sweep.main(["collate", str(sweep_copy)]) == 3


def test_stale_member_folders_outside_the_plan_are_not_collated(sweep_copy):
    shutil.copytree(sweep_copy / "0", sweep_copy / "7")  # from an earlier, larger grid
    with xr.open_dataset(sweep.collate(sweep_copy).folder / "sweep.nc") as ds:
        assert ds.sizes["seed"] == 3


def test_corrupt_member_file_marks_the_member_failed(sweep_copy):
    (sweep_copy / "0" / "results.nc").write_bytes(b"not netcdf at all")
    assert sweep.main(["collate", str(sweep_copy)]) == 3
    failed = pd.read_csv(sweep_copy / "runs_failed.csv").set_index("member")
    assert "results.nc cannot be read" in failed.loc[0, "error"]


def test_folder_without_manifest_or_hydra_is_a_user_error(sweep_copy, capsys):
    (sweep_copy / sweep.MANIFEST).unlink()
    shutil.rmtree(sweep_copy / "2" / ".hydra")
    assert sweep.main(["collate", str(sweep_copy)]) == 2
    assert "is not a complete sweep member" in capsys.readouterr().err


def test_mixed_type_values_of_a_setting_collate_as_strings(sweep_copy):
    members = sweep.read_members(sweep_copy)
    key = "transport.corridors.ring_road_5"
    for m, value in zip(members, [2030, "never", 2035], strict=True):
        m.swept = {key: value}
        m.seed = 0
    ds = sweep.combine(members)
    assert sorted(ds["transport__corridors__ring_road_5"].values) == ["2030", "2035", "never"]


def test_resume_on_a_corrupt_multirun_yaml_exits_2(sweep_copy, capsys):
    (sweep_copy / "multirun.yaml").write_text("hydra: [unclosed\n")
    assert sweep.main(["resume", str(sweep_copy)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_resume_keeps_the_launcher_settings(sweep_copy, monkeypatch):
    seen = []
    monkeypatch.setattr(sweep.subprocess, "run",
                        lambda command, check: seen.append(command) or
                        subprocess.CompletedProcess(command, 0))
    assert sweep.resume(sweep_copy) == 0
    assert "hydra.launcher.n_jobs=2" in seen[0]
    assert seen[0][-1] == f"hydra.sweep.dir={sweep_copy}"


def test_second_sweep_into_a_locked_folder_is_refused(sweep_copy, tmp_path):
    import socket

    (sweep_copy / sweep.LOCK).write_text(json.dumps(
        {"pid": os.getpid(), "host": socket.gethostname(), "started": "now"}))
    before = (sweep_copy / "multirun.yaml").read_text()
    proc = run_sweep(*GRID, f"hydra.sweep.dir={sweep_copy}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "another sweep is writing into" in proc.stderr
    assert (sweep_copy / "multirun.yaml").read_text() == before


def test_reusing_a_folder_for_another_grid_is_refused(sweep_copy, tmp_path):
    proc = run_sweep("seed=5,6", *FAST, f"hydra.sweep.dir={sweep_copy}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "holds a sweep of another grid (3 members" in proc.stderr
    assert not (sweep_copy / "3").exists() and (sweep_copy / "0" / "results.nc").is_file()


def test_duplicate_members_are_refused_before_running(tmp_path):
    proc = run_sweep("seed=1,1", *FAST, f"hydra.sweep.dir={tmp_path / 's'}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "members 0 and 1 of the sweep have the same settings" in proc.stderr
    assert not (tmp_path / "s" / "0").exists()


def test_resume_fills_the_killed_member_identically_to_an_uninterrupted_sweep(
        sweep_copy, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")} | {"CI": "1"}
    resumed = subprocess.run([sys.executable, "-m", "model.sweep", "resume", str(sweep_copy)],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming" in resumed.stdout and "1 of 3 members to run (1)" in resumed.stdout
    assert "member 0" not in resumed.stdout + resumed.stderr  # kept members are not reported
    assert "#0 :" not in resumed.stderr  # nor listed by the launcher
    assert pd.read_csv(sweep_copy / "runs_failed.csv").empty
    whole = tmp_path / "whole"
    proc = run_sweep(*GRID, f"hydra.sweep.dir={whole}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(sweep_copy / "sweep.nc") as a, xr.open_dataset(whole / "sweep.nc") as b:
        assert_results_equal(a.load(), b.load())
