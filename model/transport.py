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
``road``-only network. A rail trip is a shortest path on a layered graph: a road layer travelled
at the feeder speed ``min(link speed, rail_feeder_speed_kmh)`` (feeder bus, motorbike taxi) and one
rail layer per line type (:data:`LINE_TYPES`: ``urban_rail`` links; ``rail`` links of the
``standard_gauge_corridors``; the other ``rail`` links, the metre-gauge national lines). Boarding a
line type at a station costs ``rail_access_min`` plus the wait, half its headway
(``30 / trains_per_peak_hour`` minutes, ``rail_service``); alighting is free, so a change of
line type is an alighting and a new boarding. Where rail does not shorten a trip the rail time
equals the feeder-only time and :attr:`TravelTimes.rail_used` is False there: callers treat rail
as unavailable for that pair. The rail links each trip rides are kept
(:attr:`TravelTimes.rail_links`, peak) so that riders can be loaded onto lines: a *line* is a
corridor of links.csv, and it carries at most ``trains_per_peak_hour × train_capacity ×
peak_hours`` riders per direction on any of its links (:attr:`TravelTimes.link_capacity`; the cap
is applied to the workers in ``model/workers.py``).

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
as often as the network changes; the cache is shared by the runs of a process (a sweep worker,
the sensitivity runner, a notebook) and keyed by everything the matrices are computed from —
the link arrays, the line types and capacities, the period speed factors, every transport
parameter and the open links — so a run reuses another's matrices only when its own computation
would give the same numbers. Cached arrays are read-only.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
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
LINE_TYPES = ("metre_gauge", "standard_gauge", "urban_rail")
"""Rail line types, each with its service (``TransportParams.rail_service``)."""


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
        rail_links: sparse (origin · n + destination, directed link) incidence of the peak rail
            trips: 1 where the trip rides that link (directed link ``2 i`` is link *i* from its
            ``from_zone``, ``2 i + 1`` the other way).
        link_capacity: riders per directed link and peak (real persons; ``inf`` for non-rail).
        car_pred: (origin, destination) predecessor of the destination on the fastest peak car
            path (-9999 where none), to trace bus routes.
    """

    minutes: np.ndarray
    road_km: np.ndarray
    rail_used: np.ndarray
    rail_links: csr_matrix
    link_capacity: np.ndarray
    car_pred: np.ndarray

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


SHARED_CACHE_SIZE = 48
"""Network states kept by the process-wide cache (~0.8 MB each for the embedded region)."""

_SHARED: OrderedDict[bytes, TravelTimes] = OrderedDict()
"""Travel times of every network state computed in this process, least recently used first."""


def _read_only(times: TravelTimes) -> TravelTimes:
    for array in (times.minutes, times.road_km, times.rail_used, times.car_pred):
        array.flags.writeable = False
    return times


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
        self.line_type = self._line_types(links, params)
        self.link_capacity = self._capacity(params)
        self._speed_factor = self._period_speed_factors(region, params)
        self._cache: dict[bytes, TravelTimes] = {}
        self._signature = self._network_signature()
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

    def _line_types(self, links, params: TransportParams) -> np.ndarray:
        """Index into :data:`LINE_TYPES` of each link (-1 for road links).

        Raises:
            ConfigError: rail_service lacks a line type or names an unknown one. Standard-gauge
                corridors absent from links.csv are ignored (a user region may not have them).
        """
        errors = [f"transport.rail_service.{k}: unknown line type; use "
                  f"{', '.join(LINE_TYPES)}" for k in params.rail_service if k not in LINE_TYPES]
        errors += [f"transport.rail_service: missing line type {k!r}" for k in LINE_TYPES
                   if k not in params.rail_service]
        corridor = links["corridor"].fillna("").to_numpy()
        if errors:
            raise ConfigError("transport", errors)
        kind = np.full(len(links), -1)
        kind[self._mode == "rail"] = LINE_TYPES.index("metre_gauge")
        kind[(self._mode == "rail") & np.isin(corridor, params.standard_gauge_corridors)] = (
            LINE_TYPES.index("standard_gauge"))
        kind[self._mode == "urban_rail"] = LINE_TYPES.index("urban_rail")
        return kind

    def _capacity(self, params: TransportParams) -> np.ndarray:
        """Riders per directed link and peak: its line type's service over the peak."""
        per_type = np.array([
            params.rail_service[k].trains_per_peak_hour * params.rail_service[k].train_capacity
            * params.peak_hours for k in LINE_TYPES
        ])
        cap = np.where(self.line_type >= 0, per_type[np.maximum(self.line_type, 0)], np.inf)
        return np.repeat(cap, 2)

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

    def _network_signature(self) -> bytes:
        """Digest of everything :meth:`_compute` reads except the open links."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(repr((self.n, self.params)).encode())
        digest.update("\0".join(map(str, self._mode)).encode())
        for array in (self._from, self._to, self._length, self._speed, self.line_type,
                      self.link_capacity, self._speed_factor["offpeak"],
                      self._speed_factor["peak"]):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.digest()

    def times(self, year: int) -> TravelTimes:
        """Travel times for the network as it is in ``year`` (cached per network state)."""
        is_open = self.open_links(year)
        key = np.packbits(is_open).tobytes()
        if key not in self._cache:
            shared = self._signature + key
            times = _SHARED.get(shared)
            if times is None:
                times = _read_only(self._compute(is_open))
                _SHARED[shared] = times
                while len(_SHARED) > SHARED_CACHE_SIZE:
                    _SHARED.popitem(last=False)
            else:
                _SHARED.move_to_end(shared)
            self._cache[key] = times
        return self._cache[key]

    @property
    def computations(self) -> int:
        """How many distinct network states have been computed so far."""
        return len(self._cache)

    def _compute(self, is_open: np.ndarray) -> TravelTimes:
        minutes, rail_used = [], []
        rail_links = None
        car_pred = None
        for period in PERIODS:
            m, used, links, pred = self._compute_period(is_open, self._speed_factor[period])
            minutes.append(m)
            rail_used.append(used)
            rail_links, car_pred = links, pred  # the peak's (last period)
        road = is_open & np.isin(self._mode, ROAD)
        a, b, km = self._from, self._to, self._length
        return TravelTimes(
            minutes=np.stack(minutes),
            road_km=_shortest(self.n, a[road], b[road], km[road], self.n),
            rail_used=np.stack(rail_used),
            rail_links=rail_links,
            link_capacity=self.link_capacity,
            car_pred=car_pred,
        )

    def _compute_period(self, is_open: np.ndarray, factor: np.ndarray):
        """(mode, origin, destination) minutes, rail use, rail-link incidence, car predecessors.

        Road speeds are the links' times ``factor``.
        """
        p = self.params
        n = self.n
        road = is_open & np.isin(self._mode, ROAD)
        street = is_open & (self._mode == "road")
        rail = is_open & np.isin(self._mode, RAIL)
        a, b, km = self._from, self._to, self._length
        v = self._speed * factor

        def minutes(mask: np.ndarray, speed: np.ndarray) -> np.ndarray:
            return _shortest(n, a[mask], b[mask], 60.0 * km[mask] / speed[mask], n)

        w_car = 60.0 * km[road] / v[road]
        graph = _graph(n, np.concatenate([a[road], b[road]]), np.concatenate([b[road], a[road]]),
                       np.concatenate([w_car, w_car]))
        car, car_pred = dijkstra(graph, directed=True, return_predecessors=True)
        motorbike = minutes(street, np.minimum(v, p.motorbike_max_speed_kmh * factor))
        shuttle = minutes(road, np.minimum(v * p.shuttle_bus_speed_factor, p.bus_max_speed_kmh))
        public = minutes(road, np.minimum(v * p.public_bus_speed_factor, p.bus_max_speed_kmh))
        feeder_speed = np.minimum(v, p.rail_feeder_speed_kmh * factor)
        feeder_only = minutes(road, feeder_speed)
        rail_time, rail_links = self._rail(road, rail, feeder_speed)
        stack = np.stack([motorbike, car, shuttle, public, rail_time])
        used = rail_time < feeder_only - 1e-9
        # Pairs that do not ride a train have no rail links.
        rail_links = csr_matrix(rail_links.multiply(used.reshape(-1, 1)))
        return stack, used, rail_links, car_pred

    def _rail(self, road: np.ndarray, rail: np.ndarray,
              feeder_speed: np.ndarray) -> tuple[np.ndarray, csr_matrix]:
        """Rail-mode minutes and the rail links ridden, on the layered graph.

        Nodes ``0..n-1`` are the road layer, ``n (1 + k) + z`` zone *z* on line type *k*.
        """
        n, p = self.n, self.params
        a, b, km = self._from, self._to, self._length
        layer = n * (1 + np.maximum(self.line_type, 0))
        road_w = 60.0 * km[road] / feeder_speed[road]
        rail_w = 60.0 * km[rail] / self._speed[rail]
        idx = np.flatnonzero(rail)
        ra, rb = a[rail] + layer[rail], b[rail] + layer[rail]
        # Boarding: every station of each line type, access plus half the headway.
        station_nodes = np.unique(np.concatenate([ra, rb]))
        station_zone = station_nodes % n
        station_type = station_nodes // n - 1
        wait = np.array([30.0 / p.rail_service[k].trains_per_peak_hour for k in LINE_TYPES])
        board = p.rail_access_min + wait[station_type]
        u = np.concatenate([a[road], b[road], ra, rb, station_zone, station_nodes])
        v = np.concatenate([b[road], a[road], rb, ra, station_nodes, station_zone])
        w = np.concatenate([road_w, road_w, rail_w, rail_w, board, np.zeros(len(station_nodes))])
        size = n * (1 + len(LINE_TYPES))
        graph = _graph(size, u, v, w)
        dist, pred = dijkstra(graph, directed=True, indices=np.arange(n), return_predecessors=True)
        # Directed rail edge -> directed link id (the fastest of parallel links).
        edge = np.full((size, size), -1, dtype=np.int64)
        order = np.argsort(-rail_w, kind="stable")
        edge[ra[order], rb[order]] = 2 * idx[order]
        edge[rb[order], ra[order]] = 2 * idx[order] + 1
        # Walk every trip back from its destination, all pairs at once.
        origin = np.repeat(np.arange(n), n)
        node = np.tile(np.arange(n), n)
        rows, cols = [], []
        pair = np.arange(n * n)
        for _ in range(size):
            live = (node != origin) & (node >= 0)
            if not live.any():
                break
            prev = np.where(live, pred[origin, np.maximum(node, 0)], -9999)
            ok = live & (prev >= 0)
            link = np.where(ok, edge[np.maximum(prev, 0), np.maximum(node, 0)], -1)
            hit = link >= 0
            rows.append(pair[hit])
            cols.append(link[hit])
            node = np.where(ok, prev, origin)
        rows_ = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cols_ = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        incidence = csr_matrix((np.ones(len(rows_)), (rows_, cols_)),
                               shape=(n * n, 2 * len(self._mode)))
        incidence.data[:] = 1.0  # a link ridden once per trip
        return dist[:, :n], incidence
