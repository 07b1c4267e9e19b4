"""Stored notebooks are what learners read: executed in order, portable, and repeatable.

nbval (configured in pyproject.toml) re-runs notebooks/ and solutions/ and compares every output;
these tests guard what nbval cannot see.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from ecs_workbook import refresh

ROOT = Path(__file__).resolve().parents[1]
STORED = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("solutions/*.ipynb")])
# Backups that `ecs-workbook reset` and `make labs` leave beside a learner's lab are theirs, not ours.
LABS = sorted(p for p in ROOT.glob("labs/*.ipynb") if ".backup-" not in p.name)


def _code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_the_sequence_starts_with_the_start_here_notebook():
    assert (ROOT / "notebooks/00_start_here.ipynb").exists()
    assert STORED, "no stored notebooks found"


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_code_cell_of_a_stored_notebook_was_executed_in_order(path):
    """nbval silently passes a cell that was never executed, so a stored one must have been."""
    counts = [cell.execution_count for cell in _code_cells(path) if cell.source.strip()]
    assert None not in counts, f"{path.name}: run `make nb` to execute every cell"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: cells were run out of order"


@pytest.mark.parametrize("path", STORED + LABS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_use_the_plain_python3_kernel_and_hold_no_machine_paths(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r'"/(home|root|tmp|work)/', text), f"{path.name} holds an absolute path"
    assert not re.search(r"endpoint_url=['\"]https://", text), f"{path.name} names a real endpoint"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_labs_are_stored_without_outputs(path):
    for cell in _code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs"


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    text = (ROOT / "tests/nbval_sanitize.cfg").read_text()
    pairs = re.findall(r"^regex: (.*)\nreplace: (.*)$", text, flags=re.M)
    return [(re.compile(pattern), replacement) for pattern, replacement in pairs]


def _sanitised_outputs(notebook) -> list[str]:
    outputs = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        text = json.dumps(
            [
                {k: v for k, v in o.items() if k not in ("metadata", "execution_count")}
                for o in cell.outputs
                if o.get("name") != "stderr"
            ],
            sort_keys=True,
        )
        text = re.sub(r'"image/png": "[^"]*"', '"image/png": "PNG"', text)
        for pattern, replacement in _sanitizers():
            text = pattern.sub(replacement, text)
        outputs.append(text)
    return outputs


@pytest.mark.slow
def test_two_runs_of_the_start_notebook_give_identical_outputs_and_figures():
    """Sanitised text outputs repeat run to run and match what is stored; PNGs repeat byte for byte.

    (nbval compares figures by their text repr only, so the PNG check is done here.)
    """
    path = ROOT / "notebooks/00_start_here.ipynb"
    first, second = refresh.execute(path), refresh.execute(path)
    assert _sanitised_outputs(first) == _sanitised_outputs(second)
    assert _sanitised_outputs(first) == _sanitised_outputs(nbformat.read(path, as_version=4))

    def pngs(notebook):
        return [
            o["data"]["image/png"]
            for c in notebook.cells
            if c.cell_type == "code"
            for o in c.outputs
            if "image/png" in o.get("data", {})
        ]

    assert pngs(first) and pngs(first) == pngs(second)


def test_the_chapter_map_lists_every_notebook_with_its_lab_in_sequence_order():
    text = (ROOT / "notebooks/README.md").read_text(encoding="utf-8")
    listed = re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", text)
    chapters = sorted(p.name for p in ROOT.glob("notebooks/*.ipynb"))
    assert listed == chapters
    for lab in LABS:
        assert f"../labs/{lab.name}" in text, f"{lab.name} is missing from notebooks/README.md"
