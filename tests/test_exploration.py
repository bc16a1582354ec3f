"""Exploration: the lever registry, experiment designs, the EMA bridge, PRIM/CART, robustness,
the report section and Mesa's batch runner."""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

import model
from model import ema
from model import levers as lv
from model.api import scenario_settings
from model.config import NEVER, RunConfig
from model.discover import Target, choose_box, describe, discover, prim, report_section
from model.discover import robustness as robustness_table
from model.errors import ConfigError, UserError
from model.experiments import DesignSpec, design, member_settings
from model.sweep import uncertain_parameters

PT = scenario_settings("phu_tho_programme")
TINY = {"run.end_year": 2027}


# ---- registry --------------------------------------------------------------------------------


def test_uncertainties_are_the_config_ranges():
    dims = lv.uncertainties("all")
    ranges = uncertain_parameters()
    assert {d.key for d in dims} == set(ranges)
    for d in dims:
        assert (d.low, d.high) == ranges[d.key][:2]
    asc = lv.uncertainties(["firms.asc_stay"])[0]
    assert (asc.low, asc.high, asc.integer) == (6.0, 8.0, False)


@pytest.mark.parametrize("preset", ["explore_phu_tho", "explore_scenarios"])
def test_experiment_presets_name_only_declared_uncertainties(preset):
    """A parameter renamed or removed in config.py must not linger in a preset."""
    from model.paths import configs_dir

    spec = yaml.safe_load((configs_dir() / "sweep" / f"{preset}.yaml").read_text())
    keys = spec["experiment"]["uncertainties"]
    assert keys and {d.key for d in lv.uncertainties(keys)} == set(keys)


def test_levers_read_their_declared_range_and_never_option():
    by_key = {d.key: d for d in lv.levers("all", PT)}
    credit = by_key["policies.forest.credit_start_year"]
    field = {f.name: f for f in dataclasses.fields(RunConfig().policies.forest)}[
        "credit_start_year"]
    assert (credit.low, credit.high) == field.metadata["lever_range"]
    assert credit.integer and credit.never is None and credit.code_high == credit.high + 1
    assert by_key["transport.corridors.ring_road_5"].never == NEVER
    price = by_key["policies.forest.carbon_price_usd_tco2e"]
    assert (price.low, price.high) == (5.0, 21.3) and not price.has_never
    # the exemption programme exists in phu_tho_programme only
    assert "policies.exemptions.phu_tho_priority.years" in by_key
    assert all("phu_tho_priority" not in d.key for d in lv.levers("all", {}))
    with pytest.raises(ConfigError, match="defines no"):
        lv.levers(["policies.exemptions.phu_tho_priority.years"], {})
    with pytest.raises(ConfigError, match="not a lever"):
        lv.levers(["firms.asc_stay"], PT)


def test_codes_values_and_never():
    d = lv.dimension("policies.forest.credit_start_year", "lever")
    assert d.value(d.code_high) is None and d.code(None) == d.code_high
    assert d.value(2030.4) == 2030
    assert d.from_unit(0.0) == 2026 and d.from_unit(0.9999) is None
    corridor = lv.dimension("transport.corridors.ring_road_5", "lever")
    assert corridor.value(corridor.code_high) == NEVER


def test_province_levers_replace_the_scenarios_entry():
    out = lv.overrides({"policies.housing.units_per_year.phu_tho": 123.0}, PT)
    assert out == {"policies.housing.units_per_year.Phú Thọ": 123.0}


# ---- designs ---------------------------------------------------------------------------------


def test_design_is_a_repeatable_latin_hypercube():
    spec = DesignSpec(samples=20, design_seed=3, levers=["policies.forest.credit_start_year",
                                                        "policies.push.share_by_deadline"],
                      uncertainties=["firms.asc_stay"])
    a, b = design(spec, PT), design(spec, PT)
    pd.testing.assert_frame_equal(a, b)
    share = a["policies__push__share_by_deadline"].to_numpy()
    # one point per stratum of the range: every tenth of [0, 0.5] holds exactly 2 of 20 points
    assert np.array_equal(np.bincount((share / 0.05).astype(int), minlength=10), [2] * 10)
    years = a["policies__forest__credit_start_year"]
    assert years.between(2026, 2041).all() and (years == years.round()).all()
    assert (years == 2041).any()  # the never option is sampled
    assert not a.equals(design(dataclasses.replace(spec, design_seed=4), PT))


