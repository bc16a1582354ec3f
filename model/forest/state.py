"""The forest through the years: the schedule of a year, the levers, the indicators.

A year (:meth:`Forest.step`), in this order, each flow being the exact stock change it causes::

    1. harvest     plantation stands with a >= max(T*_i - 1/2, 1) (a the stand's age, T*_i the
                   optimal rotation of its owner class): emission = area c; replant
                   at its phase age (stands.py) (small -> large timber if LEV_large is higher;
                   carbon stays 0 until the growth step). With a harvest capacity
                   (m3/yr) in a province, the oldest due stands are cut first and the rest wait
                   a year. Production natural forest loses a share h of AGB (h = 0 by default)
    2. growth      natural AGB += g(a), capped; every stand ages one year; plantations follow
                   V(a). removals = sum area (c_after - c_before)
    3. fire        stand burns if u_i < q(type) (1 - m) (u_i uniform, m the monitoring cut):
                   all biomass carbon emitted, stand regrows from age 0 (same type)
    4. conversion  zone z loses C_z = min(D_z f_z, eligible_z) ha, f_z = min(1, phi F_z / Z_z),
                   D_z the industrial land newly let to firms in the zone (real ha), F forest,
                   Z zone area; from eligible stands in proportion to their area;
                   emission = converted ha x c
    5. afforestation  new stands (age 0, c = 0) on the zones' afforestable pool
    6. credits and payments (``credits.py``): additional stock, registry ledger, owners' payments

so that, exactly, ``stock_t - stock_{t-1} = removals - harvest - fire - conversion`` and
``area_t = area_{t-1} - converted + afforested`` in every province.

Counterfactual baseline: a shadow copy of the stands made when the scheme starts (until then
nobody saw a carbon price) and stepped with carbon price 0, the same fire draws, the same
conversion demand and the same afforestation.

Randomness: owner classes, initial ages and class assignments are drawn once from the generator
passed in; each year's fire draws come from a generator keyed by (a seed drawn once, year), one
uniform per stand index (common random numbers across levers and for the shadow).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..config import ForestParams, ForestPolicy
from ..errors import ConfigError
from ..region import FOREST_TYPES, Region
from .credits import CreditLedger, owner_price_vnd
from .growth import (
    LARGE_TIMBER,
    N_TYPES,
    PRODUCTION_NATURAL,
    PROTECTION,
    SMALL_TIMBER,
    curves,
    density,
    natural_increment,
    regrowth_cap,
)
from .rotation import rotation_and_lev
from .stands import COMPANY, HOUSEHOLD, STATE, Flows, OwnerClasses, Stands, expand

_rotation = lru_cache(maxsize=16384)(rotation_and_lev)
""":func:`rotation_and_lev` memoised for the process (its arguments are plain floats)."""

PARAMS_KEY = "forest"
POLICY_KEY = "policies.forest"
"""Dotted prefixes used in error messages (where the integrated configuration puts these)."""

FLOW_NAMES = (
    "forest_removals_tco2e", "forest_emissions_harvest_tco2e", "forest_emissions_fire_tco2e",
    "forest_emissions_conversion_tco2e", "forest_net_absorption_tco2e", "plantation_rotation_age",
    "carbon_credits_tco2e", "credit_reversals_tco2e", "credit_cancellations_tco2e",
    "credit_leakage_tco2e", "carbon_payments_vnd", "pfes_payments_vnd", "afforested_ha",
    "forest_converted_ha",
)
"""Indicators that are flows of the year (NaN in the base year)."""
STOCK_NAMES = ("buffer_pool_tco2e", "additional_stock_tco2e")
"""Per-province indicators that are year-end balances (0 in the base year)."""


class Forest:
    """The region's forest stands through the years, with owners' harvest decisions.

    Args:
        region: the region (forest.csv rows, zones, provinces).
        params: biophysics and economics.
        policy: the forest levers.
        base_year: year of the data; its state is the initial state (no flows).
        rng: generator for owner classes, initial ages and the seed of the yearly fire draws.

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
        self.classes = OwnerClasses.draw(params, rng)
        self.rates = self.classes.rate
        """Discount rate of each owner class: households 0..nc-1, companies nc..2nc-1."""
        self.curves = curves(params)
        self.fire_prob = np.array([
            params.fire_prob_special_use, params.fire_prob_protection,
            params.fire_prob_production_natural, params.fire_prob_small_timber,
            params.fire_prob_large_timber,
        ])
        self.harvest_capacity = region.province_values(
            params.harvest_capacity_m3_yr, f"{PARAMS_KEY}.harvest_capacity_m3_yr",
        ) if params.harvest_capacity_m3_yr else None
        if self.harvest_capacity is not None:
            named = region.province_mask(list(params.harvest_capacity_m3_yr), PARAMS_KEY)
            self.harvest_capacity = np.where(named, self.harvest_capacity, np.inf)
        self.stands = expand(region, params, self.zone_province, self.zone_mountain, rng)
        self._fire_seed = int(rng.integers(0, 2**62))
        self.shadow: Stands | None = None
        """Counterfactual stands (no carbon prices, same fire draws) once the scheme runs."""
        self._rotation_tables: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self._flows: Flows | None = None
        self._afforested = np.zeros(self.n_provinces)
        self.ledger = CreditLedger(self.n_provinces, policy.buffer_share, policy.leakage_share)
        self.owner_price = owner_price_vnd(policy.carbon_price_usd_tco2e, params.usd_vnd,
                                           policy.owner_share, policy.buffer_share,
                                           policy.leakage_share)
        """P_c: VND an owner receives per tonne of additional stock (and pays per tonne lost)."""
        self.additional = np.zeros(self.n_provinces)
        """Cumulative additional stock A_t of every province (0 outside the scheme)."""
        self.stand_payments = np.zeros(len(self.stands))
        """Carbon payment to every stand in the year just stepped (VND; negative = charge)."""
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
        try:
            region.province_mask(list(params.harvest_capacity_m3_yr),
                                 f"{PARAMS_KEY}.harvest_capacity_m3_yr")
        except ConfigError as exc:
            errors += exc.problems
        for prov, ha in policy.afforestation_ha_yr.items():
            if not ha >= 0:
                errors.append(f"{POLICY_KEY}.afforestation_ha_yr.{prov}: {ha!r} must be >= 0")
        for prov, m3 in params.harvest_capacity_m3_yr.items():
            if not m3 >= 0:
                errors.append(f"{PARAMS_KEY}.harvest_capacity_m3_yr.{prov}: {m3!r} must be >= 0")
        if errors:
            raise ConfigError("forest", errors)

    def _density(self, s: Stands, idx: np.ndarray | None = None) -> np.ndarray:
        """Carbon density (tCO2e/ha) of stands ``idx`` (all when None) from their state."""
        if idx is None:
            return density(self.params, s.ftype, s.agb, s.age, s.mountain)
        return density(self.params, s.ftype[idx], s.agb[idx], s.age[idx], s.mountain[idx])

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
        """P_c plantation owners see in each province (VND/tCO2e; 0 outside the scheme)."""
        return np.where(self.credit_provinces(year), self.owner_price, 0.0)

    def rotation_table(self, year: int, with_carbon: bool) -> tuple[np.ndarray, np.ndarray]:
        """Optimal rotation and its LEV by [zone, regime (0 small, 1 large), owner class].

        Computed once per distinct economic setting (price, cost, carbon price, PFES rate,
        discount rate) and cached per run; the solutions themselves are memoised for the process.
        """
        p, pol = self.params, self.policy
        fsc = self._province_mask(pol.fsc_provinces, pol.fsc_start_year, year)
        large_price = p.price_large_timber_vnd_m3 * np.where(fsc, 1.0 + pol.fsc_premium, 1.0)
        carbon = self.owner_carbon_price(year) if with_carbon else np.zeros(self.n_provinces)
        pfes = self.pfes_rate(year)
        env = np.stack((large_price[self.zone_province], carbon[self.zone_province], pfes), 1)
        key = env.tobytes()
        table = self._rotation_tables.get(key)
        if table is None:
            unique_env, env_of_zone = np.unique(env, axis=0, return_inverse=True)
            rot, lev = self._solve_rotations(unique_env)
            env_of_zone = env_of_zone.reshape(-1)
            table = (rot[env_of_zone], lev[env_of_zone])
            for array in table:
                array.flags.writeable = False
            self._rotation_tables[key] = table
        return table

    def _solve_rotations(self, unique_env: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rotation and LEV by [setting, regime, owner class] for settings (large price, P_c, PFES).

        Each solution is shared by the runs of a process (:func:`_rotation`: a pure function of
        its arguments), so a sweep worker or the sensitivity runner solves each setting once.
        """
        p, pol = self.params, self.policy
        cl = self.classes
        n_cls = len(cl.rate)
        rot = np.empty((len(unique_env), 2, n_cls))
        lev = np.empty_like(rot)
        for e, (price_large, pc, pay) in enumerate(unique_env):
            for regime, price in enumerate((p.price_small_timber_vnd_m3, price_large)):
                a, k, shape = self.curves[regime]
                for j in range(n_cls):
                    cost = p.establishment_cost_vnd_ha + (
                        p.large_timber_extra_cost_vnd_ha if regime else 0.0)
                    rot[e, regime, j], lev[e, regime, j] = _rotation(
                        float(a), float(k), float(shape), float(price * cl.price_factor[j]),
                        float(cl.rate[j]), float(cost * cl.cost_factor[j]), float(pc),
                        float(p.tco2_per_m3), float(pol.product_share),
                        float(p.max_rotation_yr), float(pay), float(p.pfes_min_stand_age_yr),
                    )
        return rot, lev

    # --- the year -----------------------------------------------------------------------------

    def step(self, year: int, developed_ha_by_zone: np.ndarray) -> None:
        """One year: harvest, growth, fire, conversion, afforestation, credits and payments.

        ``developed_ha_by_zone`` (real ha, length n_zones): industrial land newly let to firms in
        each zone this year; forest is converted for it at the zone's forest cover. With a
        counterfactual credit baseline the shadow stands take the same steps without carbon
        prices and with the same fire draws.
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
        stock_before = self.stands.stock
        flows = self._step_state(self.stands, year, developed, draws, with_carbon=True)
        stock_change = self.stands.stock - stock_before
        base = None
        if self.shadow is not None:
            base_before = self.shadow.stock
            base = self._step_state(self.shadow, year, developed, draws, with_carbon=False)
            base_change = self.shadow.stock - base_before
        self._flows = flows
        self._credit(year, credited, flows, stock_change,
                     None if base is None else (base, base_change))
        new = self._afforest(year)
        if new is not None:
            self.stands.append(new)
            self.stand_payments = np.concatenate((self.stand_payments, np.zeros(len(new["zone"]))))
            if self.shadow is not None:
                self.shadow.append(new)

    def _credit(self, year: int, credited: np.ndarray, flows: Flows, stock_change: np.ndarray,
                base: tuple[Flows, np.ndarray] | None) -> None:
        """Additional stock, the registry ledger and the owners' payments of the year."""
        pol = self.policy
        s = self.stands
        beta = pol.product_share
        paid = credited[s.province]
        if pol.credit_baseline == "reference_level":
            reference = self.region.province_values(pol.reference_level_tco2e_yr,
                                                    f"{POLICY_KEY}.reference_level_tco2e_yr")
            forest_ha = np.bincount(s.province, weights=s.area, minlength=self.n_provinces)
            share = np.divide(s.area, forest_ha[s.province], out=np.zeros(len(s)),
                              where=forest_ha[s.province] > 0)
            gain = stock_change + beta * flows.stand_harvest - reference[s.province] * share
            self.additional = np.where(credited, self.additional + flows.net - reference, 0.0)
        else:
            reference = base[0].net if base is not None else flows.net
            if base is None:
                gain = np.zeros(len(s))
            else:
                b_flows, b_change = base
                gain = (stock_change - b_change
                        + beta * (flows.stand_harvest - b_flows.stand_harvest))
                stock = np.bincount(s.province, weights=s.stock, minlength=self.n_provinces)
                b_stock = np.bincount(self.shadow.province, weights=self.shadow.stock,
                                      minlength=self.n_provinces)
                self.additional = np.where(credited, stock - b_stock, 0.0)
        self.baseline_net_absorption = np.where(credited, reference, np.nan)
        self.ledger.update(self.additional)
        self.stand_payments = np.where(paid, self.owner_price * gain, 0.0)
        self._carbon_payments = np.bincount(s.province, weights=self.stand_payments,
                                            minlength=self.n_provinces)

    def _step_state(self, s: Stands, year: int, developed: np.ndarray, draws: np.ndarray,
                    with_carbon: bool) -> Flows:
        """Harvest, growth, fire and conversion of one stand state; flows = stock changes."""
        p, pol = self.params, self.policy
        n_prov = self.n_provinces

        def by_province(weights: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
            prov = s.province if idx is None else s.province[idx]
            return np.bincount(prov, weights=weights, minlength=n_prov)

        natural = s.natural
        # 1. Harvest at the start of the year: plantation stands that have reached their owner's
        # optimal rotation (nearest year), within the provinces' harvest capacity; replanting.
        harvest = np.zeros(n_prov)
        harvested_ha = np.zeros(n_prov)
        harvested_age_ha = np.zeros(n_prov)
        harvested_m3 = np.zeros(n_prov)
        stand_harvest = np.zeros(len(s))
        pl = np.flatnonzero(~natural & (s.area > 0))
        if pl.size:
            rot, lev = self.rotation_table(year, with_carbon)
            regime = (s.ftype[pl] == LARGE_TIMBER).astype(np.int64)
            cls = s.rate_idx[pl]
            zone = s.zone[pl]
            due = s.age[pl] >= np.maximum(rot[zone, regime, cls] - 0.5, 1.0)
            if self.harvest_capacity is not None and due.any():
                due = self._within_capacity(s, pl, due)
            cut = pl[due]
            if cut.size:
                area_cut = s.area[cut]
                stand_harvest[cut] = area_cut * s.c[cut]
                harvest += by_province(stand_harvest[cut], cut)
                harvested_ha += by_province(area_cut, cut)
                harvested_age_ha += by_province(area_cut * s.age[cut], cut)
                harvested_m3 += by_province(stand_harvest[cut] / p.tco2_per_m3, cut)
                small = regime[due] == 0
                switch = small & (lev[zone[due], 1, cls[due]] > lev[zone[due], 0, cls[due]])
                s.ftype[cut[switch]] = LARGE_TIMBER
                s.age[cut] = s.phase[cut]
                s.c[cut] = 0.0
        if pol.natural_harvest_rate > 0:
            logged = np.flatnonzero((s.ftype == PRODUCTION_NATURAL) & (s.area > 0))
            before = s.c[logged]
            s.agb[logged] *= 1.0 - pol.natural_harvest_rate
            s.c[logged] = self._density(s, logged)
            stand_harvest[logged] += s.area[logged] * (before - s.c[logged])
            harvest += by_province(s.area[logged] * (before - s.c[logged]), logged)

        # 2. Growth (replanted stands grow in their first year).
        c_before = s.c
        increment = natural_increment(p, s.age, s.mountain)
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
            s.agb_cap[nat_burned] = regrowth_cap(p, s.mountain[nat_burned])

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
        return Flows(removals, harvest, fire, conversion, converted_ha, harvested_ha,
                     harvested_age_ha, harvested_m3, stand_harvest)

    def _within_capacity(self, s: Stands, pl: np.ndarray, due: np.ndarray) -> np.ndarray:
        """Due stands a province's mills can take this year.

        Oldest first until the intake (m3/yr) is reached (the stand that reaches it is still
        cut); the rest wait a year.
        """
        out = due.copy()
        idx = pl[due]
        m3 = s.area[idx] * s.c[idx] / self.params.tco2_per_m3
        for q in np.flatnonzero(np.isfinite(self.harvest_capacity)):
            mine = np.flatnonzero(s.province[idx] == q)
            order = mine[np.argsort(-s.age[idx[mine]], kind="stable")]
            before = np.cumsum(m3[order]) - m3[order]
            out[np.flatnonzero(due)[order[before >= self.harvest_capacity[q]]]] = False
        return out

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
        # New stands' class cycles with the year: the distribution without random draws.
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
        cap = regrowth_cap(p, mountain)
        n = len(z)
        return {
            "zone": z, "province": self.zone_province[z], "mountain": mountain,
            "ftype": np.full(n, ftype), "owner": owner, "rate_idx": rate, "area": area,
            "age": np.zeros(n), "phase": np.zeros(n), "agb": np.zeros(n),
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

        Keys: forest_area_ha and forest_carbon_stock_tco2e (n_provinces, 5); per province
        (n_provinces,) the :data:`FLOW_NAMES` (flows of the year just stepped, NaN before the
        first step) and the :data:`STOCK_NAMES` (year-end balances, 0 in the base year).
        Province order = region.provinces rows; forest types in FOREST_TYPES order.
        ``carbon_credits_tco2e`` are issued after buffer and leakage; ``carbon_payments_vnd`` is
        what owners receive (negative: charged for a loss), never the buffer share.
        """
        out = {
            "forest_area_ha": self.area_by_type(),
            "forest_carbon_stock_tco2e": self.stock_by_type(),
            "buffer_pool_tco2e": self.ledger.buffer.copy(),
            "additional_stock_tco2e": self.additional.copy(),
        }
        f = self._flows
        if f is None:
            out.update({n: np.full(self.n_provinces, np.nan) for n in FLOW_NAMES})
            return out
        s = self.stands
        paid_area = np.where(s.age >= self.params.pfes_min_stand_age_yr, s.area, 0.0)
        pfes = np.bincount(s.province, weights=paid_area * self.pfes_rate(self.year)[s.zone],
                           minlength=self.n_provinces)
        with np.errstate(invalid="ignore", divide="ignore"):
            rotation = np.where(f.harvested_ha > 0, f.harvested_age_ha / f.harvested_ha, np.nan)
        led = self.ledger
        out.update({
            "forest_removals_tco2e": f.removals.copy(),
            "forest_emissions_harvest_tco2e": f.harvest.copy(),
            "forest_emissions_fire_tco2e": f.fire.copy(),
            "forest_emissions_conversion_tco2e": f.conversion.copy(),
            "forest_net_absorption_tco2e": f.net,
            "plantation_rotation_age": rotation,
            "carbon_credits_tco2e": led.credits.copy(),
            "credit_reversals_tco2e": led.reversals.copy(),
            "credit_cancellations_tco2e": led.cancelled.copy(),
            "credit_leakage_tco2e": led.leakage.copy(),
            "carbon_payments_vnd": self._carbon_payments.copy(),
            "pfes_payments_vnd": pfes,
            "afforested_ha": self._afforested.copy(),
            "forest_converted_ha": f.converted_ha.copy(),
        })
        return out

