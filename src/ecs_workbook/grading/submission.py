"""A learner's lab notebook: read it safely, and rebuild the notebook the grader actually runs.

Only the exercise cells come from the learner's file. Everything else comes from the manifest, in
the pristine order: a locked cell that was edited is run as it was shipped, one that was deleted is
put back, one that was moved runs in its place, and cells the learner added are not run. Each of
those changes is reported (nbgrader's "checksum of a locked cell changed" idea, keyed by cell id).
Reading never raises: an unreadable file becomes a problem line for the report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecs_workbook.grading.execute import CellToRun
from ecs_workbook.grading.manifest import (
    METADATA_KEY,
    CellSpec,
    LabSpec,
    Manifest,
    cell_sha256,
    cell_source,
)

#: Larger files are not lab notebooks (a lab with outputs is well under a megabyte).
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
CHECKPOINT_HINT = (
    "JupyterLab keeps your last checkpoint in .ipynb_checkpoints/ beside the file "
    "(File > Revert Notebook to Checkpoint)"
)


@dataclass
class Submission:
    """What could be read from one notebook file; ``cells`` is None when it could not be read."""

    path: Path
    cells: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def lab_name(self) -> str | None:
        kit = self.metadata.get(METADATA_KEY)
        name = kit.get("lab") if isinstance(kit, Mapping) else None
        return name if isinstance(name, str) and name else None

    @property
    def version(self) -> str | None:
        kit = self.metadata.get(METADATA_KEY)
        version = kit.get("version") if isinstance(kit, Mapping) else None
        return str(version) if version else None


def read_submission(path: Path) -> Submission:
    """Read ``path`` as a notebook; every way it can fail becomes a learner-facing problem."""
    submission = Submission(path)
    shown = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            submission.problems.append(f"{shown} is a folder, not a notebook file.")
            return submission
        if size > MAX_NOTEBOOK_BYTES:
            submission.problems.append(
                f"{shown} is {size / 1e6:.0f} MB, too large to be a lab notebook: clear its outputs "
                "(Edit > Clear Outputs of All Cells), save, and grade again."
            )
            return submission
        raw = path.read_bytes()
    except FileNotFoundError:
        submission.problems.append(f"{shown} does not exist: check the path.")
        return submission
    except OSError as error:
        submission.problems.append(f"{shown} could not be read ({error.strerror or error}).")
        return submission
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        submission.problems.append(
            f"{shown} is not a text file; a lab notebook is JSON text saved by JupyterLab."
        )
        return submission
    if not text.strip():
        submission.problems.append(f"{shown} is empty. {CHECKPOINT_HINT}.")
        return submission
    try:
        data = json.loads(text)
    except ValueError as error:
        where = (
            f" (line {error.lineno}, column {error.colno}: {error.msg})"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        submission.problems.append(
            f"{shown} is not valid notebook JSON{where}; it may have been cut short while saving. "
            f"{CHECKPOINT_HINT}."
        )
        return submission
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        submission.problems.append(
            f"{shown} is not a Jupyter notebook (its JSON has no list of cells)."
        )
        return submission
    major = data.get("nbformat")
    if isinstance(major, int) and major < 4:
        submission.problems.append(
            f"{shown} uses the old notebook format {major}; open it in JupyterLab, save it, "
            "and grade again."
        )
        return submission
    metadata = data.get("metadata")
    submission.metadata = metadata if isinstance(metadata, dict) else {}
    submission.cells = [cell for cell in data["cells"] if isinstance(cell, dict)]
    skipped = len(data["cells"]) - len(submission.cells)
    if skipped:
        submission.problems.append(f"{skipped} damaged cell(s) in {shown} were ignored.")
    return submission


def identify(submission: Submission, manifest: Manifest) -> LabSpec | None:
    """The lab a notebook is: from its metadata, else from its file name."""
    if submission.lab_name:
        spec = manifest.find(submission.lab_name)
        if spec is not None:
            return spec
    return manifest.find(submission.path.name)


@dataclass(frozen=True)
class TamperFinding:
    """A change to a locked part of the lab: ``edited``, ``deleted``, ``moved`` or ``added``."""

    cell_id: str
    change: str
    where: str
    cell_type: str = "code"

    def message(self) -> str:
        if self.change == "edited":
            return f"Locked {self.where} was edited; the grader ran the original."
        if self.change == "deleted":
            return f"Locked {self.where} was deleted; the grader put it back."
        if self.change == "moved":
            return f"{self.where[0].upper()}{self.where[1:]} was moved; the grader ran it in its original place."
        if self.cell_type != "code":
            return f"{self.where[0].upper()}{self.where[1:]} was added; the grader ignores it."
        return (
            f"{self.where[0].upper()}{self.where[1:]} was added; the grader did not run it "
            "(put your answer code in the exercise cells)."
        )

    def to_json(self) -> dict[str, str]:
        return {"cell_id": self.cell_id, "change": self.change, "message": self.message()}


@dataclass
class Assembled:
    """The code cells to run (pristine order) and what was found on the way."""

    cells: list[CellToRun]
    exercise_cells: dict[str, list[str]]
    tampered: list[TamperFinding] = field(default_factory=list)
    missing_exercises: list[str] = field(default_factory=list)


def _kit_metadata(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = cell.get("metadata")
    kit = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
    return kit if isinstance(kit, Mapping) else {}


def _describe(spec: CellSpec, position: int) -> str:
    kind = "exercise cell" if spec.kind == "exercise" else f"{spec.cell_type} cell"
    return f"{kind} {position} (`{spec.summary()}`)"


def _summary(source: str, width: int = 60) -> str:
    for line in source.splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= width else text[: width - 1] + "…"
    return "(empty cell)"


def assemble(spec: LabSpec, cells: Sequence[Mapping[str, Any]]) -> Assembled:
    """Match the learner's cells to the lab's cells by id, and build what the grader runs."""
    by_id: dict[str, int] = {}
    for position, cell in enumerate(cells):
        cell_id = cell.get("id")
        if isinstance(cell_id, str) and cell_id not in by_id:
            by_id[cell_id] = position
    manifest_ids = {cell.id for cell in spec.cells}
    used: set[int] = set()
    matched: dict[str, int] = {}  # manifest cell id -> learner position
    for cell in spec.cells:
        if cell.id in by_id:
            matched[cell.id] = by_id[cell.id]
            used.add(by_id[cell.id])
    # An exercise cell whose id changed (cut and pasted in JupyterLab) is still found by its exercise.
    for cell in spec.cells:
        if cell.kind != "exercise" or cell.id in matched:
            continue
        for position, learner in enumerate(cells):
            if position in used or learner.get("id") in manifest_ids:
                continue
            if _kit_metadata(learner).get("exercise") == cell.exercise:
                matched[cell.id] = position
                used.add(position)
                break

    assembled = Assembled(cells=[], exercise_cells={})
    for index, cell in enumerate(spec.cells, start=1):
        position = matched.get(cell.id)
        learner = cells[position] if position is not None else None
        if cell.kind == "exercise":
            assembled.exercise_cells.setdefault(str(cell.exercise), []).append(cell.id)
            if learner is None:
                assembled.missing_exercises.append(str(cell.exercise))
                source = cell.source
            else:
                source = cell_source(learner)
            assembled.cells.append(CellToRun(cell.id, source, cell.exercise, cell.source))
            continue
        if learner is None:
            assembled.tampered.append(TamperFinding(cell.id, "deleted", _describe(cell, index)))
        elif cell_sha256(str(learner.get("cell_type", "")), cell_source(learner)) != cell.sha256:
            assembled.tampered.append(TamperFinding(cell.id, "edited", _describe(cell, index)))
        if cell.is_code:
            assembled.cells.append(CellToRun(cell.id, cell.source))

    # Moved: matched cells outside the longest run that keeps the pristine order.
    order = [spec.index(cell_id) for cell_id, _ in sorted(matched.items(), key=lambda kv: kv[1])]
    keep = _longest_increasing(order)
    for manifest_index in order:
        if manifest_index not in keep:
            cell = spec.cells[manifest_index]
            assembled.tampered.append(
                TamperFinding(cell.id, "moved", _describe(cell, manifest_index + 1))
            )

    for position, learner in enumerate(cells):
        if position in used:
            continue
        if not cell_source(learner).strip():
            continue  # an empty cell changes nothing
        cell_id = learner.get("id") if isinstance(learner.get("id"), str) else "?"
        kind = str(learner.get("cell_type", "code"))
        where = f"{kind} cell {position + 1} of your notebook (`{_summary(cell_source(learner))}`)"
        assembled.tampered.append(TamperFinding(cell_id, "added", where, kind))
    return assembled


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """The values of one longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    tail_positions: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_positions.append(i)
        else:
            tails[slot] = value
            tail_positions[slot] = i
        previous[i] = tail_positions[slot - 1] if slot > 0 else -1
    kept: set[int] = set()
    i = tail_positions[-1] if tail_positions else -1
    while i >= 0:
        kept.add(values[i])
        i = previous[i]
    return kept
