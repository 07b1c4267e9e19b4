"""Registered and remaining resources of container instances, as a table and as a bar plot.

When the ECS agent registers an instance it reports what the machine offers (``registeredResources``:
CPU units, MEMORY MiB, reserved PORTS); every task placed on it subtracts what it reserves, and ECS
keeps the difference as ``remainingResources``. Placement only looks at what remains, so comparing
the two per instance is the quickest way to see why a task does or does not fit.

Input is what ``DescribeContainerInstances`` returns (the ``containerInstances`` entries).

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: ``DescribeContainerInstances`` accepts at most 100 instances per call.
_DESCRIBE_BATCH = 100


@dataclass(frozen=True)
class InstanceResources:
    """One container instance's CPU and memory: what it registered and what is still free."""

    ec2_instance_id: str
    instance_type: str
    status: str
    registered_cpu_units: int
    remaining_cpu_units: int
    registered_memory_mib: int
    remaining_memory_mib: int

    @property
    def reserved_cpu_units(self) -> int:
        """CPU units held by the tasks on the instance (registered minus remaining)."""
        return self.registered_cpu_units - self.remaining_cpu_units

    @property
    def reserved_memory_mib(self) -> int:
        """Memory held by the tasks on the instance (registered minus remaining)."""
        return self.registered_memory_mib - self.remaining_memory_mib

    @property
    def label(self) -> str:
        """A short name for plots and tables: the instance type and the end of the EC2 id."""
        return f"{self.instance_type}\n…{self.ec2_instance_id[-5:]}"

    def row(self) -> dict[str, Any]:
        """The record as a table row (for ``display.table``)."""
        return {
            "instance": self.ec2_instance_id,
            "type": self.instance_type,
            "status": self.status,
            "CPU registered": self.registered_cpu_units,
            "CPU remaining": self.remaining_cpu_units,
            "MiB registered": self.registered_memory_mib,
            "MiB remaining": self.remaining_memory_mib,
        }


def _integer(resources: Iterable[Mapping[str, Any]], name: str) -> int:
    for resource in resources or ():
        if resource.get("name") == name:
            return int(resource.get("integerValue") or 0)
    return 0


def _attribute(container_instance: Mapping[str, Any], name: str) -> str:
    for attribute in container_instance.get("attributes") or ():
        if attribute.get("name") == name:
            return str(attribute.get("value", ""))
    return ""


def instance_resources(
    container_instances: Iterable[Mapping[str, Any]],
) -> list[InstanceResources]:
    """CPU and memory, registered and remaining, of each ``DescribeContainerInstances`` entry.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html
    """
    records = []
    for ci in container_instances:
        registered = ci.get("registeredResources") or []
        remaining = ci.get("remainingResources") or []
        records.append(
            InstanceResources(
                ec2_instance_id=str(ci.get("ec2InstanceId", "")),
                instance_type=_attribute(ci, "ecs.instance-type") or "?",
                status=str(ci.get("status", "")),
                registered_cpu_units=_integer(registered, "CPU"),
                remaining_cpu_units=_integer(remaining, "CPU"),
                registered_memory_mib=_integer(registered, "MEMORY"),
                remaining_memory_mib=_integer(remaining, "MEMORY"),
            )
        )
    return records


def describe_cluster_instances(ecs_client: Any, cluster: str) -> list[dict]:
    """Every container instance of ``cluster`` (``DescribeContainerInstances`` entries).

    They come in the order ``ListContainerInstances`` returns them, which ECS does not tie to
    registration order.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeContainerInstances.html
    """
    arns: list[str] = []
    for page in ecs_client.get_paginator("list_container_instances").paginate(cluster=cluster):
        arns.extend(page["containerInstanceArns"])
    described: list[dict] = []
    for start in range(0, len(arns), _DESCRIBE_BATCH):
        batch = arns[start : start + _DESCRIBE_BATCH]
        response = ecs_client.describe_container_instances(
            cluster=cluster, containerInstances=batch
        )
        by_arn = {ci["containerInstanceArn"]: ci for ci in response["containerInstances"]}
        described.extend(by_arn[arn] for arn in batch if arn in by_arn)
    return described


