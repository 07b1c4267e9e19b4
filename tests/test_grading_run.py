"""End to end: solutions score full marks, pristine labs zero, and bad or cheating labs are graded.

Each grading run starts a kernel and takes seconds, so each test here covers one kind of kernel
run, with several kinds of bad input folded into one notebook where they do not interfere.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ecs_workbook.grading.execute import RunLimits
from ecs_workbook.grading.grade import GradeOptions, GradingServer, grade_notebook
from ecs_workbook.grading.manifest import load_manifest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LABS = sorted((ROOT / "labs").glob("*.ipynb"))
LAB01 = ROOT / "labs" / "01_clusters_and_instances.ipynb"


@pytest.fixture(scope="module")
def server():
    with GradingServer() as running:
        yield running


@pytest.fixture(scope="module")
def manifest():
    return load_manifest()


def _grade(path, manifest, server, **limits):
    return grade_notebook(path, manifest, lambda: server, GradeOptions(limits=RunLimits(**limits)))


def _solution_source(exercise_id: str) -> str:
    solution = json.loads((ROOT / "solutions" / LAB01.name).read_text(encoding="utf-8"))
    cell = next(c for c in solution["cells"] if c["id"] == f"lab01-{exercise_id}")
    return "".join(cell["source"])


def _lab_with(tmp_path: Path, answers: dict[str, str], edit=None) -> Path:
    """A copy of lab 01 whose exercise cells hold ``answers`` (by exercise id)."""
    data = json.loads(LAB01.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        exercise = cell["metadata"].get("ecs_workbook", {}).get("exercise")
        if exercise in answers:
            cell["source"] = answers[exercise]
    if edit:
        edit(data)
    path = tmp_path / LAB01.name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _scores(lab_report) -> dict[str, float]:
    return {exercise.id: exercise.score for exercise in lab_report.exercises}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_every_solution_scores_full_marks(solution, manifest, server):
    lab_report = _grade(solution, manifest, server)
    assert lab_report.problems == []
    assert lab_report.max_score > 0 and lab_report.score == lab_report.max_score, [
        item.text() for e in lab_report.exercises for item in e.failed_items()
    ]


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.name)
def test_every_pristine_lab_runs_to_the_end_without_error_and_scores_zero(lab, manifest, server):
    lab_report = _grade(lab, manifest, server)
    assert lab_report.problems == []  # no cell raised, none was changed
    assert lab_report.score == 0 and lab_report.max_score > 0
    assert all(e.items and not e.passed for e in lab_report.exercises)


def _tamper(data: dict) -> None:
    cells = data["cells"]
    by_id = {cell["id"]: cell for cell in cells}
    by_id["lab01-ex5-table"]["source"] = "free_cpu_units = 6144"  # edited locked cell
    cells.remove(by_id["lab01-wrap-up"])  # deleted locked cell
    cells.remove(by_id["lab01-ex4-intro"])  # moved locked cell
    cells.append(by_id["lab01-ex4-intro"])
    cells.append(  # added cell
        {
            "cell_type": "code",
            "id": "extra",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "free_cpu_units = 6144",
        }
    )
    data["metadata"]["ecs_workbook"]["version"] = "000000000000"  # another version of the kit


CHEAT = """
import ecs_workbook.grading.checking as checking
import ecs_workbook.grading.checks.lab_01 as checks
for exercise in checks.EXERCISES:
    object.__setattr__(exercise, "check", lambda ctx: None)
checking.run_check = lambda *args, **kwargs: None
lab.check = lambda *args: print("✔ 5/5")
def check_attribute_and_query(ctx):
    ctx.expect(5, True, "everything")
checks.check_attribute_and_query = check_attribute_and_query
prod_t3_expression = "attribute:stack == prod"
"""


def test_errors_exits_huge_output_tampering_and_cheating_cost_only_their_own_points(
    tmp_path, manifest, server
):
    path = _lab_with(
        tmp_path,
        {
            "ex1": _solution_source("ex1") + "\nprint('x' * 1_500_000)",
            "ex2": _solution_source("ex2") + "\nraise RuntimeError('boom')",
            "ex3": CHEAT,
            "ex4": "import sys\nsys.exit()",
            "ex5": "free_cpu_units = (",
        },
        edit=_tamper,
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    lab_report = _grade(path, manifest, server)
    assert _scores(lab_report) == {"ex1": 3, "ex2": 0, "ex3": 1, "ex4": 0, "ex5": 0}
    feedback = {e.id: " ".join(i.text() for i in e.items) for e in lab_report.exercises}
    assert "it raised RuntimeError: boom (line 14)" in feedback["ex2"]
    assert "expected the custom attribute stack=prod on the c5.xlarge instance" in feedback["ex3"]
    assert "sys.exit()" in feedback["ex4"] and "SyntaxError" in feedback["ex5"]
    problems = "\n".join(lab_report.problems)
    for expected in [
        "made by another version of the kit",
        "Locked code cell 17 (`states = scheduler.read_cluster(",
        "was edited; the grader ran the original",
        "Locked markdown cell 21 (`## Your score`) was deleted",
        "Markdown cell 13 (`## Exercise 4 · Drain an instance",
        "was moved; the grader ran it in its original place",
        "(`free_cpu_units = 6144`) was added; the grader did not run it",
        "Exercise ex1 (cell 5) printed 1.5 million characters of output",
        "Exercise ex2 (cell 8): it raised RuntimeError: boom (line 14); it scores zero",
        "Exercise ex4 (cell 14): it called sys.exit(); it scores zero.",
        "Exercise ex5 (cell 19): it raised SyntaxError: incomplete input (line 1); it scores zero.",
    ]:
        assert expected in problems
    assert "Traceback" not in problems + str(feedback)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # never written


def test_a_cell_that_loops_forever_or_kills_the_kernel_costs_only_its_own_exercise(
    tmp_path, manifest, server
):
    path = _lab_with(
        tmp_path,
        {
            "ex1": _solution_source("ex1"),
            "ex2": "while True:\n    pass",
            "ex4": "import os\nos._exit(3)",
        },
    )
    lab_report = _grade(path, manifest, server, cell_timeout_seconds=1.5, interrupt_grace_seconds=1)
    assert _scores(lab_report) == {"ex1": 3, "ex2": 0, "ex3": 0, "ex4": 0, "ex5": 0}
    feedback = {e.id: " ".join(i.text() for i in e.items) for e in lab_report.exercises}
    assert "it did not finish: it ran past 1.5 s and was interrupted" in feedback["ex2"]
    assert "it stopped the Python kernel (os._exit(), exit(), quit() or a crash)" in feedback["ex4"]
    assert "`prod_t3_expression` is still None: not answered yet" in feedback["ex3"]
    assert any(
        "Exercise ex4 (cell 14): it stopped the Python kernel" in p for p in lab_report.problems
    )
