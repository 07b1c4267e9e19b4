"""Checks of lab 04, running tasks.

Every check reads the moto state through describe/list calls (never changes it) and the learner's
answers, and works out what is right with the kit's own scheduler and task-definition rules, so a
check follows the learner's actual cluster rather than a hard-coded number.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StartTask.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle.html
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError

from ecs_workbook import scheduler, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.grading.checks._common import list_answer

CLUSTER = "lab04"
BYOS_CLUSTER = "lab04-byos"
APP_FAMILY = "shop-app"
APP_CONTAINER = "app"
MIGRATION_COMMAND = ["rake", "db:migrate"]
MIGRATION_STARTED_BY = "release-1.4.2-migrate"
STOP_REASON = "migration finished"
WORKER_FAMILY = "worker"
SCHEDULER_STARTED_BY = "most-free-memory"
SCHEDULED_TASKS = 6
REPORT_FAMILY = "nightly-report"
REPORT_COUNT = 4


def _family(task: dict[str, Any]) -> str:
    """``shop-app`` from ``arn:...:task-definition/shop-app:3``."""
    return task.get("taskDefinitionArn", "").rsplit("/", 1)[-1].rsplit(":", 1)[0]


def _describe(ctx: CheckContext, cluster: str, arns: list[str]) -> dict[str, dict[str, Any]]:
    """The tasks among ``arns`` that exist in ``cluster``, by ARN."""
    arns = [a for a in arns if isinstance(a, str) and a]
    if not arns:
        return {}
    try:
        described = ctx.ecs.describe_tasks(cluster=cluster, tasks=arns[:100])
    except ClientError:
        return {}
    return {
        t["taskArn"]: t
        for t in described.get("tasks", [])
        if t.get("clusterArn", "").endswith(f"/{cluster}")
    }


def _running_tasks(ctx: CheckContext, cluster: str) -> list[dict[str, Any]]:
    try:
        arns = ctx.ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING").get("taskArns", [])
    except ClientError:
        return []
    return list(_describe(ctx, cluster, arns).values())


def _cluster_exists(ctx: CheckContext, cluster: str) -> bool:
    described = ctx.ecs.describe_clusters(clusters=[cluster]).get("clusters", [])
    return any(c.get("status") == "ACTIVE" for c in described)


def _require_cluster(ctx: CheckContext, cluster: str, points: float) -> bool:
    """True when the lab's set-up created ``cluster``; otherwise one failed item worth ``points``."""
    if _cluster_exists(ctx, cluster):
        return True
    return ctx.expect(
        points,
        False,
        f"the cluster '{cluster}' that the lab's set-up cells create",
        "it does not exist",
        "run the lab from the top (Kernel → Restart Kernel and Run All Cells)",
    )


def _command_of(task: dict[str, Any], container: str) -> Any:
    for override in task.get("overrides", {}).get("containerOverrides", []):
        if override.get("name") == container:
            return override.get("command")
    return None


def _arn_list(ctx: CheckContext, name: str) -> list[str]:
    return list_answer(
        ctx,
        name,
        str,
        items="task ARN strings",
        example="[task['taskArn'] for task in response['tasks']]",
        hint="keep task['taskArn'] of each task, not the task dicts",
        points=1,
    )


