"""The checks of labs 07 and 08 catch the common mistakes and say so in the learner's terms."""

from __future__ import annotations

import copy
from pathlib import Path

from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext, run_check
from ecs_workbook.grading.checks import lab_07, lab_08

ROOT = Path(__file__).resolve().parents[1]


def _run(module, exercise_id: str, **answers):
    exercise = next(e for e in module.EXERCISES if e.id == exercise_id)
    encoded = {name: answer_codec.encode_answer(value) for name, value in answers.items()}
    ctx = CheckContext(encoded, lambda service: None, declared=exercise.answers)
    return run_check(exercise, ctx)


def _failed_text(result) -> str:
    return " ".join(item.text() for item in result.failed_items())


def test_the_lab_07_compose_file_is_the_one_its_checks_convert():
    path = ROOT / "notebooks/files/billing/docker-compose.yml"
    assert path.read_text() == lab_07.BILLING_COMPOSE


def test_lab_07_accepts_exactly_what_ecs_cli_registers_for_the_billing_project():
    result = _run(lab_07, "ex1", billing_task_definition=lab_07.expected_task_definition())
    assert result.score == result.max_score


def test_lab_07_spots_memory_written_in_bytes():
    wrong = copy.deepcopy(lab_07.expected_task_definition())
    wrong["containerDefinitions"][1]["memory"] = 512 * 1024 * 1024
    result = _run(lab_07, "ex1", billing_task_definition=wrong)
    assert "is bytes; ECS counts memory in MiB (512)" in _failed_text(result)


def test_lab_07_spots_a_command_left_as_one_string():
    wrong = copy.deepcopy(lab_07.expected_task_definition())
    wrong["containerDefinitions"][1]["command"] = "celery -A billing worker"
    result = _run(lab_07, "ex1", billing_task_definition=wrong)
    assert "command is a list of words in ECS" in _failed_text(result)


def test_lab_07_classifies_a_migration_as_a_task_and_a_worker_as_a_service():
    kinds = {**lab_07.WORKLOAD_KINDS, "queue-worker": "task"}
    result = _run(lab_07, "ex4", workload_kinds=kinds)
    assert result.score == result.max_score - 1
    assert "queue-worker: 'service'" in _failed_text(result)


def test_lab_08_wants_the_smallest_valid_fargate_size_that_fits():
    assert _run(lab_08, "ex1", reports_size=(1024, 2048)).passed
    bigger = _run(lab_08, "ex1", reports_size=(1024, 4096))
    assert bigger.score == 2 and "would still fit" in _failed_text(bigger)
    invalid = _run(lab_08, "ex1", reports_size=(768, 2048))
    assert invalid.score == 0


def test_lab_08_split_names_a_split_that_ignores_the_base():
    """Without the base, weights 1 : 2 over 10 tasks give 3 and 7 (the kit's rounding)."""
    result = _run(lab_08, "ex3", split_10={"FARGATE": 3, "FARGATE_SPOT": 7})
    assert "ignores the base" in _failed_text(result)
    assert _run(lab_08, "ex3", split_10={"FARGATE": 6, "FARGATE_SPOT": 4}).passed
