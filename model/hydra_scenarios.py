"""The ``scenario`` config group of the command line, read lazily from ``scenarios/``.

Hydra lists the group's options from the file names alone and loads a scenario only when a run
(or a sweep member) asks for it: a file that is broken, huge or an alias bomb affects only the
commands that name it, and only that scenario and its includes are parsed (with the limits of
:func:`model.config.load_scenario_file`). The group sits on Hydra's search path through a
:class:`~hydra.plugins.search_path_plugin.SearchPathPlugin` registered in code, as the tech
notes recommend (a ``hydra.searchpath`` entry would resolve against the working directory).
"""

from __future__ import annotations

from hydra.core.object_type import ObjectType
from hydra.core.plugins import Plugins
from hydra.plugins.config_source import ConfigResult, ConfigSource
from hydra.plugins.search_path_plugin import SearchPathPlugin
from omegaconf import OmegaConf

from .paths import scenarios_dir

GROUP = "scenario"
SCHEME = "hncr-scenarios"


class ScenarioSource(ConfigSource):
    """Hydra config source of the ``scenario`` group: ``scenario/<name>`` is a scenario file."""

    def __init__(self, provider: str, path: str) -> None:
        super().__init__(provider=provider, path=path)

    @staticmethod
    def scheme() -> str:
        """URL scheme of this source on Hydra's search path."""
        return SCHEME

    @staticmethod
    def _name(config_path: str) -> str | None:
        group, _, name = config_path.strip("/").partition("/")
        if group != GROUP or not name:
            return None
        return name.removesuffix(".yaml")

    def load_config(self, config_path: str) -> ConfigResult:
        """The settings of one scenario (its includes merged), at the top level of the config.

        Raises:
            ConfigError: the scenario file or one it includes is invalid.
        """
        from .api import scenario_settings

        name = self._name(config_path)
        node = OmegaConf.create(scenario_settings(str(name)))
        return ConfigResult(config=node, path=self.full_path(), provider=self.provider,
                            header={"package": "_global_"})

    def available(self) -> bool:
        """The scenarios folder exists."""
        return scenarios_dir().is_dir()

    def is_group(self, config_path: str) -> bool:
        """The root (which holds the group) and ``scenario``."""
        return config_path.strip("/") in ("", GROUP)

    def is_config(self, config_path: str) -> bool:
        """``scenario/<name>`` is a config when ``scenarios/<name>.yaml`` exists."""
        name = self._name(config_path)
        return name is not None and (scenarios_dir() / f"{name}.yaml").is_file()

    def list(self, config_path: str, results_filter: ObjectType | None) -> list[str]:
        """Scenario names (from the file names: nothing is parsed)."""
        if config_path.strip("/") == "":
            return [GROUP] if results_filter in (None, ObjectType.GROUP) else []
        if config_path.strip("/") != GROUP or results_filter == ObjectType.GROUP:
            return []
        return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


class ScenarioSearchPath(SearchPathPlugin):
    """Put :class:`ScenarioSource` on Hydra's search path."""

    def manipulate_search_path(self, search_path) -> None:
        """Prepend the source (the schema source must stay last)."""
        search_path.prepend(provider="hncr-scenarios", path=f"{SCHEME}://{GROUP}")


def register() -> None:
    """Register the source and its search-path plugin with Hydra (idempotent)."""
    plugins = Plugins.instance()
    plugins.register(ScenarioSource)
    plugins.register(ScenarioSearchPath)
