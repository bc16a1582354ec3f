"""Levers by year: land-rent exemptions, Hà Nội's relocation push, logistics and customs.

Inputs: :class:`model.config.PolicyParams` resolved against the region (sector ids, provinces,
cluster selectors are checked here, with errors naming the allowed values). Corridors are a
transport lever (``model/transport.py``).

Land-rent exemption. A firm moving in year *t* into a cluster eligible under a programme
(clusters, provinces, sectors, pollution classes, ``start_year <= t <= end_year``, budget left)
pays no rent on ``share`` of its land for ``years`` years. With leases annualised at the firms'
discount rate *r* over the lease term *T*, the exemption lowers the annual-equivalent land cost by
the fraction::

    e = share * (1 - (1 + r)^-years) / (1 - (1 + r)^-T)

so a 5-year exemption is worth what it is worth over a 45-year lease (about 38 % of the annual
cost at r = 10 %, not 5/45). Programmes do not stack: a firm gets the largest *e* it qualifies for.
The province forgoes ``share`` × the annual-equivalent rent in each exempted year
(``rent_forgone_vnd``); a programme's budget caps the sum it commits (undiscounted), after which
it grants no new exemptions.

Relocation push. Firms of the targeted sectors or pollution classes in the targeted Hà Nội zones
face, from ``start_year`` to ``deadline_year``, the extra annual hazard
``h_push = 1 - (1 - share_by_deadline)^(1 / n)`` (n = years of the programme), so that the target
share would have been drawn by the deadline; a firm the push draws must leave (staying is not among
its choices) unless no cluster has room. Targeted firms that consider moving for their own reasons
(their ordinary hazard) may still stay.

Logistics (logistics points, customs clearance, one-stop customs, dry ports) is costed in
``model/freight.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ExemptionProgramme, FirmParams, PolicyParams
from .errors import ConfigError
from .region import Region

CLUSTER_SELECTORS = ("all", "priority", "industrial_cluster", "industrial_park", "logistics")
POLLUTION_CLASSES = ("low", "medium", "high")


def annuity_fraction(years: float, rate: float, term: float) -> float:
    """Share of a lease's annual-equivalent cost that its first ``years`` years are worth."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return min(years, term) / term
    return (1 - (1 + rate) ** -min(years, term)) / (1 - (1 + rate) ** -term)


def capital_recovery(rate: float, term: float) -> float:
    """Annual payment per unit of present value over ``term`` years at ``rate``."""
    if rate == 0:
        return 1.0 / term
    return rate / (1 - (1 + rate) ** -term)


@dataclass
class Exemption:
    """One programme resolved against the region."""

    name: str
    years: int
    share: float
    value: float
    clusters: np.ndarray
    sectors: np.ndarray
    start_year: int
    end_year: int
    budget_vnd: float
    committed_vnd: float = 0.0

    def open_in(self, year: int) -> bool:
        """Whether moves in ``year`` can still qualify."""
        return self.start_year <= year <= self.end_year and self.committed_vnd < self.budget_vnd


def _check_known(key: str, values: list[str], allowed: list[str], what: str,
                 errors: list[str]) -> None:
    for v in values:
        if v not in allowed:
            errors.append(f"{key}: unknown {what} {v!r}; allowed: {', '.join(allowed)}")


