"""(c) Capacity providers with managed scaling: ECS sizes the ASG from CapacityProviderReservation.

Every minute ECS estimates M (instances with tasks + instances the waiting tasks need) and N
(instances in the ASG) and publishes M / N × 100; a target-tracking policy on the ASG keeps it at
``targetCapacity``. Tasks that fit nowhere wait in ``PROVISIONING`` until an instance registers.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html
"""

from __future__ import annotations

import math
from typing import Any

from .arithmetic import capacity_provider_reservation, scale_out_step
from .cloudwatch import AlarmState
from .placement import ClusterModel


class CapacityProviderScaling(ClusterModel):
    """Managed scaling of the cluster's Auto Scaling group (the ``managed`` settings)."""

    def __init__(self, **cluster_options: Any) -> None:
        super().__init__(**cluster_options)
        self.service_incompatible = False
        self.blocked_reported = ""
        if self.managed is not None:
            self.reservation_high_alarm = AlarmState(self.managed.high_alarm_datapoints)
            self.reservation_low_alarm = AlarmState(self.managed.low_alarm_datapoints)

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
            self.reservation_high_alarm.restart_count()
            self.reservation_low_alarm.restart_count()
            return 100.0
        reservation = capacity_provider_reservation(needed, size)
        if managed.status != "ENABLED":
            return reservation
        target = managed.target_capacity_percent
        went_high = self.reservation_high_alarm.observe(reservation > target, minutes)
        went_low = self.reservation_low_alarm.observe(reservation < target, minutes)
        if went_high:
            self.event(
                time_seconds,
                "alarm",
                f"CapacityProviderReservation {reservation:.0f} > targetCapacity {target} "
                f"(M={needed}, N={size})",
            )
        if went_low:
            self.event(
                time_seconds,
                "alarm",
                f"CapacityProviderReservation {reservation:.0f} < targetCapacity {target} for "
                f"{managed.low_alarm_datapoints} datapoints (M={needed}, N={size})",
            )
        config = self.cluster
        if self.reservation_high_alarm.in_alarm:
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
        elif self.reservation_low_alarm.in_alarm:
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
