"""A sweep member's files, read ahead while the sweep runs so that collation finds them read.

Collating a sweep reads every member's files: three YAML files Hydra wrote (``.hydra/``) and
``results.nc``. For the 140 full-scale members of ``+sweep=all_scenarios`` that is ~0.6 s of
YAML and ~4.5 s of netCDF (opening a netCDF-4 file of 68 variables through netCDF4-python costs
~12 ms, reading them ~20 ms). The members finish one by one over minutes while the sweep's
parent only waits for its launcher, so the parent reads each member's files as they appear, in
one background thread (:class:`ReadAhead`, started by :func:`model.sweep.preload`). Collation
then takes what was read (:func:`take`) and reads itself only what is missing or has changed.

Nothing here decides a result. A file read ahead is used only while it is still the same file:
its device, inode, size and modification time (:func:`file_key`) are equal before the read,
after it and when collation takes it (a member re-run by ``resume`` writes a new file; Hydra and
the members write by renaming complete files into place). Its values are those a read at
collation gives: the same reader function, called earlier.

The thread is stopped and joined (:func:`model.sweep.stop_background`) before collating and
before the process forks a member of its own (``hydra.launcher.n_jobs=1``), so the HDF5 library
is never used from two threads and no lock is copied into a fork.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Key = tuple[int, int, int, int]
Reader = Callable[[Path], Any]

BUDGET_BYTES = 2 << 30
"""Arrays held ahead at most (2 GiB): past it, collation reads the remaining members itself."""


def file_key(path: Path) -> Key | None:
    """What identifies one version of a file (device, inode, size, mtime); None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _nbytes(value: Any) -> int:
    """Bytes of the arrays in a value read: an array, or a mapping of arrays (:func:`read_stored`).

    Anything else (a parsed YAML file) counts 0: it is small.
    """
    if isinstance(value, dict):
        return sum(int(getattr(v, "nbytes", 0)) for v in value.values())
    return int(getattr(value, "nbytes", 0))


class ReadAhead:
    """Reads the files of a sweep's members as they appear, until :meth:`stop`.

    Args:
        files: called at each pass, the files to read, each with its reader
            (``(path, reader)`` pairs); a file is read once per version.
        interval: seconds between passes.
        budget: bytes of arrays held at most.
    """

    def __init__(self, files: Callable[[], Iterable[tuple[Path, Reader]]],
                 interval: float = 0.5, budget: int = BUDGET_BYTES) -> None:
        self._files = files
        self._interval = interval
        self._budget = budget
        self._held = 0
        self._read: dict[Path, tuple[Key, Any]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run(self) -> None:
        """Pass over the files until stopped (the body of the background thread)."""
        while not self._stop.is_set():
            self.read_new()
            self._stop.wait(self._interval)

    def read_new(self) -> int:
        """One pass: read every file not yet read in its current version; how many were read."""
        count = 0
        try:
            files = list(self._files())
        except OSError:  # the folder is being changed: the next pass sees it
            return 0
        for path, reader in files:
            if self._stop.is_set() or self._held >= self._budget:
                break
            key = file_key(path)
            with self._lock:
                held = self._read.get(path)
            if key is None or (held is not None and held[0] == key):
                continue
            try:
                value = reader(path)
            except Exception:  # collation reads it again and reports what is wrong
                continue
            if file_key(path) != key:
                continue  # replaced while it was read: read again at the next pass
            with self._lock:
                self._read[path] = (key, value)
            self._held += _nbytes(value)
            count += 1
        return count

    def stop(self) -> None:
        """Ask the passes to end (the caller joins the thread)."""
        self._stop.set()

    def take(self, path: Path) -> tuple[bool, Any]:
        """``(True, value)`` if the file was read ahead and is unchanged since (then forgotten)."""
        with self._lock:
            held = self._read.pop(Path(path), None)
        if held is None or file_key(Path(path)) != held[0]:
            return False, None
        return True, held[1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._read)


_ACTIVE: ReadAhead | None = None


def install(read_ahead: ReadAhead | None) -> None:
    """Make ``read_ahead`` the one :func:`read` takes from (None: read every file at use)."""
    global _ACTIVE
    _ACTIVE = read_ahead


def read(path: Path, reader: Reader) -> Any:
    """``reader(path)``, or its value read ahead when the file has not changed since."""
    if _ACTIVE is not None:
        found, value = _ACTIVE.take(path)
        if found:
            return value
    return reader(path)


@dataclass(frozen=True, slots=True)
class Stored:
    """A netCDF variable as stored: its raw array and what says how to decode it."""

    data: Any
    attrs: frozenset[str]
    units: str
    fill: Any

    @property
    def nbytes(self) -> int:
        """Bytes of the array (what the read-ahead's budget counts)."""
        return int(self.data.nbytes)


def read_stored(path: Path) -> dict[str, Stored]:
    """Every variable of a netCDF file as stored (no masking, scaling or character joining).

    Raises:
        OSError, RuntimeError, ...: whatever netCDF4 raises for a missing or unreadable file.
    """
    import netCDF4

    with netCDF4.Dataset(path) as nc:
        nc.set_auto_maskandscale(False)
        nc.set_auto_chartostring(False)
        return {name: Stored(var[...], frozenset(var.ncattrs()),
                             str(getattr(var, "units", "")), getattr(var, "_FillValue", None))
                for name, var in nc.variables.items()}
