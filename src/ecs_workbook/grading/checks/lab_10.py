"""Checks of lab 10, auto scaling.

Every check reads the moto state through describe/list calls (never changes it) and the learner's
answers. moto stores alarms, scaling policies and capacity providers but never runs them, so the
checks that judge an *effect* run ``ecs_workbook.sim.autoscaling`` on the learner's own settings,
exactly as the lab's cells do.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
"""

from __future__ import annotations

from typing import Any

from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.sim import autoscaling

CLUSTER = "lab"
ALARM_GROUP = "lab-asg"
PROVIDER_GROUP = "lab-cp-asg"
POLICY_NAME = "add-one-instance"
ALARM_NAME = "lab-memory-high"
PROVIDER_NAME = "lab-capacity"
SERVICE_RESOURCE = "service/lab/api"
SERVICE_POLICY = "api-cpu"
#: Exercise 2: the story may use at most this many instances.
MOST_INSTANCES = 3
#: Exercise 4: the scalable target's bounds and the policy's target.
MIN_CAPACITY, MAX_CAPACITY, CPU_TARGET = 2, 12, 70.0


def _alarm(ctx: CheckContext) -> dict[str, Any] | None:
    found = ctx.client("cloudwatch").describe_alarms(AlarmNames=[ALARM_NAME])
    return next(iter(found.get("MetricAlarms", [])), None)


def _scale_out_policy(ctx: CheckContext) -> dict[str, Any] | None:
    found = ctx.client("autoscaling").describe_policies(AutoScalingGroupName=ALARM_GROUP)
    return next(
        (p for p in found.get("ScalingPolicies", []) if p["PolicyName"] == POLICY_NAME), None
    )


def _require_alarm(ctx: CheckContext, points: float) -> dict[str, Any] | None:
    alarm = _alarm(ctx)
    if alarm is None:
        ctx.expect(
            points,
            False,
            f"the alarm '{ALARM_NAME}' (exercise ex1)",
            "no such alarm",
            "do exercise ex1 first, then run the cells again from the top",
        )
    return alarm


def _story(alarm: dict[str, Any]) -> autoscaling.ScalingResult:
    """The seed's story under the learner's alarm (as the lab's story cell runs it)."""
    policy = autoscaling.ClusterAlarmPolicy.from_metric_alarm(alarm)
    return autoscaling.seed_scenario("alarm75", alarm=policy)


