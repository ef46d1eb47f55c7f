"""JupyterLab panels of a role-play session: one per role, one for the facilitator.

A role panel is what one team member sees in their own notebook::

    from sim.roleplay.panel import role_panel
    role_panel("sessions/double11-a", team="红队", role="operations")

It builds one input per field of :meth:`Session.fields` (numbers with their unit and
allowed range, drop-downs, check boxes, day toggles, the manager's override lines), a
**Submit** button that saves the decisions for the current round (or shows the
:class:`~sim.roleplay.RoleplayError` message next to the field it names), and the role's
own dashboard (a table with one column per played round, and one small chart) with a
**Refresh** button that re-opens the session from disk.

The facilitator panel shows who has submitted this round, an **Advance** button that plays
the round for every team, the leaderboard, the event log, and a **Report** button that
writes the debrief HTML into the session folder and links it::

    from sim.roleplay.panel import facilitator_panel
    facilitator_panel("sessions/double11-a")

The panels hold no game logic: everything goes through :class:`sim.roleplay.Session`, which
saves every submission and every round to disk at once. Several kernels (one per team
member, one for the facilitator) work on the same folder; a panel sees the others' work
when it re-opens the session (Refresh, Submit, Advance). A killed kernel loses nothing:
run the notebook's cell again. A panel speaks its own language (``lang``) whatever the
kernel's current language is: the session's texts (dashboard headers, messages, event
notes) are fetched in that language.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sim import i18n
from sim.roleplay import ROLES, FieldSpec, RoleplayError, Session, format_overrides

# --------------------------------------------------------------------------- words
_TEXT: dict[str, tuple[str, str]] = {
    "roleplay.panel.title": ("{team} · {role}", "{team} · {role}"),
    "roleplay.panel.scenario": ("场景:{title}", "Scenario: {title}"),
    "roleplay.panel.round": (
        "第 {round} 轮 / 共 {rounds} 轮(模拟第 {first}–{last} 天)",
        "Round {round} of {rounds} (simulated days {first}–{last})",
    ),
    "roleplay.panel.finished": (
        "演练已结束(共 {rounds} 轮)。请和团队一起看复盘报告。",
        "The session is over ({rounds} rounds). Read the debrief report with your team.",
    ),
    "roleplay.panel.submitted": ("✔ 本轮已提交", "✔ Submitted for this round"),
    "roleplay.panel.not_submitted": (
        "本轮还没有提交:不提交的话,将沿用上一轮的决策。",
        "Not submitted yet this round: if you do not submit, last round's decisions carry over.",
    ),
    "roleplay.panel.decide": ("本轮决策", "Your decisions for this round"),
    "roleplay.panel.submit": ("提交决策", "Submit decisions"),
    "roleplay.panel.refresh": ("刷新", "Refresh"),
    "roleplay.panel.confirm": (
        "已保存第 {round} 轮的决策({time})。主持人推进本轮之前,你还可以修改并重新提交。",
        "Decisions for round {round} saved ({time}). You can change and resubmit them until "
        "the facilitator advances the round.",
    ),
    "roleplay.panel.rejected": ("没有提交:{message}", "Not submitted: {message}"),
    "roleplay.panel.failed": ("出错了({kind}):", "Something went wrong ({kind}): "),
    "roleplay.panel.unsaved": (
        "你有尚未提交的修改;点“提交决策”才会生效。",
        "You have changes that are not submitted; click Submit decisions to make them count.",
    ),
    "roleplay.panel.refreshed": ("已刷新({time})。", "Refreshed ({time})."),
    "roleplay.panel.range": ("{lo} 到 {hi}", "{lo} to {hi}"),
    "roleplay.panel.at_least": ("至少 {lo}", "at least {lo}"),
    "roleplay.panel.at_most": ("至多 {hi}", "at most {hi}"),
    "roleplay.panel.once": ("仅本轮有效", "this round only"),
    "roleplay.panel.days_hint": (
        "点选促销日;都不选 = 整轮",
        "click the promotion days; none selected = the whole round",
    ),
    "roleplay.panel.dashboard": ("我的看板", "My dashboard"),
    "roleplay.panel.no_rounds": (
        "还没有进行任何一轮。主持人推进一轮后,点“刷新”查看结果。",
        "No round has been played yet. After the facilitator advances a round, click Refresh.",
    ),
    "roleplay.panel.kpi": ("指标", "KPI"),
    "roleplay.panel.round_head": ("第 {round} 轮", "Round {round}"),
    "roleplay.panel.chart_x": ("轮次", "round"),
    "roleplay.panel.intro.manager": (
        "你是店长:定目标,把预算分给各部门,最后拍板。你的看板是全店的经营结果。",
        "You are the store manager: you set the targets, split the budget between the "
        "departments and have the final say. Your dashboard shows the whole store's results.",
    ),
    "roleplay.panel.intro.operations": (
        "你负责运营:价格、促销和广告。你的看板是流量、转化、销售额和广告回报。",
        "You run operations: prices, promotions and ads. Your dashboard shows traffic, "
        "conversion, sales and the return on ad spend.",
    ),
    "roleplay.panel.intro.design": (
        "你负责设计(视觉陈列):花工时优化主图和详情页,每小时都有成本。你的看板是点击率和转化率。",
        "You do visual merchandising: you spend working hours, each with a cost, on main "
        "images and detail pages. Your dashboard shows click-through and conversion.",
    ),
    "roleplay.panel.intro.service": (
        "你是客服主管:每个班次安排几名客服,定响应目标。你的看板是咨询量、首次响应时间、咨询转化和评分。",
        "You lead customer service: agents per shift and response targets. Your dashboard "
        "shows inquiries, first response time, inquiry conversion and the rating.",
    ),
    "roleplay.panel.intro.logistics": (
        "你负责物流:补货、打包人手和快递公司。你的看板是库存、缺货、发货及时率和物流成本。",
        "You run logistics: reorders, packers and carriers. Your dashboard shows stock, "
        "stock-outs, the on-time shipment rate and shipping costs.",
    ),
    "roleplay.panel.fac.title": ("主持人面板", "Facilitator panel"),
    "roleplay.panel.fac.teams": (
        "队伍:{teams} · 随机种子:{seed}",
        "Teams: {teams} · random seed: {seed}",
    ),
    "roleplay.panel.fac.who": ("本轮提交情况", "Who has submitted this round"),
    "roleplay.panel.fac.team": ("队伍", "Team"),
    "roleplay.panel.fac.yes": ("✔ 已提交", "✔ submitted"),
    "roleplay.panel.fac.no": ("— 沿用上轮", "— keeps last round's"),
    "roleplay.panel.fac.advance": ("推进一轮", "Advance one round"),
    "roleplay.panel.fac.advancing": ("正在模拟第 {round} 轮……", "Simulating round {round} ..."),
    "roleplay.panel.fac.advanced": (
        "第 {round} 轮已完成(模拟第 {first}–{last} 天),结果已保存。请让各角色点“刷新”。",
        "Round {round} played (simulated days {first}–{last}) and saved. Ask every role to "
        "click Refresh.",
    ),
    "roleplay.panel.fac.struck": ("本轮发生:", "This round:"),
    "roleplay.panel.fac.missing": (
        "{n} 个角色本轮没有提交,推进时将沿用他们上一轮的决策。",
        "{n} role(s) have not submitted this round; advancing keeps their last decisions.",
    ),
    "roleplay.panel.fac.all_in": ("所有角色都已提交。", "Every role has submitted."),
    "roleplay.panel.fac.done": (
        "所有轮次都已完成,可以生成复盘报告了。",
        "Every round has been played: time for the debrief report.",
    ),
    "roleplay.panel.fac.leaderboard": ("排行榜", "Leaderboard"),
    "roleplay.panel.fac.events": ("事件记录", "Event log"),
    "roleplay.panel.fac.no_events": ("还没有事件。", "No events yet."),
    "roleplay.panel.fac.no_scores": (
        "推进第一轮后这里会出现排名。",
        "The ranking appears here after the first round.",
    ),
    "roleplay.panel.fac.ev_round": ("轮次", "Round"),
    "roleplay.panel.fac.ev_day": ("第几天", "Day"),
    "roleplay.panel.fac.ev_kind": ("类型", "Kind"),
    "roleplay.panel.fac.ev_team": ("队伍", "Team"),
    "roleplay.panel.fac.ev_note": ("说明", "What happened"),
    "roleplay.panel.fac.report": ("生成复盘报告", "Write the debrief report"),
    "roleplay.panel.fac.reporting": ("正在生成复盘报告……", "Writing the debrief report ..."),
    "roleplay.panel.fac.report_done": (
        "复盘报告已生成:{link}(文件 {path})",
        "Debrief report written: {link} (file {path})",
    ),
    "roleplay.panel.fac.open": ("打开报告", "open the report"),
}
i18n.register(_TEXT)

REPORT_NAME = "debrief.html"
"""File name of the debrief report the facilitator panel writes into the session folder."""

CHART_KPIS: dict[str, tuple[str, ...]] = {
    "manager": ("net_profit", "profit_to_date", "cash", "score"),
    "operations": ("visitors", "conversion_rate", "revenue", "roas"),
    "design": ("listing_quality", "ctr", "conversion_rate", "design_cost"),
    "service": ("first_response_min", "service_level", "inquiry_conversion", "rating"),
    "logistics": ("on_time_rate", "fill_rate", "on_hand", "backlog"),
}
"""The KPIs (``roleplay.kpi.<key>`` columns of the dashboard) each role's chart draws."""


