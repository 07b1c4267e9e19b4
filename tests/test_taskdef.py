"""Task definitions as ECS judges them (ecs_workbook.taskdef).

Doc pages cited per test are under https://docs.aws.amazon.com/AmazonECS/latest/developerguide/
(DG) or https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ (API).
"""

from __future__ import annotations

import copy

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto_support import use_fake_aws

from ecs_workbook import taskdef
from ecs_workbook.taskdef import (
    FARGATE_TASK_SIZES,
    TaskDefinitionError,
    fargate_sizes,
    parse_cpu,
    parse_memory_mib,
    register,
    rejection_message,
    reserved_resources,
    smallest_fargate_size,
    tasks_that_fit,
    validate,
)

INVALID_CPU = (
    "Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of "
    "the Amazon ECS Developer Guide."
)


def container(**fields) -> dict:
    """A container definition; a field given as None is left out."""
    merged = {"name": "web", "image": "nginx:1.25", "memory": 256, **fields}
    return {key: value for key, value in merged.items() if value is not None}


def ec2_task(*containers: dict, **fields) -> dict:
    return {"family": "web", "containerDefinitions": list(containers) or [container()], **fields}


def fargate_task(*containers: dict, **fields) -> dict:
    base = {
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
    }
    return ec2_task(*(containers or [container(memory=None)]), **{**base, **fields})


# ---------------------------------------------------------------------------------- units


def test_one_vcpu_is_1024_cpu_units():
    """API ContainerDefinition.cpu: 1 vCPU = 1024 CPU units."""
    assert taskdef.cpu_units_to_vcpu(1024) == 1.0
    assert taskdef.vcpu_to_cpu_units(0.25) == 256


@pytest.mark.parametrize(
    ("value", "units"),
    [(1024, 1024), ("1024", 1024), ("1 vCPU", 1024), ("1 vcpu", 1024), (".25 vCPU", 256),
     ("2vCPU", 2048), (512.0, 512)],
)  # fmt: skip
def test_task_cpu_can_be_written_in_units_or_vcpus(value, units):
    """DG task-cpu-memory-error: cpu 'can be expressed in CPU units or vCPUs', stored as units."""
    assert parse_cpu(value) == units


@pytest.mark.parametrize("value", ["fast", "1 core", -1, 0.5, True])
def test_cpu_text_ecs_cannot_read_raises_with_a_hint(value):
    with pytest.raises(TaskDefinitionError, match="cpu"):
        parse_cpu(value)


@pytest.mark.parametrize(
    ("value", "mib"),
    [(2048, 2048), ("2048", 2048), ("1GB", 1024), ("1 GB", 1024), ("0.5GB", 512), ("2 gb", 2048)],
)
def test_task_memory_can_be_written_in_mib_or_gb(value, mib):
    """DG task-cpu-memory-error: memory 'can be expressed in MiB or GB', stored as MiB."""
    assert parse_memory_mib(value) == mib


def test_task_memory_in_mb_units_is_not_accepted():
    """ECS takes MiB numbers or GB strings only at the task level (task_definition_parameters)."""
    with pytest.raises(TaskDefinitionError, match="GB"):
        parse_memory_mib("512MB")


# ---------------------------------------------------------------------------- Fargate sizes


def test_fargate_table_has_74_valid_cpu_memory_pairs():
    """DG AWS_Fargate / task-cpu-memory-error: 3+4+7+13+23+12+12 combinations."""
    assert len(FARGATE_TASK_SIZES) == 74
    assert len(set(FARGATE_TASK_SIZES)) == 74


def test_quarter_vcpu_fargate_task_takes_512_mib_1_gb_or_2_gb():
    """DG task-cpu-memory-error: 256 (.25 vCPU) -> 512 MiB, 1 GB, 2 GB."""
    assert fargate_sizes(cpu_units=256) == [(256, 512), (256, 1024), (256, 2048)]


