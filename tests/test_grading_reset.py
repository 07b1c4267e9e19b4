"""``ecs-workbook reset`` restores a pristine lab and never loses the learner's file."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import pytest

from ecs_workbook.grading import reset
from ecs_workbook.grading.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]
PRISTINE = (ROOT / "labs" / "01_clusters_and_instances.ipynb").read_text(encoding="utf-8")
NOON = datetime(2030, 1, 1, 12, 0, 0)


def _args(*paths: Path, lab: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    reset.add_arguments(parser)
    argv = [str(p) for p in paths] + (["--lab", lab] if lab else [])
    return parser.parse_args(argv)


def test_reset_saves_the_learners_file_beside_it_then_writes_the_pristine_lab(tmp_path, capsys):
    lab = tmp_path / "01_clusters_and_instances.ipynb"
    lab.write_text(PRISTINE.replace("workshop_cluster_arn = None", "workshop_cluster_arn = 'mine'"))
    mine = lab.read_text()
    assert reset.run(_args(lab)) == 0
    assert lab.read_text() == PRISTINE
    backups = list(tmp_path.glob("01_clusters_and_instances.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == mine
    assert f"Saved your copy as {backups[0]}" in capsys.readouterr().out


def test_two_resets_in_the_same_second_keep_both_backups(tmp_path):
    lab = tmp_path / "01_clusters_and_instances.ipynb"
    manifest = load_manifest()
    for content in ("first", "second"):
        lab.write_text(content)
        reset.reset_lab(lab, manifest, now=lambda: NOON)
    backups = sorted(p.read_text() for p in tmp_path.glob("*.backup-*"))
    assert backups == ["first", "second"]


def test_a_corrupt_lab_is_kept_as_a_backup_and_recognised_by_its_file_name(tmp_path):
    lab = tmp_path / "01_clusters_and_instances.ipynb"
    lab.write_text('{"cells": [')
    spec, backup = reset.reset_lab(lab, load_manifest(), now=lambda: NOON)
    assert spec.lab == "01_clusters_and_instances"
    assert backup.name == "01_clusters_and_instances.backup-20300101-120000.ipynb"
    assert backup.read_text() == '{"cells": [' and lab.read_text() == PRISTINE


def test_a_missing_lab_is_written_fresh_without_a_backup(tmp_path):
    lab = tmp_path / "labs" / "01_clusters_and_instances.ipynb"
    spec, backup = reset.reset_lab(lab, load_manifest())
    assert backup is None and lab.read_text() == PRISTINE


def test_a_file_that_is_no_known_lab_is_left_alone_with_a_clear_message(tmp_path, capsys):
    other = tmp_path / "notes.ipynb"
    other.write_text("my notes")
    assert reset.run(_args(other)) == 1
    assert other.read_text() == "my notes" and list(tmp_path.iterdir()) == [other]
    assert "cannot tell which lab" in capsys.readouterr().err


def test_lab_option_names_the_lab_for_a_renamed_file(tmp_path):
    other = tmp_path / "my copy.ipynb"
    other.write_text("{}")
    assert reset.run(_args(other, lab="01")) == 0
    assert other.read_text() == PRISTINE


def test_an_unknown_lab_option_is_a_usage_error(tmp_path):
    assert reset.run(_args(tmp_path / "x.ipynb", lab="99")) == 2


@pytest.mark.parametrize("name", ["01_clusters_and_instances.ipynb"])
def test_the_grader_skips_reset_backups_in_a_folder(tmp_path, name):
    from ecs_workbook.grading.grade import notebook_files

    (tmp_path / name).write_text(PRISTINE)
    reset.reset_lab(tmp_path / name, load_manifest())
    files, problems = notebook_files([tmp_path])
    assert [f.name for f in files] == [name] and problems == []
