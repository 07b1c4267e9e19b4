"""A cluster at a glance: one row per container instance, or one per task, as ECS reports them.

After a few services and tasks, the question a learner asks is "what runs where, and what is left?".
:func:`instance_rows` answers it from ECS's own data (``ListContainerInstances``,
``DescribeContainerInstances``, ``ListTasks``/``DescribeTasks``, through
:func:`ecs_workbook.scheduler.read_cluster`): each instance's attributes, its
``remainingResources`` and the task groups running on it (``service:<name>`` for a service's tasks,
``family:<family>`` or your ``group`` for RunTask). Print the rows with
:func:`ecs_workbook.display.table`.

:func:`task_rows` answers the other half, "where did my service's tasks go?": one row per running
task with its Availability Zone, task definition revision and the host ports Docker bound.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-groups.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecs_workbook import resources, scheduler

#: The built-in attributes most placement questions are about.
DEFAULT_ATTRIBUTES = ("ecs.instance-type", "ecs.availability-zone")


def instance_rows(
    ecs_client: Any,
    cluster: str,
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    *,
    sort_by: str | None = "ecs.availability-zone",
) -> list[dict[str, Any]]:
    """One dict per container instance of ``cluster``: id, ``attributes``, status, free CPU/MiB, tasks.

    Attribute columns drop the ``ecs.`` prefix (``instance-type``, ``availability-zone``); an
    instance without an attribute shows ``-``. ``tasks`` lists the running task groups with their
    counts, e.g. ``"service:web ×2"``. Rows are sorted by the attribute ``sort_by`` (then by
    instance id); ``None`` keeps ECS's order.
    """
    states, _ = scheduler.read_cluster(ecs_client, cluster)
    if sort_by is not None:
        states = sorted(states, key=lambda s: (s.attributes.get(sort_by, ""), s.ec2_instance_id))
    return [_row(state, attributes) for state in states]


def _row(state: scheduler.InstanceState, attributes: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"instance": state.ec2_instance_id}
    for name in attributes:
        row[name.removeprefix("ecs.")] = state.attributes.get(name, "-")
    row["status"] = state.status
    row["free CPU"] = int(state.remaining["CPU"])
    row["free MiB"] = int(state.remaining["MEMORY"])
    groups = sorted((group, n) for group, n in state.task_groups.items() if n)
    row["tasks"] = ", ".join(f"{group} ×{n}" for group, n in groups)
    return row


def task_rows(
    ecs_client: Any, cluster: str, *, service_name: str | None = None
) -> list[dict[str, Any]]:
    """One dict per running task of ``cluster`` (or of its service ``service_name``): where and what.

    Columns: ``task`` (the first 8 characters of the task id), ``zone`` (the task's
    ``availabilityZone``), ``revision`` (of its task definition) and ``hostPort`` (the host ports of
    its containers' ``networkBindings``, comma-separated; empty for ``awsvpc`` tasks, which bind
    none). Sorted by zone, then task id.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_NetworkBinding.html
    """
    tasks = resources.describe_cluster_tasks(ecs_client, cluster, service_name=service_name)
    rows = [_task_row(task) for task in tasks]
    return sorted(rows, key=lambda row: (row["zone"], row["task"]))


def _task_row(task: dict[str, Any]) -> dict[str, Any]:
    host_ports = [
        str(binding["hostPort"])
        for container in task.get("containers", [])
        for binding in container.get("networkBindings") or []
        if "hostPort" in binding
    ]
    return {
        "task": task["taskArn"].rsplit("/", 1)[-1][:8],
        "zone": task.get("availabilityZone", "-"),
        "revision": task["taskDefinitionArn"].rsplit(":", 1)[-1],
        "hostPort": ",".join(host_ports),
    }
