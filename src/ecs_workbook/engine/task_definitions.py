"""Task definitions: ECS's registration rules, the ACTIVE revision to run, what a task reserves.

``RegisterTaskDefinition`` rejects what ECS rejects (``ecs_workbook.taskdef.validate``); what a
task reserves on its instance comes from ``ecs_workbook.taskdef.reserved_resources``.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definitions.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.responses import ActionResult
from moto.ecs.exceptions import (
    EcsClientException,
    TaskDefinitionMemoryError,
    TaskDefinitionMissingPropertyError,
    TaskDefinitionNotFoundException,
)

from ecs_workbook import taskdef
from ecs_workbook.engine.errors import invalid_parameter
from ecs_workbook.engine.patching import Response, original


def _task_definition_dict(td: Any) -> dict[str, Any]:
    """A moto TaskDefinition as ECS's ``taskDefinition`` dict (the fields the engine needs)."""
    return {
        "family": td.family,
        "taskDefinitionArn": td.arn,
        "containerDefinitions": td.container_definitions,
        "networkMode": td.network_mode,
        "cpu": td.cpu,
        "memory": td.memory,
        "requiresCompatibilities": td.requires_compatibilities or [],
        "compatibilities": td.compatibilities,
        "placementConstraints": td.placement_constraints or [],
    }


def describe_active_task_definition(backend: Any, task_definition_str: str | None) -> Any:
    """The named revision, or a family's latest ACTIVE one; INACTIVE ones cannot start tasks.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deregister-task-definition-v2.html
    """
    if not task_definition_str:
        raise invalid_parameter("taskDefinition can not be blank.")
    name = task_definition_str.split("/")[-1]
    if ":" not in name:
        revisions = backend.task_definitions.get(name, {})
        active = [rev for rev, td in revisions.items() if td.status == "ACTIVE"]
        if not active:
            raise TaskDefinitionNotFoundException()
        return revisions[max(active)]
    td = backend.describe_task_definition(task_definition_str)
    if td.status != "ACTIVE":
        raise EcsClientException("TaskDefinition is inactive")
    return td


def reserved_resources(td: Any, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What placement reserves for a task of this definition (``taskdef.reserved_resources``)."""
    try:
        return taskdef.reserved_resources(_task_definition_dict(td), overrides)
    except (taskdef.TaskDefinitionError, ValueError) as error:
        raise EcsClientException(str(error)) from None


def placement_constraints(td: Any, extra: Any) -> list[dict[str, Any]]:
    """The task definition's placementConstraints, then those of the request or service.

    ECS applies both: a task must satisfy every constraint of its definition and of the call.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
    """
    return list(td.placement_constraints or []) + list(extra or [])


def response_register_task_definition(self: Any) -> ActionResult:
    """Reject what ECS rejects (``taskdef.validate``), then let moto store the definition."""
    problems = taskdef.validate(self._get_params())
    if problems:
        raise EcsClientException(taskdef.rejection_message(problems))
    return original(Response, "register_task_definition")(self)


def backend_validate_container_defs(
    memory: str | None,
    container_definitions: list[dict[str, Any]],
    requires_compatibilities: list[str] | None,
) -> None:
    """moto's check, minus its mistake: ``memoryReservation`` alone is valid on EC2.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    for container in container_definitions:
        if "name" not in container and "Name" not in container:
            raise TaskDefinitionMissingPropertyError("name")
        if "image" not in container and "Image" not in container:
            raise TaskDefinitionMissingPropertyError("image")
        keys = ("memory", "Memory", "memoryReservation", "MemoryReservation")
        if not memory and not any(container.get(key) for key in keys):
            raise TaskDefinitionMemoryError(container.get("name") or container.get("Name"))


def backend_calculate_task_resource_requirements(task_definition: Any) -> dict[str, Any]:
    """What a task reserves, by ECS's rules (task-level values, memoryReservation first)."""
    return reserved_resources(task_definition)
