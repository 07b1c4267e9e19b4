"""The manifest: what every pristine lab looks like, shipped inside the package.

The grader never trusts a learner's notebook for anything but the code in its exercise cells.
Everything else, the order of the cells, the source of every locked cell and the stub of every
exercise cell, comes from ``manifest.json``, which ``python -m ecs_workbook.grading.build``
writes from ``solutions/`` together with ``labs/``. A pristine lab can be rebuilt from the
manifest alone (``ecs-workbook reset``), and a locked cell's SHA-256 tells whether a learner
edited it (nbgrader's checksum idea, keyed by cell id).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import nbformat

#: Bumped when the manifest's own layout changes (not when a lab changes).
MANIFEST_FORMAT = 1
#: Cell tag that marks the cells a learner edits.
EXERCISE_TAG = "exercise"
#: Key of the kit's metadata, in notebooks and in cells.
METADATA_KEY = "ecs_workbook"

CellKind = Literal["locked", "exercise"]


def cell_sha256(cell_type: str, source: str) -> str:
    """Fingerprint of a cell: its type and its source, nothing a front end rewrites on save."""
    return hashlib.sha256(f"{cell_type}\n{source}".encode()).hexdigest()


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat allows a list of lines on disk)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(line) for line in source)
    return source if isinstance(source, str) else ""


@dataclass(frozen=True)
class CellSpec:
    """One cell of a pristine lab: a locked cell with its source, or an exercise cell with its stub."""

    id: str
    kind: CellKind
    cell_type: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    exercise: str | None = None

    @property
    def sha256(self) -> str:
        return cell_sha256(self.cell_type, self.source)

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"

    def summary(self, width: int = 60) -> str:
        """The first non-blank line of the cell, shortened: how a learner recognises it."""
        for line in self.source.splitlines():
            if line.strip():
                text = line.strip()
                return text if len(text) <= width else text[: width - 1] + "…"
        return "(empty cell)"

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "cell_type": self.cell_type,
            "sha256": self.sha256,
            "metadata": self.metadata,
        }
        if self.kind == "exercise":
            entry["exercise"] = self.exercise
            entry["stub"] = self.source
        else:
            entry["source"] = self.source
        return entry

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> CellSpec:
        kind = entry["kind"]
        source = entry["stub"] if kind == "exercise" else entry["source"]
        spec = cls(
            id=entry["id"],
            kind=kind,
            cell_type=entry["cell_type"],
            source=source,
            metadata=dict(entry.get("metadata", {})),
            exercise=entry.get("exercise"),
        )
        if spec.sha256 != entry.get("sha256"):
            raise ManifestError(f"manifest cell {spec.id!r} does not match its sha256")
        return spec


@dataclass(frozen=True)
class LabSpec:
    """One lab as its author made it: identity, version and the ordered pristine cells."""

    lab: str
    title: str
    version: str
    cells: tuple[CellSpec, ...]
    notebook_metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def number(self) -> str:
        """The lab's number, ``"01"`` for ``01_clusters_and_instances``."""
        return self.lab.split("_", 1)[0]

    @property
    def file_name(self) -> str:
        return f"{self.lab}.ipynb"

    def cell(self, cell_id: str) -> CellSpec | None:
        return next((cell for cell in self.cells if cell.id == cell_id), None)

    def index(self, cell_id: str) -> int:
        return next(i for i, cell in enumerate(self.cells) if cell.id == cell_id)

    @property
    def exercise_ids(self) -> list[str]:
        """Exercise ids in the order their cells appear."""
        seen: list[str] = []
        for cell in self.cells:
            if cell.kind == "exercise" and cell.exercise not in seen:
                seen.append(str(cell.exercise))
        return seen

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "version": self.version,
            "notebook_metadata": self.notebook_metadata,
            "cells": [cell.to_json() for cell in self.cells],
        }

    @classmethod
    def from_json(cls, lab: str, entry: Mapping[str, Any]) -> LabSpec:
        return cls(
            lab=lab,
            title=entry.get("title", lab),
            version=entry["version"],
            cells=tuple(CellSpec.from_json(cell) for cell in entry["cells"]),
            notebook_metadata=dict(entry.get("notebook_metadata", {})),
        )


