"""The moto internals ecs_workbook.engine relies on are still where the engine expects them.

moto's models are not a public API. The engine was written against moto 5.2.5 (pyproject caps moto
below 5.3 for this reason). When a moto upgrade moves something, these tests fail first and say
exactly what moved, instead of an engine call failing somewhere inside a notebook.
"""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import version

import pytest

from ecs_workbook import engine

MOTO_VERSION = version("moto")


def _moved(what: str) -> str:
    return (
        f"moto {MOTO_VERSION}: {what}. ecs_workbook.engine was written and tested against moto "
        f"{engine.TESTED_MOTO_VERSION}; update the engine (and TESTED_MOTO_VERSION) or pin moto."
    )


def _attribute(module_name: str, *path: str):
    obj = importlib.import_module(module_name)
    for name in path:
        if not hasattr(obj, name):
            pytest.fail(_moved(f"{module_name}.{'.'.join(path)} no longer exists ({name} is gone)"))
        obj = getattr(obj, name)
    return obj


def _parameters(function) -> list[str]:
    return [p for p in inspect.signature(function).parameters if p != "self"]


def _assigned_in_init(cls) -> str:
    return inspect.getsource(cls.__init__)


def test_moto_is_the_5_2_series_the_engine_was_tested_with():
    assert MOTO_VERSION.startswith("5.2."), _moved(
        "the installed moto is outside 5.2.x, the series the engine's patches were checked on"
    )


@pytest.mark.parametrize(("module", "cls", "method"), engine.PATCHES)
def test_every_patched_method_still_exists(module, cls, method):
    owner = _attribute(module, cls)
    # Once installed, the engine keeps moto's own method beside its replacement.
    present = f"_ecs_workbook_original_{method}" if engine.installed() else method
    assert present in owner.__dict__, _moved(
        f"{module}.{cls}.{method}, which the engine replaces, is gone"
    )


# Methods the engine calls with these parameters, in this order (positional calls included).
CALLED_WITH = {
    ("moto.ecs.models", "EC2ContainerServiceBackend", "register_container_instance"): [
        "cluster_str",
        "ec2_instance_id",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "describe_task_definition"): [
        "task_definition_str"
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "create_service"): [
        "cluster_str",
        "service_name",
        "desired_count",
        "task_definition_str",
        "load_balancers",
        "scheduling_strategy",
        "tags",
        "deployment_controller",
        "launch_type",
        "service_registries",
        "platform_version",
        "propagate_tags",
        "network_configuration",
        "role_arn",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "list_tasks"): [
        "cluster_str",
        "container_instance",
        "family",
        "started_by",
        "service_name",
        "desiredStatus",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "stop_task"): [
        "cluster_str",
        "task_str",
        "reason",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "describe_clusters"): ["cluster_names"],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "update_container_instances_state"): [
        "cluster_str",
        "list_container_instance_ids",
        "status",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "deregister_container_instance"): [
        "cluster_str",
        "container_instance_str",
        "force",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "_validate_container_defs"): [
        "memory",
        "container_definitions",
        "requires_compatibilities",
    ],
    ("moto.ecs.models", "EC2ContainerServiceBackend", "_calculate_task_resource_requirements"): [
        "task_definition"
    ],
    ("moto.ecs.models", "Task", "__init__"): [
        "cluster",
        "task_definition",
        "container_instance_arn",
        "resource_requirements",
        "backend",
        "group",
        "launch_type",
        "overrides",
        "started_by",
        "tags",
        "networking_configuration",
        "platform_version",
        "capacity_provider_name",
    ],
    ("moto.ecs.models", "Container", "__init__"): ["task_def"],
    ("moto.elbv2.models", "FakeTargetGroup", "register"): ["targets"],
    ("moto.elbv2.models", "FakeTargetGroup", "deregister"): ["targets"],
    ("moto.elbv2.models", "FakeTargetGroup", "health_for"): ["target", "ec2_backend"],
    ("moto.elbv2.models", "FakeTargetGroup", "deregister_terminated_instances"): ["instance_ids"],
    ("moto.elbv2.models", "FakeHealthStatus", "__init__"): [
        "instance_id",
        "port",
        "health_port",
        "status",
        "reason",
        "description",
    ],
}


@pytest.mark.parametrize(("where", "expected"), CALLED_WITH.items(), ids=lambda v: str(v))
def test_methods_the_engine_calls_keep_their_parameters(where, expected):
    module, cls, method = where
    owner = _attribute(module, cls)
    original = getattr(owner, f"_ecs_workbook_original_{method}", None) or owner.__dict__.get(
        method
    )
    function = getattr(original, "__func__", original)
    if function is None:
        pytest.fail(_moved(f"{module}.{cls}.{method} is gone"))
    actual = _parameters(function)
    assert actual[: len(expected)] == expected, _moved(
        f"{module}.{cls}.{method} now takes {actual}, the engine passes {expected}"
    )


