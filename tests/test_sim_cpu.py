"""Tests for ecs_workbook.sim.cpu: CPU units as CFS shares, idle CPU shared out, task cpu as a cap.

Doc page for the share rules: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ecs_workbook import plots
from ecs_workbook.sim import cpu
from ecs_workbook.sim.cpu import CpuContainer, simulate_cpu

ONE_CONTAINER_512 = {
    "family": "web",
    "containerDefinitions": [{"name": "app", "image": "nginx", "cpu": 512, "memory": 256}],
}


def busy(vcpus: float, steps: int = 4) -> list[float]:
    return [vcpus] * steps


def test_single_512_unit_task_alone_on_1_vcpu_host_uses_all_1024_units():
    """API ContainerDefinition.cpu: a 512-unit task alone on a 1-vCPU host can use all 1024 units."""
    result = cpu.from_task_definition(ONE_CONTAINER_512, {"app": busy(1.0)}, vcpus=1)
    assert np.allclose(result.usage_cpu_units, 1024)
    assert not result.contention.any()


def test_two_512_unit_tasks_both_busy_each_get_at_least_512_units():
    """API ContainerDefinition.cpu: two such tasks each get at least 512 units when both are busy."""
    result = cpu.from_task_definition(ONE_CONTAINER_512, {"app": busy(1.0)}, vcpus=1, task_count=2)
    assert result.names == ("web-1/app", "web-2/app")
    assert (result.usage_cpu_units >= 512 - 1e-6).all()
    assert result.contention.all()


def test_contended_1024_and_512_shares_split_cpu_two_to_one():
    containers = [CpuContainer("big", 1024, task="t1"), CpuContainer("small", 512, task="t2")]
    result = simulate_cpu(containers, 1, {"big": busy(1.0), "small": busy(1.0)})
    assert np.allclose(result.usage_of("big"), 2 / 3)
    assert np.allclose(result.usage_of("small"), 1 / 3)


def test_containers_of_one_task_split_its_cpu_by_their_shares():
    containers = [CpuContainer("big", 1024), CpuContainer("small", 512)]
    result = simulate_cpu(containers, 1, {"big": busy(1.0), "small": busy(1.0)})
    assert np.allclose(result.usage_vcpu[:, 0], [2 / 3, 1 / 3])


def test_idle_capacity_goes_to_the_busy_container():
    containers = [CpuContainer("busy", 256, task="t1"), CpuContainer("idle", 3840, task="t2")]
    result = simulate_cpu(containers, 2, {"busy": busy(2.0), "idle": busy(0.0)})
    assert np.allclose(result.usage_of("busy"), 2.0)


def test_unused_share_is_redistributed_to_the_others_by_weight():
    """Water-filling: the light container keeps what it asks; the rest splits 1024:512."""
    containers = [
        CpuContainer("light", 1024, task="t1"),
        CpuContainer("a", 1024, task="t2"),
        CpuContainer("b", 512, task="t3"),
    ]
    demand = {"light": busy(0.1), "a": busy(4.0), "b": busy(4.0)}
    result = simulate_cpu(containers, 4, demand)
    assert np.allclose(result.usage_vcpu[:, 0], [0.1, 3.9 * 2 / 3, 3.9 / 3])


def test_host_is_never_oversubscribed_and_nobody_gets_more_than_asked():
    rng = np.random.default_rng(7)
    demand = rng.uniform(0, 3, size=(4, 50))
    containers = [
        CpuContainer(f"c{i}", cpu_units, task=f"t{i % 2}")
        for i, cpu_units in enumerate([0, 128, 1024, 4096])
    ]
    result = simulate_cpu(containers, 3, demand, task_cpu_units={"t0": 2048, "t1": None})
    assert (result.usage_vcpu.sum(axis=0) <= 3 + 1e-9).all()
    assert (result.usage_vcpu <= demand + 1e-9).all()


@pytest.mark.parametrize("cpu_units", [None, 0, 1])
def test_cpu_unset_zero_or_one_becomes_2_shares_on_agent_1_2_0_and_later(cpu_units):
    assert cpu.container_cpu_shares(cpu_units, agent_version="1.2.0") == 2
    assert cpu.container_cpu_shares(cpu_units) == 2


@pytest.mark.parametrize(("cpu_units", "shares"), [(None, 1024), (0, 1024), (1, 2)])
def test_agent_1_1_0_gave_unset_or_zero_cpu_docker_default_1024_shares(cpu_units, shares):
    assert cpu.container_cpu_shares(cpu_units, agent_version="1.1.0") == shares


def test_cpu_zero_container_gets_almost_nothing_against_a_1024_container_when_busy():
    containers = [CpuContainer("zero", 0, task="t1"), CpuContainer("full", 1024, task="t2")]
    result = simulate_cpu(containers, 1, {"zero": busy(1.0), "full": busy(1.0)})
    assert np.allclose(result.usage_of("zero"), 2 / 1026)
    assert result.cpu_shares == (2, 1024)


def test_cpu_zero_container_competes_as_equal_on_agent_1_1_0():
    containers = [CpuContainer("zero", 0, task="t1"), CpuContainer("full", 1024, task="t2")]
    result = simulate_cpu(
        containers, 1, {"zero": busy(1.0), "full": busy(1.0)}, agent_version="1.1.0"
    )
    assert np.allclose(result.usage_vcpu, 0.5)


def test_cpu_above_262144_is_clamped_by_agent_1_84_0():
    assert cpu.container_cpu_shares(300000, agent_version="1.84.0") == 262144


def test_cpu_above_262144_fails_to_start_on_older_agents():
    with pytest.raises(cpu.ContainerCannotStartError, match="maximum allowed cpu-shares is 262144"):
        cpu.container_cpu_shares(300000, agent_version="1.83.0")


def test_task_cgroup_weight_is_sum_of_container_cpu_each_at_least_2():
    assert cpu.task_cgroup_cpu_shares([512, None, 0, 256]) == 512 + 2 + 2 + 256
    assert cpu.task_cgroup_cpu_shares([200000, 200000]) == 262144


def test_task_cpu_caps_the_task_even_on_an_idle_host():
    result = simulate_cpu([CpuContainer("app", 512)], 4, {"app": busy(3.0)}, task_cpu_units=1024)
    assert np.allclose(result.usage_of("app"), 1.0)
    assert np.allclose(result.throttled_vcpu, 2.0)
    assert not result.contention.any()


def test_task_cpu_is_shared_by_the_tasks_containers_together():
    containers = [CpuContainer("app", 768), CpuContainer("sidecar", 256)]
    demand = {"app": busy(2.0), "sidecar": busy(2.0)}
    result = simulate_cpu(containers, 8, demand, task_cpu_units="1 vCPU")
    assert np.allclose(result.usage_vcpu[:, 0], [0.75, 0.25])
    assert np.allclose(result.usage_vcpu.sum(axis=0), 1.0)


def test_task_cpu_quota_is_task_vcpu_times_100_ms_period():
    assert cpu.task_cpu_quota_us(512) == 50_000
    assert cpu.task_cpu_quota_us(2048) == 200_000


def test_task_with_task_cpu_competes_with_default_1024_cgroup_weight():
    """Explicit task cpu sets only quota and period, so the task cgroup keeps weight 1024."""
    containers = [CpuContainer("capped", 128, task="a"), CpuContainer("plain", 1024, task="b")]
    result = simulate_cpu(
        containers,
        1,
        {"capped": busy(1.0), "plain": busy(1.0)},
        task_cpu_units={"a": 2048, "b": None},
    )
    assert result.task_weights == {"a": 1024, "b": 1024}
    assert np.allclose(result.usage_vcpu, 0.5)


@pytest.mark.parametrize(
    ("given", "units"),
    [(1024, 1024), ("2048", 2048), ("1 vCPU", 1024), ("0.5 vcpu", 512), (None, None), ("", None)],
)
def test_task_cpu_accepts_units_and_vcpu_strings(given, units):
    assert cpu.parse_task_cpu_units(given) == units


def test_task_cpu_outside_ecs_range_is_refused_with_the_range():
    with pytest.raises(cpu.CpuSimulationError, match="128-196608"):
        cpu.parse_task_cpu_units(64)


def test_from_task_definition_reads_task_level_cpu_as_string_like_boto3_returns_it():
    definition = {"taskDefinition": {**ONE_CONTAINER_512, "cpu": "256"}}
    result = cpu.from_task_definition(definition, {"app": busy(1.0)}, vcpus=2)
    assert result.task_cpu_units == {"web": 256}
    assert np.allclose(result.usage_of("app"), 0.25)


def test_demand_missing_a_container_is_reported_by_name():
    with pytest.raises(cpu.CpuSimulationError, match="missing \\['b'\\]"):
        simulate_cpu([CpuContainer("a"), CpuContainer("b")], 1, {"a": busy(1.0)})


def test_task_cpu_is_refused_for_agents_without_task_cgroups():
    with pytest.raises(cpu.CpuSimulationError, match="predates task cgroups"):
        simulate_cpu(
            [CpuContainer("a", 512)], 1, [busy(1.0)], task_cpu_units=512, agent_version="1.1.0"
        )


def test_simulation_is_deterministic():
    rng = np.random.default_rng(0)
    demand = rng.uniform(0, 2, size=(3, 40))
    containers = [
        CpuContainer("a", 256, "t1"),
        CpuContainer("b", 512, "t1"),
        CpuContainer("c", None, "t2"),
    ]
    first = simulate_cpu(containers, 2, demand, task_cpu_units={"t1": 1024})
    second = simulate_cpu(containers, 2, demand.copy(), task_cpu_units={"t1": 1024})
    assert np.array_equal(first.usage_vcpu, second.usage_vcpu)
    assert np.array_equal(first.throttled_vcpu, second.throttled_vcpu)
    assert np.array_equal(first.contention, second.contention)


def test_plot_cpu_renders_without_warnings_and_says_what_it_shows():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = cpu.explore_cpu_shares(task_cpu_units_a=384)
        try:
            fig.canvas.draw()
            assert plots.figure_problems(fig) == []
            texts = [t.get_text() for ax in fig.axes for t in ax.texts]
            assert any("contention" in text for text in texts)
        finally:
            plots.plt.close(fig)


def test_plot_cpu_without_contention_renders_cleanly():
    result = simulate_cpu([CpuContainer("app", 512)], 2, [busy(1.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = cpu.plot_cpu(result)
        try:
            fig.canvas.draw()
            assert plots.figure_problems(fig) == []
        finally:
            plots.plt.close(fig)


def test_interactive_cpu_returns_a_figure_when_widgets_are_unavailable(monkeypatch):
    monkeypatch.setenv("ECS_WORKBOOK_STATIC", "1")
    fig = cpu.interactive_cpu_shares()
    try:
        assert isinstance(fig, plots.Figure)
    finally:
        plots.plt.close(fig)
