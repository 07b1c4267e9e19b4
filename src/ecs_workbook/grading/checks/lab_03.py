"""Checks of lab 03, CPU and memory.

Every check reads the moto state through describe/list calls (never changes it) and the learner's
answers, and computes what is right with the kit's own rules (``taskdef``, ``instance_types``,
``sim.cpu``), so a check follows what ECS would do rather than a hard-coded number.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecs_workbook import instance_types, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.grading.checks._common import latest_task_definition
from ecs_workbook.sim import cpu

#: The lab's ``api`` task definition (exercise 1 and 5), as the lab shows it.
API = {
    "family": "api",
    "containerDefinitions": [
        {"name": "app", "image": "api:1", "cpu": 512, "memory": 2048, "memoryReservation": 1024},
        {"name": "proxy", "image": "envoy:1", "cpu": 256, "memory": 256},
    ],
}
API_INSTANCE_TYPE = "c5.xlarge"
WORKER_FAMILY = "worker"
#: What exercise 2 asks for, per container: (cpu, memory, memoryReservation); None = not set.
WORKER_LIMITS = {"worker": (256, 1024, 768), "log-router": (128, None, 64)}
CLUSTER = "lab03"
CLUSTER_INSTANCE_TYPE = "m5.large"
FARGATE_FAMILY = "api-fargate"
#: Exercise 4's two tasks on a 2-vCPU instance, and the moments the questions ask about.
PLOT_VCPUS = 2
PLOT_CPU_UNITS = {"encoder": 1536, "thumbnailer": 512}
ALONE_SECOND, BUSY_SECOND = 10, 45
VCPU_TOLERANCE = 0.05


def _integer(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "", 0) else None
    except (TypeError, ValueError):
        return None


def _resources(entries: list[dict[str, Any]]) -> dict[str, int]:
    """ECS's resource list as {"CPU": units, "MEMORY": MiB}."""
    return {
        entry["name"]: int(entry.get("integerValue", 0))
        for entry in entries
        if entry.get("name") in ("CPU", "MEMORY")
    }


def _instance_type(instance: dict[str, Any]) -> str:
    return next(
        (
            a.get("value", "?")
            for a in instance.get("attributes", [])
            if a["name"] == "ecs.instance-type"
        ),
        "?",
    )


# -- ex1 -------------------------------------------------------------------------------------------
def check_reserved_by_hand(ctx: CheckContext) -> None:
    need = taskdef.reserved_resources(API)
    info = instance_types.lookup(API_INSTANCE_TYPE)
    registered = {"CPU": info.cpu_units, "MEMORY": info.registered_memory_mib()}
    fits = taskdef.tasks_that_fit(API, registered)
    hard_limits_mib = sum(c["memory"] for c in API["containerDefinitions"])

    cpu_units = ctx.answer("api_cpu_units", int, example="1024")
    hint = "add up the containers' cpu values (in CPU units, 1024 per vCPU)"
    if cpu_units == API["containerDefinitions"][0]["cpu"]:
        hint = "the proxy container reserves CPU too: add its cpu"
    ctx.expect(1, cpu_units == need["CPU"], f"api_cpu_units == {need['CPU']}", str(cpu_units), hint)

    memory_mib = ctx.answer("api_memory_mib", int, example="2048")
    hint = "per container: memoryReservation if it is set, else memory; then add them up"
    if memory_mib == hard_limits_mib:
        hint = "that adds up the hard limits; placement reserves memoryReservation when it is set"
    elif memory_mib == API["containerDefinitions"][0]["memoryReservation"]:
        hint = "the proxy reserves memory too: it has no memoryReservation, so its memory counts"
    ctx.expect(
        2,
        memory_mib == need["MEMORY"],
        f"api_memory_mib == {need['MEMORY']}",
        str(memory_mib),
        hint,
    )

    tasks = ctx.answer("api_tasks_per_c5_xlarge", int, example="3")
    by_cpu = registered["CPU"] // need["CPU"]
    by_memory = registered["MEMORY"] // need["MEMORY"]
    hint = "divide what the instance registers by what one task reserves, for CPU and for memory; the smaller number wins"
    if tasks == max(by_cpu, by_memory) and by_cpu != by_memory:
        hint = "both resources must fit: the other one runs out first"
    elif tasks == registered["MEMORY"] // hard_limits_mib:
        hint = "placement reserves memoryReservation (1024 for app), not the hard limit"
    ctx.expect(
        2,
        tasks == fits,
        f"api_tasks_per_c5_xlarge == {fits} (CPU allows {by_cpu}, memory {by_memory})",
        str(tasks),
        hint,
    )


