"""``ecs-workbook reset labs/NN_topic.ipynb``: start a lab over, without ever losing the old copy.

The learner's file is first copied to ``NN_topic.backup-YYYYMMDD-HHMMSS.ipynb`` beside it, then the
pristine lab (rebuilt from the manifest shipped in the package, so it matches this version of the
grader) is written in its place. Nothing is ever deleted; the grader skips backups in folders.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ecs_workbook.grading.manifest import (
    LabSpec,
    Manifest,
    ManifestError,
    load_manifest,
    notebook_text,
    pristine_notebook,
)
from ecs_workbook.grading.submission import identify, read_submission

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def backup_path(path: Path, now: datetime) -> Path:
    """A free ``<stem>.backup-<timestamp>.ipynb`` beside ``path``."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix or '.ipynb'}")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-{stamp}-{counter}{path.suffix or '.ipynb'}")
        counter += 1
    return candidate


def _atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a crash leaves either the old file or the new one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def reset_lab(
    path: Path,
    manifest: Manifest,
    *,
    lab: str | None = None,
    now: Callable[[], datetime] = datetime.now,
) -> tuple[LabSpec, Path | None]:
    """Back up ``path`` (if it exists) and write the pristine lab there; returns (lab, backup)."""
    if path.is_dir():
        raise ValueError(f"{path} is a folder: name the lab notebook to reset")
    spec = manifest.find(lab) if lab else identify(read_submission(path), manifest)
    if spec is None:
        known = ", ".join(sorted(manifest.labs)) or "none"
        raise LookupError(
            f"cannot tell which lab {path} is (known labs: {known}); name it with --lab"
        )
    backup = None
    if path.exists():
        backup = backup_path(path, now())
        shutil.copy2(path, backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, notebook_text(pristine_notebook(spec)))
    return spec, backup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ecs-workbook reset``."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="lab notebooks to restore")
    parser.add_argument(
        "--lab",
        metavar="LAB",
        help="which lab to write (e.g. 01), when the file's name and metadata do not say",
    )


def run(args: argparse.Namespace) -> int:
    """Reset each named lab; exit 1 if any could not be reset."""
    try:
        manifest = load_manifest()
    except ManifestError as error:
        print(f"ecs-workbook reset: {error}", file=sys.stderr)
        return EXIT_FAILED
    if args.lab and manifest.find(args.lab) is None:
        print(
            f"ecs-workbook reset: no lab {args.lab!r} (labs: {', '.join(sorted(manifest.labs))})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    status = EXIT_OK
    for raw in args.paths:
        path = Path(raw)
        try:
            spec, backup = reset_lab(path, manifest, lab=args.lab)
        except (ValueError, LookupError, OSError) as error:
            print(f"ecs-workbook reset: {error}", file=sys.stderr)
            status = EXIT_FAILED
            continue
        if backup is not None:
            print(f"Saved your copy as {backup}")
        print(f"Restored a fresh {spec.lab} in {path}")
    return status