# -- ex1 -------------------------------------------------------------------------------------------
def check_alarm_and_policy(ctx: CheckContext) -> None:
    policy = _scale_out_policy(ctx)
    ctx.expect(
        1,
        policy is not None
        and policy.get("PolicyType", "SimpleScaling") == "SimpleScaling"
        and policy.get("AdjustmentType") == "ChangeInCapacity"
        and policy.get("ScalingAdjustment") == 1,
        f"a simple scaling policy '{POLICY_NAME}' on {ALARM_GROUP} that adds 1 instance",
        "no such policy"
        if policy is None
        else f"{policy.get('PolicyType')}, {policy.get('AdjustmentType')} "
        f"{policy.get('ScalingAdjustment')}",
        'PolicyType="SimpleScaling", AdjustmentType="ChangeInCapacity", ScalingAdjustment=1',
    )
    alarm = _alarm(ctx)
    if not ctx.expect(
        1,
        alarm is not None
        and alarm.get("Namespace") == "AWS/ECS"
        and alarm.get("MetricName") == "MemoryReservation"
        and {"Name": "ClusterName", "Value": CLUSTER} in (alarm.get("Dimensions") or []),
        f"the alarm '{ALARM_NAME}' on AWS/ECS MemoryReservation for ClusterName={CLUSTER}",
        "no such alarm"
        if alarm is None
        else f"{alarm.get('Namespace')} {alarm.get('MetricName')} {alarm.get('Dimensions')}",
        "MemoryUtilization is what containers use; placement, and this alarm, need what tasks "
        "reserve: MemoryReservation"
        if alarm is not None and alarm.get("MetricName") == "MemoryUtilization"
        else 'Namespace="AWS/ECS", MetricName="MemoryReservation", '
        'Dimensions=[{"Name": "ClusterName", "Value": "lab"}]',
    ):
        return
    ctx.expect(
        1,
        alarm.get("ComparisonOperator") in ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")
        and alarm.get("Period") == 60
        and alarm.get("EvaluationPeriods") == 1,
        "a 'greater than' alarm on one 60-second period",
        f"{alarm.get('ComparisonOperator')}, Period {alarm.get('Period')}, "
        f"EvaluationPeriods {alarm.get('EvaluationPeriods')}",
        'ComparisonOperator="GreaterThanThreshold", Period=60, EvaluationPeriods=1',
    )
    arn = ctx.answer("scale_out_policy_arn", str, example="'arn:aws:autoscaling:...'")
    ctx.expect(
        1,
        policy is not None
        and arn == policy.get("PolicyARN")
        and alarm.get("AlarmActions") == [arn],
        "scale_out_policy_arn to be the policy's ARN, and the alarm's only action",
        f"answer {arn!r}, alarm actions {alarm.get('AlarmActions')}",
        "read the ARN with describe_policies(AutoScalingGroupName='lab-asg'), then pass "
        "AlarmActions=[scale_out_policy_arn]",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def check_tuned_alarm(ctx: CheckContext) -> None:
    alarm = _require_alarm(ctx, 4)
    if alarm is None:
        return
    story = _story(alarm)
    summary = story.summary()
    threshold = alarm.get("Threshold")
    ctx.expect(
        2,
        summary["failed_tasks"] == 0,
        "the 2 GiB task placed, no task failing",
        f"threshold {threshold}: {summary['failed_tasks']} task(s) failed with RESOURCE:MEMORY",
        "the alarm must fire before minute 40: the highest reservation before then is 87.5 %",
    )
    ctx.expect(
        1,
        summary["peak_instances"] <= MOST_INSTANCES,
        f"at most {MOST_INSTANCES} instances in the group",
        f"threshold {threshold}: up to {summary['peak_instances']} instances",
        "the reservation sits at exactly 75 % from minute 10: a threshold below it (or >= 75) "
        "fires then too and adds an instance nobody needs",
    )
    answer = ctx.answer("alarm_threshold", float, example="80.0")
    ctx.expect(
        1,
        threshold is not None and answer == float(threshold),
        "alarm_threshold to be the alarm's Threshold",
        f"answer {answer}, alarm {threshold}",
        "put_metric_alarm again with the same AlarmName and Threshold=alarm_threshold",
    )


# -- ex3 -------------------------------------------------------------------------------------------
def check_capacity_provider(ctx: CheckContext) -> None:
    found = ctx.ecs.describe_capacity_providers(capacityProviders=[PROVIDER_NAME])
    provider = next(
        (p for p in found.get("capacityProviders", []) if p.get("status") == "ACTIVE"), None
    )
    groups = ctx.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[PROVIDER_GROUP]
    )
    group_arn = next(
        (g["AutoScalingGroupARN"] for g in groups.get("AutoScalingGroups", [])), "(missing)"
    )
    group = (provider or {}).get("autoScalingGroupProvider") or {}
    if not ctx.expect(
        1,
        provider is not None and group.get("autoScalingGroupArn") == group_arn,
        f"the capacity provider '{PROVIDER_NAME}' on the group {PROVIDER_GROUP}",
        "no such capacity provider"
        if provider is None
        else f"its group is {group.get('autoScalingGroupArn', '?').rsplit('/', 1)[-1]}",
        "autoScalingGroupProvider={'autoScalingGroupArn': <lab-cp-asg's AutoScalingGroupARN>, ...}",
    ):
        return
    managed = group.get("managedScaling") or {}
    ctx.expect(
        1,
        managed.get("status") == "ENABLED",
        "managed scaling ENABLED",
        f"managedScaling {managed or 'missing'}",
        "'managedScaling': {'status': 'ENABLED', 'targetCapacity': ...}",
    )
    clusters = ctx.ecs.describe_clusters(clusters=[CLUSTER]).get("clusters", [])
    cluster = clusters[0] if clusters else {}
    strategy = cluster.get("defaultCapacityProviderStrategy") or []
    ctx.expect(
        1,
        PROVIDER_NAME in (cluster.get("capacityProviders") or [])
        and any(item.get("capacityProvider") == PROVIDER_NAME for item in strategy),
        f"'{PROVIDER_NAME}' attached to the cluster '{CLUSTER}' as its default strategy",
        f"providers {cluster.get('capacityProviders')}, default strategy {strategy}",
        "sb.ecs.put_cluster_capacity_providers(cluster='lab', capacityProviders=[...], "
        "defaultCapacityProviderStrategy=[{'capacityProvider': 'lab-capacity', 'weight': 1}])",
    )
    settings = autoscaling.from_capacity_provider(provider)
    summary = autoscaling.seed_scenario("capacity_provider", managed_scaling=settings).summary()
    answer = ctx.answer("target_capacity", int, example="80")
    waited = summary["max_waiting_tasks"] > 0 or summary["failed_tasks"] > 0
    ctx.expect(
        1,
        not waited and answer == settings.target_capacity_percent,
        "the 2 GiB task never waiting, and target_capacity == the provider's targetCapacity",
        f"targetCapacity {settings.target_capacity_percent} (answer {answer}): "
        + ("the task waited in PROVISIONING" if waited else "no task waited"),
        "below 100, ECS keeps spare instances: lower targetCapacity until the story's big task "
        "finds an instance already running",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def _service_scaling(ctx: CheckContext) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    client = ctx.client("application-autoscaling")
    targets = client.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[SERVICE_RESOURCE]
    ).get("ScalableTargets", [])
    policies = client.describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=SERVICE_RESOURCE
    ).get("ScalingPolicies", [])
    policy = next((p for p in policies if p["PolicyName"] == SERVICE_POLICY), None)
    return (targets[0] if targets else None), policy


