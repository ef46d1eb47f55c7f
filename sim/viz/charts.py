"""Charts of one run: pure functions of a :class:`~sim.results.Results`, returning a Figure.

Every chart takes ``results``, ``lang`` (``"zh"`` / ``"en"``, default: the current
language of :mod:`sim.i18n`), ``store`` (which store of a shared market; default: the
first) and ``fig`` (an existing Figure to clear and draw into, so a lever panel can reuse
one figure). Figures are built with :class:`matplotlib.figure.Figure`, not pyplot: no
global backend is chosen, nothing is kept in pyplot's registry (no leaks, no
``plt.close`` needed), PNGs are drawn with Agg, and in Jupyter the figure a cell returns
is shown once.

>>> from sim import load_scenario, run                            # doctest: +SKIP
>>> from sim.viz import charts                                     # doctest: +SKIP
>>> fig = charts.dashboard(run(load_scenario("ordinary-month")))   # doctest: +SKIP
>>> fig.savefig("dashboard.png")                                   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator, PercentFormatter

from sim import i18n
from sim.scenario.schema import EVENT_KINDS
from sim.viz import labels as _labels  # noqa: F401  (registers the label keys)
from sim.viz.fonts import use_cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.results import Results

CHANNEL_COLORS = {
    "search": "#4C72B0",
    "ads": "#DD8452",
    "social": "#55A868",
    "livestream": "#C44E52",
    "returning": "#8172B3",
}
OWN = "#1f5fa8"
RIVAL = "#d9534f"
BAR = "#c9d6e8"
GOOD = "#3a9a5b"
BAD = "#c8453b"
NEUTRAL = "#7a869a"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

STYLE = {
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "normal",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.axisbelow": True,
}


# --------------------------------------------------------------------------- helpers
def _t(key: str, lang: str, **fmt: Any) -> str:
    return i18n.t(key, lang, **fmt)


def _lang(lang: str | None) -> str:
    lang = lang or i18n.get_language()
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"lang = {lang!r}: must be one of {', '.join(i18n.LANGUAGES)}")
    return lang


def _figure(fig: Figure | None, size: tuple[float, float]) -> Figure:
    """Return a fresh constrained-layout Figure, or ``fig`` cleared and resized for reuse."""
    use_cjk_font()
    _notebook_display()
    if fig is None:
        return Figure(figsize=size, layout="constrained")
    fig.clear()
    fig.set_size_inches(*size)
    fig.set_layout_engine("constrained")
    return fig


def _styled(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build a chart under :data:`STYLE` without changing the caller's own matplotlib style."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        use_cjk_font()
        with mpl.rc_context(STYLE):
            return fn(*args, **kwargs)

    return wrapper


def png_bytes(fig: Figure, dpi: float = 100) -> bytes:
    """Render ``fig`` to PNG bytes with Agg in a single draw (for widgets and notebooks).

    Unlike ``savefig``, this skips the extra layout pass, so a lever panel redraws faster.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    old_dpi = fig.get_dpi()
    fig.set_dpi(dpi)
    try:
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        with mpl.rc_context(STYLE):
            canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image = rgba.convert("RGB")
    finally:
        fig.set_dpi(old_dpi)
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _notebook_display() -> None:
    """In IPython, show a returned Figure as a PNG even if pyplot was never imported."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, lambda f: png_bytes(f, dpi=90))


def show(fig: Figure, dpi: float = 90) -> None:
    """Display ``fig`` in a notebook as a PNG (outside a notebook: nothing happens)."""
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return
    from IPython.display import Image, display

    display(Image(data=png_bytes(fig, dpi=dpi)))


def _one_store(results: Results, store: str | None) -> Results:
    names = list(dict.fromkeys(results.pnl["store"])) if len(results.pnl) else []
    if store is not None:
        return results.store(store)
    if len(names) > 1:
        return results.store(names[0])
    return results


def _store_cfg(results: Results) -> Any:
    stores = results.scenario.stores
    if len(results.pnl):
        name = results.pnl["store"].iloc[0]
        for st in stores:
            if st.name == name:
                return st
    return stores[0]


def _store_name(results: Results) -> str:
    return _store_cfg(results).name


def _sku_names(results: Results, lang: str) -> dict[str, str]:
    cat = _store_cfg(results).catalogue
    return {s.sku: (s.name_zh if lang == "zh" else s.name_en) for s in cat.skus}


def _short(text: str, n: int) -> str:
    """Shorten a product name to ``n`` characters, keeping its variant (colour, size) at the end."""
    if len(text) <= n:
        return text
    sep = ", " if ", " in text else " "
    head, _, tail = text.partition(sep)
    if tail and len(tail) + 3 <= n:
        keep = max(n - len(tail) - 2, 2)
        return f"{head[:keep]}…{sep if sep.strip() else ' '}{tail}"
    return text[: n - 1] + "…"


def _date(d: Any, lang: str) -> str:
    return _t("viz.date_fmt", lang, y=d.year, m=d.month, d=d.day, mon=_MONTHS[d.month - 1])


def _days(results: Results) -> int:
    return max(int(results.days_run), 1)


def _money(v: float, lang: str, sign: bool = False, compact: bool = False) -> str:
    """Short yuan: ¥1.2万 / ¥12.3k (``compact``: no ¥, fewer digits)."""
    s = "+" if sign and v > 0 else ("-" if v < 0 else "")
    a = abs(v)
    if lang == "zh":
        if a >= 1e8:
            body = f"{a / 1e8:.2f}亿"
        elif a >= 1e4:
            body = f"{a / 1e4:.1f}万"
        else:
            body = f"{a:,.0f}"
    elif a >= 1e6:
        body = f"{a / 1e6:.2f}M"
    elif a >= 1e4:
        body = f"{a / 1e3:.0f}k" if compact else f"{a / 1e3:.1f}k"
    elif a >= 1e3 and compact:
        body = f"{a / 1e3:.1f}k"
    else:
        body = f"{a:,.0f}"
    return f"{s}{body}" if compact else f"{s}¥{body}"


def _bold(color: str = "#1a1a1a", width: float = 0.7) -> list[Any]:
    """Path effect that thickens text: the shipped CJK font has no bold face."""
    return [patheffects.withStroke(linewidth=width, foreground=color)]


def _suptitle(fig: Figure, text: str, size: float = 13.5) -> None:
    fig.suptitle(text, fontsize=size, path_effects=_bold())


def _money_axis(ax: Axes, lang: str) -> None:
    """Yuan tick labels on the y axis, one unit for the whole axis (万 / k when large)."""
    lo, hi = ax.get_ylim()
    big = max(abs(lo), abs(hi))
    if big >= 2e4:
        div, unit = (1e4, "万") if lang == "zh" else (1e3, "k")
        fmt = FuncFormatter(lambda v, _pos: f"{v / div:,.4g}{unit}" if v else "0")
    else:
        fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    ax.yaxis.set_major_formatter(fmt)


def _legend_above(
    ax: Axes, title: str, handles: list[Any], ncol: int, fontsize: float = 8.5
) -> None:
    """Put the title top left and the legend in rows between it and the plot (not over data)."""
    rows = math.ceil(len(handles) / max(ncol, 1)) if handles else 0
    ax.set_title(title, loc="left", pad=6 + (fontsize * 1.75) * rows)
    if handles:
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=ncol,
            fontsize=fontsize,
            handlelength=1.4,
            columnspacing=1.0,
            borderaxespad=0.3,
            borderpad=0.1,
        )


def _count_axis(ax: Axes, lang: str) -> None:
    def fmt(v: float, _pos: int) -> str:
        if lang == "zh" and abs(v) >= 1e4:
            return f"{v / 1e4:g}万"
        if lang == "en" and abs(v) >= 1e4:
            return f"{v / 1e3:g}k"
        return f"{v:,.0f}"

    ax.yaxis.set_major_formatter(FuncFormatter(fmt))


def _shade_calendar(ax: Axes, results: Results, lang: str, offset: float = 0.0) -> list[Any]:
    """Shade weekends (grey) and festival days (orange); return legend handles used."""
    daily = results.daily
    handles = []
    if not len(daily) or "date" not in daily:
        return handles
    dl = daily.drop_duplicates("day")
    weekend = [
        int(d)
        for d, dt in zip(dl["day"], dl["date"], strict=False)
        if pd.Timestamp(dt).weekday() >= 5
    ]
    fest = [
        int(d) for d, f in zip(dl["day"], dl["festival"], strict=False) if isinstance(f, str) and f
    ]
    for d in weekend:
        ax.axvspan(d - 0.5 + offset, d + 0.5 + offset, color="#000000", alpha=0.05, lw=0, zorder=0)
    for d in fest:
        ax.axvspan(d - 0.5 + offset, d + 0.5 + offset, color="#f0a030", alpha=0.15, lw=0, zorder=0)
    if weekend:
        handles.append(Patch(color="#000000", alpha=0.08, label=_t("viz.weekend", lang)))
    if fest:
        handles.append(Patch(color="#f0a030", alpha=0.25, label=_t("viz.festival", lang)))
    return handles


def _day_axis(
    ax: Axes, results: Results, lang: str, *, continuous: bool = False, label: bool = True
) -> None:
    days = _days(results)
    start = results.scenario.start
    if continuous:
        ax.set_xlim(0, days)
        if label:
            ax.set_xlabel(_t("viz.days_since", lang, date=_date(start, lang)))
    else:
        ax.set_xlim(0.4, days + 0.6)
        if label:
            ax.set_xlabel(_t("viz.day_axis", lang, date=_date(start, lang)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=min(days, 12)))


def _no_data(ax: Axes, lang: str) -> None:
    ax.text(
        0.5,
        0.5,
        _t("viz.no_data", lang),
        ha="center",
        va="center",
        transform=ax.transAxes,
        color=NEUTRAL,
    )


def _paid_units(results: Results) -> pd.DataFrame:
    """Units of paid orders by day and SKU (columns: day, sku, units)."""
    o = results.orders
    if not len(o):
        return pd.DataFrame(columns=["day", "sku", "units"])
    o = o[o["paid"].astype(bool)]
    return o.groupby(["day", "sku"], as_index=False)["units"].sum()


# --------------------------------------------------------------------------- KPIs
# The numbers come from :func:`sim.kpi.summary` (one definition for the whole course), plus
# two the panels need that it does not have: ``answered`` and ``lost_units``.
EXTRA_KPIS = {"answered": "share", "lost_units": "count"}
"""KPIs computed here: share of questions answered, units asked for while out of stock."""

HEADER_KPIS = (
    "visitors",
    "orders",
    "conversion_rate",
    "average_order_value",
    "revenue",
    "net_profit",
    "on_time_shipment_rate",
    "answered",
    "fill_rate",
    "rating",
    "cash_end",
)
"""KPIs in the dashboard's header band."""

