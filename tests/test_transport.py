import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from model.config import RailService, TransportParams
from model.errors import ConfigError, RegionError
from model.region import Region
from model.transport import LINE_TYPES, MODES, PERIODS, Transport

from .conftest import TINY_REGION, copy_region

TINY = TransportParams(centre_zone="A")


def minutes(transport, year, mode, period="offpeak"):
    return transport.times(year).mode(mode, period)


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
    assert t.times(2026).rail_used[:, 0, 2].all()
    # 2026, a metre-gauge line (0.5 trains/h): access 20 min + half the 120-min headway + 55 km
    # @110 km/h (30 min) = 110 min; D: C->D feeder 48 min on top.
    assert rail_2026[0, 2] == pytest.approx(110)
    assert rail_2026[3, 0] == pytest.approx(48 + 110)
    assert t.times(2026).rail_used[0, 0, 2] and not t.times(2026).rail_used[0, 0, 1]


def test_waiting_is_half_the_headway_of_the_line_type(tiny_region):
    for trains, wait in ((0.5, 60.0), (2.0, 15.0), (10.0, 3.0)):
        params = TransportParams(
            centre_zone="A", corridors={"rail_line": 2026}, standard_gauge_corridors=["rail_line"],
            rail_service={**TransportParams().rail_service,
                          "standard_gauge": RailService(trains_per_peak_hour=trains,
                                                        train_capacity=500)})
        t = Transport(tiny_region, params, 2025)
        assert minutes(t, 2026, "rail", "peak")[0, 2] == pytest.approx(20 + wait + 30)
        # Capacity of each direction of the line: trains/h x train x 2 peak hours.
        rail = tiny_region.links["mode"].to_numpy() == "rail"
        np.testing.assert_allclose(t.link_capacity[np.repeat(rail, 2)], trains * 500 * 2.0)
        # The trip A -> C rides link R1 from its from_zone (directed link 2 i).
        i = int(np.flatnonzero(rail)[0])
        assert t.times(2026).rail_links[0 * 4 + 2].toarray().ravel().tolist() == [
            1.0 if k == 2 * i else 0.0 for k in range(2 * len(rail))]
        assert t.times(2026).rail_links[2 * 4 + 0, 2 * i + 1] == 1.0


def test_metre_gauge_standard_gauge_and_urban_rail_get_their_services(default_region):
    t = Transport(default_region, TransportParams(), 2025)
    links = default_region.links
    kind = dict(zip(links["link_id"], t.line_type, strict=True))
    assert LINE_TYPES[kind["RL001"]] == "metre_gauge"  # Hà Nội - Lào Cai
    assert LINE_TYPES[kind["RL021"]] == "standard_gauge"  # Lào Cai - Hà Nội - Hải Phòng
    assert LINE_TYPES[kind["UR001"]] == "urban_rail"  # Cát Linh - Hà Đông
    assert kind["R001"] == -1
    with pytest.raises(ConfigError, match="missing line type 'urban_rail'"):
        Transport(default_region, TransportParams(rail_service={
            k: v for k, v in TransportParams().rail_service.items() if k != "urban_rail"}), 2025)


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


def test_times_are_metric_for_every_mode_and_period(default_times):
    _, times = default_times
    for tt in times.values():
        for (p, period), (m, mode) in itertools.product(enumerate(PERIODS), enumerate(MODES)):
            mode = f"{mode} {period}"
            d = tt.minutes[p, m]
            assert np.all(d >= 0), mode
            assert np.all(np.diag(d) == 0), mode
            assert np.isfinite(d).all(), f"{mode}: some zone pairs are unreachable"
            # Triangle inequality d(i,k) <= d(i,j) + d(j,k) for every j, vectorised over (i,k).
            via = (d[:, :, None] + d[None, :, :]).min(axis=1)
            assert np.all(d <= via + 1e-9), mode


def test_motorbike_is_never_faster_than_car_and_buses_never_faster_than_car(default_times):
    _, times = default_times
    for tt in times.values():
        for period in PERIODS:
            car = tt.mode("car", period)
            for mode in ("motorbike", "shuttle_bus", "public_bus"):
                assert np.all(tt.mode(mode, period) >= car - 1e-9), mode


def connected_zones(region, transport, corridor, year):
    """Zones a corridor connects: its road links' ends, or the stations of its rail network.

    A new rail section also connects the stations of the lines it extends (a short section
    alone may not beat the feeder road once boarding time is counted). Rail is judged at peak,
    when the roads of the core are congested: off-peak a 4 km inner-city metro hop is no faster
    than the feeder road.
    """
    links = region.links
    rows = links[links["corridor"] == corridor]
    if rows["mode"].isin(["road", "expressway"]).all():
        return sorted(set(rows["from_idx"]) | set(rows["to_idx"])), "car", "offpeak"
    rail = transport.open_links(year) & links["mode"].isin(["rail", "urban_rail"]).to_numpy()
    graph = csr_matrix((np.ones(rail.sum()), (links["from_idx"][rail], links["to_idx"][rail])),
                       shape=(region.n_zones, region.n_zones))
    _, label = connected_components(graph, directed=False)
    own = set(label[rows["from_idx"]])
    stations = np.unique(np.concatenate([links["from_idx"][rail], links["to_idx"][rail]]))
    return sorted(z for z in stations if label[z] in own), "rail", "peak"


