"""The debrief report: one self-contained HTML page (plots embedded as base64 PNG).

Sections (each an element with a fixed ``id``): ``leaderboard`` (ranking, balanced
scorecard, decision quality, how each part is scored), ``timeline`` (per round: what
struck and what each role changed), ``kpis`` (each KPI through the rounds, one line per
team), ``roles`` (each role's dashboard per team, with a chart; ``role-<role>``),
``whatif`` (counterfactual replays) and ``questions`` (the facilitator's discussion
questions from the role-play file).

**What-ifs.** For each team the session is replayed on the same seed and the same events
with one decision changed, the other teams as played: "had <role> played the reference
policy throughout" for every role whose decisions differed from the reference, and the
counterfactuals listed in the role-play file (``[[whatif]]``, e.g. a rush order in round
1). To keep the report quick, at most four replays run per team - up to two of the file's
counterfactuals, then the roles whose plans differed most from the reference (counted in
field-rounds), skipping any that is what the team did anyway - in parallel through
joblib. What-if plans are not held to the team's budgets (they ask what the decision
would have been worth). The report shows, per team, the three with the largest change in
score.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import i18n
from sim.roleplay.config import SCORE_PARTS
from sim.roleplay.events import note
from sim.roleplay.play import Play, Setup
from sim.roleplay.roles import ROLES, validate
from sim.roleplay.scoring import scorecard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.roleplay.session import Session

SHOWN_WHATIFS = 3
MAX_REPLAYS = 4
"""What-if replays per team: the role-play file's (at most half), then roles by how far
their plan was from the reference (number of field-rounds that differ)."""
KPI_CHARTS = (
    ("score", "roleplay.kpi.score"),
    ("decision_quality", "roleplay.col.decision_quality"),
    ("revenue", "roleplay.kpi.revenue"),
    ("net_profit", "roleplay.kpi.net_profit"),
    ("conversion_rate", "roleplay.kpi.conversion_rate"),
    ("on_time_rate", "roleplay.kpi.on_time_rate"),
    ("rating", "roleplay.kpi.rating"),
    ("first_response_min", "roleplay.kpi.first_response_min"),
    ("fill_rate", "roleplay.kpi.fill_rate"),
)
ROLE_CHARTS = {
    "manager": ("profit_to_date", "cash"),
    "operations": ("revenue", "conversion_rate"),
    "design": ("listing_quality", "ctr"),
    "service": ("first_response_min", "within_target"),
    "logistics": ("on_time_rate", "lost_units"),
}
COLORS = ("#1f5fa8", "#d9534f", "#3a9a5b", "#e39b2d", "#7a5fb0", "#2aa3b5", "#8c6d46", "#555555")
CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
max-width:1100px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.55}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #1f5fa8;padding-bottom:.2em;
margin-top:2em}h3{margin-top:1.4em}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccd;padding:.25em .55em;text-align:right}th{background:#eef2f8}
td.l,th.l{text-align:left}.meta{color:#555}.warn{background:#fff4d6;padding:.5em 1em;
border-left:4px solid #e3a72d}img{max-width:100%}.small{font-size:.85em;color:#555}
ul.events li{margin:.15em 0}.tag{display:inline-block;background:#eef2f8;border-radius:3px;
padding:0 .4em;margin-right:.4em;font-size:.85em}
"""


def _t(key: str, lang: str, **fmt: Any) -> str:
    return i18n.t(key, lang, **fmt)


def _e(text: Any) -> str:
    return html.escape(str(text))


def _png(fig: Figure) -> str:
    from sim.viz.charts import png_bytes

    data = base64.b64encode(png_bytes(fig, dpi=90)).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{data}">'


