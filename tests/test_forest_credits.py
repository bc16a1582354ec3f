"""Forest carbon credits as a registry books them, owners' payments, large timber, firms' land.

Hand-computed ledger cases (VCS: buffer first, then cancellation; leakage), the ledger identities
in whole runs across seeds, the owners' payment consistency with their rotation economics,
large timber storing more carbon than small timber, and conversion following the land let to
firms.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import model
from model.forest import (
    CreditLedger,
    Forest,
    ForestParams,
    ForestPolicy,
    carbon_payment_value,
    cr_volume,
    optimal_rotation,
    rotation_and_lev,
    rotation_mean_carbon,
)
from model.region import Region
from model.testing import check_identities

BASE = 2025


@pytest.fixture(scope="module")
def region() -> Region:
    return Region.load()


# --- the ledger, by hand ---------------------------------------------------------------------

def book(additional: list[float], buffer_share: float, leakage_share: float) -> list[dict]:
    ledger = CreditLedger(1, buffer_share, leakage_share)
    rows = []
    for a in additional:
        ledger.update(np.array([a]))
        rows.append({k: float(getattr(ledger, k)[0]) for k in (
            "credits", "leakage", "reversals", "cancelled", "buffer", "backed", "peak")})
        assert abs(ledger.balance_gap()[0]) < 1e-9
    return rows


def test_ledger_issues_on_increase_and_a_loss_draws_the_buffer_down_then_cancels():
    # b = 0.2, L = 0.25: per tonne of new additional stock 0.6 credited, 0.15 buffer, 0.25 leakage.
    rows = book([100.0, 150.0, 120.0, 60.0, 80.0, 160.0], 0.2, 0.25)
    credits = [r["credits"] for r in rows]
    np.testing.assert_allclose(credits, [60.0, 30.0, 0.0, 0.0, 0.0, 6.0])
    np.testing.assert_allclose([r["leakage"] for r in rows], [25.0, 12.5, 0, 0, 0, 2.5])
    # 150 -> 120 (e.g. a fire after issuance): 0.75 x 30 = 22.5 reversed, all from the buffer.
    assert rows[2]["reversals"] == pytest.approx(22.5)
    assert rows[2]["cancelled"] == pytest.approx(0.0)
    assert rows[2]["buffer"] == pytest.approx(0.0)
    # 120 -> 60: the buffer is empty, so the whole 0.75 x 60 = 45 is cancelled from issued credits.
    assert rows[3]["reversals"] == pytest.approx(45.0)
    assert rows[3]["cancelled"] == pytest.approx(45.0)
    # Regrowth to 80 (below the credited high of 150) earns nothing; above 150 only the excess.
    assert rows[4]["credits"] == 0.0 and rows[4]["reversals"] == 0.0
    assert rows[5]["buffer"] == pytest.approx(1.5)
    # Outstanding credits + buffer = (1 - L) x backed stock, and backed <= additional stock.
    issued = sum(credits) - sum(r["cancelled"] for r in rows)
    assert issued + rows[-1]["buffer"] == pytest.approx(0.75 * rows[-1]["backed"])
    assert rows[-1]["backed"] == pytest.approx(70.0)


def test_ledger_part_of_a_loss_covered_by_the_buffer_part_cancelled():
    rows = book([100.0, 70.0], 0.2, 0.0)
    assert rows[0]["buffer"] == pytest.approx(20.0)
    assert rows[1]["reversals"] == pytest.approx(30.0)
    assert rows[1]["cancelled"] == pytest.approx(10.0)  # the buffer pays 20, the rest is cancelled
    assert rows[1]["buffer"] == 0.0


def test_ledger_gives_nothing_when_the_project_equals_its_baseline_or_falls_short():
    for path in ([0.0] * 6, [-5.0, -50.0, -1.0, 0.0]):
        rows = book(path, 0.2, 0.4)
        assert all(r["credits"] == 0 and r["reversals"] == 0 and r["buffer"] == 0 for r in rows)


def test_leakage_reduces_credits_by_its_share():
    path = [10.0, 40.0, 35.0, 90.0, 20.0, 130.0]
    none = book(path, 0.2, 0.0)
    half = book(path, 0.2, 0.5)
    for a, b in zip(none, half, strict=True):
        assert b["credits"] == pytest.approx(0.5 * a["credits"])
        assert b["reversals"] == pytest.approx(0.5 * a["reversals"])


def test_leakage_share_halves_credits_of_a_forest_with_the_same_absorption(region):
    # Reference-level baseline and price 0: owners' decisions do not depend on the leakage share.
    def credits(leak: float) -> np.ndarray:
        policy = ForestPolicy(credit_start_year=2027, credit_baseline="reference_level",
                              reference_level_tco2e_yr={"Phú Thọ": 2.0e5},
                              carbon_price_usd_tco2e=0.0, leakage_share=leak)
        forest = Forest(region, ForestParams(), policy, BASE, np.random.default_rng(4))
        out = []
        for year in range(BASE + 1, 2036):
            forest.step(year, np.zeros(region.n_zones))
            out.append(forest.record()["carbon_credits_tco2e"])
        return np.array(out)

    full, half = credits(0.0), credits(0.5)
    assert full.sum() > 0
    np.testing.assert_allclose(half, 0.5 * full, rtol=1e-12)


# --- the identities in whole runs ------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_credit_identity_and_stock_identity_every_year_and_seed(seed):
    ds = model.run(scenario="carbon_credits", seed=seed, agent_scale=0.05)
    assert check_identities(ds) == []
    pt = ds.sel(province="Phú Thọ")
    add = pt["additional_stock_tco2e"].values
    net_issued = np.cumsum(np.nan_to_num(pt["carbon_credits_tco2e"].values
                                         - pt["credit_reversals_tco2e"].values))
    assert (net_issued <= 0.8 * 0.6 * np.maximum(add, 0.0) + 1e-6).all()
    assert float(pt["carbon_credits_tco2e"].sum()) > 0
    # Owners receive exactly P_c per tonne actually added over the scheme's years.
    pc = 10.0 * 26000.0 * 0.8 * 0.8 * 0.6
    assert float(pt["carbon_payments_vnd"].sum()) == pytest.approx(pc * add[-1], rel=1e-6)


def test_check_identities_catches_a_ledger_that_credits_too_much():
    ds = model.run(scenario="carbon_credits", seed=0, agent_scale=0.05,
                   overrides={"run.end_year": 2036})
    broken = ds.copy()
    broken["carbon_credits_tco2e"] = ds["carbon_credits_tco2e"] * 1.5
    problems = check_identities(broken)
    assert any("buffer intake" in p for p in problems), problems
    broken = ds.copy()
    broken["credit_cancellations_tco2e"] = ds["credit_cancellations_tco2e"] * 0.0
    broken["credit_reversals_tco2e"] = ds["credit_reversals_tco2e"] * 0.0
    if float(ds["credit_reversals_tco2e"].sum()) > 0:
        assert check_identities(broken), "dropping reversals must break the buffer identity"


def test_no_credits_without_a_scheme():
    ds = model.run(scenario="baseline", seed=0, agent_scale=0.05,
                   overrides={"run.end_year": 2034})
    for name in ("carbon_credits_tco2e", "credit_reversals_tco2e", "buffer_pool_tco2e",
                 "additional_stock_tco2e", "carbon_payments_vnd"):
        assert float(np.abs(np.nan_to_num(ds[name].values)).max()) == 0.0, name


# --- owners' payments are what their rotation economics priced --------------------------------

def lev_at(T, A, k, p, price, r, c, pc, alpha, beta=0.0):
    """LEV(T) by adaptive quadrature (no grid), carbon terms included."""
    from scipy.integrate import quad

    uptake, _ = quad(lambda s: A * p * k * math.exp(-k * s) * (1 - math.exp(-k * s)) ** (p - 1)
                     * math.exp(-r * s), 0.0, T)
    v = float(cr_volume(T, A, k, p))
    return (price * v * math.exp(-r * T) - c + pc * alpha * uptake
            - pc * alpha * (1 - beta) * v * math.exp(-r * T)) / -math.expm1(-r * T)


def scheme_payments_pv(T, A, k, p, r, pc, alpha, beta=0.0, rotations=60, dt=0.002):
    """What the scheme pays a stand replanted every T years: P_c per tonne gained, P_c (1 - beta)
    per tonne lost at harvest, discounted at r; simulated step by step."""
    pv = 0.0
    steps = round(T / dt)
    t_edges = np.arange(steps + 1) * (T / steps)
    stock = alpha * cr_volume(t_edges, A, k, p)
    gain = np.diff(stock)
    mid = 0.5 * (t_edges[1:] + t_edges[:-1])
    one = float(np.sum(pc * gain * np.exp(-r * mid))) - pc * (1 - beta) * stock[-1] * math.exp(
        -r * T)
    for n in range(rotations):
        pv += one * math.exp(-r * n * T)
    return pv


@pytest.mark.parametrize("curve,price,rate", [
    ((220.0, 0.18, 2.5), 1.2e6, 0.13), ((450.0, 0.14, 4.0), 1.6e6, 0.08)])
def test_owners_expected_payment_under_their_rotation_is_what_the_scheme_pays(curve, price, rate):
    A, k, p = curve
    forest_p, policy = ForestParams(), ForestPolicy()
    pc = (policy.carbon_price_usd_tco2e * forest_p.usd_vnd * policy.owner_share
          * (1 - policy.buffer_share) * (1 - policy.leakage_share))
    alpha, c = forest_p.tco2_per_m3, forest_p.establishment_cost_vnd_ha
    T = optimal_rotation(A, k, p, price, rate, establishment_cost=c, carbon_price=pc,
                         tco2_per_m3=alpha)
    assert math.isfinite(T)
    expected = lev_at(T, A, k, p, price, rate, c, pc, alpha) - lev_at(T, A, k, p, price, rate,
                                                                      c, 0.0, alpha)
    assert carbon_payment_value(T, A, k, p, rate, pc, alpha) == pytest.approx(expected, rel=1e-9)
    paid = scheme_payments_pv(T, A, k, p, rate, pc, alpha)
    assert paid == pytest.approx(expected, rel=1e-4)
    # Undiscounted, one planned rotation pays as much for uptake as it charges at harvest.
    assert scheme_payments_pv(T, A, k, p, 1e-12, pc, alpha, rotations=1) == pytest.approx(
        0.0, abs=1e-6 * pc * alpha * A)


def test_model_pays_each_stand_its_additional_stock_at_the_owner_price(region):
    params = dataclasses.replace(
        ForestParams(), fire_prob_special_use=0.0, fire_prob_protection=0.0,
        fire_prob_production_natural=0.0, fire_prob_small_timber=0.0, fire_prob_large_timber=0.0)
    policy = ForestPolicy(credit_start_year=2028, carbon_price_usd_tco2e=20.0)
    forest = Forest(region, params, policy, BASE, np.random.default_rng(2))
    paid = None
    for year in range(BASE + 1, 2041):
        forest.step(year, np.zeros(region.n_zones))
        if year >= 2028:
            paid = forest.stand_payments.copy() if paid is None else paid + forest.stand_payments
    s, base = forest.stands, forest.shadow
    pt = s.province == region.province_names.index("Phú Thọ")
    expected = forest.owner_price * (s.stock - base.stock)
    np.testing.assert_allclose(paid[pt], expected[pt], rtol=1e-9, atol=forest.owner_price * 1e-6)
    assert np.all(paid[~pt] == 0)
    # Stands that defer harvest are paid, stands harvested later than their shadow are charged.
    assert (paid[pt] > 0).any() and (paid[pt] < 0).any()
    # The rotations the owners chose carry exactly this price.
    assert forest.owner_price == pytest.approx(20.0 * 26000.0 * 0.8 * 0.8 * 0.6)


# --- large timber ----------------------------------------------------------------------------

def test_large_timber_grows_more_and_stores_more_carbon_over_its_rotation():
    p = ForestParams()
    alpha, c, pfes = p.tco2_per_m3, p.establishment_cost_vnd_ha, 150_000.0
    for rate in (0.064, 0.08, 0.096, 0.114, 0.13, 0.146):
        t_small, _ = rotation_and_lev(p.small_timber_a_m3_ha, p.small_timber_k_yr,
                                      p.small_timber_p, p.price_small_timber_vnd_m3, rate, c, 0.0,
                                      alpha, 0.0, 60.0, pfes, 2.0)
        t_large, _ = rotation_and_lev(p.large_timber_a_m3_ha, p.large_timber_k_yr,
                                      p.large_timber_p, p.price_large_timber_vnd_m3, rate,
                                      c + p.large_timber_extra_cost_vnd_ha, 0.0, alpha, 0.0,
                                      60.0, pfes, 2.0)
        assert 10.0 <= t_large <= 15.5, (rate, t_large)
        assert 6.5 <= t_small <= 9.0, (rate, t_small)
        small = (p.small_timber_a_m3_ha, p.small_timber_k_yr, p.small_timber_p)
        large = (p.large_timber_a_m3_ha, p.large_timber_k_yr, p.large_timber_p)
        assert rotation_mean_carbon(*large, round(t_large), alpha) > rotation_mean_carbon(
            *small, round(t_small), alpha)
        mai_small = float(cr_volume(round(t_small), *small)) / round(t_small)
        mai_large = float(cr_volume(round(t_large), *large)) / round(t_large)
        assert mai_large > mai_small
    # The fit's anchors (docs/calibration.md): MAI ~16 m3/ha/yr and ~200 m3/ha at 12 years.
    assert float(cr_volume(12, *large)) / 12 == pytest.approx(16.4, abs=0.1)


def test_plantation_carbon_factor_follows_its_derivation():
    p = ForestParams()
    derived = 0.50 * 1.1 * (1 + p.root_shoot_moist_low) * p.carbon_fraction * 44 / 12
    assert p.tco2_per_m3 == pytest.approx(derived, abs=0.005)


def test_fsc_lever_raises_phu_tho_forest_carbon(region):
    pt = region.province_names.index("Phú Thọ")

    def stock(policy: ForestPolicy) -> float:
        forest = Forest(region, ForestParams(), policy, BASE, np.random.default_rng(5))
        for year in range(BASE + 1, 2046):
            forest.step(year, np.zeros(region.n_zones))
        return float(forest.stock_by_type()[pt].sum())

    base = stock(ForestPolicy())
    fsc = stock(ForestPolicy(fsc_start_year=2030))
    assert fsc > base


def test_harvest_capacity_caps_the_volume_cut(region):
    pt = region.province_names.index("Phú Thọ")
    free = Forest(region, ForestParams(), ForestPolicy(), BASE, np.random.default_rng(6))
    free.step(BASE + 1, np.zeros(region.n_zones))
    m3 = free._flows.harvested_m3[pt]
    capped = Forest(region, ForestParams(harvest_capacity_m3_yr={"Phú Thọ": 0.5 * m3}),
                    ForestPolicy(), BASE, np.random.default_rng(6))
    capped.step(BASE + 1, np.zeros(region.n_zones))
    got = capped._flows.harvested_m3[pt]
    assert 0.5 * m3 <= got < 0.6 * m3  # the stand that reaches the intake is still cut
    others = [i for i in range(len(region.provinces)) if i != pt]
    np.testing.assert_allclose(capped._flows.harvested_m3[others],
                               free._flows.harvested_m3[others])
    capped.step(BASE + 2, np.zeros(region.n_zones))  # the deferred stands wait, they are not lost
    assert capped._flows.harvested_m3[pt] > 0


# --- conversion follows the land firms take --------------------------------------------------

def converted(seed: int, scale: float = 0.05, end: int = 2040, **kw) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Cumulative forest converted and land let (real ha) from 2026, region."""
    ds = model.run(seed=seed, agent_scale=scale, overrides={"run.end_year": end,
                                                             **kw.pop("overrides", {})}, **kw)
    let = ds["cluster_occupied_ha"].sum("cluster").values
    return np.cumsum(ds["forest_converted_ha"].sum("province").values[1:]), let[1:] - let[0]


