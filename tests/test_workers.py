"""Workers: conservation, tolerance, mode choice, levers, flows and the distance calibration."""

import numpy as np
import pytest

import model
from model.simulation import CapitalRegionModel
from model.transport import MODES
from model.workers import COMMUTING, LOCAL_HIRE, MOVED, ORIGINAL, QUIT, UNAFFECTED, VACANT

from .conftest import TINY_REGION

TINY = {"region.path": str(TINY_REGION), "transport.centre_zone": "A"}


def build(scenario="baseline", seed=0, scale=0.2, **overrides):
    return CapitalRegionModel(model.load_config(scenario, seed=seed, agent_scale=scale,
                                                overrides=overrides))


def run_to_end(m):
    while not m.finished:
        m.step()
    return m


@pytest.fixture(scope="module")
def once_movers():
    """A run in which each firm moves at most once (so outcomes are one per worker)."""
    return run_to_end(build(seed=3, scale=0.3, **{"firms.min_years_between_moves": 100}))


def test_every_worker_of_a_relocated_firm_commutes_moved_or_quit(once_movers):
    m = once_movers
    j = m.workers.jobs
    moved_firm = m.firms.pop.last_move[j.firm] > 0
    assert moved_firm.any()
    assert np.all(j.status[~moved_firm] == UNAFFECTED)
    assert np.all(np.isin(j.status[moved_firm], [COMMUTING, MOVED, QUIT]))
    ds = m.results()
    scale = m.config.run.agent_scale
    last = ds.sel(year=ds["year"][-1])
    total = (last["workers_commuting"].sum() + last["workers_moved_home"]
             + last["workers_quit"]).item()
    assert total == pytest.approx(moved_firm.sum() / scale)
    # ... and in every year, against the firms relocated so far.
    for year in ds["year"].values[1:]:
        y = ds.sel(year=year)
        relocated_jobs = (m.firms.pop.employees * ((m.firms.pop.last_move > 0)
                          & (m.firms.pop.last_move <= year))).sum() / scale
        assert (y["workers_commuting"].sum() + y["workers_moved_home"]
                + y["workers_quit"]).item() == pytest.approx(relocated_jobs)


def test_no_commuter_exceeds_their_tolerance(once_movers):
    j = once_movers.workers.jobs
    commuting = (j.status == COMMUTING) & (j.holder == ORIGINAL)
    assert commuting.sum() > 100
    assert np.all(j.commute_min[commuting] <= j.tolerance_min[commuting] + 1e-4)
    assert np.all(j.tolerance_min <= once_movers.config.workers.tolerance_max_min)


def test_commute_flows_sum_to_the_workers_employed(once_movers):
    ds = once_movers.results()
    flow = ds["commute_flow"].sum(["zone", "work_zone"])
    employed = ds["jobs"].sum("province") - ds["vacancies"].sum("province")
    np.testing.assert_allclose(flow, employed)
    # Work zones of the flow are where the firms are.
    by_work = ds["commute_flow"].sum("zone").groupby(ds["zone_province"].rename(
        {"zone": "work_zone"})).sum()
    jobs = ds["jobs"] - ds["vacancies"]
    np.testing.assert_allclose(by_work.sel(zone_province=jobs["province"]).values, jobs.values)


def test_vacancies_and_local_hires_account_for_every_quit(once_movers):
    j = once_movers.workers.jobs
    quit_ = j.status == QUIT
    assert np.all(np.isin(j.holder[quit_], [LOCAL_HIRE, VACANT]))
    assert np.all(j.holder[~quit_] == ORIGINAL)
    hired = (j.holder == LOCAL_HIRE).sum() / once_movers.config.run.agent_scale
    ds = once_movers.results()
    assert ds["local_hires"].isel(year=-1).sum().item() == pytest.approx(hired)


