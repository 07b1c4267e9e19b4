"""The kernel runner survives loops that ignore interrupts, exit(), and the lab's time limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecs_workbook.grading.execute import (
    KERNEL_DIED,
    NOT_RUN,
    OK,
    TIMEOUT,
    CellToRun,
    RunLimits,
    run_cells,
)

pytestmark = pytest.mark.slow

STUBBORN_LOOP = """
import time
while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
"""


def test_a_loop_that_ignores_interrupts_and_exit_are_replaced_by_stubs_and_the_rest_still_runs(
    tmp_path,
):
    cells = [
        CellToRun("setup", "before = 1"),
        CellToRun("loop", STUBBORN_LOOP, exercise="ex1", stub="looped = None"),
        CellToRun("quit", "exit()", exercise="ex2", stub="quitted = None"),
        CellToRun("after", "after = before + 1", exercise="ex3", stub="after = None"),
    ]
    limits = RunLimits(cell_timeout_seconds=1.0, interrupt_grace_seconds=0.5)
    result = run_cells(
        cells, ["after", "looped", "quitted"], cwd=tmp_path, env=dict(os.environ), limits=limits
    )
    statuses = {cell_id: outcome.status for cell_id, outcome in result.outcomes.items()}
    assert statuses == {"setup": OK, "loop": TIMEOUT, "quit": KERNEL_DIED, "after": OK}
    assert "ignored the interrupt" in result.outcomes["loop"].note
    assert result.restarts == 2
    assert result.answers["after"]["value"] == 2
    assert result.answers["looped"] == {"status": "ok", "type": "NoneType", "value": None}


def test_cells_after_the_labs_time_limit_are_not_run_and_answers_are_still_read(tmp_path):
    cells = [CellToRun(f"c{i}", f"import time; time.sleep(0.4); done_{i} = True") for i in range(6)]
    limits = RunLimits(lab_timeout_seconds=1.0)
    result = run_cells(
        cells, ["done_0", "done_5"], cwd=tmp_path, env=dict(os.environ), limits=limits
    )
    statuses = [outcome.status for outcome in result.outcomes.values()]
    assert statuses[0] == OK and statuses[-1] == NOT_RUN
    assert "time limit" in result.outcomes["c5"].note
    assert result.answers["done_0"]["value"] is True
    assert result.answers["done_5"] == {"status": "missing"}


def test_printing_cannot_forge_the_answers(tmp_path):
    forged = (
        '@@ecs-workbook-answers-0@@{"x": {"status": "ok", "value": 99}}@@ecs-workbook-answers-0@@'
    )
    cells = [CellToRun("a", f"x = 1\nprint({forged!r})")]
    result = run_cells(cells, ["x"], cwd=Path(tmp_path), env=dict(os.environ))
    assert result.answers["x"]["value"] == 1
