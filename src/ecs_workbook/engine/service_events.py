"""Service events: the messages ECS's service scheduler logs, newest first, the latest 100.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random

from ecs_workbook import scheduler

#: ECS keeps the latest 100 service events.
MAX_SERVICE_EVENTS = 100

_TROUBLESHOOTING = (
    "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
)
_CLOSEST_MATCH = {
    scheduler.REASON_CPU: "has insufficient CPU units available.",
    scheduler.REASON_MEMORY: "has insufficient memory available.",
    scheduler.REASON_PORTS: "is already using a port required by your task.",
    scheduler.REASON_PORTS_UDP: "is already using a port required by your task.",
}


def add_event(service: Any, message: str) -> None:
    """Add a service event (newest first), unless it repeats the latest one."""
    if service.events and service.events[0]["message"] == message:
        return
    service.events.insert(
        0, {"id": str(mock_random.uuid4()), "createdAt": utcnow(), "message": message}
    )
    del service.events[MAX_SERVICE_EVENTS:]


def _task_ids(tasks: Iterable[Any]) -> str:
    return " ".join(f"(task {t.id})" for t in tasks)


def started_message(service: Any, tasks: list[Any]) -> str:
    """ECS's event for tasks a service started."""
    return f"(service {service.name}) has started {len(tasks)} tasks: {_task_ids(tasks)}."


def stopped_message(service: Any, tasks: list[Any]) -> str:
    """ECS's event for tasks a service stopped."""
    return f"(service {service.name}) has stopped {len(tasks)} running tasks: {_task_ids(tasks)}."


def unable_message(service: Any, failures: list[dict]) -> str:
    """ECS's event when a service task cannot be placed, naming the closest match."""
    start = (
        f"(service {service.name}) was unable to place a task because no container instance met "
        "all of its requirements."
    )
    if not failures:
        return f"{start} Reason: {scheduler.NO_CONTAINER_INSTANCES} {_TROUBLESHOOTING}"
    closest = failures[0]
    instance_id = closest["arn"].rsplit("/", 1)[-1]
    reason = closest["reason"]
    detail = _CLOSEST_MATCH.get(reason, f'encountered error "{reason}".')
    return f"{start} The closest matching (container-instance {instance_id}) {detail} {_TROUBLESHOOTING}"