# Attributes the engine reads or writes on moto's objects, set in each class's __init__.
ATTRIBUTES = {
    ("moto.ecs.models", "EC2ContainerServiceBackend"): [
        "self.clusters",
        "self.task_definitions",
        "self.tasks",
        "self.services",
        "self.container_instances",
    ],
    ("moto.ecs.models", "ContainerInstance"): [
        "self.ec2_instance_id",
        "self.agent_connected",
        "self.status",
        "self.registered_resources",
        "self.remaining_resources",
        "self.running_tasks_count",
        "self.version_info",
        "self.attributes",
        "self.registered_at",
    ],
    ("moto.ecs.models", "Task"): [
        "self.cluster_name",
        "self.container_instance_arn",
        "self.desired_status",
        "self.task_definition_arn",
        "self.containers",
        "self.started_by",
        "self.stopped_reason",
        "self.resource_requirements",
        "self.attachments",
        "self.group",
        "self._account_id",
        "self._backend",
        "self.region_name",
    ],
    ("moto.ecs.models", "Service"): [
        "self.cluster_name",
        "self.name",
        "self.status",
        "self.task_definition",
        "self.desired_count",
        "self.deployment_controller",
        "self.events",
        "self.launch_type",
        "self.load_balancers",
        "self.scheduling_strategy",
        "self.platform_version",
        "self.tags",
        "self.running_count",
        "self.pending_count",
        "self.deployments",
        "self.propagate_tags",
        "self.network_configuration",
    ],
    ("moto.ecs.models", "Cluster"): [
        "self.active_services_count",
        "self.registered_container_instances_count",
        "self.running_tasks_count",
        "self.pending_tasks_count",
        "self.default_capacity_provider_strategy",
    ],
    ("moto.ecs.models", "TaskDefinition"): [
        "self.family",
        "self.arn",
        "self.container_definitions",
        "self.network_mode",
        "self.placement_constraints",
        "self.requires_compatibilities",
        "self.compatibilities",
        "self.cpu",
        "self.memory",
        "self.status",
        "self.tags",
    ],
    ("moto.ecs.models", "Container"): ["self.container_arn", "self.last_status", "self.name"],
    ("moto.elbv2.models", "FakeTargetGroup"): [
        "self.targets",
        "self.deregistered_targets",
        "self.terminated_targets",
        "self.port",
        "self.health_check_port",
    ],
    ("moto.ec2.models.instances", "Instance"): [
        "self.user_data",
        "self.image_id",
        "self.instance_type",
        "self.platform",
        "self._subnet_id",
        "self.architecture",
    ],
}


@pytest.mark.parametrize(("where", "names"), ATTRIBUTES.items(), ids=lambda v: str(v))
def test_objects_keep_the_attributes_the_engine_uses(where, names):
    module, cls = where
    source = _assigned_in_init(_attribute(module, cls))
    missing = [name for name in names if f"{name} " not in source and f"{name}:" not in source]
    assert not missing, _moved(f"{module}.{cls}.__init__ no longer sets {missing}")


# Module-level names the engine imports or looks up.
NAMES = [
    ("moto.core.responses", "ActionResult"),
    ("moto.core.utils", "utcnow"),
    ("moto.moto_api._internal", "mock_random"),
    ("moto.ecs.models", "ecs_backends"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "ecs_backend"),
    ("moto.core.responses", "BaseResponse", "_get_params"),
    ("moto.ecs.exceptions", "ECSException"),
    ("moto.ecs.exceptions", "ClusterNotFoundException"),
    ("moto.ecs.exceptions", "EcsClientException"),
    ("moto.ecs.exceptions", "InvalidParameterException"),
    ("moto.ecs.exceptions", "ServiceNotFoundException"),
    ("moto.ecs.exceptions", "TaskDefinitionNotFoundException"),
    ("moto.ecs.exceptions", "TaskDefinitionMemoryError"),
    ("moto.ecs.exceptions", "TaskDefinitionMissingPropertyError"),
    ("moto.ec2.models", "ec2_backends"),
    ("moto.ec2.models.instance_types", "INSTANCE_TYPES"),
    ("moto.ec2.exceptions", "InvalidSubnetIdError"),
    ("moto.ec2.exceptions", "InvalidSecurityGroupNotFoundError"),
    ("moto.ec2.models", "EC2Backend", "get_instance_by_id"),
    ("moto.ec2.models", "EC2Backend", "describe_subnets"),
    ("moto.ec2.models", "EC2Backend", "describe_security_groups"),
    ("moto.elbv2.models", "elbv2_backends"),
    ("moto.elbv2.exceptions", "TargetNotRunning"),
    ("moto.elbv2.exceptions", "InvalidTargetError"),
    ("moto.ec2.models.instances", "Instance", "vpc_id"),
    ("moto.ec2.models.instances", "Instance", "subnet_id"),
    ("moto.ec2.models.instances", "Instance", "availability_zone"),
]


@pytest.mark.parametrize("path", NAMES, ids=lambda p: ".".join(p))
def test_names_the_engine_imports_still_exist(path):
    _attribute(path[0], *path[1:])


def test_ecs_errors_are_serialised_with_their_ecs_code():
    """ECSException(code, message) keeps the code: server mode answers 4xx with ECS's error type."""
    from moto.ecs.exceptions import ECSException

    error = ECSException("ServiceNotActiveException", "Service was not ACTIVE.")
    assert (error.code, error.message) == (
        "ServiceNotActiveException",
        "Service was not ACTIVE.",
    ), _moved("ECSException(code, message) no longer keeps code and message")
