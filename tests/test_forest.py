"""Forest sub-model: accounting identities, rotation economics, growth rates and levers."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from scipy.integrate import cumulative_simpson, quad
from scipy.optimize import brentq

from model.errors import ConfigError
from model.forest import (
    FLOW_NAMES,
    LARGE_TIMBER,
    SMALL_TIMBER,
    STOCK_NAMES,
    Forest,
    ForestParams,
    ForestPolicy,
    optimal_rotation,
)
from model.region import FOREST_TYPES, Region

BASE = 2025
FLOW_KEYS = FLOW_NAMES
# Fire made ~20x more likely than the defaults so that every run burns stands.
FIERY = ForestParams(
    fire_prob_special_use=0.004, fire_prob_protection=0.006, fire_prob_production_natural=0.006,
    fire_prob_small_timber=0.015, fire_prob_large_timber=0.012,
)


@pytest.fixture(scope="module")
def region() -> Region:
    return Region.load()


def forested_zones(region: Region) -> np.ndarray:
    f = region.forest
    area = np.bincount(f["zone"], weights=f["area_ha"], minlength=region.n_zones)
    return area > 0


def developed(region: Region, ha: float = 40.0) -> np.ndarray:
    """Synthetic new industrial land: ``ha`` in every forested zone."""
    return np.where(forested_zones(region), ha, 0.0)


def run(region: Region, params: ForestParams, policy: ForestPolicy, seed: int = 7,
        end: int = 2045, dev: np.ndarray | None = None) -> tuple[Forest, list[dict]]:
    forest = Forest(region, params, policy, BASE, np.random.default_rng(seed))
    records = [forest.record()]
    dev = np.zeros(region.n_zones) if dev is None else dev
    for year in range(BASE + 1, end + 1):
        forest.step(year, dev)
        records.append(forest.record())
    return forest, records


def province(region: Region, name: str) -> int:
    return region.province_names.index(name)


# --- structure -------------------------------------------------------------------------------

def test_record_keys_shapes_and_base_year_nan(region):
    forest = Forest(region, ForestParams(), ForestPolicy(), BASE, np.random.default_rng(0))
    rec = forest.record()
    n = len(region.provinces)
    assert rec["forest_area_ha"].shape == (n, len(FOREST_TYPES))
    assert rec["forest_carbon_stock_tco2e"].shape == (n, len(FOREST_TYPES))
    assert set(rec) == set(FLOW_KEYS) | set(STOCK_NAMES) | {"forest_area_ha",
                                                            "forest_carbon_stock_tco2e"}
    for key in FLOW_KEYS:
        assert rec[key].shape == (n,)
        assert np.isnan(rec[key]).all(), key
    for key in STOCK_NAMES:
        assert (rec[key] == 0).all(), key
    forest.step(BASE + 1, np.zeros(region.n_zones))
    rec = forest.record()
    competitors = (region.provinces["role"] == "competitor").to_numpy()
    for key in FLOW_KEYS:
        if key != "plantation_rotation_age":
            assert np.isfinite(rec[key]).all(), key
            assert (rec[key][competitors] == 0).all(), key
    assert (rec["forest_carbon_stock_tco2e"][competitors] == 0).all()
    assert np.isnan(rec["plantation_rotation_age"][competitors]).all()  # nothing harvested


def test_stands_resolution_and_area_kept(region):
    forest = Forest(region, ForestParams(), ForestPolicy(), BASE, np.random.default_rng(0))
    assert len(forest.stands) >= 10_000
    data = region.forest.assign(province=region.zones["province_idx"].to_numpy()[
        region.forest["zone"]])
    expected = np.zeros((len(region.provinces), len(FOREST_TYPES)))
    for (p, t), a in data.groupby(["province", "forest_type"])["area_ha"].sum().items():
        expected[p, FOREST_TYPES.index(t)] = a
    np.testing.assert_allclose(forest.record()["forest_area_ha"], expected, rtol=1e-12)
    plantation = forest.stands.ftype >= SMALL_TIMBER
    owners = set(forest.stands.owner[plantation])
    assert len(owners) == 2  # households and state forest companies
    assert len(np.unique(forest.stands.rate_idx[plantation])) == 2 * ForestParams().rate_classes


def test_base_year_stocks_equal_area_times_density(region):
    p = ForestParams()
    forest = Forest(region, p, ForestPolicy(), BASE, np.random.default_rng(0))
    f = region.forest
    zones = region.zones
    prov_of_row = zones["province_idx"].to_numpy()[f["zone"]]
    mountain = (zones["ecological_zone"] == "tropical_mountain").to_numpy()[f["zone"]]
    agb = f["agb_t_ha"].to_numpy()
    rs = np.where(mountain, p.root_shoot_mountain,
                  np.where(agb > p.root_shoot_threshold_t_ha, p.root_shoot_moist_high,
                           p.root_shoot_moist_low))
    natural_c = agb * (1 + rs) * p.carbon_fraction * 44 / 12
    plantation = f["forest_type"].str.startswith("plantation").to_numpy()
    natural_stock = np.bincount(prov_of_row[~plantation],
                                weights=(f["area_ha"].to_numpy() * natural_c)[~plantation],
                                minlength=len(region.provinces))
    # Plantations: each stand's own age (spread within its row's class) on its regime's curve.
    s = forest.stands
    pl = s.ftype >= SMALL_TIMBER
    large = s.ftype[pl] == LARGE_TIMBER
    vol = np.where(large, p.large_timber_a_m3_ha * (1 - np.exp(-p.large_timber_k_yr * s.age[pl]))
                   ** p.large_timber_p,
                   p.small_timber_a_m3_ha * (1 - np.exp(-p.small_timber_k_yr * s.age[pl]))
                   ** p.small_timber_p)
    plantation_stock = np.bincount(s.province[pl], weights=s.area[pl] * vol * p.tco2_per_m3,
                                   minlength=len(region.provinces))
    got = forest.record()["forest_carbon_stock_tco2e"].sum(axis=1)
    np.testing.assert_allclose(got, natural_stock + plantation_stock, rtol=1e-9)
    assert got[province(region, "Phú Thọ")] > 0 and got[province(region, "Thái Nguyên")] > 0


def test_initial_ages_are_spread_uniformly_within_their_class(region):
    forest = Forest(region, ForestParams(), ForestPolicy(), BASE, np.random.default_rng(3))
    s = forest.stands
    pl = s.ftype >= SMALL_TIMBER
    offset = s.age[pl] - np.round(s.age[pl])
    assert np.abs(offset).max() <= 0.5
    # Uniform over the class: the offsets fill [-1/2, 1/2) evenly (not one value per row).
    hist, _ = np.histogram(offset, bins=5, range=(-0.5, 0.5))
    assert hist.min() > 0.8 * hist.mean()
    same = Forest(region, ForestParams(initial_age_spread_yr=0.0), ForestPolicy(), BASE,
                  np.random.default_rng(3))
    assert np.all(same.stands.age == np.round(same.stands.age))


def test_owner_classes_vary_rate_price_and_cost_independently():
    from model.forest import OwnerClasses

    p = ForestParams()
    cl = OwnerClasses.draw(p, np.random.default_rng(0))
    n = p.rate_classes
    assert len(cl.rate) == 2 * n
    for factor, spread in ((cl.price_factor, p.owner_price_spread),
                           (cl.cost_factor, p.owner_cost_spread)):
        assert factor.mean() == pytest.approx(1.0)
        assert factor.max() - factor.min() == pytest.approx(2 * spread * (n - 1) / n)
    # Not tied to the rate order (permuted); reproducible from the seed.
    assert not np.all(np.diff(cl.price_factor[:n]) > 0)
    again = OwnerClasses.draw(p, np.random.default_rng(0))
    np.testing.assert_array_equal(again.cost_factor, cl.cost_factor)


# --- accounting identity ---------------------------------------------------------------------

def test_carbon_identity_and_area_conservation_with_every_process(region):
    policy = ForestPolicy(
        credit_start_year=2028, carbon_price_usd_tco2e=20.0,
        afforestation_ha_yr={"Phú Thọ": 1500.0, "Thái Nguyên": 800.0, "Hà Nội": 50.0},
        natural_harvest_rate=0.01, monitoring_start_year=2030, fsc_start_year=2030,
        pfes_interprovincial_start_year=2030,
    )
    _, records = run(region, FIERY, policy, dev=developed(region))
    totals = {k: 0.0 for k in ("forest_emissions_harvest_tco2e", "forest_emissions_fire_tco2e",
                               "forest_emissions_conversion_tco2e", "afforested_ha")}
    for prev, rec in itertools.pairwise(records):
        stock0 = prev["forest_carbon_stock_tco2e"].sum(axis=1)
        stock1 = rec["forest_carbon_stock_tco2e"].sum(axis=1)
        flows = (rec["forest_removals_tco2e"] - rec["forest_emissions_harvest_tco2e"]
                 - rec["forest_emissions_fire_tco2e"] - rec["forest_emissions_conversion_tco2e"])
        scale = np.maximum(np.maximum(stock0, stock1), 1.0)
        assert np.all(np.abs((stock1 - stock0) - flows) <= 1e-9 * scale)
        np.testing.assert_array_equal(rec["forest_net_absorption_tco2e"], flows)
        area0 = prev["forest_area_ha"].sum(axis=1)
        area1 = rec["forest_area_ha"].sum(axis=1)
        expected = area0 - rec["forest_converted_ha"] + rec["afforested_ha"]
        assert np.all(np.abs(area1 - expected) <= 1e-9 * np.maximum(area1, 1.0))
        for k in totals:
            totals[k] += rec[k].sum()
        assert (rec["forest_removals_tco2e"] >= 0).all()
    assert all(v > 0 for v in totals.values()), totals


# --- rotation economics ----------------------------------------------------------------------

def brute_force_lev(A, k, p, price, r, c=0.0, pc=0.0, alpha=1.4, beta=0.0, max_age=60.0,
                    m=0.0, a0=0.0, step=0.0005):
    """LEV on a fine grid (Simpson for the carbon integral) and the LEV of never harvesting."""
    T = np.arange(step, max_age + step / 2, step)
    V = A * (1 - np.exp(-k * T)) ** p
    dV = A * p * k * np.exp(-k * T) * (1 - np.exp(-k * T)) ** (p - 1)
    integral = cumulative_simpson(np.concatenate(([0.0], dV * np.exp(-r * T))),
                                  x=np.concatenate(([0.0], T)))
    pay = np.where(T > a0, m * (np.exp(-r * a0) - np.exp(-r * T)) / r, 0.0)
    lev = (price * V * np.exp(-r * T) - c + pc * alpha * integral
           - pc * alpha * (1 - beta) * V * np.exp(-r * T) + pay) / (1 - np.exp(-r * T))
    total, _ = quad(lambda s: A * p * k * math.exp(-k * s) * (1 - math.exp(-k * s)) ** (p - 1)
                    * math.exp(-r * s), 0, math.inf, limit=200)
    never = -c + pc * alpha * total + m * math.exp(-r * a0) / r
    return T, lev, never


CASES = [
    # A, k, p, price, r, c, carbon price, beta, payment, payment start
    (220, 0.18, 2.5, 1.2e6, 0.10, 27.5e6, 0.0, 0.0, 0.0, 0.0),
    (350, 0.08, 2.5, 2.0e6, 0.07, 27.5e6, 2.0e5, 0.3, 1.0e5, 2.0),
    (220, 0.18, 2.5, 1.2e6, 0.13, 27.5e6, 4.0e5, 0.0, 3.0e5, 2.0),
    (250, 0.20, 3.0, 1.5e6, 0.05, 20.0e6, 1.0e5, 0.5, 0.0, 0.0),
    (180, 0.12, 2.0, 1.0e6, 0.09, 30.0e6, 0.0, 0.0, 4.0e5, 3.0),
]


@pytest.mark.parametrize("case", CASES)
def test_optimal_rotation_matches_brute_force(case):
    A, k, p, price, r, c, pc, beta, m, a0 = case
    got = optimal_rotation(A, k, p, price, r, establishment_cost=c, carbon_price=pc,
                           tco2_per_m3=1.4, product_share=beta, annual_payment=m,
                           payment_start_age=a0)
    T, lev, never = brute_force_lev(A, k, p, price, r, c, pc, 1.4, beta, 60.0, m, a0)
    best = int(np.argmax(lev))
    assert never < lev[best]
    assert got == pytest.approx(T[best], abs=0.005)


def test_faustmann_when_no_carbon_and_no_payment():
    A, k, p, price, r, c = 220.0, 0.18, 2.5, 1.2e6, 0.10, 27.5e6

    def lev(T):
        return (price * A * (1 - math.exp(-k * T)) ** p * math.exp(-r * T) - c) / (
            1 - math.exp(-r * T))

    def foc(T):  # Faustmann-Pressler-Ohlin: p V'(T) = r p V(T) + r LEV(T)
        V = A * (1 - math.exp(-k * T)) ** p
        dV = A * p * k * math.exp(-k * T) * (1 - math.exp(-k * T)) ** (p - 1)
        return price * dV - r * price * V - r * lev(T)

    expected = brentq(foc, 3.0, 20.0)
    got = optimal_rotation(A, k, p, price, r, establishment_cost=c)
    assert got == pytest.approx(expected, abs=1e-3)
    # A carbon price with every harvested tonne charged, and no payment, is not "no carbon".
    assert optimal_rotation(A, k, p, price, r, establishment_cost=c, carbon_price=1e5) > got


def test_rotation_lengthens_with_carbon_price():
    prices = [0.0, 5e4, 1e5, 2e5, 4e5, 8e5, 1.6e6]
    rotations = [optimal_rotation(220, 0.18, 2.5, 1.2e6, 0.10, establishment_cost=27.5e6,
                                  carbon_price=pc) for pc in prices]
    assert all(b >= a for a, b in itertools.pairwise(rotations)), rotations
    assert rotations[3] > rotations[0] + 0.1
    assert math.isfinite(rotations[0])


def test_never_harvest_when_carbon_is_worth_more():
    args = dict(A=220, k=0.18, p=2.5, price=1.2e6, discount_rate=0.10)
    pc = 3.0e6
    assert optimal_rotation(**args, establishment_cost=27.5e6, carbon_price=pc) == math.inf
    _, lev, never = brute_force_lev(220, 0.18, 2.5, 1.2e6, 0.10, 27.5e6, pc)
    assert never >= lev.max()
    # ... and a finite rotation just where the brute force says harvesting is better.
    low = 1.0e5
    _, lev, never = brute_force_lev(220, 0.18, 2.5, 1.2e6, 0.10, 27.5e6, low)
    assert never < lev.max()
    assert math.isfinite(optimal_rotation(**args, establishment_cost=27.5e6, carbon_price=low))


# --- growth ----------------------------------------------------------------------------------

def test_natural_growth_reproduces_the_tier1_rates_and_caps(region):
    params = dataclasses.replace(
        ForestParams(), growth_moist_young_t_ha_yr=3.3, growth_mountain_young_t_ha_yr=4.1,
        growth_moist_old_t_ha_yr=0.7, growth_mountain_old_t_ha_yr=1.3,
        fire_prob_special_use=0.0, fire_prob_protection=0.0, fire_prob_production_natural=0.0,
    )
    policy = ForestPolicy(afforestation_start_year=2026, afforestation_type="protection",
                          afforestation_ha_yr={"Phú Thọ": 500.0, "Thái Nguyên": 500.0})
    forest = Forest(region, params, policy, BASE, np.random.default_rng(3))
    s = forest.stands
    n0 = len(s)
    natural = s.ftype < SMALL_TIMBER
    old = natural & (s.age >= params.young_age_yr) & (s.agb + 1.5 < s.agb_cap)
    agb0 = s.agb.copy()
    forest.step(2026, np.zeros(region.n_zones))
    s = forest.stands
    inc = s.agb[:n0] - agb0
    expected_old = np.where(s.mountain[:n0], params.growth_mountain_old_t_ha_yr,
                            params.growth_moist_old_t_ha_yr)
    np.testing.assert_allclose(inc[old], expected_old[old], rtol=1e-12)
    assert old.sum() > 50
    new = np.arange(n0, len(s))
    assert new.size > 0 and (s.agb[new] == 0).all() and (s.age[new] == 0).all()
    forest.step(2027, np.zeros(region.n_zones))
    s = forest.stands
    expected_young = np.where(s.mountain[new], params.growth_mountain_young_t_ha_yr,
                              params.growth_moist_young_t_ha_yr)
    np.testing.assert_allclose(s.agb[new], expected_young, rtol=1e-12)
    assert s.mountain[new].any() and (~s.mountain[new]).any()
    for year in range(2028, 2046):
        forest.step(year, np.zeros(region.n_zones))
    s = forest.stands
    cap = np.where(s.mountain[new], params.regrowth_cap_mountain_t_ha,
                   params.regrowth_cap_moist_t_ha)
    assert np.all(s.agb[new] <= cap + 1e-12)
    assert np.any(s.agb[new] == cap)  # the oldest new stands have reached the IPCC cap


# --- levers ----------------------------------------------------------------------------------

def test_monitoring_lowers_fire_emissions_with_the_same_seeds(region):
    _, off = run(region, FIERY, ForestPolicy(), end=2035)
    _, on = run(region, FIERY, ForestPolicy(monitoring_start_year=2026,
                                            monitoring_fire_reduction=0.5), end=2035)
    # First year: same stands, same draws, lower probabilities -> a subset burns.
    assert np.all(on[1]["forest_emissions_fire_tco2e"] <= off[1]["forest_emissions_fire_tco2e"])
    total_off = sum(r["forest_emissions_fire_tco2e"].sum() for r in off[1:])
    total_on = sum(r["forest_emissions_fire_tco2e"].sum() for r in on[1:])
    assert total_on < total_off


def test_protection_lowers_conversion_emissions(region):
    dev = developed(region, 60.0)
    _, open_ = run(region, ForestParams(), ForestPolicy(), end=2032, dev=dev)
    _, closed = run(region, ForestParams(), ForestPolicy(protection_start_year=2026), end=2032,
                    dev=dev)
    e_open = sum(r["forest_emissions_conversion_tco2e"].sum() for r in open_[1:])
    e_closed = sum(r["forest_emissions_conversion_tco2e"].sum() for r in closed[1:])
    assert e_open > 0 and e_closed < e_open
    # Protected types keep their area; only other types convert.
    protected = [FOREST_TYPES.index("special_use"), FOREST_TYPES.index("protection")]
    np.testing.assert_allclose(closed[-1]["forest_area_ha"][:, protected],
                               closed[0]["forest_area_ha"][:, protected], rtol=1e-12)


def test_carbon_price_raises_2045_stock_and_credits_start_with_the_scheme(region):
    pt = province(region, "Phú Thọ")
    _, without = run(region, ForestParams(), ForestPolicy())
    policy = ForestPolicy(credit_start_year=2030, carbon_price_usd_tco2e=30.0)
    forest, with_ = run(region, ForestParams(), policy)
    stock_without = without[-1]["forest_carbon_stock_tco2e"].sum(axis=1)
    stock_with = with_[-1]["forest_carbon_stock_tco2e"].sum(axis=1)
    assert stock_with[pt] > stock_without[pt]
    others = [i for i in range(len(region.provinces)) if i != pt]
    np.testing.assert_allclose(stock_with[others], stock_without[others], rtol=1e-12)
    additional = 0.0
    for year, rec in zip(range(BASE + 1, 2046), with_[1:], strict=True):
        credits = rec["carbon_credits_tco2e"]
        assert (credits >= 0).all()
        if year < 2030:
            assert (credits == 0).all()
        assert (credits[others] == 0).all()
        assert (rec["carbon_payments_vnd"][others] == 0).all()
        # Owners are paid P_c per tonne by which the additional stock rose (charged if it fell).
        gain = rec["additional_stock_tco2e"][pt] - additional
        additional = rec["additional_stock_tco2e"][pt]
        # (to 1 kg: the gain is a difference of two ~1e8 t stocks)
        assert rec["carbon_payments_vnd"][pt] == pytest.approx(
            forest.owner_price * gain, rel=1e-9, abs=forest.owner_price * 1e-3)
    assert sum(r["carbon_credits_tco2e"][pt] for r in with_[1:]) > 0
    assert forest.shadow is not None


def test_counterfactual_without_price_gives_no_credits(region):
    # A scheme paying nothing changes no decision: actual and shadow coincide exactly.
    policy = ForestPolicy(credit_start_year=2027, carbon_price_usd_tco2e=0.0)
    _, records = run(region, FIERY, policy, end=2035, dev=developed(region))
    assert all((r["carbon_credits_tco2e"] == 0).all() for r in records[1:])


def test_reference_level_credits(region):
    pt = province(region, "Phú Thọ")
    policy = ForestPolicy(credit_start_year=2028, credit_baseline="reference_level",
                          reference_level_tco2e_yr={"Phú Thọ": 1.0e5}, buffer_share=0.25)
    forest, records = run(region, ForestParams(), policy, end=2034)
    assert forest.shadow is None
    others = [i for i in range(len(region.provinces)) if i != pt]
    cumulative = peak = 0.0
    factor = 0.75 * (1 - policy.leakage_share)
    for year, rec in zip(range(BASE + 1, 2035), records[1:], strict=True):
        net = rec["forest_net_absorption_tco2e"][pt]
        # Cumulative net absorption above the reference level; credits on its new highs only.
        cumulative = cumulative + net - 1.0e5 if year >= 2028 else 0.0
        expected = factor * max(cumulative - peak, 0.0)
        peak = max(peak, cumulative)
        assert rec["additional_stock_tco2e"][pt] == pytest.approx(cumulative, rel=1e-12)
        assert rec["carbon_credits_tco2e"][pt] == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert (rec["carbon_credits_tco2e"][others] == 0).all()
    assert sum(r["carbon_credits_tco2e"][pt] for r in records[1:]) > 0


def test_afforestation_uses_the_bare_land_pool_while_it_lasts(region):
    hn = province(region, "Hà Nội")
    pool = region.zones["afforestable_ha"].to_numpy()[
        (region.zones["province"] == "Hà Nội").to_numpy()].sum()
    policy = ForestPolicy(afforestation_start_year=2027, afforestation_ha_yr={"Hà Nội": 200.0})
    _, records = run(region, ForestParams(), policy, end=2032)
    planted = np.array([r["afforested_ha"][hn] for r in records[1:]])
    # 2026 nothing, then 200 ha a year until the pool (500 ha) is used up.
    expected = np.concatenate(([0.0], np.diff(np.minimum(np.arange(7) * 200.0, pool))))
    np.testing.assert_allclose(planted, expected, rtol=1e-12, atol=1e-9)
    assert planted.sum() == pytest.approx(pool)


def test_pfes_payments_are_rate_times_paid_area(region):
    policy = ForestPolicy(pfes_interprovincial_start_year=2027)
    forest = Forest(region, ForestParams(), policy, BASE, np.random.default_rng(1))
    pt = province(region, "Phú Thọ")
    paid = []
    for year in (2026, 2027):
        forest.step(year, np.zeros(region.n_zones))
        s = forest.stands
        rate = forest.pfes_rate(year)[s.zone]
        area = np.where(s.age >= ForestParams().pfes_min_stand_age_yr, s.area, 0.0)
        expected = np.bincount(s.province, weights=rate * area, minlength=len(region.provinces))
        got = forest.record()["pfes_payments_vnd"]
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        paid.append(got[pt])
    assert paid[1] > paid[0]  # the inter-provincial PFES is added from 2027


def test_fsc_premium_moves_replanting_to_large_timber(region):
    pt = province(region, "Phú Thọ")
    _, base = run(region, ForestParams(), ForestPolicy(), end=2040)
    _, fsc = run(region, ForestParams(), ForestPolicy(fsc_start_year=2026, fsc_premium=0.2),
                 end=2040)
    assert fsc[-1]["forest_area_ha"][pt, LARGE_TIMBER] > base[-1]["forest_area_ha"][pt,
                                                                                   LARGE_TIMBER]
    rotation = [r["plantation_rotation_age"][pt] for r in base[1:]]
    assert all(4.0 < a < 20.0 for a in rotation)


def test_unknown_province_is_reported(region):
    with pytest.raises(ConfigError) as err:
        Forest(region, ForestParams(), ForestPolicy(credit_provinces=["Atlantis"]), BASE,
               np.random.default_rng(0))
    assert "policies.forest.credit_provinces" in str(err.value)
    assert "Atlantis" in str(err.value)
    assert "Phú Thọ" in str(err.value)


def test_every_numeric_parameter_has_a_source_and_assumed_ones_a_range():
    for cls in (ForestParams, ForestPolicy):
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
            if numeric or isinstance(default, dict):
                source = f.metadata.get("source", "")
                assert source, f"{cls.__name__}.{f.name} has no source"
                if numeric and "assumed" in source:
                    lo, hi = f.metadata["range"]
                    assert lo < hi and lo <= default <= hi, f.name
