"""Figures of a :class:`~.results.ScalingResult`: every series on one time axis, and the
over-subscription view. matplotlib is imported only inside the plot functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .cloudwatch import OPERATOR_SYMBOL
from .errors import AutoScalingConfigError
from .results import ScalingEvent, ScalingResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_EVENT_STYLE = {
    # kind: (panel, marker, palette index, label)
    "alarm": ("reservation", "v", 3, "alarm"),
    "scale_out": ("tasks", "^", 4, "desiredCount up"),
    "scale_in": ("tasks", "v", 4, "desiredCount down"),
    "instance_launched": ("instances", "^", 2, "instance launched"),
    "instance_ready": ("instances", "s", 0, "instance registered"),
    "instance_warmed_up": ("instances", "D", 5, "warm-up over"),
    "instance_terminated": ("instances", "x", 3, "instance terminated"),
    "task_pending": ("tasks", "o", 0, "task placed (PENDING)"),
    "task_provisioning": ("tasks", "P", 1, "task PROVISIONING"),
    "task_started": ("tasks", "*", 2, "task RUNNING"),
    "task_failed": ("tasks", "X", 3, "task failed"),
    "task_stopped": ("tasks", "x", 7, "task stopped"),
    "task_incompatible": ("tasks", "X", 7, "task too big"),
    "service_unable_to_place": ("tasks", "d", 1, "service cannot place"),
    "scale_out_blocked": ("instances", "|", 7, "scale-out blocked"),
}
#: Events worth a text label (when there are few of them); the rest get markers only.
_LABELLED_EVENTS = {
    "alarm", "instance_launched", "instance_ready", "instance_warmed_up", "instance_terminated",
    "task_failed", "task_provisioning", "task_incompatible", "task_stopped", "scale_out_blocked",
}  # fmt: skip
_LABEL_AT_MOST = 12
_SCALING_TITLES = {
    "service": "Service Auto Scaling (target tracking)",
    "fixed": "Fixed-size cluster (no scaling)",
    "alarm": "Cluster scaled by a MemoryReservation alarm",
    "capacity_provider": "Capacity provider with managed scaling",
}


def _time_axis(result: ScalingResult) -> tuple[float, str]:
    """Minutes for runs up to 6 hours, hours beyond."""
    span = len(result.times_seconds) * result.step_seconds
    return (60.0, "time (minutes)") if span <= 6 * 3600 else (3600.0, "time (hours)")


def _default_title(result: ScalingResult) -> str:
    failed = result.summary()["failed_tasks"]
    return _SCALING_TITLES[result.mode] + (f", {failed} task(s) failed" if failed else "")


def _steps(ax: Axes, x: np.ndarray, y: np.ndarray, colour: str, label: str, **style: Any) -> None:
    ax.step(x, y, where="post", color=colour, linewidth=style.pop("linewidth", 1.2), label=label,
            **style)  # fmt: skip


def _level(ax: Axes, value: float, colour: str, label: str, linestyle: str = "--") -> None:
    ax.axhline(value, color=colour, linestyle=linestyle, linewidth=1, label=label)


def plot_scaling(result: ScalingResult, *, title: str | None = None) -> Figure:
    """Load, service metric, tasks, instances and reservation over time, on one shared time axis.

    Target and threshold lines are drawn where they apply. Events are marked on their panel
    (alarms on the metric they watch, instance launched / registered on the instance panel, task
    pending / started / failed on the task panel) and labelled when there are few of them.
    """
    from matplotlib.ticker import MaxNLocator

    from ecs_workbook import plots

    colour = plots.PALETTE
    settings = result.settings
    has_service = "target_value" in settings
    panels = (["load", "metric"] if has_service else []) + ["tasks"]
    if result.mode != "service":
        panels += ["instances", "reservation"]
    fig, axes = plots.new_figure(len(panels), 1, sharex=True,
                                 figsize=(10.0, 1.8 * len(panels) + 0.9))  # fmt: skip
    axes = list(np.atleast_1d(axes))
    panel = dict(zip(panels, axes, strict=True))
    scale, xlabel = _time_axis(result)
    x = result.times_seconds / scale

    if has_service:
        cpu = settings["metric_type"] == "ECSServiceAverageCPUUtilization"
        ax = panel["load"]
        ax.plot(x, result.load / 1024.0 if cpu else result.load, color=colour[7], linewidth=1,
                label="demand")  # fmt: skip
        ax.set_ylabel("vCPU busy" if cpu else "demand")
        ax.set_title("Load on the service")
        ax = panel["metric"]
        ax.plot(x, result.service_metric, color=colour[0], linewidth=1,
                label=settings["metric_label"])  # fmt: skip
        _level(ax, settings["target_value"], colour[3], f"TargetValue {settings['target_value']:g}")
        _level(ax, settings["scale_in_threshold"], colour[2],
               f"scale-in below {settings['scale_in_threshold']:g}", ":")  # fmt: skip
        ax.set_ylabel(settings["metric_label"].split(" (")[-1].rstrip(")"))
        ax.set_title(f"Service metric: {settings['metric_label']}")

    ax = panel["tasks"]
    if has_service:
        _steps(ax, x, result.desired_tasks, colour[4], "desiredCount", linewidth=2.4, alpha=0.45)
    _steps(ax, x, result.running_tasks, colour[0], "RUNNING")
    if result.waiting_tasks.any():
        waiting = "PROVISIONING" if result.mode == "capacity_provider" else "waiting for room"
        _steps(ax, x, result.waiting_tasks, colour[1], waiting)
    if result.failed_tasks.any():
        _steps(ax, x, result.failed_tasks, colour[3], "failed (cumulative)")
    ax.set_ylabel("tasks (count)")
    ax.set_title("Tasks")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    if result.mode != "service":
        ax = panel["instances"]
        _steps(ax, x, result.instances, colour[2], "in the Auto Scaling group")
        _steps(ax, x, result.registered_instances, colour[0], "registered (ACTIVE)", linestyle="--")
        ax.set_ylim(0, int(result.instances.max(initial=0)) + 1.5)
        ax.set_ylabel("instances (count)")
        ax.set_title("Container instances")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax = panel["reservation"]
        if result.mode == "capacity_provider":
            _steps(ax, x, result.capacity_provider_reservation, colour[0],
                   "CapacityProviderReservation")  # fmt: skip
            target = settings["target_capacity_percent"]
            _level(ax, target, colour[3], f"targetCapacity {target}")
            ax.set_title("CapacityProviderReservation = M / N × 100")
        else:
            _steps(ax, x, result.memory_reservation_percent, colour[0], "MemoryReservation")
            if "memory_alarm_percent" in settings:
                symbol = OPERATOR_SYMBOL[settings["comparison_operator"]]
                high = settings["memory_alarm_percent"]
                _level(ax, high, colour[3], f"scale-out alarm {symbol} {high:g}%")
                low = settings.get("memory_low_alarm_percent")
                if low is not None:
                    _level(ax, low, colour[2], f"scale-in alarm < {low:g}%", ":")
            ax.set_title("Cluster MemoryReservation")
        ax.set_ylabel("percent (%)")

    _mark_events(result, panel, scale, colour)
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            plots.legend_outside(ax, fontsize=7, borderaxespad=0)
    axes[-1].set_xlabel(xlabel)
    axes[-1].set_xlim(0, len(x) * result.step_seconds / scale)
    fig.suptitle(title or _default_title(result))
    return fig


def _mark_events(result: ScalingResult, panel: dict[str, Axes], scale: float,
                 palette: list[str]) -> None:  # fmt: skip
    """Markers along the top of each event's panel; text labels for the key events when few."""
    groups: dict[str, list[ScalingEvent]] = {}
    for event in result.events:
        name = _EVENT_STYLE[event.kind][0]
        if event.kind == "alarm" and event.source == "service":
            name = "metric"  # target-tracking alarms watch the service's metric
        if name in panel:
            groups.setdefault((event.kind, name), []).append(event)
    labelled = [
        e for (kind, _), events in groups.items() if kind in _LABELLED_EVENTS for e in events
    ]
    label = len(labelled) <= _LABEL_AT_MOST
    row = dict.fromkeys(panel, 0)  # stagger labels within a panel so neighbours don't overlap
    for (kind, name), events in groups.items():
        _, marker, colour_index, text = _EVENT_STYLE[kind]
        ax = panel[name]
        colour = palette[colour_index]
        xs = [event.time_seconds / scale for event in events]
        ax.scatter(xs, [1.0] * len(xs), transform=ax.get_xaxis_transform(), marker=marker, s=30,
                   color=colour, zorder=5, clip_on=False, label=text)  # fmt: skip
        if not (label and kind in _LABELLED_EVENTS):
            continue
        for event in events:
            slot, row[name] = row[name], row[name] + 1
            ax.axvline(event.time_seconds / scale, color=colour, linewidth=0.8, linestyle=":")
            ax.annotate(text, xy=(event.time_seconds / scale, 0.88 - 0.15 * (slot % 4)),
                        xycoords=ax.get_xaxis_transform(), xytext=(3, 0),
                        textcoords="offset points", fontsize=7, color=colour, va="top")  # fmt: skip


