"""Numbers for the prose, read from the run: myst-nb's ``glue`` without requiring myst-nb.

A chapter's discussion of its stored run writes ``{glue:text}`name:.3f``` instead of a typed
number; the book (myst-nb) pastes the value that the run glued under ``name``. A block of
markdown (the verdict box) is pasted with the ``{glue:md}`` directive. The output is
the one ``myst_nb.glue(name, value, display=False)`` writes (a display bundle under the
``application/papermill.record/`` prefix with ``scrapbook`` metadata), emitted here directly so
that a chapter also runs where myst-nb is not installed (Colab, a headless run).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["GLUE_PREFIX", "glue", "plain"]

GLUE_PREFIX = "application/papermill.record/"


def plain(value: object) -> object:
    """A value as the Python object to glue: numpy and torch scalars become floats or ints."""
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"glue takes a number or a string, got {type(value).__name__}: {value!r}")


def glue(name: str, value: object, markdown: bool = False) -> None:
    """Glue ``value`` (a number or a string) under ``name``, without showing it.

    ``markdown=True`` glues a string as MyST markdown too, for a ``{glue:md}`` directive.
    """
    from IPython.display import display

    value = plain(value)
    bundle = {GLUE_PREFIX + "text/plain": repr(value)}
    if markdown:
        bundle[GLUE_PREFIX + "text/markdown"] = str(value)
    display(bundle, raw=True, metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}})
