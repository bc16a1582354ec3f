"""Levers and uncertainties: which settings an experiment varies, and over which ranges.

The vocabulary is the EMA Workbench's: *levers* are what a province controls (years a programme
starts, shares, prices, budgets, dwellings built), *uncertainties* are what nobody controls
(behavioural parameters, growth, prices of the world). Both are settings of :mod:`model.config`,
and their ranges are declared there, once, next to their units and sources:

- an uncertainty is every numeric parameter of the non-policy sections with a plausible
  ``range`` (the set the sensitivity analysis samples, :func:`model.sweep.uncertain_parameters`);
- a lever is a dotted key listed in :data:`LEVERS`; its range is the field's ``lever_range``
  (or its ``range`` where the field already declares one, e.g. the carbon price). Keys that
  run through a mapping (``transport.corridors.<id>``, ``policies.exemptions.<programme>.years``,
  ``policies.housing.units_per_year.<province>``) read the range of the mapping's field (or of the
  dataclass its values are).

This module adds no ranges of its own: a branch that declares a new parameter with a ``range``
makes it an uncertainty; listing a key in :data:`LEVERS` makes it a lever.

**Years that can be "never".** A year lever whose setting accepts "no such year" (``None``, as
``policies.forest.credit_start_year``; or ``"never"``, as a corridor's opening year) is sampled on
the integers ``low .. high + 1``, and the code ``high + 1`` stands for *never*. That keeps the
lever numeric (PRIM boxes read "credits start by 2033"), and :meth:`Dimension.value` turns the
code into the setting (``None`` or ``"never"``) before the run.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .config import NEVER, RunConfig
from .errors import ConfigError
from .region import name_key

LEVERS: tuple[str, ...] = (
    "policies.exemptions.phu_tho_priority.years",
    "policies.exemptions.phu_tho_priority.budget_vnd",
    "clusters.priority_shift_years",
    "transport.corridors.ring_road_5",
    "transport.corridors.phu_tho_urban_rail_1",
    "policies.push.share_by_deadline",
    "policies.logistics.one_stop_customs_year",
    "policies.shuttle.subsidy_start_year",
    "policies.housing.units_per_year.phu_tho",
    "policies.forest.credit_start_year",
    "policies.forest.carbon_price_usd_tco2e",
    "policies.forest.pfes_interprovincial_start_year",
    "policies.forest.pfes_interprovincial_vnd_ha_yr",
    "policies.forest.monitoring_start_year",
    "policies.forest.protection_start_year",
    "policies.forest.fsc_start_year",
    "policies.forest.afforestation_ha_yr.phu_tho",
)
"""Dotted keys of the policy settings experiments may vary (ranges: ``model/config.py``).

