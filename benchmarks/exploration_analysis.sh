#!/usr/bin/env bash
# The exploratory analysis of issue 15 in one command (docs/exploration.md, "The analysis"):
#   bash benchmarks/exploration_analysis.sh            # defaults below
#   SAMPLES=200 SEEDS=3 SCALE=0.2 FUTURES=50 SCENARIO_SEEDS=2 bash benchmarks/exploration_analysis.sh
# 1. explore_phu_tho: SAMPLES experiments (Latin hypercube over the levers of phu_tho_programme
#    and 12 uncertainties) x SEEDS seeds;
# 2. explore_scenarios: the 7 named scenarios x FUTURES futures (the same Latin hypercube over the
#    uncertainties for every scenario) x SCENARIO_SEEDS seeds;
# 3. scenario discovery (PRIM, CART, feature scores) on 1. for Phú Thọ's 2045 cluster occupancy
#    >= OCC, its 2045 net forest absorption >= ABS (tCO2e) and its net absorption summed
#    2026-2045 >= CUM (tCO2e), and robustness of the scenarios on 2. for the same targets.
#    Prints the wall time of each step.
set -euo pipefail
SAMPLES=${SAMPLES:-100}
SEEDS=${SEEDS:-2}
SCALE=${SCALE:-0.1}
FUTURES=${FUTURES:-10}
SCENARIO_SEEDS=${SCENARIO_SEEDS:-1}
JOBS=${JOBS:-2}
OCC=${OCC:-0.7}
ABS=${ABS:-400000}
CUM=${CUM:-1.1e7}
PY=${PYTHON:-python}
OUT=${OUT:-outputs/experiments/analysis_$(date -u +%Y-%m-%d_%H-%M-%S)}
mkdir -p "$OUT"
echo "samples=$SAMPLES seeds=$SEEDS agent_scale=$SCALE futures=$FUTURES" \
  "scenario_seeds=$SCENARIO_SEEDS jobs=$JOBS -> $OUT"
start=$(date +%s)
"$PY" -m model +sweep=explore_phu_tho experiment.samples="$SAMPLES" "seed=range(0,$SEEDS)" \
  run.agent_scale="$SCALE" hydra.sweep.dir="$OUT/levers" hydra.launcher.n_jobs="$JOBS" \
  hydra.launcher.verbose=0 > "$OUT/levers.log" 2>&1
t1=$(date +%s); echo "levers x uncertainties: $((t1 - start)) s wall"
"$PY" -m model +sweep=explore_scenarios experiment.samples="$FUTURES" \
  "seed=range(0,$SCENARIO_SEEDS)" \
  run.agent_scale="$SCALE" hydra.sweep.dir="$OUT/scenarios" hydra.launcher.n_jobs="$JOBS" \
  hydra.launcher.verbose=0 > "$OUT/scenarios.log" 2>&1
t2=$(date +%s); echo "scenarios x futures: $((t2 - t1)) s wall"
for target in "occupancy_phu_tho_2045 --min $OCC" "net_absorption_phu_tho_2045 --min $ABS" \
    "net_absorption_phu_tho_cumulative_2045 --min $CUM"; do
  # shellcheck disable=SC2086
  "$PY" -m model.discover "$OUT/levers" --outcome $target
  # shellcheck disable=SC2086
  "$PY" -m model.discover "$OUT/scenarios" --outcome $target
done
t3=$(date +%s); echo "discovery and robustness: $((t3 - t2)) s wall; total $((t3 - start)) s"
