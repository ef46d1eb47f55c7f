"""Lever panels: sliders and drop-downs that re-run a scenario and redraw one chart.

Each lever is a row of :data:`LEVERS`: a key, a label key, a widget range and a function
that maps the widget's value to a scenario variant. A course module picks its own::

    from sim import load_scenario
    from sim.viz import lever_panel
    panel = lever_panel(load_scenario("ordinary-month"), levers=["ad_bid", "ad_budget"])
    panel                       # shows the widget
    panel.scenario, panel.results   # the current variant and its run, for exercises

A lever whose widget sits at its default (read from the scenario) leaves the scenario as
it is, so the first run is the scenario's own baseline; the KPI table compares every
re-run with it. A value the scenario does not allow is shown as the
:class:`~sim.errors.ScenarioError` message, not a traceback.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import ipywidgets as widgets

from sim import i18n
from sim.errors import ScenarioError
from sim.results import Results, run
from sim.scenario.schema import Scenario
from sim.viz import charts
from sim.viz import labels as _labels  # noqa: F401  (registers the label keys)


# --------------------------------------------------------------------------- levers
@dataclass(frozen=True)
class Lever:
    """One control of a panel.

    Attributes
    ----------
    key : str
        Name used in ``levers=[...]`` and :attr:`Panel.values`.
    label : str
        :mod:`sim.i18n` key of the widget's label.
    kind : str
        ``"float"`` or ``"int"`` (slider), ``"range"`` (two-handle int slider) or
        ``"choice"`` (drop-down).
    apply : callable
        ``apply(scenario, value) -> scenario``: the variant for this value.
    default : callable
        ``default(scenario) -> value``: the value that means "as in the scenario".
    min, max, step : float
        Slider range.
    options : tuple of (label key, value)
        Choices of a drop-down.
    readout : str
        Number format of a slider's readout, e.g. ``".2f"`` or ``".0%"``.
    """

    key: str
    label: str
    kind: str
    apply: Callable[[Scenario, Any], Scenario]
    default: Callable[[Scenario], Any]
    min: float = 0.0
    max: float = 1.0
    step: float = 1.0
    options: tuple[tuple[str, Any], ...] = field(default=())
    readout: str = ""

    def initial(self, scenario: Scenario) -> Any:
        """Return the widget's starting value for ``scenario`` (its default, kept within range)."""
        value = self.default(scenario)
        if self.kind == "range":
            lo, hi = value
            return (int(min(max(lo, self.min), self.max)), int(min(max(hi, self.min), self.max)))
        if self.kind in ("float", "int"):
            value = min(max(value, self.min), self.max)
            return round(value) if self.kind == "int" else float(value)
        return value

    def widget(
        self, scenario: Scenario, lang: str, label_em: float | None = None
    ) -> widgets.Widget:
        """Build the ipywidget for this lever (``continuous_update=False``).

        ``label_em`` is the width of the label column in em (panels align their sliders).
        """
        label = i18n.t(self.label, lang)
        em = label_em if label_em is not None else _label_em(label)
        common = {
            "description": label,
            "description_allow_html": False,
            "style": {"description_width": f"{em:.1f}em"},
            "layout": widgets.Layout(width=f"calc({em:.1f}em + 300px)"),
        }
        value = self.initial(scenario)
        if self.kind == "float":
            return widgets.FloatSlider(
                value=value,
                min=self.min,
                max=self.max,
                step=self.step,
                readout_format=self.readout or ".2f",
                continuous_update=False,
                **common,
            )
        if self.kind == "int":
            return widgets.IntSlider(
                value=value,
                min=int(self.min),
                max=int(self.max),
                step=int(self.step),
                continuous_update=False,
                **common,
            )
        if self.kind == "range":
            return widgets.IntRangeSlider(
                value=value,
                min=int(self.min),
                max=int(self.max),
                step=int(self.step),
                continuous_update=False,
                **common,
            )
        if self.kind == "choice":
            opts = [(i18n.t(k, lang), v) for k, v in self.options]
            return widgets.Dropdown(options=opts, value=value, **common)
        raise ValueError(
            f"lever {self.key!r}: kind = {self.kind!r}: must be float, int, range or choice"
        )


def _label_em(text: str) -> float:
    """Rough width of a label in em: CJK characters are 1 em, others about 0.55 em."""
    return 0.6 + sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def _decisions(sc: Scenario) -> Any:
    return sc.stores[0].decisions


def _set(sc: Scenario, path: str, value: Any) -> Scenario:
    """Change a field of the first store, e.g. ``decisions__ads__cpc_bid_cny``."""
    if len(sc.stores) == 1:
        return sc.replace(**{f"store__{path}": value})
    return sc.replace(**{f"stores__0__{path}": value})


