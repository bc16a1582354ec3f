"""The EMA Workbench bridge: a scenario of this model as a ready EMA ``ReplicatorModel``.

>>> from model.ema import scenario_model, perform        # doctest: +SKIP
>>> m = scenario_model("phu_tho_programme", seeds=[0, 1, 2], agent_scale=0.1,
...                    uncertainties=["firms.asc_stay", "clusters.background_demand_factor"])
>>> experiments, outcomes = perform(m, 50)                # 50 experiments x 3 replications

Needs the optional extra: ``pip install -e ".[explore]"`` (EMA Workbench 3.0).

What the model is made of (all read from :mod:`model.levers`, i.e. from the ranges declared
once in ``model/config.py``):

- **uncertainties**: every parameter with a plausible ``range`` (or a named subset): EMA
  ``RealParameter`` / ``IntegerParameter`` over that range;
- **levers**: the policy settings of :data:`model.levers.LEVERS` the scenario has (or a named
  subset); a year with a "never" option is an ``IntegerParameter`` over ``low .. high + 1`` with
  ``high + 1`` meaning never;
- **outcomes**: the scalar outcomes of :data:`model.experiments.OUTCOMES` (mean across the
  replications, and ``<name>_sd``, their standard deviation) and time series of Phú Thọ's
  occupancy and net forest absorption (mean across replications, one value per year);
- **replications**: the run seeds, through EMA's replicator (``model.replications = [{"seed":
  s}, ...]``): the seed is not an uncertainty, and every experiment is run once per seed.

Same configuration and seed ⇒ same outcome (the model draws only from its seeded generators).

EMA 3.0 pitfalls the bridge avoids (found when wrapping ``model.run`` by hand):

1. ``perform_experiments(model, policies=N)`` with no scenarios raises ``TypeError`` (a list is
   added to a ``ParameterMap``), and a model with levers but no uncertainties either ignores the
   levers (``scenarios=N``) or raises "Parameters exist in both" (``scenarios=1, policies=N``).
   :func:`perform` samples uncertainties and levers jointly (two Latin hypercubes of the same
   size, ``combine="sample"``), and :func:`scenario_model` refuses a model without uncertainties.
2. A lever (or uncertainty) the sampler did not set would silently keep the scenario's value:
   the model function raises, naming the missing parameters.
3. ``Prim`` no longer takes ``threshold`` (give it a boolean ``y``), and given the whole
   experiments table it boxes the meaningless ``scenario``/``policy``/``model`` columns:
   :func:`inputs` keeps only the lever and uncertainty columns, as floats (EMA 2.5's PRIM broke on
   integer columns under pandas 3).
4. ``import ema_workbench`` warns (``UserWarning``) when ipyparallel is missing: :func:`ema`
   imports it with that warning silenced.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import levers as lv
from .errors import ConfigError, UserError
from .experiments import OUTCOMES, outcome_values

TIME_SERIES = {
    "occupancy_phu_tho": ("province_occupancy", "Phú Thọ"),
    "net_absorption_phu_tho": ("forest_net_absorption_tco2e", "Phú Thọ"),
}
"""Time-series outcomes: name -> (variable, province); one value per simulated year."""


def ema():
    """The ``ema_workbench`` module (optional extra ``[explore]``), imported quietly.

    Raises:
        UserError: EMA Workbench is not installed.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*ipyparallel.*", category=UserWarning)
            import ema_workbench
    except ImportError as exc:
        raise UserError("the EMA bridge needs EMA Workbench: pip install 'hncr-model[explore]'"
                        ) from exc
    return ema_workbench