def test_member_settings_apply_the_row_over_the_scenario():
    block = {"samples": 5, "design_seed": 1, "levers": ["policies.housing.units_per_year.phu_tho",
                                                       "transport.corridors.ring_road_5"],
             "uncertainties": [], "id": 2}
    spec = DesignSpec.from_mapping(block)
    row = design(spec, PT).loc[2]
    settings = member_settings(model.config.deep_merge(model.config.defaults_dict(), PT), block,
                               PT)
    assert settings["policies"]["housing"]["units_per_year"] == {
        "Phú Thọ": row["policies__housing__units_per_year__phu_tho"]}
    with pytest.raises(ConfigError, match=r"experiment\.id"):
        member_settings({}, {**block, "id": 5}, PT)
    with pytest.raises(ConfigError, match="unknown key"):
        DesignSpec.from_mapping({"sample": 3})


# ---- EMA bridge ------------------------------------------------------------------------------



def _small_model(**kw):
    return ema.scenario_model(
        "phu_tho_programme", seeds=kw.pop("seeds", [0, 1]), agent_scale=0.05, overrides=TINY,
        uncertainties=["clusters.background_demand_factor"],
        levers=["policies.forest.credit_start_year", "policies.housing.units_per_year.phu_tho"],
        outcomes=["province_occupancy:phu_tho:2027", "firms_relocated:phu_tho:2027"], **kw)


def test_bridge_parameters_equal_the_config_ranges():
    m = ema.scenario_model("phu_tho_programme", seeds=[0], uncertainties="all", levers="all")
    ranges = uncertain_parameters()
    assert {p.name for p in m.uncertainties} == {k.replace(".", "__") for k in ranges}
    for key, (lo, hi, _) in ranges.items():
        p = m.uncertainties[key.replace(".", "__")]
        assert (p.lower_bound, p.upper_bound) == (lo, hi)
    credit = m.levers["policies__forest__credit_start_year"]
    assert (credit.lower_bound, credit.upper_bound) == (2026, 2041)  # 2041 = never
    assert m.replications[0]["seed"] == 0
    with pytest.raises(UserError, match="at least one uncertainty"):
        ema.scenario_model("baseline", uncertainties=[], levers="all")


def test_a_lever_set_through_ema_changes_the_runs_config():
    runner = _small_model().function
    cfg = runner.config(seed=4, clusters__background_demand_factor=1.2,
                        policies__forest__credit_start_year=2041,
                        policies__housing__units_per_year__phu_tho=777.0)
    assert cfg.seed == 4 and cfg.policies.forest.credit_start_year is None
    assert cfg.policies.housing.units_per_year == {"Phú Thọ": 777.0}
    assert cfg.clusters.background_demand_factor == 1.2
    cfg = runner.config(seed=0, clusters__background_demand_factor=1.0,
                        policies__forest__credit_start_year=2033.0,
                        policies__housing__units_per_year__phu_tho=0.0)
    assert cfg.policies.forest.credit_start_year == 2033
    with pytest.raises(ConfigError, match="not set by the experiment"):
        runner.config(seed=0, clusters__background_demand_factor=1.0)


def test_replications_have_distinct_seeds_and_repeat_exactly():
    m = _small_model()
    seen = []
    function = m.function

    def spy(seed, **values):
        seen.append(seed)
        return function(seed, **values)

    m.function = spy
    exp, out = ema.perform(m, 2, rng=5)
    assert sorted(seen) == [0, 0, 1, 1]
    assert set(ema.inputs(exp, m).columns) == {p.name for p in [*m.uncertainties, *m.levers]}
    assert (out["firms_relocated__phu_tho__2027_sd"] > 0).any()  # seeds differ
    exp2, out2 = ema.perform(m, 2, rng=5)
    pd.testing.assert_frame_equal(exp.drop(columns=["scenario", "policy"]),
                                  exp2.drop(columns=["scenario", "policy"]))
    for name, values in out.items():
        np.testing.assert_array_equal(values, out2[name])
    values = {c: exp.loc[0, c] for c in ema.inputs(exp, m).columns}
    direct = [float(model.run(function.config(seed, **values))["province_occupancy"].sel(
        province="Phú Thọ", year=2027)) for seed in (0, 1)]
    assert out["province_occupancy__phu_tho__2027"][0] == pytest.approx(np.mean(direct),
                                                                         rel=1e-12)
    assert out["occupancy_phu_tho"].shape == (2, 3)


