"""``ecs-workbook grade PATH...``: grade lab notebooks the same way on a laptop and in CI.

For each notebook: read it safely, find its lab, rebuild it from the shipped manifest with the
learner's exercise cells in place (:mod:`.submission`), run it in a fresh kernel whose sandbox
attaches to a moto server living in *this* process (:mod:`.execute`), then run the installed
package's checks here, against that server and the answers read from the kernel
(:mod:`.checking`). Learner code can reach the server only through the AWS API and never sees the
checks, so redefining ``lab.check`` or patching the package inside the kernel changes nothing.
The graded file is only ever read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecs_workbook.grading import report as reports
from ecs_workbook.grading.checking import (
    CHECK_TIME_LIMIT_SECONDS,
    CheckContext,
    Exercise,
    ExerciseResult,
    FeedbackItem,
    UnknownLab,
    load_exercises,
    run_check,
)
from ecs_workbook.grading.execute import (
    ERROR,
    KERNEL_DIED,
    NOT_RUN,
    TIMEOUT,
    CellOutcome,
    RunLimits,
    RunResult,
    run_cells,
)
from ecs_workbook.grading.manifest import LabSpec, Manifest, ManifestError, load_manifest
from ecs_workbook.grading.submission import Assembled, assemble, identify, read_submission

_CELL_FILE = re.compile(r"\s*\((?:\d+\.py|<[^>]*>), line \d+\)$")
#: Set in the kernel's environment while grading (like nbgrader's NBGRADER_EXECUTION).
GRADING_ENV = "ECS_WORKBOOK_GRADING"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
REGION = "us-east-1"
#: Exit codes: grading ran; --min-score not reached; usage error; the kit itself is broken.
EXIT_OK, EXIT_BELOW_MIN_SCORE, EXIT_USAGE, EXIT_KIT_BROKEN = 0, 1, 2, 3


# -- the grader's own moto -------------------------------------------------------------------------
class GradingServer:
    """A moto server on 127.0.0.1 in the grader's process, with the kit's ECS engine installed.

    Each lab's first cell (``sandbox.start()``) sees ``ECS_WORKBOOK_ENDPOINT`` and attaches to it,
    resetting and seeding it; the checks then read the state the learner's code left there.
    """

    def __init__(self) -> None:
        import logging

        # moto itself creates boto3 sessions: while it serves, this process has no AWS identity
        # but the fake one (a real-looking AWS_PROFILE would break it, and must never be used).
        self._saved_environment = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
        for name in self._saved_environment:
            del os.environ[name]
        os.environ.update(FAKE_CREDENTIALS)
        os.environ.update(
            {
                "AWS_DEFAULT_REGION": REGION,
                "AWS_CONFIG_FILE": str(_empty_aws_config()),
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        self._server: Any = None
        try:
            from moto.server import ThreadedMotoServer  # here: moto reads the environment

            from ecs_workbook import engine

            engine.install()
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
        except BaseException:
            self.stop()
            raise
        self.url = f"http://{host}:{port}"
        self._session = _isolated_boto3_session()
        self._clients: dict[str, Any] = {}

    def client(self, service_name: str) -> Any:
        """A boto3 client bound to this server only, with fake credentials."""
        if service_name not in self._clients:
            from botocore.config import Config

            self._clients[service_name] = self._session.client(
                service_name,
                endpoint_url=self.url,
                config=Config(retries={"max_attempts": 1, "mode": "standard"}),
            )
        return self._clients[service_name]

    def reset(self) -> None:
        """Empty every backend, so nothing from the previous lab is left over."""
        import urllib.request

        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            response.read()

    def stop(self) -> None:
        """Stop serving and give the process its AWS environment back. Safe to call twice."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        for name in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(self._saved_environment)

    def __enter__(self) -> GradingServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _empty_aws_config() -> Path:
    """An AWS config file holding only an empty ``[default]`` profile."""
    config_file = Path(tempfile.gettempdir()) / "ecs-workbook-grader-aws-config"
    if not config_file.exists() or config_file.read_text(encoding="utf-8") != "[default]\n":
        config_file.write_text("[default]\n", encoding="utf-8")
    return config_file


