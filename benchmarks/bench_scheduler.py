"""How fast is the kit's scheduler, next to moto's own run_task, on the same cluster?

Workload: 1,000 container instances (500 m5.large, 500 c5.large, three AZs) registered in moto;
a task of 64 CPU units / 128 MiB; placement binpack(memory) with the constraint
memberOf ``attribute:ecs.instance-type =~ m5.*``; 10,000 tasks.

* The core (``scheduler.place_tasks``) places all 10,000 in one call on plain data built from
  moto's ``describe_container_instances`` output (``default="service"`` lifts RunTask's
  10-per-call limit; the strategy and constraint are given explicitly, so nothing else differs).
  It is also timed as 1,000 RunTask-sized calls of 10, carrying the state between calls.
* moto 5.2.5's native ``run_task`` under ``mock_aws`` on the same instances. moto ignores the
  strategy and constraint (it fills instances first-fit), so it does *less* work than ECS would;
  it is timed with ``count=N`` in one call (moto does not enforce RunTask's limit of 10) and
  with calls of ``count=10`` as real RunTask allows. By default moto places all 10,000 tasks;
  ``--moto-tasks 2000`` times fewer and multiplies moto's time up to 10,000 (the output says so;
  moto's first-fit walk grows as instances fill, so that estimate flatters moto).

Run: ``.venv/bin/python benchmarks/bench_scheduler.py`` (under a minute: registering 1,000
instances and moto's own placements dominate).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

INSTANCES = 1_000
TASKS = 10_000
NEED = {"CPU": 64, "MEMORY": 128, "PORTS": [], "PORTS_UDP": []}
STRATEGY = [{"type": "binpack", "field": "memory"}]
CONSTRAINTS = [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}]
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def fake_credentials() -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )


def register_cluster(ecs, ec2, ssm) -> list[str]:
    """1,000 container instances as moto-gaps 2.2 describes: ECS AMI, run_instances, register."""
    ami = ssm.get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"
    )
    image_id = ami["Parameter"]["Value"]
    ecs.create_cluster(clusterName="bench")
    arns = []
    per_batch = INSTANCES // (2 * len(ZONES)) + 1
    launched = []
    for zone in ZONES:
        for instance_type in ("m5.large", "c5.large"):
            reservation = ec2.run_instances(
                ImageId=image_id,
                MinCount=per_batch,
                MaxCount=per_batch,
                InstanceType=instance_type,
                Placement={"AvailabilityZone": zone},
            )
            launched.extend(reservation["Instances"])
    # Interleave types and zones so first-fit order is not sorted by type.
    launched.sort(key=lambda inst: inst["InstanceId"])
    for inst in launched[:INSTANCES]:
        document = json.dumps({"instanceId": inst["InstanceId"]})
        registered = ecs.register_container_instance(
            cluster="bench", instanceIdentityDocument=document
        )
        arns.append(registered["containerInstance"]["containerInstanceArn"])
    ecs.register_task_definition(
        family="bench",
        containerDefinitions=[{"name": "app", "image": "busybox", "cpu": 64, "memory": 128}],
    )
    return arns


def describe_all(ecs, arns: list[str]) -> list[dict]:
    described = []
    for start in range(0, len(arns), 100):
        page = ecs.describe_container_instances(
            cluster="bench", containerInstances=arns[start : start + 100]
        )
        described.extend(page["containerInstances"])
    return described


def time_core(instances, strategy=STRATEGY, repeats: int = 3) -> tuple[float, object]:
    """Median seconds of ``repeats`` one-call placements of all TASKS, and the last plan."""
    from ecs_workbook import scheduler

    seconds = []
    plan = None
    for repeat in range(repeats):
        started = time.perf_counter()
        plan = scheduler.place_tasks(
            instances,
            NEED,
            TASKS,
            placement_strategy=strategy,
            placement_constraints=CONSTRAINTS,
            group="family:bench",
            rng=random.Random(repeat),
            default="service",
        )
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), plan


def time_core_in_calls_of_ten(instances) -> float:
    from ecs_workbook import scheduler

    rng = random.Random(0)
    started = time.perf_counter()
    state = list(instances)
    for _ in range(TASKS // 10):
        plan = scheduler.place_tasks(
            state,
            NEED,
            10,
            placement_strategy=STRATEGY,
            placement_constraints=CONSTRAINTS,
            group="family:bench",
            rng=rng,
        )
        state = scheduler.apply_placements(state, plan, NEED)
    return time.perf_counter() - started


def time_moto(ecs, tasks: int, per_call: int) -> float:
    started = time.perf_counter()
    placed = 0
    while placed < tasks:
        count = min(per_call, tasks - placed)
        response = ecs.run_task(cluster="bench", taskDefinition="bench", count=count)
        placed += len(response["tasks"])
    elapsed = time.perf_counter() - started
    return elapsed


def stop_all(ecs) -> None:
    paginator = ecs.get_paginator("list_tasks")
    for page in paginator.paginate(cluster="bench", desiredStatus="RUNNING"):
        for arn in page["taskArns"]:
            ecs.stop_task(cluster="bench", task=arn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--moto-tasks",
        type=int,
        default=TASKS,
        help=f"tasks moto places per measurement (default {TASKS}; fewer = extrapolated)",
    )
    args = parser.parse_args()
    fake_credentials()

    import boto3
    from moto import mock_aws
    from moto.moto_api import state_manager

    from ecs_workbook import scheduler

    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
    with mock_aws():
        ecs, ec2, ssm = (
            boto3.client(name, region_name="us-east-1") for name in ("ecs", "ec2", "ssm")
        )
        started = time.perf_counter()
        arns = register_cluster(ecs, ec2, ssm)
        setup_seconds = time.perf_counter() - started
        instances = [
            scheduler.InstanceState.from_container_instance(ci) for ci in describe_all(ecs, arns)
        ]

        core_seconds, plan = time_core(instances)
        spread_seconds, _ = time_core(
            instances,
            [
                {"type": "spread", "field": "attribute:ecs.availability-zone"},
                {"type": "spread", "field": "instanceId"},
            ],
        )
        core_calls_seconds = time_core_in_calls_of_ten(instances)
        chosen = set(plan.placements)
        m5_only = all(
            inst.attributes["ecs.instance-type"].startswith("m5")
            for inst in instances
            if inst.arn in chosen
        )

        time_moto(ecs, 10, 10)  # warm-up: moto's first run_task pays for lazy imports
        stop_all(ecs)
        moto_tasks = min(args.moto_tasks, TASKS)
        moto_one_call = time_moto(ecs, moto_tasks, moto_tasks)
        stop_all(ecs)
        moto_tens = time_moto(ecs, moto_tasks, 10)

    scale = TASKS / moto_tasks
    how = "measured" if scale == 1 else f"measured on {moto_tasks} tasks, x{scale:g} (extrapolated)"
    moto_one_call_all = moto_one_call * scale
    moto_tens_all = moto_tens * scale
    ratio_one = moto_one_call_all / core_seconds
    ratio_tens = moto_tens_all / core_calls_seconds

    def row(label: str, seconds: float, note: str = "") -> None:
        print(f"  {label:<58} {seconds:9.3f} s  {note}".rstrip())

    print(
        f"Cluster: {INSTANCES} container instances registered in moto {setup_seconds:.1f} s (not timed)"
    )
    print(f"Task: {NEED['CPU']} CPU units / {NEED['MEMORY']} MiB; {TASKS} tasks")
    print("Placement: binpack(memory) + memberOf attribute:ecs.instance-type =~ m5.*")
    print()
    print("Kit scheduler (ecs_workbook.scheduler.place_tasks, plain data):")
    row(f"one call, {TASKS} tasks (median of 3)", core_seconds)
    print(f"    -> {len(chosen)} instances used, all m5: {m5_only}, failures: {len(plan.failures)}")
    row(f"{TASKS // 10} RunTask-sized calls of 10, state carried over", core_calls_seconds)
    row("for comparison: spread AZ + spread instanceId, one call", spread_seconds)
    print()
    print("moto 5.2.5 run_task under mock_aws (first-fit; ignores strategy and constraint):")
    row(f"one call, count={moto_tasks}", moto_one_call, "(moto does not enforce count <= 10)")
    row(f"{-(-moto_tasks // 10)} calls of count=10", moto_tens)
    if scale != 1:
        row(f"one call, per {TASKS} tasks", moto_one_call_all, how)
        row(f"calls of 10, per {TASKS} tasks", moto_tens_all, how)
    print()
    print("Targets:")
    print(
        f"  core one call < 0.5 s: {'met' if core_seconds < 0.5 else 'MISSED'} ({core_seconds:.3f} s)"
    )
    print(
        f"  moto one call / core one call >= 100x: {'met' if ratio_one >= 100 else 'MISSED'} "
        f"({ratio_one:.0f}x)"
    )
    print(f"  moto calls of 10 / core calls of 10 (not a target): {ratio_tens:.1f}x")


if __name__ == "__main__":
    main()
