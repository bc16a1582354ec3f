"""Sweeps: collate the members of a Hydra multirun into one dataset, summarise it, resume it.

A sweep (``python -m model -m ...`` or a preset, ``python -m model +sweep=all_scenarios``) runs
one member per combination of overrides, each in its numbered folder under the sweep folder with
its ``results.nc`` (or a ``failed.json`` saying why it failed). After the last member,
:func:`collate` writes beside them:

- ``sweep.nc``: the members' datasets combined along ``scenario`` and ``seed`` plus one dimension
  per other swept setting (its key with ``.`` replaced by ``__``); a failed member's slot is NaN;
- ``summary.csv``: for each scenario (and swept setting), headline variable, province and
  milestone year, the median and the 5th and 95th percentiles across seeds;
- ``runs_failed.csv``: every failed member with its overrides and error.

Combining follows the safe recipe of the tech notes: concatenate along an explicit ``run``
dimension, ``set_index`` + ``unstack`` (which raises on duplicate labels instead of silently
dropping runs), and ``drop_encoding`` before writing so strings are not truncated to the first
file's length.

Command line::

    python -m model.sweep collate SWEEP_FOLDER          # (re)collate an existing sweep
    python -m model.sweep resume SWEEP_FOLDER           # re-run only missing or failed members
    python -m model.sweep sensitivity [options]         # Morris / Sobol indices (SALib)
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import member_files
from .errors import OutputError, UserError


class _OnFirstUse:
    """A module imported when first used.

    A sweep's parent composes, checks and launches its members without pandas, xarray and the
    model's outputs (~1.1 CPU-s of imports), and imports them while the members run
    (:func:`preload`).
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


pd = _OnFirstUse("pandas")
xr = _OnFirstUse("xarray")


def write_text(text: str, path: str | Path) -> Path:
    """:func:`model.outputs.write_text` (imported on first use)."""
    from .outputs import write_text as write

    return write(text, path)


_PRELOAD: threading.Thread | None = None
_READ_AHEAD: member_files.ReadAhead | None = None


def preload(folder: str | Path | None = None) -> None:
    """Import what collation needs, then read ahead the members of ``folder``, in one thread.

    The thread runs in a sweep's parent while its members run elsewhere (the launcher's
    workers): it imports pandas, xarray and the outputs, then reads each member's files as they
    appear (:mod:`model.member_files`), until :func:`stop_background`. That is called before
    collating, and before this process forks a member of its own (``n_jobs=1``), so that no
    import or netCDF read is under way in another thread when it forks.
    """
    global _PRELOAD, _READ_AHEAD
    if _PRELOAD is not None and _PRELOAD.is_alive():
        return  # one at a time; a later multirun of this process starts its own
    _READ_AHEAD = None
    if folder is not None:
        _READ_AHEAD = member_files.ReadAhead(lambda: member_readers(Path(folder)))
        member_files.install(_READ_AHEAD)

    read_ahead = _READ_AHEAD

    def work() -> None:
        try:
            import netCDF4  # noqa: F401
            import pandas  # noqa: F401
            import xarray  # noqa: F401

            from . import outputs, writing  # noqa: F401
        except Exception:  # collation imports them again and reports what fails
            pass
        if read_ahead is not None:
            read_ahead.run()

    _PRELOAD = threading.Thread(target=work, name="hncr-collation-read-ahead", daemon=True)
    _PRELOAD.start()
    # A sweep that ends without collating (Ctrl-C, a launcher error) exits with the thread
    # stopped: it must not be inside the HDF5 library while the library shuts down.
    atexit.unregister(stop_background)  # once, however many multiruns
    atexit.register(stop_background)


def member_readers(folder: Path) -> list[tuple[Path, member_files.Reader]]:
    """The files collation reads of each member folder now in ``folder``, with their readers."""
    found: list[tuple[Path, member_files.Reader]] = []
    for sub in _member_folders(folder):
        found += [(sub / ".hydra" / name, _yaml_file) for name in HYDRA_FILES]
        found.append((sub / RESULTS, member_files.read_stored))
    return found


def stop_background() -> None:
    """Stop and join :func:`preload`'s thread (before collating, and before forking)."""
    if _READ_AHEAD is not None:
        _READ_AHEAD.stop()
    if _PRELOAD is not None:
        _PRELOAD.join()


MILESTONES = (2030, 2035, 2040, 2045)
FIXED_DIMS = ("scenario", "seed")
RESULTS = "results.nc"
FAILED = "failed.json"
SWEEP_COMPLEVEL = 1
"""zlib level of ``sweep.nc``: 140 full-scale members (280 MB) write in ~1.5 s and take 23 MB,
against ~2.5 s and 19 MB at the members' level 4; the writing is part of the wait after the
last member (issue 17)."""
HYDRA_FILES = ("overrides.yaml", "config.yaml", "hydra.yaml")
"""What collation reads of each member's ``.hydra/`` folder."""


