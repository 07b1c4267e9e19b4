"""Small simulators of documented ECS, Docker and Linux behaviour: plain data in, plain data out.

Each module is one model plus a plot function (matplotlib is imported only when plotting):

- ``cpu``: CPU units as Linux CFS shares under contention, idle CPU shared out, task-level cpu as
  a hard CFS quota (``simulate_cpu``, ``plot_cpu``).
- ``memory``: ``memory`` (hard) vs ``memoryReservation`` (soft), host memory pressure, OOM kills,
  essential containers and restart policies (``simulate_memory``, ``plot_memory``).
- ``deployment``: rolling updates within minimumHealthyPercent / maximumPercent, circuit breaker
  and rollback (``simulate_deployment``, ``from_service``, ``plot_deployment``).
- ``disk``: container instance storage filling up (AL1 devicemapper vs overlay2), and the agent's
  automated cleanup (``simulate_disk``, ``plot_disk``).
- ``autoscaling``: service target tracking, MemoryReservation alarms and capacity providers with
  managed scaling, and the seed's over-subscribed cluster (``seed_scenario``, ``plot_scaling``).

Submodules load on first use (``from ecs_workbook import sim; sim.cpu``), so one missing or
broken simulator never stops the others from importing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["autoscaling", "cpu", "deployment", "disk", "memory"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
