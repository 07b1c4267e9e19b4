"""With the engine installed, moto's ECS behaves like Amazon ECS (boto3 in-process and server mode)."""

from __future__ import annotations

import json
from collections import Counter

import boto3
import moto_support
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends

from ecs_workbook import engine, instance_types, instances

CLUSTER = "lab"
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"


@pytest.fixture(scope="module")
def fake_aws():
    """Fake credentials, the engine, and task states that stay put (as the sandbox sets them)."""
    with moto_support.fake_aws(engine=True, tasks_stay_put=True):
        yield


@pytest.fixture(scope="module")
def moto_clients(fake_aws):
    """One moto for the module: EC2's AMI catalogue loads once (0.3 s per fresh EC2 backend)."""
    with mock_aws():
        yield {name: boto3.client(name) for name in ("ecs", "ec2", "ssm", "elbv2")}


@pytest.fixture
def aws(moto_clients):
    """A fresh ECS (and elbv2) for each test, with an empty cluster ``lab``."""
    ecs_backends[ACCOUNT_ID][REGION].reset()
    elbv2_backends[ACCOUNT_ID][REGION].reset()
    moto_clients["ecs"].create_cluster(clusterName=CLUSTER)
    return moto_clients


@pytest.fixture
def ecs(aws):
    return aws["ecs"]


def add(aws, instance_type="m5.large", count=1, **kwargs) -> list[dict]:
    return instances.add_container_instances(
        aws["ecs"],
        aws["ec2"],
        cluster=CLUSTER,
        instance_type=instance_type,
        count=count,
        ssm=aws["ssm"],
        **kwargs,
    )


def register(ecs, family="web", task=None, **container) -> str:
    definition = {"name": family, "image": "nginx", **container}
    if "memory" not in container and "memoryReservation" not in container:
        definition.setdefault("memory", 256)
    response = ecs.register_task_definition(
        family=family, containerDefinitions=[definition], **(task or {})
    )
    return response["taskDefinition"]["taskDefinitionArn"]


def remaining(ecs, arn: str) -> dict:
    ci = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=[arn])
    resources = ci["containerInstances"][0]["remainingResources"]
    return {
        r["name"]: r.get("integerValue") or sorted(r.get("stringSetValue", [])) for r in resources
    }


def error_of(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]


def service(ecs, name="svc") -> dict:
    return ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]


def service_tasks(ecs, name="svc") -> list[dict]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name)["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


# --- install ---------------------------------------------------------------------------------


def test_install_is_idempotent_and_reports_installed(fake_aws):
    engine.install()
    engine.install()
    assert engine.installed()


# --- container instances ---------------------------------------------------------------------


def test_container_instance_registers_vcpus_times_1024_cpu_units(aws):
    """c5.2xlarge has 8 vCPUs: 8 x 1024 units (the agent's GetNumCPU() * 1024)."""
    ci = add(aws, "c5.2xlarge")[0]
    cpu = next(r for r in ci["registeredResources"] if r["name"] == "CPU")
    assert cpu["integerValue"] == 8 * 1024


def test_m4_large_registers_the_documented_7985_mib(aws):
    """memory-management.html: an m4.large (8 GiB) registers 7985 MiB for tasks."""
    ci = add(aws, "m4.large")[0]
    memory = next(r for r in ci["registeredResources"] if r["name"] == "MEMORY")
    assert memory["integerValue"] == 7985


def test_registered_memory_is_less_ecs_reserved_memory_from_user_data(aws):
    """ECS_RESERVED_MEMORY=256 in ecs.config: the agent registers 256 MiB less."""
    ami = aws["ssm"].get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    user_data = (
        instances.user_data_for(CLUSTER) + "echo ECS_RESERVED_MEMORY=256 >> /etc/ecs/ecs.config\n"
    )
    instance = aws["ec2"].run_instances(
        ImageId=ami, MinCount=1, MaxCount=1, InstanceType="m4.large", UserData=user_data
    )["Instances"][0]
    ci = aws["ecs"].register_container_instance(
        cluster=CLUSTER, instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]})
    )["containerInstance"]
    memory = next(r for r in ci["registeredResources"] if r["name"] == "MEMORY")
    assert memory["integerValue"] == 7985 - 256


def test_container_instance_reserves_the_agents_default_ports(aws):
    ci = add(aws)[0]
    resources = {r["name"]: r for r in ci["registeredResources"]}
    assert sorted(resources["PORTS"]["stringSetValue"], key=int) == [
        "22",
        "2375",
        "2376",
        "51678",
        "51679",
    ]
    assert resources["PORTS_UDP"]["stringSetValue"] == []


