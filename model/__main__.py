"""Command line: ``python -m model [key=value ...]`` runs a scenario through Hydra.

Hydra stays here, at the edge: it composes ``configs/config.yaml``, the chosen scenario from the
top-level ``scenarios/`` folder and the command-line overrides; the result is validated into a
:class:`model.config.RunConfig` and handed to the model, which never imports Hydra.

Exit status: 0 success; 2 a user error (bad override, unknown scenario, invalid region data,
unwritable output folder), reported as one paragraph without a traceback; 1 an internal error
(the traceback goes to a log file whose path is printed); 3 a sweep in which some members failed
(the others are kept and collated; ``runs_failed.csv`` lists the failures). A failed run leaves
no ``results.nc``.
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
from .paths import configs_dir, scenarios_dir

# Hydra prints its own errors and exits 1; we want them as exceptions so that a user error exits
# with status 2 and an internal error is logged rather than shown as a traceback.
os.environ["HYDRA_FULL_ERROR"] = "1"


def register_configs() -> None:
    """Put the model's defaults (``model_schema``) and the scenarios into Hydra's ConfigStore.

    Scenarios are registered from the top-level ``scenarios/`` folder as the ``scenario`` group
    (package ``_global_``): a search path entry cannot be used because the folder name differs
    from the group name and relative search paths resolve against the working directory.
    """
    from hydra.core.config_store import ConfigStore

    from .api import scenario_settings

    store = ConfigStore.instance()
    store.store(name="model_schema", node=_schema_node())
    for path in sorted(scenarios_dir().glob("*.yaml")):
        store.store(group="scenario", name=path.stem, node=scenario_settings(path.stem),
                    package="_global_")


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

    In a sweep (multirun) a member that fails records why in ``failed.json`` and returns, so the
    other members go on; a member whose ``results.nc`` already holds the same configuration is
    skipped (that is how ``python -m model.sweep resume`` re-runs only what is missing).
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode != RunMode.MULTIRUN:
        _run_job(cfg, hydra_cfg, quiet=False)
        return
    folder = Path(hydra_cfg.runtime.output_dir)
    label = f"member {hydra_cfg.job.num} ({' '.join(hydra_cfg.overrides.task)})"
    from .sweep import member_finished

    try:
        _run_job(cfg, hydra_cfg, quiet=True)
        (folder / "failed.json").unlink(missing_ok=True)
        print(f"{label}: done [{member_finished(folder, hydra_cfg.job.num, True)}]", flush=True)
    except Exception as exc:  # one member's failure must not stop the sweep: record, go on
        import json

        from .outputs import write_text

        message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        write_text(json.dumps({
            "overrides": list(hydra_cfg.overrides.task), "error": message,
            "type": type(exc).__name__, "traceback": traceback.format_exc(),
        }, indent=2, ensure_ascii=False), folder / "failed.json")
        progress = member_finished(folder, hydra_cfg.job.num, False)
        print(f"{label}: FAILED: {message.splitlines()[0]} [{progress}]", file=sys.stderr,
              flush=True)


def _run_job(cfg, hydra_cfg, quiet: bool) -> None:
    from omegaconf import OmegaConf

    from .api import run_to_folder
    from .config import build_config

    # Hydra sets the root logger to INFO; Mesa would log every step.
    logging.getLogger("MESA").setLevel(logging.WARNING)
    scenario = hydra_cfg.runtime.choices.get("scenario") or "baseline"
    data = OmegaConf.to_container(cfg, resolve=True)
    config = build_config(data, scenario=scenario,
                          source="configs/config.yaml, scenario and command line")
    folder = Path(hydra_cfg.runtime.output_dir)
    if quiet and _already_done(folder, config.to_yaml()):
        return
    with _progress(config.years, config.run.progress and not quiet) as on_year:
        _, summary = run_to_folder(config, folder, on_year=on_year)
    if not quiet:
        print(summary)
        print(f"Results: {folder / 'results.nc'}")


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
        _fail(f"the sweep ran but could not be collated: {sweep.LAST_ERROR}", 1)
    if sweep.LAST_OUTCOME is not None:
        print(sweep.LAST_OUTCOME.message())
        if sweep.LAST_OUTCOME.failed:
            sys.exit(3)


def _key_hint(message: str) -> str:
    """For an override of an unknown key, list the keys that exist at that level."""
    match = re.search(r"Could not override '([^']+)'", message)
    if not match:
        return ""
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


def _crash_log(exc: BaseException) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.gettempdir()) / f"hncr-model-crash-{stamp}-{os.getpid()}.log"
    path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m model`` (and the ``hncr`` console script)."""
    import hydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    try:
        register_configs()
        # A plain single run composes the config once (model/hydra_run.py); anything else
        # (flags, sweeps) goes Hydra's usual way.
        if not run_once(_task, configs_dir(), "config"):
            app = hydra.main(version_base=None, config_path=str(configs_dir()),
                             config_name="config")(_task)
            app()
            _finish_sweep()
    except UserError as exc:
        _fail(str(exc), exc.exit_code)
    except (HydraException, OmegaConfBaseException) as exc:
        # Hydra appends its search path to "not found" messages: noise for an analyst.
        text = str(exc).split("\nConfig search path:")[0].rstrip()
        if exc.__cause__ is not None and str(exc.__cause__) not in text:
            text += f"\n{exc.__cause__}"
        _fail(f"invalid command line or configuration: {text}{_key_hint(text)}", 2)
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
