"""The grader reads any file without crashing and runs locked cells as shipped, reporting changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ecs_workbook.grading.manifest import load_manifest
from ecs_workbook.grading.submission import assemble, identify, read_submission

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "01_clusters_and_instances.ipynb"


@pytest.fixture
def spec():
    return load_manifest().find("01_clusters_and_instances")


@pytest.fixture
def lab_cells():
    return json.loads(LAB.read_text(encoding="utf-8"))["cells"]


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"cells": [{"cell_type": "code", "source": "x = 1"', "not valid notebook JSON (line 1"),
        ("", "is empty"),
        ('["not", "a", "notebook"]', "not a Jupyter notebook"),
        ('{"metadata": {}}', "not a Jupyter notebook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a text file"),
        ('{"nbformat": 3, "worksheets": [], "cells": []}', "old notebook format 3"),
    ],
    ids=["cut-short", "empty", "json-list", "no-cells", "binary", "nbformat-3"],
)
def test_an_unreadable_file_becomes_one_clear_problem(tmp_path, content, message):
    submission = read_submission(_write(tmp_path, "01_clusters_and_instances.ipynb", content))
    assert submission.cells is None
    assert len(submission.problems) == 1 and message in submission.problems[0]


def test_a_missing_file_and_a_folder_are_problems_not_crashes(tmp_path):
    assert "does not exist" in read_submission(tmp_path / "nope.ipynb").problems[0]
    assert "is a folder" in read_submission(tmp_path).problems[0]


def test_a_lab_is_identified_by_its_metadata_even_when_renamed(tmp_path):
    renamed = _write(tmp_path, "my work.ipynb", LAB.read_text(encoding="utf-8"))
    assert identify(read_submission(renamed), load_manifest()).lab == "01_clusters_and_instances"


def test_a_lab_without_metadata_is_identified_by_its_file_name(tmp_path):
    data = json.loads(LAB.read_text(encoding="utf-8"))
    data["metadata"] = {}
    path = _write(tmp_path, "01_clusters_and_instances.ipynb", json.dumps(data))
    assert identify(read_submission(path), load_manifest()).lab == "01_clusters_and_instances"


def test_an_untouched_lab_runs_every_code_cell_in_order_with_no_findings(spec, lab_cells):
    assembled = assemble(spec, lab_cells)
    assert assembled.tampered == [] and assembled.missing_exercises == []
    assert [c.id for c in assembled.cells] == [c.id for c in spec.cells if c.is_code]


def _by_id(cells, cell_id):
    return next(c for c in cells if c["id"] == cell_id)


def test_an_edited_locked_cell_is_reported_and_run_as_shipped(spec, lab_cells):
    _by_id(lab_cells, "lab01-ex5-table")["source"] = "free_cpu_units = 6144"
    assembled = assemble(spec, lab_cells)
    assert [(f.cell_id, f.change) for f in assembled.tampered] == [("lab01-ex5-table", "edited")]
    run = next(c for c in assembled.cells if c.id == "lab01-ex5-table")
    assert run.source == spec.cell("lab01-ex5-table").source
    assert "was edited; the grader ran the original" in assembled.tampered[0].message()


def test_a_deleted_locked_cell_is_reported_and_put_back(spec, lab_cells):
    lab_cells.remove(_by_id(lab_cells, "lab01-imports"))
    assembled = assemble(spec, lab_cells)
    assert [(f.cell_id, f.change) for f in assembled.tampered] == [("lab01-imports", "deleted")]
    assert "lab01-imports" in [c.id for c in assembled.cells]


def test_a_moved_cell_is_reported_and_run_in_its_original_place(spec, lab_cells):
    moved = _by_id(lab_cells, "lab01-ex5-table")
    lab_cells.remove(moved)
    lab_cells.insert(2, moved)
    assembled = assemble(spec, lab_cells)
    assert [(f.cell_id, f.change) for f in assembled.tampered] == [("lab01-ex5-table", "moved")]
    assert [c.id for c in assembled.cells] == [c.id for c in spec.cells if c.is_code]


def test_an_added_cell_is_reported_and_not_run_and_an_empty_one_is_ignored(spec, lab_cells):
    lab_cells.insert(
        5, {"cell_type": "code", "id": "mine", "metadata": {}, "source": "free_cpu_units = 6144"}
    )
    lab_cells.insert(6, {"cell_type": "code", "id": "blank", "metadata": {}, "source": "  \n"})
    assembled = assemble(spec, lab_cells)
    assert [(f.cell_id, f.change) for f in assembled.tampered] == [("mine", "added")]
    assert "mine" not in [c.id for c in assembled.cells]
    assert "did not run it" in assembled.tampered[0].message()


def test_an_exercise_cell_pasted_back_with_a_new_id_is_still_found(spec, lab_cells):
    exercise = _by_id(lab_cells, "lab01-ex2")
    exercise["id"] = "pasted-1234"
    exercise["source"] = "total_cpu_units = 8192"
    assembled = assemble(spec, lab_cells)
    assert assembled.tampered == []
    run = next(c for c in assembled.cells if c.id == "lab01-ex2")
    assert run.source == "total_cpu_units = 8192"


def test_a_deleted_exercise_cell_runs_as_its_stub_and_is_reported_missing(spec, lab_cells):
    lab_cells.remove(_by_id(lab_cells, "lab01-ex3"))
    assembled = assemble(spec, lab_cells)
    assert assembled.missing_exercises == ["ex3"]
    run = next(c for c in assembled.cells if c.id == "lab01-ex3")
    assert run.source == spec.cell("lab01-ex3").source


def test_the_learners_code_runs_only_in_exercise_cells_with_each_stub_kept_as_fallback(
    spec, lab_cells
):
    cells = copy.deepcopy(lab_cells)
    _by_id(cells, "lab01-ex1")["source"] = "workshop_cluster_arn = 'x'"
    assembled = assemble(spec, cells)
    run = next(c for c in assembled.cells if c.id == "lab01-ex1")
    assert (run.exercise, run.source, run.stub) == (
        "ex1",
        "workshop_cluster_arn = 'x'",
        spec.cell("lab01-ex1").source,
    )
    assert assembled.exercise_cells["ex1"] == ["lab01-ex1"]
