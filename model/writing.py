"""Writing results safely: I/O failures as user errors, leftovers of killed writes removed.

:func:`model.outputs.write_netcdf` writes through a temporary file ``.<name>.<pid>.tmp`` renamed
into place. Two faults are handled here:

- the netCDF library reports a full disk or a file-size limit as ``RuntimeError("NetCDF: HDF
  error")`` rather than an ``OSError``: :func:`write_results` turns it into an
  :class:`~model.errors.OutputError` naming the path (exit status 2, "cannot write ...");
- a process killed while writing (SIGKILL, out of memory) cannot remove its temporary file:
  :func:`remove_stale_temporaries` deletes those whose process is gone, before a folder is
  written again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import xarray as xr

from .errors import OutputError
from .outputs import write_netcdf

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")


def write_results(ds: xr.Dataset, path: str | Path, complevel: int = 4) -> Path:
    """Write a dataset with :func:`~model.outputs.write_netcdf`; I/O failures -> OutputError.

    Raises:
        OutputError: the folder cannot be written, the disk is full or a file-size limit is hit.
    """
    try:
        return write_netcdf(ds, path, complevel)
    except RuntimeError as exc:
        if not str(exc).startswith("NetCDF"):
            raise
        raise OutputError(
            f"Cannot write results to {path}: the netCDF library failed ({exc}); the disk may be "
            "full or a file-size limit reached. Free space or choose another folder "
            "(hydra.run.dir=... on the command line)."
        ) from None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier, failed write: not in use
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Delete the temporary files of writes whose process is gone; return what was removed."""
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.glob(".*.tmp"):
        match = _TEMPORARY.match(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
