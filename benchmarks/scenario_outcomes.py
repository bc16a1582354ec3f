"""Headline outcomes of the named scenarios at full scale: the numbers a closing note quotes.

For each named scenario and seed (in-process, ``model.run``), and printed as median [min-max]
across seeds:

- relocations into Phú Thọ and into Thái Nguyên 2026-2045;
- province occupancy of Phú Thọ, Thái Nguyên and Hà Nội in 2030, 2035, 2045;
- Phú Thọ's relocations with one-stop customs alone (the baseline plus the lever as
  ``phu_tho_programme`` sets it) against the baseline;
- base-year mode shares of all job holders (from the model's initial state);
- the forest-carbon metrics of ``benchmarks/forest_credits_note.py`` for baseline,
  carbon_credits and phu_tho_programme.

Usage: python benchmarks/scenario_outcomes.py [--seeds 0 1 2 3 4] [--scale 1.0] [--jsonl FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import model
from model.simulation import CapitalRegionModel
from model.transport import MODES
from model.workers import VACANT

sys.path.insert(0, str(Path(__file__).parent))
from forest_credits_note import metrics as forest_metrics

SCENARIOS = ("baseline", "corridors", "land_rent_exemption", "carbon_credits",
             "phu_tho_programme", "thai_nguyen_plan", "capital_region")
PT, TN, HN = "Phú Thọ", "Thái Nguyên", "Hà Nội"
CUSTOMS_ALONE = {"policies.logistics.one_stop_customs_year": 2028,
                 "policies.logistics.customs_provinces": [PT]}


def fmt(values, digits=0, scale=1.0):
    """Median [min-max]."""
    v = [x / scale for x in values]
    f = f"{{:,.{digits}f}}"
    return f"{f.format(statistics.median(v))} [{f.format(min(v))}–{f.format(max(v))}]"


def outcomes(ds) -> dict:
    """Relocations and occupancy of one run."""
    rel = ds["firms_relocated"].sel(year=slice(2026, 2045)).sum("year")
    occ = ds["province_occupancy"]
    out = {"reloc_pt": float(rel.sel(province=PT)), "reloc_tn": float(rel.sel(province=TN))}
    for p, key in ((PT, "pt"), (TN, "tn"), (HN, "hn")):
        for y in (2030, 2035, 2045):
            out[f"occ_{key}_{y}"] = float(occ.sel(province=p, year=y))
    return out


def main() -> None:
    """Run everything and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--jsonl", type=Path, default=None, help="also write each run's numbers")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows: dict[str, list[dict]] = {s: [] for s in (*SCENARIOS, "customs_alone")}
    forest: dict[str, list[dict]] = {}
    sink = args.jsonl.open("w") if args.jsonl else None
    for seed in args.seeds:
        for scenario in (*SCENARIOS, "customs_alone"):
            if scenario == "customs_alone":
                ds = model.run(scenario="baseline", seed=seed, agent_scale=args.scale,
                               overrides=CUSTOMS_ALONE)
            else:
                ds = model.run(scenario=scenario, seed=seed, agent_scale=args.scale)
            rows[scenario].append(outcomes(ds))
            if scenario in ("baseline", "carbon_credits", "phu_tho_programme"):
                forest.setdefault(scenario, []).append(forest_metrics(ds))
            if sink:
                sink.write(json.dumps({"scenario": scenario, "seed": seed,
                                       **rows[scenario][-1]}) + "\n")
                sink.flush()
            print(f"  {scenario} seed {seed} done ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
    print(f"seeds {args.seeds}, agent scale {args.scale}; median [min–max]\n")
    print("| scenario | relocations into Phú Thọ 2026–45 | into Thái Nguyên 2026–45 | "
          "PT occupancy 2030 / 2035 / 2045 | TN occupancy 2030 / 2035 / 2045 | "
          "HN occupancy 2030 / 2035 / 2045 |")
    print("|---|---|---|---|---|---|")
    for s in SCENARIOS:
        r = rows[s]
        col = {k: [x[k] for x in r] for k in r[0]}
        occ = [" / ".join(fmt(col[f"occ_{p}_{y}"], 2) for y in (2030, 2035, 2045))
               for p in ("pt", "tn", "hn")]
        print(f"| {s} | {fmt(col['reloc_pt'])} | {fmt(col['reloc_tn'])} | " + " | ".join(occ)
              + " |")
    base = [x["reloc_pt"] for x in rows["baseline"]]
    alone = [x["reloc_pt"] for x in rows["customs_alone"]]
    print(f"\nPhú Thọ relocations 2026–45: baseline {fmt(base)}; one-stop customs alone "
          f"{fmt(alone)}")
    shares = []
    for seed in args.seeds:
        m = CapitalRegionModel(model.load_config("baseline", seed=seed, agent_scale=args.scale))
        j = m.workers.jobs
        held = j.holder != VACANT
        counts = np.bincount(j.mode[held], minlength=len(MODES))
        shares.append(counts / counts.sum() * 100)
    s = np.array(shares)
    print("\nBase-year mode shares of job holders (%): "
          + ", ".join(f"{mode} {fmt(s[:, k], 2)}" for k, mode in enumerate(MODES)))
    print("\nForest (Phú Thọ unless stated):")
    keys = ("credits", "added_2045", "paid_per_t_usd", "pc_usd", "net_pt_2030", "net_pt_2035",
            "net_pt_2040", "net_pt_2045", "net_all_2030", "net_all_2045", "converted_all",
            "converted_pt")
    for sc, r in forest.items():
        col = {k: [x[k] for x in r] for k in keys}
        parts = []
        for k in keys:
            v = [x for x in col[k] if np.isfinite(x)]
            mt = "net" in k or k in ("credits", "added_2045")
            text = fmt(v, 3, 1e6) if mt else fmt(v, 2)
            parts.append(f"{k} {text}" if v else f"{k} n/a")
        print(f"  {sc}: " + "; ".join(parts))
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
