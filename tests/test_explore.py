"""dlrepro.explore: a widget in Jupyter, one static view when headless."""

from __future__ import annotations

import sys
import types

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


def test_in_colab_the_custom_widget_manager_is_turned_on(monkeypatch):
    """Colab draws ipywidgets 8 controls only with its custom widget manager (a stand-in
    ``google.colab`` records the call); outside Colab nothing of the kind is imported."""
    monkeypatch.delenv("DLREPRO_HEADLESS", raising=False)
    slider = ipywidgets.IntSlider(value=2, min=1, max=5)
    explore(lambda k: None, k=slider)
    assert "google.colab" not in sys.modules
    calls = []
    output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append("on"))
    colab = types.ModuleType("google.colab")
    colab.output = output
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    assert isinstance(explore(lambda k: None, k=slider), ipywidgets.interactive)
    assert calls == ["on"]
