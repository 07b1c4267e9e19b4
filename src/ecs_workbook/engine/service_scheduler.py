"""ECS's service scheduler: keep each service at its desired state.

REPLICA services keep ``desiredCount`` tasks, DAEMON services one per eligible instance; new
deployments, DRAINING and departed instances are handled within the deployment configuration.
moto has no clock, so this runs whenever something changes (see ``ecs_workbook.engine``).
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
"""

from __future__ import annotations

import math
from typing import Any

from moto.core.utils import utcnow

from ecs_workbook import cql, scheduler
from ecs_workbook.engine.clusters import cluster_tasks, find_container_instance, is_running
from ecs_workbook.engine.errors import from_scheduler
from ecs_workbook.engine.instance_resources import instance_states, place, placement_rng
from ecs_workbook.engine.service_events import (
    add_event,
    started_message,
    stopped_message,
    unable_message,
)
from ecs_workbook.engine.task_definitions import placement_constraints, reserved_resources
from ecs_workbook.engine.task_lifecycle import create_task, mark_stopped, release_task


def service_of(backend: Any, task: Any) -> Any:
    """The service that started this task, or None for a standalone task."""
    key = getattr(task, "_wb_service", None)
    return backend.services.get(key) if key else None


def service_tasks(backend: Any, service: Any) -> list[Any]:
    """The service's tasks that still run."""
    key = f"{service.cluster_name}:{service.name}"
    return [
        t
        for t in cluster_tasks(backend, service.cluster_name)
        if getattr(t, "_wb_service", None) == key and is_running(t)
    ]


def stop_service_task(backend: Any, task: Any, reason: str) -> None:
    """Stop a task on the service scheduler's initiative, freeing its resources."""
    release_task(backend, task)
    mark_stopped(task, reason, "ServiceSchedulerInitiated")


def reconcile_cluster(backend: Any, cluster: Any) -> None:
    """Let every ACTIVE service of the cluster catch up (new instances, draining, lost tasks)."""
    for service in list(backend.services.values()):
        if service.cluster_name == cluster.name and service.status == "ACTIVE":
            reconcile_service(backend, service)


def reconcile_service(backend: Any, service: Any) -> None:
    """Bring a service to its desired state, as ECS's service scheduler does.

    REPLICA: scale in (``scheduler.select_tasks_to_stop``) or start tasks; tasks of older
    deployments, on DRAINING or deregistered instances are replaced in batches: start new ones
    while RUNNING tasks stay at most ``maximumPercent`` of desiredCount, stop old ones while at
    least ``minimumHealthyPercent`` keep running. DAEMON: one task per eligible ACTIVE instance.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html
    """
    if service.status != "ACTIVE" or not service.deployments or not service.task_definition:
        return
    if service.deployment_controller.get("type", "ECS") != "ECS":
        return
    cluster = backend.clusters.get(service.cluster_name)
    if cluster is None:
        return
    if not hasattr(service, "deployment_configuration"):
        return  # a service moto created outside the engine (e.g. CloudFormation)
    started_before = len(service.events)
    if service.scheduling_strategy == "DAEMON":
        _reconcile_daemon(backend, cluster, service)
    else:
        _reconcile_replica(backend, cluster, service)
    _refresh_service_counts(backend, service, changed=len(service.events) != started_before)


def _is_current(backend: Any, service: Any, task: Any) -> bool:
    """A task of the PRIMARY deployment on an ACTIVE instance (or on Fargate)."""
    if task.started_by != service.deployments[0]["id"]:
        return False
    if task.container_instance_arn is None:
        return True
    ci = backend.container_instances.get(task.cluster_name, {}).get(
        task.container_instance_arn.split("/")[-1]
    )
    return ci is not None and ci.status == "ACTIVE"