HEADLINES: dict[str, Any] = {
    "province_occupancy": lambda ds: ds["province_occupancy"],
    "firms_relocated_cumulative": lambda ds: ds["firms_relocated"].cumsum("year"),
    "jobs": lambda ds: ds["jobs"],
    "rent_forgone_vnd_cumulative": lambda ds: ds["rent_forgone_vnd"].cumsum("year"),
    "mean_commute_min": lambda ds: ds["mean_commute_min"],
    "workers_quit": lambda ds: ds["workers_quit"].expand_dims(province=["all"]),
    "workers_moved_home": lambda ds: ds["workers_moved_home"].expand_dims(province=["all"]),
    "commute_co2_t": lambda ds: ds["commute_co2_t"].expand_dims(province=["all"]),
    "forest_carbon_stock_tco2e": lambda ds: ds["forest_carbon_stock_tco2e"].sum("forest_type"),
    "forest_net_absorption_tco2e": lambda ds: ds["forest_net_absorption_tco2e"],
    "carbon_payments_vnd_cumulative": lambda ds: ds["carbon_payments_vnd"].cumsum("year"),
    "pfes_payments_vnd_cumulative": lambda ds: ds["pfes_payments_vnd"].cumsum("year"),
}
"""Headline variables of ``summary.csv``: each gives a (…, year, province) array of a dataset."""


@dataclass
class Member:
    """One member of a sweep: its folder, labels and outcome."""

    folder: Path
    number: int
    overrides: list[str]
    scenario: str
    seed: int
    swept: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        """The member wrote its results (and nothing since said they are unusable)."""
        return not self.error and (self.folder / RESULTS).is_file()


@dataclass
class SweepOutcome:
    """What a collation found and wrote."""

    folder: Path
    members: int
    failed: list[Member]
    written: list[Path]

    def message(self) -> str:
        """One paragraph for the console."""
        text = (f"Sweep {self.folder}: {self.members - len(self.failed)} of {self.members} "
                f"members succeeded; wrote {', '.join(p.name for p in self.written)}.")
        if self.failed:
            text += (f" {len(self.failed)} failed (see runs_failed.csv); re-run them with "
                     f"python -m model.sweep resume {self.folder}")
        return text


def _load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's C loader when PyYAML has it (~9x faster per member)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _parse_override(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    key = key.lstrip("+~")
    try:
        parsed = _load_yaml(value)
    except yaml.YAMLError:
        parsed = value
    return key, parsed


def _member_folders(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()),
                  key=lambda p: int(p.name))


NOT_RUN = "not run: the member never started (the sweep was interrupted or stopped before it)"


def _yaml_file(path: Path) -> Any:
    return _load_yaml(path.read_text(encoding="utf-8"))


def _read_yaml(path: Path) -> Any:
    """A small YAML file Hydra wrote (or its value read ahead); UserError when unreadable."""
    try:
        return member_files.read(path, _yaml_file)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise UserError(f"cannot read {path}: {reason}") from None


def _member(sub: Path, number: int, planned: list[str] | None) -> Member:
    """One member from its folder; with a plan (manifest), a folder Hydra never wrote is 'not run'.

    Raises:
        UserError: without a plan, the folder lacks readable ``.hydra/`` files.
    """
    hydra_dir = sub / ".hydra"
    try:
        overrides = list(_read_yaml(hydra_dir / "overrides.yaml") or [])
        config = _read_yaml(hydra_dir / "config.yaml") or {}
        choices = (_read_yaml(hydra_dir / "hydra.yaml") or {}).get(
            "hydra", {}).get("runtime", {}).get("choices", {})
        scenario = str(choices.get("scenario") or "baseline")
        seed = int(config.get("seed", 0))
    except (UserError, AttributeError, TypeError, ValueError) as exc:
        if planned is None:
            raise UserError(f"{sub} is not a complete sweep member ({exc}); every numbered "
                            "folder of a sweep holds the .hydra/ folder Hydra wrote") from None
        values = dict(_parse_override(o) for o in planned)
        never = not hydra_dir.is_dir()
        return Member(folder=sub, number=number, overrides=list(planned),
                      scenario=str(values.get("scenario", "baseline")),
                      seed=int(values.get("seed", 0)),
                      error=NOT_RUN if never else f"not run: {exc}")
    error = ""
    if (sub / FAILED).is_file():
        try:
            error = json.loads((sub / FAILED).read_text(encoding="utf-8")).get("error", "")
        except (OSError, ValueError, AttributeError):
            error = f"failed ({FAILED} unreadable)"
        error = error or "failed"
    elif not (sub / RESULTS).is_file():
        error = "not run to the end: no results (the member was interrupted)"
    return Member(folder=sub, number=number, overrides=overrides, scenario=scenario, seed=seed,
                  error=error)


