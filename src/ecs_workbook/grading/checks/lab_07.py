"""Checks of lab 07, Docker Compose on ECS.

The lab's compose project is ``notebooks/files/billing/docker-compose.yml`` (project and family
``billing``); :data:`BILLING_COMPOSE` holds the same text, so the checks convert it exactly as
``ecs-cli compose`` would (``ecs_workbook.compose``) instead of hard-coding the answer.
Checks only read moto state (describe/list) and the learner's answers.
https://github.com/awsdocs/amazon-ecs-developer-guide/blob/c9cb2e6/doc_source/cmd-ecs-cli-compose.md
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
"""

from __future__ import annotations

from typing import Any

from ecs_workbook import compose, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.grading.checks._common import expect_arn

CLUSTER = "default"
PROJECT = "billing"
MIGRATION_COMMAND = ["python", "manage.py", "migrate"]
SERVICE_COUNT = 3
#: The lab's compose file, ``notebooks/files/billing/docker-compose.yml`` (a test keeps them equal).
BILLING_COMPOSE = """\
version: '2'
services:
  app:
    image: example/billing:2.3
    command: gunicorn billing.wsgi --bind 0.0.0.0:8000
    cpu_shares: 512
    mem_limit: 1g
    mem_reservation: 768m
    ports:
      - "8000"
    environment:
      - DJANGO_SETTINGS_MODULE=billing.settings
  worker:
    image: example/billing:2.3
    command: celery -A billing worker
    cpu_shares: 256
    mem_limit: 512m
"""
#: Exercise 4: the right way to run each workload.
WORKLOAD_KINDS = {
    "nightly-report": "task",
    "web-frontend": "service",
    "database-migration": "task",
    "queue-worker": "service",
}
_MIB = 1024 * 1024


def expected_task_definition() -> dict[str, Any]:
    """What ``ecs-cli compose`` registers for the billing project."""
    return compose.to_task_definition(BILLING_COMPOSE, family=PROJECT)


def _containers(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(c.get("name")): c
        for c in definition.get("containerDefinitions") or []
        if isinstance(c, dict)
    }


def _memory_hint(name: str, key: str, found: Any, wanted: int) -> str:
    if found == wanted * _MIB:
        return f"{found} is bytes; ECS counts {key} in MiB ({wanted})"
    if key == "memory" and found == wanted * 3 // 4:
        return "that is the soft limit; mem_limit is the hard limit, `memory`"
    return f"{name}: mem_limit -> memory, mem_reservation -> memoryReservation, in MiB"


# -- ex1 -------------------------------------------------------------------------------------------
def check_convert(ctx: CheckContext) -> None:
    answer = ctx.answer("billing_task_definition", dict, example="{'family': 'billing', ...}")
    expected = expected_task_definition()
    problems = taskdef.validate(answer)
    ctx.expect(
        1,
        not problems,
        "a task definition ECS would register (taskdef.validate(...) == [])",
        problems[0] if problems else "",
        "compare with compose.to_task_definition(...) from the chapter",
    )
    ctx.expect(
        1,
        answer.get("family") == PROJECT,
        f"family '{PROJECT}': the name of the directory holding the compose file",
        repr(answer.get("family")),
        "ecs-cli names the family after the project, and the project after the directory",
    )
    theirs, ours = _containers(answer), _containers(expected)
    if not ctx.expect(
        1,
        set(theirs) == set(ours),
        f"one container per compose service: {sorted(ours)}",
        str(sorted(theirs)),
        "every compose service becomes a container definition named after it",
    ):
        ctx.expect(3, False, "container resources, ports and commands", "not checked yet")
        return
    wrong = []
    hint = "cpu_shares -> cpu; mem_limit -> memory; mem_reservation -> memoryReservation (MiB)"
    for name, container in ours.items():
        for key in ("cpu", "memory", "memoryReservation"):
            found = theirs[name].get(key, 0 if key == "cpu" else None)
            if found != container.get(key, 0 if key == "cpu" else None):
                wrong.append(f"{name}.{key}={found!r}")
                if key != "cpu" and isinstance(found, int) and container.get(key):
                    hint = _memory_hint(name, key, found, container[key])
    ctx.expect(
        1,
        not wrong,
        "cpu, memory and memoryReservation as ecs-cli converts them",
        ", ".join(wrong),
        hint,
    )
    app = theirs["app"]
    mappings = app.get("portMappings") or []
    ports_ok = len(mappings) == 1 and mappings[0].get("containerPort") == 8000
    ports_ok = ports_ok and mappings[0].get("hostPort", 0) == 0
    ctx.expect(
        1,
        ports_ok,
        "app's portMappings: containerPort 8000 with a dynamic host port (hostPort 0 or none)",
        str(mappings),
        '"8000" names the container port only, so ECS picks the host port',
    )
    wrong_commands = [
        name
        for name, container in ours.items()
        if theirs[name].get("command") != container.get("command")
    ]
    found = ", ".join(f"{n}: {theirs[n].get('command')!r}" for n in wrong_commands)
    hint = "ecs-cli splits a command string into words, like a shell: ['gunicorn', ...]"
    if any(isinstance(theirs[n].get("command"), str) for n in wrong_commands):
        hint = "command is a list of words in ECS, not one string"
    ctx.expect(1, not wrong_commands, "each command split into a list of words", found, hint)


# -- ex2 -------------------------------------------------------------------------------------------
def _project_tasks(ctx: CheckContext) -> list[dict[str, Any]]:
    arns: list[str] = []
    for status in ("RUNNING", "STOPPED"):
        arns += ctx.ecs.list_tasks(cluster=CLUSTER, family=PROJECT, desiredStatus=status)[
            "taskArns"
        ]
    if not arns:
        return []
    return ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=arns[:100])["tasks"]


