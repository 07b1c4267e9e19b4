"""Checks award partial credit with feedback in the learner's terms, and never show a traceback."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading import checking
from ecs_workbook.grading.checking import CheckContext, Exercise, Lab, run_check


def _ctx(**values) -> CheckContext:
    encoded = {name: answer_codec.encode_answer(value) for name, value in values.items()}
    return CheckContext(encoded, lambda service: None, declared=("x", "y", *values))


def _exercise(check, points=3) -> Exercise:
    return Exercise("ex1", "Something", points, ("x", "y"), check)


def test_each_passed_item_earns_its_points_for_partial_credit():
    def check(ctx):
        ctx.expect(1, True, "a cluster")
        ctx.expect(2, False, "two instances", "one", "add another")

    result = run_check(_exercise(check), _ctx())
    assert (result.score, result.max_score, result.passed) == (1, 3, False)
    assert result.items[1].text() == "✘ expected two instances; found one. Hint: add another"


def test_a_check_that_stops_early_still_accounts_for_every_point():
    def check(ctx):
        ctx.expect(1, False, "a cluster", "none")

    result = run_check(_exercise(check), _ctx())
    assert [item.points for item in result.items] == [1, 2]
    assert "not checked until the items above pass" in result.items[1].text()


@pytest.mark.parametrize(
    ("values", "found"),
    [
        ({}, "`x` is not defined"),
        ({"x": None}, "`x` is still None: not answered yet"),
        ({"x": "8192"}, "a str: '8192'"),
        ({"x": True}, "a bool: True"),
        ({"x": object()}, "a object object"),
    ],
    ids=["missing", "stub", "string", "bool", "object"],
)
def test_an_unusable_answer_scores_zero_and_says_why(values, found):
    def check(ctx):
        ctx.answer("x", int, example="8192")

    result = run_check(
        _exercise(check),
        CheckContext(answer_codec.encode_answers(values, ["x"]), lambda s: None, declared=("x",)),
    )
    assert result.score == 0 and len(result.items) == 1
    assert found in result.items[0].found
    assert result.items[0].expected == "a whole number (int) in `x` (for example 8192)"


def test_answers_arrive_as_json_so_tuples_are_lists_and_whole_floats_are_ints():
    ctx = _ctx(x=(1, 2), y=8192.0)
    assert ctx.answer("x", list) == [1, 2]
    assert ctx.answer("y", int) == 8192


def test_numpy_numbers_and_sets_are_plain_answers():
    import numpy as np

    assert answer_codec.encode_answer(np.int64(7)) == {"status": "ok", "type": "int64", "value": 7}
    assert answer_codec.encode_answer({"b", "a"})["value"] == ["a", "b"]


def test_a_check_reading_an_undeclared_answer_is_an_authoring_error():
    def check(ctx):
        ctx.answer("z")

    result = run_check(_exercise(check), _ctx())
    assert "not in its Exercise(answers=...)" in result.items[0].found


def test_an_aws_error_inside_a_check_becomes_feedback_naming_the_error_code():
    def check(ctx):
        raise ClientError(
            {"Error": {"Code": "ClusterNotFoundException", "Message": "Cluster not found."}},
            "DescribeClusters",
        )

    result = run_check(_exercise(check), _ctx())
    assert result.score == 0
    assert "AWS answered ClusterNotFoundException: Cluster not found." in result.items[0].found


def test_a_bug_in_a_check_becomes_feedback_not_a_traceback():
    def check(ctx):
        ctx.expect(1, True, "a cluster")
        return {}["missing"]

    result = run_check(_exercise(check), _ctx())
    assert (result.score, result.max_score) == (1, 3)
    assert "KeyError" in result.items[1].found and "Traceback" not in result.text()


def test_a_check_that_runs_too_long_is_stopped():
    def check(ctx):
        time.sleep(5)

    started = time.monotonic()
    result = run_check(_exercise(check), _ctx(), time_limit_seconds=0.2)
    assert time.monotonic() - started < 2
    assert "still running after 0.2 s" in result.items[0].found


def test_lab_check_without_a_sandbox_says_to_run_the_first_cell(capsys, monkeypatch):
    monkeypatch.setattr(checking, "_sandbox_client_factory", lambda: None)
    Lab("01_clusters_and_instances").check("ex1")
    assert "No sandbox is running: run the first cell" in capsys.readouterr().out


def test_lab_check_names_the_exercises_when_asked_for_one_that_does_not_exist(capsys):
    Lab("01_clusters_and_instances").check("ex42")
    assert "has no exercise 'ex42' (it has ex1, ex2, ex3, ex4, ex5)" in capsys.readouterr().out


def test_lab_check_of_an_unknown_lab_prints_instead_of_raising(capsys):
    Lab("77_unknown").check()
    assert "no checks are installed for lab '77_unknown'" in capsys.readouterr().out


@pytest.mark.slow
def test_lab_check_in_the_notebook_runs_the_graders_check_against_the_sandbox(capsys, monkeypatch):
    from ecs_workbook import sandbox

    namespace: dict = {}
    monkeypatch.setattr(answer_codec, "kernel_namespace", lambda: namespace)
    with sandbox.start() as sb:
        response = sb.ecs.create_cluster(
            clusterName="workshop", tags=[{"key": "team", "value": "platform"}]
        )
        namespace["workshop_cluster_arn"] = response["cluster"]["clusterArn"]
        Lab("01").check("ex1")
        namespace["workshop_cluster_arn"] = "workshop"
        Lab("01").check("ex1")
    first, second = capsys.readouterr().out.split("✔ ex1", 1)[1].split("✘ ex1")
    assert "Create a tagged cluster: 3/3" in first
    assert "2/3" in second and "that is the cluster's name" in second
