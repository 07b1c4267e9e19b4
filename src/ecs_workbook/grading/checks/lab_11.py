"""Checks of lab 11, configuration, metadata and secrets.

Every check reads the moto state through describe/list/get calls (never changes it) and the
learner's answers, and computes what is right with the kit's own code: ``agent_config`` reads the
user data as the agent would, ``metadata.resolve_secrets`` resolves ``valueFrom`` as the agent
would, and ``metadata.task_metadata`` builds the task metadata document from the moto state.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from typing import Any

from botocore.exceptions import ClientError

from ecs_workbook import agent_config, metadata, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise

CLUSTER = "lab11"
ATTRIBUTES = {"team": "checkout", "stack": "prod"}
FAMILY = "orders"
CONTAINER = "orders"
ROLE = "ecsTaskExecutionRole"
TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"
PARAMETER = "/lab11/db/password"
SECRET = "lab11/payments"
SECRET_KEY = "api_key"
DB_VARIABLE = "DB_PASSWORD"
API_KEY_VARIABLE = "PAYMENTS_API_KEY"


def _instances(ctx: CheckContext) -> list[dict[str, Any]]:
    """Container instances of the lab cluster (describe entries); [] without cluster or instance."""
    try:
        arns = ctx.ecs.list_container_instances(cluster=CLUSTER).get("containerInstanceArns", [])
    except ClientError:
        return []
    if not arns:
        return []
    described = ctx.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)
    return described.get("containerInstances", [])


def _attributes(instance: dict[str, Any]) -> dict[str, str | None]:
    return {a["name"]: a.get("value") for a in instance.get("attributes", [])}


def _custom(instance: dict[str, Any]) -> dict[str, str | None]:
    return {k: v for k, v in _attributes(instance).items() if not k.startswith("ecs.")}


def _task_definition(ctx: CheckContext, arn: str) -> dict[str, Any] | None:
    try:
        return ctx.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    except ClientError:
        return None


def _container(definition: dict[str, Any]) -> dict[str, Any] | None:
    for container in definition.get("containerDefinitions") or []:
        if container.get("name") == CONTAINER:
            return container
    return None


def _secret(container: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in container.get("secrets") or [] if s.get("name") == name), None)


def _resolve(ctx: CheckContext, definition: dict[str, Any], name: str) -> tuple[str | None, str]:
    """(value the agent would inject for ``name``, or None; what went wrong, for the learner)."""
    container = _container(definition) or {}
    entry = _secret(container, name)
    if entry is None:
        names = [s.get("name") for s in container.get("secrets") or []]
        return None, f"no secret named {name} (secrets: {names})"
    one = {**definition, "containerDefinitions": [{**container, "secrets": [entry]}]}
    try:
        resolved = metadata.resolve_secrets(
            one, ctx.client("ssm"), ctx.client("secretsmanager"), CONTAINER
        )
    except metadata.SecretResolutionError as error:
        return None, str(error)
    return resolved.get(name), f"{name} resolves to {resolved.get(name)!r}"


# -- ex1 -------------------------------------------------------------------------------------------
def check_user_data(ctx: CheckContext) -> None:
    user_data = ctx.answer(
        "user_data", str, example='"#!/bin/bash\\necho ECS_CLUSTER=lab11 >> ..."'
    )
    settings = agent_config.agent_settings(user_data)
    written = agent_config.parse_ecs_config(agent_config.ecs_config_from_user_data(user_data))
    hint = "append ECS_CLUSTER=lab11 to /etc/ecs/ecs.config, e.g. echo ECS_CLUSTER=lab11 >> /etc/ecs/ecs.config"
    if not written:
        hint = "no line of the script writes /etc/ecs/ecs.config; " + hint
    ctx.expect(
        1,
        settings["ECS_CLUSTER"] == CLUSTER,
        f"the user data to set ECS_CLUSTER={CLUSTER}",
        f"the agent would join {settings['ECS_CLUSTER']!r}",
        hint,
    )
    try:
        attributes = agent_config.instance_attributes(settings)
        problem = ""
    except ValueError as error:
        attributes, problem = {}, str(error)
    ctx.expect(
        1,
        attributes == ATTRIBUTES,
        'ECS_INSTANCE_ATTRIBUTES={"team": "checkout", "stack": "prod"} (a JSON object)',
        problem or f"attributes {attributes}",
        "quote the whole echo argument in single quotes so the shell keeps the JSON's double "
        "quotes, or use a cat <<'EOF' heredoc",
    )
    block = settings.get("ECS_AWSVPC_BLOCK_IMDS", "false").lower()
    ctx.expect(
        1,
        block == "true",
        "ECS_AWSVPC_BLOCK_IMDS=true, which keeps awsvpc tasks away from IMDS",
        f"ECS_AWSVPC_BLOCK_IMDS={block}",
        "add the line ECS_AWSVPC_BLOCK_IMDS=true to ecs.config",
    )
    instances = _instances(ctx)
    labelled = [i for i in instances if ATTRIBUTES.items() <= _custom(i).items()]
    ctx.expect(
        1,
        bool(labelled),
        f"a container instance in '{CLUSTER}' registered with team=checkout and stack=prod",
        f"instances with custom attributes {[_custom(i) for i in instances]}"
        if instances
        else "no container instance in the cluster",
        "run the locked cell after your answer: it boots the instance with your user data",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def check_imds(ctx: CheckContext) -> None:
    instances = _instances(ctx)
    if not instances:
        ctx.expect(
            2,
            False,
            f"the container instance from exercise ex1 in '{CLUSTER}'",
            "no container instance in the cluster",
            "do exercise ex1 first, then run the cells again from the top",
        )
        return
    ids = {i.get("ec2InstanceId"): _attributes(i).get("ecs.availability-zone") for i in instances}
    instance_id = ctx.answer("imds_instance_id", str, example="'i-0123456789abcdef0'")
    hint = "GET /latest/meta-data/instance-id with the X-aws-ec2-metadata-token header"
    if not instance_id.startswith("i-"):
        hint = "an instance id starts with 'i-'; " + hint
    ctx.expect(1, instance_id in ids, f"imds_instance_id in {sorted(ids)}", repr(instance_id), hint)
    zone = ctx.answer("imds_zone", str, example="'us-east-1a'")
    expected_zone = ids.get(instance_id) or next(iter(ids.values()))
    ctx.expect(
        1,
        zone == expected_zone,
        f"imds_zone == {expected_zone!r}, the instance's Availability Zone",
        repr(zone),
        "read /latest/meta-data/placement/availability-zone (a zone ends in a letter; the "
        "Region does not)",
    )


# -- ex3 -------------------------------------------------------------------------------------------
def _trust_allows_tasks(document: Any) -> bool:
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    for statement in document.get("Statement", []):
        principal = (statement.get("Principal") or {}).get("Service", [])
        services = [principal] if isinstance(principal, str) else list(principal)
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        if (
            statement.get("Effect") == "Allow"
            and TASKS_PRINCIPAL in services
            and "sts:AssumeRole" in actions
        ):
            return True
    return False


def _role(ctx: CheckContext, arn: str) -> dict[str, Any] | None:
    try:
        return ctx.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1])["Role"]
    except ClientError:
        return None


def check_execution_role(ctx: CheckContext) -> None:
    arn = ctx.answer(
        "orders_arn", str, example="'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:1'"
    )
    definition = _task_definition(ctx, arn)
    if not ctx.expect(
        1,
        definition is not None and definition.get("family") == FAMILY,
        f"orders_arn to name a registered revision of '{FAMILY}'",
        repr(arn),
        "store response['taskDefinition']['taskDefinitionArn'] from register_task_definition",
    ):
        return
    role_arn = definition.get("executionRoleArn") or ""
    role = _role(ctx, role_arn) if role_arn else None
    ctx.expect(
        1,
        role is not None and _trust_allows_tasks(role.get("AssumeRolePolicyDocument", {})),
        f"executionRoleArn to be an IAM role that {TASKS_PRINCIPAL} may assume",
        f"executionRoleArn {role_arn!r}" + ("" if role or not role_arn else " (no such role)"),
        f'trust policy: {{"Effect": "Allow", "Principal": {{"Service": "{TASKS_PRINCIPAL}"}}, '
        '"Action": "sts:AssumeRole"}',
    )
    container = _container(definition) or {}
    entry = _secret(container, DB_VARIABLE) or {}
    problems = taskdef.validate(definition)
    ctx.expect(
        1,
        entry.get("valueFrom") == PARAMETER and not problems,
        f"the {CONTAINER} container unchanged, with {DB_VARIABLE} from {PARAMETER}",
        "; ".join(problems) or f"secrets {container.get('secrets')}",
        "copy broken_orders and add only executionRoleArn: {**broken_orders, 'executionRoleArn': ...}",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _role_statements(ctx: CheckContext, role_name: str) -> list[dict[str, Any]]:
    iam = ctx.client("iam")
    statements: list[dict[str, Any]] = []
    for name in iam.list_role_policies(RoleName=role_name).get("PolicyNames", []):
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(urllib.parse.unquote(document))
        found = document.get("Statement", [])
        statements += [found] if isinstance(found, dict) else list(found)
    return statements


def _allows(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = [a.lower() for a in _as_list(statement.get("Action"))]
        if not any(fnmatch.fnmatchcase(action.lower(), a) for a in actions):
            continue
        if any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement.get("Resource"))):
            return True
    return False


def check_secret_json_key(ctx: CheckContext) -> None:
    arn = ctx.answer("orders_v2_arn", str, example="'arn:aws:ecs:...:task-definition/orders:2'")
    definition = _task_definition(ctx, arn)
    if not ctx.expect(
        1,
        definition is not None
        and definition.get("family") == FAMILY
        and _resolve(ctx, definition, DB_VARIABLE)[0] is not None,
        f"orders_v2_arn to name an '{FAMILY}' revision that still injects {DB_VARIABLE}",
        repr(arn) if definition is None else _resolve(ctx, definition, DB_VARIABLE)[1],
        "register a new revision of orders: keep its secrets and executionRoleArn, add one secret",
    ):
        return
    secret = ctx.client("secretsmanager").describe_secret(SecretId=SECRET)
    wanted = json.loads(
        ctx.client("secretsmanager").get_secret_value(SecretId=secret["ARN"])["SecretString"]
    )[SECRET_KEY]
    value, why = _resolve(ctx, definition, API_KEY_VARIABLE)
    entry = _secret(_container(definition) or {}, API_KEY_VARIABLE) or {}
    value_from = entry.get("valueFrom", "")
    hint = f"valueFrom = the secret's full ARN + ':{SECRET_KEY}::' (describe_secret gives the ARN)"
    if value_from and not value_from.startswith("arn:"):
        hint = "ECS reads a bare name as an SSM parameter name; " + hint
    elif value is not None and value.startswith("{"):
        hint = "that injects the whole JSON; " + hint
    ctx.expect(
        1,
        value == wanted,
        f"{API_KEY_VARIABLE} to be the '{SECRET_KEY}' field of {SECRET}",
        why,
        hint,
    )
    role_name = (definition.get("executionRoleArn") or "").rsplit("/", 1)[-1]
    try:
        statements = _role_statements(ctx, role_name) if role_name else []
    except ClientError:
        statements = []
    parameter_arn = ctx.client("ssm").get_parameter(Name=PARAMETER)["Parameter"]["ARN"]
    needed = [
        ("ssm:GetParameters", parameter_arn),
        ("secretsmanager:GetSecretValue", secret["ARN"]),
    ]
    missing = [f"{a} on {r}" for a, r in needed if not _allows(statements, a, r)]
    ctx.expect(
        1,
        not missing,
        f"an inline policy on {role_name or ROLE} allowing ssm:GetParameters on the parameter "
        "and secretsmanager:GetSecretValue on the secret",
        "missing: " + "; ".join(missing) if missing else "",
        "put_role_policy(RoleName=..., PolicyName=..., PolicyDocument=json.dumps(policy)); "
        "metadata.execution_role_policy(task_definition) drafts it",
    )
    broad = [
        s for s in statements if s.get("Effect") == "Allow" and "*" in _as_list(s.get("Resource"))
    ]
    ctx.expect(
        1,
        bool(statements) and not broad,
        'no statement with "Resource": "*" (least privilege)',
        f"{len(broad)} statement(s) on every resource: {broad}" if broad else "no inline policy",
        "name the parameter's and the secret's ARNs in Resource",
    )


# -- ex5 -------------------------------------------------------------------------------------------
def _orders_tasks(ctx: CheckContext) -> list[dict[str, Any]]:
    try:
        arns = ctx.ecs.list_tasks(cluster=CLUSTER).get("taskArns", [])
    except ClientError:
        return []
    if not arns:
        return []
    tasks = ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=arns[:100]).get("tasks", [])
    return [
        t
        for t in tasks
        if f":task-definition/{FAMILY}:" in t.get("taskDefinitionArn", "")
        and t.get("lastStatus") == "RUNNING"
    ]


def check_task_metadata(ctx: CheckContext) -> None:
    tasks = _orders_tasks(ctx)
    if not tasks:
        ctx.expect(
            2,
            False,
            f"a RUNNING '{FAMILY}' task in '{CLUSTER}' (the locked cell starts it)",
            "none",
            "do exercises ex1 and ex4 first, then run the cells again from the top",
        )
        return
    documents = [metadata.task_metadata(ctx.ecs, CLUSTER, t["taskArn"]) for t in tasks]
    zones = sorted({d.get("AvailabilityZone") for d in documents})
    names = [c["DockerName"] for d in documents for c in d["Containers"] if c["Name"] == CONTAINER]
    zone = ctx.answer("task_zone", str, example="'us-east-1a'")
    ctx.expect(
        1,
        zone in zones,
        f"task_zone in {zones}",
        repr(zone),
        'read task_document["AvailabilityZone"] from ${ECS_CONTAINER_METADATA_URI_V4}/task',
    )
    docker_name = ctx.answer("docker_name", str, example="'ecs-orders-2-orders-...'")
    hint = "each entry of task_document['Containers'] has a DockerName"
    if docker_name == CONTAINER:
        hint = "that is the container's Name in the task definition; " + hint
    ctx.expect(
        1,
        docker_name in names,
        "docker_name to be the orders container's DockerName (ecs-<family>-<revision>-orders-...)",
        repr(docker_name),
        hint,
    )


EXERCISES = [
    Exercise("ex1", "User data that joins a cluster", 4, ("user_data",), check_user_data),
    Exercise(
        "ex2",
        "Ask the instance about itself with IMDSv2",
        2,
        ("imds_instance_id", "imds_zone"),
        check_imds,
    ),
    Exercise("ex3", "Fix a task definition ECS rejects", 3, ("orders_arn",), check_execution_role),
    Exercise(
        "ex4",
        "One field of a Secrets Manager secret, least privilege",
        4,
        ("orders_v2_arn",),
        check_secret_json_key,
    ),
    Exercise(
        "ex5",
        "Where does the task run?",
        2,
        ("task_zone", "docker_name"),
        check_task_metadata,
    ),
]
