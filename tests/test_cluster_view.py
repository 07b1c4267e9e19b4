"""cluster_view.instance_rows and task_rows: what runs where, from ECS's own describe calls."""

from __future__ import annotations

import pytest

from ecs_workbook import cluster_view, sandbox
from ecs_workbook.instances import add_container_instances


@pytest.fixture(scope="module")
def sb():
    box = sandbox.start()
    box.ecs.create_cluster(clusterName="view")
    for zone, tier in (("us-east-1b", "web"), ("us-east-1a", "batch")):
        add_container_instances(
            box.ecs, box.ec2, cluster="view", instance_type="m5.large",
            availability_zone=zone, attributes={"tier": tier},
        )  # fmt: skip
    box.ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "cpu": 256, "memory": 512}]
    )  # fmt: skip
    box.ecs.create_service(
        cluster="view", serviceName="web", taskDefinition="web", desiredCount=2,
        placementConstraints=[{"type": "memberOf", "expression": "attribute:tier == web"}],
    )  # fmt: skip
    yield box
    box.stop()


def test_rows_are_sorted_by_availability_zone_with_unprefixed_attribute_columns(sb):
    rows = cluster_view.instance_rows(sb.ecs, "view", ("ecs.availability-zone", "tier"))
    assert [row["availability-zone"] for row in rows] == ["us-east-1a", "us-east-1b"]
    assert [row["tier"] for row in rows] == ["batch", "web"]


def test_service_tasks_show_as_their_task_group_with_a_count(sb):
    rows = cluster_view.instance_rows(sb.ecs, "view", ("tier",))
    by_tier = {row["tier"]: row for row in rows}
    assert by_tier["web"]["tasks"] == "service:web ×2"
    assert by_tier["batch"]["tasks"] == ""


def test_free_resources_are_registered_minus_what_running_tasks_reserve(sb):
    """An m5.large registers 2048 CPU units; two tasks of 256 units leave 1536.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html"""
    rows = {row["tier"]: row for row in cluster_view.instance_rows(sb.ecs, "view", ("tier",))}
    assert rows["web"]["free CPU"] == 2048 - 2 * 256
    assert rows["batch"]["free CPU"] == 2048
    assert rows["web"]["free MiB"] == rows["batch"]["free MiB"] - 2 * 512


def test_a_missing_attribute_shows_as_a_dash(sb):
    rows = cluster_view.instance_rows(sb.ecs, "view", ("stack",))
    assert {row["stack"] for row in rows} == {"-"}


@pytest.fixture(scope="module")
def shop(sb):
    """Cluster ``shop``: one instance in us-east-1c, service ``api`` (2 tasks, dynamic host port 80)
    and one standalone ``batch`` task."""
    sb.ecs.create_cluster(clusterName="shop")
    add_container_instances(sb.ecs, sb.ec2, cluster="shop", availability_zone="us-east-1c")
    api = {"name": "api", "image": "nginx", "memory": 256, "portMappings": [{"containerPort": 80}]}
    sb.ecs.register_task_definition(family="api", containerDefinitions=[api])
    sb.ecs.register_task_definition(family="api", containerDefinitions=[api])
    sb.ecs.create_service(cluster="shop", serviceName="api", taskDefinition="api:2", desiredCount=2)
    batch = {"name": "batch", "image": "busybox", "memory": 128}
    sb.ecs.register_task_definition(family="batch", containerDefinitions=[batch])
    sb.ecs.run_task(cluster="shop", taskDefinition="batch")
    return sb


def test_task_rows_show_the_zone_and_revision_of_each_service_task(shop):
    rows = cluster_view.task_rows(shop.ecs, "shop", service_name="api")
    assert [(row["zone"], row["revision"]) for row in rows] == [("us-east-1c", "2")] * 2


def test_tasks_sharing_an_instance_get_different_dynamic_host_ports(shop):
    """Omitting hostPort in bridge mode gives each task its own host port from the ephemeral range.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"""
    ports = [
        row["hostPort"] for row in cluster_view.task_rows(shop.ecs, "shop", service_name="api")
    ]
    assert len(set(ports)) == 2
    assert all(int(port) >= 32768 for port in ports)


def test_task_rows_without_a_service_name_include_standalone_tasks(shop):
    rows = cluster_view.task_rows(shop.ecs, "shop")
    assert len(rows) == 3
    assert [row["hostPort"] for row in rows].count("") == 1
