"""Lab 12 (capstone): right answers score, classic mistakes lose points with a hint that names them.

Each test builds, in a fresh sandbox, what the lab's locked cells and a learner's exercise cells
would, then runs the check the grader runs.
"""

from __future__ import annotations

import pytest

from ecs_workbook import compose, instances, sandbox
from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext, run_check
from ecs_workbook.grading.checks import lab_12

PHOTOS = {
    "services": {
        "web": {
            "image": "example/photos-web:${RELEASE:-2.0}",
            "cpu_shares": 256,
            "mem_limit": "768m",
            "mem_reservation": "384m",
            "ports": ["80:3000"],
        },
        "worker": {
            "image": "example/photos-thumbnailer:2.0",
            "init": True,
            "cpu_shares": 1024,
            "mem_limit": "1536m",
        },
    }
}
AZ_SPREAD = {"type": "spread", "field": "attribute:ecs.availability-zone"}
BINPACK_MEMORY = {"type": "binpack", "field": "memory"}
ON_WEB = [{"type": "memberOf", "expression": "attribute:tier == web"}]
ON_BATCH = [{"type": "memberOf", "expression": "attribute:tier == batch"}]
SCALABLE = lab_12.SCALABLE_TARGET


@pytest.fixture
def sb():
    running = sandbox.start()
    yield running
    running.stop()


def grade(sb, exercise_id: str, **answers):
    exercise = next(e for e in lab_12.EXERCISES if e.id == exercise_id)
    encoded = answer_codec.encode_answers(answers, exercise.answers)
    return run_check(exercise, CheckContext(encoded, sb.client, declared=exercise.answers))


def failed(result) -> list[str]:
    return [item.text() for item in result.failed_items()]


def definition(service: str, family: str, release: str = "2.0", static_port: bool = False) -> dict:
    converted = compose.to_task_definition(
        {"services": {service: PHOTOS["services"][service]}},
        family=family,
        env={"RELEASE": release},
    )
    if service == "web" and not static_port:
        converted["containerDefinitions"][0]["portMappings"] = [{"containerPort": 3000}]
    return converted


def register(sb, *definitions: dict) -> None:
    for item in definitions:
        sb.ecs.register_task_definition(**item)


def photos_cluster(sb) -> None:
    """The lab's locked cells: the cluster, its instances and the ALB's target group."""
    sb.ecs.create_cluster(clusterName=lab_12.CLUSTER)
    for kind, count, zone, tier in [
        ("m5.large", 2, "us-east-1a", "web"),
        ("m5.large", 1, "us-east-1b", "web"),
        ("m5.large", 1, "us-east-1c", "web"),
        ("c5.xlarge", 1, "us-east-1a", "batch"),
        ("c5.xlarge", 1, "us-east-1b", "batch"),
    ]:
        instances.add_container_instances(
            sb.ecs, sb.ec2, cluster=lab_12.CLUSTER, instance_type=kind, count=count,
            availability_zone=zone, attributes={"tier": tier},
        )  # fmt: skip
    vpc = sb.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    sb.elbv2.create_target_group(
        Name=lab_12.TARGET_GROUP_NAME, Protocol="HTTP", Port=3000, VpcId=vpc["VpcId"]
    )


def web_service(sb) -> str:
    register(sb, definition("web", "photos-web"), definition("worker", "photos-worker"))
    group = sb.elbv2.describe_target_groups(Names=[lab_12.TARGET_GROUP_NAME])["TargetGroups"][0]
    return sb.ecs.create_service(
        cluster=lab_12.CLUSTER, serviceName="web", taskDefinition="photos-web", desiredCount=3,
        loadBalancers=[
            {"targetGroupArn": group["TargetGroupArn"], "containerName": "web", "containerPort": 3000}
        ],
    )["service"]["serviceArn"]  # fmt: skip


def scaling(sb, target_value: float, max_capacity: int = 12) -> dict:
    """Exercise 5's two Application Auto Scaling calls; returns the policy configuration."""
    sb.ecs.create_cluster(clusterName=lab_12.CLUSTER)
    register(sb, definition("web", "photos-web"))
    sb.ecs.create_service(
        cluster=lab_12.CLUSTER, serviceName="web", taskDefinition="photos-web", desiredCount=0
    )
    aas = sb.application_autoscaling
    aas.register_scalable_target(**SCALABLE, MinCapacity=3, MaxCapacity=max_capacity)
    config = {
        "TargetValue": target_value,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
        },
    }
    aas.put_scaling_policy(
        PolicyName="web-cpu", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=config, **SCALABLE,
    )  # fmt: skip
    return config


# -- ex1 -------------------------------------------------------------------------------------------
def test_compose_converted_per_service_and_registered_scores_full_marks(sb):
    web, worker = definition("web", "photos-web"), definition("worker", "photos-worker")
    register(sb, web, worker)
    result = grade(sb, "ex1", web_task_definition=web, worker_task_definition=worker)
    assert result.score == result.max_score, failed(result)


