"""Command line: ``python -m model [key=value ...]`` runs a scenario through Hydra.

Hydra stays here, at the edge: it composes ``configs/config.yaml``, the chosen scenario from the
top-level ``scenarios/`` folder and the command-line overrides; the result is validated into a
:class:`model.config.RunConfig` and handed to the model, which never imports Hydra.

Exit status: 0 success; 2 a user error (bad override, unknown scenario, invalid region data,
unwritable output folder), reported as one paragraph without a traceback; 1 an internal error
(the traceback goes to a log file whose path is printed); 3 a sweep in which some members failed
(the others are kept and collated; ``runs_failed.csv`` lists the failures). A failed run leaves
no ``results.nc``, and no run folder unless the folder held other files before (README, "When
something goes wrong"); a sweep refused at its start (:class:`model.sweep.SweepRefused`) exits 2.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path

from .config import defaults_dict, mapping_settings
from .errors import UserError
from .hydra_run import run_once
from .hydra_sweep_check import covering_check
from .paths import configs_dir, scenarios_dir

# Hydra prints its own errors and exits 1; we want them as exceptions so that a user error exits
# with status 2 and an internal error is logged rather than shown as a traceback.
os.environ["HYDRA_FULL_ERROR"] = "1"


def register_configs() -> None:
    """Put the model's defaults (``model_schema``) into Hydra's ConfigStore; add the scenarios.

    Scenarios come from the top-level ``scenarios/`` folder as the ``scenario`` group (package
    ``_global_``) through :mod:`model.hydra_scenarios`, which parses a scenario only when it is
    used: a broken file in ``scenarios/`` does not block the others.
    """
    from hydra.core.config_store import ConfigStore

    from .hydra_scenarios import register

    ConfigStore.instance().store(name="model_schema", node=_schema_node())
    register()


def _schema_node():
    """The defaults as an OmegaConf node whose mapping-valued settings accept new keys.

    Hydra makes the composed config 'struct' (unknown keys are errors, good for typos), but a
    mapping-valued setting such as ``policies.housing.units_per_year`` or
    ``transport.corridors`` is *meant* to take keys the defaults do not list; without this, users
    would have to prefix such overrides with ``+``. The model's own validation still checks them.
    """
    from omegaconf import DictConfig, OmegaConf

    node = OmegaConf.create(defaults_dict())
    for path in mapping_settings():
        target = OmegaConf.select(node, path)
        if isinstance(target, DictConfig):
            OmegaConf.set_struct(target, False)
    return node


def _show_progress(enabled: bool) -> bool:
    return enabled and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def _progress(years: range, enabled: bool):
    if not _show_progress(enabled):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[year]}"),
        TimeRemainingColumn(), transient=True,
    ) as bar:
        task = bar.add_task("Simulating", total=len(years) - 1, year=years.start)
        yield lambda year: bar.update(task, advance=1, year=year)


def _task(cfg) -> None:
    """The Hydra job: validate the composed config, run, write results into the job folder.

    A single run that fails leaves nothing behind: the folder Hydra made for it (``.hydra/`` and
    the log) is removed when that is all it holds. In a sweep (multirun) a member that fails
    records why in ``failed.json`` and returns, so the other members go on; a member whose
    ``results.nc`` already holds the same configuration is skipped (that is how
    ``python -m model.sweep resume`` re-runs only what is missing).
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode != RunMode.MULTIRUN:
        try:
            _run_job(cfg, hydra_cfg, quiet=False)
        except BaseException:
            _remove_failed_run(folder, f"{hydra_cfg.job.name}.log")
            raise
        return
    label = f"member {hydra_cfg.job.num} ({' '.join(hydra_cfg.overrides.task)})"
    if not hasattr(os, "fork"):
        _run_member(cfg, hydra_cfg, folder, label)
        return
    _run_member_in_child(cfg, hydra_cfg, folder, label)


def _run_member(cfg, hydra_cfg, folder: Path, label: str, config=None) -> None:
    from .sweep import member_finished

    try:
        if not _run_job(cfg, hydra_cfg, quiet=True, config=config):
            return  # already done (resume): nothing to report
        (folder / "failed.json").unlink(missing_ok=True)
        print(f"{label}: done [{member_finished(folder, hydra_cfg.job.num, True)}]", flush=True)
    except Exception as exc:  # one member's failure must not stop the sweep: record, go on
        message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        _member_failed(hydra_cfg, folder, label, message, type(exc).__name__,
                       traceback.format_exc())