def test_multiprocessing_evaluator_gives_the_sequential_results():
    m = _small_model(seeds=[2])
    _, sequential = ema.perform(m, 2, rng=11)
    with ema.ema().MultiprocessingEvaluator(m, n_processes=2) as evaluator:
        _, parallel = ema.perform(m, 2, rng=11, evaluator=evaluator)
    for name, values in sequential.items():
        np.testing.assert_array_equal(values, parallel[name])


# ---- PRIM, CART, robustness ------------------------------------------------------------------


def _synthetic(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 10, n),
                      "c": rng.uniform(-1, 1, n)})
    y = ((x["a"] > 0.6) & (x["b"] < 3.0)).to_numpy()
    return x, y


def test_prim_recovers_a_known_box():
    x, y = _synthetic()
    peeling, boxes = prim(x, y, min_coverage=0.8, peel_alpha=0.05)
    limits = boxes.set_index("dimension")
    assert set(limits.index) == {"a", "b"}
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["b", "high"] == pytest.approx(3.0, abs=0.5)
    assert limits["density"].iloc[0] > 0.9 and limits["coverage"].iloc[0] >= 0.8
    assert limits.loc["a", "qp_low"] < 0.01
    assert peeling["chosen"].sum() == 1


def test_choose_box_is_the_densest_with_enough_coverage():
    trajectory = pd.DataFrame({"id": [0, 1, 2, 3], "coverage": [1.0, 0.9, 0.7, 0.4],
                               "density": [0.2, 0.5, 0.8, 1.0], "res_dim": [0, 1, 2, 3]})
    assert choose_box(trajectory, 0.5) == 2
    assert choose_box(trajectory, 0.95) == 0


def test_robustness_on_a_hand_computed_example():
    # 3 scenarios x 4 futures, 2 seeds each: the values below are the seed means.
    means = {"A": [0.8, 0.6, 0.7, 0.5], "B": [0.9, 0.4, 0.75, 0.6], "C": [0.3, 0.3, 0.3, 0.3]}
    rows = [{"scenario": s, "experiment": f, "seed": k, "y": v + (0.01 if k else -0.01)}
            for s, vals in means.items() for f, v in enumerate(vals) for k in (0, 1)]
    table = robustness_table(pd.DataFrame(rows), Target("y", 0.65)).set_index("scenario")
    # satisficing: A meets 0.65 in futures 0, 2 -> 0.5; B in 0, 2 -> 0.5; C never
    assert table.loc["A", "satisficing"] == 0.5 and table.loc["C", "satisficing"] == 0.0
    # best per future: 0.9, 0.6, 0.75, 0.6 -> regrets A: 0.1, 0, 0.05, 0.1; B: 0, 0.2, 0, 0
    assert table.loc["A", "regret_median"] == pytest.approx(0.075)
    assert table.loc["A", "regret_max"] == pytest.approx(0.1)
    assert table.loc["B", "regret_median"] == pytest.approx(0.0)
    assert table.loc["B", "regret_max"] == pytest.approx(0.2)
    assert table.loc["A", "median"] == pytest.approx(0.65)
    assert table.loc["C", "p05"] == pytest.approx(0.3)
    low = robustness_table(pd.DataFrame(rows), Target("y", 0.35, at_least=False))
    assert low.set_index("scenario").loc["C", "satisficing"] == 1.0
    assert low.set_index("scenario").loc["C", "regret_max"] == pytest.approx(0.0)


def test_box_in_plain_words():
    d = lv.dimension("policies.forest.credit_start_year", "lever")
    limit = {"dimension": d.name, "low": 2026.0, "high": 2031.6, "range_low": 2026.0,
             "range_high": 2041.0}
    assert describe(limit, d) == "policies.forest.credit_start_year by 2031 (not never)"
    assert describe({**limit, "low": 2034.2, "high": 2041.0}, d) == (
        "policies.forest.credit_start_year from 2035 on, or never")
    # a box ending between 2040 and the never code keeps every year but excludes never
    assert describe({**limit, "high": 2040.5}, d).endswith("by 2040 (not never)")
    share = lv.dimension("policies.push.share_by_deadline", "lever")
    assert describe({"dimension": share.name, "low": 0.0, "high": 0.2, "range_low": 0.0,
                     "range_high": 0.5}, share) == "policies.push.share_by_deadline at most 0.2"
    assert "không bao giờ" in describe({**limit, "low": 2040.5, "high": 2041.0}, d, "vi")


