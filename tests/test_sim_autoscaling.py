"""Tests for ecs_workbook.sim.autoscaling: service target tracking, cluster alarms, capacity providers.

Documented numbers are pinned with their doc page; behaviour tests build small, hand-checkable runs
(60 s steps, so "minute k" ends at k × 60 + 60 s, when CloudWatch's datapoint for it is complete).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from moto_support import use_fake_aws

from ecs_workbook import plots
from ecs_workbook.sim import autoscaling as a
from ecs_workbook.sim.autoscaling.cloudwatch import AlarmState

MIB_PER_GIB = 1024


def _constant_then(first: float, then: float, switch_minute: int, minutes: int) -> np.ndarray:
    return np.array([first] * switch_minute + [then] * (minutes - switch_minute), dtype=float)


def _times(result: a.ScalingResult, kind: str) -> list[int]:
    return [event.time_seconds for event in result.events_of(kind)]


def _gaps(times: list[int]) -> list[int]:
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


# --------------------------------------------------------------------------------------------
# Documented arithmetic
# --------------------------------------------------------------------------------------------


def test_capacity_provider_reservation_is_100_when_needed_instances_equal_the_group():
    """M = N -> 100: steady state, every instance runs a non-daemon task.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"""
    assert a.capacity_provider_reservation(4, 4) == 100.0


def test_capacity_provider_reservation_is_200_when_tasks_wait_and_the_group_is_empty():
    """N = 0 with tasks waiting -> 200 (Deep Dive on Amazon ECS Cluster Auto Scaling)."""
    assert a.capacity_provider_reservation(1, 0) == 200.0


def test_capacity_provider_reservation_is_100_for_an_empty_group_with_nothing_to_run():
    """M = 0 and N = 0 -> 100 (Deep Dive on Amazon ECS Cluster Auto Scaling)."""
    assert a.capacity_provider_reservation(0, 0) == 100.0


def test_capacity_provider_reservation_is_m_over_n_times_100():
    """3 instances needed, 2 in the group -> 150 (scale out); 1 of 2 -> 50 (scale in)."""
    assert (a.capacity_provider_reservation(3, 2), a.capacity_provider_reservation(1, 2)) == (
        150.0,
        50.0,
    )


def test_scale_out_step_launches_the_minimum_step_size_when_the_estimate_is_smaller():
    """Estimate below minimumScalingStepSize -> minimumScalingStepSize.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"""
    assert a.scale_out_step(1, minimum_step=3, maximum_step=10) == 3


def test_scale_out_step_is_capped_by_the_maximum_step_size():
    """Otherwise min(maximumScalingStepSize, estimate)."""
    assert a.scale_out_step(7, minimum_step=1, maximum_step=2) == 2


def test_scale_out_step_is_the_estimate_between_the_two_step_sizes():
    assert a.scale_out_step(4, minimum_step=1, maximum_step=10) == 4


def test_target_tracking_rounds_the_new_desired_count_up():
    """ceil(current × metric / target): 2 tasks at 90 % for a 75 % target -> ceil(2.4) = 3.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html"""
    assert a.target_tracking_desired(2, 90.0, 75.0) == 3


def test_target_tracking_keeps_exact_ratios_exact_despite_floating_point():
    """3 × 0.7 / 0.7 is 3.0000000000000004 in binary floating point; the policy must say 3."""
    assert a.target_tracking_desired(3, 0.7, 0.7) == 3


def test_memory_reservation_is_reserved_over_registered_memory():
    """Six 1 GiB tasks on two 4 GiB instances reserve exactly 75 %.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html"""
    assert a.memory_reservation_percent(6 * MIB_PER_GIB, 8 * MIB_PER_GIB) == 75.0


def test_greater_than_threshold_does_not_breach_at_the_threshold_itself():
    """CloudWatch GreaterThanThreshold is strict (the tutorial's alarm: 'greater than 75%')."""
    assert not a.breaches(75.0, 75.0, "GreaterThanThreshold")


# --------------------------------------------------------------------------------------------
# API shapes in
# --------------------------------------------------------------------------------------------

CLI_EXAMPLE_CONFIG = {
    "TargetValue": 75.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
    "ScaleOutCooldown": 60,
    "ScaleInCooldown": 60,
}


def test_from_scaling_policy_reads_a_target_tracking_configuration():
    """The AWS CLI put-scaling-policy example: 75 % CPU, 60 s cooldowns."""
    policy = a.from_scaling_policy(CLI_EXAMPLE_CONFIG, min_capacity=1, max_capacity=10)
    assert (
        policy.target_value,
        policy.scale_out_cooldown_seconds,
        policy.scale_in_cooldown_seconds,
    ) == (
        75.0,
        60,
        60,
    )


def test_from_scaling_policy_defaults_cooldowns_to_300_seconds_for_ecs():
    """ScaleOutCooldown / ScaleInCooldown default to 300 s for ECS services.
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html"""
    policy = a.from_scaling_policy({"TargetValue": 50.0})
    assert (policy.scale_out_cooldown_seconds, policy.scale_in_cooldown_seconds) == (300, 300)


def test_from_scaling_policy_takes_min_and_max_from_the_scalable_target():
    request = {"PolicyType": "TargetTrackingScaling",
               "TargetTrackingScalingPolicyConfiguration": CLI_EXAMPLE_CONFIG}  # fmt: skip
    policy = a.from_scaling_policy(request, scalable_target={"MinCapacity": 2, "MaxCapacity": 12})
    assert (policy.min_capacity, policy.max_capacity) == (2, 12)


def test_from_scaling_policy_refuses_step_scaling_and_says_what_to_use():
    with pytest.raises(a.AutoScalingConfigError, match="TargetTrackingScaling"):
        a.from_scaling_policy({"PolicyType": "StepScaling", "StepScalingPolicyConfiguration": {}})


def test_target_tracking_policy_round_trips_through_its_api_shape():
    policy = a.TargetTrackingPolicy(target_value=60.0, scale_in_cooldown_seconds=120,
                                    disable_scale_in=True)  # fmt: skip
    assert a.from_scaling_policy(policy.to_api()) == policy


def test_scale_in_threshold_sits_ten_percent_below_the_target():
    """Scale in only 'far enough below the target value (usually more than 10% lower)'.
    https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html"""
    assert a.TargetTrackingPolicy(target_value=75.0).scale_in_threshold == pytest.approx(67.5)


DESCRIBED_PROVIDER = {
    "capacityProviderArn": "arn:aws:ecs:us-east-1:123456789012:capacity-provider/cp",
    "name": "cp",
    "status": "ACTIVE",
    "autoScalingGroupProvider": {
        "autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x",
        "managedScaling": {
            "status": "ENABLED",
            "targetCapacity": 90,
            "minimumScalingStepSize": 2,
            "maximumScalingStepSize": 5,
            "instanceWarmupPeriod": 120,
        },
        "managedTerminationProtection": "DISABLED",
    },
}


def test_from_capacity_provider_reads_the_managed_scaling_keys():
    managed = a.from_capacity_provider(DESCRIBED_PROVIDER)
    assert managed.to_api() == DESCRIBED_PROVIDER["autoScalingGroupProvider"]["managedScaling"]


def test_from_capacity_provider_applies_the_api_defaults_for_omitted_keys():
    """targetCapacity 100, step sizes 1 and 10000, instanceWarmupPeriod 300 s.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html"""
    managed = a.from_capacity_provider({"managedScaling": {"status": "ENABLED"}})
    assert (
        managed.target_capacity_percent,
        managed.minimum_scaling_step_size,
        managed.maximum_scaling_step_size,
        managed.instance_warmup_period_seconds,
    ) == (100, 1, 10000, 300)


def test_managed_scaling_rejects_a_target_capacity_above_100():
    with pytest.raises(a.AutoScalingConfigError, match="between 1 and 100"):
        a.ManagedScaling(target_capacity_percent=120)


def test_from_capacity_provider_explains_that_fargate_has_no_managed_scaling():
    with pytest.raises(a.AutoScalingConfigError, match="FARGATE"):
        a.from_capacity_provider({"name": "FARGATE", "status": "ACTIVE"})


@pytest.fixture
def moto_env(monkeypatch):
    use_fake_aws(monkeypatch)
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        yield


def test_a_policy_read_back_from_application_auto_scaling_feeds_the_model(moto_env):
    import boto3

    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="c")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 512}])  # fmt: skip
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=1)
    aas = boto3.client("application-autoscaling", region_name="us-east-1")
    target = dict(ServiceNamespace="ecs", ResourceId="service/c/web",
                  ScalableDimension="ecs:service:DesiredCount")  # fmt: skip
    aas.register_scalable_target(**target, MinCapacity=2, MaxCapacity=8)
    aas.put_scaling_policy(**target, PolicyName="cpu75", PolicyType="TargetTrackingScaling",
                           TargetTrackingScalingPolicyConfiguration=CLI_EXAMPLE_CONFIG)  # fmt: skip
    described = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"][0]
    scalable = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    policy = a.from_scaling_policy(described, scalable_target=scalable)
    assert (policy.target_value, policy.min_capacity, policy.max_capacity) == (75.0, 2, 8)


