"""Launch types and task networking: EC2 or Fargate, and what an awsvpc task must name.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_types.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecs_workbook.engine.errors import invalid_parameter


def resolve_launch(cluster: Any, request: Mapping[str, Any]) -> tuple[bool, str, str | None]:
    """(uses Fargate, launchType to report, capacity provider name) as ECS resolves them."""
    launch_type = request.get("launchType")
    strategy = request.get("capacityProviderStrategy")
    if launch_type and launch_type not in ("EC2", "FARGATE", "EXTERNAL"):
        raise invalid_parameter("launch type should be one of [EC2,FARGATE,EXTERNAL]")
    if launch_type and strategy:
        raise invalid_parameter(
            "Specify either Launch Type or Capacity Provider Strategy, but not both."
        )
    if not launch_type and not strategy:
        strategy = cluster.default_capacity_provider_strategy
    provider = strategy[0]["capacityProvider"] if strategy else None
    fargate = launch_type == "FARGATE" or provider in ("FARGATE", "FARGATE_SPOT")
    if fargate:
        return True, "FARGATE", provider
    return False, launch_type or ("" if provider else "EC2"), provider


def check_fargate(backend: Any, td: Any, network_configuration: Any) -> None:
    """A Fargate task needs a FARGATE-compatible definition and a valid awsvpc configuration."""
    if "FARGATE" not in (td.requires_compatibilities or []):
        raise invalid_parameter("Task definition does not support launch_type FARGATE.")
    check_network_configuration(backend, td, network_configuration)


def check_network_configuration(backend: Any, td: Any, network_configuration: Any) -> Any:
    """An awsvpc task's networkConfiguration, checked against EC2's subnets and security groups."""
    if td.network_mode != "awsvpc":
        return network_configuration
    vpc = (network_configuration or {}).get("awsvpcConfiguration")
    if not vpc:
        raise invalid_parameter(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    subnets = vpc.get("subnets") or []
    if not subnets:
        raise invalid_parameter("subnets can not be empty.")
    from moto.ec2.exceptions import InvalidSecurityGroupNotFoundError, InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    try:
        ec2.describe_subnets(subnet_ids=subnets)
    except InvalidSubnetIdError as error:
        raise invalid_parameter(
            f"Error retrieving subnet information for [{', '.join(subnets)}]: {error.message} "
            "(ErrorCode: InvalidSubnetID.NotFound)"
        ) from None
    groups = vpc.get("securityGroups") or []
    if groups:
        try:
            ec2.describe_security_groups(group_ids=groups)
        except InvalidSecurityGroupNotFoundError:
            raise invalid_parameter(
                f"Error retrieving security group information for [{', '.join(groups)}]: "
                "The security group does not exist (ErrorCode: InvalidGroup.NotFound)"
            ) from None
    return {"awsvpcConfiguration": {**vpc, "securityGroups": groups}}
