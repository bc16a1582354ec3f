"""The validated run configuration: frozen dataclasses built from plain dictionaries.

A run is configured by one :class:`RunConfig`. It is made from nested dictionaries (what YAML and
Hydra give) by :func:`build_config`, which checks every key, type and range and reports *all*
problems at once with their dotted key, what was found and what is allowed. The model never sees
an unvalidated value and never imports Hydra.

Defaults live here, once: the Hydra schema (``configs/``) and the Python API are both derived from
these dataclasses. Every behavioural parameter carries metadata (see :func:`param`):

- ``units``: the unit of the value;
- ``source``: a short reference for the default, or ``"assumed"``;
- ``bounds``: the values the model accepts (validation);
- ``range``: the plausible range of an uncertain value (used by sensitivity sweeps), required when
  the source is ``"assumed"``;
- ``lever_range``: the values experiments explore for a policy lever (``model/levers.py`` lists
  the levers; a year lever whose type allows none or ``"never"`` also takes that option).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import ConfigError

BASE_YEAR = 2025
"""Year the region tables describe (docs/region-data.md): every run starts in it."""

NEVER = "never"
"""Corridor opening year meaning that the corridor does not open within the horizon."""


def param(
    default: Any,
    *,
    units: str = "",
    source: str = "",
    bounds: tuple[float | None, float | None] | None = None,
    range: tuple[float, float] | None = None,
    lever_range: tuple[float, float] | None = None,
    doc: str = "",
) -> Any:
    """Declare a configuration field with its documentation metadata."""
    meta = {"units": units, "source": source, "bounds": bounds, "range": range,
            "lever_range": lever_range, "doc": doc}
    if isinstance(default, (dict, list)):
        frozen_default = default
        return field(default_factory=lambda: type(frozen_default)(frozen_default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunSettings:
    """Horizon, scale and console behaviour of one run."""

    start_year: int = param(
        BASE_YEAR, units="year", source="base year of the region data",
        bounds=(2000, 2100), doc="Base year of the data; its values are the initial state. Must "
        "equal the region's base year (2025): the model does not project the data.",
    )
    end_year: int = param(
        2045, units="year", source="Resolution 02-NQ/TW horizon (vision to 2045)",
        bounds=(2000, 2100), doc="Last simulated year (inclusive).",
    )
    agent_scale: float = param(
        1.0, units="1", source="design: one agent per real firm and worker",
        bounds=(0.0, 1.0),
        doc="Agents per real firm/worker (0 < s <= 1); outputs are scaled back to real counts.",
    )
    progress: bool = param(
        True, doc="Show a progress bar on the console (off automatically when not a terminal).",
    )


@dataclass(frozen=True)
class RegionSettings:
    """Where the region tables come from."""

    path: str | None = param(
        None, doc="Folder with the region tables; empty = the embedded default region.",
    )


@dataclass(frozen=True)
class RailService:
    """Peak service of one rail line type: frequency and train size."""

    trains_per_peak_hour: float = param(
        1.0, units="trains/h", source="per line type: transport.rail_service",
        bounds=(0.01, 60.0), doc="Trains per hour and direction in the commuting peak.",
    )
    train_capacity: float = param(
        500.0, units="passengers", source="per line type: transport.rail_service",
        bounds=(1.0, 5000.0), doc="Passengers one train carries (seated and standing).",
    )


@dataclass(frozen=True)
class TransportParams:
    """Travel-time model: speeds by mode on the link network and corridor opening years."""

    centre_zone: str = param(
        "HN_HOAN_KIEM", doc="Zone standing for central Hà Nội (travel-time indicator target).",
    )
    motorbike_max_speed_kmh: float = param(
        40.0, units="km/h", source="assumed", bounds=(5.0, 120.0), range=(35.0, 50.0),
        doc="Motorbikes ride road links at min(link speed, this); they may not use expressways.",
    )
    shuttle_bus_speed_factor: float = param(
        0.85, units="1", source="assumed", bounds=(0.1, 1.0), range=(0.75, 0.95),
        doc="Company shuttle bus speed as a share of car speed (few stops, door to gate).",
    )
    public_bus_speed_factor: float = param(
        0.65, units="1", source="assumed", bounds=(0.1, 1.0), range=(0.55, 0.8),
        doc="Public bus speed as a share of car speed (stops, detours).",
    )
    bus_max_speed_kmh: float = param(
        80.0, units="km/h", source="assumed; Circular 31/2019/TT-BGTVT caps coaches at 80-90",
        bounds=(10.0, 150.0), range=(70.0, 90.0),
        doc="Speed cap of buses on any link.",
    )
    rail_feeder_speed_kmh: float = param(
        25.0, units="km/h", source="assumed", bounds=(3.0, 80.0), range=(15.0, 35.0),
        doc="Speed of the road legs of a rail trip (feeder bus, motorbike taxi).",
    )
    rail_access_min: float = param(
        20.0, units="min", source="assumed: a zone's station serves only part of it - reaching "
        "the platform at the home end and the gate from the station at the work end (~10 min "
        "each, ticketing included)", bounds=(0.0, 120.0), range=(10.0, 30.0),
        doc="Access and egress time of a rail trip, added at boarding; the wait for the train "
        "(half the headway of its line type, rail_service) comes on top.",
    )
    rail_service: dict[str, RailService] = param(  # noqa: RUF009 - a default_factory field
        {
            "metre_gauge": RailService(
                trains_per_peak_hour=0.5, train_capacity=600,
            ),
            "standard_gauge": RailService(
                trains_per_peak_hour=2.0, train_capacity=1000,
            ),
            "urban_rail": RailService(
                trains_per_peak_hour=10.0, train_capacity=960,
            ),
        },
        source="metre gauge: Vietnam Railways timetables (Hà Nội - Hải Phòng 2 daytime trains "
        "from Hà Nội station, LP3 09:20 and LP5 15:15, VNA 2023; Hà Nội - Lào Cai night trains "
        "only, SP3 22:00; Hà Nội - Thái Nguyên one pair a day): at most one train per direction "
        "in a 2-hour commuting peak, 8-10 coaches of ~64 seats (assumed); urban rail: lines 2A "
        "and 3 run every 6 min at peak, 4-car trains of ~960 passengers (Hà Nội Metro, Viet "
        "Nam News 4 Feb 2025); standard gauge (Lào Cai - Hà Nội - Hải Phòng, 2030): assumed "
        "2 trains/h of ~1,000 (range 1-4 trains/h)",
        doc="Service of each rail line type: trains per peak hour and passengers per train. The "
        "wait at boarding is half the headway (30 / trains_per_peak_hour min); a line carries "
        "at most trains_per_peak_hour x train_capacity x peak_hours riders per direction. Rail "
        "links of mode urban_rail are urban_rail; rail links are metre_gauge unless their "
        "corridor is in standard_gauge_corridors.",
    )
    standard_gauge_corridors: list[str] = param(  # noqa: RUF009 - a default_factory field
        ["lao_cai_hanoi_haiphong_rail"], source="data-facts: the Lào Cai - Hà Nội - Hải Phòng "
        "railway is standard gauge (broke ground Dec 2025)",
        doc="Corridors of links.csv whose rail links are standard-gauge lines (names absent "
        "from links.csv are ignored).",
    )
    peak_hours: float = param(
        2.0, units="h", source="assumed: factory shifts start within a ~2-hour morning window",
        bounds=(0.1, 24.0), range=(1.5, 3.0),
        doc="Length of the commuting peak over which a line's (rail, green bus) capacity is "
        "counted.",
    )
    peak_speed_factor: float = param(
        0.45, units="1", source="assumed; calibrated to data-facts 'add 20-45 min at peak' from "
        "central Hà Nội (gives +22 to +39 min)", bounds=(0.05, 1.0), range=(0.35, 0.6),
        doc="Peak-hour road speed as a share of off-peak speed on links inside the dense core.",
    )
    congested_density_per_km2: float = param(
        2000.0, units="persons/km2", source="assumed; with the factor above, calibrated to the "
        "same facts", bounds=(0.0, None), range=(1500.0, 3000.0),
        doc="Zones at least this dense form the congested core: road links with both ends in "
        "the core run at the peak speed factor in the peak period.",
    )
    corridors: dict[str, int | str] = param(  # noqa: RUF009 - a default_factory field
        {}, units="year", lever_range=(2026, 2040),
        doc=(
            "Opening year per corridor id of links.csv, overriding the data: a year, or 'never'. "
            "It moves the corridor's sections not yet open in the base year; built sections "
            "stay. Corridors not named keep the data's open_year (empty there = never)."
        ),
    )


@dataclass(frozen=True)
class FirmParams:
    """Firm population, relocation hazard and location choice (``model/firms.py``)."""

    employees_sigma: float = param(
        1.0, units="1", source="assumed; firm sizes are close to lognormal (Axtell 2001)",
        bounds=(0.0, 3.0), range=(0.7, 1.4),
        doc="Standard deviation of log employees within a sector (mean from sectors.csv).",
    )
    age_mean_yr: float = param(
        12.0, units="yr", source="assumed", bounds=(1.0, 60.0), range=(8.0, 16.0),
        doc="Mean firm age in the base year (exponential distribution, capped at 60).",
    )
    tenant_share: float = param(
        0.6, units="1", source="assumed", bounds=(0.0, 1.0), range=(0.4, 0.8),
        doc="Share of firms renting their premises (the others own them).",
    )
    lease_remaining_max_yr: int = param(
        10, units="yr", source="assumed", bounds=(1, 60), range=(5, 15),
        doc="Tenants' remaining lease in the base year is uniform on 1..this.",
    )
    hazard_small: float = param(
        0.04, units="1/yr", source="data-facts: 3-10 %/yr for small establishments, most moves "
        "short (not to industrial land); lower end taken", bounds=(0.0, 1.0),
        range=(0.02, 0.08),
        doc="Annual probability that a small firm (< 50 employees) considers moving to "
        "industrial land.",
    )
    hazard_medium: float = param(
        0.025, units="1/yr", source="interpolated between small and large (data-facts)",
        bounds=(0.0, 1.0), range=(0.015, 0.05), doc="The same for 50-249 employees.",
    )
    hazard_large: float = param(
        0.015, units="1/yr", source="data-facts: 1-3 %/yr for large plants; UrbanSim ~2 %/yr",
        bounds=(0.0, 1.0), range=(0.01, 0.03), doc="The same for 250 or more employees.",
    )
    sector_hazard_multiplier: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {}, source="assumed: 1 for every sector unless set (no sector-specific rates in the "
        "facts sheet)", doc="Hazard multiplier per sector id (sectors.csv).",
    )
    young_age_yr: float = param(
        5.0, units="yr", source="Brouwer et al. 2004: relocation falls with firm age",
        bounds=(0.0, 100.0), doc="Firms younger than this are 'young'.",
    )
    young_multiplier: float = param(
        1.5, units="1", source="assumed; direction from Brouwer et al. 2004",
        bounds=(0.0, 10.0), range=(1.2, 2.0), doc="Hazard multiplier of young firms.",
    )
    lease_end_multiplier: float = param(
        2.5, units="1", source="assumed", bounds=(0.0, 20.0), range=(1.5, 4.0),
        doc="Hazard multiplier in the year a tenant's lease ends.",
    )
    expansion_share: float = param(
        0.2, units="1", source="assumed", bounds=(0.0, 1.0), range=(0.1, 0.3),
        doc="Share of firms that need more space (expanding) in a given year.",
    )
    expansion_multiplier: float = param(
        2.0, units="1", source="assumed", bounds=(0.0, 20.0), range=(1.5, 3.0),
        doc="Hazard multiplier of a firm that needs more space.",
    )
    hanoi_rent_growth: float = param(
        0.03, units="1/yr", source="assumed; Hà Nội industrial rents rose faster than "
        "inflation 2020-2025 (data-facts: 'nearly full')", bounds=(-0.2, 0.5),
        range=(0.0, 0.06), doc="Real growth of rents at firms' current premises in Hà Nội.",
    )
    rent_pressure_elasticity: float = param(
        1.0, units="1", source="assumed", bounds=(0.0, 10.0), range=(0.5, 2.0),
        doc="Hazard multiplier (rent_t / rent_base)^elasticity for firms in Hà Nội premises.",
    )
    min_years_between_moves: int = param(
        10, units="yr", source="assumed: a new 40-45-year lease is a long commitment",
        bounds=(0, 100), range=(5, 20),
        doc="A firm that moved does not consider moving again for this many years.",
    )
    discount_rate: float = param(
        0.10, units="1/yr", source="assumed; Vietnamese SME lending rates ~8-12 %",
        bounds=(0.0, 1.0), range=(0.08, 0.14),
        doc="Firms' discount rate for annualising leases, exemptions and moving costs.",
    )
    lease_term_yr: float = param(
        45.0, units="yr", source="data-facts: leases run ~40-45 years, paid up front",
        bounds=(1.0, 99.0), doc="Industrial land lease term.",
    )
    usd_vnd: float = param(
        26000.0, units="VND/USD", source="data-facts (~26,000 VND/US$, L)",
        bounds=(1.0, None), range=(24000.0, 27000.0), doc="Exchange rate.",
    )
    minimum_wage_vnd_month: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {"I": 5_310_000.0, "II": 4_730_000.0, "III": 4_140_000.0, "IV": 3_700_000.0},
        units="VND/month", source="Decree 293/2025/ND-CP, from 1 Jan 2026 (H)",
        doc="Regional minimum wage by wage region.",
    )
    wage_markup: float = param(
        1.6, units="1", source="assumed: average manufacturing wage / regional minimum",
        bounds=(1.0, 5.0), range=(1.3, 2.0), doc="Wage bill = employees x minimum x markup.",
    )
    freight_trips_per_worker_yr: float = param(
        15.0, units="trips/worker/yr", source="assumed", bounds=(0.0, 1000.0),
        range=(5.0, 30.0), doc="Truck trips (one way) a firm ships per employee and year.",
    )
    freight_cost_vnd_per_truck_hour: float = param(
        600_000.0, units="VND/h", source="assumed (driver, fuel, truck time)",
        bounds=(0.0, None), range=(400_000.0, 900_000.0), doc="Cost of an hour of truck time.",
    )
    moving_cost_vnd_per_worker: float = param(
        30_000_000.0, units="VND/worker", source="assumed (machinery, fit-out, downtime)",
        bounds=(0.0, None), range=(10_000_000.0, 60_000_000.0),
        doc="One-off cost of a move per employee, annualised over the lease term.",
    )
    beta_cost: float = param(
        -1.0, units="1/(bn VND/yr)", source="assumed: sets the logit scale", bounds=(None, 0.0),
        range=(-2.0, -0.5), doc="Utility per billion VND of annual cost (land, wages, freight, "
        "moving).",
    )
    retention_quit_max: float = param(
        0.85, units="1", source="fitted to the workers sub-model's retention table "
        "(docs/calibration.md: 25 % quit < 20 min ... 82 % > 90 min)", bounds=(0.0, 1.0),
        range=(0.7, 0.95), doc="Share of a firm's workers lost on a very long move.",
    )
    retention_tau_min: float = param(
        30.0, units="min", source="fitted to the workers sub-model's retention table "
        "(docs/calibration.md)", bounds=(1.0, 600.0), range=(20.0, 45.0),
        doc="Peak car minutes over which the quit share q(T) = q_max (1 - exp(-T / tau)) rises.",
    )
    replacement_cost_wage_share: float = param(
        0.16, units="1", source="Boushey & Glynn 2012 (CAP): replacing a worker earning under "
        "US$30,000 costs ~16 % of annual pay (median 21 % over all jobs)", bounds=(0.0, 5.0),
        range=(0.1, 0.5), doc="One-off cost of replacing a worker lost, as a share of the annual "
        "wage at the old site (annualised over the lease term).",
    )
    ties_cost_vnd_per_min_yr: float = param(
        6.0e7, units="VND/(min yr)", source="calibrated (docs/calibration.md) to most moves "
        "short; stands for customers and suppliers left behind (embeddedness: Knoben 2011, "
        "Weterings & Knoben 2012), not only for trips",
        bounds=(0.0, None), range=(3.0e7, 9.0e7),
        doc="Yearly cost per peak car minute from the old site for a firm of "
        "ties_reference_employees.",
    )
    ties_reference_employees: float = param(
        100.0, units="workers", bounds=(1.0, None),
        source="definition: the firm size at which ties_cost_vnd_per_min_yr is stated",
        doc="Firm size at which the ties cost equals ties_cost_vnd_per_min_yr.",
    )
    ties_size_elasticity: float = param(
        0.5, units="1", source="assumed; < 1 because larger firms relocate over longer distances "
        "(Pellenbarg et al. 2002; Weterings & Knoben 2012; de Bok & van Oort 2011: firm size "
        "dominates relocation behaviour)", bounds=(0.0, 2.0), range=(0.3, 1.0),
        doc="Elasticity of the ties cost with respect to employees.",
    )
    beta_labour_access: float = param(
        0.5, units="1", source="assumed", bounds=(None, None), range=(0.2, 1.0),
        doc="Utility per unit of log labour force within the commute threshold.",
    )
    labour_access_min: float = param(
        60.0, units="min", source="data-facts: commute tolerance 45-60 min typical",
        bounds=(1.0, 300.0), range=(45.0, 75.0),
        doc="Peak motorbike time within which a zone's labour force counts as reachable.",
    )
    beta_agglomeration: float = param(
        0.3, units="1", source="assumed", bounds=(None, None), range=(0.1, 0.5),
        doc="Utility per unit of log(1 + firms of the same sector in the zone).",
    )
    beta_size: float = param(
        1.0, units="1", source="Ben-Akiva & Lerman 1985, ch. 9: a cluster aggregates elemental "
        "plots, size term ln(vacant ha) with coefficient 1", bounds=(0.0, 5.0),
        doc="Utility per unit of log vacant serviced land of a cluster (real ha).",
    )
    asc_stay: float = param(
        7.0, units="1", source="calibrated (docs/calibration.md) to 300-600 moves into clusters "
        "a year; it also absorbs the size term's scale (ln of vacant ha)",
        bounds=(None, None), range=(6.0, 8.0), doc="Utility of staying put.",
    )
    province_asc: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {}, source="assumed: 0 for every province unless set",
        doc="Utility constant per destination province (unobserved attractiveness).",
    )
    lottery_rounds: int = param(
        20, bounds=(1, 1000), doc="Rounds of the capacity lottery before unplaced movers stay.",
    )


@dataclass(frozen=True)
class WorkerParams:
    """Workers of the modelled firms: homes, commutes, and responses to relocation."""

    commute_km_target: float = param(
        15.0, units="km", source="data-facts: Vietnamese motorbike commuters ride ~15 km each way "
        "(M)", bounds=(1.0, 100.0), range=(10.0, 20.0),
        doc="Mean one-way home-work distance of the base-year workforce; the distance-decay "
        "coefficient of home locations is solved to match it.",
    )
    home_max_min: float = param(
        90.0, units="min", source="data-facts: 90 min hard bound on daily one-way commutes (L)",
        bounds=(10.0, 300.0), range=(75.0, 105.0),
        doc="Homes are drawn only in zones within this peak motorbike time of the workplace.",
    )
    intrazonal_km_factor: float = param(
        0.5, units="1", source="assumed: mean distance within a compact zone ~0.5 sqrt(area)",
        bounds=(0.0, 5.0), range=(0.4, 0.7),
        doc="Intra-zone trip length = factor × sqrt(zone area km²).",
    )
    intrazonal_speed_kmh: float = param(
        20.0, units="km/h", source="assumed (local streets)", bounds=(1.0, 100.0),
        range=(15.0, 30.0), doc="Speed of intra-zone trips, all modes.",
    )
    tolerance_median_min: float = param(
        55.0, units="min", source="data-facts: one-way tolerance 45-60 min typical (L)",
        bounds=(1.0, 300.0), range=(45.0, 60.0),
        doc="Median of workers' one-way commute tolerance (lognormal).",
    )
    tolerance_sigma: float = param(
        0.2, units="1", source="assumed: most tolerances within 45-70 min", bounds=(0.0, 2.0),
        range=(0.1, 0.3), doc="Log-sd of commute tolerance.",
    )
    tolerance_max_min: float = param(
        90.0, units="min", source="data-facts: 90 min hard bound (L)", bounds=(1.0, 300.0),
        range=(75.0, 105.0), doc="No tolerance exceeds this.",
    )
    high_skill_share: float = param(
        0.2, units="1", source="assumed (technicians, engineers, managers)", bounds=(0.0, 1.0),
        range=(0.1, 0.3), doc="Share of high-skill workers.",
    )
    older_share: float = param(
        0.25, units="1", source="assumed (aged 40+)", bounds=(0.0, 1.0), range=(0.15, 0.35),
        doc="Share of older workers (less willing to move home).",
    )
    motorbike_share: float = param(
        0.9, units="1", source="assumed: ~85-90 % of Vietnamese households own a motorbike",
        bounds=(0.0, 1.0), range=(0.8, 0.95), doc="Workers with a motorbike.",
    )
    car_share_low_skill: float = param(
        0.05, units="1", source="assumed", bounds=(0.0, 1.0), range=(0.02, 0.1),
        doc="Low-skill workers with a car.",
    )
    car_share_high_skill: float = param(
        0.3, units="1", source="assumed", bounds=(0.0, 1.0), range=(0.15, 0.45),
        doc="High-skill workers with a car.",
    )
    value_of_time_vnd_h: float = param(
        25_000.0, units="VND/h", source="assumed: ~half the hourly wage of a factory worker "
        "(~7 m VND/month)", bounds=(0.0, None), range=(15_000.0, 40_000.0),
        doc="Money-equivalent of an hour of commuting.",
    )
    cost_vnd_km: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {"motorbike": 600.0, "car": 3500.0, "shuttle_bus": 0.0, "public_bus": 1000.0,
         "rail": 500.0},
        units="VND/km", source="assumed: fuel (motorbike ~2 L/100 km, car ~8 L/100 km at "
        "~25,000 VND/L) plus wear and parking; shuttles paid by the employer; intercity bus "
        "~1,000 VND/km and rail ~400-600 VND/km fares; ranges ±30 %",
        doc="Out-of-pocket cost per km by mode.",
    )
    mode_constant_min: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {"motorbike": 0.0, "car": 5.0, "shuttle_bus": -10.0, "public_bus": -20.0, "rail": -40.0},
        units="min", source="assumed: comfort and waiting, in equivalent minutes (positive = "
        "preferred); rail calibrated to the base-year rail share of factory workers "
        "(docs/calibration.md: 0.1-1 %, ~0.3 % central)",
        doc="Mode constants added to the negative generalised cost.",
    )
    mode_scale_per_min: float = param(
        0.08, units="1/min", source="assumed", bounds=(0.0, 10.0), range=(0.04, 0.15),
        doc="Logit scale of mode choice per minute of generalised cost.",
    )
    beta_extra_commute_per_min: float = param(
        -0.06, units="1/min", source="assumed; Hà Nội's record: workers' reluctance to commute "
        "stalls relocations (data-facts)", bounds=(None, 0.0), range=(-0.1, -0.03),
        doc="Utility of commuting per extra minute of one-way generalised cost after a move.",
    )
    asc_move_home: float = param(
        -3.5, units="1", source="calibrated (docs/calibration.md, retention by move length)",
        bounds=(None, None), range=(-4.5, -2.5),
        doc="Utility of moving home near the new workplace (relative to commuting at no extra "
        "time).",
    )
    older_move_penalty: float = param(
        -1.0, units="1", source="assumed", bounds=(None, None), range=(-2.0, 0.0),
        doc="Extra utility of moving home for older workers.",
    )
    high_skill_move_bonus: float = param(
        0.5, units="1", source="assumed", bounds=(None, None), range=(0.0, 1.0),
        doc="Extra utility of moving home for high-skill workers.",
    )
    asc_quit: float = param(
        -4.0, units="1", source="calibrated (docs/calibration.md, retention by move length)",
        bounds=(None, None), range=(-5.0, -3.0),
        doc="Utility of quitting (relative to commuting at no extra time).",
    )
    housing_reach_min: float = param(
        30.0, units="min", source="assumed", bounds=(0.0, 300.0), range=(15.0, 45.0),
        doc="Movers look for housing in zones within this peak motorbike time of the workplace.",
    )
    labour_pool_share: float = param(
        0.05, units="1", source="assumed: job seekers and switchers available to the modelled "
        "firms over the horizon", bounds=(0.0, 1.0), range=(0.02, 0.1),
        doc="Share of each zone's labour force that relocated firms can hire locally.",
    )
    hire_reach_min: float = param(
        60.0, units="min", source="data-facts: commute tolerance 45-60 min", bounds=(1.0, 300.0),
        range=(45.0, 75.0), doc="Local hires come from zones within this peak motorbike time.",
    )
    working_days_yr: float = param(
        300.0, units="days/yr", source="assumed: 6-day weeks common in Vietnamese factories",
        bounds=(0.0, 366.0), range=(260.0, 312.0), doc="Commuting days a year.",
    )
    emission_kg_km: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {"motorbike": 0.05, "car": 0.16, "shuttle_bus": 0.03, "public_bus": 0.04, "rail": 0.02},
        units="kgCO2/passenger-km", source="assumed from fuel use (IPCC 2006 mobile combustion "
        "factors: gasoline 2.3 kg/L, diesel 2.7 kg/L) and occupancy (car 1.2, shuttle 30, bus "
        "20); rail electric at ~0.7 kg/kWh grid; ranges ±30 %",
        doc="Commuting emissions per passenger-km by mode.",
    )
    electric_bus_kg_km: float = param(
        0.02, units="kgCO2/passenger-km", source="assumed: ~1.2 kWh/km at ~0.7 kg/kWh, 40 pax",
        bounds=(0.0, 1.0), range=(0.01, 0.03),
        doc="Emissions of green (electric) public bus lines.",
    )


@dataclass(frozen=True)
class ForestParams:
    """Biophysics, owners' economics and behaviour of the forest sub-model (``model/forest/``)."""

    # --- resolution -------------------------------------------------------------------------
    max_stand_ha: float = param(
        25.0, units="ha", source="design: resolution (~2.4e4 stands for the default region)",
        bounds=(0.01, None), doc="Largest sub-stand a forest.csv row is split into.",
    )
    max_substands_per_row: int = param(
        100, units="1", source="design: caps the stand count of very large rows",
        bounds=(1, 1000), doc="Most sub-stands per forest.csv row and owner type.",
    )
    # --- natural forest (IPCC 2006/2019, AFOLU ch. 4) ----------------------------------------
    carbon_fraction: float = param(
        0.47, units="tC/t d.m.", source="IPCC 2006 Vol. 4 Table 4.3 (data-facts, M)",
        bounds=(0.3, 0.6), doc="Carbon fraction of dry biomass.",
    )
    root_shoot_moist_low: float = param(
        0.20, units="1", source="IPCC 2006 Vol. 4 Table 4.4, tropical moist deciduous, "
        "AGB < 125 t/ha (data-facts, M)", bounds=(0.0, 1.0),
        doc="Root:shoot ratio, tropical moist zones, AGB at or below the threshold.",
    )
    root_shoot_moist_high: float = param(
        0.24, units="1", source="IPCC 2006 Vol. 4 Table 4.4, tropical moist deciduous, "
        "AGB > 125 t/ha (data-facts, M)", bounds=(0.0, 1.0),
        doc="Root:shoot ratio, tropical moist zones, AGB above the threshold.",
    )
    root_shoot_threshold_t_ha: float = param(
        125.0, units="t d.m./ha", source="IPCC 2006 Vol. 4 Table 4.4", bounds=(0.0, None),
        doc="AGB threshold between the two tropical-moist root:shoot ratios.",
    )
    root_shoot_mountain: float = param(
        0.27, units="1", source="IPCC 2006 Vol. 4 Table 4.4, tropical mountain systems "
        "(data-facts, M)", bounds=(0.0, 1.0), doc="Root:shoot ratio, tropical mountain zones.",
    )
    growth_moist_young_t_ha_yr: float = param(
        2.4, units="t d.m./ha/yr", source="IPCC 2019 Refinement Table 4.9, continental Asia, "
        "tropical moist, <=20 yr (data-facts, M)", bounds=(0.0, 50.0),
        doc="AGB growth of natural forest up to 20 years old, tropical moist zones.",
    )
    growth_moist_old_t_ha_yr: float = param(
        0.9, units="t d.m./ha/yr", source="IPCC 2019 Refinement Table 4.9, continental Asia, "
        "tropical moist, >20 yr (data-facts, M)", bounds=(0.0, 50.0),
        doc="AGB growth of natural forest older than 20 years, tropical moist zones.",
    )
    growth_mountain_young_t_ha_yr: float = param(
        2.9, units="t d.m./ha/yr", source="IPCC 2019 Refinement Table 4.9, continental Asia, "
        "tropical mountain, <=20 yr (data-facts, M)", bounds=(0.0, 50.0),
        doc="AGB growth of natural forest up to 20 years old, tropical mountain zones.",
    )
    growth_mountain_old_t_ha_yr: float = param(
        1.1, units="t d.m./ha/yr", source="IPCC 2019 Refinement Table 4.9, continental Asia, "
        "tropical mountain, >20 yr (data-facts, M)", bounds=(0.0, 50.0),
        doc="AGB growth of natural forest older than 20 years, tropical mountain zones.",
    )
    young_age_yr: float = param(
        20.0, units="yr", source="IPCC 2019 Refinement Table 4.9 age classes", bounds=(0.0, 200.0),
        doc="A stand younger than this at the start of a year grows at the young rate.",
    )
    regrowth_cap_moist_t_ha: float = param(
        68.0, units="t d.m./ha", source="IPCC 2019 Refinement, secondary forest AGB, "
        "continental Asia tropical moist (data-facts, M; SOURCES.md: caps regrowth)",
        bounds=(0.0, 600.0), doc="AGB cap of natural forest regrowing from age 0, moist zones.",
    )
    regrowth_cap_mountain_t_ha: float = param(
        66.0, units="t d.m./ha", source="IPCC 2019 Refinement, secondary forest AGB, "
        "continental Asia tropical mountain (data-facts, M)", bounds=(0.0, 600.0),
        doc="AGB cap of natural forest regrowing from age 0, mountain zones.",
    )
    mature_agb_cap_t_ha: float = param(
        200.0, units="t d.m./ha", source="assumed; FREL 'rich' stratum ~110-120 tC/ha AGB+BGB "
        "(frel_2018) = 190-206 t/ha AGB with R = 0.24", bounds=(0.0, 600.0),
        range=(160.0, 250.0),
        doc="Cap of base-year natural stands above the regrowth cap (established forest); "
        "a stand already above it keeps its AGB.",
    )
    # --- plantations ------------------------------------------------------------------------
    small_timber_a_m3_ha: float = param(
        220.0, units="m3/ha", source="data-facts: northern average Chapman-Richards (L)",
        bounds=(1.0, 2000.0), range=(180.0, 250.0),
        doc="Asymptotic volume A of small-timber (pulpwood) acacia.",
    )
    small_timber_k_yr: float = param(
        0.18, units="1/yr", source="data-facts: northern average Chapman-Richards (L)",
        bounds=(0.001, 5.0), range=(0.15, 0.20), doc="Rate k of small-timber acacia.",
    )
    small_timber_p: float = param(
        2.5, units="1", source="data-facts: northern average Chapman-Richards (L)",
        bounds=(1.0, 10.0), range=(2.0, 3.0), doc="Shape p of small-timber acacia.",
    )
    large_timber_a_m3_ha: float = param(
        450.0, units="m3/ha", source="fitted (docs/calibration.md): MAI 16.4 m3/ha/yr and 197 "
        "m3/ha at 12 yr, 267 m3/ha at 15 yr (northern sawlog acacia hybrid, thinned to 600-1,100 "
        "stems/ha: Hung et al. 2019 New Forests 50:1; Beadle et al. 2015 ACIAR FR2015-16), "
        "Faustmann rotations 10.8-12.5 yr at 8-13 %/yr (data-facts: large timber 10-15 yr)",
        bounds=(1.0, 2000.0), range=(380.0, 520.0),
        doc="Asymptotic volume of the large-timber regime (wider spacing, thinning, pruning: "
        "slower early volume, growth sustained longer).",
    )
    large_timber_k_yr: float = param(
        0.14, units="1/yr", source="fitted with large_timber_a_m3_ha (docs/calibration.md)",
        bounds=(0.001, 5.0), range=(0.12, 0.16), doc="Rate k of the large-timber regime.",
    )
    large_timber_p: float = param(
        4.0, units="1", source="fitted with large_timber_a_m3_ha (docs/calibration.md): low "
        "early volume of wide spacing", bounds=(1.0, 10.0), range=(3.5, 4.5),
        doc="Shape p of the large-timber regime.",
    )
    tco2_per_m3: float = param(
        1.14, units="tCO2/m3", source="derived: basic density 0.50 t/m3 (data-facts 0.45-0.55, "
        "L) x BEF 1.1 (data-facts: IPCC BCEF of humid-tropical hardwoods, used as a stem-to-AGB "
        "expansion) x (1 + root:shoot 0.20, IPCC Table 4.4) x CF 0.47 x 44/12 = 1.137 (the "
        "earlier 1.40 did not follow from these factors)", bounds=(0.1, 5.0),
        range=(0.95, 1.40), doc="Whole-tree CO2 per m3 of stand volume (plantation carbon).",
    )
    # --- fire -------------------------------------------------------------------------------
    fire_prob_special_use: float = param(
        0.0002, units="1/yr", source="assumed; MARD: ~2,806 ha/yr burned nationally 2001-2011 "
        "over ~13 Mha (~0.02 %/yr; MARD via Thanh Niên News)", bounds=(0.0, 1.0),
        range=(0.0001, 0.001),
        doc="Annual probability that a special-use stand burns.",
    )
    fire_prob_protection: float = param(
        0.0003, units="1/yr", source="assumed; national ~0.02 %/yr (see special use), planted "
        "pine/acacia protection forest more fire-prone", bounds=(0.0, 1.0),
        range=(0.0001, 0.001), doc="Annual probability that a protection stand burns.",
    )
    fire_prob_production_natural: float = param(
        0.0003, units="1/yr", source="assumed; national ~0.02 %/yr (see special use)",
        bounds=(0.0, 1.0), range=(0.0001, 0.001),
        doc="Annual probability that a production natural stand burns.",
    )
    fire_prob_small_timber: float = param(
        0.0008, units="1/yr", source="assumed; acacia/pine plantations burn more often than "
        "closed natural forest (Trang et al. 2022, Int. J. Wildland Fire 31:213)",
        bounds=(0.0, 1.0), range=(0.0003, 0.003),
        doc="Annual probability that a small-timber plantation stand burns.",
    )
    fire_prob_large_timber: float = param(
        0.0006, units="1/yr", source="assumed; as small timber, tended stands slightly less",
        bounds=(0.0, 1.0), range=(0.0002, 0.003),
        doc="Annual probability that a large-timber plantation stand burns.",
    )
    # --- owners' economics ------------------------------------------------------------------
    price_small_timber_vnd_m3: float = param(
        1.2e6, units="VND/m3", source="data-facts: acacia pulpwood 1.0-1.35 m VND/t; whole "
        "stands 70-100 m VND/ha at 4-5 yr (L)", bounds=(0.0, None), range=(1.0e6, 1.5e6),
        doc="Stumpage price of small-timber (pulpwood) stands.",
    )
    price_large_timber_vnd_m3: float = param(
        1.6e6, units="VND/m3", source="derived from data-facts (L): a large-timber stand sells "
        "about half its volume as sawlogs (1.5-2.5 m VND/m3, mid 2.0) and the rest (tops, small "
        "stems) as pulpwood (1.2 m VND/m3): 0.5 x 2.0 + 0.5 x 1.2", bounds=(0.0, None),
        range=(1.4e6, 2.0e6),
        doc="Mean stumpage price over a large-timber stand's volume, before any FSC premium.",
    )
    large_timber_extra_cost_vnd_ha: float = param(
        40e6, units="VND/ha", source="assumed: clonal seedlings, thinning and pruning labour of "
        "the sawlog regime on top of the pulpwood establishment cost; calibrated so that at "
        "default prices only low-discount-rate companies prefer large timber (Phú Thọ: 26,800 ha "
        "large timber, ~2,500 of ~17,000 ha planted a year, data-facts)", bounds=(0.0, None),
        range=(20e6, 60e6),
        doc="Extra cost per ha and rotation of the large-timber regime (added to the "
        "establishment cost).",
    )
    establishment_cost_vnd_ha: float = param(
        27.5e6, units="VND/ha", source="data-facts: 20-35 m VND/ha (L), midpoint",
        bounds=(0.0, None), range=(20e6, 35e6), doc="Cost of (re)planting a hectare.",
    )
    household_share: float = param(
        0.7, units="1", source="assumed: most northern plantations are household-managed",
        bounds=(0.0, 1.0), range=(0.5, 0.85),
        doc="Share of plantation area owned by households (the rest: state forest companies).",
    )
    household_discount_rate: float = param(
        0.13, units="1/yr", source="assumed; smallholders' borrowing costs", bounds=(0.005, 1.0),
        range=(0.10, 0.16), doc="Mean discount rate of household owners.",
    )
    company_discount_rate: float = param(
        0.08, units="1/yr", source="assumed; Frey et al. 2018 value LEV at 8 % (data-facts)",
        bounds=(0.005, 1.0), range=(0.06, 0.10), doc="Mean discount rate of forest companies.",
    )
    discount_rate_spread: float = param(
        0.02, units="1/yr", source="assumed", bounds=(0.0, 0.5), range=(0.0, 0.04),
        doc="Owners' rates are uniform on mean +- spread (floored at 0.005).",
    )
    rate_classes: int = param(
        10, units="1", source="design: discretisation of the owners' distributions",
        bounds=(1, 100),
        doc="Equally likely owner classes per owner type (discount rate, stumpage-price and "
        "establishment-cost factors stratified on their uniform distributions).",
    )
    owner_price_spread: float = param(
        0.12, units="1", source="assumed; data-facts: pulpwood 1.0-1.35 m VND/t (+-15 % around "
        "the mean), from distance to mills and roads", bounds=(0.0, 0.9), range=(0.0, 0.2),
        doc="Owners' stumpage prices are the regime's price x a factor uniform on 1 +- spread.",
    )
    owner_cost_spread: float = param(
        0.25, units="1", source="assumed; data-facts: establishment 20-35 m VND/ha (+-27 % "
        "around 27.5)", bounds=(0.0, 0.9), range=(0.0, 0.3),
        doc="Owners' establishment costs are the mean cost x a factor uniform on 1 +- spread.",
    )
    initial_age_spread_yr: float = param(
        1.0, units="yr", source="design: forest.csv ages are whole-year classes; 1 = uniform "
        "over the class", bounds=(0.0, 5.0), range=(0.0, 1.0),
        doc="Plantation stands of a row of age a start at a + spread (u - 1/2), u ~ U(0, 1).",
    )
    harvest_capacity_m3_yr: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {}, units="m3/yr", source="lever; default none: no intake limit (mills follow the "
        "harvest)",
        doc="Optional intake of a province's mills: due stands are cut oldest first until the "
        "intake is reached, the rest wait a year.",
    )
    max_rotation_yr: float = param(
        60.0, units="yr", source="design: longest rotation considered (else never harvest)",
        bounds=(1.0, 500.0), doc="Upper end of the rotation search.",
    )
    pfes_min_stand_age_yr: float = param(
        2.0, units="yr", source="assumed; a planted stand counts as forest (and earns PFES) once "
        "it meets the forest criteria (height >= 5 m, Law on Forestry 2017)",
        bounds=(0.0, 50.0), range=(0.0, 4.0),
        doc="Stands younger than this earn no PFES (also the owners' payment_start_age).",
    )
    conversion_forest_factor: float = param(
        1.0, units="1", source="assumed: sites neither seek nor avoid forest", bounds=(0.0, 20.0),
        range=(0.3, 2.0),
        doc="Share of newly developed industrial land taken from forest = factor x the zone's "
        "forest cover (capped at 1 and at the eligible forest).",
    )
    usd_vnd: float = param(
        26000.0, units="VND/USD", source="data-facts (~26,000 VND/US$, L)",
        bounds=(1.0, None), range=(24000.0, 27000.0), doc="Exchange rate (carbon prices).",
    )


