"""Auto scaling on ECS, minute by minute: service target tracking, cluster alarms, capacity providers.

Three documented mechanisms decide how much runs and where:

(a) **Service Auto Scaling** (Application Auto Scaling, target tracking on e.g.
    ``ECSServiceAverageCPUUtilization``) changes a service's ``desiredCount``. It scales out when the
    metric is above the target (new desired = ``ceil(running × metric / target)``, starting from the
    *running* count), scales in only after the metric has stayed ~10 % below the target, and spaces
    activities with ``ScaleOutCooldown`` / ``ScaleInCooldown`` (default 300 s for ECS).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html
(b) **The classic cluster recipe**: a CloudWatch alarm on the cluster's ``MemoryReservation`` (> 75 %
    for 1 period) drives an Auto Scaling group policy that adds an instance, so the *next* deploy
    finds headroom; an optional alarm below 25 % removes one.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html
(c) **Capacity providers with managed scaling**: ECS publishes ``CapacityProviderReservation`` =
    M / N × 100 and a target-tracking policy on the ASG keeps it at ``targetCapacity``; tasks that
    fit nowhere wait in ``PROVISIONING`` until an instance registers.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html

:func:`seed_scenario` reproduces the workbook's seed story (a 2 GB task arriving at a cluster with
1 GB free) under each mechanism. The model is time-stepped (default 60 s, the CloudWatch period of
every ECS metric) and deterministic. Tasks are placed with ``binpack`` on memory.

Numbers that are workload dependent rather than ECS rules are parameters with illustrative
defaults: how long an instance takes to boot and register (``instance_boot_seconds``) and a task to
go from PENDING to RUNNING (``task_start_seconds``). A PROVISIONING task is placed as soon as a new
instance registers; ``instanceWarmupPeriod`` only holds back the *next* scale-out.

Not documented by AWS, so parameters here (ecs-facts §4, §11.10): the target-tracking alarm sizes
(3 and 15 one-minute datapoints, as moto creates them), the capacity provider's 1-datapoint high
alarm, the M/N formula and its N = 0 cases. Simplifications: the ASG removes its newest instance on a
classic scale-in; managed scale-in removes empty instances, at most half the group per minute; M/N is
also used below 100 (the Developer Guide describes scale-in as ``100 - empty instances``). Not
modelled: daemon tasks, Availability Zones, ports, Fargate, scheduled scaling, step-scaling policies
for services, scaling suspended during deployments, CloudWatch metric delivery delays.
"""

# The package, one job per module (dependencies point down the list; matplotlib only in ``plot``):
#   errors            AutoScalingConfigError
#   constants         documented ECS / Auto Scaling numbers, their doc pages, illustrative timings
#   arithmetic        the documented formulas (target tracking, CapacityProviderReservation, steps)
#   cloudwatch        alarm evaluation: ComparisonOperator, N breaching datapoints -> ALARM
#   load              load curves, and the load input every simulation takes
#   policies          TargetTrackingPolicy, ClusterAlarmPolicy, ManagedScaling and from_* adapters
#   cluster           ClusterConfig (the ASG) and Deploy (standalone tasks)
#   results           ScalingEvent, ScalingResult
#   placement         the shared cluster model: instances, binpack placement, tasks starting
#   service           (a) the service scheduler and target tracking
#   alarm             (b) MemoryReservation alarms driving the ASG
#   capacity_provider (c) managed scaling on CapacityProviderReservation
#   simulation        the time-stepped loop and simulate_service_scaling / _cluster_alarm / _capacity
#   scenario          the seed's over-subscription story (seed_scenario)
#   plot              plot_scaling, plot_oversubscription
#   explore           slider-friendly explorers and their interactive forms