def test_a_capacity_provider_described_by_ecs_feeds_the_model(moto_env):
    import boto3

    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_capacity_provider(
        name="cp",
        autoScalingGroupProvider={
            "autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x",
            "managedScaling": {
                "status": "ENABLED",
                "targetCapacity": 80,
                "maximumScalingStepSize": 3,
            },  # fmt: skip
        },
    )
    described = ecs.describe_capacity_providers(capacityProviders=["cp"])["capacityProviders"][0]
    managed = a.from_capacity_provider(described)
    assert (managed.target_capacity_percent, managed.maximum_scaling_step_size) == (80, 3)


# --------------------------------------------------------------------------------------------
# (a) Service Auto Scaling
# --------------------------------------------------------------------------------------------


def _service(load, **policy_options):
    options = dict(target_value=75.0, min_capacity=1, max_capacity=20)
    options.update(policy_options)
    initial = options.pop("initial", 4)
    return a.simulate_service_scaling(load, a.TargetTrackingPolicy(**options), task_cpu_units=1024,
                                      initial_desired_count=initial)  # fmt: skip


FOUR_TASKS_CPU = 4 * 1024


def test_scale_out_sets_desired_to_ceil_of_running_times_metric_over_target():
    """4 tasks at 90 % CPU, target 75 -> desiredCount ceil(4.8) = 5."""
    load = _constant_then(0.7 * FOUR_TASKS_CPU, 0.9 * FOUR_TASKS_CPU, 10, 30)
    result = _service(load)
    assert result.at(13 * 60)["desired_tasks"] == 5