def plot_oversubscription(result: ScalingResult, *, title: str | None = None) -> Figure:
    """Tasks placed vs waiting for room over time, and the memory that decides it.

    Top: tasks holding resources on an instance vs tasks no instance can take yet (PROVISIONING
    with a capacity provider) and cumulative RunTask failures. Bottom: memory registered vs
    reserved, and the largest free block on any one instance: a task fits only if it fits on *one*
    instance, however much the cluster has free in total.
    """
    from ecs_workbook import plots

    if result.mode == "service":
        raise AutoScalingConfigError(
            "This result has no cluster (simulate_service_scaling places tasks anywhere); use "
            "simulate_cluster_alarm_scaling or simulate_capacity_provider for this view."
        )
    colour = plots.PALETTE
    fig, (top, bottom) = plots.new_figure(2, 1, sharex=True, figsize=(10.0, 5.6))
    scale, xlabel = _time_axis(result)
    x = result.times_seconds / scale
    waiting = ("PROVISIONING (waiting for capacity)" if result.mode == "capacity_provider"
               else "waiting for room (service tasks)")  # fmt: skip
    top.stackplot(x, result.placed_tasks, result.waiting_tasks, step="post", alpha=0.8,
                  colors=[colour[0], colour[1]],
                  labels=["placed on an instance (PENDING + RUNNING)", waiting])  # fmt: skip
    _steps(top, x, result.failed_tasks, colour[3], "failed: RESOURCE:* (cumulative)", linewidth=1.6)
    top.set_ylabel("tasks (count)")
    top.set_title("Tasks placed vs waiting")

    _steps(bottom, x, result.registered_memory_mib, colour[2], "registered")
    _steps(bottom, x, result.reserved_memory_mib, colour[0], "reserved by tasks")
    _steps(bottom, x, result.largest_free_memory_mib, colour[1],
           "largest free on one instance", linestyle="--")  # fmt: skip
    for event in result.events_of("task_failed") + result.events_of("task_provisioning"):
        bottom.axvline(event.time_seconds / scale, color=colour[3], linestyle=":", linewidth=1)
    bottom.set_ylabel("memory (MiB)")
    bottom.set_title("Cluster memory")
    bottom.set_xlabel(xlabel)
    bottom.set_xlim(0, len(x) * result.step_seconds / scale)
    for ax in (top, bottom):
        plots.legend_outside(ax, fontsize=7, borderaxespad=0)
    fig.suptitle(title or f"Over-subscription: {_default_title(result)}")
    return fig