def test_16_vcpu_fargate_task_takes_32_to_120_gb_in_8_gb_steps():
    """DG task-cpu-memory-error: 16384 -> between 32 GB and 120 GB in 8 GB increments."""
    memories = [memory for _, memory in fargate_sizes(cpu_units="16 vCPU")]
    assert memories == list(range(32 * 1024, 120 * 1024 + 1, 8 * 1024))


def test_fargate_sizes_with_2_gb_lists_every_cpu_that_allows_it():
    assert fargate_sizes(memory_mib="2GB") == [(256, 2048), (512, 2048), (1024, 2048)]


def test_smallest_fargate_size_takes_fewest_vcpus_then_least_memory():
    """.25 vCPU allows at most 2 GB, so 4 GB needs the .5 vCPU size (DG AWS_Fargate)."""
    assert smallest_fargate_size(256, 4096) == (512, 4096)
    assert smallest_fargate_size(100, 100) == (256, 512)
    assert smallest_fargate_size(1500, 1000) == (2048, 4096)


def test_smallest_fargate_size_explains_when_nothing_is_big_enough():
    with pytest.raises(TaskDefinitionError, match="largest is 16384 units"):
        smallest_fargate_size(20000, 1024)


# ------------------------------------------------------------------------------ validation


def test_minimal_ec2_task_definition_is_valid():
    assert validate(ec2_task()) == []


def test_ec2_container_with_only_memory_reservation_is_valid():
    """API ContainerDefinition.memory: memory and/or memoryReservation; moto wrongly rejects it."""
    td = ec2_task(container(memory=None, memoryReservation=128), requiresCompatibilities=["EC2"])
    assert validate(td) == []


def test_ec2_container_without_memory_or_reservation_is_rejected():
    """API ContainerDefinition.memory: EC2 needs task memory or container memory/reservation."""
    td = ec2_task({"name": "a", "image": "busybox"})
    assert validate(td) == [
        "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' "
        "must be specified."
    ]


def test_container_may_omit_memory_when_the_task_sets_memory():
    """DG task_definition_parameters: task-level memory satisfies the EC2 memory rule."""
    assert validate(ec2_task({"name": "a", "image": "busybox"}, memory="1GB")) == []


def test_memory_reservation_above_memory_is_rejected():
    """API ContainerDefinition: memory must be greater than memoryReservation."""
    problems = validate(ec2_task(container(memory=256, memoryReservation=512)))
    assert len(problems) == 1
    assert (
        "'memoryReservation' (512 MiB) must not be greater than 'memory' (256 MiB)" in problems[0]
    )


def test_memory_reservation_equal_to_memory_is_accepted():
    """ecs-facts section 11 item 2: equal values (as ecs-cli generates them) are accepted."""
    assert validate(ec2_task(container(memory=256, memoryReservation=256))) == []


def test_container_memory_above_task_memory_is_rejected():
    """ECS's text, quoted in pulumi/pulumi-awsx#1220."""
    problems = validate(ec2_task(container(memory=2048), memory="512"))
    assert "The 'memory' setting for container 'web' is greater than for the task." in problems


def test_sum_of_memory_reservations_above_task_memory_is_rejected():
    """API ContainerDefinition.memoryReservation: the reservations must fit in the task memory."""
    td = ec2_task(
        container(name="a", memory=None, memoryReservation=400),
        container(name="b", memory=None, memoryReservation=400),
        memory="512",
    )
    assert validate(td) == [taskdef.MSG_MEMORY_RESERVATION_SUM]


def test_sum_of_container_cpu_above_task_cpu_is_rejected():
    """API ContainerDefinition.cpu: container cpu must add up to at most the task cpu."""
    td = ec2_task(container(name="a", cpu=200), container(name="b", cpu=100), cpu="256")
    assert validate(td) == [
        "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'."
    ]


def test_container_cpu_equal_to_task_cpu_is_accepted():
    assert validate(ec2_task(container(cpu=256), cpu="256")) == []