PANEL_KPIS = (
    "visitors",
    "conversion_rate",
    "orders",
    "average_order_value",
    "revenue",
    "net_profit",
    "net_margin",
    "roas",
    "on_time_shipment_rate",
    "answered",
    "fill_rate",
    "lost_units",
    "rating",
    "cash_end",
)
"""KPIs in a lever panel's comparison table."""

_FALLBACK_UNITS = {
    "visitors": "count",
    "orders": "count",
    "conversion_rate": "share",
    "average_order_value": "cny",
    "revenue": "cny",
    "net_profit": "cny",
    "net_margin": "share",
    "on_time_shipment_rate": "share",
    "rating": "stars",
    "cash_end": "cny",
}


def _fallback_summary(r: Results) -> dict[str, float]:
    """Compute a few headline KPIs, for when :mod:`sim.kpi` cannot be imported."""
    nan = float("nan")
    visits = float(r.funnel_hourly["visits"].sum()) if len(r.funnel_hourly) else 0.0
    paid = r.orders[r.orders["paid"].astype(bool)] if len(r.orders) else r.orders
    n_paid = float(len(paid))
    revenue = float(r.pnl["revenue"].sum()) if len(r.pnl) else 0.0
    net = float(r.pnl["net_profit"].sum()) if len(r.pnl) else 0.0
    ships = r.shipments if len(r.orders) else pd.DataFrame({"on_time": []})
    return {
        "visitors": visits,
        "orders": n_paid,
        "conversion_rate": n_paid / visits if visits else nan,
        "average_order_value": float(paid["paid_cny"].sum()) / n_paid if n_paid else nan,
        "revenue": revenue,
        "net_profit": net,
        "net_margin": net / revenue if revenue else nan,
        "on_time_shipment_rate": float(ships["on_time"].mean()) if len(ships) else nan,
        "rating": float(r.daily["rating"].iloc[-1]) if len(r.daily) else nan,
        "cash_end": float(r.pnl["cash"].iloc[-1]) if len(r.pnl) else nan,
    }


