"""docs/workshop.md: its commands exist, its links resolve, its agendas add up, its snippet works."""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ecs_workbook import cli
from ecs_workbook.grading import report
from ecs_workbook.grading.checking import ExerciseResult, FeedbackItem

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs/workshop.md"
TEXT = GUIDE.read_text(encoding="utf-8")


def _bench_module():
    spec = importlib.util.spec_from_file_location(
        "bench_notebooks", ROOT / "benchmarks/bench_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _agendas() -> dict[str, list[tuple[int, int]]]:
    """Agenda heading -> [(start minute, minutes)] read from the guide's tables."""
    agendas: dict[str, list[tuple[int, int]]] = {}
    for heading, table in re.findall(
        r"^### (.+?)\n\n(\| start \|.+?)\n\n", TEXT, flags=re.M | re.S
    ):
        rows = re.findall(r"^\| (\d+):(\d\d) \|.*\| (\d+) \|$", table, flags=re.M)
        agendas[heading] = [(int(h) * 60 + int(m), int(minutes)) for h, m, minutes in rows]
    return agendas


def test_each_agenda_starts_every_block_when_the_previous_one_ends_and_lasts_what_it_says():
    agendas = _agendas()
    assert len(agendas) == 2
    for heading, rows in agendas.items():
        assert rows[0][0] == 0
        for (start, minutes), (next_start, _) in zip(rows, rows[1:], strict=False):
            assert next_start == start + minutes, f"{heading}: a block starts at the wrong time"
        total = rows[-1][0] + rows[-1][1]
        hours, minutes = re.search(r"\((\d+) hours?(?: (\d+) minutes)?", heading).groups()
        assert total == int(hours) * 60 + int(minutes or 0), f"{heading}: blocks add up to {total}"


def test_every_ecs_workbook_command_and_make_target_the_guide_names_exists():
    verbs = set(re.findall(r"(?:`|^\s*|/bin/|')ecs-workbook ([a-z][a-z-]*)", TEXT, flags=re.M))
    assert {"doctor", "grade", "reset"} <= verbs
    assert verbs <= set(cli.COMMANDS), verbs - set(cli.COMMANDS)
    targets = set(re.findall(r"`make (\w+)", TEXT))
    makefile = (ROOT / "Makefile").read_text()
    for target in targets:
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"no `make {target}`"


def test_every_relative_link_in_the_guide_points_at_a_file_of_the_repository():
    for target in re.findall(r"\]\(([^)]+)\)", TEXT):
        if re.match(r"^[a-z]+:|^#", target):
            continue
        path = (GUIDE.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"docs/workshop.md links to {target}, which does not exist"


def test_the_guide_holds_the_block_the_benchmark_refreshes(tmp_path):
    bench = _bench_module()
    copy = tmp_path / "workshop.md"
    copy.write_text(TEXT, encoding="utf-8")
    block = f"{bench.DOC_START}\n| fresh table |\n{bench.DOC_END}"
    bench.write_doc(copy, block)
    refreshed = copy.read_text(encoding="utf-8")
    assert "| fresh table |" in refreshed
    assert refreshed.count(bench.DOC_START) == 1
    assert refreshed.split(bench.DOC_START)[0] == TEXT.split(bench.DOC_START)[0]


def _grade_json(lab_scores: dict[str, float]) -> str:
    labs = [
        report.LabReport(
            path=f"labs/{lab}.ipynb",
            lab=lab,
            exercises=[
                ExerciseResult(
                    "ex1", "an exercise", 4.0, [FeedbackItem(4.0, True, "x")] if score else []
                )
            ],
        )
        for lab, score in lab_scores.items()
    ]
    return report.to_json_text(report.GradeReport(labs=labs, kit_version="test"))


@pytest.mark.slow
def test_the_grades_to_csv_snippet_makes_one_row_per_learner_from_the_graders_json(tmp_path):
    snippet = re.search(
        r"^( *)python - grades/\*\.json > grades\.csv <<'EOF'\n(.*?)^\1EOF$",
        TEXT,
        flags=re.M | re.S,
    )
    assert snippet, "the grades-to-CSV snippet is missing from the guide"
    script = textwrap.dedent(snippet.group(0))
    grades = tmp_path / "grades"
    grades.mkdir()
    (grades / "ana.json").write_text(_grade_json({"01_clusters": 1, "02_taskdefs": 0}))
    (grades / "bo.json").write_text(_grade_json({"01_clusters": 0, "02_taskdefs": 1}))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, check=True, timeout=60)
    header, *rows = csv.reader((tmp_path / "grades.csv").open(encoding="utf-8"))
    assert header == ["learner", "score", "max_score", "percent", "01_clusters", "02_taskdefs"]
    assert [[row[0], *map(float, row[1:])] for row in rows] == [
        ["ana", 4, 8, 50, 4, 0],
        ["bo", 4, 8, 50, 0, 4],
    ]
