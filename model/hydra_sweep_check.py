"""The sweep's up-front check, composing a covering subset of members instead of every member.

Before launching, Hydra 1.3.8's basic sweeper composes the configuration of *every* member
(``Sweeper.validate_batch_is_legal``), so that a bad override fails the sweep at once rather
than in a worker; the launcher's workers then compose each member again to run it. A
composition costs ~0.12 s here (Hydra deep-copies the model's schema of ~1,300 settings), so
the parent of ``+sweep=all_scenarios`` (140 members) spent 17 s composing before the first
member started.

:func:`covering_check` composes only the members needed to cover every distinct swept value:
a member is composed when it carries an override (``key=value``) that no member composed
before carried. A value that cannot be composed (an unknown scenario, key or type) is thus
still refused before anything runs, with Hydra's own error; for a grid of 7 scenarios × 20
seeds that is 26 compositions instead of 140. A failure that only a *combination* of
individually valid values produces would surface when the worker composes that member (the
sweep then stops with the same error; members already run keep their results and
``python -m model.sweep resume`` re-runs the rest).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def covering_members(batch: Sequence[Sequence[str]]) -> list[int]:
    """Indices of the members to compose: each brings an override not seen in earlier ones."""
    seen: set[str] = set()
    chosen = []
    for i, overrides in enumerate(batch):
        new = set(overrides) - seen
        if new or not chosen:
            chosen.append(i)
            seen |= set(overrides)
    return chosen


@contextmanager
def covering_check() -> Iterator[None]:
    """While active, Hydra's sweepers check a batch by composing :func:`covering_members`."""
    from hydra.plugins.sweeper import Sweeper

    original = Sweeper.validate_batch_is_legal

    def validate(self: Sweeper, batch: Sequence[Sequence[str]]) -> None:
        original(self, [batch[i] for i in covering_members(batch)])

    Sweeper.validate_batch_is_legal = validate
    try:
        yield
    finally:
        Sweeper.validate_batch_is_legal = original
