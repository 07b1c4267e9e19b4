"""Labs 05 and 10: right answers score, classic mistakes lose points with a hint that names them.

Each test builds, in a fresh sandbox, what the lab's locked cells and a learner's exercise cells
would, then runs the check the grader runs.
"""

from __future__ import annotations

import pytest

from ecs_workbook import instances, sandbox
from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext, run_check
from ecs_workbook.grading.checks import lab_05, lab_10


@pytest.fixture(scope="module")
def sandbox_for_module():
    running = sandbox.start()
    running.ec2.create_launch_template(
        LaunchTemplateName="lab-ecs", LaunchTemplateData={"ImageId": "ami-12c6146b"}
    )
    yield running
    running.stop()


@pytest.fixture
def sb(sandbox_for_module):
    """The module's sandbox with empty ECS, ELB, CloudWatch and Auto Scaling. EC2 is kept (its
    default VPC and AMIs are slow to rebuild), with lab 10's launch template "lab-ecs"."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends
    from moto.autoscaling.models import autoscaling_backends
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.ecs.models import ecs_backends
    from moto.elbv2.models import elbv2_backends

    for backends in (
        ecs_backends,
        elbv2_backends,
        cloudwatch_backends,
        autoscaling_backends,
        applicationautoscaling_backends,
    ):
        backends[sandbox.ACCOUNT_ID][sandbox.REGION].reset()
    return sandbox_for_module


def grade(module, sb, exercise_id: str, **answers):
    exercise = next(e for e in module.EXERCISES if e.id == exercise_id)
    encoded = answer_codec.encode_answers(answers, exercise.answers)
    return run_check(exercise, CheckContext(encoded, sb.client, declared=exercise.answers))


def failed(result) -> list[str]:
    return [item.text() for item in result.failed_items()]


# -- lab 05 --------------------------------------------------------------------------------------
def _shop(sb, target_type: str = "instance") -> str:
    """Lab 05's cluster, task definitions, ALB, then the learner's target group and listener."""
    sb.ecs.create_cluster(clusterName="lab")
    for zone in ["us-east-1a", "us-east-1b", "us-east-1c"]:
        instances.add_container_instances(sb.ecs, sb.ec2, cluster="lab", availability_zone=zone)
    container = {"name": "shop", "image": "example/shop:1.0", "cpu": 256, "memory": 512}
    container["portMappings"] = [{"containerPort": 8080}]
    for image in ("example/shop:1.0", "example/shop:1.1"):
        sb.ecs.register_task_definition(
            family="shop", containerDefinitions=[{**container, "image": image}]
        )
    vpc = sb.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = sorted(s["SubnetId"] for s in sb.ec2.describe_subnets()["Subnets"])[:3]
    alb = sb.elbv2.create_load_balancer(Name="lab-alb", Subnets=subnets)["LoadBalancers"][0]
    group = sb.elbv2.create_target_group(
        Name="shop", Protocol="HTTP", Port=8080, VpcId=vpc["VpcId"], TargetType=target_type
    )["TargetGroups"][0]
    sb.elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )
    return group["TargetGroupArn"]


def _service(sb, target_group_arn: str, desired: int = 5) -> dict:
    return sb.ecs.create_service(
        cluster="lab",
        serviceName="shop",
        taskDefinition="shop:1",
        desiredCount=desired,
        loadBalancers=[
            {"targetGroupArn": target_group_arn, "containerName": "shop", "containerPort": 8080}
        ],
    )["service"]


def _roll_out(sb, minimum: int, maximum: int) -> None:
    sb.ecs.update_service(
        cluster="lab",
        service="shop",
        taskDefinition="shop:2",
        deploymentConfiguration={"minimumHealthyPercent": minimum, "maximumPercent": maximum},
    )


def test_an_ip_target_group_is_explained_as_one_for_awsvpc_tasks(sb):
    arn = _shop(sb, target_type="ip")
    result = grade(lab_05, sb, "ex1", target_group_arn=arn)
    assert result.score == 3
    assert any("awsvpc" in line for line in failed(result))


def test_a_service_behind_the_target_group_scores_full_marks(sb):
    arn = _shop(sb)
    service = _service(sb, arn, desired=3)
    result = grade(lab_05, sb, "ex2", shop_service_arn=service["serviceArn"])
    assert result.passed, failed(result)


def test_a_rollout_within_four_healthy_and_seven_tasks_scores_full_marks(sb):
    """desired 5, min 80 %, max 140 %: floor ceil(4.0) = 4, ceiling floor(7.0) = 7."""
    _service(sb, _shop(sb))
    _roll_out(sb, 80, 140)
    result = grade(lab_05, sb, "ex5", rollout_bounds=(4, 7))
    assert result.passed, failed(result)


def test_a_rollout_at_100_and_100_percent_stalls_and_loses_the_rollout_points(sb):
    """The documented trap: the floor forbids stopping, the ceiling forbids starting."""
    _service(sb, _shop(sb))
    _roll_out(sb, 100, 100)
    result = grade(lab_05, sb, "ex5", rollout_bounds=(5, 5))
    texts = failed(result)
    assert any("tasks on ['shop:1']" in line for line in texts)
    assert any("stalled" in line or "completes" in line for line in texts)


def test_a_floor_of_50_percent_is_reported_with_the_fewest_healthy_tasks(sb):
    """desired 5 at 50 %: ceil(2.5) = 3 healthy, below the 4 the shop needs."""
    _service(sb, _shop(sb))
    _roll_out(sb, 50, 140)
    result = grade(lab_05, sb, "ex5", rollout_bounds=(3, 7))
    assert any("as few as 3 healthy" in line for line in failed(result))


def test_bounds_given_in_the_wrong_order_get_a_hint(sb):
    _service(sb, _shop(sb))
    _roll_out(sb, 80, 140)
    result = grade(lab_05, sb, "ex5", rollout_bounds=(7, 4))
    assert any("the floor comes first" in line for line in failed(result))


# -- lab 10 --------------------------------------------------------------------------------------
def _alarm(sb, threshold: float, metric: str = "MemoryReservation") -> str:
    """Lab 10's group lab-asg with the +1 policy, and the learner's alarm at ``threshold``."""
    sb.ecs.create_cluster(clusterName="lab")
    subnet = sb.ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    sb.autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="lab-asg",
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        LaunchTemplate={"LaunchTemplateName": "lab-ecs"},
        VPCZoneIdentifier=subnet,
    )
    sb.autoscaling.put_scaling_policy(
        AutoScalingGroupName="lab-asg",
        PolicyName="add-one-instance",
        PolicyType="SimpleScaling",
        AdjustmentType="ChangeInCapacity",
        ScalingAdjustment=1,
    )
    policy = sb.autoscaling.describe_policies(AutoScalingGroupName="lab-asg")["ScalingPolicies"][0]
    sb.cloudwatch.put_metric_alarm(
        AlarmName="lab-memory-high",
        Namespace="AWS/ECS",
        MetricName=metric,
        Dimensions=[{"Name": "ClusterName", "Value": "lab"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[policy["PolicyARN"]],
    )
    return policy["PolicyARN"]


def test_an_alarm_on_memory_utilization_is_told_placement_needs_reservation(sb):
    arn = _alarm(sb, 90.0, metric="MemoryUtilization")
    result = grade(lab_10, sb, "ex1", scale_out_policy_arn=arn)
    assert any("MemoryReservation" in line and "reserve" in line for line in failed(result))


def test_an_alarm_above_87_5_percent_fires_too_late_for_the_2_gib_task(sb):
    """87.5 % is the highest reservation before the big task arrives (seed scenario)."""
    _alarm(sb, 90.0)
    result = grade(lab_10, sb, "ex2", alarm_threshold=90.0)
    assert any("RESOURCE:MEMORY" in line for line in failed(result))


def test_an_alarm_below_75_percent_adds_an_instance_nobody_needs(sb):
    _alarm(sb, 70.0)
    result = grade(lab_10, sb, "ex2", alarm_threshold=70.0)
    assert any("up to 4 instances" in line for line in failed(result))


def test_an_alarm_at_75_percent_makes_room_with_three_instances(sb):
    _alarm(sb, 75.0)
    result = grade(lab_10, sb, "ex2", alarm_threshold=75.0)
    assert result.passed, failed(result)


def _capacity_provider(sb, target_capacity: int) -> None:
    sb.ecs.create_cluster(clusterName="lab")
    subnet = sb.ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    sb.autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="lab-cp-asg",
        MinSize=1,
        MaxSize=4,
        LaunchTemplate={"LaunchTemplateName": "lab-ecs"},
        VPCZoneIdentifier=subnet,
    )
    group = sb.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["lab-cp-asg"])
    sb.ecs.create_capacity_provider(
        name="lab-capacity",
        autoScalingGroupProvider={
            "autoScalingGroupArn": group["AutoScalingGroups"][0]["AutoScalingGroupARN"],
            "managedScaling": {"status": "ENABLED", "targetCapacity": target_capacity},
        },
    )
    sb.ecs.put_cluster_capacity_providers(
        cluster="lab",
        capacityProviders=["lab-capacity"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "lab-capacity", "weight": 1}],
    )


def test_target_capacity_100_lets_the_2_gib_task_wait_in_provisioning(sb):
    _capacity_provider(sb, 100)
    result = grade(lab_10, sb, "ex3", target_capacity=100)
    assert result.score == 3
    assert any("PROVISIONING" in line for line in failed(result))


def test_target_capacity_90_keeps_a_spare_instance_for_the_2_gib_task(sb):
    _capacity_provider(sb, 90)
    result = grade(lab_10, sb, "ex3", target_capacity=90)
    assert result.passed, failed(result)


def test_answering_max_capacity_for_the_peak_is_told_it_is_the_limit(sb):
    sb.ecs.create_cluster(clusterName="lab")
    instances.add_container_instances(sb.ecs, sb.ec2, cluster="lab")
    sb.ecs.register_task_definition(
        family="api",
        cpu="1024",
        memory="1024",
        containerDefinitions=[{"name": "api", "image": "example/api:1.0", "memory": 1024}],
    )
    sb.ecs.create_service(cluster="lab", serviceName="api", taskDefinition="api", desiredCount=1)
    target = {
        "ServiceNamespace": "ecs",
        "ResourceId": "service/lab/api",
        "ScalableDimension": "ecs:service:DesiredCount",
    }
    sb.application_autoscaling.register_scalable_target(**target, MinCapacity=2, MaxCapacity=12)
    sb.application_autoscaling.put_scaling_policy(
        PolicyName="api-cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
        **target,
    )
    result = grade(lab_10, sb, "ex5", peak_desired_count=12)
    assert any("MaxCapacity" in line for line in failed(result))
