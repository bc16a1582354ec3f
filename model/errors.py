"""Errors that are the user's to fix: each carries what is wrong, where, and what is allowed.

The command line prints them as one paragraph and exits with status 2; anything else that escapes
a run is an internal error (status 1).
"""

from __future__ import annotations


class UserError(Exception):
    """A problem in the user's input (configuration, region data, output folder)."""

    exit_code = 2


class ConfigError(UserError):
    """Invalid configuration: unknown keys, wrong types, out-of-range values."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(
            f"Invalid configuration ({source}), {n} problem{'s' if n != 1 else ''}:\n{lines}"
        )


class RegionError(UserError):
    """Invalid region data: every problem with its file, line and column."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = list(problems)
        shown = self.problems[:50]
        lines = "\n".join(f"  - {p}" for p in shown)
        more = len(self.problems) - len(shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        n = len(self.problems)
        super().__init__(
            f"Invalid region data in {path}, {n} problem{'s' if n != 1 else ''}:\n{lines}{tail}\n"
            "The table layout is described in docs/region-data.md."
        )


class OutputError(UserError):
    """The results cannot be written where asked."""


class ResultsContractError(Exception):
    """A run's results break the results contract or an accounting identity: a bug in the model.

    Not a :class:`UserError`: the command line reports it as an internal error (exit status 1,
    the problems in the crash log) and nothing is written.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = "; ".join(self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"the results break the results contract: {shown}{more}")
