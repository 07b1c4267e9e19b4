"""The cluster under every mechanism: instances registering, binpack placement, tasks starting.

Tasks are placed with ``binpack`` on memory: the ACTIVE instance with the least remaining memory
that still fits (CPU must fit too). A standalone task that fits nowhere fails with RunTask's
``RESOURCE:*`` reasons, or with a capacity provider waits in PROVISIONING; a task reaches RUNNING
``task_start_seconds`` after it was placed.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .results import ScalingEvent

if TYPE_CHECKING:
    from .cluster import ClusterConfig, Deploy
    from .policies import ManagedScaling

#: Same strings as ``ecs_workbook.scheduler`` (RunTask ``failures[].reason``).
REASON_CPU = "RESOURCE:CPU"
REASON_MEMORY = "RESOURCE:MEMORY"

_ACCOUNT_REGION = "us-east-1:123456789012"


@dataclass
class StandaloneTask:
    """One standalone task (few per run; service tasks are only counted)."""

    number: int
    name: str
    memory_mib: int
    cpu_units: int
    state: str = "PROVISIONING"
    instance: int = -1
    incompatible: bool = False


class ClusterModel:
    """Instances, binpack placement and the tasks on them: the state every mechanism shares.

    Instances live in parallel lists (index = instance number - 1). Service tasks are only counted
    (per instance, and PENDING ones with the time they reach RUNNING); standalone tasks are
    :class:`StandaloneTask` records. Every change that could let a waiting task fit sets
    ``capacity_changed``. Without a ``cluster`` (service scaling alone) tasks are placed anywhere.
    """

    def __init__(
        self,
        *,
        mode: str,
        cluster: ClusterConfig | None,
        managed: ManagedScaling | None,
        service_cpu_units: int,
        service_memory_mib: int,
        task_start_seconds: int,
    ) -> None:
        self.mode = mode
        self.cluster = cluster
        self.managed = managed
        self.svc_cpu = service_cpu_units
        self.svc_mem = service_memory_mib
        self.start_seconds = task_start_seconds
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
        # The service's tasks (its desiredCount is changed by ServiceScaling).
        self.desired = 0
        self.svc_running = 0
        self.svc_starting: deque[tuple[int, int]] = deque()  # (RUNNING at, instance)
        # Standalone tasks.
        self.tasks: list[StandaloneTask] = []
        self.task_starting: deque[tuple[int, int]] = deque()  # (RUNNING at, task number)
        self.provisioning: list[int] = []
        self.task_running = 0
        self.task_placed = 0
        self.failed = 0
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

    def place_task(self, time_seconds: int, task: StandaloneTask, index: int) -> None:
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
            task = StandaloneTask(
                len(self.tasks) + 1, deploy.name, deploy.memory_mib, deploy.cpu_units
            )
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
