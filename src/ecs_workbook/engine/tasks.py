"""Tasks: RunTask and StartTask placed by ``ecs_workbook.scheduler``; StopTask and ListTasks.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/standalone-tasks.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.responses import ActionResult
from moto.ecs.exceptions import EcsClientException

from ecs_workbook import scheduler
from ecs_workbook.engine.clusters import find_container_instance, get_cluster
from ecs_workbook.engine.errors import from_scheduler, invalid_parameter
from ecs_workbook.engine.instance_resources import place
from ecs_workbook.engine.launch_types import (
    check_fargate,
    check_network_configuration,
    resolve_launch,
)
from ecs_workbook.engine.patching import Backend, original
from ecs_workbook.engine.service_scheduler import reconcile_service, service_of
from ecs_workbook.engine.task_definitions import (
    describe_active_task_definition,
    placement_constraints,
    reserved_resources,
)
from ecs_workbook.engine.task_lifecycle import create_task, mark_stopped, release_task


def response_run_task(self: Any) -> ActionResult:
    tasks, failures = run_task(self.ecs_backend, self._get_params())
    return ActionResult({"tasks": tasks, "failures": failures})


def response_start_task(self: Any) -> ActionResult:
    tasks, failures = start_task(self.ecs_backend, self._get_params())
    return ActionResult({"tasks": tasks, "failures": failures})


def run_task(backend: Any, request: Mapping[str, Any]) -> tuple[list[Any], list[dict]]:
    """ECS's RunTask: validate, place with the scheduler, start the tasks; (tasks, failures).

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
    """
    cluster = get_cluster(backend, request.get("cluster"))
    count = request.get("count", 1)
    try:
        scheduler.check_run_task_count(int(count) if count is not None else 1)
    except scheduler.ECSError as error:
        raise from_scheduler(error) from None
    count = int(count)
    td = describe_active_task_definition(backend, request.get("taskDefinition"))
    fargate, launch_type, provider = resolve_launch(cluster, request)
    overrides = request.get("overrides") or {}
    need = reserved_resources(td, overrides)
    group = request.get("group") or f"family:{td.family}"
    common = {
        "group": group,
        "overrides": overrides,
        "started_by": request.get("startedBy"),
        "tags": request.get("tags"),
        "launch_type": launch_type,
        "capacity_provider_name": provider,
        "platform_version": request.get("platformVersion"),
        "enable_execute_command": bool(request.get("enableExecuteCommand")),
    }
    if fargate:
        check_fargate(backend, td, request.get("networkConfiguration"))
        network = check_network_configuration(backend, td, request.get("networkConfiguration"))
        tasks = [
            create_task(backend, cluster, td, None, need, network_configuration=network, **common)
            for _ in range(count)
        ]
        return tasks, []
    network = check_network_configuration(backend, td, request.get("networkConfiguration"))
    constraints = placement_constraints(td, request.get("placementConstraints"))
    try:
        plan = place(
            backend,
            cluster,
            need,
            count,
            group=group,
            default="runtask",
            placement_strategy=request.get("placementStrategy"),
            placement_constraints=constraints,
        )
    except scheduler.ECSError as error:
        raise from_scheduler(error) from None
    tasks = []
    for arn in plan.placements:
        ci = find_container_instance(backend, cluster.name, arn)
        tasks.append(
            create_task(backend, cluster, td, ci, need, network_configuration=network, **common)
        )
    return tasks, plan.failures


def start_task(backend: Any, request: Mapping[str, Any]) -> tuple[list[Any], list[dict]]:
    """ECS's StartTask: one task on each named instance that is ACTIVE and has room.

    Instances that are unknown fail with ``MISSING``; ones that are not ACTIVE (DRAINING
    included: only ACTIVE instances accept placements) with ``INACTIVE``; ones without the CPU,
    memory or ports with ``RESOURCE:*``, like RunTask. Strategies do not apply: you chose.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StartTask.html
    """
    cluster = get_cluster(backend, request.get("cluster"))
    td = describe_active_task_definition(backend, request.get("taskDefinition"))
    names = list(request.get("containerInstances") or [])
    if not names:
        raise EcsClientException("Container Instances cannot be empty.")
    if len(names) > 10:
        raise invalid_parameter(
            f"containerInstances names {len(names)} instances; StartTask accepts at most 10. "
            "Call StartTask again for the others."
        )
    overrides = request.get("overrides") or {}
    need = reserved_resources(td, overrides)
    group = request.get("group") or f"family:{td.family}"
    network = check_network_configuration(backend, td, request.get("networkConfiguration"))
    tasks: list[Any] = []
    failures: list[dict] = []
    for name in names:
        ci = backend.container_instances.get(cluster.name, {}).get(name.split("/")[-1])
        if ci is None:
            failures.append(
                {"arn": _container_instance_arn(backend, cluster, name), "reason": "MISSING"}
            )
            continue
        if ci.status != "ACTIVE":
            failures.append({"arn": ci.container_instance_arn, "reason": "INACTIVE"})
            continue
        try:
            plan = place(backend, cluster, need, 1, group=group, default="runtask", only=ci)
        except scheduler.ECSError as error:
            raise from_scheduler(error) from None
        if not plan.placements:
            failures.extend(plan.failures)
            continue
        tasks.append(
            create_task(
                backend,
                cluster,
                td,
                ci,
                need,
                group=group,
                overrides=overrides,
                started_by=request.get("startedBy"),
                tags=request.get("tags"),
                launch_type="EC2",
                network_configuration=network,
                enable_execute_command=bool(request.get("enableExecuteCommand")),
            )
        )
    return tasks, failures


def _container_instance_arn(backend: Any, cluster: Any, name: str) -> str:
    if name.startswith("arn:"):
        return name
    return (
        f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:container-instance/"
        f"{cluster.name}/{name}"
    )


def backend_stop_task(self: Any, cluster_str: str, task_str: str, reason: str | None) -> Any:
    """ECS's StopTask: frees resources exactly once; a service task is then replaced."""
    cluster = get_cluster(self, cluster_str)
    task_id = (task_str or "").split("/")[-1]
    task = next(
        (t for arn, t in self.tasks.get(cluster.name, {}).items() if arn.split("/")[-1] == task_id),
        None,
    )
    if task is None or not task_id:
        raise invalid_parameter("The referenced task was not found.")
    if task.desired_status == "STOPPED" and getattr(task, "_wb_released", False):
        return task
    release_task(self, task)
    mark_stopped(task, reason or "", "UserInitiated")
    service = service_of(self, task)
    if service is not None:
        reconcile_service(self, service)
    return task


def backend_list_tasks(
    self: Any,
    cluster_str: str | None = None,
    container_instance: str | None = None,
    family: str | None = None,
    started_by: str | None = None,
    service_name: str | None = None,
    desiredStatus: str | None = None,  # noqa: N803 - moto's parameter name
) -> list[Any]:
    """ListTasks as ECS filters: desired status RUNNING by default, the cluster, the service."""
    if cluster_str and not desiredStatus:
        desiredStatus = "RUNNING"  # an API call (moto's own lookups pass no cluster)
    tasks = original(Backend, "list_tasks")(
        self, cluster_str, container_instance, family, started_by, None, desiredStatus
    )
    if cluster_str:
        name = cluster_str.split("/")[-1]
        tasks = [t for t in tasks if t.cluster_name == name]
    if service_name:
        group = f"service:{service_name.split('/')[-1]}"
        tasks = [t for t in tasks if t.group == group]
    return tasks