def test_opening_each_planned_corridor_never_lengthens_and_shortens_its_own_trips(
    default_region,
):
    links = default_region.links
    planned = links["open_year"].isna() | (links["open_year"] > 2025)
    corridors = sorted({c for c in links.loc[planned, "corridor"].dropna() if c})
    assert len(corridors) >= 10
    for corridor in corridors:
        closed = Transport(default_region, TransportParams(corridors={corridor: "never"}), 2025)
        opened = Transport(default_region, TransportParams(corridors={corridor: 2026}), 2025)
        before, after = closed.times(2030), opened.times(2030)
        # Everything else equal, opening never increases any time for any mode...
        assert np.all(after.minutes <= before.minutes + 1e-9), corridor
        # ...and strictly shortens some trip between the zones it connects.
        zones, mode, period = connected_zones(default_region, opened, corridor, 2030)
        sub = np.ix_(zones, zones)
        gain = before.mode(mode, period)[sub] - after.mode(mode, period)[sub]
        assert gain.max() > 1e-6, f"{corridor}: opening it shortens no trip between its zones"


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
        np.testing.assert_allclose(tt.minutes, tt.minutes.swapaxes(2, 3), atol=1e-9)


def test_car_times_from_central_hanoi_match_the_facts_sheet(default_region):
    """Off-peak car times from Hoàn Kiếm (data-facts, transport section), in minutes."""
    targets = {
        "PT_PHUC_YEN": (45, 55), "PT_VINH_YEN": (60, 75), "PT_VIET_TRI": (75, 90),
        "PT_HOA_BINH": (75, 90), "TN_PHO_YEN": (55, 65), "TN_SONG_CONG": (60, 75),
        "TN_THAI_NGUYEN": (75, 90), "BN_BAC_NINH": (40, 50),
    }
    t = Transport(default_region, TransportParams(), 2025)
    car = t.times(2025).mode("car", "offpeak")[default_region.zone("HN_HOAN_KIEM")]
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


def test_a_corridor_override_moves_only_unbuilt_sections(default_region):
    links = default_region.links
    rr5 = (links["corridor"] == "ring_road_5").to_numpy()
    built = rr5 & (links["open_year"] <= 2025).to_numpy(dtype=bool, na_value=False)
    assert built.any() and (rr5 & ~built).any()
    t = Transport(default_region, TransportParams(corridors={"ring_road_5": "never"}), 2025)
    assert np.all(t.open_year[built] <= 2025)
    assert np.all(np.isinf(t.open_year[rr5 & ~built]))
    t = Transport(default_region, TransportParams(corridors={"ring_road_5": 2029}), 2025)
    assert np.all(t.open_year[rr5 & ~built] == 2029)


def test_peak_adds_20_to_45_minutes_to_trips_out_of_central_hanoi(default_region):
    """Facts sheet: 'add 20-45 min at peak' to the off-peak times from central Hà Nội."""
    t = Transport(default_region, TransportParams(), 2025)
    centre = default_region.zone("HN_HOAN_KIEM")
    tt = t.times(2025)
    for zone in ("PT_PHUC_YEN", "PT_VIET_TRI", "PT_VINH_YEN", "PT_HOA_BINH", "TN_PHO_YEN",
                 "TN_SONG_CONG", "TN_THAI_NGUYEN", "BN_BAC_NINH", "HY_MY_HAO", "HP_HAI_PHONG"):
        z = default_region.zone(zone)
        extra = tt.mode("car", "peak")[centre, z] - tt.mode("car", "offpeak")[centre, z]
        assert 20 - 3 <= extra <= 45 + 3, f"{zone}: peak adds {extra:.0f} min"


def test_peak_slows_only_the_congested_core(tiny_region):
    # Tiny region densities: A 4,000/km2, B 2,000/km2, C 1,000/km2, D 500/km2.
    sparse = TransportParams(centre_zone="A", congested_density_per_km2=3000)
    t = Transport(tiny_region, sparse, 2025)  # only A is dense: no link has both ends dense
    np.testing.assert_array_equal(t.times(2025).minutes[0], t.times(2025).minutes[1])
    dense = TransportParams(centre_zone="A", congested_density_per_km2=1500, peak_speed_factor=0.5)
    t = Transport(tiny_region, dense, 2025)
    assert minutes(t, 2025, "car", "peak")[0, 1] == pytest.approx(2 * 30)
    assert minutes(t, 2025, "car", "peak")[1, 2] == pytest.approx(60)
