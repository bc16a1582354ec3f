"""Benchmark a run: construction, each sub-model's step, recording, results; by agent scale.

Usage::

    python benchmarks/bench_run.py [--scales 0.1 0.3 1.0] [--repeats 3] [--scenario baseline]
                                   [--out benchmarks/results/run_timings.csv]

For each scale it runs the scenario ``repeats`` times (seed 0) and writes the median wall time of:
the model construction (region load, transport, synthesis of firms, workers and stands), the
yearly step of each sub-model (summed over the horizon and per simulated year), building the
results dataset, writing ``results.nc``, and the whole run (construction to written file,
imports excluded). Sub-model steps are timed by wrapping their step methods, so the model code
carries no timing logic. Peak memory (RSS) is measured in a fresh process per scale, and at full
scale the whole ``python -m model`` process (interpreter, imports, Hydra, run, writing) is timed.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import model
from model.outputs import write_netcdf
from model.simulation import CapitalRegionModel

STEPS = {
    "transport": ("transport", "times"),
    "clusters": ("clusters", "start_year"),
    "firms": ("firms", "step"),
    "workers": ("workers", "step"),
    "forest": ("forest", "step"),
}


def timed_run(scenario: str, scale: float) -> dict[str, float]:
    """One run with every sub-model step timed; returns seconds per phase."""
    config = model.load_config(scenario, seed=0, agent_scale=scale)
    spent = dict.fromkeys(STEPS, 0.0)
    t0 = time.perf_counter()
    region = model.Region.load(config.region.path)
    m = CapitalRegionModel(config, region)
    t1 = time.perf_counter()
    for name, (attr, method) in STEPS.items():
        target = getattr(m, attr)
        original = getattr(target, method)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.perf_counter() - start

        setattr(target, method, wrapper)
    while not m.finished:
        m.run_for(1)
    t2 = time.perf_counter()
    ds = m.results()
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_netcdf(ds, Path(folder) / "results.nc")
    t4 = time.perf_counter()
    years = config.run.end_year - config.run.start_year
    row = {"construct_s": t1 - t0, "steps_s": t2 - t1, "results_s": t3 - t2,
           "write_s": t4 - t3, "total_s": t4 - t0}
    row |= {f"{k}_step_s": v for k, v in spent.items()}
    row |= {f"{k}_per_year_ms": 1000 * v / years for k, v in spent.items()}
    row["agents"] = len(m.agents)
    return row


def process_seconds(scenario: str, repeats: int) -> float:
    """Median wall time of the whole ``python -m model`` process at full scale."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "model", f"scenario={scenario}",
                            f"hydra.run.dir={folder}/{i}"], check=True, capture_output=True,
                           env={**os.environ, "CI": "1"})
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb(scenario: str, scale: float) -> float:
    """Peak resident memory of a fresh process doing one run, MB."""
    code = (
        "import resource, model; "
        f"model.run(scenario={scenario!r}, seed=0, agent_scale={scale}); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    """Run the benchmark and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "run_timings.csv")
    args = parser.parse_args()
    timed_run(args.scenario, min(args.scales))  # warm-up: imports, caches
    rows = []
    for scale in args.scales:
        runs = [timed_run(args.scenario, scale) for _ in range(args.repeats)]
        row = {"scenario": args.scenario, "agent_scale": scale, "repeats": args.repeats}
        row |= {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        row["peak_rss_mb"] = peak_rss_mb(args.scenario, scale)
        row["process_s"] = process_seconds(args.scenario, args.repeats) if scale == 1.0 else ""
        rows.append(row)
        print(", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in row.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    by_scale = {r["agent_scale"]: r["total_s"] for r in rows}
    if 1.0 in by_scale and 0.1 in by_scale:
        ratio = by_scale[1.0] / by_scale[0.1]
        print(f"scale 1.0 / scale 0.1 run time: {ratio:.2f}x (target <= 12)")
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, maxrss of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
