"""Run a lab's cells in a fresh Python kernel, surviving whatever the learner's code does.

Cells run one at a time, each with its own time limit, inside one time limit for the whole lab.
A cell that runs too long is interrupted and the run goes on. A cell that kills the kernel
(``os._exit``, ``exit()``, a crash) or ignores the interrupt is recorded, replaced by its stub
(exercise cells) or skipped (locked cells), and the lab is run again from the top in a new kernel,
so the exercises after it are still graded. Outputs are counted, never stored (a cell printing
gigabytes costs nothing), except the grader's own last cell, which prints the answers between two
copies of a random marker the learner's code cannot know.

This drives ``jupyter_client`` directly rather than ``nbclient``: nbclient keeps waiting (and
re-interrupting) forever on a cell that swallows ``KeyboardInterrupt``; here every wait is bounded.
The kernel is the grader's own interpreter (like ``nbval --nbval-current-env``), so it imports the
same installed ``ecs_workbook``.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from ecs_workbook.grading import answers as answer_codec

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"(?:Cell In|Input In) ?\[\d*\],? line (\d+)")
_SYNTAX_LINE = re.compile(r"\bline (\d+)\)?\s*$")

#: Cell outcomes.
OK = "ok"
ERROR = "error"
TIMEOUT = "timeout"
KERNEL_DIED = "kernel-died"
NOT_RUN = "not-run"


@dataclass(frozen=True)
class RunLimits:
    """Time and size limits of one lab run."""

    #: Limit for a learner's (exercise) cell.
    cell_timeout_seconds: float = 30.0
    #: Limit for a locked cell: the kit's own code, which starts the sandbox and imports the kit.
    locked_cell_timeout_seconds: float = 120.0
    lab_timeout_seconds: float = 300.0
    startup_timeout_seconds: float = 60.0
    #: How long an interrupted cell gets to stop before the kernel is replaced.
    interrupt_grace_seconds: float = 3.0
    #: Characters of output a cell may print before the report mentions it.
    max_output_chars: int = 1_000_000
    #: Kernel replacements per lab (each one re-runs the lab from the top).
    max_restarts: int = 3


@dataclass(frozen=True)
class CellToRun:
    """A code cell of the notebook being graded; ``stub`` replaces it if it breaks the kernel."""

    id: str
    source: str
    exercise: str | None = None
    stub: str | None = None


@dataclass
class CellOutcome:
    """What happened when a cell ran."""

    id: str
    status: str
    error_name: str = ""
    error_value: str = ""
    error_line: int | None = None
    output_chars: int = 0
    seconds: float = 0.0
    #: Why it did not run (``not-run``), or how the kernel stopped (``kernel-died``/``timeout``).
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status in (ERROR, TIMEOUT, KERNEL_DIED)


@dataclass
class RunResult:
    """Outcomes by cell id, the answers read from the kernel, and run-level problems."""

    outcomes: dict[str, CellOutcome] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] | None = None
    problems: list[str] = field(default_factory=list)
    restarts: int = 0
    seconds: float = 0.0


@dataclass
class _Reply:
    status: str  # ok | error | timeout | stuck | died
    error_name: str = ""
    error_value: str = ""
    error_line: int | None = None
    output_chars: int = 0
    text: str = ""


class KernelStartError(RuntimeError):
    """No kernel could be started (a broken environment, not the learner's notebook)."""


def _kernel_spec_manager() -> Any:
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager

    class CurrentEnvironmentKernels(KernelSpecManager):
        """Every kernel name resolves to ipykernel running on this interpreter."""

        def get_kernel_spec(self, kernel_name: str) -> Any:
            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES,
                **ipykernel.kernelspec.get_kernel_dict(),
            )

    return CurrentEnvironmentKernels()