def headline(results: Results, store: str | None = None) -> dict[str, float]:
    """KPIs of one store: :func:`sim.kpi.summary` plus :data:`EXTRA_KPIS`, ``{key: value}``."""
    r = _one_store(results, store)
    try:
        from sim import kpi
    except ImportError:
        out = _fallback_summary(r)
    else:
        out = dict(kpi.summary(r))
    tk = r.tickets
    out["answered"] = float(tk["answered"].mean()) if len(tk) else float("nan")
    out["lost_units"] = float(r.sku_daily["lost_units"].sum()) if len(r.sku_daily) else 0.0
    return out


def kpi_unit(key: str) -> str:
    """Return the unit of a KPI: count, share, cny, times, min, stars or ratio (as in sim.kpi)."""
    if key in EXTRA_KPIS:
        return EXTRA_KPIS[key]
    try:
        from sim.kpi import KPI_LABELS
    except ImportError:
        return _FALLBACK_UNITS.get(key, "count")
    return KPI_LABELS[key][2] if key in KPI_LABELS else _FALLBACK_UNITS.get(key, "count")


def kpi_label(key: str, lang: str | None = None) -> str:
    """Trainee-facing name of a KPI (from :mod:`sim.kpi`'s labels, else this layer's)."""
    lang = _lang(lang)
    for k in (f"kpi.{key}", f"viz.kpi.{key}"):
        if k in i18n.TEXT:
            return _t(k, lang)
    return key


def format_kpi(key: str, value: float, lang: str | None = None) -> str:
    """Format one KPI for display (``¥``, %, thousands separators, units)."""
    lang = _lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    unit = kpi_unit(key)
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "cny":
        sign = "-" if value < 0 else ""
        return f"{sign}¥{abs(value):,.1f}" if abs(value) < 1000 else f"{sign}¥{abs(value):,.0f}"
    if unit == "stars":
        return f"{value:.2f}"
    word = {"min": ("分钟", "min"), "times": ("次", "times"), "ratio": ("倍", "×")}.get(unit)
    if word is not None:
        return f"{value:,.2f} {word[0] if lang == 'zh' else word[1]}"
    return f"{value:,.2f}"


def _change(key: str, now: float, base: float, lang: str) -> str:
    if any(isinstance(v, float) and math.isnan(v) for v in (now, base)):
        return "–"
    unit = kpi_unit(key)
    if unit == "share":
        return _t("viz.pp", lang, v=100 * (now - base))
    if unit in ("stars", "min", "ratio", "times"):
        return f"{now - base:+.2f}"
    if base == 0:
        return "–" if now == 0 else f"{now - base:+,.0f}"
    return f"{(now - base) / abs(base):+.1%}"


def kpi_table(
    results: Results | Mapping[str, float],
    baseline: Results | Mapping[str, float] | None = None,
    lang: str | None = None,
    store: str | None = None,
    keys: Iterable[str] | str = PANEL_KPIS,
) -> pd.DataFrame:
    """KPIs as a labelled display table; with ``baseline``, side by side with the change.

    ``results`` and ``baseline`` are runs or :func:`headline` dicts already computed;
    ``keys`` picks the rows (default :data:`PANEL_KPIS`; ``"all"``: every KPI).
    """
    lang = _lang(lang)
    now = dict(results) if isinstance(results, Mapping) else headline(results, store)
    rows = list(now) if keys == "all" else [k for k in keys if k in now]
    idx = pd.Index([kpi_label(k, lang) for k in rows], name=_t("viz.panel.kpi", lang))
    if baseline is None:
        return pd.DataFrame(
            {_t("viz.panel.value", lang): [format_kpi(k, now[k], lang) for k in rows]}, index=idx
        )
    base = dict(baseline) if isinstance(baseline, Mapping) else headline(baseline, store)
    return pd.DataFrame(
        {
            _t("viz.panel.baseline", lang): [
                format_kpi(k, base.get(k, float("nan")), lang) for k in rows
            ],
            _t("viz.panel.now", lang): [format_kpi(k, now[k], lang) for k in rows],
            _t("viz.panel.change", lang): [
                _change(k, now[k], base.get(k, float("nan")), lang) for k in rows
            ],
        },
        index=idx,
    )


# --------------------------------------------------------------------------- traffic
def _draw_traffic(ax: Axes, r: Results, lang: str, legend: str = "wide") -> None:
    f = r.funnel_hourly
    ax.set_title(_t("viz.title.traffic", lang), loc="left")
    if not len(f):
        _no_data(ax, lang)
        return
    per = f.groupby(["day", "channel"], observed=False)["visits"].sum().unstack("channel").fillna(0)
    per = per.reindex(range(1, _days(r) + 1), fill_value=0)
    bottom = np.zeros(len(per))
    handles = []
    for ch in per.columns:
        vals = per[ch].to_numpy(dtype=float)
        if vals.sum() == 0:
            continue
        bars = ax.bar(
            per.index,
            vals,
            bottom=bottom,
            width=0.8,
            color=CHANNEL_COLORS.get(str(ch), NEUTRAL),
            label=_t(f"viz.channel.{ch}", lang),
            zorder=2,
        )
        handles.append(bars)
        bottom += vals
    handles += _shade_calendar(ax, r, lang)
    ev = r.events
    ev = ev[ev["kind"].isin(EVENT_KINDS)] if len(ev) else ev
    if len(ev):
        for d in sorted(set(ev["day"].astype(int))):
            ax.axvline(d, color="#333333", ls=":", lw=1, zorder=3)
        handles.append(Line2D([], [], color="#333333", ls=":", lw=1, label=_t("viz.event", lang)))
    ax.set_ylim(0, max(bottom.max(), 1) * 1.08)
    ax.set_ylabel(_t("viz.visits", lang))
    _count_axis(ax, lang)
    _day_axis(ax, r, lang)
    ncol = len(handles) if legend == "wide" else min(len(handles), 4 if lang == "zh" else 3)
    _legend_above(ax, _t("viz.title.traffic", lang), handles, ncol)