class Policies:
    """The levers of a run, resolved to arrays over clusters, sectors and zones."""

    def __init__(self, params: PolicyParams, firm_params: FirmParams, region: Region,
                 core_zones: np.ndarray):
        """Resolve every lever; raise one ConfigError listing every unknown id."""
        self.params = params
        self.region = region
        errors: list[str] = []
        sectors = list(region.sectors["sector_id"])
        self.sector_pollution = region.sectors["pollution_class"].to_numpy()
        self.exemptions = [
            self._resolve_exemption(name, prog, firm_params, sectors, errors)
            for name, prog in params.exemptions.items()
        ]
        push = params.push
        _check_known("policies.push.sectors", push.sectors, sectors, "sector", errors)
        _check_known("policies.push.pollution_classes", push.pollution_classes,
                     list(POLLUTION_CLASSES), "pollution class", errors)
        if push.deadline_year < push.start_year:
            errors.append("policies.push.deadline_year: must not be before start_year")
        self.push_zones = self._push_zones(push.zones, core_zones, errors)
        self.push_sectors = (
            np.isin(region.sectors["sector_id"].to_numpy(), push.sectors)
            | np.isin(self.sector_pollution, push.pollution_classes)
        )
        if errors:
            raise ConfigError("policies", errors)

    def _resolve_exemption(self, name: str, prog: ExemptionProgramme, firm: FirmParams,
                           sectors: list[str], errors: list[str]) -> Exemption:
        key = f"policies.exemptions.{name}"
        c = self.region.clusters
        _check_known(f"{key}.sectors", prog.sectors, sectors, "sector", errors)
        _check_known(f"{key}.pollution_classes", prog.pollution_classes,
                     list(POLLUTION_CLASSES), "pollution class", errors)
        if prog.end_year < prog.start_year:
            errors.append(f"{key}.end_year: must not be before start_year")
        selector = prog.clusters.strip()
        if selector == "all":
            clusters = np.ones(len(c), dtype=bool)
        elif selector == "priority":
            clusters = c["priority"].to_numpy(dtype=bool)
        elif selector in CLUSTER_SELECTORS:
            clusters = (c["kind"] == selector).to_numpy()
        else:
            ids = [s.strip() for s in selector.split(";") if s.strip()]
            known = set(c["cluster_id"])
            bad = [i for i in ids if i not in known]
            if bad:
                errors.append(
                    f"{key}.clusters: {', '.join(repr(b) for b in bad[:5])} "
                    f"{'is not a' if len(bad) == 1 else 'are not'} cluster id(s) of clusters.csv; "
                    f"use one of {', '.join(CLUSTER_SELECTORS)} or cluster ids separated by ';'"
                )
            clusters = c["cluster_id"].isin(ids).to_numpy()
        if prog.provinces:
            chosen = self.region.province_mask(prog.provinces, f"{key}.provinces")
            clusters = clusters & chosen[c["province_idx"].to_numpy()]
        sector_ok = np.ones(len(sectors), dtype=bool)
        if prog.sectors:
            sector_ok &= np.isin(sectors, prog.sectors)
        if prog.pollution_classes:
            sector_ok &= np.isin(self.sector_pollution, prog.pollution_classes)
        return Exemption(
            name=name, years=prog.years, share=prog.share,
            value=prog.share * annuity_fraction(prog.years, firm.discount_rate,
                                                firm.lease_term_yr),
            clusters=clusters, sectors=sector_ok, start_year=prog.start_year,
            end_year=prog.end_year,
            budget_vnd=np.inf if prog.budget_vnd is None else prog.budget_vnd,
        )

    def _push_zones(self, spec: str, core_zones: np.ndarray, errors: list[str]) -> np.ndarray:
        zones = self.region.zones
        in_hanoi = (zones["province"] == "Hà Nội").to_numpy()
        if spec.strip() == "core":
            return core_zones & in_hanoi
        ids = [s.strip() for s in spec.split(";") if s.strip()]
        bad = [i for i in ids if i not in self.region.zone_index]
        if bad:
            errors.append(f"policies.push.zones: unknown zone id(s) {', '.join(bad)}; use 'core' "
                          "or zone ids of zones.csv separated by ';'")
        return zones["zone_id"].isin(ids).to_numpy()

    def exemption_value(self, year: int, sectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best exemption per (firm, cluster): its cost fraction and programme index (-1: none).

        Args:
            year: the year of the move.
            sectors: sector index of each firm considered.
        """
        n_clusters = len(self.region.clusters)
        value = np.zeros((len(sectors), n_clusters))
        which = np.full((len(sectors), n_clusters), -1, dtype=np.int64)
        for k, prog in enumerate(self.exemptions):
            if prog.value <= 0 or not prog.open_in(year):
                continue
            eligible = prog.sectors[sectors][:, None] & prog.clusters[None, :]
            better = eligible & (prog.value > value)
            value[better] = prog.value
            which[better] = k
        return value, which

    def push_hazard(self, year: int) -> float:
        """Extra annual hazard of the firms the push targets, in ``year``."""
        push = self.params.push
        if push.share_by_deadline <= 0 or not push.start_year <= year <= push.deadline_year:
            return 0.0
        n_years = push.deadline_year - push.start_year + 1
        return 1.0 - (1.0 - push.share_by_deadline) ** (1.0 / n_years)