def read_members(folder: str | Path) -> list[Member]:
    """The members of a sweep folder, with their labels and errors.

    With a manifest (``manifest.json``, written when the sweep started) the members are the
    planned ones: a member whose folder is missing or incomplete is listed as not run, and
    numbered folders outside the plan are ignored. Without one (a sweep of an older version),
    the members are the numbered folders.

    Raises:
        UserError: the folder is not a sweep folder, or a member folder cannot be read.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder")
    plan = read_manifest(folder)
    if plan is not None:
        members = [_member(folder / str(i), i, planned) for i, planned in enumerate(plan)]
    else:
        subdirs = _member_folders(folder)
        if not subdirs:
            raise UserError(f"{folder} holds no sweep members (numbered folders with .hydra/); "
                            "give the folder a sweep wrote (outputs/sweeps/...)")
        members = [_member(sub, int(sub.name), None) for sub in subdirs]
    values = [dict(_parse_override(o) for o in m.overrides) for m in members]
    varying = _swept_keys(values)
    for m, given in zip(members, values, strict=True):
        m.swept = {k: given.get(k) for k in varying}
    return members


def _swept_keys(values: list[dict[str, Any]]) -> list[str]:
    """Override keys (other than scenario and seed) whose value differs between members.

    ``values``: each member's overrides, parsed. A key some members do not override varies too.
    """
    seen: dict[str, set[str]] = {}
    for given in values:
        for key, value in given.items():
            if key in FIXED_DIMS or key.startswith("hydra."):
                continue
            seen.setdefault(key, set()).add(repr(value))
    keys = [k for k, v in seen.items() if len(v) > 1 or any(k not in g for g in values)]
    return sorted(keys)


def dim_name(key: str) -> str:
    """Dimension name of a swept setting: ``policies.forest.x`` -> ``policies__forest__x``."""
    return key.replace(".", "__")


def combine(members: list[Member]) -> xr.Dataset:
    """One dataset over scenario, seed and the swept settings; failed members' slots are NaN.

    Members whose files share the first one's variables, shapes and coordinates (every sweep of
    one region and horizon) are read straight into the combined arrays (:func:`_combine_direct`,
    linear in the members); otherwise xarray aligns them (:func:`_combine_aligned`: an outer join
    on every coordinate). Both give the same dataset where both apply.

    Raises:
        UserError: no member succeeded, or two members share all labels.
    """
    combined = _combine_direct(members)
    return combined if combined is not None else _combine_aligned(members)


def _labels(members: list[Member]) -> tuple[list[str], pd.DataFrame]:
    """The combined dataset's label dimensions and each member's labels (one row per member)."""
    keys = sorted({k for m in members for k in m.swept})
    as_text = {k for k in keys if not _all_numbers(m.swept.get(k) for m in members)}
    rows = []
    for m in members:
        row = {"scenario": m.scenario, "seed": m.seed}
        row |= {dim_name(k): str(m.swept.get(k)) if k in as_text else m.swept.get(k)
                for k in keys}
        rows.append(row)
    index = ["scenario", "seed", *[dim_name(k) for k in keys]]
    return index, pd.DataFrame(rows, columns=index)


def _refuse_duplicates(labels: pd.DataFrame) -> None:
    dup = labels.duplicated(keep=False)
    if dup.any():
        clash = labels[dup].astype(str).agg(", ".join, axis=1).unique()[:3]
        raise UserError("members share the same labels and would overwrite each other: "
                        f"{'; '.join(clash)}. Give each member distinct overrides.")


def _sweep_attrs(template: xr.Dataset) -> dict[str, Any]:
    attrs = {k: template.attrs[k] for k in
             ("model_version", "git_commit", "region_data_sha256", "Conventions")
             if k in template.attrs}
    attrs["title"] = "Hà Nội Capital Region scenario model: results of a sweep"
    return attrs


_DECODED_ATTRS = {"scale_factor", "add_offset", "missing_value", "_Unsigned", "dtype",
                  "calendar"}
"""Attributes with which xarray's decoding changes a variable's values (then: xarray reads)."""


def _read_raw(m: Member, names: list[str], coords: list[str]):
    """A member's numeric variables as stored, and its coordinates' raw bytes.

    None when the file cannot be read (``m.error`` says why) or a variable is encoded in a way
    the direct path does not decode (scale factors, missing values, non-float types): the
    string ``"encoded"``. The file may have been read ahead (:mod:`model.member_files`).
    """
    try:
        stored = member_files.read(m.folder / RESULTS, member_files.read_stored)
    except Exception as exc:  # any unreadable file (truncated, not netCDF): the member failed
        _unreadable(m, exc)
        return None
    if any(n not in stored for n in (*names, *coords)):
        return "encoded"  # another set of variables: the aligned path
    values = {}
    for name in names:
        var = stored[name]
        if (var.data.dtype != np.float64 or _DECODED_ATTRS & var.attrs
                or " since " in var.units):
            return "encoded"
        data = var.data
        fill = np.nan if var.fill is None else var.fill
        if not np.isnan(fill):
            data[data == fill] = np.nan
        values[name] = data
    return values, [stored[c].data.tobytes() for c in coords]


def _combine_direct(members: list[Member]) -> xr.Dataset | None:
    """:func:`combine` for members of one shape: each file read once into the output arrays.

    None (the caller aligns with xarray) when a member's variables, shapes or coordinates differ
    from the first's, or are encoded otherwise than as plain floats. The first member is also
    read through xarray, and the direct path is used only if both reads agree bit for bit.
    """
    ok = [m for m in members if m.ok]
    template = _load_results(ok[0]) if ok else None
    if template is None:
        return None
    names = [v for v in template.data_vars if template[v].dtype.kind in "fiub"]
    coords = [c for c in template.variables if c not in template.data_vars]
    index, labels = _labels(members)
    _refuse_duplicates(labels)
    grid = pd.MultiIndex.from_frame(labels)
    shape = tuple(len(level) for level in grid.levels)
    # Slots no member fills (failed members, combinations not run) are set to NaN at the end:
    # the arrays are written once, by the members' values.
    out = {v: np.empty(shape + template[v].shape) for v in names}
    filled = np.zeros(shape, dtype=bool)
    reference = None
    for i, m in enumerate(members):
        if not m.ok:
            continue
        raw = _read_raw(m, names, coords)
        if raw is None:
            continue
        if raw == "encoded":
            return None
        values, stamp = raw
        if reference is None:
            if not all(np.array_equal(values[v], template[v].values, equal_nan=True)
                       for v in names):
                return None
            reference = stamp
        elif stamp != reference or any(values[v].shape != out[v].shape[len(shape):]
                                       for v in names):
            return None
        slot = tuple(int(codes[i]) for codes in grid.codes)
        for v in names:
            out[v][slot] = values[v]
        filled[slot] = True
    if reference is None:
        raise UserError("no member of the sweep succeeded: nothing to combine "
                        "(runs_failed.csv says why)")
    for v in names:
        out[v][~filled] = np.nan
    combined = xr.Dataset(
        {v: ([*index, *template[v].dims], out[v], template[v].attrs) for v in names},
        coords={name: (name, level.values) for name, level in zip(index, grid.levels,
                                                                   strict=True)},
    )
    combined = combined.assign_coords(template.coords).drop_encoding()
    combined.attrs = _sweep_attrs(template)
    return combined


def _combine_aligned(members: list[Member]) -> xr.Dataset:
    """:func:`combine` through xarray: concatenated along ``run``, outer-joined, unstacked."""
    index, labels = _labels(members)
    _refuse_duplicates(labels)
    template = None
    parts = []
    for m in members:
        data = _load_results(m) if m.ok else None
        if data is not None and template is None:
            template = data
        parts.append(data)
    if template is None:
        raise UserError("no member of the sweep succeeded: nothing to combine "
                        "(runs_failed.csv says why)")
    blank = xr.full_like(template, np.nan, dtype=float)
    datasets = []
    for data, row in zip(parts, labels.to_dict("records"), strict=True):
        ds = data if data is not None else blank
        ds = ds.drop_vars([v for v in ds.data_vars if ds[v].dtype.kind not in "fiub"])
        ds = ds.expand_dims("run").assign_coords({k: ("run", [v]) for k, v in row.items()})
        ds.attrs = {}
        datasets.append(ds)
    stacked = xr.concat(datasets, dim="run", join="outer", combine_attrs="override")
    combined = stacked.set_index(run=index).unstack("run")
    combined = combined.transpose(*index, ...).drop_encoding()
    combined.attrs = _sweep_attrs(template)
    return combined


def _all_numbers(values) -> bool:
    """Every value is a plain number: the swept setting's dimension is numeric, else text.

    A setting swept over values of several types (``ring_road_5=2030,never``) gets a dimension
    of strings ('2030', 'never'): one coordinate holds one type.
    """
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _unreadable(m: Member, exc: Exception) -> None:
    """Mark ``m`` failed because its ``results.nc`` cannot be read (``exc`` says why)."""
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    m.error = (f"{RESULTS} cannot be read ({type(exc).__name__}: {first}); resume re-runs "
               "the member")


def _load_results(m: Member) -> xr.Dataset | None:
    """A member's results, or None with ``m.error`` set when the file cannot be read."""
    try:
        with xr.open_dataset(m.folder / RESULTS) as ds:
            return ds.load()
    except Exception as exc:  # any unreadable file (truncated, not netCDF): the member failed
        _unreadable(m, exc)
        return None


