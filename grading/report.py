"""The trainer's cohort report: one self-contained HTML page for Monday morning.

:func:`cohort_tables` turns the gradebook export (one row per trainee × module × graded
cell), the submission log (one row per trainee × released module) and the roster into
tidy tables; :func:`build_report` writes them, with two plots, as an HTML file with no
external resources (plots are base64 PNGs, CSS is inline, no JavaScript).

What the numbers mean
---------------------
* A trainee's **score** on a module is points over maximum points of the cells graded so
  far: a written answer still waiting for its hand grade (``kind == "manual"``, points
  NaN) is *to grade* and left out of both, never counted as zero. An autograded cell with
  no row for a submitted notebook counts as zero.
* A **submission** is a row with status ``graded`` or ``failed``. A failed submission
  (kernel died, timeout, tampered test cell …) keeps the points the grader recorded
  (usually zero) in the trainee's score, and is listed for follow-up.
* **Difficulty** of a cell is the share of graded submissions (failed ones excluded:
  their zeros say nothing about the exercise) with full marks on it, among those where
  the cell has a grade.
* **Discrimination** is the corrected item–total correlation: Pearson's r between the
  cell's score and the rest of the trainee's module (module total minus that cell), over
  trainees with a graded submission. The rest is taken as a share of the maximum points
  of the other *graded* cells, so a pending hand grade neither counts as zero nor drops
  the trainee; when every cell is graded this is a constant multiple of "total minus the
  cell" and gives the same r. Undefined (a constant column, fewer than two trainees, a
  module with one cell) is NaN, shown as "—".
* Flags: too hard below 20 % full marks, too easy above 95 %, poor discrimination below
  0.2 (the usual rules of thumb of classical item analysis, e.g. Ebel & Frisbie,
  *Essentials of Educational Measurement*, 1991: items under 0.2 need revising).
* A trainee is **behind** when a module's due date has passed without a submission, or
  when the unweighted mean of their module scores (over submitted modules) is below
  ``behind_threshold``.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from sim import i18n
from sim.viz.fonts import use_cjk_font

__all__ = [
    "DIFFICULTY_EASY",
    "DIFFICULTY_HARD",
    "DISCRIMINATION_POOR",
    "build_report",
    "cohort_tables",
    "display_name",
    "humanize_seconds",
    "report_figures",
]

DIFFICULTY_HARD = 0.20  # under this share of full marks: too hard
DIFFICULTY_EASY = 0.95  # over this share of full marks: too easy
DISCRIMINATION_POOR = 0.20  # corrected item-total r under this: discriminates poorly
_EPS = 1e-9  # points within this of the maximum are full marks
_FLAT = 1e-12  # a standard deviation under this is a constant column

STATUSES = ("graded", "missing", "failed")
KINDS = ("auto", "manual")
SUBMITTED = ("graded", "failed")
_REQUIRED = {
    "scores": ("student_id", "assignment", "grade_id", "kind", "points", "max_points"),
    "submissions": ("student_id", "assignment", "status", "submitted_at", "due", "late_seconds"),
    "roster": ("student_id", "first_name", "last_name"),
}

# states of a trainee x module cell (heatmap colours and table classes)
STATE_COLORS = {
    "missing": "#d1495b",  # due date passed, nothing submitted
    "open": "#e4e4e4",  # not submitted, not due yet
    "not_released": "#fafafa",
    "pending": "#b9c6d6",  # submitted, nothing graded yet
}
FAILED_EDGE = "#b00020"
CMAP = "YlGnBu"

_P = "grading.report."
ENTRIES: dict[str, tuple[str, str]] = {
    _P + "title": ("学员进度报告", "Cohort report"),
    _P + "generated": ("截至 {date}", "As of {date}"),
    # sections
    _P + "sec.headline": ("概览", "At a glance"),
    _P + "sec.distribution": ("各模块得分分布", "Score distribution per module"),
    _P + "sec.items": ("练习题分析:难度与区分度", "Exercises: difficulty and discrimination"),
    _P + "sec.progress": ("学员进度", "Progress of each trainee"),
    _P + "sec.behind": ("需要跟进的学员", "Trainees who are behind"),
    _P + "sec.late": ("迟交记录", "Late submissions"),
    _P + "sec.failed": ("评分失败的提交", "Failed submissions"),
    # headline
    _P + "trainees": ("学员人数", "Trainees"),
    _P + "released": ("已发布模块", "Modules released"),
    _P + "received": ("已收到提交 / 应交", "Submissions received / expected"),
    _P + "behind_n": ("需跟进学员", "Trainees behind"),
    _P + "to_grade_n": ("待人工评分的答案", "Answers to grade by hand"),
    _P + "ignored": (
        "有 {n} 行数据的学员不在名单中,已忽略。",
        "{n} rows for trainees not on the roster were ignored.",
    ),
    # columns
    _P + "col.module": ("模块", "Module"),
    _P + "col.received": ("已交 / 应交", "Received / expected"),
    _P + "col.mean": ("平均分", "Mean"),
    _P + "col.median": ("中位数", "Median"),
    _P + "col.missing_due": ("逾期未交", "Missing, past due"),
    _P + "col.failed": ("评分失败", "Failed"),
    _P + "col.late": ("迟交", "Late"),
    _P + "col.to_grade": ("待评分", "To grade"),
    _P + "col.due": ("截止时间", "Due"),
    _P + "col.submitted": ("提交时间", "Submitted"),
    _P + "col.late_by": ("迟交时长", "Late by"),
    _P + "col.id": ("编号", "ID"),
    _P + "col.trainee": ("学员", "Trainee"),
    _P + "col.group": ("小组", "Group"),
    _P + "col.cell": ("题目", "Cell"),
    _P + "col.kind": ("评分方式", "Graded"),
    _P + "col.points": ("分值", "Points"),
    _P + "col.scored": ("已评 / 已交", "Scored / submitted"),
    _P + "col.full": ("满分率", "Full marks"),
    _P + "col.cell_mean": ("平均得分率", "Mean score"),
    _P + "col.discrimination": ("区分度", "Discrimination"),
    _P + "col.flags": ("提示", "Flags"),
    _P + "col.reason": ("原因", "Reason"),
    _P + "col.modules": ("涉及模块", "Modules"),
    _P + "col.mean_all": ("平均得分率", "Mean score"),
    # values
    _P + "kind.auto": ("自动", "auto"),
    _P + "kind.manual": ("人工", "by hand"),
    _P + "flag.too_hard": ("过难:满分率低于 {pct}", "too hard: under {pct} full marks"),
    _P + "flag.too_easy": ("过易:满分率高于 {pct}", "too easy: over {pct} full marks"),
    _P + "flag.poor": ("区分度低:低于 {v}", "discriminates poorly: under {v}"),
    _P + "reason.missing": ("截止时间已过仍未提交", "not submitted, due date passed"),
    _P + "reason.low_score": (
        "已交模块平均得分率 {pct},低于 {thr}",
        "mean score {pct} over submitted modules, below {thr}",
    ),
    _P + "state.missing": ("逾期未交", "missing, past due"),
    _P + "state.open": ("未交(未到截止)", "not submitted, not due yet"),
    _P + "state.not_released": ("未发布", "not released"),
    _P + "state.pending": ("待评分", "to grade"),
    _P + "state.failed": ("评分失败", "grading failed"),
    _P + "none.behind": ("没有需要跟进的学员。", "Nobody is behind."),
    _P + "none.late": ("没有迟交。", "No late submissions."),
    _P + "none.failed": ("没有评分失败的提交。", "No failed submissions."),
    _P + "none.items": ("还没有已评分的提交。", "No graded submissions yet."),
    _P + "unit.d": ("{n} 天", "{n} d"),
    _P + "unit.h": ("{n} 小时", "{n} h"),
    _P + "unit.min": ("{n} 分钟", "{n} min"),
    _P + "unit.s": ("{n} 秒", "{n} s"),
    # notes under the sections
    _P + "note.items": (
        "满分率:已评分提交中该题得满分的比例。区分度:该题得分与学员本模块其余题目得分的"
        "皮尔逊相关系数(校正题–总相关);“—”表示无法计算(例如所有人得分相同)。"
        "待人工评分的答案计入“待评分”,不按零分计;评分失败的提交不计入本表。",
        "Full marks: share of graded submissions with full marks on the cell. Discrimination: "
        "Pearson correlation between the cell's score and the rest of the trainee's module "
        "(corrected item–total correlation); “—” means undefined (e.g. everyone scored the "
        "same). Answers waiting for a hand grade count as “to grade”, not as zero; failed "
        "submissions are left out of this table.",
    ),
    _P + "note.progress": (
        "得分率 = 已评分题目的得分 ÷ 其满分;待人工评分的题目暂不计入。",
        "Score = points on the cells graded so far ÷ their maximum; answers still to be "
        "graded by hand are left out until graded.",
    ),
    _P + "note.behind": (
        "以下学员有截止时间已过仍未提交的模块,或已交模块的平均得分率低于 {thr}。",
        "Trainees with a module past its due date and not submitted, or whose mean score "
        "over submitted modules is below {thr}.",
    ),
    # plots
    _P + "plot.dist_title": (
        "各模块得分率(每个点是一名学员)",
        "Score per module (one dot per trainee)",
    ),
    _P + "plot.score": ("得分率", "Score"),
    _P + "plot.threshold": ("跟进线 {thr}", "Behind threshold {thr}"),
    _P + "plot.n": ("{n} 人", "n = {n}"),
    _P + "plot.heat_title": ("学员 × 模块得分率", "Score by trainee and module"),
    _P + "plot.scored": ("已评分", "graded"),
    # input errors
    _P + "err.columns": ("{table} 缺少列:{missing}", "{table} is missing column(s): {missing}"),
    _P + "err.values": (
        "{table}.{column} 含有不允许的取值 {bad};允许:{allowed}",
        "{table}.{column} has values {bad}; allowed: {allowed}",
    ),
    _P + "err.duplicate": (
        "{table} 中有重复的行:{rows}",
        "{table} has duplicate rows for: {rows}",
    ),
}
i18n.register(ENTRIES)


def _t(key: str, lang: str, **fmt: Any) -> str:
    return i18n.t(_P + key, lang, **fmt)


def _check_lang(lang: str) -> str:
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"lang = {lang!r}: must be one of {', '.join(i18n.LANGUAGES)}")
    return lang


# ----------------------------------------------------------------------------- text helpers
def _is_cjk(text: str) -> bool:
    return any("\u2e80" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def display_name(first: str, last: str, lang: str) -> str:
    """Return a trainee's name as people write it in ``lang``.

    Chinese puts the family name first ("last_name first_name"), English the given name
    first ("first_name last_name"). A name written in Chinese characters in both parts
    is written family name first and without a space in either language (王 + 小明 →
    王小明), as Chinese names always are; any other pair is joined with a space.
    """
    first, last = _text(first).strip(), _text(last).strip()
    if first and last and _is_cjk(first) and _is_cjk(last):
        return last + first
    parts = [last, first] if lang == "zh" else [first, last]
    return " ".join(p for p in parts if p)


def humanize_seconds(seconds: float, lang: str) -> str:
    """Say a duration with its two largest units, rounded down: ``2 天 3 小时`` / ``2 d 3 h``.

    Any positive duration under a second reads as one second; zero or NaN reads as "—".
    """
    if seconds is None or not np.isfinite(seconds) or seconds <= 0:
        return "—"
    total = max(1, int(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        n, total = divmod(total, size)
        if n or parts:
            parts.append((unit, n))
        if len(parts) == 2:
            break
    if len(parts) == 2 and parts[1][1] == 0:
        parts = parts[:1]
    return " ".join(_t(f"unit.{unit}", lang, n=n) for unit, n in parts)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _pct(x: float, digits: int = 0) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return f"{x * 100:.{digits}f}%"


def _num(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _when(ts: Any) -> str:
    return "—" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")


def _plain(text: str) -> str:
    """Make roster text safe for matplotlib: a ``$`` must not start mathtext."""
    return text.replace("$", r"\$")


# ----------------------------------------------------------------------------- input checks
def _require(df: pd.DataFrame, table: str, lang: str) -> None:
    missing = [c for c in _REQUIRED[table] if c not in df.columns]
    if missing:
        raise ValueError(_t("err.columns", lang, table=table, missing=", ".join(missing)))


def _allowed(df: pd.DataFrame, table: str, column: str, allowed: Sequence[str], lang: str):
    bad = sorted(set(df[column]) - set(allowed), key=str)
    if bad:
        raise ValueError(
            _t(
                "err.values",
                lang,
                table=table,
                column=column,
                bad=", ".join(map(repr, bad)),
                allowed=", ".join(allowed),
            )
        )


def _unique(df: pd.DataFrame, table: str, keys: list[str], lang: str) -> None:
    dup = df[df.duplicated(keys, keep=False)]
    if len(dup):
        rows = "; ".join("/".join(map(str, r)) for r in dup[keys].drop_duplicates().head(5).values)
        raise ValueError(_t("err.duplicate", lang, table=table, rows=rows))


def _localize(ts: pd.Series, tz: Any) -> pd.Series:
    ts = pd.to_datetime(ts)
    if tz is not None and ts.dt.tz is None:
        return ts.dt.tz_localize(tz)
    if tz is None and ts.dt.tz is not None:
        return ts.dt.tz_localize(None)
    return ts


def _prepare(scores, submissions, roster, modules, today, lang):
    for df, name in ((scores, "scores"), (submissions, "submissions"), (roster, "roster")):
        _require(df, name, lang)
    modules = list(dict.fromkeys(str(m) for m in modules))

    ros = pd.DataFrame(
        {
            "student_id": roster["student_id"].map(_text),
            "first_name": roster["first_name"].map(_text),
            "last_name": roster["last_name"].map(_text),
            "group": roster["group"].map(_text) if "group" in roster else "",
        }
    )
    _unique(ros, "roster", ["student_id"], lang)
    ros["name"] = [
        display_name(f, la, lang) or s
        for f, la, s in zip(ros["first_name"], ros["last_name"], ros["student_id"], strict=True)
    ]
    ros = ros.sort_values(["group", "student_id"], kind="stable").reset_index(drop=True)
    known = set(ros["student_id"])

    sub = pd.DataFrame(
        {
            "student_id": submissions["student_id"].map(_text),
            "assignment": submissions["assignment"].map(_text),
            "status": submissions["status"].map(_text),
            "submitted_at": pd.to_datetime(submissions["submitted_at"]),
            "due": pd.to_datetime(submissions["due"]),
            "late_seconds": pd.to_numeric(submissions["late_seconds"]).astype(float),
            "reason": submissions["reason"].map(_text) if "reason" in submissions else "",
        }
    )
    _allowed(sub, "submissions", "status", STATUSES, lang)
    sco = pd.DataFrame(
        {
            "student_id": scores["student_id"].map(_text),
            "assignment": scores["assignment"].map(_text),
            "grade_id": scores["grade_id"].map(_text),
            "kind": scores["kind"].map(_text),
            "points": pd.to_numeric(scores["points"]).astype(float),
            "max_points": pd.to_numeric(scores["max_points"]).astype(float),
        }
    )
    _allowed(sco, "scores", "kind", KINDS, lang)

    ignored = int((~sub["student_id"].isin(known)).sum() + (~sco["student_id"].isin(known)).sum())
    sub = sub[sub["student_id"].isin(known) & sub["assignment"].isin(modules)]
    sco = sco[sco["student_id"].isin(known) & sco["assignment"].isin(modules)]
    _unique(sub, "submissions", ["student_id", "assignment"], lang)
    _unique(sco, "scores", ["student_id", "assignment", "grade_id"], lang)
    sco = sco[sco["max_points"] > 0]  # a zero-point cell changes no score

    tz = sub["due"].dt.tz
    now = pd.Timestamp.now(tz=tz) if today is None else pd.Timestamp(today)
    if tz is not None and now.tz is None:
        now = now.tz_localize(tz)
    elif tz is None and now.tz is not None:
        now = now.tz_localize(None)
    sub = sub.reset_index(drop=True)
    return sco.reset_index(drop=True), sub, ros, modules, now, ignored


# ----------------------------------------------------------------------------- the tables
def _cells(sco: pd.DataFrame, modules: list[str]) -> pd.DataFrame:
    """Each module's graded cells in course order, then in the order the export gives them."""
    cells = sco.groupby(["assignment", "grade_id"], sort=False).agg(
        kind=("kind", "first"), max_points=("max_points", "max")
    )
    cells = cells.reset_index()
    cells["_order"] = cells["assignment"].map({m: i for i, m in enumerate(modules)})
    return cells.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _grid(sco: pd.DataFrame, sub: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Every cell of every submitted notebook, with its points (NaN = still to grade)."""
    submitted = sub.loc[sub["status"].isin(SUBMITTED), ["student_id", "assignment", "status"]]
    grid = submitted.merge(cells, on="assignment", how="inner")
    grid = grid.merge(
        sco[["student_id", "assignment", "grade_id", "points", "max_points"]].rename(
            columns={"max_points": "row_max"}
        ),
        on=["student_id", "assignment", "grade_id"],
        how="left",
    )
    grid["max_points"] = grid["row_max"].fillna(grid["max_points"])
    # an autograded cell with no grade earned nothing; a hand-graded one is still to grade
    grid["to_grade"] = grid["points"].isna() & (grid["kind"] == "manual")
    grid["points"] = grid["points"].where(~grid["points"].isna() | grid["to_grade"], 0.0)
    return grid.drop(columns="row_max")


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.std(x) < _FLAT or np.std(y) < _FLAT:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    return float(np.sum(dx * dy) / math.sqrt(np.sum(dx * dx) * np.sum(dy * dy)))


def _items(grid: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    graded = grid[grid["status"] == "graded"]
    rows = []
    for module, cell_rows in cells.groupby("assignment", sort=False):
        g = graded[graded["assignment"] == module]
        pts = g.pivot(index="student_id", columns="grade_id", values="points")
        mx = g.pivot(index="student_id", columns="grade_id", values="max_points")
        for cell in cell_rows.itertuples(index=False):
            c = cell.grade_id
            n_sub = len(pts)
            if c in pts:
                x = pts[c]
                scored = x.notna()
                frac = x / mx[c]
                others = [o for o in pts.columns if o != c]
                rest_pts = pts[others].sum(axis=1, min_count=1)
                rest_max = mx[others].where(pts[others].notna()).sum(axis=1)
                ok = scored & (rest_max > 0)
                rest = rest_pts[ok] / rest_max[ok]
                n_scored = int(scored.sum())
                n_full = int((x[scored] >= mx[c][scored] - _EPS).sum())
                mean = float(frac[scored].mean()) if n_scored else math.nan
                disc = _pearson(frac[ok].to_numpy(float), rest.to_numpy(float))
            else:
                n_scored = n_full = 0
                mean = disc = math.nan
            difficulty = n_full / n_scored if n_scored else math.nan
            flags = []
            if difficulty < DIFFICULTY_HARD:
                flags.append("too_hard")
            if difficulty > DIFFICULTY_EASY:
                flags.append("too_easy")
            if disc < DISCRIMINATION_POOR:
                flags.append("poor_discrimination")
            rows.append(
                {
                    "assignment": module,
                    "grade_id": c,
                    "kind": cell.kind,
                    "max_points": float(cell.max_points),
                    "n_submitted": n_sub,
                    "n_scored": n_scored,
                    "to_grade": n_sub - n_scored,
                    "n_full": n_full,
                    "difficulty": difficulty,
                    "mean_pct": mean,
                    "discrimination": disc,
                    "flags": tuple(flags),
                }
            )
    columns = [
        "assignment",
        "grade_id",
        "kind",
        "max_points",
        "n_submitted",
        "n_scored",
        "to_grade",
        "n_full",
        "difficulty",
        "mean_pct",
        "discrimination",
        "flags",
    ]
    return pd.DataFrame(rows, columns=columns)


def cohort_tables(
    scores: pd.DataFrame,
    submissions: pd.DataFrame,
    roster: pd.DataFrame,
    modules: Sequence[str],
    *,
    lang: str = "zh",
    today: pd.Timestamp | None = None,
    behind_threshold: float = 0.6,
) -> dict[str, pd.DataFrame]:
    """Compute every table of the cohort report.

    Parameters
    ----------
    scores, submissions, roster
        The gradebook export, the submission log and the roster (columns as in
        :func:`build_report`). Rows of trainees not on the roster, or of modules not in
        ``modules``, are left out.
    modules
        Module ids in course order; only these appear, in this order.
    lang
        ``"zh"`` or ``"en"``: how names and durations are written.
    today
        When due dates are compared (default: now, in the due dates' time zone).
    behind_threshold
        A mean score (0–1) over submitted modules below this puts a trainee on the
        behind list.

    Returns
    -------
    dict of str to DataFrame
        Scores are shares from 0 to 1; NaN where undefined.

        ``summary`` (one row)
            trainees, modules, modules_released, expected, received, missing_past_due,
            failed, late, to_grade, behind, behind_threshold, ignored_rows, today.
        ``modules`` (one row per module, course order)
            assignment, released, expected, received, missing_past_due, failed, late,
            to_grade, mean_pct, median_pct.
        ``scores`` (one row per roster trainee × module)
            student_id, assignment, state (``graded`` | ``failed`` | ``pending`` |
            ``missing`` | ``open`` | ``not_released``), points, max_points (over the
            cells graded so far), pct, to_grade, due, submitted_at.
        ``items`` (one row per graded cell, course order then cell order)
            assignment, grade_id, kind, max_points, n_submitted (graded submissions),
            n_scored, to_grade, n_full, difficulty (n_full / n_scored), mean_pct,
            discrimination, flags (tuple of ``too_hard``, ``too_easy``,
            ``poor_discrimination``).
        ``progress`` (one row per trainee, roster order by group then id)
            student_id, name, group, one column of pct per module, mean_pct, submitted,
            missing_past_due.
        ``behind`` (one row per trainee and reason)
            student_id, name, group, reason (``missing`` | ``low_score``), modules (tuple
            of module ids: the missing ones, or the submitted ones under the threshold),
            mean_pct.
        ``late``
            student_id, name, group, assignment, due, submitted_at, late_seconds,
            late_text; course order, then the latest first.
        ``failed``
            student_id, name, group, assignment, submitted_at, reason; course order.
    """
    lang = _check_lang(lang)
    sco, sub, ros, modules, now, ignored = _prepare(
        scores, submissions, roster, modules, today, lang
    )
    cells = _cells(sco, modules)
    grid = _grid(sco, sub, cells)
    order = {m: i for i, m in enumerate(modules)}

    # one row per trainee x submitted module: points over the cells graded so far
    graded_cells = grid[~grid["to_grade"]]
    per = (
        graded_cells.groupby(["student_id", "assignment"])
        .agg(points=("points", "sum"), max_points=("max_points", "sum"))
        .reset_index()
    )
    pending = grid.groupby(["student_id", "assignment"])["to_grade"].sum().rename("to_grade")

    full = pd.MultiIndex.from_product(
        [ros["student_id"], modules], names=["student_id", "assignment"]
    ).to_frame(index=False)
    tab = full.merge(sub, on=["student_id", "assignment"], how="left")
    tab = tab.merge(per, on=["student_id", "assignment"], how="left")
    tab = tab.merge(pending.reset_index(), on=["student_id", "assignment"], how="left")
    tab["to_grade"] = tab["to_grade"].fillna(0).astype(int)
    submitted = tab["status"].isin(SUBMITTED)
    tab.loc[submitted, ["points", "max_points"]] = tab.loc[
        submitted, ["points", "max_points"]
    ].fillna(0.0)
    tab["pct"] = np.where(
        submitted & (tab["max_points"] > 0), tab["points"] / tab["max_points"], np.nan
    )
    released = set(sub["assignment"])
    due_passed = tab["due"].notna() & (tab["due"] < now)
    tab["state"] = np.select(
        [
            ~tab["assignment"].isin(released),
            tab["status"] == "failed",
            (tab["status"] == "graded") & tab["pct"].notna(),
            tab["status"] == "graded",
            (tab["status"] == "missing") & due_passed,
        ],
        ["not_released", "failed", "graded", "pending", "missing"],
        default="open",
    )
    tab["released"] = tab["assignment"].isin(released)
    scores_tab = tab[
        [
            "student_id",
            "assignment",
            "state",
            "points",
            "max_points",
            "pct",
            "to_grade",
            "due",
            "submitted_at",
        ]
    ].copy()

    # per module
    mod_rows = []
    for m in modules:
        t = tab[tab["assignment"] == m]
        s = sub[sub["assignment"] == m]
        got = t["pct"].dropna()
        mod_rows.append(
            {
                "assignment": m,
                "released": m in released,
                "expected": len(s),
                "received": int(s["status"].isin(SUBMITTED).sum()),
                "missing_past_due": int((t["state"] == "missing").sum()),
                "failed": int((s["status"] == "failed").sum()),
                "late": int(((s["late_seconds"] > 0) & s["status"].isin(SUBMITTED)).sum()),
                "to_grade": int(t["to_grade"].sum()),
                "mean_pct": float(got.mean()) if len(got) else math.nan,
                "median_pct": float(got.median()) if len(got) else math.nan,
            }
        )
    mod_tab = pd.DataFrame(mod_rows)

    # progress, wide
    wide = tab.pivot(index="student_id", columns="assignment", values="pct")
    wide = wide.reindex(index=ros["student_id"], columns=modules)
    prog = ros[["student_id", "name", "group"]].copy()
    for m in modules:
        prog[m] = wide[m].to_numpy(float)
    prog["mean_pct"] = wide.mean(axis=1, skipna=True).to_numpy(float)
    counts = tab.groupby("student_id")["state"].agg(
        submitted=lambda s: int(s.isin(("graded", "failed", "pending")).sum()),
        missing_past_due=lambda s: int((s == "missing").sum()),
    )
    prog = prog.merge(counts.reset_index(), on="student_id", how="left")

    # behind
    who = ros.set_index("student_id")
    behind_rows = []
    for sid, mean in zip(prog["student_id"], prog["mean_pct"], strict=True):
        mine = tab[tab["student_id"] == sid]
        missing = tuple(mine.loc[mine["state"] == "missing", "assignment"])
        base = {"student_id": sid, "name": who.at[sid, "name"], "group": who.at[sid, "group"]}
        if missing:
            behind_rows.append({**base, "reason": "missing", "modules": missing, "mean_pct": mean})
        if np.isfinite(mean) and mean < behind_threshold:
            low = tuple(mine.loc[mine["pct"] < behind_threshold, "assignment"])
            behind_rows.append({**base, "reason": "low_score", "modules": low, "mean_pct": mean})
    behind = pd.DataFrame(
        behind_rows, columns=["student_id", "name", "group", "reason", "modules", "mean_pct"]
    )

    # late and failed submissions
    names = ros[["student_id", "name", "group"]]
    late = sub[sub["status"].isin(SUBMITTED) & (sub["late_seconds"] > 0)].merge(
        names, on="student_id"
    )
    late["_order"] = late["assignment"].map(order)
    late = late.sort_values(["_order", "late_seconds"], ascending=[True, False], kind="stable")
    late["late_text"] = [humanize_seconds(s, lang) for s in late["late_seconds"]]
    late = late[
        [
            "student_id",
            "name",
            "group",
            "assignment",
            "due",
            "submitted_at",
            "late_seconds",
            "late_text",
        ]
    ].reset_index(drop=True)
    failed = sub[sub["status"] == "failed"].merge(names, on="student_id")
    failed["_order"] = failed["assignment"].map(order)
    failed["_roster"] = failed["student_id"].map({s: i for i, s in enumerate(ros["student_id"])})
    failed = failed.sort_values(["_order", "_roster"], kind="stable")
    failed = failed[
        ["student_id", "name", "group", "assignment", "submitted_at", "reason"]
    ].reset_index(drop=True)

    summary = pd.DataFrame(
        [
            {
                "trainees": len(ros),
                "modules": len(modules),
                "modules_released": int(mod_tab["released"].sum()) if len(mod_tab) else 0,
                "expected": int(mod_tab["expected"].sum()) if len(mod_tab) else 0,
                "received": int(mod_tab["received"].sum()) if len(mod_tab) else 0,
                "missing_past_due": int((tab["state"] == "missing").sum()),
                "failed": len(failed),
                "late": len(late),
                "to_grade": int(tab["to_grade"].sum()),
                "behind": int(behind["student_id"].nunique()),
                "behind_threshold": float(behind_threshold),
                "ignored_rows": ignored,
                "today": now,
            }
        ]
    )
    return {
        "summary": summary,
        "modules": mod_tab,
        "scores": scores_tab,
        "items": _items(grid, cells),
        "progress": prog,
        "behind": behind,
        "late": late,
        "failed": failed,
    }


# ----------------------------------------------------------------------------- the plots
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
}


def _module_order(tables: dict[str, pd.DataFrame]) -> list[str]:
    return list(tables["modules"]["assignment"])


def distribution_figure(tables: dict[str, pd.DataFrame], lang: str = "zh") -> Figure:
    """Box plot with one dot per trainee of each module's scores (failed ones as red ×)."""
    lang = _check_lang(lang)
    use_cjk_font()
    modules = _module_order(tables)
    sc = tables["scores"]
    thr = float(tables["summary"]["behind_threshold"].iloc[0])
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(max(5.5, 1.1 * len(modules) + 2.0), 4.2), layout="constrained")
        ax = fig.add_subplot()
        data, pos = [], []
        ticks = []
        for i, m in enumerate(modules):
            got = sc[(sc["assignment"] == m) & sc["pct"].notna()]
            vals = got["pct"].to_numpy(float) * 100
            if len(vals):
                data.append(vals)
                pos.append(i)
                # deterministic jitter: spread the dots by their rank
                rank = np.argsort(np.argsort(vals, kind="stable"), kind="stable")
                off = ((rank % 7) - 3) * 0.045
                fail = (got["state"] == "failed").to_numpy()
                ax.scatter(
                    i + off[~fail], vals[~fail], s=16, color="#1f5fa8", alpha=0.7, lw=0, zorder=3
                )
                if fail.any():
                    ax.scatter(
                        i + off[fail], vals[fail], s=28, marker="x", color=FAILED_EDGE, zorder=3
                    )
            released = bool(tables["modules"]["released"].iloc[i])
            note = _t("plot.n", lang, n=len(vals)) if released else _t("state.not_released", lang)
            ticks.append(f"{m}\n{note}")
        if data:
            ax.boxplot(
                data,
                positions=pos,
                widths=0.55,
                showfliers=False,
                patch_artist=True,
                boxprops={"facecolor": "#dfe8f3", "edgecolor": "#5b6b82"},
                medianprops={"color": "#1f3b63", "linewidth": 1.6},
                whiskerprops={"color": "#5b6b82"},
                capprops={"color": "#5b6b82"},
                zorder=1,
            )
        ax.axhline(thr * 100, color="#c8453b", lw=1, ls="--", zorder=0)
        ax.text(
            len(modules) - 0.5,
            thr * 100,
            _t("plot.threshold", lang, thr=_pct(thr)),
            ha="right",
            va="bottom",
            fontsize=8,
            color="#c8453b",
        )
        handles = [
            Line2D([], [], marker="o", ls="", color="#1f5fa8", label=_t("plot.scored", lang)),
            Line2D([], [], marker="x", ls="", color=FAILED_EDGE, label=_t("state.failed", lang)),
        ]
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1, 1), ncols=2)
        ax.set_xticks(range(len(modules)), ticks)
        ax.set_xlim(-0.6, len(modules) - 0.4)
        ax.set_ylim(-4, 104)
        ax.yaxis.set_major_formatter(PercentFormatter(100))
        ax.set_ylabel(_t("plot.score", lang))
        ax.set_title(_t("plot.dist_title", lang), loc="left")
        ax.grid(axis="y", alpha=0.3)
    return fig