def test_container_instance_has_ecs_builtin_attributes(aws):
    ci = add(aws, "t3.medium", availability_zone="us-east-1b")[0]
    attributes = {a["name"]: a.get("value") for a in ci["attributes"]}
    assert attributes["ecs.os-type"] == "linux"
    assert attributes["ecs.os-family"] == "LINUX"
    assert attributes["ecs.cpu-architecture"] == "x86_64"
    assert attributes["ecs.instance-type"] == "t3.medium"
    assert attributes["ecs.availability-zone"] == "us-east-1b"
    assert attributes["ecs.vpc-id"].startswith("vpc-")
    assert attributes["ecs.subnet-id"].startswith("subnet-")
    assert attributes["ecs.ami-id"].startswith("ami-")


def test_graviton_instance_registers_arm64_architecture_from_the_arm64_ami(aws):
    ci = add(aws, "m6g.large")[0]
    attributes = {a["name"]: a.get("value") for a in ci["attributes"]}
    arm_ami = aws["ssm"].get_parameter(Name=instances.ECS_AMI_PARAMETERS["arm64"])["Parameter"]
    assert attributes["ecs.cpu-architecture"] == "arm64"
    assert attributes["ecs.ami-id"] == arm_ami["Value"]


def test_custom_attributes_given_at_registration_are_kept(aws):
    ci = add(aws, attributes={"stack": "prod"})[0]
    assert {"name": "stack", "value": "prod"} in ci["attributes"]


def test_total_resources_reported_at_registration_replace_the_derived_ones(aws):
    ami = aws["ssm"].get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    instance = aws["ec2"].run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]
    ci = aws["ecs"].register_container_instance(
        cluster=CLUSTER,
        instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]}),
        totalResources=[
            {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 3900},
        ],
    )["containerInstance"]
    resources = {r["name"]: r["integerValue"] for r in ci["registeredResources"]}
    assert (resources["CPU"], resources["MEMORY"]) == (2048, 3900)


def test_registering_into_an_unknown_cluster_is_cluster_not_found(aws):
    ami = aws["ssm"].get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    instance = aws["ec2"].run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]
    error = error_of(
        aws["ecs"].register_container_instance,
        cluster="nope",
        instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]}),
    )
    assert error["Code"] == "ClusterNotFoundException"


def test_registering_an_instance_unknown_to_ec2_is_invalid_parameter(ecs):
    error = error_of(
        ecs.register_container_instance,
        cluster=CLUSTER,
        instanceIdentityDocument=json.dumps({"instanceId": "i-0123456789abcdef0"}),
    )
    assert error["Code"] == "InvalidParameterException"


def test_registering_without_an_identity_document_is_invalid_parameter(ecs):
    error = error_of(ecs.register_container_instance, cluster=CLUSTER)
    assert error["Code"] == "InvalidParameterException"


def test_user_data_names_the_cluster_and_instance_attributes(fake_aws):
    text = instances.user_data_for("lab", {"stack": "prod"})
    assert text.startswith("#!/bin/bash\necho ECS_CLUSTER=lab >> /etc/ecs/ecs.config\n")
    assert 'ECS_INSTANCE_ATTRIBUTES={"stack":"prod"}' in text


def test_add_container_instances_launches_the_ecs_optimized_ami_with_cluster_user_data(aws):
    ci = add(aws)[0]
    described = aws["ec2"].describe_instances(InstanceIds=[ci["ec2InstanceId"]])
    instance = described["Reservations"][0]["Instances"][0]
    ami = aws["ssm"].get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    user_data = aws["ec2"].describe_instance_attribute(
        InstanceId=ci["ec2InstanceId"], Attribute="userData"
    )["UserData"]["Value"]
    assert instance["ImageId"] == ami
    assert "ECS_CLUSTER=lab" in __import__("base64").b64decode(user_data).decode()


def test_gpu_and_graviton_types_launch_their_own_ecs_optimized_ami():
    assert instances.ecs_optimized_ami_parameter("g4dn.xlarge").endswith(
        "/gpu/recommended/image_id"
    )
    assert instances.ecs_optimized_ami_parameter("c6g.large").endswith(
        "/arm64/recommended/image_id"
    )
    assert instances.ecs_optimized_ami_parameter("t3.micro") == AMI_PARAMETER


def test_graviton_families_are_arm64_in_the_instance_type_table():
    families = {name.split(".")[0] for name, t in instance_types.INSTANCE_TYPES.items()}
    arm = {
        name.split(".")[0]
        for name, t in instance_types.INSTANCE_TYPES.items()
        if t.architecture == "arm64"
    }
    assert arm == {"a1", "m6g", "c6g"}
    assert {"t2", "t3", "t3a", "m5", "m6i", "c5", "c6i", "r5", "g4dn"} <= families - arm