@dataclass(frozen=True)
class ForestPolicy:
    """Forest levers: carbon credits, PFES, monitoring, protection, afforestation, FSC, logging."""

    # --- carbon credits ---------------------------------------------------------------------
    credit_start_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="First year of the forest carbon-credit scheme (seed: pilot before 2030); none = no "
        "scheme.",
    )
    credit_provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        ["Phú Thọ"], doc="Provinces whose forests the scheme pays (empty: every province).",
    )
    credit_baseline: Literal["counterfactual", "reference_level"] = param(
        "counterfactual",
        doc="counterfactual: the same stands without carbon payments (same fire draws); "
        "reference_level: a fixed net absorption per province (reference_level_tco2e_yr).",
    )
    reference_level_tco2e_yr: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {}, units="tCO2e/yr", source="lever; provinces not named have a reference level of 0",
        doc="Net absorption per province credited nothing (reference_level baseline).",
    )
    carbon_price_usd_tco2e: float = param(
        10.0, units="USD/tCO2e", source="data-facts: LEAF floor US$10/t (H); FCPF ERPA US$5, "
        "voluntary ARR index US$21.3 (2025)", bounds=(0.0, 1000.0), range=(5.0, 21.3),
        doc="Price paid per credit.",
    )
    buffer_share: float = param(
        0.2, units="1", source="assumed within the VCS AFOLU Non-Permanence Risk Tool v4.2 "
        "(risk scores 10-60 %; fire, tenure and opportunity-cost risks of smallholder "
        "plantations)", bounds=(0.0, 1.0), range=(0.12, 0.3),
        doc="Share of each issuance (net of leakage) put into the province's buffer pool.",
    )
    leakage_share: float = param(
        0.4, units="1", source="VCS market-leakage discount for projects that reduce harvests "
        "(VCS AFOLU Requirements / VM0010: 40 % when the project's merchantable biomass share is "
        "like the rest of the market's; 20 % below, 70 % above); activity shifting 0 (every "
        "plantation of the province is in the scheme)", bounds=(0.0, 1.0), range=(0.2, 0.7),
        doc="Share of each increase in additional stock deducted for harvest displaced "
        "elsewhere (not credited, not paid).",
    )
    owner_share: float = param(
        0.8, units="1", source="assumed; benefit sharing passes most of the payment to forest "
        "owners (ERPA benefit-sharing plans)", bounds=(0.0, 1.0), range=(0.5, 1.0),
        doc="Share of the credit price (net of buffer and leakage) paid to owners per tonne of "
        "additional stock (and charged per tonne lost).",
    )
    product_share: float = param(
        0.0, units="1", source="IPCC Tier 1: harvested carbon is emitted at harvest (no "
        "product pool credited)", bounds=(0.0, 1.0),
        doc="Share of harvested carbon the scheme does not charge owners (beta of the LEV and "
        "of the payment rule); the carbon accounts and credits always emit all harvested "
        "carbon.",
    )
    # --- PFES -------------------------------------------------------------------------------
    pfes_interprovincial_start_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="Year Hà Nội water users start paying PFES to the recipient provinces' forests "
        "(seed: 2030); none = no.",
    )
    pfes_interprovincial_provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        ["Phú Thọ"], doc="Provinces whose forests receive the inter-provincial PFES "
        "(empty: every province).",
    )
    pfes_interprovincial_vnd_ha_yr: float = param(
        100_000.0, units="VND/ha/yr", source="assumed within the northern payouts 50,000-500,000 "
        "VND/ha/yr (data-facts, L)", bounds=(0.0, None), range=(50_000.0, 500_000.0),
        doc="Inter-provincial PFES per ha of forest, added to the existing rate.",
    )
    # --- smart monitoring -------------------------------------------------------------------
    monitoring_start_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="Year smart forest monitoring (AI, remote sensing, fire warning) starts (seed: "
        "by 2030); none = no.",
    )
    monitoring_provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Provinces with smart monitoring (empty: every province).",
    )
    monitoring_fire_reduction: float = param(
        0.3, units="1", source="assumed: earlier detection and suppression", bounds=(0.0, 1.0),
        range=(0.1, 0.5), doc="Share by which monitoring cuts the annual burn probability.",
    )
    # --- protection -------------------------------------------------------------------------
    protection_start_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="Year from which special-use and protection forest may no longer be converted to "
        "industrial land; none = no such rule.",
    )
    protection_provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Provinces where the protection rule applies (empty: every province).",
    )
    # --- afforestation ----------------------------------------------------------------------
    afforestation_start_year: int = param(
        2026, units="year", source="design: the first simulated year (the rate is the lever)",
        bounds=(1900, 2100), doc="First year of new planting on bare land.",
    )
    afforestation_ha_yr: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {}, units="ha/yr", lever_range=(0.0, 3000.0),
        source="lever; default none: Phú Thọ's ~17,000 ha/yr is mostly replanting, already in "
        "the rotations",
        doc="New planting on afforestable bare land (zones.afforestable_ha) per province, "
        "while the land lasts.",
    )
    afforestation_type: Literal[
        "plantation_small_timber", "plantation_large_timber", "protection"
    ] = param("plantation_small_timber", doc="Forest type of new planting.")
    # --- FSC / large timber -----------------------------------------------------------------
    fsc_start_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="Year the FSC large-timber chain to Hà Nội pays its premium (seed: 2030); none = no.",
    )
    fsc_provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        ["Phú Thọ"], doc="Provinces whose large timber earns the premium (empty: every province).",
    )
    fsc_premium: float = param(
        0.15, units="1", source="data-facts: FSC premium ~10-20 % (L)", bounds=(0.0, 5.0),
        range=(0.10, 0.20), doc="Relative premium on the large-timber stumpage price.",
    )
    # --- natural-forest logging -------------------------------------------------------------
    natural_harvest_rate: float = param(
        0.0, units="1/yr", source="Directive 13-CT/TW (2017) closed natural forest to logging",
        bounds=(0.0, 0.2),
        doc="Share of production natural forest AGB logged each year (selective logging).",
    )


