"""Hydra callbacks of the command line (Hydra stays at the edge: the model never imports this)."""

from __future__ import annotations

from typing import Any

from hydra.experimental.callback import Callback

from .sweep import collate_after_multirun


class CollateCallback(Callback):
    """Collate a sweep into sweep.nc, summary.csv and runs_failed.csv when the multirun ends."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Collate the sweep folder."""
        collate_after_multirun(config.hydra.sweep.dir)
