"""The shared plotting helpers: what a learner sees when a simulator offers sliders."""

from __future__ import annotations

import ipywidgets

from ecs_workbook import plots


def _figure(cpu_units: int = 512):
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, cpu_units], label="cpu")
    ax.set(title="t", xlabel="time (s)", ylabel="CPU units")
    return fig


def test_interactive_returns_the_slider_form_itself_so_no_function_repr_shows_under_it(monkeypatch):
    monkeypatch.setattr(plots, "_widgets_available", lambda: True)
    form = plots.interactive(_figure, cpu_units=(0, 1024, 128, 512))
    assert isinstance(form, ipywidgets.Widget)
    assert [child.description for child in form.children[:-1]] == ["cpu_units"]
