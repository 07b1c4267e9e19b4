"""CPU shares simulator: how ECS container ``cpu`` units and task-level ``cpu`` divide a host's vCPUs.

On Linux, a container definition's ``cpu`` is Docker's ``--cpu-shares``: a relative weight, not a
cap. Under contention each container gets CPU in proportion to its shares; when others are idle a
container may use the idle CPU (the Linux CFS scheduler is work-conserving). Task-level ``cpu`` is
different: it is a hard limit, enforced by the agent as a CFS quota on the task's cgroup
(``quota = task vCPU x period``, period 100 ms by default) that all the task's containers share.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (``cpu``)
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html

What this model does, per time step (a fluid approximation of CFS, cgroup v1 semantics):

1. Every task is a cgroup under the host. Its weight is, as the ECS agent sets it
   (``agent/api/task/task_linux.go``): without task-level ``cpu``, the sum of its containers'
   ``cpu`` (each counted as at least 2, capped at 262144); with task-level ``cpu``, the agent sets
   only quota and period, so the cgroup keeps the kernel's default weight of 1024 **(derived)**.
2. The host's vCPUs are water-filled over the tasks by weight: a task asking for less than its
   proportional share gets what it asks for, and what it leaves is shared out again among the
   others by weight. A task never gets more than its quota (task ``cpu`` / 1024 vCPU).
3. Inside each task, the task's CPU is water-filled the same way over its containers by their
   Docker CPU shares.

Docker CPU shares from ``cpu`` units ([API] ContainerDefinition.cpu, agent ``dockerCPUShares``):
agent 1.2.0 and later pass null, 0 and 1 as **2** shares (the kernel minimum); agent 1.1.0 and
earlier passed null/0 as 0, which Docker turned into its default of **1024** shares, and 1 became 2
in the kernel. Values above **262144** (the kernel maximum) are clamped by agent 1.84.0 and later;
older agents passed them on and the container failed to start (amazon-ecs-agent PR #4204).

Limits, stated honestly: demand is "vCPUs the container's threads would use if nothing held them
back", so a single-threaded container should never ask for more than 1.0. Real CFS shares out
time in slices, per CPU, with load balancing between CPUs; this model shares a pool of vCPUs
perfectly. The quota is applied as an average over each time step, so the 100 ms burst-then-wait
pattern of CFS throttling is not shown. On cgroup v2 hosts (Amazon Linux 2023) the runtime converts
shares to ``cpu.weight``, so ratios there are close to, not exactly, the share ratios used here.
Agents older than 1.2.0 also predate task cgroups, so for them every container competes directly
under the host and task-level ``cpu`` is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ecs_workbook.sim import _explore, _series

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: CPU units per vCPU: an instance registers vCPUs x 1024 units.
CPU_UNITS_PER_VCPU = 1024
#: Kernel limits for ``cpu.shares``.
MINIMUM_CPU_SHARES = 2
MAXIMUM_CPU_SHARES = 262144
#: Weight of a cgroup nobody set shares on (cgroup v1 ``cpu.shares`` default).
DEFAULT_CGROUP_CPU_SHARES = 1024
#: Task-level ``cpu`` range accepted for EC2 tasks by the current API (0.125 to 192 vCPU).
TASK_CPU_UNITS_RANGE = (128, 196608)
#: Default CFS period the agent uses for the task quota (``ECS_CGROUP_CPU_PERIOD``).
DEFAULT_CGROUP_CPU_PERIOD_MS = 100
#: Agent version the simulators assume unless told otherwise.
DEFAULT_AGENT_VERSION = "1.86.0"

_TOLERANCE_VCPU = 1e-9
_DEMAND = _series.SeriesWording(
    name="Demand",
    each_step="one value per time step",
    unit="vCPUs wanted per step",
    at_least="give at least one value per container",
)


class CpuSimulationError(ValueError):
    """The CPU simulation was given input that ECS would reject or that makes no sense."""


class ContainerCannotStartError(CpuSimulationError):
    """The container would fail to start on this agent (ECS reports ``CannotStartContainerError``)."""


@dataclass(frozen=True)
class CpuContainer:
    """One container as the CPU model sees it.

    ``cpu_units`` is ``containerDefinitions[*].cpu`` (None when unset); containers with the same
    ``task`` share one task cgroup, and with it the task-level ``cpu`` quota.
    """

    name: str
    cpu_units: int | None = None
    task: str = "task"


@dataclass(frozen=True, eq=False)
class CpuResult:
    """What each container asked for and got, per time step, in vCPU (1 vCPU = 1024 units).

    Arrays have one row per container (in input order) and one column per time step.
    ``throttled_vcpu`` is demand refused by the task's CFS quota; ``starved_vcpu`` is demand
    refused because other tasks/containers were busy (``contention``: total demand, after quotas,
    exceeded the host's vCPUs).
    """

    names: tuple[str, ...]
    tasks: tuple[str, ...]
    cpu_units: tuple[int | None, ...]
    cpu_shares: tuple[int, ...]
    task_cpu_units: dict[str, int | None]
    task_weights: dict[str, int]
    vcpus: float
    step_seconds: float
    agent_version: str
    demand_vcpu: np.ndarray
    usage_vcpu: np.ndarray
    throttled_vcpu: np.ndarray
    contention: np.ndarray = field(repr=False)

    @property
    def time_seconds(self) -> np.ndarray:
        """Start time of each step, in seconds."""
        return np.arange(self.demand_vcpu.shape[1]) * self.step_seconds

    @property
    def usage_cpu_units(self) -> np.ndarray:
        """Usage in CPU units (vCPU x 1024), the unit of ``containerDefinitions[*].cpu``."""
        return self.usage_vcpu * CPU_UNITS_PER_VCPU

    @property
    def starved_vcpu(self) -> np.ndarray:
        """Demand not met because of contention (not because of the task quota)."""
        return np.clip(self.demand_vcpu - self.usage_vcpu - self.throttled_vcpu, 0.0, None)

    @property
    def capacity_cpu_units(self) -> int:
        """What the instance registers with ECS: vCPUs x 1024."""
        return int(round(self.vcpus * CPU_UNITS_PER_VCPU))

    def usage_of(self, name: str) -> np.ndarray:
        """Usage over time of the container called ``name``, in vCPU."""
        return self.usage_vcpu[_series.container_index(self.names, name)]


def parse_agent_version(agent_version: str) -> tuple[int, int, int]:
    """``"1.84.0"`` or ``"v1.84.0"`` as a comparable tuple."""
    text = str(agent_version).strip().lstrip("vV")
    parts = text.split(".")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise CpuSimulationError(
            f"Agent version {agent_version!r} is not a version number; expected the form "
            f"'1.84.0' (as in the agent's introspection output)."
        ) from None
    return tuple((numbers + [0, 0, 0])[:3])  # type: ignore[return-value]


def container_cpu_shares(cpu_units: int | None, agent_version: str = DEFAULT_AGENT_VERSION) -> int:
    """Docker ``--cpu-shares`` the agent gives a container with this ``cpu`` (Linux).

    Agent >= 1.2.0: null, 0 and 1 become 2; agent <= 1.1.0: null and 0 became Docker's default
    1024, 1 became the kernel minimum 2. Above 262144, agent >= 1.84.0 clamps; older agents passed
    the value on and the container failed to start.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    units = _container_cpu_units(cpu_units)
    version = parse_agent_version(agent_version)
    if units <= 1:
        if version >= (1, 2, 0):
            return MINIMUM_CPU_SHARES
        return DEFAULT_CGROUP_CPU_SHARES if units == 0 else MINIMUM_CPU_SHARES
    if units > MAXIMUM_CPU_SHARES:
        if version >= (1, 84, 0):
            return MAXIMUM_CPU_SHARES
        raise ContainerCannotStartError(
            f"cpu={units} is above the kernel's maximum of {MAXIMUM_CPU_SHARES} CPU shares; agent "
            f"{agent_version} passes it to Docker unchanged and the container fails with "
            f"CannotStartContainerError (the maximum allowed cpu-shares is {MAXIMUM_CPU_SHARES}). "
            f"Use cpu <= {MAXIMUM_CPU_SHARES}, or agent 1.84.0 or later, which clamps it."
        )
    return units


def task_cgroup_cpu_shares(cpu_units: Sequence[int | None]) -> int:
    """Weight of a task cgroup without task-level ``cpu``: sum of container ``cpu``, each >= 2.

    The agent's implicit task CPU spec (``buildImplicitLinuxCPUSpec``), capped at 262144.
    """
    total = sum(max(_container_cpu_units(units), MINIMUM_CPU_SHARES) for units in cpu_units)
    return min(total, MAXIMUM_CPU_SHARES)


def parse_task_cpu_units(task_cpu: int | float | str | None) -> int | None:
    """Task-level ``cpu`` as CPU units: ``1024``, ``"1024"``, ``"1 vCPU"`` and ``"0.5 vcpu"`` all work.

    None, 0 and "" mean "no task-level cpu" (no quota). ECS converts vCPU strings to units at
    registration. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
    """
    if task_cpu is None or task_cpu == "" or task_cpu == 0:
        return None
    if isinstance(task_cpu, bool):
        raise CpuSimulationError(f"Task cpu {task_cpu!r} is not a number of CPU units.")
    if isinstance(task_cpu, int | float):
        units = int(task_cpu)
    else:
        text = str(task_cpu).strip().lower()
        try:
            if text.endswith("vcpu"):
                units = int(round(float(text[: -len("vcpu")].strip()) * CPU_UNITS_PER_VCPU))
            else:
                units = int(text)
        except ValueError:
            raise CpuSimulationError(
                f"Task cpu {task_cpu!r} is not understood; expected CPU units such as 1024 or "
                f"'1024', or vCPU such as '1 vCPU'."
            ) from None
    low, high = TASK_CPU_UNITS_RANGE
    if not low <= units <= high:
        raise CpuSimulationError(
            f"Task cpu {units} units is outside what ECS accepts for EC2 tasks ({low}-{high} "
            f"units, 0.125-192 vCPU). Use a value in that range, or None for no task-level limit."
        )
    return units


def task_cpu_quota_us(task_cpu_units: int, period_ms: int = DEFAULT_CGROUP_CPU_PERIOD_MS) -> int:
    """CFS quota the agent writes for a task: task vCPU x period, in microseconds.

    Example: task cpu 512 (0.5 vCPU) with the default 100 ms period -> 50000 us per 100000 us.
    """
    period_us = period_ms * 1000
    return int(task_cpu_units / CPU_UNITS_PER_VCPU * period_us)


def simulate_cpu(
    containers: Sequence[CpuContainer],
    vcpus: float,
    demand: Any,
    task_cpu_units: int | str | Mapping[str, int | str | None] | None = None,
    *,
    agent_version: str = DEFAULT_AGENT_VERSION,
    step_seconds: float = 1.0,
) -> CpuResult:
    """Share ``vcpus`` among ``containers`` at every time step, as CFS shares and quotas would.

    ``demand``: vCPUs each container wants per step, as an array (containers x steps), a list of
    sequences, or a mapping container name -> sequence. ``task_cpu_units``: task-level ``cpu`` as
    a hard cap, either one value for every task or a mapping task name -> value (None = no cap).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    containers = list(containers)
    names = _series.container_names(containers, error=CpuSimulationError, kind="CpuContainer")
    if not (isinstance(vcpus, int | float) and vcpus > 0):
        raise CpuSimulationError(f"vcpus must be a positive number of vCPUs; got {vcpus!r}.")
    if not step_seconds > 0:
        raise CpuSimulationError(f"step_seconds must be positive; got {step_seconds!r}.")

    demand_vcpu = _series.per_container_series(
        demand, names, error=CpuSimulationError, wording=_DEMAND
    )
    version = parse_agent_version(agent_version)
    shares = [container_cpu_shares(c.cpu_units, agent_version) for c in containers]
    task_names = list(dict.fromkeys(container.task for container in containers))
    caps = _series.per_task(
        task_cpu_units,
        task_names,
        parse_task_cpu_units,
        argument="task_cpu_units",
        error=CpuSimulationError,
    )

    if version < (1, 2, 0):
        if any(units is not None for units in caps.values()):
            raise CpuSimulationError(
                f"Agent {agent_version} predates task cgroups, so it cannot enforce task-level cpu. "
                f"Drop task_cpu_units, or simulate a current agent (agent_version="
                f"'{DEFAULT_AGENT_VERSION}')."
            )
        # No task cgroups: every container competes directly under the host.
        groups = [([index], shares[index], None) for index in range(len(containers))]
        task_weights = {task: 0 for task in task_names}
        for container, weight in zip(containers, shares, strict=True):
            task_weights[container.task] += weight
    else:
        groups = []
        task_weights = {}
        for task in task_names:
            members = [i for i, c in enumerate(containers) if c.task == task]
            if caps[task] is None:
                weight = task_cgroup_cpu_shares([containers[i].cpu_units for i in members])
            else:
                weight = DEFAULT_CGROUP_CPU_SHARES
            task_weights[task] = weight
            cap_vcpu = None if caps[task] is None else caps[task] / CPU_UNITS_PER_VCPU
            groups.append((members, weight, cap_vcpu))

    usage = np.zeros_like(demand_vcpu)
    throttled = np.zeros_like(demand_vcpu)
    contention = np.zeros(demand_vcpu.shape[1], dtype=bool)
    share_weights = np.asarray(shares, dtype=float)
    for step in range(demand_vcpu.shape[1]):
        wanted = demand_vcpu[:, step]
        group_demand = []
        for members, _, cap in groups:
            total = float(wanted[members].sum())
            group_demand.append(total if cap is None else min(total, cap))
            if cap is not None and total > cap + _TOLERANCE_VCPU:
                within_quota = water_fill(cap, share_weights[members], wanted[members])
                throttled[members, step] = wanted[members] - within_quota
        contention[step] = sum(group_demand) > vcpus + _TOLERANCE_VCPU
        granted = water_fill(vcpus, [weight for _, weight, _ in groups], group_demand)
        for (members, _, _), task_vcpu in zip(groups, granted, strict=True):
            usage[members, step] = water_fill(task_vcpu, share_weights[members], wanted[members])

    return CpuResult(
        names=tuple(names),
        tasks=tuple(container.task for container in containers),
        cpu_units=tuple(container.cpu_units for container in containers),
        cpu_shares=tuple(shares),
        task_cpu_units=caps,
        task_weights=task_weights,
        vcpus=float(vcpus),
        step_seconds=float(step_seconds),
        agent_version=str(agent_version),
        demand_vcpu=demand_vcpu,
        usage_vcpu=usage,
        throttled_vcpu=throttled,
        contention=contention,
    )


def water_fill(capacity: float, weights: Sequence[float], demands: Sequence[float]) -> np.ndarray:
    """Share ``capacity`` by ``weights`` without giving anyone more than its demand.

    Work-conserving proportional share: whoever wants less than its weighted share keeps just
    what it wants, and the rest is shared again among the others by weight.
    """
    weights_array = np.asarray(weights, dtype=float)
    demands_array = np.asarray(demands, dtype=float)
    granted = np.zeros_like(demands_array)
    unsatisfied = demands_array > 0
    remaining = float(capacity)
    while unsatisfied.any() and remaining > _TOLERANCE_VCPU:
        per_weight = remaining / weights_array[unsatisfied].sum()
        offer = weights_array * per_weight
        fits = unsatisfied & (demands_array - granted <= offer + _TOLERANCE_VCPU)
        if not fits.any():
            granted[unsatisfied] += offer[unsatisfied]
            break
        remaining -= float((demands_array[fits] - granted[fits]).sum())
        granted[fits] = demands_array[fits]
        unsatisfied &= ~fits
    return granted


def containers_from_task_definition(
    task_definition: Mapping[str, Any], *, task: str | None = None
) -> tuple[list[CpuContainer], int | None]:
    """The CPU model's containers and task-level cpu units from a task definition dict.

    Accepts a task definition as RegisterTaskDefinition takes it or DescribeTaskDefinition
    returns it (the ``{"taskDefinition": {...}}`` wrapper is unwrapped).
    """
    definition = _series.unwrap_task_definition(task_definition, error=CpuSimulationError)
    task_name = task or definition.get("family") or "task"
    containers = [
        CpuContainer(name=container["name"], cpu_units=container.get("cpu"), task=task_name)
        for container in definition["containerDefinitions"]
    ]
    return containers, parse_task_cpu_units(definition.get("cpu"))


def from_task_definition(
    task_definition: Mapping[str, Any],
    demand: Any,
    *,
    vcpus: float = 1,
    task_count: int = 1,
    agent_version: str = DEFAULT_AGENT_VERSION,
    step_seconds: float = 1.0,
) -> CpuResult:
    """Simulate ``task_count`` copies of a task definition on one instance of ``vcpus``.

    With one copy containers keep their names; with several they are called
    ``"<family>-<n>/<container>"``. ``demand`` may be keyed by either form (a bare container name
    applies to every copy), or be an array with a row per container of one copy (repeated for
    every copy) or per container of all copies.
    """
    if task_count < 1:
        raise CpuSimulationError(f"task_count must be at least 1; got {task_count}.")
    base, task_cpu = containers_from_task_definition(task_definition)
    family = base[0].task if base else "task"
    if task_count == 1:
        containers = base
    else:
        containers = [
            CpuContainer(name=f"{family}-{n}/{c.name}", cpu_units=c.cpu_units, task=f"{family}-{n}")
            for n in range(1, task_count + 1)
            for c in base
        ]
    names = [container.name for container in containers]
    if isinstance(demand, Mapping):
        per_container = {}
        for name in names:
            bare = name.split("/", 1)[-1]
            if name in demand:
                per_container[name] = demand[name]
            elif bare in demand:
                per_container[name] = demand[bare]
            else:
                raise CpuSimulationError(
                    f"No demand given for container {name!r}; demand keys are {list(demand)}. "
                    f"Key demand by container name (e.g. {bare!r})."
                )
        demand = per_container
    else:
        array = np.atleast_2d(np.asarray(demand, dtype=float))
        if array.shape[0] == len(base) and task_count > 1:
            array = np.tile(array, (task_count, 1))
        demand = array
    return simulate_cpu(
        containers,
        vcpus,
        demand,
        task_cpu_units=task_cpu,
        agent_version=agent_version,
        step_seconds=step_seconds,
    )


def plot_cpu(result: CpuResult, *, title: str | None = None) -> Figure:
    """Stacked CPU use per container over time, the instance's capacity, contention shaded.

    The lower panel shows demand each container did not get: refused by its task's CFS quota
    (throttled) or lost to busier neighbours under contention (starved).
    """
    from ecs_workbook import plots

    fig, (ax_use, ax_unmet) = plots.new_figure(
        2, 1, sharex=True, figsize=(9.0, 6.0), height_ratios=[3.0, 1.6]
    )
    steps = result.demand_vcpu.shape[1]
    edges = np.arange(steps + 1) * result.step_seconds
    colours = plots.PALETTE

    labels = [_container_label(result, index) for index in range(len(result.names))]
    plots.stacked_step_areas(ax_use, edges, result.usage_vcpu, labels=labels, alpha=0.85)
    ax_use.axhline(
        result.vcpus,
        color="black",
        linewidth=1.5,
        label=f"instance capacity {result.vcpus:g} vCPU = {result.capacity_cpu_units} units",
    )
    for task, units in result.task_cpu_units.items():
        if units is not None:
            ax_use.axhline(
                units / CPU_UNITS_PER_VCPU,
                color="black",
                linestyle=":",
                linewidth=1.2,
                label=f"{task}: task cpu={units} (hard cap {units / CPU_UNITS_PER_VCPU:g} vCPU)",
            )

    plots.step_line(
        ax_use,
        edges,
        result.demand_vcpu.sum(axis=0),
        color="#555555",
        linestyle="--",
        linewidth=1.0,
        label="total demand",
    )
    windows = _runs(result.contention)
    for number, (start, stop) in enumerate(windows):
        for ax in (ax_use, ax_unmet):
            ax.axvspan(
                edges[start],
                edges[stop],
                color="#D55E00",
                alpha=0.12,
                linewidth=0,
                label="contention: demand > capacity" if number == 0 and ax is ax_use else None,
            )
    if windows:
        start, stop = windows[0]
        ax_use.annotate(
            "contention: shares decide the split",
            xy=(edges[start], result.vcpus),
            xytext=(4, 6),
            textcoords="offset points",
            fontsize=8,
            color="#D55E00",
        )
    peak = max(float(result.demand_vcpu.sum(axis=0).max()), result.vcpus)
    ax_use.set_ylim(0, peak * 1.15)
    ax_use.set_ylabel("CPU used (vCPU)")
    ax_use.set_title(
        title
        or f"CPU shares on a {result.vcpus:g}-vCPU instance (agent {result.agent_version})\n"
        f"shares split the CPU under contention; idle CPU goes to whoever wants it"
    )
    plots.legend_outside(ax_use)

    starved = result.starved_vcpu
    for index, name in enumerate(result.names):
        colour = colours[index % len(colours)]
        plots.step_line(ax_unmet, edges, starved[index], color=colour, label=f"{name}: starved")
        if result.throttled_vcpu[index].any():
            plots.step_line(
                ax_unmet,
                edges,
                result.throttled_vcpu[index],
                color=colour,
                linestyle="--",
                label=f"{name}: throttled by task cpu",
            )
    if not (starved.any() or result.throttled_vcpu.any()):
        ax_unmet.text(
            0.5,
            0.5,
            "every container got all the CPU it asked for",
            transform=ax_unmet.transAxes,
            ha="center",
            va="center",
            fontsize=9,
        )
    ax_unmet.set_ylabel("unmet demand (vCPU)")
    ax_unmet.set_xlabel("time (s)")
    ax_unmet.set_title("CPU asked for but not received", fontsize=10)
    plots.legend_outside(ax_unmet)
    ax_unmet.set_xlim(edges[0], edges[-1])
    return fig


def explore_cpu_shares(
    cpu_units_a: int = 512,
    cpu_units_b: int = 1024,
    vcpus: int = 1,
    task_cpu_units_a: int = 0,
) -> Figure:
    """Two single-container tasks on one instance: A always busy, B busy from 20 s to 45 s.

    Shows the three rules at once: A uses the whole host while B is idle (work-conserving), they
    split it by ``cpu`` while both are busy, and a task-level cpu on A caps it even on an idle host.
    """
    steps = 60
    busy = np.full(steps, float(vcpus))
    window = np.zeros(steps)
    window[20:45] = float(vcpus)
    containers = [
        CpuContainer("a", cpu_units=cpu_units_a, task="task-a"),
        CpuContainer("b", cpu_units=cpu_units_b, task="task-b"),
    ]
    result = simulate_cpu(
        containers,
        vcpus,
        {"a": busy, "b": window},
        task_cpu_units={"task-a": task_cpu_units_a or None, "task-b": None},
    )
    return plot_cpu(result)


def interactive_cpu_shares() -> Any:
    """Sliders for :func:`explore_cpu_shares` in JupyterLab (a static figure elsewhere)."""
    return _explore.slider_form(
        explore_cpu_shares,
        cpu_units_a=(0, 4096, 128),
        cpu_units_b=(0, 4096, 128),
        vcpus=(1, 8, 1),
        task_cpu_units_a=(0, 4096, 128),
    )


def _container_cpu_units(cpu_units: int | None) -> int:
    if cpu_units is None:
        return 0
    if isinstance(cpu_units, bool) or not isinstance(cpu_units, int | np.integer):
        raise CpuSimulationError(
            f"Container cpu {cpu_units!r} is not a whole number of CPU units; ECS takes an integer "
            f"(1024 units = 1 vCPU), or leave it unset."
        )
    if cpu_units < 0:
        raise CpuSimulationError(f"Container cpu {cpu_units} is negative; use 0 or more units.")
    return int(cpu_units)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where ``mask`` is True."""
    runs = []
    start = None
    for index, value in enumerate(mask):
        if value and start is None:
            start = index
        elif not value and start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


def _container_label(result: CpuResult, index: int) -> str:
    units = result.cpu_units[index]
    shown = "unset" if units is None else str(units)
    return f"{result.names[index]} (cpu={shown} -> {result.cpu_shares[index]} shares)"
