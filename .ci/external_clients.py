"""Check the files a test run wrote with clients nobody on the project wrote.

Run by ``.ci/external_clients.sh`` in its own virtual environment (compliance-checker 6.1, pyam
4.0, iam-units): pyam pins numpy < 2.5 and needs SQLAlchemy < 2.1, which must not touch the
model's environment. Usage::

    python .ci/external_clients.py FOLDER

``FOLDER`` holds what ``tests/test_cf.py`` copies there when ``HNCR_EXTERNAL_CHECKS_DIR`` is set:
``results.nc``, ``sweep.nc``, ``iamc_run.csv``, ``iamc_sweep.csv``. Checks:

- compliance-checker ``--test=cf:1.10`` on each netCDF file: no failed check at high or medium
  priority, and no exception inside the checker (a crash on a variable counts as a failure);
- pyam on each IAMC table: it loads without extra columns; ``check_aggregate`` holds for every
  variable with sub-variables of the same unit, and for ``Emissions|CO2|AFOLU`` = ``Gross
  Emissions|CO2|AFOLU`` + ``Gross Removals|CO2|AFOLU``; ``check_aggregate_region`` holds for
  every variable reported for the region total; removals are negative, gross emissions are not;
- iam-units parses every unit (emission units with their species, as pyam does).

Prints one line per check and closes with ``N passed, M failed``; exits 1 when any failed.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

REGION_TOTAL = "Hà Nội Capital Region"
RESULTS: list[tuple[str, bool, str]] = []


def record(name: str, ok: bool, detail: str = "") -> None:
    """Note one check's outcome and print it."""
    RESULTS.append((name, ok, detail))
    print(f"{'PASSED' if ok else 'FAILED'} {name}{': ' + detail if detail else ''}", flush=True)


def compliance(path: Path) -> None:
    """IOOS compliance-checker, CF 1.10: high and medium priority checks, and no exceptions."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        checker = Path(sys.executable).parent / "compliance-checker"
        proc = subprocess.run(
            [str(checker), "--test=cf:1.10", "-f", "json", "-o", str(report), str(path)],
            capture_output=True, text=True, check=False)
        if not report.is_file():
            record(f"compliance-checker cf:1.10 {path.name}", False,
                   f"no report (status {proc.returncode}): {proc.stderr.strip()[-500:]}")
            return
        result = json.loads(report.read_text())["cf:1.10"]
    failed = [f"{level.split('_')[0]}: {check['name']}: {'; '.join(check['msgs'][:3])}"
              for level in ("high_priorities", "medium_priorities")
              for check in result[level] if check["value"][0] < check["value"][1]]
    crashed = "exceptions occurred" in proc.stdout + proc.stderr
    if crashed:
        failed.append("checker exceptions: " + (proc.stdout + proc.stderr).strip()[-400:])
    score = f"score {result['scored_points']}/{result['possible_points']}"
    record(f"compliance-checker cf:1.10 {path.name}", not failed,
           score if not failed else f"{score}; " + " | ".join(failed))


def units(table: pd.DataFrame, name: str) -> None:
    """Every unit parses with iam-units (species split off as pyam's unit conversion does)."""
    from iam_units import emissions, registry

    bad = []
    for unit in sorted(table["unit"].unique()):
        expr = unit
        parts = emissions.pattern.split(unit, maxsplit=1)
        if len(parts) == 3:
            expr = parts[0] + parts[2]
        try:
            registry(expr.strip() or "dimensionless")
        except Exception as exc:  # pint raises several error types
            bad.append(f"{unit!r} ({type(exc).__name__})")
    record(f"iam-units parses every unit of {name}", not bad, ", ".join(bad))


def pyam_checks(path: Path) -> None:
    """pyam: load, no extra columns, aggregates by variable and region, signs."""
    import pyam

    logging.getLogger("pyam").setLevel(logging.ERROR)
    table = pd.read_csv(path)
    df = pyam.IamDataFrame(table)
    record(f"pyam loads {path.name} without extra columns", not df.extra_cols,
           f"extra columns {df.extra_cols}" if df.extra_cols else f"{len(table)} rows")
    units(table, path.name)

    by_unit = table.groupby("variable")["unit"].first()
    parents = sorted(v for v in df.variable
                     if any(c.startswith(v + "|") and c.count("|") == v.count("|") + 1
                            and by_unit[c] == by_unit[v] for c in df.variable))
    bad = []
    for variable in parents:
        problems = df.check_aggregate(variable)
        if problems is not None and len(problems):
            bad.append(f"{variable} ({len(problems)} rows)")
    record(f"pyam check_aggregate on {len(parents)} parent variables of {path.name}", not bad
           and bool(parents), ", ".join(bad) or ", ".join(parents))

    net = "Emissions|CO2|AFOLU"
    gross = ["Gross Emissions|CO2|AFOLU", "Gross Removals|CO2|AFOLU"]
    if {net, *gross} <= set(df.variable):
        problems = df.check_aggregate(net, components=gross)
        record(f"pyam {net} = gross emissions + gross removals ({path.name})",
               problems is None or not len(problems))
        removals = df.filter(variable=gross[1]).data["value"]
        emitted = df.filter(variable=gross[0]).data["value"]
        record(f"signs: removals <= 0, gross emissions >= 0 ({path.name})",
               bool((removals <= 0).all() and (emitted >= 0).all()))

    totals = sorted(df.filter(region=REGION_TOTAL).variable)
    provinces = [r for r in df.region if r != REGION_TOTAL]
    bad = []
    checked = 0
    for variable in totals:
        sub = df.filter(variable=variable, region=provinces)
        if sub.empty:
            continue  # a region-wide variable: no provinces to add up
        checked += 1
        problems = df.check_aggregate_region(variable, region=REGION_TOTAL,
                                             subregions=sorted(set(sub.region)))
        if problems is not None and len(problems):
            bad.append(f"{variable} ({len(problems)} rows)")
    record(f"pyam check_aggregate_region on {checked} variables of {path.name}",
           not bad and checked > 0, ", ".join(bad))
    forest = df.filter(variable="Land Cover|Forest").data
    zero = forest[(forest["region"] != REGION_TOTAL) & (forest["value"] == 0)]
    record(f"no forest rows for provinces without forest ({path.name})", zero.empty,
           ", ".join(sorted(set(zero["region"]))))


def main(folder: str) -> int:
    """Run every check on the files in ``folder``; the exit status says whether all passed."""
    # pyam and pandas warn about their own deprecations: noise here, not findings.
    warnings.simplefilter("ignore")
    root = Path(folder)
    expected = ["results.nc", "sweep.nc", "iamc_run.csv", "iamc_sweep.csv"]
    for name in expected:
        path = root / name
        if not path.is_file():
            record(f"{name} written by the test run", False, f"{path} is missing")
            continue
        try:
            if name.endswith(".nc"):
                compliance(path)
            else:
                pyam_checks(path)
        except Exception as exc:  # a client crashing on our file is a failed check
            record(f"checks of {name}", False, f"{type(exc).__name__}: {exc}")
    passed = sum(ok for _, ok, _ in RESULTS)
    failed = len(RESULTS) - passed
    print(f"external clients: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