def _draw_funnel(ax: Axes, r: Results, lang: str) -> None:
    f = r.funnel_hourly
    ax.set_title(_t("viz.title.funnel", lang), loc="left")
    if not len(f) or f["impressions"].sum() == 0:
        _no_data(ax, lang)
        return
    o = r.orders
    steps = [
        ("impressions", float(f["impressions"].sum())),
        ("visits", float(f["visits"].sum())),
        ("carts", float(f["carts"].sum())),
        ("orders", float(len(o))),
        ("paid", float(o["paid"].astype(bool).sum()) if len(o) else 0.0),
    ]
    names = [_t(f"viz.funnel.{k}", lang) for k, _ in steps]
    vals = np.array([max(v, 0.0) for _, v in steps])
    y = np.arange(len(steps))[::-1]
    colors = ["#9db4d6", "#6f93c6", "#4C72B0", "#345a94", "#1d3f73"]
    shown = np.maximum(vals, 0.8)
    ax.barh(y, shown, color=colors, height=0.62, zorder=2)
    ax.set_xscale("log")
    lo = 0.8
    hi = shown.max() * 60
    ax.set_xlim(lo, hi)
    ax.set_yticks(y, names)
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    for i, (yy, v) in enumerate(zip(y, vals, strict=True)):
        text = f"{v:,.0f}"
        if i > 0 and vals[i - 1] > 0:
            text += "  " + _t("viz.funnel.of_prev", lang, pct=f"{v / vals[i - 1]:.1%}")
        ax.text(max(v, lo) * 1.15, yy, text, va="center", ha="left", fontsize=9, zorder=3)
    ax.set_xlabel(_t("viz.log_scale", lang), color=NEUTRAL)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: ""))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.tick_params(axis="x", which="both", length=0)
    ax.spines["bottom"].set_visible(False)