def test_the_high_alarm_fires_after_three_one_minute_datapoints_above_target():
    """Above target from minute 10: datapoints for minutes 10, 11, 12 -> ALARM at 13:00."""
    load = _constant_then(0.7 * FOUR_TASKS_CPU, 0.9 * FOUR_TASKS_CPU, 10, 30)
    assert _times(_service(load), "scale_out")[0] == 13 * 60


def test_two_minutes_above_target_do_not_scale_out():
    load = np.full(30, 0.7 * FOUR_TASKS_CPU)
    load[10:12] = 0.95 * FOUR_TASKS_CPU
    assert _service(load).events_of("scale_out") == []


def test_scale_out_cooldown_spaces_scale_outs_while_cpu_is_pinned_at_100_percent():
    """At 100 % CPU each scale-out adds ×100/75; inside ScaleOutCooldown the capacity it added
    already counts, so the next one waits for the cooldown to end."""
    load = np.full(90, 20 * 1024.0)
    gaps = _gaps(_times(_service(load, initial=2, scale_out_cooldown_seconds=600), "scale_out"))
    assert len(gaps) >= 2 and min(gaps) >= 600


def test_without_scale_out_cooldown_scale_outs_follow_each_other_closely():
    """The control for the cooldown test: the same load with ScaleOutCooldown 0."""
    load = np.full(90, 20 * 1024.0)
    gaps = _gaps(_times(_service(load, initial=2, scale_out_cooldown_seconds=0), "scale_out"))
    assert min(gaps) < 600


def test_scale_in_waits_for_fifteen_datapoints_below_ninety_percent_of_target():
    """50 % CPU from the start: datapoints for minutes 0..14 -> scale in at 15:00 to ceil(4×50/75)=3."""
    result = _service(np.full(30, 0.5 * FOUR_TASKS_CPU))
    assert (_times(result, "scale_in")[0], result.at(15 * 60)["desired_tasks"]) == (15 * 60, 3)


