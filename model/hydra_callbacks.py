"""Hydra callbacks of the command line (Hydra stays at the edge: the model never imports this)."""

from __future__ import annotations

import math
from typing import Any

from hydra.experimental.callback import Callback

from .sweep import (
    begin_sweep,
    collate_after_multirun,
    planned_members,
    preload,
    start_progress,
)


class CollateCallback(Callback):
    """Check, lock and plan a sweep when it starts; collate it when it ends."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Refuse a sweep the folder cannot take; write the manifest; start the progress count.

        Raises:
            SweepRefused: the folder is locked by a running sweep, holds another grid, or two
                members would have the same settings (a BaseException, so that Hydra does not
                turn it into a warning).
        """
        members = planned_members(config)
        to_run = begin_sweep(config.hydra.sweep.dir, members)
        if members is not None and to_run is not None and to_run < len(members):
            _quiet_launcher(config)
        start_progress(config.hydra.sweep.dir,
                       to_run if to_run is not None else _count_members(config))
        preload(config.hydra.sweep.dir)  # collation's imports and reads, while members run

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Collate the sweep folder into sweep.nc, summary.csv and runs_failed.csv."""
        _release_workers()
        collate_after_multirun(config.hydra.sweep.dir)


def _release_workers() -> None:
    """Let joblib's idle loky workers exit while the parent collates (else they exit after it).

    The members are done when this runs; a later multirun in the same process gets new workers.
    """
    import sys

    module = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(module, "_executor", None)
    if executor is not None:
        try:
            executor.shutdown(wait=False)
        except Exception:  # the workers then exit with the process, as before
            pass


def _quiet_launcher(config: Any) -> None:
    """On a resume, the launcher's own lines would list every member, run or kept: drop them.

    The launcher is made from this same config after the callback, so its ``verbose`` setting
    (joblib's per-member lines) can still be turned off here.
    """
    import logging

    from omegaconf import open_dict, read_write

    logging.getLogger("hydra_plugins.hydra_joblib_launcher").setLevel(logging.WARNING)
    if "verbose" in config.hydra.launcher:
        with read_write(config.hydra.launcher), open_dict(config.hydra.launcher):
            config.hydra.launcher.verbose = 0


class ExperimentCallback(Callback):
    """After an experiment sweep (and its generic collation): its experiment tables.

    Writes experiments.nc, design.csv and outcomes.csv (``model/experiments.py``); named in the
    ``configs/sweep/explore_*`` presets.
    """

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Collate the experiment; a failure is reported, the sweep's results stay."""
        from .errors import UserError
        from .experiments import collate

        try:
            for path in collate(config.hydra.sweep.dir):
                print(f"written: {path}")
        except (UserError, OSError) as exc:
            print(f"error: the experiment could not be collated: {exc}", flush=True)


def _count_members(config: Any) -> int | None:
    """Members of the basic sweeper's grid: the product of the swept overrides' lengths."""
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser

        params = [f"{k}={v}" for k, v in (config.hydra.sweeper.get("params") or {}).items()]
        overrides = OverridesParser.create().parse_overrides(
            [*params, *config.hydra.overrides.task])
        sizes: dict[str, int] = {}
        for o in overrides:
            # Command-line overrides of a key replace the preset's (last one wins).
            sizes[o.key_or_group] = len(list(o.sweep_iterator())) if o.is_sweep_override() else 1
        return math.prod(sizes.values())
    except Exception:  # progress is a nicety: with an unknown total there is no estimate
        return None