def test_home_distance_matches_its_calibration_target():
    """Base-year mean one-way distance = commute_km_target (15 km) within 0.3 km."""
    m = build(scale=0.3)
    w = m.workers
    net = w.network(m.transport.times(2025), 2025)
    work = m.firms.pop.zone[w.jobs.firm]
    km = net.km[w.jobs.home.astype(int), work]
    assert km.mean() == pytest.approx(m.config.workers.commute_km_target, abs=0.3)
    assert w.decay_per_km > 0
    # Homes lie within the hard bound, and the distance decays: most within 30 km.
    assert np.all(net.minutes[0][w.jobs.home.astype(int), work] <= m.config.workers.home_max_min)
    assert (km <= 30).mean() > 0.8
    # A different target moves the solved distribution with it.
    far = build(scale=0.3, **{"workers.commute_km_target": 20.0}).workers
    km_far = net.km[far.jobs.home.astype(int), m.firms.pop.zone[far.jobs.firm]]
    assert km_far.mean() == pytest.approx(20.0, abs=0.3)


def test_mode_shares_match_the_logit_in_a_small_case():
    m = build(scale=1.0, **TINY)
    w = m.workers
    net = w.network(m.transport.times(2025), 2025)
    j = w.jobs
    zone = m.firms.pop.zone
    # Holders with one class and one (home, work) pair all face the same logit.
    row, _ = w._rows(np.arange(len(j)), zone[j.firm], w.shuttle_min_employees(2025))
    target = np.bincount(row).argmax()
    same = np.flatnonzero(row == target)
    assert same.size > 200
    gc = net.gc[target]
    mu = m.config.workers.mode_scale_per_min
    expected = np.where(np.isfinite(gc), np.exp(-mu * (gc - gc[np.isfinite(gc)].min())), 0)
    expected /= expected.sum()
    draws = 40
    counts = np.zeros(len(MODES))
    for _ in range(draws):
        w.rechoose_modes(same, zone, net, respect_tolerance=False)
        counts += np.bincount(j.mode[same], minlength=len(MODES))
    share = counts / counts.sum()
    sd = np.sqrt(expected * (1 - expected) / counts.sum())
    assert np.all(np.abs(share - expected) <= 4 * sd + 1e-4)
    # The tolerance-respecting path draws from the same logit when all modes fit.
    gc_rows, minutes = w.generalised_cost(same, zone[j.firm[same]], net, 10**9)
    assert np.isfinite(gc_rows).any(axis=1).all() and np.isfinite(minutes).all()


def relocate_all(m, to_zone, year):
    """Move every firm's site to ``to_zone`` and let its workers respond."""
    pop = m.firms.pop
    rows = np.arange(len(pop))
    old = pop.zone.copy()
    pop.zone[:] = to_zone
    pop.last_move[:] = year
    m.workers.step(year, m.transport.times(year), pop.zone, rows, old)
    j = m.workers.jobs
    return (j.status == QUIT).mean()


def test_a_rail_line_raises_retention_of_the_firms_it_serves():
    quits = {}
    for rail in ("never", 2026):
        # A frequent line (every 6 min): 20 min access + 3 min wait + 30 min ride.
        m = build(seed=1, scale=1.0, **TINY, **{
            "transport.corridors": {"rail_line": rail, "express": "never"},
            "transport.standard_gauge_corridors": ["rail_line"],
            "transport.rail_service.standard_gauge.trains_per_peak_hour": 10.0})
        quits[rail] = relocate_all(m, m.region.zone("C"), 2027)
    # Without rail the 90-min trip exceeds every tolerance; the 53-min train makes commuting
    # possible for those living near the station.
    assert quits[2026] < quits["never"] - 0.03


def test_more_housing_raises_moves_and_lowers_quits():
    moved, quit_ = {}, {}
    for units in (0.0, 20000.0):
        m = build(seed=2, scale=1.0, **TINY, **{
            "policies.housing.units_per_year": {"Phú Thọ": units},
            "policies.housing.start_year": 2026, "workers.asc_move_home": -1.0})
        m.workers._build_housing(2026)
        relocate_all(m, m.region.zone("C"), 2027)
        j = m.workers.jobs
        moved[units], quit_[units] = (j.status == MOVED).mean(), (j.status == QUIT).mean()
    assert moved[20000.0] > moved[0.0] + 0.05
    assert quit_[20000.0] < quit_[0.0]


