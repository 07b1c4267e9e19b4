"""A container instance's remaining CPU, memory and ports, as tasks reserve and free them.

They live in moto's own ``remainingResources`` list (so ``DescribeContainerInstances`` shows them);
``instance_states`` hands them to ``ecs_workbook.scheduler`` with a tie-breaker that repeats.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ecs_workbook import scheduler
from ecs_workbook.engine.clusters import cluster_tasks, is_running


def ecs_resource(name: str, value: Any) -> dict[str, Any]:
    """One entry of ECS's ``registeredResources``/``remainingResources`` list."""
    entry: dict[str, Any] = {"doubleValue": 0.0, "longValue": 0, "name": name}
    if name.startswith("PORTS"):
        entry.update(integerValue=0, type="STRINGSET", stringSetValue=[str(p) for p in value or ()])
    else:
        entry.update(integerValue=int(value), type="INTEGER")
    return entry


def _resource_entry(resources: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for resource in resources:
        if resource.get("name") == name:
            return resource
    kind = "STRINGSET" if name.startswith("PORTS") else "INTEGER"
    entry: dict[str, Any] = {
        "doubleValue": 0.0,
        "integerValue": 0,
        "longValue": 0,
        "name": name,
        "type": kind,
    }
    if kind == "STRINGSET":
        entry["stringSetValue"] = []
    resources.append(entry)
    return entry


def remaining_on(ci: Any) -> dict[str, Any]:
    """What the container instance has left, in the scheduler's shape (ports as sets)."""
    resources = ci.remaining_resources
    return {
        "CPU": int(_resource_entry(resources, "CPU").get("integerValue") or 0),
        "MEMORY": int(_resource_entry(resources, "MEMORY").get("integerValue") or 0),
        "PORTS": {int(p) for p in _resource_entry(resources, "PORTS").get("stringSetValue", [])},
        "PORTS_UDP": {
            int(p) for p in _resource_entry(resources, "PORTS_UDP").get("stringSetValue", [])
        },
    }


def reserve(ci: Any, need: Mapping[str, Any]) -> None:
    """Take a task's CPU, memory and ports from the instance's remaining resources."""
    resources = ci.remaining_resources
    _resource_entry(resources, "CPU")["integerValue"] -= int(need.get("CPU") or 0)
    _resource_entry(resources, "MEMORY")["integerValue"] -= int(need.get("MEMORY") or 0)
    for name in ("PORTS", "PORTS_UDP"):
        held = _resource_entry(resources, name)["stringSetValue"]
        held.extend(str(p) for p in need.get(name) or ())
    ci.running_tasks_count += 1


def unreserve(ci: Any, need: Mapping[str, Any]) -> None:
    """Give a task's CPU, memory and ports back to the instance's remaining resources."""
    resources = ci.remaining_resources
    _resource_entry(resources, "CPU")["integerValue"] += int(need.get("CPU") or 0)
    _resource_entry(resources, "MEMORY")["integerValue"] += int(need.get("MEMORY") or 0)
    for name in ("PORTS", "PORTS_UDP"):
        held = _resource_entry(resources, name)["stringSetValue"]
        for port in need.get(name) or ():
            if str(port) in held:
                held.remove(str(port))
    ci.running_tasks_count = max(0, ci.running_tasks_count - 1)


def instance_states(
    backend: Any, cluster_name: str, only: Any = None
) -> list[scheduler.InstanceState]:
    """The cluster's container instances (or just ``only``) as the scheduler sees them."""
    wanted = only.container_instance_arn if only is not None else None
    groups: dict[str, Counter[str]] = {}
    for task in cluster_tasks(backend, cluster_name):
        arn = task.container_instance_arn
        if arn and is_running(task) and (wanted is None or arn == wanted):
            groups.setdefault(arn, Counter())[task.group] += 1
    container_instances = (
        [only] if only is not None else backend.container_instances.get(cluster_name, {}).values()
    )
    return [
        scheduler.InstanceState(
            arn=ci.container_instance_arn,
            ec2_instance_id=ci.ec2_instance_id,
            remaining=remaining_on(ci),
            attributes={k: v for k, v in ci.attributes.items() if v is not None},
            registered_at=ci.registered_at,
            agent_version=ci.version_info.get("agentVersion", "1.0.0"),
            agent_connected=bool(ci.agent_connected),
            running_tasks_count=int(ci.running_tasks_count),
            task_groups=groups.get(ci.container_instance_arn, Counter()),
            status=ci.status,
        )
        for ci in container_instances
    ]


def place(
    backend: Any,
    cluster: Any,
    need: Mapping[str, Any],
    count: int,
    *,
    group: str,
    default: str,
    only: Any = None,
    placement_strategy: list[dict] | None = None,
    placement_constraints: list[dict] | None = None,
) -> scheduler.PlacementPlan:
    """Where ``count`` tasks go in ``cluster`` (or on the container instance ``only``).

    The kit's scheduler on the cluster's current state, tie-broken by :func:`placement_rng`:
    RunTask and service replicas choose among all instances; StartTask and daemon services name
    the instance, so ``only`` is the one candidate.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
    """
    return scheduler.place_tasks(
        instance_states(backend, cluster.name, only=only),
        need,
        count,
        placement_strategy=placement_strategy,
        placement_constraints=placement_constraints,
        group=group,
        rng=placement_rng(backend, cluster),
        default=default,
    )


def placement_rng(backend: Any, cluster: Any) -> random.Random:
    """A placement tie-breaker that repeats run after run (seeded by cluster and call number)."""
    calls = getattr(backend, "_wb_placement_calls", 0) + 1
    backend._wb_placement_calls = calls
    return random.Random(f"{cluster.arn}#{calls}")
