"""Checks of lab 02, task definitions.

Every check reads the learner's answer (a task definition dict, or a revision number) and the moto
state through describe/list calls (never changes it). Whether ECS would accept a definition is
decided by ``taskdef.validate``, the same rules the kit's engine applies at registration.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinuxParameters.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecs_workbook import taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise

REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

# -- ex1 / ex3: catalog ------------------------------------------------------------------------
CATALOG = "catalog"
CATALOG_IMAGE = f"{REGISTRY}/shop/catalog:2.0.1"
CATALOG_IMAGE_V2 = f"{REGISTRY}/shop/catalog:2.1.0"
CATALOG_CPU_UNITS = 256
CATALOG_MEMORY_RESERVATION_MIB = 384
CATALOG_MEMORY_MIB = 512
CATALOG_PORT = 8080
CATALOG_ENVIRONMENT = {"LOG_LEVEL": "info"}
CATALOG_LOG_OPTIONS = {
    "awslogs-group": "/ecs/catalog",
    "awslogs-region": "us-east-1",
    "awslogs-stream-prefix": "catalog",
}
#: Task-level fields a new revision should carry over unchanged (ex3).
TASK_FIELDS = ("networkMode", "cpu", "memory", "requiresCompatibilities", "executionRoleArn")

# -- ex2: report -------------------------------------------------------------------------------
REPORT = "report"
REPORT_CONTAINER = "report-worker"
REPORT_CPU_UNITS = 512
REPORT_IMAGE = f"{REGISTRY}/shop/report:1.0.0"
REPORT_COMMAND = ["python", "-m", "report", "--daily"]
REPORT_LOG_OPTIONS = {
    "awslogs-group": "/ecs/report",
    "awslogs-region": "us-east-1",
    "awslogs-stream-prefix": "report",
}
EXECUTION_ROLE_ARN = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

# -- ex4: queue-worker -------------------------------------------------------------------------
QUEUE_WORKER = "queue-worker"
QUEUE_WORKER_BASE = {
    "name": "queue-worker",
    "image": f"{REGISTRY}/shop/queue-worker:3.2.0",
    "command": ["sh", "-c", "./consume-queue.sh"],
    "cpu": 512,
    "memory": 1024,
}
QUEUE_WORKER_STOP_TIMEOUT_SECONDS = 120
#: What ECS waits by default between SIGTERM and SIGKILL (ECS_CONTAINER_STOP_TIMEOUT).
DEFAULT_STOP_TIMEOUT_SECONDS = 30
#: The longest job the exercise mentions.
LONGEST_JOB_SECONDS = 90


# -- helpers -----------------------------------------------------------------------------------
def _active_revisions(ctx: CheckContext, family: str) -> list[dict[str, Any]]:
    """Every ACTIVE revision of ``family`` in the moto state, oldest first."""
    arns: list[str] = []
    for page in ctx.ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix=family, status="ACTIVE"
    ):
        arns.extend(page.get("taskDefinitionArns", []))
    described = [ctx.ecs.describe_task_definition(taskDefinition=arn) for arn in arns]
    revisions = [d["taskDefinition"] for d in described]
    return sorted(
        (td for td in revisions if td.get("family") == family and td.get("status") == "ACTIVE"),
        key=lambda td: int(td.get("revision", 0)),
    )


def _containers(task_definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in task_definition.get("containerDefinitions") or () if isinstance(c, Mapping)]


def _container(task_definition: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((c for c in _containers(task_definition) if c.get("name") == name), None)


def _names(task_definition: Mapping[str, Any]) -> list[str]:
    return [str(c.get("name")) for c in _containers(task_definition)]


def _number(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _problems_text(problems: list[str]) -> str:
    shown = "; ".join(problems[:2])
    return shown + (f" (and {len(problems) - 2} more)" if len(problems) > 2 else "")


def _expect_valid(ctx: CheckContext, points: float, name: str, definition: Mapping) -> bool:
    problems = taskdef.validate(definition)
    return ctx.expect(
        points,
        not problems,
        f"`{name}` to be a task definition ECS accepts",
        _problems_text(problems),
        f"taskdef.validate({name}) lists every problem, in ECS's words",
    )


def _revision_labels(revisions: list[dict[str, Any]], container: str) -> str:
    if not revisions:
        return "no ACTIVE revision"
    labels = []
    for td in revisions:
        found = _container(td, container)
        image = found.get("image", "?") if found else f"no container '{container}'"
        labels.append(f"{td.get('family')}:{td.get('revision')} ({image.rsplit('/', 1)[-1]})")
    return ", ".join(labels)


# -- ex1 ---------------------------------------------------------------------------------------
def _catalog_size_ok(definition: Mapping[str, Any], container: Mapping[str, Any]) -> bool:
    cpu = _number(container.get("cpu")) or _task_number(definition, "cpu", taskdef.parse_cpu)
    hard = _number(container.get("memory")) or _task_number(
        definition, "memory", taskdef.parse_memory_mib
    )
    return (
        cpu == CATALOG_CPU_UNITS
        and _number(container.get("memoryReservation")) == CATALOG_MEMORY_RESERVATION_MIB
        and hard == CATALOG_MEMORY_MIB
    )


def _task_number(definition: Mapping[str, Any], field: str, parse: Any) -> int | None:
    try:
        return parse(definition[field]) if definition.get(field) not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _catalog_size_hint(container: Mapping[str, Any]) -> str:
    if _number(container.get("memory")) == CATALOG_MEMORY_RESERVATION_MIB and (
        _number(container.get("memoryReservation")) == CATALOG_MEMORY_MIB
    ):
        return "memory and memoryReservation are swapped: memory is the hard limit"
    cpu = container.get("cpu")
    if isinstance(cpu, float) or cpu in (0.25, "0.25"):
        return "container cpu is in CPU units: 1 vCPU = 1024 units, so a quarter is 256"
    return (
        "on the container: cpu in CPU units (1 vCPU = 1024), memoryReservation = the soft "
        "limit, memory = the hard limit, both in MiB"
    )


def _port_ok(definition: Mapping[str, Any], container: Mapping[str, Any]) -> tuple[bool, str]:
    mode = definition.get("networkMode") or "bridge"
    mappings = [m for m in container.get("portMappings") or () if isinstance(m, Mapping)]
    wanted = [m for m in mappings if _number(m.get("containerPort")) == CATALOG_PORT]
    if mode != "bridge":
        return False, f"networkMode '{mode}': dynamic host ports need bridge mode (the default)"
    if not wanted:
        return False, "add portMappings=[{'containerPort': 8080}]"
    if any(_number(m.get("hostPort")) not in (None, 0) for m in wanted):
        return False, "a static hostPort lets only one copy run per instance: leave hostPort out"
    return True, ""


def _environment(container: Mapping[str, Any]) -> dict[str, Any]:
    entries = container.get("environment") or []
    if isinstance(entries, Mapping):
        return {}
    return {e.get("name"): e.get("value") for e in entries if isinstance(e, Mapping)}


def _environment_hint(container: Mapping[str, Any]) -> str:
    if isinstance(container.get("environment"), Mapping):
        return "environment is a list of {'name': ..., 'value': ...} dicts, not a dict"
    return "environment=[{'name': 'LOG_LEVEL', 'value': 'info'}] (values are strings)"


def _logs_ok(container: Mapping[str, Any], options: Mapping[str, str]) -> bool:
    config = container.get("logConfiguration") or {}
    given = config.get("options") or {}
    return config.get("logDriver") == "awslogs" and all(
        given.get(key) == value for key, value in options.items()
    )


def _catalog_matches(definition: Mapping[str, Any], image: str) -> bool:
    """Everything the spec asks of the catalog container, with ``image``."""
    container = _container(definition, CATALOG)
    return (
        container is not None
        and container.get("image") == image
        and _catalog_size_ok(definition, container)
        and _port_ok(definition, container)[0]
        and _environment(container) == {**_environment(container), **CATALOG_ENVIRONMENT}
        and _logs_ok(container, CATALOG_LOG_OPTIONS)
    )


def check_write_to_spec(ctx: CheckContext) -> None:
    definition = ctx.answer("catalog_task_definition", dict, example="{'family': 'catalog', ...}")
    _expect_valid(ctx, 1, "catalog_task_definition", definition)
    container = _container(definition, CATALOG)
    image = container.get("image") if container else None
    image_hint = (
        "a private ECR image is <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>"
    )
    if isinstance(image, str) and not image.startswith(REGISTRY):
        image_hint = f"without the registry host, Docker pulls '{image}' from Docker Hub; " + (
            image_hint
        )
    if not ctx.expect(
        1,
        definition.get("family") == CATALOG and container is not None and image == CATALOG_IMAGE,
        f"family '{CATALOG}' with a container '{CATALOG}' running {CATALOG_IMAGE}",
        f"family {definition.get('family')!r}, containers {_names(definition)}, image {image!r}",
        image_hint,
    ):
        return
    ctx.expect(
        1,
        _catalog_size_ok(definition, container),
        f"cpu {CATALOG_CPU_UNITS}, memoryReservation {CATALOG_MEMORY_RESERVATION_MIB} and "
        f"memory {CATALOG_MEMORY_MIB} on the container",
        ", ".join(f"{k} {container.get(k)!r}" for k in ("cpu", "memoryReservation", "memory")),
        _catalog_size_hint(container),
    )
    port_ok, port_hint = _port_ok(definition, container)
    environment = _environment(container)
    ctx.expect(
        1,
        port_ok and environment.get("LOG_LEVEL") == "info",
        "container port 8080 with a dynamic host port, and LOG_LEVEL=info in the environment",
        f"portMappings {container.get('portMappings')!r}, environment "
        f"{container.get('environment')!r}",
        port_hint or _environment_hint(container),
    )
    config = container.get("logConfiguration") or {}
    ctx.expect(
        1,
        _logs_ok(container, CATALOG_LOG_OPTIONS),
        f"the awslogs driver with options {CATALOG_LOG_OPTIONS}",
        f"logConfiguration {config!r}" if config else "no logConfiguration",
        "logConfiguration={'logDriver': 'awslogs', 'options': {'awslogs-group': ..., "
        "'awslogs-region': ..., 'awslogs-stream-prefix': ...}}",
    )
    revisions = _active_revisions(ctx, CATALOG)
    ctx.expect(
        1,
        any(_catalog_matches(td, CATALOG_IMAGE) for td in revisions),
        f"a registered ACTIVE revision of '{CATALOG}' that meets the spec",
        _revision_labels(revisions, CATALOG),
        "register it: taskdef.register(sb.ecs, catalog_task_definition)",
    )


# -- ex2 ---------------------------------------------------------------------------------------
def check_fix_rejected(ctx: CheckContext) -> None:
    definition = ctx.answer("fixed_report_task_definition", dict, example="{**broken_report, ...}")
    _expect_valid(ctx, 1, "fixed_report_task_definition", definition)
    container = _container(definition, REPORT_CONTAINER)
    containers = _containers(definition)
    cpu = _task_number(definition, "cpu", taskdef.parse_cpu)
    kept = (
        definition.get("family") == REPORT
        and "FARGATE" in (definition.get("requiresCompatibilities") or ())
        and cpu == REPORT_CPU_UNITS
        and len(containers) == 1
        and containers[0].get("image") == REPORT_IMAGE
        and list(containers[0].get("command") or ()) == REPORT_COMMAND
        and _logs_ok(containers[0], REPORT_LOG_OPTIONS)
    )
    ctx.expect(
        1,
        kept,
        "family 'report' for FARGATE with cpu '512' and the same image, command and logs",
        f"family {definition.get('family')!r}, cpu {definition.get('cpu')!r}, "
        f"{len(containers)} container(s)",
        "start from a copy: {**broken_report, ...}, and change only what is broken",
    )
    memory = _task_number(definition, "memory", taskdef.parse_memory_mib)
    smallest = min(m for c, m in taskdef.FARGATE_TASK_SIZES if c == REPORT_CPU_UNITS)
    allowed = [m for c, m in taskdef.FARGATE_TASK_SIZES if c == REPORT_CPU_UNITS]
    hint = f"with 512 CPU units Fargate offers {allowed} MiB"
    if memory in allowed and memory != smallest:
        hint = f"{memory} MiB is valid but not the smallest; " + hint
    ctx.expect(
        1,
        memory == smallest,
        f"memory '{smallest}', the smallest Fargate size with 512 CPU units",
        repr(definition.get("memory")),
        hint,
    )
    fixes = {
        "networkMode": definition.get("networkMode"),
        "container names": _names(definition),
        "executionRoleArn": definition.get("executionRoleArn"),
    }
    ctx.expect(
        1,
        definition.get("networkMode") == "awsvpc"
        and container is not None
        and definition.get("executionRoleArn") == EXECUTION_ROLE_ARN,
        f"networkMode 'awsvpc', the container named '{REPORT_CONTAINER}' and the execution role",
        ", ".join(f"{k} {v!r}" for k, v in fixes.items()),
        "Fargate only supports awsvpc; names allow letters, digits, '-' and '_'; "
        "executionRoleArn is a task-level field",
    )
    revisions = _active_revisions(ctx, REPORT)
    latest = revisions[-1] if revisions else None
    registered_ok = (
        latest is not None
        and not taskdef.validate(latest)
        and _container(latest, REPORT_CONTAINER) is not None
        and _task_number(latest, "memory", taskdef.parse_memory_mib) == smallest
    )
    ctx.expect(
        1,
        registered_ok,
        f"the fixed definition registered as the latest ACTIVE revision of '{REPORT}'",
        _revision_labels(revisions, REPORT_CONTAINER),
        "register it: taskdef.register(sb.ecs, fixed_report_task_definition)",
    )


# -- ex3 ---------------------------------------------------------------------------------------
def _without_image(definition: Mapping[str, Any]) -> tuple[Any, ...]:
    containers = [{k: v for k, v in c.items() if k != "image"} for c in _containers(definition)]
    return (containers, tuple(definition.get(field) for field in TASK_FIELDS))


def check_new_revision(ctx: CheckContext) -> None:
    revisions = _active_revisions(ctx, CATALOG)
    originals = [td for td in revisions if _catalog_matches(td, CATALOG_IMAGE)]
    if not ctx.expect(
        0,
        bool(originals),
        f"revision 1 of '{CATALOG}' from exercise ex1",
        _revision_labels(revisions, CATALOG),
        "do exercise ex1 first, then run the cells again from the top",
    ):
        ctx.expect(4, False, "a new revision", "not checked until ex1 is done")
        return
    latest = revisions[-1]
    latest_container = _container(latest, CATALOG) or {}
    if not ctx.expect(
        1,
        latest_container.get("image") == CATALOG_IMAGE_V2,
        f"the latest ACTIVE revision of '{CATALOG}' to run {CATALOG_IMAGE_V2}",
        f"{CATALOG}:{latest.get('revision')} runs {latest_container.get('image')!r}",
        "register a copy of catalog_task_definition whose image ends in :2.1.0",
    ):
        ctx.expect(1, False, "nothing but the image changed", "not checked until the above passes")
    else:
        original = [td for td in originals if td["revision"] < latest["revision"]]
        ctx.expect(
            1,
            bool(original) and _without_image(original[-1]) == _without_image(latest),
            "nothing but the image changed since the 2.0.1 revision",
            "other fields differ" if original else "no earlier 2.0.1 revision",
            "copy the whole definition and replace only the image: {**container, 'image': ...}",
        )
    answer = ctx.answer("catalog_resolves_to", int, example="2")
    newest = int(latest["revision"])
    hint = "a bare family name means the family's latest ACTIVE revision"
    if answer == newest - 1:
        hint = "that is the revision before; " + hint
    ctx.expect(
        2,
        answer == newest,
        f"catalog_resolves_to == {newest}, the revision 'catalog' resolves to",
        str(answer),
        hint,
    )


# -- ex4 ---------------------------------------------------------------------------------------
def _graceful(container: Mapping[str, Any]) -> tuple[bool, bool]:
    init = (container.get("linuxParameters") or {}).get("initProcessEnabled") is True
    timeout = _number(container.get("stopTimeout")) == QUEUE_WORKER_STOP_TIMEOUT_SECONDS
    return init, timeout


def check_graceful_shutdown(ctx: CheckContext) -> None:
    definition = ctx.answer("queue_worker_v2", dict, example="{**queue_worker, ...}")
    _expect_valid(ctx, 1, "queue_worker_v2", definition)
    container = _container(definition, QUEUE_WORKER) or {}
    init, timeout = _graceful(container)
    ctx.expect(
        1,
        init,
        "linuxParameters.initProcessEnabled = True on the queue-worker container",
        f"linuxParameters {container.get('linuxParameters')!r}",
        "'linuxParameters': {'initProcessEnabled': True} goes in the container definition",
    )
    stop = _number(container.get("stopTimeout"))
    hint = "stopTimeout is in seconds, on the container definition"
    if stop == LONGEST_JOB_SECONDS:
        hint = "90 s is the longest job; the team asked for 120 s of headroom"
    elif stop in (None, DEFAULT_STOP_TIMEOUT_SECONDS):
        hint = "30 s is the default that cuts jobs off; " + hint
    ctx.expect(
        1,
        timeout,
        f"stopTimeout {QUEUE_WORKER_STOP_TIMEOUT_SECONDS} on the queue-worker container",
        repr(container.get("stopTimeout")),
        hint,
    )
    revisions = _active_revisions(ctx, QUEUE_WORKER)
    latest = revisions[-1] if revisions else {}
    registered = _container(latest, QUEUE_WORKER) or {}
    unchanged = all(registered.get(k) == v for k, v in QUEUE_WORKER_BASE.items())
    ctx.expect(
        1,
        int(latest.get("revision", 0)) >= 2 and all(_graceful(registered)) and unchanged,
        f"a new ACTIVE revision of '{QUEUE_WORKER}' with both settings and nothing else changed",
        _revision_labels(revisions, QUEUE_WORKER)
        + ("" if unchanged or not registered else "; image, command, cpu or memory changed"),
        "register it: taskdef.register(sb.ecs, queue_worker_v2)",
    )


EXERCISES = [
    Exercise(
        "ex1", "Write a task definition to a spec", 6, ("catalog_task_definition",),
        check_write_to_spec,
    ),
    Exercise(
        "ex2", "Fix a task definition ECS rejects", 5, ("fixed_report_task_definition",),
        check_fix_rejected,
    ),
    Exercise(
        "ex3", "A new revision, and what a family name means", 4, ("catalog_resolves_to",),
        check_new_revision,
    ),
    Exercise(
        "ex4", "Let the worker shut down gracefully", 4, ("queue_worker_v2",),
        check_graceful_shutdown,
    ),
]  # fmt: skip
