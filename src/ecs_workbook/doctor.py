"""``ecs-workbook doctor``: the pre-flight check a learner runs before a workshop.

It checks what the notebooks need (Python, the kit's packages, the moto sandbox in-process and as
a server, the ``aws`` CLI the ``!aws ecs ...`` cells call, free disk) and that no real AWS identity
can be used, then prints one line per finding: a green ✔ or a red ✘, plus • lines that only
inform. The output is meant to be pasted to an instructor as is. Exit status 0 when every
required check passes, 1 otherwise. Nothing is left behind: the sandboxes it starts are stopped
and the process environment is restored.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

DISTRIBUTION = "ecs-workbook"
MINIMUM_PYTHON = (3, 11)
MINIMUM_FREE_BYTES = 1024**3
#: Cluster the doctor creates in its throw-away sandboxes.
DOCTOR_CLUSTER = "doctor-check"
AWS_CLI_TIMEOUT_SECONDS = 120
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

OK, FAIL, INFO = "ok", "fail", "info"
_MARKS = {OK: "✔", FAIL: "✘", INFO: "•"}
_COLOURS = {OK: "\033[32m", FAIL: "\033[31m", INFO: ""}
_RESET = "\033[0m"


@dataclass(frozen=True)
class Finding:
    """One line of the report: a passed or failed required check, or information."""

    status: str
    text: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def line(self, colour: bool = False) -> str:
        mark = _MARKS[self.status]
        if colour and _COLOURS[self.status]:
            mark = f"{_COLOURS[self.status]}{mark}{_RESET}"
        return f"{mark} {self.text}"


@dataclass(frozen=True)
class Context:
    """What the checks look at, captured before any sandbox changes the process environment."""

    environ: dict[str, str]
    home: Path
    repo: Path


Check = Callable[[Context], Iterable[Finding]]


# -- what the checks read (functions, so tests can substitute them) --------------------------------
def _python_version() -> tuple[int, int, int]:
    return tuple(sys.version_info[:3])  # type: ignore[return-value]


def _requirements() -> list[str]:
    """The kit's declared requirements, from its installed distribution metadata."""
    return importlib.metadata.requires(DISTRIBUTION) or []


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def _aws_cli() -> Path | None:
    """The ``aws`` CLI installed beside this Python (what ``!aws ...`` cells run)."""
    folder = Path(sys.executable).parent
    for name in ("aws", "aws.cmd", "aws.exe"):
        candidate = folder / name
        if candidate.exists():
            return candidate
    return None