def _num(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return _e(v)


def _table(columns: list[str], rows: list[list[Any]], left: int = 1) -> str:
    head = "".join(
        f'<th class="{"l" if i < left else ""}">{_e(c)}</th>' for i, c in enumerate(columns)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"l" if i < left else ""}">{v if isinstance(v, _Raw) else _num(v)}</td>'
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


class _Raw(str):
    """HTML that is already escaped."""


def _kpi_value(rec: dict[str, Any], team: str, key: str) -> float:
    v = rec["teams"][team]
    if key == "decision_quality":
        x = v["decision_quality"]
    else:
        x = v["kpis"].get(key)
    if x is None:
        return float("nan")
    return (
        100 * x
        if key in ("conversion_rate", "on_time_rate", "fill_rate", "ctr", "within_target")
        else x
    )


def _line_chart(
    records: list[dict], teams: tuple[str, ...], keys: list[tuple[str, str]], lang: str, cols: int
):
    from matplotlib.figure import Figure

    from sim.viz.fonts import use_cjk_font

    use_cjk_font()
    n = len(keys)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.6 * cols, 2.6 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    x = [rec["round"] for rec in records]
    for ax, (key, label) in zip(axes, keys, strict=False):
        for i, team in enumerate(teams):
            y = [_kpi_value(rec, team, key) for rec in records]
            ax.plot(x, y, marker="o", color=COLORS[i % len(COLORS)], label=team, lw=1.8, ms=4)
        ax.set_title(_t(label, lang), fontsize=10)
        ax.set_xticks(x)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    fig.supxlabel(_t("roleplay.report.chart.x", lang), fontsize=9)
    return fig


def _parts_chart(records: list[dict], teams: tuple[str, ...], lang: str):
    from matplotlib.figure import Figure

    from sim.viz.fonts import use_cjk_font

    use_cjk_font()
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    ax = fig.subplots()
    last = records[-1]["teams"]
    width = 0.8 / max(len(teams), 1)
    xs = np.arange(len(SCORE_PARTS))
    for i, team in enumerate(teams):
        vals = [last[team]["score"][p] for p in SCORE_PARTS]
        ax.bar(xs + i * width, vals, width, color=COLORS[i % len(COLORS)], label=team)
    ax.set_xticks(xs + width * (len(teams) - 1) / 2)
    ax.set_xticklabels([_t(f"roleplay.part.{p}", lang) for p in SCORE_PARTS])
    ax.set_ylim(0, 105)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _fmt_value(v: Any) -> str:
    if isinstance(v, bool):
        return "✓" if v else "✗"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        return "[" + ", ".join(map(str, v)) + "]"
    if isinstance(v, dict):
        return "; ".join(f"{k} = {x}" for k, x in v.items()) or "–"
    return str(v)


def _changes(session: Session, role: str, before: dict, after: dict, lang: str) -> list[str]:
    out = []
    for spec in session.fields(role):
        a, b = before.get(spec.name), after.get(spec.name)
        if a == b:
            continue
        label = spec.name if spec.group else spec.label(lang)
        out.append(f"{label}: {_fmt_value(a)} → {_fmt_value(b)}")
    if len(out) > 6:
        out = [*out[:6], f"… (+{len(out) - 6})"]
    return out


# --------------------------------------------------------------------------- what-ifs
def _changed(setup: Setup, records: list[dict], team: str, kind: str, arg: Any) -> list[dict]:
    """The effective decisions of every played round with one what-if applied."""
    ctx = setup.ctx
    out = []
    for rec in records:
        r = rec["round"]
        eff = {t: {ro: dict(d) for ro, d in v.items()} for t, v in rec["effective"].items()}
        if kind == "reference":
            eff[team][arg] = dict(setup.reference[r - 1][arg])
        else:
            w = setup.config.whatifs[arg]
            if r in w.rounds:
                n = setup.round_len(r)
                eff[team][w.role] = validate(ctx, w.role, w.values, eff[team][w.role], n)
        out.append(eff)
    return out


def _replay_task(
    slug: str,
    teams: tuple[str, ...],
    seed: int,
    records: list[dict],
    team: str,
    kind: str,
    arg: Any,
) -> tuple[float, float]:
    """Replay the played rounds with one what-if; return the team's (score, net profit).

    A module-level function of plain arguments, so joblib can run it in another process.
    """
    setup = Setup.build(slug, teams, seed)
    play = Play(setup)
    for rec, eff in zip(records, _changed(setup, records, team, kind, arg), strict=True):
        play.play_round(rec["round"], eff, rec["events"])
    res = play.results()
    sc = scorecard(res, team, setup.config)
    profit = float(res.pnl.loc[res.pnl["store"] == team, "net_profit"].sum())
    return sc["total"], profit


def whatifs(
    session: Session, lang: str, n_jobs: int | None = -1
) -> dict[str, list[dict[str, Any]]]:
    """Counterfactual replays per team, largest score change first (see module docstring).

    The replays run in parallel through joblib (``n_jobs`` as in :mod:`sim.experiments`:
    ``-1`` every core, ``1`` in this process).
    """
    setup = session.setup
    records = session.records()
    if not records:
        return {t: [] for t in session.teams}
    tasks: list[tuple[str, str, Any, str]] = []
    for team in session.teams:
        played = [rec["effective"] for rec in records]
        candidates: list[tuple[str, Any, str]] = []
        for i, w in enumerate(setup.config.whatifs[: MAX_REPLAYS // 2]):
            if any(r <= len(records) for r in w.rounds):
                title = w.title_zh if lang == "zh" else w.title_en
                candidates.append(("file", i, title))
        # roles whose plan differed most from the reference (field-rounds changed) first
        distance = {
            role: sum(
                sum(
                    rec["effective"][team][role].get(k) != v
                    for k, v in setup.reference[rec["round"] - 1][role].items()
                )
                for rec in records
            )
            for role in ROLES
        }
        for role in sorted((r for r in ROLES if distance[r]), key=lambda r: -distance[r]):
            title = _t(
                "roleplay.report.whatif.reference_role",
                lang,
                role=_t(f"roleplay.role.{role}", lang),
            )
            candidates.append(("reference", role, title))
        kept = 0
        for kind, arg, title in candidates:
            if kept == MAX_REPLAYS:
                break
            if _changed(setup, records, team, kind, arg) == played:
                continue  # the what-if is what the team did
            tasks.append((team, kind, arg, title))
            kept += 1
    import joblib

    args = (setup.slug, setup.teams, setup.seed, records)
    workers = n_jobs if n_jobs is not None and n_jobs > 0 else joblib.cpu_count()
    parallel = joblib.Parallel(n_jobs=max(1, min(len(tasks), workers)))
    results = parallel(
        joblib.delayed(_replay_task)(*args, team, kind, arg) for team, kind, arg, _ in tasks
    )
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in session.teams}
    for (team, _, _, title), (score, profit) in zip(tasks, results, strict=True):
        played_score = records[-1]["teams"][team]["score"]["total"]
        played_profit = records[-1]["teams"][team]["kpis"]["profit_to_date"]
        out[team].append(
            {
                "title": title,
                "score": score,
                "profit": profit,
                "played_score": played_score,
                "delta_score": score - played_score,
                "delta_profit": profit - played_profit,
            }
        )
    for team in out:
        out[team].sort(key=lambda x: -abs(x["delta_score"]))
        out[team] = out[team][:SHOWN_WHATIFS]
    return out


# --------------------------------------------------------------------------- sections
def _leaderboard(session: Session, records: list[dict], lang: str) -> str:
    lb = session.leaderboard()
    rows = [[_Raw(_e(v)) if i < 2 else v for i, v in enumerate(r)] for r in lb.values.tolist()]
    cfg = session.setup.config
    sc = cfg.scorecard
    weights = ", ".join(f"{_t(f'roleplay.part.{p}', lang)} {sc.weights[p]:g}" for p in SCORE_PARTS)
    formulas = [
        _t("roleplay.report.formula.profit", lang, ref=sc.profit_ref_cny_per_day),
        _t("roleplay.report.formula.on_time", lang, floor=sc.on_time_floor),
        _t("roleplay.report.formula.rating", lang, floor=sc.rating_floor),
        _t("roleplay.report.formula.service", lang, target=f"{cfg.service_target_min:g}"),
        _t("roleplay.report.formula.stock", lang, cover=f"{sc.cover_max_days:g}"),
        _t("roleplay.report.formula.rules", lang, tol=f"{sc.violation_tolerance:g}"),
    ]
    parts = [
        f'<section id="leaderboard"><h2>{_e(_t("roleplay.report.leaderboard", lang))}</h2>',
        _table(list(lb.columns), rows, left=2),
        f"<p>{_e(_t('roleplay.report.leaderboard_note', lang))}</p>",
    ]
    if records:
        parts.append(_png(_parts_chart(records, session.teams, lang)))
    parts.append(
        f"<p class='small'>{_e(_t('roleplay.report.weights', lang))}: {_e(weights)}</p>"
        f"<h3>{_e(_t('roleplay.report.formulas', lang))}</h3><ul class='small'>"
        + "".join(f"<li>{_e(f)}</li>" for f in formulas)
        + "</ul></section>"
    )
    return "".join(parts)


def _timeline(session: Session, records: list[dict], lang: str) -> str:
    setup = session.setup
    out = [
        f'<section id="timeline"><h2>{_e(_t("roleplay.report.timeline", lang))}</h2>',
        f"<p class='small'>{_e(_t('roleplay.report.timeline_note', lang))}</p>",
    ]
    prev = {t: {ro: setup.ctx.defaults[ro] for ro in ROLES} for t in session.teams}
    for rec in records:
        r = rec["round"]
        a, b = rec["days"]
        name = session.round_name(r, lang)
        heading = _t("roleplay.report.round_heading", lang, round=r, first=a, last=b, name=name)
        items = []
        for e in sorted(rec["events"], key=lambda e: (e["day"], e["team"])):
            team = e["team"] or _t("roleplay.all_teams", lang)
            kind_key = f"roleplay.kind.{e['kind']}"
            kind = _t(kind_key, lang) if kind_key in i18n.TEXT else e["kind"]
            items.append(
                f"<li><span class='tag'>{_e(kind)}</span><span class='tag'>{_e(team)}</span>"
                f"{_e(_t('roleplay.report.col.day', lang))} {e['day']}: {_e(note(e, lang))}</li>"
            )
        for t in session.teams:
            for role in ROLES:
                ch = _changes(session, role, prev[t][role], rec["effective"][t][role], lang)
                if ch:
                    text = _t(
                        "roleplay.report.changed",
                        lang,
                        role=_t(f"roleplay.role.{role}", lang),
                        changes="; ".join(ch),
                    )
                    items.append(f"<li><span class='tag'>{_e(t)}</span>{_e(text)}</li>")
            prev[t] = rec["effective"][t]
        out.append(f"<h3>{_e(heading)}</h3>")
        if items:
            out.append("<ul class='events'>" + "".join(items) + "</ul>")
        else:
            out.append(f"<p class='small'>{_e(_t('roleplay.report.no_events', lang))}</p>")
    out.append("</section>")
    return "".join(out)


def _kpis(session: Session, records: list[dict], lang: str) -> str:
    out = [f'<section id="kpis"><h2>{_e(_t("roleplay.report.kpis", lang))}</h2>']
    if records:
        out.append(_png(_line_chart(records, session.teams, list(KPI_CHARTS), lang, cols=3)))
    out.append("</section>")
    return "".join(out)


def _roles(session: Session, records: list[dict], lang: str) -> str:
    out = [f'<section id="roles"><h2>{_e(_t("roleplay.report.roles", lang))}</h2>']
    for role in ROLES:
        out.append(f'<div id="role-{role}"><h3>{_e(_t(f"roleplay.role.{role}", lang))}</h3>')
        if records:
            keys = [(k, f"roleplay.kpi.{k}") for k in ROLE_CHARTS[role]]
            out.append(_png(_line_chart(records, session.teams, keys, lang, cols=2)))
        for team in session.teams:
            df = session.dashboard(team, role)
            rows = [[_Raw(_e(v)) if i < 2 else v for i, v in enumerate(r)] for r in df.values]
            out.append(f"<p><b>{_e(team)}</b></p>")
            out.append(_table(list(df.columns), rows, left=2))
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _whatif(session: Session, lang: str, n_jobs: int | None) -> str:
    out = [
        f'<section id="whatif"><h2>{_e(_t("roleplay.report.whatif", lang))}</h2>',
        f"<p class='small'>{_e(_t('roleplay.report.whatif_note', lang))}</p>",
    ]
    cols = [
        _t("roleplay.report.col.whatif", lang),
        _t("roleplay.report.col.score_as_played", lang),
        _t("roleplay.report.col.score_whatif", lang),
        _t("roleplay.report.col.score_delta", lang),
        _t("roleplay.report.col.profit_delta", lang),
    ]
    for team, rows in whatifs(session, lang, n_jobs).items():
        out.append(f"<h3>{_e(team)}</h3>")
        if not rows:
            out.append(f"<p class='small'>{_e(_t('roleplay.report.no_whatif', lang))}</p>")
            continue
        out.append(
            _table(
                cols,
                [
                    [
                        _Raw(_e(r["title"])),
                        r["played_score"],
                        r["score"],
                        _Raw(f"{r['delta_score']:+.2f}"),
                        _Raw(f"{r['delta_profit']:+,.0f}"),
                    ]
                    for r in rows
                ],
            )
        )
    out.append("</section>")
    return "".join(out)


def _questions(session: Session, lang: str) -> str:
    cfg = session.setup.config
    qs = cfg.questions_zh if lang == "zh" else cfg.questions_en
    items = "".join(f"<li>{_e(q)}</li>" for q in qs)
    return (
        f'<section id="questions"><h2>{_e(_t("roleplay.report.questions", lang))}</h2>'
        f"<ol>{items}</ol></section>"
    )


def write(session: Session, out: Path, lang: str, n_jobs: int | None = -1) -> Path:
    """Build the report of ``session`` in ``lang`` and write it to ``out``.

    ``n_jobs``: parallel workers for the what-if replays (``-1`` every core).
    """
    from sim.fileio import atomic_write

    if lang not in i18n.LANGUAGES:
        raise ValueError(f"lang = {lang!r}: must be one of {', '.join(i18n.LANGUAGES)}")
    previous = i18n.get_language()
    i18n.set_language(lang)  # dashboards and the leaderboard read the current language
    try:
        records = session.records()
        cfg = session.setup.config
        title = _t(
            "roleplay.report.title", lang, title=cfg.title_zh if lang == "zh" else cfg.title_en
        )
        meta = _t(
            "roleplay.report.meta",
            lang,
            teams=", ".join(session.teams),
            rounds=session.rounds,
            days=session.setup.scenario.days,
            seed=session.seed,
        )
        sections = [
            _leaderboard(session, records, lang),
            _timeline(session, records, lang),
            _kpis(session, records, lang),
            _roles(session, records, lang),
            _whatif(session, lang, n_jobs),
            _questions(session, lang),
        ]
        toc_items = [
            ("leaderboard", "roleplay.report.leaderboard"),
            ("timeline", "roleplay.report.timeline"),
            ("kpis", "roleplay.report.kpis"),
            ("roles", "roleplay.report.roles"),
            ("whatif", "roleplay.report.whatif"),
            ("questions", "roleplay.report.questions"),
        ]
        toc = "".join(f'<li><a href="#{i}">{_e(_t(k, lang))}</a></li>' for i, k in toc_items)
        when = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")
        warn = ""
        if len(records) < session.rounds:
            text = _t("roleplay.report.unfinished", lang, played=len(records))
            warn = f"<p class='warn'>{_e(text)}</p>"
        page = (
            f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><title>{_e(title)}</title><style>{CSS}</style></head><body>'
            f"<h1>{_e(title)}</h1><p class='meta'>{_e(meta)}</p>"
            f"<p class='small'>{_e(_t('roleplay.report.generated', lang, when=when))}</p>{warn}"
            f"<nav><b>{_e(_t('roleplay.report.toc', lang))}</b><ol>{toc}</ol></nav>"
            + "".join(sections)
            + "</body></html>\n"
        )
        atomic_write(out, page)
    finally:
        i18n.set_language(previous)
    return out
