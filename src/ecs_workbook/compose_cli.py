"""``ecs-workbook compose``: ``ecs-cli compose`` against the sandbox's local moto server.

The seed notes deploy with ``ecs-cli compose [service] up|scale|...``: a Docker Compose file
becomes a task definition, then standalone tasks (``compose ...``) or an ECS service
(``compose service ...``). ecs-cli itself only talks to real AWS, so this verb repeats its
behaviour, call for call, against the moto server a notebook starts with
``sandbox.start(server=True)`` (it reads the server's address from ``AWS_ENDPOINT_URL`` and
refuses anything that is not this machine).

What each command does, as ecs-cli does it (aws/amazon-ecs-cli ``cli/compose/entity/task``,
``entity/service``; ecs-facts.md section 7):

* project name = ``--project-name`` (or ``COMPOSE_PROJECT_NAME``), else the directory of the
  first compose file; task-definition family and service name are both the project name (the
  current ``ecs-cli configure`` defaults; the legacy INI defaults were ``ecscompose-<project>``
  and ``ecscompose-service-<project>``); standalone tasks run in task group ``task:<project>``;
* a task definition is registered only if the converted compose file differs from the latest
  ACTIVE revision of the family (ecs-cli kept a local cache for the same purpose);
* tasks: ``create`` registers; ``start`` runs one task if none runs; ``up`` also replaces
  running tasks of an older revision (stop 10, run 10); ``run CONTAINER "COMMAND"`` runs one task
  with a command override; ``scale N`` runs (in RunTask calls of at most 10) or stops tasks until
  N run; ``ps`` lists containers; ``stop`` (alias ``down``) stops every task of the project;
* services: ``create`` creates the service with desiredCount 0; ``start`` sets 0 to 1; ``up``
  creates it with desiredCount 1, or updates it to the new revision keeping its count (a new
  deployment replaces the old tasks); ``scale N`` sets desiredCount; ``stop`` sets 0; ``rm``
  (aliases ``delete``, ``down``) scales to 0 and deletes; ``ps`` lists the service's containers.

Output copies ecs-cli's log lines (``INFO[0000] Message    key=value``) on stdout, and its
``ps`` table. Where ecs-cli would poll ECS for minutes, the kit's engine has already reached the
final state (moto has no clock), so one look is enough; a service that cannot become stable is
reported at once instead of after ``--timeout`` minutes.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose-service.html
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import ClientError, EndpointConnectionError

from ecs_workbook import compose, sandbox, taskdef

__all__ = [
    "CommandError",
    "Log",
    "Project",
    "add_arguments",
    "force_fake_credentials",
    "merge_compose",
    "ps_table",
    "run",
    "sandbox_endpoint",
]

DEFAULT_COMPOSE_FILE = "docker-compose.yml"
DEFAULT_OVERRIDE_FILE = "docker-compose.override.yml"
DEFAULT_ECS_PARAMS_FILE = "ecs-params.yml"
#: ECS's own default cluster (ecs-cli took it from ``ecs-cli configure``).
DEFAULT_CLUSTER = "default"
#: ecs-cli's ``--timeout`` default, in minutes.
DEFAULT_TIMEOUT_MINUTES = 5.0
#: RunTask starts at most 10 tasks per call, so ecs-cli runs and replaces tasks 10 at a time.
RUN_TASK_CHUNK = 10
#: ps columns, in ecs-cli's order (``container.ContainerInfoColumns``).
PS_COLUMNS = ("Name", "State", "Ports", "TaskDefinition", "Health")

_TASK_COMMANDS = {
    "create": "Creates an ECS task definition from your compose file.",
    "start": "Starts a single task from the task definition created from your compose file.",
    "up": "Creates the task definition (if needed) and runs one task of it; replaces running "
    "tasks of an older revision.",
    "run": 'Runs one task, overriding commands: CONTAINER "COMMAND ..." [CONTAINER ...].',
    "scale": "Scales the number of running tasks to COUNT.",
    "ps": "Lists the containers of the tasks started by this compose project.",
    "stop": "Stops all the running tasks created by the compose project.",
}
_TASK_ALIASES = {"ps": ["list"], "stop": ["down"]}
_SERVICE_COMMANDS = {
    "create": "Creates an ECS service from your compose file, with desiredCount 0.",
    "start": "Starts one task of the service (desiredCount 0 -> 1).",
    "up": "Creates the service (desiredCount 1), or updates it to the new task definition.",
    "ps": "Lists the containers of the service's tasks.",
    "scale": "Sets the service's desiredCount to COUNT.",
    "stop": "Stops every task of the service (desiredCount 0).",
    "rm": "Scales the service to 0 and deletes it.",
}
_SERVICE_ALIASES = {"ps": ["list"], "rm": ["delete", "down"]}
_CANONICAL = {alias: name for name, aliases in _TASK_ALIASES.items() for alias in aliases}
_CANONICAL_SERVICE = {
    alias: name for name, aliases in _SERVICE_ALIASES.items() for alias in aliases
}
# Variables that could make botocore pick real credentials or a real profile.
_CREDENTIAL_ENV_TO_CLEAR = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CA_BUNDLE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


class CommandError(RuntimeError):
    """Something the command cannot do; ecs-cli stops with a FATA line, so does the kit."""


# --------------------------------------------------------------------------------------------
# Talking to the sandbox only
# --------------------------------------------------------------------------------------------


def sandbox_endpoint(environ: Mapping[str, str] | None = None) -> str:
    """The sandbox's moto server from ``AWS_ENDPOINT_URL``; refused unless it is this machine."""
    environ = os.environ if environ is None else environ
    url = (environ.get("AWS_ENDPOINT_URL") or "").strip()
    if not url:
        raise CommandError(
            "AWS_ENDPOINT_URL is not set, so there is no local moto server to talk to. "
            "ecs-workbook compose only works against the sandbox: in a notebook start it with "
            "sandbox.start(server=True); in a terminal run `python -m ecs_workbook server` and "
            "paste the export lines it prints."
        )
    try:
        return sandbox.require_loopback(url).rstrip("/")
    except sandbox.SandboxError as error:
        raise CommandError(str(error)) from None


