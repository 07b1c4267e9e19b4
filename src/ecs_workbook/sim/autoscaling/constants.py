"""ECS and Auto Scaling numbers the model uses, the pages they come from, illustrative timings.

Numbers AWS documents are named after their API parameter; numbers AWS does not state (alarm sizes)
say so. Sources: [AAS-API] the Application Auto Scaling API reference, [API] the ECS API reference,
[DG] the ECS Developer Guide, [DG-2018] its 2018 tutorial on scaling a cluster with alarms.
"""

SERVICE_TARGET_TRACKING_DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html"
SERVICE_AUTO_SCALING_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html"
)
AAS_TARGET_TRACKING_DOC = (
    "https://docs.aws.amazon.com/autoscaling/application/userguide/"
    "application-auto-scaling-target-tracking.html"
)
AAS_POLICY_API_DOC = (
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/"
    "API_TargetTrackingScalingPolicyConfiguration.html"
)
CLUSTER_ALARM_TUTORIAL_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch_alarm_autoscaling.html"
)
CLUSTER_METRICS_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html"
)
CLUSTER_AUTO_SCALING_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"
)
MANAGED_SCALING_API_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html"
)
DEEP_DIVE_BLOG = (
    "https://aws.amazon.com/blogs/containers/deep-dive-on-amazon-ecs-cluster-auto-scaling/"
)
#: "Except for Auto Scaling actions, the actions happen only on state transitions": an alarm in
#: ALARM keeps invoking its Auto Scaling policy (the ASG's cooldown decides whether it acts).
ALARM_ACTIONS_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html"
)
ASG_COOLDOWN_DOC = (
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scaling-cooldowns.html"
)

# --- Application Auto Scaling (service) -------------------------------------------------------
#: ScaleOutCooldown / ScaleInCooldown default for ECS services ([AAS-API]).
DEFAULT_SERVICE_COOLDOWN_SECONDS = 300
#: Datapoints (1 min each) the target-tracking alarms need: high 3, low 15. Moto creates the same
#: alarms (EvaluationPeriods 3 and 15, Period 60); the AWS docs do not state the numbers
#: (ecs-facts §4.2: UNCONFIRMED), so both are parameters.
SERVICE_HIGH_ALARM_DATAPOINTS = 3
SERVICE_LOW_ALARM_DATAPOINTS = 15
#: Scale in only when the metric is "far enough below the target value (usually more than 10%
#: lower)" (Application Auto Scaling User Guide, target tracking).
SCALE_IN_THRESHOLD_RATIO = 0.9
PREDEFINED_METRICS = {
    "ECSServiceAverageCPUUtilization": "CPUUtilization (%)",
    "ECSServiceAverageMemoryUtilization": "MemoryUtilization (%)",
    "ALBRequestCountPerTarget": "RequestCountPerTarget (requests/min)",
}

# --- Capacity provider managed scaling ([API] ManagedScaling) ---------------------------------
DEFAULT_TARGET_CAPACITY_PERCENT = 100
DEFAULT_MINIMUM_SCALING_STEP_SIZE = 1
DEFAULT_MAXIMUM_SCALING_STEP_SIZE = 10000
DEFAULT_INSTANCE_WARMUP_PERIOD_SECONDS = 300
#: The ASG alarms ECS creates: high after 1 datapoint (aws/containers-roadmap#638, UNCONFIRMED),
#: low after 15 datapoints = 15 minutes ([DG] cluster-auto-scaling).
CAPACITY_PROVIDER_HIGH_ALARM_DATAPOINTS = 1
CAPACITY_PROVIDER_LOW_ALARM_DATAPOINTS = 15

# --- Classic alarm recipe ([DG-2018] cloudwatch_alarm_autoscaling) ----------------------------
MEMORY_ALARM_THRESHOLD_PERCENT = 75.0
MEMORY_ALARM_LOW_THRESHOLD_PERCENT = 25.0
#: EC2 Auto Scaling default cooldown for simple scaling policies.
DEFAULT_ASG_COOLDOWN_SECONDS = 300
COMPARISON_OPERATORS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)

# --- Illustrative, workload-dependent timings (not ECS rules) ---------------------------------
DEFAULT_INSTANCE_BOOT_SECONDS = 120
DEFAULT_TASK_START_SECONDS = 60
