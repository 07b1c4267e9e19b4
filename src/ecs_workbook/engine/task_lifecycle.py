"""One task's life on moto's objects: started RUNNING with its resources reserved, stopped once.

Starting a task reserves its CPU, memory and ports on the instance, binds host ports (dynamic
ones from Docker's ephemeral range) and, for a service task, registers its load balancer
targets; releasing it gives all of that back, exactly once however often it stops.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.utils import utcnow
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import ECSException

from ecs_workbook.engine.clusters import find_container_instance
from ecs_workbook.engine.instance_resources import remaining_on, reserve, unreserve
from ecs_workbook.engine.load_balancers import deregister_targets, register_targets

#: Where Docker takes dynamic host ports from (``ip_local_port_range`` on the ECS AMI).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
DYNAMIC_PORT_RANGE = (32768, 61000)


def create_task(
    backend: Any,
    cluster: Any,
    td: Any,
    ci: Any,
    need: Mapping[str, Any],
    *,
    group: str,
    overrides: Mapping[str, Any] | None = None,
    started_by: str | None = None,
    tags: list[dict[str, str]] | None = None,
    launch_type: str = "EC2",
    network_configuration: Any = None,
    platform_version: str | None = None,
    capacity_provider_name: str | None = None,
    enable_execute_command: bool = False,
    service: Any = None,
) -> Any:
    """Create one RUNNING task (on ``ci``, or on Fargate when ``ci`` is None) and reserve for it."""
    task = ecs_models.Task(
        cluster,
        td,
        ci.container_instance_arn if ci is not None else None,
        dict(need),
        backend=backend,
        group=group,
        launch_type=launch_type,
        overrides=dict(overrides or {}),
        started_by=started_by or "",
        tags=tags or [],
        networking_configuration=network_configuration,
        platform_version=platform_version,
        capacity_provider_name=capacity_provider_name,
    )
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    now = utcnow()
    task.created_at = now
    task.started_at = now
    task.connectivity = "CONNECTED"
    task.connectivity_at = now
    task.version = 1
    task.enable_execute_command = enable_execute_command
    if td.cpu:
        task.cpu = str(need.get("CPU"))
    if td.memory:
        task.memory = str(need.get("MEMORY"))
    if ci is not None:
        task.availability_zone = ci.attributes.get("ecs.availability-zone")
    task._wb_released = False
    task._wb_service = f"{cluster.name}:{service.name}" if service is not None else None
    task._wb_targets = []
    task._wb_dynamic_ports = []
    if ci is not None:
        reserve(ci, need)
    _build_containers(task, td, ci)
    if service is not None:
        register_targets(backend, service, task)
    return task


def _build_containers(task: Any, td: Any, ci: Any) -> None:
    """One container per container definition (moto reports only the first), with networkBindings."""
    containers = []
    for index, definition in enumerate(td.container_definitions):
        container = task.containers[0] if index == 0 else ecs_models.Container(td)
        container_id = container.container_arn.rsplit("/", 1)[-1]
        container.container_arn = (
            f"arn:aws:ecs:{task.region_name}:{task._account_id}:container/"
            f"{task.cluster_name}/{task.id}/{container_id}"
        )
        container.task_arn = task.task_arn
        container.name = definition.get("name")
        container.image = definition.get("image")
        container.cpu = str(definition.get("cpu", 0))
        container.memory = str(definition["memory"]) if definition.get("memory") else None
        container.memory_reservation = (
            str(definition["memoryReservation"]) if definition.get("memoryReservation") else None
        )
        container.environment = definition.get("environment")
        container.command = definition.get("command")
        container.last_status = "RUNNING"
        container.network_bindings = _network_bindings(task, td, ci, definition)
        containers.append(container)
    task.containers = containers


def _network_bindings(task: Any, td: Any, ci: Any, definition: Mapping[str, Any]) -> list[dict]:
    """Host port bindings: static as given, ``hostPort`` 0 or omitted = a dynamic port (bridge)."""
    mode = td.network_mode or "bridge"
    if ci is None or mode not in ("bridge", "host"):
        return []
    bindings = []
    for mapping in definition.get("portMappings") or ():
        container_port = mapping.get("containerPort")
        host_port = mapping.get("hostPort") or 0
        if mode == "host" and not host_port:
            host_port = container_port
        if not host_port:
            host_port = _allocate_dynamic_port(ci)
            task._wb_dynamic_ports.append(host_port)
        bindings.append(
            {
                "bindIP": "0.0.0.0",
                "containerPort": container_port,
                "hostPort": host_port,
                "protocol": mapping.get("protocol", "tcp"),
            }
        )
    return bindings


def _allocate_dynamic_port(ci: Any) -> int:
    """The lowest free port of the ephemeral range on this instance (deterministic, like Docker)."""
    in_use = getattr(ci, "_wb_dynamic_ports", None)
    if in_use is None:
        in_use = ci._wb_dynamic_ports = set()
    remaining = remaining_on(ci)
    taken = in_use | remaining["PORTS"] | remaining["PORTS_UDP"]
    low, high = DYNAMIC_PORT_RANGE
    for port in range(low, high + 1):
        if port not in taken:
            in_use.add(port)
            return port
    raise ECSException("ServerException", "No dynamic host port left on the container instance.")


def release_task(backend: Any, task: Any) -> None:
    """Give a task's CPU, memory and ports back to its instance: once, however often it stops."""
    if getattr(task, "_wb_released", False):
        return
    task._wb_released = True
    ci = find_container_instance(backend, task.cluster_name, task.container_instance_arn)
    if ci is not None and task.resource_requirements is not None:
        unreserve(ci, task.resource_requirements)
        dynamic = getattr(ci, "_wb_dynamic_ports", set())
        dynamic.difference_update(getattr(task, "_wb_dynamic_ports", []))
    deregister_targets(backend, task)


def mark_stopped(task: Any, reason: str, stop_code: str) -> None:
    """Record the task (and its containers) as STOPPED now, with ECS's reason and stop code."""
    now = utcnow()
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = stop_code
    task.stopping_at = now
    task.stopped_at = now
    task.execution_stopped_at = now
    for container in task.containers:
        container.last_status = "STOPPED"