def test_unknown_instance_types_come_from_moto_ec2_catalogue():
    assert instance_types.lookup("m5.8xlarge").cpu_units == 32 * 1024


# --- task definitions ------------------------------------------------------------------------


def test_memory_reservation_alone_is_a_valid_ec2_container(ecs):
    arn = register(ecs, task={"requiresCompatibilities": ["EC2"]}, memoryReservation=128)
    assert arn.endswith("web:1")


def test_fargate_with_bridge_network_mode_is_rejected_not_rewritten(ecs):
    error = error_of(
        ecs.register_task_definition,
        family="fg",
        requiresCompatibilities=["FARGATE"],
        networkMode="bridge",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "a", "image": "x"}],
    )
    assert error["Code"] == "ClientException"
    assert "awsvpc" in error["Message"]


def test_memory_reservation_above_memory_is_a_client_exception(ecs):
    error = error_of(
        ecs.register_task_definition,
        family="bad",
        containerDefinitions=[{"name": "a", "image": "x", "memory": 256, "memoryReservation": 512}],
    )
    assert error["Code"] == "ClientException"


# --- RunTask ---------------------------------------------------------------------------------


def test_run_task_on_a_cluster_without_instances_is_invalid_parameter(ecs):
    register(ecs)
    error = error_of(ecs.run_task, cluster=CLUSTER, taskDefinition="web")
    assert error == {
        "Code": "InvalidParameterException",
        "Message": "No Container Instances were found in your cluster.",
    }


def test_run_task_count_above_ten_is_invalid_parameter(aws, ecs):
    add(aws)
    register(ecs, memory=16)
    assert error_of(ecs.run_task, cluster=CLUSTER, taskDefinition="web", count=11)["Code"] == (
        "InvalidParameterException"
    )


def test_run_task_on_unknown_cluster_is_cluster_not_found(ecs):
    register(ecs)
    error = error_of(ecs.run_task, cluster="nope", taskDefinition="web")
    assert error["Code"] == "ClusterNotFoundException"


def test_run_task_reports_resource_memory_when_no_instance_has_room(aws, ecs):
    arns = [ci["containerInstanceArn"] for ci in add(aws, "t3.small", count=2)]
    register(ecs, memory=4000)
    response = ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    assert response["tasks"] == []
    assert sorted(response["failures"], key=lambda f: f["arn"]) == sorted(
        ({"arn": arn, "reason": "RESOURCE:MEMORY"} for arn in arns), key=lambda f: f["arn"]
    )


def test_run_task_places_what_fits_and_reports_the_rest(aws, ecs):
    add(aws, "t3.medium")  # 2 vCPU = 2048 units
    register(ecs, cpu=1024, memory=64)
    response = ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=3)
    assert len(response["tasks"]) == 2
    assert [f["reason"] for f in response["failures"]] == ["RESOURCE:CPU"]


def test_run_task_reserves_memory_reservation_rather_than_memory(aws, ecs):
    """memoryReservation, when set, is what placement subtracts ([API] ContainerDefinition)."""
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=1024, memoryReservation=256)
    ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    assert remaining(ecs, arn)["MEMORY"] == 7985 - 256


def test_run_task_reserves_task_level_cpu_and_memory(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    ecs.register_task_definition(
        family="sized",
        cpu="1024",
        memory="2048",
        containerDefinitions=[{"name": "a", "image": "x"}],
    )
    ecs.run_task(cluster=CLUSTER, taskDefinition="sized")
    assert (remaining(ecs, arn)["CPU"], remaining(ecs, arn)["MEMORY"]) == (2048 - 1024, 7985 - 2048)


def test_run_task_overrides_change_what_is_reserved(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=256)
    ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        overrides={"containerOverrides": [{"name": "web", "memory": 6000}]},
    )
    assert remaining(ecs, arn)["MEMORY"] == 7985 - 6000


def test_static_host_port_fits_once_per_instance_and_then_fails_on_ports(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, portMappings=[{"containerPort": 80, "hostPort": 80}])
    first = ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    second = ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    assert len(first["tasks"]) == 1
    assert second["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]
    assert "80" in remaining(ecs, arn)["PORTS"]


def test_dynamic_host_ports_let_many_tasks_share_one_instance(aws, ecs):
    add(aws)
    register(ecs, portMappings=[{"containerPort": 80, "hostPort": 0}])
    response = ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=5)
    ports = [t["containers"][0]["networkBindings"][0]["hostPort"] for t in response["tasks"]]
    assert len(set(ports)) == 5
    assert all(32768 <= port <= 61000 for port in ports)


def test_udp_host_ports_are_reserved_in_ports_udp(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, portMappings=[{"containerPort": 53, "hostPort": 53, "protocol": "udp"}])
    ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    left = remaining(ecs, arn)
    assert left["PORTS_UDP"] == ["53"]
    assert "53" not in left["PORTS"]


