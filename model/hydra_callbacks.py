"""Hydra callbacks of the command line (Hydra stays at the edge: the model never imports this)."""

from __future__ import annotations

import math
from typing import Any

from hydra.experimental.callback import Callback

from .sweep import collate_after_multirun, start_progress


class CollateCallback(Callback):
    """Count a sweep's members when it starts; collate it when it ends."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Record how many members the sweep has, for the members' progress lines."""
        start_progress(config.hydra.sweep.dir, _count_members(config))

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Collate the sweep folder into sweep.nc, summary.csv and runs_failed.csv."""
        collate_after_multirun(config.hydra.sweep.dir)


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
