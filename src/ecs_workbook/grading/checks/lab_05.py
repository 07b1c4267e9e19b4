"""Checks of lab 05, services.

Every check reads the moto state through describe/list calls (never changes it) and the learner's
answers, and awards points per thing it verifies, with a hint written for the learner. The rollout
exercise is judged with ``ecs_workbook.sim.deployment`` on the service's own deploymentConfiguration.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.sim import deployment

CLUSTER = "lab"
SERVICE = "shop"
FAMILY = "shop"
CONTAINER_NAME = "shop"
CONTAINER_PORT = 8080
TARGET_GROUP = "shop"
LOAD_BALANCER = "lab-alb"
LISTENER_PORT = 80
SCALED_COUNT = 5
CRASH_REASON = "lab: simulated crash"
#: The rollout of exercise 5: never fewer healthy tasks than this, never more tasks than that.
LEAST_HEALTHY = 4
MOST_TASKS = 7


def _target_group(ctx: CheckContext) -> dict[str, Any] | None:
    groups = ctx.client("elbv2").describe_target_groups().get("TargetGroups", [])
    return next((g for g in groups if g["TargetGroupName"] == TARGET_GROUP), None)


def _target_group_names(ctx: CheckContext) -> str:
    groups = ctx.client("elbv2").describe_target_groups().get("TargetGroups", [])
    names = [g["TargetGroupName"] for g in groups]
    return f"target groups {names}" if names else "no target groups"


def _targets(ctx: CheckContext, target_group_arn: str) -> list[dict[str, Any]]:
    described = ctx.client("elbv2").describe_target_health(TargetGroupArn=target_group_arn)
    return [d["Target"] for d in described.get("TargetHealthDescriptions", [])]


def _service(ctx: CheckContext) -> dict[str, Any] | None:
    clusters = ctx.ecs.describe_clusters(clusters=[CLUSTER]).get("clusters", [])
    if not any(c.get("status") == "ACTIVE" for c in clusters):
        return None
    services = ctx.ecs.describe_services(cluster=CLUSTER, services=[SERVICE]).get("services", [])
    return next((s for s in services if s.get("status") == "ACTIVE"), None)


def _require_service(
    ctx: CheckContext,
    points: float,
    hint: str = "do exercise ex2 first, then run the cells again from the top",
) -> dict[str, Any] | None:
    service = _service(ctx)
    if service is None:
        ctx.expect(
            points,
            False,
            f"the ACTIVE service '{SERVICE}' in the cluster '{CLUSTER}' (exercise ex2)",
            "no such service",
            hint,
        )
    return service


def _running_tasks(ctx: CheckContext) -> list[dict[str, Any]]:
    arns = ctx.ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE).get("taskArns", [])
    if not arns:
        return []
    return ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=arns).get("tasks", [])


def _name_of(target_group_arn: str | None) -> str:
    """``shop`` from ``arn:...:targetgroup/shop/2b0f...``."""
    parts = (target_group_arn or "").split("/")
    return parts[-2] if len(parts) >= 3 else repr(target_group_arn)


def _revision(task_definition_arn: str) -> str:
    return task_definition_arn.rsplit("/", 1)[-1]


# -- ex1 -------------------------------------------------------------------------------------------
def check_target_group(ctx: CheckContext) -> None:
    group = _target_group(ctx)
    if not ctx.expect(
        1,
        group is not None,
        f"a target group named '{TARGET_GROUP}'",
        _target_group_names(ctx),
        f'sb.elbv2.create_target_group(Name="{TARGET_GROUP}", Protocol="HTTP", Port=8080, '
        "VpcId=vpc_id, TargetType=...)",
    ):
        return
    target_type = group.get("TargetType")
    hint = "bridge-mode tasks register as an instance plus a host port: TargetType='instance'"
    if target_type == "ip":
        hint = "'ip' targets are for awsvpc tasks (and Fargate); these tasks use the bridge network"
    ctx.expect(
        1,
        target_type == "instance" and group.get("Protocol") == "HTTP",
        "an HTTP target group of target type 'instance'",
        f"{group.get('Protocol')}, target type {target_type!r}",
        hint,
    )
    balancers = ctx.client("elbv2").describe_load_balancers().get("LoadBalancers", [])
    alb = next((b for b in balancers if b["LoadBalancerName"] == LOAD_BALANCER), None)
    listeners = []
    if alb is not None:
        described = ctx.client("elbv2").describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])
        listeners = described.get("Listeners", [])
    forwarding = [
        listener
        for listener in listeners
        if listener.get("Port") == LISTENER_PORT
        and any(
            action.get("Type") == "forward"
            and action.get("TargetGroupArn") == group["TargetGroupArn"]
            for action in listener.get("DefaultActions", [])
        )
    ]
    ctx.expect(
        1,
        bool(forwarding),
        f"a listener on {LOAD_BALANCER} port {LISTENER_PORT} forwarding to '{TARGET_GROUP}'",
        ", ".join(f"port {listener.get('Port')}" for listener in listeners) or "no listeners",
        'sb.elbv2.create_listener(LoadBalancerArn=alb_arn, Protocol="HTTP", Port=80, '
        'DefaultActions=[{"Type": "forward", "TargetGroupArn": ...}])',
    )
    arn = ctx.answer("target_group_arn", str, example="'arn:aws:elasticloadbalancing:...'")
    ctx.expect(
        1,
        arn == group["TargetGroupArn"],
        "target_group_arn to be the target group's ARN",
        repr(arn),
        "it is in the response: response['TargetGroups'][0]['TargetGroupArn']",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def check_service(ctx: CheckContext) -> None:
    service = _require_service(
        ctx,
        5,
        f'sb.ecs.create_service(cluster="{CLUSTER}", serviceName="{SERVICE}", '
        f'taskDefinition="{FAMILY}:1", desiredCount=3, loadBalancers=[...])',
    )
    if service is None:
        return
    group = _target_group(ctx)
    wiring = service.get("loadBalancers") or []
    found = ", ".join(
        f"{lb.get('containerName')}:{lb.get('containerPort')} -> {_name_of(lb.get('targetGroupArn'))}"
        for lb in wiring
    )
    ctx.expect(
        1,
        group is not None
        and any(lb.get("targetGroupArn") == group["TargetGroupArn"] for lb in wiring),
        f"the service registered in the target group '{TARGET_GROUP}' (loadBalancers)",
        found or "no loadBalancers",
        "pass loadBalancers=[{'targetGroupArn': target_group_arn, 'containerName': ..., "
        "'containerPort': ...}] to create_service",
    )
    ctx.expect(
        1,
        any(
            lb.get("containerName") == CONTAINER_NAME and lb.get("containerPort") == CONTAINER_PORT
            for lb in wiring
        ),
        f"containerName '{CONTAINER_NAME}' and containerPort {CONTAINER_PORT}",
        found or "no loadBalancers",
        "they name the container and port as the task definition does (not the host port)",
    )
    running = _running_tasks(ctx)
    ctx.expect(
        1,
        service.get("desiredCount") in (3, SCALED_COUNT)
        and len(running) == service["desiredCount"],
        f"3 tasks running (or {SCALED_COUNT} after exercise ex3)",
        f"desiredCount {service.get('desiredCount')}, {len(running)} running",
        "create_service(..., desiredCount=3)",
    )
    targets = _targets(ctx, group["TargetGroupArn"]) if group else []
    ctx.expect(
        1,
        bool(running) and len(targets) == len(running),
        "one target per running task in the target group",
        f"{len(targets)} targets for {len(running)} tasks",
        "the service registers its tasks itself once loadBalancers is set",
    )
    arn = ctx.answer("shop_service_arn", str, example="'arn:aws:ecs:...:service/lab/shop'")
    ctx.expect(
        1,
        arn == service["serviceArn"],
        "shop_service_arn to be the service's ARN",
        repr(arn),
        "it is in the response: response['service']['serviceArn']",
    )


# -- ex3 -------------------------------------------------------------------------------------------
def check_scale_out(ctx: CheckContext) -> None:
    service = _require_service(ctx, 3)
    if service is None:
        return
    running = _running_tasks(ctx)
    ctx.expect(
        2,
        service.get("desiredCount") == SCALED_COUNT and len(running) == SCALED_COUNT,
        f"desiredCount {SCALED_COUNT} and {SCALED_COUNT} tasks running",
        f"desiredCount {service.get('desiredCount')}, {len(running)} running",
        f'sb.ecs.update_service(cluster="{CLUSTER}", service="{SERVICE}", '
        f"desiredCount={SCALED_COUNT})",
    )
    group = _target_group(ctx)
    targets = len(_targets(ctx, group["TargetGroupArn"])) if group else 0
    answer = ctx.answer("registered_targets", int, example=str(SCALED_COUNT))
    ctx.expect(
        1,
        answer == targets,
        f"registered_targets == {targets}, the targets in the target group",
        str(answer),
        "count sb.elbv2.describe_target_health(...)['TargetHealthDescriptions'] after scaling",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def check_replacement(ctx: CheckContext) -> None:
    service = _require_service(ctx, 3)
    if service is None:
        return
    arn = ctx.answer("stopped_task_arn", str, example="'arn:aws:ecs:...:task/lab/...'")
    try:
        described = ctx.ecs.describe_tasks(cluster=CLUSTER, tasks=[arn]).get("tasks", [])
    except ClientError:
        described = []
    task = described[0] if described else None
    ctx.expect(
        1,
        task is not None
        and task.get("group") == f"service:{SERVICE}"
        and task.get("lastStatus") == "STOPPED"
        and task.get("stoppedReason") == CRASH_REASON,
        f"stopped_task_arn: a task of '{SERVICE}', STOPPED with the reason '{CRASH_REASON}'",
        "no such task"
        if task is None
        else f"group {task.get('group')}, {task.get('lastStatus')}, "
        f"reason {task.get('stoppedReason')!r}",
        f'sb.ecs.stop_task(cluster="{CLUSTER}", task=<a task ARN of the service>, '
        f'reason="{CRASH_REASON}")',
    )
    running = _running_tasks(ctx)
    ctx.expect(
        1,
        len(running) == service.get("desiredCount") and arn not in {t["taskArn"] for t in running},
        "the service back at its desired count, with a replacement task",
        f"{len(running)} running for desiredCount {service.get('desiredCount')}",
        "a service replaces a stopped task by itself; do not start one by hand",
    )
    group = _target_group(ctx)
    targets = _targets(ctx, group["TargetGroupArn"]) if group else []
    ctx.expect(
        1,
        bool(running) and len(targets) == len(running),
        "the target group holding exactly the running tasks (the stopped one deregistered)",
        f"{len(targets)} targets for {len(running)} running tasks",
        "do exercise ex1 and ex2 first",
    )


# -- ex5 -------------------------------------------------------------------------------------------
def check_rollout(ctx: CheckContext) -> None:
    service = _require_service(ctx, 5)
    if service is None:
        return
    running = _running_tasks(ctx)
    revisions = sorted({_revision(t["taskDefinitionArn"]) for t in running})
    ctx.expect(
        1,
        _revision(service.get("taskDefinition", "")) == f"{FAMILY}:2"
        and revisions == [f"{FAMILY}:2"],
        f"the service on {FAMILY}:2, every running task of it",
        f"service on {_revision(service.get('taskDefinition', '?'))}, tasks on {revisions}",
        f'update_service(..., taskDefinition="{FAMILY}:2", deploymentConfiguration={{...}}); '
        "if it did not move, your percentages leave no room to stop or start a task",
    )
    config = service.get("deploymentConfiguration") or {}
    low = int(config.get("minimumHealthyPercent", deployment.DEFAULT_MINIMUM_HEALTHY_PERCENT))
    high = int(config.get("maximumPercent", deployment.DEFAULT_MAXIMUM_PERCENT))
    desired = int(service.get("desiredCount", 0))
    result = deployment.simulate_deployment(desired, low, high)
    floor, ceiling = result.lower_bound, result.upper_bound
    setting = f"minimumHealthyPercent {low}, maximumPercent {high} on {desired} tasks"
    ctx.expect(
        1,
        desired == SCALED_COUNT and int(result.healthy.min()) >= LEAST_HEALTHY,
        f"never fewer than {LEAST_HEALTHY} healthy tasks during the rollout",
        f"{setting}: as few as {int(result.healthy.min())} healthy",
        f"the floor is ceil({desired} × min / 100): raise minimumHealthyPercent",
    )
    ctx.expect(
        1,
        result.rollout_state == "COMPLETED"
        and int(result.counted_toward_maximum.max()) <= MOST_TASKS,
        f"at most {MOST_TASKS} tasks at once, and a rollout that completes",
        f"{setting}: {result.rollout_state}, up to "
        f"{int(result.counted_toward_maximum.max())} tasks at once",
        "the ceiling is floor(desired × max / 100); it must leave room above the floor to start "
        f"or stop a task, and stay at or below {MOST_TASKS}",
    )
    answer = ctx.answer("rollout_bounds", list, example="(4, 8)")
    hint = "floor: desired × min / 100 rounded up; ceiling: desired × max / 100 rounded down"
    if len(answer) == 2 and answer == [ceiling, floor]:
        hint = "the floor comes first: (floor, ceiling)"
    ctx.expect(
        2,
        answer == [floor, ceiling],
        f"rollout_bounds == ({floor}, {ceiling}) for {setting}",
        repr(tuple(answer)),
        hint,
    )


EXERCISES = [
    Exercise("ex1", "A target group and a listener", 4, ("target_group_arn",), check_target_group),
    Exercise("ex2", "A service behind the target group", 5, ("shop_service_arn",), check_service),
    Exercise("ex3", "Scale out", 3, ("registered_targets",), check_scale_out),
    Exercise("ex4", "A task crashes", 3, ("stopped_task_arn",), check_replacement),
    Exercise("ex5", "A rollout that keeps the shop up", 5, ("rollout_bounds",), check_rollout),
]