def force_fake_credentials() -> None:
    """Give this process moto's fake identity, as the sandbox does, keeping ``AWS_ENDPOINT_URL``.

    Profiles, role and container-credential variables are removed and the shared config and
    credentials files are hidden, so no real key on this machine can be picked up.
    """
    for name in _CREDENTIAL_ENV_TO_CLEAR:
        os.environ.pop(name, None)
    os.environ.update(sandbox.FAKE_CREDENTIALS)
    os.environ.update(
        {
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
        }
    )


@functools.lru_cache(maxsize=8)
def _client(service_name: str, endpoint_url: str, region: str) -> Any:
    """A boto3 client with moto's fake credentials, bound to the sandbox's server.

    Cached: building the EC2 client parses its large API model (about a second), which several
    in-process commands (tests, ``cli.main`` from a notebook) would otherwise repeat.
    """
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=sandbox.FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=sandbox.FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=sandbox.FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        region_name=region,
    )
    return session.client(
        service_name,
        endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


# --------------------------------------------------------------------------------------------
# ecs-cli's log lines
# --------------------------------------------------------------------------------------------

_SAFE_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/@^+")


class Log:
    """ecs-cli's log lines (logrus text format): ``INFO[0002] Message<padded> key=value ...``.

    The number is whole seconds since the command started; fields are sorted by key and quoted
    when they hold anything but letters, digits and ``-._/@^+``. INFO and WARN go to ``out``,
    FATA (the command failed) to ``err``.
    """

    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self._clock = clock
        self._start = clock()

    def info(self, message: str, **fields: Any) -> None:
        self._write(self._out, "INFO", message, fields)

    def warn(self, message: str, **fields: Any) -> None:
        self._write(self._out, "WARN", message, fields)

    def fatal(self, message: str, **fields: Any) -> None:
        self._write(self._err, "FATA", message, fields)

    def line(self, level: str, message: str, fields: Mapping[str, Any]) -> str:
        """One formatted log line (without the newline)."""
        seconds = int(self._clock() - self._start)
        text = f"{level}[{seconds:04d}] {message:<44} "
        for key in sorted(fields):
            text += f" {key}={_field_value(fields[key])}"
        return text.rstrip()

    def _write(self, stream: TextIO, level: str, message: str, fields: Mapping[str, Any]) -> None:
        print(self.line(level, message, fields), file=stream, flush=True)


def _field_value(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")
    else:
        text = str(value)
    if text and set(text) <= _SAFE_CHARACTERS:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------------------------
# The compose project
# --------------------------------------------------------------------------------------------

# Options Compose concatenates across files (the others replace, maps merge by key).
# https://docs.docker.com/compose/multiple-compose-files/merge/
_CONCATENATED_OPTIONS = ("ports", "expose", "external_links", "dns", "dns_search", "tmpfs")
_KEYED_OPTIONS = ("environment", "labels", "extra_hosts")


def merge_compose(documents: Sequence[Mapping[str, Any]]) -> dict:
    """Several compose files as one, later files overriding earlier ones (``--file a --file b``).

    Per service: single values replace, ``environment``/``labels``/``extra_hosts`` merge by key,
    ``ports``/``expose``/``dns``... are concatenated, ``volumes`` merge by container path, other
    maps merge recursively. Top-level ``volumes``/``networks`` merge by name.
    https://docs.docker.com/compose/multiple-compose-files/merge/
    """
    if not documents:
        raise compose.ComposeError("No compose file given; pass at least one --file.")
    merged = copy.deepcopy(dict(documents[0]))
    for document in documents[1:]:
        base_services, base_v1 = _services_of(merged)
        new_services, new_v1 = _services_of(document)
        for name, service in new_services.items():
            current = base_services.get(name)
            base_services[name] = (
                _merge_service(current, service or {})
                if isinstance(current, Mapping)
                else copy.deepcopy(dict(service or {}))
            )
        if base_v1:
            merged = {**{k: v for k, v in merged.items() if k == "version"}, **base_services}
        else:
            merged["services"] = base_services
        for key, value in document.items():
            if key == "services" or (new_v1 and key != "version"):
                continue
            if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **copy.deepcopy(dict(value))}
            else:
                merged[key] = copy.deepcopy(value)
    return merged


def _services_of(document: Mapping[str, Any]) -> tuple[dict, bool]:
    """(services, is the file the version 1 format, where services sit at the top level)."""
    if "services" in document or document.get("version") not in (None, 1, "1", "1.0"):
        return dict(document.get("services") or {}), False
    return {k: v for k, v in document.items() if k != "version"}, True


def _merge_service(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict:
    result = copy.deepcopy(dict(base))
    for key, value in override.items():
        value = copy.deepcopy(value)
        if key in _CONCATENATED_OPTIONS:
            result[key] = _as_list(result.get(key)) + _as_list(value)
        elif key in _KEYED_OPTIONS:
            result[key] = {**_as_mapping(result.get(key)), **_as_mapping(value)}
        elif key == "volumes":
            by_target = {_volume_target(v): v for v in _as_list(result.get(key))}
            by_target.update({_volume_target(v): v for v in _as_list(value)})
            result[key] = list(by_target.values())
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = _merge_service(result[key], value)
        else:
            result[key] = value
    return result


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_mapping(value: Any) -> dict:
    """A Compose map or ``KEY=value``/``host:ip`` list as a dict (a bare ``KEY`` maps to None)."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    result: dict[str, Any] = {}
    for entry in value:
        text = str(entry)
        separator = "=" if "=" in text else (":" if ":" in text else None)
        if separator is None:
            result[text] = None
        else:
            key, _, item = text.partition(separator)
            result[key] = item
    return result


def _volume_target(entry: Any) -> str:
    if isinstance(entry, Mapping):
        return str(entry.get("target") or entry)
    parts = str(entry).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


@dataclass
class Project:
    """One compose project: its files, its name, and where it runs."""

    name: str
    compose_files: list[Path]
    ecs_params: Path | None = None
    cluster: str = DEFAULT_CLUSTER
    launch_type: str | None = None

    @property
    def family(self) -> str:
        """Task-definition family: the project name (ecs-cli's current default, no prefix)."""
        return self.name

    @property
    def service_name(self) -> str:
        """Service name: the project name (ecs-cli's current default, no prefix)."""
        return self.name

    @property
    def task_group(self) -> str:
        """RunTask ``group`` ecs-cli gives standalone tasks: ``task:<project>``."""
        return f"task:{self.name}"

    @property
    def project_dir(self) -> Path:
        return self.compose_files[0].absolute().parent

    def task_definition(self, log: Log) -> dict:
        """The RegisterTaskDefinition arguments ecs-cli builds; skipped options as WARN lines."""
        documents = [compose.load_compose(path) for path in self.compose_files]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", compose.ComposeWarning)
            definition = compose.to_task_definition(
                merge_compose(documents),
                self.ecs_params,
                family=self.family,
                project_dir=self.project_dir,
                launch_type=self.launch_type,
            )
        for warning in caught:
            if issubclass(warning.category, compose.ComposeWarning):
                log.warn(str(warning.message))
        return definition

    def run_parameters(self) -> dict:
        """RunTask/CreateService network and placement settings from ecs-params ``run_params``."""
        params = compose.run_parameters(self.ecs_params) if self.ecs_params else {}
        if self.launch_type == "FARGATE" and "networkConfiguration" not in params:
            raise CommandError(
                "Launch type FARGATE needs an awsvpc network configuration. Add an ecs-params.yml "
                "with task_definition.ecs_network_mode: awsvpc and "
                "run_params.network_configuration.awsvpc_configuration.subnets, and pass it with "
                "--ecs-params."
            )
        return params


def project_from_args(args: argparse.Namespace, cwd: Path | None = None) -> Project:
    """The project the command line names (files, name, ecs-params, cluster, launch type)."""
    cwd = Path.cwd() if cwd is None else cwd
    files = [Path(f) for f in _option(args, "file", None) or []]
    if not files:
        files = [cwd / DEFAULT_COMPOSE_FILE]
        if (cwd / DEFAULT_OVERRIDE_FILE).is_file():
            files.append(cwd / DEFAULT_OVERRIDE_FILE)
    for path in files:
        if not path.is_file():
            raise CommandError(
                f"The compose file {path} does not exist. Pass the file with --file "
                f"(for example --file files/api/docker-compose.yml), relative to {cwd}."
            )
    params_option = _option(args, "ecs_params", None)
    if params_option:
        ecs_params: Path | None = Path(params_option)
        if not ecs_params.is_file():
            raise CommandError(f"The ecs-params file {ecs_params} does not exist. Check the path.")
    else:
        default = cwd / DEFAULT_ECS_PARAMS_FILE
        ecs_params = default if default.is_file() else None
    name = _option(args, "project_name", None) or os.environ.get("COMPOSE_PROJECT_NAME")
    if not name:
        name = files[0].absolute().parent.name or cwd.name
    launch_type = _option(args, "launch_type", None)
    return Project(
        name=name,
        compose_files=files,
        ecs_params=ecs_params,
        cluster=_option(args, "cluster", None) or DEFAULT_CLUSTER,
        launch_type=launch_type.upper() if launch_type else None,
    )


# --------------------------------------------------------------------------------------------
# Shared steps
# --------------------------------------------------------------------------------------------


@dataclass
class _Context:
    project: Project
    ecs: Any
    log: Log
    args: argparse.Namespace
    out: TextIO
    make_ec2: Callable[[], Any] = field(repr=False, default=lambda: None)
    _described: dict | None = field(default=None, repr=False)


def _id_from_arn(arn: str | None) -> str:
    """ecs-cli's GetIdFromArn: everything after the first '/' (``api:1``, ``cluster/task-id``)."""
    return (arn or "").split("/", 1)[1] if "/" in (arn or "") else ""


_REGISTERED_KEYS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions",
    "volumes", "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode",
    "ipcMode", "runtimePlatform", "proxyConfiguration", "ephemeralStorage",
)  # fmt: skip


def _comparable(definition: Mapping[str, Any]) -> Any:
    """A task definition without empty values and with ECS's defaults filled, for comparing."""
    kept = {key: definition.get(key) for key in _REGISTERED_KEYS}
    kept["networkMode"] = kept.get("networkMode") or "bridge"
    return _without_empty(kept)


def _without_empty(value: Any) -> Any:
    if isinstance(value, Mapping):
        cleaned = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, (list, tuple)):
        return [_without_empty(v) for v in value]
    return value


def get_or_create_task_definition(context: _Context) -> dict:
    """Register the project's task definition unless the latest ACTIVE revision already matches.

    Logs ``Using ECS task definition  TaskDefinition="family:revision"``, as ecs-cli does.
    """
    if context._described is not None:
        return context._described
    wanted = context.project.task_definition(context.log)
    problems = taskdef.validate(wanted)
    if problems:
        raise CommandError(
            "Create task definition failed: ECS would reject the converted compose file: "
            + taskdef.rejection_message(problems)
        )
    wanted = taskdef.as_registered(wanted)
    latest = _latest_active_revision(context.ecs, context.project.family)
    if latest is not None and _comparable(latest) == _comparable(wanted):
        described = latest
    else:
        described = context.ecs.register_task_definition(**wanted)["taskDefinition"]
    context.log.info(
        "Using ECS task definition", TaskDefinition=_id_from_arn(described["taskDefinitionArn"])
    )
    context._described = described
    return described


def _latest_active_revision(ecs: Any, family: str) -> dict | None:
    arns = []
    for page in ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix=family, status="ACTIVE"
    ):
        arns.extend(page["taskDefinitionArns"])
    revisions = [
        int(arn.rsplit(":", 1)[1]) for arn in arns if arn.rsplit("/", 1)[1].split(":")[0] == family
    ]
    if not revisions:
        return None
    latest = f"{family}:{max(revisions)}"
    return ecs.describe_task_definition(taskDefinition=latest)["taskDefinition"]


