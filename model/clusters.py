"""Clusters and parks: serviced land built in phases as firms want it, land let, and rents.

Inputs: ``clusters.csv`` (lettable area, serviced area and occupancy in the base year, the plan's
build window, asking rent) and :class:`model.config.ClusterParams`.

**Land supply: a developer model** (after UrbanSim's developer model, which builds when vacancy
falls below a target rate, Waddell 2002). Each cluster or park *j* is serviced by its
infrastructure investor in ``n_j = ceil((L_j - S0_j) / M_j)`` equal phases of
``P_j = (L_j - S0_j) / n_j`` ha (``L`` the lettable area, ``S0`` the data's ``serviced_ha_base``,
``M_j`` = ``ccn_phase_max_ha`` for an industrial-cluster row, which may aggregate several planned
clusters opened one by one, ``phase_max_ha`` for a park).
Serviced land is ``S_j(t) = S0_j + P_j · (phases completed by t)``. Phase *k* (k = 0, 1, ... of
the phases still to build) of cluster *j* **starts** in year *t* when

- the plan allows it: ``t >= e_jk = a_j + floor(k · (b_j - a_j + 1) / n_j)`` with ``a_j`` the
  plan's first build year and ``b_j`` its last (``build_start_year`` / ``build_end_year``, shifted
  by ``priority_shift_years`` for the 25 priority clusters and ``ccn_shift_years`` for Phú Thọ's
  other CCN: a negative shift lets them *start earlier*, it never forces them);
- no phase of *j* is under construction;
- demand calls for it: the occupancy of *j*'s serviced land (occupied / serviced, at the start of
  the year, after last year's lettings) is at least ``phase_trigger_occupancy`` = θ; for a site
  with nothing serviced yet the investor looks at its **province's** market: the phase starts if
  ``occupied_p >= θ · (serviced_p + land under construction in p)``, new sites taken one by one in
  the order of their plan's dates, each counted as under construction for the next (so a
  province opens new sites as its land fills, not all at once).

A phase **takes** ``phase_build_years``: started in year *t*, its land is serviced (lettable)
from year ``t + phase_build_years``. A site whose plan window began before the base year has its
next phase under way in the base year (committed works), serviced ``phase_build_years`` after it.
A planned site that never sees its province's land fill is never serviced; a site whose land is
not let is not serviced beyond the phases already built.

**Pre-servicing at public cost** (named programmes ``clusters.preservice.<name>``): from its
start year to its end year a province services the chosen clusters on the plan's schedule
(``t >= e_jk``, one phase at a time) whatever the occupancy; the phases demand would not have
started are paid by the province, ``P_j · cost_vnd_per_ha`` (real ha) booked in the year the
phase starts (``serviced_land_cost_vnd``).

Occupied land = land of firms not modelled as agents (the base-year occupants plus the yearly
background demand ``B_p`` ha of province *p*, spread over the province's clusters in proportion
to their vacant serviced land and never beyond it) + land of the modelled firms located there.

Rents: ``r_j(t) = r_j0 * g_j(t) * max(0.5, 1 + rho * (occ_j(t-1) - occ_ref))`` where ``g_j(t)``
is the Hà Nội rent-pressure growth for Hà Nội's clusters (1 elsewhere) and ``rho`` the optional
occupancy response (0 by default: asking rents of the data).

All areas are held in *agent units* (real ha × agent scale) so that firm agents, each standing for
``1 / agent_scale`` real firms, compete for land as real firms would; outputs divide by the scale.
"""

from __future__ import annotations

import numpy as np

from .config import ClusterParams
from .errors import ConfigError
from .region import Region

NOT_BUILDING = np.iinfo(np.int64).max
"""``Clusters.ready_year`` of a cluster with no phase under construction."""

PRESERVICE_SELECTORS = ("all", "priority", "industrial_cluster", "industrial_park", "logistics")


