"""Seconds per notebook Run All, the floor under them, and the memory a learner's server needs.

For every notebook in notebooks/ and solutions/ (or the paths given): run it top to bottom with
nbclient in a fresh kernel, REPEAT times (default 3), and report the median seconds of Run All
(what a learner waits after Kernel > Restart Kernel and Run All Cells), the kernel start, and the
kernel's peak memory (ru_maxrss, read by one extra cell appended to the in-memory copy). The
floor is the same for a one-cell notebook that only starts the sandbox: nothing can run faster.
Also measured: the peak memory of an idle JupyterLab server (for JupyterHub limits); with
--grading the seconds of `ecs-workbook grade` on each solved lab; with --make-test the seconds of
`make test` after the install step. --markdown adds study-time estimates derived from each
notebook's content (words and code cells; a lab's own "about N minutes"), labelled as estimates.

    .venv/bin/python benchmarks/bench_notebooks.py                  # figures
    .venv/bin/python benchmarks/bench_notebooks.py --markdown       # the table for docs/workshop.md
    .venv/bin/python benchmarks/bench_notebooks.py --grading --write-doc docs/workshop.md

Notebooks run as `make nb` and nbval run them (ECS_WORKBOOK_STATIC=1: simulators draw static
figures); files are only read. Figures depend on the machine and its load, printed in the header.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
KERNEL_NAME = "python3"
CELL_TIMEOUT_SECONDS = 300
FOLDERS = ("notebooks", "solutions")
#: Study-time estimate for a chapter: reading speed for technical prose, and time per code cell
#: (run it, read its output). Teaching assumptions, not measurements.
READING_WORDS_PER_MINUTE = 180
MINUTES_PER_CODE_CELL = 1.0
_AUTHOR_ESTIMATE = re.compile(r"about (\d+) minutes")
DOC_START = "<!-- bench_notebooks:start -->"
DOC_END = "<!-- bench_notebooks:end -->"
FLOOR_IN_PROCESS = "from ecs_workbook import sandbox\nsb = sandbox.start()\nsb.stop()"
FLOOR_SERVER = "from ecs_workbook import sandbox\nsb = sandbox.start(server=True)\nsb.stop()"
_MEMORY_CELL = (
    "import json as _j, resource as _r\n"
    "print('ECS_WORKBOOK_BENCH', _j.dumps({'maxrss_kib': _r.getrusage(_r.RUSAGE_SELF).ru_maxrss}))"
)


@dataclass
class Timing:
    """Repeated runs of one notebook."""

    label: str
    run_all_seconds: list[float] = field(default_factory=list)
    kernel_start_seconds: list[float] = field(default_factory=list)
    peak_memory_mib: float = 0.0
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.run_all_seconds) if self.run_all_seconds else float("nan")

    @property
    def spread(self) -> str:
        if not self.run_all_seconds:
            return "-"
        return f"{min(self.run_all_seconds):.1f}-{max(self.run_all_seconds):.1f}"

    @property
    def kernel_start(self) -> float:
        return statistics.median(self.kernel_start_seconds) if self.kernel_start_seconds else 0.0


def run_once(notebook: nbformat.NotebookNode, cwd: Path) -> tuple[float, float, float]:
    """(kernel start s, Run All s, kernel peak MiB) of one run in a fresh kernel."""
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    copy.cells.append(nbformat.v4.new_code_cell(_MEMORY_CELL))
    client = NotebookClient(
        copy,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(cwd)}},
    )
    started = time.perf_counter()
    with client.setup_kernel():
        ready = time.perf_counter()
        for index, cell in enumerate(copy.cells[:-1]):
            client.execute_cell(cell, index)
        finished = time.perf_counter()
        client.execute_cell(copy.cells[-1], len(copy.cells) - 1)
    peak_kib = 0.0
    for output in copy.cells[-1].outputs:
        match = re.search(r"ECS_WORKBOOK_BENCH (\{.*\})", output.get("text", ""))
        if match:
            peak_kib = json.loads(match.group(1))["maxrss_kib"]
    return ready - started, finished - ready, peak_kib / 1024


def time_notebook(label: str, notebook: nbformat.NotebookNode, cwd: Path, repeat: int) -> Timing:
    timing = Timing(label)
    for _ in range(repeat):
        try:
            kernel, run_all, peak = run_once(notebook, cwd)
        except Exception as error:  # report and go on: one broken notebook must not hide the rest
            timing.error = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
            break
        timing.kernel_start_seconds.append(kernel)
        timing.run_all_seconds.append(run_all)
        timing.peak_memory_mib = max(timing.peak_memory_mib, peak)
    return timing


@dataclass(frozen=True)
class StudyEstimate:
    """Minutes a learner needs for one notebook, estimated from its content (not measured)."""

    label: str
    words: int
    code_cells: int
    author_minutes: int | None

    @property
    def minutes(self) -> float:
        if self.author_minutes is not None:
            return float(self.author_minutes)
        return self.words / READING_WORDS_PER_MINUTE + self.code_cells * MINUTES_PER_CODE_CELL


def study_estimate(label: str, notebook: nbformat.NotebookNode) -> StudyEstimate:
    """Words of prose and code cells; a lab's own "about N minutes" (its first one) wins."""
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    code_cells = sum(
        1 for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()
    )
    author = None
    if label.startswith("labs/"):
        match = next((m for m in map(_AUTHOR_ESTIMATE.search, markdown) if m), None)
        author = int(match.group(1)) if match else None
    return StudyEstimate(label, sum(len(text.split()) for text in markdown), code_cells, author)