def _log_create_log_groups(context: _Context) -> None:
    if _option(context.args, "create_log_groups", False):
        context.log.warn(
            "--create-log-groups is accepted but does nothing here: the sandbox runs no "
            "containers, so no log group is needed. ecs-cli would create each awslogs-group."
        )


def _task_arns(context: _Context, desired_status: str, **filters: Any) -> list[str]:
    arns: list[str] = []
    paginator = context.ecs.get_paginator("list_tasks")
    for page in paginator.paginate(
        cluster=context.project.cluster, desiredStatus=desired_status, **filters
    ):
        arns.extend(page["taskArns"])
    return arns


def _describe_tasks(context: _Context, arns: Sequence[str]) -> list[dict]:
    tasks: list[dict] = []
    for start in range(0, len(arns), 100):
        response = context.ecs.describe_tasks(
            cluster=context.project.cluster, tasks=list(arns[start : start + 100])
        )
        tasks.extend(response["tasks"])
    order = {arn: index for index, arn in enumerate(arns)}
    return sorted(tasks, key=lambda task: order.get(task["taskArn"], len(order)))


def _project_tasks(context: _Context, desired_status: str) -> list[dict]:
    """Tasks of this project: group ``task:<project>`` (or, as older ecs-cli, startedBy family)."""
    arns = _task_arns(context, desired_status, family=context.project.family)
    return [
        task
        for task in _describe_tasks(context, arns)
        if task.get("group") == context.project.task_group
        or task.get("startedBy") == context.project.family
    ]