def summarise(sweep: xr.Dataset) -> pd.DataFrame:
    """Median and 5th/95th percentiles across seeds of the headline variables at milestones.

    Milestones are 2030, 2035, 2040 and 2045, plus the last year of a horizon ending elsewhere.
    """
    last = int(sweep["year"].values[-1])
    years = sorted({y for y in MILESTONES if y in sweep["year"].values} | {last})
    frames = []
    for name, select in HEADLINES.items():
        try:
            values = select(sweep).sel(year=years)
        except KeyError:
            continue
        with warnings.catch_warnings():
            # Slots of failed members are all-NaN: their percentiles are NaN, as they should be.
            warnings.simplefilter("ignore", RuntimeWarning)
            q = values.quantile([0.05, 0.5, 0.95], dim="seed", method="linear", skipna=True)
        table = q.to_dataframe(name="value").reset_index()
        wide = table.pivot_table(index=[c for c in table.columns if c not in ("quantile",
                                                                               "value")],
                                 columns="quantile", values="value", dropna=False).reset_index()
        wide = wide.rename(columns={0.05: "p05", 0.5: "median", 0.95: "p95"})
        wide.columns.name = None
        n = values.count("seed").to_dataframe(name="n_seeds").reset_index()
        wide = wide.merge(n, on=[c for c in n.columns if c != "n_seeds"])
        wide.insert(0, "variable", name)
        frames.append(wide)
    out = pd.concat(frames, ignore_index=True)
    first = ["scenario", "variable", "province", "year"]
    rest = [c for c in out.columns if c not in [*first, "median", "p05", "p95", "n_seeds"]]
    return out[first + rest + ["median", "p05", "p95", "n_seeds"]]


