"""`make site`: every notebook readable as a static page, plots included, links working."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from ecs_workbook import site

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [
    path
    for folder, _heading in site.SECTIONS
    for path in sorted((ROOT / folder).glob("*.ipynb"))
    if ".backup-" not in path.name
]
_PNG_IMG = re.compile(r'<img[^>]+src="data:image/png;base64,')
_HREF = re.compile(r'<a\b([^>]*)href="([^"]*)"([^>]*)>')


def _png_count(path: Path) -> int:
    """PNG outputs (plots) stored in the notebook, plus PNG attachments of markdown cells."""
    notebook = nbformat.read(path, as_version=4)
    outputs = sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    attachments = sum(
        "image/png" in attachment
        for cell in notebook.cells
        for attachment in cell.get("attachments", {}).values()
    )
    return outputs + attachments


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("site") / "_site"
    site.build(ROOT, outdir)
    return outdir


def _page(built: Path, notebook: Path) -> Path:
    return built / notebook.parent.name / f"{notebook.stem}.html"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_notebook_has_a_page_with_every_stored_plot_embedded(built, notebook):
    page = _page(built, notebook)
    assert page.exists(), f"no page for {notebook.relative_to(ROOT)}"
    assert len(_PNG_IMG.findall(page.read_text(encoding="utf-8"))) == _png_count(notebook)


def test_the_index_lists_every_page_in_sequence_order_titled_by_its_first_heading(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', index)
    pages = site.collect_pages(ROOT)
    assert [href for href, _title in listed] == [page.href for page in pages]
    start = nbformat.read(ROOT / "notebooks/00_start_here.ipynb", as_version=4)
    first_heading = next(
        line[2:].strip()
        for cell in start.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("# ")
    )
    assert listed[0] == ("notebooks/00_start_here.html", first_heading)


def test_the_sequence_is_chapters_then_labs_then_solutions_each_by_number():
    pages = site.collect_pages(ROOT)
    sections = [page.section for page in pages]
    assert sections == sorted(sections, key=["notebooks", "labs", "solutions"].index)
    for section in ("notebooks", "labs", "solutions"):
        names = [page.source.name for page in pages if page.section == section]
        assert names == sorted(names)


def test_links_between_notebooks_point_at_pages_and_existing_targets_resolve(built):
    for page in built.rglob("*.html"):
        for before, href, after in _HREF.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:|^#|^/", href):
                continue
            path = href.split("#")[0].split("?")[0]
            if path.endswith(".ipynb"):
                assert "download" in before + after, f"{page.name}: {href} was not rewritten"
                continue
            if (
                path.endswith(".html")
                and (ROOT / page.parent.name / path).with_suffix(".ipynb").exists()
            ):
                assert (page.parent / path).exists(), f"{page.name}: {href} leads nowhere"


def test_a_link_to_a_notebook_keeps_its_anchor_when_rewritten():
    html = '<a href="../labs/01_x.ipynb#exercise-2">lab</a> <a href="https://x.org/a.ipynb">x</a>'
    assert site.rewrite_links(html) == (
        '<a href="../labs/01_x.html#exercise-2">lab</a> <a href="https://x.org/a.ipynb">x</a>'
    )


def test_the_title_is_the_first_level_one_heading_without_markdown():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("## Setup\ntext"),
            nbformat.v4.new_markdown_cell("# 05 · `Services` and [tasks](x.ipynb)"),
        ]
    )
    assert site.title_of(notebook, "fallback") == "05 · Services and tasks"
    assert site.title_of(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_files_beside_the_notebooks_are_copied_so_links_to_them_work(built):
    for folder, _heading in site.SECTIONS:
        for path in (ROOT / folder).rglob("*"):
            skipped = ".ipynb_checkpoints" in path.parts or ".backup-" in path.name
            if path.is_file() and not skipped:
                assert (built / folder / path.relative_to(ROOT / folder)).exists()


def test_a_rebuild_refuses_to_empty_a_folder_it_did_not_build(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(site.SiteError, match="refusing to overwrite"):
        site.build(ROOT, precious)
    assert (precious / "thesis.txt").read_text() == "years of work"