def _isolated_boto3_session() -> Any:
    """A boto3 session that ignores the caller's AWS profile, config files and credentials."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    core.set_config_variable("profile", "default")
    core.set_config_variable("config_file", str(_empty_aws_config()))
    core.set_config_variable("credentials_file", os.devnull)
    return boto3.session.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        region_name=REGION,
        botocore_session=core,
    )


def kernel_environment(endpoint_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment: the caller's, minus any AWS identity, plus the grader's server."""
    from ecs_workbook.sandbox import ATTACH_ENV

    env = {k: v for k, v in (base if base is not None else os.environ).items()}
    for name in list(env):
        if name.startswith("AWS_"):
            del env[name]
    env.update(FAKE_CREDENTIALS)
    env.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            ATTACH_ENV: endpoint_url,
            GRADING_ENV: "1",
            "ECS_WORKBOOK_STATIC": "1",  # no widgets: nobody is looking
            "MPLBACKEND": "Agg",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
    )
    return env


# -- grading one notebook --------------------------------------------------------------------------
@dataclass(frozen=True)
class GradeOptions:
    limits: RunLimits = RunLimits()
    check_time_limit_seconds: float = CHECK_TIME_LIMIT_SECONDS


def grade_notebook(
    path: Path,
    manifest: Manifest,
    server: Callable[[], GradingServer],
    options: GradeOptions = GradeOptions(),
) -> reports.LabReport:
    """Grade one file; ``server`` returns the (lazily started) grading server."""
    started = time.monotonic()
    lab_report = reports.LabReport(path=str(path))
    submission = read_submission(path)
    lab_report.problems += submission.problems
    spec = identify(submission, manifest)
    if spec is None:
        if submission.cells is not None:
            named = f" (it says it is lab {submission.lab_name!r})" if submission.lab_name else ""
            known = ", ".join(sorted(manifest.labs)) or "none"
            lab_report.problems.append(
                f"{path.name} is not a lab this kit knows{named}. Labs: {known}. "
                "Keep the lab's file name, or grade the notebook from labs/."
            )
        lab_report.seconds = time.monotonic() - started
        return lab_report
    lab_report.lab, lab_report.title, lab_report.version = spec.lab, spec.title, spec.version
    try:
        exercises = load_exercises(spec.lab)
    except UnknownLab as error:
        lab_report.problems.append(f"The kit has no checks for {spec.lab} ({error}).")
        lab_report.seconds = time.monotonic() - started
        return lab_report
    if submission.cells is None:
        lab_report.exercises = [
            _zero(
                e,
                "the notebook to be readable",
                "it could not be read (see Problems)",
                "restore it from a checkpoint or `ecs-workbook reset`, then redo the exercises",
            )
            for e in exercises
        ]
        lab_report.seconds = time.monotonic() - started
        return lab_report
    if submission.version and submission.version != spec.version:
        lab_report.problems.append(
            f"This notebook was made by another version of the kit (lab version {submission.version}, "
            f"this grader has {spec.version}). It was graded with this version's locked cells; "
            "your exercise cells were matched by id. If something looks wrong, copy your answers "
            "into a fresh lab (`ecs-workbook reset`, which keeps a backup of your file)."
        )
    assembled = assemble(spec, submission.cells)
    lab_report.tampered = assembled.tampered
    lab_report.problems += [finding.message() for finding in assembled.tampered]
    for exercise_id in assembled.missing_exercises:
        lab_report.problems.append(
            f"The exercise cell of {exercise_id} is missing (deleted?); it was graded as unanswered."
        )

    grading_server = server()
    grading_server.reset()
    answer_names = sorted({name for exercise in exercises for name in exercise.answers})
    run = run_cells(
        assembled.cells,
        answer_names,
        cwd=path.resolve().parent,
        env=kernel_environment(grading_server.url),
        limits=options.limits,
    )
    lab_report.problems += run.problems
    lab_report.problems += _cell_problems(spec, assembled, run, options.limits)
    lab_report.exercises = [
        _grade_exercise(exercise, assembled, run, grading_server, options) for exercise in exercises
    ]
    lab_report.seconds = time.monotonic() - started
    return lab_report


def _zero(exercise: Exercise, expected: str, found: str, hint: str) -> ExerciseResult:
    item = FeedbackItem(float(exercise.points), False, expected, found, hint)
    return ExerciseResult(exercise.id, exercise.title, float(exercise.points), [item])


def _error_text(outcome: CellOutcome) -> str:
    where = f" (line {outcome.error_line})" if outcome.error_line else ""
    # IPython names the cell's code as a file ("(4244623005.py, line 1)"): say only the line.
    value = _CELL_FILE.sub("", outcome.error_value.strip())
    if len(value) > 200:
        value = value[:199] + "…"
    return f"{outcome.error_name}: {value}{where}" if value else f"{outcome.error_name}{where}"


