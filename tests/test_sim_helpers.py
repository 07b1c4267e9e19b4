"""The input handling and slider forms the simulators share (``sim/_series.py``, ``sim/_explore.py``).

Each simulator's own behaviour is tested in its ``test_sim_<name>.py``; these tests pin what the
shared pieces promise every simulator: one reading of per-container and per-task inputs, and
slider forms whose first figure is the explorer's default figure.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from ecs_workbook import plots
from ecs_workbook.sim import _series, autoscaling, cpu, deployment, disk, memory

_WORDING = _series.SeriesWording(
    name="Demand",
    each_step="one value per time step",
    unit="vCPUs wanted per step",
    at_least="give at least one value per container",
)

_FORMS = {
    "cpu": (cpu.interactive_cpu_shares, cpu.explore_cpu_shares),
    "memory": (memory.interactive_memory, memory.explore_memory),
    "deployment": (deployment.interactive_deployment, deployment.deployment_explorer),
    "disk": (disk.interactive_disk, disk.disk_explorer),
    "service scaling": (
        autoscaling.interactive_service_scaling,
        autoscaling.service_scaling_explorer,
    ),
    "cluster alarm": (autoscaling.interactive_cluster_alarm, autoscaling.cluster_alarm_explorer),
    "capacity provider": (
        autoscaling.interactive_capacity_provider,
        autoscaling.capacity_provider_explorer,
    ),
}


def test_per_container_series_puts_rows_in_container_order_whatever_the_mapping_order():
    series = _series.per_container_series(
        {"sidecar": [0.5, 0.5], "app": [1.0, 2.0]},
        ["app", "sidecar"],
        error=ValueError,
        wording=_WORDING,
    )
    assert series.tolist() == [[1.0, 2.0], [0.5, 0.5]]


def test_per_container_series_takes_a_single_containers_series_as_one_row():
    series = _series.per_container_series(
        [1.0, 2.0, 3.0], ["app"], error=ValueError, wording=_WORDING
    )
    assert series.shape == (1, 3)


def test_per_container_series_names_the_series_in_the_simulators_own_words():
    with pytest.raises(KeyError, match=r"^'Demand must be finite and not negative \(vCPUs wanted"):
        _series.per_container_series([[-1.0]], ["app"], error=KeyError, wording=_WORDING)


def test_per_container_series_lowercases_the_name_inside_a_sentence():
    with pytest.raises(ValueError, match="Every container's demand must be a 1-D sequence"):
        _series.per_container_series(
            {"app": [1.0], "web": [1.0, 2.0]}, ["app", "web"], error=ValueError, wording=_WORDING
        )


def test_per_task_gives_one_value_to_every_task_when_not_a_mapping():
    assert _series.per_task(
        "512", ["a", "b"], int, argument="task_cpu_units", error=ValueError
    ) == {
        "a": 512,
        "b": 512,
    }


def test_per_task_refuses_a_task_no_container_belongs_to():
    with pytest.raises(ValueError, match=r"task_memory_mib names tasks \['ghost'\]"):
        _series.per_task({"ghost": 512}, ["web"], int, argument="task_memory_mib", error=ValueError)


def test_a_describe_task_definition_response_is_unwrapped_for_both_container_simulators():
    """DescribeTaskDefinition returns ``{"taskDefinition": {...}}``; both simulators read inside it."""
    definition = {
        "family": "web",
        "containerDefinitions": [{"name": "app", "cpu": 256, "memory": 512}],
    }
    cpu_containers, _ = cpu.containers_from_task_definition({"taskDefinition": definition})
    memory_containers, _ = memory.containers_from_task_definition({"taskDefinition": definition})
    assert [c.name for c in cpu_containers] == [c.name for c in memory_containers] == ["app"]


@pytest.mark.parametrize("form, explorer", _FORMS.values(), ids=_FORMS.keys())
def test_every_form_starts_each_slider_at_the_explorers_default_inside_its_range(
    form, explorer, monkeypatch
):
    """A start outside the range would be clamped by the widget, so the first figure in JupyterLab
    would differ from the static one nbval and the static site show."""
    captured = {}
    monkeypatch.setattr(plots, "interactive", lambda plot, **sliders: captured.update(sliders))
    form()
    defaults = inspect.signature(explorer).parameters
    assert set(captured) == set(defaults)
    for name, (low, high, _step, start) in captured.items():
        assert start == defaults[name].default
        assert low <= start <= high, name


def test_every_simulator_keeps_its_own_error_class_for_shared_checks():
    with pytest.raises(cpu.CpuSimulationError, match="No containers given; pass at least one Cpu"):
        cpu.simulate_cpu([], 1, np.zeros((0, 1)))
    with pytest.raises(memory.MemorySimulationError, match="at least one MemoryContainer"):
        memory.simulate_memory([], 1024, np.zeros((0, 1)))