def test_scale_in_cooldown_spaces_scale_ins():
    load = np.linspace(0.6 * 8 * 1024, 200.0, 240)
    gaps = _gaps(_times(_service(load, initial=8, scale_in_cooldown_seconds=1800), "scale_in"))
    assert len(gaps) >= 1 and min(gaps) >= 1800


def test_without_scale_in_cooldown_scale_ins_follow_each_other_closely():
    """The control for the scale-in cooldown test: the same falling load with ScaleInCooldown 0."""
    load = np.linspace(0.6 * 8 * 1024, 200.0, 240)
    gaps = _gaps(_times(_service(load, initial=8, scale_in_cooldown_seconds=0), "scale_in"))
    assert min(gaps) < 1800


def test_disable_scale_in_never_lowers_the_desired_count():
    load = _constant_then(0.9 * FOUR_TASKS_CPU, 0.1 * FOUR_TASKS_CPU, 20, 120)
    result = _service(load, disable_scale_in=True)
    assert result.events_of("scale_in") == [] and result.desired_tasks[-1] >= 5


def test_desired_count_stays_within_min_and_max_capacity():
    load = _constant_then(40 * 1024.0, 0.0, 60, 180)
    result = _service(load, min_capacity=2, max_capacity=6, initial=2,
                      scale_out_cooldown_seconds=60)  # fmt: skip
    assert (result.desired_tasks.max(), result.desired_tasks[-1]) == (6, 2)


def test_a_service_with_no_running_tasks_publishes_no_cpu_datapoints_and_never_scales():
    """Target tracking does nothing on insufficient data (no tasks, no CPUUtilization)."""
    result = _service(np.full(30, 4096.0), min_capacity=0, initial=0)
    assert result.desired_tasks.max() == 0 and np.isnan(result.service_metric).all()


def test_cpu_utilization_is_capped_at_100_percent_by_the_task_cpu_hard_limit():
    result = _service(np.full(10, 10 * FOUR_TASKS_CPU))
    assert np.nanmax(result.service_metric) == 100.0


def test_service_scaling_is_deterministic_for_a_seed():
    first = a.simulate_service_scaling(a.load_curve("diurnal", days=1, seed=3))
    second = a.simulate_service_scaling(a.load_curve("diurnal", days=1, seed=3))
    assert first.events == second.events and np.array_equal(
        first.desired_tasks, second.desired_tasks
    )


def test_load_curves_differ_between_seeds():
    assert not np.array_equal(a.load_curve(seed=1).values, a.load_curve(seed=2).values)


def test_a_seven_day_load_at_one_minute_steps_has_10080_samples():
    assert len(a.simulate_service_scaling(a.load_curve("diurnal", days=7)).times_seconds) == 10080


# --------------------------------------------------------------------------------------------
# (b) Cluster alarm on MemoryReservation -- the seed scenario
# --------------------------------------------------------------------------------------------


def test_six_one_gib_tasks_on_two_4_gib_instances_reserve_exactly_75_percent():
    """Minute 10-19 of the seed: 6 GiB of 8 GiB reserved."""
    assert a.seed_scenario("alarm75").at(15 * 60)["memory_reservation_percent"] == 75.0


def test_the_75_percent_alarm_fires_on_the_seventh_task_not_the_sixth():
    """'MemoryReservation greater than 75%': 75.0 does not breach; 87.5 (7th task, minute 20) does.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html"""
    assert _times(a.seed_scenario("alarm75"), "alarm") == [21 * 60]


def test_a_greater_or_equal_alarm_fires_already_on_the_sixth_task():
    alarm = a.ClusterAlarmPolicy(comparison_operator="GreaterThanOrEqualToThreshold")
    assert _times(a.seed_scenario("alarm75", alarm=alarm), "alarm")[0] == 11 * 60


def test_seed_without_the_alarm_fails_the_2_gib_task_with_resource_memory():
    """1 GiB free in total, split so no instance has 2 GiB: RunTask fails on every instance."""
    result = a.seed_scenario("none")
    reasons = {failure["reason"] for failure in result.failures}
    assert (reasons, int(result.failed_tasks[-1]), _times(result, "task_failed")) == (
        {"RESOURCE:MEMORY"},
        1,
        [40 * 60],
    )