def _command_override(task: dict[str, Any]) -> list[str] | None:
    for override in (task.get("overrides") or {}).get("containerOverrides") or []:
        if override.get("name") == "app" and override.get("command"):
            return list(override["command"])
    return None


def check_migration(ctx: CheckContext) -> None:
    tasks = [t for t in _project_tasks(ctx) if _command_override(t) is not None]
    if not ctx.expect(
        1,
        bool(tasks),
        f"a task of family '{PROJECT}' in cluster '{CLUSTER}' whose container 'app' has a "
        "command override",
        "none",
        'ecs-workbook compose --file ... run app "python manage.py migrate" (or run_task with '
        'overrides={"containerOverrides": [{"name": "app", "command": [...]}]})',
    ):
        ctx.expect(4, False, "the override, group and ARN of that task", "not checked yet")
        return
    task = next((t for t in tasks if _command_override(t) == MIGRATION_COMMAND), tasks[0])
    command = _command_override(task)
    hint = "the command is a list of words: ['python', 'manage.py', 'migrate']"
    if command == [" ".join(MIGRATION_COMMAND)]:
        hint = "split the command into words; ECS does not run it through a shell"
    ctx.expect(
        2, command == MIGRATION_COMMAND, f"the command {MIGRATION_COMMAND}", str(command), hint
    )
    ctx.expect(
        1,
        task.get("group") == f"task:{PROJECT}",
        f"the task group 'task:{PROJECT}' that ecs-cli gives the project's standalone tasks",
        repr(task.get("group")),
        f"compose run sets it for you; with run_task pass group='task:{PROJECT}'",
    )
    answer = ctx.answer("migration_task_arn", str, example="'arn:aws:ecs:...:task/default/...'")
    arns = {t["taskArn"] for t in tasks if _command_override(t) == MIGRATION_COMMAND}
    hint = "list_tasks(cluster='default', family='billing') gives the task ARNs"
    if answer in {a.rsplit("/", 1)[-1] for a in arns}:
        hint = "that is the task id; keep the whole taskArn"
    ctx.expect(
        1,
        answer in arns,
        "migration_task_arn to be the migration task's ARN",
        repr(answer),
        hint,
    )


# -- ex3 -------------------------------------------------------------------------------------------
def check_service(ctx: CheckContext) -> None:
    described = ctx.ecs.describe_services(cluster=CLUSTER, services=[PROJECT])
    service = next((s for s in described.get("services", []) if s.get("status") == "ACTIVE"), None)
    if not ctx.expect(
        1,
        service is not None,
        f"an ACTIVE service named '{PROJECT}' in cluster '{CLUSTER}'",
        "none",
        "ecs-workbook compose --file ../notebooks/files/billing/docker-compose.yml service up",
    ):
        ctx.expect(3, False, "its task definition, count and ARN", "not checked yet")
        return
    family = service["taskDefinition"].rsplit("/", 1)[-1].split(":")[0]
    ctx.expect(
        1,
        family == PROJECT,
        f"the service to run the '{PROJECT}' task definition",
        service["taskDefinition"].rsplit("/", 1)[-1],
        "let service up register the compose project's task definition",
    )
    hint = f"ecs-workbook compose --file ... service scale {SERVICE_COUNT}"
    if service["desiredCount"] == SERVICE_COUNT and service["runningCount"] < SERVICE_COUNT:
        hint = "the service cannot place every task: read its events (describe_services)"
    ctx.expect(
        1,
        service["desiredCount"] == SERVICE_COUNT and service["runningCount"] == SERVICE_COUNT,
        f"desiredCount {SERVICE_COUNT} with {SERVICE_COUNT} tasks running",
        f"desiredCount {service['desiredCount']}, runningCount {service['runningCount']}",
        hint,
    )
    expect_arn(
        ctx,
        "billing_service_arn",
        resource="service",
        arn=service["serviceArn"],
        resource_name=PROJECT,
        example="'arn:aws:ecs:...:service/...'",
        hint="describe_services(cluster='default', services=['billing']) gives the serviceArn",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def check_kinds(ctx: CheckContext) -> None:
    answer = ctx.answer("workload_kinds", dict, example="{'nightly-report': 'task', ...}")
    normalised = {str(k): str(v).strip().lower() for k, v in answer.items()}
    missing = sorted(set(WORKLOAD_KINDS) - set(normalised))
    if not ctx.expect(
        0,
        not missing,
        f"an answer for each workload: {sorted(WORKLOAD_KINDS)}",
        f"missing {missing}",
        "keep the keys of the stub",
    ):
        ctx.expect(4, False, "each workload classified", "not checked until every key is there")
        return
    for name, kind in WORKLOAD_KINDS.items():
        reason = (
            "it finishes, and nothing should restart it"
            if kind == "task"
            else "it must keep running, and be replaced when it stops"
        )
        ctx.expect(1, normalised[name] == kind, f"{name}: '{kind}'", repr(answer.get(name)), reason)


EXERCISES = [
    Exercise("ex1", "Convert a compose file", 6, ("billing_task_definition",), check_convert),
    Exercise("ex2", "A one-off migration task", 5, ("migration_task_arn",), check_migration),
    Exercise("ex3", "A compose service, scaled", 4, ("billing_service_arn",), check_service),
    Exercise("ex4", "Task or service?", 4, ("workload_kinds",), check_kinds),
]
