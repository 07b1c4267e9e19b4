"""What the ECS agent resolves before a container starts: ``secrets`` and ``environmentFiles``.

On AWS the agent reads each ``secrets[].valueFrom`` from SSM Parameter Store or Secrets Manager,
and each ``environmentFiles`` object from S3, with the task execution role, and stops the task if
one is missing. moto's ECS never resolves (or checks) them: :func:`resolve_secrets` and
:func:`container_environment` fetch the values from moto as the agent would, and
:func:`execution_role_policy` writes the least-privilege policy the execution role needs.

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecs_workbook import taskdef

__all__ = [
    "TASK_EXECUTION_TRUST_POLICY",
    "SecretReference",
    "SecretResolutionError",
    "container_environment",
    "execution_role_policy",
    "parse_environment_file",
    "parse_value_from",
    "resolve_secrets",
]

#: Who may assume a task execution role: the ECS tasks service principal.
TASK_EXECUTION_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


class SecretResolutionError(ValueError):
    """A ``secrets`` or ``environmentFiles`` entry that the ECS agent could not resolve."""


@dataclass(frozen=True)
class SecretReference:
    """A parsed ``valueFrom``: which service, which id to ask for, and which part of the value.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    """

    service: str  # "ssm" or "secretsmanager"
    secret_id: str  # parameter name or ARN / secret ARN without the trailing fields
    json_key: str | None = None
    version_stage: str | None = None
    version_id: str | None = None


def parse_value_from(value_from: str) -> SecretReference:
    """Split a ``secrets[].valueFrom`` the way ECS reads it.

    * ``arn:aws:ssm:region:account:parameter/name`` or a bare parameter name (same Region);
    * ``arn:aws:secretsmanager:region:account:secret:name-AbCdEf`` optionally followed by
      ``:json-key:version-stage:version-id`` (empty fields allowed, e.g. ``...:password::``).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html
    """
    text = (value_from or "").strip()
    if not text:
        raise SecretResolutionError(
            "valueFrom is empty: it must name an SSM parameter (its name or ARN) or a Secrets "
            "Manager secret ARN."
        )
    if not text.startswith("arn:"):
        if ":" in text:
            raise SecretResolutionError(
                f"valueFrom {text!r} is neither a parameter name nor an ARN. A JSON key needs the "
                "full Secrets Manager ARN: arn:aws:secretsmanager:<region>:<account>:secret:"
                "<name>-AbCdEf:<json-key>::"
            )
        return SecretReference("ssm", text)
    parts = text.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "ssm" and len(parts) == 6 and parts[5].startswith("parameter/"):
        return SecretReference("ssm", text)
    if service == "secretsmanager" and len(parts) >= 7 and parts[5] == "secret":
        extra = parts[7:]
        if len(extra) > 3:
            raise SecretResolutionError(
                f"valueFrom {text!r} has too many ':' fields; after the secret ARN come at most "
                "json-key:version-stage:version-id."
            )
        extra += [""] * (3 - len(extra))
        return SecretReference(
            "secretsmanager",
            ":".join(parts[:7]),
            json_key=extra[0] or None,
            version_stage=extra[1] or None,
            version_id=extra[2] or None,
        )
    raise SecretResolutionError(
        f"valueFrom {text!r} is not an SSM parameter ARN (arn:aws:ssm:<region>:<account>:"
        "parameter/<name>) or a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:"
        "<account>:secret:<name>)."
    )


def resolve_secrets(
    task_definition: Mapping[str, Any],
    ssm: Any,
    secretsmanager: Any,
    container_name: str | None = None,
) -> dict[str, str]:
    """The environment variables ECS would inject from one container's ``secrets``.

    What the agent does on AWS, with the task execution role, before the container starts: read
    each SSM parameter with decryption, each Secrets Manager secret (one JSON key if named), and
    fail the task if any is missing. moto's ECS never does this, so the kit does it here.
    ``container_name`` defaults to the first container.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
    """
    container = _container(task_definition, container_name)
    secrets = container.get("secrets") or []
    if secrets and not task_definition.get("executionRoleArn"):
        raise SecretResolutionError(
            f"{taskdef.MSG_SECRETS_NEED_EXECUTION_ROLE} ECS rejects this task definition at "
            "RegisterTaskDefinition: the agent fetches secrets with the task execution role. Add "
            "executionRoleArn (a role that ecs-tasks.amazonaws.com can assume)."
        )
    return {
        entry["name"]: _secret_value(entry["name"], entry.get("valueFrom", ""), ssm, secretsmanager)
        for entry in secrets
    }


def _secret_value(name: str, value_from: str, ssm: Any, secretsmanager: Any) -> str:
    from botocore.exceptions import ClientError

    reference = parse_value_from(value_from)
    where = f"secret {name} (valueFrom {value_from!r})"
    stop = "On ECS the task would stop before its containers start, naming this secret."
    if reference.service == "ssm":
        if ssm is None:
            raise SecretResolutionError(f"{where} is an SSM parameter: pass an ssm client.")
        answer = ssm.get_parameters(Names=[reference.secret_id], WithDecryption=True)
        if answer.get("InvalidParameters") or not answer.get("Parameters"):
            raise SecretResolutionError(
                f"{where}: SSM Parameter Store has no parameter {reference.secret_id!r} in "
                f"this account and Region. {stop} Create it with ssm.put_parameter or fix the name."
            )
        return answer["Parameters"][0]["Value"]
    if secretsmanager is None:
        raise SecretResolutionError(f"{where} is a Secrets Manager secret: pass that client.")
    request: dict[str, str] = {"SecretId": reference.secret_id}
    if reference.version_stage:
        request["VersionStage"] = reference.version_stage
    if reference.version_id:
        request["VersionId"] = reference.version_id
    try:
        secret = secretsmanager.get_secret_value(**request)
    except ClientError as error:
        raise SecretResolutionError(
            f"{where}: Secrets Manager answered {error.response['Error']['Code']}: "
            f"{error.response['Error']['Message']} {stop} Check the ARN, including its "
            "six-character suffix, with secretsmanager.describe_secret."
        ) from None
    value = secret.get("SecretString")
    if value is None:
        raise SecretResolutionError(
            f"{where}: the secret holds binary data; ECS injects only SecretString values."
        )
    if reference.json_key is None:
        return value
    try:
        fields = json.loads(value)
    except ValueError:
        fields = None
    if not isinstance(fields, dict) or reference.json_key not in fields:
        keys = ", ".join(sorted(fields)) if isinstance(fields, dict) else "none: it is not JSON"
        raise SecretResolutionError(
            f"{where}: the secret has no JSON key {reference.json_key!r} (its keys: {keys}). {stop}"
        )
    found = fields[reference.json_key]
    return found if isinstance(found, str) else json.dumps(found)


def container_environment(
    task_definition: Mapping[str, Any],
    *,
    container_name: str | None = None,
    s3: Any = None,
    ssm: Any = None,
    secretsmanager: Any = None,
) -> dict[str, str]:
    """Every variable ECS sets from the task definition for one container, in ECS's precedence.

    ``environmentFiles`` first (files in order; the first value of a name wins), then
    ``environment`` (overrides the files), then ``secrets``. Variables the agent adds on its own
    (``ECS_CONTAINER_METADATA_URI_V4``, ``AWS_EXECUTION_ENV``, task-role credentials URI) and the
    image's own ``ENV`` are not included.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
    """
    container = _container(task_definition, container_name)
    environment: dict[str, str] = {}
    for entry in container.get("environmentFiles") or []:
        for name, value in _environment_file(entry, s3).items():
            environment.setdefault(name, value)
    for entry in container.get("environment") or []:
        environment[entry["name"]] = entry.get("value", "")
    if container.get("secrets"):
        environment.update(resolve_secrets(task_definition, ssm, secretsmanager, container_name))
    return environment


def _environment_file(entry: Mapping[str, Any], s3: Any) -> dict[str, str]:
    arn = entry.get("value", "")
    if entry.get("type", "s3") != "s3" or not arn.startswith("arn:aws:s3:::") or "/" not in arn:
        raise SecretResolutionError(
            f"environmentFiles entry {dict(entry)!r}: expected "
            '{"value": "arn:aws:s3:::<bucket>/<key>.env", "type": "s3"}.'
        )
    bucket, key = arn[len("arn:aws:s3:::") :].split("/", 1)
    if not key.endswith(".env"):
        raise SecretResolutionError(
            f"environmentFiles object {key!r} must use the .env file extension."
        )
    if s3 is None:
        raise SecretResolutionError(
            f"environmentFiles names {arn}: pass an s3 client (sb.client('s3')) to read it."
        )
    from botocore.exceptions import ClientError

    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except ClientError as error:
        raise SecretResolutionError(
            f"environmentFiles object {arn}: S3 answered {error.response['Error']['Code']}. "
            "On ECS the task would stop before its containers start. Upload the file first."
        ) from None
    return parse_environment_file(body)


def parse_environment_file(text: str) -> dict[str, str]:
    """``VARIABLE=VALUE`` lines; ``#`` lines and blank lines skipped; spaces and quotes kept.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
    """
    variables: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        variables.setdefault(name.strip(), value)
    return variables


def execution_role_policy(
    task_definition: Mapping[str, Any],
    *,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    kms_key_arns: Iterable[str] = (),
) -> dict:
    """The least-privilege inline policy a task execution role needs for this definition.

    ``ssm:GetParameters`` on each parameter, ``secretsmanager:GetSecretValue`` on each secret,
    ``kms:Decrypt`` on customer managed keys (not needed for the AWS managed default key), and
    ``s3:GetObject`` / ``s3:GetBucketLocation`` for ``environmentFiles``. Pulling from ECR and
    writing awslogs come from the managed AmazonECSTaskExecutionRolePolicy.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    """
    parameters: list[str] = []
    secrets: list[str] = []
    objects: list[str] = []
    buckets: list[str] = []
    for container in task_definition.get("containerDefinitions") or []:
        entries = list(container.get("secrets") or [])
        entries += list((container.get("logConfiguration") or {}).get("secretOptions") or [])
        for entry in entries:
            reference = parse_value_from(entry.get("valueFrom", ""))
            if reference.service == "ssm":
                arn = reference.secret_id
                if not arn.startswith("arn:"):
                    arn = f"arn:aws:ssm:{region}:{account_id}:parameter/{arn.lstrip('/')}"
                _append_new(parameters, arn)
            else:
                _append_new(secrets, reference.secret_id)
        for entry in container.get("environmentFiles") or []:
            arn = entry.get("value", "")
            _append_new(objects, arn)
            _append_new(buckets, arn.split("/", 1)[0])
    statements = []
    for actions, resources in (
        (["ssm:GetParameters"], parameters),
        (["secretsmanager:GetSecretValue"], secrets),
        (["kms:Decrypt"], list(kms_key_arns)),
        (["s3:GetObject"], objects),
        (["s3:GetBucketLocation"], buckets),
    ):
        if resources:
            statements.append({"Effect": "Allow", "Action": actions, "Resource": resources})
    return {"Version": "2012-10-17", "Statement": statements}


def _append_new(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _container(task_definition: Mapping[str, Any], name: str | None) -> Mapping[str, Any]:
    containers = list(task_definition.get("containerDefinitions") or [])
    if not containers:
        raise SecretResolutionError("The task definition has no containerDefinitions.")
    if name is None:
        return containers[0]
    for container in containers:
        if container.get("name") == name:
            return container
    names = ", ".join(repr(c.get("name")) for c in containers)
    raise SecretResolutionError(f"No container named {name!r}; the containers are {names}.")
