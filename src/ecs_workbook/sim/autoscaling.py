"""Auto scaling on ECS, minute by minute: service target tracking, cluster alarms, capacity providers.

Three documented mechanisms decide how much runs and where:

(a) **Service Auto Scaling** (Application Auto Scaling, target tracking on e.g.
    ``ECSServiceAverageCPUUtilization``) changes a service's ``desiredCount``. It scales out when the
    metric is above the target (new desired = ``ceil(running × metric / target)``, starting from the
    *running* count), scales in only after the metric has stayed ~10 % below the target, and spaces
    activities with ``ScaleOutCooldown`` / ``ScaleInCooldown`` (default 300 s for ECS).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html
(b) **The classic cluster recipe**: a CloudWatch alarm on the cluster's ``MemoryReservation`` (> 75 %
    for 1 period) drives an Auto Scaling group policy that adds an instance, so the *next* deploy
    finds headroom; an optional alarm below 25 % removes one.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
(c) **Capacity providers with managed scaling**: ECS publishes ``CapacityProviderReservation`` =
    M / N × 100 and a target-tracking policy on the ASG keeps it at ``targetCapacity``; tasks that
    fit nowhere wait in ``PROVISIONING`` until an instance registers.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html

:func:`seed_scenario` reproduces the workbook's seed story (a 2 GB task arriving at a cluster with
1 GB free) under each mechanism. The model is time-stepped (default 60 s, the CloudWatch period of
every ECS metric) and deterministic. Tasks are placed with ``binpack`` on memory.

Numbers that are workload dependent rather than ECS rules are parameters with illustrative
defaults: how long an instance takes to boot and register (``instance_boot_seconds``) and a task to
go from PENDING to RUNNING (``task_start_seconds``). A PROVISIONING task is placed as soon as a new
instance registers; ``instanceWarmupPeriod`` only holds back the *next* scale-out.

Not documented by AWS, so parameters here (ecs-facts §4, §11.10): the target-tracking alarm sizes
(3 and 15 one-minute datapoints, as moto creates them), the capacity provider's 1-datapoint high
alarm, the M/N formula and its N = 0 cases. Simplifications: the ASG removes its newest instance on a
classic scale-in; managed scale-in removes empty instances, at most half the group per minute; M/N is
also used below 100 (the Developer Guide describes scale-in as ``100 - empty instances``). Not
modelled: daemon tasks, Availability Zones, ports, Fargate, scheduled scaling, step-scaling policies
for services, scaling suspended during deployments, CloudWatch metric delivery delays.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SERVICE_TARGET_TRACKING_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html"
SERVICE_AUTO_SCALING_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html"
)
AAS_TARGET_TRACKING_DOC = (
    "https://docs.aws.amazon.com/autoscaling/application/userguide/"
    "application-auto-scaling-target-tracking.html"
)
AAS_POLICY_API_DOC = (
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/"
    "API_TargetTrackingScalingPolicyConfiguration.html"
)
CLUSTER_ALARM_TUTORIAL_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html"
)
CLUSTER_METRICS_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html"
)
CLUSTER_AUTO_SCALING_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"
)
MANAGED_SCALING_API_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html"
)
DEEP_DIVE_BLOG = (
    "https://aws.amazon.com/blogs/containers/deep-dive-on-amazon-ecs-cluster-auto-scaling/"
)
#: "Except for Auto Scaling actions, the actions happen only on state transitions": an alarm in
#: ALARM keeps invoking its Auto Scaling policy (the ASG's cooldown decides whether it acts).
ALARM_ACTIONS_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html"
)
ASG_COOLDOWN_DOC = (
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scaling-cooldowns.html"
)

# --- Application Auto Scaling (service) -------------------------------------------------------
#: ScaleOutCooldown / ScaleInCooldown default for ECS services ([AAS-API]).
DEFAULT_SERVICE_COOLDOWN_SECONDS = 300
#: Datapoints (1 min each) the target-tracking alarms need: high 3, low 15. Moto creates the same
#: alarms (EvaluationPeriods 3 and 15, Period 60); the AWS docs do not state the numbers
#: (ecs-facts §4.2: UNCONFIRMED), so both are parameters.
SERVICE_HIGH_ALARM_DATAPOINTS = 3
SERVICE_LOW_ALARM_DATAPOINTS = 15
#: Scale in only when the metric is "far enough below the target value (usually more than 10%
#: lower)" (Application Auto Scaling User Guide, target tracking).
SCALE_IN_THRESHOLD_RATIO = 0.9
PREDEFINED_METRICS = {
    "ECSServiceAverageCPUUtilization": "CPUUtilization (%)",
    "ECSServiceAverageMemoryUtilization": "MemoryUtilization (%)",
    "ALBRequestCountPerTarget": "RequestCountPerTarget (requests/min)",
}

# --- Capacity provider managed scaling ([API] ManagedScaling) ---------------------------------
DEFAULT_TARGET_CAPACITY_PERCENT = 100
DEFAULT_MINIMUM_SCALING_STEP_SIZE = 1
DEFAULT_MAXIMUM_SCALING_STEP_SIZE = 10000
DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS = 300
#: The ASG alarms ECS creates: high after 1 datapoint (aws/containers-roadmap#638, UNCONFIRMED),
#: low after 15 datapoints = 15 minutes ([DG] cluster-auto-scaling).
CAPACITY_PROVIDER_HIGH_ALARM_DATAPOINTS = 1
CAPACITY_PROVIDER_LOW_ALARM_DATAPOINTS = 15

# --- Classic alarm recipe ([DG-2018] cloudwatch_alarm_autoscaling) ----------------------------
MEMORY_ALARM_THRESHOLD_PERCENT = 75.0
MEMORY_ALARM_LOW_THRESHOLD_PERCENT = 25.0
#: EC2 Auto Scaling default cooldown for simple scaling policies.
DEFAULT_ASG_COOLDOWN_SECONDS = 300
COMPARISON_OPERATORS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)

# --- Illustrative, workload-dependent timings (not ECS rules) ---------------------------------
DEFAULT_INSTANCE_BOOT_SECONDS = 120
DEFAULT_TASK_START_SECONDS = 60

#: Same strings as ``ecs_workbook.scheduler`` (RunTask ``failures[].reason``).
REASON_CPU = "RESOURCE:CPU"
REASON_MEMORY = "RESOURCE:MEMORY"

_ACCOUNT_REGION = "us-east-1:123456789012"

#: Event kinds a :class:`ScalingResult` can hold.
EVENT_KINDS = (
    "alarm",  # an alarm went to ALARM
    "scale_out",  # service desiredCount raised
    "scale_in",  # service desiredCount lowered
    "instance_launched",  # ASG launched an EC2 instance
    "instance_ready",  # it registered with the cluster (ACTIVE)
    "instance_warmed_up",  # instanceWarmupPeriod over: further managed scale-out allowed
    "instance_terminated",  # ASG terminated an instance (its tasks stop)
    "task_pending",  # standalone task placed on an instance (PENDING)
    "task_provisioning",  # standalone task waiting for capacity (capacity provider)
    "task_started",  # standalone task RUNNING
    "task_failed",  # RunTask failure, e.g. RESOURCE:MEMORY
    "task_stopped",  # standalone task stopped because its instance was terminated
    "task_incompatible",  # task larger than the instance type: capacity provider ignores it
    "service_unable_to_place",  # service tasks wait: no instance has room
    "scale_out_blocked",  # managed scale-out waits (warm-up or ASG MaxSize)
)

_MODES = ("service", "fixed", "alarm", "capacity_provider")


class AutoScalingConfigError(ValueError):
    """A scaling input that AWS would reject or the model cannot represent, said for the learner."""


# --------------------------------------------------------------------------------------------
# Documented arithmetic
# --------------------------------------------------------------------------------------------


def target_tracking_desired(current_capacity: int, metric_value: float, target_value: float) -> int:
    """Capacity target tracking asks for: ``ceil(current × metric / target)``.

    Rounding up on scale-out never adds too little; the same ceiling on scale-in never removes so
    much that the metric would rise above the target ("rounds conservatively").
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
    """
    if target_value <= 0:
        raise AutoScalingConfigError(
            f"TargetValue must be above 0, got {target_value}. Try e.g. 75 for 75 % CPU."
        )
    # round() first so 3 × 50 / 50 stays exactly 3 despite binary floating point.
    return max(0, math.ceil(round(current_capacity * metric_value / target_value, 9)))


def capacity_provider_reservation(instances_needed: int, instances_in_group: int) -> float:
    """``CapacityProviderReservation`` = M / N × 100, with N = 0 handled as ECS does.

    M: instances ECS estimates are needed for running and provisioning tasks; N: instances in the
    Auto Scaling group. 100 = steady, > 100 = scale out, < 100 = scale in. With N = 0 the value is
    100 when nothing is needed and 200 when tasks are waiting. The M/N form and the N = 0 cases come
    from the "Deep Dive on Amazon ECS Cluster Auto Scaling" blog (DEEP_DIVE_BLOG); the Developer
    Guide describes the metric only qualitatively (ecs-facts §4.1, §11.10: UNCONFIRMED).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
    """
    if instances_needed < 0 or instances_in_group < 0:
        raise AutoScalingConfigError(
            f"Instance counts cannot be negative (M={instances_needed}, N={instances_in_group})."
        )
    if instances_in_group == 0:
        return 100.0 if instances_needed == 0 else 200.0
    return instances_needed / instances_in_group * 100.0


def scale_out_step(estimated_instances: int, minimum_step: int, maximum_step: int) -> int:
    """Instances one managed scale-out adds for an estimate of ``estimated_instances`` more.

    ECS launches ``minimumScalingStepSize`` when the estimate is below it, otherwise
    ``min(maximumScalingStepSize, estimate)``; no estimate, no scale-out.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
    """
    if estimated_instances <= 0:
        return 0
    if estimated_instances < minimum_step:
        return minimum_step
    return min(maximum_step, estimated_instances)


def memory_reservation_percent(reserved_mib: int, registered_mib: int) -> float:
    """Cluster ``MemoryReservation``: MiB reserved by tasks ÷ MiB registered × 100 (NaN if none).

    A task reserves ``memoryReservation`` where set, else ``memory`` (ecs-facts §2.2).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html
    """
    if registered_mib <= 0:
        return math.nan
    return reserved_mib / registered_mib * 100.0


def breaches(value: float, threshold: float, comparison_operator: str) -> bool:
    """Whether one datapoint breaches an alarm threshold (CloudWatch ``ComparisonOperator``)."""
    if comparison_operator == "GreaterThanThreshold":
        return value > threshold
    if comparison_operator == "GreaterThanOrEqualToThreshold":
        return value >= threshold
    if comparison_operator == "LessThanThreshold":
        return value < threshold
    if comparison_operator == "LessThanOrEqualToThreshold":
        return value <= threshold
    raise AutoScalingConfigError(
        f"ComparisonOperator {comparison_operator!r} is not one CloudWatch knows; expected one of "
        f"{', '.join(COMPARISON_OPERATORS)}."
    )


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadCurve:
    """Demand on a service over time: ``values[i]`` holds from ``times_seconds[i]`` for one step.

    For CPU target tracking the unit is CPU units demanded (1024 = one vCPU busy); for memory,
    MiB in use; for ``ALBRequestCountPerTarget``, requests per minute.
    """

    times_seconds: np.ndarray
    values: np.ndarray
    step_seconds: int
    kind: str
    unit: str = "CPU units"

    def __len__(self) -> int:
        return len(self.values)


_LOAD_KINDS = ("diurnal", "spike", "step")


def load_curve(
    kind: str = "diurnal",
    days: float = 1.0,
    step_seconds: int = 60,
    seed: int = 0,
    *,
    base: float = 1024.0,
    peak: float = 6144.0,
    noise: float = 0.03,
    unit: str = "CPU units",
) -> LoadCurve:
    """A deterministic demand curve between ``base`` and ``peak`` (default 1 to 6 vCPU busy).

    ``diurnal``: lowest at 02:00, highest at 14:00 every day. ``spike``: ``base`` with one jump to
    ``peak`` for 45 minutes starting at 40 % of the run. ``step``: ``peak`` during the middle third.
    ``noise`` is a seeded, lightly smoothed wobble as a fraction of ``peak``.
    """
    if kind not in _LOAD_KINDS:
        raise AutoScalingConfigError(
            f"Unknown load curve kind {kind!r}; expected one of {', '.join(_LOAD_KINDS)}."
        )
    _check_step(step_seconds)
    if days <= 0:
        raise AutoScalingConfigError(f"days must be above 0, got {days}. Try 1 or 7.")
    if peak < base or base < 0:
        raise AutoScalingConfigError(f"Expected 0 <= base <= peak, got base={base}, peak={peak}.")
    count = max(1, int(round(days * 86400 / step_seconds)))
    times = np.arange(count, dtype=np.int64) * step_seconds
    duration = count * step_seconds
    if kind == "diurnal":
        hours = times / 3600.0
        shape = 0.5 * (1.0 - np.cos(2.0 * np.pi * (hours - 2.0) / 24.0))
    elif kind == "spike":
        start = 0.4 * duration
        shape = ((times >= start) & (times < start + 45 * 60)).astype(float)
    else:
        shape = ((times >= duration / 3) & (times < 2 * duration / 3)).astype(float)
    values = base + (peak - base) * shape
    if noise > 0:
        rng = np.random.default_rng(seed)
        wobble = rng.normal(0.0, noise * peak, count)
        window = min(5, count)
        wobble = np.convolve(wobble, np.ones(window) / window, mode="same")
        values = values + wobble
    return LoadCurve(times, np.clip(values, 0.0, None), step_seconds, kind, unit)


@dataclass(frozen=True)
class TargetTrackingPolicy:
    """A target-tracking policy on an ECS service, plus the scalable target's min/max.

    Field for field the ``TargetTrackingScalingPolicyConfiguration`` of ``put_scaling_policy``
    (see :func:`from_scaling_policy` and :meth:`to_api`) and ``MinCapacity``/``MaxCapacity`` of
    ``register_scalable_target``. The alarm sizes are what Application Auto Scaling creates.
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html
    """

    target_value: float = 75.0
    metric_type: str = "ECSServiceAverageCPUUtilization"
    scale_out_cooldown_seconds: int = DEFAULT_SERVICE_COOLDOWN_SECONDS
    scale_in_cooldown_seconds: int = DEFAULT_SERVICE_COOLDOWN_SECONDS
    disable_scale_in: bool = False
    min_capacity: int = 1
    max_capacity: int = 10
    high_alarm_datapoints: int = SERVICE_HIGH_ALARM_DATAPOINTS
    low_alarm_datapoints: int = SERVICE_LOW_ALARM_DATAPOINTS
    scale_in_threshold_ratio: float = SCALE_IN_THRESHOLD_RATIO

    def __post_init__(self) -> None:
        if self.metric_type not in PREDEFINED_METRICS:
            raise AutoScalingConfigError(
                f"PredefinedMetricType {self.metric_type!r} is not one this model simulates; "
                f"expected one of {', '.join(PREDEFINED_METRICS)}."
            )
        if self.target_value <= 0:
            raise AutoScalingConfigError(
                f"TargetValue must be above 0, got {self.target_value}. Try 75 for 75 % CPU."
            )
        if not 0 <= self.min_capacity <= self.max_capacity:
            raise AutoScalingConfigError(
                f"Expected 0 <= MinCapacity <= MaxCapacity, got {self.min_capacity} and "
                f"{self.max_capacity}. register_scalable_target rejects that too."
            )
        if self.scale_out_cooldown_seconds < 0 or self.scale_in_cooldown_seconds < 0:
            raise AutoScalingConfigError("Cooldowns are seconds and cannot be negative.")
        if self.high_alarm_datapoints < 1 or self.low_alarm_datapoints < 1:
            raise AutoScalingConfigError("An alarm needs at least 1 datapoint.")

    @property
    def scale_in_threshold(self) -> float:
        """The metric value below which the low alarm counts a datapoint (~90 % of the target)."""
        return self.target_value * self.scale_in_threshold_ratio

    @property
    def metric_label(self) -> str:
        return PREDEFINED_METRICS[self.metric_type]

    def to_api(self) -> dict[str, Any]:
        """The ``TargetTrackingScalingPolicyConfiguration`` dict for ``put_scaling_policy``."""
        return {
            "TargetValue": float(self.target_value),
            "PredefinedMetricSpecification": {"PredefinedMetricType": self.metric_type},
            "ScaleOutCooldown": int(self.scale_out_cooldown_seconds),
            "ScaleInCooldown": int(self.scale_in_cooldown_seconds),
            "DisableScaleIn": bool(self.disable_scale_in),
        }


def from_scaling_policy(
    policy: Mapping[str, Any],
    *,
    min_capacity: int | None = None,
    max_capacity: int | None = None,
    scalable_target: Mapping[str, Any] | None = None,
) -> TargetTrackingPolicy:
    """A :class:`TargetTrackingPolicy` from Application Auto Scaling's own shapes.

    ``policy`` is a ``TargetTrackingScalingPolicyConfiguration`` dict, or a whole
    ``put_scaling_policy`` request / ``describe_scaling_policies()["ScalingPolicies"][i]`` holding
    one. Min/max come from ``scalable_target`` (``describe_scalable_targets`` entry or
    ``register_scalable_target`` request: ``MinCapacity``/``MaxCapacity``) or the keywords.
    Omitted cooldowns take the ECS default of 300 s.
    """
    if not isinstance(policy, Mapping):
        raise AutoScalingConfigError(
            f"Expected a dict shaped like TargetTrackingScalingPolicyConfiguration, got "
            f"{type(policy).__name__}."
        )
    policy_type = policy.get("PolicyType")
    if policy_type is not None and policy_type != "TargetTrackingScaling":
        raise AutoScalingConfigError(
            f"PolicyType {policy_type!r}: this model simulates target tracking only. Use "
            "PolicyType='TargetTrackingScaling' with a TargetTrackingScalingPolicyConfiguration."
        )
    config = policy.get("TargetTrackingScalingPolicyConfiguration", policy)
    if "TargetValue" not in config:
        raise AutoScalingConfigError(
            "The policy has no TargetValue. Expected e.g. {'TargetValue': 75.0, "
            "'PredefinedMetricSpecification': {'PredefinedMetricType': "
            "'ECSServiceAverageCPUUtilization'}}."
        )
    if "CustomizedMetricSpecification" in config:
        raise AutoScalingConfigError(
            "CustomizedMetricSpecification: this model simulates the predefined ECS metrics only "
            f"({', '.join(PREDEFINED_METRICS)}). Use PredefinedMetricSpecification instead."
        )
    predefined = config.get("PredefinedMetricSpecification") or {}
    metric_type = predefined.get("PredefinedMetricType", "ECSServiceAverageCPUUtilization")
    target = scalable_target or {}
    low = min_capacity if min_capacity is not None else target.get("MinCapacity", 1)
    high = max_capacity if max_capacity is not None else target.get("MaxCapacity", 10)
    return TargetTrackingPolicy(
        target_value=float(config["TargetValue"]),
        metric_type=metric_type,
        scale_out_cooldown_seconds=int(
            config.get("ScaleOutCooldown", DEFAULT_SERVICE_COOLDOWN_SECONDS)
        ),
        scale_in_cooldown_seconds=int(
            config.get("ScaleInCooldown", DEFAULT_SERVICE_COOLDOWN_SECONDS)
        ),
        disable_scale_in=bool(config.get("DisableScaleIn", False)),
        min_capacity=int(low),
        max_capacity=int(high),
    )


@dataclass(frozen=True)
class ClusterAlarmPolicy:
    """The classic recipe: alarms on cluster ``MemoryReservation`` driving ASG simple scaling.

    High alarm: ``MemoryReservation`` ``comparison_operator`` ``threshold_percent`` for
    ``evaluation_periods`` 1-minute periods (tutorial: greater than 75 % for 1 period) adds
    ``scale_out_instances``. Optional low alarm (tutorial: below 25 %) removes
    ``scale_in_instances``. Each activity is followed by the ASG ``cooldown_seconds`` (default
    300 s); while an alarm stays in ALARM, CloudWatch invokes the Auto Scaling action again every
    minute. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
    """

    threshold_percent: float = MEMORY_ALARM_THRESHOLD_PERCENT
    comparison_operator: str = "GreaterThanThreshold"
    evaluation_periods: int = 1
    scale_out_instances: int = 1
    scale_in_threshold_percent: float | None = MEMORY_ALARM_LOW_THRESHOLD_PERCENT
    scale_in_instances: int = 1
    cooldown_seconds: int = DEFAULT_ASG_COOLDOWN_SECONDS
    alarm_name: str = "memory-above-75-pct"

    def __post_init__(self) -> None:
        if self.comparison_operator not in COMPARISON_OPERATORS[:2]:
            raise AutoScalingConfigError(
                f"The scale-out alarm must compare 'greater than' (GreaterThanThreshold or "
                f"GreaterThanOrEqualToThreshold), got {self.comparison_operator!r}."
            )
        if self.evaluation_periods < 1 or self.scale_out_instances < 1:
            raise AutoScalingConfigError(
                "EvaluationPeriods and the instances to add must be at least 1."
            )
        if self.scale_in_instances < 1 or self.cooldown_seconds < 0:
            raise AutoScalingConfigError(
                "The instances to remove must be at least 1 and the cooldown 0 s or more."
            )

    @classmethod
    def from_metric_alarm(
        cls, alarm: Mapping[str, Any], *, cooldown_seconds: int = DEFAULT_ASG_COOLDOWN_SECONDS
    ) -> ClusterAlarmPolicy:
        """From a ``put_metric_alarm`` request / ``describe_alarms`` entry on ``MemoryReservation``."""
        if alarm.get("MetricName", "MemoryReservation") != "MemoryReservation":
            raise AutoScalingConfigError(
                f"This recipe scales on the cluster's MemoryReservation metric, got "
                f"{alarm.get('MetricName')!r}."
            )
        return cls(
            threshold_percent=float(alarm.get("Threshold", MEMORY_ALARM_THRESHOLD_PERCENT)),
            comparison_operator=alarm.get("ComparisonOperator", "GreaterThanThreshold"),
            evaluation_periods=int(alarm.get("EvaluationPeriods", 1)),
            cooldown_seconds=cooldown_seconds,
            alarm_name=alarm.get("AlarmName", "memory-above-75-pct"),
        )


@dataclass(frozen=True)
class ManagedScaling:
    """A capacity provider's ``managedScaling`` settings (API defaults; ranges checked).

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html
    """

    status: str = "ENABLED"
    target_capacity_percent: int = DEFAULT_TARGET_CAPACITY_PERCENT
    minimum_scaling_step_size: int = DEFAULT_MINIMUM_SCALING_STEP_SIZE
    maximum_scaling_step_size: int = DEFAULT_MAXIMUM_SCALING_STEP_SIZE
    instance_warmup_period_seconds: int = DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS
    high_alarm_datapoints: int = CAPACITY_PROVIDER_HIGH_ALARM_DATAPOINTS
    low_alarm_datapoints: int = CAPACITY_PROVIDER_LOW_ALARM_DATAPOINTS

    def __post_init__(self) -> None:
        if self.status not in ("ENABLED", "DISABLED"):
            raise AutoScalingConfigError(
                f"managedScaling.status must be 'ENABLED' or 'DISABLED', got {self.status!r}."
            )
        checks = (
            ("targetCapacity", self.target_capacity_percent, 1, 100),
            ("minimumScalingStepSize", self.minimum_scaling_step_size, 1, 10000),
            ("maximumScalingStepSize", self.maximum_scaling_step_size, 1, 10000),
            ("instanceWarmupPeriod", self.instance_warmup_period_seconds, 0, 10000),
        )
        for name, value, low, high in checks:
            if not low <= value <= high:
                raise AutoScalingConfigError(
                    f"managedScaling.{name} must be between {low} and {high}, got {value} "
                    "(ECS rejects it with InvalidParameterException)."
                )
        if self.minimum_scaling_step_size > self.maximum_scaling_step_size:
            raise AutoScalingConfigError(
                f"minimumScalingStepSize ({self.minimum_scaling_step_size}) is larger than "
                f"maximumScalingStepSize ({self.maximum_scaling_step_size})."
            )

    def to_api(self) -> dict[str, Any]:
        """The ``managedScaling`` dict for ``create_capacity_provider``."""
        return {
            "status": self.status,
            "targetCapacity": self.target_capacity_percent,
            "minimumScalingStepSize": self.minimum_scaling_step_size,
            "maximumScalingStepSize": self.maximum_scaling_step_size,
            "instanceWarmupPeriod": self.instance_warmup_period_seconds,
        }


def from_capacity_provider(capacity_provider: Mapping[str, Any]) -> ManagedScaling:
    """:class:`ManagedScaling` from ``describe_capacity_providers()["capacityProviders"][0]``.

    Reads ``autoScalingGroupProvider.managedScaling`` with the API's key names; omitted keys take
    the API defaults (100 %, step 1 to 10000, warm-up 300 s). Also accepts the
    ``create_capacity_provider`` request, or the ``managedScaling`` dict itself.
    """
    if not isinstance(capacity_provider, Mapping):
        raise AutoScalingConfigError(
            f"Expected a capacity provider dict, got {type(capacity_provider).__name__}."
        )
    if "managedScaling" in capacity_provider:
        managed = capacity_provider["managedScaling"]
    else:
        group = capacity_provider.get("autoScalingGroupProvider")
        if group is None:
            name = capacity_provider.get("name", "?")
            raise AutoScalingConfigError(
                f"Capacity provider {name!r} has no autoScalingGroupProvider (FARGATE and "
                "FARGATE_SPOT have none): managed scaling only exists for Auto Scaling group "
                "capacity providers."
            )
        managed = group.get("managedScaling") or {"status": "DISABLED"}
    return ManagedScaling(
        status=managed.get("status", "ENABLED"),
        target_capacity_percent=int(managed.get("targetCapacity", DEFAULT_TARGET_CAPACITY_PERCENT)),
        minimum_scaling_step_size=int(
            managed.get("minimumScalingStepSize", DEFAULT_MINIMUM_SCALING_STEP_SIZE)
        ),
        maximum_scaling_step_size=int(
            managed.get("maximumScalingStepSize", DEFAULT_MAXIMUM_SCALING_STEP_SIZE)
        ),
        instance_warmup_period_seconds=int(
            managed.get("instanceWarmupPeriod", DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS)
        ),
    )


@dataclass(frozen=True)
class ClusterConfig:
    """The Auto Scaling group behind the cluster: one instance type, its size limits, boot time.

    ``instance_memory_mib`` / ``instance_cpu_units`` are what each instance *registers*
    (see :meth:`for_instance_type`). ``instance_boot_seconds`` (launch until the container
    instance is ACTIVE) is illustrative, not an ECS number.
    """

    instance_memory_mib: int = 4096
    instance_cpu_units: int = 2048
    initial_instances: int = 2
    min_size: int = 1
    max_size: int = 10
    instance_boot_seconds: int = DEFAULT_INSTANCE_BOOT_SECONDS
    instance_type: str | None = None
    cluster_name: str = "default"

    def __post_init__(self) -> None:
        if self.instance_memory_mib <= 0 or self.instance_cpu_units <= 0:
            raise AutoScalingConfigError("Instances must register some memory and CPU.")
        if not 0 <= self.min_size <= self.max_size:
            raise AutoScalingConfigError(
                f"Expected 0 <= MinSize <= MaxSize, got {self.min_size} and {self.max_size}."
            )
        if not self.min_size <= self.initial_instances <= self.max_size:
            raise AutoScalingConfigError(
                f"initial_instances ({self.initial_instances}) must lie between MinSize "
                f"({self.min_size}) and MaxSize ({self.max_size}), as an ASG's desired capacity does."
            )
        if self.instance_boot_seconds < 0:
            raise AutoScalingConfigError("instance_boot_seconds cannot be negative.")

    @classmethod
    def for_instance_type(cls, instance_type: str, **options: Any) -> ClusterConfig:
        """Registered memory and CPU of ``instance_type`` (``ecs_workbook.instance_types``)."""
        from ecs_workbook import instance_types

        found = instance_types.lookup(instance_type)
        return cls(
            instance_memory_mib=found.registered_memory_mib(),
            instance_cpu_units=found.cpu_units,
            instance_type=instance_type,
            **options,
        )


@dataclass(frozen=True)
class Deploy:
    """``count`` standalone tasks (``run_task``) arriving at ``at_seconds``, each reserving
    ``memory_mib`` and ``cpu_units`` (what placement subtracts, ecs-facts §2.2)."""

    at_seconds: int
    memory_mib: int
    count: int = 1
    cpu_units: int = 0
    name: str = "task"

    def __post_init__(self) -> None:
        if self.at_seconds < 0 or self.count < 1 or self.memory_mib < 0 or self.cpu_units < 0:
            raise AutoScalingConfigError(
                f"Deploy {self.name!r}: expected at_seconds >= 0, count >= 1 and non-negative "
                f"memory/CPU, got {self.at_seconds}, {self.count}, {self.memory_mib}, {self.cpu_units}."
            )

    @classmethod
    def from_task_definition(
        cls,
        at_seconds: int,
        task_definition: Mapping[str, Any],
        count: int = 1,
        overrides: Mapping[str, Any] | None = None,
    ) -> Deploy:
        """Sizes from ``ecs_workbook.taskdef.reserved_resources`` (the kit's placement rules)."""
        from ecs_workbook import taskdef

        reserved = taskdef.reserved_resources(dict(task_definition), overrides)
        return cls(
            at_seconds=at_seconds,
            memory_mib=int(reserved["MEMORY"]),
            cpu_units=int(reserved["CPU"]),
            count=count,
            name=str(task_definition.get("family", "task")),
        )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalingEvent:
    """Something an alarm, a policy, the ASG or the scheduler did, at ``time_seconds``.

    ``source`` is ``"service"`` for the service's target-tracking alarms and desiredCount changes,
    ``"cluster"`` for everything about instances, cluster alarms and standalone tasks.
    """

    time_seconds: int
    kind: str
    message: str
    source: str = "cluster"


@dataclass(frozen=True)
class ScalingResult:
    """Series sampled every ``step_seconds`` (index ``i`` = ``times_seconds[i]``), plus events.

    Tasks: ``desired_tasks`` is the service's desiredCount; ``running_tasks`` counts RUNNING tasks
    (service and standalone); ``placed_tasks`` those holding resources on an instance (PENDING or
    RUNNING); ``waiting_tasks`` those no instance could take yet (capacity provider:
    PROVISIONING; otherwise service tasks the scheduler keeps retrying); ``failed_tasks`` the
    cumulative RunTask failures. Cluster: ``instances`` in the ASG (launching included),
    ``registered_instances`` ACTIVE in the cluster. Metrics are NaN where CloudWatch has no data.
    """

    mode: str
    step_seconds: int
    times_seconds: np.ndarray
    load: np.ndarray
    service_metric: np.ndarray
    desired_tasks: np.ndarray
    running_tasks: np.ndarray
    placed_tasks: np.ndarray
    waiting_tasks: np.ndarray
    failed_tasks: np.ndarray
    instances: np.ndarray
    registered_instances: np.ndarray
    registered_memory_mib: np.ndarray
    reserved_memory_mib: np.ndarray
    largest_free_memory_mib: np.ndarray
    memory_reservation_percent: np.ndarray
    capacity_provider_reservation: np.ndarray
    events: list[ScalingEvent]
    failures: list[dict[str, str]]
    settings: dict[str, Any] = field(default_factory=dict)

    def events_of(self, kind: str) -> list[ScalingEvent]:
        """Events of one kind (see ``EVENT_KINDS``), in time order."""
        return [event for event in self.events if event.kind == kind]

    def at(self, time_seconds: float) -> dict[str, float]:
        """Every series' value in force at ``time_seconds``."""
        index = int(np.searchsorted(self.times_seconds, time_seconds, side="right")) - 1
        index = min(max(index, 0), len(self.times_seconds) - 1)
        return {name: self._series(name)[index].item() for name in _SERIES}

    def _series(self, name: str) -> np.ndarray:
        return getattr(self, name)

    def summary(self) -> dict[str, Any]:
        """The few numbers a learner compares between runs."""
        started = self.events_of("task_started")
        return {
            "mode": self.mode,
            "peak_desired_tasks": int(self.desired_tasks.max(initial=0)),
            "peak_instances": int(self.instances.max(initial=0)),
            "instance_minutes": int(self.instances.sum() * self.step_seconds // 60),
            "max_waiting_tasks": int(self.waiting_tasks.max(initial=0)),
            "failed_tasks": int(self.failed_tasks[-1]) if len(self.failed_tasks) else 0,
            "alarms": len(self.events_of("alarm")),
            "last_task_started_seconds": started[-1].time_seconds if started else None,
        }


_SERIES = (
    "load",
    "service_metric",
    "desired_tasks",
    "running_tasks",
    "placed_tasks",
    "waiting_tasks",
    "failed_tasks",
    "instances",
    "registered_instances",
    "registered_memory_mib",
    "reserved_memory_mib",
    "largest_free_memory_mib",
    "memory_reservation_percent",
    "capacity_provider_reservation",
)


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


def _check_step(step_seconds: int) -> None:
    if step_seconds <= 0 or (60 % step_seconds and step_seconds % 60):
        raise AutoScalingConfigError(
            f"step_seconds must divide 60 or be a multiple of 60 (CloudWatch publishes ECS "
            f"metrics every minute), got {step_seconds}. Try 60."
        )


@dataclass
class _Task:
    """One standalone task (few per run; service tasks are only counted)."""

    number: int
    name: str
    memory_mib: int
    cpu_units: int
    state: str = "PROVISIONING"
    instance: int = -1
    incompatible: bool = False


class _Simulation:
    """The time-stepped model behind every ``simulate_*`` function (one run, then discarded)."""

    def __init__(
        self,
        *,
        mode: str,
        step_seconds: int,
        steps: int,
        load: np.ndarray | None,
        policy: TargetTrackingPolicy | None,
        service_cpu_units: int,
        service_memory_mib: int,
        initial_desired_count: int | None,
        utilization_cap_percent: float | None,
        cluster: ClusterConfig | None,
        alarm: ClusterAlarmPolicy | None,
        managed: ManagedScaling | None,
        deploys: Sequence[Deploy],
        task_start_seconds: int,
    ) -> None:
        self.mode = mode
        self.step = step_seconds
        self.steps = steps
        self.load = load
        self.policy = policy
        self.svc_cpu = service_cpu_units
        self.svc_mem = service_memory_mib
        self.cap = utilization_cap_percent
        self.cluster = cluster
        self.alarm = alarm
        self.managed = managed
        self.deploys = sorted(deploys, key=lambda deploy: deploy.at_seconds)
        self.start_seconds = task_start_seconds
        self.initial_desired = initial_desired_count
        self.events: list[ScalingEvent] = []
        self.failures: list[dict[str, str]] = []
        # Instances (parallel lists; index = instance number - 1).
        self.status: list[int] = []  # 0 launching, 1 ACTIVE, 2 terminated
        self.launched_at: list[int] = []
        self.ready_at: list[int] = []
        self.mem_free: list[int] = []
        self.cpu_free: list[int] = []
        self.svc_on: list[int] = []  # service tasks placed per instance (PENDING + RUNNING)
        self.svc_running_on: list[int] = []
        self.tasks_on: list[list[int]] = []  # standalone task numbers per instance
        self.active: list[int] = []
        self.launching: list[int] = []
        self.warming: list[int] = []  # instances still inside instanceWarmupPeriod
        self.registered_mib = 0
        self.reserved_mib = 0
        # Service.
        self.desired = 0
        self.svc_running = 0
        self.svc_starting: deque[tuple[int, int]] = deque()  # (RUNNING at, instance)
        self.svc_waiting_reported = False
        self.tried_desired = -1
        self.service_incompatible = False
        self.out_cooldown_end = -1
        self.out_basis = 0
        self.in_cooldown_end = -1
        self.high_count = 0
        self.low_count = 0
        self.high_alarm = False
        self.low_alarm = False
        # Standalone tasks.
        self.tasks: list[_Task] = []
        self.task_starting: deque[tuple[int, int]] = deque()  # (RUNNING at, task number)
        self.provisioning: list[int] = []
        self.task_running = 0
        self.task_placed = 0
        self.failed = 0
        # Cluster scaling state.
        self.asg_busy_until = -1
        self.cluster_high_count = 0
        self.cluster_low_count = 0
        self.cluster_high_alarm = False
        self.cluster_low_alarm = False
        self.blocked_reported = ""
        self.capacity_changed = True

    # --- instances ------------------------------------------------------------------------

    def arn(self, index: int) -> str:
        name = self.cluster.cluster_name if self.cluster else "default"
        return f"arn:aws:ecs:{_ACCOUNT_REGION}:container-instance/{name}/{index + 1:032x}"

    def event(self, time_seconds: int, kind: str, message: str, source: str = "cluster") -> None:
        self.events.append(ScalingEvent(int(time_seconds), kind, message, source))

    def add_instance(self, time_seconds: int, *, ready: bool) -> int:
        config = self.cluster
        index = len(self.status)
        self.status.append(1 if ready else 0)
        self.launched_at.append(time_seconds if not ready else -(10**9))
        self.ready_at.append(time_seconds + (0 if ready else config.instance_boot_seconds))
        self.mem_free.append(config.instance_memory_mib)
        self.cpu_free.append(config.instance_cpu_units)
        self.svc_on.append(0)
        self.svc_running_on.append(0)
        self.tasks_on.append([])
        if ready:
            self.activate(index)
        else:
            self.launching.append(index)
            if self.managed is not None:
                self.warming.append(index)
        return index

    def activate(self, index: int) -> None:
        self.status[index] = 1
        self.active.append(index)
        self.active.sort()
        self.registered_mib += self.cluster.instance_memory_mib
        self.capacity_changed = True

    def launch(self, time_seconds: int, count: int, reason: str) -> None:
        for _ in range(count):
            index = self.add_instance(time_seconds, ready=False)
            self.event(
                time_seconds,
                "instance_launched",
                f"ASG launched instance {index + 1} ({reason}); registers in "
                f"{self.cluster.instance_boot_seconds} s",
            )

    def terminate(self, time_seconds: int, index: int, reason: str) -> None:
        self.status[index] = 2
        self.active.remove(index)
        total = self.cluster.instance_memory_mib
        self.registered_mib -= total
        self.reserved_mib -= total - self.mem_free[index]
        self.svc_running -= self.svc_running_on[index]
        if self.svc_on[index] > self.svc_running_on[index]:
            self.svc_starting = deque(item for item in self.svc_starting if item[1] != index)
        self.svc_on[index] = self.svc_running_on[index] = 0
        for number in self.tasks_on[index]:
            task = self.tasks[number - 1]
            if task.state == "RUNNING":
                self.task_running -= 1
            self.task_placed -= 1
            task.state = "STOPPED"
            self.event(
                time_seconds,
                "task_stopped",
                f"{task.name}#{task.number} stopped: its instance was terminated (standalone "
                "tasks are not restarted)",
            )
        if any(item[1] in self.tasks_on[index] for item in self.task_starting):
            gone = set(self.tasks_on[index])
            self.task_starting = deque(item for item in self.task_starting if item[1] not in gone)
        self.tasks_on[index] = []
        self.event(
            time_seconds, "instance_terminated", f"ASG terminated instance {index + 1} ({reason})"
        )
        self.capacity_changed = True

    def has_tasks(self, index: int) -> bool:
        return self.svc_on[index] > 0 or bool(self.tasks_on[index])

    # --- placement ------------------------------------------------------------------------

    def binpack(self, memory_mib: int, cpu_units: int) -> int:
        """The ACTIVE instance with the least remaining memory that still fits (lowest index on ties)."""
        best, best_free = -1, 0
        mem_free, cpu_free = self.mem_free, self.cpu_free
        for index in self.active:
            free = mem_free[index]
            if (
                free >= memory_mib
                and cpu_free[index] >= cpu_units
                and (best < 0 or free < best_free)
            ):
                best, best_free = index, free
        return best

    def reserve(self, index: int, memory_mib: int, cpu_units: int) -> None:
        self.mem_free[index] -= memory_mib
        self.cpu_free[index] -= cpu_units
        self.reserved_mib += memory_mib
        self.capacity_changed = True

    def release(self, index: int, memory_mib: int, cpu_units: int) -> None:
        self.mem_free[index] += memory_mib
        self.cpu_free[index] += cpu_units
        self.reserved_mib -= memory_mib
        self.capacity_changed = True

    def failure_reasons(self, memory_mib: int, cpu_units: int) -> list[dict[str, str]]:
        """ECS's ``failures``: each ACTIVE instance with the first check it fails (CPU, MEMORY)."""
        reasons = []
        for index in self.active:
            if self.cpu_free[index] < cpu_units:
                reasons.append({"arn": self.arn(index), "reason": REASON_CPU})
            elif self.mem_free[index] < memory_mib:
                reasons.append({"arn": self.arn(index), "reason": REASON_MEMORY})
        return reasons

    def place_service_task(self, time_seconds: int) -> bool:
        if self.cluster is None:
            self.svc_starting.append((time_seconds + self.start_seconds, -1))
            return True
        index = self.binpack(self.svc_mem, self.svc_cpu)
        if index < 0:
            return False
        self.reserve(index, self.svc_mem, self.svc_cpu)
        self.svc_on[index] += 1
        self.svc_starting.append((time_seconds + self.start_seconds, index))
        return True

    def stop_service_task(self) -> None:
        """Scale-in: a not-yet-RUNNING task first, else binpack's choice (most memory left after)."""
        if self.svc_starting:
            _, index = self.svc_starting.pop()
        else:
            index = -1
            if self.cluster is not None:
                best_free = -1
                for candidate in self.active:
                    if self.svc_running_on[candidate] and self.mem_free[candidate] >= best_free:
                        index, best_free = candidate, self.mem_free[candidate]
                self.svc_running_on[index] -= 1
            self.svc_running -= 1
        if index >= 0:
            self.svc_on[index] -= 1
            self.release(index, self.svc_mem, self.svc_cpu)

    def reconcile_service(self, time_seconds: int) -> None:
        """The service scheduler: start or stop tasks until placed tasks match desiredCount."""
        self.tried_desired = self.desired
        placed = self.svc_running + len(self.svc_starting)
        while placed > self.desired:
            self.stop_service_task()
            placed -= 1
        while placed < self.desired and self.place_service_task(time_seconds):
            placed += 1
        waiting = self.desired - placed
        if waiting and not self.svc_waiting_reported:
            self.svc_waiting_reported = True
            if self.mode == "capacity_provider":
                message = (
                    f"{waiting} service task(s) PROVISIONING: waiting for the capacity "
                    "provider to add instances"
                )
            else:
                message = (
                    f"service was unable to place {waiting} task(s) because no container "
                    "instance met all of its requirements (insufficient memory or CPU)"
                )
            self.event(time_seconds, "service_unable_to_place", message)
        elif not waiting:
            self.svc_waiting_reported = False

    def place_task(self, time_seconds: int, task: _Task, index: int) -> None:
        self.reserve(index, task.memory_mib, task.cpu_units)
        task.state, task.instance = "PENDING", index
        self.tasks_on[index].append(task.number)
        self.task_placed += 1
        self.task_starting.append((time_seconds + self.start_seconds, task.number))
        self.event(
            time_seconds,
            "task_pending",
            f"{task.name}#{task.number} ({task.memory_mib} MiB) placed on instance {index + 1}: PENDING",
        )

    def arrive(self, time_seconds: int, deploy: Deploy) -> None:
        """``run_task``: place each task now, or fail it, or (capacity provider) let it wait."""
        for _ in range(deploy.count):
            task = _Task(len(self.tasks) + 1, deploy.name, deploy.memory_mib, deploy.cpu_units)
            self.tasks.append(task)
            index = self.binpack(task.memory_mib, task.cpu_units)
            if index >= 0:
                self.place_task(time_seconds, task, index)
            elif self.mode == "capacity_provider":
                self.provisioning.append(task.number)
                self.event(
                    time_seconds,
                    "task_provisioning",
                    f"{task.name}#{task.number} ({task.memory_mib} MiB) fits no instance: "
                    "PROVISIONING until the capacity provider adds one",
                )
            else:
                reasons = self.failure_reasons(task.memory_mib, task.cpu_units) or [
                    {
                        "arn": f"arn:aws:ecs:{_ACCOUNT_REGION}:cluster/default",
                        "reason": REASON_MEMORY,
                    }
                ]
                self.failures.extend(reasons)
                task.state = "FAILED"
                self.failed += 1
                self.event(
                    time_seconds,
                    "task_failed",
                    f"{task.name}#{task.number} ({task.memory_mib} MiB) failed: "
                    f"{reasons[0]['reason']} (largest free block {self.largest_free_now()} MiB)",
                )

    def place_provisioning(self, time_seconds: int) -> None:
        still_waiting = []
        for number in self.provisioning:
            task = self.tasks[number - 1]
            index = self.binpack(task.memory_mib, task.cpu_units)
            if index >= 0:
                self.place_task(time_seconds, task, index)
            else:
                still_waiting.append(number)
        self.provisioning = still_waiting

    def largest_free_now(self) -> int:
        return max((self.mem_free[index] for index in self.active), default=0)

    # --- time passing ---------------------------------------------------------------------

    def advance(self, time_seconds: int) -> None:
        """Instances registering, warm-ups ending and tasks reaching RUNNING by ``time_seconds``."""
        if self.launching:
            for index in [i for i in self.launching if self.ready_at[i] <= time_seconds]:
                self.launching.remove(index)
                self.activate(index)
                self.event(
                    time_seconds,
                    "instance_ready",
                    f"instance {index + 1} registered with the cluster (ACTIVE, "
                    f"{self.cluster.instance_memory_mib} MiB)",
                )
        if self.warming:
            period = self.managed.instance_warmup_period_seconds
            for index in [i for i in self.warming if self.launched_at[i] + period <= time_seconds]:
                self.warming.remove(index)
                if self.status[index] != 2:
                    self.event(
                        time_seconds,
                        "instance_warmed_up",
                        f"instance {index + 1} past instanceWarmupPeriod ({period} s): "
                        "further scale-out allowed",
                    )
        starting = self.svc_starting
        while starting and starting[0][0] <= time_seconds:
            _, index = starting.popleft()
            self.svc_running += 1
            if index >= 0:
                self.svc_running_on[index] += 1
        while self.task_starting and self.task_starting[0][0] <= time_seconds:
            _, number = self.task_starting.popleft()
            task = self.tasks[number - 1]
            task.state = "RUNNING"
            self.task_running += 1
            self.event(
                time_seconds,
                "task_started",
                f"{task.name}#{task.number} RUNNING on instance {task.instance + 1}",
            )

    # --- service target tracking ----------------------------------------------------------

    def service_datapoint(self, load_value: float) -> float:
        running = self.svc_running
        if running == 0:
            return math.nan
        policy = self.policy
        if policy.metric_type == "ALBRequestCountPerTarget":
            return load_value / running
        per_task = (
            self.svc_cpu
            if policy.metric_type == "ECSServiceAverageCPUUtilization"
            else self.svc_mem
        )
        value = load_value / (running * per_task) * 100.0
        return value if self.cap is None else min(value, self.cap)

    def evaluate_service(
        self, time_seconds: int, datapoint: float, minutes: int, load_value: float
    ) -> None:
        """Target-tracking alarms and policy, once per 1-minute datapoint."""
        policy = self.policy
        if math.isnan(datapoint):
            # INSUFFICIENT_DATA: no scaling. From zero tasks, a request-count metric that shows
            # demand scales out by the minimum amount (service-auto-scaling, "scale to zero").
            self.high_count = self.low_count = 0
            self.high_alarm = self.low_alarm = False
            if (
                policy.metric_type == "ALBRequestCountPerTarget"
                and load_value > 0
                and self.desired == 0
                and policy.max_capacity > 0
            ):
                self.set_desired(
                    time_seconds,
                    max(1, policy.min_capacity),
                    "scale_out",
                    "demand with 0 running tasks: minimum possible scale-out",
                )
            return
        self.high_count = self.high_count + minutes if datapoint > policy.target_value else 0
        high = self.high_count >= policy.high_alarm_datapoints
        if high and not self.high_alarm:
            self.event(
                time_seconds,
                "alarm",
                f"TargetTracking AlarmHigh: {policy.metric_label} {datapoint:.2f} > "
                f"{policy.target_value:g} for {policy.high_alarm_datapoints} datapoint(s)",
                "service",
            )
        self.high_alarm = high
        low = False
        if not policy.disable_scale_in:
            below = datapoint < policy.scale_in_threshold
            self.low_count = self.low_count + minutes if below else 0
            low = self.low_count >= policy.low_alarm_datapoints
            if low and not self.low_alarm:
                self.event(
                    time_seconds,
                    "alarm",
                    f"TargetTracking AlarmLow: {policy.metric_label} {datapoint:.2f} < "
                    f"{policy.scale_in_threshold:g} for {policy.low_alarm_datapoints} datapoint(s)",
                    "service",
                )
            self.low_alarm = low
        if high:
            self.service_scale_out(time_seconds, datapoint)
        elif low:
            self.service_scale_in(time_seconds, datapoint)

    def service_scale_out(self, time_seconds: int, datapoint: float) -> None:
        policy = self.policy
        in_cooldown = time_seconds < self.out_cooldown_end
        # Scaling starts from the RUNNING count; inside the scale-out cooldown the capacity the
        # last scale-out added already counts, so only a larger proposal acts.
        basis = self.out_basis if in_cooldown else self.svc_running
        proposed = target_tracking_desired(basis, datapoint, policy.target_value)
        proposed = min(max(proposed, policy.min_capacity), policy.max_capacity)
        if proposed <= self.desired:
            return
        if not in_cooldown:
            self.out_basis = self.svc_running
        self.out_cooldown_end = time_seconds + policy.scale_out_cooldown_seconds
        self.in_cooldown_end = time_seconds  # a scale-out ends any scale-in cooldown
        self.set_desired(
            time_seconds,
            proposed,
            "scale_out",
            f"ceil({basis} × {datapoint:.1f} / {policy.target_value:g})",
        )

    def service_scale_in(self, time_seconds: int, datapoint: float) -> None:
        policy = self.policy
        if time_seconds < self.in_cooldown_end:
            return
        proposed = target_tracking_desired(self.svc_running, datapoint, policy.target_value)
        proposed = min(max(proposed, policy.min_capacity), policy.max_capacity)
        if proposed >= self.desired:
            return
        self.in_cooldown_end = time_seconds + policy.scale_in_cooldown_seconds
        self.set_desired(
            time_seconds,
            proposed,
            "scale_in",
            f"ceil({self.svc_running} × {datapoint:.1f} / {policy.target_value:g})",
        )

    def set_desired(self, time_seconds: int, desired: int, kind: str, why: str) -> None:
        message = f"service desiredCount {self.desired} -> {desired} ({why})"
        self.event(time_seconds, kind, message, "service")
        self.desired = desired

    # --- cluster alarm recipe (b) ----------------------------------------------------------

    def evaluate_cluster_alarms(self, time_seconds: int, reservation: float, minutes: int) -> None:
        alarm = self.alarm
        if math.isnan(reservation):
            self.cluster_high_count = self.cluster_low_count = 0
            self.cluster_high_alarm = self.cluster_low_alarm = False
            return
        if breaches(reservation, alarm.threshold_percent, alarm.comparison_operator):
            self.cluster_high_count += minutes
        else:
            self.cluster_high_count = 0
        high = self.cluster_high_count >= alarm.evaluation_periods
        if high and not self.cluster_high_alarm:
            self.event(
                time_seconds,
                "alarm",
                f"{alarm.alarm_name}: MemoryReservation {reservation:.1f}% "
                f"{_OPERATOR_SYMBOL[alarm.comparison_operator]} {alarm.threshold_percent:g}%",
            )
        self.cluster_high_alarm = high
        low = False
        if alarm.scale_in_threshold_percent is not None:
            if reservation < alarm.scale_in_threshold_percent:
                self.cluster_low_count += minutes
            else:
                self.cluster_low_count = 0
            low = self.cluster_low_count >= alarm.evaluation_periods
            if low and not self.cluster_low_alarm:
                self.event(
                    time_seconds,
                    "alarm",
                    f"memory-below-{alarm.scale_in_threshold_percent:g}-pct: MemoryReservation "
                    f"{reservation:.1f}% < {alarm.scale_in_threshold_percent:g}%",
                )
            self.cluster_low_alarm = low
        # CloudWatch re-invokes Auto Scaling actions every minute while in ALARM; the ASG acts
        # only outside its cooldown and when no activity is in progress.
        if time_seconds < self.asg_busy_until or (not high and not low):
            return
        size = len(self.active) + len(self.launching)
        config = self.cluster
        if high:
            count = min(alarm.scale_out_instances, config.max_size - size)
            if count > 0:
                self.launch(time_seconds, count, f"{alarm.alarm_name} in ALARM")
                self.asg_busy_until = (
                    time_seconds + config.instance_boot_seconds + alarm.cooldown_seconds
                )
        elif low:
            count = min(alarm.scale_in_instances, size - config.min_size, len(self.active))
            for _ in range(max(count, 0)):
                self.terminate(
                    time_seconds, self.active[-1], "low MemoryReservation alarm in ALARM"
                )
            if count > 0:
                self.asg_busy_until = time_seconds + alarm.cooldown_seconds

    # --- capacity provider managed scaling (c) --------------------------------------------

    def instances_needed(self, time_seconds: int) -> tuple[int, int]:
        """(M, estimate of extra instances) for the CapacityProviderReservation metric."""
        config = self.cluster
        managed = self.managed
        used = sum(1 for index in self.active if self.has_tasks(index))
        groups: dict[tuple[int, int], int] = {}
        waiting_service = self.desired - self.svc_running - len(self.svc_starting)
        if waiting_service > 0:
            groups[(self.svc_mem, self.svc_cpu)] = waiting_service
        for number in self.provisioning:
            task = self.tasks[number - 1]
            key = (task.memory_mib, task.cpu_units)
            groups[key] = groups.get(key, 0) + 1
        needed = 0
        compatible = 0
        for (memory_mib, cpu_units), count in groups.items():
            fits = min(
                config.instance_memory_mib // memory_mib if memory_mib else count,
                config.instance_cpu_units // cpu_units if cpu_units else count,
            )
            if fits < 1:
                self.report_incompatible(time_seconds, memory_mib, cpu_units, count)
                continue
            compatible += count
            needed += -(-count // fits)
        if groups and not compatible:
            return -1, 0  # every waiting task is too big: scaling stops at 100 %
        absorbed = min(needed, len(self.launching))
        extra = scale_out_step(
            needed - absorbed, managed.minimum_scaling_step_size, managed.maximum_scaling_step_size
        )
        return used + absorbed + extra, extra

    def report_incompatible(
        self, time_seconds: int, memory_mib: int, cpu_units: int, count: int
    ) -> None:
        """One event per task (or for the service) too big for the instance type."""
        size = (memory_mib, cpu_units)
        if size == (self.svc_mem, self.svc_cpu) and not self.service_incompatible:
            self.service_incompatible = True
            self.event(
                time_seconds,
                "task_incompatible",
                f"{count} service task(s) ({memory_mib} MiB, {cpu_units} CPU) are larger than the "
                "instance type: the capacity provider never scales for them",
            )
        for number in self.provisioning:
            task = self.tasks[number - 1]
            if (task.memory_mib, task.cpu_units) == size and not task.incompatible:
                task.incompatible = True
                self.event(
                    time_seconds,
                    "task_incompatible",
                    f"{task.name}#{task.number} ({memory_mib} MiB, {cpu_units} CPU) is larger than "
                    "the instance type: the capacity provider never scales for it",
                )

    def evaluate_capacity_provider(self, time_seconds: int, minutes: int) -> float:
        managed = self.managed
        size = len(self.active) + len(self.launching)
        needed, extra = self.instances_needed(time_seconds)
        if needed < 0:
            # Every waiting task is too big for the instance type: "cluster Auto Scaling stops
            # and the CapacityProviderReservation value remains at 100%".
            self.cluster_high_count = self.cluster_low_count = 0
            return 100.0
        reservation = capacity_provider_reservation(needed, size)
        if managed.status != "ENABLED":
            return reservation
        target = managed.target_capacity_percent
        self.cluster_high_count = self.cluster_high_count + minutes if reservation > target else 0
        self.cluster_low_count = self.cluster_low_count + minutes if reservation < target else 0
        high = self.cluster_high_count >= managed.high_alarm_datapoints
        low = self.cluster_low_count >= managed.low_alarm_datapoints
        if high and not self.cluster_high_alarm:
            self.event(
                time_seconds,
                "alarm",
                f"CapacityProviderReservation {reservation:.0f} > targetCapacity {target} "
                f"(M={needed}, N={size})",
            )
        if low and not self.cluster_low_alarm:
            self.event(
                time_seconds,
                "alarm",
                f"CapacityProviderReservation {reservation:.0f} < targetCapacity {target} for "
                f"{managed.low_alarm_datapoints} datapoints (M={needed}, N={size})",
            )
        self.cluster_high_alarm, self.cluster_low_alarm = high, low
        config = self.cluster
        if high:
            desired = min(config.max_size, math.ceil(round(needed * 100.0 / target, 9)))
            period = managed.instance_warmup_period_seconds
            warming = [i for i in self.warming if self.status[i] != 2]
            if any(self.launched_at[i] + period > time_seconds for i in warming):
                self.report_blocked(
                    time_seconds, "warm-up", "instance(s) inside instanceWarmupPeriod"
                )
            elif desired <= size:
                self.report_blocked(time_seconds, "max", f"ASG at MaxSize {config.max_size}")
            else:
                self.blocked_reported = ""
                self.launch(
                    time_seconds, desired - size, f"M={needed}, N={size}, +{extra} estimated"
                )
        elif low:
            desired = max(config.min_size, math.ceil(round(max(needed, 0) * 100.0 / target, 9)))
            empty = [index for index in self.active if not self.has_tasks(index)]
            # Scale-in is gradual: at most half the group (at least one instance) per minute.
            count = min(size - desired, len(empty), max(1, size // 2))
            for index in reversed(empty[-count:] if count > 0 else []):
                self.terminate(
                    time_seconds, index, "empty instance, CapacityProviderReservation low"
                )
        return reservation

    def report_blocked(self, time_seconds: int, key: str, why: str) -> None:
        if self.blocked_reported != key:
            self.blocked_reported = key
            self.event(time_seconds, "scale_out_blocked", f"managed scale-out waits: {why}")

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> ScalingResult:
        step, steps = self.step, self.steps
        load = self.load
        has_service = self.policy is not None
        has_cluster = self.cluster is not None
        if has_cluster:
            for _ in range(self.cluster.initial_instances):
                self.add_instance(0, ready=True)
        if has_service:
            self.desired = (
                self.initial_desired
                if self.initial_desired is not None
                else self.policy.min_capacity
            )
            for _ in range(self.desired):
                if not self.place_service_task(0):
                    break
            # Tasks present at the start are already RUNNING.
            while self.svc_starting:
                _, index = self.svc_starting.popleft()
                self.svc_running += 1
                if index >= 0:
                    self.svc_running_on[index] += 1
        per_minute = step >= 60
        minutes = step // 60 if per_minute else 1
        steps_per_minute = 1 if per_minute else 60 // step
        deploys, next_deploy = self.deploys, 0
        out = {name: [] for name in _SERIES}
        metric_sum, metric_steps = 0.0, 0
        mode = self.mode
        nan = math.nan
        cpr = nan
        for i in range(steps):
            t = i * step
            self.advance(t)
            while next_deploy < len(deploys) and deploys[next_deploy].at_seconds <= t:
                self.arrive(t, deploys[next_deploy])
                next_deploy += 1
            if self.provisioning and self.capacity_changed:
                self.place_provisioning(t)
            if has_service:
                placed = self.svc_running + len(self.svc_starting)
                if placed > self.desired or (
                    placed < self.desired
                    and (self.capacity_changed or self.desired != self.tried_desired)
                ):
                    self.reconcile_service(t)
                elif placed == self.desired:
                    self.svc_waiting_reported = False
            self.capacity_changed = False
            load_value = float(load[i]) if load is not None else 0.0
            metric = self.service_datapoint(load_value) if has_service else nan
            if metric == metric:
                metric_sum += metric
                metric_steps += 1
            reservation = memory_reservation_percent(self.reserved_mib, self.registered_mib)
            placed_now = self.svc_running + len(self.svc_starting) + self.task_placed
            waiting = max(0, self.desired - self.svc_running - len(self.svc_starting))
            waiting += len(self.provisioning)
            out["load"].append(load_value)
            out["service_metric"].append(metric)
            out["desired_tasks"].append(self.desired)
            out["running_tasks"].append(self.svc_running + self.task_running)
            out["placed_tasks"].append(placed_now)
            out["waiting_tasks"].append(waiting)
            out["failed_tasks"].append(self.failed)
            out["instances"].append(len(self.active) + len(self.launching))
            out["registered_instances"].append(len(self.active))
            out["registered_memory_mib"].append(self.registered_mib)
            out["reserved_memory_mib"].append(self.reserved_mib)
            out["largest_free_memory_mib"].append(self.largest_free_now() if has_cluster else 0)
            out["memory_reservation_percent"].append(reservation)
            # One CloudWatch datapoint per completed minute; policies act at the minute's end.
            if (i + 1) % steps_per_minute:
                out["capacity_provider_reservation"].append(cpr)
                continue
            # The cluster's datapoint describes the minute that just ended, so it is evaluated
            # before the service policy changes desiredCount: a task only becomes PROVISIONING
            # after the scheduler has tried to place it (next step).
            t_end = t + step
            if mode == "alarm":
                self.evaluate_cluster_alarms(t_end, reservation, minutes)
            elif mode == "capacity_provider":
                cpr = self.evaluate_capacity_provider(t_end, minutes)
            out["capacity_provider_reservation"].append(cpr)
            if has_service:
                datapoint = metric_sum / metric_steps if metric_steps else nan
                self.evaluate_service(t_end, datapoint, minutes, load_value)
                metric_sum, metric_steps = 0.0, 0
        return self.result(out)

    def result(self, out: dict[str, list]) -> ScalingResult:
        ints = {
            "desired_tasks",
            "running_tasks",
            "placed_tasks",
            "waiting_tasks",
            "failed_tasks",
            "instances",
            "registered_instances",
            "registered_memory_mib",
            "reserved_memory_mib",
            "largest_free_memory_mib",
        }
        arrays = {
            name: np.asarray(values, dtype=np.int64 if name in ints else float)
            for name, values in out.items()
        }
        settings: dict[str, Any] = {}
        if self.policy is not None:
            settings.update(
                target_value=self.policy.target_value,
                scale_in_threshold=self.policy.scale_in_threshold,
                metric_label=self.policy.metric_label,
                metric_type=self.policy.metric_type,
                min_capacity=self.policy.min_capacity,
                max_capacity=self.policy.max_capacity,
            )
        if self.alarm is not None:
            settings.update(
                memory_alarm_percent=self.alarm.threshold_percent,
                memory_low_alarm_percent=self.alarm.scale_in_threshold_percent,
                comparison_operator=self.alarm.comparison_operator,
            )
        if self.managed is not None:
            settings.update(
                target_capacity_percent=self.managed.target_capacity_percent,
                instance_warmup_period_seconds=self.managed.instance_warmup_period_seconds,
            )
        if self.cluster is not None:
            settings.update(
                instance_memory_mib=self.cluster.instance_memory_mib, max_size=self.cluster.max_size
            )
        return ScalingResult(
            mode=self.mode,
            step_seconds=self.step,
            times_seconds=np.arange(self.steps, dtype=np.int64) * self.step,
            events=self.events,
            failures=self.failures,
            settings=settings,
            **arrays,
        )


_OPERATOR_SYMBOL = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def _load_array(
    load: LoadCurve | np.ndarray | Sequence[float] | None,
    step_seconds: int | None,
    duration_seconds: int | None,
) -> tuple[np.ndarray | None, int, int]:
    """(values, step, steps) from a LoadCurve, a plain array, or only a duration."""
    if isinstance(load, LoadCurve):
        if step_seconds is not None and step_seconds != load.step_seconds:
            raise AutoScalingConfigError(
                f"step_seconds={step_seconds} differs from the load curve's "
                f"{load.step_seconds}; leave step_seconds out to use the curve's."
            )
        values, step = np.asarray(load.values, dtype=float), load.step_seconds
    elif load is not None:
        values, step = np.asarray(load, dtype=float), step_seconds or 60
    else:
        values, step = None, step_seconds or 60
    _check_step(step)
    if values is not None:
        if values.ndim != 1 or len(values) == 0:
            raise AutoScalingConfigError(
                "The load must be a non-empty 1-D series, one value per step."
            )
        steps = len(values)
        if duration_seconds is not None:
            steps = min(steps, max(1, duration_seconds // step))
            values = values[:steps]
    else:
        if duration_seconds is None or duration_seconds < step:
            raise AutoScalingConfigError(
                "Give a load curve or duration_seconds (at least one step) to simulate."
            )
        steps = duration_seconds // step
    return values, step, steps


def _run(
    mode: str,
    load: LoadCurve | np.ndarray | Sequence[float] | None,
    *,
    policy: TargetTrackingPolicy | None,
    cluster: ClusterConfig | None,
    alarm: ClusterAlarmPolicy | None = None,
    managed: ManagedScaling | None = None,
    deploys: Sequence[Deploy] = (),
    step_seconds: int | None,
    duration_seconds: int | None,
    service_cpu_units: int,
    service_memory_mib: int,
    initial_desired_count: int | None,
    task_start_seconds: int,
    utilization_cap_percent: float | None,
) -> ScalingResult:
    values, step, steps = _load_array(load, step_seconds, duration_seconds)
    if policy is not None and values is None:
        raise AutoScalingConfigError(
            "A service scaling policy needs a load curve to react to; pass load=load_curve(...)."
        )
    if values is not None and policy is None:
        policy = TargetTrackingPolicy()
    if service_cpu_units <= 0 or service_memory_mib <= 0:
        raise AutoScalingConfigError("Service tasks must reserve some CPU and memory.")
    if task_start_seconds < 0:
        raise AutoScalingConfigError("task_start_seconds cannot be negative.")
    if initial_desired_count is not None and initial_desired_count < 0:
        raise AutoScalingConfigError("initial_desired_count cannot be negative.")
    simulation = _Simulation(
        mode=mode,
        step_seconds=step,
        steps=steps,
        load=values,
        policy=policy,
        service_cpu_units=service_cpu_units,
        service_memory_mib=service_memory_mib,
        initial_desired_count=initial_desired_count,
        utilization_cap_percent=utilization_cap_percent,
        cluster=cluster,
        alarm=alarm,
        managed=managed,
        deploys=deploys,
        task_start_seconds=task_start_seconds,
    )
    return simulation.run()


def simulate_service_scaling(
    load: LoadCurve | np.ndarray | Sequence[float],
    policy: TargetTrackingPolicy | None = None,
    *,
    task_cpu_units: int = 1024,
    task_memory_mib: int = 2048,
    initial_desired_count: int | None = None,
    task_start_seconds: int = DEFAULT_TASK_START_SECONDS,
    utilization_cap_percent: float | None = 100.0,
    step_seconds: int | None = None,
    duration_seconds: int | None = None,
) -> ScalingResult:
    """(a) Service Auto Scaling by target tracking, with unlimited room to place tasks.

    ``load`` is demand per step (:func:`load_curve`); the service metric is
    ``load / (running × task size) × 100``, capped at ``utilization_cap_percent`` (a task-level
    ``cpu`` is a hard limit, so CPUUtilization tops out at 100 %; pass None for container-level
    shares only). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
    """
    return _run(
        "service",
        load,
        policy=policy or TargetTrackingPolicy(),
        cluster=None,
        step_seconds=step_seconds,
        duration_seconds=duration_seconds,
        service_cpu_units=task_cpu_units,
        service_memory_mib=task_memory_mib,
        initial_desired_count=initial_desired_count,
        task_start_seconds=task_start_seconds,
        utilization_cap_percent=utilization_cap_percent,
    )


def simulate_cluster_alarm_scaling(
    load: LoadCurve | np.ndarray | Sequence[float] | None = None,
    *,
    alarm: ClusterAlarmPolicy | None = ClusterAlarmPolicy(),
    cluster: ClusterConfig | None = None,
    deploys: Sequence[Deploy] = (),
    service_policy: TargetTrackingPolicy | None = None,
    task_cpu_units: int = 256,
    task_memory_mib: int = 512,
    initial_desired_count: int | None = None,
    task_start_seconds: int = DEFAULT_TASK_START_SECONDS,
    utilization_cap_percent: float | None = 100.0,
    step_seconds: int | None = None,
    duration_seconds: int | None = None,
) -> ScalingResult:
    """(b) An EC2 cluster grown by a CloudWatch alarm on ``MemoryReservation`` (None: fixed size).

    Standalone ``deploys`` are placed at once (binpack on memory) or fail with
    ``RESOURCE:MEMORY``; with a ``load``, a service scaled by ``service_policy`` runs too and its
    unplaceable tasks wait. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
    """
    return _run(
        "fixed" if alarm is None else "alarm",
        load,
        policy=service_policy,
        cluster=cluster or ClusterConfig(),
        alarm=alarm,
        deploys=deploys,
        step_seconds=step_seconds,
        duration_seconds=duration_seconds,
        service_cpu_units=task_cpu_units,
        service_memory_mib=task_memory_mib,
        initial_desired_count=initial_desired_count,
        task_start_seconds=task_start_seconds,
        utilization_cap_percent=utilization_cap_percent,
    )


def simulate_capacity_provider(
    load: LoadCurve | np.ndarray | Sequence[float] | None = None,
    *,
    managed_scaling: ManagedScaling | None = None,
    cluster: ClusterConfig | None = None,
    deploys: Sequence[Deploy] = (),
    service_policy: TargetTrackingPolicy | None = None,
    task_cpu_units: int = 256,
    task_memory_mib: int = 512,
    initial_desired_count: int | None = None,
    task_start_seconds: int = DEFAULT_TASK_START_SECONDS,
    utilization_cap_percent: float | None = 100.0,
    step_seconds: int | None = None,
    duration_seconds: int | None = None,
) -> ScalingResult:
    """(c) An ASG capacity provider with managed scaling: tasks that fit nowhere PROVISION.

    Every minute ECS estimates M (instances with tasks + instances the provisioning tasks need,
    binpacked per group of identical tasks, launching instances absorbing them first, the extra
    clamped by the step sizes) and N (instances in the ASG) and publishes M / N × 100. Above
    ``targetCapacity`` (1 datapoint) the ASG goes to ``ceil(M × 100 / targetCapacity)``, unless an
    instance is still inside ``instanceWarmupPeriod``; below it for 15 datapoints, empty
    instances are terminated. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
    """
    return _run(
        "capacity_provider",
        load,
        policy=service_policy,
        cluster=cluster or ClusterConfig(),
        managed=managed_scaling or ManagedScaling(),
        deploys=deploys,
        step_seconds=step_seconds,
        duration_seconds=duration_seconds,
        service_cpu_units=task_cpu_units,
        service_memory_mib=task_memory_mib,
        initial_desired_count=initial_desired_count,
        task_start_seconds=task_start_seconds,
        utilization_cap_percent=utilization_cap_percent,
    )


# --------------------------------------------------------------------------------------------
# The seed scenario: "Deploying a task that will over-subscribe your ECS cluster"
# --------------------------------------------------------------------------------------------

#: Two instances registering 4096 MiB each (8 GiB in the cluster).
SEED_CLUSTER = ClusterConfig(
    instance_memory_mib=4096, instance_cpu_units=2048, initial_instances=2, min_size=1, max_size=4
)
#: Services deployed one after another (1 GiB tasks), then the 2 GiB task at minute 40. After the
#: 6th 1 GiB task MemoryReservation is exactly 75 % (not > 75); the 7th takes it to 87.5 % and
#: leaves 1 GiB free, split so that no instance has 2 GiB.
SEED_DEPLOYS = (
    Deploy(0, 1024, count=4, name="web"),
    Deploy(10 * 60, 1024, count=2, name="worker"),
    Deploy(20 * 60, 1024, count=1, name="penultimate"),
    Deploy(40 * 60, 2048, count=1, name="big-task"),
)
SEED_DURATION_SECONDS = 60 * 60
_SEED_MODES = ("none", "alarm75", "capacity_provider")


def seed_scenario(
    mode: str = "alarm75",
    *,
    big_task_memory_mib: int = 2048,
    alarm: ClusterAlarmPolicy | None = None,
    managed_scaling: ManagedScaling | None = None,
    cluster: ClusterConfig | None = None,
    task_start_seconds: int = 30,
) -> ScalingResult:
    """The seed's over-subscription story: a 2 GiB task arriving at a cluster with 1 GiB free.

    ``"none"``: fixed cluster, the task fails with ``RESOURCE:MEMORY``. ``"alarm75"``: the
    ``MemoryReservation > 75`` alarm fired on the penultimate deploy, the ASG added an instance
    and the task fits. ``"capacity_provider"``: the task waits in PROVISIONING, managed scaling
    adds an instance, the task starts once it registers.
    """
    if mode not in _SEED_MODES:
        raise AutoScalingConfigError(
            f"Unknown seed scenario mode {mode!r}; expected one of {', '.join(_SEED_MODES)}."
        )
    deploys = [*SEED_DEPLOYS[:-1], Deploy(40 * 60, big_task_memory_mib, name="big-task")]
    cluster = cluster or SEED_CLUSTER
    common = dict(
        cluster=cluster,
        deploys=deploys,
        duration_seconds=SEED_DURATION_SECONDS,
        task_start_seconds=task_start_seconds,
    )
    if mode == "capacity_provider":
        return simulate_capacity_provider(managed_scaling=managed_scaling, **common)
    if mode == "none":
        return simulate_cluster_alarm_scaling(alarm=None, **common)
    return simulate_cluster_alarm_scaling(alarm=alarm or ClusterAlarmPolicy(), **common)


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------

_EVENT_STYLE = {
    # kind: (panel, marker, palette index, label)
    "alarm": ("reservation", "v", 3, "alarm"),
    "scale_out": ("tasks", "^", 4, "desiredCount up"),
    "scale_in": ("tasks", "v", 4, "desiredCount down"),
    "instance_launched": ("instances", "^", 2, "instance launched"),
    "instance_ready": ("instances", "s", 0, "instance registered"),
    "instance_warmed_up": ("instances", "D", 5, "warm-up over"),
    "instance_terminated": ("instances", "x", 3, "instance terminated"),
    "task_pending": ("tasks", "o", 0, "task placed (PENDING)"),
    "task_provisioning": ("tasks", "P", 1, "task PROVISIONING"),
    "task_started": ("tasks", "*", 2, "task RUNNING"),
    "task_failed": ("tasks", "X", 3, "task failed"),
    "task_stopped": ("tasks", "x", 7, "task stopped"),
    "task_incompatible": ("tasks", "X", 7, "task too big"),
    "service_unable_to_place": ("tasks", "d", 1, "service cannot place"),
    "scale_out_blocked": ("instances", "|", 7, "scale-out blocked"),
}
#: Events worth a text label (when there are few of them); the rest get markers only.
_LABELLED_EVENTS = {
    "alarm", "instance_launched", "instance_ready", "instance_warmed_up", "instance_terminated",
    "task_failed", "task_provisioning", "task_incompatible", "task_stopped", "scale_out_blocked",
}  # fmt: skip
_LABEL_AT_MOST = 12
_SCALING_TITLES = {
    "service": "Service Auto Scaling (target tracking)",
    "fixed": "Fixed-size cluster (no scaling)",
    "alarm": "Cluster scaled by a MemoryReservation alarm",
    "capacity_provider": "Capacity provider with managed scaling",
}


def _time_axis(result: ScalingResult) -> tuple[float, str]:
    """Minutes for runs up to 6 hours, hours beyond."""
    span = len(result.times_seconds) * result.step_seconds
    return (60.0, "time (minutes)") if span <= 6 * 3600 else (3600.0, "time (hours)")


def _default_title(result: ScalingResult) -> str:
    failed = result.summary()["failed_tasks"]
    return _SCALING_TITLES[result.mode] + (f", {failed} task(s) failed" if failed else "")


def _steps(ax: Axes, x: np.ndarray, y: np.ndarray, colour: str, label: str, **style: Any) -> None:
    ax.step(x, y, where="post", color=colour, linewidth=style.pop("linewidth", 1.2), label=label,
            **style)  # fmt: skip


def _level(ax: Axes, value: float, colour: str, label: str, linestyle: str = "--") -> None:
    ax.axhline(value, color=colour, linestyle=linestyle, linewidth=1, label=label)


def plot_scaling(result: ScalingResult, *, title: str | None = None) -> Figure:
    """Load, service metric, tasks, instances and reservation over time, on one shared time axis.

    Target and threshold lines are drawn where they apply. Events are marked on their panel
    (alarms on the metric they watch, instance launched / registered on the instance panel, task
    pending / started / failed on the task panel) and labelled when there are few of them.
    """
    from matplotlib.ticker import MaxNLocator

    from ecs_workbook import plots

    colour = plots.PALETTE
    settings = result.settings
    has_service = "target_value" in settings
    panels = (["load", "metric"] if has_service else []) + ["tasks"]
    if result.mode != "service":
        panels += ["instances", "reservation"]
    fig, axes = plots.new_figure(len(panels), 1, sharex=True,
                                 figsize=(10.0, 1.8 * len(panels) + 0.9))  # fmt: skip
    axes = list(np.atleast_1d(axes))
    panel = dict(zip(panels, axes, strict=True))
    scale, xlabel = _time_axis(result)
    x = result.times_seconds / scale

    if has_service:
        cpu = settings["metric_type"] == "ECSServiceAverageCPUUtilization"
        ax = panel["load"]
        ax.plot(x, result.load / 1024.0 if cpu else result.load, color=colour[7], linewidth=1,
                label="demand")  # fmt: skip
        ax.set_ylabel("vCPU busy" if cpu else "demand")
        ax.set_title("Load on the service")
        ax = panel["metric"]
        ax.plot(x, result.service_metric, color=colour[0], linewidth=1,
                label=settings["metric_label"])  # fmt: skip
        _level(ax, settings["target_value"], colour[3], f"TargetValue {settings['target_value']:g}")
        _level(ax, settings["scale_in_threshold"], colour[2],
               f"scale-in below {settings['scale_in_threshold']:g}", ":")  # fmt: skip
        ax.set_ylabel(settings["metric_label"].split(" (")[-1].rstrip(")"))
        ax.set_title(f"Service metric: {settings['metric_label']}")

    ax = panel["tasks"]
    if has_service:
        _steps(ax, x, result.desired_tasks, colour[4], "desiredCount", linewidth=2.4, alpha=0.45)
    _steps(ax, x, result.running_tasks, colour[0], "RUNNING")
    if result.waiting_tasks.any():
        waiting = "PROVISIONING" if result.mode == "capacity_provider" else "waiting for room"
        _steps(ax, x, result.waiting_tasks, colour[1], waiting)
    if result.failed_tasks.any():
        _steps(ax, x, result.failed_tasks, colour[3], "failed (cumulative)")
    ax.set_ylabel("tasks (count)")
    ax.set_title("Tasks")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    if result.mode != "service":
        ax = panel["instances"]
        _steps(ax, x, result.instances, colour[2], "in the Auto Scaling group")
        _steps(ax, x, result.registered_instances, colour[0], "registered (ACTIVE)", linestyle="--")
        ax.set_ylim(0, int(result.instances.max(initial=0)) + 1.5)
        ax.set_ylabel("instances (count)")
        ax.set_title("Container instances")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax = panel["reservation"]
        if result.mode == "capacity_provider":
            _steps(ax, x, result.capacity_provider_reservation, colour[0],
                   "CapacityProviderReservation")  # fmt: skip
            target = settings["target_capacity_percent"]
            _level(ax, target, colour[3], f"targetCapacity {target}")
            ax.set_title("CapacityProviderReservation = M / N × 100")
        else:
            _steps(ax, x, result.memory_reservation_percent, colour[0], "MemoryReservation")
            if "memory_alarm_percent" in settings:
                symbol = _OPERATOR_SYMBOL[settings["comparison_operator"]]
                high = settings["memory_alarm_percent"]
                _level(ax, high, colour[3], f"scale-out alarm {symbol} {high:g}%")
                low = settings.get("memory_low_alarm_percent")
                if low is not None:
                    _level(ax, low, colour[2], f"scale-in alarm < {low:g}%", ":")
            ax.set_title("Cluster MemoryReservation")
        ax.set_ylabel("percent (%)")

    _mark_events(result, panel, scale, colour)
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=7)
    axes[-1].set_xlabel(xlabel)
    axes[-1].set_xlim(0, len(x) * result.step_seconds / scale)
    fig.suptitle(title or _default_title(result))
    return fig


def _mark_events(result: ScalingResult, panel: dict[str, Axes], scale: float,
                 palette: list[str]) -> None:  # fmt: skip
    """Markers along the top of each event's panel; text labels for the key events when few."""
    groups: dict[str, list[ScalingEvent]] = {}
    for event in result.events:
        name = _EVENT_STYLE[event.kind][0]
        if event.kind == "alarm" and event.source == "service":
            name = "metric"  # target-tracking alarms watch the service's metric
        if name in panel:
            groups.setdefault((event.kind, name), []).append(event)
    labelled = [
        e for (kind, _), events in groups.items() if kind in _LABELLED_EVENTS for e in events
    ]
    label = len(labelled) <= _LABEL_AT_MOST
    row = dict.fromkeys(panel, 0)  # stagger labels within a panel so neighbours don't overlap
    for (kind, name), events in groups.items():
        _, marker, colour_index, text = _EVENT_STYLE[kind]
        ax = panel[name]
        colour = palette[colour_index]
        xs = [event.time_seconds / scale for event in events]
        ax.scatter(xs, [1.0] * len(xs), transform=ax.get_xaxis_transform(), marker=marker, s=30,
                   color=colour, zorder=5, clip_on=False, label=text)  # fmt: skip
        if not (label and kind in _LABELLED_EVENTS):
            continue
        for event in events:
            slot, row[name] = row[name], row[name] + 1
            ax.axvline(event.time_seconds / scale, color=colour, linewidth=0.8, linestyle=":")
            ax.annotate(text, xy=(event.time_seconds / scale, 0.88 - 0.15 * (slot % 4)),
                        xycoords=ax.get_xaxis_transform(), xytext=(3, 0),
                        textcoords="offset points", fontsize=7, color=colour, va="top")  # fmt: skip


def plot_oversubscription(result: ScalingResult, *, title: str | None = None) -> Figure:
    """Tasks placed vs waiting for room over time, and the memory that decides it.

    Top: tasks holding resources on an instance vs tasks no instance can take yet (PROVISIONING
    with a capacity provider) and cumulative RunTask failures. Bottom: memory registered vs
    reserved, and the largest free block on any one instance: a task fits only if it fits on *one*
    instance, however much the cluster has free in total.
    """
    from ecs_workbook import plots

    if result.mode == "service":
        raise AutoScalingConfigError(
            "This result has no cluster (simulate_service_scaling places tasks anywhere); use "
            "simulate_cluster_alarm_scaling or simulate_capacity_provider for this view."
        )
    colour = plots.PALETTE
    fig, (top, bottom) = plots.new_figure(2, 1, sharex=True, figsize=(10.0, 5.6))
    scale, xlabel = _time_axis(result)
    x = result.times_seconds / scale
    waiting = ("PROVISIONING (waiting for capacity)" if result.mode == "capacity_provider"
               else "waiting for room (service tasks)")  # fmt: skip
    top.stackplot(x, result.placed_tasks, result.waiting_tasks, step="post", alpha=0.8,
                  colors=[colour[0], colour[1]],
                  labels=["placed on an instance (PENDING + RUNNING)", waiting])  # fmt: skip
    _steps(top, x, result.failed_tasks, colour[3], "failed: RESOURCE:* (cumulative)", linewidth=1.6)
    top.set_ylabel("tasks (count)")
    top.set_title("Tasks placed vs waiting")

    _steps(bottom, x, result.registered_memory_mib, colour[2], "registered")
    _steps(bottom, x, result.reserved_memory_mib, colour[0], "reserved by tasks")
    _steps(bottom, x, result.largest_free_memory_mib, colour[1],
           "largest free on one instance", linestyle="--")  # fmt: skip
    for event in result.events_of("task_failed") + result.events_of("task_provisioning"):
        bottom.axvline(event.time_seconds / scale, color=colour[3], linestyle=":", linewidth=1)
    bottom.set_ylabel("memory (MiB)")
    bottom.set_title("Cluster memory")
    bottom.set_xlabel(xlabel)
    bottom.set_xlim(0, len(x) * result.step_seconds / scale)
    for ax in (top, bottom):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=7)
    fig.suptitle(title or f"Over-subscription: {_default_title(result)}")
    return fig


# --------------------------------------------------------------------------------------------
# Interactive forms (ecs_workbook.plots.interactive)
# --------------------------------------------------------------------------------------------


def service_scaling_explorer(
    target_value: float = 75.0,
    scale_out_cooldown_seconds: int = 300,
    scale_in_cooldown_seconds: int = 300,
    disable_scale_in: int = 0,
    days: int = 1,
) -> Figure:
    """Slider-friendly wrapper around (a) on a diurnal load (``disable_scale_in`` as 0 or 1)."""
    policy = TargetTrackingPolicy(
        target_value=target_value,
        scale_out_cooldown_seconds=scale_out_cooldown_seconds,
        scale_in_cooldown_seconds=scale_in_cooldown_seconds,
        disable_scale_in=bool(disable_scale_in),
        min_capacity=1,
        max_capacity=20,
    )
    return plot_scaling(simulate_service_scaling(load_curve("diurnal", days=days), policy))


def interactive_service_scaling() -> Any:
    """Sliders for TargetValue, the two cooldowns, DisableScaleIn and the run length."""
    from ecs_workbook import plots

    return plots.interactive(
        service_scaling_explorer,
        target_value=(20.0, 95.0, 5.0, 75.0),
        scale_out_cooldown_seconds=(0, 900, 60, 300),
        scale_in_cooldown_seconds=(0, 900, 60, 300),
        disable_scale_in=(0, 1, 1, 0),
        days=(1, 7, 1, 1),
    )


def cluster_alarm_explorer(
    threshold_percent: float = 75.0,
    big_task_memory_mib: int = 2048,
    instance_boot_seconds: int = DEFAULT_INSTANCE_BOOT_SECONDS,
    greater_or_equal: int = 0,
) -> Figure:
    """The seed scenario under (b) with a movable alarm threshold (``greater_or_equal`` 0 or 1)."""
    alarm = ClusterAlarmPolicy(
        threshold_percent=threshold_percent,
        comparison_operator="GreaterThanOrEqualToThreshold"
        if greater_or_equal
        else "GreaterThanThreshold",
        alarm_name=f"memory-above-{threshold_percent:g}-pct",
    )
    cluster = ClusterConfig(
        instance_memory_mib=4096,
        instance_cpu_units=2048,
        initial_instances=2,
        min_size=1,
        max_size=4,
        instance_boot_seconds=instance_boot_seconds,
    )
    result = seed_scenario(
        "alarm75", big_task_memory_mib=big_task_memory_mib, alarm=alarm, cluster=cluster
    )
    return plot_scaling(result)


def interactive_cluster_alarm() -> Any:
    """Sliders for the MemoryReservation alarm threshold, the big task and the boot time."""
    from ecs_workbook import plots

    return plots.interactive(
        cluster_alarm_explorer,
        threshold_percent=(50.0, 95.0, 5.0, 75.0),
        big_task_memory_mib=(512, 4096, 512, 2048),
        instance_boot_seconds=(30, 600, 30, DEFAULT_INSTANCE_BOOT_SECONDS),
        greater_or_equal=(0, 1, 1, 0),
    )


def capacity_provider_explorer(
    target_capacity_percent: int = 100,
    maximum_scaling_step_size: int = 10,
    instance_warmup_period_seconds: int = 300,
    instance_boot_seconds: int = DEFAULT_INSTANCE_BOOT_SECONDS,
) -> Figure:
    """(a) + (c): a service on a spike load, its cluster grown by managed scaling."""
    managed = ManagedScaling(
        target_capacity_percent=target_capacity_percent,
        maximum_scaling_step_size=maximum_scaling_step_size,
        instance_warmup_period_seconds=instance_warmup_period_seconds,
    )
    cluster = ClusterConfig(
        instance_memory_mib=4096,
        instance_cpu_units=2048,
        initial_instances=1,
        min_size=0,
        max_size=12,
        instance_boot_seconds=instance_boot_seconds,
    )
    load = load_curve("spike", days=0.25, base=2048.0, peak=12288.0)
    policy = TargetTrackingPolicy(
        target_value=60.0,
        min_capacity=2,
        max_capacity=40,
        scale_out_cooldown_seconds=60,
        scale_in_cooldown_seconds=300,
    )
    result = simulate_capacity_provider(
        load,
        managed_scaling=managed,
        cluster=cluster,
        service_policy=policy,
        task_cpu_units=512,
        task_memory_mib=1024,
    )
    return plot_scaling(result)


def interactive_capacity_provider() -> Any:
    """Sliders for targetCapacity, maximumScalingStepSize, instanceWarmupPeriod and boot time."""
    from ecs_workbook import plots

    return plots.interactive(
        capacity_provider_explorer,
        target_capacity_percent=(50, 100, 5, 100),
        maximum_scaling_step_size=(1, 10, 1, 10),
        instance_warmup_period_seconds=(0, 900, 60, 300),
        instance_boot_seconds=(30, 600, 30, DEFAULT_INSTANCE_BOOT_SECONDS),
    )
