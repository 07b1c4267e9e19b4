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

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import (
    ClusterNotFoundException,
    EcsClientException,
    ECSException,
    InvalidParameterException,
    ServiceNotFoundException,
    TaskDefinitionMemoryError,
    TaskDefinitionMissingPropertyError,
    TaskDefinitionNotFoundException,
)
from moto.elbv2 import models as elbv2_models
from moto.moto_api._internal import mock_random

from ecs_workbook import cql, instance_types, scheduler, taskdef

#: The moto version this engine was written and tested against.
TESTED_MOTO_VERSION = "5.2.5"

#: Host ports the Linux agent reserves by default (``ECS_RESERVED_PORTS``); UDP none.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
AGENT_RESERVED_PORTS = (22, 2375, 2376, 51678, 51679)
AGENT_RESERVED_PORTS_UDP: tuple[int, ...] = ()
#: Where Docker takes dynamic host ports from (``ip_local_port_range`` on the ECS AMI).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
DYNAMIC_PORT_RANGE = (32768, 61000)
#: Service deployment defaults ([API] DeploymentConfiguration).
REPLICA_DEPLOYMENT_DEFAULTS = {"maximumPercent": 200, "minimumHealthyPercent": 100}
DAEMON_DEPLOYMENT_DEFAULTS = {"maximumPercent": 100, "minimumHealthyPercent": 0}
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
_MARK = "_ecs_workbook_engine"
_ORIGINAL = "_ecs_workbook_original_"


# =============================================================================================
# install
# =============================================================================================


#: Every moto method the engine replaces: (module, class, method). Nothing else in moto is
#: patched; tests/test_engine_moto_contract.py checks they all still exist. The replacement of
#: ``Class.method`` is this module's ``_<response|backend|target_group>_<method>``.
PATCHES: tuple[tuple[str, str, str], ...] = (
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "register_task_definition"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "register_container_instance"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "run_task"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "start_task"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "create_service"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "update_service"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "delete_service"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "create_cluster"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "stop_task"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "list_tasks"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "describe_clusters"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "update_container_instances_state"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "deregister_container_instance"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "_validate_container_defs"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "_calculate_task_resource_requirements"),
    ("moto.elbv2.models", "FakeTargetGroup", "register"),
    ("moto.elbv2.models", "FakeTargetGroup", "deregister"),
    ("moto.elbv2.models", "FakeTargetGroup", "health_for"),
    ("moto.elbv2.models", "FakeTargetGroup", "deregister_terminated_instances"),
)
_PREFIXES = {
    "EC2ContainerServiceResponse": "_response_",
    "EC2ContainerServiceBackend": "_backend_",
    "FakeTargetGroup": "_target_group_",
}


def install() -> None:
    """Extend moto's ECS (and elbv2 target groups) to behave like ECS. Safe to call twice.

    moto's own method stays on the class as ``_ecs_workbook_original_<method>``.
    """
    if installed():
        return
    for module_name, class_name, method in PATCHES:
        owner = getattr(importlib.import_module(module_name), class_name)
        original = owner.__dict__[method]
        replacement = globals()[_PREFIXES[class_name] + method.lstrip("_")]
        if isinstance(original, staticmethod):
            replacement = staticmethod(replacement)
        setattr(owner, _ORIGINAL + method, original)
        setattr(owner, method, replacement)
    setattr(ecs_models.EC2ContainerServiceBackend, _MARK, True)


def installed() -> bool:
    """True once :func:`install` has patched moto in this process."""
    return bool(getattr(ecs_models.EC2ContainerServiceBackend, _MARK, False))


def _original(owner: type, name: str) -> Callable[..., Any]:
    return getattr(owner, _ORIGINAL + name)


_Response = ecs_responses.EC2ContainerServiceResponse
_Backend = ecs_models.EC2ContainerServiceBackend
_TargetGroup = elbv2_models.FakeTargetGroup


# =============================================================================================
# small helpers: errors, task definitions, container instances
# =============================================================================================


def _invalid(message: str) -> ECSException:
    return InvalidParameterException(message)


def _from_scheduler(error: scheduler.ECSError) -> ECSException:
    return ECSException(error.code, error.message)


def _get_cluster(backend: Any, cluster_str: str | None) -> Any:
    name = (cluster_str or "default").split("/")[-1]
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ClusterNotFoundException()
    return cluster


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


def _describe_active_task_definition(backend: Any, task_definition_str: str | None) -> Any:
    """The named revision, or a family's latest ACTIVE one; INACTIVE ones cannot start tasks.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deregister-task-definition-v2.html
    """
    if not task_definition_str:
        raise _invalid("taskDefinition can not be blank.")
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


