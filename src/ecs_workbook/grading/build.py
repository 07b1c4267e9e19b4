"""``python -m ecs_workbook.grading.build`` (``make labs``): solutions/ -> labs/ + the manifest.

``solutions/NN_topic.ipynb`` is the master of each lab. Cells tagged ``exercise`` carry metadata
``{"ecs_workbook": {"exercise": "ex1", "stub": "# YOUR ANSWER: ...\\nanswer = None"}}``; every other
cell is locked. The build writes ``labs/NN_topic.ipynb`` (exercise cells replaced by their stubs,
outputs cleared, same cell ids) and ``src/ecs_workbook/grading/manifest.json`` (everything the
grader needs to rebuild and verify a pristine lab). ``--check`` only reports what is out of date,
for CI: labs and manifest can never drift from the solutions unnoticed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

from ecs_workbook.grading.checking import UnknownLab, load_exercises
from ecs_workbook.grading.manifest import (
    EXERCISE_TAG,
    METADATA_KEY,
    CellSpec,
    LabSpec,
    Manifest,
    ManifestError,
    cell_source,
    lab_version,
    load_manifest,
    manifest_path,
    notebook_text,
    pristine_notebook,
)
from ecs_workbook.grading.reset import backup_path

_LAB_NAME = re.compile(r"^\d{2}_[a-z0-9_]+$")
#: Cell metadata that belongs to one run of a notebook, never to a lab.
_RUN_METADATA = (
    "execution",
    "collapsed",
    "scrolled",
    "jupyter",
    "editable",
    "deletable",
    "trusted",
)


class BuildError(ValueError):
    """A solution notebook does not follow the lab format (see docs/authoring-labs.md)."""


def _cell_metadata(cell: Mapping[str, Any]) -> dict[str, Any]:
    metadata = dict(cell.get("metadata", {}))
    for key in _RUN_METADATA:
        metadata.pop(key, None)
    return metadata


def _title(cells: Sequence[Mapping[str, Any]], fallback: str) -> str:
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in cell_source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def lab_spec_from_solution(path: Path, notebook: nbformat.NotebookNode) -> LabSpec:
    """The pristine lab a solution notebook defines, after checking it follows the lab format."""
    lab = path.stem
    where = f"{path.name}"
    if not _LAB_NAME.match(lab):
        raise BuildError(f"{where}: a lab file is named NN_topic.ipynb (lower case, digits, _)")
    try:
        exercises = load_exercises(lab)
    except UnknownLab as error:
        raise BuildError(
            f"{where}: {error}; write src/ecs_workbook/grading/checks/lab_{lab[:2]}.py"
        ) from None
    by_id = {exercise.id: exercise for exercise in exercises}
    cells: list[CellSpec] = []
    seen_ids: set[str] = set()
    for index, cell in enumerate(notebook.cells, start=1):
        cell_id = cell.get("id")
        if not cell_id:
            raise BuildError(f"{where}: cell {index} has no id; save it with JupyterLab 4")
        if cell_id in seen_ids:
            raise BuildError(f"{where}: cell id {cell_id!r} is used twice (cell {index})")
        seen_ids.add(cell_id)
        tags = cell.get("metadata", {}).get("tags", [])
        kit = cell.get("metadata", {}).get(METADATA_KEY, {})
        if EXERCISE_TAG not in tags:
            if kit.get("exercise"):
                raise BuildError(
                    f"{where}: cell {index} has exercise metadata but no `{EXERCISE_TAG}` tag"
                )
            cells.append(
                CellSpec(cell_id, "locked", cell.cell_type, cell_source(cell), _cell_metadata(cell))
            )
            continue
        exercise_id = kit.get("exercise")
        stub = kit.get("stub")
        if cell.cell_type != "code":
            raise BuildError(f"{where}: exercise cell {index} must be a code cell")
        if not exercise_id or not isinstance(stub, str):
            raise BuildError(
                f"{where}: exercise cell {index} needs metadata "
                f'{{"{METADATA_KEY}": {{"exercise": "ex1", "stub": "# YOUR ANSWER ..."}}}}'
            )
        if exercise_id not in by_id:
            raise BuildError(
                f"{where}: exercise cell {index} is {exercise_id!r}, which lab_{lab[:2]}.py does not "
                f"define (it has {', '.join(by_id) or 'none'})"
            )
        if not stub.lstrip().startswith("# YOUR ANSWER"):
            raise BuildError(f"{where}: the stub of {exercise_id} must start with `# YOUR ANSWER`")
        for name in by_id[exercise_id].answers:
            if not re.search(rf"^{re.escape(name)}\s*=", stub, flags=re.M):
                raise BuildError(
                    f"{where}: the stub of {exercise_id} must set `{name} = None` (an answer its "
                    "check reads), so the pristine lab runs to the end"
                )
        cells.append(
            CellSpec(cell_id, "exercise", "code", stub, _cell_metadata(cell), exercise=exercise_id)
        )
    spec_cells = tuple(cells)
    present = [cell.exercise for cell in spec_cells if cell.kind == "exercise"]
    for exercise in exercises:
        if exercise.id not in present:
            raise BuildError(
                f"{where}: lab_{lab[:2]}.py defines {exercise.id}, which has no exercise cell"
            )
        last_cell = max(i for i, cell in enumerate(spec_cells) if cell.exercise == exercise.id)
        call = re.compile(rf"""\.check\(\s*["']{re.escape(exercise.id)}["']\s*\)""")
        if not any(
            cell.kind == "locked" and cell.is_code and call.search(cell.source)
            for cell in spec_cells[last_cell + 1 :]
        ):
            raise BuildError(
                f'{where}: {exercise.id} needs a check cell after it: lab.check("{exercise.id}")'
            )
    metadata = {k: v for k, v in notebook.metadata.items() if k not in (METADATA_KEY, "widgets")}
    return LabSpec(
        lab=lab,
        title=_title(notebook.cells, lab),
        version=lab_version(spec_cells),
        cells=spec_cells,
        notebook_metadata=metadata,
    )


def build(solutions: Path) -> tuple[Manifest, dict[str, str]]:
    """The manifest and the text of every lab notebook (by file name), built in memory."""
    labs: dict[str, LabSpec] = {}
    texts: dict[str, str] = {}
    for path in sorted(solutions.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        ids = [cell.get("id") for cell in json.loads(text).get("cells", [])]
        repeated = sorted({i for i in ids if i and ids.count(i) > 1})
        if repeated:  # nbformat would silently rename them, and the lab would change ids
            raise BuildError(f"{path.name}: cell id {repeated[0]!r} is used twice")
        notebook = nbformat.reads(text, as_version=4)
        spec = lab_spec_from_solution(path, notebook)
        labs[spec.lab] = spec
        texts[spec.file_name] = notebook_text(pristine_notebook(spec))
    return Manifest(labs), texts


def out_of_date(solutions: Path, labs: Path, manifest_file: Path) -> list[str]:
    """Files that do not match what the build would write (empty when all is up to date)."""
    manifest, texts = build(solutions)
    stale = []
    for name, text in texts.items():
        target = labs / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(str(target))
    for extra in sorted(labs.glob("*.ipynb")):
        if extra.name not in texts and ".backup-" not in extra.name:
            stale.append(f"{extra} (no solution makes it)")
    if (
        not manifest_file.exists()
        or manifest_file.read_text(encoding="utf-8") != manifest.to_json_text()
    ):
        stale.append(str(manifest_file))
    return stale


def _previous_pristine_texts(manifest_file: Path) -> dict[str, str]:
    """The labs as the last build wrote them (from the manifest it left), by file name."""
    try:
        previous = load_manifest(manifest_file)
    except ManifestError:
        return {}
    return {
        spec.file_name: notebook_text(pristine_notebook(spec)) for spec in previous.labs.values()
    }


def write(
    solutions: Path,
    labs: Path,
    manifest_file: Path,
    *,
    now: Callable[[], datetime] = datetime.now,
) -> list[Path]:
    """Build and write every lab and the manifest; returns the files that changed.

    A lab that differs from what the last build wrote holds a learner's answers: it is copied to
    a timestamped backup beside it (as ``ecs-workbook reset`` does) before it is replaced.
    """
    manifest, texts = build(solutions)
    previous = _previous_pristine_texts(manifest_file)
    labs.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in texts.items():
        target = labs / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            if target.exists() and target.read_text(encoding="utf-8") != previous.get(name):
                backup = backup_path(target, now())
                shutil.copy2(target, backup)
                print(f"backed up your edited {target} to {backup}")
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    manifest_text = manifest.to_json_text()
    if not manifest_file.exists() or manifest_file.read_text(encoding="utf-8") != manifest_text:
        manifest_file.write_text(manifest_text, encoding="utf-8")
        changed.append(manifest_file)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecs_workbook.grading.build",
        description="Generate labs/ and the grader's manifest from solutions/.",
    )
    parser.add_argument("--solutions", default="solutions", type=Path)
    parser.add_argument("--labs", default="labs", type=Path)
    parser.add_argument("--manifest", default=None, type=Path, help="default: the package's")
    parser.add_argument("--check", action="store_true", help="only report out-of-date files")
    args = parser.parse_args(argv)
    manifest_file = args.manifest or manifest_path()
    try:
        if args.check:
            stale = out_of_date(args.solutions, args.labs, manifest_file)
            for name in stale:
                print(f"out of date: {name}")
            if stale:
                print("run `make labs` to regenerate them", file=sys.stderr)
            return 1 if stale else 0
        for path in write(args.solutions, args.labs, manifest_file):
            print(f"wrote {path}")
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