A key under a named programme (``policies.exemptions.phu_tho_priority``) is a lever only of the
scenarios that define that programme (:func:`levers` drops it elsewhere: a programme created
from defaults would not be the province's)."""


@dataclass(frozen=True)
class Dimension:
    """One lever or uncertainty: a setting, its range and how a sampled number becomes a value.

    Attributes:
        key: dotted configuration key, e.g. ``policies.forest.credit_start_year``.
        kind: ``lever`` or ``uncertainty``.
        low: lower end of the range.
        high: upper end (for a year lever with a never option, the latest real year).
        integer: the setting takes integers.
        never: what the setting takes for "never" (``None`` or ``"never"``), or ``...`` when the
            lever has no such option.
        units: units of the setting.
        doc: its description.
    """

    key: str
    kind: str
    low: float
    high: float
    integer: bool
    never: Any = ...
    units: str = ""
    doc: str = ""

    @property
    def name(self) -> str:
        """Identifier-safe name (EMA parameter, column, dimension): ``.`` -> ``__``."""
        return self.key.replace(".", "__")

    @property
    def has_never(self) -> bool:
        """The lever has a "never" option (coded as ``high + 1``)."""
        return self.never is not ...

    @property
    def code_high(self) -> float:
        """Upper end of the sampled codes (``high + 1`` with a never option)."""
        return self.high + 1 if self.has_never else self.high

    def value(self, code: float) -> Any:
        """The setting for a sampled number: rounded for integers, the never option above high."""
        if self.has_never and code > self.high:
            return self.never
        if self.integer:
            return round(code)
        return float(code)

    def code(self, value: Any) -> float:
        """The number standing for a setting's value (inverse of :meth:`value`)."""
        if self.has_never and (value is None or value == NEVER):
            return float(self.code_high)
        return float(value)

    def from_unit(self, u: float) -> Any:
        """The setting at a point ``u`` in [0, 1) of the range (integers equally likely)."""
        if self.integer:
            n = int(self.code_high - self.low) + 1
            return self.value(self.low + min(math.floor(u * n), n - 1))
        return self.value(self.low + u * (self.high - self.low))


def _leaf(key: str) -> tuple[dataclasses.Field, Any]:
    """The dataclass field declaring a dotted key, and the type of the key's values."""
    cls: Any = RunConfig
    parts = key.split(".")
    i = 0
    while i < len(parts):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if parts[i] not in fields:
            raise ConfigError("levers", [f"{key}: no setting {parts[i]!r} in {cls.__name__}"])
        f = fields[parts[i]]
        tp = typing.get_type_hints(cls)[f.name]
        i += 1
        if typing.get_origin(tp) is dict:
            if i >= len(parts):
                raise ConfigError("levers", [f"{key}: a mapping; name one of its keys"])
            i += 1  # the free key of the mapping
            value_tp = typing.get_args(tp)[1]
            if dataclasses.is_dataclass(value_tp) and i < len(parts):
                cls = value_tp
                continue
            if i < len(parts):
                raise ConfigError("levers", [f"{key}: {'.'.join(parts[:i])} is not a mapping "
                                             "of settings"])
            return f, value_tp
        if dataclasses.is_dataclass(tp):
            if i >= len(parts):
                raise ConfigError("levers", [f"{key}: a group of settings, not one setting"])
            cls = tp
            continue
        if i < len(parts):
            raise ConfigError("levers", [f"{key}: {'.'.join(parts[:i])} is a single setting"])
        return f, tp
    raise ConfigError("levers", [f"{key}: empty key"])


def _options(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        return typing.get_args(tp)
    return (tp,)


def dimension(key: str, kind: str) -> Dimension:
    """The :class:`Dimension` of a dotted key, read from its declaration in ``model/config.py``.

    Raises:
        ConfigError: the key names no setting, or the setting declares no range.
    """
    f, tp = _leaf(key)
    meta = f.metadata
    rng = (meta.get("lever_range") or meta.get("range")) if kind == "lever" else meta.get("range")
    if rng is None:
        what = "lever_range (or range)" if kind == "lever" else "range"
        raise ConfigError("levers", [f"{key}: declares no {what} in model/config.py"])
    options = _options(tp)
    integer = int in options and float not in options
    never: Any = ...
    if kind == "lever" and meta.get("units") == "year":
        if type(None) in options:
            never = None
        elif str in options:
            never = NEVER
    return Dimension(key=key, kind=kind, low=float(rng[0]), high=float(rng[1]), integer=integer,
                     never=never, units=str(meta.get("units", "")), doc=str(meta.get("doc", "")))


def _exists(key: str, settings: Mapping[str, Any]) -> bool:
    """False for a key under a named programme (a mapping of settings) the settings lack."""
    cls: Any = RunConfig
    node: Any = settings
    parts = key.split(".")
    i = 0
    while i < len(parts) - 1:
        tp = typing.get_type_hints(cls)[parts[i]]
        node = node.get(parts[i], {}) if isinstance(node, Mapping) else {}
        i += 1
        if typing.get_origin(tp) is dict:
            value_tp = typing.get_args(tp)[1]
            if not dataclasses.is_dataclass(value_tp):
                return True
            if not (isinstance(node, Mapping) and parts[i] in node):
                return False
            node, cls = node[parts[i]], value_tp
            i += 1
        else:
            cls = tp
    return True


def all_uncertainties() -> list[Dimension]:
    """Every uncertainty: the numeric non-policy parameters with a declared plausible range."""
    from .sweep import uncertain_parameters

    return [dimension(key, "uncertainty") for key in sorted(uncertain_parameters())]


def uncertainties(keys: Iterable[str] | str | None = "all") -> list[Dimension]:
    """The uncertainties named by dotted keys (``"all"`` or ``None``: every one).

    Raises:
        ConfigError: a key is not an uncertainty (the message lists them).
    """
    every = {d.key: d for d in all_uncertainties()}
    if keys is None or keys == "all":
        return list(every.values())
    keys = [keys] if isinstance(keys, str) else list(keys)
    unknown = [k for k in keys if k not in every]
    if unknown:
        raise ConfigError("uncertainties", [
            f"{k}: not an uncertainty (a numeric parameter with a range in model/config.py); "
            f"uncertainties: {', '.join(every)}" for k in unknown])
    return [every[k] for k in keys]


def levers(keys: Iterable[str] | str | None = "all",
           scenario_settings: Mapping[str, Any] | None = None) -> list[Dimension]:
    """The levers named by dotted keys (``"all"``: every key of :data:`LEVERS`).

    Args:
        keys: dotted keys, or ``"all"``; an empty list gives no levers.
        scenario_settings: the scenario's settings (:func:`model.api.scenario_settings`); with
            ``"all"``, keys under a programme the scenario does not define are left out, and a
            named key under such a programme is an error.

    Raises:
        ConfigError: a key is not a lever or needs a programme the scenario lacks.
    """
    settings = scenario_settings or {}
    if keys is None or keys == "all":
        return [dimension(k, "lever") for k in LEVERS if _exists(k, settings)]
    keys = [keys] if isinstance(keys, str) else list(keys)
    problems = []
    for k in keys:
        if k not in LEVERS:
            problems.append(f"{k}: not a lever; levers (model/levers.py): {', '.join(LEVERS)}")
        elif not _exists(k, settings):
            problems.append(f"{k}: the scenario defines no {k.rsplit('.', 2)[0]} programme")
    if problems:
        raise ConfigError("levers", problems)
    return [dimension(k, "lever") for k in keys]


def overrides(values: Mapping[str, Any], scenario_settings: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted overrides setting each key to its value, province keys spelt as the scenario does.

    ``policies.housing.units_per_year.phu_tho`` becomes ``...units_per_year.Phú Thọ`` when the
    scenario already names Phú Thọ there, so a lever replaces the scenario's value instead of
    adding a second entry for the same province.
    """
    out = {}
    for key, value in values.items():
        *parent, last = key.split(".")
        node: Any = scenario_settings
        for part in parent:
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        if isinstance(node, Mapping):
            same = [k for k in node if name_key(str(k)) == name_key(last)]
            if same:
                last = str(same[0])
        out[".".join([*parent, last])] = value
    return out