def test_fargate_requires_task_level_cpu():
    """ECS's text, quoted in mongodb/terraform-aws-ecs-task-definition#38."""
    td = fargate_task()
    del td["cpu"]
    assert validate(td) == ["Fargate requires that 'cpu' be defined at the task level."]


def test_fargate_requires_task_level_memory():
    """ECS's text, quoted in aws/amazon-ecs-cli#982."""
    td = fargate_task(container(memory=512))
    del td["memory"]
    assert validate(td) == ["Fargate requires that 'memory' be defined at the task level."]


def test_fargate_rejects_a_cpu_memory_pair_outside_the_table():
    """DG task-cpu-memory-error: 256 CPU allows at most 2 GB; moto accepts 256/4096."""
    assert validate(fargate_task(cpu="256", memory="4096")) == [INVALID_CPU]


def test_fargate_accepts_every_pair_in_the_table():
    """DG task-cpu-memory-error: the full table."""
    for cpu, memory in FARGATE_TASK_SIZES:
        assert validate(fargate_task(cpu=str(cpu), memory=str(memory))) == [], (cpu, memory)


def test_fargate_accepts_vcpu_and_gb_strings():
    """DG task-cpu-memory-error: '1 vCPU' and '2GB' are converted at registration."""
    assert validate(fargate_task(cpu="1 vCPU", memory="2GB")) == []


def test_fargate_table_applies_even_when_ec2_is_also_required():
    """DG task-cpu-memory-error: 'FARGATE ... (even if EC2 is also specified)'."""
    td = fargate_task(cpu="300", memory="1024", requiresCompatibilities=["EC2", "FARGATE"])
    assert validate(td) == [INVALID_CPU]


def test_ec2_task_cpu_may_be_any_value_from_128_units():
    """DG task-cpu-memory-error: EC2 task cpu is not restricted to the Fargate table."""
    assert validate(ec2_task(cpu="1000")) == []
    assert validate(ec2_task(cpu="64")) == [INVALID_CPU]


def test_unreadable_task_memory_is_rejected():
    assert validate(ec2_task(memory="lots")) == [INVALID_CPU]


@pytest.mark.parametrize("network_mode", ["bridge", None])
def test_fargate_requires_awsvpc_network_mode(network_mode):
    """DG AWS_Fargate: Fargate tasks must use awsvpc; moto silently rewrites bridge."""
    td = fargate_task(networkMode=network_mode)
    assert validate(td) == ["Fargate only supports network mode 'awsvpc'."]


def test_awsvpc_host_port_must_equal_container_port():
    """ECS's text, quoted in aws/amazon-ecs-cli#1014; API PortMapping.hostPort."""
    mappings = [{"containerPort": 80, "hostPort": 8080}]
    td = fargate_task(container(memory=None, portMappings=mappings))
    assert validate(td) == [taskdef.MSG_AWSVPC_PORTS]


def test_awsvpc_host_port_zero_is_rejected_too():
    """aws/amazon-ecs-cli#1014: ecs-cli sent hostPort 0 for '9292' under awsvpc and ECS refused."""
    td = fargate_task(container(memory=None, portMappings=[{"containerPort": 9292, "hostPort": 0}]))
    assert validate(td) == [taskdef.MSG_AWSVPC_PORTS]


@pytest.mark.parametrize("mapping", [{"containerPort": 80}, {"containerPort": 80, "hostPort": 80}])
def test_awsvpc_host_port_may_be_omitted_or_equal(mapping):
    assert validate(fargate_task(container(memory=None, portMappings=[mapping]))) == []


def test_host_mode_host_port_must_equal_container_port():
    """API RegisterTaskDefinition.networkMode: host mode uses the container port on the host."""
    td = ec2_task(
        container(portMappings=[{"containerPort": 80, "hostPort": 81}]), networkMode="host"
    )
    assert validate(td) == [
        "When networkMode=host, the host ports and container ports in port mappings must match."
    ]


