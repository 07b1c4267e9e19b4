"""``ecs-workbook`` (and ``python -m ecs_workbook``): parses the command line and dispatches.

Each verb lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
this file only wires them together, so ``ecs-workbook --help`` lists every verb.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: verb -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "server": (
        "ecs_workbook.server",
        "run a local moto server for the aws CLI and print its exports",
    ),
    "grade": ("ecs_workbook.grading.grade", "grade lab notebooks (a file or a folder)"),
    "reset": ("ecs_workbook.grading.reset", "restore a pristine lab, backing up your copy first"),
    "compose": ("ecs_workbook.compose_cli", "ecs-cli compose, against the local sandbox"),
    "doctor": ("ecs_workbook.doctor", "pre-flight check: Python, packages, sandbox, CLI, disk"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` one verb's: importing every verb module takes seconds
    (the grader pulls in nbclient), too slow for a ``!ecs-workbook compose ...`` notebook cell."""
    parser = argparse.ArgumentParser(
        prog="ecs-workbook", description="Learn Amazon ECS locally against moto."
    )
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for verb, (module_name, help_text) in COMMANDS.items():
        if only is not None and verb != only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            continue
        sub = verbs.add_parser(verb, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verb = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(only=verb)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return int(args._module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
