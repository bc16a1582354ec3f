"""CF-1.10 metadata and encoding of the results files (``results.nc``, ``sweep.nc``).

One encoder serves both files (:func:`prepare`, called by :func:`model.outputs.write_netcdf`), so
a variable added to :data:`model.outputs.VARIABLES` gets conforming attributes without code of its
own. Everything is derived from the variable's declared unit and a few tables here:

Units (:data:`UNITS`). The model's unit strings are kept in :data:`~model.outputs.VARIABLES`
(``tCO2e``, ``VND``, ``count``, ...) because they read well in names and docs; the files carry
UDUNITS-2 units, as CF §3.1 requires:

- carbon: ``t`` (metric tonne) with the species in the ``species`` attribute (``CO2e``, ``CO2``)
  and in ``long_name``. UDUNITS has no chemical species; CF's own practice is a standard name
  that names the species with a mass unit (e.g. ``mass_content_of_carbon_…`` in ``kg``). No CF
  standard name covers CO2-equivalent forest carbon, hence the attribute.
- money: ``1`` with ``currency = "VND"`` and ``price_base_year`` (constant prices of the run's
  base year, the year of the region data: the model has no inflation, rents grow in real terms).
  CF has no currency unit; this is the convention of the CMIP/IAM-derived CF datasets that carry
  costs (a dimensionless amount plus a currency attribute).
- counts: ``1`` (CF §3.1: dimensionless counts have units ``1``); ``long_name`` says what is
  counted.
- annual flows get ``/yr`` (``t/yr``, ``1/yr``, ``ha/yr``): a variable is a flow when its
  :class:`~model.outputs.Variable` says ``kind="flow"``, when its unit already ends in ``/yr``, or
  when its long name says the value is "in the year" / "during the year" (the wording the results
  contract uses for flows). Names keep their ``_tco2e``/``_vnd`` suffixes; units say the rate.

Standard names (:data:`STANDARD_NAMES`) where the CF table (v93, bundled with compliance-checker
6.1) has one: ``latitude`` and ``longitude``. It has no generic ``area`` (only ``cell_area``,
``sea_area``, ``burned_area``, ...), nothing for counts, money or CO2-equivalent carbon of a
province, so the other variables carry ``long_name`` only.

Flags (CF §3.5): boolean variables (``cluster_priority``) carry ``flag_values = [0, 1]`` and
``flag_meanings``; xarray still reads them back as booleans.

String labels (CF §2.2, §6.1): netCDF-4 variable-length strings as dimension coordinates crash the
IOOS compliance-checker and cfchecker. Every text variable is written as a fixed-width character
array (an extra ``strlenN`` dimension) with ``_Encoding = "utf-8"``. A plain
``xarray.open_dataset`` joins the characters back into strings, so ``province``, ``zone``,
``scenario``, ... are string dimension coordinates again and ``ds.sel(province="Phú Thọ")`` works
without any help from this package.

Global attributes (CF §2.6.2): ``title``, ``institution``, ``source``, ``history`` (one line per
write, appended), ``references``, ``comment``, ``Conventions``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

FLOW_WORDS = re.compile(r"\b(in|during) the year\b|\bper year\b|\bannual\b", re.IGNORECASE)
"""Long-name wording that marks an annual flow (see the module docstring)."""


@dataclass(frozen=True)
class UnitRule:
    """How one of the model's unit strings is written in CF."""

    units: str
    """UDUNITS-2 unit (before ``/yr`` is added to flows)."""
    attrs: dict[str, Any] = field(default_factory=dict)
    """Extra attributes (``species``, ``currency``)."""
    long_name_suffix: str = ""
    """Appended to ``long_name`` (the species, since the unit cannot say it)."""


UNITS: dict[str, UnitRule] = {
    "tCO2e": UnitRule("t", {"species": "CO2e"}, " (tonnes of CO2 equivalent)"),
    "tCO2": UnitRule("t", {"species": "CO2"}, " (tonnes of CO2)"),
    "VND": UnitRule("1", {"currency": "VND"}, " (Vietnamese đồng, constant prices)"),
    "count": UnitRule("1"),
    "year": UnitRule("1"),  # a calendar year (corridor_open_year), not a duration ("yr")
}
"""The model's unit strings that are not UDUNITS units; the others (``ha``, ``min``, ``yr``,
``1``) are written as they are."""