class Clusters:
    """Land of every cluster and park through the years, in agent units."""

    def __init__(self, region: Region, params: ClusterParams, scale: float, base_year: int):
        """Set the base-year state; resolve the pre-servicing lever."""
        c = region.clusters
        self.params = params
        self.scale = scale
        self.base_year = base_year
        self.n = len(c)
        self.n_provinces = len(region.provinces)
        self.province = c["province_idx"].to_numpy()
        self.zone = c["zone"].to_numpy()
        self.kind = c["kind"].to_numpy()
        self.priority = c["priority"].to_numpy(dtype=bool)
        self.lettable = c["lettable_ha"].to_numpy(dtype=float) * scale
        self.serviced_base = c["serviced_ha_base"].to_numpy(dtype=float) * scale
        shift = np.zeros(self.n, dtype=np.int64)
        phu_tho_ccn = (c["province"] == "Phú Thọ").to_numpy() & (self.kind == "industrial_cluster")
        shift[phu_tho_ccn & ~self.priority] = params.ccn_shift_years
        shift[self.priority] = params.priority_shift_years
        self.plan_start = c["build_start_year"].to_numpy() + shift
        self.plan_end = np.maximum(c["build_end_year"].to_numpy() + shift, self.plan_start)
        remaining = np.maximum(self.lettable - self.serviced_base, 0.0)
        real_remaining = remaining / scale
        phase_max = np.where(self.kind == "industrial_cluster", params.ccn_phase_max_ha,
                             params.phase_max_ha)
        self.n_phases = np.where(
            real_remaining > 1e-9, np.ceil(real_remaining / phase_max - 1e-9), 0
        ).astype(np.int64)
        self.phase_ha = np.where(self.n_phases > 0, remaining / np.maximum(self.n_phases, 1), 0.0)
        self.phases_done = np.zeros(self.n, dtype=np.int64)
        # Committed works: the next phase of a site whose plan window began before the base year.
        under_way = (self.plan_start <= base_year) & (self.n_phases > 0)
        self.ready_year = np.where(under_way, base_year + params.phase_build_years, NOT_BUILDING)
        self.preserviced = self._preservice_clusters(region)
        self.phases_started = np.zeros(self.n_provinces)
        """Phases started in the current year, by province (real count)."""
        self.serviced_cost_vnd = np.zeros(self.n_provinces)
        """VND the provinces pay in the current year for phases they pre-service."""
        self.rent_base_usd_m2_term = c["rent_usd_m2_term"].to_numpy(dtype=float)
        self.rent_usd_m2_term = self.rent_base_usd_m2_term.copy()
        self.other_occupied = c["occupied_ha_base"].to_numpy(dtype=float) * scale
        self.firm_occupied = np.zeros(self.n)
        self.background_ha_yr = (
            region.provinces["background_demand_ha_yr"].to_numpy(dtype=float)
            * params.background_demand_factor * scale
        )
        self.serviced = self._serviced()

    def _preservice_clusters(self, region: Region) -> list[tuple[np.ndarray, int, int, float]]:
        """Each pre-servicing programme as (clusters, first year, last year, VND per ha)."""
        programmes = []
        for name, lever in self.params.preservice.items():
            key = f"clusters.preservice.{name}"
            if lever.end_year < lever.start_year:
                raise ConfigError(key, [f"{key}.end_year: must not be before start_year"])
            if not lever.provinces:
                continue
            chosen = region.province_mask(lever.provinces, f"{key}.provinces")
            selector = lever.clusters.strip()
            if selector == "all":
                which = np.ones(self.n, dtype=bool)
            elif selector == "priority":
                which = self.priority.copy()
            elif selector in PRESERVICE_SELECTORS:
                which = self.kind == selector
            else:
                raise ConfigError(f"{key}.clusters", [
                    f"{key}.clusters: {selector!r} is not allowed; use one of "
                    f"{', '.join(PRESERVICE_SELECTORS)}"
                ])
            programmes.append((which & chosen[self.province], lever.start_year, lever.end_year,
                               lever.cost_vnd_per_ha))
        return programmes

    def _serviced(self) -> np.ndarray:
        return np.minimum(self.serviced_base + self.phase_ha * self.phases_done, self.lettable)

    def next_phase_earliest(self) -> np.ndarray:
        """First year the plan allows each cluster's next phase (max int when none is left)."""
        span = self.plan_end - self.plan_start + 1
        k = self.phases_done + (self.ready_year != NOT_BUILDING)
        earliest = self.plan_start + (k * span) // np.maximum(self.n_phases, 1)
        return np.where(k < self.n_phases, earliest, NOT_BUILDING)

    @property
    def occupied(self) -> np.ndarray:
        """Land let, agent units."""
        return self.other_occupied + self.firm_occupied

    @property
    def vacant(self) -> np.ndarray:
        """Serviced land not let, agent units (never negative)."""
        return np.maximum(self.serviced - self.occupied, 0.0)

    def occupancy(self) -> np.ndarray:
        """Occupied / serviced (NaN where nothing is serviced)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.serviced > 0, self.occupied / self.serviced, np.nan)

    def province_occupancy(self) -> np.ndarray:
        """Occupied / serviced land of each province's clusters (NaN where none serviced)."""
        serviced = np.bincount(self.province, weights=self.serviced, minlength=self.n_provinces)
        occupied = np.bincount(self.province, weights=self.occupied, minlength=self.n_provinces)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(serviced > 0, occupied / serviced, np.nan)

    def demand_trigger(self, can: np.ndarray) -> np.ndarray:
        """Which of the clusters that ``can`` start a phase see the demand for it.

        A site with serviced land: its own occupancy is at least the threshold. A new site: the
        province's occupied land is at least the threshold times the province's serviced land
        plus the land already under construction or starting this year; new sites are taken in
        the order of their plan's dates (then of the table), so one province's market opens new
        sites one after another instead of all at once.
        """
        threshold = self.params.phase_trigger_occupancy - 1e-12
        serviced = self.serviced > 0
        own = np.nan_to_num(self.occupancy(), nan=0.0)
        wanted = can & serviced & (own >= threshold)
        building = (self.ready_year != NOT_BUILDING) | wanted
        capacity = np.bincount(self.province, minlength=self.n_provinces,
                               weights=self.serviced + np.where(building, self.phase_ha, 0.0))
        occupied = np.bincount(self.province, weights=self.occupied, minlength=self.n_provinces)
        new = np.flatnonzero(can & ~serviced)
        for j in new[np.argsort(self.next_phase_earliest()[new], kind="stable")]:
            p = self.province[j]
            if occupied[p] >= threshold * capacity[p]:
                wanted[j] = True
                capacity[p] += self.phase_ha[j]
        return wanted

    def _build(self, year: int) -> None:
        """Complete the phases due, then start the phases plan and demand (or a province) allow."""
        p = self.params
        done = self.ready_year <= year
        self.phases_done[done] += 1
        self.ready_year[done] = NOT_BUILDING
        self.serviced = self._serviced()
        can = (self.ready_year == NOT_BUILDING) & (self.next_phase_earliest() <= year)
        wanted = self.demand_trigger(can)
        public = np.zeros(self.n, dtype=bool)
        cost = np.zeros(self.n)
        for which, first, last, vnd_per_ha in self.preserviced:
            if first <= year <= last:
                mine = can & ~wanted & ~public & which
                public |= mine
                cost[mine] = self.phase_ha[mine] / self.scale * vnd_per_ha
        start = wanted | public
        self.ready_year[start] = year + p.phase_build_years
        self.phases_started = np.bincount(self.province[start], minlength=self.n_provinces
                                          ).astype(float)
        self.serviced_cost_vnd = np.bincount(self.province, weights=cost,
                                             minlength=self.n_provinces)

    def start_year(self, year: int, rent_growth: np.ndarray) -> None:
        """Phases completed and started, rents for the year, then the background demand lets land.

        Args:
            year: the year starting.
            rent_growth: per-cluster rent-pressure multiplier for the year (1 = none).
        """
        previous = self.occupancy()
        self._build(year)
        response = 1.0 + self.params.rent_response * (
            np.nan_to_num(previous, nan=self.params.rent_reference_occupancy)
            - self.params.rent_reference_occupancy
        )
        self.rent_usd_m2_term = self.rent_base_usd_m2_term * rent_growth * np.maximum(response, 0.5)
        self._let_background()

    def _let_background(self) -> None:
        vacant = self.vacant
        by_province = np.bincount(self.province, weights=vacant,
                                  minlength=len(self.background_ha_yr))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(by_province[self.province] > 0,
                             vacant / by_province[self.province], 0.0)
        demand = np.minimum(self.background_ha_yr[self.province], by_province[self.province])
        self.other_occupied += demand * share

    def occupy(self, clusters: np.ndarray, land: np.ndarray) -> None:
        """Firms take ``land`` (agent units) in ``clusters`` (indices, repeats allowed)."""
        np.add.at(self.firm_occupied, clusters, land)

    def release(self, clusters: np.ndarray, land: np.ndarray) -> None:
        """Firms leaving give their land back."""
        np.subtract.at(self.firm_occupied, clusters, land)
        np.maximum(self.firm_occupied, 0.0, out=self.firm_occupied)