def test_run_task_default_group_is_the_family(aws, ecs):
    add(aws)
    register(ecs)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web")["tasks"][0]
    assert task["group"] == "family:web"


def test_distinct_instance_puts_each_task_on_its_own_instance(aws, ecs):
    add(aws, count=3)
    register(ecs, memory=16)
    response = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        count=3,
        placementConstraints=[{"type": "distinctInstance"}],
    )
    assert len({t["containerInstanceArn"] for t in response["tasks"]}) == 3


def test_member_of_without_a_matching_instance_reports_the_constraint(aws, ecs):
    add(aws, "t3.medium")
    register(ecs)
    response = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ c5.*"}
        ],
    )
    assert response["tasks"] == []
    assert [f["reason"] for f in response["failures"]] == [
        "MemberOf placement constraint unsatisfied."
    ]


def test_run_task_never_places_on_a_draining_instance(aws, ecs):
    draining, active = (ci["containerInstanceArn"] for ci in add(aws, count=2))
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[draining], status="DRAINING"
    )
    register(ecs, memory=16)
    response = ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=4)
    assert {t["containerInstanceArn"] for t in response["tasks"]} == {active}


def test_binpack_memory_fills_the_fullest_instance_first(aws, ecs):
    arns = [ci["containerInstanceArn"] for ci in add(aws, count=2)]
    register(ecs, memory=1024)
    ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[arns[1]])
    response = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="web",
        count=2,
        placementStrategy=[{"type": "binpack", "field": "memory"}],
    )
    assert [t["containerInstanceArn"] for t in response["tasks"]] == [arns[1], arns[1]]


def test_invalid_placement_expression_is_invalid_parameter(aws, ecs):
    add(aws)
    register(ecs)
    error = error_of(
        ecs.run_task,
        cluster=CLUSTER,
        taskDefinition="web",
        placementConstraints=[{"type": "memberOf", "expression": "attribute:ecs.instance-type =="}],
    )
    assert error["Code"] == "InvalidParameterException"


def test_task_reports_every_container_of_its_definition(aws, ecs):
    add(aws)
    ecs.register_task_definition(
        family="pair",
        containerDefinitions=[
            {"name": "app", "image": "x", "memory": 64},
            {"name": "sidecar", "image": "y", "memory": 32},
        ],
    )
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="pair")["tasks"][0]
    assert [c["name"] for c in task["containers"]] == ["app", "sidecar"]
    assert all(c["taskArn"] == task["taskArn"] for c in task["containers"])


def test_deregistered_revision_cannot_run_and_family_uses_latest_active(aws, ecs):
    add(aws)
    register(ecs)
    second = register(ecs)
    ecs.deregister_task_definition(taskDefinition=second)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web")["tasks"][0]
    assert task["taskDefinitionArn"].endswith("web:1")
    assert (
        error_of(ecs.run_task, cluster=CLUSTER, taskDefinition="web:2")["Code"] == "ClientException"
    )


# --- Fargate ---------------------------------------------------------------------------------


def _fargate_definition(ecs) -> None:
    ecs.register_task_definition(
        family="fg",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "a", "image": "x"}],
    )


def _subnet(aws) -> str:
    return aws["ec2"].describe_subnets()["Subnets"][0]["SubnetId"]


def test_fargate_run_task_needs_no_container_instances(aws, ecs):
    _fargate_definition(ecs)
    task = ecs.run_task(
        cluster=CLUSTER,
        taskDefinition="fg",
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [_subnet(aws)]}},
    )["tasks"][0]
    assert task["launchType"] == "FARGATE"
    assert "containerInstanceArn" not in task


def test_fargate_run_task_requires_a_network_configuration(ecs):
    _fargate_definition(ecs)
    error = error_of(ecs.run_task, cluster=CLUSTER, taskDefinition="fg", launchType="FARGATE")
    assert error["Code"] == "InvalidParameterException"
    assert "Network Configuration must be provided" in error["Message"]


def test_fargate_run_task_rejects_an_ec2_only_task_definition(aws, ecs):
    register(ecs)
    error = error_of(
        ecs.run_task,
        cluster=CLUSTER,
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [_subnet(aws)]}},
    )
    assert error["Message"] == "Task definition does not support launch_type FARGATE."


def test_fargate_run_task_with_unknown_subnet_is_invalid_parameter(ecs):
    _fargate_definition(ecs)
    error = error_of(
        ecs.run_task,
        cluster=CLUSTER,
        taskDefinition="fg",
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-nope"]}},
    )
    assert error["Code"] == "InvalidParameterException"


# --- StartTask / StopTask --------------------------------------------------------------------


