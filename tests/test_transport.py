import itertools

import numpy as np
import pytest

from model.config import TransportParams
from model.errors import ConfigError, RegionError
from model.region import Region
from model.transport import MODES, Transport

from .conftest import TINY_REGION, copy_region

TINY = TransportParams(centre_zone="A")


def minutes(transport, year, mode):
    return transport.times(year).mode(mode)


def test_tiny_network_times_are_the_hand_computed_ones(tiny_region):
    t = Transport(tiny_region, TINY, 2025)
    # Roads A-B 15 km @30, B-C 40 km @40, C-D 20 km @40: 30, 60, 30 minutes by car.
    assert minutes(t, 2025, "car")[0].tolist() == [0, 30, 90, 120]
    # The expressway A-C (50 km @100) opens in 2030: 30 min, and D is reached through C.
    assert minutes(t, 2030, "car")[0].tolist() == [0, 30, 30, 60]
    # Motorbikes may not use the expressway.
    assert minutes(t, 2030, "motorbike")[0].tolist() == [0, 30, 90, 120]
    # Buses: min(speed x factor, cap); public bus factor 0.65 on 30 km/h: 15/(19.5) h.
    np.testing.assert_allclose(minutes(t, 2025, "public_bus")[0, 1], 60 * 15 / (30 * 0.65))


def test_rail_trip_boards_once_and_uses_feeder_roads(tiny_region):
    params = TransportParams(centre_zone="A", corridors={"rail_line": 2026})
    t = Transport(tiny_region, params, 2025)
    rail_2025, rail_2026 = minutes(t, 2025, "rail"), minutes(t, 2026, "rail")
    # 2025: no station open, the rail mode is feeder road at 25 km/h: A-B-C = 36 + 96 min.
    assert rail_2025[0, 2] == pytest.approx(132)
    assert not t.times(2025).rail_used.any()
    # 2026: board at A (10 min) + 55 km @110 km/h (30 min); D: C->D feeder 48 min on top.
    assert rail_2026[0, 2] == pytest.approx(40)
    assert rail_2026[3, 0] == pytest.approx(48 + 40)
    assert t.times(2026).rail_used[0, 2] and not t.times(2026).rail_used[0, 1]


def test_unconnected_zone_is_reported(tmp_path):
    folder = copy_region(tmp_path / "r", TINY_REGION)
    links = (folder / "links.csv").read_text().splitlines()
    (folder / "links.csv").write_text("\n".join(line for line in links
                                                if not line.startswith("L3")) + "\n")
    with pytest.raises(RegionError, match=r"zone.s. D cannot be reached by car"):
        Transport(Region.load(folder), TINY, 2025)


def test_unknown_corridor_override_names_the_known_ones(tiny_region):
    known = r"unknown corridor; corridors in links\.csv: express, rail_line"
    with pytest.raises(ConfigError, match=known):
        Transport(tiny_region, TransportParams(centre_zone="A", corridors={"expres": 2030}), 2025)


def test_matrices_are_cached_per_network_state(default_region):
    t = Transport(default_region, TransportParams(), 2025)
    for year in range(2025, 2046):
        t.times(year)
    distinct = {tuple(t.open_links(y)) for y in range(2025, 2046)}
    assert t.computations == len(distinct) < 21


@pytest.fixture(scope="module")
def default_times(default_region):
    t = Transport(default_region, TransportParams(), 2025)
    return t, {year: t.times(year) for year in (2025, 2035, 2045)}


def test_times_are_metric_for_every_mode(default_times):
    _, times = default_times
    for tt in times.values():
        for m, mode in enumerate(MODES):
            d = tt.minutes[m]
            assert np.all(d >= 0), mode
            assert np.all(np.diag(d) == 0), mode
            assert np.isfinite(d).all(), f"{mode}: some zone pairs are unreachable"
            # Triangle inequality d(i,k) <= d(i,j) + d(j,k) for every j, vectorised over (i,k).
            via = (d[:, :, None] + d[None, :, :]).min(axis=1)
            assert np.all(d <= via + 1e-9), mode


def test_motorbike_is_never_faster_than_car_and_buses_never_faster_than_car(default_times):
    _, times = default_times
    for tt in times.values():
        car = tt.mode("car")
        for mode in ("motorbike", "shuttle_bus", "public_bus"):
            assert np.all(tt.mode(mode) >= car - 1e-9), mode


def test_opening_each_corridor_never_lengthens_and_shortens_its_own_trips(default_region):
    links = default_region.links
    corridors = sorted({c for c in links["corridor"].dropna() if c})
    assert corridors
    for corridor in corridors:
        closed = Transport(default_region, TransportParams(corridors={corridor: "never"}), 2025)
        opened = Transport(default_region, TransportParams(corridors={corridor: 2026}), 2025)
        before, after = closed.times(2030).minutes, opened.times(2030).minutes
        before_other = closed.times(2030)
        # Everything else equal, opening never increases any time for any mode.
        assert np.all(after <= before + 1e-9), corridor
        rows = links[links["corridor"] == corridor]
        # ...and strictly decreases the time between the ends of at least one of its links,
        # for the modes that use it (the others may be unchanged).
        modes = ["car"] if rows["mode"].isin(["road", "expressway"]).any() else ["rail"]
        pairs = list(zip(rows["from_idx"], rows["to_idx"], strict=True))
        gains = [before_other.mode(m)[i, j] - opened.times(2030).mode(m)[i, j]
                 for m in modes for i, j in pairs]
        assert max(gains) > 0, f"{corridor}: opening it shortens no trip between its ends"


def test_opening_a_new_fast_link_strictly_shortens_trips_between_its_ends(tmp_path):
    folder = copy_region(tmp_path / "r", TINY_REGION)
    with (folder / "links.csv").open("a") as f:
        f.write("N1,B,D,expressway,60,120,2031,new_link,B-D,synthetic\n")
    t = Transport(Region.load(folder), TINY, 2025)
    before, after = minutes(t, 2030, "car"), minutes(t, 2031, "car")
    assert after[1, 3] < before[1, 3]
    assert np.all(after <= before)


def test_times_are_symmetric(default_times):
    _, times = default_times
    for tt in times.values():
        for m in range(len(MODES)):
            np.testing.assert_allclose(tt.minutes[m], tt.minutes[m].T, atol=1e-9)


def test_car_times_from_central_hanoi_match_the_facts_sheet(default_region):
    """Off-peak car times from Hoàn Kiếm (data-facts, transport section), in minutes."""
    targets = {
        "PT_PHUC_YEN": (45, 55), "PT_VINH_YEN": (60, 75), "PT_VIET_TRI": (75, 90),
        "PT_HOA_BINH": (75, 90), "TN_PHO_YEN": (55, 65), "TN_SONG_CONG": (60, 75),
        "TN_THAI_NGUYEN": (75, 90), "BN_BAC_NINH": (40, 50),
    }
    t = Transport(default_region, TransportParams(), 2025)
    car = t.times(2025).mode("car")[default_region.zone("HN_HOAN_KIEM")]
    slack = 3.0  # minutes: the facts are rounded ranges
    for zone, (lo, hi) in targets.items():
        value = car[default_region.zone(zone)]
        assert lo - slack <= value <= hi + slack, f"{zone}: {value:.0f} min, facts {lo}-{hi}"


def test_later_years_are_never_slower(default_times):
    _, times = default_times
    # Later years only add links: no pair gets slower.
    years = sorted(times)
    for a, b in itertools.pairwise(years):
        assert np.all(times[b].minutes <= times[a].minutes + 1e-9)
