"""Lab 02's checks: right answers score, classic mistakes lose points with a hint that names them.

Each test registers what a learner's cells would register in moto (with the kit's engine) and runs
the check the grader runs.
"""

from __future__ import annotations

import copy

import boto3
import pytest
from moto import mock_aws
from moto.ecs.models import ecs_backends
from moto_support import fake_aws

from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext, run_check
from ecs_workbook.grading.checks import lab_02

REGISTRY = lab_02.REGISTRY
CATALOG = {
    "family": "catalog",
    "containerDefinitions": [
        {
            "name": "catalog",
            "image": f"{REGISTRY}/shop/catalog:2.0.1",
            "cpu": 256,
            "memory": 512,
            "memoryReservation": 384,
            "portMappings": [{"containerPort": 8080}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}],
            "logConfiguration": {"logDriver": "awslogs", "options": lab_02.CATALOG_LOG_OPTIONS},
        }
    ],
}
REPORT = {
    "family": "report",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "512",
    "memory": "1024",
    "executionRoleArn": lab_02.EXECUTION_ROLE_ARN,
    "containerDefinitions": [
        {
            "name": "report-worker",
            "image": lab_02.REPORT_IMAGE,
            "command": lab_02.REPORT_COMMAND,
            "logConfiguration": {"logDriver": "awslogs", "options": lab_02.REPORT_LOG_OPTIONS},
        }
    ],
}
QUEUE_WORKER = {"family": "queue-worker", "containerDefinitions": [lab_02.QUEUE_WORKER_BASE]}


@pytest.fixture(scope="module")
def moto_ecs():
    with fake_aws(engine=True), mock_aws():
        yield boto3.client("ecs")


@pytest.fixture
def ecs(moto_ecs):
    ecs_backends["123456789012"]["us-east-1"].reset()
    return moto_ecs


def grade(ecs, exercise_id: str, **answers):
    exercise = next(e for e in lab_02.EXERCISES if e.id == exercise_id)
    encoded = answer_codec.encode_answers(answers, exercise.answers)
    ctx = CheckContext(encoded, lambda name: ecs, declared=exercise.answers)
    return run_check(exercise, ctx)


def failed_text(result) -> str:
    return "\n".join(item.text() for item in result.failed_items())


def with_container(definition: dict, **fields) -> dict:
    changed = copy.deepcopy(definition)
    changed["containerDefinitions"][0].update(fields)
    return changed


def test_the_catalog_spec_registered_scores_full_marks(ecs):
    ecs.register_task_definition(**CATALOG)
    assert grade(ecs, "ex1", catalog_task_definition=CATALOG).passed


def test_an_image_without_the_ecr_host_is_pulled_from_docker_hub(ecs):
    """Images without a registry host come from Docker Hub. task_definition_parameters.html"""
    wrong = with_container(CATALOG, image="shop/catalog:2.0.1")
    result = grade(ecs, "ex1", catalog_task_definition=wrong)
    assert "from Docker Hub" in failed_text(result)


def test_swapped_soft_and_hard_memory_limits_are_named_as_swapped(ecs):
    wrong = with_container(CATALOG, memory=384, memoryReservation=512)
    result = grade(ecs, "ex1", catalog_task_definition=wrong)
    assert "swapped" in failed_text(result) and result.score < result.max_score


def test_a_static_host_port_loses_the_port_point(ecs):
    """A static host port allows one task per instance. basic-service-params.html"""
    wrong = with_container(CATALOG, portMappings=[{"containerPort": 8080, "hostPort": 8080}])
    ecs.register_task_definition(**wrong)
    result = grade(ecs, "ex1", catalog_task_definition=wrong)
    assert "static hostPort" in failed_text(result)


def test_a_definition_that_was_never_registered_misses_the_last_point(ecs):
    result = grade(ecs, "ex1", catalog_task_definition=CATALOG)
    assert result.score == result.max_score - 1 and "taskdef.register" in failed_text(result)


def test_the_fixed_report_registered_scores_full_marks(ecs):
    ecs.register_task_definition(**REPORT)
    assert grade(ecs, "ex2", fixed_report_task_definition=REPORT).passed


def test_a_valid_but_larger_fargate_size_is_not_the_smallest(ecs):
    """512 CPU units allow 1024-4096 MiB on Fargate. task-cpu-memory-error.html"""
    larger = {**REPORT, "memory": "2048"}
    ecs.register_task_definition(**larger)
    result = grade(ecs, "ex2", fixed_report_task_definition=larger)
    assert "not the smallest" in failed_text(result)


def test_the_broken_report_is_not_accepted(ecs):
    broken = {**with_container(REPORT, name="report worker"), "networkMode": "bridge"}
    result = grade(ecs, "ex2", fixed_report_task_definition=broken)
    assert "Fargate only supports network mode 'awsvpc'" in failed_text(result)


def test_a_family_name_resolves_to_the_latest_active_revision(ecs):
    """DescribeTaskDefinition with a family name uses the latest ACTIVE revision."""
    ecs.register_task_definition(**CATALOG)
    ecs.register_task_definition(**with_container(CATALOG, image=lab_02.CATALOG_IMAGE_V2))
    assert grade(ecs, "ex3", catalog_resolves_to=2).passed
    assert "revision before" in failed_text(grade(ecs, "ex3", catalog_resolves_to=1))


def test_a_new_revision_that_changes_more_than_the_image_loses_a_point(ecs):
    ecs.register_task_definition(**CATALOG)
    ecs.register_task_definition(
        **with_container(CATALOG, image=lab_02.CATALOG_IMAGE_V2, memory=1024)
    )
    result = grade(ecs, "ex3", catalog_resolves_to=2)
    assert result.score == result.max_score - 1


def test_the_revision_question_waits_for_exercise_one(ecs):
    result = grade(ecs, "ex3", catalog_resolves_to=1)
    assert result.score == 0 and "do exercise ex1 first" in failed_text(result)


def test_init_process_and_a_120_second_stop_timeout_score_full_marks(ecs):
    graceful = with_container(
        QUEUE_WORKER, linuxParameters={"initProcessEnabled": True}, stopTimeout=120
    )
    ecs.register_task_definition(**QUEUE_WORKER)
    ecs.register_task_definition(**graceful)
    assert grade(ecs, "ex4", queue_worker_v2=graceful).passed


def test_a_stop_timeout_of_the_longest_job_leaves_no_headroom(ecs):
    short = with_container(
        QUEUE_WORKER, linuxParameters={"initProcessEnabled": True}, stopTimeout=90
    )
    ecs.register_task_definition(**QUEUE_WORKER)
    ecs.register_task_definition(**short)
    result = grade(ecs, "ex4", queue_worker_v2=short)
    assert "90 s is the longest job" in failed_text(result)
