"""Property-based tests (Hypothesis): hostile region tables and settings never give a bad result.

Every generated case must end in one of two ways: a run whose results pass the results contract
(``run_to_folder`` checks them before writing), or a user error with a message (exit status 2 on
the command line). Anything else — another exception (exit 1), a result breaking the contract,
a case running past its deadline — fails the test.

The number of cases is small by default (CI); set ``HNCR_HYPOTHESIS_EXAMPLES`` for more, e.g.
``HNCR_HYPOTHESIS_EXAMPLES=500 python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import model
from model.api import run_to_folder
from model.config import defaults_dict
from model.errors import UserError
from model.region import DEFAULT_REGION_PATH, TABLES, Region

from .conftest import copy_region

EXAMPLES = int(os.environ.get("HNCR_HYPOTHESIS_EXAMPLES", "12"))
CASE = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=60), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow], database=None)
FAST = {"run.agent_scale": 0.02, "run.end_year": 2026, "run.progress": False}

NUMERIC = [(t.name, c.name) for t in TABLES.values() for c in t.columns
           if c.kind in ("int", "float")]
ROWS = {name: len(pd.read_csv(DEFAULT_REGION_PATH / t.file)) for name, t in TABLES.items()}

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**22), max_value=10**22).map(str),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e19", "-0", "0",
                     "abc", "1,5", " 7 ", "0x10", "1e-320", "9" * 40, "true"]),
    st.floats(min_value=-1e4, max_value=1e5).map(lambda v: f"{v:.6g}"),
)
"""Cell texts: finite, NaN, ±inf, huge, negative, empty, text."""

SCALES = st.sampled_from([0.0, 1e-9, 0.01, 0.5, 2.0, 10.0, 1e3, 1e6, 1e9, 1e12, -1.0])
"""Or a multiple of the cell's own value: extreme values that are often still allowed."""

EDITS = st.lists(st.tuples(st.sampled_from(NUMERIC), st.integers(min_value=0),
                           st.one_of(CELLS, SCALES)), min_size=1, max_size=3)


def _new_cell(old: str, edit: str | float) -> str:
    if isinstance(edit, str):
        return edit
    try:
        value = float(old) * edit
    except ValueError:  # an empty optional cell: leave it
        return old
    return str(round(value)) if "." not in old and "e" not in old.lower() else repr(value)


def _outcome(config_overrides: dict, region: Region | None = None) -> str:
    """Run a case; 'user error' or 'ran', raising on anything the command line would exit 1 on."""
    try:
        config = model.load_config(overrides={**FAST, **config_overrides})
    except UserError as exc:
        assert str(exc).strip()
        event("rejected by the settings check")
        return "user error"
    with tempfile.TemporaryDirectory() as out:
        try:
            run_to_folder(config, out, region=region)  # checks the contract before writing
        except UserError as exc:
            assert str(exc).strip()
            event("rejected when the run set up")
            return "user error"
        assert (Path(out) / "results.nc").is_file()
    event("ran, contract-valid results")
    return "ran"


@CASE
@given(edits=EDITS)
def test_generated_region_tables_run_validly_or_are_rejected(edits):
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_region(Path(tmp) / "region")
        for (table, column), row, edit in edits:
            path = folder / f"{table}.csv"
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            at = (row % ROWS[table], column)
            frame.loc[at] = _new_cell(frame.loc[at], edit)
            frame.to_csv(path, index=False)
        try:
            region = Region.load(folder)
        except UserError as exc:
            assert str(exc).strip()
            event("rejected by the region check")
            return
        _outcome({"region.path": str(folder)}, region)


def _numeric_keys(node: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _numeric_keys(value, f"{dotted}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) \
                and not dotted.startswith("run."):
            out.append(dotted)
    return out


KEYS = [
    *sorted(_numeric_keys(defaults_dict())),
    "policies.housing.units_per_year.phu_tho", "policies.forest.afforestation_ha_yr.phu_tho",
    "transport.corridors.ring_road_5", "policies.forest.credit_start_year",
    "policies.shuttle.subsidy_start_year", "firms.sector_hazard_multiplier.electronics",
]
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1, 2, 2030, 1e15, 1e16, -1e-9, "never", "abc", "", None, True]),
    st.floats(min_value=-10, max_value=10),
)
"""Setting values: finite, NaN, ±inf, huge, negative, empty, text, null, booleans."""


@CASE
@given(overrides=st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=3))
def test_generated_settings_run_validly_or_are_rejected(overrides):
    _outcome(overrides)