@dataclass(frozen=True)
class PreserviceLever:
    """A province servicing clusters' land ahead of demand, at public cost."""

    provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Provinces that pre-service land (empty: programme off).",
    )
    clusters: str = param(
        "all", doc="Clusters pre-serviced: all, priority, industrial_cluster, "
        "industrial_park or logistics (within the provinces named).",
    )
    start_year: int = param(2026, units="year", bounds=(1900, 2100),
                            doc="First year a phase is started at public cost.")
    end_year: int = param(2100, units="year", bounds=(1900, 2100),
                          doc="Last year a phase is started at public cost.")
    cost_vnd_per_ha: float = param(
        3.0e9, units="VND/ha", bounds=(0.0, None), range=(1.5e9, 6.0e9),
        source="assumed: technical infrastructure (roads, drainage, power, water, wastewater) "
        "of Vietnamese industrial clusters and parks, site clearance excluded; order of "
        "magnitude of published CCN project budgets (L)",
        doc="Cost a province pays per real ha of a phase it pre-services (booked when the phase "
        "starts).",
    )


@dataclass(frozen=True)
class ClusterParams:
    """Land supply (developer model), background demand and rents (``model/clusters.py``)."""

    priority_shift_years: int = param(
        0, units="yr", lever_range=(-4, 4), bounds=(-30, 30),
        doc="Lever: the 25 priority clusters' phases may start this many years earlier "
        "(negative) or later than the plan's dates; demand still decides when they start.",
    )
    ccn_shift_years: int = param(
        0, units="yr", bounds=(-30, 30),
        doc="Lever: the same for Phú Thọ's other industrial clusters (CCN).",
    )
    phase_max_ha: float = param(
        100.0, units="ha", bounds=(1.0, 5000.0), range=(50.0, 300.0),
        source="assumed; Vietnamese parks are built in phases of ~100-350 ha (data-facts: Sông "
        "Công II phase 1 250 ha, phase 2 296 ha; Phú Hà first phase 356 ha)",
        doc="Largest phase of an industrial park (or logistics) row: the land still to service "
        "at a site is built in equal phases of at most this many (real) ha.",
    )
    ccn_phase_max_ha: float = param(
        20.0, units="ha", bounds=(1.0, 5000.0), range=(10.0, 50.0),
        source="data-facts: Hà Nội plans 159 clusters on 3,204 ha by 2030 (~20 ha each); a CCN "
        "is a 10-75 ha site (Decree 32/2024)",
        doc="Largest phase of an industrial cluster (CCN) row: rows that aggregate several "
        "planned clusters open them one by one.",
    )
    phase_trigger_occupancy: float = param(
        0.8, units="1", bounds=(0.0, 1.0), range=(0.7, 0.9),
        source="assumed; UrbanSim's developer model builds when vacancy falls below a target "
        "rate (Waddell 2002), industrial target vacancies ~10-30 %",
        doc="Occupancy of a site's serviced land (of its province's, for a site with none yet) "
        "at which its investor starts the next phase.",
    )
    phase_build_years: int = param(
        2, units="yr", bounds=(1, 10), range=(1, 3),
        source="assumed; technical infrastructure of a park phase takes ~1.5-3 years after site "
        "clearance (Phú Hà first phase 2021-2024, data-facts/press)",
        doc="Years from a phase's start until its land is serviced (lettable).",
    )
    preservice: dict[str, PreserviceLever] = param(  # noqa: RUF009 - a default_factory field
        {}, source="lever; none in the baseline",
        doc="Named pre-servicing programmes: a province services the chosen clusters' phases on "
        "the plan's dates whatever the demand, and pays for the phases demand would not have "
        "started (serviced_land_cost_vnd).",
    )
    background_demand_factor: float = param(
        1.0, units="1", source="assumed: the provinces' background_demand_ha_yr are L-confidence "
        "estimates", bounds=(0.0, 10.0), range=(0.5, 1.5),
        doc="Multiplier of the region's background demand (provinces.csv): land let each year "
        "to firms not modelled as agents, spread over a province's clusters in proportion to "
        "their vacant serviced land.",
    )
    rent_response: float = param(
        0.0, units="1", source="assumed; 0 = rents fixed at the data's asking rents",
        bounds=(0.0, 10.0), range=(0.0, 1.0),
        doc="Rent multiplier 1 + response x (occupancy - reference occupancy), floored at 0.5.",
    )
    rent_reference_occupancy: float = param(
        0.8, units="1", source="assumed", bounds=(0.0, 1.0), range=(0.7, 0.9),
        doc="Occupancy at which rents equal the data's asking rents.",
    )


