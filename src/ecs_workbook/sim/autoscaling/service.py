"""(a) The service: its scheduler keeps desiredCount tasks placed; target tracking changes desiredCount.

Target tracking scales out when the metric is above the target (new desired =
``ceil(running × metric / target)``, starting from the *running* count), scales in only after the
metric has stayed ~10 % below the target, and spaces activities with ``ScaleOutCooldown`` /
``ScaleInCooldown``. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
"""

from __future__ import annotations

import math
from typing import Any

from .arithmetic import target_tracking_desired
from .cloudwatch import AlarmState
from .placement import ClusterModel
from .policies import TargetTrackingPolicy


class ServiceScaling(ClusterModel):
    """The service scheduler and its target-tracking policy (one run of one service)."""

    def __init__(
        self,
        *,
        policy: TargetTrackingPolicy | None,
        initial_desired_count: int | None,
        utilization_cap_percent: float | None,
        **cluster_options: Any,
    ) -> None:
        super().__init__(**cluster_options)
        self.policy = policy
        self.cap = utilization_cap_percent
        self.initial_desired = initial_desired_count
        self.svc_waiting_reported = False
        self.tried_desired = -1
        self.out_cooldown_end = -1
        self.out_basis = 0
        self.in_cooldown_end = -1
        if policy is not None:
            self.high_alarm = AlarmState(policy.high_alarm_datapoints)
            self.low_alarm = AlarmState(policy.low_alarm_datapoints)

    # --- the service scheduler ------------------------------------------------------------

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

    # --- target tracking ------------------------------------------------------------------

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
            self.high_alarm.insufficient_data()
            self.low_alarm.insufficient_data()
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
        if self.high_alarm.observe(datapoint > policy.target_value, minutes):
            self.event(
                time_seconds,
                "alarm",
                f"TargetTracking AlarmHigh: {policy.metric_label} {datapoint:.2f} > "
                f"{policy.target_value:g} for {policy.high_alarm_datapoints} datapoint(s)",
                "service",
            )
        high = self.high_alarm.in_alarm
        low = False
        if not policy.disable_scale_in:
            if self.low_alarm.observe(datapoint < policy.scale_in_threshold, minutes):
                self.event(
                    time_seconds,
                    "alarm",
                    f"TargetTracking AlarmLow: {policy.metric_label} {datapoint:.2f} < "
                    f"{policy.scale_in_threshold:g} for {policy.low_alarm_datapoints} datapoint(s)",
                    "service",
                )
            low = self.low_alarm.in_alarm
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
