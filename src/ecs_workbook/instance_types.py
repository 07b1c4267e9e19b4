"""EC2 instance types as the ECS agent sees them: vCPUs, memory, CPU architecture.

The agent registers a container instance with ``CPU = vCPUs x 1024`` and ``MEMORY`` = the memory the
operating system reports, in MiB, less ``ECS_RESERVED_MEMORY``. The operating system never reports
the full advertised memory: the kernel keeps some. AWS documents one measurement, an ``m4.large``
(8 GiB advertised) whose ``free -b`` shows 8,373,026,816 bytes, which the agent registers as
7,985 MiB. This module applies that documented ratio (7985 / 8192) to every type:

    registered_memory_mib = floor(memory_gib x 1024 x 7985 / 8192) - ECS_RESERVED_MEMORY

It is a derived rule (real values vary a little with the AMI and kernel; one published c5.2xlarge
registered 15,463 MiB of 16,384), close enough that the same tasks fit as on AWS.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
https://aws.amazon.com/ec2/instance-types/
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: CPU units per vCPU, as the agent registers them (``GetNumCPU() * 1024``).
CPU_UNITS_PER_VCPU = 1024
#: The documented m4.large measurement: 8192 MiB advertised, 7985 MiB registered.
DOCUMENTED_ADVERTISED_MIB = 8192
DOCUMENTED_REGISTERED_MIB = 7985


@dataclass(frozen=True)
class InstanceType:
    """One EC2 instance type: what the ECS agent would register for it."""

    name: str
    vcpus: int
    memory_gib: float
    architecture: str = "x86_64"
    gpus: int = 0

    @property
    def cpu_units(self) -> int:
        """Registered ``CPU``: vCPUs x 1024 units."""
        return self.vcpus * CPU_UNITS_PER_VCPU

    @property
    def advertised_memory_mib(self) -> int:
        return int(self.memory_gib * 1024)

    def registered_memory_mib(self, reserved_memory_mib: int = 0) -> int:
        """Registered ``MEMORY`` in MiB, less ``ECS_RESERVED_MEMORY`` (default 0)."""
        visible_mib = math.floor(
            self.advertised_memory_mib * DOCUMENTED_REGISTERED_MIB / DOCUMENTED_ADVERTISED_MIB
        )
        return visible_mib - reserved_memory_mib


def _family(
    prefix: str, sizes: dict[str, tuple[int, float]], architecture: str = "x86_64"
) -> dict[str, InstanceType]:
    return {
        f"{prefix}.{size}": InstanceType(f"{prefix}.{size}", vcpus, memory_gib, architecture)
        for size, (vcpus, memory_gib) in sizes.items()
    }


_T2 = {
    "micro": (1, 1),
    "small": (1, 2),
    "medium": (2, 4),
    "large": (2, 8),
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
}
_T3 = {
    "micro": (2, 1),
    "small": (2, 2),
    "medium": (2, 4),
    "large": (2, 8),
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
}
_GENERAL = {"large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64)}
_COMPUTE = {"large": (2, 4), "xlarge": (4, 8), "2xlarge": (8, 16), "4xlarge": (16, 32)}
_MEMORY = {"large": (2, 16), "xlarge": (4, 32), "2xlarge": (8, 64), "4xlarge": (16, 128)}
_GRAVITON_GENERAL = {"medium": (1, 4), **_GENERAL}
_GRAVITON_COMPUTE = {"medium": (1, 2), **_COMPUTE}

#: The common types the workbook uses, by name.
INSTANCE_TYPES: dict[str, InstanceType] = {
    **_family("t2", _T2),
    **_family("t3", _T3),
    **_family("t3a", _T3),
    "m4.large": InstanceType("m4.large", 2, 8),
    **_family("m5", _GENERAL),
    **_family("m6i", _GENERAL),
    **_family("c5", _COMPUTE),
    **_family("c6i", _COMPUTE),
    **_family("r5", _MEMORY),
    "g4dn.xlarge": InstanceType("g4dn.xlarge", 4, 16, gpus=1),
    **_family("a1", {"medium": (1, 2), **_COMPUTE}, "arm64"),
    **_family("m6g", _GRAVITON_GENERAL, "arm64"),
    **_family("c6g", _GRAVITON_COMPUTE, "arm64"),
}


class UnknownInstanceTypeError(KeyError):
    """An instance type that is neither in the table nor in moto's EC2 catalogue."""


def lookup(name: str) -> InstanceType:
    """The :class:`InstanceType` for ``name``: from the table, else from moto's EC2 catalogue."""
    if name in INSTANCE_TYPES:
        return INSTANCE_TYPES[name]
    try:
        from moto.ec2.models.instance_types import INSTANCE_TYPES as MOTO_TYPES
    except ImportError:  # pragma: no cover - moto is a dependency
        MOTO_TYPES = {}
    info = MOTO_TYPES.get(name)
    if info is None:
        raise UnknownInstanceTypeError(
            f"Unknown EC2 instance type {name!r}. Expected one like "
            f"{', '.join(sorted(INSTANCE_TYPES)[:6])}, ...; see ecs_workbook.instance_types."
        )
    architectures = info.get("ProcessorInfo", {}).get("SupportedArchitectures", ["x86_64"])
    gpus = sum(gpu.get("Count", 0) for gpu in info.get("GpuInfo", {}).get("Gpus", []))
    return InstanceType(
        name=name,
        vcpus=int(info["VCpuInfo"]["DefaultVCpus"]),
        memory_gib=info["MemoryInfo"]["SizeInMiB"] / 1024,
        architecture="arm64" if "arm64" in architectures else architectures[0],
        gpus=gpus,
    )
