"""Answers cross from the learner's kernel to the checks as JSON, the same way everywhere.

A lab's answers are plain kernel variables (``cluster_arn = ...``). The grader reads them out of a
finished kernel by running :func:`print_answers` there, and the in-notebook ``lab.check`` reads
them from the live namespace through the same :func:`encode_answers`; so a check sees exactly the
same value in JupyterLab and in CI. Values JSON cannot hold travel as their type name and ``repr``.
Only the standard library is used here: this module runs inside the learner's kernel.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

#: Longest JSON text kept for one answer; longer values travel as a shortened ``repr``.
MAX_ANSWER_CHARS = 100_000
#: Longest ``repr`` kept for a value JSON cannot hold.
MAX_REPR_CHARS = 300

MISSING = "missing"
OK = "ok"
UNSERIALIZABLE = "unserializable"


def _plain(value: Any) -> Any:
    """``json.dumps`` fallback for the few non-JSON types a learner naturally produces."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number):
            return number
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist) and type(value).__module__.startswith("numpy"):
        return tolist()
    raise TypeError(type(value).__name__)


def encode_answer(value: Any) -> dict[str, Any]:
    """One answer as ``{"status": "ok", "type": ..., "value": ...}`` or an unserializable record."""
    type_name = type(value).__name__
    try:
        text = json.dumps(value, default=_plain, allow_nan=False)
        if len(text) <= MAX_ANSWER_CHARS:
            return {"status": OK, "type": type_name, "value": json.loads(text)}
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        shown = repr(value)
    except Exception:  # a learner's class with a broken __repr__
        shown = f"<{type_name} object>"
    if len(shown) > MAX_REPR_CHARS:
        shown = shown[: MAX_REPR_CHARS - 1] + "…"
    return {"status": UNSERIALIZABLE, "type": type_name, "repr": shown}


def encode_answers(namespace: Mapping[str, Any], names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each named answer from ``namespace`` (a kernel's globals), encoded; absent names marked."""
    encoded: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in namespace:
            encoded[name] = encode_answer(namespace[name])
        else:
            encoded[name] = {"status": MISSING}
    return encoded


def kernel_namespace() -> Mapping[str, Any]:
    """The learner's globals: IPython's user namespace, or ``__main__`` outside IPython."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        return shell.user_ns
    import __main__

    return vars(__main__)


def print_answers(names: Iterable[str], marker: str) -> None:
    """Print the encoded answers between two copies of ``marker`` (run by the grader in the kernel)."""
    import sys

    payload = json.dumps(encode_answers(kernel_namespace(), names))
    stream = sys.__stdout__ if sys.stdout is None else sys.stdout
    stream.write(f"{marker}{payload}{marker}\n")
    stream.flush()


def parse_printed_answers(text: str, marker: str) -> dict[str, dict[str, Any]] | None:
    """The answers :func:`print_answers` printed, or None if they are not in ``text``."""
    start = text.find(marker)
    end = text.find(marker, start + len(marker)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    try:
        answers = json.loads(text[start + len(marker) : end])
    except ValueError:
        return None
    if not isinstance(answers, dict):
        return None
    return {str(name): record for name, record in answers.items() if isinstance(record, dict)}
