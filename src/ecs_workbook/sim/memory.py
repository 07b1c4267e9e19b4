"""Memory simulator: ``memory`` (hard limit), ``memoryReservation`` (soft limit) and the host's RAM.

What ECS documents ([API] ContainerDefinition.memory / .memoryReservation):
- ``memory`` is Docker's ``--memory``: if the container tries to use more, it is killed (exit code
  137; ECS shows ``OutOfMemoryError: Container killed due to memory usage``).
- ``memoryReservation`` is Docker's ``--memory-reservation``: a soft limit. The container may use
  more, up to ``memory`` if set, else up to what the instance has free.
- Placement subtracts ``memoryReservation`` if it is set, otherwise ``memory``, from the instance's
  registered memory. So a task can be placed on an instance its containers can later overrun.
- Task-level ``memory`` on EC2 becomes the task cgroup's limit, shared by all its containers.
- ``essential`` containers (the default): if one stops, ECS stops every container in the task
  ("Essential container in task exited"). A ``restartPolicy`` (agent >= 1.86.0) lets ECS restart
  an exited container, essential or not, without replacing the task, but only if it had run for
  at least ``restartAttemptPeriod`` seconds (default 300) since it last started, and not for exit
  codes listed in ``ignoredExitCodes``.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-restart-policy.html

What this model does each time step, in this order:
1. Each running container asks for ``usage`` MiB, of which ``reclaimable`` MiB is page cache the
   kernel can drop (the rest is anonymous memory it cannot, as there is no swap: ECS-optimized
   AMIs ship without swap).
2. Hard limit: page cache beyond ``memory`` is dropped; if the anonymous part alone exceeds
   ``memory`` the container's cgroup OOM-kills it - "exceeded hard limit memory=N MiB". Usage
   exactly at the limit is allowed.
3. Task limit (task-level ``memory``): the same, for the task's containers together; the victim is
   the task's largest container - "exceeded task memory=N MiB".
4. Host: if the containers hold more than ``instance_memory_mib``, the kernel reclaims page cache,
   first what lies above each container's reservation (cgroup v2 ``memory.low``, which Docker sets
   from ``--memory-reservation``; 0 when unset), then the rest. If that is not enough, the kernel's
   OOM killer kills the container holding the most memory - "host out of memory" - and repeats.

Limits, stated honestly: the OOM killer does **not** look at reservations. It picks the process
with the highest ``oom_badness`` (about its resident memory plus swap and page tables, adjusted by
``oom_score_adj``), and this model scores a whole container by its memory, as if it were one
process. A container bursting above its reservation is often, but not always, the one killed.
On cgroup v1 hosts (Amazon Linux 2) the reservation is ``memory.soft_limit_in_bytes`` instead,
which only steers reclaim under host pressure and ignores containers without one; the model uses
the v2 rule. The memory the OS, the ECS agent and Docker use is not modelled: pass the memory left
for containers as ``instance_memory_mib``. Killed and restarted containers are instantaneous; a
stopped task is not replaced (a service would launch a new one: see the deployment simulator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ecs_workbook.sim import _explore, _series

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Exit code of a container killed by SIGKILL, as the OOM killer does (128 + 9).
OOM_EXIT_CODE = 137
#: What ECS shows as the container's reason after an OOM kill.
ECS_OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
#: The task's stoppedReason when an essential container stops.
ESSENTIAL_EXITED_REASON = "Essential container in task exited"
#: restartPolicy.restartAttemptPeriod default and allowed range, in seconds.
DEFAULT_RESTART_ATTEMPT_PERIOD_SECONDS = 300
RESTART_ATTEMPT_PERIOD_RANGE_SECONDS = (60, 1800)
HOST_OUT_OF_MEMORY = "host out of memory"

_TOLERANCE_MIB = 1e-9


class MemorySimulationError(ValueError):
    """The memory simulation was given input that ECS would reject or that makes no sense."""


@dataclass(frozen=True)
class MemoryContainer:
    """One container as the memory model sees it (fields as in ``containerDefinitions``).

    ``memory_mib`` is ``memory`` (hard limit), ``memory_reservation_mib`` is ``memoryReservation``
    (soft limit); ``restart_policy`` is the ECS ``restartPolicy`` dict, e.g.
    ``{"enabled": True, "restartAttemptPeriod": 60}``. Containers with the same ``task`` belong
    to one task: an essential one stopping stops them all.
    """

    name: str
    memory_mib: int | None = None
    memory_reservation_mib: int | None = None
    essential: bool = True
    task: str = "task"
    restart_policy: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def reserved_mib(self) -> int:
        """What placement subtracts from the instance: memoryReservation if set, else memory."""
        if self.memory_reservation_mib is not None:
            return int(self.memory_reservation_mib)
        return int(self.memory_mib or 0)


@dataclass(frozen=True)
class OomEvent:
    """A container killed for memory: when, why, and what ECS did next.

    ``reason`` is "exceeded hard limit memory=512 MiB", "exceeded task memory=1024 MiB" or
    "host out of memory"; ``outcome`` is "container restarted", "container stopped" or
    "task stopped".
    """

    time_seconds: float
    step: int
    container: str
    task: str
    reason: str
    attempted_usage_mib: float
    outcome: str
    exit_code: int = OOM_EXIT_CODE
    ecs_reason: str = ECS_OOM_REASON


@dataclass(frozen=True, eq=False)
class MemoryResult:
    """Memory each container asked for and held, per time step, with the OOM events.

    Arrays have one row per container (input order) and one column per step. ``usage_mib`` is 0
    while a container is not running (killed, stopped, or its task stopped).
    """

    containers: tuple[MemoryContainer, ...]
    instance_memory_mib: int
    task_memory_mib: dict[str, int | None]
    step_seconds: float
    requested_mib: np.ndarray
    usage_mib: np.ndarray
    reclaimed_mib: np.ndarray
    running: np.ndarray
    events: tuple[OomEvent, ...]
    task_stopped_at_seconds: dict[str, float]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(container.name for container in self.containers)

    @property
    def time_seconds(self) -> np.ndarray:
        """Start time of each step, in seconds."""
        return np.arange(self.usage_mib.shape[1]) * self.step_seconds

    @property
    def reserved_mib(self) -> tuple[int, ...]:
        """Placement reservation of each container (memoryReservation if set, else memory)."""
        return tuple(container.reserved_mib for container in self.containers)

    @property
    def reserved_total_mib(self) -> int:
        """What these containers take from the instance's MEMORY resource when placed."""
        return sum(self.reserved_mib)

    @property
    def placement_fits(self) -> bool:
        """Would ECS place them on this instance (reservations within instance memory)?"""
        return self.reserved_total_mib <= self.instance_memory_mib

    @property
    def host_usage_mib(self) -> np.ndarray:
        """Memory held by all containers together, per step."""
        return self.usage_mib.sum(axis=0)

    @property
    def restarts(self) -> dict[str, int]:
        """How many times ECS restarted each container under its restart policy."""
        counts = {name: 0 for name in self.names}
        for event in self.events:
            if event.outcome == "container restarted":
                counts[event.container] += 1
        return counts

    def usage_of(self, name: str) -> np.ndarray:
        """Memory held over time by the container called ``name``, in MiB."""
        return self.usage_mib[_series.container_index(self.names, name)]


