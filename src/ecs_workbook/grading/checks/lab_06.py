"""Checks of lab 06, task placement.

Strategy and constraint answers are judged by where the kit's own scheduler puts tasks with them,
on small clusters described here as plain data and with several tie-breaking seeds, so an answer
passes because it meets the goal every time, not by luck. The other checks read the moto state.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-groups.html
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ecs_workbook import cql, instance_types, scheduler, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.grading.checks._common import list_answer

FLEET_CLUSTER = "lab06-fleet"
PORTS_CLUSTER = "lab06-ports"
STATIC_FAMILY = "web-80"
DYNAMIC_COPIES = 6
CACHE_FAMILY = "cache"
DATABASE_GROUP = "databases"
#: The instances ex3's expression must select: stack=prod, not t2, in us-east-1a or us-east-1b.
EX3_ZONES = ("us-east-1a", "us-east-1b")
#: Tie-breaking seeds every strategy/constraint answer is tried with.
SEEDS = range(5)
AGENT_PORTS = {22, 2375, 2376, 51678, 51679}
WEB_NEED = {"CPU": 256, "MEMORY": 512, "PORTS": [], "PORTS_UDP": []}
GPU_JOB_NEED = {"CPU": 1024, "MEMORY": 2048, "PORTS": [], "PORTS_UDP": []}
CACHE_NEED = {"CPU": 256, "MEMORY": 256, "PORTS": [], "PORTS_UDP": []}


def _instance(name: str, instance_type: str, zone: str, **groups: int) -> scheduler.InstanceState:
    """An empty container instance of ``instance_type`` as the scheduler sees it (plain data)."""
    kind = instance_types.lookup(instance_type)
    return scheduler.InstanceState(
        arn=f"arn:aws:ecs:us-east-1:123456789012:container-instance/check/{name}",
        ec2_instance_id=f"i-{name}",
        remaining={
            "CPU": kind.cpu_units,
            "MEMORY": kind.registered_memory_mib(),
            "PORTS": set(AGENT_PORTS),
            "PORTS_UDP": set(),
        },
        attributes={"ecs.availability-zone": zone, "ecs.instance-type": instance_type},
        registered_at=datetime(2024, 1, 1, tzinfo=UTC),
        running_tasks_count=sum(groups.values()),
        task_groups=Counter({group.replace("_", "-"): n for group, n in groups.items()}),
    )


def _name(instance: scheduler.InstanceState) -> str:
    return instance.arn.rsplit("/", 1)[-1]


def _invalid(ctx: CheckContext, points: float, what: str, error: Exception) -> None:
    message = str(getattr(error, "message", error)).splitlines()[0].rstrip(".")
    ctx.expect(points, False, what, message, "fix the list so ECS accepts it (see the message)")


def _placement_list(
    ctx: CheckContext, name: str, example: str, kind: str, points: float
) -> list[dict[str, Any]] | None:
    """The learner's placement ``kind`` list (strategy or constraint) when ECS accepts it.

    Otherwise a failed item worth ``points`` with ECS's reason, and None.
    """
    value = list_answer(
        ctx,
        name,
        dict,
        items="dicts, as placementStrategy/placementConstraints take",
        example=example,
        hint="each item is a dict such as {'type': 'spread', 'field': 'instanceId'}",
        points=0,
    )
    parse = scheduler.parse_strategies if kind == "strategy" else scheduler.parse_constraints
    try:
        parse(value)
    except scheduler.ECSError as error:
        _invalid(ctx, points, f"a placement {kind} list ECS accepts", error)
        return None
    return value


def _plans(
    instances: list[scheduler.InstanceState],
    need: dict[str, Any],
    count: int,
    group: str,
    *,
    strategy: list[dict[str, Any]] | None = None,
    constraints: list[dict[str, Any]] | None = None,
) -> list[scheduler.PlacementPlan]:
    """Where the kit's scheduler puts ``count`` tasks with the learner's lists, once per seed."""
    return [
        scheduler.place_tasks(
            instances,
            need,
            count,
            placement_strategy=strategy,
            placement_constraints=constraints,
            group=group,
            rng=random.Random(seed),
        )
        for seed in SEEDS
    ]


# -- ex1 -------------------------------------------------------------------------------------------
#: Clusters the strategy is tried on: (instances, tasks placed).
EX1_CLUSTERS = (
    (
        [
            _instance("1a-1", "m5.large", "us-east-1a"),
            _instance("1a-2", "m5.large", "us-east-1a"),
            _instance("1a-3", "m5.large", "us-east-1a"),
            _instance("1b-1", "m5.large", "us-east-1b"),
        ],
        8,
    ),
    (
        [
            _instance(f"{zone[-2:]}-{n}", "m5.large", zone)
            for zone in ("us-east-1a", "us-east-1b", "us-east-1c")
            for n in (1, 2)
        ],
        6,
    ),
)


def check_az_packed_strategy(ctx: CheckContext) -> None:
    strategy = _placement_list(
        ctx, "az_packed_strategy", "[{'type': ..., 'field': ...}]", "strategy", 4
    )
    if strategy is None:
        return
    if not ctx.expect(
        1,
        bool(strategy),
        "a placement strategy list ECS accepts",
        "an empty list (that is RunTask's default: random)",
        "give the strategies in the order ECS should apply them",
    ):
        return
    unbalanced, unpacked = [], []
    for instances, count in EX1_CLUSTERS:
        zone_of = {i.arn: i.attributes["ecs.availability-zone"] for i in instances}
        for plan in _plans(instances, WEB_NEED, count, "family:web", strategy=strategy):
            per_zone = Counter(zone_of[arn] for arn in plan.placements)
            counts = [per_zone.get(zone, 0) for zone in sorted(set(zone_of.values()))]
            if max(counts) - min(counts) > 1:
                unbalanced.append(counts)
            used = {
                zone: len({a for a in plan.placements if zone_of[a] == zone}) for zone in per_zone
            }
            if any(n > 1 for n in used.values()):
                unpacked.append(sorted(Counter(plan.placements).values(), reverse=True))
    ctx.expect(
        2,
        not unbalanced,
        "the tasks balanced across Availability Zones (counts per zone differ by at most 1)",
        f"tasks per zone {unbalanced[0]}" if unbalanced else "",
        "spread by attribute:ecs.availability-zone, and put it first: ECS applies the list in order",
    )
    ctx.expect(
        1,
        not unpacked,
        "inside each zone, the tasks packed onto as few instances as possible",
        f"tasks per instance {unpacked[0]}" if unpacked else "",
        "after the zone spread, binpack by memory (or cpu) chooses the fullest instance in the zone",
    )


# -- ex2 -------------------------------------------------------------------------------------------
EX2_FLEET = [
    _instance("g4dn-xlarge", "g4dn.xlarge", "us-east-1a"),
    _instance("m5-large-a", "m5.large", "us-east-1a"),
    _instance("g4dn-2xlarge", "g4dn.2xlarge", "us-east-1b"),
    _instance("t3-medium", "t3.medium", "us-east-1b"),
    _instance("m5-large-c", "m5.large", "us-east-1c"),
]


def check_gpu_constraints(ctx: CheckContext) -> None:
    constraints = _placement_list(ctx, "gpu_constraints", "[{'type': ..., ...}]", "constraint", 3)
    if constraints is None:
        return
    ctx.expect(1, True, "a placement constraint list ECS accepts")
    gpu = {i.arn for i in EX2_FLEET if i.attributes["ecs.instance-type"].startswith("g4dn.")}
    names = {i.arn: _name(i) for i in EX2_FLEET}
    off_gpu, doubled, unused = [], [], []
    for plan in _plans(EX2_FLEET, GPU_JOB_NEED, 3, "family:gpu-job", constraints=constraints):
        off_gpu += [names[a] for a in plan.placements if a not in gpu]
        doubled += [names[a] for a, n in Counter(plan.placements).items() if n > 1]
        unused += [names[a] for a in gpu - set(plan.placements)]
    ctx.expect(
        1,
        not off_gpu,
        "GPU jobs only on g4dn instances (whatever their size)",
        f"a job on {sorted(set(off_gpu))}" if off_gpu else "",
        "memberOf with attribute:ecs.instance-type =~ g4dn.* (a pattern, so that every g4dn size "
        "matches)",
    )
    ctx.expect(
        1,
        not doubled and not unused,
        "one job on each g4dn instance, never two on the same one (the third job is not placed)",
        (f"two jobs on {sorted(set(doubled))}" if doubled else "")
        + (f"; nothing on {sorted(set(unused))}" if unused else ""),
        "add {'type': 'distinctInstance'}"
        if doubled
        else "the expression must match g4dn.xlarge and g4dn.2xlarge alike",
    )


# -- ex3 -------------------------------------------------------------------------------------------
def _fleet(ctx: CheckContext) -> list[scheduler.InstanceState] | None:
    described = ctx.ecs.describe_clusters(clusters=[FLEET_CLUSTER]).get("clusters", [])
    if not any(c.get("status") == "ACTIVE" for c in described):
        return None
    return scheduler.read_cluster(ctx.ecs, FLEET_CLUSTER)[0]


def _label(instance: scheduler.InstanceState) -> str:
    return instance.attributes.get("label") or (
        f"{instance.attributes.get('ecs.instance-type')} in "
        f"{instance.attributes.get('ecs.availability-zone')}"
        f" (stack={instance.attributes.get('stack', '-')})"
    )


def _require_fleet(ctx: CheckContext, points: float) -> list[scheduler.InstanceState] | None:
    fleet = _fleet(ctx)
    if fleet is None:
        ctx.expect(
            points,
            False,
            f"the cluster '{FLEET_CLUSTER}' that the lab's set-up cell creates",
            "it does not exist",
            "run the lab from the top (Kernel → Restart Kernel and Run All Cells)",
        )
    return fleet


def check_cql(ctx: CheckContext) -> None:
    fleet = _require_fleet(ctx, 3)
    if fleet is None:
        return
    expression = ctx.answer(
        "prod_not_t2_expression", str, example='"attribute:stack == prod and ..."'
    )
    try:
        parsed = cql.parse(expression)
    except cql.CQLError as error:
        _invalid(ctx, 3, "a valid cluster query language expression", error)
        return
    ctx.expect(1, True, "a valid cluster query language expression")
    wanted = [
        i
        for i in fleet
        if i.attributes.get("stack") == "prod"
        and not i.attributes.get("ecs.instance-type", "").startswith("t2.")
        and i.attributes.get("ecs.availability-zone") in EX3_ZONES
    ]
    selected = [i for i in fleet if parsed.matches(i.facts())]
    extra = [i for i in selected if i not in wanted]
    hint = "combine three conditions with and: the stack, the instance type, the zone"
    if any(i.attributes.get("ecs.instance-type", "").startswith("t2.") for i in extra):
        hint = "exclude t2 with `attribute:ecs.instance-type !~ t2.*` (or not(... =~ t2.*))"
    elif any(i.attributes.get("stack") != "prod" for i in extra):
        hint = "keep only attribute:stack == prod"
    elif extra:
        hint = "keep only the zones: attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"
    ctx.expect(
        2,
        bool(wanted) and {i.arn for i in selected} == {i.arn for i in wanted},
        f"exactly {sorted(_label(i) for i in wanted)}",
        f"it selects {sorted(_label(i) for i in selected)}",
        hint,
    )


# -- ex4 -------------------------------------------------------------------------------------------
def _latest(ctx: CheckContext, family: str) -> dict[str, Any] | None:
    try:
        return ctx.ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    except ClientError:
        return None


def check_ports(ctx: CheckContext) -> None:
    described = ctx.ecs.describe_clusters(clusters=[PORTS_CLUSTER]).get("clusters", [])
    if not any(c.get("status") == "ACTIVE" for c in described):
        ctx.expect(
            3,
            False,
            f"the cluster '{PORTS_CLUSTER}' that the lab's set-up cell creates",
            "it does not exist",
            "run the lab from the top",
        )
        return
    instances, _ = scheduler.read_cluster(ctx.ecs, PORTS_CLUSTER)
    active = [i for i in instances if i.status == "ACTIVE" and i.agent_connected]
    answer = ctx.answer("max_static_copies", int, example="5")
    ctx.expect(
        1,
        answer == len(active),
        f"max_static_copies == {len(active)}: one copy per instance, port 80 is taken after that",
        str(answer),
        "a static host port can be reserved once per instance, whatever the memory allows",
    )
    latest = _latest(ctx, STATIC_FAMILY)
    ports = taskdef.reserved_resources(latest)["PORTS"] if latest else [80]
    if not ctx.expect(
        1,
        latest is not None
        and latest.get("revision", 1) > 1
        and not ports
        and latest.get("networkMode", "bridge") == "bridge",
        f"a newer revision of '{STATIC_FAMILY}' in bridge mode with a dynamic host port",
        f"revision {latest.get('revision')} reserves host ports {ports}" if latest else "none",
        'register it again with "portMappings": [{"containerPort": 80, "hostPort": 0}]',
    ):
        return
    tasks = []
    arns = ctx.ecs.list_tasks(cluster=PORTS_CLUSTER, desiredStatus="RUNNING").get("taskArns", [])
    for start in range(0, len(arns), 100):
        tasks += ctx.ecs.describe_tasks(cluster=PORTS_CLUSTER, tasks=arns[start : start + 100])[
            "tasks"
        ]
    dynamic = [t for t in tasks if t.get("taskDefinitionArn") == latest["taskDefinitionArn"]]
    ctx.expect(
        1,
        len(dynamic) >= DYNAMIC_COPIES,
        f"at least {DYNAMIC_COPIES} tasks of {STATIC_FAMILY}:{latest['revision']} running in "
        f"'{PORTS_CLUSTER}'",
        f"{len(dynamic)}",
        f"run_task(cluster='{PORTS_CLUSTER}', taskDefinition='{STATIC_FAMILY}', "
        f"count={DYNAMIC_COPIES})",
    )


# -- ex5 -------------------------------------------------------------------------------------------
EX5_FLEET = [
    _instance("web-host", "m5.large", "us-east-1a"),
    _instance("db-host", "m5.large", "us-east-1b", databases=1),
    _instance("spare", "m5.large", "us-east-1c"),
]


def check_affinity(ctx: CheckContext) -> None:
    fleet = _require_fleet(ctx, 3)
    if fleet is None:
        return
    constraints = _placement_list(
        ctx, "cache_constraints", "[{'type': 'memberOf', ...}]", "constraint", 3
    )
    if constraints is None:
        return
    elsewhere = set()
    for plan in _plans(EX5_FLEET, CACHE_NEED, 2, "family:cache", constraints=constraints):
        elsewhere |= {a.rsplit("/", 1)[-1] for a in plan.placements if not a.endswith("/db-host")}
    ctx.expect(
        1,
        bool(constraints) and not elsewhere,
        "the constraints to allow only instances running a task of the group 'databases'",
        f"a cache task could land on {sorted(elsewhere)}" if elsewhere else "no constraint",
        "memberOf with the expression task:group == databases",
    )
    db_hosts = {i.arn for i in fleet if i.task_groups.get(DATABASE_GROUP, 0) > 0}
    caches = []
    arns = ctx.ecs.list_tasks(cluster=FLEET_CLUSTER, desiredStatus="RUNNING").get("taskArns", [])
    if arns:
        for task in ctx.ecs.describe_tasks(cluster=FLEET_CLUSTER, tasks=arns[:100])["tasks"]:
            if task.get("taskDefinitionArn", "").rsplit("/", 1)[-1].startswith(f"{CACHE_FAMILY}:"):
                caches.append(task)
    if not ctx.expect(
        1,
        len(caches) >= 2,
        f"at least 2 '{CACHE_FAMILY}' tasks running in '{FLEET_CLUSTER}'",
        str(len(caches)),
        f"run_task(cluster='{FLEET_CLUSTER}', taskDefinition='{CACHE_FAMILY}', count=2, "
        "placementConstraints=cache_constraints)",
    ):
        return
    ctx.expect(
        1,
        bool(db_hosts) and all(t.get("containerInstanceArn") in db_hosts for t in caches),
        "every cache task on the instance that runs the database",
        f"{sum(t.get('containerInstanceArn') not in db_hosts for t in caches)} cache task(s) "
        "elsewhere",
        "pass placementConstraints=cache_constraints to run_task",
    )


EXERCISES = [
    Exercise(
        "ex1",
        "Balanced across zones, packed inside",
        4,
        ("az_packed_strategy",),
        check_az_packed_strategy,
    ),
    Exercise(
        "ex2", "GPU jobs, one per GPU instance", 3, ("gpu_constraints",), check_gpu_constraints
    ),
    Exercise("ex3", "Select instances with CQL", 3, ("prod_not_t2_expression",), check_cql),
    Exercise("ex4", "Static and dynamic host ports", 3, ("max_static_copies",), check_ports),
    Exercise("ex5", "Next to the database", 3, ("cache_constraints",), check_affinity),
]