def _failure_of(outcome: CellOutcome) -> tuple[str, str]:
    """found/hint for an exercise cell that did not run cleanly."""
    if outcome.status == ERROR and outcome.error_name == "SystemExit":
        return (
            "it called sys.exit()",
            "remove the exit call: it ends a script, but in a notebook it only breaks the cell",
        )
    if outcome.status == ERROR:
        return (
            f"it raised {_error_text(outcome)}",
            "run the cell in JupyterLab, read the error, fix it, then run the check cell below it",
        )
    if outcome.status == TIMEOUT:
        return (
            f"it did not finish: {outcome.note}",
            "look for a loop that never ends, or a wait on something that never happens",
        )
    if outcome.status == KERNEL_DIED:
        return (
            f"{outcome.note} (os._exit(), exit(), quit() or a crash)",
            "remove the call that stops Python; the rest of the lab was graded without this cell",
        )
    return (f"it was not run: {outcome.note}", "make the cells above it finish faster")


def _grade_exercise(
    exercise: Exercise,
    assembled: Assembled,
    run: RunResult,
    server: GradingServer,
    options: GradeOptions,
) -> ExerciseResult:
    for cell_id in assembled.exercise_cells.get(exercise.id, []):
        outcome = run.outcomes.get(cell_id)
        if outcome is not None and outcome.status in (ERROR, TIMEOUT, KERNEL_DIED, NOT_RUN):
            found, hint = _failure_of(outcome)
            return _zero(
                exercise, "your exercise cell to run to the end without an error", found, hint
            )
    if run.answers is None:
        return _zero(
            exercise,
            "answers the grader can read",
            "none could be read from the kernel (see Problems)",
            "make sure the lab runs top to bottom in JupyterLab (Kernel > Restart and Run All)",
        )
    ctx = CheckContext(run.answers, server.client, declared=exercise.answers)
    return run_check(exercise, ctx, time_limit_seconds=options.check_time_limit_seconds)


def _cell_problems(
    spec: LabSpec, assembled: Assembled, run: RunResult, limits: RunLimits
) -> list[str]:
    """One learner-facing line per cell that did not run cleanly or printed far too much."""
    exercise_of = {cell.id: cell.exercise for cell in assembled.cells}
    problems: list[str] = []
    lab_limit_reported = False
    for index, cell in enumerate(spec.cells, start=1):
        outcome = run.outcomes.get(cell.id)
        if outcome is None:
            continue
        exercise = exercise_of.get(cell.id)
        label = (
            f"Exercise {exercise} (cell {index})"
            if exercise
            else f"Locked cell {index} (`{cell.summary()}`)"
        )
        if outcome.status == NOT_RUN:
            if "time limit" in outcome.note and not lab_limit_reported:
                lab_limit_reported = True
                problems.append(
                    f"The lab's time limit ({limits.lab_timeout_seconds:g} s) was reached; "
                    f"cells from {index} on were not run and their exercises score zero."
                )
            continue
        if outcome.failed:
            found, _ = _failure_of(outcome)
            consequence = (
                "it scores zero"
                if exercise
                else "this usually means an exercise above it changed something it uses"
            )
            problems.append(f"{label}: {found}; {consequence}.")
        if outcome.output_chars > limits.max_output_chars:
            problems.append(
                f"{label} printed {outcome.output_chars / 1e6:.1f} million characters of output; "
                "the grader ignored it, but keep outputs short (show a few fields, not everything)."
            )
    return problems


# -- grading many ----------------------------------------------------------------------------------
def notebook_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """The notebooks named by ``paths`` (files or folders), and a problem per empty folder.

    Folders are searched one level deep; JupyterLab checkpoints and ``reset`` backups are skipped.
    A path that does not exist is kept, so its report says so.
    """
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.glob("*.ipynb")
                if ".backup-" not in p.name and ".ipynb_checkpoints" not in p.parts
            )
            if not found:
                problems.append(f"No lab notebooks (*.ipynb) found in {path}.")
            files.extend(found)
        else:
            files.append(path)
    return files, problems


