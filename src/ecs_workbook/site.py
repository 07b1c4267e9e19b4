"""``python -m ecs_workbook.site OUTDIR`` (``make site``): the workbook as a static HTML site.

For reading without running anything: every notebook of notebooks/, labs/ and solutions/ becomes
one HTML page, rendered by nbconvert from the outputs stored in it (plots embedded as PNG data, so
a page is one self-contained file), with links between notebooks rewritten from ``.ipynb`` to
``.html`` and previous/next links within each section. ``index.html`` is the table of contents in
sequence order, each page titled by its notebook's first heading. Other files in those folders
(task-definition JSON, images) are copied beside the pages so links to them keep working.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: (folder, heading) in reading order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("notebooks", "Chapters"),
    ("labs", "Labs (exercises; run them in JupyterLab to get feedback)"),
    ("solutions", "Solutions"),
)
SITE_TITLE = "ECS Workbook"
#: Written into every site this module builds: only such a folder is ever emptied by a rebuild.
MARKER = ".ecs-workbook-site"
_SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__"}
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_HREF = re.compile(r'(href=")([^"]*)(")')
_MARKDOWN_INLINE = re.compile(r"[*_`]|\[([^\]]*)\]\([^)]*\)")

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.ecs-workbook-nav { font-family: system-ui, sans-serif; font-size: 14px; padding: 8px 16px;
  border-bottom: 1px solid #ddd; display: flex; gap: 16px; flex-wrap: wrap; }
.ecs-workbook-nav.bottom { border-top: 1px solid #ddd; border-bottom: none; }
.ecs-workbook-nav a { text-decoration: none; }
.ecs-workbook-index { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
.ecs-workbook-index li { margin: 0.2rem 0; }
.ecs-workbook-index .file { color: #666; font-size: 85%; }
"""


class SiteError(RuntimeError):
    """The site cannot be built where asked (the message says why and what to do)."""


@dataclass(frozen=True)
class Page:
    """One notebook and the HTML page it becomes."""

    section: str
    source: Path
    title: str

    @property
    def href(self) -> str:
        """Path of the page, relative to the site root."""
        return f"{self.section}/{self.source.stem}.html"


def _plain(markdown: str) -> str:
    """Heading text without markdown emphasis, code ticks or link targets."""
    return _MARKDOWN_INLINE.sub(lambda m: m.group(1) or "", markdown).strip()


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first heading of the notebook's markdown (a level-1 heading wins), else ``fallback``."""
    first_any = None
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = _HEADING.match(line)
            if not match:
                continue
            if len(match.group(1)) == 1:
                return _plain(match.group(2))
            first_any = first_any or _plain(match.group(2))
    return first_any or fallback


def _notebook_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.glob("*.ipynb")
        if ".backup-" not in path.name and not _SKIPPED_PARTS & set(path.parts)
    )


def collect_pages(root: Path) -> list[Page]:
    """Every notebook of every section, in sequence order (section, then file name)."""
    pages = []
    for section, _heading in SECTIONS:
        for path in _notebook_files(root / section):
            notebook = nbformat.read(path, as_version=4)
            pages.append(Page(section, path, title_of(notebook, path.stem)))
    return pages


