"""Placement distributions drawn side by side: one panel per strategy, one bar per instance."""

from __future__ import annotations

import pytest

from ecs_workbook import plots
from ecs_workbook.placement_plots import plot_placement, tasks_per_instance

ORDER = ["1a-1", "1a-2", "1b-1"]
ZONES = {"1a-1": "us-east-1a", "1a-2": "us-east-1a", "1b-1": "us-east-1b"}
DISTRIBUTIONS = {
    "binpack memory": {"1a-1": 3, "1a-2": 0, "1b-1": 0},
    "spread instanceId": {"1a-1": 1, "1a-2": 1, "1b-1": 1},
    "spread AZ": {"1a-2": 2, "1b-1": 1},
}


def _bar_heights(ax) -> list[int]:
    by_position = {}
    for container in ax.containers:
        for patch in container.patches:
            by_position[round(patch.get_x() + patch.get_width() / 2)] = int(patch.get_height())
    return [by_position[i] for i in sorted(by_position)]


def test_placement_figure_has_titles_labels_and_a_zone_legend():
    fig = plot_placement(DISTRIBUTIONS, instance_order=ORDER, zones=ZONES)
    assert plots.figure_problems(fig) == []
    assert [text.get_text() for text in fig.legends[0].get_texts()] == ["us-east-1a", "us-east-1b"]


def test_each_strategy_gets_its_own_panel_with_one_bar_per_instance():
    fig = plot_placement(DISTRIBUTIONS, instance_order=ORDER, zones=ZONES)
    visible = [ax for ax in fig.get_axes() if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == list(DISTRIBUTIONS)
    assert _bar_heights(visible[0]) == [3, 0, 0]
    assert _bar_heights(visible[2]) == [0, 2, 1]  # an instance missing from a panel got no task


def test_panels_share_one_task_scale_so_they_compare_honestly():
    fig = plot_placement(DISTRIBUTIONS, instance_order=ORDER, zones=ZONES)
    limits = {ax.get_ylim() for ax in fig.get_axes() if ax.get_visible()}
    assert len(limits) == 1


def test_a_count_on_an_instance_outside_the_order_is_refused():
    with pytest.raises(ValueError, match="instance_order lacks"):
        plot_placement({"random": {"1c-1": 2}}, instance_order=ORDER)


def test_tasks_are_counted_per_labelled_container_instance():
    labels = {"arn:ci/a": "A", "arn:ci/b": "B", "arn:ci/c": "C"}
    tasks = [{"containerInstanceArn": arn} for arn in ("arn:ci/a", "arn:ci/c", "arn:ci/a")]
    assert tasks_per_instance(tasks, labels) == {"A": 2, "B": 0, "C": 1}


def test_a_task_on_an_unlabelled_instance_is_reported():
    with pytest.raises(ValueError, match="missing from labels"):
        tasks_per_instance([{"containerInstanceArn": "arn:ci/x"}], {"arn:ci/a": "A"})
