"""What the cluster is made of: its Auto Scaling group of one instance type, and the standalone
tasks (``run_task``) sent to it. Plain inputs; :mod:`.placement` models what happens to them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .constants import DEFAULT_INSTANCE_BOOT_SECONDS
from .errors import AutoScalingConfigError


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
