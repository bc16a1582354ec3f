"""Stands and their owners: the state arrays and how forest.csv rows become stands.

Each forest.csv row (zone x type x age) is split into sub-stands of at most ``max_stand_ha`` (at
most ``max_substands_per_row`` per row and owner). Plantation rows are first split between
households (share ``household_share``) and state forest companies. Natural stands (special-use,
protection, production natural) belong to the state and take no harvest decisions.

Heterogeneity (all draws from the run's forest generator, so a seed fixes them):

- **Initial ages.** A plantation sub-stand of a row of age ``a`` gets the age
  ``a + w (u - 1/2)``, ``u ~ U(0, 1)``, ``w = initial_age_spread_yr`` (1: uniform over the
  one-year class, so that the stands of a class reach a rotation age in different years).
  Natural stands keep the row's age (their age only selects the IPCC growth class). The
  stand keeps its phase ``w u`` for good: after a harvest it is replanted at age ``w u`` (planting
  at different times of the year before), so the stands of a class stay spread over the years
  in later rotations too instead of falling back into step.
- **Owner classes.** Each owner type has ``rate_classes`` equally likely economic classes
  ``j``, each with a discount rate, a stumpage-price factor and an establishment-cost factor,
  stratified (Latin hypercube) on uniform distributions::

      r_j = mean_rate + spread (2 (j + 1/2)/n - 1)                    (floored at 0.005)
      f_price_j = 1 + price_spread (2 (pi_j + 1/2)/n - 1)
      f_cost_j  = 1 + cost_spread  (2 (sigma_j + 1/2)/n - 1)

  with ``pi`` and ``sigma`` random permutations of 0..n-1 (so price and cost are independent of
  the rate). A plantation stand draws its class once; natural stands have class -1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import ForestParams
from ..region import FOREST_TYPES, Region
from .growth import SMALL_TIMBER, density, regrowth_cap

STATE, HOUSEHOLD, COMPANY = 0, 1, 2
"""Owner codes: natural forest (state boards, communes), households, state forest companies."""

_STAND_FIELDS = ("zone", "province", "mountain", "ftype", "owner", "rate_idx", "area", "age",
                 "phase", "agb", "agb_cap", "c")


class Stands:
    """One state of every stand, as parallel arrays (index = stand).

    ``zone``, ``province`` (row of region.provinces), ``mountain`` (bool), ``ftype`` (index into
    FOREST_TYPES), ``owner`` (STATE / HOUSEHOLD / COMPANY), ``rate_idx`` (owner economic class,
    -1 for natural stands), ``area`` (ha), ``age`` (yr), ``phase`` (yr, the age a replanted
    stand starts its first year with), ``agb`` (t d.m./ha, natural stands; 0 for
    plantations), ``agb_cap`` (t d.m./ha) and ``c`` (carbon density, tCO2e/ha).
    """

    def __init__(self, **arrays: np.ndarray):
        for name in _STAND_FIELDS:
            setattr(self, name, arrays[name])

    def __len__(self) -> int:
        return len(self.area)

    def copy(self) -> Stands:
        """An independent copy."""
        return Stands(**{f: getattr(self, f).copy() for f in _STAND_FIELDS})

    def append(self, new: dict[str, np.ndarray]) -> None:
        """Add stands at the end (indices of existing stands do not change)."""
        for f in _STAND_FIELDS:
            setattr(self, f, np.concatenate((getattr(self, f), new[f].astype(
                getattr(self, f).dtype))))

    @property
    def natural(self) -> np.ndarray:
        """Mask of natural-rule stands (special-use, protection, production natural)."""
        return self.ftype < SMALL_TIMBER

    @property
    def stock(self) -> np.ndarray:
        """Carbon stock of every stand, tCO2e."""
        return self.area * self.c


@dataclass
class Flows:
    """One year's flows of one stand state: by province, and per stand where payments need it."""

    removals: np.ndarray
    harvest: np.ndarray
    fire: np.ndarray
    conversion: np.ndarray
    converted_ha: np.ndarray
    harvested_ha: np.ndarray
    harvested_age_ha: np.ndarray
    harvested_m3: np.ndarray
    stand_harvest: np.ndarray
    """Harvest emission of every stand in the year (tCO2e)."""

    @property
    def net(self) -> np.ndarray:
        """Net absorption by province: removals minus harvest, fire and conversion."""
        return self.removals - self.harvest - self.fire - self.conversion