STANDARD_NAMES: dict[str, str] = {
    "zone_lat": "latitude",
    "zone_lon": "longitude",
}
"""CF standard names of the variables that have one."""

COORDINATES: dict[str, dict[str, str]] = {
    "year": {"long_name": "calendar year (end-of-year states, in-year flows)",
             "long_name_vi": "năm", "units": "1"},
    "province": {"long_name": "province", "long_name_vi": "tỉnh, thành phố"},
    "zone": {"long_name": "zone id", "long_name_vi": "mã vùng"},
    "zone_name": {"long_name": "zone name", "long_name_vi": "tên vùng"},
    "zone_province": {"long_name": "province of the zone", "long_name_vi": "tỉnh của vùng"},
    "zone_lat": {"long_name": "latitude of the zone centre", "long_name_vi": "vĩ độ tâm vùng",
                 "units": "degrees_north"},
    "zone_lon": {"long_name": "longitude of the zone centre", "long_name_vi": "kinh độ tâm vùng",
                 "units": "degrees_east"},
    "cluster": {"long_name": "cluster or park id", "long_name_vi": "mã khu, cụm công nghiệp"},
    "cluster_name": {"long_name": "cluster or park name",
                     "long_name_vi": "tên khu, cụm công nghiệp"},
    "cluster_province": {"long_name": "province of the cluster or park",
                         "long_name_vi": "tỉnh của khu, cụm công nghiệp"},
    "cluster_zone": {"long_name": "zone of the cluster or park",
                     "long_name_vi": "vùng của khu, cụm công nghiệp"},
    "cluster_kind": {"long_name": "kind of site: industrial_cluster, industrial_park or logistics",
                     "long_name_vi": "loại: cụm công nghiệp, khu công nghiệp hoặc logistics"},
    "cluster_priority": {"long_name": "one of the 25 priority clusters",
                         "long_name_vi": "thuộc 25 cụm công nghiệp ưu tiên",
                         "flag_meanings": "not_priority priority"},
    "mode": {"long_name": "commute mode", "long_name_vi": "phương tiện đi làm"},
    "period": {"long_name": "time of day (peak or off-peak)",
               "long_name_vi": "thời điểm trong ngày"},
    "work_zone": {"long_name": "zone id of the workplace", "long_name_vi": "mã vùng làm việc"},
    "forest_type": {"long_name": "forest type", "long_name_vi": "loại rừng"},
    "sector": {"long_name": "firm sector", "long_name_vi": "ngành của doanh nghiệp"},
    "corridor": {"long_name": "named transport corridor (id)",
                 "long_name_vi": "mã hành lang giao thông"},
    "corridor_name": {"long_name": "name of the transport corridor",
                      "long_name_vi": "tên hành lang giao thông"},
    "scenario": {"long_name": "scenario", "long_name_vi": "kịch bản"},
    "seed": {"long_name": "random seed of the member run", "long_name_vi": "seed ngẫu nhiên",
             "units": "1"},
}
"""Attributes of the coordinates (and of ``scenario``/``seed`` of a sweep)."""

INSTITUTION = "Hà Nội Capital Region model contributors"
REFERENCES = "docs/results.md and docs/ODD.md of the hncr-model repository"


def is_flow(unit: str, long_name: str, kind: str = "") -> bool:
    """Whether a variable is an annual flow (see the module docstring for the rule)."""
    if kind:
        return kind == "flow"
    return unit.endswith("/yr") or bool(FLOW_WORDS.search(long_name))


def variable_attributes(unit: str, long_name: str, long_name_vi: str, kind: str = "",
                        price_base_year: int | None = None) -> dict[str, Any]:
    """CF attributes of a results variable declared with the model's ``unit`` and names."""
    flow = is_flow(unit, long_name, kind)
    base = unit.removesuffix("/yr")
    rule = UNITS.get(base, UnitRule(base))
    units = rule.units
    if flow:
        units = "1/yr" if units == "1" else f"{units}/yr"
    attrs: dict[str, Any] = {"units": units, "long_name": long_name + rule.long_name_suffix,
                             "long_name_vi": long_name_vi, **rule.attrs}
    if "currency" in attrs and price_base_year is not None:
        attrs["price_base_year"] = np.int64(price_base_year)
    if flow:
        attrs["cell_methods"] = "year: sum"
    return {k: v for k, v in attrs.items() if v is not None}


