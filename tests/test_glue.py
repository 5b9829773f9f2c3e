"""dlrepro.glue writes the bundle myst-nb's glue writes, so the book pastes it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlrepro.glue import GLUE_PREFIX, glue, plain


def captured(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display",
                        lambda *args, **kwargs: shown.append((args, kwargs)))
    return shown


def test_bundle_is_the_one_myst_nb_writes(monkeypatch):
    myst_glue = pytest.importorskip("myst_nb.ext.glue")
    shown = captured(monkeypatch)
    monkeypatch.setattr(myst_glue, "ipy_display", lambda *a, **k: shown.append((a, k)))
    glue("gain", np.float32(0.25))
    myst_glue.glue("gain", 0.25, display=False)
    ours, theirs = shown
    assert ours == theirs
    assert ours[0][0] == {GLUE_PREFIX + "text/plain": "0.25"}


def test_plain_values():
    assert plain(np.float64(1.5)) == 1.5 and type(plain(np.int64(3))) is int
    assert plain(torch.tensor(2.0)) == 2.0 and plain("text") == "text"
    assert plain(np.bool_(True)) is True
    with pytest.raises(TypeError):
        plain([1, 2])