def grade_paths(
    paths: Sequence[str | Path],
    *,
    manifest: Manifest | None = None,
    options: GradeOptions = GradeOptions(),
    progress: Callable[[str], None] | None = None,
) -> reports.GradeReport:
    """Grade every notebook named by ``paths``; the moto server starts only if one needs running."""
    from ecs_workbook import __version__

    manifest = manifest or load_manifest()
    files, problems = notebook_files(paths)
    grade_report = reports.GradeReport(problems=problems, kit_version=__version__)
    server_holder: list[GradingServer] = []

    def server() -> GradingServer:
        if not server_holder:
            server_holder.append(GradingServer())
        return server_holder[0]

    try:
        for path in files:
            if progress:
                progress(f"grading {path} ...")
            try:
                grade_report.labs.append(grade_notebook(path, manifest, server, options))
            except Exception as error:  # one broken notebook (or grader bug) never stops the run
                grade_report.labs.append(_failed_report(path, manifest, error))
    finally:
        for running in server_holder:
            running.stop()
    return grade_report


def _failed_report(path: Path, manifest: Manifest, error: Exception) -> reports.LabReport:
    """The report of a notebook the grader itself failed on: every exercise zero, never dropped."""
    lab_report = reports.LabReport(path=str(path))
    lab_report.problems.append(
        f"The grader failed on this notebook ({type(error).__name__}: {error}). "
        "This is a bug in the kit, not in your work: please report it."
    )
    spec = manifest.find(path.name)
    if spec is not None:
        lab_report.lab, lab_report.title, lab_report.version = spec.lab, spec.title, spec.version
        with contextlib.suppress(Exception):
            lab_report.exercises = [
                _zero(e, "the grader to finish", "it failed (see Problems)", "grade again later")
                for e in load_exercises(spec.lab)
            ]
    return lab_report


# -- command line ----------------------------------------------------------------------------------
def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a time limit must be more than 0 seconds")
    return value


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage (0-100)") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r}: --min-score is a percentage from 0 to 100")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ecs-workbook grade``."""
    defaults = RunLimits()
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="lab notebooks, or folders of them"
    )
    parser.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    parser.add_argument(
        "--junit", metavar="FILE", help="write JUnit XML (one test case per exercise)"
    )
    parser.add_argument(
        "--summary",
        metavar="FILE",
        help="write a Markdown summary (appended when FILE is $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--min-score",
        type=_percent,
        metavar="PERCENT",
        help="exit with status 1 when the total is below PERCENT of the points",
    )
    parser.add_argument(
        "--cell-timeout",
        type=_positive_seconds,
        default=defaults.cell_timeout_seconds,
        metavar="SECONDS",
        help=(
            f"time limit of one exercise cell (default {defaults.cell_timeout_seconds:g}; "
            f"the lab's own cells get at least {defaults.locked_cell_timeout_seconds:g})"
        ),
    )
    parser.add_argument(
        "--lab-timeout",
        type=_positive_seconds,
        default=defaults.lab_timeout_seconds,
        metavar="SECONDS",
        help=f"time limit per lab (default {defaults.lab_timeout_seconds:g})",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the total line")


def _write(path: str, text: str, *, append: bool = False) -> None:
    target = Path(path)
    with target.open("a" if append else "w", encoding="utf-8") as handle:
        handle.write(text)


def run(args: argparse.Namespace) -> int:
    """Grade, print the table, write the requested reports, and choose the exit code."""
    options = GradeOptions(
        limits=RunLimits(
            cell_timeout_seconds=args.cell_timeout, lab_timeout_seconds=args.lab_timeout
        )
    )
    try:
        manifest = load_manifest()
    except ManifestError as error:
        print(f"ecs-workbook grade: {error}", file=sys.stderr)
        return EXIT_KIT_BROKEN
    grade_report = grade_paths(
        args.paths,
        manifest=manifest,
        options=options,
        progress=None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True)),
    )
    table = reports.to_table(grade_report)
    print(
        table.rstrip("\n").splitlines()[-1] if args.quiet else table,
        end="" if not args.quiet else "\n",
    )
    outputs = [
        (args.json, reports.to_json_text),
        (args.junit, reports.to_junit),
        (args.summary, reports.to_markdown),
    ]
    for target, render in outputs:
        if not target:
            continue
        try:
            append = render is reports.to_markdown and target == os.environ.get(
                "GITHUB_STEP_SUMMARY"
            )
            _write(target, render(grade_report), append=append)
        except OSError as error:
            print(
                f"ecs-workbook grade: cannot write {target}: {error.strerror or error}",
                file=sys.stderr,
            )
            return EXIT_USAGE
    if args.min_score is not None and grade_report.percent < args.min_score:
        print(
            f"Score {grade_report.percent:g}% is below the minimum of {args.min_score:g}%.",
            file=sys.stderr,
        )
        return EXIT_BELOW_MIN_SCORE
    return EXIT_OK
