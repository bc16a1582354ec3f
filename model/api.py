"""The Python interface: configure and run a scenario in one call, without Hydra.

>>> import model
>>> ds = model.run(scenario="corridors", seed=3, agent_scale=0.1)   # doctest: +SKIP

Settings are merged in this order, later ones winning: the defaults of :mod:`model.config`, the
scenario file ``scenarios/<name>.yaml``, then ``overrides`` (dotted keys, as on the command line).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import (
    RunConfig,
    build_config,
    deep_merge,
    defaults_dict,
    dotted_to_nested,
    load_scenario_file,
)
from .errors import ConfigError, ResultsContractError
from .paths import scenario_names, scenarios_dir

if TYPE_CHECKING:
    import xarray as xr

    from .region import Region

# The simulation (Mesa, scipy, xarray) is imported when a run starts, not with this module:
# reading and composing scenarios (the command line's configuration, a sweep's parent process)
# does not need it.

HIGHLIGHT_ZONES = (
    "PT_VIET_TRI", "PT_VINH_YEN", "PT_HOA_BINH", "TN_THAI_NGUYEN", "TN_PHO_YEN", "TN_BAC_KAN",
)
"""Zones named in the console summary (skipped when a user region lacks them)."""


def scenario_settings(name: str, _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settings a named scenario changes, read from ``scenarios/<name>.yaml``.

    A scenario composes others with ``include: [a, b]``: their settings are merged in order, then
    the scenario's own settings on top.

    Raises:
        ConfigError: the scenario (or one it includes) does not exist, or includes form a cycle.
    """
    path = scenarios_dir() / f"{name}.yaml"
    if not path.is_file():
        where = f" (included by {_seen[-1]!r})" if _seen else ""
        raise ConfigError("scenario", [
            f"scenario {name!r}{where} does not exist; available: {', '.join(scenario_names())}"
        ])
    if name in _seen:
        raise ConfigError("scenario", [f"scenario includes form a cycle: "
                                       f"{' -> '.join((*_seen, name))}"])
    own = load_scenario_file(path)
    includes = own.pop("include", [])
    if isinstance(includes, str) or not isinstance(includes, list):
        raise ConfigError(str(path), [f"include: expected a list of scenario names, got "
                                      f"{includes!r}"])
    settings: dict[str, Any] = {}
    for included in includes:
        settings = deep_merge(settings, scenario_settings(str(included), (*_seen, name)))
    return deep_merge(settings, own)


def load_config(
    scenario: str = "baseline",
    *,
    seed: int | None = None,
    agent_scale: float | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> RunConfig:
    """Build a validated run configuration from a scenario name and overrides.

    Args:
        scenario: name of a file in ``scenarios/`` (without ``.yaml``).
        seed: random seed (shortcut for ``overrides={"seed": ...}``).
        agent_scale: agents per real firm and worker (shortcut for ``run.agent_scale``).
        overrides: dotted keys to values, e.g. ``{"run.end_year": 2035}``.

    Raises:
        ConfigError: unknown scenario, key, wrong type or value out of range.
    """
    settings = deep_merge(defaults_dict(), scenario_settings(scenario))
    shortcuts: dict[str, Any] = {}
    if seed is not None:
        shortcuts["seed"] = seed
    if agent_scale is not None:
        shortcuts["run.agent_scale"] = agent_scale
    settings = deep_merge(settings, dotted_to_nested({**shortcuts, **(overrides or {})}))
    return build_config(settings, scenario=scenario, source=f"scenario {scenario!r} + overrides")


def run(
    config: RunConfig | None = None,
    *,
    scenario: str = "baseline",
    seed: int | None = None,
    agent_scale: float | None = None,
    overrides: Mapping[str, Any] | None = None,
    region: Region | None = None,
    on_year: Callable[[int], None] | None = None,
) -> xr.Dataset:
    """Run one scenario and return its results dataset (nothing is written to disk).

    Either pass a ready :class:`RunConfig`, or a scenario name with optional seed, agent scale and
    overrides (see :func:`load_config`).
    """
    from .simulation import simulate

    if config is None:
        config = load_config(scenario, seed=seed, agent_scale=agent_scale, overrides=overrides)
    return simulate(config, region, on_year=on_year)


def run_to_folder(
    config: RunConfig,
    folder: str | Path,
    *,
    region: Region | None = None,
    on_year: Callable[[int], None] | None = None,
) -> tuple[xr.Dataset, str]:
    """Run and write ``results.nc`` and ``summary.txt`` into ``folder``; return them.

    Results are written only after the whole run succeeded and its dataset passed the results
    contract and accounting identities (:func:`model.testing.check_results`), each file
    atomically; ``results.nc`` last, so that it exists only when everything was written.
    Temporary files left by an earlier write that was killed are removed first.

    Raises:
        ResultsContractError: the dataset breaks the contract (a bug: nothing is written).
        OutputError: the folder cannot be written (read-only, disk full, file-size limit).
    """
    from .outputs import summarise, write_text
    from .simulation import simulate
    from .testing import check_results
    from .writing import remove_stale_temporaries, write_results

    ds = simulate(config, region, on_year=on_year)
    problems = check_results(ds)
    if problems:
        raise ResultsContractError(problems)
    summary = summarise(ds, HIGHLIGHT_ZONES)
    folder = Path(folder)
    remove_stale_temporaries(folder)
    summary_path = write_text(summary + "\n", folder / "summary.txt")
    try:
        write_results(ds, folder / "results.nc")
    except BaseException:
        summary_path.unlink(missing_ok=True)
        raise
    return ds, summary


def clear_caches() -> None:
    """Forget what the runs of this process share (travel times, rotations, regions, scenarios).

    Runs never need this: a cached value is reused only for the same inputs, so results are the
    same with or without it. It gives the memory back (a few tens of MB) and lets a benchmark
    time a run as a fresh process would (``benchmarks/bench_run.py``).
    """
    from . import config, region, transport
    from .forest import state

    transport._SHARED.clear()
    state._rotation.cache_clear()
    region._SHARED.clear()
    config._SCENARIO_FILES.clear()
