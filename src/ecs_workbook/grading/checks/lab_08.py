"""Checks of lab 08, launch types: Fargate sizes, awsvpc tasks, capacity provider strategies.

The right answers come from the kit (``taskdef.smallest_fargate_size``, ``taskdef.validate``,
``capacity.split_by_strategy``), so the checks follow ECS's documented rules, not a hard-coded key.
Checks only read moto state (describe/list) and the learner's answers.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_types.html
"""

from __future__ import annotations

from typing import Any

from ecs_workbook import capacity, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise

CLUSTER = "lab08"
FAMILY = "reports"
#: What the two containers of the reports task need, together: CPU units and MiB.
NEEDED_CPU_UNITS = 600 + 100
NEEDED_MEMORY_MIB = 1400 + 300
#: The strategy of exercises 3 and 4.
STRATEGY = [
    {"capacityProvider": "FARGATE", "base": 4, "weight": 1},
    {"capacityProvider": "FARGATE_SPOT", "weight": 2},
]
TASK_COUNT = 10
#: Exercise 5: the launch type (or Fargate capacity provider) each workload calls for.
LAUNCH_CHOICES = {
    "gpu-training": ("EC2", "Fargate offers no GPUs; only your own instances do"),
    "factory-floor": ("EXTERNAL", "the servers are on premises: register them with ECS Anywhere"),
    "image-thumbnails": (
        "FARGATE_SPOT",
        "interruptible, retryable batch work is what the Spot discount is for",
    ),
    "payments-api": ("FARGATE", "no servers to manage, and it must not be interrupted"),
}


def _size(answer: Any) -> tuple[int, int] | None:
    if isinstance(answer, (list, tuple)) and len(answer) == 2:
        try:
            return taskdef.parse_cpu(answer[0]), taskdef.parse_memory_mib(answer[1])
        except taskdef.TaskDefinitionError:
            return None
    return None