@dataclass(frozen=True)
class OwnerClasses:
    """Economic classes of plantation owners: households 0..n-1, companies n..2n-1."""

    rate: np.ndarray
    price_factor: np.ndarray
    cost_factor: np.ndarray

    @classmethod
    def draw(cls, params: ForestParams, rng: np.random.Generator) -> OwnerClasses:
        """Stratified classes of both owner types (two permutations per owner type)."""
        n = params.rate_classes
        mid = (np.arange(n) + 0.5) / n * 2.0 - 1.0
        rate = np.maximum(np.concatenate((
            params.household_discount_rate + params.discount_rate_spread * mid,
            params.company_discount_rate + params.discount_rate_spread * mid,
        )), 0.005)
        price = np.concatenate([1.0 + params.owner_price_spread * mid[rng.permutation(n)]
                                for _ in range(2)])
        cost = np.concatenate([1.0 + params.owner_cost_spread * mid[rng.permutation(n)]
                               for _ in range(2)])
        return cls(rate, price, cost)


def expand(region: Region, params: ForestParams, zone_province: np.ndarray,
           zone_mountain: np.ndarray, rng: np.random.Generator) -> Stands:
    """Split forest.csv rows into sub-stands by owner and size; set ages, classes and carbon."""
    p = params
    f = region.forest
    ftype = f["forest_type"].map({t: i for i, t in enumerate(FOREST_TYPES)}).to_numpy(
        dtype=np.int64)
    zone = f["zone"].to_numpy(dtype=np.int64)
    area = f["area_ha"].to_numpy(dtype=float)
    age = f["age_yr"].to_numpy(dtype=float)
    agb = f["agb_t_ha"].to_numpy(dtype=float)
    plantation = ftype >= SMALL_TIMBER
    # Pieces: natural rows whole; plantation rows split by owner type.
    row = np.concatenate((np.flatnonzero(~plantation), np.flatnonzero(plantation),
                          np.flatnonzero(plantation)))
    n_nat, n_pl = int((~plantation).sum()), int(plantation.sum())
    owner = np.concatenate((np.full(n_nat, STATE), np.full(n_pl, HOUSEHOLD),
                            np.full(n_pl, COMPANY)))
    share = np.where(owner == STATE, 1.0,
                     np.where(owner == HOUSEHOLD, p.household_share, 1 - p.household_share))
    piece_area = area[row] * share
    keep = piece_area > 0
    row, owner, piece_area = row[keep], owner[keep], piece_area[keep]
    count = np.clip(np.ceil(piece_area / p.max_stand_ha), 1, p.max_substands_per_row)
    count = count.astype(np.int64)
    s_row = np.repeat(row, count)
    s_owner = np.repeat(owner, count)
    s_area = np.repeat(piece_area / count, count)
    s_zone = zone[s_row]
    s_type = ftype[s_row]
    s_mountain = zone_mountain[s_zone]
    nc = p.rate_classes
    s_rate = np.where(s_owner == STATE, -1,
                      rng.integers(0, nc, size=len(s_row)) + nc * (s_owner == COMPANY))
    natural = s_type < SMALL_TIMBER
    phase = p.initial_age_spread_yr * rng.random(len(s_row))
    s_age = np.where(natural, age[s_row],
                     np.maximum(age[s_row] + phase - 0.5 * p.initial_age_spread_yr, 0.0))
    s_phase = np.where(natural, 0.0, phase)
    cap0 = regrowth_cap(p, s_mountain)
    young = np.where(s_mountain, p.growth_mountain_young_t_ha_yr, p.growth_moist_young_t_ha_yr)
    old = np.where(s_mountain, p.growth_mountain_old_t_ha_yr, p.growth_moist_old_t_ha_yr)
    # Natural rows without AGB in the data: regrowth by the Tier-1 rates from age 0.
    from_age = np.minimum(
        young * np.minimum(s_age, p.young_age_yr)
        + old * np.maximum(s_age - p.young_age_yr, 0.0), cap0)
    s_agb = np.where(natural, np.where(np.isnan(agb[s_row]), from_age, agb[s_row]), 0.0)
    s_cap = np.where(s_agb > cap0, np.maximum(p.mature_agb_cap_t_ha, s_agb), cap0)
    stands = Stands(
        zone=s_zone, province=zone_province[s_zone], mountain=s_mountain,
        ftype=s_type, owner=s_owner, rate_idx=s_rate.astype(np.int64), area=s_area,
        age=s_age, phase=s_phase, agb=s_agb, agb_cap=np.where(natural, s_cap, 0.0),
        c=np.zeros(len(s_row)),
    )
    stands.c = density(p, stands.ftype, stands.agb, stands.age, stands.mountain)
    return stands
