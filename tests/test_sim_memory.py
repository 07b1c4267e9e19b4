"""Tests for ecs_workbook.sim.memory: hard limits kill, soft limits let containers burst, placement
reserves memoryReservation, the host running out OOM-kills, essential containers stop their task.

Doc page: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ecs_workbook import plots
from ecs_workbook.sim import memory
from ecs_workbook.sim.memory import MemoryContainer, simulate_memory


def test_container_at_exactly_its_hard_limit_keeps_running():
    result = simulate_memory([MemoryContainer("app", memory_mib=512)], 2048, [[100, 512, 512]])
    assert result.events == ()
    assert np.array_equal(result.usage_mib, [[100, 512, 512]])


def test_container_one_mib_over_its_hard_limit_is_oom_killed():
    """API ContainerDefinition.memory: if the container attempts to exceed it, it is killed."""
    result = simulate_memory([MemoryContainer("app", memory_mib=512)], 2048, [[100, 512, 513]])
    (event,) = result.events
    assert (event.step, event.container) == (2, "app")
    assert event.reason == "exceeded hard limit memory=512 MiB"
    assert event.exit_code == 137
    assert event.ecs_reason == "OutOfMemoryError: Container killed due to memory usage"
    assert result.usage_mib[0, 2] == 0


def test_essential_container_oom_stops_the_whole_task():
    containers = [
        MemoryContainer("app", memory_mib=256),
        MemoryContainer("sidecar", memory_mib=128, essential=False),
    ]
    result = simulate_memory(containers, 2048, {"app": [100, 300, 100], "sidecar": [50, 50, 50]})
    (event,) = result.events
    assert event.outcome == "task stopped"
    assert result.task_stopped_at_seconds == {"task": 1.0}
    assert not result.running[:, 1:].any()
    assert np.array_equal(result.usage_of("sidecar"), [50, 0, 0])


def test_non_essential_container_oom_stops_only_that_container():
    containers = [
        MemoryContainer("app", memory_mib=256),
        MemoryContainer("sidecar", memory_mib=128, essential=False),
    ]
    result = simulate_memory(containers, 2048, {"app": [100, 100, 100], "sidecar": [50, 200, 50]})
    (event,) = result.events
    assert (event.container, event.outcome) == ("sidecar", "container stopped")
    assert np.array_equal(result.usage_of("app"), [100, 100, 100])
    assert np.array_equal(result.usage_of("sidecar"), [50, 0, 0])


def test_restart_policy_restarts_a_container_that_ran_long_enough():
    """container-restart-policy.html: restart only after restartAttemptPeriod seconds of running."""
    policy = {"enabled": True, "restartAttemptPeriod": 60}
    container = MemoryContainer("app", memory_mib=256, restart_policy=policy)
    usage = [[100] * 6 + [300] + [100] * 3]
    result = simulate_memory([container], 2048, usage, step_seconds=10)
    (event,) = result.events
    assert event.outcome == "container restarted"
    assert result.restarts == {"app": 1}
    assert np.array_equal(result.usage_of("app")[6:], [0, 100, 100, 100])


def test_restart_policy_does_not_restart_a_container_that_exited_too_early():
    policy = {"enabled": True, "restartAttemptPeriod": 60}
    container = MemoryContainer("app", memory_mib=256, restart_policy=policy)
    result = simulate_memory([container], 2048, [[100, 300, 100]], step_seconds=10)
    assert result.events[0].outcome == "task stopped"


def test_restart_policy_ignores_exit_code_137_when_told_to():
    policy = {"enabled": True, "restartAttemptPeriod": 60, "ignoredExitCodes": [137]}
    container = MemoryContainer("app", memory_mib=256, restart_policy=policy)
    result = simulate_memory([container], 2048, [[100] * 7 + [300]], step_seconds=10)
    assert result.events[0].outcome == "task stopped"


def test_soft_limit_lets_a_container_burst_while_the_host_has_memory_free():
    container = MemoryContainer("app", memory_reservation_mib=256)
    result = simulate_memory([container], 2048, [[200, 1500, 2000, 300]])
    assert result.events == ()
    assert np.array_equal(result.usage_of("app"), [200, 1500, 2000, 300])


def test_burst_up_to_hard_limit_above_reservation_is_allowed():
    container = MemoryContainer("app", memory_mib=1024, memory_reservation_mib=256)
    result = simulate_memory([container], 2048, [[1024]])
    assert result.events == ()


def test_placement_reserves_memory_reservation_when_set_else_memory():
    """API: memoryReservation is subtracted from the instance if set; otherwise memory is."""
    assert MemoryContainer("a", memory_mib=1536, memory_reservation_mib=512).reserved_mib == 512
    assert MemoryContainer("b", memory_mib=1536).reserved_mib == 1536
    assert MemoryContainer("c", memory_reservation_mib=128).reserved_mib == 128


def test_reservation_not_hard_limit_decides_whether_tasks_fit_the_instance():
    containers = [
        MemoryContainer("a", memory_mib=1536, memory_reservation_mib=512, task="t1"),
        MemoryContainer("b", memory_mib=1536, memory_reservation_mib=512, task="t2"),
    ]
    result = simulate_memory(containers, 2048, [[100], [100]])
    assert result.reserved_total_mib == 1024
    assert result.placement_fits
    hard_only = [
        MemoryContainer("a", memory_mib=1536, task="t1"),
        MemoryContainer("b", memory_mib=1536, task="t2"),
    ]
    assert not simulate_memory(hard_only, 2048, [[100], [100]]).placement_fits


def test_host_out_of_memory_kills_the_container_holding_the_most():
    containers = [
        MemoryContainer("burster", memory_reservation_mib=256, task="t1"),
        MemoryContainer("steady", memory_reservation_mib=512, task="t2"),
    ]
    result = simulate_memory(containers, 1024, {"burster": [300, 700], "steady": [400, 400]})
    (event,) = result.events
    assert (event.container, event.reason, event.step) == ("burster", "host out of memory", 1)
    assert np.array_equal(result.usage_mib[:, 1], [0, 400])


def test_host_pressure_reclaims_cache_above_reservation_before_killing():
    containers = [
        MemoryContainer("burster", memory_reservation_mib=256, task="t1"),
        MemoryContainer("steady", memory_reservation_mib=512, task="t2"),
    ]
    usage = {"burster": [700], "steady": [400]}
    cache = {"burster": [200], "steady": [300]}
    result = simulate_memory(containers, 1024, usage, reclaimable=cache)
    assert result.events == ()
    assert np.allclose(result.reclaimed_mib[:, 0], [76, 0])
    assert result.host_usage_mib[0] == pytest.approx(1024)


def test_host_pressure_reclaims_protected_cache_only_when_unprotected_is_not_enough():
    containers = [
        MemoryContainer("burster", memory_reservation_mib=600, task="t1"),
        MemoryContainer("steady", memory_reservation_mib=512, task="t2"),
    ]
    usage = {"burster": [700], "steady": [500]}
    cache = {"burster": [200], "steady": [200]}
    result = simulate_memory(containers, 1024, usage, reclaimable=cache)
    assert result.events == ()
    # 176 MiB needed: the 100 MiB of cache above burster's reservation first, then the other 76
    # from what cache is left (100 MiB in burster, 200 in steady), in proportion.
    assert np.allclose(result.reclaimed_mib[:, 0], [100 + 76 / 3, 76 * 2 / 3])


def test_cache_beyond_the_hard_limit_is_dropped_not_killed():
    container = MemoryContainer("app", memory_mib=512)
    result = simulate_memory([container], 2048, [[600]], reclaimable=[[150]])
    assert result.events == ()
    assert result.usage_mib[0, 0] == 512


def test_task_memory_limit_kills_the_tasks_largest_container():
    containers = [MemoryContainer("app", essential=False), MemoryContainer("sidecar")]
    result = simulate_memory(
        containers, 4096, {"app": [600], "sidecar": [500]}, task_memory_mib="1 GB"
    )
    (event,) = result.events
    assert (event.container, event.reason) == ("app", "exceeded task memory=1024 MiB")
    assert event.outcome == "container stopped"


def test_container_without_memory_or_reservation_is_refused_with_ecs_message():
    with pytest.raises(memory.MemorySimulationError, match="At least one of 'memory'"):
        simulate_memory([MemoryContainer("a")], 1024, [[1]])


def test_hard_limit_below_reservation_is_refused():
    with pytest.raises(memory.MemorySimulationError, match="greater than the soft limit"):
        simulate_memory(
            [MemoryContainer("a", memory_mib=128, memory_reservation_mib=256)], 1024, [[1]]
        )


def test_from_task_definition_reads_the_ecs_api_shape():
    definition = {
        "taskDefinition": {
            "family": "shop",
            "memory": "1024",
            "containerDefinitions": [
                {"name": "web", "memory": 512, "memoryReservation": 256},
                {
                    "name": "log",
                    "memoryReservation": 64,
                    "essential": False,
                    "restartPolicy": {"enabled": True},
                },
            ],
        }
    }
    containers, task_memory = memory.containers_from_task_definition(definition)
    assert task_memory == 1024
    assert [c.reserved_mib for c in containers] == [256, 64]
    assert containers[1].essential is False
    assert containers[1].restart_policy == {"enabled": True}
    result = memory.from_task_definition(definition, 2048, {"web": [100], "log": [10]})
    assert result.task_memory_mib == {"shop": 1024}


def test_container_clock_restarts_a_leak_from_its_baseline():
    policy = {"enabled": True, "restartAttemptPeriod": 60}
    container = MemoryContainer("leaky", memory_mib=300, restart_policy=policy)
    leak = [[100 + 40 * step for step in range(12)]]
    result = simulate_memory([container], 2048, leak, step_seconds=30, usage_clock="container")
    assert result.events[0].step == 6
    assert np.array_equal(result.usage_of("leaky")[6:9], [0, 100, 140])


def test_simulation_is_deterministic():
    rng = np.random.default_rng(3)
    usage = rng.uniform(0, 900, size=(3, 40))
    containers = [
        MemoryContainer("a", memory_mib=800, memory_reservation_mib=200, task="t1"),
        MemoryContainer("b", memory_reservation_mib=300, task="t2", essential=True),
        MemoryContainer("c", memory_mib=700, task="t3"),
    ]
    first = simulate_memory(containers, 1500, usage, reclaimable=usage * 0.2)
    second = simulate_memory(containers, 1500, usage.copy(), reclaimable=usage * 0.2)
    assert np.array_equal(first.usage_mib, second.usage_mib)
    assert first.events == second.events


def test_plot_memory_renders_without_warnings_and_annotates_oom_kills():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = memory.explore_memory(instance_memory_mib=768)
        try:
            fig.canvas.draw()
            assert plots.figure_problems(fig) == []
            texts = [t.get_text() for ax in fig.axes for t in ax.texts]
            assert any("host out of memory" in text for text in texts)
        finally:
            plots.plt.close(fig)


def test_plot_memory_flags_tasks_placement_would_refuse():
    containers = [
        MemoryContainer("a", memory_mib=1536, task="t1"),
        MemoryContainer("b", memory_mib=1536, task="t2"),
    ]
    result = simulate_memory(containers, 2048, [[100, 200], [100, 200]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = memory.plot_memory(result)
        try:
            fig.canvas.draw()
            assert plots.figure_problems(fig) == []
            texts = [t.get_text() for ax in fig.axes for t in ax.texts]
            assert any("RESOURCE:MEMORY" in text for text in texts)
        finally:
            plots.plt.close(fig)


def test_interactive_memory_returns_a_figure_when_widgets_are_unavailable(monkeypatch):
    monkeypatch.setenv("ECS_WORKBOOK_STATIC", "1")
    fig = memory.interactive_memory()
    try:
        assert isinstance(fig, plots.Figure)
    finally:
        plots.plt.close(fig)