def _container_name(task: Mapping[str, Any], container: Mapping[str, Any]) -> str:
    return f"{_id_from_arn(task['taskArn'])}/{container.get('name')}"


def _run_tasks(
    context: _Context, task_definition: str, count: int, overrides: dict | None = None
) -> list[dict]:
    """RunTask in calls of at most 10, logging ``Couldn't run containers`` for each failure."""
    params = context.project.run_parameters()
    started: list[dict] = []
    for offset in range(0, count, RUN_TASK_CHUNK):
        request: dict[str, Any] = {
            "cluster": context.project.cluster,
            "taskDefinition": task_definition,
            "group": context.project.task_group,
            "count": min(RUN_TASK_CHUNK, count - offset),
            **params,
        }
        if context.project.launch_type:
            request["launchType"] = context.project.launch_type
        if overrides:
            request["overrides"] = overrides
        response = context.ecs.run_task(**request)
        for failure in response.get("failures") or ():
            context.log.info("Couldn't run containers", reason=failure.get("reason", ""))
        started.extend(response["tasks"])
    return started


def _wait_for_tasks(context: _Context, tasks: Sequence[Mapping[str, Any]]) -> None:
    """Describe the tasks once and log each container's state, as ecs-cli's waiter does."""
    if not tasks:
        return
    for task in _describe_tasks(context, [t["taskArn"] for t in tasks]):
        desired, last = task.get("desiredStatus"), task.get("lastStatus")
        message = "Describe ECS container status"
        if desired == last:
            message = "Started container..." if desired == "RUNNING" else "Stopped container..."
        elif last == "STOPPED":
            message = "Container seem to have stopped..."
        for container in task.get("containers") or ():
            context.log.info(
                message,
                container=_container_name(task, container),
                desiredStatus=desired,
                lastStatus=last,
                taskDefinition=_id_from_arn(task.get("taskDefinitionArn")),
            )


def _start(context: _Context, tasks: Sequence[Mapping[str, Any]]) -> None:
    for task in tasks:
        for container in task.get("containers") or ():
            context.log.info("Starting container...", container=_container_name(task, container))
    _wait_for_tasks(context, tasks)


def _stop(context: _Context, tasks: Sequence[Mapping[str, Any]]) -> None:
    for task in tasks:
        context.ecs.stop_task(cluster=context.project.cluster, task=task["taskArn"])
        for container in task.get("containers") or ():
            context.log.info("Stopping container...", container=_container_name(task, container))
    _wait_for_tasks(context, tasks)


# --------------------------------------------------------------------------------------------
# ps
# --------------------------------------------------------------------------------------------


def ps_table(rows: Sequence[Mapping[str, str]]) -> str:
    """ecs-cli's ps table: columns padded by two spaces, the last one unpadded; '' if no rows.

    (libcompose's InfoSet through Go's tabwriter: minwidth 4, padding 2.)
    """
    if not rows:
        return ""
    lines = [list(PS_COLUMNS)] + [[str(row.get(c, "")) for c in PS_COLUMNS] for row in rows]
    widths = [max(4, max(len(line[i]) for line in lines) + 2) for i in range(len(PS_COLUMNS) - 1)]
    text = ""
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        text += ("".join(cells) + line[-1]).rstrip() + "\n"
    return text


