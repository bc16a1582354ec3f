"""Clusters and parks: serviced land coming on stream, land let, and rents.

Inputs: ``clusters.csv`` (lettable area, serviced area and occupancy in the base year, build
schedule, asking rent) and :class:`model.config.ClusterParams`.

Serviced (lettable) land of cluster *j* in year *t* ramps linearly from the base-year amount
``S0`` (the data's ``serviced_ha_base``) to the full lettable area ``L`` over the build years
still ahead, ``[a_j, b_j]`` with ``a_j = max(start_j, t0 + 1)`` and ``b_j = max(end_j, a_j)``
(``start``/``end`` shifted by the schedule levers for the 25 priority clusters and for Phú Thọ's
other CCN; ``t0`` the base year)::

    S_j(t) = S0_j                                                t < a_j
           = S0_j + (L_j - S0_j) * (t - a_j + 1) / (b_j - a_j + 1)   a_j <= t < b_j
           = L_j                                                 t >= b_j

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
from .region import Region


class Clusters:
    """Land of every cluster and park through the years, in agent units."""

    def __init__(self, region: Region, params: ClusterParams, scale: float, base_year: int):
        """Set the base-year state; check the background-demand provinces exist."""
        c = region.clusters
        self.params = params
        self.scale = scale
        self.base_year = base_year
        self.n = len(c)
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
        self.start = np.maximum(c["build_start_year"].to_numpy() + shift, base_year + 1)
        self.end = np.maximum(c["build_end_year"].to_numpy() + shift, self.start)
        self.rent_base_usd_m2_term = c["rent_usd_m2_term"].to_numpy(dtype=float)
        self.rent_usd_m2_term = self.rent_base_usd_m2_term.copy()
        self.other_occupied = c["occupied_ha_base"].to_numpy(dtype=float) * scale
        self.firm_occupied = np.zeros(self.n)
        self.background_ha_yr = (
            region.provinces["background_demand_ha_yr"].to_numpy(dtype=float)
            * params.background_demand_factor * scale
        )
        self.serviced = self.serviced_at(base_year)

    def serviced_at(self, year: int) -> np.ndarray:
        """Serviced land of every cluster in ``year`` (agent units), per the build schedule."""
        done = np.clip((year - self.start + 1) / (self.end - self.start + 1), 0.0, 1.0)
        return self.serviced_base + (self.lettable - self.serviced_base) * done

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

    def start_year(self, year: int, rent_growth: np.ndarray) -> None:
        """New serviced land, rents for the year, then the background demand lets land.

        Args:
            year: the year starting.
            rent_growth: per-cluster rent-pressure multiplier for the year (1 = none).
        """
        previous = self.occupancy()
        self.serviced = self.serviced_at(year)
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