def test_bridge_mode_maps_any_host_port():
    mappings = [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81, "hostPort": 0}]
    assert validate(ec2_task(container(portMappings=mappings))) == []


@pytest.mark.parametrize(
    ("mapping", "field"),
    [({"containerPort": 70000}, "containerPort"), ({"containerPort": 0}, "containerPort"),
     ({"containerPort": 80, "hostPort": 65536}, "hostPort"),
     ({"containerPort": 80, "hostPort": -1}, "hostPort")],
)  # fmt: skip
def test_ports_outside_0_to_65535_are_rejected(mapping, field):
    """API PortMapping: ports are 1-65535 (hostPort 0 = dynamic); moto accepts 70000."""
    assert validate(ec2_task(container(portMappings=[mapping]))) == [
        f"Invalid '{field}' setting for container 'web'."
    ]


def test_port_protocol_must_be_tcp_or_udp():
    """API PortMapping.protocol: tcp | udp; moto accepts sctp."""
    td = ec2_task(container(portMappings=[{"containerPort": 80, "protocol": "sctp"}]))
    assert validate(td) == [
        "Invalid 'protocol' setting for container 'web': 'sctp'. Valid values: tcp, udp."
    ]


def test_network_mode_none_forbids_port_mappings():
    """DG task_definition_parameters: with none, containers have no external connectivity."""
    td = ec2_task(container(portMappings=[{"containerPort": 80}]), networkMode="none")
    assert len(validate(td)) == 1


def test_network_mode_must_be_one_of_ecs_modes():
    """API NetworkMode enum: bridge | host | awsvpc | none; moto accepts 'weird'."""
    assert validate(ec2_task(networkMode="weird")) == [
        "Invalid networkMode 'weird'. Valid values: bridge, host, awsvpc, none."
    ]


@pytest.mark.parametrize("family", ["web", "Web_App-2", "a" * 255])
def test_family_allows_up_to_255_letters_digits_hyphens_underscores(family):
    """DG task_definition_parameters (family)."""
    assert validate(ec2_task(family=family)) == []


@pytest.mark.parametrize("family", ["bad family!", "my.app", "web:1"])
def test_family_with_other_characters_is_rejected(family):
    """ECS's text, quoted in aws/amazon-ecs-cli#37 and #542."""
    assert validate(ec2_task(family=family)) == ["Family contains invalid characters."]


def test_family_longer_than_255_characters_is_rejected():
    assert validate(ec2_task(family="a" * 256)) == [
        "Family must be at most 255 characters (it has 256)."
    ]


def test_missing_family_is_rejected():
    assert validate(ec2_task(family="")) == ["Family can not be blank."]


def test_container_name_with_invalid_characters_is_rejected():
    """ECS's text, quoted in hashicorp/terraform-provider-aws#5950."""
    assert validate(ec2_task(container(name="my app!"))) == [
        "Container.name contains invalid characters."
    ]


def test_container_without_name_is_rejected():
    """ECS's text, quoted in awsdocs/aws-cloudformation-user-guide#612."""
    assert validate(ec2_task({"image": "nginx", "memory": 128})) == [
        "Container.name should not be null or empty."
    ]


def test_container_without_image_is_rejected():
    """ECS's text (moto reports the same)."""
    assert validate(ec2_task({"name": "web", "memory": 128})) == [
        "Container.image should not be null or empty."
    ]


def test_duplicate_container_names_are_rejected():
    """ECS's text, quoted in Shippable/support#2946; moto accepts duplicates."""
    assert validate(ec2_task(container(), container())) == [
        "Container names must be unique within a Task Definition."
    ]


def test_empty_container_list_is_rejected():
    """ECS's text, quoted in awsdocs/aws-cloudformation-user-guide#454."""
    assert validate(ec2_task() | {"containerDefinitions": []}) == [
        "Container list cannot be empty."
    ]