def rewrite_links(page_html: str) -> str:
    """Relative links to ``x.ipynb`` (with any ``#anchor``) point at ``x.html`` instead."""

    def replace(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", target):
            return match.group(0)  # absolute URL, site-absolute path or in-page anchor
        path, hash_mark, anchor = target.partition("#")
        path, question, query = path.partition("?")
        if not path.endswith(".ipynb"):
            return match.group(0)
        rewritten = path[: -len(".ipynb")] + ".html" + question + query + hash_mark + anchor
        return match.group(1) + rewritten + match.group(3)

    return _HREF.sub(replace, page_html)


def _nav(page: Page, pages: Sequence[Page], *, bottom: bool = False) -> str:
    siblings = [p for p in pages if p.section == page.section]
    position = siblings.index(page)
    heading = dict(SECTIONS)[page.section].split(" (")[0]
    links = [
        f'<a href="../index.html">{html.escape(SITE_TITLE)}</a>',
        f"<span>{html.escape(heading)}</span>",
    ]
    if position > 0:
        previous = siblings[position - 1]
        links.append(f'<a href="{previous.source.stem}.html">← {html.escape(previous.title)}</a>')
    if position + 1 < len(siblings):
        following = siblings[position + 1]
        links.append(f'<a href="{following.source.stem}.html">{html.escape(following.title)} →</a>')
    name = html.escape(page.source.name)
    links.append(f'<a href="{name}" download>download {name}</a>')
    kind = "ecs-workbook-nav bottom" if bottom else "ecs-workbook-nav"
    return f'<nav class="{kind}">' + "".join(links) + "</nav>"


def render_page(page: Page, pages: Sequence[Page], exporter: object) -> str:
    """The HTML of one notebook: nbconvert's lab template, links rewritten, navigation added."""
    notebook = nbformat.read(page.source, as_version=4)
    body, _resources = exporter.from_notebook_node(  # type: ignore[attr-defined]
        notebook, resources={"metadata": {"name": f"{page.title} · {SITE_TITLE}"}}
    )
    body = rewrite_links(body)
    body = body.replace("</head>", f"<style>{_STYLE}</style>\n</head>", 1)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _nav(page, pages), body, count=1)
    return body.replace("</body>", _nav(page, pages, bottom=True) + "\n</body>", 1)


def render_index(pages: Sequence[Page]) -> str:
    """The table of contents: one list per section, in sequence order."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(SITE_TITLE)}</title><style>{_STYLE}</style></head>",
        '<body><main class="ecs-workbook-index">',
        f"<h1>{html.escape(SITE_TITLE)}</h1>",
        "<p>Learn Amazon ECS hands-on against the moto emulator. These pages show every notebook "
        "with the outputs and plots stored in it; to run the cells yourself, clone the repository "
        "and run <code>make lab</code>.</p>",
    ]
    for section, heading in SECTIONS:
        entries = [p for p in pages if p.section == section]
        if not entries:
            continue
        parts.append(f'<h2 id="{section}">{html.escape(heading)}</h2><ol>')
        for entry in entries:
            parts.append(
                f'<li><a href="{entry.href}">{html.escape(entry.title)}</a> '
                f'<span class="file">{html.escape(entry.source.name)}</span></li>'
            )
        parts.append("</ol>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _prepare(outdir: Path) -> None:
    """Empty ``outdir`` if it is a site built here before; refuse any other non-empty folder."""
    if outdir.exists() and any(outdir.iterdir()):
        if not (outdir / MARKER).exists():
            raise SiteError(
                f"{outdir} exists and is not a site built by ecs_workbook.site; refusing to "
                "overwrite it. Choose an empty or new folder."
            )
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / MARKER).write_text("built by python -m ecs_workbook.site\n", encoding="utf-8")


def _copy_assets(root: Path, outdir: Path) -> int:
    """Copy non-notebook files of each section (and the notebooks, for download); return the count."""
    copied = 0
    for section, _heading in SECTIONS:
        folder = root / section
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_dir() or _SKIPPED_PARTS & set(relative.parts) or ".backup-" in path.name:
                continue
            target = outdir / section / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied += 1
    return copied


def build(root: Path, outdir: Path) -> list[Page]:
    """Render every notebook under ``root`` into ``outdir``; returns the pages, in order."""
    from nbconvert import HTMLExporter

    pages = collect_pages(root)
    if not pages:
        raise SiteError(f"no notebooks found in {', '.join(s for s, _ in SECTIONS)} under {root}")
    _prepare(outdir)
    _copy_assets(root, outdir)
    exporter = HTMLExporter(template_name="lab")
    for page in pages:
        target = outdir / page.href
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(page, pages, exporter), encoding="utf-8")
    (outdir / "index.html").write_text(render_index(pages), encoding="utf-8")
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecs_workbook.site",
        description="Render notebooks/, labs/ and solutions/ to a static HTML site.",
    )
    parser.add_argument("outdir", type=Path, help="folder to write the site to (e.g. _site)")
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="the workbook folder (default: here)"
    )
    args = parser.parse_args(argv)
    try:
        pages = build(args.root, args.outdir)
    except SiteError as error:
        print(f"ecs_workbook.site: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(pages)} pages; open {args.outdir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
