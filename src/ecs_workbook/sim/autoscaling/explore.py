"""Slider-friendly explorers of the three mechanisms and their interactive forms.

Each explorer takes plain numbers (0/1 for switches) and returns :func:`~.plot.plot_scaling`'s
figure; each ``interactive_*`` gives it sliders in JupyterLab and one static figure elsewhere.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ecs_workbook.sim import _explore

from .cluster import ClusterConfig
from .constants import DEFAULT_INSTANCE_BOOT_SECONDS
from .load import load_curve
from .plot import plot_scaling
from .policies import ClusterAlarmPolicy, ManagedScaling, TargetTrackingPolicy
from .scenario import SEED_CLUSTER, seed_scenario
from .simulation import simulate_capacity_provider, simulate_service_scaling

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
    return _explore.slider_form(
        service_scaling_explorer,
        target_value=(20.0, 95.0, 5.0),
        scale_out_cooldown_seconds=(0, 900, 60),
        scale_in_cooldown_seconds=(0, 900, 60),
        disable_scale_in=(0, 1, 1),
        days=(1, 7, 1),
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
    cluster = replace(SEED_CLUSTER, instance_boot_seconds=instance_boot_seconds)
    result = seed_scenario(
        "alarm75", big_task_memory_mib=big_task_memory_mib, alarm=alarm, cluster=cluster
    )
    return plot_scaling(result)


def interactive_cluster_alarm() -> Any:
    """Sliders for the MemoryReservation alarm threshold, the big task and the boot time."""
    return _explore.slider_form(
        cluster_alarm_explorer,
        threshold_percent=(50.0, 95.0, 5.0),
        big_task_memory_mib=(512, 4096, 512),
        instance_boot_seconds=(30, 600, 30),
        greater_or_equal=(0, 1, 1),
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
    return _explore.slider_form(
        capacity_provider_explorer,
        target_capacity_percent=(50, 100, 5),
        maximum_scaling_step_size=(1, 10, 1),
        instance_warmup_period_seconds=(0, 900, 60),
        instance_boot_seconds=(30, 600, 30),
    )
