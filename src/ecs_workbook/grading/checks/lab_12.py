"""Checks of lab 12, the capstone: the app "photos" from compose file to autoscaled service.

Every check reads the moto state through describe/list calls (never changes it) and the learner's
answers, and judges them with the kit's own ECS rules: ``taskdef.validate`` for task definitions,
the scheduler (``scheduler.place_tasks``) on a fresh copy of the lab's cluster for placement rules,
``sim.deployment`` for the rollout and ``sim.autoscaling`` for the scaling policy.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cmd-ecs-cli-compose.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
from botocore.exceptions import ClientError

from ecs_workbook import scheduler, taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.scheduler import InstanceState
from ecs_workbook.sim import autoscaling, deployment

CLUSTER = "photos"
WEB_FAMILY = "photos-web"
WORKER_FAMILY = "photos-worker"
WEB_SERVICE = "web"
WORKER_SERVICE = "worker"
TARGET_GROUP_NAME = "photos-web"
#: Exercise 1: what the lab's compose file says for each container.
WEB_CONTAINER = {
    "name": "web",
    "image": "example/photos-web:2.0",
    "cpu": 256,
    "memory": 768,
    "memoryReservation": 384,
}
WEB_CONTAINER_PORT = 3000
WORKER_CONTAINER = {
    "name": "worker",
    "image": "example/photos-thumbnailer:2.0",
    "cpu": 1024,
    "memory": 1536,
}
#: Exercise 2 and 4: the web service's size; exercise 3: the worker's.
WEB_DESIRED_COUNT = 3
WORKER_DESIRED_COUNT = 2
#: Exercise 3: what one task reserves (taskdef.reserved_resources of the two definitions).
WEB_NEED = {"CPU": 256, "MEMORY": 384, "PORTS": [], "PORTS_UDP": []}
WORKER_NEED = {"CPU": 1024, "MEMORY": 1536, "PORTS": [], "PORTS_UDP": []}
SIMULATED_WEB_TASKS = 6
BATCH_ATTRIBUTE = ("tier", "batch")
#: Exercise 4: the release, and the rules of the rollout.
RELEASE_IMAGE = "example/photos-web:2.1"
MINIMUM_HEALTHY_TASKS = 3
MAXIMUM_TASKS = 4
#: Exercise 5: the day of load the lab shows, the task size, and the limits.
LOAD = {"kind": "diurnal", "days": 1, "base": 256, "peak": 2240, "seed": 7}
WEB_TASK_CPU_UNITS = 256
SCALABLE_TARGET = {
    "ServiceNamespace": "ecs",
    "ResourceId": f"service/{CLUSTER}/{WEB_SERVICE}",
    "ScalableDimension": "ecs:service:DesiredCount",
}
MIN_CAPACITY = 3
MAX_CAPACITY_LIMIT = 12
CPU_LIMIT_PERCENT = 80.0
CPU_METRIC = "ECSServiceAverageCPUUtilization"
#: Exercise 6: the team's old policy, plotted in the lab.
OLD_POLICY = {
    "target_value": 60,
    "scale_in_cooldown_seconds": 900,
    "min_capacity": 2,
    "max_capacity": 12,
}
HOURS_TOLERANCE = 0.5


# -- reading the moto state ------------------------------------------------------------------------
def _service(ctx: CheckContext, name: str) -> dict[str, Any] | None:
    try:
        described = ctx.ecs.describe_services(cluster=CLUSTER, services=[name])
    except ClientError:
        return None
    active = [s for s in described.get("services", []) if s.get("status") == "ACTIVE"]
    return active[0] if active else None


def _service_names(ctx: CheckContext) -> str:
    try:
        arns = ctx.ecs.list_services(cluster=CLUSTER).get("serviceArns", [])
    except ClientError:
        return f"no cluster '{CLUSTER}' (run the lab's cells from the top)"
    names = [arn.rsplit("/", 1)[-1] for arn in arns]
    return f"services {names}" if names else "no services"


def _running_tasks(ctx: CheckContext, service_name: str) -> list[dict[str, Any]]:
    arns = ctx.ecs.list_tasks(
        cluster=CLUSTER, serviceName=service_name, desiredStatus="RUNNING"
    ).get("taskArns", [])
    if not arns:
        return []
    tasks = ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=arns).get("tasks", [])
    return [t for t in tasks if t.get("lastStatus") == "RUNNING"]


def _container_instances(ctx: CheckContext) -> list[dict[str, Any]]:
    arns = ctx.ecs.list_container_instances(cluster=CLUSTER).get("containerInstanceArns", [])
    if not arns:
        return []
    described = ctx.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)
    return described.get("containerInstances", [])


def _fresh_cluster(ctx: CheckContext) -> list[InstanceState]:
    """The lab's container instances as the scheduler sees them, with nothing running yet."""
    return [
        InstanceState.from_container_instance(
            {**ci, "remainingResources": ci.get("registeredResources", []), "runningTasksCount": 0}
        )
        for ci in _container_instances(ctx)
        if ci.get("status") == "ACTIVE"
    ]


