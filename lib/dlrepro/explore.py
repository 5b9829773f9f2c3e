"""The *Explore* section of a chapter: an ipywidgets control that never blocks a headless run.

Executing a notebook that opens widgets under papermill or nbval can hang: nbclient sometimes
waits forever for a reply once a widget's comm messages start flowing (jupyter/nbclient#312).
``python -m dlrepro run`` and ``make test`` therefore set ``DLREPRO_HEADLESS=1``; there
:func:`explore` draws the view once at the default values (so the rendered page still shows
it) and opens no widget. In Jupyter or Colab it returns the live control, which Jupyter shows
as the value of the cell's last line (``explore(...)`` ends its cell in every chapter). Colab
draws third-party widgets only once its custom widget manager is on; :func:`explore` turns it
on there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["headless", "explore"]


def headless() -> bool:
    """True when the notebook runs without a person in front of it (``DLREPRO_HEADLESS=1``)."""
    return os.environ.get("DLREPRO_HEADLESS", "") not in ("", "0")


def explore(view: Callable[..., None], **controls):
    """Show ``view`` with one ipywidgets control per keyword (each a widget with a ``value``).

    Headless, ``view`` is called once with every control's current value and ``None`` is
    returned; otherwise an ``ipywidgets.interactive`` is returned, not displayed: as a cell's
    last expression Jupyter displays it, and displaying it here as well drew the control and
    its figure twice. Elsewhere in a cell, pass it to ``IPython.display.display``.
    """
    if headless():
        view(**{name: control.value for name, control in controls.items()})
        return None
    import ipywidgets

    if "google.colab" in sys.modules:  # in Colab: its manager renders ipywidgets 8 controls
        from google.colab import output

        output.enable_custom_widget_manager()
    return ipywidgets.interactive(view, **controls)