# -- ex2 -------------------------------------------------------------------------------------------
def check_fixed_task_definition(ctx: CheckContext) -> None:
    definition = latest_task_definition(ctx, WORKER_FAMILY)
    if not ctx.expect(
        1,
        definition is not None and not taskdef.validate(definition),
        f"an ACTIVE task definition '{WORKER_FAMILY}' that ECS accepts",
        "no task definition in that family"
        if definition is None
        else "; ".join(taskdef.validate(definition)),
        "register it with taskdef.register(sb.ecs, {...}) and fix what it reports",
    ):
        return
    containers = {c.get("name"): c for c in definition.get("containerDefinitions", [])}
    for name, (cpu_units, memory, reservation) in WORKER_LIMITS.items():
        container = containers.get(name, {})
        found = (
            _integer(container.get("cpu")),
            _integer(container.get("memory")),
            _integer(container.get("memoryReservation")),
        )
        wanted = "memory unset" if memory is None else f"memory {memory}"
        ctx.expect(
            1,
            found == (cpu_units, memory, reservation),
            f"container '{name}': cpu {cpu_units}, {wanted}, memoryReservation {reservation}",
            "no such container"
            if not container
            else f"cpu {found[0]}, memory {found[1] or 'unset'}, memoryReservation {found[2] or 'unset'}",
            "a soft-only container sets memoryReservation and no memory"
            if memory is None
            else "memory is the hard limit (the burst ceiling), memoryReservation the normal use",
        )
    arn = ctx.answer(
        "worker_task_definition_arn", str, example="'arn:aws:ecs:...:task-definition/worker:2'"
    )
    hint = "register returns the task definition: keep its ['taskDefinitionArn']"
    if arn.startswith("arn:") and arn != definition["taskDefinitionArn"]:
        hint = "that is not the newest revision: keep the ARN of the one you registered last"
    ctx.expect(
        1,
        arn == definition["taskDefinitionArn"],
        "worker_task_definition_arn to be the ARN of the newest 'worker' revision",
        repr(arn),
        hint,
    )


