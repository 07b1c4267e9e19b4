"""Show AWS responses the way a learner reads them: short, stable, without the noise.

boto3 responses carry ``ResponseMetadata`` (request ids, HTTP headers) and ``datetime`` objects that
change on every run. :func:`show` drops the former, prints the latter as ISO text, keeps the order
the API uses, and can pick just the fields that matter for the lesson.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any


def clean(obj: Any, fields: Iterable[str] | None = None) -> Any:
    """``obj`` without ``ResponseMetadata``, datetimes as ISO strings, optionally only ``fields``.

    ``fields`` names keys to keep at every level where they occur; dotted names (``"tasks.lastStatus"``)
    are not needed: keeping ``lastStatus`` keeps it inside each task.
    """
    keep = set(fields) if fields is not None else None
    return _clean(obj, keep)


def _clean(obj: Any, keep: set[str] | None) -> Any:
    if isinstance(obj, Mapping):
        out = {}
        for key, value in obj.items():
            if key == "ResponseMetadata":
                continue
            if keep is not None and key not in keep and not _holds_kept(value, keep):
                continue
            out[key] = _clean(value, keep if key not in (keep or ()) else None)
        return out
    if isinstance(obj, (list, tuple)):
        return [_clean(item, keep) for item in obj]
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (bytes, bytearray)):
        return obj.decode("utf-8", "replace")
    if isinstance(obj, set):
        return sorted(obj)
    return obj


def _holds_kept(value: Any, keep: set[str]) -> bool:
    if isinstance(value, Mapping):
        return any(key in keep or _holds_kept(item, keep) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_kept(item, keep) for item in value)
    return False


def show(obj: Any, fields: Iterable[str] | None = None) -> None:
    """Print a boto3 response (or any data) as indented JSON, cleaned by :func:`clean`."""
    print(json.dumps(clean(obj, fields), indent=2, default=str))


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    """Print rows of dicts as an aligned text table (stable output for nbval)."""
    rows = [clean(row) for row in rows]
    if not rows:
        print("(no rows)")
        return
    columns = list(columns or rows[0].keys())
    cells = [[_cell(row.get(column, "")) for column in columns] for row in rows]
    widths = [
        max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)
    ]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
    print("  ".join("-" * width for width in widths))
    for line in cells:
        print("  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)))


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=str)
    return str(value)


def short_arn(arn: str) -> str:
    """The readable tail of an ARN: ``task/demo/3f2c...`` -> ``demo/3f2c...``; names stay names."""
    if not arn.startswith("arn:"):
        return arn
    resource = arn.split(":", 5)[-1]
    return resource.split("/", 1)[-1] if "/" in resource else resource
