"""The kit's ECS engine: moto's ECS backend, extended to behave like Amazon ECS.

moto stores ECS objects but runs nothing: container instances all register 4096 CPU / 7482 MiB,
``run_task`` fills instances first-fit and never reports a failure, services never start a task.
:func:`install` patches a short, fixed list of moto methods (:data:`PATCHES`) so that, both
in-process (``mock_aws``) and through moto's server (``aws ecs ...``):

* ``RegisterContainerInstance`` registers what the agent would for the EC2 instance type
  (``ecs_workbook.instance_types``), the agent's reserved ports and ECS's built-in attributes;
* ``RegisterTaskDefinition`` rejects what ECS rejects (``ecs_workbook.taskdef.validate``);
* ``RunTask`` / ``StartTask`` place with ``ecs_workbook.scheduler`` (resources, constraints,
  strategies), assign dynamic host ports and report ECS's ``failures``;
* ``StopTask`` frees a task's resources exactly once;
* services keep ``desiredCount`` tasks running (REPLICA) or one per instance (DAEMON), roll out a
  new task definition within ``minimumHealthyPercent``/``maximumPercent``, replace tasks on
  DRAINING instances, register targets in elbv2 target groups and log ECS's service events.

Real ECS reconciles services continuously; moto has no clock, so the engine reconciles at the
moments something changes: the service call itself, an instance registering, draining or leaving,
and a service task being stopped.

State lives on moto's own objects (so ``/moto-api/reset`` clears it); errors are moto's
``ECSException`` with ECS's error codes, so server mode answers 4xx, never 500.

The patch surface is :data:`PATCHES` and nothing else: seven ``EC2ContainerServiceResponse``
actions (wire format in and out), eight ``EC2ContainerServiceBackend`` methods and four elbv2
``FakeTargetGroup`` methods. Each replacement is named ``<response|backend|target_group>_<method>``
in the module of the ECS concept it belongs to:

- ``container_instances``: RegisterContainerInstance by instance type, draining, deregistering;
- ``task_definitions``: RegisterTaskDefinition's rules, the ACTIVE revision, what a task reserves;
- ``tasks``: RunTask, StartTask, StopTask, ListTasks;
- ``services``: CreateService, UpdateService, DeleteService;
- ``service_scheduler``: keeping services at their desired state (reconcile, deployments);
- ``service_events``: the service event messages;
- ``load_balancers``: elbv2 target registration for service tasks, targets keyed by id and port;
- ``task_lifecycle``: one task started (resources reserved, ports bound) and released once;
- ``instance_resources``: an instance's remaining CPU, memory and ports, as the scheduler sees them;
- ``launch_types``: EC2 or Fargate, and the awsvpc network configuration;
- ``clusters``: cluster lookups, CreateCluster and DescribeClusters' counters;
- ``errors``: ECS's errors as moto exceptions; ``patching``: moto's own methods kept aside.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from moto.ecs import models as ecs_models

from ecs_workbook.engine import (
    clusters,
    container_instances,
    load_balancers,
    services,
    task_definitions,
    tasks,
)
from ecs_workbook.engine.clusters import refresh_cluster_counters
from ecs_workbook.engine.container_instances import (
    AGENT_RESERVED_PORTS,
    AGENT_RESERVED_PORTS_UDP,
    register_container_instance,
)
from ecs_workbook.engine.patching import ORIGINAL_PREFIX
from ecs_workbook.engine.service_events import MAX_SERVICE_EVENTS
from ecs_workbook.engine.service_scheduler import reconcile_cluster, reconcile_service
from ecs_workbook.engine.services import (
    DAEMON_DEPLOYMENT_DEFAULTS,
    REPLICA_DEPLOYMENT_DEFAULTS,
    create_service,
    delete_service,
    update_service,
)
from ecs_workbook.engine.task_lifecycle import DYNAMIC_PORT_RANGE, release_task
from ecs_workbook.engine.tasks import run_task, start_task

__all__ = [
    "AGENT_RESERVED_PORTS",
    "AGENT_RESERVED_PORTS_UDP",
    "DAEMON_DEPLOYMENT_DEFAULTS",
    "DYNAMIC_PORT_RANGE",
    "MAX_SERVICE_EVENTS",
    "PATCHES",
    "REPLICA_DEPLOYMENT_DEFAULTS",
    "TESTED_MOTO_VERSION",
    "create_service",
    "delete_service",
    "install",
    "installed",
    "reconcile_cluster",
    "reconcile_service",
    "refresh_cluster_counters",
    "register_container_instance",
    "release_task",
    "run_task",
    "start_task",
    "update_service",
]

#: The moto version this engine was written and tested against.
TESTED_MOTO_VERSION = "5.2.5"

_MARK = "_ecs_workbook_engine"

#: The module of each class the engine patches.
_MOTO_MODULES = {
    "EC2ContainerServiceResponse": "moto.ecs.responses",
    "EC2ContainerServiceBackend": "moto.ecs.models",
    "FakeTargetGroup": "moto.elbv2.models",
}
#: The engine's replacement for each patched moto method, by class and method, in patch order.
_REPLACEMENTS: dict[str, dict[str, Callable[..., Any]]] = {
    "EC2ContainerServiceResponse": {
        "register_task_definition": task_definitions.response_register_task_definition,
        "register_container_instance": container_instances.response_register_container_instance,
        "run_task": tasks.response_run_task,
        "start_task": tasks.response_start_task,
        "create_service": services.response_create_service,
        "update_service": services.response_update_service,
        "delete_service": services.response_delete_service,
    },
    "EC2ContainerServiceBackend": {
        "create_cluster": clusters.backend_create_cluster,
        "stop_task": tasks.backend_stop_task,
        "list_tasks": tasks.backend_list_tasks,
        "describe_clusters": clusters.backend_describe_clusters,
        "update_container_instances_state": (
            container_instances.backend_update_container_instances_state
        ),
        "deregister_container_instance": container_instances.backend_deregister_container_instance,
        "_validate_container_defs": task_definitions.backend_validate_container_defs,
        "_calculate_task_resource_requirements": (
            task_definitions.backend_calculate_task_resource_requirements
        ),
    },
    "FakeTargetGroup": {
        "register": load_balancers.target_group_register,
        "deregister": load_balancers.target_group_deregister,
        "health_for": load_balancers.target_group_health_for,
        "deregister_terminated_instances": (
            load_balancers.target_group_deregister_terminated_instances
        ),
    },
}

#: Every moto method the engine replaces: (module, class, method). Nothing else in moto is
#: patched; tests/test_engine_moto_contract.py checks they all still exist.
PATCHES: tuple[tuple[str, str, str], ...] = tuple(
    (_MOTO_MODULES[class_name], class_name, method)
    for class_name, methods in _REPLACEMENTS.items()
    for method in methods
)


def install() -> None:
    """Extend moto's ECS (and elbv2 target groups) to behave like ECS. Safe to call twice.

    moto's own method stays on the class as ``_ecs_workbook_original_<method>``.
    """
    if installed():
        return
    for module_name, class_name, method in PATCHES:
        owner = getattr(importlib.import_module(module_name), class_name)
        original = owner.__dict__[method]
        replacement = _REPLACEMENTS[class_name][method]
        if isinstance(original, staticmethod):
            replacement = staticmethod(replacement)
        setattr(owner, ORIGINAL_PREFIX + method, original)
        setattr(owner, method, replacement)
    setattr(ecs_models.EC2ContainerServiceBackend, _MARK, True)


def installed() -> bool:
    """True once :func:`install` has patched moto in this process."""
    return bool(getattr(ecs_models.EC2ContainerServiceBackend, _MARK, False))
