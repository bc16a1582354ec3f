"""The floor: a bare-numpy loop of the same agent work as a full-scale run, for timing ratios.

Usage::

    python benchmarks/floor.py [--years 21] [--seed 0] [--out FILE.npz] [--json]

Absolute times differ by ~2x between machines of the same kind and by more on a loaded shared
machine, so ``bench_run.py`` reports the model's times as ratios to this script measured in the
same invocation. The floor is what a hand-written numpy program must do, at least, to simulate
the same agents with the same kind of decisions; it has no configuration, validation, Mesa,
Hydra, xarray or metadata. It imports numpy only, so its whole process is the floor of the
model's whole ``python -m model`` process.

Agents and work (sizes of the default region at agent scale 1.0):

- 30,000 firms in 87 zones choosing among 250 sites or staying. Each year a hazard
  draw per firm (~3 % consider moving); for the considering firms a utility matrix
  (firms x sites: land cost, wage, travel time from the current zone, labour access,
  agglomeration) and a capacity lottery of Gumbel-max rounds (each site accepts its choosers in a
  random order while land fits; the others choose again among the sites with room).
- 1,000,000 jobs with a holder's home zone, mode and tolerance. Each year the jobs of moved firms
  (one gather ``moved[job_firm]``) compare old and new commute and choose to commute, move home
  (home drawn from a CDF over zones by the new workplace) or quit (refilled from a home drawn the
  same way), and re-choose their mode (class table gather + one uniform); in three
  network-change years (as many as the baseline has) so do the holders of every job whose
  (home, work) times changed; every year one count of jobs by (mode, home zone, work zone) gives
  the indicators.
- 24,000 forest stands: Chapman-Richards growth, harvest at rotation age, a fire draw per stand,
  conversion of stands in zones that developed land, and stock and area by province.
- 21 recorded years (the base year plus 20 steps, as 2025-2045), the indicators kept in arrays
  and written once with ``numpy.savez`` (the model writes netCDF).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_ZONES, N_PROVINCES, N_SECTORS, N_MODES = 87, 6, 8, 4
N_FIRMS, N_SITES, N_JOBS, N_STANDS = 30_000, 250, 1_000_000, 24_000
LOTTERY_ROUNDS = 5


def setup(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Synthesise the agents and the zone tables; returns the state arrays."""
    s: dict[str, np.ndarray] = {}
    xy = rng.uniform(0, 150, size=(N_ZONES, 2))
    km = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) + 2.0
    s["km"] = km
    s["minutes"] = km[None] * np.array([2.0, 1.6, 1.4, 3.0])[:, None, None]  # mode x O x D
    s["zone_province"] = rng.integers(0, N_PROVINCES, N_ZONES)
    s["wage"] = rng.uniform(3.0, 5.0, N_ZONES)
    s["labour"] = rng.uniform(1e4, 1e5, N_ZONES)
    s["firm_zone"] = rng.integers(0, 30, N_FIRMS)  # Hà Nội's zones
    s["sector"] = rng.integers(0, N_SECTORS, N_FIRMS)
    s["employees"] = np.maximum(1, rng.lognormal(3.0, 1.0, N_FIRMS)).astype(np.int64)
    s["area"] = s["employees"] * 1e-2
    s["age"] = rng.exponential(10.0, N_FIRMS)
    s["site_zone"] = rng.integers(0, N_ZONES, N_SITES)
    s["site_rent"] = rng.uniform(50, 150, N_SITES)
    s["site_free"] = rng.uniform(5, 60, N_SITES)
    s["site_sector_ok"] = rng.random((N_SITES, N_SECTORS)) < 0.8
    job_firm = np.repeat(np.arange(N_FIRMS), s["employees"])
    job_firm = job_firm[rng.permutation(job_firm.size)[:N_JOBS]]
    if job_firm.size < N_JOBS:
        job_firm = np.concatenate([job_firm, rng.integers(0, N_FIRMS, N_JOBS - job_firm.size)])
    s["job_firm"] = job_firm.astype(np.int32)
    s["home_cdf"] = _home_cdf(km)
    work = s["firm_zone"][job_firm]
    s["home"] = _draw_home(s["home_cdf"], work, rng)
    s["tolerance"] = rng.uniform(20, 90, N_JOBS).astype(np.float32)
    s["held"] = np.ones(N_JOBS, dtype=bool)
    s["mode"] = _choose_modes(s, np.arange(N_JOBS), rng)
    s["stand_zone"] = rng.integers(0, N_ZONES, N_STANDS)
    s["stand_type"] = rng.integers(0, 3, N_STANDS)
    s["stand_age"] = rng.uniform(0, 40, N_STANDS)
    s["stand_area"] = rng.uniform(5, 50, N_STANDS)
    s["rotation"] = np.array([8.0, 12.0, np.inf])[s["stand_type"]]
    return s


def _home_cdf(km: np.ndarray) -> np.ndarray:
    weight = np.exp(-0.08 * km)
    cdf = np.cumsum(weight, axis=0)
    return (cdf / cdf[-1]).T.copy()  # work zone x home zone


