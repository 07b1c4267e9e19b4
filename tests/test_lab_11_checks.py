"""Lab 11's checks: right answers score, classic mistakes lose points with a hint that names them.

Each test builds in a sandbox what a learner's cells would build, then runs the check the grader
runs. One sandbox serves the file; tests that need a different state use names of their own.
"""

from __future__ import annotations

import json

import pytest

from ecs_workbook import agent_config, metadata, sandbox
from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext, run_check
from ecs_workbook.grading.checks import lab_11

GOOD_USER_DATA = (
    "#!/bin/bash\n"
    "cat <<'EOF' >> /etc/ecs/ecs.config\n"
    "ECS_CLUSTER=lab11\n"
    'ECS_INSTANCE_ATTRIBUTES={"team": "checkout", "stack": "prod"}\n'
    "ECS_AWSVPC_BLOCK_IMDS=true\n"
    "EOF\n"
)
ORDERS = {
    "family": "orders",
    "containerDefinitions": [
        {
            "name": "orders",
            "image": "public.ecr.aws/docker/library/python:3.12-slim",
            "memory": 256,
            "environment": [{"name": "STAGE", "value": "prod"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "/lab11/db/password"}],
        }
    ],
}


@pytest.fixture(scope="module")
def world():
    with sandbox.start() as sb:
        sb.ecs.create_cluster(clusterName="lab11")
        sb.ssm.put_parameter(Name="/lab11/db/password", Value="tr0ub4dor&3", Type="SecureString")
        secret = sb.secretsmanager.create_secret(
            Name="lab11/payments",
            SecretString=json.dumps({"merchant_id": "m-2048", "api_key": "pk-live-0451"}),
        )
        booted = agent_config.boot_container_instance(sb.ecs, sb.ec2, GOOD_USER_DATA)
        role = sb.iam.create_role(
            RoleName="ecsTaskExecutionRole",
            AssumeRolePolicyDocument=json.dumps(metadata.TASK_EXECUTION_TRUST_POLICY),
        )["Role"]["Arn"]
        orders = {**ORDERS, "executionRoleArn": role}
        orders_arn = sb.ecs.register_task_definition(**orders)["taskDefinition"][
            "taskDefinitionArn"
        ]
        yield sb, booted, orders, orders_arn, secret["ARN"]


def grade(sb, exercise_id: str, **answers):
    exercise = next(e for e in lab_11.EXERCISES if e.id == exercise_id)
    encoded = answer_codec.encode_answers(answers, exercise.answers)
    ctx = CheckContext(encoded, sb.client, declared=exercise.answers)
    return run_check(exercise, ctx)


def failed_text(result) -> str:
    return "\n".join(item.text() for item in result.failed_items())


def with_api_key(orders: dict, value_from: str) -> dict:
    container = orders["containerDefinitions"][0]
    secrets = [*container["secrets"], {"name": "PAYMENTS_API_KEY", "valueFrom": value_from}]
    return {**orders, "containerDefinitions": [{**container, "secrets": secrets}]}


def test_user_data_that_joins_lab11_with_attributes_scores_full_marks(world):
    sb = world[0]
    assert grade(sb, "ex1", user_data=GOOD_USER_DATA).passed


def test_unquoted_json_attributes_are_explained(world):
    """The shell strips the JSON's double quotes in an unquoted echo argument."""
    sb = world[0]
    wrong = (
        "echo ECS_CLUSTER=lab11 >> /etc/ecs/ecs.config\n"
        'echo ECS_INSTANCE_ATTRIBUTES={"team":"checkout","stack":"prod"} >> /etc/ecs/ecs.config\n'
        "echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config\n"
    )
    result = grade(sb, "ex1", user_data=wrong)
    assert "single quotes" in failed_text(result)
    assert result.score == result.max_score - 1


def test_imds_answers_for_the_booted_instance_score_full_marks(world):
    sb, booted = world[0], world[1]
    zone = next(a["value"] for a in booted["attributes"] if a["name"] == "ecs.availability-zone")
    result = grade(sb, "ex2", imds_instance_id=booted["ec2InstanceId"], imds_zone=zone)
    assert result.passed