def _label(state: InstanceState) -> str:
    attributes = state.attributes
    return (
        f"{attributes.get('ecs.instance-type', '?')} in "
        f"{attributes.get('ecs.availability-zone', '?')} (tier={attributes.get('tier', '-')})"
    )


def _family_revision(task_definition_arn: str) -> tuple[str, int]:
    family, _, revision = task_definition_arn.rsplit("/", 1)[-1].partition(":")
    return family, int(revision) if revision.isdigit() else 0


def _container(definition: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    containers = definition.get("containerDefinitions") or []
    return next((c for c in containers if isinstance(c, Mapping) and c.get("name") == name), None)


def _container_names(definition: Mapping[str, Any]) -> list[Any]:
    return [
        c.get("name") if isinstance(c, Mapping) else c
        for c in definition.get("containerDefinitions") or []
    ]


def _ports(container: Mapping[str, Any]) -> list[tuple[Any, int]]:
    """(containerPort, hostPort) pairs, with an omitted hostPort as 0 (dynamic)."""
    return [
        (m.get("containerPort"), int(m.get("hostPort") or 0))
        for m in container.get("portMappings") or []
        if isinstance(m, Mapping)
    ]


def _signature(definition: Mapping[str, Any]) -> list[tuple]:
    """What must match between an answer and a registered revision: containers and their sizes."""
    return sorted(
        (
            str(c.get("name")),
            str(c.get("image")),
            int(c.get("cpu") or 0),
            int(c.get("memory") or 0),
            int(c.get("memoryReservation") or 0),
            tuple(sorted(_ports(c), key=str)),
        )
        for c in definition.get("containerDefinitions") or []
        if isinstance(c, Mapping)
    )


def _registered_revisions(ctx: CheckContext, family: str) -> list[dict[str, Any]]:
    arns = ctx.ecs.list_task_definitions(familyPrefix=family, status="ACTIVE").get(
        "taskDefinitionArns", []
    )
    described = []
    for arn in arns:
        if _family_revision(arn)[0] == family:
            described.append(ctx.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"])
    return described


def _first_problem(problems: list[str]) -> str:
    return problems[0].splitlines()[0] if problems else ""


# -- ex1 -------------------------------------------------------------------------------------------
def check_task_definitions(ctx: CheckContext) -> None:
    web = ctx.answer("web_task_definition", dict, example="{'family': 'photos-web', ...}")
    problems = taskdef.validate(web)
    ctx.expect(
        1,
        not problems and web.get("family") == WEB_FAMILY,
        f"web_task_definition: a task definition of family '{WEB_FAMILY}' that ECS accepts",
        _first_problem(problems) or f"family {web.get('family')!r}",
        "convert the web service on its own: compose.to_task_definition({'services': {'web': "
        "photos['services']['web']}}, family='photos-web', env={})",
    )
    container = _container(web, "web")
    names = _container_names(web)
    found = {key: container.get(key) for key in WEB_CONTAINER} if container else None
    ctx.expect(
        1,
        names == ["web"] and found == WEB_CONTAINER,
        "one container, web: image example/photos-web:2.0, cpu 256, memory 768, "
        "memoryReservation 384 (from the compose file)",
        f"containers {names}" if names != ["web"] else str(found),
        "only the web service's container belongs here"
        if names != ["web"]
        else "cpu_shares becomes cpu, mem_limit memory and mem_reservation memoryReservation "
        "(MiB); with env={} the image tag is 2.0",
    )
    ports = _ports(container or {})
    web_port = [pair for pair in ports if pair[0] == WEB_CONTAINER_PORT]
    hint = "portMappings [{'containerPort': 3000, 'hostPort': 0}] (or leave hostPort out)"
    if web_port and web_port[0][1]:
        hint = (
            f"hostPort {web_port[0][1]} is a static port: one web task per instance, and a "
            f"rollout needs a second instance per task. Make it dynamic: {hint}"
        )
    ctx.expect(
        1,
        ports == [(WEB_CONTAINER_PORT, 0)],
        "container port 3000 with a dynamic host port (hostPort 0 or none)",
        f"(containerPort, hostPort) {ports}" if ports else "no port mappings",
        hint,
    )
    worker = ctx.answer("worker_task_definition", dict, example="{'family': 'photos-worker', ...}")
    problems = taskdef.validate(worker)
    worker_container = _container(worker, "worker")
    names = _container_names(worker)
    found = {key: worker_container.get(key) for key in WORKER_CONTAINER} if worker_container else {}
    ok = (
        not problems
        and worker.get("family") == WORKER_FAMILY
        and names == ["worker"]
        and found == WORKER_CONTAINER
        and not _ports(worker_container or {})
    )
    ctx.expect(
        1,
        ok,
        f"worker_task_definition: family '{WORKER_FAMILY}', one container worker "
        "(example/photos-thumbnailer:2.0, cpu 1024, memory 1536, no ports), accepted by ECS",
        _first_problem(problems)
        or f"family {worker.get('family')!r}, containers {names}, {found or 'no worker container'}",
        "convert the worker service on its own, family='photos-worker'",
    )
    linux = (worker_container or {}).get("linuxParameters") or {}
    ctx.expect(
        1,
        linux.get("initProcessEnabled") is True,
        "the worker's init: true as linuxParameters.initProcessEnabled",
        f"linuxParameters {linux}" if linux else "no linuxParameters",
        "compose.to_task_definition converts init: true for you; keep its linuxParameters",
    )
    missing = [
        family
        for family, answer in ((WEB_FAMILY, web), (WORKER_FAMILY, worker))
        if not any(_signature(r) == _signature(answer) for r in _registered_revisions(ctx, family))
    ]
    ctx.expect(
        1,
        not missing,
        "both task definitions registered, as in your answers",
        f"no registered revision of {missing} matches your answer",
        "sb.ecs.register_task_definition(**web_task_definition), then the same for the worker",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def _target_group_arn(ctx: CheckContext) -> str | None:
    try:
        groups = ctx.client("elbv2").describe_target_groups(Names=[TARGET_GROUP_NAME])
    except ClientError:
        return None
    found = groups.get("TargetGroups", [])
    return found[0]["TargetGroupArn"] if found else None


def _expected_targets(ctx: CheckContext, tasks: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """(EC2 instance id, host port of web:3000) for each running task: what ECS registers."""
    instance_ids = {
        ci["containerInstanceArn"]: ci.get("ec2InstanceId", "") for ci in _container_instances(ctx)
    }
    targets = set()
    for task in tasks:
        for container in task.get("containers", []):
            for binding in container.get("networkBindings", []):
                if binding.get("containerPort") == WEB_CONTAINER_PORT:
                    targets.add(
                        (
                            instance_ids.get(task.get("containerInstanceArn"), "?"),
                            binding["hostPort"],
                        )
                    )
    return targets


def check_web_service(ctx: CheckContext) -> None:
    service = _service(ctx, WEB_SERVICE)
    if not ctx.expect(
        1,
        service is not None,
        f"an ACTIVE service '{WEB_SERVICE}' in the cluster '{CLUSTER}'",
        _service_names(ctx),
        "sb.ecs.create_service(cluster='photos', serviceName='web', taskDefinition='photos-web', "
        "...); register photos-web first (exercise ex1)",
    ):
        return
    family, _ = _family_revision(service.get("taskDefinition", ""))
    ctx.expect(
        1,
        family == WEB_FAMILY and service.get("desiredCount") == WEB_DESIRED_COUNT,
        f"task definition family {WEB_FAMILY} with desiredCount {WEB_DESIRED_COUNT}",
        f"family {family}, desiredCount {service.get('desiredCount')}",
        "update_service(cluster='photos', service='web', desiredCount=3) fixes the count",
    )
    tasks = _running_tasks(ctx, WEB_SERVICE)
    ctx.expect(
        1,
        len(tasks) == WEB_DESIRED_COUNT,
        f"{WEB_DESIRED_COUNT} RUNNING tasks of the service",
        str(len(tasks)),
        "the service's events say why tasks did not start: "
        "sb.ecs.describe_services(cluster='photos', services=['web'])['services'][0]['events'][:3]",
    )
    tg_arn = _target_group_arn(ctx)
    balancers = service.get("loadBalancers") or []
    wanted = {"targetGroupArn": tg_arn, "containerName": "web", "containerPort": WEB_CONTAINER_PORT}
    ctx.expect(
        1,
        tg_arn is not None
        and any(all(lb.get(k) == v for k, v in wanted.items()) for lb in balancers),
        "loadBalancers: target_group_arn, containerName 'web', containerPort 3000",
        str([{k: lb.get(k) for k in ("containerName", "containerPort")} for lb in balancers])
        if balancers
        else "no load balancer",
        "containerPort is the container's port (3000), not the listener's 80 nor a host port; "
        "load balancers are set when the service is created",
    )
    health = (
        ctx.client("elbv2").describe_target_health(TargetGroupArn=tg_arn) if tg_arn else {}
    ).get("TargetHealthDescriptions", [])
    registered = {(h["Target"]["Id"], h["Target"].get("Port")) for h in health}
    expected = _expected_targets(ctx, tasks)
    ctx.expect(
        1,
        bool(expected) and registered == expected,
        "each running web task registered in the target group as instance + host port",
        f"{len(registered)} targets for {len(expected)} tasks",
        "ECS registers the targets itself once the service has loadBalancers; create the "
        "service with them",
    )
    arn = ctx.answer("web_service_arn", str, example="'arn:aws:ecs:...:service/photos/web'")
    ctx.expect(
        1,
        arn == service.get("serviceArn"),
        "web_service_arn to be the service's ARN",
        repr(arn),
        "it is in the response: response['service']['serviceArn']"
        + ("; 'web' is the name" if arn == WEB_SERVICE else ""),
    )


# -- ex3 -------------------------------------------------------------------------------------------
def _parse(kind: str, value: list[Any]) -> str:
    """'' when ECS accepts the list, else ECS's reason (via the kit's scheduler)."""
    if not all(isinstance(item, Mapping) for item in value):
        return f"every {kind} must be a dict such as {{'type': ..., ...}}"
    try:
        if kind == "strategy":
            scheduler.parse_strategies(value, "service")
        else:
            scheduler.parse_constraints(value)
    except scheduler.ECSError as error:
        return error.message.split(" See ")[0]
    return ""


def _can_place(state: InstanceState, constraints: list[Any]) -> bool:
    plan = scheduler.place_tasks(
        [state],
        WORKER_NEED,
        1,
        placement_constraints=constraints,
        group=f"service:{WORKER_SERVICE}",
        rng=random.Random(0),
        default="service",
    )
    return bool(plan.placements)


def _future_instance(instance_type: str, tier: str) -> InstanceState:
    """An instance that could join the cluster later: the rule must still pick it right."""
    return InstanceState(
        arn=f"arn:aws:ecs:us-east-1:123456789012:container-instance/{CLUSTER}/future-{tier}",
        ec2_instance_id=f"i-future-{tier}",
        remaining={"CPU": 4096, "MEMORY": 7985, "PORTS": set(), "PORTS_UDP": set()},
        attributes={
            "ecs.instance-type": instance_type,
            "ecs.availability-zone": "us-east-1c",
            "ecs.os-type": "linux",
            "tier": tier,
        },
        registered_at=datetime.now(UTC),
    )


def _check_web_simulation(
    ctx: CheckContext, fresh: list[InstanceState], strategy: list[Any], constraints: list[Any]
) -> None:
    """Six web tasks on a fresh copy of the cluster: even over zones, tier=web, packed."""
    plan = scheduler.place_tasks(
        fresh,
        WEB_NEED,
        SIMULATED_WEB_TASKS,
        placement_strategy=strategy,
        placement_constraints=constraints,
        group=f"service:{WEB_SERVICE}",
        rng=random.Random(0),
        default="service",
    )
    by_arn = {s.arn: s for s in fresh}
    zone_of = {s.arn: s.attributes.get("ecs.availability-zone", "?") for s in fresh}
    per_zone = Counter(zone_of[arn] for arn in plan.placements)
    counts = [per_zone.get(zone, 0) for zone in sorted(set(zone_of.values()))]
    off_tier = [arn for arn in plan.placements if by_arn[arn].attributes.get("tier") != "web"]
    shown = ", ".join(f"{zone}: {n}" for zone, n in sorted(per_zone.items()))
    if off_tier:
        shown += f"; {len(off_tier)} on instances without tier=web"
    ctx.expect(
        2,
        len(plan.placements) == SIMULATED_WEB_TASKS
        and max(counts) - min(counts) <= 1
        and not off_tier,
        f"{SIMULATED_WEB_TASKS} simulated web tasks spread evenly over the zones (2-2-2), "
        "all on tier=web instances",
        shown or "nothing placed",
        "add the constraint memberOf attribute:tier == web"
        if off_tier
        else "start with {'type': 'spread', 'field': 'attribute:ecs.availability-zone'}; "
        "strategies apply in order, so a binpack first packs before any spreading",
    )
    instances_used = {
        zone: len({arn for arn in plan.placements if zone_of[arn] == zone}) for zone in per_zone
    }
    ctx.expect(
        1,
        bool(instances_used) and all(n == 1 for n in instances_used.values()),
        "inside each zone, the web tasks packed onto one instance",
        ", ".join(f"{zone}: {n} instances" for zone, n in sorted(instances_used.items())),
        "after the zone spread add {'type': 'binpack', 'field': 'memory'}; spreading by "
        "instanceId would spread inside the zone instead",
    )


def check_placement(ctx: CheckContext) -> None:
    strategy = ctx.answer("web_placement_strategy", list, example="[{'type': 'spread', ...}]")
    web_constraints = ctx.answer(
        "web_placement_constraints", list, example="[{'type': 'memberOf', 'expression': ...}]"
    )
    problem = _parse("strategy", strategy) or _parse("constraint", web_constraints)
    web = _service(ctx, WEB_SERVICE)
    applied = (
        web is not None
        and (web.get("placementStrategy") or []) == strategy
        and (web.get("placementConstraints") or []) == web_constraints
    )
    ctx.expect(
        1,
        not problem and applied,
        "web_placement_strategy and web_placement_constraints: valid, and applied to the web service",
        problem
        or ("no web service (exercise ex2)" if web is None else "the service has different rules"),
        "sb.ecs.update_service(cluster='photos', service='web', placementStrategy=..., "
        "placementConstraints=...)",
    )
    fresh = _fresh_cluster(ctx)
    if not ctx.expect(
        0,
        bool(fresh) and not problem,
        "the cluster's container instances and valid web rules to simulate",
        "no container instances" if not fresh else problem,
        "run the lab's cells from the top",
    ):
        ctx.expect(3, False, "web tasks even over the zones, packed inside each", "not simulated")
    else:
        _check_web_simulation(ctx, fresh, strategy, web_constraints)
    _check_worker_rules(ctx, fresh)


def _check_worker_rules(ctx: CheckContext, fresh: list[InstanceState]) -> None:
    constraints = ctx.answer(
        "worker_placement_constraints", list, example="[{'type': 'memberOf', 'expression': ...}]"
    )
    problem = _parse("constraint", constraints)
    if not ctx.expect(
        0,
        not problem,
        "worker_placement_constraints: valid placement constraints",
        problem,
        "a memberOf constraint's expression is cluster query language, e.g. attribute:tier == ...",
    ):
        ctx.expect(4, False, "workers on tier=batch instances only", "not checked")
        return
    batch = {s.arn for s in fresh if s.attributes.get(BATCH_ATTRIBUTE[0]) == BATCH_ATTRIBUTE[1]}
    allowed = {s.arn for s in fresh if _can_place(s, constraints)}
    labels = {s.arn: _label(s) for s in fresh}
    ctx.expect(
        2,
        bool(batch) and allowed == batch,
        "the scheduler may place workers on every tier=batch instance and on no other",
        "it may place them on " + (", ".join(sorted(labels[a] for a in allowed)) or "none"),
        "too many: add a memberOf constraint"
        if allowed - batch
        else "too few: the rule must accept every tier=batch instance, whatever its zone",
    )
    future_batch = _future_instance("m5.large", "batch")
    future_web = _future_instance("c5.xlarge", "web")
    ok = _can_place(future_batch, constraints) and not _can_place(future_web, constraints)
    ctx.expect(
        1,
        ok,
        "the rule follows the tier attribute, also for instances that join later "
        "(an m5.large with tier=batch: yes; a c5.xlarge with tier=web: no)",
        "it decides by something else",
        "use the custom attribute: attribute:tier == batch, not the instance type or zone",
    )
    worker = _service(ctx, WORKER_SERVICE)
    tasks = _running_tasks(ctx, WORKER_SERVICE) if worker else []
    off_batch = [t for t in tasks if t.get("containerInstanceArn") not in batch]
    ok = (
        worker is not None
        and (worker.get("placementConstraints") or []) == constraints
        and worker.get("desiredCount") == WORKER_DESIRED_COUNT
        and len(tasks) == WORKER_DESIRED_COUNT
        and not off_batch
    )
    found = _service_names(ctx)
    if worker is not None:
        found = (
            f"desiredCount {worker.get('desiredCount')}, {len(tasks)} running, on "
            + ", ".join(labels.get(t.get("containerInstanceArn"), "?") for t in tasks)
            if (worker.get("placementConstraints") or []) == constraints
            else "the worker service has other constraints than your answer"
        )
    ctx.expect(
        1,
        ok,
        f"the service '{WORKER_SERVICE}' with your constraints: {WORKER_DESIRED_COUNT} tasks, "
        "all on tier=batch instances",
        found,
        "sb.ecs.create_service(cluster='photos', serviceName='worker', taskDefinition="
        "'photos-worker', desiredCount=2, placementConstraints=worker_placement_constraints)",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def check_rollout(ctx: CheckContext) -> None:
    service = _service(ctx, WEB_SERVICE)
    if not ctx.expect(
        0,
        service is not None,
        "the web service (exercise ex2)",
        _service_names(ctx),
        "do exercise ex2 first",
    ):
        ctx.expect(5, False, "release 2.1 rolled out", "not checked until the web service exists")
        return
    definition = ctx.ecs.describe_task_definition(taskDefinition=service["taskDefinition"])[
        "taskDefinition"
    ]
    family, revision = _family_revision(definition["taskDefinitionArn"])
    container = _container(definition, "web") or {}
    ctx.expect(
        1,
        family == WEB_FAMILY
        and revision >= 2
        and container.get("image") == RELEASE_IMAGE
        and _ports(container) == [(WEB_CONTAINER_PORT, 0)],
        f"the web service on a new {WEB_FAMILY} revision: image {RELEASE_IMAGE}, dynamic port",
        f"{family}:{revision} with image {container.get('image')} and ports {_ports(container)}",
        "convert with env={'RELEASE': '2.1'}, keep the dynamic port, register, then "
        "update_service(..., taskDefinition=<the new revision's ARN>)",
    )
    answer = ctx.answer(
        "web_deployment_configuration",
        dict,
        example="{'minimumHealthyPercent': ..., 'maximumPercent': ...}",
    )
    stored = service.get("deploymentConfiguration") or {}
    low = int(stored.get("minimumHealthyPercent", deployment.DEFAULT_MINIMUM_HEALTHY_PERCENT))
    high = int(stored.get("maximumPercent", deployment.DEFAULT_MAXIMUM_PERCENT))
    ctx.expect(
        1,
        answer.get("minimumHealthyPercent") == low and answer.get("maximumPercent") == high,
        "web_deployment_configuration to be what the service uses",
        f"answer {answer.get('minimumHealthyPercent')}/{answer.get('maximumPercent')}, "
        f"service {low}/{high}",
        "pass deploymentConfiguration=web_deployment_configuration to update_service",
    )
    floor, ceiling = deployment.deployment_bounds(WEB_DESIRED_COUNT, low, high)
    ctx.expect(
        1,
        floor >= MINIMUM_HEALTHY_TASKS,
        f"a floor of {MINIMUM_HEALTHY_TASKS} healthy tasks: ⌈3 × minimumHealthyPercent ÷ 100⌉",
        f"minimumHealthyPercent {low} gives {floor}",
        "ECS rounds the floor up: any value from 67 to 100 gives 3",
    )
    if ceiling > MAXIMUM_TASKS:
        hint = f"that allows {ceiling} tasks at once: more connection pools than the database has"
    else:
        hint = "with a ceiling of 3 ECS can neither start a new task nor stop an old one"
    ctx.expect(
        1,
        ceiling == MAXIMUM_TASKS,
        f"a ceiling of {MAXIMUM_TASKS} tasks: ⌊3 × maximumPercent ÷ 100⌋",
        f"maximumPercent {high} gives {ceiling}",
        hint + "; ECS rounds the ceiling down: any value from 134 to 166 gives 4",
    )
    tasks = _running_tasks(ctx, WEB_SERVICE)
    on_release = [t for t in tasks if t.get("taskDefinitionArn") == definition["taskDefinitionArn"]]
    replay = deployment.from_service(service)
    ok = (
        len(on_release) == len(tasks) == WEB_DESIRED_COUNT
        and replay.rollout_state == "COMPLETED"
        and int(replay.healthy.min()) >= MINIMUM_HEALTHY_TASKS
        and int(replay.counted_toward_maximum.max()) <= MAXIMUM_TASKS
    )
    ctx.expect(
        1,
        ok,
        "the rollout finished (3 tasks on the new revision) and its replay in sim.deployment "
        f"stays within {MINIMUM_HEALTHY_TASKS} healthy and {MAXIMUM_TASKS} tasks",
        f"{len(on_release)} of {len(tasks)} running tasks on the new revision; replay "
        f"{replay.rollout_state}, {int(replay.healthy.min())} to "
        f"{int(replay.counted_toward_maximum.max())} tasks",
        "fix the two percentages; the service's events say what the scheduler did",
    )


# -- ex5 -------------------------------------------------------------------------------------------
def _scaling_client(ctx: CheckContext) -> Any:
    return ctx.client("application-autoscaling")


def check_autoscaling(ctx: CheckContext) -> None:
    targets = _scaling_client(ctx).describe_scalable_targets(
        ServiceNamespace="ecs",
        ResourceIds=[SCALABLE_TARGET["ResourceId"]],
        ScalableDimension=SCALABLE_TARGET["ScalableDimension"],
    )["ScalableTargets"]
    if not ctx.expect(
        1,
        bool(targets),
        f"a scalable target {SCALABLE_TARGET['ResourceId']} on ecs:service:DesiredCount",
        "none registered",
        "sb.application_autoscaling.register_scalable_target(ServiceNamespace='ecs', "
        "ResourceId='service/photos/web', ScalableDimension='ecs:service:DesiredCount', ...)",
    ):
        return
    target = targets[0]
    low, high = target.get("MinCapacity"), target.get("MaxCapacity")
    ctx.expect(
        1,
        low == MIN_CAPACITY and high is not None and high <= MAX_CAPACITY_LIMIT,
        f"MinCapacity {MIN_CAPACITY} and MaxCapacity at most {MAX_CAPACITY_LIMIT}",
        f"MinCapacity {low}, MaxCapacity {high}",
        "register the target again with the new bounds: it replaces the old ones",
    )
    policies = _scaling_client(ctx).describe_scaling_policies(
        ServiceNamespace="ecs",
        ResourceId=SCALABLE_TARGET["ResourceId"],
        ScalableDimension=SCALABLE_TARGET["ScalableDimension"],
    )["ScalingPolicies"]
    tracking = [p for p in policies if p.get("PolicyType") == "TargetTrackingScaling"]
    answer = ctx.answer("web_scaling_policy", dict, example="{'TargetValue': ..., ...}")
    config = (tracking[0].get("TargetTrackingScalingPolicyConfiguration") or {}) if tracking else {}
    metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    ok = (
        len(tracking) == 1
        and metric == CPU_METRIC
        and answer.get("TargetValue") == config.get("TargetValue")
    )
    if len(tracking) > 1:
        found = f"{len(tracking)} target-tracking policies: " + ", ".join(
            p.get("PolicyName", "?") for p in tracking
        )
        hint = "keep one: delete the others with delete_scaling_policy(PolicyName=..., ...)"
    elif not tracking:
        found, hint = (
            "no target-tracking policy",
            "put_scaling_policy(PolicyType='TargetTrackingScaling', ...)",
        )
    else:
        found = f"metric {metric}, TargetValue {config.get('TargetValue')} (answer {answer.get('TargetValue')})"
        hint = "web_scaling_policy is the TargetTrackingScalingPolicyConfiguration you put"
    if not ctx.expect(
        1,
        ok,
        f"one target-tracking policy on {CPU_METRIC}, the one in web_scaling_policy",
        found,
        hint,
    ):
        ctx.expect(
            3, False, "the simulated CPU under 80 %", "not simulated until the policy is right"
        )
        return
    policy = autoscaling.from_scaling_policy(tracking[0], scalable_target=target)
    load = autoscaling.load_curve(**LOAD)
    day = autoscaling.simulate_service_scaling(load, policy, task_cpu_units=WEB_TASK_CPU_UNITS)
    highest = float(np.nanmax(day.service_metric))
    at = int(np.nanargmax(day.service_metric))
    full_load = float(load.values.max()) / (policy.max_capacity * WEB_TASK_CPU_UNITS) * 100
    if full_load > CPU_LIMIT_PERCENT:
        hint = (
            f"even {policy.max_capacity} tasks would run at {full_load:.0f} % at the peak: "
            "raise MaxCapacity (up to 12)"
        )
    else:
        hint = (
            "target tracking overshoots while its alarm waits for 3 datapoints and new tasks "
            "start: lower the TargetValue"
        )
    ctx.expect(
        3,
        highest <= CPU_LIMIT_PERCENT,
        f"the simulated day never above {CPU_LIMIT_PERCENT:.0f} % average CPU",
        f"{highest:.1f} % at {day.times_seconds[at] / 3600:.1f} h with "
        f"{int(day.running_tasks[at])} tasks",
        hint,
    )


# -- ex6 -------------------------------------------------------------------------------------------
def check_read_plot(ctx: CheckContext) -> None:
    old_day = autoscaling.simulate_service_scaling(
        autoscaling.load_curve(**LOAD),
        autoscaling.TargetTrackingPolicy(**OLD_POLICY),
        task_cpu_units=WEB_TASK_CPU_UNITS,
    )
    peak = int(old_day.running_tasks.max())
    hours = float((old_day.running_tasks == peak).sum() * old_day.step_seconds / 3600)
    answer = ctx.answer("peak_tasks", int, example="7")
    ctx.expect(
        1,
        answer == peak,
        "peak_tasks: the highest count on the RUNNING line",
        str(answer),
        "read the bottom panel's highest step",
    )
    answer_hours = ctx.answer("hours_at_peak", (int, float), example="4.5")
    ctx.expect(
        2,
        abs(answer_hours - hours) <= HOURS_TOLERANCE,
        f"hours_at_peak: how long the line stays at {peak}, to the nearest half hour",
        f"{answer_hours} h",
        "subtract the hour the line first reaches its top step from the hour it first steps down",
    )


EXERCISES = [
    Exercise(
        "ex1",
        "From compose to task definitions",
        6,
        ("web_task_definition", "worker_task_definition"),
        check_task_definitions,
    ),
    Exercise(
        "ex2",
        "The web service behind the load balancer",
        6,
        ("web_service_arn",),
        check_web_service,
    ),
    Exercise(
        "ex3",
        "Placement rules for each tier",
        8,
        ("web_placement_strategy", "web_placement_constraints", "worker_placement_constraints"),
        check_placement,
    ),
    Exercise(
        "ex4",
        "Release 2.1 without dropping traffic",
        5,
        ("web_deployment_configuration",),
        check_rollout,
    ),
    Exercise(
        "ex5",
        "Autoscaling that keeps CPU under 80 %",
        6,
        ("web_scaling_policy",),
        check_autoscaling,
    ),
    Exercise("ex6", "Read the plot", 3, ("peak_tasks", "hours_at_peak"), check_read_plot),
]