def _fake_experiment(folder: Path, scenarios=("phu_tho_programme",)) -> Path:
    x, y = _synthetic(300, seed=1)
    rows = []
    for s_i, s in enumerate(scenarios):
        for e in range(len(x)):
            for seed in (0, 1):
                value = (0.8 if y[e] else 0.5) + 0.01 * seed - 0.05 * s_i
                rows.append({"scenario": s, "experiment": e, "seed": seed,
                             "occupancy_phu_tho_2045": value, **x.iloc[e].to_dict()})
    folder.mkdir(parents=True, exist_ok=True)
    x.rename_axis("experiment").reset_index().to_csv(folder / "design.csv", index=False)
    pd.DataFrame(rows).to_csv(folder / "outcomes.csv", index=False)
    return folder


def test_discover_writes_boxes_scores_cart_robustness_and_the_report_section(tmp_path):
    folder = _fake_experiment(tmp_path / "exp", ("phu_tho_programme", "baseline"))
    result = discover(folder, Target("occupancy_phu_tho_2045", 0.7))
    out = Path(result["out"])
    for name in ("peeling.csv", "boxes.csv", "cart_boxes.csv", "feature_scores.csv",
                 "robustness.csv", "discovery.json", "tradeoff.png", "box.png",
                 "feature_scores.png", "robustness.png"):
        assert (out / name).is_file(), name
    boxes = pd.read_csv(out / "boxes.csv")
    assert set(boxes["dimension"]) == {"a", "b"}
    assert {"low", "high", "coverage", "density", "mass", "qp_low", "qp_high"} <= set(boxes)
    scores = pd.read_csv(out / "feature_scores.csv")
    assert set(scores["dimension"].head(2)) == {"a", "b"}
    robust = pd.read_csv(out / "robustness.csv").set_index("scenario")
    assert robust.loc["phu_tho_programme", "regret_max"] == 0.0
    assert robust.loc["baseline", "regret_median"] == pytest.approx(0.05)
    for lang, heading in (("en", "What has to be true"), ("vi", "Điều gì phải đúng")):
        section = report_section([folder], lang)
        assert section["heading"].startswith(heading)
        assert section["blocks"][0]["boxes"][0]["conditions"]


def test_report_has_the_bilingual_section(runs, tmp_path):
    from model import report
    from model.compare import load_results

    from .presentation_data import small_sweep, write_sweep_folder

    sweep_folder = write_sweep_folder(small_sweep(runs), tmp_path / "sweep")
    folder = _fake_experiment(tmp_path / "exp", ("phu_tho_programme", "baseline"))
    discover(folder, Target("occupancy_phu_tho_2045", 0.7))
    results = load_results(sweep_folder)
    html = report.render(results, "en", exploration=[folder])
    assert "What has to be true for the programme to work" in html
    assert "Coverage:" in html and "Share of futures meeting the target" in html
    vi = report.render(results, "vi", exploration=[folder])
    assert "Điều gì phải đúng để chương trình thành công" in vi
    assert "What has to be true" not in report.render(results, "en")


def test_discover_cli_errors_exit_2(tmp_path, capsys):
    from model.discover import main

    folder = _fake_experiment(tmp_path / "exp")
    assert main([str(folder), "--outcome", "nonsense", "--min", "1"]) == 2
    assert "unknown outcome" in capsys.readouterr().err
    assert main([str(tmp_path / "missing"), "--outcome", "occupancy_phu_tho_2045",
                 "--min", "0.7"]) == 2
    assert main([str(folder), "--outcome", "occupancy_phu_tho_2045", "--min", "0.7",
                 "--seeds", "each"]) == 0
    seeds_each = json.loads(next((folder / "discovery").glob("*/discovery.json")).read_text())
    assert seeds_each["rows"] == 600