def test_seed_with_the_75_percent_alarm_finds_an_extra_instance_before_the_big_task():
    result = a.seed_scenario("alarm75")
    assert result.at(39 * 60)["registered_instances"] == 3


def test_seed_with_the_75_percent_alarm_places_the_2_gib_task_on_the_new_instance():
    result = a.seed_scenario("alarm75")
    big = [event for event in result.events_of("task_pending") if "big-task" in event.message]
    assert result.failures == [] and "instance 3" in big[0].message


def test_asg_cooldown_spaces_instance_launches_while_the_alarm_stays_in_alarm():
    """Simple scaling: after an activity completes (instance InService), the ASG waits its
    cooldown (300 s) before acting on the alarm again."""
    deploys = [a.Deploy(minute * 60, 1024, name=f"d{minute}") for minute in range(40)]
    cluster = a.ClusterConfig(initial_instances=2, max_size=10, instance_boot_seconds=120)
    result = a.simulate_cluster_alarm_scaling(
        alarm=a.ClusterAlarmPolicy(scale_in_threshold_percent=None), cluster=cluster,
        deploys=deploys, duration_seconds=3600)  # fmt: skip
    assert min(_gaps(_times(result, "instance_launched"))) >= 120 + 300


def test_the_low_reservation_alarm_removes_instances_down_to_the_group_minimum():
    cluster = a.ClusterConfig(initial_instances=3, min_size=1, max_size=4)
    result = a.simulate_cluster_alarm_scaling(cluster=cluster, deploys=[a.Deploy(0, 1024)],
                                              duration_seconds=1800)  # fmt: skip
    assert (_times(result, "instance_terminated"), int(result.instances[-1])) == ([60, 360], 1)


def test_terminating_an_instance_stops_its_standalone_tasks():
    """Tasks started by hand are not restarted when the ASG removes their instance.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html"""
    cluster = a.ClusterConfig(initial_instances=2, min_size=1, max_size=2)
    # Binpack fills instance 1 with 3 GiB; the 2 GiB task lands on instance 2 (the newest).
    deploys = [a.Deploy(0, 3072, name="a"), a.Deploy(0, 2048, name="b"),
               a.Deploy(120, 0, name="noop")]  # fmt: skip
    alarm = a.ClusterAlarmPolicy(scale_in_threshold_percent=70.0)
    result = a.simulate_cluster_alarm_scaling(alarm=alarm, cluster=cluster, deploys=deploys,
                                              duration_seconds=600)  # fmt: skip
    assert [event.message.split(" ")[0] for event in result.events_of("task_stopped")] == ["b#2"]


# --------------------------------------------------------------------------------------------
# (c) Capacity provider managed scaling
# --------------------------------------------------------------------------------------------


def test_seed_with_a_capacity_provider_provisions_the_big_task_instead_of_failing_it():
    result = a.seed_scenario("capacity_provider")
    assert (result.failures, _times(result, "task_provisioning")) == ([], [40 * 60])


def test_seed_capacity_provider_reservation_reads_150_while_the_big_task_waits():
    """M = 2 busy instances + 1 for the waiting task, N = 2 -> 150."""
    assert (
        a.seed_scenario("capacity_provider").at(40 * 60)["capacity_provider_reservation"] == 150.0
    )


def test_seed_big_task_starts_once_the_new_instance_registers():
    """Alarm and launch at 41:00, registered 120 s later, RUNNING at the next step after 30 s."""
    result = a.seed_scenario("capacity_provider")
    launched = _times(result, "instance_launched")[0]
    ready = _times(result, "instance_ready")[0]
    started = [e.time_seconds for e in result.events_of("task_started") if "big-task" in e.message]
    assert (launched, ready, started) == (41 * 60, 43 * 60, [44 * 60])


def _provider(deploys, *, duration_seconds=1800, cluster=None, **managed):
    cluster = cluster or a.ClusterConfig(initial_instances=1, min_size=0, max_size=10,
                                         instance_boot_seconds=120)  # fmt: skip
    return a.simulate_capacity_provider(managed_scaling=a.ManagedScaling(**managed),
                                        cluster=cluster, deploys=deploys,
                                        duration_seconds=duration_seconds)  # fmt: skip


SIX_2_GIB = [a.Deploy(0, 2048, count=6, name="big")]  # 2 fit on one 4 GiB instance; 4 wait