def progress_figure(tables: dict[str, pd.DataFrame], lang: str = "zh") -> Figure:
    """Heatmap of each trainee's score per module; states without a score in flat colours."""
    lang = _check_lang(lang)
    use_cjk_font()
    modules = _module_order(tables)
    prog = tables["progress"]
    sc = tables["scores"].set_index(["student_id", "assignment"])
    ids = list(prog["student_id"])
    cmap = mpl.colormaps[CMAP]
    norm = Normalize(0, 100)
    rgb = np.ones((max(len(ids), 1), max(len(modules), 1), 4))
    with mpl.rc_context(STYLE):
        fig = Figure(
            figsize=(max(5.5, 0.95 * len(modules) + 3.6), 1.9 + 0.3 * max(len(ids), 1)),
            layout="constrained",
        )
        ax = fig.add_subplot()
        texts = []
        for r, sid in enumerate(ids):
            for c, m in enumerate(modules):
                row = sc.loc[(sid, m)]
                state, pct = row["state"], row["pct"]
                if state in ("graded", "failed") and np.isfinite(pct):
                    color = cmap(norm(pct * 100))
                    texts.append((r, c, f"{pct * 100:.0f}", color, state == "failed"))
                else:
                    color = to_rgba(STATE_COLORS.get(state, STATE_COLORS["pending"]))
                    if state == "failed":
                        texts.append((r, c, "", color, True))
                rgb[r, c] = color
        ax.imshow(rgb, aspect="auto", interpolation="nearest")
        for c, released in enumerate(tables["modules"]["released"]):
            if not released:
                ax.add_patch(
                    Rectangle(
                        (c - 0.5, -0.5), 1, len(ids), fill=False, hatch="//", ec="#d0d0d0", lw=0
                    )
                )
        for r, c, label, color, fail in texts:
            lum = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
            ax.text(
                c,
                r,
                label,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if lum < 0.5 else "#222222",
            )
            if fail:
                ax.add_patch(
                    Rectangle((c - 0.46, r - 0.44), 0.92, 0.88, fill=False, ec=FAILED_EDGE, lw=2)
                )
        ax.set_xticks(range(len(modules)), modules, rotation=30, ha="right")
        ax.set_yticks(range(len(ids)), [_plain(n) for n in prog["name"]])
        ax.set_xticks(np.arange(-0.5, len(modules)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(ids)), minor=True)
        ax.grid(which="minor", color="white", lw=1.2)
        ax.tick_params(which="minor", length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(_t("plot.heat_title", lang), loc="left")
        sm = ScalarMappable(norm=norm, cmap=cmap)
        bar = fig.colorbar(sm, ax=ax, fraction=0.04, pad=0.015, aspect=25)
        bar.ax.yaxis.set_major_formatter(PercentFormatter(100))
        handles = [
            Patch(facecolor=STATE_COLORS[s], edgecolor="#999999", label=_t(f"state.{s}", lang))
            for s in ("missing", "open", "pending")
        ]
        handles.append(
            Patch(
                facecolor=STATE_COLORS["not_released"],
                edgecolor="#999999",
                hatch="//",
                label=_t("state.not_released", lang),
            )
        )
        handles.append(
            Patch(facecolor="none", edgecolor=FAILED_EDGE, lw=2, label=_t("state.failed", lang))
        )
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
    return fig


def report_figures(tables: dict[str, pd.DataFrame], lang: str = "zh") -> dict[str, Figure]:
    """The report's figures, by name (``distribution``, ``progress``), built from ``tables``."""
    return {
        "distribution": distribution_figure(tables, lang),
        "progress": progress_figure(tables, lang),
    }


def _png_base64(fig: Figure, dpi: float = 100) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=dpi)
    fig.clear()  # Figure objects are not in pyplot's registry: clearing frees them
    return base64.b64encode(buf.getvalue()).decode("ascii")