@dataclass(frozen=True)
class ExemptionProgramme:
    """A land-rent exemption for firms moving into eligible clusters."""

    years: int = param(0, units="yr", lever_range=(0, 10), bounds=(0, 99),
                       doc="Years of rent exempted after moving.")
    share: float = param(1.0, units="1", bounds=(0.0, 1.0), doc="Share of rent exempted.")
    clusters: str = param(
        "all", doc="Eligible clusters: all, priority, industrial_cluster, industrial_park, "
        "logistics, or cluster ids separated by ';'.",
    )
    provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Eligible provinces (empty: every province).",
    )
    sectors: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Eligible sector ids (empty: every sector).",
    )
    pollution_classes: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Eligible pollution classes (empty: every class).",
    )
    start_year: int = param(2025, units="year", bounds=(1900, 2100),
                            doc="First year a move qualifies.")
    end_year: int = param(2100, units="year", bounds=(1900, 2100),
                          doc="Last year a move qualifies.")
    budget_vnd: float | None = param(
        None, units="VND", bounds=(0.0, None), lever_range=(1e11, 2e12),
        doc="Cap on the rent this programme forgoes in total; none = no cap.",
    )


@dataclass(frozen=True)
class PushProgramme:
    """Hà Nội's programme moving polluting or non-conforming facilities out of its core."""

    sectors: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Sector ids targeted (empty: select by pollution class only).",
    )
    pollution_classes: list[str] = param(  # noqa: RUF009 - a default_factory field
        ["high"], doc="Pollution classes targeted.",
    )
    zones: str = param(
        "core", doc="Zones targeted: 'core' (Hà Nội zones of the congested core, see "
        "transport.congested_density_per_km2) or zone ids separated by ';'.",
    )
    start_year: int = param(2026, units="year", bounds=(1900, 2100), doc="Programme start.")
    deadline_year: int = param(
        2030, units="year", bounds=(1900, 2100),
        source="data-facts: 2025 city resolution sets a roadmap before 2030",
        doc="Year by which the targeted share should have left.",
    )
    share_by_deadline: float = param(
        0.04, units="1", lever_range=(0.0, 0.5), bounds=(0.0, 1.0), range=(0.03, 0.05),
        source="committed policy (data-facts, hn_relocation): 90 more facilities listed for "
        "relocation by 2021 (117 in the city's list) with a roadmap before 2030, against ~2,800 "
        "high-pollution firms in the core zones of the model's population: ~110 / 2,800 = 0.04; "
        "a larger share is the lever beyond what is committed",
        doc="Share of targeted firms pushed out by the deadline (a pushed firm must leave: "
        "staying is not among its choices); 0 = programme off.",
    )