def failures_table(members: list[Member]) -> pd.DataFrame:
    """The failed members with their overrides and errors."""
    rows = [{"member": m.number, "scenario": m.scenario, "seed": m.seed,
             "overrides": " ".join(m.overrides), "error": m.error}
            for m in members if not m.ok]
    return pd.DataFrame(rows, columns=["member", "scenario", "seed", "overrides", "error"])


def collate(folder: str | Path) -> SweepOutcome:
    """Write ``sweep.nc``, ``summary.csv`` and ``runs_failed.csv`` for a sweep folder."""
    from .writing import remove_stale_temporaries, write_results

    folder = Path(folder)
    members = read_members(folder)
    remove_stale_temporaries(folder)
    sweep = None
    if any(m.ok for m in members):
        try:
            sweep = combine(members)  # marks members whose results cannot be read as failed
        except UserError:
            if any(m.ok for m in members):
                raise
    failed = [m for m in members if not m.ok]
    written = [write_text(failures_table(members).to_csv(index=False),
                          folder / "runs_failed.csv")]
    if sweep is not None:
        written.insert(0, write_results(sweep, folder / "sweep.nc", SWEEP_COMPLEVEL))
        written.insert(1, write_text(summarise(sweep).to_csv(index=False),
                                     folder / "summary.csv"))
    return SweepOutcome(folder=folder, members=len(members), failed=failed, written=written)


PROGRESS = ".progress"


def start_progress(folder: str | Path, total: int | None) -> None:
    """Note the start time and member count of a sweep (members report progress from them)."""
    progress = Path(folder) / PROGRESS
    progress.mkdir(parents=True, exist_ok=True)
    for marker in progress.glob("*.done"):
        marker.unlink()
    write_text(json.dumps({"total": total, "start": time.time()}), progress / "plan.json")


def member_finished(folder: str | Path, number: int, ok: bool) -> str:
    """Mark a member finished; return "k of n done, m failed, about t left" for its line.

    Members run in separate processes: each leaves a marker file, and counting them is the
    progress (robust to any launcher that shares the sweep folder).
    """
    progress = Path(folder).parent / PROGRESS
    if not (progress / "plan.json").is_file():
        return ""
    (progress / f"{number}.{'ok' if ok else 'failed'}.done").touch()
    plan = json.loads((progress / "plan.json").read_text())
    done = len(list(progress.glob("*.done")))
    failed = len(list(progress.glob("*.failed.done")))
    total = plan.get("total")
    text = f"{done}{f' of {total}' if total else ''} done, {failed} failed"
    if total and done:
        left = (time.time() - plan["start"]) * (total - done) / done
        text += f", about {left / 60:.1f} min left" if left >= 60 else f", about {left:.0f} s left"
    return text


MANIFEST = "manifest.json"
LOCK = "sweep.lock"


class SweepRefused(BaseException):
    """A sweep may not start in its folder (locked, another grid, duplicate members).

    A ``BaseException``: Hydra turns ``Exception``s raised in callbacks into warnings, and the
    refusal must stop the sweep before any member runs. ``python -m model`` exits with status 2.
    """