# -- ex3 -------------------------------------------------------------------------------------------
def check_fill_an_instance(ctx: CheckContext) -> None:
    described = ctx.ecs.describe_clusters(clusters=[CLUSTER])
    active = [c for c in described.get("clusters", []) if c.get("status") == "ACTIVE"]
    arns = (
        ctx.ecs.list_container_instances(cluster=CLUSTER).get("containerInstanceArns", [])
        if active
        else []
    )
    instances = (
        ctx.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)[
            "containerInstances"
        ]
        if arns
        else []
    )
    if not ctx.expect(
        1,
        len(instances) == 1 and _instance_type(instances[0]) == CLUSTER_INSTANCE_TYPE,
        f"a cluster '{CLUSTER}' with exactly one {CLUSTER_INSTANCE_TYPE} container instance",
        "no such cluster"
        if not active
        else f"{len(instances)} instance(s): {[_instance_type(i) for i in instances]}",
        "create the cluster, then instances.add_container_instances(..., instance_type='m5.large'); "
        "restart the kernel and run all cells to start over",
    ):
        return
    instance = instances[0]
    task_arns = ctx.ecs.list_tasks(cluster=CLUSTER, desiredStatus="RUNNING").get("taskArns", [])
    tasks = ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=task_arns)["tasks"] if task_arns else []
    workers = [
        t for t in tasks if f":task-definition/{WORKER_FAMILY}:" in t.get("taskDefinitionArn", "")
    ]
    definition = (
        ctx.ecs.describe_task_definition(taskDefinition=workers[0]["taskDefinitionArn"])[
            "taskDefinition"
        ]
        if workers
        else latest_task_definition(ctx, WORKER_FAMILY)
    )
    if definition is None:
        ctx.expect(
            0, False, f"a '{WORKER_FAMILY}' task definition (exercise ex2)", "none", "do ex2 first"
        )
        return
    need = taskdef.reserved_resources(definition)
    fits = taskdef.tasks_that_fit(definition, _resources(instance["registeredResources"]))
    ctx.expect(
        2,
        len(workers) == fits,
        f"{fits} running '{WORKER_FAMILY}' tasks on the instance (as many as fit)",
        str(len(workers)),
        "run_task(cluster='lab03', taskDefinition='worker', count=10)",
    )
    placed = ctx.answer("placed_tasks", int, example="4")
    ctx.expect(
        1,
        placed == fits,
        f"placed_tasks == {fits}",
        str(placed),
        "count response['tasks'] of the run_task call; a second call places nothing, so restart "
        "the kernel and run all cells if you ran it twice",
    )
    remaining = _resources(instance["remainingResources"])
    short = [name for name in ("CPU", "MEMORY") if remaining.get(name, 0) < need[name]]
    expected = f"RESOURCE:{short[0]}" if short else "no failure"
    reason = ctx.answer("failure_reason", str, example="'RESOURCE:...'")
    ctx.expect(
        1,
        reason == expected,
        f"failure_reason == {expected!r}",
        repr(reason),
        f"the instance has {remaining.get('CPU')} CPU units and {remaining.get('MEMORY')} MiB "
        f"left; one more task needs {need['CPU']} and {need['MEMORY']}: which one is short?",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def _plot_result() -> cpu.CpuResult:
    containers = [
        cpu.CpuContainer(name, cpu_units=units, task=name) for name, units in PLOT_CPU_UNITS.items()
    ]
    seconds = np.arange(90)
    demand = {
        "encoder": np.full(90, 2.0),
        "thumbnailer": np.where((seconds >= 30) & (seconds < 60), 2.0, 0.0),
    }
    return cpu.simulate_cpu(containers, PLOT_VCPUS, demand)


def _expect_vcpus(ctx: CheckContext, name: str, answer: float, vcpus: float, hint: str) -> None:
    """2 points when the answer read off the plot is within :data:`VCPU_TOLERANCE` of ``vcpus``."""
    ctx.expect(2, abs(answer - vcpus) < VCPU_TOLERANCE, f"{name} ≈ {vcpus:g}", str(answer), hint)


def check_read_the_plot(ctx: CheckContext) -> None:
    result = _plot_result()
    alone = float(result.usage_of("encoder")[ALONE_SECOND])
    busy = float(result.usage_of("thumbnailer")[BUSY_SECOND])

    answer = ctx.answer("encoder_vcpu_alone", (int, float), example="1.0")
    hint = "read the top panel at second 10"
    if abs(answer - PLOT_CPU_UNITS["encoder"] / 1024) < VCPU_TOLERANCE:
        hint = "cpu is a weight, not a cap: a container alone may use every idle vCPU"
    _expect_vcpus(ctx, "encoder_vcpu_alone", answer, alone, hint)

    answer = ctx.answer("thumbnailer_vcpu_busy", (int, float), example="1.0")
    share = PLOT_CPU_UNITS["thumbnailer"] / sum(PLOT_CPU_UNITS.values())
    hint = "under contention the vCPUs are split in proportion to cpu"
    if abs(answer - share) < VCPU_TOLERANCE and abs(share - busy) >= VCPU_TOLERANCE:
        hint = f"that is its share ({share:g}) of the instance; the instance has {PLOT_VCPUS} vCPUs"
    elif abs(answer - PLOT_CPU_UNITS["thumbnailer"] / 1024) < VCPU_TOLERANCE:
        hint = "cpu 512 is not what it gets: shares split the 2 vCPUs 1536 : 512"
    _expect_vcpus(ctx, "thumbnailer_vcpu_busy", answer, busy, hint)


# -- ex5 -------------------------------------------------------------------------------------------
def check_fargate_size(ctx: CheckContext) -> None:
    need_cpu = sum(c["cpu"] for c in API["containerDefinitions"])
    need_memory = sum(c["memory"] for c in API["containerDefinitions"])
    expected = list(taskdef.smallest_fargate_size(need_cpu, need_memory))

    size = ctx.answer("api_fargate_size", list, example="[512, 1024]")
    pair = tuple(size) if len(size) == 2 else None
    hint = "pick from taskdef.fargate_sizes(): the first pair with enough CPU and enough memory"
    if pair is not None and pair not in taskdef.FARGATE_TASK_SIZES:
        hint = "that pair is not in Fargate's table of valid sizes"
    elif pair is not None and (pair[0] < need_cpu or pair[1] < need_memory):
        hint = f"it must cover {need_cpu} CPU units and {need_memory} MiB (both hard limits)"
    elif pair is not None:
        hint = (
            "valid and big enough, but a smaller size also covers the task: Fargate bills the size"
        )
    ctx.expect(2, list(size) == expected, f"api_fargate_size == {expected}", str(size), hint)

    definition = latest_task_definition(ctx, FARGATE_FAMILY)
    if not ctx.expect(
        1,
        definition is not None
        and "FARGATE" in (definition.get("requiresCompatibilities") or [])
        and definition.get("networkMode") == "awsvpc",
        f"a task definition '{FARGATE_FAMILY}' that requires FARGATE, with networkMode awsvpc",
        "none"
        if definition is None
        else f"requiresCompatibilities {definition.get('requiresCompatibilities')}, "
        f"networkMode {definition.get('networkMode')}",
        "register it with requiresCompatibilities=['FARGATE'] and networkMode='awsvpc'",
    ):
        return
    registered = [
        _integer(taskdef.parse_cpu(definition["cpu"])) if definition.get("cpu") else None,
        _integer(taskdef.parse_memory_mib(definition["memory"]))
        if definition.get("memory")
        else None,
    ]
    ctx.expect(
        1,
        registered == expected,
        f"'{FARGATE_FAMILY}' registered with cpu {expected[0]} and memory {expected[1]}",
        f"cpu {registered[0]}, memory {registered[1]}",
        "set the task-level cpu and memory to the size you picked (as strings or numbers)",
    )


EXERCISES = [
    Exercise(
        "ex1",
        "What does one task reserve?",
        5,
        ("api_cpu_units", "api_memory_mib", "api_tasks_per_c5_xlarge"),
        check_reserved_by_hand,
    ),
    Exercise(
        "ex2",
        "Fix a task definition ECS rejects",
        4,
        ("worker_task_definition_arn",),
        check_fixed_task_definition,
    ),
    Exercise(
        "ex3",
        "Fill an instance and read the failure",
        5,
        ("placed_tasks", "failure_reason"),
        check_fill_an_instance,
    ),
    Exercise(
        "ex4",
        "Read a CPU plot",
        4,
        ("encoder_vcpu_alone", "thumbnailer_vcpu_busy"),
        check_read_the_plot,
    ),
    Exercise("ex5", "Pick a Fargate size", 4, ("api_fargate_size",), check_fargate_size),
]