def _member_failed(hydra_cfg, folder: Path, label: str, message: str, kind: str,
                   details: str) -> None:
    """Record a failed member: ``failed.json`` (and no stale ``results.nc``), a console line."""
    import json

    from .outputs import write_text
    from .sweep import member_finished

    (folder / "results.nc").unlink(missing_ok=True)
    write_text(json.dumps({
        "overrides": list(hydra_cfg.overrides.task), "error": message, "type": kind,
        "traceback": details,
    }, indent=2, ensure_ascii=False), folder / "failed.json")
    progress = member_finished(folder, hydra_cfg.job.num, False)
    print(f"{label}: FAILED: {message.splitlines()[0]} [{progress}]", file=sys.stderr,
          flush=True)


def _run_member_in_child(cfg, hydra_cfg, folder: Path, label: str) -> None:
    """Run a member in a forked process, so that its death fails only the member.

    A member killed from outside (the out-of-memory killer, a time limit, ``kill -9``) would
    otherwise take the launcher's worker with it, and the launcher the whole sweep. The child's
    pid is in ``<sweep>/.progress/<member>.running`` while it runs.
    """
    import signal

    # Imported once here and inherited by every forked member, as are the caches below.
    import model.api
    import model.simulation  # noqa: F401

    from .sweep import PROGRESS, stop_background

    try:
        config = _warm_caches(cfg, hydra_cfg)
    except Exception:  # a setting or region that fails fails in the member, which reports it
        config = None

    marker = folder.parent / PROGRESS / f"{hydra_cfg.job.num}.running"
    stop_background()  # no import or read may be under way in another thread at the fork
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the member
        code = 0
        try:
            if marker.parent.is_dir():
                marker.write_text(str(os.getpid()))
            _run_member(cfg, hydra_cfg, folder, label, config)
        except BaseException:
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    try:
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted (Ctrl-C): stop the member as well
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        raise
    finally:
        marker.unlink(missing_ok=True)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        message = (f"the member's process was killed by signal {number} "
                   f"({signal.Signals(number).name}), e.g. by the out-of-memory killer or a time "
                   "limit; it wrote no results")
    elif os.WEXITSTATUS(status) != 0:
        message = f"the member's process stopped with exit status {os.WEXITSTATUS(status)}"
    else:
        return
    _member_failed(hydra_cfg, folder, label, message, "process died", "")


def _warm_caches(cfg, hydra_cfg):
    """Fill this (long-lived) worker's caches with what the member will read, before forking.

    Returns the member's validated configuration, which the forked member then reuses.

    A forked member's caches die with it; filled here they are inherited by every member the
    worker runs: the region tables (read once per worker) and the travel times of every year of
    the member's network (computed once per worker and distinct transport settings, ~0.15 s of
    each member otherwise). Nothing here decides a result: the member computes the same values
    when a cache is empty.
    """
    import netCDF4  # noqa: F401 - what the member's writing imports, once per worker

    from . import testing, writing  # noqa: F401
    from .region import load_shared
    from .transport import Transport

    config = _member_config(cfg, hydra_cfg)
    region = load_shared(config.region.path)
    transport = Transport(region, config.transport, config.run.start_year)
    for year in config.years:
        transport.times(year)
    return config


def _member_config(cfg, hydra_cfg):
    """The validated :class:`RunConfig` of a job's composed configuration."""
    from omegaconf import OmegaConf

    from .config import build_config

    scenario = hydra_cfg.runtime.choices.get("scenario") or "baseline"
    data = OmegaConf.to_container(cfg, resolve=True)
    experiment = data.pop("experiment", None)
    if experiment is not None:  # a member of an experiment design (model/experiments.py)
        from .api import scenario_settings
        from .experiments import member_settings

        data = member_settings(data, experiment, scenario_settings(scenario))
    return build_config(data, scenario=scenario,
                        source="configs/config.yaml, scenario and command line")


def _remove_failed_run(folder: Path, log_name: str) -> None:
    """Remove the folder of a failed single run when it holds only what Hydra wrote for it.

    A folder that held other files before (a folder chosen with ``hydra.run.dir`` and used
    earlier) is left as it is.
    """
    import shutil

    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return
    if names <= {".hydra", log_name}:
        shutil.rmtree(folder, ignore_errors=True)