@dataclass(frozen=True)
class ShuttleLever:
    """Company shuttle buses carrying factory workers.

    Bắc Giang 2021: ~30,000 of 200,000 park workers rode ~1,000 shuttles, up to ~70 km
    (data-facts).
    """

    min_employees: int = param(
        200, units="workers", source="assumed: firms of this size run shuttles",
        bounds=(0, None), range=(100, 300), doc="Firms at least this large run shuttle buses.",
    )
    max_km: float = param(
        70.0, units="km", source="data-facts: shuttles carry workers up to ~70 km",
        bounds=(0.0, 500.0), doc="Longest one-way shuttle route.",
    )
    subsidy_start_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="Lever: from this year a subsidy lets smaller firms run shuttles; none = no subsidy.",
    )
    subsidised_min_employees: int = param(
        30, units="workers", bounds=(0, None),
        doc="With the subsidy, firms at least this large run shuttle buses.",
    )


@dataclass(frozen=True)
class GreenBusLine:
    """An electric express bus line along a route of zones (e.g. Hà Nội - Việt Trì).

    The route runs through the listed zones in order, between consecutive ones along the fastest
    peak car path of the network; every zone the route passes is a stop.
    """

    zones: list[str] = param(  # noqa: RUF009 - a default_factory field
        [], doc="Zone ids the route passes through, in order (at least its two ends).",
    )
    start_year: int = param(2028, units="year", bounds=(1900, 2100), doc="Opening year.")
    speed_factor: float = param(
        0.85, units="1", source="assumed: express service, few stops", bounds=(0.1, 1.0),
        range=(0.75, 0.95), doc="Bus speed as a share of peak car speed along the route.",
    )
    buses_per_peak_hour: float = param(
        4.0, units="buses/h", source="assumed: a 15-min express headway (Hà Nội's BRT 01 runs "
        "every 5-10 min at peak)", bounds=(0.1, 60.0), range=(2.0, 8.0),
        doc="Buses per hour and direction at peak; the wait is half the headway.",
    )
    bus_capacity: float = param(
        80.0, units="passengers", source="assumed: a 12 m electric city bus (~80 places)",
        bounds=(1.0, 300.0), range=(60.0, 100.0), doc="Passengers one bus carries.",
    )


