"""Mesa's own idioms on the model: headline model reporters and the keyword constructor.

``mesa.batch_run(CapitalRegionModel, parameters={...}, iterations=..., max_steps=...)`` builds the
model with keyword arguments and ``rng=``; :func:`config_from_keywords` turns them into the
validated :class:`~model.config.RunConfig`, which stays the source of truth:

- ``scenario`` (a name of ``scenarios/``), ``agent_scale``, ``start_year``, ``end_year``: the
  shortcuts of :func:`model.load_config`;
- any other keyword is a dotted configuration key (``"firms.asc_stay"``) or the same with ``__``
  for the dots (``firms__asc_stay``, a valid Python name);
- ``rng``: the run's seed (an integer); ``None`` (what ``iterations=`` gives) draws a fresh seed
  from the operating system, kept in ``model.config.seed`` so the run can be repeated.

Every model carries a ``mesa.DataCollector`` (``model.datacollector``) with the headline model
reporters of :data:`HEADLINE_REPORTERS`, collected at the base year and after every step (one
step = one year), so ``batch_run`` returns one row per run with them (``data_collection_period=-1``)
or one row per year (``data_collection_period=1``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from .config import RunConfig

if TYPE_CHECKING:
    from .simulation import CapitalRegionModel

SHORTCUTS = {"agent_scale": "run.agent_scale", "start_year": "run.start_year",
             "end_year": "run.end_year"}


def _province_occupancy(name: str) -> Callable[[CapitalRegionModel], float]:
    def report(model: CapitalRegionModel) -> float:
        i = model.region.province_index(name)
        cl = model.clusters
        if i is None:
            return float("nan")
        serviced = cl.serviced[cl.province == i].sum()
        return float(cl.occupied[cl.province == i].sum() / serviced) if serviced > 0 else np.nan
    return report


def _latest(variable: str, province: str | None = None) -> Callable[[CapitalRegionModel], float]:
    """The value the model recorded for the current year (summed over other dimensions)."""
    def report(model: CapitalRegionModel) -> float:
        series = model.recorder._data.get(variable)
        if series is None:
            return float("nan")
        value = series[model.year - model.config.run.start_year]
        if value is None:
            return float("nan")
        value = np.asarray(value, dtype=float)
        if province is not None:
            i = model.region.province_index(province)
            if i is None:
                return float("nan")
            value = value[i]
        return float(np.sum(value))
    return report


def _relocated_total(model: CapitalRegionModel) -> float:
    series = model.recorder._data.get("firms_relocated", [])
    return float(sum(np.sum(v) for v in series if v is not None))


HEADLINE_REPORTERS: dict[str, Callable[[CapitalRegionModel], float]] = {
    "year": lambda m: float(m.year),
    "occupancy_phu_tho": _province_occupancy("Phú Thọ"),
    "occupancy_thai_nguyen": _province_occupancy("Thái Nguyên"),
    "firms_relocated_cumulative": _relocated_total,
    "workers_quit": _latest("workers_quit"),
    "workers_moved_home": _latest("workers_moved_home"),
    "net_absorption_phu_tho_tco2e": _latest("forest_net_absorption_tco2e", "Phú Thọ"),
    "commute_co2_t": _latest("commute_co2_t"),
}
"""Model reporters of the DataCollector: name -> function of the model (real counts; occupancy
as a share; NaN for the base year's flows)."""


def seed_from_rng(rng: Any) -> int:
    """A run seed from what Mesa passes as ``rng`` (``None``: a fresh one from the OS)."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % 2**63)
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(2, dtype=np.uint64)[0] % 2**63)
    from .errors import ConfigError

    raise ConfigError("rng", [f"rng: expected an integer seed or None, got {rng!r}"])


def config_from_keywords(rng: Any, keywords: Mapping[str, Any]) -> RunConfig:
    """The run configuration of a model built with keywords (as ``mesa.batch_run`` does)."""
    from .api import load_config

    settings = dict(keywords)
    scenario = str(settings.pop("scenario", "baseline"))
    overrides = {SHORTCUTS.get(k, k.replace("__", ".")): v for k, v in settings.items()}
    overrides.setdefault("run.progress", False)
    return load_config(scenario, seed=seed_from_rng(rng), overrides=overrides)


def attach_datacollector(model: CapitalRegionModel) -> mesa.DataCollector:
    """Give the model its DataCollector with the headline reporters, collected now."""
    model.datacollector = mesa.DataCollector(model_reporters=dict(HEADLINE_REPORTERS))
    model.datacollector.collect(model)
    return model.datacollector