def test_start_task_refuses_an_instance_without_enough_memory(aws, ecs):
    arn = add(aws, "t3.small")[0]["containerInstanceArn"]
    register(ecs, memory=4000)
    response = ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[arn])
    assert response["failures"] == [{"arn": arn, "reason": "RESOURCE:MEMORY"}]
    assert remaining(ecs, arn)["MEMORY"] > 0


def test_start_task_refuses_a_static_port_already_in_use(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, portMappings=[{"containerPort": 80, "hostPort": 80}])
    ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[arn])
    again = ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[arn])
    assert again["failures"] == [{"arn": arn, "reason": "RESOURCE:PORTS"}]


def test_start_task_on_an_unknown_instance_reports_missing(aws, ecs):
    add(aws)
    register(ecs)
    response = ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=["nope"])
    assert [f["reason"] for f in response["failures"]] == ["MISSING"]


def test_start_task_on_a_draining_instance_is_refused(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[arn], status="DRAINING"
    )
    register(ecs)
    response = ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[arn])
    assert response["tasks"] == []
    assert response["failures"] == [{"arn": arn, "reason": "INACTIVE"}]


def test_start_task_places_on_the_named_instance_as_launch_type_ec2(aws, ecs):
    arns = [ci["containerInstanceArn"] for ci in add(aws, count=2)]
    register(ecs)
    task = ecs.start_task(cluster=CLUSTER, taskDefinition="web", containerInstances=[arns[1]])[
        "tasks"
    ][0]
    assert (task["containerInstanceArn"], task["launchType"]) == (arns[1], "EC2")


def test_stop_task_frees_resources_exactly_once(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=1000, portMappings=[{"containerPort": 80, "hostPort": 80}])
    tasks = ecs.run_task(cluster=CLUSTER, taskDefinition="web")["tasks"]
    register(ecs, memory=500)
    ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    ecs.stop_task(cluster=CLUSTER, task=tasks[0]["taskArn"], reason="lab")
    ecs.stop_task(cluster=CLUSTER, task=tasks[0]["taskArn"], reason="again")
    left = remaining(ecs, arn)
    assert left["MEMORY"] == 7985 - 500
    assert "80" not in left["PORTS"]


def test_stop_task_of_an_unknown_task_is_invalid_parameter(ecs):
    error = error_of(ecs.stop_task, cluster=CLUSTER, task="0123456789abcdef")
    assert error == {
        "Code": "InvalidParameterException",
        "Message": "The referenced task was not found.",
    }


def test_stopped_task_reports_user_initiated_stop_code(aws, ecs):
    add(aws)
    register(ecs)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web")["tasks"][0]
    stopped = ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="done")["task"]
    assert (stopped["lastStatus"], stopped["stopCode"], stopped["stoppedReason"]) == (
        "STOPPED",
        "UserInitiated",
        "done",
    )


# --- clusters and ListTasks ------------------------------------------------------------------


def test_cluster_counters_count_running_tasks_and_active_services(aws, ecs):
    add(aws, count=2)
    register(ecs, memory=64)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=2)["tasks"][0]
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"])
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    cluster = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert (
        cluster["runningTasksCount"],
        cluster["pendingTasksCount"],
        cluster["activeServicesCount"],
        cluster["registeredContainerInstancesCount"],
    ) == (3, 0, 1, 2)


def test_describing_instances_of_an_empty_cluster_reports_them_missing(ecs):
    response = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=["nope"])
    assert [f["reason"] for f in response["failures"]] == ["MISSING"]


def test_list_tasks_lists_running_tasks_by_default(aws, ecs):
    add(aws)
    register(ecs, memory=64)
    first, second = ecs.run_task(cluster=CLUSTER, taskDefinition="web", count=2)["tasks"]
    ecs.stop_task(cluster=CLUSTER, task=first["taskArn"])
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == [second["taskArn"]]
    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"] == [
        first["taskArn"]
    ]


def test_list_tasks_filters_by_service_name(aws, ecs):
    add(aws)
    register(ecs, memory=64)
    ecs.run_task(cluster=CLUSTER, taskDefinition="web")
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    assert len(ecs.list_tasks(cluster=CLUSTER, serviceName="svc")["taskArns"]) == 2


# --- services --------------------------------------------------------------------------------


def test_create_service_starts_desired_count_tasks(aws, ecs):
    add(aws, count=2)
    register(ecs, memory=64)
    created = ecs.create_service(
        cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=3
    )["service"]
    deployment = created["deployments"][0]
    tasks = service_tasks(ecs)
    assert (created["runningCount"], created["pendingCount"]) == (3, 0)
    assert (deployment["status"], deployment["rolloutState"], deployment["runningCount"]) == (
        "PRIMARY",
        "COMPLETED",
        3,
    )
    assert {t["group"] for t in tasks} == {"service:svc"}
    assert {t["startedBy"] for t in tasks} == {deployment["id"]}
    assert deployment["id"].startswith("ecs-svc/")


