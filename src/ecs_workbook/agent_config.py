"""The ECS agent's configuration: ``/etc/ecs/ecs.config`` as EC2 user data writes it.

On an ECS-optimised AMI the agent reads ``/etc/ecs/ecs.config`` (``KEY=value`` lines) when it
starts. You rarely bake that file into the AMI: the instance's user data appends to it at first
boot, e.g. ``echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config`` or a ``cat <<'EOF' >>`` heredoc.
This module reads such a user-data script the way the instance would run it (only the lines that
write ecs.config) and tells you what the agent ends up with, defaults included.

Understood: ``echo ... >> /etc/ecs/ecs.config`` (``>`` truncates), ``echo ... | tee -a
/etc/ecs/ecs.config``, and heredocs ``cat <<EOF >> /etc/ecs/ecs.config`` / ``cat >>
/etc/ecs/ecs.config <<'EOF'``. Shell variables are not expanded; MIME multi-part user data and
``#cloud-boothook`` parts are not interpreted.

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AGENT_DEFAULTS",
    "ECS_CONFIG_PATH",
    "agent_settings",
    "boot_container_instance",
    "ecs_config_from_user_data",
    "instance_attributes",
    "parse_ecs_config",
]

ECS_CONFIG_PATH = "/etc/ecs/ecs.config"

#: Linux agent defaults for the settings the workbook teaches (agent README, ecs-agent-config.html).
AGENT_DEFAULTS: dict[str, str] = {
    "ECS_CLUSTER": "default",
    "ECS_INSTANCE_ATTRIBUTES": "{}",
    "ECS_RESERVED_MEMORY": "0",
    "ECS_RESERVED_PORTS": "[22, 2375, 2376, 51678, 51679]",
    "ECS_AVAILABLE_LOGGING_DRIVERS": '["json-file","none"]',
    "ECS_CONTAINER_STOP_TIMEOUT": "30s",
    "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION": "3h",
    "ECS_IMAGE_CLEANUP_INTERVAL": "30m",
    "ECS_IMAGE_MINIMUM_CLEANUP_AGE": "1h",
    "ECS_NUM_IMAGES_DELETE_PER_CYCLE": "5",
    "ECS_ENABLE_TASK_IAM_ROLE": "false",
    "ECS_AWSVPC_BLOCK_IMDS": "false",
    "ECS_TASK_METADATA_RPS_LIMIT": "40,60",
    "ECS_LOGLEVEL": "info",
}

_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def ecs_config_from_user_data(user_data: str) -> str:
    """The ``/etc/ecs/ecs.config`` text a user-data script leaves behind (an empty file: "")."""
    lines = (user_data or "").splitlines()
    written: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if ECS_CONFIG_PATH not in line:
            continue
        truncate = _truncates(line)
        heredoc = _HEREDOC.search(line)
        if heredoc:
            body: list[str] = []
            while index < len(lines) and lines[index].strip() != heredoc.group(2):
                body.append(lines[index].strip() if "<<-" in line else lines[index])
                index += 1
            index += 1  # the delimiter line
            new = body
        else:
            new = _echoed(line)
        if truncate:
            written = []
        written.extend(new)
    return "\n".join(written) + ("\n" if written else "")


def _truncates(line: str) -> bool:
    """``> file`` (not ``>>``) and ``tee`` without ``-a`` start the file afresh."""
    if "tee" in line:
        return not re.search(r"tee\s+(-a|--append)\b", line)
    return bool(re.search(r"(^|[^>])>\s*" + re.escape(ECS_CONFIG_PATH), line))


def _echoed(line: str) -> list[str]:
    """The text an ``echo ... >> ecs.config`` (or ``echo ... | tee -a ecs.config``) line writes."""
    command = re.split(r"\s*(?:>>?|\|)\s*", line, maxsplit=1)[0]
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    words = [w for w in words if w != "sudo"]
    if not words or words[0] != "echo":
        return []
    words = words[1:]
    if words and words[0] == "-e":
        words = words[1:]
    return [" ".join(words)] if words else []


def parse_ecs_config(text: str) -> dict[str, str]:
    """``KEY=value`` lines to a dict; blank and ``#`` lines skipped; a later line wins."""
    settings: dict[str, str] = {}
    for line in (text or "").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        name, value = stripped.split("=", 1)
        settings[name.strip()] = value.strip()
    return settings


