"""Forest: stands, growth, harvest rotations, fire, conversion, afforestation, credits and PFES.

Inputs: ``forest.csv`` (zone x type x age rows with area and, for natural forest, AGB), the zones'
``afforestable_ha`` and ``old_province``, :class:`ForestParams` and :class:`ForestPolicy`. The
equations, parameter table and sources are written out for the ODD in
``docs/forest-equations.md``; the summary here is what the code does.

Stands. Each forest.csv row is split into sub-stands of at most ``max_stand_ha`` (at most
``max_substands_per_row`` per row and owner). Plantation rows are split first between households
(share ``household_share``) and state forest companies; each plantation stand draws a discount-rate
class (uniform on ``rate +- spread`` of its owner type, discretised into ``rate_classes`` equally
likely classes). Natural stands (special-use, protection, production natural) belong to the state
(management boards, communes) and take no harvest decisions. All stand variables are numpy arrays.

Carbon density of stand *i* (tCO2e/ha), with ``CF`` the carbon fraction and ``R`` root:shoot::

    natural:     c_i = AGB_i (1 + R(AGB_i, zone)) CF 44/12
                 R = 0.27 in tropical-mountain zones, else 0.20 if AGB <= 125 t/ha, else 0.24
    plantation:  c_i = V(a_i) alpha,   V(a) = A (1 - exp(-k a))^p,   alpha = 1.40 tCO2/m3

Tropical mountain or moist: the zones' ``ecological_zone`` (zones.csv; in the default region the
zones of the former Hòa Bình and Bắc Kạn are tropical mountain). Existing PFES rates: the zones'
``pfes_vnd_ha_yr``.

A year (:meth:`Forest.step`), in this order, each flow being the exact stock change it causes::

    1. harvest     plantation stands with a >= max(T*_i - 1/2, 1) (a completed years of growth,
                   T*_i the owner's optimal rotation): emission = area c; replant at age 0
                   (small -> large timber if LEV_large is higher); production natural forest
                   loses a share h of AGB (h = 0 by default)
    2. growth      AGB += g(a) (g = IPCC Tier-1 rate, <=20 yr / >20 yr), capped:
                   AGB_{t} = max(AGB, min(AGB + g, cap_i)); every stand ages one year.
                   removals = sum area (c_after - c_before)
    3. fire        stand burns if u_i < q(type) (1 - m) (u_i uniform, m the monitoring cut):
                   all biomass carbon emitted, stand regrows from age 0 (same type)
    4. conversion  zone z loses C_z = min(D_z f_z, eligible_z) ha, f_z = min(1, phi F_z / Z_z)
                   (D developed ha, F forest ha, Z zone ha), from eligible stands in proportion
                   to their area; emission = converted ha x c (land left with 0 biomass)
    5. afforestation  new stands (age 0, c = 0) on the zones' afforestable pool

so that, exactly, ``stock_t - stock_{t-1} = removals - harvest - fire - conversion`` and
``area_t = area_{t-1} - converted + afforested`` in every province.

Caps of natural AGB: stands regrowing from age 0 (burned natural forest, planted protection forest)
are capped at the IPCC 2019 secondary-forest AGB (68 t/ha tropical moist, 66 mountain). Base-year
stands above that value are established forest (inventory strata); they grow at the >20-yr rate up
to ``max(mature_agb_cap_t_ha, their AGB)``.

Rotation (:func:`optimal_rotation`): the van Kooten, Binkley & Delcourt (1995) land expectation
value with timber price p, establishment cost c, carbon price P_c paid on uptake and charged on
release (share beta kept in products) and an annual payment m (PFES) from stand age a0::

    LEV(T) = [p V(T) e^{-rT} - c + P_c alpha int_0^T V'(s) e^{-rs} ds
              - P_c alpha (1 - beta) V(T) e^{-rT} + int_{a0}^T m e^{-rs} ds] / (1 - e^{-rT})

T* maximises it on 0 < T <= max_age (Faustmann when P_c = m = 0); T* = inf when never harvesting
(the limit T -> inf) is worth at least as much. Rotations are computed once per distinct
(timber regime, discount rate, price, carbon price, PFES payment) and cached.

Credits: from ``credit_start_year`` the listed provinces are paid for additional net absorption,
``credits = max(0, N - N_base) (1 - buffer)``, with ``N_base`` the net absorption of a shadow copy
of the stands stepped without carbon prices and with the same fire draws (``counterfactual``), or a
fixed tCO2e/yr per province (``reference_level``); payments = credits x price (USD x exchange
rate). PFES payments = rate (VND/ha/yr, by old province, plus the inter-provincial lever) x area
of stands at least ``pfes_min_stand_age_yr`` old.

Randomness: discount-rate classes are drawn once from the generator passed in; each year's fire
draws come from a generator keyed by (a seed drawn once, year), one uniform per stand index, so
that runs with the same seed share fire draws stand by stand whatever the levers (common random
numbers), and the counterfactual shadow uses the very same draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .config import ForestParams, ForestPolicy
from .errors import ConfigError
from .region import FOREST_TYPES, Region

SPECIAL_USE, PROTECTION, PRODUCTION_NATURAL, SMALL_TIMBER, LARGE_TIMBER = range(5)
N_TYPES = len(FOREST_TYPES)
STATE, HOUSEHOLD, COMPANY = 0, 1, 2
"""Owner codes: natural forest (state boards, communes), households, state forest companies."""
CO2_PER_C = 44.0 / 12.0
PARAMS_KEY = "forest"
POLICY_KEY = "policies.forest"
"""Dotted prefixes used in error messages (where the integrated configuration puts these)."""


# ------------------------------------------------------------------------------------------
# Rotation economics
# ------------------------------------------------------------------------------------------

_LAGUERRE_X, _LAGUERRE_W = np.polynomial.laguerre.laggauss(24)
_GRID_STEP_YR = 0.01


def _cr_volume(t: np.ndarray | float, a: float, k: float, p: float) -> np.ndarray:
    """Chapman-Richards volume ``A (1 - e^{-kt})^p`` (m3/ha)."""
    return a * (-np.expm1(-k * np.asarray(t, dtype=float))) ** p


def _cr_increment(t: np.ndarray, a: float, k: float, p: float) -> np.ndarray:
    """Its derivative ``A p k e^{-kt} (1 - e^{-kt})^{p-1}`` (m3/ha/yr)."""
    return a * p * k * np.exp(-k * t) * (-np.expm1(-k * t)) ** (p - 1.0)


def _rotation_and_lev(a: float, k: float, p: float, price: float, rate: float,
                      establishment_cost: float, carbon_price: float, tco2_per_m3: float,
                      product_share: float, max_age: float, annual_payment: float,
                      payment_start_age: float) -> tuple[float, float]:
    """Optimal rotation and the LEV it reaches (see :func:`optimal_rotation`).

    The carbon integral is a cumulative trapezoid on a 0.01-yr grid (its integrand vanishes at 0
    for p > 1); the optimum is refined by the parabola through the best grid point and its
    neighbours. Never harvesting is worth the T -> inf limit of the LEV, whose carbon integral
    adds the tail beyond ``max_age`` by Gauss-Laguerre quadrature (the integrand decays as
    e^{-(k+r)s}).
    """
    if not (a > 0 and k > 0 and p >= 1.0):
        raise ValueError(f"growth curve needs A > 0, k > 0, p >= 1 (got {a}, {k}, {p})")
    if not rate > 0:
        raise ValueError(f"discount_rate must be positive (got {rate})")
    if not max_age > 0:
        raise ValueError(f"max_age must be positive (got {max_age})")
    if not 0.0 <= product_share <= 1.0:
        raise ValueError(f"product_share must be in [0, 1] (got {product_share})")
    n = max(math.ceil(max_age / _GRID_STEP_YR), 200)
    dt = max_age / n
    t = np.arange(1, n + 1) * dt
    disc = np.exp(-rate * t)
    vol = _cr_volume(t, a, k, p)
    pc_alpha = carbon_price * tco2_per_m3
    num = (price - pc_alpha * (1.0 - product_share)) * vol * disc - establishment_cost
    if pc_alpha != 0.0:
        f = _cr_increment(t, a, k, p) * disc
        f0 = float(_cr_increment(np.zeros(1), a, k, p)[0])
        uptake = np.cumsum(0.5 * dt * (np.concatenate(([f0], f[:-1])) + f))
        num = num + pc_alpha * uptake
    else:
        uptake = None
    if annual_payment != 0.0:
        start = max(payment_start_age, 0.0)
        num = num + np.where(
            t > start, annual_payment * (math.exp(-rate * start) - disc) / rate, 0.0
        )
    lev = num / -np.expm1(-rate * t)
    i = int(np.argmax(lev))
    best_t, best_lev = float(t[i]), float(lev[i])
    if 0 < i < n - 1:
        lo, mid, hi = lev[i - 1], lev[i], lev[i + 1]
        curv = lo - 2.0 * mid + hi
        if curv < 0:
            shift = 0.5 * (lo - hi) / curv
            best_t = float(t[i] + shift * dt)
            best_lev = float(mid - 0.25 * (lo - hi) * shift)
    # Never harvesting: the T -> inf limit of the LEV (one planting, carbon and payments forever).
    never = -establishment_cost
    if uptake is not None:
        lam = k + rate
        s = max_age + _LAGUERRE_X / lam
        g = _cr_increment(s, a, k, p) * np.exp(-rate * s)
        tail = float(np.sum(_LAGUERRE_W * np.exp(_LAGUERRE_X) * g) / lam)
        never += pc_alpha * (float(uptake[-1]) + tail)
    if annual_payment != 0.0:
        never += annual_payment * math.exp(-rate * max(payment_start_age, 0.0)) / rate
    if never >= best_lev:
        return math.inf, never
    return best_t, best_lev


def optimal_rotation(A: float, k: float, p: float, price: float, discount_rate: float,
                     establishment_cost: float = 0.0, carbon_price: float = 0.0,
                     tco2_per_m3: float = 1.40, product_share: float = 0.0,
                     max_age: float = 60.0, annual_payment: float = 0.0,
                     payment_start_age: float = 0.0) -> float:
    """Rotation age (years, continuous) maximising the land expectation value.

    ``LEV(T) = [p V(T) e^{-rT} - c + Pc a int_0^T V'(s) e^{-rs} ds - Pc a (1-b) V(T) e^{-rT}
    + int_{a0}^T m e^{-rs} ds] / (1 - e^{-rT})`` with ``V(t) = A (1 - e^{-kt})^p``
    (van Kooten, Binkley & Delcourt 1995; Faustmann when ``carbon_price = 0`` and
    ``annual_payment = 0``). Prices per m3 and per tCO2 in one currency.

    Args:
        A: asymptotic volume of the Chapman-Richards curve (m3/ha).
        k: its rate (1/yr).
        p: its shape (p >= 1).
        price: stumpage price per m3.
        discount_rate: continuous discount rate r > 0 (1/yr).
        establishment_cost: cost c of (re)planting per ha.
        carbon_price: Pc per tCO2 paid on uptake and charged on release.
        tco2_per_m3: a, tCO2 per m3 of stand volume.
        product_share: b, share of harvested carbon not charged (kept in products).
        max_age: longest rotation considered.
        annual_payment: m per ha and year (e.g. PFES), paid from stand age ``payment_start_age``.
        payment_start_age: a0.

    Returns:
        The rotation age, or ``math.inf`` when never harvesting is best: the LEV of never
        harvesting (its T -> inf limit) is at least the supremum over 0 < T <= max_age.
    """
    return _rotation_and_lev(A, k, p, price, discount_rate, establishment_cost, carbon_price,
                             tco2_per_m3, product_share, max_age, annual_payment,
                             payment_start_age)[0]


# ------------------------------------------------------------------------------------------
# Stands
# ------------------------------------------------------------------------------------------

_STAND_FIELDS = ("zone", "province", "mountain", "ftype", "owner", "rate_idx", "area", "age",
                 "agb", "agb_cap", "c")


class Stands:
    """One state of every stand, as parallel arrays (index = stand).

    ``zone``, ``province`` (row of region.provinces), ``mountain`` (bool), ``ftype`` (index into
    FOREST_TYPES), ``owner`` (STATE / HOUSEHOLD / COMPANY), ``rate_idx`` (discount-rate class, -1
    for natural stands), ``area`` (ha), ``age`` (yr), ``agb`` (t d.m./ha, natural stands; 0 for
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
class _Flows:
    """One year's flows of one stand state, by province."""

    removals: np.ndarray
    harvest: np.ndarray
    fire: np.ndarray
    conversion: np.ndarray
    converted_ha: np.ndarray
    harvested_ha: np.ndarray
    harvested_age_ha: np.ndarray

    @property
    def net(self) -> np.ndarray:
        return self.removals - self.harvest - self.fire - self.conversion


class Forest:
    """The region's forest stands through the years, with owners' harvest decisions.

    Args:
        region: the region (forest.csv rows, zones, provinces).
        params: biophysics and economics.
        policy: the forest levers.
        base_year: year of the data; its state is the initial state (no flows).
        rng: generator for the discount-rate classes and the seed of the yearly fire draws.

    Parameters and levers: :class:`model.config.ForestParams` (``forest.*``) and
    :class:`model.config.ForestPolicy` (``policies.forest.*``).

    Raises:
        ConfigError: a province or former province named in the levers is not in the region.
    """

    def __init__(self, region: Region, params: ForestParams, policy: ForestPolicy,
                 base_year: int, rng: np.random.Generator):
        self.region = region
        self.params = params
        self.policy = policy
        self.base_year = base_year
        self.year = base_year
        self.n_provinces = len(region.provinces)
        self.n_zones = region.n_zones
        self._check(region, params, policy)
        zones = region.zones
        self.zone_province = zones["province_idx"].to_numpy(dtype=np.int64)
        self.zone_area_ha = zones["area_km2"].to_numpy(dtype=float) * 100.0
        self.zone_mountain = (zones["ecological_zone"] == "tropical_mountain").to_numpy()
        self.zone_pfes_base = zones["pfes_vnd_ha_yr"].to_numpy(dtype=float)
        self.afforestable_ha = zones["afforestable_ha"].to_numpy(dtype=float).copy()
        nc = params.rate_classes
        mid = (np.arange(nc) + 0.5) / nc * 2.0 - 1.0
        self.rates = np.maximum(np.concatenate((
            params.household_discount_rate + params.discount_rate_spread * mid,
            params.company_discount_rate + params.discount_rate_spread * mid,
        )), 0.005)
        """Discount rate of each rate class: households 0..nc-1, companies nc..2nc-1."""
        self.curves = (
            (params.small_timber_a_m3_ha, params.small_timber_k_yr, params.small_timber_p),
            (params.large_timber_a_m3_ha, params.large_timber_k_yr, params.large_timber_p),
        )
        self.fire_prob = np.array([
            params.fire_prob_special_use, params.fire_prob_protection,
            params.fire_prob_production_natural, params.fire_prob_small_timber,
            params.fire_prob_large_timber,
        ])
        self.stands = self._expand(region, rng)
        self._fire_seed = int(rng.integers(0, 2**62))
        self.shadow: Stands | None = None
        """Counterfactual stands (no carbon prices, same fire draws) once the scheme runs."""
        self._rotation_cache: dict[tuple, tuple[float, float]] = {}
        self._flows: _Flows | None = None
        self._afforested = np.zeros(self.n_provinces)
        self._credits = np.zeros(self.n_provinces)
        self._carbon_payments = np.zeros(self.n_provinces)
        self.baseline_net_absorption = np.full(self.n_provinces, np.nan)
        """Baseline net absorption of the credited provinces in the year (NaN elsewhere)."""

    # --- set-up -------------------------------------------------------------------------------

    @staticmethod
    def _check(region: Region, params: ForestParams, policy: ForestPolicy) -> None:
        errors: list[str] = []
        for name in ("credit_provinces", "reference_level_tco2e_yr",
                     "pfes_interprovincial_provinces", "monitoring_provinces",
                     "protection_provinces", "afforestation_ha_yr", "fsc_provinces"):
            try:
                region.province_mask(list(getattr(policy, name)), f"{POLICY_KEY}.{name}")
            except ConfigError as exc:
                errors += exc.problems
        for prov, ha in policy.afforestation_ha_yr.items():
            if not ha >= 0:
                errors.append(f"{POLICY_KEY}.afforestation_ha_yr.{prov}: {ha!r} must be >= 0")
        if errors:
            raise ConfigError("forest", errors)

    def _expand(self, region: Region, rng: np.random.Generator) -> Stands:
        """Split forest.csv rows into sub-stands by owner and size; set their carbon."""
        p = self.params
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
        s_mountain = self.zone_mountain[s_zone]
        nc = p.rate_classes
        s_rate = np.where(s_owner == STATE, -1,
                          rng.integers(0, nc, size=len(s_row)) + nc * (s_owner == COMPANY))
        s_age = age[s_row]
        natural = s_type < SMALL_TIMBER
        regrowth_cap = np.where(s_mountain, p.regrowth_cap_mountain_t_ha,
                                p.regrowth_cap_moist_t_ha)
        young = np.where(s_mountain, p.growth_mountain_young_t_ha_yr,
                         p.growth_moist_young_t_ha_yr)
        old = np.where(s_mountain, p.growth_mountain_old_t_ha_yr, p.growth_moist_old_t_ha_yr)
        # Natural rows without AGB in the data: regrowth by the Tier-1 rates from age 0.
        from_age = np.minimum(
            young * np.minimum(s_age, p.young_age_yr)
            + old * np.maximum(s_age - p.young_age_yr, 0.0), regrowth_cap)
        s_agb = np.where(natural, np.where(np.isnan(agb[s_row]), from_age, agb[s_row]), 0.0)
        s_cap = np.where(s_agb > regrowth_cap, np.maximum(p.mature_agb_cap_t_ha, s_agb),
                         regrowth_cap)
        stands = Stands(
            zone=s_zone, province=self.zone_province[s_zone], mountain=s_mountain,
            ftype=s_type, owner=s_owner, rate_idx=s_rate.astype(np.int64), area=s_area,
            age=s_age, agb=s_agb, agb_cap=np.where(natural, s_cap, 0.0), c=np.zeros(len(s_row)),
        )
        stands.c = self._density(stands)
        return stands

    # --- carbon density -----------------------------------------------------------------------

    def _density(self, s: Stands, idx: np.ndarray | None = None) -> np.ndarray:
        """Carbon density (tCO2e/ha) of stands ``idx`` (all when None) from their state."""
        p = self.params
        ftype = s.ftype if idx is None else s.ftype[idx]
        agb = s.agb if idx is None else s.agb[idx]
        age = s.age if idx is None else s.age[idx]
        mountain = s.mountain if idx is None else s.mountain[idx]
        rs = np.where(mountain, p.root_shoot_mountain,
                      np.where(agb > p.root_shoot_threshold_t_ha, p.root_shoot_moist_high,
                               p.root_shoot_moist_low))
        natural_c = agb * (1.0 + rs) * (p.carbon_fraction * CO2_PER_C)
        large = ftype == LARGE_TIMBER
        (a_s, k_s, p_s), (a_l, k_l, p_l) = self.curves
        vol = np.where(large, _cr_volume(age, a_l, k_l, p_l), _cr_volume(age, a_s, k_s, p_s))
        return np.where(ftype < SMALL_TIMBER, natural_c, vol * p.tco2_per_m3)

    # --- levers by year -----------------------------------------------------------------------

    def _province_mask(self, names: list[str], start: int | None, year: int) -> np.ndarray:
        """Provinces where a lever listing ``names`` (empty = all) is on in ``year``."""
        if start is None or year < start:
            return np.zeros(self.n_provinces, dtype=bool)
        if not names:
            return np.ones(self.n_provinces, dtype=bool)
        return self.region.province_mask(names, POLICY_KEY)

    def credit_provinces(self, year: int) -> np.ndarray:
        """Provinces whose forests the credit scheme pays in ``year``."""
        pol = self.policy
        return self._province_mask(pol.credit_provinces, pol.credit_start_year, year)

    def pfes_rate(self, year: int) -> np.ndarray:
        """PFES paid per ha of (old enough) forest in each zone in ``year``, VND/ha/yr."""
        pol = self.policy
        inter = self._province_mask(pol.pfes_interprovincial_provinces,
                                    pol.pfes_interprovincial_start_year, year)
        return self.zone_pfes_base + np.where(inter[self.zone_province],
                                              pol.pfes_interprovincial_vnd_ha_yr, 0.0)

    def owner_carbon_price(self, year: int) -> np.ndarray:
        """Carbon price plantation owners see in each province (VND/tCO2; 0 outside the scheme)."""
        pol = self.policy
        price = (pol.carbon_price_usd_tco2e * self.params.usd_vnd * (1.0 - pol.buffer_share)
                 * pol.owner_share)
        return np.where(self.credit_provinces(year), price, 0.0)

    def rotation_table(self, year: int, with_carbon: bool) -> tuple[np.ndarray, np.ndarray]:
        """Optimal rotation and its LEV by [zone, regime (0 small, 1 large), rate class].

        Computed once per distinct economic setting (prices, carbon price, PFES rate, discount
        rate) and cached: a few dozen :func:`optimal_rotation` solutions per run.
        """
        p, pol = self.params, self.policy
        fsc = self._province_mask(pol.fsc_provinces, pol.fsc_start_year, year)
        large_price = p.price_large_timber_vnd_m3 * np.where(fsc, 1.0 + pol.fsc_premium, 1.0)
        carbon = self.owner_carbon_price(year) if with_carbon else np.zeros(self.n_provinces)
        pfes = self.pfes_rate(year)
        env = np.stack((large_price[self.zone_province], carbon[self.zone_province], pfes), 1)
        unique_env, env_of_zone = np.unique(env, axis=0, return_inverse=True)
        n_rates = len(self.rates)
        rot = np.empty((len(unique_env), 2, n_rates))
        lev = np.empty_like(rot)
        for e, (price_large, pc, pay) in enumerate(unique_env):
            for regime, price in enumerate((p.price_small_timber_vnd_m3, price_large)):
                a, k, shape = self.curves[regime]
                for j, rate in enumerate(self.rates):
                    key = (a, k, shape, float(price), float(rate), float(pc), float(pay))
                    if key not in self._rotation_cache:
                        self._rotation_cache[key] = _rotation_and_lev(
                            a, k, shape, float(price), float(rate),
                            p.establishment_cost_vnd_ha, float(pc), p.tco2_per_m3,
                            pol.product_share, p.max_rotation_yr, float(pay),
                            p.pfes_min_stand_age_yr,
                        )
                    rot[e, regime, j], lev[e, regime, j] = self._rotation_cache[key]
        env_of_zone = env_of_zone.reshape(-1)
        return rot[env_of_zone], lev[env_of_zone]

    # --- the year -----------------------------------------------------------------------------

    def step(self, year: int, developed_ha_by_zone: np.ndarray) -> None:
        """One year: harvest, growth, fire, conversion, afforestation, credits and payments.

        Harvest decisions and replanting (at the start of the year), growth, fire, conversion
        of forest for newly developed (serviced) industrial land in each zone
        (``developed_ha_by_zone``: real ha, length n_zones), afforestation, credits and payments.
        With a counterfactual credit baseline the shadow stands take the same steps without
        carbon prices and with the same fire draws.
        """
        developed = np.asarray(developed_ha_by_zone, dtype=float)
        if developed.shape != (self.n_zones,) or not np.all(np.isfinite(developed)) or (
                developed.min(initial=0.0) < 0):
            raise ValueError(
                f"developed_ha_by_zone must be {self.n_zones} finite non-negative ha, one per "
                f"zone (got shape {developed.shape})"
            )
        self.year = year
        pol = self.policy
        draws = np.random.default_rng([self._fire_seed, year]).random(len(self.stands))
        counterfactual = pol.credit_baseline == "counterfactual"
        credited = self.credit_provinces(year)
        if counterfactual and credited.any() and self.shadow is None:
            # Until now no owner saw a carbon price: the counterfactual is the actual state.
            self.shadow = self.stands.copy()
        flows = self._step_state(self.stands, year, developed, draws, with_carbon=True)
        base = None
        if self.shadow is not None:
            base = self._step_state(self.shadow, year, developed, draws, with_carbon=False)
        new = self._afforest(year)
        if new is not None:
            self.stands.append(new)
            if self.shadow is not None:
                self.shadow.append(new)
        self._flows = flows
        if pol.credit_baseline == "reference_level":
            reference = self.region.province_values(pol.reference_level_tco2e_yr,
                                                    f"{POLICY_KEY}.reference_level_tco2e_yr")
        else:
            reference = base.net if base is not None else flows.net
        self.baseline_net_absorption = np.where(credited, reference, np.nan)
        additional = np.where(credited, flows.net - reference, 0.0)
        self._credits = np.maximum(additional, 0.0) * (1.0 - pol.buffer_share)
        self._carbon_payments = (self._credits * pol.carbon_price_usd_tco2e
                                 * self.params.usd_vnd)

    def _step_state(self, s: Stands, year: int, developed: np.ndarray, draws: np.ndarray,
                    with_carbon: bool) -> _Flows:
        """Harvest, growth, fire and conversion of one stand state; flows = stock changes."""
        p, pol = self.params, self.policy
        n_prov = self.n_provinces

        def by_province(weights: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
            prov = s.province if idx is None else s.province[idx]
            return np.bincount(prov, weights=weights, minlength=n_prov)

        natural = s.natural
        # 1. Harvest at the start of the year: plantation stands that have reached their owner's
        # optimal rotation (completed years of growth, nearest year), then replanting.
        harvest = np.zeros(n_prov)
        harvested_ha = np.zeros(n_prov)
        harvested_age_ha = np.zeros(n_prov)
        pl = np.flatnonzero(~natural & (s.area > 0))
        if pl.size:
            rot, lev = self.rotation_table(year, with_carbon)
            regime = (s.ftype[pl] == LARGE_TIMBER).astype(np.int64)
            rate = s.rate_idx[pl]
            zone = s.zone[pl]
            due = s.age[pl] >= np.maximum(rot[zone, regime, rate] - 0.5, 1.0)
            cut = pl[due]
            if cut.size:
                area_cut = s.area[cut]
                harvest += by_province(area_cut * s.c[cut], cut)
                harvested_ha += by_province(area_cut, cut)
                harvested_age_ha += by_province(area_cut * s.age[cut], cut)
                small = regime[due] == 0
                switch = small & (lev[zone[due], 1, rate[due]] > lev[zone[due], 0, rate[due]])
                s.ftype[cut[switch]] = LARGE_TIMBER
                s.age[cut] = 0.0
                s.c[cut] = 0.0
        if pol.natural_harvest_rate > 0:
            logged = np.flatnonzero((s.ftype == PRODUCTION_NATURAL) & (s.area > 0))
            before = s.c[logged]
            s.agb[logged] *= 1.0 - pol.natural_harvest_rate
            s.c[logged] = self._density(s, logged)
            harvest += by_province(s.area[logged] * (before - s.c[logged]), logged)

        # 2. Growth (replanted stands grow in their first year).
        c_before = s.c
        young = s.age < p.young_age_yr
        increment = np.where(
            s.mountain,
            np.where(young, p.growth_mountain_young_t_ha_yr, p.growth_mountain_old_t_ha_yr),
            np.where(young, p.growth_moist_young_t_ha_yr, p.growth_moist_old_t_ha_yr),
        )
        s.agb = np.where(natural, np.maximum(s.agb, np.minimum(s.agb + increment, s.agb_cap)),
                         s.agb)
        s.age = s.age + 1.0
        s.c = self._density(s)
        removals = by_province(s.area * (s.c - c_before))

        # 3. Fire: common draws; burned stands lose all biomass carbon and regrow from age 0.
        monitored = self._province_mask(pol.monitoring_provinces, pol.monitoring_start_year,
                                        year)
        prob = self.fire_prob[s.ftype] * np.where(monitored[s.province],
                                                  1.0 - pol.monitoring_fire_reduction, 1.0)
        burned = np.flatnonzero((draws < prob) & (s.area > 0))
        fire = by_province(s.area[burned] * s.c[burned], burned)
        if burned.size:
            s.age[burned] = 0.0
            s.c[burned] = 0.0
            nat_burned = burned[natural[burned]]
            s.agb[nat_burned] = 0.0
            s.agb_cap[nat_burned] = np.where(s.mountain[nat_burned],
                                             p.regrowth_cap_mountain_t_ha,
                                             p.regrowth_cap_moist_t_ha)

        # 4. Conversion to industrial land, from eligible stands in proportion to area.
        conversion = np.zeros(n_prov)
        converted_ha = np.zeros(n_prov)
        if developed.any():
            forest_ha = np.bincount(s.zone, weights=s.area, minlength=self.n_zones)
            protected = self._province_mask(pol.protection_provinces, pol.protection_start_year,
                                            year)
            eligible = (s.area > 0) & ~(
                (s.ftype <= PROTECTION) & protected[s.province])
            eligible_ha = np.bincount(s.zone, weights=np.where(eligible, s.area, 0.0),
                                      minlength=self.n_zones)
            cover = np.divide(forest_ha, self.zone_area_ha, out=np.zeros(self.n_zones),
                              where=self.zone_area_ha > 0)
            take = np.minimum(developed * np.minimum(1.0, p.conversion_forest_factor * cover),
                              eligible_ha)
            fraction = np.divide(take, eligible_ha, out=np.zeros(self.n_zones),
                                 where=eligible_ha > 0)
            idx = np.flatnonzero(eligible & (fraction[s.zone] > 0))
            if idx.size:
                lost = s.area[idx] * fraction[s.zone[idx]]
                conversion = by_province(lost * s.c[idx], idx)
                converted_ha = by_province(lost, idx)
                s.area[idx] = s.area[idx] - lost
        return _Flows(removals, harvest, fire, conversion, converted_ha, harvested_ha,
                      harvested_age_ha)

    def _afforest(self, year: int) -> dict[str, np.ndarray] | None:
        """New stands on the afforestable pool; the pool shrinks by what is planted."""
        pol, p = self.policy, self.params
        self._afforested = np.zeros(self.n_provinces)
        if year < pol.afforestation_start_year or not pol.afforestation_ha_yr:
            return None
        target = self.region.province_values(pol.afforestation_ha_yr,
                                             f"{POLICY_KEY}.afforestation_ha_yr")
        pool = self.afforestable_ha
        pool_prov = np.bincount(self.zone_province, weights=pool, minlength=self.n_provinces)
        planted_prov = np.minimum(target, pool_prov)
        share = np.divide(pool, pool_prov[self.zone_province], out=np.zeros(self.n_zones),
                          where=pool_prov[self.zone_province] > 0)
        planted = np.minimum(planted_prov[self.zone_province] * share, pool)
        self.afforestable_ha = pool - planted
        zones = np.flatnonzero(planted > 0)
        if zones.size == 0:
            return None
        self._afforested = np.bincount(self.zone_province, weights=planted,
                                       minlength=self.n_provinces)
        ftype = FOREST_TYPES.index(pol.afforestation_type)
        nc = p.rate_classes
        # New stands' rate class cycles with the year: the distribution without random draws.
        cls = (year - self.base_year) % nc
        if ftype >= SMALL_TIMBER:
            owner = np.concatenate((np.full(zones.size, HOUSEHOLD), np.full(zones.size, COMPANY)))
            z = np.concatenate((zones, zones))
            area = np.concatenate((planted[zones] * p.household_share,
                                   planted[zones] * (1.0 - p.household_share)))
            rate = np.where(owner == HOUSEHOLD, cls, cls + nc)
            keep = area > 0
            owner, z, area, rate = owner[keep], z[keep], area[keep], rate[keep]
        else:
            owner, z, area, rate = np.full(zones.size, STATE), zones, planted[zones], np.full(
                zones.size, -1)
        mountain = self.zone_mountain[z]
        cap = np.where(mountain, p.regrowth_cap_mountain_t_ha, p.regrowth_cap_moist_t_ha)
        n = len(z)
        return {
            "zone": z, "province": self.zone_province[z], "mountain": mountain,
            "ftype": np.full(n, ftype), "owner": owner, "rate_idx": rate, "area": area,
            "age": np.zeros(n), "agb": np.zeros(n),
            "agb_cap": cap if ftype < SMALL_TIMBER else np.zeros(n), "c": np.zeros(n),
        }

    # --- indicators ---------------------------------------------------------------------------

    def stock_by_type(self, s: Stands | None = None) -> np.ndarray:
        """Carbon stock (tCO2e) by [province, forest type]."""
        s = self.stands if s is None else s
        return np.bincount(s.province * N_TYPES + s.ftype, weights=s.stock,
                           minlength=self.n_provinces * N_TYPES).reshape(self.n_provinces,
                                                                         N_TYPES)

    def area_by_type(self, s: Stands | None = None) -> np.ndarray:
        """Forest area (ha) by [province, forest type]."""
        s = self.stands if s is None else s
        return np.bincount(s.province * N_TYPES + s.ftype, weights=s.area,
                           minlength=self.n_provinces * N_TYPES).reshape(self.n_provinces,
                                                                         N_TYPES)

    def record(self) -> dict[str, np.ndarray]:
        """The year's indicators.

        Keys and shapes exactly: forest_area_ha (n_provinces, 5),
        forest_carbon_stock_tco2e (n_provinces, 5), forest_removals_tco2e,
        forest_emissions_harvest_tco2e, forest_emissions_fire_tco2e,
        forest_emissions_conversion_tco2e, forest_net_absorption_tco2e, plantation_rotation_age,
        carbon_credits_tco2e, carbon_payments_vnd, pfes_payments_vnd (each (n_provinces,)),
        plus afforested_ha (n_provinces,) and forest_converted_ha (n_provinces,).
        Province order = region.provinces rows; forest types in FOREST_TYPES order. Flows are for
        the year just stepped; before the first step (base year) flows are NaN.
        """
        out = {
            "forest_area_ha": self.area_by_type(),
            "forest_carbon_stock_tco2e": self.stock_by_type(),
        }
        names = ("forest_removals_tco2e", "forest_emissions_harvest_tco2e",
                 "forest_emissions_fire_tco2e", "forest_emissions_conversion_tco2e",
                 "forest_net_absorption_tco2e", "plantation_rotation_age", "carbon_credits_tco2e",
                 "carbon_payments_vnd", "pfes_payments_vnd", "afforested_ha",
                 "forest_converted_ha")
        f = self._flows
        if f is None:
            out.update({n: np.full(self.n_provinces, np.nan) for n in names})
            return out
        s = self.stands
        paid_area = np.where(s.age >= self.params.pfes_min_stand_age_yr, s.area, 0.0)
        pfes = np.bincount(s.province, weights=paid_area * self.pfes_rate(self.year)[s.zone],
                           minlength=self.n_provinces)
        with np.errstate(invalid="ignore", divide="ignore"):
            rotation = np.where(f.harvested_ha > 0, f.harvested_age_ha / f.harvested_ha, np.nan)
        out.update({
            "forest_removals_tco2e": f.removals.copy(),
            "forest_emissions_harvest_tco2e": f.harvest.copy(),
            "forest_emissions_fire_tco2e": f.fire.copy(),
            "forest_emissions_conversion_tco2e": f.conversion.copy(),
            "forest_net_absorption_tco2e": f.net,
            "plantation_rotation_age": rotation,
            "carbon_credits_tco2e": self._credits.copy(),
            "carbon_payments_vnd": self._carbon_payments.copy(),
            "pfes_payments_vnd": pfes,
            "afforested_ha": self._afforested.copy(),
            "forest_converted_ha": f.converted_ha.copy(),
        })
        return out