def simulate_memory(
    containers: Sequence[MemoryContainer],
    instance_memory_mib: int,
    usage: Any,
    *,
    reclaimable: Any = None,
    task_memory_mib: int | Mapping[str, int | None] | None = None,
    step_seconds: float = 1.0,
    usage_clock: Literal["host", "container"] = "host",
) -> MemoryResult:
    """Run containers with soft and hard memory limits on an instance, step by step.

    ``usage``: MiB each container would hold per step (array containers x steps, list of
    sequences, or mapping name -> sequence). ``reclaimable``: the part of it that is page cache
    (same shape; default none). ``usage_clock="container"`` reads a container's usage from the time
    it (re)started, so a restarted leaky container starts small again; "host" reads it by wall
    clock. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    containers = list(containers)
    names = _series.container_names(containers, error=MemorySimulationError, kind="MemoryContainer")
    if not (isinstance(instance_memory_mib, int | float) and instance_memory_mib > 0):
        raise MemorySimulationError(
            f"instance_memory_mib must be a positive number of MiB; got {instance_memory_mib!r}."
        )
    if not step_seconds > 0:
        raise MemorySimulationError(f"step_seconds must be positive; got {step_seconds!r}.")
    if usage_clock not in ("host", "container"):
        raise MemorySimulationError(
            f"usage_clock must be 'host' or 'container'; got {usage_clock!r}."
        )
    task_names = list(dict.fromkeys(container.task for container in containers))
    task_limits = _series.per_task(
        task_memory_mib,
        task_names,
        parse_task_memory_mib,
        argument="task_memory_mib",
        error=MemorySimulationError,
    )
    for container in containers:
        _validate_container(container, task_limits[container.task])
    requested = _series.per_container_series(
        usage, names, error=MemorySimulationError, wording=_mib_series("usage")
    )
    cache = (
        np.zeros_like(requested)
        if reclaimable is None
        else _series.per_container_series(
            reclaimable, names, error=MemorySimulationError, wording=_mib_series("reclaimable")
        )
    )
    if cache.shape != requested.shape:
        raise MemorySimulationError(
            f"reclaimable must have the same shape as usage {requested.shape}; got {cache.shape}."
        )

    host = _Host(containers, requested, cache, step_seconds, usage_clock)
    for step in range(requested.shape[1]):
        host.run_step(step, task_limits, float(instance_memory_mib))

    return MemoryResult(
        containers=tuple(containers),
        instance_memory_mib=int(instance_memory_mib),
        task_memory_mib=task_limits,
        step_seconds=float(step_seconds),
        requested_mib=requested,
        usage_mib=host.held,
        reclaimed_mib=host.reclaimed,
        running=host.running_log,
        events=tuple(host.events),
        task_stopped_at_seconds=host.stopped_tasks,
    )


def containers_from_task_definition(
    task_definition: Mapping[str, Any], *, task: str | None = None
) -> tuple[list[MemoryContainer], int | None]:
    """The memory model's containers and task-level memory (MiB) from a task definition dict.

    Reads ``containerDefinitions[*].memory/memoryReservation/essential/restartPolicy`` and the
    task-level ``memory`` (``"1024"``, ``"1 GB"`` or ``1024``); a DescribeTaskDefinition response's
    ``{"taskDefinition": {...}}`` wrapper is unwrapped.
    """
    definition = _series.unwrap_task_definition(task_definition, error=MemorySimulationError)
    task_name = task or definition.get("family") or "task"
    containers = [
        MemoryContainer(
            name=c["name"],
            memory_mib=c.get("memory") or None,
            memory_reservation_mib=c.get("memoryReservation") or None,
            essential=c.get("essential", True),
            task=task_name,
            restart_policy=c.get("restartPolicy"),
        )
        for c in definition["containerDefinitions"]
    ]
    return containers, parse_task_memory_mib(definition.get("memory"))


def from_task_definition(
    task_definition: Mapping[str, Any],
    instance_memory_mib: int,
    usage: Any,
    **options: Any,
) -> MemoryResult:
    """:func:`simulate_memory` for the containers of one task definition (usage keyed by name)."""
    containers, task_memory = containers_from_task_definition(task_definition)
    return simulate_memory(
        containers, instance_memory_mib, usage, task_memory_mib=task_memory, **options
    )


def parse_task_memory_mib(task_memory: int | str | None) -> int | None:
    """Task-level ``memory`` in MiB: ``1024``, ``"1024"``, ``"1 GB"`` and ``"1GB"`` (= 1024 MiB)."""
    if task_memory is None or task_memory == "" or task_memory == 0:
        return None
    if isinstance(task_memory, int) and not isinstance(task_memory, bool):
        return task_memory
    text = str(task_memory).strip().lower().replace(" ", "")
    try:
        if text.endswith("gb"):
            return int(round(float(text[:-2]) * 1024))
        return int(text)
    except ValueError:
        raise MemorySimulationError(
            f"Task memory {task_memory!r} is not understood; expected MiB such as 1024 or '1024', "
            f"or GB such as '1 GB'."
        ) from None


def plot_memory(result: MemoryResult, *, title: str | None = None) -> Figure:
    """Per-container usage vs reservation vs hard limit, and the host's memory, OOM kills marked.

    Top: each container's usage (solid), ``memoryReservation`` (dashed) and ``memory`` (dotted).
    Bottom: memory held by all containers (stacked) against the instance's memory and against
    what placement reserved.
    """
    from ecs_workbook import plots

    fig, (ax_each, ax_host) = plots.new_figure(
        2, 1, sharex=True, figsize=(10.0, 6.5), height_ratios=[1.0, 1.0]
    )
    steps = result.usage_mib.shape[1]
    edges = np.arange(steps + 1) * result.step_seconds
    colours = plots.PALETTE

    for index, container in enumerate(result.containers):
        colour = colours[index % len(colours)]
        plots.step_line(
            ax_each,
            edges,
            result.usage_mib[index],
            color=colour,
            linewidth=1.8,
            label=f"{container.name} usage",
        )
        limits = (  # (MiB, line style, line width, parameter, soft or hard)
            (container.memory_reservation_mib, "--", 1.0, "memoryReservation", "soft"),
            (container.memory_mib, ":", 1.4, "memory", "hard"),
        )
        for limit_mib, linestyle, linewidth, parameter, kind in limits:
            if limit_mib is not None:
                ax_each.axhline(
                    limit_mib,
                    color=colour,
                    linestyle=linestyle,
                    linewidth=linewidth,
                    label=f"{container.name} {parameter}={limit_mib} MiB ({kind})",
                )

    held = [f"{container.name} held" for container in result.containers]
    plots.stacked_step_areas(ax_host, edges, result.usage_mib, labels=held, alpha=0.8)
    ax_host.axhline(
        result.instance_memory_mib,
        color="black",
        linewidth=1.5,
        label=f"instance memory {result.instance_memory_mib} MiB",
    )
    ax_host.axhline(
        result.reserved_total_mib,
        color="#555555",
        linestyle="-.",
        linewidth=1.2,
        label=f"reserved for placement {result.reserved_total_mib} MiB",
    )

    marker_colour = "#D55E00"
    for number, event in enumerate(result.events):
        index = result.names.index(event.container)
        limit = result.containers[index].memory_mib
        shown = (
            event.attempted_usage_mib if limit is None else min(event.attempted_usage_mib, limit)
        )
        ax_each.plot(
            [event.time_seconds],
            [shown],
            marker="X",
            markersize=9,
            color=marker_colour,
            linestyle="none",
            label="OOM kill" if number == 0 else None,
        )
        ax_host.axvline(
            event.time_seconds,
            color=marker_colour,
            linewidth=1.0,
            alpha=0.6,
            label="OOM kill" if number == 0 else None,
        )
        if number < 3:
            ax_each.annotate(
                f"{event.container}: {event.reason}\n-> {event.outcome}",
                xy=(event.time_seconds, shown),
                xytext=(-10, 12 + 22 * (number % 2)),
                textcoords="offset points",
                ha="right",
                fontsize=7.5,
                color=marker_colour,
                arrowprops={"arrowstyle": "-", "color": marker_colour, "linewidth": 0.8},
            )
    if len(result.events) > 3:
        ax_each.text(
            0.99,
            0.02,
            f"+{len(result.events) - 3} more OOM kills",
            transform=ax_each.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            color=marker_colour,
        )
    if not result.placement_fits:
        ax_host.text(
            0.01,
            0.97,
            f"ECS would not place this: reservations {result.reserved_total_mib} MiB > "
            f"instance {result.instance_memory_mib} MiB (RESOURCE:MEMORY)",
            transform=ax_host.transAxes,
            va="top",
            fontsize=8,
            color=marker_colour,
        )

    top_values = [float(result.usage_mib.max())]
    top_values += [float(c.memory_mib or 0) for c in result.containers]
    top_values += [float(c.memory_reservation_mib or 0) for c in result.containers]
    top_values += [event.attempted_usage_mib for event in result.events]
    ax_each.set_ylim(0, max(top_values + [1.0]) * 1.5)
    ax_host.set_ylim(
        0,
        max(
            result.instance_memory_mib,
            result.reserved_total_mib,
            float(result.host_usage_mib.max()),
        )
        * 1.2,
    )
    ax_each.set_ylabel("memory (MiB)")
    ax_each.set_title(
        title or "Container memory: usage vs memoryReservation (soft) vs memory (hard)"
    )
    ax_host.set_ylabel("memory (MiB)")
    ax_host.set_xlabel("time (s)")
    ax_host.set_title(
        "Instance: memory held by containers vs instance memory vs reserved", fontsize=10
    )
    ax_host.set_xlim(edges[0], edges[-1])
    plots.legend_outside(ax_each, fontsize=7.5)
    plots.legend_outside(ax_host, fontsize=7.5)
    return fig


def explore_memory(
    memory_mib: int = 768,
    memory_reservation_mib: int = 256,
    instance_memory_mib: int = 2048,
    leak_mib_per_minute: int = 40,
) -> Figure:
    """A leaky ``web`` task next to a steady ``worker`` task, over 30 minutes.

    ``web`` starts at 200 MiB and grows by ``leak_mib_per_minute``; it has the slider's hard and
    soft limits and a restart policy (restartAttemptPeriod 300 s). ``worker`` holds 350 MiB (100
    of it page cache) with a 256 MiB reservation and no hard limit. Lower ``instance_memory_mib``
    to see the host run out before ``web`` reaches its hard limit.
    """
    step_seconds = 30
    steps = 60
    minutes = np.arange(steps) * step_seconds / 60
    containers = [
        MemoryContainer(
            "web",
            memory_mib=memory_mib or None,
            memory_reservation_mib=memory_reservation_mib or None,
            task="web-task",
            restart_policy={"enabled": True, "restartAttemptPeriod": 300},
        ),
        MemoryContainer("worker", memory_reservation_mib=256, task="worker-task"),
    ]
    usage = {"web": 200 + leak_mib_per_minute * minutes, "worker": np.full(steps, 350.0)}
    cache = {"web": np.zeros(steps), "worker": np.full(steps, 100.0)}
    result = simulate_memory(
        containers,
        instance_memory_mib,
        usage,
        reclaimable=cache,
        step_seconds=step_seconds,
        usage_clock="container",
    )
    return plot_memory(result)


def interactive_memory() -> Any:
    """Sliders for :func:`explore_memory` in JupyterLab (a static figure elsewhere)."""
    return _explore.slider_form(
        explore_memory,
        memory_mib=(0, 2048, 64),
        memory_reservation_mib=(0, 1024, 64),
        instance_memory_mib=(512, 4096, 128),
        leak_mib_per_minute=(0, 200, 10),
    )


def _restarts_after_oom(policy: Mapping[str, Any] | None, ran_seconds: float) -> bool:
    if not policy or not policy.get("enabled"):
        return False
    if OOM_EXIT_CODE in (policy.get("ignoredExitCodes") or []):
        return False
    period = policy.get("restartAttemptPeriod") or DEFAULT_RESTART_ATTEMPT_PERIOD_SECONDS
    return ran_seconds >= period


def _reclaim(
    needed_mib: float,
    members: list[int],
    resident: np.ndarray,
    page_cache: np.ndarray,
    reservations: np.ndarray,
    reclaimed_this_step: np.ndarray,
) -> None:
    """Drop page cache: first what lies above each member's reservation, then any, proportionally."""
    for protect in (True, False):
        if needed_mib <= _TOLERANCE_MIB:
            return
        available = np.zeros_like(resident)
        for index in members:
            floor = max(
                resident[index] - page_cache[index], reservations[index] if protect else 0.0
            )
            available[index] = max(resident[index] - floor, 0.0)
        total = float(available.sum())
        if total <= _TOLERANCE_MIB:
            continue
        take = available * min(1.0, needed_mib / total)
        resident -= take
        page_cache -= take
        reclaimed_this_step += take
        needed_mib -= float(take.sum())


