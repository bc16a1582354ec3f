"""A run's fixed costs: one Hydra composition, Mesa imported without stack inspection, the floor.

No timings here (they live in benchmarks/): these check that the fast paths do the same thing as
the slow ones they replace.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from model import sweep

ROOT = Path(__file__).resolve().parents[1]

COUNT_COMPOSITIONS = """
import json, sys
from hydra._internal.hydra import Hydra
calls = []
original = Hydra.compose_config
def counted(self, *args, **kwargs):
    calls.append(kwargs.get("run_mode"))
    return original(self, *args, **kwargs)
Hydra.compose_config = counted
mode, *args = sys.argv[1:]
sys.argv = [sys.argv[0], *args]
if mode == "fast":
    from model.__main__ import main
    main(args)
else:  # Hydra's own path, as before the fast path existed
    import hydra
    from model.__main__ import _task, register_configs
    from model.paths import configs_dir
    register_configs()
    hydra.main(version_base=None, config_path=str(configs_dir()), config_name="config")(_task)()
print(json.dumps(len(calls)))
"""


def _hydra_run(mode: str, folder: Path, cwd: Path) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", COUNT_COMPOSITIONS, mode, "run.agent_scale=0.05",
         "run.end_year=2026", "seed=4", "scenario=corridors", f"hydra.run.dir={folder}"],
        cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, "CI": "1"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_single_run_composes_once_and_writes_the_record_hydra_writes(tmp_path):
    fast, full = tmp_path / "fast", tmp_path / "full"
    assert _hydra_run("fast", fast, tmp_path) == 1
    assert _hydra_run("full", full, tmp_path) == 2  # why the fast path exists
    for name in ("config.yaml", "overrides.yaml", "hydra.yaml"):
        a = (fast / ".hydra" / name).read_text().replace(str(fast), "DIR")
        b = (full / ".hydra" / name).read_text().replace(str(full), "DIR")
        assert a == b, name
    hydra_yaml = yaml.safe_load((fast / ".hydra" / "hydra.yaml").read_text())["hydra"]
    assert hydra_yaml["mode"] == "RUN"
    assert "hydra.mode=RUN" in hydra_yaml["overrides"]["hydra"]
    assert hydra_yaml["runtime"]["version_base"] == yaml.safe_load(
        (full / ".hydra" / "hydra.yaml").read_text())["hydra"]["runtime"]["version_base"]
    assert (fast / "results.nc").is_file() and (fast / "summary.txt").is_file()


WHICH_PATH = """
import json, sys
from model.__main__ import _task, register_configs
from model.hydra_run import run_once
from model.paths import configs_dir
register_configs()
out = {}
for args in json.loads(sys.argv[1]):
    sys.argv = ["model", *args]
    out[" ".join(args)] = run_once(_task, configs_dir(), "config")
print(json.dumps(out))
"""


def test_flags_sweeps_and_ambiguous_overrides_go_hydras_way(tmp_path):
    cases = [["--cfg", "job"], ["--help"], ["-m", "seed=1"], ["+sweep=quick"], ["seed=1,2"],
             ["--info"]]
    proc = subprocess.run([sys.executable, "-c", WHICH_PATH, json.dumps(cases)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {" ".join(c): False for c in cases}
    assert not (tmp_path / "outputs").exists()  # nothing ran


def test_mesa_is_imported_without_inspecting_the_stack():
    code = """
import inspect, logging, sys
def forbidden(*args, **kwargs):
    raise AssertionError("inspect.stack called")
inspect.stack = forbidden
original = inspect.getouterframes
inspect.getouterframes = forbidden
import model.simulation
assert inspect.stack is forbidden and inspect.getouterframes is forbidden  # restored
import mesa.mesa_logging as ml
print(sorted(ml._module_loggers))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    # The same module loggers as a plain ``import mesa`` creates.
    plain = subprocess.run([sys.executable, "-c", "import mesa, mesa.mesa_logging as ml; "
                            "print(sorted(ml._module_loggers))"], capture_output=True,
                           text=True, timeout=120)
    assert proc.stdout == plain.stdout
    assert "mesa.model" in proc.stdout


def test_frames_without_source_give_what_mesa_reads():
    from model._mesa import _frames, _stack

    def caller():
        return _stack()[1], _frames(sys._getframe())[1]

    info, outer = caller()
    assert info.function == "test_frames_without_source_give_what_mesa_reads"
    assert info.frame.f_globals["__name__"] == __name__
    assert outer.function == info.function and outer.code_context is None


