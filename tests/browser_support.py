"""Shared by the browser tests: `make lab`'s JupyterLab on a scratch folder, driven by Chromium.

JupyterLab is started exactly as `make lab` starts it (headless, a port and a token added), but
serving a temporary folder: running cells in a browser marks a notebook dirty, and nothing a test
does may ever be saved over the learners' and authors' files. Its environment is the test
session's minus ``ECS_WORKBOOK_STATIC`` (conftest.py sets it for nbval): a learner's kernel
renders widgets. The browser is the system's Chromium driven by Playwright (never a downloaded
one); everything it loads comes from 127.0.0.1. Callers skip only when no Chromium can be found
(`make test` installs Debian's as root: tools/ensure-chromium.sh).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-output" / "browser"
TOKEN = "ecs-workbook-browser-test"
#: Marks the temporary copy, so a test can prove JupyterLab is not serving the repository.
SENTINEL = "SERVED_BY_THE_BROWSER_TEST.txt"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTIFICATION_SETTINGS = "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
SERVER_START_SECONDS = 90
RUN_SECONDS = 90
#: The notebook panel being shown (JupyterLab hides the others).
SHOWN_NOTEBOOK = "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)"

# Runs in the page: the prompts of the notebook being shown ("[3]:", "[*]:", "[ ]:").
PROMPTS_JS = f"""() => [...document.querySelectorAll(
    '{SHOWN_NOTEBOOK} .jp-CodeCell .jp-InputPrompt'
)].map(e => e.textContent.trim())"""
# Runs in the page: true once nothing is queued or running and the kernel says it is idle.
SETTLED_JS = f"""() => {{
    const panel = document.querySelector('{SHOWN_NOTEBOOK}');
    if (!panel) return false;
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(e => e.textContent.trim());
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const idle = !indicator || indicator.getAttribute('data-status') === 'idle';
    return prompts.length > 0 && idle && !prompts.some(p => p.includes('*'))
        && prompts.some(p => /\\[\\d+\\]/.test(p));
}}"""
# Runs in the page: true when the status bar shows the notebook's kernel ready and idle.
KERNEL_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-Widget')]
    .some(e => /\\|\\s*Idle/.test(e.textContent))"""


def chromium() -> str | None:
    """The system's Chromium (or Chrome), or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_or_skip() -> str:
    """The system's Chromium; the calling test is skipped when the machine has none."""
    path = chromium()
    if path is None:
        pytest.skip(
            "no Chromium on this machine: install it with the OS package manager "
            "(e.g. `sudo apt-get install chromium`), or run `make test` as root, which does"
        )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def digest(relative_path: str) -> str:
    """SHA-256 of a repository file (to prove a test never wrote it)."""
    return hashlib.sha256((ROOT / relative_path).read_bytes()).hexdigest()


@dataclass
class LabServer:
    base_url: str
    root_dir: Path

    def url(self, notebook: str) -> str:
        """A fresh, empty workspace showing ``notebook`` (no tabs restored from earlier tests)."""
        workspace = f"browser-test-{uuid.uuid4().hex[:8]}"
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{notebook}?token={TOKEN}"


def get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
        return response.read()


def lab_environment(state: Path) -> dict[str, str]:
    """The test session's environment for `make lab`, minus what only nbval runs want."""
    env = dict(os.environ)
    # A learner's kernel renders widgets; only nbval runs set ECS_WORKBOOK_STATIC.
    env.pop("ECS_WORKBOOK_STATIC", None)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(state / "workspaces")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(state / "settings")
    return env


@contextmanager
def running_lab(served: Path, state: Path) -> Iterator[LabServer]:
    """`make lab`'s JupyterLab serving ``served`` (a scratch folder), killed at the end.

    ``state`` receives JupyterLab's workspaces, settings and log.
    """
    (served / SENTINEL).write_text("JupyterLab serves this temporary copy, not the repository.\n")
    env = lab_environment(state)
    # No news toast over the notebook in screenshots, and no request for it leaving the machine.
    notification = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / NOTIFICATION_SETTINGS
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    log = state / "jupyterlab.log"
    port = free_port()
    lab_args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={TOKEN}"
    # The Makefile serves $(LAB_ROOT); pointing it at the copy keeps every other flag of `make lab`.
    with log.open("wb") as log_file:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            ["make", "-s", "lab", f"LAB_ROOT={served}", f"LAB_ARGS={lab_args}"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                listing = json.loads(get(f"{base}/api/contents/?content=1"))
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if process.poll() is not None:
                    pytest.fail(f"make lab exited: {log.read_text(errors='replace')[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start within {SERVER_START_SECONDS} s")
                time.sleep(0.3)
        names = {item["name"] for item in listing["content"]}
        assert SENTINEL in names, (
            "JupyterLab is not serving the temporary copy (did the Makefile stop using "
            "$(LAB_ROOT) as the root?); refusing to run notebooks over the repository's files"
        )
        yield LabServer(base, served)
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """End `make lab` and everything it started (JupyterLab, kernels): its own session."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def launched_chromium(chromium_path: str):
    """The system Chromium, headless, with a new empty profile, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def new_page(browser):
    """A page in a fresh browser context (no cookies or storage shared with other tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


# -- driving JupyterLab ----------------------------------------------------------------------------
def open_notebook(page, server: LabServer, notebook: str) -> None:
    """Show ``notebook`` in a fresh workspace and wait for its kernel to be idle."""
    page.goto(server.url(notebook))
    page.wait_for_selector(f"{SHOWN_NOTEBOOK} .jp-Cell", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)


def run_all(page) -> None:
    """Run → Run All Cells, then wait until every queued cell has finished."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    wait_settled(page)


def wait_settled(page) -> None:
    page.wait_for_timeout(300)  # let JupyterLab mark the queued cells [*]
    page.wait_for_function(SETTLED_JS, timeout=RUN_SECONDS * 1000, polling=200)


def prompts(page) -> list[str]:
    return page.evaluate(PROMPTS_JS)


def cells(page):
    return page.locator(f"{SHOWN_NOTEBOOK} .jp-Cell")


def error_outputs(page) -> list[str]:
    """Texts of outputs that are Python errors (JupyterLab shows tracebacks as stderr)."""
    outputs = page.locator(
        f'{SHOWN_NOTEBOOK} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        f'{SHOWN_NOTEBOOK} .jp-RenderedText[data-mime-type*="error"]'
    )
    texts = [outputs.nth(i).text_content() or "" for i in range(outputs.count())]
    return [t for t in texts if "Traceback" in t or "Error" in t.split("\n", 1)[0]]


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in test-output/browser/ (gitignored); its path for messages."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
