"""The seed scenario: "Deploying a task that will over-subscribe your ECS cluster".

A 2 GiB task arrives at a cluster with 1 GiB free, under each mechanism in turn: no scaling (it
fails with ``RESOURCE:MEMORY``), the MemoryReservation > 75 % alarm (an instance was added in
time), a capacity provider (it waits in PROVISIONING until a new instance registers).
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
"""

from __future__ import annotations

from .cluster import ClusterConfig, Deploy
from .errors import AutoScalingConfigError
from .policies import ClusterAlarmPolicy, ManagedScaling
from .results import ScalingResult
from .simulation import simulate_capacity_provider, simulate_cluster_alarm_scaling

#: Two instances registering 4096 MiB each (8 GiB in the cluster).
SEED_CLUSTER = ClusterConfig(
    instance_memory_mib=4096, instance_cpu_units=2048, initial_instances=2, min_size=1, max_size=4
)
#: Services deployed one after another (1 GiB tasks), then the 2 GiB task at minute 40. After the
#: 6th 1 GiB task MemoryReservation is exactly 75 % (not > 75); the 7th takes it to 87.5 % and
#: leaves 1 GiB free, split so that no instance has 2 GiB.
SEED_DEPLOYS = (
    Deploy(0, 1024, count=4, name="web"),
    Deploy(10 * 60, 1024, count=2, name="worker"),
    Deploy(20 * 60, 1024, count=1, name="penultimate"),
    Deploy(40 * 60, 2048, count=1, name="big-task"),
)
SEED_DURATION_SECONDS = 60 * 60
_SEED_MODES = ("none", "alarm75", "capacity_provider")


def seed_scenario(
    mode: str = "alarm75",
    *,
    big_task_memory_mib: int = 2048,
    alarm: ClusterAlarmPolicy | None = None,
    managed_scaling: ManagedScaling | None = None,
    cluster: ClusterConfig | None = None,
    task_start_seconds: int = 30,
) -> ScalingResult:
    """The seed's over-subscription story: a 2 GiB task arriving at a cluster with 1 GiB free.

    ``"none"``: fixed cluster, the task fails with ``RESOURCE:MEMORY``. ``"alarm75"``: the
    ``MemoryReservation > 75`` alarm fired on the penultimate deploy, the ASG added an instance
    and the task fits. ``"capacity_provider"``: the task waits in PROVISIONING, managed scaling
    adds an instance, the task starts once it registers.
    """
    if mode not in _SEED_MODES:
        raise AutoScalingConfigError(
            f"Unknown seed scenario mode {mode!r}; expected one of {', '.join(_SEED_MODES)}."
        )
    deploys = [*SEED_DEPLOYS[:-1], Deploy(40 * 60, big_task_memory_mib, name="big-task")]
    cluster = cluster or SEED_CLUSTER
    common = dict(
        cluster=cluster,
        deploys=deploys,
        duration_seconds=SEED_DURATION_SECONDS,
        task_start_seconds=task_start_seconds,
    )
    if mode == "capacity_provider":
        return simulate_capacity_provider(managed_scaling=managed_scaling, **common)
    if mode == "none":
        return simulate_cluster_alarm_scaling(alarm=None, **common)
    return simulate_cluster_alarm_scaling(alarm=alarm or ClusterAlarmPolicy(), **common)
