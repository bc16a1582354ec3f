"""The README as a test: its runnable examples run, so it cannot drift from the code.

A fenced block preceded by the line ``<!-- readme: run -->`` is runnable:

- a ``python`` block is executed as a script (every ``python`` block must be marked);
- in a ``bash`` block, every line starting with ``python -m`` is run as a command, in order, in
  one temporary working folder (a later line may read what an earlier one wrote). Commands of
  ``python -m model`` get reduced-scale overrides (:data:`REDUCED`) for the keys they do not set
  themselves; ``/path/to/region`` stands for a copy of the embedded region and ``/some/folder``
  for a temporary folder. Every such line must exit 0.

Each block is one test, named after its first line in the README.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, copy_region

README = REPO_ROOT / "README.md"
MARK = "<!-- readme: run -->"
REDUCED = {"run.agent_scale": "0.05", "run.end_year": "2026", "run.progress": "false"}
"""Overrides that make a README command fast (added only for keys the command does not set)."""


def blocks(text: str) -> list[tuple[int, str, str, bool]]:
    """Fenced blocks of a Markdown text: (first line number, language, body, marked runnable)."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = re.match(r"^```(\w*)\s*$", lines[i])
        if not match:
            i += 1
            continue
        start, lang = i + 1, match.group(1)
        marked = i > 0 and lines[i - 1].strip() == MARK
        j = start
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        out.append((start + 1, lang, "\n".join(lines[start:j]), marked))
        i = j + 1
    return out


def examples() -> list:
    cases = []
    for line_no, lang, body, marked in blocks(README.read_text(encoding="utf-8")):
        if not marked:
            continue
        if lang == "python":
            cases.append(pytest.param("python", body, id=f"README:{line_no}-python"))
        elif lang == "bash":
            commands = [line for line in body.splitlines() if line.startswith("python -m ")]
            cases.append(pytest.param("commands", commands, id=f"README:{line_no}-bash"))
    return cases


def test_every_python_block_is_marked_runnable_and_there_are_examples():
    parsed = blocks(README.read_text(encoding="utf-8"))
    unmarked = [n for n, lang, _, marked in parsed if lang == "python" and not marked]
    assert not unmarked, f"README python blocks at lines {unmarked} are not marked {MARK}"
    assert len(examples()) >= 4


def _command(line: str, tmp: Path) -> list[str]:
    args = shlex.split(line, comments=True)
    args = [a.replace("/path/to/region", str(tmp / "region")).replace("/some/folder",
                                                                       str(tmp / "out"))
            for a in args]
    if args[:3] == ["python", "-m", "model"] and not ({"--help", "--cfg"} & set(args)):
        keys = {a.split("=", 1)[0].lstrip("+~") for a in args[3:] if "=" in a}
        args += [f"{k}={v}" for k, v in REDUCED.items() if k not in keys]
        if not any(a.startswith("hydra.run.dir=") for a in args):
            args.append(f"hydra.run.dir={tmp / 'run'}")
    return [sys.executable, *args[1:]]


@pytest.mark.parametrize(("kind", "code"), examples())
def test_readme_example_runs(kind, code, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")}
    env.update(CI="true", MPLBACKEND="Agg")
    copy_region(tmp_path / "region")
    if kind == "python":
        script = tmp_path / "example.py"
        script.write_text(code, encoding="utf-8")
        runs = [(code, [sys.executable, str(script)])]
    else:
        runs = [(line, _command(line, tmp_path)) for line in code]
    for text, command in runs:
        proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, (f"{text}\n--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n"
                                      f"{proc.stderr[-2000:]}")
        assert "Traceback" not in proc.stderr, text