def _load_benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def test_floor_simulates_the_agents_and_is_seeded():
    floor = _load_benchmark("floor")
    a, b = floor.run(years=3, seed=1), floor.run(years=3, seed=1)
    arrays = a["arrays"]
    assert arrays["jobs_by_zone"].shape == (3, floor.N_ZONES)
    # Every job is held and counted at its workplace each year; firms are conserved.
    assert (arrays["jobs_by_zone"].sum(axis=1) == floor.N_JOBS).all()
    assert (arrays["firms_by_province"].sum(axis=1) == floor.N_FIRMS).all()
    np.testing.assert_allclose(arrays["mode_share"].sum(axis=1), 1.0)
    for name, values in arrays.items():
        np.testing.assert_array_equal(values, b["arrays"][name], err_msg=name)
    assert a["setup_s"] > 0 and a["loop_s"] > 0


def test_bench_ratio_is_the_median_of_paired_ratios():
    bench = _load_benchmark("bench_run")
    row = bench.summary_row("steps_s", 1.0, [3.0, 8.0, 5.0], "loop_s", [1.0, 2.0, 2.0])
    # Pairs 3, 4, 2.5 -> 3; the ratio of the medians (5 / 2) would be 2.5.
    assert row["ratio"] == pytest.approx(3.0)
    assert (row["min"], row["median"], row["floor_min"], row["floor_median"]) == (3, 5, 1, 2)


def test_fresh_process_reports_its_own_peak_memory_not_its_parents():
    bench = _load_benchmark("bench_run")
    ballast = np.ones(300_000_000 // 8)  # 300 MB in this process: a fork would inherit it
    wall, rss, cpu = bench.fresh_process([sys.executable, "-c", "pass"])
    assert rss < 100 and wall > 0 and cpu >= 0
    del ballast


def test_sweep_yaml_loader_matches_safe_load(tmp_path):
    text = "a: 1\nb: [x, 2.5, null, true]\nc: {d: '2025-01-01', e: 2025-01-01}\n"
    assert sweep._load_yaml(text) == yaml.safe_load(text)


def test_runs_of_a_process_share_one_loaded_region_until_a_table_changes(tmp_path):
    from model.region import load_shared

    from .conftest import copy_region

    assert load_shared(None) is load_shared(None)
    folder = copy_region(tmp_path / "region")
    first = load_shared(folder)
    assert load_shared(folder) is first and first is not load_shared(None)
    zones = folder / "zones.csv"
    zones.write_text(zones.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # size changes
    assert load_shared(folder) is not first


def test_sweep_benchmark_times_the_phases_from_the_console_lines():
    bench = _load_benchmark("bench_sweeps")
    script = ("import time\n"
              "time.sleep(0.2); print('[HYDRA] Joblib.Parallel(n_jobs=2) is launching 2 jobs', "
              "flush=True)\n"
              "time.sleep(0.3); print('member 0 (seed=0): done [1 of 2 done]', flush=True)\n"
              "time.sleep(0.3); print('member 1 (seed=1): FAILED: x [2 of 2 done]', flush=True)\n"
              "time.sleep(0.2); print('Sweep /tmp/x: 1 of 2 members succeeded', flush=True)\n"
              "time.sleep(0.1)\n")
    t = bench.timed([sys.executable, "-c", script])
    assert 0.15 < t["parent_s"] < t["parent_s"] + t["members_s"] < t["wall_s"]
    assert t["members_s"] == pytest.approx(0.6, abs=0.25)
    assert t["collation_s"] == pytest.approx(0.2, abs=0.15)
    assert t["exit_s"] >= 0.05
    assert t["parent_s"] + t["members_s"] + t["collation_s"] + t["exit_s"] == pytest.approx(
        t["wall_s"])


def test_a_sweeps_parent_launches_without_pandas_and_xarray_and_imports_them_meanwhile():
    code = ("import sys, model.__main__, model.hydra_callbacks\n"
            "from model import sweep\n"
            "before = [m in sys.modules for m in ('pandas', 'xarray', 'model.outputs')]\n"
            "sweep.preload(); sweep.stop_background()\n"
            "after = [m in sys.modules for m in ('pandas', 'xarray', 'model.outputs', 'netCDF4')]\n"
            "print(before, after)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[False, False, False] [True, True, True, True]"
    # The deferred modules behave as the modules do.
    assert sweep.pd.DataFrame({"a": [1]}).shape == (1, 1)
    assert sweep.xr.Dataset is __import__("xarray").Dataset