# -- ex1 -------------------------------------------------------------------------------------------
def check_run_task(ctx: CheckContext) -> None:
    if not _require_cluster(ctx, CLUSTER, 3):
        return
    arns = _arn_list(ctx, "app_task_arns")
    if not ctx.expect(
        1,
        len(arns) == 2,
        "two task ARNs in app_task_arns",
        f"{len(arns)}",
        "call run_task once with count=2 and keep the taskArn of each task in response['tasks']",
    ):
        return
    tasks = _describe(ctx, CLUSTER, arns)
    if not ctx.expect(
        1,
        len(tasks) == 2 and all(t.get("desiredStatus") == "RUNNING" for t in tasks.values()),
        f"both to be tasks of the cluster '{CLUSTER}' that ECS wants RUNNING",
        f"{len(tasks)} of them found in '{CLUSTER}'"
        + "".join(f"; {t['taskArn'][-8:]} is {t.get('desiredStatus')}" for t in tasks.values()),
        f"run_task(cluster='{CLUSTER}', taskDefinition='{APP_FAMILY}', count=2)",
    ):
        return
    plain = [
        t
        for t in tasks.values()
        if _family(t) == APP_FAMILY and _command_of(t, APP_CONTAINER) is None
    ]
    ctx.expect(
        1,
        len(plain) == 2,
        f"both to run '{APP_FAMILY}' as defined (no command override)",
        ", ".join(f"{_family(t)} command={_command_of(t, APP_CONTAINER)}" for t in tasks.values()),
        "these are the app's web tasks; the migration (with its own command) is exercise 2",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def check_migration(ctx: CheckContext) -> None:
    if not _require_cluster(ctx, CLUSTER, 3):
        return
    arn = ctx.answer("migration_task_arn", str, example="response['tasks'][0]['taskArn']")
    task = _describe(ctx, CLUSTER, [arn]).get(arn)
    if not ctx.expect(
        1,
        task is not None and _family(task) == APP_FAMILY,
        f"migration_task_arn to be a '{APP_FAMILY}' task in the cluster '{CLUSTER}'",
        "no such task" if task is None else f"a task of '{_family(task)}'",
        "keep response['tasks'][0]['taskArn'] of your run_task call",
    ):
        return
    command = _command_of(task, APP_CONTAINER)
    hint = 'overrides={"containerOverrides": [{"name": "app", "command": ["rake", "db:migrate"]}]}'
    if isinstance(command, str) or command == ["rake db:migrate"]:
        hint = "command is a list of words: ['rake', 'db:migrate'], not one string"
    elif command is None and task.get("overrides", {}).get("containerOverrides"):
        names = [o.get("name") for o in task["overrides"]["containerOverrides"]]
        hint = f"the override names {names}; the container is called '{APP_CONTAINER}'"
    ctx.expect(
        1,
        command == MIGRATION_COMMAND,
        f"the container '{APP_CONTAINER}' overridden to run {MIGRATION_COMMAND}",
        f"command {command!r}",
        hint,
    )
    ctx.expect(
        1,
        task.get("startedBy") == MIGRATION_STARTED_BY,
        f"startedBy '{MIGRATION_STARTED_BY}'",
        repr(task.get("startedBy", "")),
        f"pass startedBy='{MIGRATION_STARTED_BY}' to run_task",
    )


# -- ex3 -------------------------------------------------------------------------------------------
def _migration_task(ctx: CheckContext) -> dict[str, Any] | None:
    """The latest task started by the migration's ``startedBy``, stopped or not."""
    arns: list[str] = []
    for status in ("RUNNING", "STOPPED"):
        listed = ctx.ecs.list_tasks(
            cluster=CLUSTER, startedBy=MIGRATION_STARTED_BY, desiredStatus=status
        )
        arns += listed.get("taskArns", [])
    tasks = [t for t in _describe(ctx, CLUSTER, arns).values() if _family(t) == APP_FAMILY]
    stopped = [t for t in tasks if t.get("desiredStatus") == "STOPPED"]
    return (stopped or tasks or [None])[-1]


def check_stop(ctx: CheckContext) -> None:
    if not _require_cluster(ctx, CLUSTER, 3):
        return
    task = _migration_task(ctx)
    if not ctx.expect(
        1,
        task is not None and task.get("desiredStatus") == "STOPPED",
        "the migration task of exercise 2 stopped (desiredStatus STOPPED)",
        "no migration task (do exercise 2 first)"
        if task is None
        else f"desiredStatus {task.get('desiredStatus')}",
        "sb.ecs.stop_task(cluster=..., task=migration_task_arn, reason=...)",
    ):
        return
    reason = task.get("stoppedReason", "")
    ctx.expect(
        1,
        reason.strip().lower() == STOP_REASON,
        f"stoppedReason '{STOP_REASON}'",
        repr(reason),
        f"pass reason='{STOP_REASON}' to stop_task",
    )
    code = ctx.answer("migration_stop_code", str, example="'...'")
    ctx.expect(
        1,
        code == task.get("stopCode"),
        f"migration_stop_code to be the task's stopCode, {task.get('stopCode')!r}",
        repr(code),
        "describe the task after stopping it and read task['stopCode']"
        + ("; stoppedReason is the text you gave" if code == reason else ""),
    )


# -- ex4 -------------------------------------------------------------------------------------------
def _greedy_free_memory(start: list[int], need_mib: int, count: int) -> list[int]:
    """Free memory per instance (sorted) after ``count`` most-free-memory placements.

    Which of several equally free instances is picked does not change the sorted result.
    """
    free = list(start)
    for _ in range(count):
        best = max(range(len(free)), key=lambda k: free[k])
        if free[best] < need_mib:
            break
        free[best] -= need_mib
    return sorted(free)


def check_own_scheduler(ctx: CheckContext) -> None:
    if not _require_cluster(ctx, BYOS_CLUSTER, 5):
        return
    arns = _arn_list(ctx, "scheduled_task_arns")
    if not ctx.expect(
        1,
        len(arns) == SCHEDULED_TASKS,
        f"{SCHEDULED_TASKS} task ARNs in scheduled_task_arns",
        f"{len(arns)}",
        "call your function with count=6 and keep the taskArn of every task it started",
    ):
        return
    tasks = _describe(ctx, BYOS_CLUSTER, arns)
    ours = [
        t
        for t in tasks.values()
        if _family(t) == WORKER_FAMILY
        and t.get("desiredStatus") == "RUNNING"
        and t.get("startedBy") == SCHEDULER_STARTED_BY
    ]
    if not ctx.expect(
        1,
        len(ours) == SCHEDULED_TASKS,
        f"{SCHEDULED_TASKS} running '{WORKER_FAMILY}' tasks in '{BYOS_CLUSTER}' started by "
        f"'{SCHEDULER_STARTED_BY}'",
        f"{len(ours)} found",
        f"start_task(cluster='{BYOS_CLUSTER}', taskDefinition='{WORKER_FAMILY}', "
        f"containerInstances=[arn], startedBy='{SCHEDULER_STARTED_BY}')",
    ):
        return
    instances, _ = scheduler.read_cluster(ctx.ecs, BYOS_CLUSTER)
    worker = ctx.ecs.describe_task_definition(taskDefinition=ours[0]["taskDefinitionArn"])
    need_mib = int(taskdef.reserved_resources(worker["taskDefinition"])["MEMORY"])
    per_instance = Counter(t.get("containerInstanceArn") for t in ours)
    now = {inst.arn: int(inst.remaining["MEMORY"]) for inst in instances}
    before = [mib + need_mib * per_instance.get(arn, 0) for arn, mib in now.items()]
    expected = _greedy_free_memory(before, need_mib, SCHEDULED_TASKS)
    found = sorted(now.values())
    registered = sorted(before, reverse=True)
    hint = (
        "before each start_task, read every instance's remainingResources MEMORY and pick the "
        "largest; one task per start_task call"
    )
    if per_instance and len(per_instance) == 1 and len(instances) > 1:
        hint = (
            "every task went to the same instance: read remainingResources again before each "
            "task (not registeredResources, and not only once)"
        )
    ctx.expect(
        3,
        found == expected,
        "each task on the instance with the most free memory at that moment "
        f"(free MiB afterwards {expected})",
        f"free MiB afterwards {found} (before your tasks: {registered})",
        hint,
    )


# -- ex5 -------------------------------------------------------------------------------------------
def check_failures(ctx: CheckContext) -> None:
    if not _require_cluster(ctx, CLUSTER, 3):
        return
    reports = [t for t in _running_tasks(ctx, CLUSTER) if _family(t) == REPORT_FAMILY]
    placed = ctx.answer("reports_placed", int, example="2")
    if not ctx.expect(
        1,
        bool(reports) and placed == len(reports),
        f"reports_placed == {len(reports)}, the '{REPORT_FAMILY}' tasks running in '{CLUSTER}'",
        str(placed),
        f"run_task(cluster='{CLUSTER}', taskDefinition='{REPORT_FAMILY}', count={REPORT_COUNT}) "
        "once, then len(response['tasks'])"
        + ("; run it only once (restart the kernel and run all cells)" if placed else ""),
    ):
        return
    described = ctx.ecs.describe_task_definition(taskDefinition=REPORT_FAMILY)["taskDefinition"]
    need = taskdef.reserved_resources(described)
    instances, _ = scheduler.read_cluster(ctx.ecs, CLUSTER)
    plan = scheduler.place_tasks(
        instances, need, 1, group=f"family:{REPORT_FAMILY}", rng=random.Random(0)
    )
    expected = sorted({failure["reason"] for failure in plan.failures})
    answer = ctx.answer("report_failure_reasons", list, example="['RESOURCE:...']")
    reasons = sorted({str(item) for item in answer})
    hint = "collect failure['reason'] for every entry of response['failures']"
    if reasons and all(r.startswith("arn:") for r in reasons):
        hint = "those are the instance ARNs; the reason is failure['reason']"
    ctx.expect(
        2,
        bool(expected) and reasons == expected,
        f"the distinct failure reasons {expected}",
        str(reasons),
        hint,
    )


EXERCISES = [
    Exercise("ex1", "Run tasks with RunTask", 3, ("app_task_arns",), check_run_task),
    Exercise("ex2", "A one-off migration task", 3, ("migration_task_arn",), check_migration),
    Exercise(
        "ex3",
        "Stop the migration with a reason",
        3,
        ("migration_stop_code",),
        check_stop,
    ),
    Exercise(
        "ex4", "Your own scheduler on StartTask", 5, ("scheduled_task_arns",), check_own_scheduler
    ),
    Exercise(
        "ex5",
        "Read why tasks were not placed",
        3,
        ("reports_placed", "report_failure_reasons"),
        check_failures,
    ),
]
