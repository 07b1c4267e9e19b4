"""labs/ and the grader's manifest are generated from solutions/ and can never drift from them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest

from ecs_workbook.grading import build
from ecs_workbook.grading.checking import load_exercises
from ecs_workbook.grading.manifest import (
    EXERCISE_TAG,
    Manifest,
    ManifestError,
    load_manifest,
    manifest_path,
    notebook_text,
    pristine_notebook,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LAB01 = ROOT / "solutions" / "01_clusters_and_instances.ipynb"


def test_labs_and_manifest_are_up_to_date_with_the_solutions():
    stale = build.out_of_date(ROOT / "solutions", ROOT / "labs", manifest_path())
    assert stale == [], f"run `make labs`: {stale}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_a_lab_keeps_every_cell_id_and_locked_source_and_holds_stubs_instead_of_answers(solution):
    master = nbformat.read(solution, as_version=4)
    lab = nbformat.read(ROOT / "labs" / solution.name, as_version=4)
    assert [c.id for c in lab.cells] == [c.id for c in master.cells]
    for ours, theirs in zip(lab.cells, master.cells, strict=True):
        if EXERCISE_TAG in theirs.metadata.get("tags", []):
            assert ours.source == theirs.metadata["ecs_workbook"]["stub"]
            assert ours.source.startswith("# YOUR ANSWER")
            assert ours.metadata.get("editable", True) is True
        else:
            assert ours.source == theirs.source
            assert ours.metadata["editable"] is False and ours.metadata["deletable"] is False
        if ours.cell_type == "code":
            assert ours.outputs == [] and ours.execution_count is None


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_a_lab_names_itself_and_its_version_in_its_metadata(solution):
    lab = nbformat.read(ROOT / "labs" / solution.name, as_version=4)
    spec = load_manifest().find(solution.stem)
    assert lab.metadata["ecs_workbook"] == {"lab": solution.stem, "version": spec.version}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_every_exercise_of_a_lab_has_a_check_worth_points(solution):
    spec = load_manifest().find(solution.stem)
    exercises = load_exercises(spec.lab)
    assert [e.id for e in exercises] == spec.exercise_ids
    assert all(e.points > 0 and e.answers and e.title for e in exercises)


def test_reset_and_build_write_the_same_bytes_for_a_pristine_lab():
    spec = load_manifest().find("01")
    expected = (ROOT / "labs" / spec.file_name).read_text(encoding="utf-8")
    assert notebook_text(pristine_notebook(spec)) == expected


def test_the_manifest_round_trips_and_refuses_a_cell_whose_hash_does_not_match():
    manifest = load_manifest()
    again = Manifest.from_json_text(manifest.to_json_text())
    assert again.to_json_text() == manifest.to_json_text()
    data = json.loads(manifest.to_json_text())
    first_lab = next(iter(data["labs"].values()))
    first_lab["cells"][0]["source"] += "tampered"
    with pytest.raises(ManifestError, match="sha256"):
        Manifest.from_json_text(json.dumps(data))


def test_labs_are_found_by_id_number_or_a_jupyterlab_copy_name():
    manifest = load_manifest()
    assert manifest.find("01_clusters_and_instances").lab == "01_clusters_and_instances"
    assert manifest.find("1").lab == "01_clusters_and_instances"
    assert manifest.find("01_clusters_and_instances-Copy1.ipynb").lab == "01_clusters_and_instances"
    assert manifest.find("99_nothing") is None


def _write_solution(tmp_path: Path, mutate) -> Path:
    notebook = nbformat.read(LAB01, as_version=4)
    mutate(notebook)
    folder = tmp_path / "solutions"
    folder.mkdir()
    (folder / LAB01.name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return folder


def _exercise(notebook, exercise_id: str):
    return next(
        c
        for c in notebook.cells
        if c.metadata.get("ecs_workbook", {}).get("exercise") == exercise_id
    )


def _drop_stub(nb):
    del _exercise(nb, "ex2").metadata["ecs_workbook"]["stub"]


def _stub_without_answer(nb):
    _exercise(nb, "ex2").metadata["ecs_workbook"]["stub"] = "# YOUR ANSWER\npass"


def _unknown_exercise(nb):
    _exercise(nb, "ex2").metadata["ecs_workbook"]["exercise"] = "ex9"


def _no_check_cell(nb):
    nb.cells = [c for c in nb.cells if 'lab.check("ex3")' not in c.source]


def _duplicate_id(nb):
    nb.cells[3].id = nb.cells[2].id


def _metadata_without_tag(nb):
    _exercise(nb, "ex2").metadata["tags"] = []


def _exercise_removed(nb):
    nb.cells.remove(_exercise(nb, "ex5"))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_drop_stub, "needs metadata"),
        (_stub_without_answer, "must set `total_cpu_units = None`"),
        (_unknown_exercise, "'ex9', which lab_01.py does not define"),
        (_no_check_cell, 'ex3 needs a check cell after it: lab.check("ex3")'),
        (_duplicate_id, "is used twice"),
        (_metadata_without_tag, "no `exercise` tag"),
        (_exercise_removed, "defines ex5, which has no exercise cell"),
    ],
    ids=lambda v: v.__name__ if callable(v) else "",
)
def test_the_build_explains_what_is_wrong_with_a_solution(tmp_path, mutate, message):
    solutions = _write_solution(tmp_path, mutate)
    with pytest.raises(build.BuildError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build.build(solutions)


def test_the_build_writes_labs_and_manifest_and_check_mode_then_reports_nothing(tmp_path):
    solutions = _write_solution(tmp_path, lambda nb: None)
    labs, manifest_file = tmp_path / "labs", tmp_path / "manifest.json"
    assert (
        build.main(
            [
                "--solutions",
                str(solutions),
                "--labs",
                str(labs),
                "--manifest",
                str(manifest_file),
                "--check",
            ]
        )
        == 1
    )
    assert (
        build.main(
            ["--solutions", str(solutions), "--labs", str(labs), "--manifest", str(manifest_file)]
        )
        == 0
    )
    assert (labs / LAB01.name).read_text() == (ROOT / "labs" / LAB01.name).read_text()
    assert (
        build.main(
            [
                "--solutions",
                str(solutions),
                "--labs",
                str(labs),
                "--manifest",
                str(manifest_file),
                "--check",
            ]
        )
        == 0
    )


def test_editing_a_locked_cell_of_a_solution_changes_the_lab_version():
    notebook = nbformat.read(LAB01, as_version=4)
    before = build.lab_spec_from_solution(LAB01, notebook).version
    edited = copy.deepcopy(notebook)
    edited.cells[0].source += "\nOne more sentence."
    assert build.lab_spec_from_solution(LAB01, edited).version != before


def test_rebuilding_backs_up_a_lab_a_learner_edited_and_leaves_pristine_ones_alone(tmp_path):
    """`make labs` must never overwrite a learner's answers without a backup (house rule 5)."""
    solutions = _write_solution(tmp_path, lambda nb: None)
    labs, manifest_file = tmp_path / "labs", tmp_path / "manifest.json"
    build.write(solutions, labs, manifest_file)
    lab = labs / LAB01.name
    # A new solution version (an edited locked cell) means the lab is rewritten...
    edited_solution = nbformat.read(solutions / LAB01.name, as_version=4)
    edited_solution.cells[0].source += "\n\nA sentence added by the author."
    nbformat.write(edited_solution, solutions / LAB01.name)
    # ...over the learner's answers.
    learner = nbformat.read(lab, as_version=4)
    exercise = next(c for c in learner.cells if EXERCISE_TAG in c.metadata.get("tags", []))
    exercise.source = "workshop_cluster_arn = 'my answer'"
    nbformat.write(learner, lab)
    learners_bytes = lab.read_bytes()

    changed = build.write(solutions, labs, manifest_file)

    assert lab in changed
    backups = sorted(labs.glob("*.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == learners_bytes
    # A second rebuild of an untouched (pristine) lab makes no further backup.
    edited_solution.cells[0].source += " Another."
    nbformat.write(edited_solution, solutions / LAB01.name)
    build.write(solutions, labs, manifest_file)
    assert sorted(labs.glob("*.backup-*.ipynb")) == backups
