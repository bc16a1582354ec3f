"""Workers: homes, commutes, and the choice to commute, move home or quit when a firm relocates.

Also who the firms hire locally instead of the workers who quit.

State lives in numpy arrays with one entry per *job* of the modelled firms (~1 M at full scale,
~22 bytes each): the firm, the current holder's home zone, mode, one-way commute time and
attributes, whether the holder is the job's base-year worker, a local hire or nobody (vacant), and
what the base-year worker did (unaffected, commuting, moved home, quit).

**Homes** (base year and local hires): ``P(h | w) ∝ LF_h · exp(−β · km_hw)`` over zones within
``home_max_min`` peak motorbike minutes of the workplace *w* (``LF`` the labour force; for a new
hire, the zone's remaining labour pool). ``β`` is solved (bisection) so that the base-year mean
one-way distance equals ``commute_km_target`` (15 km, data-facts). Intra-zone trips are
``intrazonal_km_factor · sqrt(area)`` km at ``intrazonal_speed_kmh``.

**Mode choice**: logit over the modes a worker has — motorbike and car if owned, the company shuttle
if the firm runs one (``min_employees``, or fewer with the subsidy lever) and the trip is at most
``max_km``, public bus always, rail where the fastest rail-mode trip rides a train — with
generalised cost in minutes ``GC_m = T_m(peak) + c_m · km / VOT − K_m`` and
``P(m) ∝ exp(−μ · GC_m)``. The log-sum ``GCS = −(1/μ) ln Σ_m exp(−μ GC_m)`` is the commute's
expected generalised cost.

**Green (electric) bus lines** follow a route: the fastest peak car paths between the listed
zones in order; every zone on the route is a stop. Between two stops the line takes the route's
car minutes / ``speed_factor`` plus the wait, half its headway (``30 / buses_per_peak_hour``);
where that beats the ordinary public bus, the pair's public bus *is* the green line (its riders
are public-bus riders of ``workers_commuting`` and emit ``electric_bus_kg_km``).

**Capacity of lines.** A rail line (a corridor, ``model/transport.py``) carries at most its line
type's ``trains_per_peak_hour × train_capacity × peak_hours`` riders per direction on each link,
a green line ``buses_per_peak_hour × bus_capacity × peak_hours`` on each route segment. After the
modes are chosen, on every over-full link ``l`` with load ``L_l > K_l`` each (home, work) pair
riding it keeps ``floor(R_p · min_l K_l / L_l)`` of its ``R_p`` riders (drawn at random), so no link
exceeds its capacity; the excess choose again among their other modes (never the full one in that
year's choice; a full green line leaves them the ordinary public bus, ``Jobs.off_green``), until
no line is over-full. The capacity counts only the modelled factory workers.

**When a firm relocates**, each holder of its jobs chooses by logit among::

    commute:   β_extra · max(0, GCS_new − GCS_old)     over modes with T_m ≤ own tolerance only
    move home: ASC_move + older · penalty + high-skill · bonus
    quit:      ASC_quit

A commuter never exceeds their tolerance (lognormal, median ``tolerance_median_min``, capped at
``tolerance_max_min``, and for a base-year worker at least the commute they already make: revealed
preference); if no mode fits, commuting is not an option. Movers need a dwelling in a
zone within ``housing_reach_min`` of the new workplace (``housing_capacity`` plus worker housing
built by the housing lever), allocated in random order; those who find none choose again between
commuting and quitting. Quitters stay in Hà Nội's labour market. Their jobs are filled by **local
hires** from zones within ``hire_reach_min``, each zone offering ``labour_pool_share`` of its labour
force over the horizon; jobs beyond the pools stay vacant, and the depleted pools lower the firms'
labour-access term in their location choice.

**Commuting emissions**: ``2 · working_days · km · EF_mode`` per holder and year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from .config import GreenBusLine, HousingLever, ShuttleLever, WorkerParams
from .errors import ConfigError
from .region import Region
from .transport import MODES, TravelTimes

ORIGINAL, LOCAL_HIRE, VACANT = 0, 1, 2
UNAFFECTED, COMMUTING, MOVED, QUIT = 0, 1, 2, 3
MOTORBIKE, CAR, SHUTTLE, PUBLIC_BUS, RAIL = range(5)


@dataclass
class Jobs:
    """One entry per job of the modelled firms."""

    firm: np.ndarray
    home: np.ndarray
    holder: np.ndarray
    status: np.ndarray
    mode: np.ndarray
    commute_min: np.ndarray
    tolerance_min: np.ndarray
    high_skill: np.ndarray
    older: np.ndarray
    motorbike: np.ndarray
    car: np.ndarray
    off_green: np.ndarray  # rides the ordinary public bus on a pair a full green line serves

    def __len__(self) -> int:
        return len(self.firm)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(getattr(self, f).nbytes for f in self.__dataclass_fields__)


@dataclass
class Network:
    """Per-pair quantities of one network state the worker decisions use (zone × zone).

    ``gc`` is the generalised cost (minutes) by person class — has a motorbike, has a car, the
    firm runs a shuttle that reaches — so that a million workers' choices are gathers from a small
    table rather than a million cost computations; ``inf`` marks modes the class does not have.
    """

    minutes: np.ndarray  # (mode, home, work), peak, intra-zone trips on the diagonal
    km: np.ndarray  # (home, work)
    rail: np.ndarray  # (home, work) rail available
    green: np.ndarray  # (home, work) served by a green bus line
    green_line: np.ndarray  # (home, work) index of the green line the public bus takes, -1: none
    green_links: csr_matrix  # (home · n + work, segment) segments of green lines ridden
    green_capacity: np.ndarray  # riders per green segment and peak (real persons)
    bus_minutes: np.ndarray  # (home, work) peak minutes of the ordinary public bus
    stops: list  # per green line (active or not: empty), the zones of its route in order
    gc: np.ndarray  # (class · home · work, mode), class = motorbike · 4 + car · 2 + shuttle
    cdf: np.ndarray  # (mode, row) over gc's rows: cumulative logit probabilities of the modes


class Workers:
    """The workforce of the modelled firms and its yearly responses."""

    def __init__(self, region: Region, params: WorkerParams, shuttle: ShuttleLever,
                 green_bus: dict[str, GreenBusLine], housing: HousingLever, scale: float,
                 base_year: int, rng: np.random.Generator, firm_zone: np.ndarray,
                 firm_employees: np.ndarray, times: TravelTimes, peak_hours: float = 2.0):
        """Draw the base-year workforce: homes, attributes, modes.

        Args:
            region: region data.
            params: worker behaviour parameters.
            shuttle: the shuttle-bus lever.
            green_bus: green bus lines (lever).
            housing: the worker-housing lever.
            scale: agent scale (the firms' workers are real; pools and housing are scaled).
            base_year: the base year.
            rng: the workers' random stream.
            firm_zone: zone of each firm (row order of the firm population).
            firm_employees: employees of each firm.
            times: base-year travel times.
            peak_hours: length of the commuting peak over which line capacities count (h).
        """
        self.region = region
        self.params = params
        self.shuttle = shuttle
        self.housing = housing
        self.scale = scale
        self.rng = rng
        zones = region.zones
        self.n_zones = region.n_zones
        self.labour_force = zones["labour_force"].to_numpy(dtype=float)
        area = zones["area_km2"].to_numpy(dtype=float)
        self.intra_km = params.intrazonal_km_factor * np.sqrt(area)
        self.intra_min = 60.0 * self.intra_km / params.intrazonal_speed_kmh
        self.zone_province = zones["province_idx"].to_numpy()
        self.n_provinces = len(region.provinces)
        self.firm_employees = firm_employees
        self.peak_hours = peak_hours
        self.green_lines = self._resolve_green_lines(green_bus)
        self.housing_units = zones["housing_capacity"].to_numpy(dtype=float) * scale
        self.housing_share = self._housing_shares(housing)
        self.pool = self.labour_force * params.labour_pool_share * scale
        self.cost_vnd_km = np.array([params.cost_vnd_km[m] for m in MODES])
        self.constant_min = np.array([params.mode_constant_min[m] for m in MODES])
        self.emission = np.array([params.emission_kg_km[m] for m in MODES])
        self.moved_total = 0.0
        self.quit_total = 0.0
        self.hired = np.zeros(self.n_provinces)
        self._net_key: tuple | None = None
        self._net: Network | None = None
        self._modes_key: tuple | None = None
        self._chosen_under: tuple[Network, int] | None = None
        self._times: TravelTimes = times
        net = self.network(times, base_year)
        self.decay_per_km = self._solve_decay(net, firm_zone, firm_employees)
        self.jobs = self._populate(net, firm_zone, firm_employees)

    # ---- set-up ------------------------------------------------------------------------------

    def _resolve_green_lines(self, lines: dict[str, GreenBusLine]) -> list[GreenBusLine]:
        errors = []
        for name, line in lines.items():
            bad = [z for z in line.zones if z not in self.region.zone_index]
            if bad:
                errors.append(f"policies.green_bus.{name}.zones: unknown zone id(s) "
                              f"{', '.join(bad)}; use zone ids of zones.csv")
            if len(line.zones) < 2:
                errors.append(f"policies.green_bus.{name}.zones: a line serves at least 2 zones")
        if errors:
            raise ConfigError("policies.green_bus", errors)
        self.green_names = list(lines)
        return list(lines.values())

    def green_route(self, line: GreenBusLine, times: TravelTimes) -> np.ndarray:
        """Zones of a green line's route in order: fastest peak car paths between its zones."""
        pred = times.car_pred
        route = [self.region.zone_index[line.zones[0]]]
        for nxt in (self.region.zone_index[z] for z in line.zones[1:]):
            start, leg = route[-1], [nxt]
            while leg[-1] != start:
                before = int(pred[start, leg[-1]])
                if before < 0:
                    raise ConfigError("policies.green_bus", [
                        f"policies.green_bus: no road from {self.region.zones['zone_id'][start]}"
                        f" to {line.zones[-1]}"])
                leg.append(before)
            route.extend(leg[-2::-1])
        # A zone passed twice is one stop, at its first passage.
        _, first = np.unique(route, return_index=True)
        return np.asarray(route)[np.sort(first)]

    def _green_network(self, times: TravelTimes, active: tuple[int, ...], bus: np.ndarray,
                       car: np.ndarray):
        """Apply the active green lines to the public-bus minutes ``bus`` (in place).

        Returns (line used per pair, segment incidence, segment capacity, stops per line).
        """
        n = self.n_zones
        line_of = np.full((n, n), -1, dtype=np.int64)
        rows, cols, capacity, stops, seg_line = [], [], [], [], []
        offset = 0
        for i, line in enumerate(self.green_lines):
            if i not in active:
                stops.append(np.zeros(0, dtype=np.int64))
                continue
            route = self.green_route(line, times)
            stops.append(route)
            leg = car[route[:-1], route[1:]]
            at = np.concatenate([[0.0], np.cumsum(leg)])  # car minutes along the route
            pos = np.arange(len(route))
            p, q = np.meshgrid(pos, pos, indexing="ij")
            ride = np.abs(at[q] - at[p]) / line.speed_factor + 30.0 / line.buses_per_peak_hour
            o, d = route[p], route[q]
            better = (p != q) & (ride < bus[o, d])
            bus[o[better], d[better]] = ride[better]
            line_of[o[better], d[better]] = i
            # Segments: 2 k forward (route order), 2 k + 1 backward, for k along the route.
            for pi, qi in zip(p[better], q[better], strict=True):
                lo, hi = min(pi, qi), max(pi, qi)
                seg = 2 * np.arange(lo, hi) + (0 if qi > pi else 1)
                rows.extend([route[pi] * n + route[qi]] * len(seg))
                cols.extend(offset + seg)
            n_seg = 2 * (len(route) - 1)
            capacity.append(np.full(n_seg, line.buses_per_peak_hour * line.bus_capacity
                                    * self.peak_hours))
            seg_line.extend([i] * n_seg)
            offset += n_seg
        # A pair keeps only the segments of the line it rides (a later, faster line wins).
        rows_, cols_ = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        seg_line = np.asarray(seg_line, dtype=np.int64)
        keep = seg_line[cols_] == line_of.ravel()[rows_]
        incidence = csr_matrix((np.ones(int(keep.sum())), (rows_[keep], cols_[keep])),
                               shape=(n * n, offset))
        cap = np.concatenate(capacity) if capacity else np.zeros(0)
        return line_of, incidence, cap, stops

    def _housing_shares(self, housing: HousingLever) -> np.ndarray:
        """(province-indexed units/yr) spread to zones by their clusters' lettable land."""
        units = self.region.province_values(housing.units_per_year,
                                            "policies.housing.units_per_year")
        c = self.region.clusters
        land = np.bincount(c["zone"], weights=c["lettable_ha"], minlength=self.n_zones)
        by_province = np.bincount(self.zone_province, weights=land, minlength=self.n_provinces)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(by_province[self.zone_province] > 0,
                             land / by_province[self.zone_province], 0.0)
        return units[self.zone_province] * share * self.scale

    def network(self, times: TravelTimes, year: int) -> Network:
        """Worker-level quantities for the network of ``year`` (cached per state)."""
        active = tuple(i for i, line in enumerate(self.green_lines) if year >= line.start_year)
        key = (id(times), active)
        if key != self._net_key:
            minutes = times.minutes[1].copy()  # peak
            km = times.road_km.copy()
            diag = np.arange(self.n_zones)
            car = times.minutes[1, MODES.index("car")]
            bus_minutes = minutes[PUBLIC_BUS].copy()
            bus_minutes[diag, diag] = self.intra_min[diag]
            line_of, green_links, green_cap, stops = self._green_network(
                times, active, minutes[PUBLIC_BUS], car)
            minutes[:, diag, diag] = self.intra_min
            km[diag, diag] = self.intra_km
            rail = times.rail_used[1].copy()
            rail[diag, diag] = False
            self._net_key = key
            gc = self._cost_table(minutes, km, rail)
            self._net = Network(minutes=minutes, km=km, rail=rail, green=line_of >= 0,
                                green_line=line_of, green_links=green_links,
                                green_capacity=green_cap, bus_minutes=bus_minutes,
                                stops=stops, gc=gc,
                                cdf=self._cdf(gc))
            self._times = times
        return self._net

    def _cost_table(self, minutes: np.ndarray, km: np.ndarray, rail: np.ndarray) -> np.ndarray:
        """Generalised cost by (motorbike, car, shuttle) class, home, work and mode."""
        per_min = self.params.value_of_time_vnd_h / 60.0
        gc = (np.moveaxis(minutes, 0, -1) + km[..., None] * self.cost_vnd_km / per_min
              - self.constant_min)
        gc = np.where(np.isfinite(np.moveaxis(minutes, 0, -1)), gc, np.inf)
        gc[..., RAIL] = np.where(rail, gc[..., RAIL], np.inf)
        table = np.broadcast_to(gc, (2, 2, 2, *gc.shape)).copy()
        table[0, :, :, ..., MOTORBIKE] = np.inf
        table[:, 0, :, ..., CAR] = np.inf
        shuttle_km = km <= self.shuttle.max_km
        table[:, :, 0, ..., SHUTTLE] = np.inf
        table[:, :, 1, ..., SHUTTLE] = np.where(shuttle_km, table[:, :, 1, ..., SHUTTLE], np.inf)
        return table.reshape(-1, len(MODES))

    def _cdf(self, gc: np.ndarray) -> np.ndarray:
        """Cumulative mode-choice probabilities, (mode, row) (a row of inf costs gets all 1)."""
        # p_m = exp(-mu (gc_m - min gc)) / sum_k exp(-mu (gc_k - min gc)), accumulated over modes.
        # Computed mode by mode on (modes, rows) arrays: the same operations in the same order as
        # row-wise numpy (bit for bit), twice as fast as reductions along a 5-long axis.
        mu = self.params.mode_scale_per_min
        cols = np.ascontiguousarray(gc.T)
        best = np.minimum.reduce(cols, axis=0)
        best[~np.isfinite(best)] = 0.0
        with np.errstate(invalid="ignore", over="ignore"):
            w = np.exp(-mu * (cols - best))
        w[~np.isfinite(cols)] = 0.0
        cdf = np.cumsum(w, axis=0, out=w)
        total = cdf[-1].copy()
        reachable = total > 0
        np.divide(cdf, np.where(reachable, total, 1.0), out=cdf)
        cdf[:, ~reachable] = 1.0
        return cdf.astype(np.float32)  # mode-major: rechoose_modes gathers one mode at a time

    def _home_weights(self, net: Network, decay: float, pool: np.ndarray) -> np.ndarray:
        """(work zone, home zone) probabilities of homes."""
        ok = net.minutes[MOTORBIKE].T <= self.params.home_max_min
        w = pool[None, :] * np.exp(-decay * net.km.T) * ok
        total = w.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, w / total, 0.0)

    def _solve_decay(self, net: Network, firm_zone: np.ndarray, employees: np.ndarray) -> float:
        """Distance-decay coefficient (1/km) giving the target mean commute distance."""
        workers_at = np.bincount(firm_zone, weights=employees, minlength=self.n_zones)

        def mean_km(decay: float) -> float:
            prob = self._home_weights(net, decay, self.labour_force)
            per_zone = (prob * net.km.T).sum(axis=1)
            return float((workers_at * per_zone).sum() / workers_at.sum())

        target = self.params.commute_km_target
        lo, hi = 0.0, 5.0
        if mean_km(lo) <= target:
            return lo
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if mean_km(mid) > target else (lo, mid)
        return 0.5 * (lo + hi)

    def _draw_homes(self, work_zone: np.ndarray, prob: np.ndarray) -> np.ndarray:
        """A home zone for each worker given their work zone (inverse CDF, one draw each)."""
        homes = np.empty(len(work_zone), dtype=np.int16)
        u = self.rng.random(len(work_zone))
        order = np.argsort(work_zone, kind="stable")
        bounds = np.searchsorted(work_zone[order], np.arange(self.n_zones + 1))
        for w in np.flatnonzero(np.diff(bounds)):
            rows = order[bounds[w]:bounds[w + 1]]
            cdf = np.cumsum(prob[w])
            homes[rows] = np.minimum(np.searchsorted(cdf / cdf[-1], u[rows], side="right"),
                                     self.n_zones - 1)
        return homes

    def _attributes(self, n: int) -> dict[str, np.ndarray]:
        p, rng = self.params, self.rng
        high = rng.random(n) < p.high_skill_share
        spread = np.exp(p.tolerance_sigma * rng.standard_normal(n))
        tolerance = np.clip(p.tolerance_median_min * spread, 1.0, p.tolerance_max_min)
        return {
            "high_skill": high,
            "older": rng.random(n) < p.older_share,
            "motorbike": rng.random(n) < p.motorbike_share,
            "car": rng.random(n) < np.where(high, p.car_share_high_skill, p.car_share_low_skill),
            "tolerance_min": tolerance.astype(np.float32),
        }

    def _populate(self, net: Network, firm_zone: np.ndarray, employees: np.ndarray) -> Jobs:
        per_firm = employees.astype(np.int64)
        firm = np.repeat(np.arange(len(employees), dtype=np.int32), per_firm)
        # Jobs are stored firm by firm: firm f holds jobs job_start[f] to job_start[f + 1] - 1.
        self._jobs_per_firm = per_firm
        self._job_start = np.concatenate([[0], np.cumsum(per_firm)])
        n = len(firm)
        work = firm_zone[firm]
        prob = self._home_weights(net, self.decay_per_km, self.labour_force)
        jobs = Jobs(
            firm=firm, home=self._draw_homes(work, prob),
            holder=np.full(n, ORIGINAL, dtype=np.int8), status=np.zeros(n, dtype=np.int8),
            mode=np.zeros(n, dtype=np.int8), commute_min=np.zeros(n, dtype=np.float32),
            off_green=np.zeros(n, dtype=bool),
            **self._attributes(n),
        )
        self.jobs = jobs
        self.rechoose_modes(np.arange(n), firm_zone, net, respect_tolerance=False)
        self.enforce_capacity(firm_zone, net)
        # Revealed preference: a worker tolerates at least the commute they already make.
        np.maximum(jobs.tolerance_min, np.minimum(jobs.commute_min, self.params.tolerance_max_min),
                   out=jobs.tolerance_min)
        self._modes_key = (self._net_key, self.shuttle.min_employees)
        self._chosen_under = (net, self.shuttle.min_employees)
        return jobs

    # ---- commuting -----------------------------------------------------------------------------

    def shuttle_min_employees(self, year: int) -> int:
        """Smallest firm running shuttle buses in ``year``."""
        s = self.shuttle
        if s.subsidy_start_year is not None and year >= s.subsidy_start_year:
            return min(s.subsidised_min_employees, s.min_employees)
        return s.min_employees

    def per_job(self, per_firm: np.ndarray) -> np.ndarray:
        """``per_firm[jobs.firm]`` for all jobs, as a repeat (jobs are stored firm by firm)."""
        return np.repeat(per_firm, self._jobs_per_firm)

    def jobs_of(self, firms: np.ndarray) -> np.ndarray:
        """Rows of all jobs of ``firms``, ascending (``flatnonzero`` of a firm mask over jobs)."""
        firms = np.unique(firms)
        length = self._jobs_per_firm[firms]
        ends = np.cumsum(length)
        first = np.repeat(self._job_start[firms] - (ends - length), length)
        return first + np.arange(length.sum())

    def _rows(self, idx: np.ndarray | slice, work: np.ndarray,
              shuttle_min: int) -> tuple[np.ndarray, np.ndarray]:
        """Row of each holder in the class tables, and of its (home, work) pair.

        ``idx`` is the holders' job rows, or ``slice(None)`` for all jobs.
        """
        j = self.jobs
        n = np.int32(self.n_zones)
        if isinstance(idx, slice):
            shuttle = self.per_job(self.firm_employees >= shuttle_min)
        else:
            shuttle = self.firm_employees[j.firm[idx]] >= shuttle_min
        # int32 suffices (at most 8 · n² rows) and halves the memory traffic over ~1 M jobs.
        pair = j.home[idx].astype(np.int32) * n + work.astype(np.int32)
        cls = j.motorbike[idx].astype(np.int32) * 4 + j.car[idx].astype(np.int32) * 2 + shuttle
        return cls * (n * n) + pair, pair

    def generalised_cost(self, idx: np.ndarray, work: np.ndarray, net: Network,
                         shuttle_min: int) -> tuple[np.ndarray, np.ndarray]:
        """(GC minutes, travel minutes), each (len(idx), mode); GC inf where unavailable."""
        row, pair = self._rows(idx, work, shuttle_min)
        minutes = net.minutes.reshape(len(MODES), -1)[:, pair].T
        return net.gc[row], minutes

    def _logsum(self, gc: np.ndarray) -> np.ndarray:
        mu = self.params.mode_scale_per_min
        best = gc.min(axis=1)
        finite = np.isfinite(best)
        out = np.full(len(gc), np.inf)
        shifted = np.exp(-mu * (gc[finite] - best[finite, None]))
        out[finite] = best[finite] - np.log(shifted.sum(axis=1)) / mu
        return out

    def _sample_modes(self, gc: np.ndarray) -> np.ndarray:
        mu = self.params.mode_scale_per_min
        best = gc.min(axis=1, keepdims=True)
        w = np.exp(-mu * (gc - np.where(np.isfinite(best), best, 0.0)))
        w[~np.isfinite(gc)] = 0.0
        cdf = np.cumsum(w, axis=1)
        u = self.rng.random(len(gc)) * cdf[:, -1]
        return np.minimum((cdf < u[:, None]).sum(axis=1), len(MODES) - 1).astype(np.int8)

    def rechoose_modes(self, idx: np.ndarray, firm_zone: np.ndarray, net: Network,
                       respect_tolerance: bool, year: int | None = None) -> None:
        """Holders ``idx`` choose their commute mode for the current network.

        With ``respect_tolerance`` only modes within each worker's tolerance are considered (the
        decision to commute guaranteed one); otherwise the class's precomputed probabilities are
        used directly.
        """
        if idx.size == 0:
            return
        j = self.jobs
        work = firm_zone[j.firm[idx]]
        shuttle_min = self.shuttle.min_employees if year is None else self.shuttle_min_employees(
            year)
        row, pair = self._rows(idx, work, shuttle_min)
        flat_minutes = net.minutes.reshape(len(MODES), -1)
        if respect_tolerance:
            gc = net.gc[row]
            within = np.where(flat_minutes[:, pair].T <= j.tolerance_min[idx, None], gc, np.inf)
            some = np.isfinite(within).any(axis=1)
            mode = self._sample_modes(np.where(some[:, None], within, gc))
        else:
            u = self.rng.random(idx.size, dtype=np.float32)
            # The number of cumulative probabilities below u, counted mode by mode (the same
            # count as a row-wise sum, ~3x faster over ~1 M holders).
            mode = np.zeros(idx.size, dtype=np.int64)
            for cum in net.cdf:
                mode += cum[row] < u
            np.minimum(mode, len(MODES) - 1, out=mode)
        j.mode[idx] = mode
        j.off_green[idx] = False
        j.commute_min[idx] = flat_minutes[mode, pair]

    # ---- capacity of lines ---------------------------------------------------------------------

    def line_loads(self, firm_zone: np.ndarray, net: Network) -> tuple[np.ndarray, np.ndarray]:
        """Riders (real persons) per directed rail link and per green segment, at peak."""
        rail, green = self._riders(firm_zone, net)
        return self._load(rail[1], self._times.rail_links), self._load(green[1], net.green_links)

    def _riders(self, firm_zone: np.ndarray, net: Network):
        """(job index, pair) of the rail riders and of the green-line riders."""
        j, n = self.jobs, np.int32(self.n_zones)
        held = j.holder != VACANT
        out = []
        for mode in (RAIL, PUBLIC_BUS):
            idx = np.flatnonzero(held & (j.mode == mode))
            pair = j.home[idx].astype(np.int32) * n + firm_zone[j.firm[idx]].astype(np.int32)
            if mode == PUBLIC_BUS:
                on_line = net.green.ravel()[pair] & ~j.off_green[idx]
                idx, pair = idx[on_line], pair[on_line]
            out.append((idx, pair))
        return out

    def _load(self, pair: np.ndarray, incidence: csr_matrix) -> np.ndarray:
        riders = np.bincount(pair, minlength=incidence.shape[0]) / self.scale
        return incidence.T @ riders

    def _over_capacity(self, idx: np.ndarray, pair: np.ndarray, incidence: csr_matrix,
                       capacity: np.ndarray) -> np.ndarray:
        """Riders ``idx`` (on pairs ``pair``) who do not fit: the excess of every full link."""
        if idx.size == 0 or incidence.nnz == 0:
            return idx[:0]
        riders = np.bincount(pair, minlength=incidence.shape[0]).astype(float)
        load = incidence.T @ riders
        cap = capacity * self.scale
        ratio = np.where(load > cap, cap / np.maximum(load, 1e-12), 1.0)
        if np.all(ratio >= 1.0):
            return idx[:0]
        # Share each pair keeps: the smallest ratio among the links it rides.
        keep = np.ones(incidence.shape[0])
        rows = np.repeat(np.arange(incidence.shape[0]), np.diff(incidence.indptr))
        np.minimum.at(keep, rows, ratio[incidence.indices])
        kept = np.floor(riders * keep + 1e-9)
        order = np.lexsort((self.rng.random(idx.size), pair))
        sorted_pair = pair[order]
        start = np.searchsorted(sorted_pair, sorted_pair, side="left")
        rank = np.arange(idx.size) - start
        return idx[order[rank >= kept[sorted_pair]]]

    def enforce_capacity(self, firm_zone: np.ndarray, net: Network,
                         year: int | None = None) -> None:
        """Cap every rail line and green line at its capacity; the excess choose again."""
        j = self.jobs
        banned: np.ndarray | None = None  # bit m: mode m was full for this holder this year
        shuttle_min = self.shuttle.min_employees if year is None else self.shuttle_min_employees(
            year)
        for _ in range(2 * len(MODES)):
            (rail_idx, rail_pair), (bus_idx, bus_pair) = self._riders(firm_zone, net)
            drop = [(self._over_capacity(rail_idx, rail_pair, self._times.rail_links,
                                         self._times.link_capacity), RAIL),
                    (self._over_capacity(bus_idx, bus_pair, net.green_links,
                                         net.green_capacity), PUBLIC_BUS)]
            if all(d.size == 0 for d, _ in drop):
                return
            if banned is None:
                banned = np.zeros(len(j), dtype=np.uint8)
            for idx, mode in drop:
                if idx.size == 0:
                    continue
                banned[idx] |= np.uint8(1 << mode)
                ban = (banned[idx, None] >> np.arange(len(MODES), dtype=np.uint8)) & 1
                work = firm_zone[j.firm[idx]]
                gc, minutes = self.generalised_cost(idx, work, net, shuttle_min)
                # A full green line leaves its riders the ordinary public bus (same fare).
                off = ban[:, PUBLIC_BUS].astype(bool) & net.green[j.home[idx], work]
                slower = net.bus_minutes[j.home[idx], work] - minutes[:, PUBLIC_BUS]
                gc[:, PUBLIC_BUS] += np.where(off, slower, 0.0)
                minutes[:, PUBLIC_BUS] += np.where(off, slower, 0.0)
                ban[:, PUBLIC_BUS] &= ~off
                gc = np.where(ban.astype(bool), np.inf, gc)
                within = np.where(minutes <= j.tolerance_min[idx, None], gc, np.inf)
                tolerant = (j.status[idx] == COMMUTING)[:, None] & np.isfinite(within).any(
                    axis=1, keepdims=True)
                gc = np.where(tolerant, within, gc)
                some = np.isfinite(gc).any(axis=1)
                choice = self._sample_modes(gc[some])
                chose = idx[some]
                j.mode[chose] = choice
                j.commute_min[chose] = minutes[np.flatnonzero(some), choice]
                j.off_green[chose] = (choice == PUBLIC_BUS) & off[some]

    # ---- the year's responses ----------------------------------------------------------------

    def step(self, year: int, times: TravelTimes, firm_zone: np.ndarray, moved_firms: np.ndarray,
             old_zone: np.ndarray) -> None:
        """Respond to this year's relocations and network; fill vacancies locally.

        Args:
            year: the year.
            times: the year's travel times.
            firm_zone: zone of every firm after this year's moves.
            moved_firms: rows of the firms that moved this year.
            old_zone: their zones before the move.
        """
        net = self.network(times, year)
        shuttle_min = self.shuttle_min_employees(year)
        network_changed = (self._net_key, shuttle_min) != self._modes_key
        self._modes_key = (self._net_key, shuttle_min)
        self._build_housing(year)
        j = self.jobs
        affected = np.zeros(len(j), dtype=bool)
        if moved_firms.size:
            previous = firm_zone.copy()
            previous[moved_firms] = old_zone
            moved_jobs = self.jobs_of(moved_firms)
            held = moved_jobs[j.holder[moved_jobs] != VACANT]
            affected[held] = True
            self._respond(year, held, firm_zone, previous, net)
            self._hire(year, moved_jobs[j.holder[moved_jobs] == VACANT], firm_zone, net)
        if network_changed:
            # Only workers whose options changed reconsider their mode.
            row, _ = self._rows(slice(None), self.per_job(firm_zone), shuttle_min)
            changed = self._changed_rows(net, row, shuttle_min)
            rest = np.flatnonzero((j.holder != VACANT) & ~affected & changed)
            tolerant = j.status[rest] == COMMUTING
            self.rechoose_modes(rest[tolerant], firm_zone, net, True, year)
            self.rechoose_modes(rest[~tolerant], firm_zone, net, False, year)
        self.enforce_capacity(firm_zone, net, year)

    def _changed_rows(self, net: Network, row: np.ndarray, shuttle_min: int) -> np.ndarray:
        """Which holders' class-table rows differ from those their last mode choice saw."""
        previous = self._chosen_under
        self._chosen_under = (net, shuttle_min)
        if previous is None:
            return np.ones(row.size, dtype=bool)
        old_net, old_min = previous
        row_changed = ~np.all((net.gc == old_net.gc) | (np.isinf(net.gc) & np.isinf(old_net.gc)),
                              axis=1)
        changed = row_changed[row]
        if old_min != shuttle_min:
            size = self.per_job(self.firm_employees)
            changed |= (size >= min(old_min, shuttle_min)) & (size < max(old_min, shuttle_min))
        return changed

    def _build_housing(self, year: int) -> None:
        h = self.housing
        if h.start_year <= year <= h.end_year:
            self.housing_units += self.housing_share

    def _respond(self, year: int, idx: np.ndarray, firm_zone: np.ndarray, previous: np.ndarray,
                 net: Network) -> None:
        p, j = self.params, self.jobs
        shuttle_min = self.shuttle_min_employees(year)
        old_gc, _ = self.generalised_cost(idx, previous[j.firm[idx]], net, shuttle_min)
        new_work = firm_zone[j.firm[idx]]
        new_gc, new_min = self.generalised_cost(idx, new_work, net, shuttle_min)
        fits = new_min <= j.tolerance_min[idx, None]
        new_gc = np.where(fits, new_gc, np.inf)
        extra = np.maximum(self._logsum(new_gc) - self._logsum(old_gc), 0.0)
        reachable = np.isfinite(extra)
        v = np.column_stack([
            # (0 x inf would warn for a coefficient of 0: multiply only the finite extras)
            np.where(reachable, p.beta_extra_commute_per_min * np.where(reachable, extra, 0.0),
                     -np.inf),
            p.asc_move_home + j.older[idx] * p.older_move_penalty
            + j.high_skill[idx] * p.high_skill_move_bonus,
            np.full(len(idx), p.asc_quit),
        ])
        pick = np.argmax(v + self.rng.gumbel(size=v.shape), axis=1)
        movers = idx[pick == 1]
        housed, homes = self._house(movers, new_work[pick == 1], net)
        j.home[movers[housed]] = homes
        j.status[movers[housed]] = np.where(j.holder[movers[housed]] == ORIGINAL, MOVED,
                                            j.status[movers[housed]])
        self.moved_total += housed.sum() / self.scale
        # Those who found no dwelling choose again between commuting and quitting.
        again = np.flatnonzero(pick == 1)[~housed]
        retry = np.argmax(v[again][:, [0, 2]] + self.rng.gumbel(size=(again.size, 2)), axis=1)
        pick[again] = np.where(retry == 0, 0, 2)
        commute, quit_ = idx[pick == 0], idx[pick == 2]
        j.status[commute] = np.where(j.holder[commute] == ORIGINAL, COMMUTING, j.status[commute])
        self.rechoose_modes(commute, firm_zone, net, True, year)
        self.rechoose_modes(movers[housed], firm_zone, net, True, year)
        self.quit_total += quit_.size / self.scale
        j.status[quit_] = np.where(j.holder[quit_] == ORIGINAL, QUIT, j.status[quit_])
        j.holder[quit_] = VACANT
        j.commute_min[quit_] = 0.0
        self._hire(year, quit_, firm_zone, net)

    def _allocate(self, work: np.ndarray, capacity: np.ndarray, reach: np.ndarray,
                  preference: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Give people a zone with room near their workplace, without exceeding any zone.

        People are served in a random order of workplaces and, within one, of people; each gets
        a zone within ``reach`` of the workplace with probability proportional to the zone's
        remaining ``capacity`` (times ``preference[zone, workplace]`` if given). ``capacity`` is
        decremented in place. Returns (served mask, zone of each served person in input order).
        """
        served = np.zeros(work.size, dtype=bool)
        zone_of = np.zeros(work.size, dtype=np.int16)
        # Each workplace's people in ascending order (a stable sort groups them in one pass).
        by_work = np.argsort(work, kind="stable")
        workplaces, first, size = np.unique(work[by_work], return_index=True, return_counts=True)
        for k in self.rng.permutation(workplaces.size):
            w = workplaces[k]
            people = by_work[first[k]:first[k] + size[k]]
            room = np.where(reach[:, w], np.floor(capacity), 0.0)
            take = int(min(people.size, room.sum()))
            if take == 0:
                continue
            chosen = people[self.rng.permutation(people.size)[:take]]
            counts = np.zeros(self.n_zones, dtype=np.int64)
            need = take
            while need > 0:
                weight = room * (1.0 if preference is None else preference[:, w])
                if weight.sum() <= 0:
                    weight = room
                drawn = self.rng.multinomial(need, weight / weight.sum())
                got = np.minimum(drawn, room).astype(np.int64)
                counts += got
                room -= got
                need -= int(got.sum())
            capacity -= counts
            zone_of[chosen] = np.repeat(np.arange(self.n_zones), counts)[
                self.rng.permutation(take)].astype(np.int16)
            served[chosen] = True
        return served, zone_of

    def _house(self, movers: np.ndarray, work: np.ndarray, net: Network) -> tuple[np.ndarray,
                                                                                   np.ndarray]:
        """Dwellings within ``housing_reach_min`` of the new workplace; (housed mask, zones)."""
        reach = net.minutes[MOTORBIKE] <= self.params.housing_reach_min
        housed, zone_of = self._allocate(work, self.housing_units, reach)
        return housed, zone_of[housed]

    def _hire(self, year: int, vacant: np.ndarray, firm_zone: np.ndarray, net: Network) -> None:
        """Fill vacant jobs from the labour pools of zones within reach, while they last."""
        if vacant.size == 0:
            return
        j, p = self.jobs, self.params
        work = firm_zone[j.firm[vacant]]
        reach = net.minutes[MOTORBIKE] <= p.hire_reach_min
        hired, homes = self._allocate(work, self.pool, reach,
                                      preference=np.exp(-self.decay_per_km * net.km))
        if not hired.any():
            return
        hires = vacant[hired]
        j.home[hires] = homes[hired]
        j.holder[hires] = LOCAL_HIRE
        self.hired += np.bincount(self.zone_province[work[hired]],
                                  minlength=self.n_provinces) / self.scale
        for name, values in self._attributes(hires.size).items():
            getattr(j, name)[hires] = values
        self.rechoose_modes(hires, firm_zone, net, False, year)

    # ---- indicators ------------------------------------------------------------------------

    def labour_pool_real(self) -> np.ndarray:
        """Remaining local labour pool per zone, real persons."""
        return np.maximum(self.pool, 0.0) / self.scale

    def indicators(self, firm_zone: np.ndarray, net: Network) -> dict[str, np.ndarray]:
        """The year's worker outputs (real counts).

        Computed from one count of holders by (mode, home, work): every commute indicator is a
        weighted sum over that small table.
        """
        j, s, n = self.jobs, self.scale, self.n_zones
        held = j.holder != VACANT
        work = self.per_job(firm_zone.astype(np.int32))
        key = (j.mode.astype(np.int32) * np.int32(n) + j.home) * np.int32(n) + work
        counts = np.bincount(key[held], minlength=len(MODES) * n * n).reshape(len(MODES), n, n)
        flow = counts.sum(axis=0) / s
        commuting = held & (j.holder == ORIGINAL) & (j.status == COMMUTING)
        by_mode = np.bincount(j.mode[commuting], minlength=len(MODES)) / s
        per_work = counts.sum(axis=1)  # (mode, work)
        minutes_sum = (counts * net.minutes).sum(axis=(0, 1))
        over_sum = (counts * (net.minutes > 60)).sum(axis=(0, 1))
        workers = per_work.sum(axis=0)
        province = self.zone_province
        total = np.bincount(province, weights=workers, minlength=self.n_provinces)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(province, weights=minutes_sum, minlength=self.n_provinces) / total
            over = np.bincount(province, weights=over_sum, minlength=self.n_provinces) / total
        factor = np.broadcast_to(self.emission[:, None, None], counts.shape).copy()
        factor[PUBLIC_BUS] = np.where(net.green, self.params.electric_bus_kg_km,
                                      factor[PUBLIC_BUS])
        co2_kg = (counts * net.km * factor).sum()
        # Riders a full green line left on the ordinary (diesel) bus.
        off = held & j.off_green
        co2_kg += (net.km[j.home[off], work[off]].sum()
                   * (self.emission[PUBLIC_BUS] - self.params.electric_bus_kg_km))
        co2_t = 2 * self.params.working_days_yr * co2_kg / 1000 / s
        vacancies = np.bincount(province[work[~held]], minlength=self.n_provinces) / s
        return {
            "workers_commuting": by_mode, "workers_moved_home": np.array(self.moved_total),
            "workers_quit": np.array(self.quit_total), "local_hires": self.hired.copy(),
            "commute_flow": flow, "mean_commute_min": mean, "commute_over_60min_share": over,
            "commute_co2_t": np.array(co2_t), "vacancies": vacancies,
        }
