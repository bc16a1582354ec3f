"""Import Mesa without the cost of its module loggers' stack inspection.

Mesa 3.5's ``mesa_logging`` finds a module's name with ``inspect.stack()[1]`` when a module logger
is created without one, and the name of a decorated method's class with
``inspect.getouterframes(inspect.currentframe())`` when ``method_logger`` decorates it. Both build a
``FrameInfo`` for *every* frame on the stack with its source context: each frame's source file is
located, read into ``linecache`` and its lines tokenised for positions (the slowness of
``inspect.stack`` reported as cpython#92041). Mesa does this at import, when the stack is the
whole import chain (Hydra's job, the model's modules): measured 0.13 s with warm file caches and
1.1 s with cold ones for its two calls, for four strings Mesa then uses (a module and a class name).

While Mesa is imported, :func:`import_mesa` swaps those two ``inspect`` functions for versions that
walk the frames without source context (``FrameInfo`` with ``code_context=None``), which is all
Mesa reads of them; the originals are restored before it returns. Nothing else changes: the same
logger names, the same classes. The upstream fix (for Mesa's ``mesa_logging``) is to use
``sys._getframe(1)`` there: ``f_globals["__name__"]`` for the module, ``f_code.co_name`` for the
class.
"""

from __future__ import annotations

import inspect
import sys
from types import FrameType, ModuleType


def _frames(frame: FrameType | None, context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.getouterframes`` without reading source: frame, file, line and function."""
    out = []
    while frame is not None:
        code = frame.f_code
        out.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name,
                                     None, None))
        frame = frame.f_back
    return out


def _stack(context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.stack`` without reading source."""
    return _frames(sys._getframe(1), context)


def import_mesa() -> ModuleType:
    """``import mesa``, with the module loggers' stack inspection made cheap during the import."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    saved = inspect.stack, inspect.getouterframes
    inspect.stack, inspect.getouterframes = _stack, _frames
    try:
        import mesa
    finally:
        inspect.stack, inspect.getouterframes = saved
    return mesa


mesa = import_mesa()
