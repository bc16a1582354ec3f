"""Scenario discovery (PRIM, CART) and robustness over an experiment folder.

Command line::

    python -m model.discover FOLDER --outcome occupancy_phu_tho_2045 --min 0.7
    python -m model.discover FOLDER --outcome net_absorption_phu_tho_2045 --min 2e6 --seeds each
    python -m model.discover FOLDER --outcome workers_quit_2045 --max 20000 --scenario baseline

``FOLDER`` is an experiment sweep (``configs/sweep/explore_*``: ``outcomes.csv`` and
``design.csv``, collated on the fly if missing). The outcome is a name of
:data:`model.experiments.OUTCOMES` or ``variable:province:year``; a run (or experiment) is *of
interest* when the outcome is at least ``--min`` (or at most ``--max``).

**Seeds** (``--seeds``): ``mean`` (default) — an experiment is of interest when its outcome
averaged over its seeds meets the target (one row per experiment; the seeds are replications of
the same experiment, their mean is the expected outcome); ``each`` — every (experiment, seed) run
is a row (coverage and density count runs; the design columns repeat); ``all`` — an experiment
is of interest only when every seed meets the target (a cautious reading).

**PRIM** (EMA Workbench's ``Prim``, lenient objective, ``--peel-alpha``, ``--mass-min``) runs on
the lever and uncertainty columns only (the design), never on labels. The box chosen on the
peeling trajectory is the densest one whose coverage is at least ``--min-coverage`` (ties: fewer
restricted dimensions). **CART** (EMA's ``CART``, same ``mass_min``) is fitted for comparison;
**feature scores** are extra-trees importances (EMA's ``get_ex_feature_scores``) for the
classification (of interest or not) and for the outcome itself.

**Robustness** (folders with several scenarios that met the same futures, e.g.
``explore_scenarios``): per scenario over the futures (experiments; each the mean over its
seeds) — *satisficing*: the share of futures meeting the target; *regret*: in each future, the
best scenario's outcome minus this scenario's (best = highest with ``--min``, lowest with
``--max``), median and maximum over futures; and the 5th, 50th and 95th percentiles.

Written into ``FOLDER/discovery/<outcome>_<min|max><target>/``: ``peeling.csv`` (the trajectory,
the chosen box flagged), ``boxes.csv`` (per box and restricted dimension: limits, the full
range, quasi-p-values, coverage, density, mass), ``cart_boxes.csv``, ``feature_scores.csv``,
``robustness.csv`` (with several scenarios), ``discovery.json`` (what the report reads) and
figures ``tradeoff.png``, ``box.png``, ``feature_scores.png``, ``robustness.png``.

Needs the optional extra ``[explore]`` (EMA Workbench). Exit status 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import levers as lv
from .errors import UserError
from .experiments import read_outcomes
from .outputs import write_text

LABELS = ("scenario", "experiment", "seed")


@dataclass(frozen=True)
class Target:
    """An outcome threshold: ``outcome >= value`` (``at_least``) or ``outcome <= value``."""

    outcome: str
    value: float
    at_least: bool = True

    def met(self, y: np.ndarray) -> np.ndarray:
        """Which values meet the target (NaN never does)."""
        with np.errstate(invalid="ignore"):
            return (y >= self.value) if self.at_least else (y <= self.value)

    @property
    def slug(self) -> str:
        """Folder name of the analysis."""
        safe = self.outcome.replace(":", "_").replace(" ", "_")
        return f"{safe}_{'min' if self.at_least else 'max'}{self.value:g}"

    def text(self) -> str:
        """``outcome >= value``."""
        return f"{self.outcome} {'>=' if self.at_least else '<='} {self.value:g}"


def dimensions_of(columns: list[str]) -> dict[str, lv.Dimension | None]:
    """The design columns' dimensions (``None`` for a column this installation cannot name)."""
    known = {d.name: d for d in lv.all_uncertainties()}
    out: dict[str, lv.Dimension | None] = {}
    for col in columns:
        if col in known:
            out[col] = known[col]
            continue
        try:
            out[col] = lv.dimension(col.replace("__", "."), "lever")
        except UserError:
            out[col] = None
    return out