def plot_registered_vs_remaining(
    container_instances: Sequence[Mapping[str, Any]] | Sequence[InstanceResources],
    *,
    title: str = "Registered vs remaining resources per container instance",
) -> Any:
    """Two bar panels (CPU units, memory MiB): for each instance, registered beside remaining.

    The gap between a pair of bars is what the instance's tasks reserve.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html
    """
    import numpy as np

    from ecs_workbook.plots import PALETTE, new_figure

    records = [
        item if isinstance(item, InstanceResources) else instance_resources([item])[0]
        for item in container_instances
    ]
    if not records:
        raise ValueError(
            "No container instances to plot: register some first (add_container_instances) "
            "and pass the DescribeContainerInstances entries."
        )
    fig, (ax_cpu, ax_memory) = new_figure(1, 2, figsize=(9, 3.6))
    positions = np.arange(len(records))
    width = 0.38
    panels = (
        (ax_cpu, "CPU", "CPU units (1 vCPU = 1024)", "registered_cpu_units", "remaining_cpu_units"),
        (ax_memory, "Memory", "memory (MiB)", "registered_memory_mib", "remaining_memory_mib"),
    )
    for ax, name, unit, registered_field, remaining_field in panels:
        registered = [getattr(r, registered_field) for r in records]
        remaining = [getattr(r, remaining_field) for r in records]
        ax.bar(positions - width / 2, registered, width, label="registered", color=PALETTE[5])
        ax.bar(positions + width / 2, remaining, width, label="remaining", color=PALETTE[0])
        ax.set_xticks(positions, [r.label for r in records])
        ax.set(title=name, xlabel="container instance (EC2 type)", ylabel=unit)
    handles, labels = ax_cpu.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    fig.suptitle(title)
    return fig


def describe_cluster_tasks(
    ecs_client: Any,
    cluster: str,
    *,
    service_name: str | None = None,
    desired_status: str = "RUNNING",
) -> list[dict]:
    """Every task of ``cluster`` with ``desired_status`` (``DescribeTasks`` entries), in ECS's order.

    ``service_name`` keeps only that service's tasks. ``ListTasks`` is paged and ``DescribeTasks``
    takes at most 100 tasks per call, so both are batched.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
    """
    filters = {"cluster": cluster, "desiredStatus": desired_status}
    if service_name is not None:
        filters["serviceName"] = service_name
    arns: list[str] = []
    for page in ecs_client.get_paginator("list_tasks").paginate(**filters):
        arns.extend(page["taskArns"])
    tasks: list[dict] = []
    for start in range(0, len(arns), _DESCRIBE_BATCH):
        batch = arns[start : start + _DESCRIBE_BATCH]
        tasks.extend(ecs_client.describe_tasks(cluster=cluster, tasks=batch)["tasks"])
    return tasks


def task_placements(
    ecs_client: Any, cluster: str, desired_status: str = "RUNNING"
) -> list[dict[str, Any]]:
    """One row per task of ``cluster``: where it runs and what it is, for ``display.table``.

    Columns: ``task`` (the first 8 characters of the task id), ``group`` (``family:<name>`` for
    standalone tasks, ``service:<name>`` for service tasks), ``instance`` and ``type`` (the EC2
    instance it was placed on), ``lastStatus``. Sorted by instance, then group, then task.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html
    """
    tasks = describe_cluster_tasks(ecs_client, cluster, desired_status=desired_status)
    where = {
        ci["containerInstanceArn"]: (
            ci.get("ec2InstanceId", ""),
            _attribute(ci, "ecs.instance-type"),
        )
        for ci in describe_cluster_instances(ecs_client, cluster)
    }
    rows = []
    for task in tasks:
        ec2_instance_id, instance_type = where.get(task.get("containerInstanceArn", ""), ("-", "-"))
        rows.append(
            {
                "task": task["taskArn"].rsplit("/", 1)[-1][:8],
                "group": task.get("group", ""),
                "instance": ec2_instance_id,
                "type": instance_type,
                "lastStatus": task.get("lastStatus", ""),
            }
        )
    return sorted(rows, key=lambda row: (row["instance"], row["group"], row["task"]))