def test_create_service_keeps_deployment_configuration_and_placement(aws, ecs):
    register(ecs)
    configuration = {"maximumPercent": 150, "minimumHealthyPercent": 50}
    strategy = [{"type": "binpack", "field": "memory"}]
    constraints = [{"type": "distinctInstance"}]
    created = ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="web",
        desiredCount=0,
        deploymentConfiguration=configuration,
        placementStrategy=strategy,
        placementConstraints=constraints,
        healthCheckGracePeriodSeconds=30,
        enableExecuteCommand=True,
    )["service"]
    assert created["deploymentConfiguration"]["maximumPercent"] == 150
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 50
    assert (created["placementStrategy"], created["placementConstraints"]) == (
        strategy,
        constraints,
    )
    assert (created["healthCheckGracePeriodSeconds"], created["enableExecuteCommand"]) == (30, True)


def test_service_defaults_to_200_and_100_percent(ecs):
    register(ecs)
    created = ecs.create_service(
        cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=0
    )
    configuration = created["service"]["deploymentConfiguration"]
    assert (configuration["maximumPercent"], configuration["minimumHealthyPercent"]) == (200, 100)


def test_service_spreads_tasks_across_availability_zones_by_default(aws, ecs):
    add(aws, count=2, availability_zone="us-east-1a")
    add(aws, count=1, availability_zone="us-east-1b")
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=4)
    zones = Counter(t["availabilityZone"] for t in service_tasks(ecs))
    assert zones == {"us-east-1a": 2, "us-east-1b": 2}


def test_service_without_instances_logs_ecs_event_and_starts_tasks_when_instances_register(
    aws, ecs
):
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    waiting = service(ecs)
    assert waiting["runningCount"] == 0
    assert "No Container Instances were found in your cluster." in waiting["events"][0]["message"]
    add(aws)
    assert service(ecs)["runningCount"] == 2


def test_update_service_desired_count_scales_out_and_in(aws, ecs):
    add(aws, count=2)
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=1)
    out = ecs.update_service(cluster=CLUSTER, service="svc", desiredCount=4)["service"]
    back = ecs.update_service(cluster=CLUSTER, service="svc", desiredCount=2)["service"]
    assert (out["runningCount"], back["runningCount"], len(service_tasks(ecs))) == (4, 2, 2)


def test_update_service_task_definition_completes_a_rolling_deployment(aws, ecs):
    add(aws, count=2)
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    new_arn = register(ecs, memory=64, image="nginx:2")
    updated = ecs.update_service(cluster=CLUSTER, service="svc", taskDefinition="web")["service"]
    tasks = service_tasks(ecs)
    assert updated["taskDefinition"] == new_arn
    assert [
        (d["status"], d["taskDefinition"], d["rolloutState"]) for d in updated["deployments"]
    ] == [("PRIMARY", new_arn, "COMPLETED")]
    assert updated["runningCount"] == 2
    assert {t["taskDefinitionArn"] for t in tasks} == {new_arn}


def test_rolling_update_with_static_port_and_no_spare_instance_stays_in_progress(aws, ecs):
    """min 100% / max 200%, static port 80 on every instance: ECS can neither start nor stop."""
    add(aws, count=2)
    register(ecs, memory=64, portMappings=[{"containerPort": 80, "hostPort": 80}])
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    register(ecs, memory=64, image="nginx:2", portMappings=[{"containerPort": 80, "hostPort": 80}])
    updated = ecs.update_service(cluster=CLUSTER, service="svc", taskDefinition="web")["service"]
    assert [(d["status"], d["runningCount"]) for d in updated["deployments"]] == [
        ("PRIMARY", 0),
        ("ACTIVE", 2),
    ]
    assert updated["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert "is already using a port required by your task" in updated["events"][0]["message"]


def test_rolling_update_with_50_percent_minimum_replaces_static_port_tasks(aws, ecs):
    add(aws, count=2)
    register(ecs, memory=64, portMappings=[{"containerPort": 80, "hostPort": 80}])
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="web",
        desiredCount=2,
        deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 50},
    )
    new_arn = register(
        ecs, memory=64, image="x:2", portMappings=[{"containerPort": 80, "hostPort": 80}]
    )
    updated = ecs.update_service(cluster=CLUSTER, service="svc", taskDefinition="web")["service"]
    assert [(d["taskDefinition"], d["runningCount"]) for d in updated["deployments"]] == [
        (new_arn, 2)
    ]


