"""The run: ``CapitalRegionModel`` (a Mesa model) steps one year at a time and records results.

What happens in a year (the order is the model's schedule, see docs/ODD.md, "Process overview"):

1. policies for the year: corridors open (their years come from the data and the scenario);
2. transport: travel times for the network of the year (recomputed only when it changed);
3. record the year's indicators.

Sub-models not built yet (firms, workers, forest) are marked as such in docs/ODD.md.

Randomness: one :class:`numpy.random.SeedSequence` per run from ``config.seed``; the Mesa model's
own generator and each sub-model's generator are its children, spawned in a fixed order, so a
sub-model's draws do not depend on how many draws another one made.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
import xarray as xr

from .config import RunConfig
from .outputs import Recorder, build_dataset
from .region import Region
from .transport import Transport

RNG_STREAMS = ("model", "firms", "workers", "forest")
"""Named random streams of a run, in the order they are spawned from the run's seed."""


class CapitalRegionModel(mesa.Model):
    """Scenario model of the Hà Nội Capital Region, one step per year.

    Args:
        config: the validated run configuration.
        region: the region data; the configured region is loaded when omitted.
    """

    def __init__(self, config: RunConfig, region: Region | None = None):
        children = np.random.SeedSequence(config.seed).spawn(len(RNG_STREAMS))
        self.rngs = {
            name: np.random.default_rng(seq)
            for name, seq in zip(RNG_STREAMS, children, strict=True)
        }
        super().__init__(rng=self.rngs["model"])
        self.config = config
        self.region = region if region is not None else Region.load(config.region.path)
        self.year = config.run.start_year
        self.transport = Transport(self.region, config.transport, self.year)
        self.centre = self.region.zone(config.transport.centre_zone)
        self.airport = self.region.gateway_zone("airport")
        self.port = self.region.gateway_zone("seaport")
        self.recorder = Recorder(config.years)
        self._record()

    @property
    def finished(self) -> bool:
        """True once the last year of the horizon has been simulated."""
        return self.year >= self.config.run.end_year

    def step(self) -> None:
        """Advance one year."""
        self.year += 1
        self._record()

    def _record(self) -> None:
        times = self.transport.times(self.year)
        # (period, mode, origin) -> (period, origin, mode); unreachable recorded as NaN.
        minutes = np.where(np.isfinite(times.minutes), times.minutes, np.nan)
        rec = self.recorder
        for name, zone in (("centre", self.centre), ("airport", self.airport),
                           ("port", self.port)):
            rec.record(f"travel_time_to_{name}_min", self.year,
                       minutes[:, :, :, zone].transpose(0, 2, 1))
        rec.record("rail_service", self.year, times.rail_used[:, :, self.centre])

    def static_outputs(self) -> dict[str, np.ndarray]:
        """Outputs without a year dimension: region tables and the scenario's corridor years."""
        years = self.transport.corridor_years()
        return {
            "zone_population": self.region.zones["population"].to_numpy(dtype=float),
            "zone_labour_force": self.region.zones["labour_force"].to_numpy(dtype=float),
            "cluster_lettable_ha": self.region.clusters["lettable_ha"].to_numpy(dtype=float),
            "corridor_open_year": np.array(
                [y if np.isfinite(y) else np.nan for y in years.values()], dtype=float
            ),
        }

    def results(self) -> xr.Dataset:
        """The results dataset of the years simulated so far (the whole horizon when finished)."""
        return build_dataset(
            self.config, self.region, self.recorder.arrays(), self.static_outputs()
        )


def simulate(
    config: RunConfig,
    region: Region | None = None,
    on_year: Callable[[int], None] | None = None,
) -> xr.Dataset:
    """Run the whole horizon and return the results dataset.

    Args:
        config: the validated run configuration.
        region: region data (loaded from ``config.region.path`` when omitted).
        on_year: called with each simulated year (progress reporting).
    """
    model = CapitalRegionModel(config, region)
    while not model.finished:
        model.run_for(1)
        if on_year is not None:
            on_year(model.year)
    return model.results()
