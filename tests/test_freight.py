"""Freight: the physical-trip floor, customs clearance on the trade share, bounded savings."""

import numpy as np
import pytest

import model
from model.freight import Freight
from model.simulation import CapitalRegionModel

YEARS = range(2025, 2046)


def build(scenario="baseline", seed=0, scale=0.1, **overrides):
    return CapitalRegionModel(model.load_config(scenario, seed=seed, agent_scale=scale,
                                                overrides=overrides))


@pytest.mark.parametrize("overrides", [
    {},
    # Generous levers: instant one-stop customs everywhere from 2026, free handling savings.
    {"policies.logistics.one_stop_customs_year": 2026,
     "policies.logistics.one_stop_clearance_hours": 0.0,
     "policies.logistics.customs_provinces": ["Phú Thọ", "Thái Nguyên", "Hà Nội"],
     "policies.logistics.dry_port_clearance_hours": 0.0,
     "policies.logistics.point_saving_min": 600.0, "policies.logistics.point_reach_min": 600.0},
])
def test_freight_cost_never_falls_below_the_physical_trip(overrides):
    m = build("phu_tho_programme", **overrides)
    firms, p = m.firms, m.config.firms
    pop = firms.pop
    per_hour = p.freight_trips_per_worker_yr * p.freight_cost_vnd_per_truck_hour
    emp = pop.employees[:, None]
    for year in YEARS:
        times = m.transport.times(year)
        zone_h, cluster_h = firms.freight_hours(year, times)
        physical = firms.freight.hours(year, times.mode("car", "offpeak")).physical
        assert np.all(physical >= 0)
        # Every firm at every cluster and at its own premises, in real VND per year.
        cost = emp * cluster_h[pop.sector] * per_hour
        trip = emp * physical[:, firms.clusters.zone][pop.sector] * per_hour
        assert np.all(cost >= trip - 1e-6) and np.all(cost >= 0)
        own = pop.employees * zone_h[pop.sector, pop.zone] * per_hour
        assert np.all(own >= pop.employees * physical[pop.sector, pop.zone] * per_hour - 1e-6)


def freight_hours(year, **logistics):
    m = build(**{f"policies.logistics.{k}": v for k, v in logistics.items()})
    return m, m.firms.freight.hours(year, m.transport.times(year).mode("car", "offpeak"))


def test_clearance_applies_to_the_trade_share_only():
    m, f = freight_hours(2027)
    lg = m.config.policies.logistics
    x = m.region.sectors["export_share"].to_numpy()[:, None]
    handling = (f.total - f.physical) / x - m.firms.freight.dwell * f.clearance[None, :]
    # Beyond the trip: the trade share x of (handling + clearance), nothing on the market share.
    assert np.all(handling <= lg.gateway_handling_hours + 1e-9)
    assert np.all(handling >= lg.gateway_handling_hours - lg.point_saving_min / 60 - 1e-9)
    np.testing.assert_allclose(f.clearance, lg.gateway_clearance_hours)  # no dry port yet


def test_one_stop_saving_is_bounded_by_the_clearance_it_replaces():
    _, before = freight_hours(2030)
    m, after = freight_hours(2030, one_stop_customs_year=2028)
    lg = m.config.policies.logistics
    saving = before.clearance - after.clearance
    assert np.all(saving >= 0)
    assert np.all(saving <= lg.gateway_clearance_hours - lg.one_stop_clearance_hours + 1e-9)
    assert saving.max() == pytest.approx(lg.gateway_clearance_hours - lg.one_stop_clearance_hours)
    # Clearing at the gateway already faster than the one-stop target: nothing saved.
    _, fast = freight_hours(2030, one_stop_customs_year=2028, gateway_clearance_hours=11.6)
    np.testing.assert_allclose(fast.clearance, 11.6)


def test_clearance_is_reached_through_the_nearest_clearance_point():
    m, f = freight_hours(2030, one_stop_customs_year=2028)
    lg = m.config.policies.logistics
    car = m.transport.times(2030).mode("car", "offpeak") / 60
    fr = m.firms.freight
    g = (car[:, fr.airport] + car[:, fr.port]) / 2
    zones, hours, served = fr.clearance_points(2030)
    assert zones.size > 0 and set(hours) == {lg.one_stop_clearance_hours,
                                             lg.dry_port_clearance_hours}
    rho = m.firms.freight.dwell
    assert rho == pytest.approx(lg.clearance_cost_vnd_per_hour
                                / m.config.firms.freight_cost_vnd_per_truck_hour)
    for z in range(m.region.n_zones):
        via = np.where(served[:, z], rho * hours + car[z, zones] + g[zones] - g[z], np.inf)
        assert rho * f.clearance[z] + f.detour[z] == pytest.approx(
            min(rho * lg.gateway_clearance_hours, via.min()))
    # Phú Thọ's sites clear at its points; one-stop customs is not open to Hà Nội's.
    assert f.clearance[m.region.zone("PT_VIET_TRI")] < lg.gateway_clearance_hours
    hanoi = (m.region.zones["province"] == "Hà Nội").to_numpy()
    np.testing.assert_allclose(f.clearance[hanoi], lg.gateway_clearance_hours)


def test_freight_rejects_an_unknown_customs_province():
    with pytest.raises(model.ConfigError, match="customs_provinces"):
        build(**{"policies.logistics.customs_provinces": ["Atlantis"]})


def test_one_stop_customs_raises_phu_tho_relocations_within_bounds():
    def into_phu_tho(customs_year):
        total = 0.0
        for seed in range(3):
            ds = model.run(seed=seed, agent_scale=0.2, overrides={
                "policies.logistics.one_stop_customs_year": customs_year})
            total += ds["firms_relocated"].sel(province="Phú Thọ",
                                              year=slice(2026, 2045)).sum().item()
        return total

    assert into_phu_tho(2028) > into_phu_tho(None)
    assert isinstance(Freight, type)