def notebook_paths(targets: list[str]) -> list[Path]:
    paths: list[Path] = []
    for target in map(Path, targets):
        if target.is_dir():
            paths += sorted(p for p in target.glob("*.ipynb") if ".backup-" not in p.name)
        elif target.suffix == ".ipynb":
            paths.append(target)
    return paths


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jupyterlab_server_memory_mib() -> float:
    """Peak RSS (VmHWM) of a freshly started, idle JupyterLab server, on Linux; else NaN."""
    jupyter = Path(sys.executable).parent / "jupyter"
    if not Path("/proc").is_dir() or not jupyter.exists():
        return float("nan")
    port, token = _free_port(), "bench"
    process = subprocess.Popen(
        [
            str(jupyter),
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/lab?token={token}"
                urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.3)
        status = Path(f"/proc/{process.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else float("nan")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def grading_seconds(solution: Path) -> float:
    """Wall seconds of `ecs-workbook grade` on one solved lab (what grading one learner's lab costs)."""
    cli = Path(sys.executable).parent / "ecs-workbook"
    started = time.perf_counter()
    subprocess.run(
        [str(cli), "grade", str(solution), "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def make_test_seconds() -> float:
    """Seconds of `make test` once the install step has nothing left to do."""
    subprocess.run(["make", "-s", "install"], cwd=ROOT, check=True)
    started = time.perf_counter()
    completed = subprocess.run(["make", "-s", "test"], cwd=ROOT)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        print(f"note: `make test` exited with status {completed.returncode}", file=sys.stderr)
    return seconds


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load:.1f} at start, {date.today()}"
    )


def markdown(
    measured_on: str,
    timings: list[Timing],
    floors: list[Timing],
    repeat: int,
    server_mib: float,
    make_test: float | None,
    estimates: list[StudyEstimate],
    grading: dict[str, float],
) -> str:
    """The block docs/workshop.md embeds between its markers: measured times, then estimates."""
    lines = [
        DOC_START,
        "#### Machine times (measured)",
        "",
        f"*Measured by `benchmarks/bench_notebooks.py` on {measured_on}; median of {repeat} run(s), "
        "each in a fresh kernel. Machine times, not teaching times.*",
        "",
        "| notebook | Run All, s (median) | min-max, s | kernel start, s | kernel peak, MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    for timing in [*floors, *timings]:
        if timing.error:
            lines.append(f"| {timing.label} | failed: {timing.error} | | | |")
            continue
        lines.append(
            f"| {timing.label} | {timing.median:.1f} | {timing.spread} | "
            f"{timing.kernel_start:.1f} | {timing.peak_memory_mib:.0f} |"
        )
    done = [t for t in timings if not t.error]
    for folder in FOLDERS:
        total = sum(t.median for t in done if t.label.startswith(f"{folder}/"))
        if total:
            lines.append(f"| **all of {folder}/** | **{total:.0f}** | | | |")
    lines.append("")
    if server_mib == server_mib:  # not NaN
        lines.append(f"Idle JupyterLab server: {server_mib:.0f} MiB peak resident memory.")
    if make_test is not None:
        lines.append(f"`make test` after install: {make_test:.0f} s.")
    if grading:
        shown = ", ".join(f"{label} {seconds:.0f} s" for label, seconds in grading.items())
        lines.append(
            f"`ecs-workbook grade` of one solved lab (one run each): {shown}; "
            f"all {len(grading)}: {sum(grading.values()):.0f} s per learner."
        )
    lines += [
        "",
        "#### Study time (estimated from each notebook's content, not measured)",
        "",
        f"*Chapters: words of prose at {READING_WORDS_PER_MINUTE} words a minute plus "
        f'{MINUTES_PER_CODE_CELL:g} minute per code cell. Labs: the lab\'s own "about N minutes".*',
        "",
        "| notebook | words | code cells | estimated minutes |",
        "|---|---:|---:|---:|",
    ]
    for estimate in estimates:
        source = " (lab's own estimate)" if estimate.author_minutes is not None else ""
        lines.append(
            f"| {estimate.label} | {estimate.words} | {estimate.code_cells} | "
            f"{estimate.minutes:.0f}{source} |"
        )
    for folder in ("notebooks", "labs"):
        total = sum(e.minutes for e in estimates if e.label.startswith(f"{folder}/"))
        if total:
            lines.append(f"| **all of {folder}/** | | | **{total / 60:.1f} h** |")
    lines.append(DOC_END)
    return "\n".join(lines)


def write_doc(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    if DOC_START not in text or DOC_END not in text:
        raise SystemExit(f"{path} has no {DOC_START} ... {DOC_END} block to replace")
    before, rest = text.split(DOC_START, 1)
    _old, after = rest.split(DOC_END, 1)
    path.write_text(before + table + after, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / f) for f in FOLDERS])
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook (default 3)")
    parser.add_argument("--markdown", action="store_true", help="print the table for the guide")
    parser.add_argument("--write-doc", type=Path, metavar="FILE", help="replace the table in FILE")
    parser.add_argument("--make-test", action="store_true", help="also time `make test`")
    parser.add_argument(
        "--grading", action="store_true", help="also time `ecs-workbook grade` on each solution"
    )
    args = parser.parse_args(argv)
    os.environ["ECS_WORKBOOK_STATIC"] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")

    measured_on = machine()
    print(f"# {measured_on}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-notebooks-"))
    floors = []
    for label, source in (
        ("floor: kernel + sandbox.start()", FLOOR_IN_PROCESS),
        ("floor: kernel + sandbox.start(server=True)", FLOOR_SERVER),
    ):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        floors.append(time_notebook(label, notebook, scratch, args.repeat))
        print(
            f"{label:<48} {floors[-1].median:6.2f} s  kernel start {floors[-1].kernel_start:.2f} s"
        )
    timings = []
    for path in notebook_paths(args.paths):
        label = f"{path.parent.name}/{path.name}"
        timing = time_notebook(label, nbformat.read(path, as_version=4), path.parent, args.repeat)
        timings.append(timing)
        if timing.error:
            print(f"{label:<48} failed: {timing.error}", flush=True)
        else:
            print(
                f"{label:<48} {timing.median:6.2f} s  (min-max {timing.spread}, kernel start "
                f"{timing.kernel_start:.2f} s, peak {timing.peak_memory_mib:.0f} MiB)",
                flush=True,
            )
    shutil.rmtree(scratch, ignore_errors=True)
    floor = floors[0].median
    done = [t for t in timings if not t.error]
    if done and floor == floor:
        slowest = max(done, key=lambda t: t.median)
        print(
            f"slowest: {slowest.label}, {slowest.median:.2f} s = {slowest.median / floor:.1f}x the floor"
        )
        print(f"all notebooks: {sum(t.median for t in done):.1f} s of Run All")
        print(f"largest kernel: {max(t.peak_memory_mib for t in done):.0f} MiB")
    server_mib = jupyterlab_server_memory_mib()
    print(f"idle JupyterLab server: {server_mib:.0f} MiB peak resident")
    grading = {}
    if args.grading:
        for solution in notebook_paths([str(ROOT / "solutions")]):
            grading[solution.stem[:2]] = grading_seconds(solution)
            print(
                f"grade solutions/{solution.name}: {grading[solution.stem[:2]]:.1f} s", flush=True
            )
    make_test = None
    if args.make_test:
        make_test = make_test_seconds()
        print(f"make test after install: {make_test:.0f} s")
    estimates = [
        study_estimate(f"{path.parent.name}/{path.name}", nbformat.read(path, as_version=4))
        for folder in ("notebooks", "labs")
        for path in notebook_paths([str(ROOT / folder)])
    ]
    table = markdown(
        measured_on, timings, floors, args.repeat, server_mib, make_test, estimates, grading
    )
    if args.markdown:
        print(table)
    if args.write_doc:
        write_doc(args.write_doc, table)
        print(f"updated the table in {args.write_doc}")
    return 1 if any(t.error for t in timings + floors) else 0


if __name__ == "__main__":
    sys.exit(main())
