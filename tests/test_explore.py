"""dlrepro.explore: a widget in Jupyter, one static view when headless."""

from __future__ import annotations

import ipywidgets

from dlrepro.explore import explore, headless


def test_headless_draws_once_with_the_default_values(monkeypatch):
    monkeypatch.setenv("DLREPRO_HEADLESS", "1")
    calls = []
    slider = ipywidgets.IntSlider(value=3, min=1, max=5)
    assert headless()
    assert explore(lambda k: calls.append(k), k=slider) is None
    assert calls == [3]


def test_interactive_returns_a_live_control(monkeypatch):
    monkeypatch.delenv("DLREPRO_HEADLESS", raising=False)
    calls = []
    slider = ipywidgets.IntSlider(value=2, min=1, max=5)
    panel = explore(lambda k: calls.append(k), k=slider)
    assert not headless()
    assert isinstance(panel, ipywidgets.interactive)
    slider.value = 4  # moving the control re-runs the view with the new value
    assert calls == [2, 4]


def test_zero_means_not_headless(monkeypatch):
    monkeypatch.setenv("DLREPRO_HEADLESS", "0")
    assert not headless()