def test_more_than_ten_containers_are_rejected():
    """DG service-quotas: 10 containers per task definition; text from aws/amazon-ecs-cli#184."""
    ten = [container(name=f"c{i}") for i in range(10)]
    assert validate(ec2_task(*ten)) == []
    assert validate(ec2_task(*ten, container(name="c10"))) == ["Too many containers."]


def test_task_without_an_essential_container_is_rejected():
    """API ContainerDefinition.essential; ECS's text quoted in eagletmt/hako#68."""
    td = ec2_task(container(name="a", essential=False), container(name="b", essential=False))
    assert validate(td) == ["Task definition doesn't have any essential container."]


def test_essential_defaults_to_true():
    """API ContainerDefinition.essential: omitted means true."""
    assert validate(ec2_task(container(name="a", essential=False), container(name="b"))) == []


def test_secrets_require_an_execution_role():
    """DG specifying-sensitive-data-secrets; ECS's text quoted in fabfuel/ecs-deploy#87."""
    secrets = [
        {"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}
    ]
    assert validate(ec2_task(container(secrets=secrets))) == [
        "When you are specifying container secrets, you must also specify a value for "
        "'executionRoleArn'."
    ]
    role = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    assert validate(ec2_task(container(secrets=secrets), executionRoleArn=role)) == []


def test_log_secret_options_require_an_execution_role():
    """API LogConfiguration.secretOptions are fetched with the execution role too."""
    log = {"logDriver": "splunk", "secretOptions": [{"name": "splunk-token", "valueFrom": "x"}]}
    assert validate(ec2_task(container(logConfiguration=log))) == [
        taskdef.MSG_SECRETS_NEED_EXECUTION_ROLE
    ]


def test_awslogs_on_fargate_requires_an_execution_role():
    """DG using_awslogs: Fargate pulls logs credentials with the task execution role."""
    log = {"logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1"}}
    assert validate(fargate_task(container(memory=None, logConfiguration=log))) == [
        taskdef.MSG_FARGATE_AWSLOGS_NEEDS_EXECUTION_ROLE
    ]


def test_distinct_instance_is_not_allowed_in_a_task_definition():
    """DG task-placement-constraints: distinctInstance goes in RunTask or CreateService only."""
    problems = validate(ec2_task(placementConstraints=[{"type": "distinctInstance"}]))
    assert len(problems) == 1 and "distinctInstance" in problems[0]


