"""What a process running many models reuses between them, and what it must not keep.

A sweep worker, the sensitivity runner or a notebook runs many models in one process: travel
times and rotation solutions are shared between runs when (and only when) their inputs are the
same, and a finished model's memory is freed at once. No timings here (see benchmarks/).
"""

import dataclasses
import gc

import numpy as np
import pytest

import model
from model import transport as transport_module
from model.api import load_config, run
from model.config import TransportParams
from model.firms import Firm
from model.forest.rotation import rotation_and_lev
from model.simulation import CapitalRegionModel
from model.transport import Transport
from model.workers import Workers

TINY = TransportParams(centre_zone="A")


def test_equal_networks_share_travel_times_and_they_are_read_only(tiny_region):
    first, second = Transport(tiny_region, TINY, 2025), Transport(tiny_region, TINY, 2025)
    times = first.times(2030)
    assert second.times(2030) is times
    with pytest.raises(ValueError, match="read-only"):
        times.minutes[0, 0, 0, 1] = 0.0


def test_a_different_parameter_or_link_table_never_gets_another_networks_times(tiny_region):
    base = Transport(tiny_region, TINY, 2025).times(2025)
    slower = Transport(tiny_region, dataclasses.replace(TINY, public_bus_speed_factor=0.5), 2025)
    assert slower.times(2025) is not base
    assert slower.times(2025).mode("public_bus")[0, 1] == pytest.approx(60 * 15 / (30 * 0.5))
    # The same parameters on an edited link table (same file hash: an in-memory edit).
    links = tiny_region.links.copy()
    links.loc[0, "speed_kmh"] = 60.0
    edited = dataclasses.replace(tiny_region, links=links)
    assert edited.sha256 == tiny_region.sha256
    faster = Transport(edited, TINY, 2025).times(2025)
    assert faster is not base
    assert faster.mode("car")[0, 1] == pytest.approx(15.0)  # 15 km at 60 km/h
    assert base.mode("car")[0, 1] == pytest.approx(30.0)


def test_the_shared_cache_is_bounded(tiny_region, monkeypatch):
    monkeypatch.setattr(transport_module, "SHARED_CACHE_SIZE", 2)
    for factor in (0.5, 0.55, 0.6, 0.65):
        Transport(tiny_region, dataclasses.replace(TINY, public_bus_speed_factor=factor),
                  2025).times(2025)
    assert len(transport_module._SHARED) <= 2


def test_runs_sharing_a_process_give_the_results_of_fresh_computations(default_region):
    settings = dict(agent_scale=0.02, overrides={"run.end_year": 2031, "run.progress": False})
    config = load_config("corridors", seed=4, **settings)
    first = run(config, region=default_region)
    model.clear_caches()
    assert not transport_module._SHARED
    fresh = run(config, region=default_region)
    again = run(config, region=default_region)  # every matrix and rotation from the caches
    for ds in (fresh, again):
        for name in first.data_vars:
            np.testing.assert_array_equal(first[name].values, ds[name].values, err_msg=name)


def test_memoised_rotations_equal_direct_solutions(default_region):
    config = load_config("carbon_credits", seed=2, agent_scale=0.02,
                         overrides={"run.progress": False})
    model = CapitalRegionModel(config, default_region)
    forest = model.forest
    rot, lev = forest.rotation_table(2032, with_carbon=True)
    with pytest.raises(ValueError, match="read-only"):
        rot[0, 0, 0] = 1.0
    p, pol, cl = forest.params, forest.policy, forest.classes
    a, k, shape = forest.curves[0]
    zone = int(np.flatnonzero(forest.owner_carbon_price(2032)[forest.zone_province] > 0)[0])
    carbon = float(forest.owner_carbon_price(2032)[forest.zone_province[zone]])
    for j in (0, len(cl.rate) - 1):
        expected = rotation_and_lev(
            a, k, shape, p.price_small_timber_vnd_m3 * cl.price_factor[j], cl.rate[j],
            p.establishment_cost_vnd_ha * cl.cost_factor[j], carbon, p.tco2_per_m3,
            pol.product_share, p.max_rotation_yr, float(forest.pfes_rate(2032)[zone]),
            p.pfes_min_stand_age_yr)
        assert (rot[zone, 0, j], lev[zone, 0, j]) == pytest.approx(expected, rel=1e-12)


def test_a_finished_run_frees_its_model_without_the_cyclic_collector(default_region):
    config = load_config("baseline", agent_scale=0.02,
                         overrides={"run.end_year": 2027, "run.progress": False})
    gc.collect()
    gc.disable()
    try:
        ds = run(config, region=default_region)
        alive = [o for o in gc.get_objects() if isinstance(o, (Firm, CapitalRegionModel))]
    finally:
        gc.enable()
    assert alive == []
    assert ds.sizes["year"] == 3  # the results outlive the model


def test_mode_choice_cdf_is_the_logit_of_the_costs():
    """The (class, home, work) x mode cumulative probabilities against the formula, by hand."""
    workers = object.__new__(Workers)  # _cdf reads only the parameters
    workers.params = dataclasses.replace(load_config().workers, mode_scale_per_min=0.1)
    inf = np.inf
    gc_table = np.array([
        [10.0, 20.0, inf, 30.0, inf],   # three modes
        [inf, inf, inf, inf, inf],      # none: all 1 (never drawn)
        [5.0, inf, inf, inf, inf],      # one mode
        [1e6, 1e6 + 10.0, inf, inf, inf],  # large costs: relative to the best
    ])
    cdf = workers._cdf(gc_table)
    assert cdf.shape == (5, 4) and cdf.dtype == np.float32 and cdf.flags.c_contiguous
    cdf = cdf.T  # mode-major as stored; checked row by row below
    w = np.exp(-0.1 * np.array([0.0, 10.0, 20.0]))
    p = w / w.sum()
    np.testing.assert_allclose(cdf[0], np.float32([p[0], p[0] + p[1], p[0] + p[1],
                                                   1.0, 1.0]), rtol=1e-6)
    assert cdf[1].tolist() == [1.0] * 5
    assert cdf[2].tolist() == [1.0] * 5
    q = 1.0 / (1.0 + np.exp(-1.0))
    np.testing.assert_allclose(cdf[3], np.float32([q, 1.0, 1.0, 1.0, 1.0]), rtol=1e-6)


def test_region_object_is_not_mutated_by_runs(default_region):
    before = {name: getattr(default_region, name).copy() for name in
              ("zones", "clusters", "links", "forest", "provinces")}
    run(load_config("capital_region", agent_scale=0.02,
                    overrides={"run.end_year": 2030, "run.progress": False}),
        region=default_region)
    for name, frame in before.items():
        assert getattr(default_region, name).equals(frame), name


def test_scenario_files_are_parsed_once_per_text_and_each_caller_gets_a_copy(tmp_path):
    from model.config import load_scenario_file

    path = tmp_path / "s.yaml"
    path.write_text("firms:\n  asc_stay: 1.5\ninclude: [baseline]\n", encoding="utf-8")
    first = load_scenario_file(path)
    first["firms"]["asc_stay"] = 99.0
    first.pop("include")
    assert load_scenario_file(path) == {"firms": {"asc_stay": 1.5}, "include": ["baseline"]}
    path.write_text("firms:\n  asc_stay: 2.5\n", encoding="utf-8")  # an edit is read again
    assert load_scenario_file(path) == {"firms": {"asc_stay": 2.5}}