def test_a_region_instead_of_a_zone_loses_the_zone_point(world):
    sb, booted = world[0], world[1]
    result = grade(sb, "ex2", imds_instance_id=booted["ec2InstanceId"], imds_zone="us-east-1")
    assert result.score == 1 and "ends in a letter" in failed_text(result)


def test_orders_with_an_execution_role_scores_full_marks(world):
    sb, orders_arn = world[0], world[3]
    assert grade(sb, "ex3", orders_arn=orders_arn).passed


def test_a_role_that_ecs_tasks_cannot_assume_loses_the_role_point(world):
    sb = world[0]
    role = sb.iam.create_role(RoleName="wrongTrust", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    arn = sb.ecs.register_task_definition(
        **{**ORDERS, "family": "orders", "executionRoleArn": role}
    )["taskDefinition"]["taskDefinitionArn"]
    result = grade(sb, "ex3", orders_arn=arn)
    assert "ecs-tasks.amazonaws.com" in failed_text(result) and result.score == 2


def _register_v2(sb, orders, value_from, resources=None):
    definition = with_api_key(orders, value_from)
    policy = metadata.execution_role_policy(definition)
    if resources is not None:
        for statement in policy["Statement"]:
            statement["Resource"] = resources
    sb.iam.put_role_policy(
        RoleName="ecsTaskExecutionRole",
        PolicyName="orders-secrets",
        PolicyDocument=json.dumps(policy),
    )
    return sb.ecs.register_task_definition(**definition)["taskDefinition"]["taskDefinitionArn"]


def test_the_api_key_field_with_a_least_privilege_policy_scores_full_marks(world):
    sb, orders, secret_arn = world[0], world[2], world[4]
    arn = _register_v2(sb, orders, f"{secret_arn}:api_key::")
    assert grade(sb, "ex4", orders_v2_arn=arn).passed


def test_the_secret_without_a_json_key_injects_the_whole_json(world):
    sb, orders, secret_arn = world[0], world[2], world[4]
    arn = _register_v2(sb, orders, secret_arn)
    assert "the whole JSON" in failed_text(grade(sb, "ex4", orders_v2_arn=arn))


def test_a_bare_secret_name_is_read_as_an_ssm_parameter(world):
    """ECS takes a valueFrom that is not an ARN for a Parameter Store name."""
    sb, orders = world[0], world[2]
    arn = _register_v2(sb, orders, "lab11/payments")
    assert "SSM parameter name" in failed_text(grade(sb, "ex4", orders_v2_arn=arn))


def test_a_policy_on_every_resource_loses_the_least_privilege_point(world):
    sb, orders, secret_arn = world[0], world[2], world[4]
    arn = _register_v2(sb, orders, f"{secret_arn}:api_key::", resources="*")
    result = grade(sb, "ex4", orders_v2_arn=arn)
    assert result.score == result.max_score - 1
    assert "Resource" in failed_text(result)


def test_the_metadata_answers_of_the_running_task_score_full_marks(world):
    sb, orders_arn = world[0], world[3]
    task = sb.ecs.run_task(cluster="lab11", taskDefinition=orders_arn)["tasks"][0]
    document = metadata.task_metadata(sb.ecs, "lab11", task["taskArn"])
    name = document["Containers"][0]["DockerName"]
    result = grade(sb, "ex5", task_zone=document["AvailabilityZone"], docker_name=name)
    assert result.passed


def test_the_container_name_is_not_its_docker_name(world):
    sb, orders_arn = world[0], world[3]
    task = sb.ecs.run_task(cluster="lab11", taskDefinition=orders_arn)["tasks"][0]
    zone = metadata.task_metadata(sb.ecs, "lab11", task["taskArn"])["AvailabilityZone"]
    result = grade(sb, "ex5", task_zone=zone, docker_name="orders")
    assert "that is the container's Name" in failed_text(result)
