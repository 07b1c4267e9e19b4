"""Where ECS put the tasks: one panel per placement strategy, tasks per container instance.

Placement strategies are easiest to compare side by side: the same workload, run on identical
clusters, lands very differently under binpack, spread and random. :func:`plot_placement` draws
those distributions (counted from real ``RunTask`` responses) with one bar per container instance,
coloured by Availability Zone, so "packed onto one host" and "balanced across zones" are visible at
a glance.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/strategy-examples.html
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def tasks_per_instance(
    tasks: Iterable[Mapping[str, Any]], labels: Mapping[str, str]
) -> dict[str, int]:
    """Count ``RunTask``/``DescribeTasks`` task dicts per container instance, by readable label.

    ``labels`` maps container-instance ARN to the name to show (e.g. ``"1a-1"``); every labelled
    instance appears in the result, with 0 when no task landed on it.
    """
    placed = Counter(task.get("containerInstanceArn", "") for task in tasks)
    unknown = set(placed) - set(labels)
    if unknown:
        raise ValueError(
            f"{len(unknown)} task(s) ran on container instances missing from labels, e.g. "
            f"{sorted(unknown)[0]!r}. Label every instance of the cluster (ARN -> name)."
        )
    return {label: placed.get(arn, 0) for arn, label in labels.items()}


def plot_placement(
    distributions: Mapping[str, Mapping[str, int]],
    *,
    instance_order: Sequence[str] | None = None,
    zones: Mapping[str, str] | None = None,
    title: str | None = None,
    ncols: int = 3,
) -> Figure:
    """Side-by-side bar charts: tasks per container instance under each placement strategy.

    ``distributions`` maps a panel name (say ``"binpack memory"``) to ``{instance label: tasks}``;
    ``instance_order`` fixes the bar order (default: labels in first-seen order), ``zones`` maps an
    instance label to its Availability Zone, which colours the bars (one legend for the figure).
    Every panel shares the same y scale so the panels compare honestly.
    """
    from ecs_workbook import plots

    if not distributions:
        raise ValueError("distributions is empty: give at least one {strategy: {instance: tasks}}.")
    order = list(instance_order or _labels_in_order(distributions.values()))
    for name, counts in distributions.items():
        extra = set(counts) - set(order)
        if extra:
            raise ValueError(
                f"panel {name!r} counts tasks on {sorted(extra)}, which instance_order lacks; "
                "list every instance label in instance_order."
            )
        if any(int(n) < 0 for n in counts.values()):
            raise ValueError(f"panel {name!r} has a negative task count; counts are tasks placed.")
    zones = dict(zones or {})
    zone_names = sorted({zones.get(label, "unknown AZ") for label in order})
    colours = {
        zone: plots.PALETTE[index % len(plots.PALETTE)] for index, zone in enumerate(zone_names)
    }
    panels = len(distributions)
    columns = max(1, min(ncols, panels))
    rows = math.ceil(panels / columns)
    width_inches = max(3.2 * columns + 0.8, 6.5)
    fig, axes = plots.new_figure(rows, columns, figsize=(width_inches, 2.6 * rows + 0.6))
    axes_list = list(getattr(axes, "flat", [axes]))
    highest = max((int(n) for counts in distributions.values() for n in counts.values()), default=0)
    for ax, (name, counts) in zip(axes_list, distributions.items(), strict=False):
        heights = [int(counts.get(label, 0)) for label in order]
        for zone in zone_names:
            positions = [
                i for i, label in enumerate(order) if zones.get(label, "unknown AZ") == zone
            ]
            ax.bar(
                positions,
                [heights[i] for i in positions],
                color=colours[zone],
                label=zone,
                width=0.7,
            )
        for position, height in enumerate(heights):
            ax.annotate(
                str(height),
                (position, height),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        ax.set_xticks(range(len(order)), order, fontsize=8)
        ax.set_ylim(0, highest * 1.2 + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set(title=name, xlabel="container instance", ylabel="tasks placed (count)")
    for ax in axes_list[panels:]:
        ax.set_visible(False)
    handles, names = axes_list[0].get_legend_handles_labels()
    fig.legend(handles, names, title="Availability Zone", loc="outside right upper", fontsize=8)
    total = sum(int(n) for n in next(iter(distributions.values())).values())
    fig.suptitle(title or f"The same {total} tasks under each placement strategy")
    return fig


def _labels_in_order(distributions: Iterable[Mapping[str, int]]) -> list[str]:
    seen: dict[str, None] = {}
    for counts in distributions:
        for label in counts:
            seen.setdefault(label, None)
    return list(seen)