def check_target_tracking(ctx: CheckContext) -> None:
    target, policy = _service_scaling(ctx)
    ctx.expect(
        1,
        target is not None
        and target.get("ScalableDimension") == "ecs:service:DesiredCount"
        and (target.get("MinCapacity"), target.get("MaxCapacity")) == (MIN_CAPACITY, MAX_CAPACITY),
        f"{SERVICE_RESOURCE} registered on ecs:service:DesiredCount, {MIN_CAPACITY} to "
        f"{MAX_CAPACITY} tasks",
        "no scalable target"
        if target is None
        else f"{target.get('ScalableDimension')}, {target.get('MinCapacity')} to "
        f"{target.get('MaxCapacity')}",
        "register_scalable_target(ServiceNamespace='ecs', ResourceId='service/lab/api', "
        "ScalableDimension='ecs:service:DesiredCount', MinCapacity=2, MaxCapacity=12)",
    )
    config = (policy or {}).get("TargetTrackingScalingPolicyConfiguration") or {}
    metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    ctx.expect(
        2,
        policy is not None
        and policy.get("PolicyType") == "TargetTrackingScaling"
        and metric == "ECSServiceAverageCPUUtilization"
        and config.get("TargetValue") == CPU_TARGET
        and (config.get("ScaleOutCooldown"), config.get("ScaleInCooldown")) == (60, 300),
        f"a TargetTrackingScaling policy '{SERVICE_POLICY}' keeping "
        "ECSServiceAverageCPUUtilization at 70, cooldowns 60 s out / 300 s in",
        "no such policy"
        if policy is None
        else f"{policy.get('PolicyType')}, {metric} at {config.get('TargetValue')}, cooldowns "
        f"{config.get('ScaleOutCooldown')}/{config.get('ScaleInCooldown')}",
        "TargetTrackingScalingPolicyConfiguration={'TargetValue': 70.0, "
        "'PredefinedMetricSpecification': {'PredefinedMetricType': "
        "'ECSServiceAverageCPUUtilization'}, 'ScaleOutCooldown': 60, 'ScaleInCooldown': 300}",
    )
    arn = ctx.answer("scaling_policy_arn", str, example="'arn:aws:autoscaling:...'")
    ctx.expect(
        1,
        policy is not None and arn == policy.get("PolicyARN"),
        "scaling_policy_arn to be the policy's ARN",
        repr(arn),
        "it is in the put_scaling_policy response: response['PolicyARN']",
    )


# -- ex5 -------------------------------------------------------------------------------------------
def check_peak(ctx: CheckContext) -> None:
    target, policy = _service_scaling(ctx)
    if not ctx.expect(
        0,
        target is not None and policy is not None,
        "the scalable target and policy of exercise ex4",
        "missing",
        "do exercise ex4 first, then run the plot cell again",
    ):
        ctx.expect(2, False, "an answer read from the plot", "not graded until ex4 is done")
        return
    settings = autoscaling.from_scaling_policy(policy, scalable_target=target)
    load = autoscaling.load_curve("diurnal", days=1)
    day = autoscaling.simulate_service_scaling(load, settings, task_cpu_units=1024)
    peak = int(day.desired_tasks.max())
    answer = ctx.answer("peak_desired_count", int, example="7")
    hint = "read the top of the desiredCount steps in the Tasks panel (or day.desired_tasks.max())"
    if answer == settings.max_capacity != peak:
        hint = "that is MaxCapacity, the limit; the policy never needed that many"
    ctx.expect(2, answer == peak, f"peak_desired_count == {peak}", str(answer), hint)


EXERCISES = [
    Exercise(
        "ex1",
        "Wire an alarm to a scaling policy",
        4,
        ("scale_out_policy_arn",),
        check_alarm_and_policy,
    ),
    Exercise("ex2", "Make room for the 2 GiB task", 4, ("alarm_threshold",), check_tuned_alarm),
    Exercise(
        "ex3",
        "A capacity provider with headroom",
        4,
        ("target_capacity",),
        check_capacity_provider,
    ),
    Exercise(
        "ex4",
        "Target tracking for the service",
        4,
        ("scaling_policy_arn",),
        check_target_tracking,
    ),
    Exercise("ex5", "Read the scaling plot", 2, ("peak_desired_count",), check_peak),
]