def _run_job(cfg, hydra_cfg, quiet: bool, config=None) -> bool:
    """Validate and run one job into its folder; False when it was already done (sweeps).

    ``config``: the job's :class:`RunConfig` when the caller has already built it.
    """
    from .api import run_to_folder
    from .region import load_shared

    # Hydra sets the root logger to INFO; Mesa would log every step.
    logging.getLogger("MESA").setLevel(logging.WARNING)
    if config is None:
        config = _member_config(cfg, hydra_cfg)
    folder = Path(hydra_cfg.runtime.output_dir)
    if quiet and _already_done(folder, config.to_yaml()):
        return False
    with _progress(config.years, config.run.progress and not quiet) as on_year:
        _, summary = run_to_folder(config, folder, region=load_shared(config.region.path),
                                   on_year=on_year)
    if not quiet:
        print(summary)
        print(f"Results: {folder / 'results.nc'}")
    return True


def _already_done(folder: Path, config_yaml: str) -> bool:
    """A member's results exist and were made with the same configuration."""
    path = folder / "results.nc"
    if not path.is_file():
        return False
    import xarray as xr

    try:
        with xr.open_dataset(path) as ds:
            return ds.attrs.get("config_yaml") == config_yaml
    except (OSError, ValueError):
        return False


def _finish_sweep() -> None:
    """After a multirun: report the collation; exit 3 if members failed, 1 if it broke."""
    from . import sweep

    if sweep.LAST_ERROR is not None:
        _fail(f"the sweep ran but could not be collated: {sweep.LAST_ERROR}",
              sweep.LAST_ERROR_CODE)
    if sweep.LAST_OUTCOME is not None:
        print(sweep.LAST_OUTCOME.message())
        if sweep.LAST_OUTCOME.failed:
            sys.exit(3)


SWEEP_EXTRA = 'python -m pip install -e ".[sweep]"'
"""How to install the sweep extra (SALib, the submitit launcher) from a checkout."""


def _first_comment(path: Path) -> str:
    """The first sentence of a YAML file's leading comment (after ``# @package``)."""
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# @package"):
            continue
        text = line.lstrip("#").strip()
        if not line.startswith("#") or (not text and words):
            break
        words.append(text)
    first = " ".join(words)
    match = re.search(r"(?<!No)\.(\s+[A-Z]|$)", first)
    return first[:match.start() + 1] if match else first


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    return str(value)


def help_text() -> str:
    """The text of ``python -m model --help``.

    Scenarios and sweep presets with the first sentence of their comment, the launchers, and every
    setting with its units, default and one-line description, all from ``model/config.py`` and
    the YAML files (so the help cannot drift from them).
    """
    from .config import RunConfig, walk_settings

    out = [
        "python -m model [key=value ...]        one run (default: baseline, seed 0, full scale)",
        "python -m model -m key=a,b [key=...]   a sweep over the values",
        "python -m model +sweep=<preset>        a sweep preset (mind the leading +)",
        "",
        "Hà Nội Capital Region scenario model: firms relocating from Hà Nội, cluster occupancy,",
        "commuting and forest carbon, 2025-2045. Results go to outputs/runs/<date>/<time>/.",
        "",
        "Scenarios (scenario=<name>; default baseline):",
    ]
    out += [f"  {p.stem:<22} {_first_comment(p)}" for p in sorted(scenarios_dir().glob("*.yaml"))]
    out += ["", "Sweep presets (+sweep=<name>):"]
    for preset in sorted((configs_dir() / "sweep").glob("*.yaml")):
        first = preset.read_text(encoding="utf-8").splitlines()[1].lstrip("#").strip()
        out.append(f"  {preset.stem:<22} {first.split(': python -m')[0]}")
    out += ["", "Launchers of sweeps (hydra/launcher=<name>):",
            "  local (default)        members in parallel processes (joblib); "
            "hydra.launcher.n_jobs=2 limits the cores",
            f"  slurm, submitit_local  submitit (SLURM or this machine): needs {SWEEP_EXTRA}",
            "", "Settings (key=value) — units, default, description:"]
    for key, default, meta in walk_settings(RunConfig()):
        if key == "scenario":
            continue
        units = f"[{meta['units']}]" if meta.get("units") else ""
        doc = str(meta.get("doc", "")).strip().split(". ")[0].rstrip(".")
        out.append(f"  {key} = {_value(default)} {units}".rstrip())
        if doc:
            out.append(f"      {doc}")
    out += ["", "Every setting's source (or 'assumed' with a plausible range): model/config.py.",
            "python -m model --cfg job prints the composed configuration; --hydra-help shows "
            "Hydra's own options."]
    return "\n".join(out)


