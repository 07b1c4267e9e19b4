"""Clusters: finding a cluster and what it holds, CreateCluster and DescribeClusters' counters.

moto keeps container instances and tasks in per-cluster tables; the engine makes sure every
cluster has both and recomputes ``runningTasksCount`` and friends from what actually runs.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.ecs.exceptions import ClusterNotFoundException

from ecs_workbook.engine.patching import Backend, original


def get_cluster(backend: Any, cluster_str: str | None) -> Any:
    """The cluster named by ARN or name (``default`` if none), else ClusterNotFoundException."""
    name = (cluster_str or "default").split("/")[-1]
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ClusterNotFoundException()
    return cluster


def find_container_instance(backend: Any, cluster_name: str, arn_or_id: str | None) -> Any:
    """The container instance by ARN or id, deregistered (orphaned) ones included; else None."""
    if not arn_or_id:
        return None
    key = arn_or_id.split("/")[-1]
    found = backend.container_instances.get(cluster_name, {}).get(key)
    if found is None:
        found = backend.container_instances.get("orphaned", {}).get(key)
    return found


def cluster_tasks(backend: Any, cluster_name: str) -> Iterable[Any]:
    """Every task moto holds for the cluster, whatever its status."""
    return backend.tasks.get(cluster_name, {}).values()


def is_running(task: Any) -> bool:
    """A task that still holds its resources: desired RUNNING and not yet released."""
    return task.desired_status == "RUNNING" and not getattr(task, "_wb_released", False)


def backend_create_cluster(self: Any, cluster_name: str, *args: Any, **kwargs: Any) -> Any:
    """CreateCluster, with empty instance and task tables (moto raises KeyError without them)."""
    cluster = original(Backend, "create_cluster")(self, cluster_name, *args, **kwargs)
    self.container_instances.setdefault(cluster.name, {})
    self.tasks.setdefault(cluster.name, {})
    return cluster


def backend_describe_clusters(self: Any, cluster_names: list[str]) -> tuple[list, list]:
    """DescribeClusters with counters recomputed from what runs (moto's drift and go negative)."""
    clusters, failures = original(Backend, "describe_clusters")(self, cluster_names)
    for cluster in clusters:
        refresh_cluster_counters(self, cluster)
    return clusters, failures


def refresh_cluster_counters(backend: Any, cluster: Any) -> None:
    """Recompute a cluster's task, service and instance counts from what it holds now."""
    running = [t for t in cluster_tasks(backend, cluster.name) if is_running(t)]
    cluster.running_tasks_count = sum(1 for t in running if t.last_status != "PENDING")
    cluster.pending_tasks_count = sum(1 for t in running if t.last_status == "PENDING")
    cluster.active_services_count = sum(
        1
        for s in backend.services.values()
        if s.cluster_name == cluster.name and s.status == "ACTIVE"
    )
    cluster.registered_container_instances_count = len(
        backend.container_instances.get(cluster.name, {})
    )
