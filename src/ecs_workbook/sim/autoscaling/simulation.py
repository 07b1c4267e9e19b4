"""The time-stepped run behind every mechanism, and the three ``simulate_*`` entry points.

Each step: instances register and tasks reach RUNNING, standalone tasks arrive, the service
scheduler places or stops tasks, series are sampled; at the end of every minute the cluster's
mechanism (alarm or managed scaling) and then the service's target tracking evaluate their
CloudWatch datapoint. Deterministic; the step defaults to 60 s, the period of every ECS metric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .alarm import ClusterAlarmScaling
from .arithmetic import memory_reservation_percent
from .capacity_provider import CapacityProviderScaling
from .cluster import ClusterConfig, Deploy
from .constants import DEFAULT_TASK_START_SECONDS
from .errors import AutoScalingConfigError
from .load import LoadCurve, load_values
from .policies import ClusterAlarmPolicy, ManagedScaling, TargetTrackingPolicy
from .results import SERIES, ScalingResult
from .service import ServiceScaling


class _Simulation(ServiceScaling, ClusterAlarmScaling, CapacityProviderScaling):
    """The time-stepped model behind every ``simulate_*`` function (one run, then discarded)."""

    def __init__(
        self,
        *,
        step_seconds: int,
        steps: int,
        load: np.ndarray | None,
        deploys: Sequence[Deploy],
        **mechanism_options: Any,
    ) -> None:
        super().__init__(**mechanism_options)
        self.step = step_seconds
        self.steps = steps
        self.load = load
        self.deploys = sorted(deploys, key=lambda deploy: deploy.at_seconds)

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
        out = {name: [] for name in SERIES}
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
        arrays = {name: np.asarray(values, dtype=SERIES[name]) for name, values in out.items()}
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


#: The tutorial's alarm (MemoryReservation > 75 % for 1 period), the default of (b).
_TUTORIAL_ALARM = ClusterAlarmPolicy()

#: The keyword arguments every ``simulate_*`` function takes and passes to :func:`_run` unchanged.
_SHARED_ARGUMENTS = (
    "load",
    "task_cpu_units",
    "task_memory_mib",
    "initial_desired_count",
    "task_start_seconds",
    "utilization_cap_percent",
    "step_seconds",
    "duration_seconds",
)


def _shared(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The shared keyword arguments out of a ``simulate_*`` function's ``locals()``."""
    return {name: arguments[name] for name in _SHARED_ARGUMENTS}


def _run(
    mode: str,
    *,
    load: LoadCurve | np.ndarray | Sequence[float] | None,
    policy: TargetTrackingPolicy | None,
    cluster: ClusterConfig | None,
    alarm: ClusterAlarmPolicy | None = None,
    managed: ManagedScaling | None = None,
    deploys: Sequence[Deploy] = (),
    step_seconds: int | None,
    duration_seconds: int | None,
    task_cpu_units: int,
    task_memory_mib: int,
    initial_desired_count: int | None,
    task_start_seconds: int,
    utilization_cap_percent: float | None,
) -> ScalingResult:
    """Check the inputs every mechanism shares, then run one :class:`_Simulation`."""
    values, step, steps = load_values(load, step_seconds, duration_seconds)
    if policy is not None and values is None:
        raise AutoScalingConfigError(
            "A service scaling policy needs a load curve to react to; pass load=load_curve(...)."
        )
    if values is not None and policy is None:
        policy = TargetTrackingPolicy()
    if task_cpu_units <= 0 or task_memory_mib <= 0:
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
        service_cpu_units=task_cpu_units,
        service_memory_mib=task_memory_mib,
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
        "service", policy=policy or TargetTrackingPolicy(), cluster=None, **_shared(locals())
    )


def simulate_cluster_alarm_scaling(
    load: LoadCurve | np.ndarray | Sequence[float] | None = None,
    *,
    alarm: ClusterAlarmPolicy | None = _TUTORIAL_ALARM,
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
        policy=service_policy,
        cluster=cluster or ClusterConfig(),
        alarm=alarm,
        deploys=deploys,
        **_shared(locals()),
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
        policy=service_policy,
        cluster=cluster or ClusterConfig(),
        managed=managed_scaling or ManagedScaling(),
        deploys=deploys,
        **_shared(locals()),
    )