def _ps_rows(context: _Context, tasks: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    public_ips = _public_ips_by_instance(context, tasks)
    rows = []
    for task in tasks:
        ip = public_ips.get(task.get("containerInstanceArn") or "", "")
        for container in task.get("containers") or ():
            rows.append(
                {
                    "Name": _container_name(task, container),
                    "State": _state(container),
                    "Ports": _ports(container, ip),
                    "TaskDefinition": _id_from_arn(task.get("taskDefinitionArn")),
                    "Health": container.get("healthStatus") or "UNKNOWN",
                }
            )
    return rows


def _state(container: Mapping[str, Any]) -> str:
    status = container.get("lastStatus") or ""
    if status != "STOPPED":
        return status
    if container.get("exitCode") is not None:
        status += f" ExitCode: {container['exitCode']}"
    if container.get("reason"):
        status += f" Reason: {container['reason']}"
    return status


def _ports(container: Mapping[str, Any], ip: str) -> str:
    """``IP:host->container/protocol`` per binding; awsvpc tasks show their ENI's address."""
    interfaces = container.get("networkInterfaces") or []
    if interfaces and not ip:
        ip = interfaces[0].get("privateIpv4Address", "")
    shown = []
    for binding in container.get("networkBindings") or ():
        mapping = (
            f"{binding.get('hostPort')}->{binding.get('containerPort')}/"
            f"{binding.get('protocol') or 'tcp'}"
        )
        address = ip or binding.get("bindIP") or ""
        shown.append(f"{address}:{mapping}" if address else mapping)
    return ", ".join(shown)


def _public_ips_by_instance(
    context: _Context, tasks: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    arns = sorted({t["containerInstanceArn"] for t in tasks if t.get("containerInstanceArn")})
    if not arns:
        return {}
    described = context.ecs.describe_container_instances(
        cluster=context.project.cluster, containerInstances=arns
    )["containerInstances"]
    ec2_ids = {ci["containerInstanceArn"]: ci["ec2InstanceId"] for ci in described}
    reservations = context.make_ec2().describe_instances(InstanceIds=sorted(set(ec2_ids.values())))
    ip_by_instance = {
        instance["InstanceId"]: instance.get("PublicIpAddress", "")
        for reservation in reservations["Reservations"]
        for instance in reservation["Instances"]
    }
    return {arn: ip_by_instance.get(ec2_id, "") for arn, ec2_id in ec2_ids.items()}


def _print_ps(context: _Context, tasks: Sequence[dict]) -> None:
    _attach_awsvpc_ports(context, tasks)
    context.out.write(ps_table(_ps_rows(context, tasks)))
    context.out.flush()


def _attach_awsvpc_ports(context: _Context, tasks: Sequence[dict]) -> None:
    """awsvpc tasks report no networkBindings; ecs-cli shows the task definition's ports."""
    definitions: dict[str, dict] = {}
    for task in tasks:
        containers = task.get("containers") or []
        if not any(c.get("networkInterfaces") for c in containers):
            continue
        arn = task["taskDefinitionArn"]
        if arn not in definitions:
            definitions[arn] = context.ecs.describe_task_definition(taskDefinition=arn)[
                "taskDefinition"
            ]
        ports = {
            c["name"]: [
                (m["containerPort"], m.get("protocol", "tcp")) for m in c.get("portMappings") or ()
            ]
            for c in definitions[arn]["containerDefinitions"]
        }
        for container in containers:
            container["networkBindings"] = [
                {"containerPort": port, "hostPort": port, "protocol": protocol}
                for port, protocol in ports.get(container.get("name"), [])
            ]


# --------------------------------------------------------------------------------------------
# Task commands (ecs-cli compose ...)
# --------------------------------------------------------------------------------------------


def task_create(context: _Context) -> None:
    get_or_create_task_definition(context)
    _log_create_log_groups(context)


def task_up(context: _Context, *, update_tasks: bool = True) -> None:
    """``up`` (and ``start`` with ``update_tasks=False``): one task if none runs; else update."""
    running = _project_tasks(context, "RUNNING")
    described = get_or_create_task_definition(context)
    _log_create_log_groups(context)
    if not running:
        _start(context, _run_tasks(context, _id_from_arn(described["taskDefinitionArn"]), 1))
        return
    context.log.info(
        "Found existing ECS tasks for project",
        CountOfTasks=len(running),
        ProjectName=context.project.name,
    )
    new_arn = described["taskDefinitionArn"]
    if not update_tasks or running[0]["taskDefinitionArn"] == new_arn:
        return
    context.log.info("Updating to new task definition", taskDefinition=new_arn)
    replaced: list[dict] = []
    for offset in range(0, len(running), RUN_TASK_CHUNK):
        chunk = running[offset : offset + RUN_TASK_CHUNK]
        for task in chunk:
            context.ecs.stop_task(cluster=context.project.cluster, task=task["taskArn"])
        replaced.extend(chunk)
        replaced.extend(_run_tasks(context, _id_from_arn(new_arn), len(chunk)))
    _wait_for_tasks(context, replaced)


def task_run(context: _Context, arguments: Sequence[str]) -> None:
    """``run CONTAINER "COMMAND ..." [CONTAINER "COMMAND ..."]``: one task, commands overridden."""
    if len(arguments) % 2:
        raise CommandError(
            'Please pass arguments in the form: CONTAINER "COMMAND ..." [CONTAINER "COMMAND..."] '
            '...; for example: run web "rake db:migrate"'
        )
    overrides = [
        {"name": arguments[i], "command": shlex.split(arguments[i + 1])}
        for i in range(0, len(arguments), 2)
    ]
    described = get_or_create_task_definition(context)
    names = [c["name"] for c in described["containerDefinitions"]]
    for override in overrides:
        if override["name"] not in names:
            raise CommandError(
                f"The project has no container named {override['name']!r} (containers: "
                f"{', '.join(names)}). Use a compose service name."
            )
    tasks = _run_tasks(
        context,
        _id_from_arn(described["taskDefinitionArn"]),
        1,
        overrides={"containerOverrides": overrides},
    )
    _start(context, tasks)


def task_scale(context: _Context, count: int) -> None:
    """Run or stop tasks until ``count`` tasks of the project run."""
    if count < 0:
        raise CommandError(f"COUNT must be 0 or more (got {count}).")
    running = _project_tasks(context, "RUNNING")
    if count == len(running):
        context.log.info("Tasks are already running", countOfRunningTasks=len(running))
        return
    if count < len(running):
        _stop(context, running[: len(running) - count])
        return
    if running:
        task_definition = _id_from_arn(running[0]["taskDefinitionArn"])
    else:
        task_definition = _id_from_arn(get_or_create_task_definition(context)["taskDefinitionArn"])
    _start(context, _run_tasks(context, task_definition, count - len(running)))


def task_ps(context: _Context) -> None:
    tasks = _project_tasks(context, "RUNNING") + _project_tasks(context, "STOPPED")
    _print_ps(context, tasks)


def task_stop(context: _Context) -> None:
    _stop(context, _project_tasks(context, "RUNNING"))


# --------------------------------------------------------------------------------------------
# Service commands (ecs-cli compose service ...)
# --------------------------------------------------------------------------------------------


def _describe_service(context: _Context) -> dict | None:
    response = context.ecs.describe_services(
        cluster=context.project.cluster, services=[context.project.service_name]
    )
    return response["services"][0] if response["services"] else None


def _deployment_configuration(args: argparse.Namespace) -> dict:
    configuration = {}
    for option, key in (
        ("deployment_max_percent", "maximumPercent"),
        ("deployment_min_healthy_percent", "minimumHealthyPercent"),
    ):
        value = _option(args, option, None)
        if value is not None:
            configuration[key] = value
    return configuration


def _deployment_fields(args: argparse.Namespace) -> dict:
    configuration = _deployment_configuration(args)
    fields = {}
    if "maximumPercent" in configuration:
        fields["deployment-max-percent"] = configuration["maximumPercent"]
    if "minimumHealthyPercent" in configuration:
        fields["deployment-min-healthy-percent"] = configuration["minimumHealthyPercent"]
    return fields


def _load_balancers(args: argparse.Namespace) -> list[dict]:
    """``--target-group-arn`` + ``--container-name`` + ``--container-port`` -> loadBalancers."""
    target_group = _option(args, "target_group_arn", None)
    name = _option(args, "container_name", None)
    port = _option(args, "container_port", None)
    role = _option(args, "role", None)
    if not any((target_group, name, port is not None, role)):
        return []
    if not target_group or not name or port is None:
        raise CommandError(
            "--target-group-arn, --container-name and --container-port go together (and --role "
            "needs them): name the target group, the container (a compose service) and the "
            "containerPort the load balancer should send traffic to."
        )
    return [{"targetGroupArn": target_group, "containerName": name, "containerPort": port}]


def _event_ids(service: Mapping[str, Any] | None) -> set[str]:
    return {event["id"] for event in (service or {}).get("events") or ()}


def _wait_for_service(context: _Context, seen_events: set[str]) -> None:
    """ecs-cli's waitForServiceTasks: status when runningCount changes, new events, stable.

    The engine has already done what ECS would; if the service is still not stable nothing will
    change until you act, so the kit reports it now instead of polling for ``--timeout``.
    """
    timeout = _option(context.args, "timeout", DEFAULT_TIMEOUT_MINUTES)
    if timeout is not None and timeout <= 0:
        return
    service = _describe_service(context)
    if service is None:
        return
    name = service["serviceName"]
    fields = {
        "desiredCount": service["desiredCount"],
        "runningCount": service["runningCount"],
        "serviceName": name,
    }
    if service["runningCount"] != 0:
        context.log.info("Service status", **fields)
    # ECS lists events newest first; ecs-cli prints the new ones oldest first.
    new_events = [e for e in service.get("events") or () if e["id"] not in seen_events]
    for event in sorted(reversed(new_events), key=lambda e: e["createdAt"]):
        context.log.info(event["message"], timestamp=event["createdAt"])
    if len(service.get("deployments") or ()) <= 1 and (
        service["desiredCount"] == service["runningCount"]
    ):
        context.log.info("ECS Service has reached a stable state", **fields)
        return
    raise CommandError(
        f"Deployment has not completed: service {name} runs {service['runningCount']} of "
        f"{service['desiredCount']} tasks ({len(service.get('deployments') or ())} deployments). "
        "ecs-cli would keep polling for --timeout minutes, but in the sandbox nothing changes "
        "until you act: read the service events above, then add container instances, free "
        "resources or scale down."
    )


def _create_service(context: _Context, desired_count: int) -> dict:
    described = get_or_create_task_definition(context)
    request: dict[str, Any] = {
        "cluster": context.project.cluster,
        "serviceName": context.project.service_name,
        "taskDefinition": _id_from_arn(described["taskDefinitionArn"]),
        "desiredCount": desired_count,
        **context.project.run_parameters(),
    }
    load_balancers = _load_balancers(context.args)
    if load_balancers:
        request["loadBalancers"] = load_balancers
    if _option(context.args, "role", None):
        request["role"] = context.args.role
    configuration = _deployment_configuration(context.args)
    if configuration:
        request["deploymentConfiguration"] = configuration
    if context.project.launch_type:
        request["launchType"] = context.project.launch_type
    return context.ecs.create_service(**request)["service"]


def _update_count(
    context: _Context, count: int, seen: set[str], *, force_deployment: bool = False
) -> None:
    request: dict[str, Any] = {
        "cluster": context.project.cluster,
        "service": context.project.service_name,
        "desiredCount": count,
    }
    configuration = _deployment_configuration(context.args)
    if configuration:
        request["deploymentConfiguration"] = configuration
    if force_deployment:
        request["forceNewDeployment"] = True
    context.ecs.update_service(**request)
    context.log.info(
        "Updated ECS service successfully",
        desiredCount=count,
        service=context.project.service_name,
        **{"force-deployment": force_deployment},
        **_deployment_fields(context.args),
    )
    _wait_for_service(context, seen)


def _require_service(context: _Context) -> dict:
    service = _describe_service(context)
    if service is None or service.get("status") != "ACTIVE":
        raise CommandError(
            f"Please use 'create' or 'up' to create the service '{context.project.service_name}' "
            f"first (cluster {context.project.cluster} has no ACTIVE service of that name)."
        )
    return service


def _log_created(context: _Context, service: Mapping[str, Any]) -> None:
    context.log.info(
        "Created an ECS service",
        service=service["serviceName"],
        taskDefinition=_id_from_arn(service["taskDefinition"]),
    )


def _already_running(context: _Context, service: Mapping[str, Any], seen: set[str]) -> None:
    """ecs-cli leaves a service with tasks alone: it says so and waits for it to be stable."""
    context.log.info(
        "ECS Service is already running",
        desiredCount=service["desiredCount"],
        serviceName=service["serviceName"],
    )
    _wait_for_service(context, seen)


def service_create(context: _Context) -> None:
    _log_create_log_groups(context)
    _log_created(context, _create_service(context, 0))


def service_start(context: _Context) -> None:
    service = _require_service(context)
    seen = _event_ids(service)
    force = bool(_option(context.args, "force_deployment", False))
    if service["desiredCount"] != 0 and not force:
        _already_running(context, service, seen)
        return
    _update_count(context, service["desiredCount"] or 1, seen, force_deployment=force)


def service_up(context: _Context) -> None:
    service = _describe_service(context)
    seen = _event_ids(service)
    described = get_or_create_task_definition(context)
    _log_create_log_groups(context)
    if service is None or service.get("status") != "ACTIVE":
        created = _create_service(context, 1)
        _wait_for_service(context, seen)
        _log_created(context, created)
        return
    new_id = _id_from_arn(described["taskDefinitionArn"])
    count = service["desiredCount"] or 1
    force = bool(_option(context.args, "force_deployment", False))
    if _id_from_arn(service["taskDefinition"]) == new_id:
        if force:
            _update_count(context, count, seen, force_deployment=True)
        elif service["desiredCount"] == 0:
            _update_count(context, 1, seen)
        else:
            _already_running(context, service, seen)
        return
    request: dict[str, Any] = {
        "cluster": context.project.cluster,
        "service": service["serviceName"],
        "taskDefinition": new_id,
        "desiredCount": count,
    }
    configuration = _deployment_configuration(context.args)
    if configuration:
        request["deploymentConfiguration"] = configuration
    context.ecs.update_service(**request)
    context.log.info(
        "Updated the ECS service with a new task definition. Old containers will be stopped "
        "automatically, and replaced with new ones",
        desiredCount=count,
        serviceName=service["serviceName"],
        taskDefinition=new_id,
        **_deployment_fields(context.args),
    )
    _wait_for_service(context, seen)


def service_scale(context: _Context, count: int) -> None:
    if count < 0:
        raise CommandError(f"COUNT must be 0 or more (got {count}).")
    service = _require_service(context)
    _update_count(context, count, _event_ids(service))


def service_stop(context: _Context) -> None:
    service = _require_service(context)
    _update_count(context, 0, _event_ids(service))


def service_rm(context: _Context) -> None:
    service = _describe_service(context)
    name = context.project.service_name
    if service is None or service.get("status") != "ACTIVE":
        context.log.info("ECS Service is already deleted", service=name)
        return
    if service["desiredCount"] != 0:
        _update_count(context, 0, _event_ids(service))
        service = _describe_service(context)
    seen = _event_ids(service)
    context.ecs.delete_service(cluster=context.project.cluster, service=name)
    context.log.info("Deleted ECS service", service=name)
    _wait_for_service(context, seen)


def service_ps(context: _Context) -> None:
    name = context.project.service_name
    arns = _task_arns(context, "RUNNING", serviceName=name) + _task_arns(
        context, "STOPPED", serviceName=name
    )
    _print_ps(context, _describe_tasks(context, arns))


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

_SUPPRESS = argparse.SUPPRESS


def _positive_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _add_project_flags(options: argparse.ArgumentParser) -> None:
    """Flags accepted before or after the command, as ecs-cli accepts them (unset = absent)."""
    options = _Suppressed(options)
    options.add_argument(
        "--file", "-f", action="append", metavar="FILE",
        help="compose file (repeatable; later files override). Default: docker-compose.yml "
        "(+ docker-compose.override.yml)",
    )  # fmt: skip
    options.add_argument(
        "--project-name", "-p", metavar="NAME",
        help="project name (task-definition family and service name). Default: "
        "COMPOSE_PROJECT_NAME, else the first compose file's directory",
    )  # fmt: skip
    options.add_argument(
        "--ecs-params", metavar="FILE", help="ecs-params.yml (default: ./ecs-params.yml if present)"
    )
    options.add_argument(
        "--cluster", "-c", metavar="NAME", help=f"cluster (default: {DEFAULT_CLUSTER})"
    )
    options.add_argument("--region", "-r", metavar="REGION", help="region (default: us-east-1)")
    options.add_argument(
        "--launch-type", choices=["EC2", "FARGATE", "EXTERNAL", "ec2", "fargate", "external"],
        help="launch type for RunTask/CreateService (also sets requiresCompatibilities)",
    )  # fmt: skip
    options.add_argument(
        "--create-log-groups", action="store_true",
        help="accepted for compatibility; the sandbox creates no log groups",
    )  # fmt: skip


def _add_service_flags(options: argparse.ArgumentParser) -> None:
    """ecs-cli's service flags: load balancer, role, deployment configuration, timeout."""
    options = _Suppressed(options)
    options.add_argument("--target-group-arn", metavar="ARN", help="ALB/NLB target group")
    options.add_argument("--container-name", metavar="NAME", help="container the LB targets")
    options.add_argument(
        "--container-port", type=_positive_int, metavar="PORT", help="its containerPort"
    )
    options.add_argument("--role", metavar="ROLE", help="service role for the load balancer")
    options.add_argument("--deployment-max-percent", type=_positive_int, metavar="PERCENT")
    options.add_argument("--deployment-min-healthy-percent", type=_positive_int, metavar="PERCENT")
    options.add_argument(
        "--timeout", type=float, metavar="MINUTES",
        help=f"wait for a stable service (default {DEFAULT_TIMEOUT_MINUTES:g}; 0 = don't check)",
    )  # fmt: skip
    options.add_argument(
        "--force-deployment", action="store_true", help="start a new deployment (up/start)"
    )


class _Suppressed:
    """Adds arguments that stay absent from the namespace unless given (``default=SUPPRESS``).

    Flags are accepted before and after the command; an unset flag after it must not erase one
    given before it.
    """

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self._parser = parser

    def add_argument(self, *names: str, **options: Any) -> None:
        self._parser.add_argument(*names, default=_SUPPRESS, **options)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Wire ``compose [flags] [service] COMMAND [args] [flags]`` into ``parser``."""
    _add_project_flags(parser)
    parser.epilog = (
        "Mirrors ecs-cli compose against the sandbox's moto server (AWS_ENDPOINT_URL). "
        "Example: ecs-workbook compose --file files/api/docker-compose.yml service up"
    )
    commands = parser.add_subparsers(dest="compose_command", metavar="COMMAND")
    for name, help_text in _TASK_COMMANDS.items():
        sub = commands.add_parser(name, aliases=_TASK_ALIASES.get(name, []), help=help_text)
        _add_project_flags(sub)
        _add_positionals(sub, name)
    service = commands.add_parser(
        "service", help="the same commands for an ECS service (runs forever)"
    )
    _add_project_flags(service)
    service_commands = service.add_subparsers(dest="service_command", metavar="COMMAND")
    for name, help_text in _SERVICE_COMMANDS.items():
        sub = service_commands.add_parser(
            name, aliases=_SERVICE_ALIASES.get(name, []), help=help_text
        )
        _add_project_flags(sub)
        _add_service_flags(sub)
        _add_positionals(sub, name)


def _add_positionals(parser: argparse.ArgumentParser, name: str) -> None:
    if name == "scale":
        parser.add_argument("count", type=_positive_int, metavar="COUNT")
    elif name == "run":
        parser.add_argument("overrides", nargs="*", metavar='CONTAINER "COMMAND"')


def _option(args: argparse.Namespace, name: str, default: Any) -> Any:
    return getattr(args, name, default)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one ``compose`` command; 0 on success, 1 (after a FATA line) on failure."""
    out = out or sys.stdout
    log = Log(out, err or sys.stderr)
    command = _option(args, "compose_command", None)
    service_command = _option(args, "service_command", None)
    if not command or (command == "service" and not service_command):
        log.fatal(
            "Name a command: ecs-workbook compose [service] create|up|start|run|scale|ps|stop|"
            "rm ... (see ecs-workbook compose --help)."
        )
        return 2
    try:
        endpoint = sandbox_endpoint()
        force_fake_credentials()
        region = _option(args, "region", None) or sandbox.REGION
        context = _Context(
            project_from_args(args),
            _client("ecs", endpoint, region),
            log,
            args,
            out,
            make_ec2=lambda: _client("ec2", endpoint, region),
        )
        if command == "service":
            _dispatch_service(context, _CANONICAL_SERVICE.get(service_command, service_command))
        else:
            _dispatch_task(context, _CANONICAL.get(command, command))
    except (CommandError, compose.ComposeError) as error:
        log.fatal(str(error))
        return 1
    except ClientError as error:
        log.fatal(_client_error_message(error, args))
        return 1
    except EndpointConnectionError:
        log.fatal(
            f"Could not reach the sandbox's moto server at {os.environ.get('AWS_ENDPOINT_URL')}. "
            "Is the notebook's sandbox still running? Start it again with "
            "sandbox.start(server=True)."
        )
        return 1
    return 0


def _dispatch_task(context: _Context, command: str) -> None:
    handlers: dict[str, Callable[[], None]] = {
        "create": lambda: task_create(context),
        "start": lambda: task_up(context, update_tasks=False),
        "up": lambda: task_up(context),
        "run": lambda: task_run(context, context.args.overrides),
        "scale": lambda: task_scale(context, context.args.count),
        "ps": lambda: task_ps(context),
        "stop": lambda: task_stop(context),
    }
    handlers[command]()


def _dispatch_service(context: _Context, command: str) -> None:
    handlers: dict[str, Callable[[], None]] = {
        "create": lambda: service_create(context),
        "start": lambda: service_start(context),
        "up": lambda: service_up(context),
        "ps": lambda: service_ps(context),
        "scale": lambda: service_scale(context, context.args.count),
        "stop": lambda: service_stop(context),
        "rm": lambda: service_rm(context),
    }
    handlers[command]()


def _client_error_message(error: ClientError, args: argparse.Namespace) -> str:
    code = error.response.get("Error", {}).get("Code", "Error")
    message = error.response.get("Error", {}).get("Message", str(error))
    text = f"{code}: {message}"
    if code == "ClusterNotFoundException":
        cluster = _option(args, "cluster", None) or DEFAULT_CLUSTER
        text += (
            f" Create the cluster first (sb.ecs.create_cluster(clusterName={cluster!r}) and add "
            "container instances), or pass --cluster NAME."
        )
    return text
