"""Benchmark a run as ratios to the floor (``floor.py``) measured in the same invocation.

Usage::

    python benchmarks/bench_run.py [--scales 0.5 1.0] [--repeats 5] [--scenario baseline]
                                   [--out benchmarks/results/run_timings.csv] [--no-process]

Absolute times on a shared 2-core machine move by 2x with the load, so every figure is paired with
the bare-numpy floor of the same agent work (``benchmarks/floor.py``): each repeat runs the floor
and the model back to back, and the reported ratio is the median of the per-pair ratios (the
minimum and median of each absolute time are kept too, as "this machine, this day").

Figures, each with its floor counterpart:

- ``construct_s`` (region load, transport, synthesis of firms, workers, stands) / floor set-up;
- ``steps_s``, the 20 simulated years, and each sub-model's share (its step methods wrapped, so
  the model code carries no timing logic) / floor loop;
- ``results_s`` (building the dataset) and ``write_s`` (``results.nc``) / floor set-up + loop +
  write, as is ``total_s`` (construction to written file, imports excluded);
- ``process_s``: the whole ``python -m model`` process at full scale (interpreter, imports, Hydra,
  run, writing) / the whole ``python benchmarks/floor.py`` process, both under ``/usr/bin/time``;
  ``process_cpu_s`` the same in CPU seconds (user + system), steadier than wall time when other
  people's jobs share the cores;
- ``peak_rss_mb``: maximum resident set of a **fresh** process (``/usr/bin/time -v``, not
  ``ru_maxrss`` of a child forked from this large process) doing one run / the floor process's.

Targets (issue 17): process <= 4x floor process, steps <= 3x floor loop, peak RSS <= 1.5 GB, steps
at scale 1.0 <= 1.5 x steps at scale 0.5.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floor  # noqa: E402  (the benchmark's own sibling module)

STEPS = {
    "transport": ("transport", "times"),
    "clusters": ("clusters", "start_year"),
    "firms": ("firms", "step"),
    "workers": ("workers", "step"),
    "forest": ("forest", "step"),
}
TARGETS = {"process_s": 4.0, "process_cpu_s": 4.0, "steps_s": 3.0}
CLOCK = time.perf_counter
"""Timer of the in-process phases: wall time, or CPU time with ``--clock cpu``."""
RSS_TARGET_MB = 1500.0
LINEAR_TARGET = 1.5


def timed_run(scenario: str, scale: float) -> dict[str, float]:
    """One in-process run with every sub-model step timed; returns seconds per phase."""
    import model
    from model.outputs import write_netcdf
    from model.simulation import CapitalRegionModel

    model.clear_caches()  # time the run as a fresh process would: nothing computed before
    config = model.load_config(scenario, seed=0, agent_scale=scale)
    spent = dict.fromkeys(STEPS, 0.0)
    t0 = CLOCK()
    region = model.Region.load(config.region.path)
    m = CapitalRegionModel(config, region)
    t1 = CLOCK()
    for name, (attr, method) in STEPS.items():
        target = getattr(m, attr)
        original = getattr(target, method)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            start = CLOCK()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += CLOCK() - start

        setattr(target, method, wrapper)
    while not m.finished:
        m.run_for(1)
    t2 = CLOCK()
    ds = m.results()
    t3 = CLOCK()
    with tempfile.TemporaryDirectory() as folder:
        write_netcdf(ds, Path(folder) / "results.nc")
    t4 = CLOCK()
    row = {"construct_s": t1 - t0, "steps_s": t2 - t1, "results_s": t3 - t2,
           "write_s": t4 - t3, "total_s": t4 - t0}
    row |= {f"{k}_steps_s": v for k, v in spent.items()}
    return row


def timed_floor() -> dict[str, float]:
    """The floor in this process: set-up, loop and the three together with the write."""
    out = floor.run(clock=CLOCK)
    t0 = CLOCK()
    with tempfile.TemporaryDirectory() as folder:
        floor.np.savez_compressed(Path(folder) / "floor.npz", **out["arrays"])
    write = CLOCK() - t0
    return {"setup_s": out["setup_s"], "loop_s": out["loop_s"],
            "all_s": out["setup_s"] + out["loop_s"] + write}


FLOOR_OF = {"construct_s": "setup_s", "steps_s": "loop_s", "results_s": "all_s",
            "write_s": "all_s", "total_s": "all_s"} | {f"{k}_steps_s": "loop_s" for k in STEPS}


def fresh_process(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of a fresh process.

    Measured by ``/usr/bin/time -v`` around the command: the peak is the new process's own, not
    this (large) process's, which a forked child would report as its ``ru_maxrss``.
    """
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                         env={**os.environ, "CI": "1"}, check=False)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr[-2000:]}")

    def field(label: str) -> float:
        match = re.search(rf"{re.escape(label)}: ([\d.]+)", out.stderr)
        return float(match.group(1)) if match else float("nan")

    cpu = field("User time (seconds)") + field("System time (seconds)")
    return wall, field("Maximum resident set size (kbytes)") / 1024, cpu


