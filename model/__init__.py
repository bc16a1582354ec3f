"""Agent-based scenario model of the Hà Nội Capital Region (2025-2045).

Quick start from Python (no Hydra needed)::

    import model
    ds = model.run(scenario="corridors", seed=3, agent_scale=0.1)

See :func:`model.run`, :func:`model.load_config` and :class:`model.CapitalRegionModel`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Public names and the submodule defining each. They are imported on first use so that
# ``python -m model.<submodule>`` does not import that submodule twice (runpy's warning) and
# ``import model`` stays cheap.
_EXPORTS = {
    "CapitalRegionModel": "simulation",
    "simulate": "simulation",
    "ConfigError": "errors",
    "OutputError": "errors",
    "RegionError": "errors",
    "ResultsContractError": "errors",
    "UserError": "errors",
    "Region": "region",
    "RunConfig": "config",
    "build_config": "config",
    "clear_caches": "api",
    "load_config": "api",
    "run": "api",
    "run_to_folder": "api",
    "scenario_settings": "api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
