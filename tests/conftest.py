"""Shared fixtures: the embedded default region, a tiny canonical region, a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from model.region import DEFAULT_REGION_PATH, TABLES, Region

from .presentation_data import small_runs, small_sweep

TESTS_DIR = Path(__file__).parent
TINY_REGION = TESTS_DIR / "data" / "tiny_region"
REPO_ROOT = TESTS_DIR.parent


@pytest.fixture(scope="session")
def default_region() -> Region:
    return Region.load()


@pytest.fixture(scope="session")
def runs():
    """The small in-memory runs of the presentation tests (figures, report, IAMC)."""
    return small_runs()


@pytest.fixture(scope="session")
def sweep(runs):
    """Those runs combined as a sweep."""
    return small_sweep(runs)


@pytest.fixture(scope="session")
def tiny_region() -> Region:
    return Region.load(TINY_REGION)


def copy_region(dst: Path, src: Path = DEFAULT_REGION_PATH) -> Path:
    """Copy a region's tables (and SOURCES.md) into ``dst`` for corrupting in a test."""
    dst.mkdir(parents=True, exist_ok=True)
    for table in TABLES.values():
        shutil.copy(src / table.file, dst / table.file)
    if (src / "SOURCES.md").exists():
        shutil.copy(src / "SOURCES.md", dst / "SOURCES.md")
    return dst


@pytest.fixture
def region_copy(tmp_path: Path) -> Path:
    return copy_region(tmp_path / "region")


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m model`` with arguments in ``cwd``; capture its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")}
    env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "model", *args], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, env=env,
    )
