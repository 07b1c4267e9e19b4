"""Load balancing: service tasks registered as elbv2 targets, and targets keyed by id and port.

ECS registers a service task in each of the service's target groups when it starts and
deregisters it when it stops; elbv2 keys targets by id *and* port, so two tasks on one host
(dynamic host ports) are two targets.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.elbv2 import models as elbv2_models

from ecs_workbook.engine.clusters import find_container_instance
from ecs_workbook.engine.errors import invalid_parameter
from ecs_workbook.engine.patching import TargetGroup, original
from ecs_workbook.engine.service_events import add_event


def check_load_balancers(backend: Any, td: Any, load_balancers: Any) -> None:
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
            raise invalid_parameter(
                f"The container {name} did not have a container port {port} defined."
            )
        arn = lb.get("targetGroupArn")
        if arn and arn not in elbv2.target_groups:
            raise invalid_parameter(f"The target group {arn} does not exist.")


def register_targets(backend: Any, service: Any, task: Any) -> None:
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
        add_event(
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
    ci = find_container_instance(task._backend, task.cluster_name, task.container_instance_arn)
    return ci.ec2_instance_id if ci is not None else ""


def deregister_targets(backend: Any, task: Any) -> None:
    """Deregister the task's targets, as ECS does when a service task stops."""
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


def target_group_register(self: Any, targets: list[dict[str, Any]]) -> None:
    """elbv2 keys targets by id *and port* (moto keys by id, so two tasks on one host collide)."""
    from moto.elbv2.exceptions import TargetNotRunning

    for target in targets:
        instance = self.ec2_backend.get_instance_by_id(target["Id"])
        if instance is not None and instance.state != "running":
            raise TargetNotRunning(instance_id=target["Id"])
        key = _target_key(target, self)
        self.targets[key] = {"Id": target["Id"], "Port": target.get("Port") or self.port}
        self.deregistered_targets.pop(target["Id"], None)


def target_group_deregister(self: Any, targets: list[dict[str, Any]]) -> None:
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


def target_group_health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
    key = _target_key(target, self)
    registered = self.targets.get(key)
    if registered is None and "Port" not in target:
        registered = next((t for t in self.targets.values() if t["Id"] == target["Id"]), None)
    if registered is None:
        return original(TargetGroup, "health_for")(self, target, ec2_backend)
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


def target_group_deregister_terminated_instances(self: Any, instance_ids: list[str]) -> None:
    for key in list(self.targets):
        if self.targets[key]["Id"] in instance_ids:
            self.terminated_targets[self.targets[key]["Id"]] = self.targets.pop(key)
