"""Where the project's configuration folders are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(name: str) -> Path:
    # A checkout (or editable install) has the folders at the repository root; a wheel carries
    # copies under model/_bundled/ (pyproject.toml, force-include).
    for candidate in (PACKAGE_DIR.parent / name, PACKAGE_DIR / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"cannot find the {name}/ folder next to the model package ({PACKAGE_DIR}); "
        "reinstall the package"
    )


def configs_dir() -> Path:
    """The Hydra configuration folder (``configs/``)."""
    return _first_existing("configs")


def scenarios_dir() -> Path:
    """The folder of named scenarios (``scenarios/``)."""
    return _first_existing("scenarios")


def scenario_names() -> list[str]:
    """Names of the scenarios shipped with the model."""
    return sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