@dataclass(frozen=True)
class HousingLever:
    """Worker and social housing built near the clusters."""

    units_per_year: dict[str, float] = param(  # noqa: RUF009 - a default_factory field
        {}, units="dwellings/yr", lever_range=(0.0, 4000.0), bounds=(0.0, None),
        doc="Dwellings for workers built each year, by province; spread over the province's "
        "zones in proportion to their clusters' lettable land.",
    )
    start_year: int = param(2026, units="year", bounds=(1900, 2100), doc="First year built.")
    end_year: int = param(2045, units="year", bounds=(1900, 2100), doc="Last year built.")


@dataclass(frozen=True)
class LogisticsLever:
    """Freight to the gateways: logistics points, customs clearance and one-stop customs.

    Equations: ``model/freight.py``.
    """

    gateway_handling_hours: float = param(
        1.0, units="h", source="assumed: gate-in, queueing and cargo-terminal time of a truck at "
        "Hải Phòng or Nội Bài", bounds=(0.0, 48.0), range=(0.5, 2.0),
        doc="Handling time of a gateway shipment beyond the road trip; a logistics point's "
        "saving comes out of it (never out of the road trip).",
    )
    point_saving_min: float = param(
        20.0, units="min", source="assumed", bounds=(0.0, 600.0), range=(10.0, 40.0),
        doc="Handling time of gateway shipments saved by sites within reach of an open "
        "logistics point (at most gateway_handling_hours).",
    )
    point_reach_min: float = param(
        30.0, units="min", source="assumed", bounds=(0.0, 600.0), range=(20.0, 45.0),
        doc="Off-peak truck (car) time within which a logistics point serves a site.",
    )
    gateway_clearance_hours: float = param(
        38.4, units="h", source="General Department of Vietnam Customs, export clearance time "
        "2020 incl. documents and inspections: 38.4 h (VNA, Aug 2021); the 2013 time release "
        "study's customs handling alone: 11.6 h (VNA, Sep 2014) - the low end of the range",
        bounds=(0.0, 480.0), range=(11.6, 48.0),
        doc="Clearance time of an export shipment cleared at the port or airport.",
    )
    dry_port_clearance_hours: float = param(
        38.4, units="h", source="assumed: an inland clearance depot runs the port's customs "
        "procedures (documents, inspections), so it clears in the same time; down to the "
        "one-stop target if it gets one", bounds=(0.0, 480.0), range=(24.0, 38.4),
        doc="Clearance time at an open dry port (inland clearance depot) of logistics.csv; "
        "a site uses it when that, with the detour, beats clearing at the gateway.",
    )
    clearance_cost_vnd_per_hour: float = param(
        40_000.0, units="VND/shipment/h", source="assumed from Hummels & Schaur (2013, AER): a "
        "day in transit costs 0.6-2.3 % of the cargo's value; cargo per shipment ~ gross "
        "output per worker (~US$40k/yr, assumed) / 15 trips per worker ~ US$2.7k, so "
        "0.7-2.6 US$ (17k-66k VND) per shipment-hour", bounds=(0.0, None),
        range=(15_000.0, 70_000.0),
        doc="Cost of an hour a shipment waits for customs clearance (the goods' time value; "
        "the truck does not wait through clearance). Detours and handling are truck hours.",
    )
    one_stop_customs_year: int | None = param(
        None, units="year", lever_range=(2026, 2040), bounds=(1900, 2100),
        doc="Year one-stop customs opens at the logistics points of customs_provinces, for the "
        "sites of those provinces; none = no one-stop customs.",
    )
    one_stop_clearance_hours: float = param(
        24.0, units="h", source="seed 000 / policy brief: one-stop customs cuts clearance "
        "below 24 h", bounds=(0.0, 480.0), range=(12.0, 24.0),
        doc="Clearance time at a logistics point with one-stop customs. Its saving is "
        "bounded by the clearance it replaces (never below zero hours).",
    )
    customs_provinces: list[str] = param(  # noqa: RUF009 - a default_factory field
        ["Phú Thọ"], doc="Provinces whose logistics points offer one-stop customs to the sites "
        "(clusters, premises) in those provinces.",
    )