def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _repo_root() -> Path:
    """The workbook folder: the source checkout of the installed kit, else the current folder."""
    import ecs_workbook

    checkout = Path(ecs_workbook.__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").exists() and (checkout / "notebooks").is_dir():
        return checkout
    return Path.cwd()


@contextmanager
def _restored_environment() -> Iterator[None]:
    """Undo what a sandbox does to ``os.environ`` (fake credentials, endpoint, PATH)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# -- the checks ------------------------------------------------------------------------------------
def check_python(ctx: Context) -> Iterator[Finding]:
    """Python 3.11 or newer: the kit uses its standard library (tomllib, typing) and wheels."""
    version = _python_version()
    shown = ".".join(map(str, version))
    needed = ".".join(map(str, MINIMUM_PYTHON))
    if version[:2] >= MINIMUM_PYTHON:
        yield Finding(OK, f"Python {shown} ({needed} or newer needed)")
    else:
        yield Finding(
            FAIL,
            f"Python {shown}: the workbook needs {needed} or newer. Install a newer Python and "
            f"recreate the environment, e.g. `rm -rf .venv && make lab PYTHON=python3.12`",
        )


def check_packages(ctx: Context) -> Iterator[Finding]:
    """Every package the kit requires is importable at a version it accepts (test extras inform)."""
    for text in _requirements():
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            yield Finding(INFO, f"cannot read the requirement {text!r}; skipped")
            continue
        marker = requirement.marker
        for_tests = bool(marker) and marker.evaluate({"extra": "test"})
        if marker and not for_tests and not marker.evaluate({"extra": ""}):
            continue  # another extra, or another platform
        needs = str(requirement.specifier) or "any version"
        version = _installed_version(requirement.name)
        if for_tests:
            if version is None:
                yield Finding(INFO, f"{requirement.name} not installed (only `make test` needs it)")
            elif requirement.specifier.contains(version, prereleases=True):
                yield Finding(INFO, f"{requirement.name} {version} (for `make test`)")
            else:
                yield Finding(
                    INFO, f"{requirement.name} {version}; `make test` wants {needs}: `make install`"
                )
            continue
        if version is None:
            yield Finding(
                FAIL,
                f"{requirement.name} is not installed (needs {needs}). "
                "Run `make install` (or `pip install -e .` in the workbook folder)",
            )
        elif not requirement.specifier.contains(version, prereleases=True):
            yield Finding(
                FAIL,
                f"{requirement.name} {version} is installed, but the workbook needs {needs}. "
                "Run `make install` (or `pip install -e .`) to fix the versions",
            )
        else:
            yield Finding(OK, f"{requirement.name} {version} (needs {needs})")


def check_sandbox_in_process(ctx: Context) -> Iterator[Finding]:
    """``sandbox.start()``: moto in this process, answering ECS calls."""
    from ecs_workbook import sandbox

    started = time.monotonic()
    with _restored_environment(), sandbox.start() as sb:
        sb.ecs.create_cluster(clusterName=DOCTOR_CLUSTER)
        arns = sb.ecs.list_clusters()["clusterArns"]
    if not any(arn.endswith(f"/{DOCTOR_CLUSTER}") for arn in arns):
        yield Finding(FAIL, f"the in-process sandbox lost a cluster it had just created ({arns})")
        return
    yield Finding(OK, f"sandbox starts in-process ({time.monotonic() - started:.1f} s)")


def check_sandbox_server_and_aws_cli(ctx: Context) -> Iterator[Finding]:
    """``sandbox.start(server=True)``, and the ``aws`` CLI listing clusters on that server."""
    from ecs_workbook import sandbox

    started = time.monotonic()
    with _restored_environment(), sandbox.start(server=True) as sb:
        sb.ecs.create_cluster(clusterName=DOCTOR_CLUSTER)
        yield Finding(
            OK,
            f"sandbox starts as a local server on {sb.endpoint_url} "
            f"({time.monotonic() - started:.1f} s)",
        )
        aws = _aws_cli()
        if aws is None:
            yield Finding(
                FAIL,
                f"the aws CLI is not installed beside this Python ({Path(sys.executable).parent}); "
                "the notebooks' `!aws ecs ...` cells need it. Run `make install`",
            )
            return
        try:
            completed = subprocess.run(
                [str(aws), "ecs", "list-clusters", "--output", "json"],
                env={**os.environ, **sb.env()},
                capture_output=True,
                text=True,
                timeout=AWS_CLI_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            yield Finding(
                FAIL,
                f"`aws ecs list-clusters` did not answer within {AWS_CLI_TIMEOUT_SECONDS} s. "
                "Is this machine very busy? Try again, then show this to your instructor",
            )
            return
        version = _installed_version("awscli") or "?"
        if completed.returncode == 0 and f"cluster/{DOCTOR_CLUSTER}" in completed.stdout:
            yield Finding(OK, f"aws CLI {version} lists clusters on the local server ({aws})")
        else:
            said = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["nothing"]
            yield Finding(
                FAIL,
                f"`aws ecs list-clusters` against the local server failed (exit "
                f"{completed.returncode}: {said[0]}). Run `make install` to reinstall the CLI",
            )


def _learner_access_keys(ctx: Context) -> set[str]:
    """Access key ids this machine would offer boto3 without the sandbox (never printed)."""
    import configparser

    keys = {ctx.environ["AWS_ACCESS_KEY_ID"]} if ctx.environ.get("AWS_ACCESS_KEY_ID") else set()
    credentials_file = ctx.home / ".aws" / "credentials"
    if credentials_file.exists():
        parser = configparser.RawConfigParser()
        try:
            parser.read(credentials_file, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            return keys
        for section in parser.sections():
            if parser.has_option(section, "aws_access_key_id"):
                keys.add(parser.get(section, "aws_access_key_id").strip())
    return keys


def check_credentials(ctx: Context) -> Iterator[Finding]:
    """Calls use moto's fake identity, whatever AWS settings this machine holds (they inform)."""
    from ecs_workbook import sandbox

    with _restored_environment(), sandbox.start() as sb:
        import boto3

        credentials = boto3.session.Session().get_credentials()
        access_key = credentials.get_frozen_credentials().access_key if credentials else None
        account = sb.client("sts").get_caller_identity()["Account"]
    real_keys = _learner_access_keys(ctx)
    if access_key and access_key not in real_keys and account == sandbox.ACCOUNT_ID:
        yield Finding(
            OK,
            f"AWS calls use fake credentials ({access_key!r}, moto's account {account}); "
            "yours are never used",
        )
    else:
        found = "one of your own access keys" if access_key in real_keys else "no credentials"
        yield Finding(
            FAIL,
            f"inside the sandbox boto3 found {found} (account {account}), not the fake ones. "
            "Do not run the notebooks; show this to your instructor",
        )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if ctx.environ.get(name):
            yield Finding(INFO, f"{name}={ctx.environ[name]} in your environment: found, not used")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        if ctx.environ.get(name):
            yield Finding(INFO, f"{name} in your environment: found, not used")
    for name in ("credentials", "config"):
        if (ctx.home / ".aws" / name).exists():
            yield Finding(INFO, f"~/.aws/{name}: found, not used")


def check_disk(ctx: Context) -> Iterator[Finding]:
    """At least 1 GiB free where the workbook and the temporary files live."""
    places = [
        ("the workbook folder", ctx.repo),
        ("the temporary folder", Path(tempfile.gettempdir())),
    ]
    for label, path in places:
        free = _free_bytes(path)
        shown = f"{free / 1024**3:.1f} GiB free in {label} ({path})"
        if free >= MINIMUM_FREE_BYTES:
            yield Finding(OK, shown)
        else:
            yield Finding(FAIL, f"only {shown}; the workbook needs 1 GiB. Free some space")


def check_chromium(ctx: Context) -> Iterator[Finding]:
    """Chromium is only for the browser tests (`make test`): its absence fails nothing."""
    found = _chromium()
    if found:
        yield Finding(INFO, f"Chromium: {found} (only the browser tests use it)")
    else:
        yield Finding(INFO, "Chromium: not found; only the browser tests need it (they skip)")


CHECKS: tuple[Check, ...] = (
    check_python,
    check_packages,
    check_sandbox_in_process,
    check_sandbox_server_and_aws_cli,
    check_credentials,
    check_disk,
    check_chromium,
)


# -- running and reporting -------------------------------------------------------------------------
def collect(checks: Sequence[Check], ctx: Context) -> list[Finding]:
    """Run every check; a check that crashes becomes a red line, never a traceback."""
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check(ctx))
        except Exception as error:  # noqa: BLE001 - the doctor reports, it never crashes
            summary = (check.__doc__ or check.__name__).strip().splitlines()[0]
            findings.append(
                Finding(
                    FAIL,
                    f"{summary.rstrip('.')}: failed with {type(error).__name__}: {error}. "
                    "Show this output to your instructor",
                )
            )
    return findings


def render(findings: Sequence[Finding], *, colour: bool) -> str:
    """The report: a header, one line per finding and a verdict."""
    from ecs_workbook import __version__

    lines = [
        f"ECS Workbook doctor: ecs-workbook {__version__}, {platform.system()} "
        f"{platform.machine()}, Python at {sys.executable}"
    ]
    lines += [finding.line(colour) for finding in findings]
    failed = sum(finding.failed for finding in findings)
    if failed:
        lines.append(
            f"{failed} required check{'s' if failed > 1 else ''} failed: fix the ✘ lines, "
            "or paste this whole output to your instructor."
        )
    else:
        lines.append("All required checks passed: you are ready for the workshop.")
    return "\n".join(lines)


def _use_colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``ecs-workbook doctor`` takes no arguments: it checks everything, in about 5 seconds."""


def run(args: argparse.Namespace) -> int:
    """Run every check, print the report, and exit 0 only if every required check passed."""
    ctx = Context(environ=dict(os.environ), home=Path.home(), repo=_repo_root())
    findings = collect(CHECKS, ctx)
    print(render(findings, colour=_use_colour()), flush=True)
    return 1 if any(finding.failed for finding in findings) else 0