@contextlib.contextmanager
def quiet():
    """Silence the pandas deprecation warnings EMA 3.0's analysis code raises (its own code)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def analysis():
    """EMA's scenario-discovery modules ``(prim, cart, feature_scoring, RuleInductionType)``.

    Imported with EMA's optional-dependency warnings silenced (altair missing: ImportWarning).
    """
    ema()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*altair.*", category=ImportWarning)
        from ema_workbench.analysis import cart, feature_scoring, prim
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    return prim, cart, feature_scoring, RuleInductionType


class ScenarioRunner:
    """The function EMA calls: keyword arguments (levers, uncertainties, ``seed``) -> outcomes.

    A plain picklable object, so EMA's multiprocessing evaluator can ship it to its workers.
    """

    def __init__(self, scenario: str, dimensions: Sequence[lv.Dimension], agent_scale: float,
                 overrides: Mapping[str, Any], outcomes: Sequence[str]):
        self.scenario = scenario
        self.dimensions = list(dimensions)
        self.agent_scale = agent_scale
        self.overrides = dict(overrides)
        self.outcomes = list(outcomes)

    def config(self, seed: int, **values: Any):
        """The run configuration of one replication (EMA's sampled numbers -> settings).

        Raises:
            ConfigError: a lever or uncertainty of the model is missing, or unknown names.
        """
        from .api import load_config, scenario_settings

        names = {d.name: d for d in self.dimensions}
        missing = [n for n in names if n not in values]
        unknown = [n for n in values if n not in names]
        if missing or unknown:
            problems = [f"{n}: not set by the experiment (sample levers and uncertainties "
                        "together: model.ema.perform)" for n in missing]
            problems += [f"{n}: not a lever or uncertainty of this model" for n in unknown]
            raise ConfigError("EMA experiment", problems)
        settings = {names[n].key: names[n].value(float(v)) for n, v in values.items()}
        dotted = lv.overrides(settings, scenario_settings(self.scenario))
        return load_config(self.scenario, seed=int(seed), agent_scale=self.agent_scale,
                           overrides={**self.overrides, **dotted, "run.progress": False})

    def __call__(self, seed: int, **values: Any) -> dict[str, Any]:
        """Run one replication; scalar outcomes and time series by name."""
        from .api import run

        ds = run(self.config(seed, **values))
        out: dict[str, Any] = outcome_values(ds, self.outcomes)
        for name, (variable, province) in TIME_SERIES.items():
            out[name] = ds[variable].sel(province=province).to_numpy()
        return out


def _parameter(d: lv.Dimension):
    em = ema()
    if d.integer:
        return em.IntegerParameter(d.name, int(d.low), int(d.code_high))
    return em.RealParameter(d.name, d.low, d.high)


def scenario_model(
    scenario: str = "baseline",
    *,
    uncertainties: Iterable[str] | str = "all",
    levers: Iterable[str] | str = "all",
    seeds: Sequence[int] = (0, 1, 2),
    agent_scale: float = 1.0,
    overrides: Mapping[str, Any] | None = None,
    outcomes: Sequence[str] | None = None,
    name: str | None = None,
):
    """A ready EMA ``ReplicatorModel`` of a named scenario.

    Args:
        scenario: a scenario of ``scenarios/``; levers not sampled keep no silent value (every
            lever of the model is set by each experiment).
        uncertainties: dotted keys of parameters with a range, or ``"all"``.
        levers: dotted keys of :data:`model.levers.LEVERS`, ``"all"`` (those the scenario has),
            or ``[]`` for none.
        seeds: run seeds, one replication each.
        agent_scale: agents per real firm and worker of every run.
        overrides: further fixed settings (dotted keys), e.g. ``{"run.end_year": 2035}``.
        outcomes: scalar outcome names (:data:`model.experiments.OUTCOMES` or
            ``variable:province:year``); default: all of :data:`~model.experiments.OUTCOMES`.
        name: the EMA model's name (a Python identifier; default: the scenario's).

    Raises:
        UserError: EMA is not installed, no uncertainties, no seeds, or unknown keys.
    """
    from .api import load_config, scenario_settings

    em = ema()
    settings = scenario_settings(scenario)
    unc = lv.uncertainties(uncertainties) if uncertainties else []
    lev = lv.levers(levers, settings) if levers else []
    if not unc:
        raise UserError("an EMA model of this project needs at least one uncertainty: EMA 3.0 "
                        "ignores or rejects the levers of a model without uncertainties "
                        "(docs/exploration.md, pitfalls)")
    if not seeds:
        raise UserError("give at least one seed (one replication each)")
    fixed = dict(overrides or {})
    load_config(scenario, agent_scale=agent_scale, overrides=fixed)  # fail early on bad input
    names = list(outcomes or OUTCOMES)
    runner = ScenarioRunner(scenario, lev + unc, agent_scale, fixed, names)
    model = em.ReplicatorModel(name or scenario, function=runner)
    model.uncertainties = [_parameter(d) for d in unc]
    model.levers = [_parameter(d) for d in lev]
    model.replications = [{"seed": int(s)} for s in seeds]
    scalar = []
    for n in names:
        safe = n.replace(":", "__").replace(" ", "_")
        scalar += [em.ScalarOutcome(safe, variable_name=n, function=np.mean),
                   em.ScalarOutcome(f"{safe}_sd", variable_name=n, function=np.std)]
    series = [em.TimeSeriesOutcome(n, variable_name=n, function=_mean_over_replications)
              for n in TIME_SERIES]
    model.outcomes = scalar + series
    return model


def _mean_over_replications(values: list[np.ndarray]) -> np.ndarray:
    return np.mean(np.stack(values), axis=0)


def perform(model, experiments: int, *, evaluator=None, rng: int | None = 0,
            ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Run ``experiments`` experiments, sampling levers and uncertainties jointly (LHS).

    Two Latin hypercubes of the same size (uncertainties, levers) combined row by row
    (``combine="sample"``): one experiment per row, each run once per replication (seed).

    Args:
        model: a model of :func:`scenario_model`.
        experiments: number of experiments.
        evaluator: an EMA evaluator (default: sequential); e.g.
            ``ema_workbench.MultiprocessingEvaluator(model, n_processes=2)`` inside ``with``.
        rng: seed of the samplers (the design), independent of the run seeds.
    """
    em = ema()
    kwargs: dict[str, Any] = {"scenarios": experiments,
                              "uncertainty_sampling_kwargs": {"rng": rng}}
    if len(model.levers):
        kwargs |= {"policies": experiments, "combine": "sample",
                   "lever_sampling_kwargs": {"rng": None if rng is None else rng + 1}}
    if evaluator is None:
        return em.perform_experiments(model, **kwargs)
    return evaluator.perform_experiments(**kwargs)


def inputs(experiments: pd.DataFrame, model) -> pd.DataFrame:
    """The lever and uncertainty columns of EMA's experiments table, as floats (PRIM's ``x``)."""
    names = [p.name for p in model.uncertainties] + [p.name for p in model.levers]
    return experiments[names].astype(float)
