"""Land supply: the developer model of model/clusters.py (phases as land is let, plan, levers)."""

import numpy as np
import pytest

import model
import model.testing
from model.clusters import NOT_BUILDING
from model.simulation import CapitalRegionModel

NO_DEMAND = {"clusters.background_demand_factor": 0.0, "firms.hazard_small": 0.0,
             "firms.hazard_medium": 0.0, "firms.hazard_large": 0.0,
             "policies.push.share_by_deadline": 0.0}


def build(scenario="baseline", seed=0, scale=0.2, **overrides):
    config = model.load_config(scenario, seed=seed, agent_scale=scale, overrides=overrides)
    return CapitalRegionModel(config)


def test_phases_divide_the_land_still_to_service():
    cl = build().clusters
    remaining = cl.lettable - cl.serviced_base
    np.testing.assert_allclose(cl.phase_ha * cl.n_phases, remaining, atol=1e-9)
    ccn = cl.kind == "industrial_cluster"
    p = cl.params
    assert np.all(cl.phase_ha[ccn] / cl.scale <= p.ccn_phase_max_ha + 1e-9)
    assert np.all(cl.phase_ha[~ccn] / cl.scale <= p.phase_max_ha + 1e-9)
    assert np.all((cl.n_phases == 0) == (remaining <= 1e-9))


def test_a_cluster_nobody_wants_is_not_serviced_beyond_its_first_phase():
    """No firm moves and no background demand: sites with nothing let get one phase at most."""
    ds = model.run(seed=0, agent_scale=0.2, overrides={**NO_DEMAND, "run.end_year": 2060})
    cl = build(**NO_DEMAND).clusters
    unwanted = cl.other_occupied <= 0
    assert unwanted.sum() > 20
    added = (ds["cluster_serviced_ha"].sel(year=2060) - ds["cluster_serviced_ha"].sel(year=2025))
    added = added.values[unwanted] * cl.scale
    assert np.all(added <= cl.phase_ha[unwanted] + 1e-9)
    # Planned sites of the provinces whose land is not let enough are not serviced at all, and
    # several multi-phase sites stay at their first phase although the plan allows them all.
    multi = unwanted & (cl.n_phases >= 2) & (cl.plan_end <= 2060)
    assert multi.any()
    assert np.all(added[multi[unwanted]] < cl.phase_ha[multi] * 2 - 1e-9)
    assert ds["cluster_phases_started"].sum() < cl.n_phases.sum() / 2


def test_a_single_unwanted_site_stays_at_its_first_phase():
    m = build(**NO_DEMAND)
    cl = m.clusters
    j = int(np.flatnonzero((cl.serviced_base == 0) & (cl.n_phases >= 3))[0])
    # Its province's market stays hot (every other site's land let as soon as it is serviced),
    # but nobody takes land at site j.
    others = (cl.province == cl.province[j]) & (np.arange(cl.n) != j)
    first = int(cl.plan_start[j])
    for year in range(2026, first + 30):
        cl.other_occupied[others] = cl.serviced[others]
        cl.start_year(year, np.ones(cl.n))
        if year < first:
            assert cl.phases_done[j] == 0 and cl.ready_year[j] == NOT_BUILDING
    assert cl.phases_done[j] == 1
    assert cl.ready_year[j] == NOT_BUILDING
    assert cl.serviced[j] == pytest.approx(cl.phase_ha[j])


def test_phases_follow_demand_never_before_the_plan():
    m = build()
    cl = m.clusters
    for year in range(2026, 2046):
        earliest = cl.next_phase_earliest()
        idle = cl.ready_year == NOT_BUILDING
        cl.start_year(year, np.ones(cl.n))
        started = idle & (cl.ready_year == year + cl.params.phase_build_years)
        assert np.all(earliest[started] <= year)
        assert np.all(cl.occupied <= cl.serviced + 1e-9)


def test_a_demand_shock_brings_phases_forward():
    """Four times the relocation hazard (many more moves): more phases start by 2032."""
    shock = {"firms.hazard_small": 0.16, "firms.hazard_medium": 0.10, "firms.hazard_large": 0.06,
             "run.end_year": 2032}
    for seed in (0, 1, 2):
        base = model.run(seed=seed, agent_scale=0.2, overrides={"run.end_year": 2032})
        more = model.run(seed=seed, agent_scale=0.2, overrides=shock)
        assert more["firms_relocated"].sum() > 2 * base["firms_relocated"].sum()
        assert more["cluster_phases_started"].sum() > base["cluster_phases_started"].sum()
        # Hà Nội's own clusters, the main destination, get their phases earlier.
        hn_base = base["cluster_phases_started"].sel(province="Hà Nội").cumsum("year")
        hn_more = more["cluster_phases_started"].sel(province="Hà Nội").cumsum("year")
        assert (hn_more >= hn_base).all() and (hn_more > hn_base).any()


def test_priority_shift_lets_phases_start_earlier():
    base = build(**NO_DEMAND).clusters
    early = build(**NO_DEMAND, **{"clusters.priority_shift_years": -3}).clusters
    pr = base.priority
    np.testing.assert_array_equal(early.plan_start[pr], base.plan_start[pr] - 3)
    np.testing.assert_array_equal(early.plan_start[~pr], base.plan_start[~pr])
    np.testing.assert_array_equal(early.next_phase_earliest()[pr] <= base.next_phase_earliest()[pr],
                                  True)


def test_preservicing_services_the_plan_and_books_its_cost():
    lever = {"clusters.preservice": {"pt": {"provinces": ["Phú Thọ"], "clusters": "priority",
                                            "cost_vnd_per_ha": 2.0e9}},
             "run.end_year": 2040}
    base = model.run(seed=3, agent_scale=0.2, overrides={"run.end_year": 2040})
    pre = model.run(seed=3, agent_scale=0.2, overrides=lever)
    assert (base["serviced_land_cost_vnd"] == 0).all()
    cost = pre["serviced_land_cost_vnd"]
    assert cost.sel(province="Phú Thọ").sum() > 0
    assert cost.drop_sel(province="Phú Thọ").sum() == 0
    pr = pre["cluster_priority"]
    serviced = pre["cluster_serviced_ha"].where(pr).sum("cluster")
    assert (serviced >= base["cluster_serviced_ha"].where(pr).sum("cluster") - 1e-9).all()
    # Cost = 2 bn VND per real ha of the phases the province paid for; every priority phase that
    # the plan allows by 2040 is serviced or under way.
    cl = build(seed=3, **{k: v for k, v in lever.items() if k != "run.end_year"}).clusters
    paid_ha = cost.sum().item() / 2.0e9
    assert paid_ha <= (cl.lettable[cl.priority].sum() - cl.serviced_base[cl.priority].sum()) \
        / cl.scale + 1e-6
    assert model.testing.check_results(pre) == []


def test_bad_preservice_selector_is_a_clear_error():
    with pytest.raises(model.ConfigError) as err:
        build(**{"clusters.preservice": {"x": {"provinces": ["Phú Thọ"], "clusters": "parks"}}})
    assert "clusters.preservice.x.clusters" in str(err.value)
    assert "industrial_park" in str(err.value)
