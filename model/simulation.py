"""The run: ``CapitalRegionModel`` (a Mesa model) steps one year at a time and records results.

What happens in a year (the order is the model's schedule, see docs/ODD.md, "Process overview"):

1. policies for the year: corridors open (their years come from the data and the scenario);
2. transport: travel times for the network of the year (recomputed only when it changed);
3. clusters: phases due are completed and new ones started where land is let (developer model),
   rents for the year, background demand lets land;
4. firms: relocation hazard draws, then capacity-constrained location choice (``firms.py``);
5. workers of moved firms commute, move home or quit; vacancies are filled locally; commute modes
   are re-chosen when the network changed (``workers.py``); the depleted local labour pools feed
   back into the firms' labour access;
6. forest: harvest, growth, fire, conversion of forest for the industrial land newly let to
   firms in the year, afforestation, credits and payments (``forest/``);
7. record the year's indicators.

Randomness: one :class:`numpy.random.SeedSequence` per run from ``config.seed``; the Mesa model's
own generator and each sub-model's generator are its children, spawned in a fixed order, so a
sub-model's draws do not depend on how many draws another one made.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from ._mesa import mesa  # before any other module imports Mesa: see model/_mesa.py
from .clusters import Clusters
from .config import RunConfig
from .firms import STAY, Firm, FirmDecisions, YearMoves
from .forest import Forest
from .outputs import Recorder, build_dataset
from .policies import Policies
from .region import Region
from .reporters import attach_datacollector, config_from_keywords
from .transport import Transport
from .workers import Workers

RNG_STREAMS = ("model", "firms", "workers", "forest")
"""Named random streams of a run, in the order they are spawned from the run's seed."""


