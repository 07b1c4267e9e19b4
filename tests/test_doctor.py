"""`ecs-workbook doctor`: the pre-flight check a learner pastes to the instructor."""

from __future__ import annotations

import argparse
import os

import pytest

from ecs_workbook import cli, doctor

RED_CROSS = "\033[31m✘\033[0m"
GREEN_TICK = "\033[32m✔\033[0m"


def _context() -> doctor.Context:
    return doctor.Context(
        environ=dict(os.environ), home=doctor.Path.home(), repo=doctor._repo_root()
    )


def _run(monkeypatch, capsys, *checks, colour: bool = False) -> tuple[int, str]:
    monkeypatch.setattr(doctor, "CHECKS", checks)
    monkeypatch.setattr(doctor, "_use_colour", lambda: colour)
    status = doctor.run(argparse.Namespace())
    return status, capsys.readouterr().out


@pytest.mark.slow
def test_doctor_passes_every_required_check_on_this_machine_and_exits_0(capsys):
    status = cli.main(["doctor"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "✘" not in out
    for expected in (
        "✔ Python 3.",
        "✔ moto 5.",
        "✔ sandbox starts in-process",
        "✔ sandbox starts as a local server on http://127.0.0.1:",
        "lists clusters on the local server",
        "✔ AWS calls use fake credentials",
        "GiB free in the workbook folder",
        "All required checks passed",
    ):
        assert expected in out


def test_real_looking_credentials_on_the_machine_are_reported_as_found_not_used(monkeypatch):
    """conftest.py gives every test a home with ~/.aws/credentials and real-looking keys."""
    # An earlier sandbox in this worker may have cleared the profile: set it as a learner would.
    monkeypatch.setenv("AWS_PROFILE", "prod")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    before = dict(os.environ)
    findings = doctor.collect([doctor.check_credentials], _context())
    lines = [finding.line() for finding in findings]
    assert lines[0].startswith("✔ AWS calls use fake credentials")
    assert "• AWS_PROFILE=prod in your environment: found, not used" in lines
    assert "• ~/.aws/credentials: found, not used" in lines
    assert not any(os.environ["AWS_SECRET_ACCESS_KEY"] in line for line in lines)
    assert not any(os.environ["AWS_ACCESS_KEY_ID"] in line for line in lines)
    assert dict(os.environ) == before, "the doctor must restore the environment it changed"


def test_a_python_older_than_3_11_is_a_red_line_and_exit_status_1(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "_python_version", lambda: (3, 10, 12))
    status, out = _run(monkeypatch, capsys, doctor.check_python, colour=True)
    assert status == 1
    assert f"{RED_CROSS} Python 3.10.12: the workbook needs 3.11 or newer" in out
    assert "1 required check failed" in out


def test_a_missing_package_is_a_red_line_and_exit_status_1(monkeypatch, capsys):
    monkeypatch.setattr(
        doctor, "_requirements", lambda: ["boto3>=1.35", "ecs-workbook-no-such-package>=1.0"]
    )
    status, out = _run(monkeypatch, capsys, doctor.check_packages, colour=True)
    assert status == 1
    assert f"{GREEN_TICK} boto3 " in out
    assert f"{RED_CROSS} ecs-workbook-no-such-package is not installed (needs >=1.0)" in out


def test_a_package_below_the_kits_lower_bound_is_a_red_line(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "_requirements", lambda: ["boto3>=99"])
    status, out = _run(monkeypatch, capsys, doctor.check_packages)
    assert status == 1
    assert "✘ boto3 1." in out and "the workbook needs >=99" in out


def test_packages_only_make_test_needs_inform_and_never_fail(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "_requirements", lambda: ['no-such-test-tool>=1; extra == "test"'])
    status, out = _run(monkeypatch, capsys, doctor.check_packages)
    assert status == 0
    assert "• no-such-test-tool not installed (only `make test` needs it)" in out


def test_less_than_1_gib_of_free_disk_is_a_red_line(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "_free_bytes", lambda path: 300 * 1024**2)
    status, out = _run(monkeypatch, capsys, doctor.check_disk)
    assert status == 1
    assert out.count("✘ only 0.3 GiB free in") == 2


def test_an_aws_cli_missing_beside_python_is_a_red_line(monkeypatch):
    monkeypatch.setattr(doctor, "_aws_cli", lambda: None)
    findings = doctor.collect([doctor.check_sandbox_server_and_aws_cli], _context())
    assert findings[0].status == doctor.OK  # the server itself started
    assert findings[-1].failed
    assert "the aws CLI is not installed beside this Python" in findings[-1].text


def test_a_missing_chromium_only_informs(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "_chromium", lambda: None)
    status, out = _run(monkeypatch, capsys, doctor.check_chromium)
    assert status == 0
    assert "• Chromium: not found" in out


def test_a_check_that_crashes_becomes_a_red_line_not_a_traceback(monkeypatch, capsys):
    def check_broken(ctx):
        """The broken thing works."""
        raise RuntimeError("boom")

    status, out = _run(monkeypatch, capsys, check_broken)
    assert status == 1
    assert "✘ The broken thing works: failed with RuntimeError: boom" in out
    assert "Traceback" not in out


def test_no_colour_codes_when_the_output_is_not_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "CHECKS", (doctor.check_python,))
    status = doctor.run(argparse.Namespace())  # capsys: stdout is not a TTY
    out = capsys.readouterr().out
    assert status == 0
    assert "\033[" not in out
    assert "✔ Python" in out
