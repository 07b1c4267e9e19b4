"""Registered vs remaining resources of container instances (table records and the bar plot)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from moto.ecs.models import ecs_backends
from moto_support import fake_aws

from ecs_workbook import instances, plots, resources


def _resource(name: str, value: int) -> dict:
    return {"name": name, "type": "INTEGER", "integerValue": value}


def _container_instance(instance_type, ec2_id, cpu, memory, cpu_left, memory_left, status="ACTIVE"):
    """A DescribeContainerInstances entry, shaped as ECS returns it. API_ContainerInstance.html"""
    return {
        "containerInstanceArn": f"arn:aws:ecs:us-east-1:123456789012:container-instance/c/{ec2_id}",
        "ec2InstanceId": ec2_id,
        "status": status,
        "registeredResources": [_resource("CPU", cpu), _resource("MEMORY", memory)],
        "remainingResources": [_resource("CPU", cpu_left), _resource("MEMORY", memory_left)],
        "attributes": [{"name": "ecs.instance-type", "value": instance_type}],
    }


@pytest.fixture(scope="module")
def moto_clients():
    """One moto for the module (EC2's AMI catalogue loads once), with the kit's engine."""
    with fake_aws(engine=True), mock_aws():
        yield boto3.client("ecs"), boto3.client("ec2")


@pytest.fixture
def aws(moto_clients):
    """A fresh ECS with an empty cluster ``c`` for each test."""
    ecs_backends["123456789012"]["us-east-1"].reset()
    moto_clients[0].create_cluster(clusterName="c")
    return moto_clients


T3 = _container_instance("t3.medium", "i-0000000000000aaaa", 2048, 3992, 1536, 2968)
C5 = _container_instance("c5.xlarge", "i-0000000000000bbbb", 4096, 7985, 4096, 7985, "DRAINING")


def test_reserved_resources_are_registered_minus_remaining():
    record = resources.instance_resources([T3])[0]
    assert (record.reserved_cpu_units, record.reserved_memory_mib) == (512, 1024)


def test_records_keep_instance_type_status_and_order():
    records = resources.instance_resources([T3, C5])
    assert [(r.instance_type, r.status) for r in records] == [
        ("t3.medium", "ACTIVE"),
        ("c5.xlarge", "DRAINING"),
    ]


def test_a_row_names_registered_and_remaining_cpu_and_memory():
    row = resources.instance_resources([C5])[0].row()
    assert row["CPU registered"] == 4096 and row["MiB remaining"] == 7985


def test_the_plot_draws_registered_and_remaining_bars_for_each_instance():
    fig = resources.plot_registered_vs_remaining([T3, C5])
    ax_cpu, ax_memory = fig.get_axes()
    heights = [bar.get_height() for bar in ax_cpu.patches]
    assert heights == [2048, 4096, 1536, 4096]
    assert [bar.get_height() for bar in ax_memory.patches] == [3992, 7985, 2968, 7985]


def test_the_plot_has_titles_labels_and_legends():
    assert plots.figure_problems(resources.plot_registered_vs_remaining([T3, C5])) == []


def test_plotting_no_instances_says_what_to_do():
    with pytest.raises(ValueError, match="add_container_instances"):
        resources.plot_registered_vs_remaining([])


def test_describe_cluster_instances_returns_every_registered_instance(aws):
    ecs, ec2 = aws
    added = []
    for instance_type in ("t3.medium", "c5.xlarge"):
        added += instances.add_container_instances(
            ecs, ec2, cluster="c", instance_type=instance_type
        )
    described = resources.describe_cluster_instances(ecs, "c")
    assert sorted(ci["ec2InstanceId"] for ci in described) == sorted(
        ci["ec2InstanceId"] for ci in added
    )
    cpu_by_type = {
        r.instance_type: r.registered_cpu_units for r in resources.instance_resources(described)
    }
    assert cpu_by_type == {"t3.medium": 2048, "c5.xlarge": 4096}


def test_task_placements_show_group_and_instance_of_each_running_task(aws):
    """Standalone tasks are in group family:<family>. API_RunTask.html"""
    ecs, ec2 = aws
    added = instances.add_container_instances(ecs, ec2, cluster="c", instance_type="m5.large")
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 256}]
    )
    ecs.run_task(cluster="c", taskDefinition="web", count=2)
    rows = resources.task_placements(ecs, "c")
    assert [(r["group"], r["instance"], r["type"]) for r in rows] == [
        ("family:web", added[0]["ec2InstanceId"], "m5.large")
    ] * 2


def test_describe_cluster_tasks_can_keep_only_one_services_tasks(aws):
    """ListTasks filters by serviceName. API_ListTasks.html"""
    ecs, ec2 = aws
    instances.add_container_instances(ecs, ec2, cluster="c", instance_type="m5.large")
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 256}]
    )
    ecs.create_service(cluster="c", serviceName="web", taskDefinition="web", desiredCount=2)
    ecs.run_task(cluster="c", taskDefinition="web")
    service_tasks = resources.describe_cluster_tasks(ecs, "c", service_name="web")
    assert [task["group"] for task in service_tasks] == ["service:web"] * 2
    assert len(resources.describe_cluster_tasks(ecs, "c")) == 3