def _reserved(td: Any, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    try:
        return taskdef.reserved_resources(_task_definition_dict(td), overrides)
    except (taskdef.TaskDefinitionError, ValueError) as error:
        raise EcsClientException(str(error)) from None


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


def _remaining(ci: Any) -> dict[str, Any]:
    resources = ci.remaining_resources
    return {
        "CPU": int(_resource_entry(resources, "CPU").get("integerValue") or 0),
        "MEMORY": int(_resource_entry(resources, "MEMORY").get("integerValue") or 0),
        "PORTS": {int(p) for p in _resource_entry(resources, "PORTS").get("stringSetValue", [])},
        "PORTS_UDP": {
            int(p) for p in _resource_entry(resources, "PORTS_UDP").get("stringSetValue", [])
        },
    }


def _reserve(ci: Any, need: Mapping[str, Any]) -> None:
    resources = ci.remaining_resources
    _resource_entry(resources, "CPU")["integerValue"] -= int(need.get("CPU") or 0)
    _resource_entry(resources, "MEMORY")["integerValue"] -= int(need.get("MEMORY") or 0)
    for name in ("PORTS", "PORTS_UDP"):
        held = _resource_entry(resources, name)["stringSetValue"]
        held.extend(str(p) for p in need.get(name) or ())
    ci.running_tasks_count += 1


def _unreserve(ci: Any, need: Mapping[str, Any]) -> None:
    resources = ci.remaining_resources
    _resource_entry(resources, "CPU")["integerValue"] += int(need.get("CPU") or 0)
    _resource_entry(resources, "MEMORY")["integerValue"] += int(need.get("MEMORY") or 0)
    for name in ("PORTS", "PORTS_UDP"):
        held = _resource_entry(resources, name)["stringSetValue"]
        for port in need.get(name) or ():
            if str(port) in held:
                held.remove(str(port))
    ci.running_tasks_count = max(0, ci.running_tasks_count - 1)


def _find_container_instance(backend: Any, cluster_name: str, arn_or_id: str | None) -> Any:
    if not arn_or_id:
        return None
    key = arn_or_id.split("/")[-1]
    found = backend.container_instances.get(cluster_name, {}).get(key)
    if found is None:
        found = backend.container_instances.get("orphaned", {}).get(key)
    return found


def _cluster_tasks(backend: Any, cluster_name: str) -> Iterable[Any]:
    return backend.tasks.get(cluster_name, {}).values()


def _is_running(task: Any) -> bool:
    return task.desired_status == "RUNNING" and not getattr(task, "_wb_released", False)


def _instance_states(
    backend: Any, cluster_name: str, only: Any = None
) -> list[scheduler.InstanceState]:
    """The cluster's container instances (or just ``only``) as the scheduler sees them."""
    wanted = only.container_instance_arn if only is not None else None
    groups: dict[str, Counter[str]] = {}
    for task in _cluster_tasks(backend, cluster_name):
        arn = task.container_instance_arn
        if arn and _is_running(task) and (wanted is None or arn == wanted):
            groups.setdefault(arn, Counter())[task.group] += 1
    container_instances = (
        [only] if only is not None else backend.container_instances.get(cluster_name, {}).values()
    )
    return [
        scheduler.InstanceState(
            arn=ci.container_instance_arn,
            ec2_instance_id=ci.ec2_instance_id,
            remaining=_remaining(ci),
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


def _rng(backend: Any, cluster: Any) -> random.Random:
    """A placement tie-breaker that repeats run after run (seeded by cluster and call number)."""
    calls = getattr(backend, "_wb_placement_calls", 0) + 1
    backend._wb_placement_calls = calls
    return random.Random(f"{cluster.arn}#{calls}")


def _ecs_resource(name: str, value: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"doubleValue": 0.0, "longValue": 0, "name": name}
    if name.startswith("PORTS"):
        entry.update(integerValue=0, type="STRINGSET", stringSetValue=[str(p) for p in value or ()])
    else:
        entry.update(integerValue=int(value), type="INTEGER")
    return entry


# =============================================================================================
# RegisterTaskDefinition
# =============================================================================================


def _response_register_task_definition(self: Any) -> ActionResult:
    """Reject what ECS rejects (``taskdef.validate``), then let moto store the definition."""
    problems = taskdef.validate(self._get_params())
    if problems:
        raise EcsClientException(taskdef.rejection_message(problems))
    return _original(_Response, "register_task_definition")(self)


def _backend_validate_container_defs(
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


def _backend_calculate_task_resource_requirements(task_definition: Any) -> dict[str, Any]:
    """What a task reserves, by ECS's rules (task-level values, memoryReservation first)."""
    return _reserved(task_definition)


# =============================================================================================
# RegisterContainerInstance
# =============================================================================================


def _response_register_container_instance(self: Any) -> ActionResult:
    container_instance = register_container_instance(self.ecs_backend, self._get_params())
    return ActionResult({"containerInstance": container_instance})


def register_container_instance(backend: Any, request: Mapping[str, Any]) -> Any:
    """Register an EC2 instance as the agent does: its real resources and attributes.

    ``registeredResources``: CPU = vCPUs x 1024, MEMORY = what the OS reports less
    ``ECS_RESERVED_MEMORY`` (``instance_types``), PORTS = the agent's reserved ports, PORTS_UDP
    none; ``totalResources`` in the request replace these, as ECS takes what the agent reports.
    Attributes: ``ecs.*`` built-ins plus the request's ``attributes`` (``ECS_INSTANCE_ATTRIBUTES``).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterContainerInstance.html
    """
    cluster = _get_cluster(backend, request.get("cluster"))
    document_text = request.get("instanceIdentityDocument")
    if not document_text:
        raise _invalid(
            "instanceIdentityDocument is required: the ECS agent sends the EC2 instance identity "
            'document, e.g. \'{"instanceId": "i-0123456789abcdef0"}\'. Use '
            "ecs_workbook.instances.add_container_instances(...) to launch and register for you."
        )
    try:
        document = json.loads(document_text)
        ec2_instance_id = document["instanceId"]
    except (TypeError, ValueError, KeyError):
        raise _invalid(
            "instanceIdentityDocument must be the instance identity JSON with an 'instanceId', "
            'e.g. \'{"instanceId": "i-0123456789abcdef0"}\'.'
        ) from None
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    instance = ec2.get_instance_by_id(ec2_instance_id)
    if instance is None:
        raise _invalid(
            f"The EC2 instance {ec2_instance_id} does not exist in this account and Region; "
            "launch it with ec2.run_instances first."
        )
    ci = backend.register_container_instance(cluster.name, ec2_instance_id)
    _configure_container_instance(ci, instance, request)
    reconcile_cluster(backend, cluster)
    return ci


def _configure_container_instance(ci: Any, instance: Any, request: Mapping[str, Any]) -> None:
    try:
        kind = instance_types.lookup(instance.instance_type)
        cpu_units = kind.cpu_units
        memory_mib = kind.registered_memory_mib(_reserved_memory_mib(instance))
        architecture = kind.architecture
    except instance_types.UnknownInstanceTypeError:
        cpu_units, memory_mib, architecture = 4096, 7482, instance.architecture or "x86_64"
    registered: dict[str, Any] = {
        "CPU": cpu_units,
        "MEMORY": memory_mib,
        "PORTS": list(AGENT_RESERVED_PORTS),
        "PORTS_UDP": list(AGENT_RESERVED_PORTS_UDP),
    }
    for resource in request.get("totalResources") or ():
        name = resource.get("name")
        if name in ("CPU", "MEMORY"):
            registered[name] = int(resource.get("integerValue") or 0)
        elif name in ("PORTS", "PORTS_UDP"):
            registered[name] = [int(p) for p in resource.get("stringSetValue") or ()]
    ci.registered_resources = [_ecs_resource(n, v) for n, v in registered.items()]
    ci.remaining_resources = [_ecs_resource(n, v) for n, v in registered.items()]
    windows = instance.platform == "windows"
    attributes = {
        "ecs.ami-id": instance.image_id,
        "ecs.availability-zone": instance.availability_zone,
        "ecs.instance-type": instance.instance_type,
        "ecs.os-type": "windows" if windows else "linux",
        "ecs.os-family": "WINDOWS_SERVER" if windows else "LINUX",
        "ecs.cpu-architecture": architecture,
    }
    if instance.vpc_id:
        attributes["ecs.vpc-id"] = instance.vpc_id
    if instance.subnet_id:
        attributes["ecs.subnet-id"] = instance.subnet_id
    for attribute in request.get("attributes") or ():
        attributes[attribute["name"]] = attribute.get("value")
    ci.attributes = attributes
    if request.get("versionInfo"):
        ci.version_info = {**ci.version_info, **request["versionInfo"]}
    ci._wb_dynamic_ports = set()


def _reserved_memory_mib(instance: Any) -> int:
    """``ECS_RESERVED_MEMORY`` from the instance's user data, as the agent reads ecs.config."""
    user_data = instance.user_data
    if isinstance(user_data, list):
        user_data = user_data[0] if user_data else ""
    if hasattr(user_data, "decode") and not isinstance(user_data, bytes | str):
        text = user_data.decode()  # moto's Base64EncodedString
    else:
        text = user_data.decode("utf-8", "replace") if isinstance(user_data, bytes) else user_data
        with contextlib.suppress(ValueError, TypeError):
            text = base64.b64decode(text or "", validate=True).decode("utf-8", "replace")
    match = re.search(r"ECS_RESERVED_MEMORY=(\d+)", text or "")
    return int(match.group(1)) if match else 0


# =============================================================================================
# RunTask / StartTask / StopTask
# =============================================================================================


def _response_run_task(self: Any) -> ActionResult:
    tasks, failures = run_task(self.ecs_backend, self._get_params())
    return ActionResult({"tasks": tasks, "failures": failures})


def _response_start_task(self: Any) -> ActionResult:
    tasks, failures = start_task(self.ecs_backend, self._get_params())
    return ActionResult({"tasks": tasks, "failures": failures})


def _resolve_launch(cluster: Any, request: Mapping[str, Any]) -> tuple[bool, str, str | None]:
    """(uses Fargate, launchType to report, capacity provider name) as ECS resolves them."""
    launch_type = request.get("launchType")
    strategy = request.get("capacityProviderStrategy")
    if launch_type and launch_type not in ("EC2", "FARGATE", "EXTERNAL"):
        raise _invalid("launch type should be one of [EC2,FARGATE,EXTERNAL]")
    if launch_type and strategy:
        raise _invalid("Specify either Launch Type or Capacity Provider Strategy, but not both.")
    if not launch_type and not strategy:
        strategy = cluster.default_capacity_provider_strategy
    provider = strategy[0]["capacityProvider"] if strategy else None
    fargate = launch_type == "FARGATE" or provider in ("FARGATE", "FARGATE_SPOT")
    if fargate:
        return True, "FARGATE", provider
    return False, launch_type or ("" if provider else "EC2"), provider


def _check_fargate(backend: Any, td: Any, network_configuration: Any) -> None:
    """A Fargate task needs a FARGATE-compatible definition and a valid awsvpc configuration."""
    if "FARGATE" not in (td.requires_compatibilities or []):
        raise _invalid("Task definition does not support launch_type FARGATE.")
    _check_network_configuration(backend, td, network_configuration)


def _check_network_configuration(backend: Any, td: Any, network_configuration: Any) -> Any:
    if td.network_mode != "awsvpc":
        return network_configuration
    vpc = (network_configuration or {}).get("awsvpcConfiguration")
    if not vpc:
        raise _invalid(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    subnets = vpc.get("subnets") or []
    if not subnets:
        raise _invalid("subnets can not be empty.")
    from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError, InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    try:
        ec2.describe_subnets(subnet_ids=subnets)
    except InvalidSubnetIdError as error:
        raise _invalid(
            f"Error retrieving subnet information for [{', '.join(subnets)}]: {error.message} "
            "(ErrorCode: InvalidSubnetID.NotFound)"
        ) from None
    groups = vpc.get("securityGroups") or []
    if groups:
        try:
            ec2.describe_security_groups(group_ids=groups)
        except InvalidSecurityGroupNotFoundError:
            raise _invalid(
                f"Error retrieving security group information for [{', '.join(groups)}]: "
                "The security group does not exist (ErrorCode: InvalidGroup.NotFound)"
            ) from None
    return {"awsvpcConfiguration": {**vpc, "securityGroups": groups}}


def run_task(backend: Any, request: Mapping[str, Any]) -> tuple[list[Any], list[dict]]:
    """ECS's RunTask: validate, place with the scheduler, start the tasks; (tasks, failures).

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
    """
    cluster = _get_cluster(backend, request.get("cluster"))
    count = request.get("count", 1)
    try:
        scheduler.check_run_task_count(int(count) if count is not None else 1)
    except scheduler.ECSError as error:
        raise _from_scheduler(error) from None
    count = int(count)
    td = _describe_active_task_definition(backend, request.get("taskDefinition"))
    fargate, launch_type, provider = _resolve_launch(cluster, request)
    overrides = request.get("overrides") or {}
    need = _reserved(td, overrides)
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
        _check_fargate(backend, td, request.get("networkConfiguration"))
        network = _check_network_configuration(backend, td, request.get("networkConfiguration"))
        tasks = [
            _create_task(backend, cluster, td, None, need, network_configuration=network, **common)
            for _ in range(count)
        ]
        return tasks, []
    network = _check_network_configuration(backend, td, request.get("networkConfiguration"))
    constraints = list(td.placement_constraints or []) + list(
        request.get("placementConstraints") or []
    )
    try:
        plan = scheduler.place_tasks(
            _instance_states(backend, cluster.name),
            need,
            count,
            placement_strategy=request.get("placementStrategy"),
            placement_constraints=constraints,
            group=group,
            rng=_rng(backend, cluster),
            default="runtask",
        )
    except scheduler.ECSError as error:
        raise _from_scheduler(error) from None
    tasks = []
    for arn in plan.placements:
        ci = _find_container_instance(backend, cluster.name, arn)
        tasks.append(
            _create_task(backend, cluster, td, ci, need, network_configuration=network, **common)
        )
    return tasks, plan.failures


def start_task(backend: Any, request: Mapping[str, Any]) -> tuple[list[Any], list[dict]]:
    """ECS's StartTask: one task on each named instance that is ACTIVE and has room.

    Instances that are unknown fail with ``MISSING``; ones that are not ACTIVE (DRAINING
    included: only ACTIVE instances accept placements) with ``INACTIVE``; ones without the CPU,
    memory or ports with ``RESOURCE:*``, like RunTask. Strategies do not apply: you chose.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StartTask.html
    """
    cluster = _get_cluster(backend, request.get("cluster"))
    td = _describe_active_task_definition(backend, request.get("taskDefinition"))
    names = list(request.get("containerInstances") or [])
    if not names:
        raise EcsClientException("Container Instances cannot be empty.")
    if len(names) > 10:
        raise _invalid(
            f"containerInstances names {len(names)} instances; StartTask accepts at most 10. "
            "Call StartTask again for the others."
        )
    overrides = request.get("overrides") or {}
    need = _reserved(td, overrides)
    group = request.get("group") or f"family:{td.family}"
    network = _check_network_configuration(backend, td, request.get("networkConfiguration"))
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
            plan = scheduler.place_tasks(
                _instance_states(backend, cluster.name, only=ci),
                need,
                1,
                group=group,
                rng=_rng(backend, cluster),
                default="runtask",
            )
        except scheduler.ECSError as error:
            raise _from_scheduler(error) from None
        if not plan.placements:
            failures.extend(plan.failures)
            continue
        tasks.append(
            _create_task(
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


def _create_task(
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
        _reserve(ci, need)
    _build_containers(task, td, ci)
    if service is not None:
        _register_targets(backend, service, task)
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
    remaining = _remaining(ci)
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
    ci = _find_container_instance(backend, task.cluster_name, task.container_instance_arn)
    if ci is not None and task.resource_requirements is not None:
        _unreserve(ci, task.resource_requirements)
        dynamic = getattr(ci, "_wb_dynamic_ports", set())
        dynamic.difference_update(getattr(task, "_wb_dynamic_ports", []))
    _deregister_targets(backend, task)


def _mark_stopped(task: Any, reason: str, stop_code: str) -> None:
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


def _backend_create_cluster(self: Any, cluster_name: str, *args: Any, **kwargs: Any) -> Any:
    """CreateCluster, with empty instance and task tables (moto raises KeyError without them)."""
    cluster = _original(_Backend, "create_cluster")(self, cluster_name, *args, **kwargs)
    self.container_instances.setdefault(cluster.name, {})
    self.tasks.setdefault(cluster.name, {})
    return cluster


def _backend_stop_task(self: Any, cluster_str: str, task_str: str, reason: str | None) -> Any:
    """ECS's StopTask: frees resources exactly once; a service task is then replaced."""
    cluster = _get_cluster(self, cluster_str)
    task_id = (task_str or "").split("/")[-1]
    task = next(
        (t for arn, t in self.tasks.get(cluster.name, {}).items() if arn.split("/")[-1] == task_id),
        None,
    )
    if task is None or not task_id:
        raise _invalid("The referenced task was not found.")
    if task.desired_status == "STOPPED" and getattr(task, "_wb_released", False):
        return task
    release_task(self, task)
    _mark_stopped(task, reason or "", "UserInitiated")
    service = _service_of(self, task)
    if service is not None:
        reconcile_service(self, service)
    return task


def _backend_list_tasks(
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
    tasks = _original(_Backend, "list_tasks")(
        self, cluster_str, container_instance, family, started_by, None, desiredStatus
    )
    if cluster_str:
        name = cluster_str.split("/")[-1]
        tasks = [t for t in tasks if t.cluster_name == name]
    if service_name:
        group = f"service:{service_name.split('/')[-1]}"
        tasks = [t for t in tasks if t.group == group]
    return tasks


def _backend_describe_clusters(self: Any, cluster_names: list[str]) -> tuple[list, list]:
    """DescribeClusters with counters recomputed from what runs (moto's drift and go negative)."""
    clusters, failures = _original(_Backend, "describe_clusters")(self, cluster_names)
    for cluster in clusters:
        refresh_cluster_counters(self, cluster)
    return clusters, failures


def refresh_cluster_counters(backend: Any, cluster: Any) -> None:
    running = [t for t in _cluster_tasks(backend, cluster.name) if _is_running(t)]
    cluster.running_tasks_count = sum(1 for t in running if t.last_status != "PENDING")
    cluster.pending_tasks_count = sum(1 for t in running if t.last_status == "PENDING")
    cluster.active_services_count = sum(
        1
        for s in backend.services.values()
        if s.cluster_name == cluster.name and s.status == "ACTIVE"
    )
    cluster.registered_container_instances_count = len(
        backend.container_instances.get(cluster.name, {})
    )


def _backend_update_container_instances_state(
    self: Any, cluster_str: str, list_container_instance_ids: list[str], status: str
) -> tuple[list, list]:
    """Draining makes services replace their tasks elsewhere (within min/max healthy percent)."""
    result = _original(_Backend, "update_container_instances_state")(
        self, cluster_str, list_container_instance_ids, status
    )
    reconcile_cluster(self, _get_cluster(self, cluster_str))
    return result


def _backend_deregister_container_instance(
    self: Any, cluster_str: str, container_instance_str: str, force: bool
) -> Any:
    """Deregistration: unknown instances are an ECS error; services replace lost tasks."""
    cluster = _get_cluster(self, cluster_str)
    key = (container_instance_str or "").split("/")[-1]
    if key not in self.container_instances.get(cluster.name, {}):
        raise _invalid(
            f"The container instance {container_instance_str} is not registered in cluster "
            f"{cluster.name}. List them with list_container_instances."
        )
    ci = _original(_Backend, "deregister_container_instance")(
        self, cluster_str, container_instance_str, force
    )
    ci.status = "INACTIVE"
    reconcile_cluster(self, cluster)
    return ci


# =============================================================================================
# Services
# =============================================================================================


def _response_create_service(self: Any) -> ActionResult:
    return ActionResult({"service": create_service(self.ecs_backend, self._get_params())})


def _response_update_service(self: Any) -> ActionResult:
    return ActionResult({"service": update_service(self.ecs_backend, self._get_params())})


def _response_delete_service(self: Any) -> ActionResult:
    request = self._get_params()
    service = delete_service(
        self.ecs_backend,
        request.get("cluster", "default"),
        request.get("service"),
        bool(request.get("force")),
    )
    return ActionResult({"service": service})


def _service_not_active() -> ECSException:
    return ECSException("ServiceNotActiveException", "Service was not ACTIVE.")


def _find_service(backend: Any, cluster: Any, service_str: str | None) -> Any:
    name = (service_str or "").split("/")[-1]
    service = backend.services.get(f"{cluster.name}:{name}")
    if service is None:
        raise ServiceNotFoundException()
    return service


def _service_of(backend: Any, task: Any) -> Any:
    key = getattr(task, "_wb_service", None)
    return backend.services.get(key) if key else None


def _check_deployment_configuration(
    strategy: str, configuration: Mapping[str, Any] | None
) -> dict[str, Any]:
    defaults = DAEMON_DEPLOYMENT_DEFAULTS if strategy == "DAEMON" else REPLICA_DEPLOYMENT_DEFAULTS
    merged = {
        **defaults,
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        **dict(configuration or {}),
    }
    if strategy == "DAEMON" and merged["maximumPercent"] > 100:
        raise _invalid(
            "The daemon scheduling strategy does not support values above 100 for maximumPercent "
            "on a deployment configuration. Change the maximumPercent value to 100, and try again"
        )
    if merged["minimumHealthyPercent"] < 0 or merged["maximumPercent"] < 0:
        raise _invalid("minimumHealthyPercent and maximumPercent must not be negative.")
    return merged


def _check_placement(strategy: Any, constraints: Any, scheduling: str) -> None:
    try:
        scheduler.parse_strategies(strategy, "service")
        scheduler.parse_constraints(constraints)
    except scheduler.ECSError as error:
        raise _from_scheduler(error) from None
    if scheduling == "DAEMON" and strategy:
        raise _invalid("The daemon scheduling strategy does not support placement strategies.")


def _check_load_balancers(backend: Any, td: Any, load_balancers: Any) -> None:
    """Each target group must exist and name a container port of the task definition."""
    if not load_balancers or td is None:
        return
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[backend.account_id][backend.region_name]
    for lb in load_balancers:
        name, port = lb.get("containerName"), lb.get("containerPort")
        definition = next((c for c in td.container_definitions if c.get("name") == name), None)
        ports = [m.get("containerPort") for m in (definition or {}).get("portMappings") or ()]
        if definition is None or port not in ports:
            raise _invalid(f"The container {name} did not have a container port {port} defined.")
        arn = lb.get("targetGroupArn")
        if arn and arn not in elbv2.target_groups:
            raise _invalid(f"The target group {arn} does not exist.")


def create_service(backend: Any, request: Mapping[str, Any]) -> Any:
    """ECS's CreateService: validate, store every setting, then start the tasks.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
    """
    cluster = _get_cluster(backend, request.get("cluster"))
    name = request.get("serviceName")
    if not name:
        raise _invalid("serviceName can not be blank.")
    existing = backend.services.get(f"{cluster.name}:{name}")
    if existing is not None and existing.status != "INACTIVE":
        raise _invalid("Creation of service was not idempotent.")
    scheduling = request.get("schedulingStrategy") or "REPLICA"
    desired = request.get("desiredCount")
    controller = (request.get("deploymentController") or {}).get("type", "ECS")
    if scheduling == "DAEMON":
        if desired is not None:
            raise _invalid(
                "The daemon scheduling strategy does not support a desired count for services. "
                "Remove the desired count value and try again"
            )
        if request.get("launchType") == "FARGATE":
            raise _invalid("The daemon scheduling strategy is not supported on Fargate.")
    elif desired is None:
        raise _invalid(
            "desiredCount is required for a REPLICA service: how many copies of the task to keep "
            "running (0 is allowed)."
        )
    elif int(desired) < 0:
        raise _invalid(f"desiredCount must not be negative (got {desired}).")
    td = None
    if request.get("taskDefinition"):
        td = _describe_active_task_definition(backend, request["taskDefinition"])
    elif controller == "ECS":
        raise _invalid("taskDefinition is required for a service that the ECS controller deploys.")
    deployment_configuration = _check_deployment_configuration(
        scheduling, request.get("deploymentConfiguration")
    )
    _check_placement(
        request.get("placementStrategy"), request.get("placementConstraints"), scheduling
    )
    providers = request.get("capacityProviderStrategy") or []
    launch_type = request.get("launchType")
    if launch_type and providers:
        raise _invalid("Specify either Launch Type or Capacity Provider Strategy, but not both.")
    if not launch_type and not providers:
        providers = list(cluster.default_capacity_provider_strategy or [])
    fargate = launch_type == "FARGATE" or any(
        p.get("capacityProvider") in ("FARGATE", "FARGATE_SPOT") for p in providers
    )
    network = request.get("networkConfiguration")
    if td is not None:
        if fargate:
            _check_fargate(backend, td, network)
        network = _check_network_configuration(backend, td, network)
    _check_load_balancers(backend, td, request.get("loadBalancers"))

    service = backend.create_service(
        cluster.name,
        name,
        int(desired or 0),
        td.arn if td is not None else None,
        request.get("loadBalancers"),
        scheduling,
        request.get("tags"),
        request.get("deploymentController"),
        launch_type or ("FARGATE" if fargate and not providers else None) or "EC2",
        network_configuration=network,
        service_registries=request.get("serviceRegistries"),
        platform_version=request.get("platformVersion"),
        propagate_tags=request.get("propagateTags") or "NONE",
        role_arn=request.get("role"),
    )
    if providers:
        service.launch_type = None
    service.capacity_provider_strategy = providers
    service.deployment_configuration = deployment_configuration
    service.placement_strategy = list(request.get("placementStrategy") or [])
    service.placement_constraints = list(request.get("placementConstraints") or [])
    service.health_check_grace_period_seconds = request.get("healthCheckGracePeriodSeconds")
    service.enable_execute_command = bool(request.get("enableExecuteCommand"))
    service.enable_ecs_managed_tags = bool(request.get("enableECSManagedTags"))
    service.created_at = utcnow()
    service.events = []
    service.running_count = 0
    service.pending_count = 0
    service._wb_fargate = fargate
    for deployment in service.deployments:
        deployment.update(_deployment_fields(service, deployment["id"]))
    reconcile_service(backend, service)
    return service


def _deployment_fields(service: Any, deployment_id: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": service.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "capacityProviderStrategy": service.capacity_provider_strategy or None,
        "networkConfiguration": service.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }


def _new_deployment(service: Any) -> None:
    deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
    for deployment in service.deployments:
        deployment["status"] = "ACTIVE"
    service.deployments.insert(0, _deployment_fields(service, deployment_id))


def update_service(backend: Any, request: Mapping[str, Any]) -> Any:
    """ECS's UpdateService: new settings; a new task definition (or forceNewDeployment) rolls out.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
    """
    cluster = _get_cluster(backend, request.get("cluster"))
    service = _find_service(backend, cluster, request.get("service"))
    if service.status != "ACTIVE":
        raise _service_not_active()
    if request.get("desiredCount") is not None:
        if service.scheduling_strategy == "DAEMON":
            raise _invalid(
                "The daemon scheduling strategy does not support a desired count for services. "
                "Remove the desired count value and try again"
            )
        if int(request["desiredCount"]) < 0:
            raise _invalid(f"desiredCount must not be negative (got {request['desiredCount']}).")
    td = None
    if request.get("taskDefinition"):
        td = _describe_active_task_definition(backend, request["taskDefinition"])
        if getattr(service, "_wb_fargate", False):
            _check_fargate(
                backend, td, request.get("networkConfiguration") or service.network_configuration
            )
    if request.get("deploymentConfiguration") is not None:
        service.deployment_configuration = _check_deployment_configuration(
            service.scheduling_strategy,
            {
                **getattr(service, "deployment_configuration", {}),
                **request["deploymentConfiguration"],
            },
        )
    if "placementStrategy" in request or "placementConstraints" in request:
        _check_placement(
            request.get("placementStrategy", getattr(service, "placement_strategy", None)),
            request.get("placementConstraints", getattr(service, "placement_constraints", None)),
            service.scheduling_strategy,
        )
    simple = {
        "placementStrategy": "placement_strategy",
        "placementConstraints": "placement_constraints",
        "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
        "enableExecuteCommand": "enable_execute_command",
        "capacityProviderStrategy": "capacity_provider_strategy",
        "platformVersion": "platform_version",
        "propagateTags": "propagate_tags",
        "serviceRegistries": "service_registries",
        "enableECSManagedTags": "enable_ecs_managed_tags",
    }
    for key, attribute in simple.items():
        if request.get(key) is not None:
            setattr(service, attribute, request[key])
    if request.get("networkConfiguration") is not None:
        probe = td or backend.describe_task_definition(service.task_definition)
        service.network_configuration = _check_network_configuration(
            backend, probe, request["networkConfiguration"]
        )
    if request.get("loadBalancers") is not None:
        probe = td or backend.describe_task_definition(service.task_definition)
        _check_load_balancers(backend, probe, request["loadBalancers"])
        service.load_balancers = request["loadBalancers"]
    if request.get("desiredCount") is not None:
        service.desired_count = int(request["desiredCount"])
        if service.deployments:
            service.deployments[0]["desiredCount"] = service.desired_count
    if (td is not None and td.arn != service.task_definition) or request.get("forceNewDeployment"):
        if td is not None:
            service.task_definition = td.arn
        _new_deployment(service)
    reconcile_service(backend, service)
    return service


def delete_service(backend: Any, cluster_str: str, service_str: str, force: bool) -> Any:
    """ECS's DeleteService: refused while scaled above 0 unless forced; stops the service's tasks.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteService.html
    """
    cluster = _get_cluster(backend, cluster_str)
    service = _find_service(backend, cluster, service_str)
    if service.status != "ACTIVE":
        raise _service_not_active()
    if service.scheduling_strategy != "DAEMON" and service.desired_count > 0 and not force:
        raise _invalid("The service cannot be stopped while it is scaled above 0.")
    for task in _service_tasks(backend, service):
        _stop_service_task(backend, task, "Service deleted")
    service.desired_count = 0
    service.running_count = 0
    service.pending_count = 0
    service.status = "INACTIVE"
    for deployment in service.deployments:
        deployment.update(runningCount=0, pendingCount=0, desiredCount=0, updatedAt=utcnow())
    return service


def _service_tasks(backend: Any, service: Any) -> list[Any]:
    key = f"{service.cluster_name}:{service.name}"
    return [
        t
        for t in _cluster_tasks(backend, service.cluster_name)
        if getattr(t, "_wb_service", None) == key and _is_running(t)
    ]


def _stop_service_task(backend: Any, task: Any, reason: str) -> None:
    release_task(backend, task)
    _mark_stopped(task, reason, "ServiceSchedulerInitiated")


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
    for task in _service_tasks(backend, service):
        arn = task.container_instance_arn
        if arn and arn.split("/")[-1] not in present:
            # The instance left the cluster: its tasks are lost and get replaced.
            _stop_service_task(backend, task, "Container instance deregistered")
    current = [t for t in _service_tasks(backend, service) if _is_current(backend, service, t)]
    if len(current) > desired:
        _scale_in(backend, cluster, service, current, len(current) - desired)
    while True:
        tasks = _service_tasks(backend, service)
        current = [t for t in tasks if _is_current(backend, service, t)]
        old = [t for t in tasks if not _is_current(backend, service, t)]
        progressed = False
        # maximumPercent caps RUNNING tasks only while old ones are being replaced.
        ceiling = most_running if old else max(most_running, desired)
        room = min(ceiling - len(tasks), desired - len(current))
        if room > 0:
            progressed = _start_service_tasks(backend, cluster, service, room) > 0
        tasks = _service_tasks(backend, service)
        old = [t for t in tasks if not _is_current(backend, service, t)]
        can_stop = min(len(tasks) - least_running, len(old))
        if can_stop > 0:
            old.sort(key=lambda t: _draining_first(backend, t))
            stopped = old[:can_stop]
            for task in stopped:
                _stop_service_task(backend, task, _scaling_reason(service))
            _event(service, _stopped_message(service, stopped))
            progressed = True
        if not progressed:
            break
    tasks = _service_tasks(backend, service)
    current = [t for t in tasks if _is_current(backend, service, t)]
    old = [t for t in tasks if not _is_current(backend, service, t)]
    start_blocked = min(most_running - len(tasks), desired - len(current)) <= 0
    stop_blocked = len(tasks) - least_running <= 0
    if old and start_blocked and stop_blocked:
        _event(
            service,
            f"(service {service.name}) was unable to stop or start tasks during a deployment "
            "because of the service deployment configuration. Update the minimumHealthyPercent "
            "or maximumPercent value and try again.",
        )


def _draining_first(backend: Any, task: Any) -> int:
    ci = _find_container_instance(backend, task.cluster_name, task.container_instance_arn)
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
            _instance_states(backend, cluster.name),
            count,
            service.placement_strategy or None,
            rng=_rng(backend, cluster),
            need=_reserved(td),
        )
    chosen = [t for t in current if t.task_arn in set(chosen_arns)]
    chosen.extend(fargate[: count - len(chosen)])
    for task in chosen:
        _stop_service_task(backend, task, _scaling_reason(service))
    if chosen:
        _event(service, _stopped_message(service, chosen))


def _start_service_tasks(backend: Any, cluster: Any, service: Any, count: int) -> int:
    """Start up to ``count`` tasks of the PRIMARY deployment; an event says what failed."""
    td = backend.describe_task_definition(service.task_definition)
    deployment = service.deployments[0]
    need = _reserved(td)
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
            _create_task(
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
        _event(service, _started_message(service, tasks))
        return len(tasks)
    constraints = list(td.placement_constraints or []) + list(service.placement_constraints or [])
    try:
        plan = scheduler.place_tasks(
            _instance_states(backend, cluster.name),
            need,
            count,
            placement_strategy=service.placement_strategy or None,
            placement_constraints=constraints,
            group=group,
            rng=_rng(backend, cluster),
            default="service",
        )
    except scheduler.InvalidParameterException as error:
        if error.message == scheduler.NO_CONTAINER_INSTANCES:
            _event(service, _unable_message(service, []))
            return 0
        raise _from_scheduler(error) from None
    except scheduler.ECSError as error:
        raise _from_scheduler(error) from None
    tasks = [
        _create_task(
            backend,
            cluster,
            td,
            _find_container_instance(backend, cluster.name, arn),
            need,
            launch_type=service.launch_type or "EC2",
            **common,
        )
        for arn in plan.placements
    ]
    if tasks:
        _event(service, _started_message(service, tasks))
    if len(tasks) < count:
        _event(service, _unable_message(service, plan.failures))
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
    constraints = list(td.placement_constraints or []) + list(service.placement_constraints or [])
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
    need = _reserved(td)
    group = f"service:{service.name}"
    deployment = service.deployments[0]
    states = _instance_states(backend, cluster.name)
    eligible = {s.arn for s in states if _eligible_for_daemon(service, td, s)}
    service.desired_count = len(eligible)
    deployment["desiredCount"] = service.desired_count
    stopped = []
    for task in _service_tasks(backend, service):
        if task.container_instance_arn not in eligible:
            _stop_service_task(backend, task, _scaling_reason(service))
            stopped.append(task)
    started = []
    failures: list[dict] = []
    for arn in sorted(eligible):
        here = [t for t in _service_tasks(backend, service) if t.container_instance_arn == arn]
        if any(t.started_by == deployment["id"] for t in here):
            continue
        for task in here:
            _stop_service_task(backend, task, _scaling_reason(service))
            stopped.append(task)
        ci = _find_container_instance(backend, cluster.name, arn)
        plan = scheduler.place_tasks(
            _instance_states(backend, cluster.name, only=ci),
            need,
            1,
            group=group,
            rng=_rng(backend, cluster),
            default="service",
        )
        if not plan.placements:
            failures = plan.failures
            continue
        started.append(
            _create_task(
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
        _event(service, _stopped_message(service, stopped))
    if started:
        _event(service, _started_message(service, started))
    if failures:
        _event(service, _unable_message(service, failures))


def _refresh_service_counts(backend: Any, service: Any, changed: bool) -> None:
    tasks = _service_tasks(backend, service)
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
        _event(
            service, f"(service {service.name}) (deployment {primary['id']}) deployment completed."
        )
        changed = True
    elif not steady:
        primary["rolloutState"] = "IN_PROGRESS"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} in progress."
    if steady and changed:
        _event(service, f"(service {service.name}) has reached a steady state.")


# --- service events --------------------------------------------------------------------------


def _event(service: Any, message: str) -> None:
    """Add a service event (newest first), unless it repeats the latest one."""
    if service.events and service.events[0]["message"] == message:
        return
    service.events.insert(
        0, {"id": str(mock_random.uuid4()), "createdAt": utcnow(), "message": message}
    )
    del service.events[MAX_SERVICE_EVENTS:]


def _task_ids(tasks: Iterable[Any]) -> str:
    return " ".join(f"(task {t.id})" for t in tasks)


def _started_message(service: Any, tasks: list[Any]) -> str:
    return f"(service {service.name}) has started {len(tasks)} tasks: {_task_ids(tasks)}."


def _stopped_message(service: Any, tasks: list[Any]) -> str:
    return f"(service {service.name}) has stopped {len(tasks)} running tasks: {_task_ids(tasks)}."


def _unable_message(service: Any, failures: list[dict]) -> str:
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


# =============================================================================================
# Load balancers: register service tasks as elbv2 targets
# =============================================================================================


def _register_targets(backend: Any, service: Any, task: Any) -> None:
    """Register the task with each of the service's target groups, as ECS does when it starts.

    Bridge/host tasks register the instance and the host port bound to the container port
    (a dynamic one for ``hostPort`` 0); awsvpc tasks register their ENI's private IP.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
    """
    if not service.load_balancers:
        return
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[backend.account_id][backend.region_name]
    for lb in service.load_balancers:
        target_group = elbv2.target_groups.get(lb.get("targetGroupArn") or "")
        if target_group is None:
            continue
        target = _target_for(task, lb)
        if target is None:
            continue
        target_group.register([target])
        task._wb_targets.append((target_group.arn, target))
        _event(
            service,
            f"(service {service.name}) registered 1 targets in (target-group {target_group.arn})",
        )


def _target_for(task: Any, lb: Mapping[str, Any]) -> dict[str, Any] | None:
    """The elbv2 target for this task: ENI IP (awsvpc) or instance id + bound host port."""
    for attachment in task.attachments:
        for detail in attachment.get("details", []):
            if detail["name"] == "privateIPv4Address":
                return {"Id": detail["value"], "Port": lb.get("containerPort")}
    for container in task.containers:
        if container.name != lb.get("containerName"):
            continue
        for binding in getattr(container, "network_bindings", []):
            if binding["containerPort"] == lb.get("containerPort"):
                return {"Id": _ec2_id_of(task), "Port": binding["hostPort"]}
    return None


def _ec2_id_of(task: Any) -> str:
    ci = _find_container_instance(task._backend, task.cluster_name, task.container_instance_arn)
    return ci.ec2_instance_id if ci is not None else ""


def _deregister_targets(backend: Any, task: Any) -> None:
    targets = getattr(task, "_wb_targets", [])
    if not targets:
        return
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[backend.account_id][backend.region_name]
    for target_group_arn, target in targets:
        target_group = elbv2.target_groups.get(target_group_arn)
        if target_group is not None and _target_key(target, target_group) in target_group.targets:
            target_group.deregister([target])
    task._wb_targets = []


def _target_key(target: Mapping[str, Any], target_group: Any) -> str:
    return f"{target['Id']}:{target.get('Port') or target_group.port}"


def _target_group_register(self: Any, targets: list[dict[str, Any]]) -> None:
    """elbv2 keys targets by id *and port* (moto keys by id, so two tasks on one host collide)."""
    from moto.elbv2.exceptions import TargetNotRunning

    for target in targets:
        instance = self.ec2_backend.get_instance_by_id(target["Id"])
        if instance is not None and instance.state != "running":
            raise TargetNotRunning(instance_id=target["Id"])
        key = _target_key(target, self)
        self.targets[key] = {"Id": target["Id"], "Port": target.get("Port") or self.port}
        self.deregistered_targets.pop(target["Id"], None)


def _target_group_deregister(self: Any, targets: list[dict[str, Any]]) -> None:
    from moto.elbv2.exceptions import InvalidTargetError

    for target in targets:
        if target.get("Port"):
            keys = [_target_key(target, self)]
        else:
            keys = [k for k, t in self.targets.items() if t["Id"] == target["Id"]]
        popped = [self.targets.pop(k) for k in keys if k in self.targets]
        if not popped:
            raise InvalidTargetError()
        self.deregistered_targets[target["Id"]] = popped[-1]


def _target_group_health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
    key = _target_key(target, self)
    registered = self.targets.get(key)
    if registered is None and "Port" not in target:
        registered = next((t for t in self.targets.values() if t["Id"] == target["Id"]), None)
    if registered is None:
        return _original(_TargetGroup, "health_for")(self, target, ec2_backend)
    if registered["Id"].startswith("i-"):
        instance = ec2_backend.get_instance_by_id(registered["Id"])
        if instance is not None and instance.state == "stopped":
            return elbv2_models.FakeHealthStatus(
                registered["Id"],
                registered["Port"],
                self.health_check_port,
                "unused",
                "Target.InvalidState",
                "Target is in the stopped state",
            )
    return elbv2_models.FakeHealthStatus(
        registered["Id"], registered["Port"], self.health_check_port, "healthy"
    )


def _target_group_deregister_terminated_instances(self: Any, instance_ids: list[str]) -> None:
    for key in list(self.targets):
        if self.targets[key]["Id"] in instance_ids:
            self.terminated_targets[self.targets[key]["Id"]] = self.targets.pop(key)