def read_manifest(folder: str | Path) -> list[list[str]] | None:
    """The planned members' overrides of a sweep folder (None: a sweep without a manifest).

    Raises:
        UserError: the manifest exists but cannot be read.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        members = json.loads(path.read_text(encoding="utf-8"))["members"]
        return [[str(o) for o in m] for m in members]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"cannot read {path} ({exc}); it lists the sweep's planned members. "
                        "Delete it to collate the numbered folders as they are") from None


def planned_members(config: Any) -> list[list[str]] | None:
    """The overrides of every member of a multirun, as Hydra's basic sweeper will launch them.

    None when the sweep is not run by the basic sweeper or its member folders are not named by
    member number (then no manifest is kept).
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    hydra = config.hydra
    target = str(hydra.sweeper.get("_target_", ""))
    subdir = OmegaConf.to_container(hydra.sweep, resolve=False).get("subdir")
    if not target.endswith("BasicSweeper") or subdir != "${hydra.job.num}":
        return None
    params = [f"{k}={v}" for k, v in (hydra.sweeper.get("params") or {}).items()]
    loader = GlobalHydra.instance().config_loader() if GlobalHydra.instance().is_initialized() \
        else None
    parser = OverridesParser.create(config_loader=loader)
    overrides = parser.parse_overrides([*params, *hydra.overrides.task])
    return [m for batch in BasicSweeper.split_arguments(overrides, None) for m in batch]


def _member_key(overrides: list[str]) -> tuple:
    values = dict(_parse_override(o) for o in overrides)
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


