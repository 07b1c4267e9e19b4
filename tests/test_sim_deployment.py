"""Rolling deployment simulator: documented ECS bounds, first steps, circuit breaker, rollback.

Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ecs_workbook import plots
from ecs_workbook.sim import deployment
from ecs_workbook.sim.deployment import (
    CircuitBreaker,
    DeploymentConfigurationError,
    circuit_breaker_threshold,
    deployment_bounds,
    from_service,
    simulate_deployment,
)


def test_minimum_healthy_percent_rounds_up():
    """desired 3 at 50 % -> 1.5 healthy, rounded up to 2 (API DeploymentConfiguration)."""
    assert deployment_bounds(3, 50, 200)[0] == 2


def test_maximum_percent_rounds_down():
    """desired 3 at 150 % -> 4.5, rounded down to 4."""
    assert deployment_bounds(3, 50, 150)[1] == 4


def test_maximum_125_percent_of_3_leaves_no_room_to_start():
    """Documented example: max 125 %, desired 3 -> floor(3.75) = 3, cannot start any extra."""
    assert deployment_bounds(3, 100, 125) == (3, 3)


def test_min_50_max_200_of_4_starts_4_and_stops_2_first():
    """desired 4, min 50 % (2 healthy), max 200 % (8): ECS may stop 2 old and start 4 new."""
    step = simulate_deployment(4, 50, 200).first_step()
    assert (step.start_new, step.stop_old) == (4, 2)


def test_min_100_max_200_of_4_starts_4_new_before_stopping_any():
    """Documented example: max 200 % of 4 lets ECS start 4 new tasks before stopping 4 old."""
    step = simulate_deployment(4, 100, 200).first_step()
    assert (step.start_new, step.stop_old) == (4, 0)
    assert step.description.startswith("start 4 new, stop 0 old")


def test_min_50_max_100_of_4_stops_2_before_starting_2():
    """Documented example: min 50 % of 4 lets ECS stop 2 tasks to free capacity, then start 2."""
    result = simulate_deployment(4, 50, 100, stop_seconds=30)
    assert (result.first_step().start_new, result.first_step().stop_old) == (0, 2)
    assert result.counts_at(30)["new_pending"] == 2


def test_api_counting_without_stopping_tasks_starts_2_while_2_stop():
    """The API text counts only RUNNING and PENDING toward maximumPercent."""
    step = simulate_deployment(4, 50, 100, count_stopping_toward_maximum=False).first_step()
    assert (step.start_new, step.stop_old) == (2, 2)


def test_min_75_with_max_100_cannot_stop_or_start():
    """Documented example: min 75 % of 2 keeps both; with max 100 % the deployment is stuck."""
    result = simulate_deployment(2, 75, 100, service_name="web")
    assert result.first_step().stalled
    assert result.events_of("stalled")[0].message.startswith(
        "service (web) was unable to stop or start tasks during a deployment because of the "
        "service deployment configuration."
    )
    assert result.rollout_state == "IN_PROGRESS"


def test_rollout_never_drops_below_the_lower_bound_or_exceeds_the_upper_bound():
    result = simulate_deployment(10, 50, 150)
    assert result.healthy.min() >= result.lower_bound
    assert result.counted_toward_maximum.max() <= result.upper_bound


def test_rollout_ends_completed_with_desired_new_tasks_healthy():
    result = simulate_deployment(6, 100, 150)
    assert result.rollout_state == "COMPLETED"
    assert result.new_healthy[-1] == 6 and result.old_running[-1] == 0


def test_new_task_counts_healthy_40_seconds_after_running_without_load_balancer():
    """Without LB or container health check a task counts healthy 40 s after RUNNING."""
    result = simulate_deployment(2, 100, 200, start_seconds=30)
    assert result.counts_at(69)["new_healthy"] == 0
    assert result.counts_at(70)["new_healthy"] == 2


def test_old_tasks_stop_only_once_new_tasks_are_healthy_at_min_100():
    result = simulate_deployment(4, 100, 200, start_seconds=30, healthy_after_seconds=40)
    assert result.counts_at(69)["old_running"] == 4
    assert result.events_of("stop")[0].time_seconds == 70


def test_circuit_breaker_threshold_is_half_desired_rounded_up_within_3_and_200():
    """ServiceDeploymentCircuitBreaker.threshold: min 3, max 200, 0.5 x desired task count."""
    assert [circuit_breaker_threshold(d) for d in (1, 25, 400, 800)] == [3, 13, 200, 200]


def test_circuit_breaker_threshold_2023_guide_minimum_10_is_reproducible():
    """The 2023 Developer Guide table: desired 1 -> 10, 25 -> 13 (minimum 10 then)."""
    assert circuit_breaker_threshold(1, minimum=10) == 10
    assert circuit_breaker_threshold(25, minimum=10) == 13


def test_circuit_breaker_count_threshold_uses_value_directly():
    assert circuit_breaker_threshold(1000, threshold_type="COUNT", value=7) == 7


def test_circuit_breaker_trips_when_failures_reach_threshold():
    result = simulate_deployment(
        4, 100, 200, new_tasks_fail=True, circuit_breaker={"enable": True, "rollback": False}
    )
    tripped = result.events_of("circuit_breaker_tripped")
    assert len(tripped) == 1
    assert result.failure_count >= result.failure_threshold == 3
    assert result.rollout_state == "FAILED"


def test_circuit_breaker_trips_exactly_when_failure_count_equals_threshold():
    """max 125 % of 4 allows one extra task, so failures arrive one by one: trip at 3, not 4."""
    result = simulate_deployment(
        4, 100, 125, new_tasks_fail=True, circuit_breaker={"enable": True, "rollback": False}
    )
    assert result.failure_count == 3
    assert (
        "failureCount 3 reached threshold 3"
        in result.events_of("circuit_breaker_tripped")[0].message
    )


def test_failed_deployment_without_rollback_launches_no_new_tasks():
    result = simulate_deployment(
        4, 100, 200, new_tasks_fail=True, circuit_breaker={"enable": True, "rollback": False}
    )
    trip_time = result.events_of("circuit_breaker_tripped")[0].time_seconds
    assert all(e.time_seconds <= trip_time for e in result.events_of("start"))


def test_rollback_restores_desired_old_tasks():
    result = simulate_deployment(
        4, 50, 200, new_tasks_fail=True, circuit_breaker={"enable": True, "rollback": True}
    )
    assert result.rolled_back
    assert result.events_of("rollback_completed")
    assert result.counts_at(result.finished_seconds)["old_healthy"] == 4
    assert result.new_running[-1] == 0


def test_stage_one_failures_count_tasks_that_never_reach_running():
    result = simulate_deployment(
        4,
        100,
        200,
        new_tasks_fail=True,
        failure_stage="start",
        circuit_breaker=CircuitBreaker(rollback=True),
    )
    assert result.events_of("failed_to_start")
    assert result.new_running.max() == 0
    assert result.rolled_back


def test_health_check_grace_period_delays_the_unhealthy_verdict():
    result = simulate_deployment(
        2,
        100,
        200,
        new_tasks_fail=True,
        start_seconds=30,
        healthy_after_seconds=40,
        health_check_grace_period_seconds=120,
        max_seconds=200,
    )
    assert result.events_of("unhealthy")[0].time_seconds == 150


def test_failing_tasks_without_breaker_keep_the_deployment_in_progress():
    result = simulate_deployment(4, 100, 200, new_tasks_fail=True, max_seconds=600)
    assert result.rollout_state == "IN_PROGRESS"
    assert result.events_of("timeout")


def test_from_service_reads_deployment_configuration_keys_as_the_api_names_them():
    service = {
        "serviceName": "web",
        "desiredCount": 4,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {
            "minimumHealthyPercent": 50,
            "maximumPercent": 200,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
    }
    result = from_service(service, new_tasks_fail=True)
    assert (result.lower_bound, result.upper_bound) == (2, 8)
    assert result.failure_threshold == 3 and result.rolled_back


def test_from_service_uses_replica_defaults_when_moto_drops_the_configuration():
    result = from_service({"serviceName": "web", "desiredCount": 4})
    assert (result.minimum_healthy_percent, result.maximum_percent) == (100, 200)
    assert result.failure_threshold is None


def test_from_service_rejects_code_deploy_services_with_a_learner_message():
    with pytest.raises(DeploymentConfigurationError, match="CODE_DEPLOY"):
        from_service({"desiredCount": 2, "deploymentController": {"type": "CODE_DEPLOY"}})


def test_negative_percent_is_rejected_with_a_learner_message():
    with pytest.raises(DeploymentConfigurationError, match="minimumHealthyPercent"):
        simulate_deployment(4, -10, 200)


def test_simulation_is_deterministic():
    first = simulate_deployment(
        25, 50, 150, new_tasks_fail=True, circuit_breaker=CircuitBreaker(rollback=True)
    )
    second = simulate_deployment(
        25, 50, 150, new_tasks_fail=True, circuit_breaker=CircuitBreaker(rollback=True)
    )
    assert first.events == second.events
    assert np.array_equal(first.counted_toward_maximum, second.counted_toward_maximum)


def test_thousand_task_service_completes_in_cohorts():
    result = simulate_deployment(1000, 100, 110)
    assert result.rollout_state == "COMPLETED"
    assert len(result.times_seconds) < 100
    assert result.counted_toward_maximum.max() == 1100


@pytest.mark.parametrize(
    "result",
    [
        simulate_deployment(
            4, 50, 200, new_tasks_fail=True, circuit_breaker={"enable": True, "rollback": True}
        ),
        simulate_deployment(2, 75, 100),
        simulate_deployment(1000, 100, 110),
    ],
    ids=["rollback", "stalled", "thousand"],
)
def test_plot_deployment_renders_without_warnings_or_problems(result):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = deployment.plot_deployment(result)
        fig.canvas.draw()
    assert plots.figure_problems(fig) == []
    plots.plt.close(fig)


def test_interactive_deployment_falls_back_to_a_static_figure(monkeypatch):
    monkeypatch.setenv("ECS_WORKBOOK_STATIC", "1")
    fig = deployment.interactive_deployment()
    assert plots.figure_problems(fig) == []
    plots.plt.close(fig)