def test_housing_capacity_is_never_exceeded():
    m = build(seed=2, scale=1.0, **TINY)
    before = m.workers.housing_units.copy()
    relocate_all(m, m.region.zone("C"), 2027)
    assert np.all(m.workers.housing_units >= 0)
    used = before - m.workers.housing_units
    assert used.sum() == pytest.approx((m.workers.jobs.status == MOVED).sum())


def test_corridors_raise_retention_across_seeds():
    """The same moves keep more workers on the corridors' network.

    Compared for the same firms moving to the same site (Vĩnh Yên, 2036, every corridor of the
    scenario open): the aggregate retention of whole runs is not a test of this, because since
    issue 12 the corridors also draw more firms to distant sites (longer moves lose more workers).
    The gain is small (quit share 0.858 -> 0.850 at seed 0): with the rail services of issue 12
    (a 20-min access, half a 30-min headway on the standard-gauge line) the new railway no longer
    carries these commutes, so the gain is the roads' (Ring Road 4, the expressway upgrades).
    """
    for seed in range(3):
        quits = {}
        for scenario in ("baseline", "corridors"):
            m = build(scenario, seed=seed, scale=0.1)
            quits[scenario] = relocate_all(m, m.region.zone("PT_VINH_YEN"), 2036)
        assert quits["corridors"] < quits["baseline"] - 0.005


def test_green_bus_line_cuts_public_bus_time_and_emissions():
    line = {"policies.green_bus": {"hn_vt": {"zones": ["HN_HOAN_KIEM", "PT_VIET_TRI"],
                                             "start_year": 2026}}}
    m = build(scale=0.1, **line)
    a, b = m.region.zone("HN_HOAN_KIEM"), m.region.zone("PT_VIET_TRI")
    before = m.workers.network(m.transport.times(2025), 2025)
    after = m.workers.network(m.transport.times(2026), 2026)
    bus = MODES.index("public_bus")
    assert after.minutes[bus, a, b] < before.minutes[bus, a, b]
    assert after.green[a, b] and not before.green[a, b]
    with pytest.raises(model.ConfigError, match="HN_NOWHERE"):
        build(scale=0.1, **{"policies.green_bus": {"x": {"zones": ["HN_NOWHERE", "PT_VIET_TRI"]}}})


def test_shuttle_subsidy_lets_smaller_firms_run_shuttles():
    m = build(scale=0.2, **{"policies.shuttle.subsidy_start_year": 2027})
    assert m.workers.shuttle_min_employees(2026) == 200
    assert m.workers.shuttle_min_employees(2027) == 30


def test_worker_arrays_are_a_few_tens_of_bytes_per_worker():
    m = build(scale=0.2)
    per_worker = m.workers.jobs.nbytes / len(m.workers.jobs)
    assert per_worker <= 32


def test_outputs_scale_back_to_real_counts():
    small = model.run(seed=0, agent_scale=0.2, overrides={"run.end_year": 2026})
    full = model.run(seed=0, agent_scale=1.0, overrides={"run.end_year": 2026})
    for name in ("jobs", "firms"):
        a = small[name].isel(year=0).sum().item()
        b = full[name].isel(year=0).sum().item()
        assert a == pytest.approx(b, rel=0.05)
    assert (small["commute_flow"].isel(year=0).sum().item()
            == pytest.approx(full["commute_flow"].isel(year=0).sum().item(), rel=0.05))


# ---- rail service, line capacity and green bus routes ----------------------------------------

RAIL_SHARE_RANGE = (0.001, 0.01)
"""Plausible base-year rail share of factory workers (docs/calibration.md, derived from the
ridership of Hà Nội's urban lines and of the metre-gauge trains)."""


def rail_share(m):
    j = m.workers.jobs
    held = j.holder != VACANT
    return ((j.mode == MODES.index("rail")) & held).sum() / held.sum()


def test_base_year_rail_share_is_within_the_documented_range():
    for seed in range(3):
        share = rail_share(build(seed=seed, scale=0.2))
        assert RAIL_SHARE_RANGE[0] <= share <= RAIL_SHARE_RANGE[1], share