def design_columns(folder: Path, table: pd.DataFrame) -> list[str]:
    """The lever and uncertainty columns (those of ``design.csv``)."""
    path = folder / "design.csv"
    if not path.is_file():
        raise UserError(f"{folder} has no design.csv: give an experiment folder "
                        "(python -m model +sweep=explore_...)")
    cols = [c for c in pd.read_csv(path, nrows=1).columns if c not in ("experiment", "scenario")]
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise UserError(f"outcomes.csv lacks the design columns {', '.join(missing)}; re-collate "
                        f"with python -m model.experiments collate {folder}")
    return cols


def rows(table: pd.DataFrame, x_cols: list[str], target: Target, seeds: str) -> tuple[
        pd.DataFrame, np.ndarray, np.ndarray]:
    """PRIM's inputs: ``x`` (design columns as floats), ``y`` (of interest) and the outcome.

    Raises:
        UserError: unknown seeds mode, or no run has the outcome.
    """
    ok = table[np.isfinite(table[target.outcome])]
    if ok.empty:
        raise UserError(f"no run has a value of {target.outcome} (the horizon may end before "
                        "its year, or the runs failed)")
    if seeds == "each":
        x = ok[x_cols].astype(float).reset_index(drop=True)
        value = ok[target.outcome].to_numpy(dtype=float)
        return x, target.met(value), value
    if seeds not in ("mean", "all"):
        raise UserError(f"--seeds must be mean, each or all, got {seeds!r}")
    groups = ok.groupby("experiment", sort=True)
    x = groups[x_cols].first().astype(float).reset_index(drop=True)
    value = groups[target.outcome].mean().to_numpy(dtype=float)
    if seeds == "mean":
        return x, target.met(value), value
    every = groups[target.outcome].apply(lambda v: bool(target.met(v.to_numpy()).all()))
    return x, every.to_numpy(), value


