"""Agent-based scenario model of the Hà Nội Capital Region (2025-2045).

Quick start from Python (no Hydra needed)::

    import model
    ds = model.run(scenario="corridors", seed=3, agent_scale=0.1)

See :func:`model.run`, :func:`model.load_config` and :class:`model.CapitalRegionModel`.
"""

from .api import load_config, run, run_to_folder, scenario_settings
from .config import RunConfig, build_config
from .errors import ConfigError, OutputError, RegionError, UserError
from .region import Region
from .simulation import CapitalRegionModel, simulate

__all__ = [
    "CapitalRegionModel",
    "ConfigError",
    "OutputError",
    "Region",
    "RegionError",
    "RunConfig",
    "UserError",
    "build_config",
    "load_config",
    "run",
    "run_to_folder",
    "scenario_settings",
    "simulate",
]
