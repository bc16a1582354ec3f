"""Growth and carbon density of stands.

Plantations follow a Chapman-Richards volume curve of their regime (small timber = pulpwood
acacia, large timber = sawlog regime)::

    V(a) = A (1 - e^{-k a})^p                          (m3/ha, stand age a in years)
    V'(a) = A p k e^{-k a} (1 - e^{-k a})^{p-1}        (m3/ha/yr)
    c(a) = alpha V(a)                                  (tCO2e/ha)

with ``alpha`` (``forest.tco2_per_m3``) the whole-tree CO2 per m3 of stand volume::

    alpha = rho BEF (1 + R) CF 44/12 = 0.50 x 1.1 x 1.20 x 0.47 x 44/12 = 1.137 tCO2/m3

(rho basic wood density t/m3, BEF stem-to-above-ground expansion, R root:shoot, CF carbon
fraction; data-facts and IPCC 2006 Vol. 4; the earlier 1.40 did not follow from these factors).

Natural-rule stands (special-use, protection, production natural) hold above-ground biomass AGB
(t d.m./ha)::

    c = AGB (1 + R(AGB, zone)) CF 44/12
    R = 0.27 in tropical-mountain zones, else 0.20 if AGB <= 125 t/ha, else 0.24
    AGB_{t+1} = max(AGB_t, min(AGB_t + g(a_t), cap))     g = IPCC Tier-1 rate (<= 20 / > 20 yr)
"""

from __future__ import annotations

import numpy as np

from ..config import ForestParams
from ..region import FOREST_TYPES

SPECIAL_USE, PROTECTION, PRODUCTION_NATURAL, SMALL_TIMBER, LARGE_TIMBER = range(5)
N_TYPES = len(FOREST_TYPES)
CO2_PER_C = 44.0 / 12.0


def cr_volume(t: np.ndarray | float, a: float, k: float, p: float) -> np.ndarray:
    """Chapman-Richards volume ``A (1 - e^{-kt})^p`` (m3/ha)."""
    return a * (-np.expm1(-k * np.asarray(t, dtype=float))) ** p


def cr_increment(t: np.ndarray, a: float, k: float, p: float) -> np.ndarray:
    """Its derivative ``A p k e^{-kt} (1 - e^{-kt})^{p-1}`` (m3/ha/yr)."""
    t = np.asarray(t, dtype=float)
    return a * p * k * np.exp(-k * t) * (-np.expm1(-k * t)) ** (p - 1.0)


def curves(params: ForestParams) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(A, k, p) of the small-timber and the large-timber regime."""
    return (
        (params.small_timber_a_m3_ha, params.small_timber_k_yr, params.small_timber_p),
        (params.large_timber_a_m3_ha, params.large_timber_k_yr, params.large_timber_p),
    )


def rotation_mean_carbon(a: float, k: float, p: float, rotation: float, alpha: float,
                         n: int = 4000) -> float:
    """Carbon density averaged over one rotation, ``alpha/T int_0^T V(s) ds`` (tCO2e/ha)."""
    s = (np.arange(n) + 0.5) / n * rotation
    return float(alpha * cr_volume(s, a, k, p).mean())


def density(params: ForestParams, ftype: np.ndarray, agb: np.ndarray, age: np.ndarray,
            mountain: np.ndarray) -> np.ndarray:
    """Carbon density (tCO2e/ha) of stands from their type, AGB, age and ecological zone."""
    p = params
    rs = np.where(mountain, p.root_shoot_mountain,
                  np.where(agb > p.root_shoot_threshold_t_ha, p.root_shoot_moist_high,
                           p.root_shoot_moist_low))
    natural_c = agb * (1.0 + rs) * (p.carbon_fraction * CO2_PER_C)
    (a_s, k_s, p_s), (a_l, k_l, p_l) = curves(p)
    vol = np.where(ftype == LARGE_TIMBER, cr_volume(age, a_l, k_l, p_l),
                   cr_volume(age, a_s, k_s, p_s))
    return np.where(ftype < SMALL_TIMBER, natural_c, vol * p.tco2_per_m3)


def natural_increment(params: ForestParams, age: np.ndarray, mountain: np.ndarray) -> np.ndarray:
    """IPCC Tier-1 AGB growth (t d.m./ha/yr) by ecological zone and age class."""
    p = params
    young = age < p.young_age_yr
    return np.where(
        mountain,
        np.where(young, p.growth_mountain_young_t_ha_yr, p.growth_mountain_old_t_ha_yr),
        np.where(young, p.growth_moist_young_t_ha_yr, p.growth_moist_old_t_ha_yr),
    )


def regrowth_cap(params: ForestParams, mountain: np.ndarray) -> np.ndarray:
    """AGB cap of natural forest regrowing from age 0 (IPCC 2019 secondary forest)."""
    return np.where(mountain, params.regrowth_cap_mountain_t_ha, params.regrowth_cap_moist_t_ha)