# ----------------------------------------------------------------------------- the HTML page
CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
margin:24px auto;max-width:1100px;padding:0 16px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:0}h2{font-size:1.2em;margin-top:2em;
border-bottom:2px solid #1f5fa8;padding-bottom:3px}
.as-of{color:#666;margin-top:2px}.note{color:#555;font-size:.9em;max-width:60em}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #d5dde8;border-radius:6px;padding:8px 14px;min-width:9em}
.card .v{font-size:1.5em;font-weight:600;color:#1f5fa8}.card .k{color:#555;font-size:.9em}
.card.alert .v{color:#c8453b}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}
th,td{border:1px solid #d5dde8;padding:3px 8px;text-align:left;vertical-align:top;
white-space:nowrap}td.wrap{white-space:normal;min-width:12em}
th{background:#eef3f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.flagged td{background:#fff4e5}.flag{color:#a04000}
td.missing{background:#d1495b;color:#fff}td.open{background:#e4e4e4}
td.pending{background:#b9c6d6}td.failed{outline:2px solid #b00020;outline-offset:-2px}
td.not_released{color:#999}
img{max-width:100%;height:auto}.scroll{overflow-x:auto}
"""


def _esc(value: Any) -> str:
    return html.escape(_text(value), quote=True)


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] = frozenset()) -> str:
    """An HTML table; every cell is text (escaped here) or a ``(text, class)`` pair."""
    out = ['<div class="scroll"><table><thead><tr>']
    out += [f"<th>{_esc(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cls = ""
        if row and isinstance(row[-1], dict):
            cls = f' class="{_esc(row[-1].get("class", ""))}"'
            row = row[:-1]
        out.append(f"<tr{cls}>")
        for i, cell in enumerate(row):
            text, klass = cell if isinstance(cell, tuple) else (cell, "")
            klass = " ".join(k for k in (klass, "n" if i in numeric else "") if k)
            attr = f' class="{_esc(klass)}"' if klass else ""
            out.append(f"<td{attr}>{_esc(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _section(key: str, lang: str, body: str) -> str:
    anchor = key.replace("_", "-")
    return f'<section id="{anchor}"><h2>{_esc(_t(f"sec.{key}", lang))}</h2>{body}</section>'


def _flag_text(code: str, lang: str) -> str:
    if code == "too_hard":
        return _t("flag.too_hard", lang, pct=_pct(DIFFICULTY_HARD))
    if code == "too_easy":
        return _t("flag.too_easy", lang, pct=_pct(DIFFICULTY_EASY))
    return _t("flag.poor", lang, v=_num(DISCRIMINATION_POOR))


def _html(tables: dict[str, pd.DataFrame], images: dict[str, str], lang: str) -> str:
    s = tables["summary"].iloc[0]
    thr = float(s["behind_threshold"])
    modules = _module_order(tables)
    parts = []

    # 1. headline
    cards = [
        (_t("trainees", lang), str(s["trainees"]), False),
        (_t("released", lang), f"{s['modules_released']} / {s['modules']}", False),
        (_t("received", lang), f"{s['received']} / {s['expected']}", False),
        (_t("behind_n", lang), str(s["behind"]), s["behind"] > 0),
        (_t("to_grade_n", lang), str(s["to_grade"]), False),
    ]
    body = '<div class="cards">' + "".join(
        f'<div class="card{" alert" if alert else ""}"><div class="v">{_esc(v)}</div>'
        f'<div class="k">{_esc(k)}</div></div>'
        for k, v, alert in cards
    )
    body += "</div>"
    rows = []
    for m in tables["modules"].itertuples(index=False):
        if not m.released:
            rows.append([m.assignment, (_t("state.not_released", lang), "not_released")] + [""] * 6)
            continue
        rows.append(
            [
                m.assignment,
                f"{m.received} / {m.expected}",
                _pct(m.mean_pct, 1),
                _pct(m.median_pct, 1),
                m.missing_past_due,
                m.failed,
                m.late,
                m.to_grade,
            ]
        )
    header = [
        _t(k, lang)
        for k in (
            "col.module",
            "col.received",
            "col.mean",
            "col.median",
            "col.missing_due",
            "col.failed",
            "col.late",
            "col.to_grade",
        )
    ]
    body += _table(header, rows, numeric={1, 2, 3, 4, 5, 6, 7})
    if s["ignored_rows"]:
        body += f'<p class="note">{_esc(_t("ignored", lang, n=s["ignored_rows"]))}</p>'
    parts.append(_section("headline", lang, body))

    # 2. distribution
    alt = _esc(_t("plot.dist_title", lang))
    parts.append(
        _section(
            "distribution",
            lang,
            f'<img alt="{alt}" src="data:image/png;base64,{images["distribution"]}">',
        )
    )

    # 3. items
    items = tables["items"]
    if len(items) and items["n_submitted"].sum():
        rows = []
        for it in items.itertuples(index=False):
            flags = "; ".join(_flag_text(f, lang) for f in it.flags)
            row = [
                it.assignment,
                it.grade_id,
                _t(f"kind.{it.kind}", lang),
                _num(it.max_points),
                f"{it.n_scored} / {it.n_submitted}",
                it.to_grade if it.kind == "manual" else "",
                _pct(it.difficulty),
                _pct(it.mean_pct),
                _num(round(it.discrimination, 2)) if np.isfinite(it.discrimination) else "—",
                (flags, "flag wrap"),
            ]
            if flags:
                row.append({"class": "flagged"})
            rows.append(row)
        header = [
            _t(k, lang)
            for k in (
                "col.module",
                "col.cell",
                "col.kind",
                "col.points",
                "col.scored",
                "col.to_grade",
                "col.full",
                "col.cell_mean",
                "col.discrimination",
                "col.flags",
            )
        ]
        body = _table(header, rows, numeric={3, 4, 5, 6, 7, 8})
    else:
        body = f"<p>{_esc(_t('none.items', lang))}</p>"
    body += f'<p class="note">{_esc(_t("note.items", lang))}</p>'
    parts.append(_section("items", lang, body))

    # 4. progress
    alt = _esc(_t("plot.heat_title", lang))
    body = f'<img alt="{alt}" src="data:image/png;base64,{images["progress"]}">'
    sc = tables["scores"].set_index(["student_id", "assignment"])
    rows = []
    for p in tables["progress"].itertuples(index=False):
        row = [p.student_id, p.name, p.group]
        for m in modules:
            cell = sc.loc[(p.student_id, m)]
            state = cell["state"]
            if state in ("graded", "failed"):
                text = _pct(cell["pct"])
                if cell["to_grade"]:
                    text += f" (+{int(cell['to_grade'])} {_t('state.pending', lang)})"
                row.append((text, "failed" if state == "failed" else ""))
            else:
                row.append((_t(f"state.{state}", lang), state))
        row.append(_pct(p.mean_pct))
        rows.append(row)
    header = [_t("col.id", lang), _t("col.trainee", lang), _t("col.group", lang), *modules]
    header.append(_t("col.mean_all", lang))
    body += _table(header, rows, numeric={len(header) - 1})
    body += f'<p class="note">{_esc(_t("note.progress", lang))}</p>'
    parts.append(_section("progress", lang, body))

    # 5. behind
    behind = tables["behind"]
    body = f'<p class="note">{_esc(_t("note.behind", lang, thr=_pct(thr)))}</p>'
    if len(behind):
        rows = []
        for b in behind.itertuples(index=False):
            if b.reason == "missing":
                reason = _t("reason.missing", lang)
            else:
                reason = _t("reason.low_score", lang, pct=_pct(b.mean_pct), thr=_pct(thr))
            rows.append(
                [b.student_id, b.name, b.group, (reason, "wrap"), (", ".join(b.modules), "wrap")]
            )
        header = [
            _t(k, lang) for k in ("col.id", "col.trainee", "col.group", "col.reason", "col.modules")
        ]
        body += _table(header, rows)
    else:
        body += f"<p>{_esc(_t('none.behind', lang))}</p>"
    parts.append(_section("behind", lang, body))

    # 6. late
    late = tables["late"]
    if len(late):
        rows = [
            [
                r.student_id,
                r.name,
                r.group,
                r.assignment,
                _when(r.due),
                _when(r.submitted_at),
                r.late_text,
            ]
            for r in late.itertuples(index=False)
        ]
        header = [
            _t(k, lang)
            for k in (
                "col.id",
                "col.trainee",
                "col.group",
                "col.module",
                "col.due",
                "col.submitted",
                "col.late_by",
            )
        ]
        body = _table(header, rows, numeric={6})
    else:
        body = f"<p>{_esc(_t('none.late', lang))}</p>"
    parts.append(_section("late", lang, body))

    # 7. failed
    failed = tables["failed"]
    if len(failed):
        rows = [
            [r.student_id, r.name, r.group, r.assignment, _when(r.submitted_at), (r.reason, "wrap")]
            for r in failed.itertuples(index=False)
        ]
        header = [
            _t(k, lang)
            for k in (
                "col.id",
                "col.trainee",
                "col.group",
                "col.module",
                "col.submitted",
                "col.reason",
            )
        ]
        body = _table(header, rows)
    else:
        body = f"<p>{_esc(_t('none.failed', lang))}</p>"
    parts.append(_section("failed", lang, body))

    title = _t("title", lang)
    as_of = _t("generated", lang, date=_when(s["today"]))
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{_esc(title)}</h1><p class="as-of">{_esc(as_of)}</p>'
        + "".join(parts)
        + "</body></html>\n"
    )


def build_report(
    scores: pd.DataFrame,
    submissions: pd.DataFrame,
    roster: pd.DataFrame,
    modules: Sequence[str],
    out: str | Path,
    *,
    lang: str = "zh",
    today: pd.Timestamp | None = None,
    behind_threshold: float = 0.6,
) -> Path:
    """Write the cohort report as one self-contained HTML file and return its path.

    Parameters
    ----------
    scores
        One row per trainee × module × graded cell: ``student_id``, ``assignment``,
        ``grade_id``, ``kind`` (``"auto"`` | ``"manual"``), ``points`` (NaN: a hand grade
        not given yet), ``max_points``.
    submissions
        One row per trainee × released module: ``student_id``, ``assignment``, ``status``
        (``"graded"`` | ``"missing"`` | ``"failed"``), ``submitted_at``, ``due``,
        ``late_seconds`` (0 on time, NaN when missing), ``reason``.
    roster
        ``student_id``, ``first_name``, ``last_name``, ``email``, ``group`` (may be "").
    modules
        Module ids in course order: the report's columns, in this order.
    out
        Path of the HTML file to write (its folder is created).
    lang
        ``"zh"`` or ``"en"``.
    today
        When due dates are compared (default: now).
    behind_threshold
        Mean score (0–1) over submitted modules under which a trainee is behind.

    Returns
    -------
    Path
        ``out``. The sections, in order: at a glance, score distribution, exercises
        (difficulty and discrimination), progress, behind, late, failed. Every roster
        string is HTML-escaped; the page loads nothing from outside and runs no script.
    """
    lang = _check_lang(lang)
    tables = cohort_tables(
        scores,
        submissions,
        roster,
        modules,
        lang=lang,
        today=today,
        behind_threshold=behind_threshold,
    )
    images = {name: _png_base64(fig) for name, fig in report_figures(tables, lang).items()}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_html(tables, images, lang), encoding="utf-8")
    return out