class ManifestError(RuntimeError):
    """The shipped manifest is missing or damaged: the kit is broken, not the learner's work."""


@dataclass(frozen=True)
class Manifest:
    """Every lab the installed kit knows, by lab id (the notebook's file stem)."""

    labs: dict[str, LabSpec]

    def find(self, name: str) -> LabSpec | None:
        """A lab by id (``01_clusters_and_instances``), number (``01`` or ``1``) or file name.

        A file name may carry what JupyterLab adds to copies (``01_clusters_and_instances-Copy1``).
        """
        stem = Path(name).stem if name.endswith(".ipynb") else name
        if stem in self.labs:
            return self.labs[stem]
        if stem.isdigit():
            return next((s for s in self.labs.values() if int(s.number) == int(stem)), None)
        candidates = [spec for lab, spec in self.labs.items() if stem.startswith(lab)]
        return max(candidates, key=lambda spec: len(spec.lab), default=None)

    def to_json_text(self) -> str:
        data = {
            "format": MANIFEST_FORMAT,
            "labs": {lab: spec.to_json() for lab, spec in sorted(self.labs.items())},
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json_text(cls, text: str) -> Manifest:
        try:
            data = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT:
                raise ManifestError(
                    f"manifest format {data.get('format')!r}, this grader reads {MANIFEST_FORMAT}"
                )
            return cls({lab: LabSpec.from_json(lab, entry) for lab, entry in data["labs"].items()})
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ManifestError(f"the grading manifest is damaged ({error})") from error


def manifest_path() -> Path:
    """Where the shipped manifest lives (inside the installed package)."""
    return Path(str(resources.files("ecs_workbook.grading").joinpath("manifest.json")))


def load_manifest(path: str | Path | None = None) -> Manifest:
    """The manifest shipped with the installed package (or the one at ``path``)."""
    target = Path(path) if path is not None else manifest_path()
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as error:
        raise ManifestError(
            f"the grading manifest {target} is missing: reinstall the kit, "
            "or run `make labs` in a clone of it"
        ) from error
    return Manifest.from_json_text(text)


def lab_version(cells: tuple[CellSpec, ...]) -> str:
    """A short hash of everything that defines a lab: each cell's id, kind, type and source."""
    digest = hashlib.sha256()
    for cell in cells:
        digest.update(f"{cell.id}\0{cell.kind}\0{cell.exercise}\0{cell.sha256}\n".encode())
    return digest.hexdigest()[:12]


def pristine_notebook(spec: LabSpec) -> nbformat.NotebookNode:
    """The lab exactly as a learner first gets it: stubs in exercise cells, no outputs.

    ``build`` writes this to ``labs/`` and ``reset`` restores it, so both are the same bytes.
    Locked cells are marked read-only for JupyterLab (``editable``/``deletable`` false).
    """
    metadata = copy.deepcopy(spec.notebook_metadata)
    metadata[METADATA_KEY] = {"lab": spec.lab, "version": spec.version}
    notebook = nbformat.v4.new_notebook(metadata=metadata)
    notebook.nbformat_minor = max(notebook.nbformat_minor, 5)
    for cell in spec.cells:
        cell_metadata = copy.deepcopy(cell.metadata)
        if cell.kind == "locked":
            cell_metadata["editable"] = False
            cell_metadata["deletable"] = False
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(source=cell.source, metadata=cell_metadata)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source=cell.source, metadata=cell_metadata)
        else:
            new = nbformat.v4.new_raw_cell(source=cell.source, metadata=cell_metadata)
        new.id = cell.id
        notebook.cells.append(new)
    return notebook


def notebook_text(notebook: nbformat.NotebookNode) -> str:
    """A notebook as the bytes written to disk (nbformat's layout plus a final newline)."""
    text = nbformat.writes(notebook)
    return text if text.endswith("\n") else text + "\n"
