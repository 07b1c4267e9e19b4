"""Shared plotting conventions: one fixed style, deterministic output, and a widget fallback.

Every simulator's plot function builds its figure with :func:`new_figure`, so all figures in the
workbook share one look and render identically on every run (nbval compares their reprs; the static
site shows their PNGs). :func:`interactive` turns a plot function into slider-driven exploration in
JupyterLab and falls back to one static plot where widgets cannot render (nbval, static HTML).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: The kit's colours, in the order series are drawn (colour-blind friendly, Okabe-Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: CSS width of a slider form's track and value readout, beside its label.
SLIDER_TRACK_AND_READOUT = "320px"

STYLE: dict[str, Any] = {
    "figure.figsize": (8.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "svg.hashsalt": "ecs-workbook",
    "path.simplify": True,
}


def _show_figures_inline() -> None:
    """In a Jupyter kernel, display a returned Figure as a PNG (the kit's figures bypass pyplot)."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        select_figure_formats(shell, {"png"})


_show_figures_inline()


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    sharex: bool = False,
    figsize: tuple[float, float] | None = None,
    height_ratios: list[float] | None = None,
) -> tuple[Figure, Any]:
    """A figure and its axes in the kit's fixed style (same look, same bytes, every run).

    The figure is not registered with pyplot: a notebook cell that ends with it shows it exactly once,
    and plotting in a loop leaks no open figures.
    """
    with plt.rc_context(STYLE):
        fig = Figure(
            figsize=figsize or STYLE["figure.figsize"],
            dpi=STYLE["figure.dpi"],
            layout="constrained",
        )
        axes = fig.subplots(
            nrows,
            ncols,
            sharex=sharex,
            squeeze=True,
            gridspec_kw={"height_ratios": height_ratios} if height_ratios else None,
        )
    return fig, axes


def styled(plot: Callable[..., Figure]) -> Callable[..., Figure]:
    """Decorator: draw the whole of ``plot`` inside the kit's style (fonts, colours, grid)."""

    @functools.wraps(plot)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with plt.rc_context(STYLE):
            return plot(*args, **kwargs)

    return wrapper


def step_line(ax: Axes, edges: np.ndarray, values: np.ndarray, **style: Any) -> None:
    """A per-step series as a step line: ``values[i]`` holds from ``edges[i]`` to ``edges[i + 1]``.

    ``edges`` has one entry more than ``values``: the last value is held to the final edge, so the
    last step is drawn as wide as the others.
    """
    ax.step(edges, _hold_last(values), where="post", **style)


def stacked_step_areas(
    ax: Axes,
    edges: np.ndarray,
    rows: np.ndarray,
    *,
    labels: list[str],
    alpha: float,
) -> None:
    """Per-step series stacked as filled areas, the first row at the bottom (e.g. one per container).

    ``edges`` as for :func:`step_line`; series take the :data:`PALETTE` colours in turn.
    """
    bottom = np.zeros(len(edges) - 1)
    for index, (row, label) in enumerate(zip(rows, labels, strict=True)):
        top = bottom + row
        ax.fill_between(
            edges,
            _hold_last(bottom),
            _hold_last(top),
            step="post",
            color=PALETTE[index % len(PALETTE)],
            alpha=alpha,
            linewidth=0,
            label=label,
        )
        bottom = top


def legend_outside(ax: Axes, fontsize: float = 8, **options: Any) -> None:
    """The legend to the right of the axes, top-aligned, so long labels never cover the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=fontsize, **options)


def _hold_last(values: np.ndarray) -> np.ndarray:
    return np.append(values, values[-1])


def figure_problems(fig: Figure) -> list[str]:
    """What a reader would miss in ``fig``: a title, axis labels, a legend where series share axes."""
    problems = []
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    for index, ax in enumerate(fig.get_axes()):
        if not ax.get_visible() or not ax.has_data():
            continue
        name = f"axes {index}"
        if not (ax.get_title() or title):
            problems.append(f"{name} has no title")
        if not ax.get_xlabel() and not _shares_labelled_x(ax):
            problems.append(f"{name} has no x-axis label")
        if not ax.get_ylabel():
            problems.append(f"{name} has no y-axis label")
        if _series_count(ax) > 1 and ax.get_legend() is None and fig.legends == []:
            problems.append(f"{name} shows several series but no legend")
    return problems


def _shares_labelled_x(ax: Axes) -> bool:
    return any(other.get_xlabel() for other in ax.get_shared_x_axes().get_siblings(ax))


def _series_count(ax: Axes) -> int:
    labelled = [
        artist
        for artist in [*ax.lines, *ax.collections, *ax.containers, *ax.patches]
        if not str(getattr(artist, "get_label", lambda: "_")()).startswith("_")
    ]
    return max(len(ax.lines), len(labelled)) if labelled else len(ax.lines)


def interactive(plot: Callable[..., Figure], **sliders: Mapping[str, Any] | tuple) -> Any:
    """Slider-driven version of ``plot`` in JupyterLab; one static figure where widgets can't render.

    ``sliders`` maps a keyword of ``plot`` to ``(min, max, step, start)``. Under nbval, in a static
    page, or without ipywidgets, ``plot`` is called once with the start values and its figure returned.
    """
    start = {name: spec[3] for name, spec in sliders.items()}
    if not _widgets_available():
        return plot(**start)
    import ipywidgets as widgets

    # Every slider is labelled with its keyword in full (JupyterLab cuts labels at 80 px, so
    # "minimum_healthy_percent" would read "minimum..."), and all labels share one width so the
    # tracks line up.
    label_width = _label_width(sliders)
    controls = {}
    for name, (low, high, step, value) in sliders.items():
        kind = (
            widgets.IntSlider
            if all(isinstance(v, int) for v in (low, high, step))
            else widgets.FloatSlider
        )
        controls[name] = kind(
            min=low,
            max=high,
            step=step,
            value=value,
            description=name,
            continuous_update=False,
            style={"description_width": label_width},
            layout=widgets.Layout(width=f"calc({label_width} + {SLIDER_TRACK_AND_READOUT})"),
        )

    def redraw(**values: Any) -> None:
        from IPython.display import display

        display(plot(**values))

    # ``interactive`` returns the form as a widget that displays itself as the cell's result;
    # ``interact`` would display it and return ``redraw``, whose repr then shows under the form.
    return widgets.interactive(redraw, **controls)


def _label_width(names: Mapping[str, Any]) -> str:
    """A CSS width that fits the longest slider keyword (``ch`` is one character's width)."""
    return f"{max(len(name) for name in names) + 1}ch"


def _widgets_available() -> bool:
    """True only inside a live Jupyter kernel with a front end that can draw widgets."""
    if os.environ.get("ECS_WORKBOOK_STATIC") or os.environ.get("NBVAL_RUNNING"):
        return False
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return (
        shell is not None
        and shell.__class__.__name__ == "ZMQInteractiveShell"
        and bool(os.environ.get("ECS_WORKBOOK_WIDGETS", "1") == "1")
    )
