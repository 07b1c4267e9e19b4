"""The scaling settings as the AWS APIs spell them, and adapters from the APIs' own dicts.

:class:`TargetTrackingPolicy` is Application Auto Scaling's target tracking on a service,
:class:`ClusterAlarmPolicy` the classic MemoryReservation alarm recipe, :class:`ManagedScaling` a
capacity provider's ``managedScaling``; ``from_*`` read ``put_scaling_policy`` /
``describe_capacity_providers`` shapes. Values AWS would reject raise
:class:`~.errors.AutoScalingConfigError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .constants import (
    CAPACITY_PROVIDER_HIGH_ALARM_DATAPOINTS,
    CAPACITY_PROVIDER_LOW_ALARM_DATAPOINTS,
    COMPARISON_OPERATORS,
    DEFAULT_ASG_COOLDOWN_SECONDS,
    DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS,
    DEFAULT_MAXIMUM_SCALING_STEP_SIZE,
    DEFAULT_MINIMUM_SCALING_STEP_SIZE,
    DEFAULT_SERVICE_COOLDOWN_SECONDS,
    DEFAULT_TARGET_CAPACITY_PERCENT,
    MEMORY_ALARM_LOW_THRESHOLD_PERCENT,
    MEMORY_ALARM_THRESHOLD_PERCENT,
    PREDEFINED_METRICS,
    SCALE_IN_THRESHOLD_RATIO,
    SERVICE_HIGH_ALARM_DATAPOINTS,
    SERVICE_LOW_ALARM_DATAPOINTS,
)
from .errors import AutoScalingConfigError


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