def cf_units(unit: str, long_name: str, kind: str = "") -> str:
    """The CF ``units`` of a variable declared with the model's ``unit`` (see :data:`UNITS`)."""
    return variable_attributes(unit, long_name, "", kind)["units"]


def _coordinate_attributes(ds: xr.Dataset) -> None:
    for name, attrs in COORDINATES.items():
        if name not in ds.variables:
            continue
        var = ds[name]
        var.attrs.update(attrs)
        if name in STANDARD_NAMES:
            var.attrs["standard_name"] = STANDARD_NAMES[name]
        if var.dtype == bool:
            var.attrs["flag_values"] = np.array([0, 1], dtype=np.int8)
    for name in ds.dims:
        # Swept settings of a sweep (policies__forest__x): the setting's dotted key.
        if "__" in str(name) and name in ds.coords:
            ds[name].attrs.setdefault("long_name", str(name).replace("__", "."))
            ds[name].attrs.setdefault("long_name_vi", str(name).replace("__", "."))
            if ds[name].dtype.kind in "fiu":
                ds[name].attrs.setdefault("units", "1")


def _history_line(ds: xr.Dataset, version: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    what = "sweep collated" if "scenario" in ds.dims else (
        f"run of scenario {ds.attrs.get('scenario', '?')}, seed {ds.attrs.get('seed', '?')}")
    return f"{stamp} hncr-model {version}: {what}"


def annotate(ds: xr.Dataset, variables: dict, version: str) -> xr.Dataset:
    """A shallow copy of ``ds`` with the CF attributes of its variables, coordinates and file.

    Args:
        ds: a run's or a sweep's results.
        variables: the declarations of :data:`model.outputs.VARIABLES` (units, names, kind).
        version: the model version, for ``source``.
    """
    out = ds.copy()
    base_year = int(out["year"].values[0]) if "year" in out.coords else None
    for name, var in out.data_vars.items():
        meta = variables.get(str(name))
        if meta is None:
            continue
        var.attrs.update(variable_attributes(meta.units, meta.long_name, meta.long_name_vi,
                                             getattr(meta, "kind", ""), base_year))
    _coordinate_attributes(out)
    out.attrs.update(
        institution=INSTITUTION,
        source=f"hncr-model {version} (agent-based scenario model, Mesa)",
        references=REFERENCES,
        comment="Counts are real counts whatever the agent scale; money in constant VND of "
                f"{base_year} (price_base_year of each money variable).",
        Conventions="CF-1.10",
    )
    if base_year is not None:
        out.attrs["price_base_year"] = np.int64(base_year)
    return out


def prepare(ds: xr.Dataset, variables: dict, version: str,
            complevel: int = 4) -> tuple[xr.Dataset, dict]:
    """The dataset to write (:func:`annotate`, a ``history`` line added) and its encoding.

    Returns:
        The dataset and the ``encoding`` for ``to_netcdf``: numeric variables compressed
        (lossless zlib at ``complevel``, 1-9), every text variable as UTF-8 characters (``S1``).
    """
    out = annotate(ds, variables, version)
    previous = str(out.attrs.get("history", "")).strip()
    out.attrs["history"] = "\n".join(p for p in (previous, _history_line(out, version)) if p)
    encoding: dict[str, dict[str, Any]] = {}
    for name, var in out.variables.items():
        if var.dtype.kind in "OUS":
            encoding[str(name)] = {"dtype": "S1", "_Encoding": "utf-8"}
            out[name].attrs.pop("_Encoding", None)
            out[name].encoding.pop("_Encoding", None)
        elif name in out.data_vars and var.dtype.kind in "fiu":
            encoding[str(name)] = {"zlib": True, "complevel": complevel}
    return out, encoding
