"""Services: CreateService, UpdateService and DeleteService as ECS validates and applies them.

Each call stores the service's settings on moto's object, then lets the service scheduler
(``service_scheduler``) bring the service to its desired state.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.exceptions import ServiceNotFoundException
from moto.moto_api._internal import mock_random

from ecs_workbook import scheduler
from ecs_workbook.engine.clusters import get_cluster
from ecs_workbook.engine.errors import from_scheduler, invalid_parameter, service_not_active
from ecs_workbook.engine.launch_types import check_fargate, check_network_configuration
from ecs_workbook.engine.load_balancers import check_load_balancers
from ecs_workbook.engine.service_scheduler import (
    reconcile_service,
    service_tasks,
    stop_service_task,
)
from ecs_workbook.engine.task_definitions import describe_active_task_definition

#: Service deployment defaults ([API] DeploymentConfiguration).
REPLICA_DEPLOYMENT_DEFAULTS = {"maximumPercent": 200, "minimumHealthyPercent": 100}
DAEMON_DEPLOYMENT_DEFAULTS = {"maximumPercent": 100, "minimumHealthyPercent": 0}


def response_create_service(self: Any) -> ActionResult:
    return ActionResult({"service": create_service(self.ecs_backend, self._get_params())})


def response_update_service(self: Any) -> ActionResult:
    return ActionResult({"service": update_service(self.ecs_backend, self._get_params())})


def response_delete_service(self: Any) -> ActionResult:
    request = self._get_params()
    service = delete_service(
        self.ecs_backend,
        request.get("cluster", "default"),
        request.get("service"),
        bool(request.get("force")),
    )
    return ActionResult({"service": service})


def _find_service(backend: Any, cluster: Any, service_str: str | None) -> Any:
    name = (service_str or "").split("/")[-1]
    service = backend.services.get(f"{cluster.name}:{name}")
    if service is None:
        raise ServiceNotFoundException()
    return service


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
        raise invalid_parameter(
            "The daemon scheduling strategy does not support values above 100 for maximumPercent "
            "on a deployment configuration. Change the maximumPercent value to 100, and try again"
        )
    if merged["minimumHealthyPercent"] < 0 or merged["maximumPercent"] < 0:
        raise invalid_parameter("minimumHealthyPercent and maximumPercent must not be negative.")
    return merged


def _check_placement(strategy: Any, constraints: Any, scheduling: str) -> None:
    try:
        scheduler.parse_strategies(strategy, "service")
        scheduler.parse_constraints(constraints)
    except scheduler.ECSError as error:
        raise from_scheduler(error) from None
    if scheduling == "DAEMON" and strategy:
        raise invalid_parameter(
            "The daemon scheduling strategy does not support placement strategies."
        )


def create_service(backend: Any, request: Mapping[str, Any]) -> Any:
    """ECS's CreateService: validate, store every setting, then start the tasks.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
    """
    cluster = get_cluster(backend, request.get("cluster"))
    name = request.get("serviceName")
    if not name:
        raise invalid_parameter("serviceName can not be blank.")
    existing = backend.services.get(f"{cluster.name}:{name}")
    if existing is not None and existing.status != "INACTIVE":
        raise invalid_parameter("Creation of service was not idempotent.")
    scheduling = request.get("schedulingStrategy") or "REPLICA"
    desired = request.get("desiredCount")
    controller = (request.get("deploymentController") or {}).get("type", "ECS")
    if scheduling == "DAEMON":
        if desired is not None:
            raise invalid_parameter(
                "The daemon scheduling strategy does not support a desired count for services. "
                "Remove the desired count value and try again"
            )
        if request.get("launchType") == "FARGATE":
            raise invalid_parameter("The daemon scheduling strategy is not supported on Fargate.")
    elif desired is None:
        raise invalid_parameter(
            "desiredCount is required for a REPLICA service: how many copies of the task to keep "
            "running (0 is allowed)."
        )
    elif int(desired) < 0:
        raise invalid_parameter(f"desiredCount must not be negative (got {desired}).")
    td = None
    if request.get("taskDefinition"):
        td = describe_active_task_definition(backend, request["taskDefinition"])
    elif controller == "ECS":
        raise invalid_parameter(
            "taskDefinition is required for a service that the ECS controller deploys."
        )
    deployment_configuration = _check_deployment_configuration(
        scheduling, request.get("deploymentConfiguration")
    )
    _check_placement(
        request.get("placementStrategy"), request.get("placementConstraints"), scheduling
    )
    providers = request.get("capacityProviderStrategy") or []
    launch_type = request.get("launchType")
    if launch_type and providers:
        raise invalid_parameter(
            "Specify either Launch Type or Capacity Provider Strategy, but not both."
        )
    if not launch_type and not providers:
        providers = list(cluster.default_capacity_provider_strategy or [])
    fargate = launch_type == "FARGATE" or any(
        p.get("capacityProvider") in ("FARGATE", "FARGATE_SPOT") for p in providers
    )
    network = request.get("networkConfiguration")
    if td is not None:
        if fargate:
            check_fargate(backend, td, network)
        network = check_network_configuration(backend, td, network)
    check_load_balancers(backend, td, request.get("loadBalancers"))

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
    cluster = get_cluster(backend, request.get("cluster"))
    service = _find_service(backend, cluster, request.get("service"))
    if service.status != "ACTIVE":
        raise service_not_active()
    if request.get("desiredCount") is not None:
        if service.scheduling_strategy == "DAEMON":
            raise invalid_parameter(
                "The daemon scheduling strategy does not support a desired count for services. "
                "Remove the desired count value and try again"
            )
        if int(request["desiredCount"]) < 0:
            raise invalid_parameter(
                f"desiredCount must not be negative (got {request['desiredCount']})."
            )
    td = None
    if request.get("taskDefinition"):
        td = describe_active_task_definition(backend, request["taskDefinition"])
        if getattr(service, "_wb_fargate", False):
            check_fargate(
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
        service.network_configuration = check_network_configuration(
            backend, probe, request["networkConfiguration"]
        )
    if request.get("loadBalancers") is not None:
        probe = td or backend.describe_task_definition(service.task_definition)
        check_load_balancers(backend, probe, request["loadBalancers"])
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
    cluster = get_cluster(backend, cluster_str)
    service = _find_service(backend, cluster, service_str)
    if service.status != "ACTIVE":
        raise service_not_active()
    if service.scheduling_strategy != "DAEMON" and service.desired_count > 0 and not force:
        raise invalid_parameter("The service cannot be stopped while it is scaled above 0.")
    for task in service_tasks(backend, service):
        stop_service_task(backend, task, "Service deleted")
    service.desired_count = 0
    service.running_count = 0
    service.pending_count = 0
    service.status = "INACTIVE"
    for deployment in service.deployments:
        deployment.update(runningCount=0, pendingCount=0, desiredCount=0, updatedAt=utcnow())
    return service