from .arithmetic import (
    capacity_provider_reservation,
    memory_reservation_percent,
    scale_out_step,
    target_tracking_desired,
)
from .cloudwatch import breaches
from .cluster import ClusterConfig, Deploy
from .constants import (
    AAS_POLICY_API_DOC,
    AAS_TARGET_TRACKING_DOC,
    ALARM_ACTIONS_DOC,
    ASG_COOLDOWN_DOC,
    CAPACITY_PROVIDER_HIGH_ALARM_DATAPOINTS,
    CAPACITY_PROVIDER_LOW_ALARM_DATAPOINTS,
    CLUSTER_ALARM_TUTORIAL_DOC,
    CLUSTER_AUTO_SCALING_DOC,
    CLUSTER_METRICS_DOC,
    COMPARISON_OPERATORS,
    DEEP_DIVE_BLOG,
    DEFAULT_ASG_COOLDOWN_SECONDS,
    DEFAULT_INSTANCE_BOOT_SECONDS,
    DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS,
    DEFAULT_MAXIMUM_SCALING_STEP_SIZE,
    DEFAULT_MINIMUM_SCALING_STEP_SIZE,
    DEFAULT_SERVICE_COOLDOWN_SECONDS,
    DEFAULT_TARGET_CAPACITY_PERCENT,
    DEFAULT_TASK_START_SECONDS,
    MANAGED_SCALING_API_DOC,
    MEMORY_ALARM_LOW_THRESHOLD_PERCENT,
    MEMORY_ALARM_THRESHOLD_PERCENT,
    PREDEFINED_METRICS,
    SCALE_IN_THRESHOLD_RATIO,
    SERVICE_AUTO_SCALING_DOC,
    SERVICE_HIGH_ALARM_DATAPOINTS,
    SERVICE_LOW_ALARM_DATAPOINTS,
    SERVICE_TARGET_TRACKING_DOC,
)
from .errors import AutoScalingConfigError
from .explore import (
    capacity_provider_explorer,
    cluster_alarm_explorer,
    interactive_capacity_provider,
    interactive_cluster_alarm,
    interactive_service_scaling,
    service_scaling_explorer,
)
from .load import LoadCurve, load_curve
from .placement import REASON_CPU, REASON_MEMORY
from .plot import plot_oversubscription, plot_scaling
from .policies import (
    ClusterAlarmPolicy,
    ManagedScaling,
    TargetTrackingPolicy,
    from_capacity_provider,
    from_scaling_policy,
)
from .results import EVENT_KINDS, ScalingEvent, ScalingResult
from .scenario import SEED_CLUSTER, SEED_DEPLOYS, SEED_DURATION_SECONDS, seed_scenario
from .simulation import (
    simulate_capacity_provider,
    simulate_cluster_alarm_scaling,
    simulate_service_scaling,
)

__all__ = [
    "AAS_POLICY_API_DOC",
    "AAS_TARGET_TRACKING_DOC",
    "ALARM_ACTIONS_DOC",
    "ASG_COOLDOWN_DOC",
    "AutoScalingConfigError",
    "CAPACITY_PROVIDER_HIGH_ALARM_DATAPOINTS",
    "CAPACITY_PROVIDER_LOW_ALARM_DATAPOINTS",
    "CLUSTER_ALARM_TUTORIAL_DOC",
    "CLUSTER_AUTO_SCALING_DOC",
    "CLUSTER_METRICS_DOC",
    "COMPARISON_OPERATORS",
    "ClusterAlarmPolicy",
    "ClusterConfig",
    "DEEP_DIVE_BLOG",
    "DEFAULT_ASG_COOLDOWN_SECONDS",
    "DEFAULT_INSTANCE_BOOT_SECONDS",
    "DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS",
    "DEFAULT_MAXIMUM_SCALING_STEP_SIZE",
    "DEFAULT_MINIMUM_SCALING_STEP_SIZE",
    "DEFAULT_SERVICE_COOLDOWN_SECONDS",
    "DEFAULT_TARGET_CAPACITY_PERCENT",
    "DEFAULT_TASK_START_SECONDS",
    "Deploy",
    "EVENT_KINDS",
    "LoadCurve",
    "MANAGED_SCALING_API_DOC",
    "MEMORY_ALARM_LOW_THRESHOLD_PERCENT",
    "MEMORY_ALARM_THRESHOLD_PERCENT",
    "ManagedScaling",
    "PREDEFINED_METRICS",
    "REASON_CPU",
    "REASON_MEMORY",
    "SCALE_IN_THRESHOLD_RATIO",
    "SEED_CLUSTER",
    "SEED_DEPLOYS",
    "SEED_DURATION_SECONDS",
    "SERVICE_AUTO_SCALING_DOC",
    "SERVICE_HIGH_ALARM_DATAPOINTS",
    "SERVICE_LOW_ALARM_DATAPOINTS",
    "SERVICE_TARGET_TRACKING_DOC",
    "ScalingEvent",
    "ScalingResult",
    "TargetTrackingPolicy",
    "breaches",
    "capacity_provider_explorer",
    "capacity_provider_reservation",
    "cluster_alarm_explorer",
    "from_capacity_provider",
    "from_scaling_policy",
    "interactive_capacity_provider",
    "interactive_cluster_alarm",
    "interactive_service_scaling",
    "load_curve",
    "memory_reservation_percent",
    "plot_oversubscription",
    "plot_scaling",
    "scale_out_step",
    "seed_scenario",
    "service_scaling_explorer",
    "simulate_capacity_provider",
    "simulate_cluster_alarm_scaling",
    "simulate_service_scaling",
    "target_tracking_desired",
]