@pytest.mark.parametrize("seed", [0, 1])
def test_no_relocations_convert_less_forest(seed):
    default, _ = converted(seed)
    stay, _ = converted(seed, overrides={"firms.asc_stay": 50.0})
    assert stay[-1] < 0.9 * default[-1]


def test_an_exemption_that_fills_clusters_faster_converts_forest_sooner():
    exempt = {"policies.exemptions": {"all": {
        "years": 10, "share": 1.0, "clusters": "all", "provinces": [], "start_year": 2026,
        "end_year": 2035}}}
    base_conv = base_let = fast_conv = fast_let = 0.0
    for seed in (0, 1):
        conv, let = converted(seed, scale=0.1, end=2028)
        base_conv, base_let = base_conv + conv[-1], base_let + let[-1]
        conv, let = converted(seed, scale=0.1, end=2028, overrides=exempt)
        fast_conv, fast_let = fast_conv + conv[-1], fast_let + let[-1]
    assert fast_let > base_let  # the exemption fills clusters faster...
    assert fast_conv > base_conv  # ...and so forest is converted sooner (by 2028)


# --- heterogeneous stands smooth the harvest -------------------------------------------------

def test_heterogeneous_owners_and_ages_smooth_the_regional_harvest(region):
    def harvest(params: ForestParams, seed: int) -> np.ndarray:
        forest = Forest(region, params, ForestPolicy(), BASE, np.random.default_rng(seed))
        out = []
        for year in range(BASE + 1, 2046):
            forest.step(year, np.zeros(region.n_zones))
            out.append(forest.record()["forest_emissions_harvest_tco2e"].sum())
        return np.array(out)

    alike = ForestParams(initial_age_spread_yr=0.0, owner_price_spread=0.0,
                         owner_cost_spread=0.0, rate_classes=5)
    for seed in (0, 1):
        smooth = np.abs(np.diff(harvest(ForestParams(), seed)))
        synced = np.abs(np.diff(harvest(alike, seed)))
        assert smooth.max() < 0.8 * synced.max()
        assert smooth.mean() < synced.mean()


