"""Input handling the per-container simulators share: containers, per-task settings, time series.

``cpu`` and ``memory`` take the same shapes of input (a list of containers grouped into tasks, a
task-level setting as one value or a mapping task -> value, and one series per container given as
an array or a mapping container name -> sequence) and check them the same way; each module keeps
its own error class and its own words for what a series holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SeriesWording:
    """How error messages name one per-container series, e.g. CPU demand or memory usage.

    ``name`` as it starts a sentence ("Demand", "usage"); ``each_step`` what one step holds
    ("one value per time step"); ``unit`` what a value measures ("vCPUs wanted per step");
    ``at_least`` the fix for an empty series ("give at least one value per container").
    """

    name: str
    each_step: str
    unit: str
    at_least: str


def container_names(containers: Sequence[Any], *, error: type[Exception], kind: str) -> list[str]:
    """The containers' names, after checking there is at least one and no name repeats.

    ``kind`` is the record the learner should pass (``"CpuContainer"``, ``"MemoryContainer"``).
    """
    if not containers:
        raise error(f"No containers given; pass at least one {kind}.")
    names = [container.name for container in containers]
    if len(set(names)) != len(names):
        raise error(f"Container names must be unique; got {names}.")
    return names


def container_index(names: Sequence[str], name: str) -> int:
    """Row of the container called ``name`` in a result's arrays (KeyError naming the choices)."""
    if name not in names:
        raise KeyError(f"No container called {name!r}; containers are {list(names)}.")
    return list(names).index(name)


def per_task(
    values: Any,
    task_names: list[str],
    parse: Callable[[Any], Any],
    *,
    argument: str,
    error: type[Exception],
) -> dict[str, Any]:
    """A task-level setting for every task: one value for all, or a mapping task name -> value.

    ``parse`` turns each raw value into the model's (e.g. ``"1 vCPU"`` -> 1024 units); a mapping
    that names a task no container belongs to is refused (``argument`` names it in the message).
    """
    if isinstance(values, Mapping):
        unknown = set(values) - set(task_names)
        if unknown:
            raise error(
                f"{argument} names tasks {sorted(unknown)} that no container belongs to; "
                f"tasks are {task_names}."
            )
        return {task: parse(values.get(task)) for task in task_names}
    value = parse(values)
    return {task: value for task in task_names}


def per_container_series(
    values: Any, names: list[str], *, error: type[Exception], wording: SeriesWording
) -> np.ndarray:
    """One row per container, one column per time step, as a float array (a copy).

    ``values`` is an array (containers x steps; a 1-D series for a single container), a list of
    sequences, or a mapping container name -> sequence naming exactly the containers. Every value
    must be finite and not negative.
    """
    if isinstance(values, Mapping):
        missing = [name for name in names if name not in values]
        extra = [key for key in values if key not in names]
        if missing or extra:
            raise error(
                f"{wording.name} must name exactly the containers {names}; missing {missing}, "
                f"unknown {extra}."
            )
        rows = [np.asarray(values[name], dtype=float) for name in names]
        if len({row.shape for row in rows}) != 1 or rows[0].ndim != 1:
            in_sentence = wording.name[:1].lower() + wording.name[1:]
            raise error(
                f"Every container's {in_sentence} must be a 1-D sequence of the same length "
                f"({wording.each_step}); got shapes {[row.shape for row in rows]}."
            )
        array = np.vstack(rows)
    else:
        array = np.asarray(values, dtype=float)
        if array.ndim == 1 and len(names) == 1:
            array = array[np.newaxis, :]
        if array.ndim != 2 or array.shape[0] != len(names):
            raise error(
                f"{wording.name} must have one row per container ({len(names)}) and one column "
                f"per time step; got shape {array.shape}."
            )
    if array.shape[1] == 0:
        raise error(f"{wording.name} has no time steps; {wording.at_least}.")
    if not np.isfinite(array).all() or (array < 0).any():
        raise error(f"{wording.name} must be finite and not negative ({wording.unit}).")
    return array.copy()


def unwrap_task_definition(
    task_definition: Mapping[str, Any], *, error: type[Exception]
) -> Mapping[str, Any]:
    """The task definition itself, from a RegisterTaskDefinition request or a
    DescribeTaskDefinition response (its ``{"taskDefinition": {...}}`` wrapper is removed)."""
    if isinstance(task_definition.get("taskDefinition"), Mapping):
        task_definition = task_definition["taskDefinition"]
    if not task_definition.get("containerDefinitions"):
        raise error(
            "The task definition has no containerDefinitions; pass the dict you give "
            "register_task_definition or the one describe_task_definition returns."
        )
    return task_definition
