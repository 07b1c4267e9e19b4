"""How fast the service simulators run at the sizes the notebooks use and beyond.

Run: ``.venv/bin/python benchmarks/bench_sims.py``. Prints seconds and ratios; asserts nothing.
Each section is one ``bench_*`` function; :func:`main` runs every one defined in this module.
"""

from __future__ import annotations

import inspect
import sys
import timeit


def bench_deployment() -> None:
    """Rolling deployment of a 1,000-task service (target: under 0.5 s per simulation)."""
    from ecs_workbook.sim.deployment import CircuitBreaker, simulate_deployment

    cases = {
        "1000 tasks, min 100 / max 200": lambda: simulate_deployment(1000, 100, 200),
        "1000 tasks, min 100 / max 110 (10 batches)": lambda: simulate_deployment(1000, 100, 110),
        "1000 tasks, min 99 / max 100 (100 batches)": lambda: simulate_deployment(
            1000, 99, 100, max_seconds=50_000
        ),
        "1000 tasks, failing, breaker + rollback": lambda: simulate_deployment(
            1000, 50, 200, new_tasks_fail=True, circuit_breaker=CircuitBreaker(rollback=True)
        ),
    }
    print("== deployment (target < 0.5 s for a 1,000-task service)")
    for name, run in cases.items():
        repeats = 5
        seconds = min(timeit.repeat(run, number=1, repeat=repeats))
        result = run()
        print(
            f"{name:45s} {seconds:8.4f} s  ({result.rollout_state}, "
            f"{len(result.times_seconds)} steps, {0.5 / seconds:,.0f}x under target)"
        )


def bench_disk() -> None:
    """One week of container-instance disk at 60 s ticks, both layouts, with and without cleanup."""
    from ecs_workbook.sim.disk import rolling_releases_workload, simulate_disk

    hours = 7 * 24
    workload = rolling_releases_workload(hours, release_every_hours=1.0, tasks_per_release=10)
    print(f"== disk ({hours} h, {len(workload.tasks)} tasks, {hours * 60} ticks)")
    for layout in ("al1-devicemapper", "overlay2"):
        for cleanup in (True, False):
            seconds = min(
                timeit.repeat(
                    lambda layout=layout, cleanup=cleanup: simulate_disk(
                        layout, workload, cleanup, hours
                    ),
                    number=1,
                    repeat=3,
                )
            )
            label = "cleanup" if cleanup else "no cleanup"
            print(f"{layout:18s} {label:11s} {seconds:8.3f} s")


def bench_autoscaling() -> None:
    """Seven days at 1-minute steps under each scaling mechanism (target: under 0.5 s each)."""
    from ecs_workbook.sim.autoscaling import (
        TargetTrackingPolicy,
        load_curve,
        seed_scenario,
        simulate_capacity_provider,
        simulate_cluster_alarm_scaling,
        simulate_service_scaling,
    )

    week = load_curve("diurnal", days=7, step_seconds=60)
    policy = TargetTrackingPolicy(max_capacity=40)
    cases = {
        "(a) service target tracking": lambda: simulate_service_scaling(week),
        "(b) service + MemoryReservation alarm": lambda: simulate_cluster_alarm_scaling(
            week, service_policy=policy
        ),
        "(c) service + capacity provider": lambda: simulate_capacity_provider(
            week, service_policy=policy
        ),
        "seed scenario, all three modes (1 h)": lambda: [
            seed_scenario(mode) for mode in ("none", "alarm75", "capacity_provider")
        ],
    }
    print(f"== autoscaling (7 days x 1 min = {len(week)} steps; target < 0.5 s per simulation)")
    for name, run in cases.items():
        seconds = min(timeit.repeat(run, number=1, repeat=5))
        result = run()
        detail = (
            f"{len(result.events)} events, peak {result.summary()['peak_desired_tasks']} tasks"
            if not isinstance(result, list)
            else f"{sum(len(r.events) for r in result)} events"
        )
        print(f"{name:40s} {seconds:8.4f} s  ({detail}, {0.5 / seconds:,.1f}x under target)")


def main() -> None:
    """Run every ``bench_*`` function defined in this module, in source order."""
    module = sys.modules[__name__]
    benches = [
        function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("bench_") and function.__module__ == module.__name__
    ]
    benches.sort(key=lambda function: function.__code__.co_firstlineno)
    for bench in benches:
        bench()
        print()


if __name__ == "__main__":
    main()
