"""The simulators' interactive forms in a real JupyterLab: sliders render and redraw the figure.

`make lab`'s JupyterLab (see browser_support.py) serves a scratch folder holding one small
notebook that shows two simulators' forms (CPU shares, rolling deployment). Its kernel runs
without ``ECS_WORKBOOK_STATIC``, as a learner's does, so :func:`ecs_workbook.plots.interactive`
builds ipywidgets rather than a static figure; the ipywidgets JupyterLab extension must draw them.
Skipped only when no Chromium can be found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import browser_support as lab
import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "widgets.ipynb"
CELLS = [
    "from ecs_workbook.sim import cpu",
    "cpu.interactive_cpu_shares()",
    "from ecs_workbook.sim import deployment\n\ndeployment.interactive_deployment()",
]
#: How many forms the notebook shows (CPU shares, then deployment), and the CPU slider moved.
FORMS = 2
MOVED_SLIDER = "cpu_units_a"
REDRAW_SECONDS = 30

FORM = f"{lab.SHOWN_NOTEBOOK} .jp-OutputArea-output .widget-interact"
# Runs in the page: the src of the figure inside the n-th form ("" while it has none).
_FIGURE_SRC_JS = f"""n => {{
    const form = document.querySelectorAll('{FORM}')[n];
    const img = form && form.querySelector('.widget-output .jp-RenderedImage img');
    return img && img.complete && img.naturalWidth > 0 ? img.getAttribute('src') : '';
}}"""
# Runs in the page: true once the first form shows a figure other than ``before``.
_FIGURE_CHANGED_JS = f"""before => {{
    const src = ({_FIGURE_SRC_JS})(0);
    return src !== '' && src !== before;
}}"""
# Runs in the page: the slider labels too long for their box (shown cut, with an ellipsis).
_CUT_LABELS_JS = f"""() => [...document.querySelectorAll('{FORM} .widget-slider .widget-label')]
    .filter(label => label.scrollWidth > label.clientWidth).map(label => label.textContent)"""
# Runs in the page: true once every form shows a figure.
_FIGURES_SHOWN_JS = f"() => [...Array({FORMS}).keys()].every(n => ({_FIGURE_SRC_JS})(n))"


@pytest.fixture(scope="module")
def lab_server(
    chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[lab.LabServer]:
    """`make lab`'s JupyterLab serving a scratch folder with the widgets notebook."""
    served = tmp_path_factory.mktemp("served")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in CELLS],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(notebook, served / NOTEBOOK)
    with lab.running_lab(served, tmp_path_factory.mktemp("jupyterlab-state")) as server:
        yield server


def test_simulator_sliders_render_in_jupyterlab_and_moving_one_redraws_the_figure(page, lab_server):
    lab.open_notebook(page, lab_server, NOTEBOOK)
    lab.run_all(page)
    forms = page.locator(FORM)
    try:
        forms.nth(FORMS - 1).wait_for(state="visible", timeout=REDRAW_SECONDS * 1000)
        page.wait_for_function(_FIGURES_SHOWN_JS, timeout=REDRAW_SECONDS * 1000)
    except PlaywrightTimeoutError:
        shot = lab.screenshot(page, "widgets")
        pytest.fail(
            f"{forms.count()} of {FORMS} slider forms rendered with a figure (screenshot {shot}): "
            "a static figure means the kernel saw ECS_WORKBOOK_STATIC or ECS_WORKBOOK_WIDGETS=0; "
            "a text repr means the ipywidgets JupyterLab extension did not load. Errors shown: "
            + ("\n---\n".join(lab.error_outputs(page)) or "none")
        )
    shot = lab.screenshot(page, "widgets")
    errors = lab.error_outputs(page)
    assert not errors, f"cells raised errors (screenshot {shot}):\n" + "\n---\n".join(errors)
    assert forms.count() == FORMS, f"expected {FORMS} forms, saw {forms.count()} ({shot})"
    for n in range(FORMS):
        assert forms.nth(n).locator(".widget-slider").count() > 0, f"form {n} has no slider"
    cpu_form = forms.first
    cut = page.evaluate(_CUT_LABELS_JS)
    assert not cut, f"slider labels cut short, a learner can't tell them apart: {cut} ({shot})"
    before = page.evaluate(_FIGURE_SRC_JS, 0)
    assert before.startswith("data:image/png"), f"no figure in the CPU form ({shot})"

    label = page.locator(".widget-label", has_text=re.compile(rf"^{MOVED_SLIDER}$"))
    slider = cpu_form.locator(".widget-slider").filter(has=label)
    assert slider.count() == 1, f"no {MOVED_SLIDER} slider in the CPU form ({shot})"
    readout = slider.locator(".widget-readout")
    start = readout.text_content()
    slider.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")  # one step (128 CPU units) up
    try:
        page.wait_for_function(_FIGURE_CHANGED_JS, arg=before, timeout=REDRAW_SECONDS * 1000)
    except PlaywrightTimeoutError:
        shot = lab.screenshot(page, "widgets")
        pytest.fail(
            f"moving {MOVED_SLIDER} from {start} to {readout.text_content()} did not redraw the "
            f"figure within {REDRAW_SECONDS} s (screenshot {shot}); errors shown: "
            + ("\n---\n".join(lab.error_outputs(page)) or "none")
        )
    cpu_form.scroll_into_view_if_needed()
    shot = lab.screenshot(page, "widgets")
    assert int(readout.text_content()) > int(start), f"the slider did not move up ({shot})"
    assert cpu_form.locator(".widget-output .jp-RenderedImage img").count() == 1, (
        f"the redraw should replace the figure, not add one ({shot})"
    )
    errors = lab.error_outputs(page)
    assert not errors, f"the redraw raised errors (screenshot {shot}):\n" + "\n---\n".join(errors)
