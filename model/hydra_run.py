"""A single run through Hydra with the configuration composed once (the command line's fast path).

Hydra 1.3.8's ``@hydra.main`` composes the whole configuration twice for a single run: once in
``Hydra.get_mode`` (to learn from the composed config whether ``hydra.mode`` asks for a multirun)
and again in ``Hydra.run``. Composition is most of Hydra's cost (~0.6 s CPU each on this
machine). :func:`run_once` composes once, in run mode, and then does what ``Hydra.run`` does with
that configuration: the run callbacks, ``run_job`` (which writes the ``.hydra/`` record of the
job: ``config.yaml``, ``hydra.yaml``, ``overrides.yaml``, configures logging and sets
``HydraConfig``) and the check of the job's return value.

It handles only a plain run (``python -m model [overrides]``): any Hydra flag (``--cfg``,
``--help``, ``-m``, ``--info``, ``-cp``/``-cn``/``-cd``, ``--experimental-rerun``, shell
completion), a composed ``hydra.mode: MULTIRUN`` (sweep presets) or a composition that fails in
run mode (which may be a sweep override such as ``seed=1,2`` that Hydra would reject or run as a
multirun) returns ``False`` untouched, and the caller goes Hydra's usual way, which then reports
or runs it exactly as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_once(task: Callable[[Any], Any], config_dir: Path, config_name: str) -> bool:
    """Run ``task`` once under Hydra with one composition; False if Hydra's full path is needed.

    Args:
        task: the Hydra task function (takes the composed ``DictConfig``).
        config_dir: absolute primary config directory (as given to ``hydra.main``).
        config_name: the primary config's name.
    """
    from hydra import version
    from hydra._internal.callbacks import Callbacks
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import (
        create_automatic_config_search_path,
        detect_calling_file_or_module_from_task_function,
        detect_task_name,
        get_args_parser,
    )
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.utils import run_job
    from hydra.errors import ConfigCompositionException
    from hydra.types import HydraContext, RunMode

    args = get_args_parser().parse_args(sys.argv[1:])
    flags = (args.help, args.hydra_help, args.cfg, args.info, args.multirun, args.shell_completion,
             args.resolve, args.package, args.config_path, args.config_name, args.config_dir,
             args.experimental_rerun)
    if any(flag not in (None, False) for flag in flags):
        return False
    version.setbase(None)  # as hydra.main(version_base=None)
    calling_file, calling_module = detect_calling_file_or_module_from_task_function(task)
    search_path = create_automatic_config_search_path(calling_file, calling_module,
                                                      str(config_dir))
    hydra = Hydra.create_main_hydra2(task_name=detect_task_name(calling_file, calling_module),
                                     config_search_path=search_path)
    try:
        try:
            cfg = hydra.compose_config(config_name=config_name, overrides=list(args.overrides),
                                       with_log_configuration=True, run_mode=RunMode.RUN)
        except ConfigCompositionException:
            return False
        if cfg.hydra.mode == RunMode.MULTIRUN:
            return False
        if cfg.hydra.mode is None:
            # Hydra's own path then composes again with the override hydra.mode=RUN: the same
            # configuration, and the override recorded in hydra.yaml.
            cfg.hydra.mode = RunMode.RUN
            cfg.hydra.overrides.hydra.append("hydra.mode=RUN")
        callbacks = Callbacks(cfg)
        callbacks.on_run_start(config=cfg, config_name=config_name)
        ret = run_job(hydra_context=HydraContext(config_loader=hydra.config_loader,
                                                 callbacks=callbacks),
                      task_function=task, config=cfg, job_dir_key="hydra.run.dir",
                      job_subdir_key=None, configure_logging=True)
        callbacks.on_run_end(config=cfg, config_name=config_name, job_return=ret)
        _ = ret.return_value  # re-raises the task's exception, as Hydra.run does
        return True
    finally:
        GlobalHydra.instance().clear()
