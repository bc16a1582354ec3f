"""Benchmark the scenario explorer: file size and time to interactive in headless Chromium.

Usage::

    python benchmarks/bench_explorer.py [--scale 0.05] [--seeds 20] [--work DIR] [--repeats 3]
                                        [--compare-full]

Builds two sweeps in memory with :func:`model.run` and :func:`model.compare.combine_runs` (the
layout of ``sweep.nc``) and writes them to ``DIR/<name>/sweep.nc``, unless already there:

- ``quick``: the scenarios, seeds, horizon and agent scale of ``configs/sweep/quick.yaml``
  (baseline and phu_tho_programme × 3 seeds at scale 0.1, to 2035);
- ``all_scenarios``: the seven scenarios of ``configs/sweep/all_scenarios.yaml`` × ``--seeds``
  seeds, 2025–2045, at ``--scale``.

The file's size depends on the dimensions (scenarios, seeds, years, zones, clusters), not on the
agent scale, so a small scale measures the same page as a full-scale sweep would. For each sweep
it times ``python -m model.explore`` (in-process), the file size, and, in a fresh headless
Chromium per repeat (Selenium), the time from navigation start to the page's ``data-ready``
mark (every chart drawn and the controls live: ``performance.now()`` when the first draw of both
charts resolves), and the time one control change (the map's scenario) takes to redraw both
charts. The load of the shared machine is printed with each result (``os.getloadavg``).
Results go to ``benchmarks/results/explorer.csv``; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

import xarray as xr
import yaml

import model
from model.compare import combine_runs
from model.outputs import write_netcdf
from model.paths import configs_dir

RESULTS = Path(__file__).parent / "results" / "explorer.csv"


def sweep_params(name: str) -> dict:
    """The sweeper parameters of ``configs/sweep/<name>.yaml``."""
    text = (configs_dir() / "sweep" / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["hydra"]["sweeper"]["params"]


def build(name: str, folder: Path, scale: float, seeds: int | None) -> Path:
    """Run the sweep ``name`` in memory at ``scale`` and write ``folder/sweep.nc``."""
    out = folder / "sweep.nc"
    if out.is_file():
        return folder
    params = sweep_params(name)
    scenarios = str(params["scenario"]).split(",")
    lo, hi = (int(x) for x in str(params["seed"]).removeprefix("range(").rstrip(")").split(","))
    seed_list = list(range(seeds)) if seeds else list(range(lo, hi))
    overrides = {"run.progress": False}
    if "run.end_year" in params:
        overrides["run.end_year"] = int(params["run.end_year"])
    scale = float(params.get("run.agent_scale", scale))
    start = time.perf_counter()
    runs = [model.run(scenario=s, seed=k, agent_scale=scale, overrides=overrides)
            for s in scenarios for k in seed_list]
    ds = combine_runs(runs)
    ds.attrs["agent_scale"] = scale
    write_netcdf(ds, out)
    print(f"{name}: {len(scenarios)} scenarios × {len(seed_list)} seeds at scale {scale} in "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    return folder


def browser_times(html: Path) -> tuple[float, float]:
    """(ms from navigation start to data-ready, ms to redraw after a scenario change)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from model import explore

    with explore.headless_chromium() as driver:
        driver.get(html.resolve().as_uri())
        WebDriverWait(driver, 60).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        ready = driver.execute_script("return window.explorerTiming.ready;")
        select = Select(driver.find_element(By.ID, "sel-map-scenario"))
        before = driver.execute_script("return window.explorerTiming.renders;")
        select.select_by_value(select.options[0].get_attribute("value"))
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return window.explorerTiming.renders;") > before)
        redraw = driver.execute_script("return window.explorerTiming.lastRenderMs;")
    return float(ready), float(redraw)


def full_bundle_row(html: Path, row: dict, repeats: int) -> dict:
    """The same page with the full plotly.js bundle the Python package inlines, timed alike.

    Needs the Python package ``plotly`` (not a dependency of the model): it measures why the
    explorer vendors the basic bundle instead (model/vendor/README.md).
    """
    from plotly.offline import get_plotlyjs

    from model import explore

    full = html.with_name("explorer_full_plotly.html")
    text = html.read_text(encoding="utf-8")
    full.write_text(text.replace(explore.plotly_js(),
                                 get_plotlyjs().replace("</script", "<\\/script")),
                    encoding="utf-8")
    times = [browser_times(full) for _ in range(repeats)]
    return row | {
        "sweep": row["sweep"] + " (full plotly.js)",
        "explorer_mb": round(full.stat().st_size / 1e6, 2), "write_s": "",
        "interactive_ms_median": round(statistics.median(t[0] for t in times)),
        "interactive_ms_max": round(max(t[0] for t in times)),
        "redraw_ms_median": round(statistics.median(t[1] for t in times)),
        "load_1min": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Build the sweeps, write their explorers and time them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seeds", type=int, default=20, help="seeds of all_scenarios")
    parser.add_argument("--work", type=Path, default=Path("outputs/bench_explorer"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compare-full", action="store_true",
                        help="also time all_scenarios with the full plotly.js bundle (needs the "
                             "Python package plotly)")
    args = parser.parse_args(argv)
    rows = []
    for name, seeds in (("quick", None), ("all_scenarios", args.seeds)):
        from model import explore

        folder = build(name, args.work / name, args.scale, seeds)
        start = time.perf_counter()
        html = explore.write_explorer(folder, lang="en")
        build_s = time.perf_counter() - start
        times = [browser_times(html) for _ in range(args.repeats)]
        with xr.open_dataset(folder / "sweep.nc") as opened:
            sizes, scale = dict(opened.sizes), opened.attrs.get("agent_scale")
        rows.append({
            "sweep": name, "agent_scale": scale,
            "scenarios": sizes["scenario"], "seeds": sizes["seed"], "years": sizes["year"],
            "sweep_nc_mb": round((folder / "sweep.nc").stat().st_size / 1e6, 2),
            "explorer_mb": round(html.stat().st_size / 1e6, 2),
            "write_s": round(build_s, 2),
            "interactive_ms_median": round(statistics.median(t[0] for t in times)),
            "interactive_ms_max": round(max(t[0] for t in times)),
            "redraw_ms_median": round(statistics.median(t[1] for t in times)),
            "load_1min": round(os.getloadavg()[0], 1),
        })
        print(rows[-1])
        if name == "all_scenarios" and args.compare_full:
            rows.append(full_bundle_row(html, rows[-1], args.repeats))
            print(rows[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
