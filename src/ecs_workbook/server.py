"""``ecs-workbook server``: a local moto server for a terminal, with the lines to paste.

The notebooks start their own server with ``sandbox.start(server=True)``; this command is for a
terminal session where you want to type ``aws ecs ...`` yourself against the same emulator.
"""

from __future__ import annotations

import argparse
import threading

from ecs_workbook import sandbox


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="seed for moto's ids (default 0)")


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    sb = sandbox.start(seed=args.seed, server=True)
    print(
        f"moto is listening on {sb.endpoint_url} (ECS behaves as on AWS; nothing leaves this machine)"
    )
    print("Paste these lines into another terminal, then try: aws ecs list-clusters")
    print(sb.export_lines(), flush=True)
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        sb.stop()
    return 0