def _lock_holder(folder: Path) -> str | None:
    """Who holds the folder's lock, if a live sweep does (None: free or stale)."""
    import socket

    path = folder / LOCK
    if not path.is_file():
        return None
    try:
        lock = json.loads(path.read_text(encoding="utf-8"))
        pid, host = int(lock["pid"]), str(lock["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a lock half-written by a killed process: stale
    if host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
    return f"process {pid} on {host}, since {lock.get('started', '?')}"


def begin_sweep(folder: str | Path, members: list[list[str]] | None) -> int | None:
    """Check that a sweep may run in ``folder``, lock it and write its manifest.

    Returns the number of members that will run (all, or on a resume the missing and failed
    ones), or None when the plan is unknown.

    Raises:
        SweepRefused: another sweep holds the folder, the folder holds a sweep of another grid,
            or two members would have the same settings.
    """
    import socket

    folder = Path(folder)
    holder = _lock_holder(folder)
    if holder is not None:
        raise SweepRefused(
            f"another sweep is writing into {folder} ({holder}); wait for it to finish or "
            f"choose another folder with hydra.sweep.dir=... (if no sweep is running, delete "
            f"{folder / LOCK})")
    if members is None:
        return None
    seen: dict[tuple, int] = {}
    for i, m in enumerate(members):
        j = seen.setdefault(_member_key(m), i)
        if j != i:
            raise SweepRefused(
                f"members {j} and {i} of the sweep have the same settings ({' '.join(m)}): "
                "they would overwrite each other in sweep.nc; list each value once")
    try:
        existing = read_manifest(folder)
    except UserError as exc:
        raise SweepRefused(str(exc)) from None
    if existing is None and folder.is_dir():
        existing = _legacy_plan(folder)
    resuming = existing is not None and bool(existing)
    if resuming and not _same_grid(existing, members, legacy=read_manifest(folder) is None):
        raise SweepRefused(
            f"{folder} holds a sweep of another grid ({len(existing)} members, e.g. "
            f"{' '.join(existing[0]) or 'no overrides'}); a folder holds one sweep. Choose a new "
            "folder (hydra.sweep.dir=..., or leave the default: a new time-stamped folder), or "
            f"re-run that sweep's missing members with python -m model.sweep resume {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "started": time.strftime("%Y-%m-%d %H:%M:%S")}), folder / LOCK)
    write_text(json.dumps({"members": members}, indent=1, ensure_ascii=False),
               folder / MANIFEST)
    if not resuming:
        return len(members)
    todo = [i for i, m in enumerate(members) if not _member(folder / str(i), i, m).ok]
    kept = len(members) - len(todo)
    shown = ", ".join(map(str, todo[:20])) + (" ..." if len(todo) > 20 else "")
    print(f"Resuming {folder}: {len(todo)} of {len(members)} members to run"
          f"{f' ({shown})' if todo else ''}; {kept} already done are kept.", flush=True)
    return len(todo)


def _same_grid(existing: list[list[str]], members: list[list[str]], legacy: bool) -> bool:
    """The folder's sweep is this one (the folders of a legacy sweep may be fewer: interrupted)."""
    if not legacy:
        return existing == members
    return len(existing) <= len(members) and existing == members[:len(existing)]


def _legacy_plan(folder: Path) -> list[list[str]] | None:
    """Overrides of the numbered member folders of a sweep without a manifest (None: none)."""
    subdirs = _member_folders(folder)
    if not subdirs:
        return None
    plan = []
    for sub in subdirs:
        try:
            plan.append([str(o) for o in _read_yaml(sub / ".hydra" / "overrides.yaml") or []])
        except UserError:
            plan.append(["(unreadable member folder)"])
    return plan


def end_sweep(folder: str | Path) -> None:
    """Release the folder's lock if this process holds it."""
    path = Path(folder) / LOCK
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


LAST_OUTCOME: SweepOutcome | None = None
LAST_ERROR: str | None = None
LAST_ERROR_CODE = 1
"""What the callback found at the end of the last multirun in this process (read by main):
the outcome, or the error and its exit status (2 a user error, 1 an internal error)."""


def collate_after_multirun(folder: str | Path) -> None:
    """Collate at the end of a multirun; remember the outcome for the exit status; unlock.

    Called by the Hydra callback (``model/hydra_callbacks.py``): Hydra turns exceptions raised in
    callbacks into warnings, so the outcome is kept here for ``python -m model`` to report.
    """
    global LAST_OUTCOME, LAST_ERROR, LAST_ERROR_CODE
    LAST_OUTCOME, LAST_ERROR, LAST_ERROR_CODE = None, None, 1
    stop_background()  # what was read ahead is taken by collate
    try:
        LAST_OUTCOME = collate(folder)
    except (UserError, OSError) as exc:
        LAST_ERROR, LAST_ERROR_CODE = str(exc), 2
    except Exception as exc:  # reported by python -m model as an internal error (exit 1)
        LAST_ERROR = f"internal error while collating: {type(exc).__name__}: {exc}"
    finally:
        member_files.install(None)  # what was not taken is let go
        end_sweep(folder)


def resume(folder: str | Path) -> int:
    """Re-run the members of a sweep that are missing or failed, then collate (exit status).

    The sweep runs again with its own overrides and launcher settings (``hydra.launcher.*``,
    ``hydra/launcher=...`` as given when it started), into the same folder.

    Raises:
        UserError: the folder has no readable ``multirun.yaml``.
    """
    folder = Path(folder)
    plan = folder / "multirun.yaml"
    if not plan.is_file():
        raise UserError(f"{folder} has no multirun.yaml: not a sweep folder Hydra wrote")
    saved = _read_yaml(plan)
    try:
        given = saved["hydra"]["overrides"]
        task = [str(o) for o in given.get("task") or []]
        hydra_overrides = [str(o) for o in given.get("hydra") or []]
    except (KeyError, TypeError, AttributeError):
        raise UserError(f"{plan} does not hold a sweep's overrides (hydra.overrides); it may be "
                        "damaged") from None
    launcher = [o for o in hydra_overrides
                if not o.lstrip("+~").startswith(("hydra.sweep.dir=", "hydra.mode="))]
    command = [sys.executable, "-m", "model", "-m", *task, *launcher,
               f"hydra.sweep.dir={folder}"]
    return subprocess.run(command, check=False).returncode


# ---- sensitivity -------------------------------------------------------------------------


def uncertain_parameters(sections: tuple[str, ...] = ("transport", "firms", "workers",
                                                       "clusters", "forest")) -> dict[str, tuple]:
    """Dotted keys and plausible ranges of every numeric parameter that declares one."""
    import dataclasses

    from .config import RunConfig

    out = {}
    defaults = RunConfig()
    for section in sections:
        obj = getattr(defaults, section)
        for f in dataclasses.fields(obj):
            rng = f.metadata.get("range")
            value = getattr(obj, f.name)
            if rng is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                out[f"{section}.{f.name}"] = (float(rng[0]), float(rng[1]), type(value))
    return out


OUTCOMES = {
    "occupancy_phu_tho_2035": lambda ds: ds["province_occupancy"].sel(province="Phú Thọ",
                                                                        year=2035),
    "occupancy_phu_tho_2045": lambda ds: ds["province_occupancy"].sel(province="Phú Thọ",
                                                                        year=2045),
    "occupancy_thai_nguyen_2045": lambda ds: ds["province_occupancy"].sel(
        province="Thái Nguyên", year=2045),
    "net_absorption_phu_tho_2045": lambda ds: ds["forest_net_absorption_tco2e"].sel(
        province="Phú Thọ", year=2045),
    "workers_quit_2045": lambda ds: ds["workers_quit"].sel(year=2045),
}
"""Headline outcomes of the sensitivity analysis."""


def _outcomes(scenario: str, seed: int, scale: float, end_year: int,
              overrides: dict[str, Any]) -> dict[str, float]:
    from .api import load_config, run
    from .region import load_shared

    config = load_config(scenario, seed=seed, agent_scale=scale,
                         overrides={**overrides, "run.end_year": end_year, "run.progress": False})
    ds = run(config, region=load_shared(config.region.path))
    out = {}
    for name, pick in OUTCOMES.items():
        try:
            out[name] = float(pick(ds))
        except KeyError:
            out[name] = float("nan")
    return out


def sensitivity(out: str | Path, method: str = "morris", params: list[str] | None = None,
                trajectories: int = 10, base_samples: int = 64, scenario: str = "baseline",
                seed: int = 0, agent_scale: float = 0.3, end_year: int = 2045,
                n_jobs: int = -1) -> pd.DataFrame:
    """Sample the uncertain parameters (their config ranges), run, and compute indices.

    Every run uses the same seed (common random numbers), so differences come from the
    parameters. Writes ``design.csv``, ``outcomes.csv`` and ``indices.csv`` into ``out``.

    Args:
        out: output folder.
        method: ``morris`` (elementary effects: mu*, sigma) or ``sobol`` (S1, ST).
        params: dotted keys to vary (default: every parameter with a range).
        trajectories: Morris trajectories (runs = trajectories × (parameters + 1)).
        base_samples: Sobol base sample N (runs = N × (parameters + 2)).
        scenario: scenario the parameters are varied around.
        seed: the seed of every run.
        agent_scale: agent scale of the runs.
        end_year: horizon.
        n_jobs: parallel runs (joblib; -1 = all cores).
    """
    from joblib import Parallel, delayed
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    ranges = uncertain_parameters()
    chosen = params or sorted(ranges)
    unknown = [p for p in chosen if p not in ranges]
    if unknown:
        raise UserError(f"unknown or rangeless parameter(s) {', '.join(unknown)}; parameters with "
                        f"a range: {', '.join(sorted(ranges))}")
    problem = {"num_vars": len(chosen), "names": chosen,
               "bounds": [[ranges[p][0], ranges[p][1]] for p in chosen]}
    if method == "morris":
        design = morris_sample.sample(problem, trajectories, num_levels=4, seed=seed)
    elif method == "sobol":
        design = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    else:
        raise UserError(f"unknown method {method!r}; use morris or sobol")

    def overrides_of(row: np.ndarray) -> dict[str, Any]:
        return {p: (round(v) if ranges[p][2] is int else float(v)) for p, v in zip(chosen, row,
                                                                                  strict=True)}

    results = Parallel(n_jobs=n_jobs)(
        delayed(_outcomes)(scenario, seed, agent_scale, end_year, overrides_of(row))
        for row in design
    )
    outcomes = pd.DataFrame(results)
    folder = Path(out)
    write_text(pd.DataFrame(design, columns=chosen).to_csv(index=False), folder / "design.csv")
    write_text(outcomes.to_csv(index=False), folder / "outcomes.csv")
    rows = []
    for name in outcomes.columns:
        y = outcomes[name].to_numpy()
        if not np.isfinite(y).all():
            continue
        if method == "morris":
            res = morris_analyze.analyze(problem, design, y, num_levels=4, seed=seed)
            for i, p in enumerate(chosen):
                rows.append({"outcome": name, "parameter": p, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
        else:
            res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            for i, p in enumerate(chosen):
                rows.append({"outcome": name, "parameter": p, "S1": res["S1"][i],
                             "S1_conf": res["S1_conf"][i], "ST": res["ST"][i],
                             "ST_conf": res["ST_conf"][i]})
    indices = pd.DataFrame(rows)
    key = "mu_star" if method == "morris" else "ST"
    if not indices.empty:
        indices = indices.sort_values(["outcome", key], ascending=[True, False])
    write_text(indices.to_csv(index=False), folder / "indices.csv")
    return indices


def main(argv: list[str] | None = None) -> int:
    """``python -m model.sweep collate|resume|sensitivity ...``."""
    parser = argparse.ArgumentParser(prog="python -m model.sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("collate", help="(re)collate a sweep folder").add_argument("folder")
    sub.add_parser("resume", help="re-run missing or failed members").add_argument("folder")
    sens = sub.add_parser("sensitivity", help="Morris or Sobol indices of the headline outcomes")
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris")
    sens.add_argument("--params", nargs="*", help="dotted keys (default: all with a range)")
    sens.add_argument("--trajectories", type=int, default=10)
    sens.add_argument("--base-samples", type=int, default=64)
    sens.add_argument("--scenario", default="baseline")
    sens.add_argument("--seed", type=int, default=0)
    sens.add_argument("--agent-scale", type=float, default=0.3)
    sens.add_argument("--end-year", type=int, default=2045)
    sens.add_argument("--n-jobs", type=int, default=-1)
    sens.add_argument("--out", default=None, help="default: outputs/sensitivity/<time>")
    args = parser.parse_args(argv)
    try:
        if args.command == "collate":
            outcome = collate(args.folder)
            print(outcome.message())
            return 3 if outcome.failed else 0
        if args.command == "resume":
            return resume(args.folder)
        import datetime as dt

        out = args.out or os.path.join(
            "outputs", "sensitivity", dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S"))
        indices = sensitivity(out, args.method, args.params, args.trajectories,
                              args.base_samples, args.scenario, args.seed, args.agent_scale,
                              args.end_year, args.n_jobs)
        print(indices.to_string(index=False))
        print(f"written: {out}/indices.csv (and design.csv, outcomes.csv)")
        return 0
    except (UserError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
