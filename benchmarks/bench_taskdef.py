"""How long task-definition checks and compose conversion take (the engine validates each register).

Run: .venv/bin/python benchmarks/bench_taskdef.py
Prints microseconds per call for taskdef.validate, taskdef.reserved_resources and
compose.to_task_definition, and the ratio of validate to one moto register_task_definition call.
"""

from __future__ import annotations

import os
import timeit

from ecs_workbook import compose, taskdef


def one_container() -> dict:
    return {
        "family": "web",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1.25",
                "cpu": 256,
                "memory": 512,
                "portMappings": [{"containerPort": 80, "hostPort": 80}],
            }
        ],
    }


def ten_containers_fargate() -> dict:
    containers = [
        {
            "name": f"c{i}",
            "image": "busybox",
            "cpu": 64,
            "memoryReservation": 128,
            "portMappings": [{"containerPort": 8000 + i}],
            "environment": [{"name": "N", "value": str(i)}],
            "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 30},
        }
        for i in range(10)
    ]
    return {
        "family": "big",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "1 vCPU",
        "memory": "2GB",
        "placementConstraints": [],
        "containerDefinitions": containers,
    }


COMPOSE = {
    "version": "2",
    "services": {
        "web": {
            "image": "myorg/web:1",
            "ports": ["80:8000", "9000-9009:9000-9009"],
            "environment": {"A": "1", "B": "2"},
            "mem_limit": "512m",
            "volumes": ["/var/log:/logs:ro", "data:/data"],
        },
        "redis": {"image": "redis:7", "mem_reservation": "128m", "ports": ["6379"]},
    },
    "volumes": {"data": {}},
}


def per_call_microseconds(function, number: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6


def moto_register_microseconds(task_definition: dict, number: int = 200) -> float:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    import boto3
    from moto import mock_aws

    with mock_aws():
        ecs = boto3.client("ecs")
        ecs.register_task_definition(**task_definition)  # pay moto's first-call cost outside
        return per_call_microseconds(
            lambda: ecs.register_task_definition(**task_definition), number
        )


def main() -> None:
    small, big = one_container(), ten_containers_fargate()
    validate_small = per_call_microseconds(lambda: taskdef.validate(small), 5000)
    validate_big = per_call_microseconds(lambda: taskdef.validate(big), 1000)
    reserved = per_call_microseconds(lambda: taskdef.reserved_resources(small), 5000)
    convert = per_call_microseconds(
        lambda: compose.to_task_definition(COMPOSE, family="app", env={}), 500
    )
    moto = moto_register_microseconds(small)
    print(f"taskdef.validate, 1 container (EC2):        {validate_small:8.1f} us/call")
    print(f"taskdef.validate, 10 containers (Fargate):  {validate_big:8.1f} us/call")
    print(f"taskdef.reserved_resources, 1 container:    {reserved:8.1f} us/call")
    print(f"compose.to_task_definition, 2 services:     {convert:8.1f} us/call")
    print(f"moto register_task_definition (boto3):      {moto:8.1f} us/call")
    print(f"validate / moto register (1 container):     {validate_small / moto:8.3f}")
    print(f"validate / moto register (10 containers):   {validate_big / moto:8.3f}")


if __name__ == "__main__":
    main()
