"""The documented calibration targets (docs/calibration.md) still hold with the default parameters.

If a change of parameters or data breaks one, recalibrate and update docs/calibration.md.
"""

import numpy as np
import pytest

import model
from model.simulation import CapitalRegionModel
from model.workers import QUIT


@pytest.fixture(scope="module")
def baseline():
    return model.run(scenario="baseline", seed=0, agent_scale=0.5,
                     overrides={"run.end_year": 2035})


def test_relocation_volume_is_within_the_target(baseline):
    """300-600 moves a year from Hà Nội into clusters and parks, 2026-2035."""
    per_year = baseline["firms_relocated"].sel(year=slice(2026, 2035)).sum().item() / 10
    assert 300 <= per_year <= 600


def test_base_year_occupancy_matches_the_facts(baseline):
    occ = baseline["province_occupancy"].sel(year=2025)
    assert 0.86 <= occ.sel(province="Hà Nội").item() <= 0.95
    c = baseline.sel(year=2025)
    names = c["cluster_name"].values
    for name, lo, hi in (("Thụy Vân", 0.9, 1.0), ("Phú Hà", 0.45, 0.55)):
        [i] = [k for k, n in enumerate(names) if name in str(n)]
        assert lo <= c["cluster_occupancy"].values[i] <= hi, name


def test_retention_falls_with_the_length_of_the_move():
    """Short moves keep most workers, moves beyond an hour lose most (docs/calibration.md)."""
    m = CapitalRegionModel(model.load_config(
        "baseline", seed=0, agent_scale=0.3,
        overrides={"firms.min_years_between_moves": 100, "run.end_year": 2035}))
    while not m.finished:
        m.step()
    j, pop = m.workers.jobs, m.firms.pop
    moved = pop.last_move[j.firm] > 0
    minutes = m.transport.times(2035).mode("car", "peak")[pop.origin_zone[j.firm],
                                                          pop.zone[j.firm]]
    kept = moved & (j.status != QUIT)  # commuting or moved home
    short = moved & (minutes < 20)
    long_ = moved & (minutes >= 60)
    assert kept[short].mean() >= 0.6
    # Most workers lost beyond an hour (0.45 kept after issue 12: the firms that still move that
    # far are larger, and firms of 200+ employees run shuttle buses).
    assert kept[long_].mean() <= 0.5
    assert kept[short].mean() > kept[long_].mean() + 0.3


def test_peak_and_offpeak_travel_times_match_the_facts(default_region):
    from model.config import TransportParams
    from model.transport import Transport

    t = Transport(default_region, TransportParams(), 2025).times(2025)
    centre = default_region.zone("HN_HOAN_KIEM")
    viet_tri = default_region.zone("PT_VIET_TRI")
    assert 75 - 3 <= t.mode("car")[centre, viet_tri] <= 90 + 3
    extra = t.mode("car", "peak")[centre, viet_tri] - t.mode("car")[centre, viet_tri]
    assert 20 - 3 <= extra <= 45 + 3
    assert np.isfinite(t.minutes).all()


def test_destination_split_keeps_most_moves_short(baseline):
    """Hà Nội's own clusters lead and, with the nearest provinces, take most moves (2026-2035)."""
    moves = baseline["firms_relocated"].sel(year=slice(2026, 2035)).sum("year")
    share = moves / moves.sum()
    assert share.sel(province="Hà Nội") == share.max()
    assert share.sel(province=["Hà Nội", "Bắc Ninh", "Hưng Yên"]).sum() >= 0.5
    assert share.sel(province="Thái Nguyên") > 0  # the belt receives firms