def test_deployment_that_may_neither_start_nor_stop_reports_the_configuration(aws, ecs):
    """deployment-type-ecs.html: min 75% of 2 keeps both running; max 100% starts none."""
    add(aws, count=2)
    register(ecs, memory=64)
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="web",
        desiredCount=2,
        deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 75},
    )
    register(ecs, memory=64, image="nginx:2")
    updated = ecs.update_service(cluster=CLUSTER, service="svc", taskDefinition="web")["service"]
    assert [d["runningCount"] for d in updated["deployments"]] == [0, 2]
    assert updated["events"][0]["message"] == (
        "(service svc) was unable to stop or start tasks during a deployment because of the "
        "service deployment configuration. Update the minimumHealthyPercent or maximumPercent "
        "value and try again."
    )


def test_stopping_a_service_task_starts_a_replacement(aws, ecs):
    add(aws)
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    victim = service_tasks(ecs)[0]["taskArn"]
    ecs.stop_task(cluster=CLUSTER, task=victim)
    arns = {t["taskArn"] for t in service_tasks(ecs)}
    assert len(arns) == 2 and victim not in arns


def test_draining_an_instance_moves_its_service_tasks_to_other_instances(aws, ecs):
    first = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    second = add(aws)[0]["containerInstanceArn"]
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[first], status="DRAINING"
    )
    assert {t["containerInstanceArn"] for t in service_tasks(ecs)} == {second}
    assert service(ecs)["runningCount"] == 2


def test_draining_leaves_standalone_tasks_running(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=64)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="web")["tasks"][0]
    ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=[arn], status="DRAINING"
    )
    described = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]
    assert described["desiredStatus"] == "RUNNING"


def test_daemon_service_runs_one_task_on_every_instance(aws, ecs):
    arns = {ci["containerInstanceArn"] for ci in add(aws, count=2)}
    register(ecs, memory=64)
    created = ecs.create_service(
        cluster=CLUSTER, serviceName="svc", taskDefinition="web", schedulingStrategy="DAEMON"
    )["service"]
    later = add(aws)[0]["containerInstanceArn"]
    assert created["desiredCount"] == 2
    assert Counter(t["containerInstanceArn"] for t in service_tasks(ecs)) == Counter(arns | {later})
    assert service(ecs)["desiredCount"] == 3


def test_daemon_service_rejects_a_desired_count(ecs):
    register(ecs)
    error = error_of(
        ecs.create_service,
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="web",
        schedulingStrategy="DAEMON",
        desiredCount=2,
    )
    assert error["Message"].startswith(
        "The daemon scheduling strategy does not support a desired count for services."
    )


def test_daemon_service_deployment_replaces_the_task_on_every_instance(aws, ecs):
    add(aws, count=2)
    register(ecs, memory=64)
    ecs.create_service(
        cluster=CLUSTER, serviceName="svc", taskDefinition="web", schedulingStrategy="DAEMON"
    )
    new_arn = register(ecs, memory=64, image="nginx:2")
    updated = ecs.update_service(cluster=CLUSTER, service="svc", taskDefinition="web")["service"]
    tasks = service_tasks(ecs)
    assert [d["rolloutState"] for d in updated["deployments"]] == ["COMPLETED"]
    assert sorted(t["taskDefinitionArn"] for t in tasks) == [new_arn, new_arn]
    assert len({t["containerInstanceArn"] for t in tasks}) == 2


def test_deregistering_an_instance_replaces_its_service_tasks(aws, ecs):
    first = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    second = add(aws)[0]["containerInstanceArn"]
    ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=first, force=True)
    assert {t["containerInstanceArn"] for t in service_tasks(ecs)} == {second}


def test_deregistering_an_unknown_instance_is_invalid_parameter(ecs):
    error = error_of(ecs.deregister_container_instance, cluster=CLUSTER, containerInstance="nope")
    assert error["Code"] == "InvalidParameterException"


def test_steady_service_logs_ecs_steady_state_event(aws, ecs):
    add(aws)
    register(ecs, memory=64)
    created = ecs.create_service(
        cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=1
    )["service"]
    messages = [event["message"] for event in created["events"]]
    assert messages[0] == "(service svc) has reached a steady state."
    assert messages[-1].startswith("(service svc) has started 1 tasks: (task ")


def test_delete_service_scaled_above_zero_needs_force(aws, ecs):
    add(aws)
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=1)
    error = error_of(ecs.delete_service, cluster=CLUSTER, service="svc")
    assert error == {
        "Code": "InvalidParameterException",
        "Message": "The service cannot be stopped while it is scaled above 0.",
    }