class CapitalRegionModel(mesa.Model):
    """Scenario model of the Hà Nội Capital Region, one step per year.

    Args:
        config: the validated run configuration.
        region: the region data; the configured region is loaded when omitted.
        rng: without ``config``, the seed (``None``: a fresh one), as ``mesa.batch_run`` passes it.
        **settings: without ``config``: ``scenario``, ``agent_scale``, ``start_year``,
            ``end_year`` and dotted keys (or ``__`` for dots), see :mod:`model.reporters`.
    """

    def __init__(self, config: RunConfig | None = None, region: Region | None = None, *,
                 rng: object = None, **settings: object):
        if config is None:
            config = config_from_keywords(rng, settings)
        elif settings:
            raise TypeError(f"settings {sorted(settings)} given with a config: put them in it")
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
        scale = config.run.agent_scale
        self.policies = Policies(config.policies, config.firms, self.region,
                                 self.transport.core_zones)
        self.clusters = Clusters(self.region, config.clusters, scale, self.year)
        self.firms = FirmDecisions(self.region, config.firms, self.policies, self.clusters,
                                   scale, self.year, self.rngs["firms"], self.centre)
        # One Mesa agent per firm. Mesa's batch API (Agent.create_agents) registers them one by
        # one too, and builds an AgentSet on top: measured 0.086 vs 0.069 CPU-s for 27,500.
        for row in range(len(self.firms.pop)):
            Firm(self, self.firms, row)
        policies = config.policies
        self.workers = Workers(
            self.region, config.workers, policies.shuttle, policies.green_bus, policies.housing,
            scale, self.year, self.rngs["workers"], self.firms.pop.zone,
            self.firms.pop.employees, self.transport.times(self.year),
            peak_hours=config.transport.peak_hours,
        )
        self.firms.labour_pool = self.workers.labour_pool_real()
        self.forest = Forest(self.region, config.forest, policies.forest, self.year,
                             self.rngs["forest"])
        self.recorder = Recorder(config.years)
        self._record_transport()
        self._record_firms(None)
        self._record_workers()
        self._record_forest()
        attach_datacollector(self)

    @property
    def finished(self) -> bool:
        """True once the last year of the horizon has been simulated."""
        return self.year >= self.config.run.end_year

    def step(self) -> None:
        """Advance one year: the schedule of the module docstring."""
        self.year += 1
        times = self.transport.times(self.year)
        occupied_before = self.clusters.occupied.copy()
        self.clusters.start_year(self.year, self._cluster_rent_growth())
        moves = self.firms.step(self.year, times)
        self.workers.step(self.year, times, self.firms.pop.zone, moves.rows, moves.from_zone)
        self.firms.labour_pool = self.workers.labour_pool_real()
        self.forest.step(self.year, self._developed_ha(occupied_before))
        self._record_transport()
        self._record_firms(moves)
        self._record_workers()
        self._record_forest()
        self.running = not self.finished
        self.datacollector.collect(self)

    def _developed_ha(self, occupied_before: np.ndarray) -> np.ndarray:
        """Industrial land newly let to firms this year by zone, real ha (land cleared for it).

        The increase of each cluster's occupied land (firms moving in and the background
        demand), so that forest is converted for land firms actually take, in the cluster's zone.
        """
        scale = self.config.run.agent_scale
        new = np.maximum(self.clusters.occupied - occupied_before, 0.0) / scale
        return np.bincount(self.clusters.zone, weights=new, minlength=self.region.n_zones)

    def _record_forest(self) -> None:
        for name, value in self.forest.record().items():
            self.recorder.record(name, self.year, value)

    def _cluster_rent_growth(self) -> np.ndarray:
        """Hà Nội's rent pressure applies to Hà Nội's clusters too."""
        return np.where(self.firms.cluster_in_hanoi, self.firms.rent_growth(self.year), 1.0)

    def _record_firms(self, moves: YearMoves | None) -> None:
        rec, cl, pop = self.recorder, self.clusters, self.firms.pop
        scale = self.config.run.agent_scale
        n_prov = len(self.region.provinces)
        n_sec = len(self.region.sectors)
        rec.record("cluster_serviced_ha", self.year, cl.serviced / scale)
        rec.record("cluster_occupied_ha", self.year, cl.occupied / scale)
        rec.record("cluster_occupancy", self.year, cl.occupancy())
        serviced = np.bincount(cl.province, weights=cl.serviced, minlength=n_prov)
        occupied = np.bincount(cl.province, weights=cl.occupied, minlength=n_prov)
        with np.errstate(invalid="ignore", divide="ignore"):
            rec.record("province_occupancy", self.year,
                       np.where(serviced > 0, occupied / serviced, np.nan))
        rec.record("cluster_phases_started", self.year, cl.phases_started)
        rec.record("serviced_land_cost_vnd", self.year, cl.serviced_cost_vnd)
        province = self.region.zones["province_idx"].to_numpy()[pop.zone]
        firms = np.zeros((n_prov, n_sec))
        np.add.at(firms, (province, pop.sector), 1.0 / scale)
        rec.record("firms", self.year, firms)
        rec.record("jobs", self.year,
                   np.bincount(province, weights=pop.employees / scale, minlength=n_prov))
        rec.record("rent_forgone_vnd", self.year, self.firms.rent_forgone_vnd(self.year))
        relocated = np.zeros(n_prov)
        flow = np.zeros((self.region.n_zones, n_prov))
        if moves is not None and moves.rows.size:
            from_hanoi = self.firms.zone_in_hanoi[moves.from_zone]
            dest_province = cl.province[moves.to_cluster]
            relocated = np.bincount(dest_province[from_hanoi], minlength=n_prov) / scale
            np.add.at(flow, (moves.from_zone, dest_province), 1.0 / scale)
        rec.record("firms_relocated", self.year, relocated)
        rec.record("relocation_flow", self.year, flow)
        rec.record("firms_considering_move", self.year,
                   0.0 if moves is None else moves.considering / scale)
        rec.record("firms_in_clusters", self.year, np.sum(pop.cluster != STAY) / scale)

    def _record_workers(self) -> None:
        net = self.workers.network(self.transport.times(self.year), self.year)
        for name, value in self.workers.indicators(self.firms.pop.zone, net).items():
            self.recorder.record(name, self.year, value)

    def _record_transport(self) -> None:
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
    try:
        while not model.finished:
            model.run_for(1)
            if on_year is not None:
                on_year(model.year)
        return model.results()
    finally:
        _dispose(model)


def _dispose(model: CapitalRegionModel) -> None:
    """Free a finished model's memory now rather than at the next full garbage collection.

    Mesa's agents and the model refer to each other, so a model nobody holds is freed only by
    Python's cyclic collector, whose full passes are rare: a process running many models (a
    sweep worker, the sensitivity runner, a notebook) grew by ~10 MB per agent-scale-0.1 run
    until one came, and joblib's loky workers, which restart when they grow by 300 MB, were
    restarted every ~25 runs. Emptying the model's attributes breaks the cycles (0.8 ms); the
    results dataset holds its own arrays.
    """
    vars(model).clear()
