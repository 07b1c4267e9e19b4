"""(b) The classic cluster recipe: CloudWatch alarms on ``MemoryReservation`` drive the ASG.

A high alarm (tutorial: greater than 75 % for 1 period) adds an instance so the *next* deploy
finds headroom; an optional low alarm (below 25 %) removes one. While an alarm stays in ALARM,
CloudWatch invokes the Auto Scaling action again every minute; the ASG acts only outside its
cooldown. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
"""

from __future__ import annotations

import math
from typing import Any

from .cloudwatch import OPERATOR_SYMBOL, AlarmState, breaches
from .placement import ClusterModel
from .policies import ClusterAlarmPolicy


class ClusterAlarmScaling(ClusterModel):
    """The cluster's MemoryReservation alarms and the ASG simple scaling they invoke."""

    def __init__(self, *, alarm: ClusterAlarmPolicy | None, **cluster_options: Any) -> None:
        super().__init__(**cluster_options)
        self.alarm = alarm
        self.asg_busy_until = -1
        if alarm is not None:
            self.memory_high_alarm = AlarmState(alarm.evaluation_periods)
            self.memory_low_alarm = AlarmState(alarm.evaluation_periods)

    def evaluate_cluster_alarms(self, time_seconds: int, reservation: float, minutes: int) -> None:
        alarm = self.alarm
        if math.isnan(reservation):
            self.memory_high_alarm.insufficient_data()
            self.memory_low_alarm.insufficient_data()
            return
        breaching = breaches(reservation, alarm.threshold_percent, alarm.comparison_operator)
        if self.memory_high_alarm.observe(breaching, minutes):
            self.event(
                time_seconds,
                "alarm",
                f"{alarm.alarm_name}: MemoryReservation {reservation:.1f}% "
                f"{OPERATOR_SYMBOL[alarm.comparison_operator]} {alarm.threshold_percent:g}%",
            )
        high = self.memory_high_alarm.in_alarm
        low = False
        if alarm.scale_in_threshold_percent is not None:
            below = reservation < alarm.scale_in_threshold_percent
            if self.memory_low_alarm.observe(below, minutes):
                self.event(
                    time_seconds,
                    "alarm",
                    f"memory-below-{alarm.scale_in_threshold_percent:g}-pct: MemoryReservation "
                    f"{reservation:.1f}% < {alarm.scale_in_threshold_percent:g}%",
                )
            low = self.memory_low_alarm.in_alarm
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
