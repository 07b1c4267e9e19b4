"""Launch EC2 container instances and register them the way the ECS agent would.

On AWS you launch the ECS-optimised AMI with user data that names the cluster
(``echo ECS_CLUSTER=<cluster> >> /etc/ecs/ecs.config``); the ECS agent on the instance then calls
``RegisterContainerInstance`` with the instance identity document and any ``ECS_INSTANCE_ATTRIBUTES``.
moto has no agent, so :func:`add_container_instances` launches exactly that instance and then makes
the agent's call itself.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_container_instance.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
"""

from __future__ import annotations

import json
from typing import Any

from ecs_workbook import instance_types

#: Public SSM parameters naming the current ECS-optimised Amazon Linux 2 AMIs.
ECS_AMI_PARAMETERS = {
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended/image_id",
    "gpu": "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id",
}
#: The agent version moto reports (moto has no real agent).
AGENT_VERSION_INFO = {
    "agentVersion": "1.0.0",
    "agentHash": "4023248",
    "dockerVersion": "DockerVersion: 1.5.0",
}


def user_data_for(cluster: str, attributes: dict[str, str] | None = None) -> str:
    """The EC2 user data a learner writes to join ``cluster`` (and set custom attributes).

    ``ECS_INSTANCE_ATTRIBUTES`` is a JSON map applied at first registration only.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
    """
    lines = ["#!/bin/bash", f"echo ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config"]
    if attributes:
        payload = json.dumps(attributes, separators=(",", ":"), sort_keys=True)
        lines.append(f"echo 'ECS_INSTANCE_ATTRIBUTES={payload}' >> /etc/ecs/ecs.config")
    return "\n".join(lines) + "\n"


def ecs_optimized_ami_parameter(instance_type: str) -> str:
    """The SSM parameter of the ECS-optimised AMI that fits ``instance_type`` (x86, arm64, GPU)."""
    info = instance_types.lookup(instance_type)
    if info.architecture == "arm64":
        return ECS_AMI_PARAMETERS["arm64"]
    if info.gpus:
        return ECS_AMI_PARAMETERS["gpu"]
    return ECS_AMI_PARAMETERS["x86_64"]


def add_container_instances(
    ecs: Any,
    ec2: Any,
    *,
    cluster: str,
    instance_type: str = "t3.medium",
    count: int = 1,
    availability_zone: str | None = None,
    attributes: dict[str, str] | None = None,
    ssm: Any = None,
) -> list[dict]:
    """Launch ``count`` ECS-optimised instances into ``cluster`` and register them as the agent would.

    Returns the ``describe_container_instances`` entries of the new container instances, in launch
    order. ``attributes`` become custom attributes (``ECS_INSTANCE_ATTRIBUTES``), e.g.
    ``{"stack": "prod"}``; the built-in ``ecs.*`` attributes are added by ECS itself. ``ssm`` is
    the client that reads the AMI's public parameter (default: the running sandbox's).
    """
    if count < 1:
        raise ValueError(f"count must be at least 1 (got {count}): how many instances to launch.")
    ssm = ssm or sibling_client(ecs, "ssm")
    parameter = ecs_optimized_ami_parameter(instance_type)
    image_id = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    launch: dict[str, Any] = {
        "ImageId": image_id,
        "InstanceType": instance_type,
        "MinCount": count,
        "MaxCount": count,
        "UserData": user_data_for(cluster, attributes),
    }
    if availability_zone:
        launch["Placement"] = {"AvailabilityZone": availability_zone}
    reservation = ec2.run_instances(**launch)
    arns = []
    for instance in reservation["Instances"]:
        document = identity_document(instance, reservation.get("OwnerId", ""))
        request: dict[str, Any] = {
            "cluster": cluster,
            "instanceIdentityDocument": json.dumps(document),
            "instanceIdentityDocumentSignature": "",
            "versionInfo": AGENT_VERSION_INFO,
        }
        if attributes:
            request["attributes"] = [
                {"name": name, "value": value} for name, value in attributes.items()
            ]
        registered = ecs.register_container_instance(**request)
        arns.append(registered["containerInstance"]["containerInstanceArn"])
    described = ecs.describe_container_instances(cluster=cluster, containerInstances=arns)
    by_arn = {ci["containerInstanceArn"]: ci for ci in described["containerInstances"]}
    return [by_arn[arn] for arn in arns]


def identity_document(instance: dict, account_id: str) -> dict:
    """The instance identity document of an EC2 ``describe_instances`` entry, as IMDS serves it.

    The agent sends it with ``RegisterContainerInstance``; the local IMDS
    (:func:`ecs_workbook.instance_metadata.serve_instance_metadata`) serves it at
    ``/latest/dynamic/instance-identity/document``.
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html
    """
    zone = instance["Placement"]["AvailabilityZone"]
    return {
        "accountId": account_id,
        "architecture": instance.get("Architecture", "x86_64"),
        "availabilityZone": zone,
        "imageId": instance["ImageId"],
        "instanceId": instance["InstanceId"],
        "instanceType": instance["InstanceType"],
        "pendingTime": instance["LaunchTime"].isoformat()
        if hasattr(instance.get("LaunchTime"), "isoformat")
        else str(instance.get("LaunchTime", "")),
        "privateIp": instance.get("PrivateIpAddress", ""),
        "region": zone[:-1],
        "version": "2017-09-30",
    }


def sibling_client(client: Any, service_name: str) -> Any:
    """A boto3 client for ``service_name`` that reaches the same moto as ``client``.

    The running sandbox's cached client when ``client`` talks to it (building a client takes a
    while); otherwise a new client on the same endpoint and Region.
    """
    import boto3

    from ecs_workbook import sandbox

    endpoint_url = client.meta.endpoint_url
    if "amazonaws.com" in endpoint_url:
        endpoint_url = None  # in-process moto intercepts the real endpoint
    running = sandbox.current()
    if running is not None and running.endpoint_url == endpoint_url:
        return running.client(service_name)  # cached
    return boto3.session.Session().client(
        service_name, region_name=client.meta.region_name, endpoint_url=endpoint_url
    )