def model_process(scenario: str, folder: str, scale: float = 1.0) -> tuple[float, float, float]:
    """The whole ``python -m model`` process at a scale."""
    return fresh_process([sys.executable, "-m", "model", f"scenario={scenario}",
                          f"run.agent_scale={scale}", f"hydra.run.dir={folder}"])


def floor_process() -> tuple[float, float, float]:
    """The whole floor process."""
    return fresh_process([sys.executable, str(HERE / "floor.py")])


def summary_row(figure: str, scale: float | str, model_values: list[float],
                floor_figure: str, floor_values: list[float]) -> dict:
    """Min and median of a figure and of its floor; the median of the paired ratios."""
    pairs = [m / f for m, f in zip(model_values, floor_values, strict=True) if f > 0]
    return {
        "figure": figure, "agent_scale": scale, "n": len(model_values),
        "min": min(model_values), "median": statistics.median(model_values),
        "floor_figure": floor_figure, "floor_min": min(floor_values),
        "floor_median": statistics.median(floor_values),
        "ratio": statistics.median(pairs) if pairs else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the ratio table and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.5, 1.0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--no-process", action="store_true",
                        help="skip the whole-process and peak-memory measurements")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="timer of the in-process phases (cpu: steadier on a loaded machine)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "run_timings.csv")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    load_start = os.getloadavg()[0]
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    timed_floor()
    timed_run(args.scenario, min(args.scales))  # warm-up: imports, caches
    rows = []
    for scale in args.scales:
        pairs = [(timed_floor(), timed_run(args.scenario, scale)) for _ in range(args.repeats)]
        for figure, floor_figure in FLOOR_OF.items():
            rows.append(summary_row(figure, scale, [m[figure] for _, m in pairs], floor_figure,
                                    [f[floor_figure] for f, _ in pairs]))
    if not args.no_process:
        with tempfile.TemporaryDirectory() as folder:
            procs = [(floor_process(), model_process(args.scenario, f"{folder}/{i}"))
                     for i in range(args.repeats)]
            rows.append(summary_row("process_s", 1.0, [m[0] for _, m in procs], "process_s",
                                    [f[0] for f, _ in procs]))
            rows.append(summary_row("process_cpu_s", 1.0, [m[2] for _, m in procs],
                                    "process_cpu_s", [f[2] for f, _ in procs]))
            rows.append(summary_row("peak_rss_mb", 1.0, [m[1] for _, m in procs],
                                    "peak_rss_mb", [f[1] for f, _ in procs]))
            for scale in args.scales:
                if scale != 1.0:
                    fl, mp = floor_process(), model_process(args.scenario, f"{folder}/s", scale)
                    rows.append(summary_row("peak_rss_mb", scale, [mp[1]], "peak_rss_mb",
                                            [fl[1]]))
    load_end = os.getloadavg()[0]
    for row in rows:
        row |= {"clock": args.clock, "measured": started,
                "load_1min": f"{load_start:.1f}-{load_end:.1f}"}
    _print_table(rows)
    _print_targets(rows)
    print(f"in-process phases timed in {args.clock} seconds; measured {started}, load average "
          f"(1 min) {load_start:.1f} at start, {load_end:.1f} at end; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"written: {args.out}")
    return 0


def _print_table(rows: list[dict]) -> None:
    print("| figure | agent scale | ratio to floor | this run: median (min) | "
          "floor: median (min) |")
    print("|---|---|---|---|---|")
    for r in rows:
        unit = " MB" if r["figure"].endswith("_mb") else " s"
        digits = 0 if unit == " MB" else 3
        print(f"| {r['figure']} | {r['agent_scale']} | **{r['ratio']:.2f}×** | "
              f"{r['median']:.{digits}f}{unit} ({r['min']:.{digits}f}) | {r['floor_figure']} "
              f"{r['floor_median']:.{digits}f}{unit} ({r['floor_min']:.{digits}f}) |")


def _print_targets(rows: list[dict]) -> None:
    by = {(r["figure"], r["agent_scale"]): r for r in rows}
    for figure, target in TARGETS.items():
        if (figure, 1.0) in by:
            ratio = by[figure, 1.0]["ratio"]
            print(f"target {figure} <= {target}x floor: {ratio:.2f}x "
                  f"({'met' if ratio <= target else 'NOT met'})")
    if ("peak_rss_mb", 1.0) in by:
        rss = by["peak_rss_mb", 1.0]["median"]
        print(f"target peak RSS <= {RSS_TARGET_MB:.0f} MB: {rss:.0f} MB "
              f"({'met' if rss <= RSS_TARGET_MB else 'NOT met'})")
    if ("steps_s", 1.0) in by and ("steps_s", 0.5) in by:
        growth = by["steps_s", 1.0]["median"] / by["steps_s", 0.5]["median"]
        print(f"target steps at scale 1.0 <= {LINEAR_TARGET} x scale 0.5: {growth:.2f}x "
              f"({'met' if growth <= LINEAR_TARGET else 'NOT met'})")


if __name__ == "__main__":
    sys.exit(main())