def test_member_of_constraint_with_documented_expression_is_valid():
    """DG task-placement-constraints example: attribute:ecs.instance-type =~ t2.*."""
    constraint = {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t2.*"}
    assert validate(ec2_task(placementConstraints=[constraint])) == []


def test_member_of_constraint_with_broken_expression_is_rejected():
    """moto accepts a syntactically broken expression; ECS does not."""
    constraint = {"type": "memberOf", "expression": "attribute:ecs.instance-type =="}
    problems = validate(ec2_task(placementConstraints=[constraint]))
    assert len(problems) == 1 and problems[0].startswith("Invalid placement constraint expression")


def test_more_than_ten_placement_constraints_are_rejected():
    """API RunTask.placementConstraints: at most 10 per task."""
    constraint = {"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}
    assert validate(ec2_task(placementConstraints=[constraint] * 10)) == []
    problems = validate(ec2_task(placementConstraints=[constraint] * 11))
    assert len(problems) == 1 and "at most 10" in problems[0]


def test_pid_mode_host_is_rejected_on_fargate():
    """DG AWS_Fargate: pidMode 'task' only (moto's message, which it copied from ECS)."""
    assert validate(fargate_task(pidMode="host")) == [
        "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value "
        "for pidMode is 'task'."
    ]


def test_links_are_rejected_outside_bridge_mode():
    """API ContainerDefinition.links: only supported in bridge mode."""
    td = ec2_task(container(name="a", links=["b"]), container(name="b"), networkMode="host")
    assert validate(td) == ["Links are not supported when networkMode=host."]


def test_privileged_containers_are_rejected_on_fargate():
    """DG AWS_Fargate: privileged is an invalid parameter for Fargate."""
    problems = validate(fargate_task(container(memory=None, privileged=True)))
    assert len(problems) == 1 and "'privileged'" in problems[0]


def test_fargate_stop_timeout_is_at_most_120_seconds():
    """API ContainerDefinition.stopTimeout: Fargate maximum 120 seconds."""
    assert validate(fargate_task(container(memory=None, stopTimeout=120))) == []
    assert len(validate(fargate_task(container(memory=None, stopTimeout=121)))) == 1


def test_mount_point_must_name_a_task_volume():
    """DG task_definition_parameters (volumes): sourceVolume must match a volume name."""
    mount = [{"sourceVolume": "data", "containerPath": "/data"}]
    assert len(validate(ec2_task(container(mountPoints=mount)))) == 1
    assert validate(ec2_task(container(mountPoints=mount), volumes=[{"name": "data"}])) == []


def test_depends_on_must_name_a_container_of_the_task():
    """API ContainerDependency.containerName."""
    depends = [{"containerName": "db", "condition": "START"}]
    assert len(validate(ec2_task(container(dependsOn=depends)))) == 1


def test_health_check_interval_must_be_5_to_300_seconds():
    """API HealthCheck.interval: 5-300 seconds."""
    check = {"command": ["CMD-SHELL", "true"], "interval": 4}
    problems = validate(ec2_task(container(healthCheck=check)))
    assert problems == [
        "Invalid 'healthCheck.interval' setting for container 'web': 4 is outside 5-300."
    ]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"ipcMode": "host"}, "do not support ipcMode 'host'"),
        ({"ephemeralStorage": {"sizeInGiB": 20}}, "sizeInGiB must be between 21 and 200"),
        ({"volumes": [{"name": "v", "host": {"sourcePath": "/data"}}]}, "sourcePath"),
        ({"volumes": [{"name": "v", "dockerVolumeConfiguration": {"scope": "task"}}]},
         "dockerVolumeConfiguration"),
        ({"placementConstraints": [{"type": "memberOf", "expression": "attribute:a == b"}]},
         "placement constraints"),
    ],
)  # fmt: skip
def test_fargate_rejects_task_parameters_it_does_not_support(fields, fragment):
    """DG AWS_Fargate (task definition parameters) and fargate-task-storage (21-200 GiB)."""
    problems = validate(fargate_task(**fields))
    assert len(problems) == 1 and fragment in problems[0]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"dnsServers": ["10.0.0.2"]}, "'dnsServers'"),
        ({"extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}]}, "'extraHosts'"),
        ({"linuxParameters": {"devices": [{"hostPath": "/dev/fuse"}]}}, "linuxParameters.devices"),
        ({"resourceRequirements": [{"type": "GPU", "value": "1"}]}, "GPUs"),
    ],
)
def test_fargate_rejects_container_parameters_it_does_not_support(fields, fragment):
    """DG AWS_Fargate: dnsServers, extraHosts, devices, gpu ... are invalid on Fargate."""
    problems = validate(fargate_task(container(memory=None, **fields)))
    assert len(problems) == 1 and fragment in problems[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pidMode": "shared"}, "Invalid pidMode 'shared'. Valid values: host, task."),
        ({"ipcMode": "private"}, "Invalid ipcMode 'private'. Valid values: host, task, none."),
        ({"requiresCompatibilities": ["LAMBDA"]},
         "Invalid requiresCompatibilities value 'LAMBDA'. "
         "Valid values: EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES."),
    ],
)  # fmt: skip
def test_task_level_enum_values_must_be_ones_ecs_knows(fields, message):
    """API RegisterTaskDefinition: PidMode, IpcMode and Compatibility enums."""
    assert validate(ec2_task(**fields)) == [message]


@pytest.mark.parametrize("field", ["memory", "memoryReservation"])
def test_container_memory_values_must_be_positive(field):
    td = ec2_task(container(**{"memory": 128, field: 0}))
    assert (
        f"Invalid '{field}' setting for container 'web'. It must be a positive number of MiB."
        in (validate(td))
    )