def _reconcile_replica(backend: Any, cluster: Any, service: Any) -> None:
    desired = service.desired_count
    configuration = service.deployment_configuration
    most_running = math.floor(desired * configuration["maximumPercent"] / 100)
    least_running = math.ceil(desired * configuration["minimumHealthyPercent"] / 100)
    present = backend.container_instances.get(cluster.name, {})
    for task in service_tasks(backend, service):
        arn = task.container_instance_arn
        if arn and arn.split("/")[-1] not in present:
            # The instance left the cluster: its tasks are lost and get replaced.
            stop_service_task(backend, task, "Container instance deregistered")
    current = [t for t in service_tasks(backend, service) if _is_current(backend, service, t)]
    if len(current) > desired:
        _scale_in(backend, cluster, service, current, len(current) - desired)
    while True:
        tasks = service_tasks(backend, service)
        current = [t for t in tasks if _is_current(backend, service, t)]
        old = [t for t in tasks if not _is_current(backend, service, t)]
        progressed = False
        # maximumPercent caps RUNNING tasks only while old ones are being replaced.
        ceiling = most_running if old else max(most_running, desired)
        room = min(ceiling - len(tasks), desired - len(current))
        if room > 0:
            progressed = _start_service_tasks(backend, cluster, service, room) > 0
        tasks = service_tasks(backend, service)
        old = [t for t in tasks if not _is_current(backend, service, t)]
        can_stop = min(len(tasks) - least_running, len(old))
        if can_stop > 0:
            old.sort(key=lambda t: _draining_first(backend, t))
            stopped = old[:can_stop]
            for task in stopped:
                stop_service_task(backend, task, _scaling_reason(service))
            add_event(service, stopped_message(service, stopped))
            progressed = True
        if not progressed:
            break
    tasks = service_tasks(backend, service)
    current = [t for t in tasks if _is_current(backend, service, t)]
    old = [t for t in tasks if not _is_current(backend, service, t)]
    start_blocked = min(most_running - len(tasks), desired - len(current)) <= 0
    stop_blocked = len(tasks) - least_running <= 0
    if old and start_blocked and stop_blocked:
        add_event(
            service,
            f"(service {service.name}) was unable to stop or start tasks during a deployment "
            "because of the service deployment configuration. Update the minimumHealthyPercent "
            "or maximumPercent value and try again.",
        )


def _draining_first(backend: Any, task: Any) -> int:
    ci = find_container_instance(backend, task.cluster_name, task.container_instance_arn)
    return 0 if ci is not None and ci.status != "ACTIVE" else 1


def _scaling_reason(service: Any) -> str:
    return f"Scaling activity initiated by (deployment {service.deployments[0]['id']})"


def _scale_in(backend: Any, cluster: Any, service: Any, current: list[Any], count: int) -> None:
    """Stop ``count`` current tasks, chosen as ECS chooses (strategy's opposite end)."""
    by_instance: dict[str, list[str]] = {}
    fargate = []
    for task in current:
        if task.container_instance_arn:
            by_instance.setdefault(task.container_instance_arn, []).append(task.task_arn)
        else:
            fargate.append(task)
    chosen_arns: list[str] = []
    if by_instance:
        td = backend.describe_task_definition(service.task_definition)
        chosen_arns = scheduler.select_tasks_to_stop(
            by_instance,
            instance_states(backend, cluster.name),
            count,
            service.placement_strategy or None,
            rng=placement_rng(backend, cluster),
            need=reserved_resources(td),
        )
    chosen = [t for t in current if t.task_arn in set(chosen_arns)]
    chosen.extend(fargate[: count - len(chosen)])
    for task in chosen:
        stop_service_task(backend, task, _scaling_reason(service))
    if chosen:
        add_event(service, stopped_message(service, chosen))


def _start_service_tasks(backend: Any, cluster: Any, service: Any, count: int) -> int:
    """Start up to ``count`` tasks of the PRIMARY deployment; an event says what failed."""
    td = backend.describe_task_definition(service.task_definition)
    deployment = service.deployments[0]
    need = reserved_resources(td)
    group = f"service:{service.name}"
    common = {
        "group": group,
        "started_by": deployment["id"],
        "tags": _propagated_tags(service, td),
        "network_configuration": service.network_configuration or None,
        "platform_version": service.platform_version,
        "enable_execute_command": bool(getattr(service, "enable_execute_command", False)),
        "service": service,
    }
    if getattr(service, "_wb_fargate", False):
        provider = next(
            (p["capacityProvider"] for p in service.capacity_provider_strategy or ()), None
        )
        tasks = [
            create_task(
                backend,
                cluster,
                td,
                None,
                need,
                launch_type="FARGATE",
                capacity_provider_name=provider,
                **common,
            )
            for _ in range(count)
        ]
        add_event(service, started_message(service, tasks))
        return len(tasks)
    constraints = placement_constraints(td, service.placement_constraints)
    try:
        plan = place(
            backend,
            cluster,
            need,
            count,
            group=group,
            default="service",
            placement_strategy=service.placement_strategy or None,
            placement_constraints=constraints,
        )
    except scheduler.InvalidParameterException as error:
        if error.message == scheduler.NO_CONTAINER_INSTANCES:
            add_event(service, unable_message(service, []))
            return 0
        raise from_scheduler(error) from None
    except scheduler.ECSError as error:
        raise from_scheduler(error) from None
    tasks = [
        create_task(
            backend,
            cluster,
            td,
            find_container_instance(backend, cluster.name, arn),
            need,
            launch_type=service.launch_type or "EC2",
            **common,
        )
        for arn in plan.placements
    ]
    if tasks:
        add_event(service, started_message(service, tasks))
    if len(tasks) < count:
        add_event(service, unable_message(service, plan.failures))
    return len(tasks)


