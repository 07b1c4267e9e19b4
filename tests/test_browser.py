"""`make lab` in a real browser: a learner runs the start notebook and answers a lab exercise.

JupyterLab is started exactly as `make lab` starts it (headless, a port and a token added), but
serving a temporary copy of notebooks/ and labs/: running cells in a browser marks a notebook
dirty, and nothing a test does may ever be saved over the learners' and authors' files. The
browser is the system's Chromium driven by Playwright (never a downloaded one); everything it
loads comes from 127.0.0.1. The tests are skipped only when no Chromium can be found
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
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-output" / "browser"
TOKEN = "ecs-workbook-browser-test"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
LAB_NOTEBOOK = "labs/01_clusters_and_instances.ipynb"
LAB_SOLUTION = "solutions/01_clusters_and_instances.ipynb"
#: Folders the served copy holds (what the two notebooks read and link to).
SERVED_FOLDERS = ("notebooks", "labs")
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
SERVER_START_SECONDS = 90
RUN_SECONDS = 90

# Runs in the page: the prompts of the notebook being shown ("[3]:", "[*]:", "[ ]:").
_PROMPTS_JS = """() => [...document.querySelectorAll(
    '#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'
)].map(e => e.textContent.trim())"""
# Runs in the page: true once nothing is queued or running and the kernel says it is idle.
_SETTLED_JS = """() => {
    const panel = document.querySelector('#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return false;
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(e => e.textContent.trim());
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const idle = !indicator || indicator.getAttribute('data-status') === 'idle';
    return prompts.length > 0 && idle && !prompts.some(p => p.includes('*'))
        && prompts.some(p => /\\[\\d+\\]/.test(p));
}"""
# Runs in the page: true when the status bar shows the notebook's kernel ready and idle.
_KERNEL_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-Widget')]
    .some(e => /\\|\\s*Idle/.test(e.textContent))"""


def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _digest(relative_path: str) -> str:
    return hashlib.sha256((ROOT / relative_path).read_bytes()).hexdigest()


@dataclass
class LabServer:
    base_url: str
    root_dir: Path

    def url(self, notebook: str) -> str:
        """A fresh, empty workspace showing ``notebook`` (no tabs restored from earlier tests)."""
        workspace = f"browser-test-{uuid.uuid4().hex[:8]}"
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{notebook}?token={TOKEN}"


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
        return response.read()


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        pytest.skip(
            "no Chromium on this machine: install it with the OS package manager "
            "(e.g. `sudo apt-get install chromium`), or run `make test` as root, which does"
        )
    return path


@pytest.fixture(scope="module")
def lab_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """`make lab`'s JupyterLab, serving a temporary copy of the notebooks, killed at the end."""
    served = tmp_path_factory.mktemp("served")
    for folder in SERVED_FOLDERS:
        if (ROOT / folder).is_dir():
            shutil.copytree(
                ROOT / folder,
                served / folder,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.backup-*"),
            )
    (served / SENTINEL).write_text("JupyterLab serves this temporary copy, not the repository.\n")
    state = tmp_path_factory.mktemp("jupyterlab-state")
    env = dict(os.environ)
    # A learner's kernel renders widgets; only nbval runs set ECS_WORKBOOK_STATIC.
    env.pop("ECS_WORKBOOK_STATIC", None)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(state / "workspaces")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(state / "settings")
    log = state / "jupyterlab.log"
    port = _free_port()
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
                listing = json.loads(_get(f"{base}/api/contents/?content=1"))
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
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """End `make lab` and everything it started (JupyterLab, kernels): its own session."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    """The system Chromium, headless, with a new empty profile, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


# -- driving JupyterLab ----------------------------------------------------------------------------
def _open(page, server: LabServer, notebook: str) -> None:
    page.goto(server.url(notebook))
    page.wait_for_selector(
        "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000
    )
    page.wait_for_function(_KERNEL_IDLE_JS, timeout=60_000)


def _run_all(page) -> None:
    """Run → Run All Cells, then wait until every queued cell has finished."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    _wait_settled(page)


def _wait_settled(page) -> None:
    page.wait_for_timeout(300)  # let JupyterLab mark the queued cells [*]
    page.wait_for_function(_SETTLED_JS, timeout=RUN_SECONDS * 1000, polling=200)


def _cells(page):
    return page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")


def _error_outputs(page) -> list[str]:
    """Texts of outputs that are Python errors (JupyterLab shows tracebacks as stderr)."""
    outputs = page.locator(
        "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) "
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) "
        '.jp-RenderedText[data-mime-type*="error"]'
    )
    texts = [outputs.nth(i).text_content() or "" for i in range(outputs.count())]
    return [t for t in texts if "Traceback" in t or "Error" in t.split("\n", 1)[0]]


def _screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _exercise_cells(notebook_path: Path) -> list[tuple[int, nbformat.NotebookNode]]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if "exercise" in cell.metadata.get("tags", [])
    ]


# -- the tests -------------------------------------------------------------------------------------
def test_start_here_runs_in_jupyterlab_without_errors_and_shows_its_first_plot(page, lab_server):
    stored = _digest(START_NOTEBOOK)
    _open(page, lab_server, START_NOTEBOOK)
    _run_all(page)
    prompts = page.evaluate(_PROMPTS_JS)
    image = page.locator(
        "#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedImage img"
    ).first
    if image.count():
        image.scroll_into_view_if_needed(timeout=10_000)  # the screenshot shows the plot
    shot = _screenshot(page, "00_start_here")
    errors = _error_outputs(page)
    assert not errors, f"cells raised errors (screenshot {shot}):\n" + "\n---\n".join(errors)
    assert prompts and all(p[1:-2].isdigit() for p in prompts), f"cells not run: {prompts}"
    image.wait_for(state="visible", timeout=10_000)
    assert image.evaluate("img => img.naturalWidth") > 100, "the first plot did not render"
    assert _digest(START_NOTEBOOK) == stored, "the repository's notebook was written"


def test_a_learner_answers_lab_01_exercise_1_and_the_check_cell_says_it_passed(page, lab_server):
    if not (ROOT / LAB_NOTEBOOK).exists() or not (ROOT / LAB_SOLUTION).exists():
        pytest.skip(f"{LAB_NOTEBOOK} or {LAB_SOLUTION} is not written yet (make labs)")
    lab_cells = _exercise_cells(ROOT / LAB_NOTEBOOK)
    index, stub = lab_cells[0]
    exercise = stub.metadata["ecs_workbook"]["exercise"]
    solved = dict(
        (cell.metadata["ecs_workbook"]["exercise"], cell)
        for _, cell in _exercise_cells(ROOT / LAB_SOLUTION)
    )
    answer = solved[exercise].source
    notebook = nbformat.read(ROOT / LAB_NOTEBOOK, as_version=4)
    check_index = next(
        i
        for i, cell in enumerate(notebook.cells)
        if i > index and cell.cell_type == "code" and f'.check("{exercise}")' in cell.source
    )

    stored = _digest(LAB_NOTEBOOK)
    _open(page, lab_server, LAB_NOTEBOOK)
    cells = _cells(page)
    assert cells.count() == len(notebook.cells)
    _run_all(page)  # the pristine lab: every stub still None
    check_output = cells.nth(check_index).locator(".jp-OutputArea-output")
    assert f"✘ {exercise}" in check_output.text_content(), "an unanswered exercise must not pass"

    editor = cells.nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(answer)
    for _ in range(index, check_index + 1):  # the exercise cell, down to its check cell
        page.keyboard.press("Shift+Enter")
        _wait_settled(page)
    check_output.scroll_into_view_if_needed()
    feedback = check_output.text_content()
    shot = _screenshot(page, "lab_01_exercise_1")
    assert f"✔ {exercise}" in feedback, f"check cell said (screenshot {shot}):\n{feedback}"
    assert not _error_outputs(page), f"a cell raised an error (screenshot {shot})"
    assert _digest(LAB_NOTEBOOK) == stored, "the repository's lab was written"