def test_health_check_needs_a_command():
    """API HealthCheck.command is required."""
    problems = validate(ec2_task(container(healthCheck={"interval": 30})))
    assert problems == ["Invalid 'healthCheck' setting for container 'web': a command is required."]


def test_validate_lists_every_problem_in_a_stable_order():
    td = ec2_task(container(name="a b", memoryReservation=512), family="x y", networkMode="weird")
    assert validate(td) == [
        "Family contains invalid characters.",
        "Container.name contains invalid characters.",
        "Invalid setting for container 'a b'. 'memoryReservation' (512 MiB) must not be greater "
        "than 'memory' (256 MiB).",
        "Invalid networkMode 'weird'. Valid values: bridge, host, awsvpc, none.",
    ]


def test_empty_strings_count_as_unset_like_ecs_cli_sends_them():
    """ecs-cli sends cpu/memory/networkMode as "" when ecs-params leaves them out."""
    assert validate(ec2_task(cpu="", memory="", networkMode="", taskRoleArn="")) == []


def test_validate_does_not_modify_its_input():
    td = ec2_task(container(portMappings=[{"containerPort": 80}]))
    before = copy.deepcopy(td)
    validate(td)
    assert td == before


def test_rejection_message_is_ecs_text_for_one_problem():
    assert rejection_message(["Too many containers."]) == "Too many containers."


def test_rejection_message_starts_with_ecs_text_and_lists_the_rest():
    message = rejection_message(["Too many containers.", "Family contains invalid characters."])
    assert message.startswith("Too many containers. ")
    assert "(2) Family contains invalid characters." in message


# ------------------------------------------------------------------------------- register


@pytest.fixture
def ecs(monkeypatch):
    use_fake_aws(monkeypatch)
    with mock_aws():
        yield boto3.client("ecs", region_name="us-east-1")


def test_register_raises_client_exception_like_ecs(ecs):
    """API RegisterTaskDefinition errors: ClientException, HTTP 400."""
    with pytest.raises(ecs.exceptions.ClientException) as caught:
        register(ecs, fargate_task(cpu="256", memory="4096"))
    error = caught.value
    assert isinstance(error, ClientError)
    assert error.operation_name == "RegisterTaskDefinition"
    assert error.response["Error"] == {"Code": "ClientException", "Message": INVALID_CPU}


def test_register_does_not_store_a_rejected_task_definition(ecs):
    with pytest.raises(ClientError):
        register(ecs, ec2_task(family="bad family!"))
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []


def test_register_returns_the_registered_task_definition(ecs):
    """DG task_definition_parameters: the first registration of a family is revision 1."""
    registered = register(ecs, ec2_task())
    assert registered["family"] == "web"
    assert registered["revision"] == 1


def test_register_stores_vcpu_and_gb_strings_as_units_like_ecs(ecs):
    """DG task-cpu-memory-error: cpu and memory strings are converted when registered."""
    registered = register(ecs, fargate_task(cpu="1 vCPU", memory="2GB"))
    assert (registered["cpu"], registered["memory"]) == ("1024", "2048")


def test_as_registered_drops_empty_strings_and_keeps_the_input_intact():
    td = ec2_task(cpu="", memory="0.5GB", networkMode="")
    assert taskdef.as_registered(td) == ec2_task(memory="512")
    assert td["memory"] == "0.5GB"


# ------------------------------------------------------------------------ reserved resources


def test_placement_reserves_memory_reservation_when_set_else_memory():
    """API ContainerDefinition.memoryReservation: the reservation is subtracted, not the limit."""
    td = ec2_task(
        container(name="a", memory=512, memoryReservation=128), container(name="b", memory=256)
    )
    assert reserved_resources(td)["MEMORY"] == 128 + 256


