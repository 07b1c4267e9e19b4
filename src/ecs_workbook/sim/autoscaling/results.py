"""What a simulation returns: series sampled every step, and the events behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

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

#: The series a :class:`ScalingResult` holds, one value per step, with their dtype: counts and
#: MiB are whole numbers; load, metrics and percentages are floats (NaN where there is no data).
SERIES: dict[str, type] = {
    "load": float,
    "service_metric": float,
    "desired_tasks": np.int64,
    "running_tasks": np.int64,
    "placed_tasks": np.int64,
    "waiting_tasks": np.int64,
    "failed_tasks": np.int64,
    "instances": np.int64,
    "registered_instances": np.int64,
    "registered_memory_mib": np.int64,
    "reserved_memory_mib": np.int64,
    "largest_free_memory_mib": np.int64,
    "memory_reservation_percent": float,
    "capacity_provider_reservation": float,
}


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
        return {name: self._series(name)[index].item() for name in SERIES}

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