def test_the_compose_files_static_host_port_loses_the_port_point_with_a_hint(sb):
    web, worker = (
        definition("web", "photos-web", static_port=True),
        definition("worker", "photos-worker"),
    )
    register(sb, web, worker)
    result = grade(sb, "ex1", web_task_definition=web, worker_task_definition=worker)
    assert result.score == result.max_score - 1
    assert "hostPort 80 is a static port" in failed(result)[0]


def test_one_task_definition_for_the_whole_file_is_not_the_web_tier(sb):
    whole = compose.to_task_definition(PHOTOS, family="photos-web", env={})
    result = grade(sb, "ex1", web_task_definition=whole, worker_task_definition=whole)
    assert any("containers ['web', 'worker']" in line for line in failed(result))


# -- ex2 to ex4 ------------------------------------------------------------------------------------
def test_the_service_behind_the_target_group_scores_full_marks(sb):
    photos_cluster(sb)
    arn = web_service(sb)
    result = grade(sb, "ex2", web_service_arn=arn)
    assert result.score == result.max_score, failed(result)


def test_placement_rules_are_judged_by_the_scheduler_on_a_fresh_copy_of_the_cluster(sb):
    photos_cluster(sb)
    web_service(sb)
    strategy = [AZ_SPREAD, BINPACK_MEMORY]
    sb.ecs.update_service(
        cluster="photos", service="web", placementStrategy=strategy, placementConstraints=ON_WEB
    )
    sb.ecs.create_service(
        cluster="photos", serviceName="worker", taskDefinition="photos-worker", desiredCount=2,
        placementConstraints=ON_BATCH,
    )  # fmt: skip
    right = {"web_placement_strategy": strategy, "web_placement_constraints": ON_WEB}
    result = grade(sb, "ex3", **right, worker_placement_constraints=ON_BATCH)
    assert result.score == result.max_score, failed(result)

    binpack_first = grade(
        sb, "ex3", web_placement_strategy=[BINPACK_MEMORY, AZ_SPREAD],
        web_placement_constraints=ON_WEB, worker_placement_constraints=ON_BATCH,
    )  # fmt: skip
    assert any("spread evenly over the zones" in line for line in failed(binpack_first))

    by_instance = [AZ_SPREAD, {"type": "spread", "field": "instanceId"}]
    spread_inside = grade(
        sb, "ex3", web_placement_strategy=by_instance, web_placement_constraints=ON_WEB,
        worker_placement_constraints=ON_BATCH,
    )  # fmt: skip
    assert not any("2-2-2" in line for line in failed(spread_inside))
    assert any("packed onto one instance" in line for line in failed(spread_inside))

    by_type = [{"type": "memberOf", "expression": "attribute:ecs.instance-type == c5.xlarge"}]
    type_rule = grade(sb, "ex3", **right, worker_placement_constraints=by_type)
    assert any("not the instance type" in line for line in failed(type_rule))


@pytest.mark.parametrize(
    ("maximum", "passes", "hint"),
    [(150, True, ""), (200, False, "allows 6 tasks at once")],
)
def test_the_rollout_must_keep_three_healthy_and_at_most_four_tasks(sb, maximum, passes, hint):
    photos_cluster(sb)
    web_service(sb)
    release = sb.ecs.register_task_definition(**definition("web", "photos-web", release="2.1"))
    configuration = {"minimumHealthyPercent": 100, "maximumPercent": maximum}
    sb.ecs.update_service(
        cluster="photos", service="web", deploymentConfiguration=configuration,
        taskDefinition=release["taskDefinition"]["taskDefinitionArn"],
    )  # fmt: skip
    result = grade(sb, "ex4", web_deployment_configuration=configuration)
    assert (result.score == result.max_score) is passes, failed(result)
    assert hint in " ".join(failed(result))


# -- ex5 and ex6 -----------------------------------------------------------------------------------
def test_target_tracking_at_60_percent_with_room_for_12_tasks_stays_under_80(sb):
    config = scaling(sb, 60.0)
    result = grade(sb, "ex5", web_scaling_policy=config)
    assert result.score == result.max_score, failed(result)


def test_the_usual_target_of_75_overshoots_80_percent_cpu(sb):
    config = scaling(sb, 75.0)
    result = grade(sb, "ex5", web_scaling_policy=config)
    assert result.score == result.max_score - 3
    assert "lower the TargetValue" in failed(result)[0]


def test_too_small_a_maximum_capacity_is_named_in_the_hint(sb):
    config = scaling(sb, 60.0, max_capacity=10)
    result = grade(sb, "ex5", web_scaling_policy=config)
    assert "raise MaxCapacity" in failed(result)[0]


def test_reading_the_plot_allows_half_an_hour_either_way(sb):
    assert grade(sb, "ex6", peak_tasks=12, hours_at_peak=9).score == 3
    assert grade(sb, "ex6", peak_tasks=12, hours_at_peak=8.5).score == 3
    wrong = grade(sb, "ex6", peak_tasks=11, hours_at_peak=7)
    assert wrong.score == 0 and len(failed(wrong)) == 2