def _largest(members: list[int], resident: np.ndarray, running: np.ndarray) -> int:
    """The running member holding the most memory (first in input order on a tie)."""
    candidates = [index for index in members if running[index]]
    return max(candidates, key=lambda index: (resident[index], -index))


class _Host:
    """Mutable state of one simulation run: who is running, what they hold, what happened."""

    def __init__(
        self,
        containers: list[MemoryContainer],
        requested: np.ndarray,
        cache: np.ndarray,
        step_seconds: float,
        usage_clock: str,
    ) -> None:
        self.containers = containers
        self.requested = requested
        self.cache = cache
        self.step_seconds = float(step_seconds)
        self.usage_clock = usage_clock
        count, steps = requested.shape
        self.held = np.zeros_like(requested)
        self.reclaimed = np.zeros_like(requested)
        self.running_log = np.zeros((count, steps), dtype=bool)
        self.running = np.ones(count, dtype=bool)
        self.started_step = np.zeros(count, dtype=int)
        self.reservations = np.array(
            [float(c.memory_reservation_mib or 0) for c in containers], dtype=float
        )
        self.pending_restart: list[int] = []
        self.stopped_tasks: dict[str, float] = {}
        self.events: list[OomEvent] = []

    def run_step(
        self, step: int, task_limits: dict[str, int | None], instance_memory_mib: float
    ) -> None:
        containers = self.containers
        for index in self.pending_restart:
            if containers[index].task not in self.stopped_tasks:
                self.running[index] = True
                self.started_step[index] = step
        self.pending_restart = []

        rows = np.arange(len(containers))
        if self.usage_clock == "host":
            columns = np.full(len(containers), step)
        else:
            columns = step - self.started_step
        self.want = self.requested[rows, columns] * self.running
        self.page_cache = np.minimum(self.cache[rows, columns], self.want)
        self.resident = self.want.copy()
        resident = self.resident
        reclaimed = self.reclaimed[:, step]

        # Container hard limits (each container's own cgroup).
        for index, container in enumerate(containers):
            if not self.running[index] or container.memory_mib is None:
                continue
            limit = float(container.memory_mib)
            if resident[index] <= limit + _TOLERANCE_MIB:
                continue
            if resident[index] - self.page_cache[index] > limit + _TOLERANCE_MIB:
                self.kill(index, f"exceeded hard limit memory={container.memory_mib} MiB", step)
            else:
                dropped = resident[index] - limit
                reclaimed[index] += dropped
                self.page_cache[index] -= dropped
                resident[index] = limit

        # Task memory limits (the task cgroup).
        for task, limit in task_limits.items():
            if limit is None:
                continue
            members = [i for i, c in enumerate(containers) if c.task == task]
            while resident[members].sum() > limit + _TOLERANCE_MIB:
                excess = float(resident[members].sum()) - limit
                _reclaim(excess, members, resident, self.page_cache, self.reservations, reclaimed)
                if resident[members].sum() <= limit + _TOLERANCE_MIB:
                    break
                self.kill(
                    _largest(members, resident, self.running),
                    f"exceeded task memory={limit} MiB",
                    step,
                )

        # The host's memory.
        everyone = list(range(len(containers)))
        while resident.sum() > instance_memory_mib + _TOLERANCE_MIB:
            excess = float(resident.sum()) - instance_memory_mib
            _reclaim(excess, everyone, resident, self.page_cache, self.reservations, reclaimed)
            if resident.sum() <= instance_memory_mib + _TOLERANCE_MIB:
                break
            self.kill(_largest(everyone, resident, self.running), HOST_OUT_OF_MEMORY, step)

        self.held[:, step] = resident
        self.running_log[:, step] = self.running

    def kill(self, index: int, reason: str, step: int) -> None:
        """OOM-kill a container, then do what ECS does: restart it, stop it, or stop its task."""
        container = self.containers[index]
        now = step * self.step_seconds
        self._stop(index)
        ran_seconds = (step - self.started_step[index]) * self.step_seconds
        if _restarts_after_oom(container.restart_policy, ran_seconds):
            outcome = "container restarted"
            self.pending_restart.append(index)
        elif container.essential:
            outcome = "task stopped"
            self.stopped_tasks[container.task] = now
            for other, candidate in enumerate(self.containers):
                if candidate.task == container.task:
                    self._stop(other)
            self.pending_restart = [
                i for i in self.pending_restart if self.containers[i].task != container.task
            ]
        else:
            outcome = "container stopped"
        self.events.append(
            OomEvent(
                time_seconds=now,
                step=step,
                container=container.name,
                task=container.task,
                reason=reason,
                attempted_usage_mib=float(self.want[index]),
                outcome=outcome,
            )
        )

    def _stop(self, index: int) -> None:
        self.running[index] = False
        self.resident[index] = 0.0
        self.page_cache[index] = 0.0