class Kernel:
    """One ipykernel process and a blocking client, with bounded waits everywhere."""

    def __init__(self, cwd: Path, env: Mapping[str, str], startup_timeout_seconds: float) -> None:
        from jupyter_client.manager import KernelManager

        self.manager = KernelManager(
            kernel_name="ecs-workbook-grader", kernel_spec_manager=_kernel_spec_manager()
        )
        try:
            self.manager.start_kernel(
                cwd=str(cwd),
                env=dict(env),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
            self.client = self.manager.client()
            self.client.start_channels()
            self.client.wait_for_ready(timeout=startup_timeout_seconds)
        except Exception as error:
            self.shutdown()
            raise KernelStartError(f"{type(error).__name__}: {error}") from error

    def alive(self) -> bool:
        try:
            return bool(self.manager.is_alive())
        except Exception:
            return False

    def shutdown(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.stop_channels()
        try:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
        except Exception:
            pass
        with contextlib.suppress(Exception):
            self.manager.cleanup_resources()

    def execute(
        self,
        code: str,
        timeout_seconds: float,
        *,
        grace_seconds: float,
        keep_text_chars: int = 0,
        store_history: bool = True,
    ) -> _Reply:
        """Run ``code``; on timeout interrupt it and wait ``grace_seconds`` for it to stop."""
        msg_id = self.client.execute(
            code, store_history=store_history, allow_stdin=False, stop_on_error=False
        )
        reply = _Reply(status="ok")
        text_parts: list[str] = []
        kept = 0
        content: dict[str, Any] | None = None
        idle = False
        deadline = time.monotonic() + max(0.0, timeout_seconds)
        idle_deadline = 0.0
        interrupted = False
        next_alive_check = time.monotonic() + 0.5
        while True:
            now = time.monotonic()
            if content is not None and (idle or now >= idle_deadline):
                break  # (IOPub may drop the final "idle" under a flood of output: wait briefly)
            if content is None and now >= deadline:
                if interrupted:
                    reply.status = "stuck"
                    return reply
                interrupted = True
                try:
                    self.manager.interrupt_kernel()
                except Exception:
                    reply.status = "stuck"
                    return reply
                deadline = now + grace_seconds
            if now >= next_alive_check:
                next_alive_check = now + 0.5
                if not self.alive():
                    reply.status = "died"
                    return reply
            try:
                message = self.client.get_iopub_msg(timeout=0.05)
            except Empty:
                message = None
            if message is not None and message.get("parent_header", {}).get("msg_id") == msg_id:
                kind = message.get("msg_type")
                body = message.get("content", {})
                if kind == "status" and body.get("execution_state") == "idle":
                    idle = True
                elif kind == "stream":
                    chunk = str(body.get("text", ""))
                    reply.output_chars += len(chunk)
                    if kept < keep_text_chars:
                        text_parts.append(chunk[: keep_text_chars - kept])
                        kept += len(text_parts[-1])
                elif kind in ("execute_result", "display_data", "update_display_data"):
                    reply.output_chars += sum(len(str(v)) for v in body.get("data", {}).values())
                elif kind == "error":
                    reply.error_name = str(body.get("ename", ""))
                    reply.error_value = str(body.get("evalue", ""))
                    reply.error_line = _error_line(body.get("traceback", []), reply.error_value)
            if content is None:
                try:
                    shell = self.client.get_shell_msg(timeout=0)
                except Empty:
                    shell = None
                if shell is not None and shell.get("parent_header", {}).get("msg_id") == msg_id:
                    content = shell.get("content", {})
                    idle_deadline = time.monotonic() + 2.0
        reply.text = "".join(text_parts)
        if any(p.get("source") == "ask_exit" for p in content.get("payload", []) or []):
            reply.status = "died"  # exit()/quit(): the kernel shuts down right after replying
        elif interrupted:
            reply.status = "timeout"
        elif content.get("status") == "error":
            reply.status = "error"
            reply.error_name = reply.error_name or str(content.get("ename", ""))
            reply.error_value = reply.error_value or str(content.get("evalue", ""))
        return reply


def _error_line(traceback: Sequence[str], evalue: str) -> int | None:
    """The line of the learner's cell where the error happened, from IPython's traceback."""
    plain = _ANSI.sub("", "\n".join(str(line) for line in traceback))
    lines = _CELL_LINE.findall(plain)
    if lines:
        return int(lines[-1])
    match = _SYNTAX_LINE.search(evalue)
    return int(match.group(1)) if match else None


def run_cells(
    cells: Sequence[CellToRun],
    answer_names: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: RunLimits = RunLimits(),
) -> RunResult:
    """Run ``cells`` in order in a fresh kernel and read ``answer_names`` from it afterwards."""
    started = time.monotonic()
    lab_deadline: float | None = None  # the lab's clock starts when its first kernel is ready
    result = RunResult()
    broken: dict[str, CellOutcome] = {}  # cells that killed or wedged a kernel
    while True:
        try:
            kernel = Kernel(cwd, env, limits.startup_timeout_seconds)
        except KernelStartError as error:
            result.problems.append(
                f"The grader could not start a Python kernel ({error}); nothing was run. "
                "This is a problem with the installation, not with the notebook."
            )
            for cell in cells:
                result.outcomes.setdefault(cell.id, CellOutcome(cell.id, NOT_RUN, note="no kernel"))
            break
        if lab_deadline is None:
            lab_deadline = time.monotonic() + limits.lab_timeout_seconds
        try:
            restart = _run_once(kernel, cells, broken, result, lab_deadline, limits)
            if restart:
                result.restarts += 1
                continue
            if kernel.alive():
                result.answers = _read_answers(kernel, answer_names, limits)
                if result.answers is None:
                    result.problems.append(
                        "The grader could not read your answers from the kernel after the last "
                        "cell (did your code replace sys.stdout or delete modules?); "
                        "every exercise is graded as unanswered."
                    )
            else:
                result.problems.append(
                    "The kernel stopped before the grader could read your answers; "
                    "every exercise is graded as unanswered."
                )
        finally:
            kernel.shutdown()
        break
    result.seconds = time.monotonic() - started
    return result


def _run_once(
    kernel: Kernel,
    cells: Sequence[CellToRun],
    broken: dict[str, CellOutcome],
    result: RunResult,
    lab_deadline: float,
    limits: RunLimits,
) -> bool:
    """One pass over the cells; True when the kernel must be replaced and the lab re-run."""
    result.outcomes = {}
    for position, cell in enumerate(cells):
        source = cell.source
        if cell.id in broken:
            result.outcomes[cell.id] = broken[cell.id]
            if cell.stub is None:
                continue
            source = cell.stub
        remaining = lab_deadline - time.monotonic()
        if remaining <= 0:
            _mark_not_run(cells[position:], result, "the lab's time limit was reached")
            return False
        cell_limit = (
            limits.cell_timeout_seconds
            if cell.exercise is not None
            else max(limits.cell_timeout_seconds, limits.locked_cell_timeout_seconds)
        )
        timeout = min(cell_limit, remaining)
        began = time.monotonic()
        reply = kernel.execute(source, timeout, grace_seconds=limits.interrupt_grace_seconds)
        seconds = time.monotonic() - began
        if cell.id in broken:
            continue  # the stub ran in place of the broken cell; keep the broken outcome
        lab_limit_hit = timeout < cell_limit
        if reply.status in ("died", "stuck"):
            note = (
                "it stopped the Python kernel"
                if reply.status == "died"
                else f"it ran past {timeout:g} s and ignored the interrupt"
            )
            broken[cell.id] = CellOutcome(
                cell.id,
                KERNEL_DIED if reply.status == "died" else TIMEOUT,
                output_chars=reply.output_chars,
                seconds=seconds,
                note=note,
            )
            result.outcomes[cell.id] = broken[cell.id]
            out_of_time = time.monotonic() >= lab_deadline
            if result.restarts < limits.max_restarts and not out_of_time and not lab_limit_hit:
                return True
            reason = (
                "the lab's time limit was reached"
                if out_of_time or lab_limit_hit
                else "the kernel had to be replaced too many times"
            )
            _mark_not_run(cells[position + 1 :], result, reason)
            return False
        outcome = CellOutcome(
            cell.id,
            {"ok": OK, "error": ERROR, "timeout": TIMEOUT}[reply.status],
            error_name=reply.error_name,
            error_value=reply.error_value,
            error_line=reply.error_line,
            output_chars=reply.output_chars,
            seconds=seconds,
        )
        if reply.status == "timeout":
            outcome.note = (
                "the lab's time limit was reached"
                if lab_limit_hit
                else f"it ran past {timeout:g} s and was interrupted"
            )
            broken[cell.id] = outcome  # if the lab is re-run, do not wait for it again
        result.outcomes[cell.id] = outcome
        if reply.status == "timeout" and lab_limit_hit:
            _mark_not_run(cells[position + 1 :], result, "the lab's time limit was reached")
            return False
    return False


def _mark_not_run(cells: Sequence[CellToRun], result: RunResult, reason: str) -> None:
    for cell in cells:
        result.outcomes.setdefault(cell.id, CellOutcome(cell.id, NOT_RUN, note=reason))


def _read_answers(
    kernel: Kernel, names: Sequence[str], limits: RunLimits
) -> dict[str, dict[str, Any]] | None:
    """Run the grader's own last cell: print the answers between random markers, and parse them."""
    marker = f"@@ecs-workbook-answers-{secrets.token_hex(16)}@@"
    code = (
        "__import__('ecs_workbook.grading.answers', fromlist=['print_answers'])"
        f".print_answers({list(names)!r}, {marker!r})"
    )
    reply = kernel.execute(
        code,
        min(30.0, limits.cell_timeout_seconds + 10.0),
        grace_seconds=limits.interrupt_grace_seconds,
        keep_text_chars=(answer_codec.MAX_ANSWER_CHARS + 1000) * max(1, len(names)) + 10_000,
        store_history=False,
    )
    if reply.status != "ok":
        return None
    return answer_codec.parse_printed_answers(reply.text, marker)
