"""One grade, four renderings that tell the same story: table, JSON, JUnit XML, Markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from ecs_workbook.grading import report
from ecs_workbook.grading.checking import ExerciseResult, FeedbackItem
from ecs_workbook.grading.submission import TamperFinding


@pytest.fixture
def grade() -> report.GradeReport:
    partial = ExerciseResult(
        "ex2",
        "Register container instances",
        4,
        [
            FeedbackItem(2, True, "3 container instances"),
            FeedbackItem(2, False, "total_cpu_units == 8192", "8", "that is vCPUs | not units"),
        ],
    )
    full = ExerciseResult("ex1", "Create a tagged cluster", 3, [FeedbackItem(3, True, "a cluster")])
    lab = report.LabReport(
        path="labs/01_clusters_and_instances.ipynb",
        lab="01_clusters_and_instances",
        title="Lab 01 · Clusters",
        version="abc",
        exercises=[full, partial],
        problems=[
            "Exercise ex3 (cell 9): it raised NameError: name 'x' is not defined (line 2)\x1b[0m"
        ],
        tampered=[
            TamperFinding("lab01-intro", "edited", "markdown cell 1 (`# Lab 01`)", "markdown")
        ],
        seconds=4.2,
    )
    unreadable = report.LabReport(
        path="labs/broken.ipynb", problems=["labs/broken.ipynb is empty."]
    )
    return report.GradeReport(labs=[lab, unreadable], problems=["No lab notebooks found in x."])


def test_totals_add_up_over_labs_and_exercises(grade):
    assert (grade.score, grade.max_score, grade.percent) == (5, 7, 71.4)


def test_json_has_per_exercise_scores_feedback_lab_totals_and_problems(grade):
    data = json.loads(report.to_json_text(grade))
    assert data["schema"] == report.JSON_SCHEMA
    assert (data["score"], data["max_score"]) == (5, 7)
    lab = data["labs"][0]
    assert (lab["score"], lab["max_score"], lab["percent"]) == (5, 7, 71.4)
    ex2 = lab["exercises"][1]
    assert {k: ex2[k] for k in ("id", "score", "max_score", "passed")} == {
        "id": "ex2",
        "score": 2,
        "max_score": 4,
        "passed": False,
    }
    assert ex2["feedback"][1]["found"] == "8" and ex2["feedback"][1]["hint"].startswith(
        "that is vCPUs"
    )
    assert lab["tampered"] == [
        {"cell_id": "lab01-intro", "change": "edited", "message": lab["tampered"][0]["message"]}
    ]
    assert data["labs"][1]["problems"] == ["labs/broken.ipynb is empty."]


def test_junit_has_one_test_case_per_exercise_and_fails_those_without_full_marks(grade):
    root = ElementTree.fromstring(report.to_junit(grade))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "ex1: Create a tagged cluster",
        "ex2: Register container instances",
    ]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure.get("message") == "2/4 points" and "found 8" in failure.text
    assert "\x1b" not in suite.find("system-out").text
    broken = root.findall("testsuite")[1]
    assert broken.find("testcase/error").text == "labs/broken.ipynb is empty."
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")


def test_markdown_summary_shows_the_total_a_table_and_what_to_fix(grade):
    text = report.to_markdown(grade)
    assert text.startswith("## ECS Workbook grade: 5/7 (71.4%)")
    assert "| ✘ | ex2 Register container instances | 2/4 |" in text
    assert "that is vCPUs \\| not units" in text  # a pipe cannot break the table
    assert "- No lab notebooks found in x." in text


def test_the_terminal_table_lists_each_exercise_what_to_fix_and_the_problems(grade):
    text = report.to_table(grade)
    assert "✔ ex1" in text and "3/3" in text
    assert "✘ ex2" in text and "expected total_cpu_units == 8192; found 8" in text
    assert "Problems:" in text and "it raised NameError" in text
    assert text.rstrip().endswith("TOTAL 5/7 points (71.4%) in 2 notebook(s)")
