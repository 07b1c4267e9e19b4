"""`make lab` starts JupyterLab on notebooks/00_start_here.ipynb (checked headless over HTTP)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ecs-workbook-test-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, follow: bool = True):
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    opener = urllib.request.build_opener(*([] if follow else [_NoRedirect()]))
    return opener.open(request, timeout=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.slow
def test_make_lab_serves_jupyterlab_opened_on_the_start_here_notebook():
    port = _free_port()
    lab_args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={TOKEN}"
    process = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={lab_args}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                contents = json.load(
                    _get(f"{base}/api/contents/notebooks/00_start_here.ipynb?content=0")
                )
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert process.poll() is None, process.stdout.read().decode()[-2000:]
                assert time.monotonic() < deadline, "JupyterLab did not start within 90 s"
                time.sleep(0.5)
        assert contents["type"] == "notebook"
        assert contents["path"] == "notebooks/00_start_here.ipynb"
        try:
            _get(f"{base}/", follow=False)
            location = ""
        except urllib.error.HTTPError as redirect:
            location = redirect.headers.get("Location", "")
        assert location.split("?")[0].endswith("/lab/tree/notebooks/00_start_here.ipynb")
        page = _get(f"{base}/lab/tree/notebooks/00_start_here.ipynb").read().decode()
        assert "JupyterLab" in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