@_styled
def traffic_and_funnel(
    results: Results,
    lang: str | None = None,
    *,
    store: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw visits per day by channel, and the funnel impressions → … → paid orders."""
    lang = _lang(lang)
    r = _one_store(results, store)
    fig = _figure(fig, (14, 5.2))
    gs = fig.add_gridspec(1, 2, width_ratios=[1.75, 1])
    _draw_traffic(fig.add_subplot(gs[0]), r, lang)
    _draw_funnel(fig.add_subplot(gs[1]), r, lang)
    _suptitle(fig, f"{_t('viz.fig.traffic', lang)} · {_store_name(r)}")
    return fig


# --------------------------------------------------------------------------- price and sales
def _top_skus(r: Results, n: int) -> list[str]:
    sd = r.sku_daily
    if not len(sd):
        return []
    rev = (
        sd.groupby("sku", sort=False)["revenue_cny"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    return list(rev.index[:n])


def _draw_price(
    ax: Axes,
    r: Results,
    lang: str,
    sku: str,
    units: pd.DataFrame,
    *,
    legend: bool = True,
    title: str | None = None,
) -> None:
    sd = r.sku_daily[r.sku_daily["sku"] == sku].sort_values("day")
    u = (
        units[units["sku"] == sku]
        .set_index("day")["units"]
        .reindex(range(1, _days(r) + 1), fill_value=0)
    )
    ax.bar(u.index, u.to_numpy(), width=0.75, color=BAR, label=_t("viz.units_sold", lang), zorder=2)
    ax.set_ylabel(_t("viz.units_sold", lang))
    ax.set_ylim(0, max(float(u.max()), 1.0) * 1.35)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    _shade_calendar(ax, r, lang)
    ax2 = ax.twinx()
    ax2.plot(
        sd["day"],
        sd["price_cny"],
        color=OWN,
        lw=2.2,
        marker="o",
        ms=3,
        label=_t("viz.own_price", lang),
        zorder=4,
    )
    ax2.plot(
        sd["day"],
        sd["rival_price_cny"],
        color=RIVAL,
        lw=1.8,
        ls="--",
        label=_t("viz.rival_price", lang),
        zorder=4,
    )
    prices = pd.concat([sd["price_cny"], sd["rival_price_cny"]])
    if len(prices):
        lo, hi = float(prices.min()), float(prices.max())
        pad = max((hi - lo) * 0.25, hi * 0.05, 0.5)
        ax2.set_ylim(max(lo - pad * 2.5, 0), hi + pad)
    ax2.set_ylabel(_t("viz.price_yuan", lang))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax2.spines["top"].set_visible(False)
    ax.set_zorder(ax2.get_zorder() - 1)
    ax.patch.set_visible(False)
    ax2.patch.set_visible(True)
    ax2.patch.set_alpha(0)
    h1, _l1 = ax.get_legend_handles_labels()
    h2, _l2 = ax2.get_legend_handles_labels()
    _legend_above(ax, title or "", h2 + h1 if legend else [], 3)
    _day_axis(ax, r, lang)


@_styled
def price_and_sales(
    results: Results,
    lang: str | None = None,
    *,
    top: int = 3,
    skus: list[str] | None = None,
    store: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Own vs rival price per day with units sold, for the top SKUs by revenue (or ``skus``)."""
    lang = _lang(lang)
    r = _one_store(results, store)
    chosen = list(skus) if skus else _top_skus(r, top)
    n = max(len(chosen), 1)
    fig = _figure(fig, (12, 2.9 * n + 0.9))
    names = _sku_names(r, lang)
    units = _paid_units(r)
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    if not chosen:
        _no_data(axes[0], lang)
    for i, (ax, sku) in enumerate(zip(axes, chosen, strict=False)):
        _draw_price(
            ax,
            r,
            lang,
            sku,
            units,
            legend=(i == 0),
            title=_t("viz.title.price", lang, name=f"{names.get(sku, sku)}  ({sku})"),
        )
        if i < n - 1:
            ax.set_xlabel("")
    _suptitle(fig, f"{_t('viz.fig.price', lang, n=len(chosen))} · {_store_name(r)}")
    return fig


# --------------------------------------------------------------------------- stock
def _stock_path(r: Results, sku: str) -> tuple[np.ndarray, np.ndarray]:
    """Return times (days since start) and units on hand after each movement, from t=0."""
    led = r.stock_ledger
    days = _days(r)
    rows = led[led["sku"] == sku] if len(led) else led
    if len(rows):
        t = rows["t_h"].to_numpy(dtype=float) / 24
        oh = rows["on_hand"].to_numpy(dtype=float)
        start = oh[0] - float(rows["qty"].iloc[0])
    else:
        sd = r.sku_daily[r.sku_daily["sku"] == sku]
        start = float(sd["on_hand"].iloc[0]) if len(sd) else 0.0
        t, oh = np.array([]), np.array([])
    times = np.concatenate([[0.0], t, [float(days)]])
    vals = np.concatenate([[start], oh, [oh[-1] if len(oh) else start]])
    return times, vals


def _draw_stock_one(ax: Axes, r: Results, lang: str, sku: str, title: str) -> None:
    times, vals = _stock_path(r, sku)
    ax.step(times, vals, where="post", color=OWN, lw=1.6, zorder=3)
    ax.fill_between(times, vals, step="post", color=OWN, alpha=0.12, zorder=2)
    out = vals <= 0
    if out.any():
        for i in np.nonzero(out[:-1])[0]:
            ax.axvspan(times[i], times[i + 1], color=BAD, alpha=0.25, lw=0, zorder=1)
    po = r.purchase_orders
    po = po[po["sku"] == sku] if len(po) else po
    top = max(float(vals.max()), 1.0)
    for _, p in po.iterrows():
        x = float(p["placed_h"]) / 24
        ax.plot(
            [x], [np.interp(x, times, vals)], marker="v", color="#333333", ms=7, zorder=5, ls="none"
        )
        if pd.notna(p["received_h"]):
            xr = float(p["received_h"]) / 24
            if xr <= _days(r):
                yr = vals[max(np.searchsorted(times, xr, side="right") - 1, 0)]
                ax.plot([xr], [yr], marker="^", color=GOOD, ms=7, zorder=5, ls="none")
                ax.annotate(
                    f"+{int(p['qty'])}",
                    (xr, yr),
                    xytext=(3, 3),
                    textcoords="offset points",
                    fontsize=7.5,
                    color=GOOD,
                )
    lost = r.sku_daily.loc[r.sku_daily["sku"] == sku, "lost_units"].sum() if len(r.sku_daily) else 0
    if lost > 0:
        ax.text(
            0.98,
            0.95,
            _t("viz.lost_units", lang, n=int(lost)),
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            color=BAD,
            path_effects=_bold(BAD, 0.4),
        )
    ax.set_ylim(min(float(vals.min()), 0) * 1.1, top * 1.22)
    ax.set_title(title, loc="left", fontsize=9.5)
    ax.set_xlim(0, _days(r))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))


def _stock_legend(lang: str) -> list[Any]:
    return [
        Line2D([], [], color=OWN, lw=1.6, label=_t("viz.on_hand", lang)),
        Line2D(
            [], [], marker="v", color="#333333", ls="none", ms=7, label=_t("viz.po_placed", lang)
        ),
        Line2D([], [], marker="^", color=GOOD, ls="none", ms=7, label=_t("viz.po_received", lang)),
        Patch(color=BAD, alpha=0.3, label=_t("viz.stockout", lang)),
    ]


