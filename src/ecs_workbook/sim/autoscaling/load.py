"""Demand on a service over time: seeded load curves, and the load input every simulation takes.

CloudWatch publishes every ECS metric once a minute, so a step is either a fraction of a minute
that divides it or a whole number of minutes.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import AutoScalingConfigError


@dataclass(frozen=True)
class LoadCurve:
    """Demand on a service over time: ``values[i]`` holds from ``times_seconds[i]`` for one step.

    For CPU target tracking the unit is CPU units demanded (1024 = one vCPU busy); for memory,
    MiB in use; for ``ALBRequestCountPerTarget``, requests per minute.
    """

    times_seconds: np.ndarray
    values: np.ndarray
    step_seconds: int
    kind: str
    unit: str = "CPU units"

    def __len__(self) -> int:
        return len(self.values)


_LOAD_KINDS = ("diurnal", "spike", "step")


def load_curve(
    kind: str = "diurnal",
    days: float = 1.0,
    step_seconds: int = 60,
    seed: int = 0,
    *,
    base: float = 1024.0,
    peak: float = 6144.0,
    noise: float = 0.03,
    unit: str = "CPU units",
) -> LoadCurve:
    """A deterministic demand curve between ``base`` and ``peak`` (default 1 to 6 vCPU busy).

    ``diurnal``: lowest at 02:00, highest at 14:00 every day. ``spike``: ``base`` with one jump to
    ``peak`` for 45 minutes starting at 40 % of the run. ``step``: ``peak`` during the middle third.
    ``noise`` is a seeded, lightly smoothed wobble as a fraction of ``peak``.
    """
    if kind not in _LOAD_KINDS:
        raise AutoScalingConfigError(
            f"Unknown load curve kind {kind!r}; expected one of {', '.join(_LOAD_KINDS)}."
        )
    _check_step(step_seconds)
    if days <= 0:
        raise AutoScalingConfigError(f"days must be above 0, got {days}. Try 1 or 7.")
    if peak < base or base < 0:
        raise AutoScalingConfigError(f"Expected 0 <= base <= peak, got base={base}, peak={peak}.")
    count = max(1, int(round(days * 86400 / step_seconds)))
    times = np.arange(count, dtype=np.int64) * step_seconds
    duration = count * step_seconds
    if kind == "diurnal":
        hours = times / 3600.0
        shape = 0.5 * (1.0 - np.cos(2.0 * np.pi * (hours - 2.0) / 24.0))
    elif kind == "spike":
        start = 0.4 * duration
        shape = ((times >= start) & (times < start + 45 * 60)).astype(float)
    else:
        shape = ((times >= duration / 3) & (times < 2 * duration / 3)).astype(float)
    values = base + (peak - base) * shape
    if noise > 0:
        rng = np.random.default_rng(seed)
        wobble = rng.normal(0.0, noise * peak, count)
        window = min(5, count)
        wobble = np.convolve(wobble, np.ones(window) / window, mode="same")
        values = values + wobble
    return LoadCurve(times, np.clip(values, 0.0, None), step_seconds, kind, unit)


def load_values(
    load: LoadCurve | np.ndarray | Sequence[float] | None,
    step_seconds: int | None,
    duration_seconds: int | None,
) -> tuple[np.ndarray | None, int, int]:
    """(values, step, steps) from a LoadCurve, a plain array, or only a duration."""
    if isinstance(load, LoadCurve):
        if step_seconds is not None and step_seconds != load.step_seconds:
            raise AutoScalingConfigError(
                f"step_seconds={step_seconds} differs from the load curve's "
                f"{load.step_seconds}; leave step_seconds out to use the curve's."
            )
        values, step = np.asarray(load.values, dtype=float), load.step_seconds
    elif load is not None:
        values, step = np.asarray(load, dtype=float), step_seconds or 60
    else:
        values, step = None, step_seconds or 60
    _check_step(step)
    if values is not None:
        if values.ndim != 1 or len(values) == 0:
            raise AutoScalingConfigError(
                "The load must be a non-empty 1-D series, one value per step."
            )
        steps = len(values)
        if duration_seconds is not None:
            steps = min(steps, max(1, duration_seconds // step))
            values = values[:steps]
    else:
        if duration_seconds is None or duration_seconds < step:
            raise AutoScalingConfigError(
                "Give a load curve or duration_seconds (at least one step) to simulate."
            )
        steps = duration_seconds // step
    return values, step, steps


def _check_step(step_seconds: int) -> None:
    if step_seconds <= 0 or (60 % step_seconds and step_seconds % 60):
        raise AutoScalingConfigError(
            f"step_seconds must divide 60 or be a multiple of 60 (CloudWatch publishes ECS "
            f"metrics every minute), got {step_seconds}. Try 60."
        )