def _tiny_sweep(tmp_path: Path, *args: str) -> Path:
    """Run a one-job sweep at a tiny scale to 2026 in ``tmp_path/sweep``."""
    from .conftest import run_cli

    folder = tmp_path / "sweep"
    proc = run_cli(*args, "seed=0", "run.agent_scale=0.05", "run.end_year=2026",
                   f"hydra.sweep.dir={folder}", "hydra.launcher.n_jobs=1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return folder


def test_an_experiment_preset_runs_through_hydra_and_collates(tmp_path):
    folder = _tiny_sweep(tmp_path, "+sweep=explore_phu_tho", "experiment.samples=2")
    table = pd.read_csv(folder / "outcomes.csv")
    assert list(table["experiment"]) == [0, 1] and set(table["seed"]) == {0}
    planned = design(DesignSpec.from_mapping(
        yaml.safe_load((folder / "0" / ".hydra" / "config.yaml").read_text())[
            "experiment"]), PT)
    pd.testing.assert_frame_equal(
        pd.read_csv(folder / "design.csv").drop(columns="scenario").set_index("experiment"),
        planned, check_dtype=False)
    ran = model.config.build_config(yaml.safe_load(
        xr.open_dataset(folder / "1" / "results.nc").attrs["config_yaml"]))
    credit = planned.loc[1, "policies__forest__credit_start_year"]
    assert ran.policies.forest.credit_start_year == (None if credit == 2041 else int(credit))
    assert ran.firms.asc_stay == pytest.approx(planned.loc[1, "firms__asc_stay"])
    with xr.open_dataset(folder / "experiments.nc") as ds:
        assert ds["province_occupancy"].sizes["experiment"] == 2
        assert "design__firms__asc_stay" in ds


def test_a_plain_sweep_is_collated_with_its_swept_settings_as_the_design(tmp_path):
    folder = _tiny_sweep(tmp_path, "-m", "policies.push.share_by_deadline=0.0,0.5")
    result = discover(folder, Target("firms_relocated:ha_noi:2026", 0.0))
    assert result["rows"] == 2
    design_table = pd.read_csv(folder / "design.csv")
    assert list(design_table["policies__push__share_by_deadline"]) == [0.0, 0.5]
    table = pd.read_csv(folder / "outcomes.csv")
    assert table["firms_relocated:ha_noi:2026"].notna().all()


# ---- Mesa ------------------------------------------------------------------------------------


def test_mesa_batch_run_returns_one_row_per_run_with_the_headline_reporters():
    import mesa

    from model.simulation import CapitalRegionModel

    params = {"scenario": ["baseline", "phu_tho_programme"], "agent_scale": 0.05,
              "end_year": 2027}
    rows = mesa.batch_run(CapitalRegionModel, parameters=params, rng=[3, 4], max_steps=50,
                          display_progress=False)
    assert len(rows) == 4
    table = pd.DataFrame(rows)
    assert {"occupancy_phu_tho", "firms_relocated_cumulative", "workers_quit",
            "net_absorption_phu_tho_tco2e"} <= set(table.columns)
    assert (table["year"] == 2027).all() and (table["Step"] == 2).all()
    one = table[(table["scenario"] == "phu_tho_programme") & (table["rng"] == 3)].iloc[0]
    ds = model.run(scenario="phu_tho_programme", seed=3, agent_scale=0.05,
                   overrides={"run.end_year": 2027})
    assert one["occupancy_phu_tho"] == pytest.approx(
        float(ds["province_occupancy"].sel(province="Phú Thọ", year=2027)), rel=1e-12)
    assert one["firms_relocated_cumulative"] == pytest.approx(
        float(ds["firms_relocated"].sum()), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Mesa deprecates iterations=
        rows = mesa.batch_run(CapitalRegionModel, parameters={"agent_scale": 0.05,
                                                              "end_year": 2026},
                              iterations=2, max_steps=5, display_progress=False,
                              data_collection_period=1)
    assert len(rows) == 4  # two runs x (base year + one step)


def test_model_keyword_constructor_and_datacollector():
    from model.simulation import CapitalRegionModel

    m = CapitalRegionModel(rng=7, scenario="corridors", agent_scale=0.05, end_year=2026,
                           firms__asc_stay=6.5)
    assert m.config.seed == 7 and m.config.scenario == "corridors"
    assert m.config.firms.asc_stay == 6.5
    m.step()
    assert not m.running
    frame = m.datacollector.get_model_vars_dataframe()
    assert list(frame["year"]) == [2025.0, 2026.0]
    with pytest.raises(ConfigError):
        CapitalRegionModel(rng=0, agent_scale=0.05, firms__no_such_key=1)