def _draw_home(cdf: np.ndarray, work: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One home per person: a searchsorted per work zone on its CDF over home zones."""
    home = np.empty(work.size, dtype=np.int16)
    u = rng.random(work.size)
    order = np.argsort(work, kind="stable")
    bounds = np.searchsorted(work[order], np.arange(N_ZONES + 1))
    for w in range(N_ZONES):
        rows = order[bounds[w]:bounds[w + 1]]
        if rows.size:
            home[rows] = np.minimum(np.searchsorted(cdf[w], u[rows]), N_ZONES - 1)
    return home


def _choose_modes(s: dict[str, np.ndarray], idx: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
    """Logit mode choice by (home, work) class: a table per class, a gather and a uniform."""
    gc = s["minutes"].transpose(1, 2, 0).reshape(N_ZONES * N_ZONES, N_MODES)
    p = np.exp(-0.05 * gc)
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    cls = s["home"][idx].astype(np.int64) * N_ZONES + s["firm_zone"][s["job_firm"][idx]]
    u = rng.random(idx.size)
    return (u[:, None] > cdf[cls]).sum(axis=1).astype(np.int8)


def firm_step(s: dict[str, np.ndarray], year: int, rng: np.random.Generator):
    """Hazard draws, utilities and the capacity lottery; returns (moved rows, their old zones)."""
    hazard = np.where(s["employees"] < 50, 0.04, np.where(s["employees"] < 250, 0.025, 0.015))
    hazard = hazard * np.where(s["age"] < 5, 1.5, 1.0) * 1.02 ** (year % 20)
    rows = np.flatnonzero(rng.random(N_FIRMS) < hazard)
    zone = s["firm_zone"][rows]
    same = np.bincount(s["firm_zone"] * N_SECTORS + s["sector"],
                       minlength=N_ZONES * N_SECTORS).reshape(N_ZONES, N_SECTORS)
    sz = s["site_zone"]
    v = (-0.02 * (s["area"][rows, None] * s["site_rent"][None, :]
                  + s["employees"][rows, None] * s["wage"][None, sz])
         - 0.03 * s["minutes"][2][zone][:, sz]
         + 0.5 * np.log(s["labour"][sz])[None, :]
         + 0.3 * np.log1p(same[sz][:, s["sector"][rows]].T))
    v_stay = (-0.02 * s["employees"][rows] * s["wage"][zone] + 0.5 * np.log(s["labour"][zone])
              + 1.0)
    allowed = s["site_sector_ok"][:, s["sector"][rows]].T
    choice = np.full(rows.size, -1)
    left = np.arange(rows.size)
    free = s["site_free"].copy()
    for _ in range(LOTTERY_ROUNDS):
        if left.size == 0:
            break
        room = allowed[left] & (s["area"][rows[left], None] <= free[None, :])
        u = np.where(room, v[left], -np.inf) + rng.gumbel(size=(left.size, N_SITES))
        u_stay = v_stay[left] + rng.gumbel(size=left.size)
        best = np.argmax(u, axis=1)
        go = u[np.arange(left.size), best] > u_stay
        stay = left[~go]
        choice[stay] = N_SITES
        movers, dest = left[go], best[go]
        order = np.lexsort((rng.random(movers.size), dest))
        movers, dest = movers[order], dest[order]
        land = s["area"][rows[movers]]
        start = np.searchsorted(dest, dest)
        cum = np.cumsum(land)
        used = cum - (cum[start] - land[start])
        fits = used <= free[dest]
        choice[movers[fits]] = dest[fits]
        free -= np.bincount(dest[fits], weights=land[fits], minlength=N_SITES)
        left = movers[~fits]
    moved = rows[(choice >= 0) & (choice < N_SITES)]
    dest = choice[(choice >= 0) & (choice < N_SITES)]
    old_zone = s["firm_zone"][moved].copy()
    s["firm_zone"][moved] = sz[dest]
    s["site_free"] = free
    s["age"] += 1.0
    s["age"][moved] = 0.0
    return moved, old_zone


def worker_step(s: dict[str, np.ndarray], moved: np.ndarray, old_zone: np.ndarray,
                network_changed: bool, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Responses of the jobs of moved firms, hires, mode re-choice; the year's indicators."""
    flag = np.zeros(N_FIRMS, dtype=bool)
    flag[moved] = True
    idx = np.flatnonzero(flag[s["job_firm"]] & s["held"])
    previous = s["firm_zone"].copy()
    previous[moved] = old_zone
    firm = s["job_firm"][idx]
    home = s["home"][idx]
    bike = s["minutes"][0]
    old_min, new_min = bike[home, previous[firm]], bike[home, s["firm_zone"][firm]]
    extra = np.maximum(new_min - old_min, 0.0)
    v = np.column_stack([np.where(new_min <= s["tolerance"][idx], -0.05 * extra, -np.inf),
                         np.full(idx.size, -1.5), np.full(idx.size, -3.0)])
    pick = np.argmax(v + rng.gumbel(size=v.shape), axis=1)
    move_home, quit_ = idx[pick == 1], idx[pick == 2]
    s["home"][move_home] = _draw_home(s["home_cdf"], s["firm_zone"][s["job_firm"][move_home]],
                                      rng)
    s["home"][quit_] = _draw_home(s["home_cdf"], s["firm_zone"][s["job_firm"][quit_]], rng)
    s["tolerance"][quit_] = rng.uniform(20, 90, quit_.size)
    work = s["firm_zone"][s["job_firm"]]
    if network_changed:
        # A corridor shortens the times between some zones: the holders of the (home, work)
        # pairs whose times changed re-choose their mode, besides the responding workers.
        faster = np.zeros(N_ZONES, dtype=bool)
        faster[rng.choice(N_ZONES, 12, replace=False)] = True
        pair = faster[:, None] | faster[None, :]
        s["minutes"][:, pair] *= 0.9
        changed = pair[s["home"], work] & s["held"]
        changed[idx] = True
        idx = np.flatnonzero(changed)
    s["mode"][idx] = _choose_modes(s, idx, rng)
    cls = (s["mode"].astype(np.int64) * N_ZONES + s["home"]) * N_ZONES + work
    counts = np.bincount(cls, minlength=N_MODES * N_ZONES * N_ZONES).reshape(
        N_MODES, N_ZONES, N_ZONES)
    minutes = (counts * s["minutes"]).sum(axis=0)
    jobs = counts.sum(axis=(0, 1))
    return {"jobs_by_zone": jobs, "mode_share": counts.sum(axis=(1, 2)) / N_JOBS,
            "mean_commute_min": minutes.sum() / max(jobs.sum(), 1),
            "quit": np.array(quit_.size), "moved_home": np.array(move_home.size)}


def forest_step(s: dict[str, np.ndarray], developed: np.ndarray,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Growth, harvest, fire and conversion of the stands; stock and area by province."""
    a, k, p = np.array([180.0, 220.0, 300.0]), np.array([0.12, 0.09, 0.05]), 2.5
    t = s["stand_type"]
    age = s["stand_age"]
    harvest = age >= s["rotation"]
    age = np.where(harvest, 0.0, age)
    burn = rng.random(N_STANDS) < 0.002
    age = np.where(burn, 0.0, age + 1.0)
    zone_area = np.bincount(s["stand_zone"], weights=s["stand_area"], minlength=N_ZONES)
    share = np.divide(developed, zone_area, out=np.zeros(N_ZONES), where=zone_area > 0)
    s["stand_area"] *= 1.0 - np.minimum(share[s["stand_zone"]], 1.0)
    s["stand_age"] = age
    volume = a[t] * (1.0 - np.exp(-k[t] * age)) ** p
    stock = volume * s["stand_area"] * 0.7
    province = s["zone_province"][s["stand_zone"]]
    return {"stock": np.bincount(province, weights=stock, minlength=N_PROVINCES),
            "area": np.bincount(province, weights=s["stand_area"], minlength=N_PROVINCES),
            "harvested_ha": np.bincount(province, weights=s["stand_area"] * harvest,
                                        minlength=N_PROVINCES)}


def run(years: int = 21, seed: int = 0, network_years: tuple[int, ...] = (3, 8, 13),
        clock=time.perf_counter) -> dict:
    """Set up and simulate; returns the recorded indicators and the seconds of each phase.

    ``clock`` is the timer of the phases (``time.process_time`` for CPU seconds).
    """
    t0 = clock()
    rng = np.random.default_rng(seed)
    s = setup(rng)
    t1 = clock()
    record: dict[str, list] = {}
    empty = np.zeros(0, dtype=np.int64)
    for step in range(years):
        if step == 0:
            moved, old_zone = empty, empty
        else:
            moved, old_zone = firm_step(s, step, rng)
        freed = np.bincount(s["site_zone"], weights=np.maximum(50 - s["site_free"], 0),
                            minlength=N_ZONES) * 0.01
        out = worker_step(s, moved, old_zone, step in network_years, rng)
        out |= forest_step(s, freed, rng)
        out["firms_by_province"] = np.bincount(s["zone_province"][s["firm_zone"]],
                                               minlength=N_PROVINCES)
        for name, value in out.items():
            record.setdefault(name, []).append(value)
    t2 = clock()
    return {"arrays": {k: np.stack(v) for k, v in record.items()},
            "setup_s": t1 - t0, "loop_s": t2 - t1}


def main(argv: list[str] | None = None) -> None:
    """Run the floor once; print its phase times (JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=21)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="results .npz (default: temp)")
    parser.add_argument("--json", action="store_true", help="print the times as one JSON line")
    args = parser.parse_args(argv)
    result = run(args.years, args.seed)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        np.savez_compressed(args.out or Path(folder) / "floor.npz", **result["arrays"])
    times = {"setup_s": result["setup_s"], "loop_s": result["loop_s"],
             "write_s": time.perf_counter() - t0}
    if args.json:
        print(json.dumps(times))
    else:
        print(", ".join(f"{k}={v:.3f}" for k, v in times.items()), file=sys.stdout)


if __name__ == "__main__":
    main()