def choose_box(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest box with coverage >= ``min_coverage`` (ties: fewest restricted dims)."""
    eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if eligible.empty:
        eligible = trajectory
    best = eligible.sort_values(["density", "res_dim", "id"], ascending=[False, True, True])
    return int(best.iloc[0]["id"])


def prim(x: pd.DataFrame, y: np.ndarray, *, n_boxes: int = 1, peel_alpha: float = 0.05,
         mass_min: float = 0.05, min_coverage: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run EMA's PRIM: the peeling trajectories and the chosen boxes' limits.

    Returns:
        ``(peeling, boxes)``: the trajectory of every box (``box``, ``id``, coverage, density,
        mass, res_dim, ``chosen``) and, per chosen box and restricted dimension, ``low``,
        ``high``, the data's ``range_low``/``range_high``, ``qp_low``/``qp_high`` and the box's
        coverage, density, mass and res_dim.
    """
    from .ema import analysis, quiet

    ema_prim = analysis()[0]

    if not y.any():
        raise UserError("no experiment meets the target: nothing for PRIM to box (lower it?)")
    with quiet():
        algorithm = ema_prim.Prim(x, y.astype(bool), peel_alpha=peel_alpha, mass_min=mass_min)
    peelings, limits = [], []
    for k in range(1, n_boxes + 1):
        with quiet():
            box = algorithm.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory.copy()
        i = choose_box(trajectory, min_coverage)
        box.select(i)
        trajectory.insert(0, "box", k)
        trajectory["chosen"] = trajectory["id"] == i
        peelings.append(trajectory)
        lims = box.box_lims[i]
        init = algorithm.box_init
        qp = box.p_values[i]
        for col in x.columns:
            low, high = float(lims.loc[0, col]), float(lims.loc[1, col])
            if low == float(init.loc[0, col]) and high == float(init.loc[1, col]):
                continue
            q = qp.get(col, [np.nan, np.nan])
            limits.append({"box": k, "dimension": col, "low": low, "high": high,
                           "range_low": float(init.loc[0, col]),
                           "range_high": float(init.loc[1, col]),
                           "qp_low": _qp(q[0]), "qp_high": _qp(q[1]),
                           "coverage": box.coverage, "density": box.density,
                           "mass": box.mass, "res_dim": int(box.res_dim)})
    columns = ["box", "dimension", "low", "high", "range_low", "range_high", "qp_low",
               "qp_high", "coverage", "density", "mass", "res_dim"]
    return pd.concat(peelings, ignore_index=True), pd.DataFrame(limits, columns=columns)


def _qp(value: float) -> float:
    """EMA marks an unrestricted side's quasi-p-value with -1: NaN here."""
    return float("nan") if value is None or value < 0 else float(value)


def cart(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05) -> pd.DataFrame:
    """EMA's CART leaves: per leaf and restricted dimension, limits and the leaf's statistics."""
    from .ema import analysis, quiet

    ema_cart = analysis()[1]

    # EMA turns mass_min into min_samples_leaf = int(mass_min * n), which must be >= 1.
    with quiet():
        tree = ema_cart.CART(x, y.astype(int), mass_min=max(mass_min, 1.0 / len(x)))
        tree.build_tree()
        leaves = list(zip(tree.boxes, tree.stats, strict=True))
    init = x.agg(["min", "max"])
    out = []
    for leaf, (lims, stats) in enumerate(leaves, start=1):
        for col in x.columns:
            low, high = float(lims.loc[0, col]), float(lims.loc[1, col])
            if low <= init.loc["min", col] and high >= init.loc["max", col]:
                continue
            out.append({"leaf": leaf, "dimension": col, "low": max(low, init.loc["min", col]),
                        "high": min(high, init.loc["max", col]), "coverage": stats["coverage"],
                        "density": stats["density"], "mass": stats["mass"]})
    return pd.DataFrame(out, columns=["leaf", "dimension", "low", "high", "coverage",
                                      "density", "mass"])


def feature_scores(x: pd.DataFrame, y: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """Extra-trees importances for being of interest and for the outcome (seeded: repeatable)."""
    from .ema import analysis, quiet

    _, _, fs, RuleInductionType = analysis()

    with quiet():
        # EMA's default max_features = round(columns / 3) is 0 below two columns.
        options = {"random_state": 0, "max_features": max(1, round(x.shape[1] / 3))}
        cls, _ = fs.get_ex_feature_scores(x, y.astype(int), **options,
                                          mode=RuleInductionType.CLASSIFICATION)
        reg, _ = fs.get_ex_feature_scores(x, value, mode=RuleInductionType.REGRESSION,
                                          **options)
    table = pd.DataFrame({"score_target": cls.iloc[:, 0], "score_outcome": reg.iloc[:, 0]})
    table.index.name = "dimension"
    return table.sort_values("score_target", ascending=False).reset_index()


def robustness(table: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Satisficing, regret and the 5–95 % range of each scenario over the shared futures.

    Each future (experiment) counts once: its value is the mean over its seeds. Only futures
    every scenario met are used (regret compares scenarios in the same future).

    Raises:
        UserError: fewer than two scenarios, or no future shared by all of them.
    """
    values = table.pivot_table(index="experiment", columns="scenario", values=target.outcome,
                               aggfunc="mean").dropna()
    if values.shape[1] < 2:
        raise UserError("robustness needs at least two scenarios that met the same futures")
    if values.empty:
        raise UserError("no future has results for every scenario")
    best = values.max(axis=1) if target.at_least else values.min(axis=1)
    regret = (best.to_numpy()[:, None] - values.to_numpy()) * (1 if target.at_least else -1)
    out = pd.DataFrame({
        "scenario": values.columns,
        "futures": len(values),
        "p05": values.quantile(0.05).to_numpy(),
        "median": values.median().to_numpy(),
        "p95": values.quantile(0.95).to_numpy(),
        "satisficing": target.met(values.to_numpy()).mean(axis=0),
        "regret_median": np.median(regret, axis=0),
        "regret_max": regret.max(axis=0),
    })
    return out.sort_values(["satisficing", "regret_median"], ascending=[False, True],
                           ignore_index=True)


# ---- plain words ---------------------------------------------------------------------------

WORDS = {
    "between": {"en": "{key} between {low} and {high}", "vi": "{key} trong khoảng {low} – {high}"},
    "at_least": {"en": "{key} at least {low}", "vi": "{key} từ {low} trở lên"},
    "at_most": {"en": "{key} at most {high}", "vi": "{key} không quá {high}"},
    "never": {"en": "{key} never", "vi": "{key} không bao giờ"},
    "by": {"en": "{key} by {high} (not never)", "vi": "{key} không muộn hơn năm {high} (có "
           "thực hiện)"},
    "by_or_never": {"en": "{key} from {low} on, or never", "vi": "{key} từ năm {low} trở đi, "
                    "hoặc không bao giờ"},
}


def _fmt(value: float, d: lv.Dimension | None, upper: bool = False) -> str:
    """A limit as text.

    An integer setting's upper limit rounds down and its lower limit up: PRIM puts limits
    between sampled values.
    """
    if d is not None and d.integer:
        return f"{math.floor(value + 1e-9) if upper else math.ceil(value - 1e-9):d}"
    return f"{value:.3g}"


def describe(limit: Mapping[str, Any], d: lv.Dimension | None, lang: str = "en") -> str:
    """One restricted dimension of a box in plain words (``never`` for a year lever's code)."""
    key = d.key if d is not None else str(limit["dimension"])
    units = f" {d.units}" if d is not None and d.units not in ("", "1", "year") else ""
    low, high = float(limit["low"]), float(limit["high"])
    at_bottom = low <= float(limit["range_low"])
    at_top = high >= float(limit["range_high"])
    if d is not None and d.has_never and low > d.high:
        return WORDS["never"][lang].format(key=key)
    if d is not None and d.has_never and high >= d.code_high:  # the box keeps "never"
        return WORDS["by_or_never"][lang].format(key=key, low=_fmt(low, d))
    if at_bottom and d is not None and d.has_never:
        return WORDS["by"][lang].format(key=key, high=_fmt(high, d, upper=True))
    if at_bottom:
        return WORDS["at_most"][lang].format(key=key, high=_fmt(high, d, upper=True) + units)
    if at_top:
        return WORDS["at_least"][lang].format(key=key, low=_fmt(low, d) + units)
    return WORDS["between"][lang].format(key=key, low=_fmt(low, d),
                                         high=_fmt(high, d, upper=True) + units)



def box_summary(boxes: pd.DataFrame, lang: str = "en") -> list[dict[str, Any]]:
    """Per chosen box: statistics and its restricted dimensions in plain words, lever first."""
    dims = dimensions_of(sorted(set(boxes["dimension"])))
    out = []
    for k, group in boxes.groupby("box"):
        first = group.iloc[0]
        conditions = []
        for _, limit in group.iterrows():
            d = dims.get(limit["dimension"])
            conditions.append({"kind": d.kind if d else "unknown", "dimension": limit[
                "dimension"], "text": describe(limit, d, lang),
                "qp": float(np.nanmin([limit["qp_low"], limit["qp_high"], np.inf]))})
        conditions.sort(key=lambda c: (c["kind"] != "lever", c["qp"]))
        out.append({"box": int(k), "coverage": float(first["coverage"]),
                    "density": float(first["density"]), "mass": float(first["mass"]),
                    "conditions": conditions})
    return out


# ---- figures -------------------------------------------------------------------------------


def tradeoff_figure(peeling: pd.DataFrame, target: Target):
    """Coverage against density along the peeling trajectory (colour: restricted dims)."""
    from matplotlib.figure import Figure

    from .plots import style

    with style():
        fig = Figure(figsize=(6, 4.2), layout="constrained")
        ax = fig.add_subplot()
        first = peeling[peeling["box"] == 1]
        points = ax.scatter(first["coverage"], first["density"], c=first["res_dim"],
                            cmap="viridis", s=22)
        chosen = first[first["chosen"]]
        ax.scatter(chosen["coverage"], chosen["density"], s=140, facecolors="none",
                   edgecolors="crimson", linewidths=1.5, label="chosen box")
        fig.colorbar(points, ax=ax, label="restricted dimensions")
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_title(f"PRIM peeling trajectory: {target.text()}")
        ax.legend(loc="lower left")
    return fig


def box_figure(boxes: pd.DataFrame, target: Target):
    """The chosen box's limits, each dimension scaled to its range (0–1)."""
    from matplotlib.figure import Figure

    from .plots import style

    first = boxes[boxes["box"] == boxes["box"].min()] if len(boxes) else boxes
    with style():
        fig = Figure(figsize=(7, 0.45 * max(len(first), 2) + 1.4), layout="constrained")
        ax = fig.add_subplot()
        span = (first["range_high"] - first["range_low"]).replace(0, 1.0)
        lo = (first["low"] - first["range_low"]) / span
        hi = (first["high"] - first["range_low"]) / span
        y = np.arange(len(first))
        ax.barh(y, hi - lo, left=lo, color="#0b6e99", alpha=0.7)
        ax.set_yticks(y, [d.replace("__", ".") for d in first["dimension"]])
        for yi, (_, row) in zip(y, first.iterrows(), strict=True):
            ax.text(1.01, yi, f"{row['low']:.3g} – {row['high']:.3g}", va="center", fontsize=7)
        ax.set_xlim(0, 1.25)
        ax.set_xlabel("position in the sampled range (0 = lowest, 1 = highest)")
        if len(first):
            row = first.iloc[0]
            ax.set_title(f"PRIM box for {target.text()}: coverage {row['coverage']:.2f}, "
                         f"density {row['density']:.2f}")
    return fig


def scores_figure(scores: pd.DataFrame):
    """Extra-trees feature scores (of interest or not)."""
    from matplotlib.figure import Figure

    from .plots import style

    top = scores.head(15)
    with style():
        fig = Figure(figsize=(7, 0.35 * len(top) + 1.2), layout="constrained")
        ax = fig.add_subplot()
        ax.barh(np.arange(len(top)), top["score_target"], color="#5f6b7a")
        ax.set_yticks(np.arange(len(top)), [d.replace("__", ".") for d in top["dimension"]])
        ax.invert_yaxis()
        ax.set_xlabel("feature score (extra trees)")
    return fig


def robustness_figure(table: pd.DataFrame, robust: pd.DataFrame, target: Target):
    """Each scenario's outcome over the futures (box: 5–95 %) with the target, and its regret."""
    from matplotlib.figure import Figure

    from .plots import colours, style

    values = table.pivot_table(index="experiment", columns="scenario", values=target.outcome,
                               aggfunc="mean").dropna()
    order = list(robust["scenario"])
    palette = colours(order)
    with style():
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        ax, ax2 = fig.subplots(1, 2, width_ratios=[3, 2])
        parts = ax.boxplot([values[s].to_numpy() for s in order], whis=(5, 95),
                           orientation="horizontal", patch_artist=True, tick_labels=order)
        for patch, s in zip(parts["boxes"], order, strict=True):
            patch.set_facecolor(palette[s])
        ax.axvline(target.value, color="crimson", ls="--", lw=1)
        ax.invert_yaxis()
        ax.set_xlabel(target.outcome)
        ax.set_title("across futures (whiskers 5–95 %); dashed: target")
        ax2.barh(np.arange(len(order)), robust["satisficing"], color=[palette[s] for s in order])
        ax2.set_yticks(np.arange(len(order)), [])
        ax2.invert_yaxis()
        ax2.set_xlim(0, 1)
        ax2.set_xlabel("satisficing (share of futures meeting the target)")
        for i, r in robust.iterrows():
            ax2.text(0.02, i, f"regret median {r['regret_median']:.3g}", va="center",
                     fontsize=7)
    return fig


# ---- the adviser report's section ----------------------------------------------------------

SECTION_TEXT: dict[str, dict[str, str]] = {
    "heading": {"en": "What has to be true for the programme to work",
                "vi": "Điều gì phải đúng để chương trình thành công"},
    "intro": {"en": "Scenario discovery (PRIM) over {rows} experiments of scenario {scenario} "
                    "(each the mean of {seeds} seed(s)): the levers and uncertainties under which "
                    "{target}. {hits} of the {rows} experiments meet it.",
              "vi": "Khám phá kịch bản (PRIM) trên {rows} thử nghiệm của kịch bản {scenario} "
                    "(mỗi thử nghiệm là trung bình của {seeds} seed): các đòn bẩy chính sách và "
                    "các yếu tố bất định mà khi đó {target}. {hits} trong {rows} thử nghiệm "
                    "đạt mục tiêu."},
    "box": {"en": "It holds in {density} of the experiments inside these conditions, which "
                  "contain {coverage} of all experiments that meet it ({mass} of all "
                  "experiments):",
            "vi": "Mục tiêu đạt được ở {density} số thử nghiệm thỏa các điều kiện dưới đây; "
                  "các điều kiện này bao gồm {coverage} tổng số thử nghiệm đạt mục tiêu "
                  "({mass} tổng số thử nghiệm):"},
    "lever": {"en": "lever", "vi": "đòn bẩy"},
    "uncertainty": {"en": "uncertainty", "vi": "bất định"},
    "unknown": {"en": "setting", "vi": "tham số"},
    "no_box": {"en": "No box: {note}.", "vi": "Không tìm được vùng điều kiện: {note}."},
    "robust": {"en": "Robustness of the scenarios over {futures} futures (the same sampled "
                     "uncertainties for every scenario): {target}.",
               "vi": "Độ vững của các kịch bản trên {futures} tương lai (cùng một bộ mẫu các "
                     "yếu tố bất định cho mọi kịch bản): {target}."},
    "col_scenario": {"en": "Scenario", "vi": "Kịch bản"},
    "col_satisficing": {"en": "Share of futures meeting the target",
                        "vi": "Tỷ lệ tương lai đạt mục tiêu"},
    "col_regret": {"en": "Regret: median (max)", "vi": "Mức hối tiếc: trung vị (lớn nhất)"},
    "col_range": {"en": "Median (5–95 %)", "vi": "Trung vị (5–95 %)"},
    "reading": {"en": "Coverage: the share of the experiments meeting the target that lie inside "
                      "the conditions; density: the share of the experiments inside them that "
                      "meet it. Regret: in each future, the best scenario's value minus this "
                      "scenario's. Setting names are the configuration keys (model/config.py).",
                "vi": "Độ bao phủ (coverage): tỷ lệ các thử nghiệm đạt mục tiêu nằm trong vùng "
                      "điều kiện; mật độ (density): tỷ lệ các thử nghiệm trong vùng đạt mục "
                      "tiêu. Mức hối tiếc: ở mỗi tương lai, giá trị của kịch bản tốt nhất trừ "
                      "giá trị của kịch bản này. Tên tham số là khóa cấu hình (model/config.py)."},
}


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def report_section(folders: list[str | Path], lang: str = "en") -> dict[str, Any] | None:
    """The report's section "What has to be true..." from ``discovery.json`` files.

    Args:
        folders: experiment folders (their ``discovery/*/discovery.json``) or such files' folders.
        lang: ``en`` or ``vi``.

    Returns:
        ``None`` without any discovery results, else the heading, a reading note and one block
        per analysis (intro, boxes in plain words, robustness rows).
    """
    def t(key: str, **values: Any) -> str:
        return SECTION_TEXT[key][lang].format(**values)

    files = []
    for folder in folders:
        folder = Path(folder)
        files += sorted(folder.glob("discovery/*/discovery.json")) + sorted(
            folder.glob("discovery.json"))
    blocks = []
    for file in files:
        found = json.loads(file.read_text(encoding="utf-8"))
        block: dict[str, Any] = {"target": found["target"], "intro": "", "boxes": [],
                                 "note": "", "robust": None}
        if found.get("rows"):
            block["intro"] = t("intro", rows=found["rows"], scenario=found["scenario"],
                               seeds=found["seeds_per_experiment"], target=found["target"],
                               hits=found["of_interest"])
            for box in found["boxes"][lang]:
                block["boxes"].append({
                    "stats": t("box", density=_pct(box["density"]),
                               coverage=_pct(box["coverage"]), mass=_pct(box["mass"])),
                    "conditions": [f"{c['text']} ({t(c['kind'])})" for c in box["conditions"]]})
            if not found["boxes"][lang]:
                block["note"] = t("no_box", note=found.get("note", ""))
        if found.get("robustness"):
            rows = found["robustness"]
            block["robust"] = {
                "heading": t("robust", futures=rows[0]["futures"], target=found["target"]),
                "columns": [t("col_scenario"), t("col_satisficing"), t("col_regret"),
                            t("col_range")],
                "rows": [[r["scenario"], _pct(r["satisficing"]),
                          f"{r['regret_median']:.3g} ({r['regret_max']:.3g})",
                          f"{r['median']:.3g} ({r['p05']:.3g} – {r['p95']:.3g})"]
                         for r in rows]}
        blocks.append(block)
    if not blocks:
        return None
    return {"heading": t("heading"), "reading": t("reading"), "blocks": blocks}


# ---- the command ---------------------------------------------------------------------------


def discover(folder: str | Path, target: Target, *, seeds: str = "mean",
             scenario: str | None = None, n_boxes: int = 1, peel_alpha: float = 0.05,
             mass_min: float = 0.05, min_coverage: float = 0.5,
             out: str | Path | None = None) -> dict[str, Any]:
    """Run the analyses of the module docstring; return what ``discovery.json`` holds."""
    from .plots import to_png

    folder = Path(folder)
    table = read_outcomes(folder)
    if target.outcome not in table.columns:
        from .experiments import OUTCOMES, collate, outcome_function

        outcome_function(target.outcome)  # a clear error for a name of neither form
        collate(folder, outcomes=[*OUTCOMES, target.outcome])
        table = read_outcomes(folder)
    x_cols = design_columns(folder, table)
    scenarios = sorted(table["scenario"].unique())
    chosen = scenario or ("phu_tho_programme" if "phu_tho_programme" in scenarios
                          else scenarios[0])
    if chosen not in scenarios:
        raise UserError(f"--scenario {chosen!r} is not in this experiment: {', '.join(scenarios)}")
    dest = Path(out) if out else folder / "discovery" / target.slug
    result: dict[str, Any] = {"folder": str(folder), "target": target.text(),
                              "outcome": target.outcome, "value": target.value,
                              "at_least": target.at_least, "seeds": seeds, "scenario": chosen,
                              "seeds_per_experiment": int(table.groupby(
                                  ["scenario", "experiment"]).size().max())}
    x, y, value = rows(table[table["scenario"] == chosen], x_cols, target, seeds)
    x = x.loc[:, x.nunique() > 1]
    result |= {"rows": len(y), "of_interest": int(y.sum())}
    if y.any() and not y.all() and x.shape[1]:
        peeling, boxes = prim(x, y, n_boxes=n_boxes, peel_alpha=peel_alpha,
                              mass_min=mass_min, min_coverage=min_coverage)
        write_text(peeling.to_csv(index=False), dest / "peeling.csv")
        write_text(boxes.to_csv(index=False), dest / "boxes.csv")
        write_text(cart(x, y, mass_min).to_csv(index=False), dest / "cart_boxes.csv")
        scores = feature_scores(x, y, value)
        write_text(scores.to_csv(index=False), dest / "feature_scores.csv")
        (dest / "tradeoff.png").write_bytes(to_png(tradeoff_figure(peeling, target)))
        (dest / "box.png").write_bytes(to_png(box_figure(boxes, target)))
        (dest / "feature_scores.png").write_bytes(to_png(scores_figure(scores)))
        result["boxes"] = {lang: box_summary(boxes, lang) for lang in ("en", "vi")}
        result["feature_scores"] = scores.head(8).to_dict(orient="records")
    else:
        result["boxes"] = {"en": [], "vi": []}
        result["note"] = ("every" if y.all() else "no") + " experiment meets the target: " \
            "there is no box to find"
    if len(scenarios) > 1:
        robust = robustness(table, target)
        write_text(robust.to_csv(index=False), dest / "robustness.csv")
        (dest / "robustness.png").write_bytes(to_png(robustness_figure(table, robust, target)))
        result["robustness"] = robust.to_dict(orient="records")
    write_text(json.dumps(result, indent=2, ensure_ascii=False, default=float),
               dest / "discovery.json")
    result["out"] = str(dest)
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m model.discover FOLDER --outcome NAME (--min X | --max X) ...``."""
    parser = argparse.ArgumentParser(prog="python -m model.discover", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="an experiment folder (configs/sweep/explore_*)")
    parser.add_argument("--outcome", required=True,
                        help="a named outcome or variable:province:year")
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument("--min", type=float, help="of interest: outcome >= this")
    side.add_argument("--max", type=float, help="of interest: outcome <= this")
    parser.add_argument("--seeds", choices=("mean", "each", "all"), default="mean")
    parser.add_argument("--scenario", default=None, help="scenario whose experiments PRIM boxes")
    parser.add_argument("--boxes", type=int, default=1, help="boxes to find (default 1)")
    parser.add_argument("--peel-alpha", type=float, default=0.05)
    parser.add_argument("--mass-min", type=float, default=0.05)
    parser.add_argument("--min-coverage", type=float, default=0.5,
                        help="the chosen box is the densest with at least this coverage")
    parser.add_argument("--out", default=None, help="default: FOLDER/discovery/<target>")
    args = parser.parse_args(argv)
    target = Target(args.outcome, args.min if args.min is not None else args.max,
                    at_least=args.min is not None)
    try:
        result = discover(args.folder, target, seeds=args.seeds, scenario=args.scenario,
                          n_boxes=args.boxes, peel_alpha=args.peel_alpha,
                          mass_min=args.mass_min, min_coverage=args.min_coverage, out=args.out)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{target.text()}: {result['of_interest']} of {result['rows']} rows of interest "
          f"(scenario {result['scenario']}, seeds: {args.seeds})")
    for box in result["boxes"]["en"]:
        print(f"box {box['box']}: coverage {box['coverage']:.2f}, density {box['density']:.2f}, "
              f"mass {box['mass']:.2f}")
        for c in box["conditions"]:
            print(f"  - {c['text']} (quasi-p {c['qp']:.3g})")
    if "robustness" in result:
        print(pd.DataFrame(result["robustness"]).to_string(index=False))
    print(f"written: {result['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
