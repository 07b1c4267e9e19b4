"""Container instances: registered as the ECS agent would, drained and deregistered.

Registration reports the EC2 instance type's real CPU and memory (``ecs_workbook.instance_types``),
the agent's reserved ports and ECS's built-in attributes; draining or deregistering an instance
lets services replace their tasks on it.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ECS_instances.html
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any

from moto.core.responses import ActionResult

from ecs_workbook import instance_types
from ecs_workbook.engine.clusters import get_cluster
from ecs_workbook.engine.errors import invalid_parameter
from ecs_workbook.engine.instance_resources import ecs_resource
from ecs_workbook.engine.patching import Backend, original
from ecs_workbook.engine.service_scheduler import reconcile_cluster

#: Host ports the Linux agent reserves by default (``ECS_RESERVED_PORTS``); UDP none.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
AGENT_RESERVED_PORTS = (22, 2375, 2376, 51678, 51679)
AGENT_RESERVED_PORTS_UDP: tuple[int, ...] = ()


def response_register_container_instance(self: Any) -> ActionResult:
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
    cluster = get_cluster(backend, request.get("cluster"))
    document_text = request.get("instanceIdentityDocument")
    if not document_text:
        raise invalid_parameter(
            "instanceIdentityDocument is required: the ECS agent sends the EC2 instance identity "
            'document, e.g. \'{"instanceId": "i-0123456789abcdef0"}\'. Use '
            "ecs_workbook.instances.add_container_instances(...) to launch and register for you."
        )
    try:
        document = json.loads(document_text)
        ec2_instance_id = document["instanceId"]
    except (TypeError, ValueError, KeyError):
        raise invalid_parameter(
            "instanceIdentityDocument must be the instance identity JSON with an 'instanceId', "
            'e.g. \'{"instanceId": "i-0123456789abcdef0"}\'.'
        ) from None
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    instance = ec2.get_instance_by_id(ec2_instance_id)
    if instance is None:
        raise invalid_parameter(
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
    ci.registered_resources = [ecs_resource(n, v) for n, v in registered.items()]
    ci.remaining_resources = [ecs_resource(n, v) for n, v in registered.items()]
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


def backend_update_container_instances_state(
    self: Any, cluster_str: str, list_container_instance_ids: list[str], status: str
) -> tuple[list, list]:
    """Draining makes services replace their tasks elsewhere (within min/max healthy percent)."""
    result = original(Backend, "update_container_instances_state")(
        self, cluster_str, list_container_instance_ids, status
    )
    reconcile_cluster(self, get_cluster(self, cluster_str))
    return result


def backend_deregister_container_instance(
    self: Any, cluster_str: str, container_instance_str: str, force: bool
) -> Any:
    """Deregistration: unknown instances are an ECS error; services replace lost tasks."""
    cluster = get_cluster(self, cluster_str)
    key = (container_instance_str or "").split("/")[-1]
    if key not in self.container_instances.get(cluster.name, {}):
        raise invalid_parameter(
            f"The container instance {container_instance_str} is not registered in cluster "
            f"{cluster.name}. List them with list_container_instances."
        )
    ci = original(Backend, "deregister_container_instance")(
        self, cluster_str, container_instance_str, force
    )
    ci.status = "INACTIVE"
    reconcile_cluster(self, cluster)
    return ci