def test_a_fire_in_the_project_after_issuance_draws_the_buffer_down_then_cancels(region):
    pt = region.province_names.index("Phú Thọ")

    class ProjectFire(Forest):
        """The credited forest burns in ``fire_year`` where its shadow does not."""

        fire_year, burn = 0, np.zeros(0, dtype=np.int64)

        def _step_state(self, s, year, developed, draws, with_carbon):
            if with_carbon and year == self.fire_year:
                draws = draws.copy()
                draws[self.burn] = 0.0
            return super()._step_state(s, year, developed, draws, with_carbon)

    policy = ForestPolicy(credit_start_year=2028, carbon_price_usd_tco2e=20.0)
    forest = ProjectFire(region, ForestParams(), policy, BASE, np.random.default_rng(8))
    records = []
    for year in range(BASE + 1, 2040):
        if records and records[-1]["buffer_pool_tco2e"][pt] > 0:
            # The year after an issuance, burn the project's largest natural stands in Phú Thọ
            # (not its shadow's): far more than the buffer holds.
            s = forest.stands
            mine = np.flatnonzero((s.province == pt) & (s.ftype <= 1))
            forest.fire_year = year
            forest.burn = mine[np.argsort(-s.stock[mine])[:40]]
        forest.step(year, np.zeros(region.n_zones))
        records.append(forest.record())
        if year == forest.fire_year:
            break
    assert forest.fire_year > 0
    before, fire = records[-2], records[-1]
    issued = sum(r["carbon_credits_tco2e"][pt] for r in records[:-1])
    assert issued > 0 and before["buffer_pool_tco2e"][pt] > 0
    assert fire["forest_emissions_fire_tco2e"][pt] > 0
    # The loss exceeds the buffer: the buffer is emptied first, the rest is cancelled.
    assert fire["credit_reversals_tco2e"][pt] > before["buffer_pool_tco2e"][pt]
    assert fire["buffer_pool_tco2e"][pt] == pytest.approx(0.0, abs=1e-6)
    assert fire["credit_cancellations_tco2e"][pt] == pytest.approx(
        fire["credit_reversals_tco2e"][pt] - before["buffer_pool_tco2e"][pt], rel=1e-9)
    assert fire["carbon_credits_tco2e"][pt] == 0
    assert fire["carbon_payments_vnd"][pt] < 0  # the owners are charged for the lost stock
