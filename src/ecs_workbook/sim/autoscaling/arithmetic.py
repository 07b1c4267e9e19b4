"""The documented formulas: target tracking's new capacity, CapacityProviderReservation, step sizes.

Each is a pure function of numbers, so a learner can check one example by hand.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
"""

from __future__ import annotations

import math

from .errors import AutoScalingConfigError


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
