"""Re-run stored notebooks in place so their outputs are fresh (``make nb``).

Topic notebooks and solutions are stored *with* their outputs, and nbval checks every run against
them. After changing a notebook or the package, an author runs ``make nb``: each notebook is
executed top to bottom in a fresh kernel, exactly as nbval will run it (static figures, no widgets),
and written back with clean metadata.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL_NAME = "python3"
CELL_TIMEOUT_SECONDS = 120


def notebook_paths(targets: Iterable[str | Path]) -> list[Path]:
    """The .ipynb files named by ``targets`` (files or folders), in sequence order."""
    paths: list[Path] = []
    for target in map(Path, targets):
        if target.is_dir():
            paths.extend(
                sorted(p for p in target.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            )
        elif target.suffix == ".ipynb":
            paths.append(target)
    return paths


def execute(path: Path) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel (as nbval does) and return the executed notebook."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["ECS_WORKBOOK_STATIC"] = "1"
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return tidy(notebook)


def tidy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run-specific metadata (timings, widget state) and pin the kernelspec."""
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": KERNEL_NAME,
    }
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


def main(argv: list[str] | None = None) -> int:
    targets = argv if argv is not None else sys.argv[1:]
    paths = notebook_paths(targets or ["notebooks", "solutions"])
    for path in paths:
        started = time.perf_counter()
        try:
            notebook = execute(path)
        except Exception as error:  # noqa: BLE001 - report and go on to the next notebook
            print(f"FAILED {path}: {type(error).__name__}: {str(error).splitlines()[0][:300]}")
            return 1
        nbformat.write(notebook, path)
        print(f"refreshed {path} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
