"""`make lab` in a real browser: a learner runs the start notebook and answers a lab exercise.

JupyterLab is started exactly as `make lab` starts it (headless, a port and a token added), but
serving a temporary copy of notebooks/ and labs/: running cells in a browser marks a notebook
dirty, and nothing a test does may ever be saved over the learners' and authors' files. The
browser is the system's Chromium driven by Playwright (never a downloaded one); everything it
loads comes from 127.0.0.1. The tests are skipped only when no Chromium can be found
(`make test` installs Debian's as root: tools/ensure-chromium.sh). The server, browser and
JupyterLab-driving helpers live in browser_support.py (shared with test_browser_widgets.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import browser_support as lab
import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = lab.ROOT
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
LAB_NOTEBOOK = "labs/01_clusters_and_instances.ipynb"
LAB_SOLUTION = "solutions/01_clusters_and_instances.ipynb"
#: Folders the served copy holds (what the two notebooks read and link to).
SERVED_FOLDERS = ("notebooks", "labs")


@pytest.fixture(scope="module")
def lab_server(
    chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[lab.LabServer]:
    """`make lab`'s JupyterLab, serving a temporary copy of the notebooks, killed at the end."""
    served = tmp_path_factory.mktemp("served")
    for folder in SERVED_FOLDERS:
        if (ROOT / folder).is_dir():
            shutil.copytree(
                ROOT / folder,
                served / folder,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.backup-*"),
            )
    with lab.running_lab(served, tmp_path_factory.mktemp("jupyterlab-state")) as server:
        yield server


def _exercise_cells(notebook_path: Path) -> list[tuple[int, nbformat.NotebookNode]]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if "exercise" in cell.metadata.get("tags", [])
    ]


# -- the tests -------------------------------------------------------------------------------------
def test_start_here_runs_in_jupyterlab_without_errors_and_shows_its_first_plot(page, lab_server):
    stored = lab.digest(START_NOTEBOOK)
    lab.open_notebook(page, lab_server, START_NOTEBOOK)
    lab.run_all(page)
    prompts = lab.prompts(page)
    image = page.locator(f"{lab.SHOWN_NOTEBOOK} .jp-RenderedImage img").first
    if image.count():
        image.scroll_into_view_if_needed(timeout=10_000)  # the screenshot shows the plot
    shot = lab.screenshot(page, "00_start_here")
    errors = lab.error_outputs(page)
    assert not errors, f"cells raised errors (screenshot {shot}):\n" + "\n---\n".join(errors)
    assert prompts and all(p[1:-2].isdigit() for p in prompts), f"cells not run: {prompts}"
    image.wait_for(state="visible", timeout=10_000)
    assert image.evaluate("img => img.naturalWidth") > 100, "the first plot did not render"
    assert lab.digest(START_NOTEBOOK) == stored, "the repository's notebook was written"


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

    stored = lab.digest(LAB_NOTEBOOK)
    lab.open_notebook(page, lab_server, LAB_NOTEBOOK)
    cells = lab.cells(page)
    assert cells.count() == len(notebook.cells)
    lab.run_all(page)  # the pristine lab: every stub still None
    check_output = cells.nth(check_index).locator(".jp-OutputArea-output")
    assert f"✘ {exercise}" in check_output.text_content(), "an unanswered exercise must not pass"

    editor = cells.nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(answer)
    for _ in range(index, check_index + 1):  # the exercise cell, down to its check cell
        page.keyboard.press("Shift+Enter")
        lab.wait_settled(page)
    check_output.scroll_into_view_if_needed()
    feedback = check_output.text_content()
    shot = lab.screenshot(page, "lab_01_exercise_1")
    assert f"✔ {exercise}" in feedback, f"check cell said (screenshot {shot}):\n{feedback}"
    assert not lab.error_outputs(page), f"a cell raised an error (screenshot {shot})"
    assert lab.digest(LAB_NOTEBOOK) == stored, "the repository's lab was written"