def _propagated_tags(service: Any, td: Any) -> list[dict[str, str]]:
    if service.propagate_tags == "SERVICE":
        return list(service.tags or [])
    if service.propagate_tags == "TASK_DEFINITION":
        return list(td.tags or [])
    return []


def _eligible_for_daemon(service: Any, td: Any, state: scheduler.InstanceState) -> bool:
    if state.status != "ACTIVE":
        return False
    constraints = placement_constraints(td, service.placement_constraints)
    facts = state.facts()
    return all(
        cql.matches(c["expression"], facts)
        for c in constraints
        if c.get("type") == "memberOf" and c.get("expression")
    )


def _reconcile_daemon(backend: Any, cluster: Any, service: Any) -> None:
    """One task of the PRIMARY deployment on every ACTIVE instance that meets the constraints.

    Daemon deployments stop the old task on an instance before starting its replacement
    (maximumPercent is 100). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
    """
    td = backend.describe_task_definition(service.task_definition)
    need = reserved_resources(td)
    group = f"service:{service.name}"
    deployment = service.deployments[0]
    states = instance_states(backend, cluster.name)
    eligible = {s.arn for s in states if _eligible_for_daemon(service, td, s)}
    service.desired_count = len(eligible)
    deployment["desiredCount"] = service.desired_count
    stopped = []
    for task in service_tasks(backend, service):
        if task.container_instance_arn not in eligible:
            stop_service_task(backend, task, _scaling_reason(service))
            stopped.append(task)
    started = []
    failures: list[dict] = []
    for arn in sorted(eligible):
        here = [t for t in service_tasks(backend, service) if t.container_instance_arn == arn]
        if any(t.started_by == deployment["id"] for t in here):
            continue
        for task in here:
            stop_service_task(backend, task, _scaling_reason(service))
            stopped.append(task)
        ci = find_container_instance(backend, cluster.name, arn)
        plan = place(backend, cluster, need, 1, group=group, default="service", only=ci)
        if not plan.placements:
            failures = plan.failures
            continue
        started.append(
            create_task(
                backend,
                cluster,
                td,
                ci,
                need,
                group=group,
                started_by=deployment["id"],
                tags=_propagated_tags(service, td),
                launch_type="EC2",
                network_configuration=service.network_configuration or None,
                service=service,
            )
        )
    if stopped:
        add_event(service, stopped_message(service, stopped))
    if started:
        add_event(service, started_message(service, started))
    if failures:
        add_event(service, unable_message(service, failures))


def _refresh_service_counts(backend: Any, service: Any, changed: bool) -> None:
    tasks = service_tasks(backend, service)
    service.running_count = len(tasks)
    service.pending_count = 0
    primary = service.deployments[0]
    kept = [primary]
    for deployment in service.deployments:
        running = sum(1 for t in tasks if t.started_by == deployment["id"])
        if running != deployment.get("runningCount"):
            deployment["updatedAt"] = utcnow()
        deployment["runningCount"] = running
        deployment["pendingCount"] = 0
        if deployment is not primary:
            deployment["desiredCount"] = running
            if running:
                kept.append(deployment)
    primary["desiredCount"] = service.desired_count
    service.deployments = kept
    steady = len(kept) == 1 and primary["runningCount"] == service.desired_count
    if steady and primary.get("rolloutState") != "COMPLETED":
        primary["rolloutState"] = "COMPLETED"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
        add_event(
            service, f"(service {service.name}) (deployment {primary['id']}) deployment completed."
        )
        changed = True
    elif not steady:
        primary["rolloutState"] = "IN_PROGRESS"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} in progress."
    if steady and changed:
        add_event(service, f"(service {service.name}) has reached a steady state.")
