"""Presentation layer: charts of a run and lever panels for the notebooks.

* :mod:`sim.viz.charts` - matplotlib charts, pure functions of :class:`~sim.results.Results`;
* :mod:`sim.viz.panel` - ipywidgets lever panels that re-run a scenario on change;
* :mod:`sim.viz.labels` - every word they show, Chinese and English;
* :mod:`sim.viz.fonts` - Chinese glyphs from the ``mplfonts`` package.

The panel (and ipywidgets) is imported only when asked for, so ``save_all`` works in a
terminal without a notebook stack.
"""

from __future__ import annotations

from typing import Any

from sim.viz.charts import (
    CHARTS,
    dashboard,
    headline,
    kpi_label,
    kpi_table,
    png_bytes,
    pnl,
    price_and_sales,
    save_all,
    service_queue,
    show,
    stock_and_reorders,
    traffic_and_funnel,
)
from sim.viz.fonts import use_cjk_font

__all__ = [
    "CHARTS",
    "DEFAULT_LEVERS",
    "LEVERS",
    "Lever",
    "Panel",
    "dashboard",
    "headline",
    "kpi_label",
    "kpi_table",
    "lever_panel",
    "png_bytes",
    "pnl",
    "price_and_sales",
    "promotion_lever",
    "save_all",
    "service_queue",
    "show",
    "stock_and_reorders",
    "traffic_and_funnel",
    "use_cjk_font",
]

_PANEL = ("DEFAULT_LEVERS", "LEVERS", "Lever", "Panel", "lever_panel", "promotion_lever")


def __getattr__(name: str) -> Any:
    if name in _PANEL:
        from sim.viz import panel

        return getattr(panel, name)
    raise AttributeError(f"module 'sim.viz' has no attribute {name!r}")
