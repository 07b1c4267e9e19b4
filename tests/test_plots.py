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


def _rollout(desired_count: int = 4, minimum_healthy_percent: int = 50):
    return _figure(desired_count * minimum_healthy_percent)


def test_interactive_gives_every_slider_label_room_for_its_longest_keyword(monkeypatch):
    """JupyterLab cuts labels at 80 px: "minimum_healthy_percent" would read "minimum..."."""
    monkeypatch.setattr(plots, "_widgets_available", lambda: True)
    form = plots.interactive(
        _rollout, desired_count=(1, 40, 1, 4), minimum_healthy_percent=(0, 100, 5, 50)
    )
    widths = {slider.style.description_width for slider in form.children[:-1]}
    assert widths == {f"{len('minimum_healthy_percent') + 1}ch"}


def test_interactive_widens_each_slider_by_its_label_so_the_track_keeps_its_length(monkeypatch):
    monkeypatch.setattr(plots, "_widgets_available", lambda: True)
    form = plots.interactive(_rollout, minimum_healthy_percent=(0, 100, 5, 50))
    slider = form.children[0]
    assert slider.layout.width == (
        f"calc({slider.style.description_width} + {plots.SLIDER_TRACK_AND_READOUT})"
    )


def test_interactive_draws_one_static_figure_with_the_start_values_when_widgets_cannot_render(
    monkeypatch,
):
    monkeypatch.setenv("ECS_WORKBOOK_STATIC", "1")
    fig = plots.interactive(_figure, cpu_units=(0, 1024, 128, 256))
    assert fig.get_axes()[0].lines[0].get_ydata()[-1] == 256


def test_step_line_holds_the_last_steps_value_to_the_final_edge():
    """Three steps of 10 s end at 30 s: the third value is drawn from 20 s to 30 s."""
    fig, ax = plots.new_figure()
    plots.step_line(ax, [0, 10, 20, 30], [1.0, 2.0, 4.0], label="tasks")
    assert list(ax.lines[0].get_ydata()) == [1.0, 2.0, 4.0, 4.0]


def test_stacked_step_areas_draw_each_series_on_top_of_the_ones_before_it():
    fig, ax = plots.new_figure()
    plots.stacked_step_areas(
        ax, [0, 1, 2], [[100.0, 100.0], [50.0, 300.0]], labels=["web", "worker"], alpha=0.8
    )
    worker_top = ax.collections[1].get_paths()[0].vertices[:, 1].max()
    assert worker_top == 400.0


def test_legend_outside_puts_the_legend_right_of_the_axes():
    import io

    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, 1], label="a")
    ax.plot([0, 1], [1, 0], label="b")
    plots.legend_outside(ax)
    fig.savefig(io.BytesIO(), format="png")
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1
