"""The sweep's up-front check, composing a covering subset of members instead of every member.

Before launching, Hydra 1.3.8's basic sweeper composes the configuration of *every* member
(``Sweeper.validate_batch_is_legal``), so that a bad override fails the sweep at once rather
than in a worker; the launcher's workers then compose each member again to run it. A
composition costs 0.08-0.12 s here (Hydra's defaults list, its own YAML files, deep copies and
merges), so the parent of ``+sweep=all_scenarios`` (140 members) spent 17 s composing before the
first member started.

:func:`covering_check` composes only the members needed to cover every kind of swept override
that composition can reject, a member being composed when it carries one that no member
composed before carried:

- a config group (``scenario=...``, ``+sweep=...``) or a ``hydra`` setting (typed: a wrong
  value fails): every distinct value;
- any other setting (``seed=3``, ``firms.asc_stay=1.2``): the key and the shape of the value
  (scalar, list, mapping). The model's settings are untyped for Hydra, so composition can only
  reject the key (unknown) or a change of shape; their values are checked by the model's own
  validation when the member runs (``model.config.build_config``), which a failed member reports.

A value that cannot be composed (an unknown scenario, key, launcher option) is thus still refused
before anything runs, with Hydra's own error: for a grid of 7 scenarios × 20 seeds that is 7
compositions instead of 140, for 20 seeds one instead of 20. A failure that only a
*combination* of individually valid overrides produces would surface when the worker composes
that member (the sweep then stops with the same error; members already run keep their results
and ``python -m model.sweep resume`` re-runs the rest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def _cover(override: str, is_group: Callable[[str], bool]) -> str:
    """What composing ``override`` checks: the override itself, or its key and value shape."""
    key, sep, value = override.partition("=")
    name = key.lstrip("+~")
    if not sep or name.startswith("hydra") or is_group(name):
        return override
    value = value.strip()
    shape = "list" if value.startswith("[") else "mapping" if value.startswith("{") else "scalar"
    return f"{key}=<{shape}>"


def covering_members(batch: Sequence[Sequence[str]],
                     is_group: Callable[[str], bool] = lambda name: True) -> list[int]:
    """Indices of the members to compose: each brings something to check not seen before.

    ``is_group(name)``: whether an override's key names a config group (then each value is
    checked); by default every key is treated as one (every distinct override is composed).
    """
    seen: set[str] = set()
    chosen = []
    for i, overrides in enumerate(batch):
        covers = {_cover(o, is_group) for o in overrides}
        if covers - seen or not chosen:
            chosen.append(i)
            seen |= covers
    return chosen


@contextmanager
def covering_check() -> Iterator[None]:
    """While active, Hydra's sweepers check a batch by composing :func:`covering_members`."""
    from hydra.plugins.sweeper import Sweeper

    original = Sweeper.validate_batch_is_legal

    def validate(self: Sweeper, batch: Sequence[Sequence[str]]) -> None:
        context = getattr(self, "hydra_context", None)
        loader = context.config_loader if context is not None else self.config_loader

        groups: dict[str, bool] = {}

        def is_group(name: str) -> bool:
            if name not in groups:
                try:
                    groups[name] = bool(loader.get_group_options(name))
                except Exception:  # unknown: check every value, as Hydra would
                    groups[name] = True
            return groups[name]

        original(self, [batch[i] for i in covering_members(batch, is_group)])

    Sweeper.validate_batch_is_legal = validate
    try:
        yield
    finally:
        Sweeper.validate_batch_is_legal = original