def _t(key: str, lang: str, **fmt: Any) -> str:
    return i18n.t(f"roleplay.panel.{key}", lang, **fmt)


def _check_lang(lang: str | None) -> str:
    lang = lang or i18n.get_language()
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"lang = {lang!r}: must be one of {', '.join(i18n.LANGUAGES)}")
    return lang


@contextmanager
def _speaking(lang: str) -> Iterator[None]:
    """Fetch the session's texts (headers, notes, messages) in the panel's language."""
    before = i18n.get_language()
    i18n.set_language(lang)
    try:
        yield
    finally:
        i18n.set_language(before)


def _now() -> str:
    return _dt.datetime.now().strftime("%H:%M:%S")


def _error_text(err: BaseException, lang: str) -> str:
    """The message of a RoleplayError (a ScenarioError) in ``lang``."""
    message = getattr(err, "message", None)
    return str(message(lang)) if callable(message) else str(err)


def _red(text: str) -> str:
    return f"<span style='color:#b00020'>{escape(text)}</span>"


def _grey(text: str, size: int = 12) -> str:
    return f"<span style='color:#666;font-size:{size}px'>{escape(text)}</span>"


def _failure_html(err: BaseException, lang: str) -> str:
    """A model or file bug: said plainly, with the last frames below for whoever fixes it."""
    return (
        f"<div style='color:#b00020'>{escape(_t('failed', lang, kind=type(err).__name__))}"
        f"{escape(str(err))}</div><pre style='font-size:11px'>"
        f"{escape(traceback.format_exc(limit=-3))}</pre>"
    )


def _scenario_title(session: Session, lang: str) -> str:
    with _speaking(lang):
        return str(session.title)