@_styled
def stock_and_reorders(
    results: Results,
    lang: str | None = None,
    *,
    skus: list[str] | None = None,
    store: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw units on hand per SKU over time, with orders placed (▼), received (▲) and stock-outs."""
    lang = _lang(lang)
    r = _one_store(results, store)
    codes = list(skus) if skus else list(_store_cfg(r).sku_codes)
    n = max(len(codes), 1)
    ncols = min(5, n)
    nrows = math.ceil(n / ncols)
    fig = _figure(fig, (3.1 * ncols + 0.6, 2.45 * nrows + 1.3))
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
    names = _sku_names(r, lang)
    width = 13 if lang == "zh" else 24
    for k, ax in enumerate(axes.flat):
        if k >= len(codes):
            ax.set_visible(False)
            continue
        sku = codes[k]
        _draw_stock_one(ax, r, lang, sku, f"{_short(names.get(sku, sku), width)}\n{sku}")
        if k % ncols == 0:
            ax.set_ylabel(_t("viz.on_hand", lang))
    last = [ax for ax in axes[-1] if ax.get_visible()] or list(axes[-2])
    last[len(last) // 2].set_xlabel(_t("viz.days_since", lang, date=_date(r.scenario.start, lang)))
    for ax in axes[:-1].flat:
        ax.tick_params(labelbottom=True)
    _suptitle(fig, f"{_t('viz.fig.stock', lang)} · {_store_name(r)}")
    fig.legend(handles=_stock_legend(lang), loc="outside lower center", ncol=4)
    return fig


def _draw_cover(ax: Axes, r: Results, lang: str) -> None:
    """Heat map: days of cover per SKU (rows) and day (columns); ▼ order placed, ▲ received."""
    ax.set_title(_t("viz.title.cover", lang), loc="left")
    sd = r.sku_daily
    if not len(sd):
        _no_data(ax, lang)
        return
    codes = list(_store_cfg(r).sku_codes)
    days = _days(r)
    units = _paid_units(r)
    demand = units.groupby("sku")["units"].sum().reindex(codes, fill_value=0).astype(float)
    lost = sd.groupby("sku")["lost_units"].sum().reindex(codes, fill_value=0).astype(float)
    rate = ((demand + lost) / days).clip(lower=0.2)
    oh = sd.pivot_table(index="sku", columns="day", values="on_hand", aggfunc="last").reindex(codes)
    oh = oh.reindex(columns=range(1, days + 1))
    cover = oh.div(rate, axis=0).to_numpy(dtype=float)
    cover = np.where(oh.to_numpy(dtype=float) <= 0, -1.0, cover)

    cmap = mpl.colormaps["RdYlGn"].with_extremes(under="#7f1d1d")
    im = ax.imshow(
        cover,
        aspect="auto",
        cmap=cmap,
        vmin=0,
        vmax=30,
        interpolation="nearest",
        extent=(0.5, days + 0.5, len(codes) - 0.5, -0.5),
    )
    names = _sku_names(r, lang)
    width = 11 if lang == "zh" else 22
    ax.set_yticks(range(len(codes)), [_short(names.get(c, c), width) for c in codes], fontsize=8)
    ax.grid(False)
    po = r.purchase_orders
    for _, p in po.iterrows() if len(po) else []:
        if p["sku"] not in codes:
            continue
        row = codes.index(p["sku"])
        ax.plot(
            float(p["placed_h"]) / 24 + 1 - 0.5, row, marker="v", color="black", ms=6, ls="none"
        )
        if pd.notna(p["received_h"]) and p["received_h"] / 24 <= days:
            ax.plot(
                float(p["received_h"]) / 24 + 1 - 0.5,
                row,
                marker="^",
                color="#1b4fd1",
                ms=6,
                ls="none",
                markeredgecolor="white",
                markeredgewidth=0.6,
            )
    _day_axis(ax, r, lang)
    ax.spines["left"].set_visible(False)
    cax = ax.inset_axes((1.015, 0.0, 0.035, 1.0))
    cb = ax.figure.colorbar(im, cax=cax, extend="both")
    cb.set_label(_t("viz.cover_days", lang), fontsize=8.5)
    cb.ax.tick_params(labelsize=8)
    ax.legend(
        handles=[
            Line2D(
                [], [], marker="v", color="black", ls="none", ms=6, label=_t("viz.po_placed", lang)
            ),
            Line2D(
                [],
                [],
                marker="^",
                color="#1b4fd1",
                ls="none",
                ms=6,
                label=_t("viz.po_received", lang),
            ),
            Patch(color="#7f1d1d", label=_t("viz.stockout", lang)),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=3,
        fontsize=8,
        handlelength=1.2,
    )
    ax.set_title(_t("viz.title.cover", lang), loc="left", pad=20)


# --------------------------------------------------------------------------- service
_WAIT_BINS = (0, 1, 3, 5, 10, 30, np.inf)


def _agents_by_hour(r: Results) -> np.ndarray:
    from sim.policies import plan_at

    plan = _store_cfg(r).decisions.agents
    days = _days(r)
    return np.array([np.mean([plan_at(plan, d, h) for d in range(1, days + 1)]) for h in range(24)])


def _draw_wait_dist(ax: Axes, r: Results, lang: str) -> None:
    tk = r.tickets
    ax.set_title(_t("viz.title.wait_dist", lang), loc="left")
    if not len(tk):
        _no_data(ax, lang)
        return
    cats = pd.cut(tk["wait_min"], _WAIT_BINS, right=False, labels=False)
    labels = []
    for a, b in itertools.pairwise(_WAIT_BINS):
        if a == 0:
            labels.append(_t("viz.bin.lt", lang, b=b))
        elif np.isinf(b):
            labels.append(_t("viz.bin.gt", lang, a=a))
        else:
            labels.append(_t("viz.bin.range", lang, a=a, b=b))
    x = np.arange(len(labels))
    ans = np.bincount(cats[tk["answered"].astype(bool)].astype(int), minlength=len(labels))
    gave = np.bincount(cats[~tk["answered"].astype(bool)].astype(int), minlength=len(labels))
    ax.bar(x, ans, color=GOOD, label=_t("viz.answered", lang), zorder=2)
    ax.bar(x, gave, bottom=ans, color=BAD, label=_t("viz.gave_up", lang), zorder=2)
    total = ans + gave
    for xi, v in zip(x, total, strict=True):
        if v:
            ax.text(xi, v, f"{v / total.sum():.0%}", ha="center", va="bottom", fontsize=8.5)
    ax.set_xticks(x, labels, rotation=25, ha="right")
    ax.set_ylabel(_t("viz.questions", lang))
    ax.set_ylim(0, max(total.max(), 1) * 1.18)
    ax.legend(loc="upper right")


def _draw_load(ax: Axes, r: Results, lang: str, *, compact: bool = False) -> None:
    tk = r.tickets
    days = _days(r)
    title = _t("viz.title.load", lang)
    per_hour = (
        np.bincount((tk["arrive_h"] % 24).astype(int), minlength=24)[:24] / days
        if len(tk)
        else np.zeros(24)
    )
    hours = np.arange(24)
    ax.bar(
        hours,
        per_hour,
        width=0.8,
        color="#9db4d6",
        label=_t("viz.questions_per_hour", lang),
        zorder=2,
    )
    agents = _agents_by_hour(r)
    ax.step(
        np.arange(25) - 0.5,
        np.append(agents, agents[-1]),
        where="post",
        color="#222222",
        lw=2,
        label=_t("viz.agents_on_duty", lang),
        zorder=3,
    )
    ax.set_xlim(-0.6, 23.6)
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlabel(_t("viz.hour_of_day", lang))
    ax.set_ylabel(_t("viz.people_or_questions", lang))
    ax.set_ylim(0, max(per_hour.max(), agents.max(), 1) * 1.25)
    if compact and len(tk):
        ax2 = ax.twinx()
        wait = tk.groupby((tk["arrive_h"] % 24).astype(int))["wait_min"].mean().reindex(hours)
        ax2.plot(
            hours,
            wait.to_numpy(),
            color="#e07b00",
            lw=1.8,
            marker="o",
            ms=3,
            label=_t("viz.mean_wait", lang),
        )
        ax2.set_ylabel(_t("viz.mean_wait", lang), color="#e07b00")
        ax2.set_ylim(
            0, max(float(np.nanmax(wait.to_numpy())) if wait.notna().any() else 1, 1) * 1.25
        )
        ax2.grid(False)
        ax2.spines["right"].set_visible(True)
        h1, _l1 = ax.get_legend_handles_labels()
        h2, _l2 = ax2.get_legend_handles_labels()
        _legend_above(ax, title, h1 + h2, 3 if lang == "zh" else 2)
    else:
        _legend_above(ax, title, ax.get_legend_handles_labels()[0], 2)


def _draw_wait_hour(ax: Axes, r: Results, lang: str) -> None:
    tk = r.tickets
    ax.set_title(_t("viz.title.wait_hour", lang), loc="left")
    if not len(tk):
        _no_data(ax, lang)
        return
    hours = np.arange(24)
    g = tk.groupby((tk["arrive_h"] % 24).astype(int))
    wait = g["wait_min"].mean().reindex(hours)
    abandon = (1 - g["answered"].mean()).reindex(hours)
    ax.plot(
        hours,
        wait.to_numpy(),
        color="#e07b00",
        lw=2,
        marker="o",
        ms=3.5,
        label=_t("viz.mean_wait", lang),
    )
    ax.set_ylabel(_t("viz.mean_wait", lang))
    ax.set_ylim(0, max(float(np.nanmax(wait.to_numpy())) if wait.notna().any() else 1, 1) * 1.3)
    ax2 = ax.twinx()
    ax2.bar(
        hours,
        abandon.to_numpy(),
        width=0.7,
        color=BAD,
        alpha=0.35,
        label=_t("viz.abandon_rate", lang),
    )
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax2.set_ylim(
        0,
        min(
            max(float(np.nanmax(abandon.to_numpy())) if abandon.notna().any() else 0.1, 0.1) * 1.3,
            1.05,
        ),
    )
    ax2.set_ylabel(_t("viz.abandon_rate", lang))
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.set_xlim(-0.6, 23.6)
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlabel(_t("viz.hour_of_day", lang))
    h1, _l1 = ax.get_legend_handles_labels()
    h2, _l2 = ax2.get_legend_handles_labels()
    _legend_above(ax, _t("viz.title.wait_hour", lang), h1 + h2, 2)


@_styled
def service_queue(
    results: Results,
    lang: str | None = None,
    *,
    store: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw first-response times, questions vs agents, and wait / abandonment by hour."""
    lang = _lang(lang)
    r = _one_store(results, store)
    fig = _figure(fig, (16, 4.9))
    a1, a2, a3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.15, 1.15]})
    _draw_wait_dist(a1, r, lang)
    _draw_load(a2, r, lang)
    _draw_wait_hour(a3, r, lang)
    _suptitle(fig, f"{_t('viz.fig.service', lang)} · {_store_name(r)}")
    return fig


