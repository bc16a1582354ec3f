"""Firms: Hà Nội's manufacturing and logistics firms deciding whether and where to relocate.

Each real firm is one Mesa agent (:class:`Firm`); the population's state lives in numpy arrays
(:class:`FirmPopulation`) and the yearly decisions are taken for all firms at once
(:class:`FirmDecisions`), with the same equations an agent evaluates for itself.

**Population** (from ``sectors.csv`` and ``zones.csv``): ``hanoi_firms × agent_scale`` firms per
sector, placed in Hà Nội's zones in proportion to population (assumed); employees lognormal with
the sector mean and ``employees_sigma``; land ``employees × land_m2_per_worker``; age exponential
(mean ``age_mean_yr``); a share of tenants whose leases end within ``lease_remaining_max_yr``.

**Relocation hazard** — the annual probability that a firm considers moving to industrial land::

    h_i = h_size(i) · m_sector · m_young · m_lease_end · m_expanding · ((1 + g)^(t - t0))^ε

(capped at 1)

with ``h_size`` 4 % (< 50 employees), 2.5 % (50–249), 1.5 % (≥ 250); ``m_young`` for firms younger
than 5 years; ``m_lease_end`` in the year a tenant's lease ends; ``m_expanding`` for the share of
firms needing space that year; the last factor (rent pressure, Hà Nội rent growth ``g``) only for
firms located in Hà Nội. Firms that moved less than ``min_years_between_moves`` ago do not
consider moving. A firm targeted by the relocation push (``model/policies.py``) is drawn by the
push with probability ``h_push`` and considers moving for its own reasons with ``h_i`` (so it
considers with ``1 - (1 - h_i)(1 - h_push)``); a firm the push drew may not stay, one that
considers for its own reasons only may.

**Location choice** — multinomial logit over staying and every cluster with room for the firm's
land that accepts its sector (``sector_focus``)::

    V_ij = β_cost · (land_ij + wage_j + freight_ij + move_i + old_ij)
           + β_lab · ln(LA_j) + β_agg · ln(1 + N_sj) + ASC_p(j)
    V_i,stay = β_cost · (land_i0 + wage_z + freight_z) + β_lab · ln(LA_z) + β_agg · ln(1 + N_sz - 1)
           + ASC_p(z) + ASC_stay

in billions of VND per year for costs: ``land_ij`` the annual-equivalent lease cost of the firm's
land at the cluster's rent (``area · rent · fx · r / (1 - (1 + r)^-T)``) times ``1 - e_ij`` for an
exemption (``model/policies.py``); ``wage_j`` the wage bill at the zone's regional minimum wage
(Decree 293/2025) times a markup; ``freight_ij`` the truck hours per year (trips per worker ×
employees) to Hà Nội's market (share ``1 - x_s``) and to Nội Bài/Hải Phòng (share ``x_s``, the
sector's export share) times the cost of a truck hour: the physical trip plus gateway handling and
customs clearance (``model/freight.py``; never below the physical trip);
``move_i`` the one-off moving cost annualised over the lease term; ``old_ij`` the cost of the
distance from the old site (:meth:`FirmDecisions.old_site_cost`): the workers a move of ``T_peak``
peak car minutes loses and their replacement, plus the supplier and customer ties left behind,
scaled by firm size (de Bok & van Oort 2011: distance from the old site is the dominant deterrent;
larger firms move further, Pellenbarg et al. 2002, Weterings & Knoben 2012). ``LA_j`` the local
labour still available (the pools of ``model/workers.py``, which relocated firms deplete by hiring)
within ``labour_access_min`` peak motorbike minutes, ``N_sj`` the firms of the same sector in
the zone. The rent enters as a *cost* (never as observed rent levels, which proxy quality and
would make an exemption push firms away). Parameters and sources: :class:`model.config.FirmParams`.

**Capacity** — an iterative lottery: every unplaced mover draws a choice from its logit over the
alternatives that still have room (Gumbel-max sampling); each cluster accepts its choosers in a
random order while their land fits; the others choose again in the next round among what is left.
Capacity is never exceeded, and no firm's chance depends on its position in any list. Movers still
unplaced after ``lottery_rounds`` stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from .clusters import Clusters
from .config import FirmParams
from .errors import ConfigError
from .freight import Freight
from .policies import Policies, capital_recovery
from .region import Region
from .transport import TravelTimes

STAY = -1
"""``FirmPopulation.cluster`` value of a firm on its own premises (not in a cluster)."""

SMALL_MAX, MEDIUM_MAX = 49, 249
WAGE_REGIONS = ("I", "II", "III", "IV")
BN = 1e9


@dataclass
class FirmPopulation:
    """State of every firm agent, one row per firm (each stands for ``1 / scale`` real firms)."""

    sector: np.ndarray
    employees: np.ndarray
    land_ha: np.ndarray
    age0_yr: np.ndarray
    origin_zone: np.ndarray
    zone: np.ndarray
    cluster: np.ndarray
    tenant: np.ndarray
    lease_end: np.ndarray
    last_move: np.ndarray
    exempt_from: np.ndarray
    exempt_until: np.ndarray
    exempt_vnd_yr: np.ndarray
    pushed: np.ndarray

    def __len__(self) -> int:
        return len(self.sector)

    @classmethod
    def synthesise(cls, region: Region, params: FirmParams, scale: float, base_year: int,
                   rng: np.random.Generator) -> FirmPopulation:
        """Draw the base-year firms of Hà Nội from the sector and zone tables."""
        sectors = region.sectors
        counts = np.rint(sectors["hanoi_firms"].to_numpy(dtype=float) * scale).astype(np.int64)
        sector = np.repeat(np.arange(len(sectors)), counts)
        n = len(sector)
        zones = region.zones
        hanoi = np.flatnonzero((zones["province"] == "Hà Nội").to_numpy())
        weight = zones["population"].to_numpy(dtype=float)[hanoi]
        zone = hanoi[rng.choice(len(hanoi), size=n, p=weight / weight.sum())]
        sigma = params.employees_sigma
        mean = sectors["mean_employees"].to_numpy(dtype=float)[sector]
        # lognormal with the sector's mean: mu = ln(mean) - sigma^2 / 2
        employees = np.maximum(1, np.rint(rng.lognormal(np.log(mean) - sigma**2 / 2, sigma)))
        land_ha = employees * sectors["land_m2_per_worker"].to_numpy(dtype=float)[sector] / 1e4
        age0 = np.minimum(rng.exponential(params.age_mean_yr, size=n), 60.0)
        tenant = rng.random(n) < params.tenant_share
        lease_end = np.where(
            tenant, base_year + rng.integers(1, params.lease_remaining_max_yr + 1, size=n),
            np.iinfo(np.int64).max,
        )
        return cls(
            sector=sector, employees=employees, land_ha=land_ha, age0_yr=age0,
            origin_zone=zone.copy(), zone=zone, cluster=np.full(n, STAY, dtype=np.int64),
            tenant=tenant, lease_end=lease_end,
            last_move=np.full(n, -10_000, dtype=np.int64),
            exempt_from=np.zeros(n, dtype=np.int64), exempt_until=np.zeros(n, dtype=np.int64),
            exempt_vnd_yr=np.zeros(n), pushed=np.zeros(n, dtype=bool),
        )


class Firm(mesa.Agent):
    """One firm of Hà Nội. Its state is row :attr:`row` of the population arrays.

    The yearly decisions are taken in bulk by :class:`FirmDecisions`; the methods here evaluate the
    same equations for this firm alone (for inspection and tests).
    """

    def __init__(self, model: mesa.Model, decisions: FirmDecisions, row: int):
        super().__init__(model)
        self.decisions = decisions
        self.row = row

    @property
    def sector(self) -> str:
        """Sector id."""
        sectors = self.decisions.region.sectors["sector_id"]
        return str(sectors.iloc[self.decisions.pop.sector[self.row]])

    @property
    def employees(self) -> int:
        """Employees."""
        return int(self.decisions.pop.employees[self.row])

    @property
    def land_ha(self) -> float:
        """Land the firm uses, ha."""
        return float(self.decisions.pop.land_ha[self.row])

    @property
    def zone_id(self) -> str:
        """Zone the firm is located in."""
        return str(self.decisions.region.zones["zone_id"].iloc[self.decisions.pop.zone[self.row]])

    @property
    def cluster_id(self) -> str | None:
        """Cluster the firm is in, or None on its own premises."""
        c = self.decisions.pop.cluster[self.row]
        return None if c == STAY else str(self.decisions.region.clusters["cluster_id"].iloc[c])

    def relocation_probability(self, year: int) -> float:
        """Probability that the firm considers moving in ``year`` (expansion need averaged)."""
        return float(self.decisions.hazard(year, np.array([self.row]), expected=True)[0])

    def choice_probabilities(self, year: int, times: TravelTimes) -> dict[str, float]:
        """Logit probabilities of staying (key ``"stay"``) and of each cluster with room."""
        rows = np.array([self.row])
        v, v_stay, allowed, stay_ok = self.decisions.utilities(year, rows, times)
        fits = self.decisions.clusters.vacant >= self.decisions.pop.land_ha[self.row]
        util = np.where(allowed[0] & fits, v[0], -np.inf)
        full = np.append(util, v_stay[0] if stay_ok[0] else -np.inf)  # stay is the last
        p = np.exp(full - full[np.isfinite(full)].max())
        p /= p.sum()
        ids = [*self.decisions.region.clusters["cluster_id"], "stay"]
        return {k: float(x) for k, x in zip(ids, p, strict=True) if x > 0}


@dataclass
class YearMoves:
    """The moves of one year (firm rows, previous and new cluster and zone)."""

    rows: np.ndarray
    from_zone: np.ndarray
    from_cluster: np.ndarray
    to_cluster: np.ndarray
    considering: int


class FirmDecisions:
    """Yearly relocation decisions of the whole firm population, in bulk."""

    def __init__(self, region: Region, params: FirmParams, policies: Policies,
                 clusters: Clusters, scale: float, base_year: int, rng: np.random.Generator,
                 centre: int):
        """Synthesise the population and precompute the tables the decisions use.

        Args:
            region: the region data.
            params: firm behaviour parameters.
            policies: the run's levers.
            clusters: the clusters' land (shared with the model).
            scale: agent scale (agents per real firm).
            base_year: the base year.
            rng: the firms' random stream.
            centre: zone index of central Hà Nội (the market freight goes to).
        """
        self.region = region
        self.centre = centre
        self.airport = region.gateway_zone("airport")
        self.port = region.gateway_zone("seaport")
        self.params = params
        self.policies = policies
        self.clusters = clusters
        self.scale = scale
        self.base_year = base_year
        self.rng = rng
        self.pop = FirmPopulation.synthesise(region, params, scale, base_year, rng)
        self.freight = Freight(region, policies.params.logistics, centre,
                               params.freight_cost_vnd_per_truck_hour)
        zones, sectors, c = region.zones, region.sectors, region.clusters
        unknown = [w for w in params.minimum_wage_vnd_month if w not in WAGE_REGIONS]
        missing = [w for w in WAGE_REGIONS if w not in params.minimum_wage_vnd_month]
        if unknown or missing:
            raise ConfigError("firms.minimum_wage_vnd_month", [
                f"firms.minimum_wage_vnd_month: needs exactly the regions {', '.join(WAGE_REGIONS)}"
                f" (unknown: {', '.join(unknown) or '-'}; missing: {', '.join(missing) or '-'})"
            ])
        sector_ids = list(sectors["sector_id"])
        bad_sectors = [s for s in params.sector_hazard_multiplier if s not in sector_ids]
        if bad_sectors:
            raise ConfigError("firms.sector_hazard_multiplier", [
                f"firms.sector_hazard_multiplier.{s}: unknown sector; sectors of the region: "
                f"{', '.join(sector_ids)}" for s in bad_sectors
            ])
        self.sector_hazard = np.array(
            [params.sector_hazard_multiplier.get(s, 1.0) for s in sector_ids]
        )
        wage = np.array([params.minimum_wage_vnd_month[w] for w in zones["wage_region"]])
        self.zone_wage_vnd_yr = wage * 12 * params.wage_markup
        self.zone_rent = zones["land_rent_usd_m2_term"].to_numpy(dtype=float)
        self.zone_province = zones["province_idx"].to_numpy()
        self.zone_in_hanoi = (zones["province"] == "Hà Nội").to_numpy()
        self.cluster_in_hanoi = (c["province"] == "Hà Nội").to_numpy()
        self.labour_force = zones["labour_force"].to_numpy(dtype=float)
        self.export_share = sectors["export_share"].to_numpy(dtype=float)
        self.crf = capital_recovery(params.discount_rate, params.lease_term_yr)
        asc = region.province_values(params.province_asc, "firms.province_asc")
        self.zone_asc = asc[self.zone_province]
        self.cluster_asc = asc[c["province_idx"].to_numpy()]
        focus = c["sector_focus"].to_numpy()
        self.accepts = np.array([
            [f == "any" or s in f.split(";") for f in focus] for s in sector_ids
        ])
        self.labour_pool: np.ndarray | None = None
        """Local labour still available per zone (real persons), set by the workers sub-model."""
        self._zone_times: TravelTimes | None = None
        self._zone: dict[str, np.ndarray] = {}

    # ---- hazard ---------------------------------------------------------------------------

    def rent_growth(self, year: int) -> float:
        """Rent-pressure multiplier of Hà Nội land in ``year``."""
        return (1.0 + self.params.hanoi_rent_growth) ** (year - self.base_year)

    def pushed_now(self, year: int, rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` the relocation push targets in ``year``."""
        if self.policies.push_hazard(year) <= 0:
            return np.zeros(len(rows), dtype=bool)
        pop = self.pop
        return (
            self.policies.push_sectors[pop.sector[rows]]
            & self.policies.push_zones[pop.zone[rows]]
            & (pop.cluster[rows] == STAY)
        )

    def hazard(self, year: int, rows: np.ndarray, expected: bool = False,
               push: bool = True) -> np.ndarray:
        """Annual probability that each firm of ``rows`` considers moving in ``year``.

        With ``expected`` the expansion need enters as its expectation instead of a draw; without
        ``push`` the relocation push is left out (the firm's own reasons only).
        """
        p, pop = self.params, self.pop
        emp = pop.employees[rows]
        h = np.where(emp <= SMALL_MAX, p.hazard_small,
                     np.where(emp <= MEDIUM_MAX, p.hazard_medium, p.hazard_large))
        h = h * self.sector_hazard[pop.sector[rows]]
        age = pop.age0_yr[rows] + (year - self.base_year)
        h = h * np.where(age < p.young_age_yr, p.young_multiplier, 1.0)
        h = h * np.where(pop.tenant[rows] & (pop.lease_end[rows] == year),
                         p.lease_end_multiplier, 1.0)
        if expected:
            h = h * (1 + p.expansion_share * (p.expansion_multiplier - 1))
        else:
            expanding = self.rng.random(len(rows)) < p.expansion_share
            h = h * np.where(expanding, p.expansion_multiplier, 1.0)
        pressure = self.rent_growth(year) ** p.rent_pressure_elasticity
        h = np.minimum(h * np.where(self.zone_in_hanoi[pop.zone[rows]], pressure, 1.0), 1.0)
        h = np.where(year - pop.last_move[rows] >= p.min_years_between_moves, h, 0.0)
        if not push:
            return h
        h_push = self.policies.push_hazard(year)
        return np.where(self.pushed_now(year, rows), 1 - (1 - h) * (1 - h_push), h)

    # ---- utilities ------------------------------------------------------------------------

    def _zone_terms(self, times: TravelTimes) -> dict[str, np.ndarray]:
        """Per-zone quantities that depend only on the network state (cached)."""
        if self._zone_times is not times:
            car = times.mode("car", "offpeak")
            moto_peak = times.mode("motorbike", "peak")
            reach = moto_peak <= self.params.labour_access_min
            self._zone_times = times
            self._zone = {
                "reach": reach.T.astype(float),
                "car_peak_min": times.mode("car", "peak"),
                "car_offpeak_min": car,
            }
        # Labour within reach: the local pools left (once workers are modelled) or the labour force.
        labour = self.labour_force if self.labour_pool is None else self.labour_pool
        self._zone["labour_access"] = np.maximum(self._zone["reach"] @ labour, 1.0)
        return self._zone

    def freight_hours(self, year: int, times: TravelTimes) -> tuple[np.ndarray, np.ndarray]:
        """Truck hours per trip by (sector, zone) from own premises and (sector, cluster).

        Physical trip, gateway handling and customs clearance: ``model/freight.py``.
        """
        z = self._zone_terms(times)
        zone_h = self.freight.hours(year, z["car_offpeak_min"]).total
        return zone_h, zone_h[:, self.clusters.zone]

    def old_site_cost(self, employees: np.ndarray, zone: np.ndarray,
                      minutes: np.ndarray) -> np.ndarray:
        """Annual cost (bn VND/yr) of moving ``minutes`` of peak car time from the current site.

        Workforce retention plus supplier and customer ties, for firms of ``employees`` in
        ``zone`` (one row per firm, one column per destination)::

            C_ij = E_i · q(T_ij) · κ · w_z(i) · crf  +  c_ties · T_ij · (E_i / E_ref)^γ

            q(T) = q_max · (1 - exp(-T / τ))

        ``q(T)`` is the share of the workforce that quits over a move of ``T`` minutes (the
        workers sub-model's retention, docs/calibration.md); each worker lost costs ``κ`` of an
        annual wage ``w`` (hiring and training) once, annualised over the lease (``crf``); the
        ties term is the yearly cost of being ``T`` minutes from the customers and suppliers of
        the old site for a firm of ``E_ref`` employees, growing less than proportionally with size
        (``γ`` < 1: larger firms' ties are less local and they move further).
        """
        p = self.params
        emp = employees[:, None]
        quit_share = p.retention_quit_max * (1.0 - np.exp(-minutes / p.retention_tau_min))
        retention = (emp * quit_share * p.replacement_cost_wage_share
                     * self.zone_wage_vnd_yr[zone][:, None] * self.crf)
        ties = (p.ties_cost_vnd_per_min_yr * minutes
                * (emp / p.ties_reference_employees) ** p.ties_size_elasticity)
        return (retention + ties) / BN

    def same_sector_counts(self) -> np.ndarray:
        """Real firms by (sector, zone) located there now."""
        counts = np.zeros((len(self.region.sectors), self.region.n_zones))
        np.add.at(counts, (self.pop.sector, self.pop.zone), 1.0 / self.scale)
        return counts

    def utilities(self, year: int, rows: np.ndarray, times: TravelTimes,
                  forced: np.ndarray | None = None):
        """Utilities of ``rows``: (clusters matrix, stay vector, allowed matrix, stay allowed).

        ``forced`` marks the rows the push drew this year (they may not stay); none when omitted.
        """
        p, pop, cl = self.params, self.pop, self.clusters
        z = self._zone_terms(times)
        s, zone = pop.sector[rows], pop.zone[rows]
        emp, land = pop.employees[rows], pop.land_ha[rows]
        cz = cl.zone
        fx_crf = 1e4 * p.usd_vnd * self.crf / BN
        exempt, _ = self.policies.exemption_value(year, s)
        land_cost = land[:, None] * cl.rent_usd_m2_term[None, :] * fx_crf * (1 - exempt)
        wage = emp[:, None] * self.zone_wage_vnd_yr[cz][None, :] / BN
        zone_h, cluster_h = self.freight_hours(year, times)
        per_hour = p.freight_trips_per_worker_yr * p.freight_cost_vnd_per_truck_hour / BN
        freight = emp[:, None] * cluster_h[s] * per_hour
        move = emp * p.moving_cost_vnd_per_worker * self.crf / BN
        old_site = self.old_site_cost(emp, zone, z["car_peak_min"][np.ix_(zone, cz)])
        counts = self.same_sector_counts()
        v = (p.beta_cost * (land_cost + wage + freight + move[:, None] + old_site)
             + p.beta_labour_access * np.log(z["labour_access"][cz])[None, :]
             + p.beta_agglomeration * np.log1p(counts[:, cz][s])
             + p.beta_size * np.log(np.maximum(cl.vacant / self.scale, 1e-6))[None, :]
             + self.cluster_asc[None, :])

        here = pop.cluster[rows]
        in_cluster = here != STAY
        rent_here = np.where(
            in_cluster, cl.rent_usd_m2_term[np.maximum(here, 0)],
            self.zone_rent[zone] * np.where(self.zone_in_hanoi[zone], self.rent_growth(year), 1.0),
        )
        stay_cost = (land * rent_here * fx_crf + emp * self.zone_wage_vnd_yr[zone] / BN
                     + emp * zone_h[s, zone] * per_hour)
        v_stay = (p.beta_cost * stay_cost
                  + p.beta_labour_access * np.log(z["labour_access"][zone])
                  + p.beta_agglomeration
                  * np.log1p(np.maximum(counts[s, zone] - 1 / self.scale, 0))
                  + self.zone_asc[zone] + p.asc_stay)
        allowed = self.accepts[s]  # a copy (fancy indexing)
        allowed[in_cluster, here[in_cluster]] = False
        stay_ok = np.ones(len(rows), dtype=bool) if forced is None else ~forced
        return v, v_stay, allowed, stay_ok

    # ---- the year's decisions -------------------------------------------------------------

    def step(self, year: int, times: TravelTimes) -> YearMoves:
        """Draw who considers moving, let them choose under capacity, apply the moves.

        A firm considers moving for its own reasons (hazard without the push) or because the push
        drew it (targeted firms, ``h_push``); only the latter must leave.
        """
        pop = self.pop
        n = len(pop)
        all_rows = np.arange(n)
        own = self.rng.random(n) < self.hazard(year, all_rows, push=False)
        forced = self.pushed_now(year, all_rows) & (
            self.rng.random(n) < self.policies.push_hazard(year))
        considering = all_rows[own | forced]
        v, v_stay, allowed, stay_ok = self.utilities(year, considering, times,
                                                     forced=forced[considering])
        choice = self.lottery(v, v_stay, allowed, stay_ok, pop.land_ha[considering])
        go = choice != STAY
        rows, dest = considering[go], choice[go]
        moves = YearMoves(rows=rows, from_zone=pop.zone[rows].copy(),
                          from_cluster=pop.cluster[rows].copy(), to_cluster=dest,
                          considering=len(considering))
        self._apply(year, moves)
        # Tenants whose lease ended and who stayed renew it.
        renew = pop.tenant & (pop.lease_end == year)
        pop.lease_end[renew] = year + self.params.lease_remaining_max_yr
        return moves

    def lottery(self, v: np.ndarray, v_stay: np.ndarray, allowed: np.ndarray,
                stay_ok: np.ndarray, land: np.ndarray) -> np.ndarray:
        """Capacity-constrained logit choices: a cluster index per mover, or ``STAY``."""
        n_movers, n_clusters = v.shape
        remaining = self.clusters.vacant.copy()
        unresolved = -2
        choice = np.full(n_movers, unresolved, dtype=np.int64)
        for _ in range(self.params.lottery_rounds):
            idx = np.flatnonzero(choice == unresolved)
            if idx.size == 0:
                break
            rows = slice(None) if idx.size == n_movers else idx  # all movers: no copies
            fits = allowed[rows] & (remaining[None, :] >= land[rows, None])
            util = np.full((idx.size, n_clusters + 1), -np.inf)
            np.copyto(util[:, :n_clusters], v[rows], where=fits)
            np.copyto(util[:, n_clusters], v_stay[rows], where=stay_ok[rows])
            noisy = self.rng.gumbel(size=util.shape)
            noisy += util
            pick = np.argmax(noisy, axis=1)
            stuck = ~np.isfinite(util).any(axis=1)  # a pushed firm with nowhere to go
            stays = (pick == n_clusters) | stuck
            choice[idx[stays]] = STAY
            go, dest = idx[~stays], pick[~stays]
            order = np.lexsort((self.rng.random(go.size), dest))
            go, dest = go[order], dest[order]
            need = land[go]
            taken = np.cumsum(need)
            first = np.r_[0, np.flatnonzero(np.diff(dest)) + 1]
            group_start = np.repeat(first, np.diff(np.r_[first, go.size]))
            before = taken - taken[group_start] + need[group_start] - need
            accept = before + need <= remaining[dest] + 1e-12
            choice[go[accept]] = dest[accept]
            np.subtract.at(remaining, dest[accept], need[accept])
        choice[choice == unresolved] = STAY
        return choice

    def _apply(self, year: int, moves: YearMoves) -> None:
        pop, cl = self.pop, self.clusters
        rows, dest = moves.rows, moves.to_cluster
        left = moves.from_cluster != STAY
        cl.release(moves.from_cluster[left], pop.land_ha[rows[left]])
        cl.occupy(dest, pop.land_ha[rows])
        pop.cluster[rows] = dest
        pop.zone[rows] = cl.zone[dest]
        pop.last_move[rows] = year
        pop.tenant[rows] = True
        pop.lease_end[rows] = year + int(self.params.lease_term_yr)
        pop.exempt_until[rows] = 0
        self._grant_exemptions(year, rows, dest)

    def _grant_exemptions(self, year: int, rows: np.ndarray, dest: np.ndarray) -> None:
        pop, cl, p = self.pop, self.clusters, self.params
        _, which = self.policies.exemption_value(year, pop.sector[rows])
        prog_of = which[np.arange(len(rows)), dest]
        annual_rent = (pop.land_ha[rows] * 1e4 * cl.rent_usd_m2_term[dest] * p.usd_vnd * self.crf)
        for k, prog in enumerate(self.policies.exemptions):
            mine = np.flatnonzero(prog_of == k)
            if mine.size == 0:
                continue
            # Budget: commitments (undiscounted, real VND) in a random order until it runs out.
            mine = mine[self.rng.permutation(mine.size)]
            commit = prog.share * annual_rent[mine] * prog.years / self.scale
            granted = prog.committed_vnd + np.cumsum(commit) <= prog.budget_vnd
            prog.committed_vnd += commit[granted].sum()
            r = rows[mine[granted]]
            pop.exempt_from[r] = year
            pop.exempt_until[r] = year + prog.years
            pop.exempt_vnd_yr[r] = prog.share * annual_rent[mine[granted]]

    # ---- indicators -----------------------------------------------------------------------

    def rent_forgone_vnd(self, year: int) -> np.ndarray:
        """Real VND of rent forgone in ``year`` by province of the exempted firms' clusters."""
        pop = self.pop
        active = (pop.exempt_from <= year) & (year < pop.exempt_until) & (pop.cluster != STAY)
        province = self.clusters.province[pop.cluster[active]]
        return np.bincount(province, weights=pop.exempt_vnd_yr[active] / self.scale,
                           minlength=len(self.region.provinces))

