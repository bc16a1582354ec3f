"""Transport: zone-to-zone travel times by commute mode for any year, from the link network.

Inputs: ``links.csv`` (undirected links between zone seats with mode, length, off-peak speed and
opening year), corridor opening years from the scenario (``transport.corridors``) and the speed
parameters of :class:`model.config.TransportParams`.

Travel time of a link for a mode (minutes) is ``60 * length_km / v`` with the mode's speed ``v``:

=============  ==========================  ==============================================
mode           links it may use            speed ``v`` (km/h)
=============  ==========================  ==============================================
car            road, expressway            link speed (off-peak free flow)
motorbike      road                        min(link speed, ``motorbike_max_speed_kmh``)
shuttle_bus    road, expressway            min(link speed × shuttle factor, bus cap)
public_bus     road, expressway            min(link speed × public factor, bus cap)
rail           rail, urban_rail            link speed (scheduled average)
=============  ==========================  ==============================================

Motorbikes may not use Vietnamese expressways (Law on Road Traffic 2008, Art. 26), hence the
``road``-only network. A rail trip is a shortest path on a two-layer graph: a road layer travelled
at the feeder speed ``min(link speed, rail_feeder_speed_kmh)`` (feeder bus, motorbike taxi) and a
rail layer; boarding at a zone with an open station costs ``rail_boarding_min``, alighting is free.
Where rail does not shorten a trip the rail time equals the feeder-only time and
:attr:`TravelTimes.rail_used` is False there: callers treat rail as unavailable for that pair.

Two periods: ``offpeak`` (free flow) and ``peak``. At peak, road and expressway links with both
ends in the congested core (zones of at least ``congested_density_per_km2`` persons per km²: the
inner districts of Hà Nội) run at ``peak_speed_factor`` times their off-peak speed, for every road
mode; rail keeps its timetable. This reproduces the facts sheet's "add 20-45 min at peak" on trips
out of central Hà Nội and is what makes urban rail worth riding in the core. Commuting uses the
peak; freight and the travel-time indicators use both.

Times are shortest paths (``scipy.sparse.csgraph.dijkstra``), so per mode they are zero on the
diagonal, non-negative and satisfy the triangle inequality; opening a link never lengthens a trip.
Intra-zone trips are not in these matrices (zero diagonal): sub-models add their own intra-zone
time. Matrices are cached per distinct set of open links, so a 21-year run computes them only
as often as the network changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .config import NEVER, TransportParams
from .errors import ConfigError, RegionError
from .region import Region

MODES = ("motorbike", "car", "shuttle_bus", "public_bus", "rail")
"""Commute modes, in the order of the first axis of :attr:`TravelTimes.minutes`."""

PERIODS = ("offpeak", "peak")
"""Periods of the day, in the order of the first axis of :attr:`TravelTimes.minutes`."""

ROAD = ("road", "expressway")
RAIL = ("rail", "urban_rail")


@dataclass(frozen=True)
class TravelTimes:
    """Travel times for one state of the network.

    Attributes:
        minutes: (period, mode, origin zone, destination zone) one-way minutes; ``inf`` where the
            destination cannot be reached by that mode. Periods are :data:`PERIODS`.
        road_km: (origin, destination) shortest road distance (road and expressway links, the
            shortest path by length, which may differ from the fastest path), km.
        rail_used: (period, origin, destination) True where the fastest rail-mode trip rides a
            train.
    """

    minutes: np.ndarray
    road_km: np.ndarray
    rail_used: np.ndarray

    def mode(self, name: str, period: str = "offpeak") -> np.ndarray:
        """The (origin, destination) minutes of one mode in one period."""
        return self.minutes[PERIODS.index(period), MODES.index(name)]


def _graph(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> csr_matrix:
    """Directed sparse graph keeping the smallest weight of parallel edges (csr would sum them)."""
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return csr_matrix((w[first], (u[first], v[first])), shape=(n, n))


def _shortest(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, sources: int) -> np.ndarray:
    """All shortest paths from the first ``sources`` nodes on an undirected edge list."""
    if len(w) == 0:
        out = np.full((sources, n), np.inf)
        np.fill_diagonal(out, 0.0)
        return out
    graph = _graph(n, np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([w, w]))
    return dijkstra(graph, directed=True, indices=np.arange(sources))


class Transport:
    """Travel times by mode and year for a region's link network under a scenario's corridors."""

    def __init__(self, region: Region, params: TransportParams, base_year: int):
        """Resolve corridor opening years and check that the base-year road network connects.

        Raises:
            ConfigError: a corridor override names a corridor absent from links.csv.
            RegionError: a zone cannot be reached by car in the base year.
        """
        self.region = region
        self.params = params
        links = region.links
        self.n = region.n_zones
        self._from = links["from_idx"].to_numpy()
        self._to = links["to_idx"].to_numpy()
        self._mode = links["mode"].to_numpy()
        self._length = links["length_km"].to_numpy(dtype=float)
        self._speed = links["speed_kmh"].to_numpy(dtype=float)
        self.open_year = self._resolve_open_years(links, params, base_year)
        self._speed_factor = self._period_speed_factors(region, params)
        self._cache: dict[bytes, TravelTimes] = {}
        self._check_connected(base_year)

    @staticmethod
    def _resolve_open_years(links, params: TransportParams, base_year: int) -> np.ndarray:
        """Opening year per link: the data's, with unbuilt sections of overridden corridors moved.

        A corridor override moves only the sections not yet open in the base year: built
        infrastructure stays (a corridor is often opened section by section).
        """
        open_year = links["open_year"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
        corridor = links["corridor"].fillna("").to_numpy()
        known = sorted({c for c in corridor if c})
        unknown = [c for c in params.corridors if c not in known]
        if unknown:
            raise ConfigError("transport.corridors", [
                f"transport.corridors.{c}: unknown corridor; corridors in links.csv: "
                f"{', '.join(known)}" for c in unknown
            ])
        unbuilt = open_year > base_year
        for name, year in params.corridors.items():
            open_year[(corridor == name) & unbuilt] = np.inf if year == NEVER else float(year)
        return open_year

    def _period_speed_factors(self, region: Region, params: TransportParams) -> dict:
        """Road speed multiplier per link and period: the peak slows road links in the core."""
        zones = region.zones
        density = zones["population"].to_numpy(dtype=float) / zones["area_km2"].to_numpy(float)
        core = density >= params.congested_density_per_km2
        self.core_zones = core
        congested = core[self._from] & core[self._to] & np.isin(self._mode, ROAD)
        return {
            "offpeak": np.ones(len(self._mode)),
            "peak": np.where(congested, params.peak_speed_factor, 1.0),
        }

    def _check_connected(self, year: int) -> None:
        car = self.times(year).mode("car")
        centre = self.region.zone(self.params.centre_zone)
        isolated = np.flatnonzero(~np.isfinite(car[centre]))
        if isolated.size:
            names = ", ".join(self.region.zones["zone_id"].iloc[isolated])
            raise RegionError(str(self.region.path), [
                f"links.csv: zone(s) {names} cannot be reached by car from "
                f"{self.params.centre_zone} with the links open in {year}; every zone needs a "
                "road or expressway link open in the base year"
            ])

    def open_links(self, year: int) -> np.ndarray:
        """Boolean mask of the links open in ``year``."""
        return self.open_year <= year

    def corridor_years(self) -> dict[str, float]:
        """Year each corridor is complete, its last section open (``inf`` = never complete)."""
        corridor = self.region.links["corridor"].fillna("").to_numpy()
        return {
            name: float(self.open_year[corridor == name].max())
            for name in sorted({c for c in corridor if c})
        }

    def times(self, year: int) -> TravelTimes:
        """Travel times for the network as it is in ``year`` (cached per network state)."""
        is_open = self.open_links(year)
        key = np.packbits(is_open).tobytes()
        if key not in self._cache:
            self._cache[key] = self._compute(is_open)
        return self._cache[key]

    @property
    def computations(self) -> int:
        """How many distinct network states have been computed so far."""
        return len(self._cache)

    def _compute(self, is_open: np.ndarray) -> TravelTimes:
        minutes, rail_used = [], []
        for period in PERIODS:
            m, used = self._compute_period(is_open, self._speed_factor[period])
            minutes.append(m)
            rail_used.append(used)
        road = is_open & np.isin(self._mode, ROAD)
        a, b, km = self._from, self._to, self._length
        return TravelTimes(
            minutes=np.stack(minutes),
            road_km=_shortest(self.n, a[road], b[road], km[road], self.n),
            rail_used=np.stack(rail_used),
        )

    def _compute_period(
        self, is_open: np.ndarray, factor: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(mode, origin, destination) minutes and rail use with road speeds times ``factor``."""
        p = self.params
        n = self.n
        road = is_open & np.isin(self._mode, ROAD)
        street = is_open & (self._mode == "road")
        rail = is_open & np.isin(self._mode, RAIL)
        a, b, km = self._from, self._to, self._length
        v = self._speed * factor

        def minutes(mask: np.ndarray, speed: np.ndarray) -> np.ndarray:
            return _shortest(n, a[mask], b[mask], 60.0 * km[mask] / speed[mask], n)

        car = minutes(road, v)
        motorbike = minutes(street, np.minimum(v, p.motorbike_max_speed_kmh * factor))
        shuttle = minutes(road, np.minimum(v * p.shuttle_bus_speed_factor, p.bus_max_speed_kmh))
        public = minutes(road, np.minimum(v * p.public_bus_speed_factor, p.bus_max_speed_kmh))
        feeder_speed = np.minimum(v, p.rail_feeder_speed_kmh * factor)
        feeder_only = minutes(road, feeder_speed)
        rail_time = self._rail(road, rail, feeder_speed)
        stack = np.stack([motorbike, car, shuttle, public, rail_time])
        return stack, rail_time < feeder_only - 1e-9

    def _rail(self, road: np.ndarray, rail: np.ndarray, feeder_speed: np.ndarray) -> np.ndarray:
        """Rail-mode minutes on the two-layer graph (road layer 0..n-1, rail layer n..2n-1)."""
        n = self.n
        a, b, km = self._from, self._to, self._length
        stations = np.unique(np.concatenate([a[rail], b[rail]]))
        road_w = 60.0 * km[road] / feeder_speed[road]
        rail_w = 60.0 * km[rail] / self._speed[rail]
        u = np.concatenate([a[road], b[road], a[rail] + n, b[rail] + n, stations, stations + n])
        w = np.concatenate([road_w, road_w, rail_w, rail_w,
                            np.full(len(stations), self.params.rail_boarding_min),
                            np.zeros(len(stations))])
        v = np.concatenate([b[road], a[road], b[rail] + n, a[rail] + n, stations + n, stations])
        graph = _graph(2 * n, u, v, w)
        return dijkstra(graph, directed=True, indices=np.arange(n))[:, :n]