def _validate_container(container: MemoryContainer, task_limit: int | None) -> None:
    hard, soft = container.memory_mib, container.memory_reservation_mib
    for label, value in (("memory", hard), ("memoryReservation", soft)):
        if value is not None and (isinstance(value, bool) or value <= 0):
            raise MemorySimulationError(
                f"Container {container.name!r}: {label}={value!r} must be a positive number of MiB."
            )
    if hard is None and soft is None and task_limit is None:
        raise MemorySimulationError(
            f"Invalid setting for container '{container.name}'. At least one of 'memory' or "
            f"'memoryReservation' must be specified (or set task-level memory)."
        )
    if hard is not None and soft is not None and hard < soft:
        raise MemorySimulationError(
            f"Container {container.name!r}: memory={hard} MiB is below memoryReservation={soft} "
            f"MiB; ECS requires the hard limit to be greater than the soft limit."
        )
    if task_limit is not None and hard is not None and hard > task_limit:
        raise MemorySimulationError(
            f"Container {container.name!r}: memory={hard} MiB exceeds the task's memory="
            f"{task_limit} MiB; the agent refuses such a task. Lower memory or raise task memory."
        )
    policy = container.restart_policy
    if policy and policy.get("restartAttemptPeriod") is not None:
        low, high = RESTART_ATTEMPT_PERIOD_RANGE_SECONDS
        if not low <= policy["restartAttemptPeriod"] <= high:
            raise MemorySimulationError(
                f"Container {container.name!r}: restartAttemptPeriod="
                f"{policy['restartAttemptPeriod']} s is outside ECS's {low}-{high} s."
            )


def _mib_series(name: str) -> _series.SeriesWording:
    """How error messages name ``usage`` or ``reclaimable`` (MiB per container per step)."""
    return _series.SeriesWording(
        name=name,
        each_step="MiB per time step",
        unit="MiB per step",
        at_least="give at least one value",
    )
