"""``ecs-workbook grade``: exit codes, report files, and bad input that needs no kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from ecs_workbook import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    """A folder of files none of which can run: corrupt lab JSON, a non-notebook, an unknown lab."""
    folder = tmp_path / "labs"
    folder.mkdir()
    (folder / "01_clusters_and_instances.ipynb").write_text(
        '{"cells": [{"source": "x', encoding="utf-8"
    )
    (folder / "notes.ipynb").write_text("just some text", encoding="utf-8")
    (folder / "99_other_course.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    "argv",
    [
        ["grade"],
        ["grade", "labs", "--min-score", "high"],
        ["grade", "labs", "--min-score", "120"],
        ["grade", "labs", "--cell-timeout", "0"],
        ["grade", "labs", "--no-such-option"],
    ],
    ids=["no-path", "min-score-word", "min-score-above-100", "zero-timeout", "unknown-option"],
)
def test_usage_errors_exit_with_status_2(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_files_that_cannot_be_graded_are_reported_and_grading_still_exits_0(
    bad_inputs, tmp_path, capsys
):
    missing = tmp_path / "02_missing.ipynb"
    out = tmp_path / "out"
    out.mkdir()
    code = cli.main(
        [
            "grade",
            str(bad_inputs),
            str(missing),
            "--json",
            str(out / "grade.json"),
            "--junit",
            str(out / "grade.xml"),
            "--summary",
            str(out / "summary.md"),
        ]
    )
    assert code == 0
    data = json.loads((out / "grade.json").read_text())
    by_name = {Path(lab["path"]).name: lab for lab in data["labs"]}
    corrupt = by_name["01_clusters_and_instances.ipynb"]
    assert corrupt["lab"] == "01_clusters_and_instances" and corrupt["max_score"] == 17
    assert corrupt["score"] == 0 and "not valid notebook JSON" in corrupt["problems"][0]
    assert all(not e["passed"] for e in corrupt["exercises"])
    assert "is not valid notebook JSON" in by_name["notes.ipynb"]["problems"][0]
    assert "not a lab this kit knows" in by_name["99_other_course.ipynb"]["problems"][0]
    assert "does not exist" in by_name["02_missing.ipynb"]["problems"][0]
    assert ElementTree.parse(out / "grade.xml").getroot().get("tests") == "8"
    assert "## ECS Workbook grade: 0/17" in (out / "summary.md").read_text()
    assert "TOTAL 0/17 points" in capsys.readouterr().out


def test_min_score_makes_a_low_total_exit_1(bad_inputs):
    assert cli.main(["grade", str(bad_inputs), "--min-score", "50", "--quiet"]) == 1
    assert cli.main(["grade", str(bad_inputs), "--min-score", "0", "--quiet"]) == 0


def test_a_report_that_cannot_be_written_is_a_usage_error(bad_inputs, tmp_path):
    assert cli.main(["grade", str(bad_inputs), "--json", str(tmp_path / "no" / "dir.json")]) == 2


def test_the_summary_is_appended_to_the_github_step_summary(bad_inputs, tmp_path, monkeypatch):
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli.main(["grade", str(bad_inputs), "--summary", str(summary), "--quiet"])
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "## ECS Workbook grade" in text


def test_an_empty_folder_is_a_problem_line(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path)]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # the table wraps long lines
    assert f"No lab notebooks (*.ipynb) found in {tmp_path}." in printed


@pytest.mark.slow
def test_python_dash_m_runs_the_same_command(bad_inputs):
    done = subprocess.run(
        [sys.executable, "-m", "ecs_workbook", "grade", str(bad_inputs), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    assert "TOTAL 0/17 points (0%) in 3 notebook(s)" in done.stdout
    assert "Traceback" not in done.stderr