def test_placement_reserves_the_sum_of_container_cpu():
    td = ec2_task(container(name="a", cpu=256), container(name="b", cpu=128), container(name="c"))
    assert reserved_resources(td)["CPU"] == 384


def test_task_level_cpu_and_memory_win_over_containers():
    """DG memory-management: task-level memory wins (2048, not 1024 + 512)."""
    td = ec2_task(
        container(memory=1024, memoryReservation=512, cpu=100), cpu="1 vCPU", memory="2GB"
    )
    assert reserved_resources(td) == {"CPU": 1024, "MEMORY": 2048, "PORTS": [], "PORTS_UDP": []}


def test_bridge_mode_reserves_static_host_ports_split_by_protocol():
    """DG basic-service-params: a static host port is held on the instance, a dynamic one is not."""
    mappings = [
        {"containerPort": 80, "hostPort": 80},
        {"containerPort": 53, "hostPort": 53, "protocol": "udp"},
        {"containerPort": 8080, "hostPort": 0},
        {"containerPort": 9090},
    ]
    resources = reserved_resources(ec2_task(container(portMappings=mappings)))
    assert (resources["PORTS"], resources["PORTS_UDP"]) == ([80], [53])


def test_host_mode_reserves_the_container_port():
    """API RegisterTaskDefinition.networkMode: host mode uses the container port on the host."""
    td = ec2_task(container(portMappings=[{"containerPort": 8080}]), networkMode="host")
    assert reserved_resources(td)["PORTS"] == [8080]


def test_awsvpc_tasks_reserve_no_instance_ports():
    """DG task-networking: an awsvpc task listens on its own ENI."""
    td = ec2_task(
        container(portMappings=[{"containerPort": 80, "hostPort": 80}]), networkMode="awsvpc"
    )
    assert reserved_resources(td)["PORTS"] == []


def test_run_task_overrides_change_what_placement_reserves():
    """API TaskOverride / ContainerOverride: moto ignores these for sizing; ECS does not."""
    td = ec2_task(container(memory=512, cpu=128))
    overrides = {"containerOverrides": [{"name": "web", "memory": 1024, "cpu": 256}]}
    assert reserved_resources(td, overrides)[("CPU")] == 256
    assert reserved_resources(td, overrides)["MEMORY"] == 1024
    assert reserved_resources(td, {"memory": "3GB"})["MEMORY"] == 3072


def test_tasks_that_fit_is_limited_by_the_scarcer_resource():
    """moto's instances have CPU 4096 / MEMORY 7482 (moto-gaps): 7 tasks of 1024 MiB fit."""
    instance = {"CPU": 4096, "MEMORY": 7482, "PORTS": [22], "PORTS_UDP": []}
    assert tasks_that_fit(ec2_task(container(memory=1024)), instance) == 7
    assert tasks_that_fit(ec2_task(container(memory=128, cpu=1024)), instance) == 4


def test_a_task_with_a_static_host_port_fits_once_per_instance():
    """DG basic-service-params: one task per instance per static host port."""
    td = ec2_task(container(memory=128, portMappings=[{"containerPort": 80, "hostPort": 80}]))
    assert tasks_that_fit(td, {"CPU": 4096, "MEMORY": 7482, "PORTS": [], "PORTS_UDP": []}) == 1
    assert tasks_that_fit(td, {"CPU": 4096, "MEMORY": 7482, "PORTS": ["80"], "PORTS_UDP": []}) == 0


def test_tasks_that_fit_reads_ecs_resource_lists():
    """API ContainerInstance.remainingResources shape."""
    remaining = [
        {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": 995},
        {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2376"]},
        {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
    ]
    assert tasks_that_fit(ec2_task(container(memory=300)), remaining) == 3


def test_tasks_that_fit_refuses_a_task_that_reserves_nothing():
    td = ec2_task(container(memory=None))
    with pytest.raises(TaskDefinitionError, match="reserves no CPU and no memory"):
        tasks_that_fit(td, {"CPU": 1024, "MEMORY": 1024})
