"""How long the grader takes: one lab, and every lab, as ``ecs-workbook grade`` runs them.

Run: ``.venv/bin/python benchmarks/bench_grader.py``. Prints figures and ratios; asserts nothing.
Target: one lab graded in under 6 s (kernel start, sandbox, every cell, the checks).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from ecs_workbook.grading.execute import Kernel
from ecs_workbook.grading.grade import GradeOptions, GradingServer, grade_notebook, grade_paths
from ecs_workbook.grading.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]
TARGET_ONE_LAB_SECONDS = 6.0
REPEATS = 3


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    manifest = load_manifest()
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    labs = sorted((ROOT / "labs").glob("*.ipynb"))
    if not solutions:
        print("no solutions to grade")
        return
    first = solutions[0]

    server_start = seconds(lambda: GradingServer().stop())
    kernel_start = statistics.median(
        seconds(lambda: Kernel(ROOT, {}, 60).shutdown()) for _ in range(REPEATS)
    )
    print(f"grading server start (engine + moto):  {server_start:6.2f} s (once per run)")
    print(f"kernel start and stop (median of {REPEATS}):  {kernel_start:6.2f} s (once per lab)")

    with GradingServer() as server:
        one_lab = [
            grade_notebook(first, manifest, lambda: server, GradeOptions()).seconds
            for _ in range(REPEATS)
        ]
        pristine = grade_notebook(ROOT / "labs" / first.name, manifest, lambda: server).seconds
    median_one = statistics.median(one_lab)
    print(
        f"one solved lab ({first.name}), median of {REPEATS}: {median_one:6.2f} s "
        f"(target < {TARGET_ONE_LAB_SECONDS:g} s: {'met' if median_one < TARGET_ONE_LAB_SECONDS else 'NOT met'})"
    )
    print(f"the same lab, pristine (stubs only):      {pristine:6.2f} s")
    print(f"  kernel start as a share of one lab:     {kernel_start / median_one:6.1%}")

    every_solution = seconds(lambda: grade_paths([ROOT / "solutions"], manifest=manifest))
    every_lab = seconds(lambda: grade_paths([ROOT / "labs"], manifest=manifest))
    print(
        f"all {len(solutions)} solutions, one command:          {every_solution:6.2f} s "
        f"({every_solution / len(solutions):.2f} s per lab)"
    )
    print(
        f"all {len(labs)} pristine labs, one command:       {every_lab:6.2f} s "
        f"({every_lab / max(1, len(labs)):.2f} s per lab)"
    )


if __name__ == "__main__":
    main()