STATUTORY_EXEMPTIONS = {
    "statutory_relocation": ExemptionProgramme(years=3, pollution_classes=["high"]),
}
"""Exemptions in force without any provincial lever: Decree 103/2024/ND-CP Art. 39 exempts land
rent for 3 years after construction for establishments relocated because of pollution (data-facts,
M). The longer exemptions for difficult areas are not applied by default (which clusters qualify
is not in the data)."""


@dataclass(frozen=True)
class PolicyParams:
    """Levers a province sets (besides corridors, in ``transport``)."""

    exemptions: dict[str, ExemptionProgramme] = param(  # noqa: RUF009 - a default_factory field
        STATUTORY_EXEMPTIONS, source="Decree 103/2024/ND-CP Art. 39 (statutory)",
        doc="Named land-rent exemption programmes; a firm gets the most generous one it "
        "qualifies for (they do not stack). Set a programme's years to 0 to switch it off.",
    )
    push: PushProgramme = field(default_factory=PushProgramme)
    logistics: LogisticsLever = field(default_factory=LogisticsLever)
    shuttle: ShuttleLever = field(default_factory=ShuttleLever)
    green_bus: dict[str, GreenBusLine] = param(  # noqa: RUF009 - a default_factory field
        {}, doc="Named green (electric) express bus lines.",
    )
    housing: HousingLever = field(default_factory=HousingLever)
    forest: ForestPolicy = field(default_factory=ForestPolicy)


@dataclass(frozen=True)
class RunConfig:
    """Everything one run needs besides the region data."""

    scenario: str = "baseline"
    seed: int = param(0, bounds=(0, 2**63 - 1), doc="Seed of the run's random generator.")
    run: RunSettings = field(default_factory=RunSettings)
    region: RegionSettings = field(default_factory=RegionSettings)
    transport: TransportParams = field(default_factory=TransportParams)
    firms: FirmParams = field(default_factory=FirmParams)
    workers: WorkerParams = field(default_factory=WorkerParams)
    clusters: ClusterParams = field(default_factory=ClusterParams)
    forest: ForestParams = field(default_factory=ForestParams)
    policies: PolicyParams = field(default_factory=PolicyParams)

    @property
    def years(self) -> range:
        """Simulated years, base year included."""
        return range(self.run.start_year, self.run.end_year + 1)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dictionary of every setting (the inverse of :func:`build_config`)."""
        return _to_plain(dataclasses.asdict(self))

    def to_yaml(self) -> str:
        """The fully resolved configuration as YAML (recorded in every results file)."""
        # libyaml's emitter when PyYAML has it: the same text as yaml.safe_dump, 4x faster.
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(self.to_dict(), Dumper=dumper, sort_keys=False, allow_unicode=True)


SECTIONS = (
    "seed", "run", "region", "transport", "firms", "workers", "clusters", "forest", "policies",
)
"""Top-level keys a configuration file or override may set (``scenario`` is chosen by name)."""


def _to_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    return value


def defaults_dict() -> dict[str, Any]:
    """Default values of every configurable key, as nested dictionaries (the Hydra schema)."""
    full = RunConfig().to_dict()
    return {k: full[k] for k in SECTIONS}


def walk_settings(obj: Any, prefix: str = ""):
    """Yield ``(dotted key, value, metadata)`` for every setting of a config dataclass instance."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from walk_settings(value, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", value, f.metadata


