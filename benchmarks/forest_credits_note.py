"""Forest-carbon numbers of issue 11's closing note: credits, additional stock, payments, swings.

Runs ``baseline``, ``carbon_credits`` and ``phu_tho_programme`` for several seeds in-process
(``model.run``) and prints, per scenario, median [min-max] across seeds of:

- Phú Thọ credits issued 2030-2045 (tCO2e), additional stock in 2045, credit reversals;
- owners' carbon payments per tonne actually added (sum of payments 2030-2045 / additional
  stock 2045, US$/tCO2e) against P_c = price x owner_share x (1 - buffer)(1 - leakage), and the
  credit value per tonne added, price x (credits - cancellations) / additional stock;
- credit revenue (price x credits net of cancellations) and what owners were paid, US$ m;
- net forest absorption in 2030, 2035, 2040, 2045 (Phú Thọ, Thái Nguyên, region);
- forest converted to industrial land 2026-2045 (ha);

and every year-to-year change of net absorption larger than 30 % of its centred 5-year median,
with the flow (removals, harvest, fire, conversion) whose change explains most of it.

Usage: python benchmarks/forest_credits_note.py [--seeds 0 1 2 3 4] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import yaml

import model
from model.testing import check_results

SCENARIOS = ("baseline", "carbon_credits", "phu_tho_programme")
PT, TN = "Phú Thọ", "Thái Nguyên"
FLOWS = {"removals": ("forest_removals_tco2e", 1.0),
         "harvest": ("forest_emissions_harvest_tco2e", -1.0),
         "fire": ("forest_emissions_fire_tco2e", -1.0),
         "conversion": ("forest_emissions_conversion_tco2e", -1.0)}


def fmt(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """Median [min-max] of finite values, divided by ``scale``."""
    v = [x / scale for x in values if np.isfinite(x)]
    if not v:
        return "n/a"
    return f"{statistics.median(v):.{digits}f} [{min(v):.{digits}f}-{max(v):.{digits}f}]"


def metrics(ds) -> dict[str, float]:
    """The closing-note numbers of one run."""
    out: dict[str, float] = {}
    forest = yaml.safe_load(ds.attrs["config_yaml"])["policies"]["forest"]
    usd_vnd = yaml.safe_load(ds.attrs["config_yaml"])["forest"]["usd_vnd"]
    years = slice(2030, 2045)
    pt = ds.sel(province=PT)
    credits = float(pt["carbon_credits_tco2e"].sel(year=years).sum())
    cancelled = float(pt["credit_cancellations_tco2e"].sel(year=years).sum())
    added = float(pt["additional_stock_tco2e"].sel(year=2045))
    paid = float(pt["carbon_payments_vnd"].sel(year=years).sum())
    out["credits"] = credits
    out["reversals"] = float(pt["credit_reversals_tco2e"].sel(year=years).sum())
    out["cancelled"] = cancelled
    out["buffer_2045"] = float(pt["buffer_pool_tco2e"].sel(year=2045))
    out["added_2045"] = added
    price = forest["carbon_price_usd_tco2e"]
    out["pc_usd"] = (price * forest["owner_share"] * (1 - forest["buffer_share"])
                     * (1 - forest["leakage_share"]))
    ok = forest.get("credit_start_year") is not None and abs(added) > 1.0
    out["paid_per_t_usd"] = paid / added / usd_vnd if ok else np.nan
    out["credit_value_per_t_usd"] = price * (credits - cancelled) / added if ok else np.nan
    out["revenue_musd"] = price * (credits - cancelled) / 1e6
    out["paid_musd"] = paid / usd_vnd / 1e6
    net = ds["forest_net_absorption_tco2e"]
    for y in (2030, 2035, 2040, 2045):
        out[f"net_pt_{y}"] = float(net.sel(province=PT, year=y))
        out[f"net_tn_{y}"] = float(net.sel(province=TN, year=y))
        out[f"net_all_{y}"] = float(net.sel(year=y).sum("province"))
    conv = ds["forest_converted_ha"].sel(year=slice(2026, 2045))
    out["converted_all"] = float(conv.sum())
    out["converted_pt"] = float(conv.sel(province=PT).sum())
    return out


def swings(ds, label: str) -> list[str]:
    """Year-to-year changes of net absorption > 30 % of the centred 5-year median, explained."""
    lines = []
    for name, sel in ((PT, {"province": PT}), (TN, {"province": TN}), ("region", None)):
        def series(var, sel=sel):
            v = ds[var].sel(year=slice(2026, 2045))
            return (v.sel(**sel) if sel else v.sum("province")).values

        net = series("forest_net_absorption_tco2e")
        years = np.arange(2026, 2046)
        for i in range(1, len(net)):
            lo, hi = max(0, i - 2), min(len(net), i + 3)
            med = float(np.median(net[lo:hi]))
            jump = net[i] - net[i - 1]
            if abs(jump) > 0.3 * abs(med):
                parts = {k: sign * (series(v)[i] - series(v)[i - 1])
                         for k, (v, sign) in FLOWS.items()}
                cause = max(parts, key=lambda k: abs(parts[k]))
                lines.append(f"  {label} {name} {years[i]}: {net[i - 1] / 1e6:+.2f} -> "
                             f"{net[i] / 1e6:+.2f} Mt (5-yr median {med / 1e6:.2f}); "
                             f"largest change: {cause} {parts[cause] / 1e6:+.2f} Mt")
    return lines


def main() -> None:
    """Run the scenarios and print the closing-note numbers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    print(f"seeds {args.seeds}, agent scale {args.scale}")
    for scenario in SCENARIOS:
        rows, notes = [], []
        t0 = time.perf_counter()
        for seed in args.seeds:
            ds = model.run(scenario=scenario, seed=seed, agent_scale=args.scale)
            problems = check_results(ds)
            if problems:
                print(f"  {scenario} seed {seed}: CONTRACT PROBLEMS {problems}")
            rows.append(metrics(ds))
            notes += swings(ds, f"seed {seed}")
        col = {k: [r[k] for r in rows] for k in rows[0]}
        print(f"\n== {scenario} ({time.perf_counter() - t0:.0f} s)")
        print(f"Phú Thọ credits issued 2030-45 (MtCO2e): {fmt(col['credits'], 1e6, 3)}")
        print(f"  reversals 2030-45 {fmt(col['reversals'], 1e6, 3)}, cancelled "
              f"{fmt(col['cancelled'], 1e6, 3)}, buffer pool 2045 "
              f"{fmt(col['buffer_2045'], 1e6, 3)}")
        print(f"Phú Thọ additional stock 2045 (MtCO2e): {fmt(col['added_2045'], 1e6, 3)}")
        print(f"Owners' payments per tonne added (US$/tCO2e): {fmt(col['paid_per_t_usd'])}"
              f" (P_c = {col['pc_usd'][0]:.2f})")
        print(f"Credit value per tonne added (US$/tCO2e): {fmt(col['credit_value_per_t_usd'])}")
        print(f"Credit revenue net of cancellations 2030-45 (US$ m): {fmt(col['revenue_musd'])};"
              f" paid to owners {fmt(col['paid_musd'])}")
        for area, key in ((PT, "pt"), (TN, "tn"), ("region", "all")):
            vals = ", ".join(f"{y} {fmt(col[f'net_{key}_{y}'], 1e6)}"
                             for y in (2030, 2035, 2040, 2045))
            print(f"Net absorption {area} (MtCO2e/yr): {vals}")
        print(f"Forest converted 2026-45 (ha): region {fmt(col['converted_all'], 1, 0)}, "
              f"Phú Thọ {fmt(col['converted_pt'], 1, 0)}")
        print(f"Swings > 30 % of the 5-yr median: {len(notes)}")
        print("\n".join(notes))


if __name__ == "__main__":
    main()