# -- ex1 -------------------------------------------------------------------------------------------
def check_size(ctx: CheckContext) -> None:
    answer = ctx.answer("reports_size", (list, tuple), example="(1024, 2048)")
    size = _size(answer)
    if not ctx.expect(
        1,
        size in taskdef.FARGATE_TASK_SIZES,
        "a valid Fargate (cpu units, memory MiB) pair from the table",
        repr(answer),
        "the pairs are listed in chapter 03; taskdef.fargate_sizes(cpu) lists one row",
    ):
        ctx.expect(2, False, "a size that fits and costs least", "not checked until it is valid")
        return
    cpu, memory = size
    fits = cpu >= NEEDED_CPU_UNITS and memory >= NEEDED_MEMORY_MIB
    ctx.expect(
        1,
        fits,
        f"room for both containers: at least {NEEDED_CPU_UNITS} CPU units and "
        f"{NEEDED_MEMORY_MIB} MiB",
        f"{cpu} units, {memory} MiB",
        "add up what the two containers need",
    )
    smallest = taskdef.smallest_fargate_size(NEEDED_CPU_UNITS, NEEDED_MEMORY_MIB)
    ctx.expect(
        1,
        size == smallest,
        "the smallest such pair (Fargate bills for what the task asks for)",
        f"{cpu} units, {memory} MiB",
        "a smaller CPU row or less memory would still fit" if fits else "",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def _latest_definition(ctx: CheckContext) -> dict[str, Any] | None:
    arns = ctx.ecs.list_task_definitions(familyPrefix=FAMILY, status="ACTIVE")["taskDefinitionArns"]
    arns = [a for a in arns if a.rsplit("/", 1)[-1].split(":")[0] == FAMILY]
    if not arns:
        return None
    latest = max(arns, key=lambda arn: int(arn.rsplit(":", 1)[-1]))
    return ctx.ecs.describe_task_definition(taskDefinition=latest)["taskDefinition"]


def _eni_of(task: dict[str, Any]) -> str | None:
    for attachment in task.get("attachments") or []:
        for detail in attachment.get("details") or []:
            if detail.get("name") == "networkInterfaceId":
                return detail.get("value")
    return None


def check_fargate_task(ctx: CheckContext) -> None:
    definition = _latest_definition(ctx)
    if not ctx.expect(
        0,
        definition is not None,
        f"a task definition of family '{FAMILY}'",
        "none registered",
        "register it with taskdef.register(sb.ecs, {...}) or sb.ecs.register_task_definition",
    ):
        ctx.expect(5, False, "the task definition and the task", "not checked yet")
        return
    ctx.expect(
        1,
        "FARGATE" in (definition.get("requiresCompatibilities") or []),
        "requiresCompatibilities to include FARGATE",
        str(definition.get("requiresCompatibilities")),
        'add "requiresCompatibilities": ["FARGATE"]',
    )
    ctx.expect(
        1,
        definition.get("networkMode") == "awsvpc",
        "networkMode 'awsvpc' (the only mode Fargate supports)",
        repr(definition.get("networkMode")),
        'add "networkMode": "awsvpc"',
    )
    size = _size([definition.get("cpu"), definition.get("memory")])
    ctx.expect(
        1,
        size in taskdef.FARGATE_TASK_SIZES
        and size[0] >= NEEDED_CPU_UNITS
        and size[1] >= NEEDED_MEMORY_MIB,
        "task-level cpu and memory: your valid size from exercise 1",
        f"cpu {definition.get('cpu')!r}, memory {definition.get('memory')!r}",
        "set the task's cpu and memory (strings such as '1024'), not only the containers'",
    )
    arns = ctx.ecs.list_tasks(cluster=CLUSTER, family=FAMILY, desiredStatus="RUNNING")["taskArns"]
    tasks = ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
    fargate = [t for t in tasks if t.get("launchType") == "FARGATE"]
    if not ctx.expect(
        1,
        bool(fargate),
        f"a RUNNING Fargate task of '{FAMILY}' in cluster '{CLUSTER}'",
        f"{len(tasks)} running task(s), {len(fargate)} on Fargate",
        "run_task(cluster=..., launchType='FARGATE', networkConfiguration={'awsvpcConfiguration': "
        "{'subnets': [SUBNET]}})",
    ):
        ctx.expect(1, False, "reports_eni_id", "not checked until the task runs")
        return
    answer = ctx.answer("reports_eni_id", str, example="'eni-0123456789abcdef0'")
    enis = {_eni_of(t) for t in fargate}
    hint = "find the networkInterfaceId in the task's attachments[0]['details']"
    if answer.startswith("arn:"):
        hint = "that is an ARN; the ENI id starts with eni-"
    ctx.expect(1, answer in enis, "reports_eni_id to be that task's ENI id", repr(answer), hint)


# -- ex3 -------------------------------------------------------------------------------------------
def check_split(ctx: CheckContext) -> None:
    answer = ctx.answer("split_10", dict, example="{'FARGATE': 0, 'FARGATE_SPOT': 0}")
    expected = capacity.split_by_strategy(STRATEGY, TASK_COUNT)
    counts = {str(k): v for k, v in answer.items()}
    total = sum(v for v in counts.values() if isinstance(v, int) and not isinstance(v, bool))
    ctx.expect(
        1,
        set(counts) == set(expected) and total == TASK_COUNT,
        f"a count for FARGATE and FARGATE_SPOT adding up to {TASK_COUNT}",
        str(counts),
        "every task lands on one of the two providers",
    )
    ignoring_base = capacity.split_by_strategy(
        [{**item, "base": 0} for item in STRATEGY], TASK_COUNT
    )
    hint = "the base goes first to FARGATE; the rest follows the weights 1 : 2"
    if counts == ignoring_base:
        hint = "that split ignores the base: 4 tasks go to FARGATE before the weights apply"
    ctx.expect(2, counts == expected, f"the split {expected}", str(counts), hint)


# -- ex4 -------------------------------------------------------------------------------------------
def _normalised(strategy: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [
        (str(i.get("capacityProvider")), int(i.get("base") or 0), int(i.get("weight") or 0))
        for i in strategy
    ]


def check_default_strategy(ctx: CheckContext) -> None:
    clusters = ctx.ecs.describe_clusters(clusters=[CLUSTER])["clusters"]
    cluster = next((c for c in clusters if c.get("status") == "ACTIVE"), None)
    if not ctx.expect(
        0, cluster is not None, f"the cluster '{CLUSTER}'", "none", "run the lab from the top"
    ):
        ctx.expect(3, False, "the cluster's capacity providers", "not checked")
        return
    providers = set(cluster.get("capacityProviders") or [])
    ctx.expect(
        1,
        {"FARGATE", "FARGATE_SPOT"} <= providers,
        "FARGATE and FARGATE_SPOT among the cluster's capacity providers",
        str(sorted(providers)),
        "put_cluster_capacity_providers(cluster=..., capacityProviders=[...], ...)",
    )
    stored = cluster.get("defaultCapacityProviderStrategy") or []
    ctx.expect(
        1,
        sorted(_normalised(stored)) == sorted(_normalised(STRATEGY)),
        f"the cluster's default strategy to be {STRATEGY}",
        str(stored),
        "pass defaultCapacityProviderStrategy=STRATEGY",
    )
    answer = ctx.answer("default_strategy", list, example="[{'capacityProvider': ...}, ...]")
    readable = all(isinstance(item, dict) for item in answer)
    ctx.expect(
        1,
        readable and sorted(_normalised(answer)) == sorted(_normalised(stored)),
        "default_strategy to be the strategy the cluster reports (the response's "
        "cluster['defaultCapacityProviderStrategy'])",
        repr(answer),
        "read it from the response of put_cluster_capacity_providers or describe_clusters",
    )


# -- ex5 -------------------------------------------------------------------------------------------
def check_choices(ctx: CheckContext) -> None:
    answer = ctx.answer("launch_choices", dict, example="{'gpu-training': 'EC2', ...}")
    normalised = {str(k): str(v).strip().upper() for k, v in answer.items()}
    for name, (choice, reason) in LAUNCH_CHOICES.items():
        ctx.expect(
            1, normalised.get(name) == choice, f"{name}: '{choice}'", repr(answer.get(name)), reason
        )


EXERCISES = [
    Exercise("ex1", "Pick a Fargate size", 3, ("reports_size",), check_size),
    Exercise("ex2", "A Fargate task and its ENI", 5, ("reports_eni_id",), check_fargate_task),
    Exercise("ex3", "Split 10 tasks by base and weight", 3, ("split_10",), check_split),
    Exercise(
        "ex4",
        "A default capacity provider strategy",
        3,
        ("default_strategy",),
        check_default_strategy,
    ),
    Exercise("ex5", "Choose a launch type", 4, ("launch_choices",), check_choices),
]