def _first_launch_size(result: a.ScalingResult) -> int:
    first = _times(result, "instance_launched")[0]
    return _times(result, "instance_launched").count(first)


def test_maximum_scaling_step_size_clamps_the_scale_out():
    """4 waiting 2 GiB tasks need 2 more instances; maximumScalingStepSize 1 launches 1."""
    assert _first_launch_size(_provider(SIX_2_GIB, maximum_scaling_step_size=1)) == 1


def test_without_a_small_maximum_step_the_scale_out_launches_the_whole_estimate():
    assert _first_launch_size(_provider(SIX_2_GIB)) == 2


def test_minimum_scaling_step_size_launches_at_least_that_many_instances():
    """One waiting task needs 1 instance; minimumScalingStepSize 3 launches 3."""
    deploys = [a.Deploy(0, 4096, count=2)]
    assert _first_launch_size(_provider(deploys, minimum_scaling_step_size=3)) == 3


def test_instance_warmup_period_delays_the_next_scale_out():
    """Launch at 60 s; the next scale-out waits until now - launch time >= 300 s."""
    result = _provider(SIX_2_GIB, maximum_scaling_step_size=1, instance_warmup_period_seconds=300)
    assert _times(result, "instance_launched")[:2] == [60, 360]


def test_a_capacity_provider_scales_out_from_zero_instances():
    """N = 0 with a task waiting: CapacityProviderReservation 200, one instance launched."""
    cluster = a.ClusterConfig(initial_instances=0, min_size=0, max_size=3)
    result = _provider([a.Deploy(0, 1024)], cluster=cluster)
    assert (result.capacity_provider_reservation[0], _times(result, "instance_launched")) == (
        200.0,
        [60],
    )


def test_a_task_larger_than_the_instance_type_never_triggers_a_scale_out():
    """Tasks that don't fit the smallest instance type are ignored and stay waiting; the metric
    stays at 100 %. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"""
    result = _provider([a.Deploy(0, 8192)])
    assert (result.events_of("instance_launched"), np.nanmax(result.capacity_provider_reservation),
            len(result.events_of("task_incompatible"))) == ([], 100.0, 1)  # fmt: skip


def test_an_empty_instance_is_terminated_after_fifteen_datapoints_below_target():
    """Scale-in alarms need 15 datapoints (15 minutes).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"""
    cluster = a.ClusterConfig(initial_instances=2, min_size=1, max_size=3)
    result = _provider([a.Deploy(0, 1024)], cluster=cluster)
    assert _times(result, "instance_terminated") == [15 * 60]


def test_target_capacity_below_100_keeps_a_spare_empty_instance():
    """targetCapacity 50: one busy instance -> the group holds ceil(1 × 100 / 50) = 2."""
    cluster = a.ClusterConfig(initial_instances=1, min_size=0, max_size=5)
    result = _provider([a.Deploy(0, 1024)], cluster=cluster, target_capacity_percent=50)
    assert int(result.instances[-1]) == 2


def test_managed_scaling_disabled_leaves_tasks_provisioning():
    result = _provider(SIX_2_GIB, status="DISABLED")
    assert result.events_of("instance_launched") == [] and result.waiting_tasks[-1] == 4