def _plan_peak(plan: Any) -> int:
    from sim.policies import plan_at

    return max(plan_at(plan, 1, h) for h in range(24))


def _scale_plan(plan: Any, people: int) -> Any:
    """Scale a staffing plan so its busiest hour has ``people``; staffed hours keep >= 1."""
    from sim.policies import CallablePlan, shifts

    peak = _plan_peak(plan)
    if peak == 0:
        return shifts(day=people)
    if isinstance(plan, CallablePlan):
        return lambda day, hour: math.ceil(plan.at(day, hour) * people / peak)
    return tuple(math.ceil(p * people / peak) for p in plan)


def _price_mult(sc: Scenario, mult: float) -> Scenario:
    prices = {s.sku: round(s.list_price_cny * mult, 2) for s in sc.stores[0].catalogue.skus}
    return sc.with_decisions(pricing={"kind": "fixed", "prices": prices})


def _reorder_days(sc: Scenario) -> tuple[int, int]:
    rp = _decisions(sc).reorder
    s, big = getattr(rp, "s_days", None), getattr(rp, "S_days", None)
    if isinstance(s, int | float) and isinstance(big, int | float):
        return round(s), round(big)
    return 7, 21


def _promo(
    sc: Scenario, discount: float, start_day: int = 1, end_day: int | None = None
) -> Scenario:
    if discount <= 0:
        return sc
    end = min(end_day or sc.days, sc.days)
    promo = {
        "kind": "percent_off",
        "start_day": start_day,
        "end_day": end,
        "discount": round(discount, 4),
    }
    current = _decisions(sc).promotions
    fn = getattr(current, "fn", None)
    if fn is None:
        return sc.with_decisions(promotions=[*list(current), promo])

    def calendar(day: int) -> list[Any]:
        extra = [promo] if start_day <= day <= end else []
        return [*current.on_day(day), *extra]

    return sc.with_decisions(promotions=calendar)


def promotion_lever(
    start_day: int = 1, end_day: int | None = None, *, max_discount: float = 0.5, key: str = "promo"
) -> Lever:
    """Return a lever for a % off promotion on days ``start_day`` to ``end_day`` (default: all)."""
    return Lever(
        key,
        "viz.lever.promo",
        "float",
        lambda sc, v: _promo(sc, v, start_day, end_day),
        lambda sc: 0.0,
        0.0,
        max_discount,
        0.05,
        readout=".0%",
    )


_PRICING_CHOICES = (
    ("viz.pricing.keep", None),
    ("viz.pricing.list", "list"),
    ("viz.pricing.charm", "charm"),
    ("viz.pricing.competitive", "competitive"),
    ("viz.pricing.dynamic", "dynamic"),
    ("viz.pricing.cost_plus", "cost_plus"),
)

LEVERS: dict[str, Lever] = {
    lv.key: lv
    for lv in (
        Lever(
            "price_mult",
            "viz.lever.price_mult",
            "float",
            _price_mult,
            lambda sc: 1.0,
            0.6,
            1.4,
            0.05,
        ),
        Lever(
            "ad_bid",
            "viz.lever.ad_bid",
            "float",
            lambda sc, v: _set(sc, "decisions__ads__cpc_bid_cny", round(v, 2)),
            lambda sc: _decisions(sc).ads.cpc_bid_cny,
            0.0,
            5.0,
            0.1,
        ),
        Lever(
            "ad_budget",
            "viz.lever.ad_budget",
            "int",
            lambda sc, v: _set(sc, "decisions__ads__daily_budget_cny", float(v)),
            lambda sc: _decisions(sc).ads.daily_budget_cny,
            0,
            3000,
            50,
        ),
        Lever(
            "agents",
            "viz.lever.agents",
            "int",
            lambda sc, v: sc.with_decisions(agents=_scale_plan(_decisions(sc).agents, v)),
            lambda sc: _plan_peak(_decisions(sc).agents),
            0,
            10,
            1,
        ),
        Lever(
            "packers",
            "viz.lever.packers",
            "int",
            lambda sc, v: sc.with_decisions(packers=_scale_plan(_decisions(sc).packers, v)),
            lambda sc: _plan_peak(_decisions(sc).packers),
            0,
            10,
            1,
        ),
        Lever(
            "reorder",
            "viz.lever.reorder",
            "range",
            lambda sc, v: sc.with_decisions(
                reorder={"kind": "sS", "s_days": int(v[0]), "S_days": int(v[1])}
            ),
            _reorder_days,
            0,
            60,
            1,
        ),
        promotion_lever(),
        Lever(
            "pricing",
            "viz.lever.pricing",
            "choice",
            lambda sc, v: sc if v is None else sc.with_decisions(pricing=v),
            lambda sc: None,
            options=_PRICING_CHOICES,
        ),
    )
}
"""Levers by key. ``pricing`` (a drop-down) is available but not in :data:`DEFAULT_LEVERS`."""