def test_delete_service_with_force_stops_its_tasks(aws, ecs):
    arn = add(aws)[0]["containerInstanceArn"]
    register(ecs, memory=64)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=2)
    deleted = ecs.delete_service(cluster=CLUSTER, service="svc", force=True)["service"]
    assert (deleted["status"], deleted["runningCount"]) == ("INACTIVE", 0)
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == []
    assert remaining(ecs, arn)["MEMORY"] == 7985
    assert ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]["activeServicesCount"] == 0


def test_creating_a_second_active_service_with_the_same_name_is_not_idempotent(ecs):
    register(ecs)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=0)
    error = error_of(
        ecs.create_service, cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=1
    )
    assert error["Message"] == "Creation of service was not idempotent."


def test_update_of_a_deleted_service_is_service_not_active(ecs):
    register(ecs)
    ecs.create_service(cluster=CLUSTER, serviceName="svc", taskDefinition="web", desiredCount=0)
    ecs.delete_service(cluster=CLUSTER, service="svc")
    error = error_of(ecs.update_service, cluster=CLUSTER, service="svc", desiredCount=1)
    assert error["Code"] == "ServiceNotActiveException"


def _target_group(aws) -> str:
    vpc = aws["ec2"].describe_vpcs()["Vpcs"][0]["VpcId"]
    return aws["elbv2"].create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]


def _service_behind_a_target_group(aws, ecs, desired_count: int) -> str:
    """Service ``svc`` of ``web`` (dynamic host port 80) behind a new target group; its ARN."""
    target_group = _target_group(aws)
    register(ecs, memory=64, portMappings=[{"containerPort": 80, "hostPort": 0}])
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="web",
        desiredCount=desired_count,
        loadBalancers=[
            {"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}
        ],
    )
    return target_group


def test_service_registers_each_task_as_an_instance_and_dynamic_port_target(aws, ecs):
    ci = add(aws)[0]
    target_group = _service_behind_a_target_group(aws, ecs, desired_count=2)
    health = aws["elbv2"].describe_target_health(TargetGroupArn=target_group)[
        "TargetHealthDescriptions"
    ]
    bound = sorted(t["containers"][0]["networkBindings"][0]["hostPort"] for t in service_tasks(ecs))
    assert sorted((h["Target"]["Id"], h["Target"]["Port"]) for h in health) == [
        (ci["ec2InstanceId"], port) for port in bound
    ]


def test_scaling_in_deregisters_the_stopped_task_target(aws, ecs):
    add(aws)
    target_group = _service_behind_a_target_group(aws, ecs, desired_count=3)
    ecs.update_service(cluster=CLUSTER, service="svc", desiredCount=1)
    health = aws["elbv2"].describe_target_health(TargetGroupArn=target_group)[
        "TargetHealthDescriptions"
    ]
    assert len(health) == 1


def test_load_balancer_container_port_must_be_in_the_task_definition(aws, ecs):
    target_group = _target_group(aws)
    register(ecs, portMappings=[{"containerPort": 80}])
    error = error_of(
        ecs.create_service,
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="web",
        desiredCount=1,
        loadBalancers=[
            {"targetGroupArn": target_group, "containerName": "web", "containerPort": 8080}
        ],
    )
    assert error["Message"] == "The container web did not have a container port 8080 defined."


def test_fargate_service_runs_tasks_without_instances(aws, ecs):
    _fargate_definition(ecs)
    created = ecs.create_service(
        cluster=CLUSTER,
        serviceName="svc",
        taskDefinition="fg",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [_subnet(aws)]}},
    )["service"]
    assert created["runningCount"] == 2
    assert {t["launchType"] for t in service_tasks(ecs)} == {"FARGATE"}


# --- server mode -----------------------------------------------------------------------------


def test_server_mode_places_like_ecs_and_answers_ecs_errors_with_4xx(fake_aws):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        config = Config(retries={"max_attempts": 1, "mode": "standard"})
        ecs = boto3.client("ecs", endpoint_url=url, config=config)
        ec2 = boto3.client("ec2", endpoint_url=url, config=config)
        ssm = boto3.client("ssm", endpoint_url=url, config=config)
        ecs.create_cluster(clusterName="srv")
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[{"name": "web", "image": "x", "memoryReservation": 64}],
        )
        with pytest.raises(ClientError) as empty:
            ecs.run_task(cluster="srv", taskDefinition="web")
        ci = instances.add_container_instances(
            ecs, ec2, cluster="srv", instance_type="m4.large", ssm=ssm
        )
        placed = ecs.run_task(cluster="srv", taskDefinition="web", count=2)
        with pytest.raises(ClientError) as unknown:
            ecs.stop_task(cluster="srv", task="nope")
    finally:
        server.stop()
    memory = next(r for r in ci[0]["registeredResources"] if r["name"] == "MEMORY")
    assert memory["integerValue"] == 7985
    assert len(placed["tasks"]) == 2
    for raised in (empty, unknown):
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
