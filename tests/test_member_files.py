"""Reading a sweep's member files ahead of collation: used only while a file is unchanged."""

from __future__ import annotations

import os

import numpy as np
import pytest

from model import member_files
from model.member_files import ReadAhead


class Counting:
    """A reader that counts its calls (and can act on the file during its first read)."""

    def __init__(self, during=None):
        self.calls = 0
        self.during = during

    def __call__(self, path):
        self.calls += 1
        text = path.read_text()
        if self.during is not None and self.calls == 1:
            self.during(path)
        return text


def _replace(path, text):
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(text)
    os.replace(tmp, path)


def test_a_file_is_read_once_per_version_and_taken_only_while_unchanged(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("one")
    reader = Counting()
    ahead = ReadAhead(lambda: [(path, reader)])
    assert ahead.read_new() == 1 and ahead.read_new() == 0 and reader.calls == 1
    assert ahead.take(path) == (True, "one")
    assert ahead.take(path) == (False, None)  # taken once, then forgotten
    # A new version (renamed into place, as the members write) is read again.
    ahead.read_new()
    _replace(path, "two!")
    assert ahead.read_new() == 1 and reader.calls == 3
    assert ahead.take(path) == (True, "two!")
    # Changed after it was read ahead: not taken, and read() calls the reader instead.
    ahead.read_new()
    _replace(path, "three")
    member_files.install(ahead)
    try:
        assert member_files.read(path, lambda p: "read now") == "read now"
    finally:
        member_files.install(None)


def test_a_file_that_changes_while_it_is_read_is_not_kept(tmp_path):
    path = tmp_path / "hydra.yaml"
    path.write_text("half")
    reader = Counting(during=lambda p: p.write_text("half, then the rest"))
    ahead = ReadAhead(lambda: [(path, reader)])
    assert ahead.read_new() == 0 and len(ahead) == 0
    assert ahead.take(path) == (False, None)
    assert ahead.read_new() == 1  # stable now: the next pass keeps the whole file
    assert ahead.take(path) == (True, "half, then the rest") and reader.calls == 2


def test_absent_and_unreadable_files_are_left_to_collation(tmp_path):
    missing, broken = tmp_path / "missing.nc", tmp_path / "broken.nc"
    broken.write_bytes(b"not netCDF")
    ahead = ReadAhead(lambda: [(missing, member_files.read_stored),
                               (broken, member_files.read_stored)])
    assert ahead.read_new() == 0 and len(ahead) == 0
    member_files.install(ahead)
    try:  # collation reads it itself and sees the error
        with pytest.raises(OSError):
            member_files.read(broken, member_files.read_stored)
    finally:
        member_files.install(None)


def test_the_budget_bounds_what_is_held(tmp_path):
    paths = [tmp_path / f"{i}.bin" for i in range(4)]
    for p in paths:
        p.write_bytes(b"x")
    ahead = ReadAhead(lambda: [(p, lambda _: np.zeros(1000)) for p in paths], budget=16_000)
    assert ahead.read_new() == 2  # 8,000 bytes each: the third would pass the budget
    assert len(ahead) == 2


def test_stored_variables_are_the_raw_values_netcdf4_reads(tmp_path):
    import netCDF4

    path = tmp_path / "r.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("year", 3)
        var = nc.createVariable("x", "f8", ("year",), zlib=True, fill_value=-1.0)
        var.units = "1"
        var[:] = [1.5, -1.0, 2.5]
        nc.createVariable("year", "i8", ("year",))[:] = [2025, 2026, 2027]
    stored = member_files.read_stored(path)
    assert set(stored) == {"x", "year"}
    np.testing.assert_array_equal(stored["x"].data, [1.5, -1.0, 2.5])  # the fill kept as stored
    assert stored["x"].fill == -1.0 and stored["x"].units == "1"
    assert stored["x"].attrs == {"units", "_FillValue"}
    assert stored["year"].data.dtype == np.int64 and stored["year"].nbytes == 24