DEFAULT_LEVERS = ("price_mult", "ad_bid", "ad_budget", "agents", "packers", "reorder", "promo")


def _as_lever(item: str | Lever) -> Lever:
    if isinstance(item, Lever):
        return item
    if item not in LEVERS:
        raise KeyError(f"lever {item!r}: must be one of {', '.join(LEVERS)} (or a Lever)")
    return LEVERS[item]


# --------------------------------------------------------------------------- panel
class Panel(widgets.VBox):
    """A lever panel (an ipywidgets VBox) that re-runs its scenario when a lever moves.

    Parameters
    ----------
    scenario : Scenario or str
        The baseline scenario (or the name of one).
    levers : sequence of str or Lever
        Which levers to show, by key in :data:`LEVERS` or as :class:`Lever` rows.
    seed : int
        Random seed of every run, so changes come from the levers alone.
    lang : str, optional
        ``"zh"`` or ``"en"`` (default: the current language).
    chart : str
        Name of the chart in :data:`sim.viz.charts.CHARTS` to draw (default ``"dashboard"``).
    dpi : float
        Resolution of the drawn chart.

    Attributes
    ----------
    base : Scenario
        The scenario as given.
    scenario : Scenario
        The variant of the last successful run.
    results : Results
        Its results; ``baseline`` holds the results of the first run (levers at defaults).
    error : str
        The message of the last rejected setting ('' if none).
    seconds : float
        Time of the last re-run (simulation and chart); ``timings`` splits it.
    """

    def __init__(
        self,
        scenario: Scenario | str,
        levers: Sequence[str | Lever] = DEFAULT_LEVERS,
        seed: int = 0,
        lang: str | None = None,
        chart: str = "traffic_and_funnel",
        dpi: float = 80,
        **kwargs: Any,
    ):
        if isinstance(scenario, str):
            from sim.scenario import load_scenario

            scenario = load_scenario(scenario)
        self.base: Scenario = scenario
        self.scenario: Scenario = scenario
        self.seed = int(seed)
        self.lang = lang or i18n.get_language()
        if chart not in charts.CHARTS:
            raise KeyError(f"chart {chart!r}: must be one of {', '.join(charts.CHARTS)}")
        self.chart = chart
        self.dpi = dpi
        self.levers: list[Lever] = [_as_lever(x) for x in levers]
        self.results: Results | None = None
        self.baseline: Results | None = None
        self.error = ""
        self.seconds = float("nan")
        self.timings: dict[str, float] = {}
        self._base_kpis: dict[str, float] | None = None
        self.figure = None
        self._hold = False

        lang_ = self.lang
        em = max((_label_em(i18n.t(lv.label, lang_)) for lv in self.levers), default=8.0)
        self.controls: dict[str, widgets.Widget] = {
            lv.key: lv.widget(scenario, lang_, em) for lv in self.levers
        }
        title = scenario.title_zh if lang_ == "zh" else scenario.title_en
        self.title = widgets.HTML(f"<b>{escape(i18n.t('viz.panel.title', lang_, title=title))}</b>")
        self.latency = widgets.HTML("", layout=widgets.Layout(margin="0 12px 0 auto"))
        self.message = widgets.HTML("")
        self.kpis = widgets.HTML("")
        self.output = widgets.Output(layout=widgets.Layout(width="100%"))
        self.reset_button = widgets.Button(
            description=i18n.t("viz.panel.reset", lang_),
            icon="undo",
            layout=widgets.Layout(width="140px"),
        )
        self.reset_button.on_click(lambda _b: self.reset())
        controls = widgets.VBox(
            [*self.controls.values(), self.reset_button],
            layout=widgets.Layout(min_width=f"calc({em:.1f}em + 310px)"),
        )
        header = widgets.HBox([self.title, self.latency], layout=widgets.Layout(width="100%"))
        top = widgets.HBox(
            [controls, self.kpis], layout=widgets.Layout(width="100%", align_items="flex-start")
        )
        super().__init__([header, top, self.message, self.output], **kwargs)
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self.update()
        self.baseline = self.results

    # ---------------------------------------------------------------- state
    @property
    def values(self) -> dict[str, Any]:
        """Current value of every lever, by key."""
        return {k: w.value for k, w in self.controls.items()}

    def variant(self, values: dict[str, Any] | None = None) -> Scenario:
        """Return the scenario for lever ``values`` (default: current); may raise ScenarioError."""
        values = self.values if values is None else values
        sc = self.base
        for lv in self.levers:
            value = values[lv.key]
            if _same(value, lv.initial(self.base)):
                continue
            sc = lv.apply(sc, value)
        return sc

    def set(self, **values: Any) -> Results | None:
        """Move several levers at once (one re-run); returns the new results."""
        unknown = [k for k in values if k not in self.controls]
        if unknown:
            raise KeyError(f"lever {unknown[0]!r}: this panel has {', '.join(self.controls)}")
        self._hold = True
        try:
            for k, v in values.items():
                self.controls[k].value = tuple(v) if isinstance(v, list) else v
        finally:
            self._hold = False
        return self.update()

    def reset(self) -> Results | None:
        """Put every lever back to its default and re-run."""
        return self.set(**{lv.key: lv.initial(self.base) for lv in self.levers})

    # ---------------------------------------------------------------- running
    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._hold:
            self.update()

    def update(self) -> Results | None:
        """Re-run with the current levers and redraw; on a bad setting show its message."""
        lang = self.lang
        t0 = time.perf_counter()
        try:
            sc = self.variant()
            res = run(sc, self.seed)
            t_run = time.perf_counter()
        except ScenarioError as err:
            self.error = err.message(lang)
            self.message.value = (
                f"<div style='color:#b00020;font-weight:bold'>"
                f"{escape(i18n.t('viz.panel.error', lang))}{escape(self.error)}</div>"
            )
            return None
        except Exception as err:  # a model bug: say so plainly, details below the chart
            self.error = f"{type(err).__name__}: {err}"
            self.message.value = (
                f"<div style='color:#b00020'>"
                f"{escape(i18n.t('viz.panel.failed', lang, kind=type(err).__name__))}"
                f"{escape(str(err))}</div><pre style='font-size:11px'>"
                f"{escape(traceback.format_exc(limit=-3))}</pre>"
            )
            return None
        self.scenario, self.results, self.error = sc, res, ""
        self.message.value = ""
        self.figure = charts.CHARTS[self.chart](res, lang, fig=self.figure)
        frozen = self._reuse_layout(self.figure)
        png = charts.png_bytes(self.figure, dpi=self.dpi)
        if not frozen:
            self._remember_layout(self.figure)
        self.output.outputs = (
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"image/png": _b64(png), "text/plain": f"<{self.chart}>"},
            },
        )
        now = charts.headline(res)
        if self._base_kpis is None:
            self._base_kpis = now
        table = charts.kpi_table(now, self._base_kpis, lang)
        self.kpis.value = _table_html(table)
        self.seconds = time.perf_counter() - t0
        self.timings = {"run": t_run - t0, "chart": self.seconds - (t_run - t0)}
        self.latency.value = (
            f"<span style='color:#888;font-size:11px'>"
            f"{escape(i18n.t('viz.panel.latency', lang, s=self.seconds))}</span>"
        )
        return res

    # The chart is redrawn into the same Figure with the same axes every time, so the
    # constrained layout of the first draw is kept: it saves a layout pass and a dry draw.
    def _remember_layout(self, fig: Any) -> None:
        sup = getattr(fig, "_suptitle", None)
        self._layout = (
            [ax.get_position(original=True).frozen() for ax in fig.axes],
            sup.get_position()[1] if sup is not None else None,
        )

    def _reuse_layout(self, fig: Any) -> bool:
        layout = getattr(self, "_layout", None)
        if layout is None or len(fig.axes) != len(layout[0]):
            return False
        fig.set_layout_engine("none")
        for ax, pos in zip(fig.axes, layout[0], strict=True):
            ax.set_position(pos)
        sup = getattr(fig, "_suptitle", None)
        if sup is not None and layout[1] is not None:
            sup.set_y(layout[1])
        return True


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return a == b


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def _table_html(table: Any) -> str:
    table = table.rename_axis(None)
    html = table.to_html(classes="sim-kpi", border=0, escape=True)
    style = (
        "<style>.sim-kpi{border-collapse:collapse;font-size:12px;margin-left:16px}"
        ".sim-kpi th,.sim-kpi td{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}"
        ".sim-kpi tbody th{text-align:left;font-weight:normal;color:#444}</style>"
    )
    return style + html


def lever_panel(
    scenario: Scenario | str,
    levers: Iterable[str | Lever] = DEFAULT_LEVERS,
    seed: int = 0,
    lang: str | None = None,
    chart: str = "traffic_and_funnel",
    dpi: float = 80,
) -> Panel:
    """Build a :class:`Panel` (an ipywidgets widget) for ``scenario`` with the chosen ``levers``.

    Examples
    --------
    >>> panel = lever_panel("ordinary-month", levers=["agents", "packers"])  # doctest: +SKIP
    >>> panel.set(agents=4).summary()                                       # doctest: +SKIP
    """
    return Panel(scenario, list(levers), seed=seed, lang=lang, chart=chart, dpi=dpi)
