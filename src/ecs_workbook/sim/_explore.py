"""Slider forms for the simulators' explorer functions (``interactive_*`` in each simulator).

Each explorer is a plot function whose keywords are slider-friendly numbers with defaults; its
form gives every keyword a ``(min, max, step)`` range and starts the slider at that default, so
the form's static fallback (nbval, static HTML) is exactly the explorer's default figure.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def slider_form(explorer: Callable[..., Any], **ranges: tuple[float, float, float]) -> Any:
    """:func:`ecs_workbook.plots.interactive` for ``explorer``, one ``name=(min, max, step)`` each.

    Plotting is imported here, when a form is asked for, so simulators import without matplotlib.
    """
    from ecs_workbook import plots

    defaults = inspect.signature(explorer).parameters
    sliders = {name: (*bounds, defaults[name].default) for name, bounds in ranges.items()}
    return plots.interactive(explorer, **sliders)