# --------------------------------------------------------------------------- numbers
def format_number(value: Any) -> str:
    """Show a dashboard number the way a store's reports do.

    Whole numbers get thousands separators (``12,345``); other numbers keep two decimals
    below 100 and none from 100 on (``3.90``, ``4.71``, ``12,346``); text stays as it is;
    a missing value (None, NaN) is ``–``.
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✔" if value else "✘"
    if isinstance(value, int):
        return f"{value:,}"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= 100 or x == round(x):
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def _plain(value: Any) -> str:
    """A bound as a trainee would type it: ``0.5``, ``12000``, ``1e+09`` for huge ones."""
    if isinstance(value, float) and value == round(value) and abs(value) < 1e7:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table_html(df: pd.DataFrame, css: str, bold_last: bool = False) -> str:
    """A DataFrame as an HTML table with every number formatted by :func:`format_number`.

    Columns of numbers are right-aligned, columns of text (names, notes) left-aligned.
    """
    shown = df.copy()
    left = []
    for i, col in enumerate(shown.columns, start=1):
        values = shown[col].tolist()
        if not all(v is None or isinstance(v, int | float) for v in values):
            left.append(i)
        shown[col] = [format_number(v) for v in values]
    html = shown.to_html(classes=css, border=0, escape=True, index=False)
    rules = "".join(
        f".{css} td:nth-child({i}),.{css} th:nth-child({i}){{text-align:left}}" for i in left
    )
    last = (
        f".{css} td:last-child,.{css} th:last-child{{font-weight:600;background:#fbfcfe}}"
        if bold_last
        else ""
    )
    style = (
        f"<style>.{css}{{border-collapse:collapse;font-size:13px;margin:4px 0}}"
        f".{css} th,.{css} td{{padding:3px 10px;text-align:right;white-space:nowrap;"
        f"border-bottom:1px solid #e5e5e5}}"
        f".{css} thead th{{background:#f3f5f8;font-weight:600}}{rules}{last}</style>"
    )
    return f"{style}<div style='overflow-x:auto;max-width:100%'>{html}</div>"


# --------------------------------------------------------------------------- fields
def _label_em(text: str) -> float:
    """Rough width of a label in em: CJK characters 1 em, others about 0.55 em."""
    return 0.8 + sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


class FieldInput:
    """One decision of a role: its widget, the unit and range hint, help, and error slot.

    Numbers use plain text boxes (not sliders): the trainee types the exact figure, and a
    value outside the allowed range is not silently clipped but answered by the session's
    message next to the field. ``multi`` fields (days of the round) are a row of toggle
    buttons; the manager's ``table`` of overrides is a text area, one ``role.field =
    value`` per line.

    Attributes
    ----------
    spec : FieldSpec
    widget : ipywidgets.Widget
        The input (for ``multi``: the row of toggles, one per choice in ``toggles``).
    error : ipywidgets.HTML
        The session's message about this field ('' when none).
    box : ipywidgets.Box
        Everything above, laid out for the panel.
    """

    def __init__(self, spec: FieldSpec, value: Any, lang: str, label_em: float):
        self.spec = spec
        self.name: str = spec.name
        self.kind: str = spec.kind
        self.lang = lang
        label = spec.label(lang)
        self.help_text = spec.help(lang)
        width = f"calc({label_em:.1f}em + 160px)"
        common: dict[str, Any] = {
            "description": label,
            "description_allow_html": False,
            "style": {"description_width": f"{label_em:.1f}em"},
            "layout": widgets.Layout(width=width),
        }
        self.toggles: list[widgets.ToggleButton] = []
        if self.kind == "int":
            self.widget: widgets.Widget = widgets.IntText(step=int(spec.step or 1), **common)
        elif self.kind == "float":
            self.widget = widgets.FloatText(step=spec.step, **common)
        elif self.kind == "bool":
            common["layout"] = widgets.Layout(width="auto")
            self.widget = widgets.Checkbox(indent=True, **common)
        elif self.kind == "choice":
            options = [(spec.choice_label(c, lang), c) for c in spec.choices]
            self.widget = widgets.Dropdown(options=options, **common)
        elif self.kind == "multi":
            self.toggles = [
                widgets.ToggleButton(
                    description=spec.choice_label(c, lang),
                    layout=widgets.Layout(width="3.2em", padding="0"),
                )
                for c in spec.choices
            ]
            caption = widgets.HTML(
                f"<div style='width:{label_em:.1f}em;text-align:right;padding-right:8px'>"
                f"{escape(label)}</div>"
            )
            self.widget = widgets.HBox([caption, *self.toggles])
        elif self.kind == "table":
            common["layout"] = widgets.Layout(width=f"calc({label_em:.1f}em + 420px)")
            self.widget = widgets.Textarea(
                rows=3, placeholder="operations.ad_bid_cny = 1.2", **common
            )
        else:
            raise ValueError(f"field {spec.name!r}: kind = {spec.kind!r} has no widget")
        self.widget.add_class(f"sim-rp-field-{_css(self.name)}")
        if self.help_text and self.kind not in ("multi",):
            self.widget.tooltip = self.help_text
        self.hint = widgets.HTML(self._hint_html(), layout=widgets.Layout(margin="0 8px"))
        self.error = widgets.HTML("")
        self.error.add_class(f"sim-rp-error-{_css(self.name)}")
        rows: list[widgets.Widget] = [widgets.HBox([self.widget, self.hint, self.error])]
        if self.help_text:
            rows.append(
                widgets.HTML(
                    f"<div style='color:#777;font-size:11.5px;line-height:1.3;"
                    f"margin:-3px 0 5px {label_em + 0.6:.1f}em;max-width:46em'>"
                    f"{escape(self.help_text)}</div>"
                )
            )
        self.box = widgets.VBox(rows)
        self.set(value)

    def _hint_html(self) -> str:
        spec, lang = self.spec, self.lang
        parts = []
        unit = spec.unit_label(lang) if spec.unit else ""
        if unit and self.kind != "multi":
            parts.append(f"<b>{escape(unit)}</b>")
        if self.kind in ("int", "float"):
            lo, hi = spec.min, spec.max
            if lo is not None and hi is not None:
                parts.append(escape(_t("range", lang, lo=_plain(lo), hi=_plain(hi))))
            elif lo is not None:
                parts.append(escape(_t("at_least", lang, lo=_plain(lo))))
            elif hi is not None:
                parts.append(escape(_t("at_most", lang, hi=_plain(hi))))
        if self.kind == "multi":
            parts.append(escape(_t("days_hint", lang)))
        if not getattr(spec, "carry", True):
            parts.append(f"<i>{escape(_t('once', lang))}</i>")
        return f"<span style='color:#555;font-size:12px'>{' · '.join(parts)}</span>"

    # ---------------------------------------------------------------- values
    def shown(self, value: Any) -> Any:
        """What the widget shows for a saved ``value`` (None: the field's default)."""
        value = self.spec.default if value is None else value
        if self.kind == "int":
            return round(float(value))
        if self.kind == "float":
            return float(value)
        if self.kind == "bool":
            return bool(value)
        if self.kind == "multi":
            return sorted(value)
        if self.kind == "table":
            return format_overrides(value) if isinstance(value, dict) else str(value)
        return value

    @property
    def value(self) -> Any:
        """The value as the widget holds it now (what :meth:`RolePanel.submit` sends)."""
        if self.kind == "multi":
            return [c for c, b in zip(self.spec.choices, self.toggles, strict=True) if b.value]
        return self.widget.value

    def set(self, value: Any) -> None:
        """Show ``value`` (as saved by the session, or as a trainee would type it)."""
        shown = self.shown(value)
        if self.kind == "multi":
            for c, b in zip(self.spec.choices, self.toggles, strict=True):
                b.value = c in shown
        elif self.kind == "choice" and shown not in self.spec.choices:
            options = list(self.widget.options)
            self.widget.options = [*options, (str(shown), shown)]  # keep it visible
            self.widget.value = shown
        else:
            self.widget.value = shown

    def observe(self, handler: Any) -> None:
        """Call ``handler`` whenever the trainee changes the value."""
        for w in self.toggles or [self.widget]:
            w.observe(handler, names="value")

    def limit_days(self, n: int) -> None:
        """Show only the days ``1..n`` of a day-of-round field (the round's length)."""
        if self.kind != "multi" or self.spec.unit != "day_of_round":
            return
        for c, b in zip(self.spec.choices, self.toggles, strict=True):
            inside = isinstance(c, int) and c <= n
            b.layout.display = None if inside else "none"
            if not inside:
                b.value = False

    def disable(self, off: bool) -> None:
        """Grey the input out (the session is over)."""
        for w in self.toggles or [self.widget]:
            w.disabled = off

    def show_error(self, text: str) -> None:
        """Show ``text`` in red next to the field ('' clears it)."""
        self.error.value = _red(text) if text else ""


def _css(name: str) -> str:
    """A field name as a CSS class fragment (``hours.AP-TEE-WHT-M`` -> ``hours-AP-TEE-WHT-M``)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)


def _groups(specs: Sequence[FieldSpec]) -> list[tuple[str, list[FieldSpec]]]:
    """Fields in order, consecutive ones of the same group (per SKU, per carrier) together."""
    out: list[tuple[str, list[FieldSpec]]] = []
    for spec in specs:
        group = getattr(spec, "group", "") or ""
        if out and group and out[-1][0] == group:
            out[-1][1].append(spec)
        else:
            out.append((group, [spec]))
    return out


def _field_of(err: BaseException, names: Sequence[str]) -> list[str]:
    """Which fields an error is about.

    Its ``field`` exactly, every field of a group (``hours.*``), or the field a dotted
    path starts with (``overrides.operations.ad_bid_cny`` -> ``overrides``).
    """
    field = str(getattr(err, "field", "") or "")
    if not field:
        return []
    if field in names:
        return [field]
    if field.endswith(".*"):
        head = field[:-1]
        return [n for n in names if n.startswith(head)]
    parts = field.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in names:
            return [".".join(parts[:i])]
    return []


# --------------------------------------------------------------------------- role panel
class RolePanel(widgets.VBox):
    """The panel of one role of one team (an ipywidgets VBox).

    Parameters
    ----------
    path : path-like
        The session folder.
    team : str
        One of the session's teams.
    role : str
        One of :data:`sim.roleplay.ROLES`.
    lang : str, optional
        ``"zh"`` or ``"en"`` (default: the current language of :mod:`sim.i18n`).

    Attributes
    ----------
    session : Session
        The session as last opened from disk.
    inputs : dict of str to FieldInput
        The decision fields by name; ``inputs[name].widget`` is the ipywidget.
    submit_button, refresh_button : ipywidgets.Button
    status : ipywidgets.HTML
        Submitted or not, unsaved edits, and the last confirmation or error message.
    table : ipywidgets.HTML
        The dashboard table (a row per KPI, a column per played round).
    chart : ipywidgets.Image
        The dashboard chart (hidden until a round has been played).
    dashboard : pandas.DataFrame
        :meth:`Session.dashboard` as last shown.
    """

    def __init__(self, path: os.PathLike | str, team: str, role: str, lang: str | None = None):
        self.path = Path(path)
        self.lang = lang_ = _check_lang(lang)
        if role not in ROLES:
            raise ValueError(f"role = {role!r}: must be one of {', '.join(ROLES)}")
        self.session: Session = Session.open(self.path)
        if team not in self.session.teams:
            raise ValueError(f"team = {team!r}: must be one of {', '.join(self.session.teams)}")
        self.team, self.role = team, role
        self.dashboard: pd.DataFrame = pd.DataFrame()
        self.message = ""

        specs = list(self.session.fields(role))
        with _speaking(lang_):
            current = self.session.decisions(team, role)
        self.inputs: dict[str, FieldInput] = {}
        blocks: list[widgets.Widget] = []
        self.group_errors: dict[str, widgets.HTML] = {}
        for group, members in _groups(specs):
            em = max(_label_em(s.label(lang_)) for s in members)
            fields = [FieldInput(s, current.get(s.name), lang_, em) for s in members]
            self.inputs.update({f.name: f for f in fields})
            if not group:
                blocks.extend(f.box for f in fields)
                continue
            err = widgets.HTML("")
            self.group_errors[group] = err
            title = i18n.t(group, lang_) if group in i18n.TEXT else group
            blocks.append(
                widgets.VBox(
                    [
                        widgets.HTML(f"<div style='margin:6px 0 2px'><b>{escape(title)}</b></div>"),
                        err,
                        widgets.GridBox(
                            [f.box for f in fields],
                            layout=widgets.Layout(
                                grid_template_columns=f"repeat(auto-fill, minmax("
                                f"calc({em:.1f}em + 300px), 1fr))",
                                grid_gap="0 12px",
                            ),
                        ),
                    ],
                    layout=widgets.Layout(border_top="1px dashed #e0e4ea", margin="4px 0"),
                )
            )
        self._limit_days()
        self._synced = self.values
        for f in self.inputs.values():
            f.observe(self._on_edit)

        role_label = i18n.t(f"roleplay.role.{role}", lang_)
        self.title = widgets.HTML(
            f"<h3 style='margin:4px 0'>{escape(_t('title', lang_, team=team, role=role_label))}"
            f"</h3><div style='color:#444'>"
            f"{escape(_t('scenario', lang_, title=_scenario_title(self.session, lang_)))}</div>"
            f"<div style='color:#444;margin:4px 0 6px'>{escape(_t(f'intro.{role}', lang_))}</div>"
        )
        self.round_info = widgets.HTML("")
        self.round_info.add_class("sim-rp-round")
        self.status = widgets.HTML("")
        self.status.add_class("sim-rp-status")
        self.submit_button = widgets.Button(
            description=_t("submit", lang_),
            button_style="primary",
            icon="check",
            layout=widgets.Layout(width="auto", min_width="150px"),
        )
        self.submit_button.add_class("sim-rp-submit")
        self.refresh_button = widgets.Button(
            description=_t("refresh", lang_),
            icon="refresh",
            layout=widgets.Layout(width="auto", min_width="110px"),
        )
        self.refresh_button.add_class("sim-rp-refresh")
        self.submit_button.on_click(lambda _b: self.submit())
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.table = widgets.HTML("")
        self.table.add_class("sim-rp-dashboard")
        self.chart = widgets.Image(format="png", layout=widgets.Layout(display="none"))
        self.chart.add_class("sim-rp-chart")

        decide = widgets.VBox(
            [
                widgets.HTML(f"<b>{escape(_t('decide', lang_))}</b>"),
                *blocks,
                widgets.HBox([self.submit_button, self.refresh_button]),
                self.status,
            ],
            layout=widgets.Layout(border="1px solid #d8dde6", padding="6px 10px", margin="4px 0"),
        )
        board = widgets.VBox(
            [widgets.HTML(f"<b>{escape(_t('dashboard', lang_))}</b>"), self.table, self.chart],
            layout=widgets.Layout(padding="6px 10px", margin="4px 0"),
        )
        super().__init__([self.title, self.round_info, decide, board])
        self.add_class("sim-rp-panel")
        self._render()

    # ---------------------------------------------------------------- state
    @property
    def values(self) -> dict[str, Any]:
        """The decisions as the widgets show them now."""
        return {name: f.value for name, f in self.inputs.items()}

    @property
    def dirty(self) -> bool:
        """True when the widgets differ from what counts for this role on disk."""
        return self.values != self._synced

    def set(self, **values: Any) -> None:
        """Put values into the decision widgets, as a trainee typing them would.

        Field names with dots (``hours.AP-TEE-WHT-M``) can be passed with ``**{...}``.
        """
        unknown = [k for k in values if k not in self.inputs]
        if unknown:
            raise KeyError(f"field {unknown[0]!r}: this role decides {', '.join(self.inputs)}")
        for k, v in values.items():
            self.inputs[k].set(v)

    def _on_edit(self, change: dict[str, Any]) -> None:
        self._status()

    # ---------------------------------------------------------------- actions
    def submit(self) -> bool:
        """Validate and save the widgets' decisions for the current round.

        Returns True when saved. Otherwise the session's message is shown next to the
        field it names (and in the status line) and False is returned; nothing is saved.
        """
        lang = self.lang
        self._clear_errors()
        try:
            with _speaking(lang):
                self.session = Session.open(self.path)  # a facilitator may have advanced
                self.session.submit(self.team, self.role, self.values)
        except RoleplayError as err:
            text = _error_text(err, lang)
            names = _field_of(err, list(self.inputs))
            for name in names[:1] if len(names) == 1 else []:
                self.inputs[name].show_error(text)
            if len(names) > 1:  # a whole group (e.g. the design hours against the budget)
                group = getattr(self.inputs[names[0]].spec, "group", "")
                if group in self.group_errors:
                    self.group_errors[group].value = _red(text)
            self.message = _red(_t("rejected", lang, message=text))
            self._status()
            return False
        except Exception as err:  # a bug, not the trainee's fault: say so plainly
            self.message = _failure_html(err, lang)
            self._status()
            return False
        played = self.session.round
        self.session = Session.open(self.path)
        self._load_decisions()
        self.message = (
            f"<span style='color:#1b7a3a'>"
            f"{escape(_t('confirm', lang, round=played, time=_now()))}</span>"
        )
        self._render_round()
        self._status()
        return True

    def refresh(self) -> None:
        """Re-open the session from disk and redraw; edits not yet submitted are kept."""
        keep = self.dirty
        self.session = Session.open(self.path)
        if keep:
            with _speaking(self.lang):
                saved = self.session.decisions(self.team, self.role)
            self._synced = {n: f.shown(saved.get(n)) for n, f in self.inputs.items()}
        else:
            self._load_decisions()
        self._clear_errors()
        self.message = _grey(_t("refreshed", self.lang, time=_now()))
        self._render()

    def _load_decisions(self) -> None:
        with _speaking(self.lang):
            current = self.session.decisions(self.team, self.role)
        for name, f in self.inputs.items():
            f.set(current.get(name))
        self._limit_days()
        self._synced = self.values

    def _limit_days(self) -> None:
        s = self.session
        if s.finished:
            return
        first, last = s.round_days(s.round)
        for f in self.inputs.values():
            f.limit_days(last - first + 1)

    def _clear_errors(self) -> None:
        for f in self.inputs.values():
            f.show_error("")
        for err in self.group_errors.values():
            err.value = ""

    # ---------------------------------------------------------------- drawing
    def _render(self) -> None:
        self._render_round()
        self._status()
        self._render_dashboard()

    def _render_round(self) -> None:
        s, lang = self.session, self.lang
        if s.finished:
            text = _t("finished", lang, rounds=s.rounds)
        else:
            first, last = s.round_days(s.round)
            text = _t("round", lang, round=s.round, rounds=s.rounds, first=first, last=last)
            with _speaking(lang):
                name = s.round_name(s.round) if hasattr(s, "round_name") else ""
            if name:
                text += f" · {name}"
        self.round_info.value = f"<div style='font-size:14px'><b>{escape(text)}</b></div>"
        self.submit_button.disabled = bool(s.finished)
        for f in self.inputs.values():
            f.disable(bool(s.finished))

    def _status(self) -> None:
        s, lang = self.session, self.lang
        lines = []
        if not s.finished:
            lines.append(
                f"<span style='color:#1b7a3a'>{escape(_t('submitted', lang))}</span>"
                if s.submitted(self.team, self.role)
                else f"<span style='color:#8a5a00'>{escape(_t('not_submitted', lang))}</span>"
            )
            if self.dirty:
                lines.append(f"<span style='color:#8a5a00'>{escape(_t('unsaved', lang))}</span>")
        if self.message:
            lines.append(self.message)
        self.status.value = "<br>".join(lines)

    def _render_dashboard(self) -> None:
        lang = self.lang
        with _speaking(lang):
            df = self.session.dashboard(self.team, self.role)
        self.dashboard = df
        if df is None or len(df) == 0:
            self.table.value = f"<div style='color:#666'>{escape(_t('no_rounds', lang))}</div>"
            self.chart.layout.display = "none"
            return
        self.table.value = _table_html(dashboard_view(df, lang), "sim-rp-table", bold_last=True)
        png = dashboard_chart_png(df, self.role, lang)
        if png:
            self.chart.value = png
            self.chart.layout.display = None
        else:
            self.chart.layout.display = "none"


def dashboard_view(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A role's dashboard turned for reading: one row per KPI, one column per played round.

    The first column holds the KPI names (with their units, as the session labels them);
    each round's column is headed ``Round 3 (16–22)``.
    """
    round_col = i18n.t("roleplay.col.round", lang)
    days_col = i18n.t("roleplay.col.days", lang)
    rounds = df[round_col].tolist() if round_col in df.columns else list(range(1, len(df) + 1))
    days = df[days_col].tolist() if days_col in df.columns else [""] * len(df)
    kpis = [c for c in df.columns if c not in (round_col, days_col)]
    heads = [
        _t("round_head", lang, round=r) + (f" ({d})" if d else "")
        for r, d in zip(rounds, days, strict=True)
    ]
    body = {_t("kpi", lang): [str(c) for c in kpis]}
    for i, head in enumerate(heads):
        body[head] = [df[c].iloc[i] for c in kpis]
    return pd.DataFrame(body)


def dashboard_chart_png(df: pd.DataFrame, role: str, lang: str, dpi: float = 90) -> bytes:
    """One small chart of a role's dashboard: its key KPIs (:data:`CHART_KPIS`) by round.

    Returns PNG bytes (empty when none of those KPIs is in ``df``).
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from sim.viz import charts
    from sim.viz.fonts import use_cjk_font

    cols = [
        i18n.t(f"roleplay.kpi.{k}", lang)
        for k in CHART_KPIS.get(role, ())
        if i18n.t(f"roleplay.kpi.{k}", lang) in df.columns
    ]
    if not cols:
        return b""
    round_col = i18n.t("roleplay.col.round", lang)
    x = df[round_col].tolist() if round_col in df.columns else list(range(1, len(df) + 1))
    use_cjk_font()
    with mpl.rc_context(charts.STYLE):
        fig = Figure(figsize=(2.35 * len(cols), 1.9), layout="constrained")
        axes = fig.subplots(1, len(cols), squeeze=False)[0]
        for ax, col in zip(axes, cols, strict=True):
            y = pd.to_numeric(df[col], errors="coerce").tolist()
            ax.plot(x, y, marker="o", color=charts.OWN, lw=1.8, ms=4)
            ax.set_title(str(col), fontsize=9)
            ax.set_xticks(x)
            ax.set_xlim(min(x) - 0.5, max(x) + 0.5)
            ax.set_xlabel(_t("chart_x", lang), fontsize=8)
            ax.tick_params(labelsize=7.5)
            ax.yaxis.set_major_formatter(FuncFormatter(_tick))
        return charts.png_bytes(fig, dpi=dpi)


def _tick(value: float, _pos: int) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def role_panel(path: os.PathLike | str, team: str, role: str, lang: str | None = None) -> RolePanel:
    """Build the panel of ``role`` in ``team`` for the session saved in ``path``.

    Examples
    --------
    >>> panel = role_panel("sessions/demo", "红队", "operations")   # doctest: +SKIP
    >>> panel.set(ad_bid_cny=2.5)                                  # doctest: +SKIP
    >>> panel.submit()                                              # doctest: +SKIP
    True
    """
    return RolePanel(path, team, role, lang=lang)


# --------------------------------------------------------------------------- facilitator
class FacilitatorPanel(widgets.VBox):
    """The facilitator's panel: submissions, Advance, leaderboard, events, Report.

    Attributes
    ----------
    session : Session
        The session as last opened from disk.
    grid, leaderboard, events, message, report_link : ipywidgets.HTML
    advance_button, refresh_button, report_button : ipywidgets.Button
    last_summary : dict or None
        What :meth:`Session.advance` returned for the last round played here.
    report_path : Path or None
        The debrief report written last.
    """

    def __init__(self, path: os.PathLike | str, lang: str | None = None):
        self.path = Path(path)
        self.lang = lang_ = _check_lang(lang)
        self.session: Session = Session.open(self.path)
        self.last_summary: dict | None = None
        self.report_path: Path | None = None
        s = self.session
        self.title = widgets.HTML(
            f"<h3 style='margin:4px 0'>{escape(_t('fac.title', lang_))} · "
            f"{escape(_scenario_title(s, lang_))}</h3><div style='color:#444'>"
            f"{escape(_t('fac.teams', lang_, teams=' / '.join(s.teams), seed=s.seed))}</div>"
        )
        self.round_info = widgets.HTML("")
        self.round_info.add_class("sim-rp-round")
        self.grid = widgets.HTML("")
        self.grid.add_class("sim-rp-grid")
        self.message = widgets.HTML("")
        self.message.add_class("sim-rp-fac-message")
        self.advance_button = self._button("fac.advance", "forward", "warning", "sim-rp-advance")
        self.refresh_button = self._button("refresh", "refresh", "", "sim-rp-fac-refresh")
        self.report_button = self._button("fac.report", "file-text", "info", "sim-rp-report")
        self.advance_button.on_click(lambda _b: self.advance())
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.report_button.on_click(lambda _b: self.report())
        self.report_link = widgets.HTML("")
        self.report_link.add_class("sim-rp-report-link")
        self.leaderboard = widgets.HTML("")
        self.leaderboard.add_class("sim-rp-leaderboard")
        self.events = widgets.HTML("")
        self.events.add_class("sim-rp-events")
        super().__init__(
            [
                self.title,
                self.round_info,
                widgets.HTML(f"<b>{escape(_t('fac.who', lang_))}</b>"),
                self.grid,
                widgets.HBox([self.advance_button, self.refresh_button, self.report_button]),
                self.message,
                self.report_link,
                widgets.HTML(f"<b>{escape(_t('fac.leaderboard', lang_))}</b>"),
                self.leaderboard,
                widgets.HTML(f"<b>{escape(_t('fac.events', lang_))}</b>"),
                self.events,
            ]
        )
        self.add_class("sim-rp-facilitator")
        self._render()

    def _button(self, key: str, icon: str, style: str, css: str) -> widgets.Button:
        b = widgets.Button(
            description=_t(key, self.lang),
            icon=icon,
            button_style=style,
            layout=widgets.Layout(width="auto", min_width="120px"),
        )
        b.add_class(css)
        return b

    # ---------------------------------------------------------------- actions
    def refresh(self) -> None:
        """Re-open the session from disk and redraw everything."""
        self.session = Session.open(self.path)
        self._render()

    def advance(self) -> dict | None:
        """Play the current round for every team; returns the session's summary (or None)."""
        lang = self.lang
        self.session = Session.open(self.path)  # with the latest submissions
        s = self.session
        if s.finished:
            self.message.value = escape(_t("fac.done", lang))
            self._render()
            return None
        played = s.round
        self.message.value = escape(_t("fac.advancing", lang, round=played))
        self._set_busy(True)
        try:
            with _speaking(lang):
                summary = s.advance()
        except RoleplayError as err:
            self.message.value = _red(_error_text(err, lang))
            return None
        except Exception as err:  # a bug: say so plainly, details below
            self.message.value = _failure_html(err, lang)
            return None
        finally:
            self._set_busy(False)
        self.last_summary = summary
        first, last = s.round_days(played)
        self.session = Session.open(self.path)
        self._render()
        text = escape(_t("fac.advanced", lang, round=played, first=first, last=last))
        if self.session.finished:
            text += " " + escape(_t("fac.done", lang))
        notes = [str(n) for n in (summary or {}).get("events", [])]
        if notes:
            items = "".join(f"<li>{escape(n)}</li>" for n in notes)
            text += (
                f"<div style='color:#333;margin-top:4px'>{escape(_t('fac.struck', lang))}"
                f"<ul style='margin:2px 0'>{items}</ul></div>"
            )
        self.message.value = f"<div style='color:#1b7a3a'>{text}</div>"
        return summary

    def report(self) -> Path | None:
        """Write the debrief report into the session folder and show a link to it."""
        lang = self.lang
        self.message.value = escape(_t("fac.reporting", lang))
        self._set_busy(True)
        try:
            self.session = Session.open(self.path)
            with _speaking(lang):
                out = Path(self.session.report(self.path / REPORT_NAME))
        except RoleplayError as err:
            self.message.value = _red(_error_text(err, lang))
            return None
        except Exception as err:
            self.message.value = _failure_html(err, lang)
            return None
        finally:
            self._set_busy(False)
        self.report_path = out
        self.message.value = ""
        # A relative link: JupyterLab resolves it against the notebook's page, which sits in
        # the session folder, and opens the report in a new browser tab.
        href = escape(_relative_href(out, self.path))
        link = f"<a href='{href}' target='_blank' rel='noopener'>{escape(_t('fac.open', lang))}</a>"
        text = escape(_t("fac.report_done", lang, link="\0", path=str(out))).replace("\0", link)
        self.report_link.value = f"<div style='margin:4px 0'>{text}</div>"
        return out

    def _set_busy(self, busy: bool) -> None:
        for b in (self.advance_button, self.report_button, self.refresh_button):
            b.disabled = busy
        if not busy:
            self.advance_button.disabled = bool(self.session.finished)

    # ---------------------------------------------------------------- drawing
    def submissions(self) -> pd.DataFrame:
        """Who has submitted this round: one row per team, one boolean column per role."""
        s = self.session
        return pd.DataFrame(
            [[bool(s.submitted(team, role)) for role in ROLES] for team in s.teams],
            index=list(s.teams),
            columns=list(ROLES),
        )

    def _render(self) -> None:
        s, lang = self.session, self.lang
        if s.finished:
            text = _t("finished", lang, rounds=s.rounds)
        else:
            first, last = s.round_days(s.round)
            text = _t("round", lang, round=s.round, rounds=s.rounds, first=first, last=last)
        self.round_info.value = f"<div style='font-size:14px'><b>{escape(text)}</b></div>"
        self.advance_button.disabled = bool(s.finished)
        self.grid.value = self._grid_html()
        with _speaking(lang):
            board = s.leaderboard()
            events = s.events()
        played = s.round > 1
        self.leaderboard.value = (
            _table_html(board, "sim-rp-board")
            if played and len(board)
            else f"<div style='color:#666'>{escape(_t('fac.no_scores', lang))}</div>"
        )
        self.events.value = (
            _table_html(self._events_view(events), "sim-rp-ev")
            if len(events)
            else f"<div style='color:#666'>{escape(_t('fac.no_events', lang))}</div>"
        )

    def _events_view(self, events: pd.DataFrame) -> pd.DataFrame:
        """The event log with headers and kinds in the panel's language, latest first."""
        lang = self.lang
        view = events.iloc[::-1].copy()
        view["kind"] = [
            i18n.t(f"roleplay.kind.{k}", lang) if f"roleplay.kind.{k}" in i18n.TEXT else k
            for k in view["kind"]
        ]
        names = {c: _t(f"fac.ev_{c}", lang) for c in ("round", "day", "kind", "team", "note")}
        return view.rename(columns=names)

    def _grid_html(self) -> str:
        lang, s = self.lang, self.session
        if s.finished:
            return f"<div style='color:#666'>{escape(_t('fac.done', lang))}</div>"
        sub = self.submissions()
        head = "".join(f"<th>{escape(i18n.t(f'roleplay.role.{r}', lang))}</th>" for r in ROLES)
        rows = []
        for team in s.teams:
            cells = "".join(
                f"<td style='color:{'#1b7a3a' if sub.loc[team, r] else '#8a5a00'}'>"
                f"{escape(_t('fac.yes' if sub.loc[team, r] else 'fac.no', lang))}</td>"
                for r in ROLES
            )
            rows.append(f"<tr><th>{escape(team)}</th>{cells}</tr>")
        missing = int((~sub.to_numpy()).sum())
        note = _t("fac.missing", lang, n=missing) if missing else _t("fac.all_in", lang)
        style = (
            "<style>.sim-rp-sub{border-collapse:collapse;font-size:13px;margin:4px 0}"
            ".sim-rp-sub th,.sim-rp-sub td{padding:3px 10px;border-bottom:1px solid #e5e5e5;"
            "text-align:left}.sim-rp-sub thead th{background:#f3f5f8}</style>"
        )
        return (
            f"{style}<table class='sim-rp-sub'><thead><tr>"
            f"<th>{escape(_t('fac.team', lang))}</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<div style='color:#555;font-size:12px'>{escape(note)}</div>"
        )


def _relative_href(target: Path, folder: Path) -> str:
    from urllib.parse import quote

    try:
        rel = Path(os.path.relpath(target, folder))
    except ValueError:  # another drive on Windows
        return target.as_uri()
    return "/".join(quote(part) for part in rel.parts)


def facilitator_panel(path: os.PathLike | str, lang: str | None = None) -> FacilitatorPanel:
    """Build the facilitator's panel for the session saved in ``path``."""
    return FacilitatorPanel(path, lang=lang)


__all__ = [
    "CHART_KPIS",
    "REPORT_NAME",
    "FacilitatorPanel",
    "FieldInput",
    "RolePanel",
    "dashboard_chart_png",
    "dashboard_view",
    "facilitator_panel",
    "format_number",
    "role_panel",
]