def agent_settings(user_data: str, names: list[str] | None = None) -> dict[str, str]:
    """What the agent runs with after this user data: defaults, overridden by ecs.config.

    ``names`` limits the result (in that order); by default every setting in
    :data:`AGENT_DEFAULTS` plus any other ones the script writes.
    """
    written = parse_ecs_config(ecs_config_from_user_data(user_data))
    merged = {**AGENT_DEFAULTS, **written}
    if names is None:
        return merged
    return {name: merged.get(name, "") for name in names}


def instance_attributes(settings: Mapping[str, str]) -> dict[str, str]:
    """The custom attributes in ``ECS_INSTANCE_ATTRIBUTES`` (a JSON object of strings).

    The agent applies them when it first registers the instance; change them later with
    PutAttributes. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
    """
    text = settings.get("ECS_INSTANCE_ATTRIBUTES") or "{}"
    try:
        attributes = json.loads(text)
    except ValueError:
        raise ValueError(
            f"ECS_INSTANCE_ATTRIBUTES must be a JSON object such as "
            f'{{"stack": "prod"}}; got {text!r}. Quote the whole line in single quotes in the '
            "echo command so the shell keeps the double quotes."
        ) from None
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise ValueError(
            f"ECS_INSTANCE_ATTRIBUTES must map names to string values, e.g. "
            f'{{"stack": "prod"}}; got {text!r}.'
        )
    return attributes


def boot_container_instance(
    ecs: Any,
    ec2: Any,
    user_data: str,
    *,
    instance_type: str = "t3.medium",
    metadata_options: Mapping[str, Any] | None = None,
    ssm: Any = None,
) -> dict:
    """Launch an ECS-optimised instance with ``user_data`` and register it as its agent would.

    moto runs no user data and has no agent. This does what the instance would: the script's
    ``ecs.config`` lines decide the cluster (``ECS_CLUSTER``, default ``default``) and the custom
    attributes (``ECS_INSTANCE_ATTRIBUTES``), and the agent calls RegisterContainerInstance with the
    instance identity document. Returns the ``describe_container_instances`` entry. If the
    cluster does not exist the agent cannot register (it retries forever); this raises instead.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
    """
    from ecs_workbook import instances

    settings = agent_settings(user_data)
    cluster = settings["ECS_CLUSTER"]
    attributes = instance_attributes(settings)
    found = ecs.describe_clusters(clusters=[cluster]).get("clusters") or []
    if not any(c.get("status") == "ACTIVE" for c in found):
        raise ValueError(
            f"The user data sends the instance to cluster {cluster!r}, which does not exist: "
            "its agent would retry registering forever and the instance would sit idle. Create "
            f"the cluster first, or fix ECS_CLUSTER (found: {settings.get('ECS_CLUSTER')!r})."
        )
    ssm = ssm or instances.sibling_client(ecs, "ssm")
    parameter = instances.ecs_optimized_ami_parameter(instance_type)
    launch: dict[str, Any] = {
        "ImageId": ssm.get_parameter(Name=parameter)["Parameter"]["Value"],
        "InstanceType": instance_type,
        "MinCount": 1,
        "MaxCount": 1,
        "UserData": user_data,
    }
    if metadata_options:
        launch["MetadataOptions"] = dict(metadata_options)
    reservation = ec2.run_instances(**launch)
    instance = reservation["Instances"][0]
    document = instances.identity_document(instance, reservation.get("OwnerId", ""))
    request: dict[str, Any] = {
        "cluster": cluster,
        "instanceIdentityDocument": json.dumps(document),
        "versionInfo": instances.AGENT_VERSION_INFO,
    }
    if attributes:
        request["attributes"] = [{"name": k, "value": v} for k, v in attributes.items()]
    arn = ecs.register_container_instance(**request)["containerInstance"]["containerInstanceArn"]
    described = ecs.describe_container_instances(cluster=cluster, containerInstances=[arn])
    return described["containerInstances"][0]