def _launcher_hint(message: str) -> str:
    """For a launcher Hydra cannot load (the sweep extra is missing), say what to install."""
    if re.search(r"hydra/launcher|submitit|Could not load 'hydra", message):
        return (f"\nThe SLURM and submitit launchers come with the sweep extra: {SWEEP_EXTRA} "
                "(from the repository root), then run the command again.")
    return ""


def _key_hint(message: str) -> str:
    """For an override of an unknown key, list the keys that exist at that level."""
    match = re.search(r"Could not override '([^']+)'", message)
    if not match:
        return ""
    if match.group(1) == "sweep":
        presets = ", ".join(sorted(p.stem for p in (configs_dir() / "sweep").glob("*.yaml")))
        return f"\nSweep presets take a leading +: python -m model +sweep=<preset> ({presets})."
    node: object = defaults_dict()
    parts = match.group(1).split(".")
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            break
        node = node[part]
    if isinstance(node, dict):
        where = ".".join(parts[:-1]) or "the top level"
        keys = ", ".join(node) if node else "(none by default: add one with +key=value)"
        return f"\nKeys at {where}: {keys}. Scenarios are chosen with scenario=<name>."
    return ""


def _fail(message: str, code: int) -> None:
    print(f"error: {message.rstrip()}", file=sys.stderr)
    sys.exit(code)


def _crash_log(exc: BaseException) -> Path | str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.gettempdir()) / f"hncr-model-crash-{stamp}-{os.getpid()}.log"
    try:
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError as err:  # no log rather than a traceback on the console
        return f"(nowhere: the log {path} could not be written: {err.strerror or err})"
    return path


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m model`` (and the ``hncr`` console script)."""
    import hydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .sweep import SweepRefused

    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    if {"--help", "-h"} & set(sys.argv[1:]):
        print(help_text())
        return
    try:
        register_configs()
        # A plain single run composes the config once (model/hydra_run.py); anything else
        # (flags, sweeps) goes Hydra's usual way.
        if not run_once(_task, configs_dir(), "config"):
            app = hydra.main(version_base=None, config_path=str(configs_dir()),
                             config_name="config")(_task)
            with covering_check():
                app()
            _finish_sweep()
    except UserError as exc:
        _fail(str(exc), exc.exit_code)
    except SweepRefused as exc:
        _fail(f"the sweep was not started: {exc}", 2)
    except (HydraException, OmegaConfBaseException) as exc:
        # Hydra appends its search path to "not found" messages: noise for an analyst.
        text = str(exc).split("\nConfig search path:")[0].rstrip()
        if exc.__cause__ is not None and str(exc.__cause__) not in text:
            text += f"\n{exc.__cause__}"
        _fail(f"invalid command line or configuration: {text}{_key_hint(text)}"
              f"{_launcher_hint(text)}", 2)
    except OSError as exc:
        where = exc.filename or "the output folder"
        _fail(f"cannot write to {where}: {exc.strerror or exc}. Choose a writable folder with "
              "hydra.run.dir=/some/folder.", 2)
    except ValueError as exc:
        if "Only one of --run" not in str(exc):
            _fail(f"internal error ({type(exc).__name__}: {exc}). This is a bug in the model, "
                  f"not in your input; the details are in {_crash_log(exc)}. Please report it "
                  "with that file.", 1)
        _fail(f"invalid command line: {exc}", 2)
    except KeyboardInterrupt:
        _fail("interrupted; no results were written.", 130)
    except Exception as exc:  # last resort: no traceback on the user's console, a log instead
        log = _crash_log(exc)
        _fail(f"internal error ({type(exc).__name__}: {exc}). This is a bug in the model, not in "
              f"your input; the details are in {log}. Please report it with that file.", 1)


if __name__ == "__main__":
    main()