# --------------------------------------------------------------------------- P&L
def _pnl_steps(r: Results) -> list[tuple[str, float]]:
    p = r.pnl
    s = {c: float(p[c].sum()) for c in p.columns if c not in ("store", "day")} if len(p) else {}

    def g(*cols: str) -> float:
        return sum(s.get(c, 0.0) for c in cols)

    return [
        ("revenue", g("revenue")),
        ("refunds", -g("refunds")),
        ("cogs", -g("cogs")),
        ("platform", -g("commission", "payment_fees", "platform_fees")),
        ("ads", -g("ads")),
        ("shipping", -g("shipping")),
        ("staff", -g("staff")),
        ("penalties", -g("penalties")),
        ("other", -g("gifts", "holding", "overheads")),
    ]


def _draw_waterfall(ax: Axes, r: Results, lang: str, *, compact: bool = False) -> None:
    ax.set_title(_t("viz.title.waterfall", lang), loc="left")
    if not len(r.pnl):
        _no_data(ax, lang)
        return
    steps = _pnl_steps(r)
    net = float(r.pnl["net_profit"].sum())
    labels = [_t(f"viz.pnl.{k}", lang) for k, _ in steps] + [_t("viz.pnl.net_profit", lang)]
    x = np.arange(len(labels))
    level = 0.0
    for i, (key, v) in enumerate(steps):
        if key == "revenue":
            ax.bar(i, v, color=OWN, width=0.7, zorder=2)
            top = v
        else:
            ax.bar(i, v, bottom=level, color=BAD if v < 0 else GOOD, width=0.7, zorder=2)
            top = level if v < 0 else level + v
        if i:
            ax.plot([i - 1.35, i - 0.35], [level, level], color="#555555", lw=0.8, zorder=3)
        level += v
        if abs(v) > 0:
            text = _money(v, lang, sign=key != "revenue", compact=compact)
            if key == "revenue" or v > 0:
                ax.text(
                    i,
                    top,
                    text,
                    ha="center",
                    va="bottom",
                    fontsize=7.5 if compact else 8.5,
                    zorder=4,
                )
            else:
                ax.text(
                    i,
                    level,
                    text,
                    ha="center",
                    va="top",
                    fontsize=7.5 if compact else 8.5,
                    zorder=4,
                )
    ax.plot(
        [len(steps) - 1.35, len(steps) - 0.35], [level, level], color="#555555", lw=0.8, zorder=3
    )
    ax.bar(
        len(steps),
        net,
        color=GOOD if net >= 0 else BAD,
        width=0.7,
        zorder=2,
        edgecolor="#222222",
        lw=1,
    )
    ax.text(
        len(steps),
        max(net, 0),
        _money(net, lang),
        ha="center",
        va="bottom",
        fontsize=9 if compact else 10,
        path_effects=_bold(),
        zorder=4,
    )
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_xticks(
        x, labels, rotation=35 if compact else 30, ha="right", fontsize=8 if compact else 9
    )
    ax.set_ylabel(_t("viz.yuan", lang))
    ymax = max(steps[0][1], 1.0)
    ax.set_ylim(min(net, 0) * 1.2, ymax * 1.12)
    _money_axis(ax, lang)


