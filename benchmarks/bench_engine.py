"""How much the engine adds to moto's ECS calls: milliseconds per call, engine vs plain moto.

Runs the same scenario twice in fresh interpreters (moto alone, then moto with
``ecs_workbook.engine.install()``) and prints the median time per call and the ratio.
Usage: ``.venv/bin/python benchmarks/bench_engine.py [instances]`` (default 100).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

REPEATS = 30


def scenario(engine_on: bool, instance_count: int) -> dict[str, float]:
    """Milliseconds per call (median) for the main ECS calls, in this process."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    import boto3
    from moto import mock_aws
    from moto.moto_api import state_manager

    if engine_on:
        from ecs_workbook import engine

        engine.install()
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
    ecs, ec2, ssm = (boto3.client(name) for name in ("ecs", "ec2", "ssm"))
    timings: dict[str, list[float]] = {}

    def timed(name: str, call, *args, **kwargs):
        start = time.perf_counter()
        result = call(*args, **kwargs)
        timings.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        return result

    with mock_aws():
        ecs.create_cluster(clusterName="bench")
        parameter = "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"
        ami = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
        ids = [
            i["InstanceId"]
            for i in ec2.run_instances(
                ImageId=ami,
                MinCount=instance_count,
                MaxCount=instance_count,
                InstanceType="m5.xlarge",
            )["Instances"]
        ]
        arns = []
        for instance_id in ids:
            registered = timed(
                "register_container_instance",
                ecs.register_container_instance,
                cluster="bench",
                instanceIdentityDocument=json.dumps({"instanceId": instance_id}),
            )
            arns.append(registered["containerInstance"]["containerInstanceArn"])
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "web", "image": "x", "memory": 16}]
        )
        for _ in range(REPEATS):
            timed("list_clusters (baseline)", ecs.list_clusters)
            tasks = timed(
                "run_task count=10", ecs.run_task, cluster="bench", taskDefinition="web", count=10
            )
            started = timed(
                "start_task",
                ecs.start_task,
                cluster="bench",
                taskDefinition="web",
                containerInstances=[arns[0]],
            )
            for task in tasks["tasks"] + started["tasks"]:
                timed("stop_task", ecs.stop_task, cluster="bench", task=task["taskArn"])
        for n in range(5):
            timed(
                "create_service desired=10",
                ecs.create_service,
                cluster="bench",
                serviceName=f"s{n}",
                taskDefinition="web",
                desiredCount=10,
            )
            ecs.register_task_definition(
                family="web",
                containerDefinitions=[{"name": "web", "image": f"x:{n}", "memory": 16}],
            )
            timed(
                "update_service new revision (10 tasks)",
                ecs.update_service,
                cluster="bench",
                service=f"s{n}",
                taskDefinition="web",
            )
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(scenario(sys.argv[2] == "on", int(sys.argv[3]))))
        return
    instance_count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    results = {}
    for mode in ("off", "on"):
        output = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(instance_count)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[mode] = json.loads(output.strip().splitlines()[-1])
    print(f"ECS calls on a cluster of {instance_count} m5.xlarge instances, median ms per call")
    print(f"{'call':<42}{'moto':>9}{'engine':>9}{'ratio':>8}")
    for name, engine_ms in results["on"].items():
        moto_ms = results["off"].get(name)
        ratio = f"{engine_ms / moto_ms:6.2f}x" if moto_ms else "     -"
        shown = f"{moto_ms:9.2f}" if moto_ms is not None else f"{'-':>9}"
        print(f"{name:<42}{shown}{engine_ms:9.2f}{ratio:>8}")
    print("(plain moto's services start no tasks, so its service calls do far less work)")


if __name__ == "__main__":
    main()
