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
  the source is ``"assumed"``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import ConfigError

NEVER = "never"
"""Corridor opening year meaning that the corridor does not open within the horizon."""


def param(
    default: Any,
    *,
    units: str = "",
    source: str = "",
    bounds: tuple[float | None, float | None] | None = None,
    range: tuple[float, float] | None = None,
    doc: str = "",
) -> Any:
    """Declare a configuration field with its documentation metadata."""
    meta = {"units": units, "source": source, "bounds": bounds, "range": range, "doc": doc}
    if isinstance(default, (dict, list)):
        frozen_default = default
        return field(default_factory=lambda: type(frozen_default)(frozen_default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunSettings:
    """Horizon, scale and console behaviour of one run."""

    start_year: int = param(
        2025, units="year", source="base year of the embedded region data",
        bounds=(2000, 2100), doc="Base year of the data; its values are the initial state.",
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
    rail_boarding_min: float = param(
        10.0, units="min", source="assumed", bounds=(0.0, 120.0), range=(5.0, 20.0),
        doc="Time to board a train at a station (walk to platform, half headway).",
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
        {},
        doc=(
            "Opening year per corridor id of links.csv, overriding the data: a year, or 'never'. "
            "It moves the corridor's sections not yet open in the base year; built sections "
            "stay. Corridors not named keep the data's open_year (empty there = never)."
        ),
    )


@dataclass(frozen=True)
class RunConfig:
    """Everything one run needs besides the region data."""

    scenario: str = "baseline"
    seed: int = param(0, bounds=(0, 2**63 - 1), doc="Seed of the run's random generator.")
    run: RunSettings = field(default_factory=RunSettings)
    region: RegionSettings = field(default_factory=RegionSettings)
    transport: TransportParams = field(default_factory=TransportParams)

    @property
    def years(self) -> range:
        """Simulated years, base year included."""
        return range(self.run.start_year, self.run.end_year + 1)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dictionary of every setting (the inverse of :func:`build_config`)."""
        return _to_plain(dataclasses.asdict(self))

    def to_yaml(self) -> str:
        """The fully resolved configuration as YAML (recorded in every results file)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)


SECTIONS = ("seed", "run", "region", "transport")
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
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    errors.append(f"{key}: expected {_describe(tp)}, got {value!r}")
    return None


def _check_bounds(value: Any, bounds: tuple | None, key: str, errors: list[str]) -> None:
    if bounds is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    lo, hi = bounds
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        errors.append(f"{key}: {value!r} is out of range; allowed [{lo_s}, {hi_s}]")


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


def load_scenario_file(path: Path) -> dict[str, Any]:
    """Read a scenario YAML file into a mapping (comments are its documentation)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["expected a mapping of settings at the top level"])
    data.pop("defaults", None)
    return data