def test_service_tasks_wait_in_provisioning_until_the_capacity_provider_adds_room():
    """A service scaled by target tracking on a spike outgrows one instance; its extra tasks wait,
    then run once managed scaling has added instances."""
    load = a.load_curve("step", days=0.125, base=1024.0, peak=8192.0, noise=0.0)
    cluster = a.ClusterConfig(initial_instances=1, min_size=1, max_size=10)
    result = a.simulate_capacity_provider(
        load, cluster=cluster, task_cpu_units=512, task_memory_mib=1024,
        service_policy=a.TargetTrackingPolicy(target_value=50.0, max_capacity=30,
                                              scale_out_cooldown_seconds=60))  # fmt: skip
    peak = int(np.argmax(result.waiting_tasks))
    assert result.waiting_tasks[peak] > 0 and result.instances.max() > 1
    assert result.running_tasks[-len(result.running_tasks) // 3 - 1] > 4


def test_the_seed_scenario_is_deterministic():
    first, second = a.seed_scenario("capacity_provider"), a.seed_scenario("capacity_provider")
    assert first.events == second.events and np.array_equal(
        first.capacity_provider_reservation, second.capacity_provider_reservation, equal_nan=True
    )


# --------------------------------------------------------------------------------------------
# Errors a learner can meet
# --------------------------------------------------------------------------------------------


def test_step_seconds_must_fit_the_one_minute_cloudwatch_period():
    with pytest.raises(a.AutoScalingConfigError, match="divide 60"):
        a.load_curve(step_seconds=45)


def test_an_unknown_seed_mode_lists_the_modes_there_are():
    with pytest.raises(a.AutoScalingConfigError, match="alarm75"):
        a.seed_scenario("alarm")


def test_a_deploy_can_be_sized_from_a_task_definition():
    pytest.importorskip("ecs_workbook.taskdef")
    task_definition = {"family": "big", "containerDefinitions": [
        {"name": "app", "image": "nginx", "memory": 2048, "cpu": 256}]}  # fmt: skip
    deploy = a.Deploy.from_task_definition(0, task_definition)
    assert (deploy.memory_mib, deploy.cpu_units, deploy.name) == (2048, 256, "big")


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def _render(draw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw()
        fig.canvas.draw()
    problems = plots.figure_problems(fig)
    plots.plt.close(fig)
    return problems


@pytest.mark.parametrize("mode", ["none", "alarm75", "capacity_provider"])
def test_plot_scaling_renders_the_seed_scenario_cleanly(mode):
    assert _render(lambda: a.plot_scaling(a.seed_scenario(mode))) == []


@pytest.mark.parametrize("mode", ["none", "alarm75", "capacity_provider"])
def test_plot_oversubscription_renders_the_seed_scenario_cleanly(mode):
    assert _render(lambda: a.plot_oversubscription(a.seed_scenario(mode))) == []


def test_plot_scaling_renders_a_week_of_service_scaling_cleanly():
    load = a.load_curve("diurnal", days=7)
    assert _render(lambda: a.plot_scaling(a.simulate_service_scaling(load))) == []


def test_plot_scaling_renders_a_service_on_a_capacity_provider_cleanly():
    assert _render(a.capacity_provider_explorer) == []


def test_plot_oversubscription_explains_that_a_service_only_run_has_no_cluster():
    result = a.simulate_service_scaling(np.full(5, 1024.0))
    with pytest.raises(a.AutoScalingConfigError, match="no cluster"):
        a.plot_oversubscription(result)


@pytest.mark.parametrize(
    "form",
    [a.interactive_service_scaling, a.interactive_cluster_alarm, a.interactive_capacity_provider],
)
def test_interactive_forms_fall_back_to_a_clean_static_figure(form, monkeypatch):
    monkeypatch.setenv("ECS_WORKBOOK_STATIC", "1")
    assert _render(form) == []


# --------------------------------------------------------------------------------------------
# CloudWatch alarm evaluation (shared by target tracking, the alarm recipe and managed scaling)
# --------------------------------------------------------------------------------------------


def test_an_alarm_goes_to_alarm_only_when_its_datapoints_breach_in_a_row():
    """3 of 3 one-minute datapoints (target tracking's high alarm): ALARM on the third.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html"""
    alarm = AlarmState(datapoints=3)
    assert [alarm.observe(True, 1) for _ in range(3)] == [False, False, True]


def test_a_datapoint_that_does_not_breach_starts_the_count_again():
    alarm = AlarmState(datapoints=3)
    for breaching in (True, True, False, True, True):
        alarm.observe(breaching, 1)
    assert not alarm.in_alarm


def test_an_alarm_that_stays_in_alarm_reports_going_to_alarm_once():
    alarm = AlarmState(datapoints=1)
    assert [alarm.observe(True, 1) for _ in range(3)] == [True, False, False]


def test_a_five_minute_step_counts_as_five_one_minute_datapoints():
    assert AlarmState(datapoints=3).observe(True, 5)


def test_insufficient_data_takes_an_alarm_out_of_alarm():
    """No datapoint (no running task reports the metric): the alarm is not in ALARM."""
    alarm = AlarmState(datapoints=1)
    alarm.observe(True, 1)
    alarm.insufficient_data()
    assert (alarm.in_alarm, alarm.observe(True, 1)) == (False, True)
