"""Sweep and sensitivity throughput on this machine, each figure paired with a control.

    python benchmarks/bench_sweeps.py [--members 20] [--repeats 3] [--all-scenarios]
                                      [--morris-trajectories 3] [--morris-scale 0.1]

Figures (issue 17's targets):

- **Parallel efficiency** of a ``--members``-member full-scale sweep: T(n_jobs=1) / (2 ×
  T(n_jobs=2)), whole command, repeated ``--repeats`` times with the order of the two runs
  alternating. Each repeat is paired with a **control**: two ``floor.py`` processes one after the
  other, then both at once; its efficiency (sequential ÷ 2 × parallel) is 1.0 on two free cores,
  so a repeat whose control is far below 1 measured a busy machine, not the sweep.
- **Phases** of each sweep from its console lines, time-stamped as they arrive: the parent until
  launch, the members (launch to the last "done" line), collation (to the "Sweep ..." line) and
  exit.
- ``--all-scenarios``: the 140-member ``+sweep=all_scenarios`` preset, full scale, all cores.
- ``--morris-trajectories N``: ``python -m model.sweep sensitivity`` (Morris, every parameter
  with a range: N × 98 runs) at ``--morris-scale``, 2 jobs; runs per second of wall time of the
  whole command.

Appends to ``results/sweep_timings.csv`` (one row per measured command, with the date and load)
and prints a summary. Sweep folders go to a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLOOR = [sys.executable, str(HERE / "floor.py")]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path(
        "/proc/loadavg").exists() else ""


def timed(command: list[str]) -> dict[str, float]:
    """Run ``command``; its wall time, children's CPU time and the time-stamped phases."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")}
    env["CI"] = "true"  # no progress bars
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    launch = last_member = collated = None
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as proc:
        for line in proc.stdout:
            now = time.perf_counter() - start
            if "is launching" in line and launch is None:
                launch = now
            elif re.search(r"^member \d+ .*: (done|FAILED)", line):
                last_member = now
            elif line.startswith("Sweep "):
                collated = now
        code = proc.wait()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited with {code}")
    out = {"wall_s": wall, "cpu_s": (after.ru_utime - before.ru_utime)
           + (after.ru_stime - before.ru_stime)}
    if launch is not None and last_member is not None:
        out |= {"parent_s": launch, "members_s": last_member - launch}
        if collated is not None:
            out |= {"collation_s": collated - last_member, "exit_s": wall - collated}
    return out


def control() -> float:
    """Efficiency of two floor processes at once against one after the other (1.0: 2 free cores)."""
    start = time.perf_counter()
    for _ in range(2):
        subprocess.run(FLOOR, check=True, capture_output=True)
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    procs = [subprocess.Popen(FLOOR, stdout=subprocess.DEVNULL) for _ in range(2)]
    for p in procs:
        p.wait()
    return sequential / (2 * (time.perf_counter() - start))


def sweep(folder: Path, n_jobs: int | None, *overrides: str) -> dict[str, float]:
    """One sweep into ``folder`` (removed afterwards), timed; ``n_jobs`` None: all cores."""
    shutil.rmtree(folder, ignore_errors=True)
    jobs = [] if n_jobs is None else [f"hydra.launcher.n_jobs={n_jobs}"]
    try:
        return timed([sys.executable, "-m", "model", *overrides, *jobs,
                      f"hydra.sweep.dir={folder}"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Measure, print and append to ``results/sweep_timings.csv``."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--all-scenarios", action="store_true")
    parser.add_argument("--morris-trajectories", type=int, default=0)
    parser.add_argument("--morris-scale", type=float, default=0.1)
    args = parser.parse_args(argv)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweeps_"))
    try:
        grid = ["-m", f"seed=range(0,{args.members})"]
        for r in range(args.repeats):
            ctrl = control()
            order = (2, 1) if r % 2 == 0 else (1, 2)
            result = {n: (sweep(tmp / f"s{n}", n, *grid), _load()) for n in order}
            eff = result[1][0]["wall_s"] / (2 * result[2][0]["wall_s"])
            for n in order:
                rows.append({"figure": f"sweep{args.members}_n_jobs{n}", "repeat": r,
                             **result[n][0], "efficiency": eff, "control": ctrl,
                             "measured": stamp, "load_1min": result[n][1]})
            print(f"repeat {r}: efficiency {eff:.3f} (n_jobs=1 {result[1][0]['wall_s']:.1f} s, "
                  f"n_jobs=2 {result[2][0]['wall_s']:.1f} s), control {ctrl:.2f}", flush=True)
        if args.all_scenarios:
            res = sweep(tmp / "all", None, "+sweep=all_scenarios")
            rows.append({"figure": "all_scenarios_140", **res, "measured": stamp,
                         "load_1min": _load()})
            print(f"all_scenarios: {res['wall_s']:.1f} s wall ({res.get('collation_s', 0):.1f} s "
                  "collation)", flush=True)
        if args.morris_trajectories:
            from model.sweep import uncertain_parameters

            runs = args.morris_trajectories * (len(uncertain_parameters()) + 1)
            res = timed([sys.executable, "-m", "model.sweep", "sensitivity", "--method",
                         "morris", "--trajectories", str(args.morris_trajectories),
                         "--agent-scale", str(args.morris_scale), "--n-jobs", "2", "--out",
                         str(tmp / "morris")])
            rows.append({"figure": f"morris_{runs}_runs_scale{args.morris_scale}", **res,
                         "runs_per_s": runs / res["wall_s"], "measured": stamp,
                         "load_1min": _load()})
            print(f"Morris: {runs} runs in {res['wall_s']:.1f} s: {runs / res['wall_s']:.2f} "
                  "runs/s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    effs = [row["efficiency"] for row in rows if row["figure"].endswith("n_jobs2")]
    if effs:
        print(f"parallel efficiency: median {statistics.median(effs):.3f}, min {min(effs):.3f}, "
              f"max {max(effs):.3f} over {len(effs)} pairs")
    out = HERE / "results" / "sweep_timings.csv"
    out.parent.mkdir(exist_ok=True)
    earlier = list(csv.DictReader(out.open(newline=""))) if out.is_file() else []
    rows = earlier + rows  # one row per measured command, every invocation kept
    fields = sorted({k for row in rows for k in row}, key=lambda k: (k != "figure", k))
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    print(f"written: {out} (appended)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