def check_loads_within_capacity(m):
    net = m.workers.network(m.transport.times(m.year), m.year)
    rail, green = m.workers.line_loads(m.firms.pop.zone, net)
    cap = m.transport.link_capacity
    assert np.all(rail <= cap + 1e-6)
    assert np.all(green <= net.green_capacity + 1e-6)
    ratio = np.max(np.where(np.isfinite(cap), rail / cap, 0.0))
    green_ratio = np.max(green / net.green_capacity) if green.size else 0.0
    return ratio, green_ratio


def test_a_rail_line_never_carries_more_than_its_capacity():
    # Small trains on frequent urban lines: capacity binds, the excess rides something else.
    m = build("phu_tho_programme", seed=0, scale=0.2, **{
        "transport.rail_service.urban_rail.train_capacity": 100.0,
        "workers.mode_constant_min.rail": 0.0,
        "policies.green_bus.hanoi_viet_tri.bus_capacity": 10.0})
    ratios = [check_loads_within_capacity(m)]
    while not m.finished:
        m.step()
        ratios.append(check_loads_within_capacity(m))
    rail_ratio, green_ratio = np.max(ratios, axis=0)
    assert rail_ratio > 0.9 and green_ratio > 0.9  # the caps were binding
    # Without the cap far more would ride: the unconstrained logit's rail share.
    net = m.workers.network(m.transport.times(m.year), m.year)
    j = m.workers.jobs
    held = np.flatnonzero(j.holder != VACANT)
    gc, _ = m.workers.generalised_cost(held, m.firms.pop.zone[j.firm[held]], net, 200)
    expected = np.exp(-m.config.workers.mode_scale_per_min * (gc - gc.min(axis=1,
                                                                         keepdims=True)))
    expected = (expected[:, MODES.index("rail")] / expected.sum(axis=1)).mean()
    assert rail_share(m) < expected


def test_green_line_riders_come_from_zones_along_its_route():
    line = {"policies.green_bus": {"hn_vt": {"zones": ["HN_HOAN_KIEM", "PT_VIET_TRI"],
                                             "start_year": 2026}}}
    m = build("corridors", seed=0, scale=0.3, **line)
    while not m.finished:
        m.step()
    net = m.workers.network(m.transport.times(m.year), m.year)
    stops = net.stops[0]
    # Stops come from the links the route follows, not only its two ends.
    assert len(stops) > 2
    assert stops[0] == m.region.zone("HN_HOAN_KIEM") and stops[-1] == m.region.zone("PT_VIET_TRI")
    j = m.workers.jobs
    work = m.firms.pop.zone[j.firm]
    riders = ((j.holder != VACANT) & (j.mode == MODES.index("public_bus"))
              & net.green[j.home, work])
    assert riders.sum() > 0
    assert np.all(np.isin(j.home[riders], stops)) and np.all(np.isin(work[riders], stops))
    assert not np.isin(j.home[riders], [m.region.zone("HN_HOAN_KIEM"),
                                        m.region.zone("PT_VIET_TRI")]).all()
    # Waiting half the 15-min headway: the ride between two stops is the route's car time
    # over the speed factor plus 7.5 min.
    a, b = stops[0], stops[-1]
    car = m.transport.times(m.year).mode("car", "peak")
    route_car = sum(car[stops[k], stops[k + 1]] for k in range(len(stops) - 1))
    assert net.minutes[MODES.index("public_bus"), a, b] == pytest.approx(
        min(route_car / 0.85 + 7.5, m.transport.times(m.year).mode("public_bus", "peak")[a, b]))


def test_jobs_of_firms_and_per_job_values_match_masks_and_gathers():
    """The firm-by-firm job layout gives the same rows and values as masks over all jobs."""
    w = build(scale=0.1).workers
    firm = w.jobs.firm
    rng = np.random.default_rng(5)
    picked = rng.choice(len(w.firm_employees), size=40, replace=True)  # repeats on purpose
    np.testing.assert_array_equal(w.jobs_of(picked), np.flatnonzero(np.isin(firm, picked)))
    np.testing.assert_array_equal(w.jobs_of(picked[:1]), np.flatnonzero(firm == picked[0]))
    values = rng.integers(0, 100, len(w.firm_employees)).astype(np.int16)
    np.testing.assert_array_equal(w.per_job(values), values[firm])
    assert w.per_job(values).dtype == values[firm].dtype