def mapping_settings(cls: type | None = None, prefix: str = "") -> list[str]:
    """Dotted keys of the settings whose value is a mapping with free keys (``dict[...]``)."""
    cls = cls or RunConfig
    out = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        key = f"{prefix}{f.name}"
        if typing.get_origin(tp) is dict:
            out.append(key)
        elif dataclasses.is_dataclass(tp):
            out += mapping_settings(tp, f"{key}.")
    return out


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(a) for a in typing.get_args(tp))
    if tp is type(None):
        return "null"
    if origin is dict:
        return "a mapping"
    if origin is list:
        item = typing.get_args(tp)[0]
        plural = {int: "integers", float: "numbers", bool: "booleans", str: "strings"}
        return f"a list of {plural.get(item, _describe(item))}"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _coerce(value: Any, tp: Any, key: str, errors: list[str]) -> Any:
    """Check ``value`` against the annotation ``tp``; return it converted, or record an error."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            errors.append(f"{key}: expected a mapping of settings, got {value!r}")
            return tp()
        return _build(tp, value, key, errors)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(tp)
        for option in options:
            trial: list[str] = []
            result = _coerce(value, option, key, trial)
            if not trial:
                return result
        errors.append(f"{key}: expected {_describe(tp)}, got {value!r}")
        return None
    if origin is Literal:
        if value in typing.get_args(tp):
            return value
        errors.append(f"{key}: {value!r} is not allowed; expected {_describe(tp)}")
        return None
    if origin is dict:
        _, value_tp = typing.get_args(tp)
        if not isinstance(value, Mapping):
            errors.append(f"{key}: expected a mapping, got {value!r}")
            return {}
        return {
            str(k): _coerce(v, value_tp, f"{key}.{k}", errors) for k, v in value.items()
        }
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            errors.append(f"{key}: expected {_describe(tp)}, got {value!r}")
            return []
        return [_coerce(v, item_tp, f"{key}[{i}]", errors) for i, v in enumerate(value)]
    if tp is type(None):
        if value is None:
            return None
        errors.append(f"{key}: expected null, got {value!r}")
        return None
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return float(value)
            except OverflowError:  # an integer beyond the float range (~1.8e308)
                digits = str(abs(value))
                errors.append(f"{key}: a {len(digits)}-digit number is too large; allowed "
                              f"magnitudes up to {MAX_MAGNITUDE:g}")
                return None
    elif tp is str:
        if isinstance(value, str):
            return value
    errors.append(f"{key}: expected {_describe(tp)}, got {value!r}")
    return None


MAX_MAGNITUDE = 1e15
"""Largest magnitude a number may have where its declaration sets no bound on that side.

No setting of the model means anything beyond 1e15 in its units (the largest defaults are tens of
millions of VND); larger values are typos, and would overflow to infinity or wrap around in the
arithmetic of a run (1e15 is also below 2**53, so such an integer is exact as a float)."""


def _check_bounds(value: Any, bounds: tuple | None, key: str, errors: list[str]) -> None:
    """Check a number, or each number of a mapping or list, against its declaration.

    Every number must be finite (NaN passes any comparison, so it is rejected before them);
    a side without a declared bound is limited to :data:`MAX_MAGNITUDE`.
    """
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_bounds(v, bounds, f"{key}.{k}", errors)
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _check_bounds(v, bounds, f"{key}[{i}]", errors)
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    if isinstance(value, float) and not math.isfinite(value):
        errors.append(f"{key}: {value!r} is not allowed; expected a finite number")
        return
    lo, hi = bounds if bounds is not None else (None, None)
    lo = -MAX_MAGNITUDE if lo is None else lo
    hi = MAX_MAGNITUDE if hi is None else hi
    if value < lo or value > hi:
        errors.append(f"{key}: {value!r} is out of range; allowed [{lo:g}, {hi:g}]")


def _build(cls: type, data: Mapping[str, Any], prefix: str, errors: list[str]) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    kwargs: dict[str, Any] = {}
    for key in data:
        if key not in names:
            where = f"{prefix}.{key}" if prefix else str(key)
            allowed = ", ".join(n for n in names if prefix or n in SECTIONS)
            errors.append(f"{where}: unknown key; allowed keys here: {allowed}")
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        where = f"{prefix}.{f.name}" if prefix else f.name
        value = _coerce(data[f.name], hints[f.name], where, errors)
        _check_bounds(value, f.metadata.get("bounds"), where, errors)
        kwargs[f.name] = value
    try:
        return cls(**{k: v for k, v in kwargs.items() if v is not None or _accepts_none(cls, k)})
    except (TypeError, ValueError) as exc:  # a value of the wrong shape already reported above
        errors.append(f"{prefix or 'config'}: {exc}")
        return cls()


def _accepts_none(cls: type, name: str) -> bool:
    tp = typing.get_type_hints(cls)[name]
    return type(None) in typing.get_args(tp)


def _check_relations(cfg: RunConfig, errors: list[str]) -> None:
    if cfg.run.start_year != BASE_YEAR:
        errors.append(
            f"run.start_year: {cfg.run.start_year} is not allowed; a run starts in the base year "
            f"of the region data, {BASE_YEAR} (the tables describe the region then, and the model "
            "does not project them to another year)"
        )
    if cfg.run.end_year <= cfg.run.start_year:
        errors.append(
            f"run.end_year: {cfg.run.end_year} must be after run.start_year "
            f"({cfg.run.start_year})"
        )
    if cfg.run.agent_scale <= 0:
        errors.append("run.agent_scale: must be greater than 0 (allowed (0, 1])")
    for corridor, year in cfg.transport.corridors.items():
        if isinstance(year, str) and year != NEVER:
            errors.append(
                f"transport.corridors.{corridor}: {year!r} is not allowed; "
                f"expected a year or {NEVER!r}"
            )
        if isinstance(year, int) and not 1900 <= year <= 2100:
            errors.append(
                f"transport.corridors.{corridor}: {year} is out of range; allowed [1900, 2100]"
            )


def build_config(
    data: Mapping[str, Any] | None = None, *, scenario: str = "baseline", source: str = "config"
) -> RunConfig:
    """Validate nested settings into a :class:`RunConfig`.

    Args:
        data: nested mapping of the keys in :data:`SECTIONS`; missing keys keep their defaults.
        scenario: name of the scenario the settings come from (recorded in the results).
        source: where the settings come from, named in error messages.

    Raises:
        ConfigError: listing every unknown key, wrong type and out-of-range value.
    """
    errors: list[str] = []
    cfg = _build(RunConfig, dict(data or {}), "", errors)
    if not errors:
        _check_relations(cfg, errors)
    if errors:
        raise ConfigError(source, errors)
    return dataclasses.replace(cfg, scenario=scenario)


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into a copy of ``base``, recursing into nested mappings."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def dotted_to_nested(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``{"run.agent_scale": 0.1}`` into ``{"run": {"agent_scale": 0.1}}``."""
    nested: dict[str, Any] = {}
    for dotted, value in overrides.items():
        parts = str(dotted).split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError("overrides", [f"{dotted}: conflicts with another override"])
        node[parts[-1]] = value
    return nested


MAX_SCENARIO_BYTES = 256 * 1024
MAX_SCENARIO_NODES = 20_000
"""Limits on a scenario file: its size, and its values after YAML aliases are expanded (a file of
a few hundred bytes can otherwise expand to billions of values and hang every command)."""


def _expanded_nodes(node: yaml.Node, memo: dict[int, int], open_: set[int]) -> int:
    """Values of a composed YAML node once every alias is expanded (memoised: linear time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in open_:
        raise ValueError("an alias refers to a value that contains it (recursive alias)")
    open_.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_nodes(child, memo, open_) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded_nodes(k, memo, open_) + _expanded_nodes(v, memo, open_)
                     for k, v in node.value)
    open_.discard(key)
    memo[key] = total
    return total


def safe_yaml(text: str, where: str) -> Any:
    """Parse YAML with the safe loader, refusing alias bombs, recursion and deep nesting.

    Raises:
        ConfigError: not valid YAML, a recursive alias, or more than
            :data:`MAX_SCENARIO_NODES` values after alias expansion.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            return None
        size = _expanded_nodes(root, {}, set())
        if size > MAX_SCENARIO_NODES:
            raise ConfigError(where, [
                f"{size:,} values once YAML aliases are expanded; at most "
                f"{MAX_SCENARIO_NODES:,} are allowed (is an alias repeated many times?)"
            ])
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(where, [f"not valid YAML: {exc}"]) from None
    except ValueError as exc:
        raise ConfigError(where, [f"not allowed in a scenario file: {exc}"]) from None
    except RecursionError:
        raise ConfigError(where, ["values nested too deeply to be a scenario file"]) from None


_SCENARIO_FILES: dict[tuple[str, str], Any] = {}
"""Scenario texts parsed in this process: (path, text) -> parsed YAML."""


def load_scenario_file(path: Path) -> dict[str, Any]:
    """Read a scenario YAML file into a mapping (comments are its documentation).

    The file is read with the limits of :func:`safe_yaml` and at most
    :data:`MAX_SCENARIO_BYTES` long. A text is parsed once per process (every sweep member and
    sensitivity run reads its scenario and the scenarios it includes); each call returns its
    own copy.

    Raises:
        ConfigError: the file is too large, not UTF-8, not valid YAML, or not a mapping.
    """
    try:
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ConfigError(str(path), [f"{size:,} bytes; a scenario file may have at most "
                                          f"{MAX_SCENARIO_BYTES:,}"])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]
                          ) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None
    key = (str(path), text)
    if key not in _SCENARIO_FILES:
        if len(_SCENARIO_FILES) > 256:
            _SCENARIO_FILES.clear()
        _SCENARIO_FILES[key] = safe_yaml(text, str(path))
    data = copy.deepcopy(_SCENARIO_FILES[key])
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["expected a mapping of settings at the top level"])
    data.pop("defaults", None)
    return data