def _draw_daily_profit(ax: Axes, r: Results, lang: str) -> None:
    ax.set_title(_t("viz.title.daily_profit", lang), loc="left")
    p = r.pnl
    if not len(p):
        _no_data(ax, lang)
        return
    colors = np.where(p["net_profit"] >= 0, GOOD, BAD)
    ax.bar(
        p["day"],
        p["net_profit"],
        color=colors,
        width=0.75,
        alpha=0.85,
        zorder=2,
        label=_t("viz.daily_net_profit", lang),
    )
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_ylabel(_t("viz.daily_net_profit", lang) + f"({_t('viz.yuan', lang)})")
    lo, hi = float(p["net_profit"].min()), float(p["net_profit"].max())
    ax.set_ylim(min(lo, 0) * 1.2 - 1, max(hi, 0) * 1.35 + 1)
    _money_axis(ax, lang)
    _shade_calendar(ax, r, lang)
    ax2 = ax.twinx()
    ax2.plot(
        p["day"], p["cash"], color="#222222", lw=2.2, marker="o", ms=3, label=_t("viz.cash", lang)
    )
    ax2.set_ylabel(_t("viz.cash", lang) + f"({_t('viz.yuan', lang)})")
    _money_axis(ax2, lang)
    c = p["cash"]
    span = max(float(c.max() - c.min()), abs(float(c.max())) * 0.05, 1.0)
    ax2.set_ylim(float(c.min()) - span * 0.35, float(c.max()) + span * 0.35)
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", ncol=2)
    _day_axis(ax, r, lang)


@_styled
def pnl(
    results: Results,
    lang: str | None = None,
    *,
    store: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw the whole-run waterfall to net profit, and daily profit with the cash line."""
    lang = _lang(lang)
    r = _one_store(results, store)
    fig = _figure(fig, (15, 5.4))
    a1, a2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
    _draw_waterfall(a1, r, lang)
    _draw_daily_profit(a2, r, lang)
    _suptitle(fig, f"{_t('viz.fig.pnl', lang)} · {_store_name(r)}")
    return fig


# --------------------------------------------------------------------------- dashboard
def _draw_header(ax: Axes, r: Results, lang: str) -> None:
    """Draw a band of headline numbers (in an Axes without axis lines, so layouts can be reused)."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_facecolor("#f3f5f9")
    k = headline(r)
    n = len(HEADER_KPIS)
    for i, key in enumerate(HEADER_KPIS):
        x = (i + 0.5) / n
        value = format_kpi(key, k[key], lang)
        color = "#1a1a1a"
        if key not in k:
            continue
        if key == "net_profit" and k[key] < 0:
            color = BAD
        ax.text(
            x,
            0.6,
            value,
            ha="center",
            va="center",
            fontsize=15,
            color=color,
            path_effects=_bold(color, 0.8),
        )
        ax.text(
            x, 0.2, kpi_label(key, lang), ha="center", va="center", fontsize=9.5, color="#555555"
        )


@_styled
def dashboard(
    results: Results,
    lang: str | None = None,
    *,
    store: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw a one-page overview: KPIs, traffic, funnel, profit, price, stock, service."""
    lang = _lang(lang)
    r = _one_store(results, store)
    fig = _figure(fig, (17, 10.5))
    sc = r.scenario
    title = sc.title_zh if lang == "zh" else sc.title_en
    _suptitle(
        fig,
        _t(
            "viz.fig.dashboard",
            lang,
            store=_store_name(r),
            title=title,
            days=r.days_run,
            seed=r.seed,
        ),
        size=14.5,
    )
    gs = fig.add_gridspec(3, 3, width_ratios=[1.25, 1, 1.05], height_ratios=[0.75, 4.5, 4.5])
    _draw_header(fig.add_subplot(gs[0, :]), r, lang)
    _draw_traffic(fig.add_subplot(gs[1, 0]), r, lang, legend="compact")
    _draw_funnel(fig.add_subplot(gs[1, 1]), r, lang)
    _draw_waterfall(fig.add_subplot(gs[1, 2]), r, lang, compact=True)
    top = _top_skus(r, 1)
    ax = fig.add_subplot(gs[2, 0])
    if top:
        names = _sku_names(r, lang)
        _draw_price(
            ax,
            r,
            lang,
            top[0],
            _paid_units(r),
            title=_t(
                "viz.title.price",
                lang,
                name=_short(names.get(top[0], top[0]), 16 if lang == "zh" else 30),
            ),
        )
    else:
        _no_data(ax, lang)
    _draw_cover(fig.add_subplot(gs[2, 1]), r, lang)
    _draw_load(fig.add_subplot(gs[2, 2]), r, lang, compact=True)
    return fig


# --------------------------------------------------------------------------- all
CHARTS: dict[str, Callable[..., Figure]] = {
    "dashboard": dashboard,
    "traffic_and_funnel": traffic_and_funnel,
    "price_and_sales": price_and_sales,
    "stock_and_reorders": stock_and_reorders,
    "service_queue": service_queue,
    "pnl": pnl,
}
"""Every chart by name; ``save_all`` writes ``<name>.png`` for each."""


def save_all(
    results: Results,
    out_dir: str | Path,
    lang: str | None = None,
    *,
    store: str | None = None,
    dpi: float = 110,
) -> list[Path]:
    """Write every chart of :data:`CHARTS` as ``<name>.png`` into ``out_dir``; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    fig = None
    for name, fn in CHARTS.items():
        fig = fn(results, lang, store=store, fig=fig)
        path = out / f"{name}.png"
        with mpl.rc_context(STYLE):
            fig.savefig(path, dpi=dpi, facecolor="white")
        paths.append(path)
    if fig is not None:
        fig.clear()
    return paths
