"""The trainer's cohort report: numbers against hand computation, lists exact, HTML safe.

A synthetic cohort of 12 trainees and 4 modules (3 released) is built here with known
answers: who missed which due date, who submitted late and by how much, which submission
failed, which hand grades are pending, and one cell everyone gets right (a constant
column). The expected numbers are computed in the tests with plain numpy/pandas,
independently of ``grading.report``, and the discrimination index is also checked on a
four-trainee example worked out by hand.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from grading import report
from sim.viz import fonts

TODAY = pd.Timestamp("2024-03-20 09:00")
MODULES = ["m01-platforms", "m02-products", "m03-pricing", "m04-inventory"]
DUE = {
    "m01-platforms": pd.Timestamp("2024-03-04 18:00"),
    "m02-products": pd.Timestamp("2024-03-11 18:00"),
    "m03-pricing": pd.Timestamp("2024-03-25 18:00"),  # not due yet on TODAY
}
# module -> [(grade_id, kind, max_points)], in notebook order
CELLS = {
    "m01-platforms": [("c1", "auto", 1.0), ("c2", "auto", 2.0), ("c3", "manual", 3.0)],
    "m02-products": [("a", "auto", 2.0), ("b", "auto", 2.0), ("w", "manual", 4.0)],
    "m03-pricing": [("p", "auto", 5.0), ("q", "auto", 5.0), ("r", "auto", 1.0)],
}
# cell r of m03 is answered right by weaker trainees: it should discriminate poorly
R_RIGHT = {"s03", "s05", "s11", "s12"}
HOSTILE_FIRST = "<script>alert(1)</script>"
HOSTILE_LAST = '$x^2$ & "Q"'
HOSTILE_GROUP = "<b>g</b>"
NAMES = [  # (last, first)
    ("王", "小明"),
    ("李", "娜"),
    ("张", "伟"),
    ("刘", "洋"),
    ("陈", "静"),
    ("杨", "磊"),
    ("赵", "敏"),
    ("黄", "强"),
    ("周", "芳"),
    ("吴", "军"),
    ("Smith", "Anna"),
    (HOSTILE_LAST, HOSTILE_FIRST),
]
ABILITY = [0.95, 0.9, 0.85, 0.9, 0.8, 0.95, 0.9, 1.0, 0.9, 0.85, 0.35, 0.3]
MISSING = {("s03", "m01-platforms"), ("s05", "m02-products"), ("s07", "m03-pricing")}
MISSING |= {("s09", "m03-pricing")}
FAILED = {("s09", "m01-platforms"): "timeout after 300 s", ("s08", "m02-products"): "kernel died"}
LATE = {
    ("s02", "m01-platforms"): 2 * 86400 + 3 * 3600 + 59,
    ("s10", "m01-platforms"): 45,
    ("s04", "m02-products"): 3725,
}
PENDING = {("s01", "m02-products", "w"), ("s04", "m02-products", "w")}


def make_cohort():
    """Roster, submissions and scores of the synthetic cohort (seeded, deterministic)."""
    ids = [f"s{i:02d}" for i in range(1, 13)]
    roster = pd.DataFrame(
        {
            "student_id": ids,
            "first_name": [f for _, f in NAMES],
            "last_name": [la for la, _ in NAMES],
            "email": [f"{s}@example.com" for s in ids],
            "group": ["一组"] * 6 + ["二组"] * 5 + [HOSTILE_GROUP],
        }
    )
    rng = np.random.default_rng(7)
    subs, rows = [], []
    for sid, ability in zip(ids, ABILITY, strict=True):
        for module, cells in CELLS.items():
            key = (sid, module)
            due = DUE[module]
            if key in MISSING:
                subs.append((sid, module, "missing", pd.NaT, due, math.nan, ""))
                continue
            late = LATE.get(key, 0)
            submitted = due + pd.Timedelta(seconds=late) if late else due - pd.Timedelta(hours=5)
            status = "failed" if key in FAILED else "graded"
            subs.append((sid, module, status, submitted, due, float(late), FAILED.get(key, "")))
            if key == ("s09", "m01-platforms"):
                continue  # the grader recorded nothing for this failed notebook
            for grade_id, kind, mx in cells:
                if key == ("s08", "m02-products"):
                    pts = math.nan if kind == "manual" else 0.0  # the kernel died: zeros
                elif (sid, module, grade_id) in PENDING:
                    pts = math.nan
                elif grade_id == "b":
                    pts = mx  # everyone gets this one right: a constant column
                elif grade_id == "r":
                    pts = float(sid in R_RIGHT)
                elif sid == "s08":
                    pts = mx
                else:
                    frac = np.clip(ability + rng.uniform(-0.1, 0.1), 0, 1)
                    pts = float(np.round(mx * frac))
                rows.append((sid, module, grade_id, kind, pts, mx))
    submissions = pd.DataFrame(
        subs,
        columns=[
            "student_id",
            "assignment",
            "status",
            "submitted_at",
            "due",
            "late_seconds",
            "reason",
        ],
    )
    scores = pd.DataFrame(
        rows, columns=["student_id", "assignment", "grade_id", "kind", "points", "max_points"]
    )
    return scores, submissions, roster


@pytest.fixture(scope="module")
def cohort():
    return make_cohort()


@pytest.fixture(scope="module")
def tables(cohort):
    return report.cohort_tables(*cohort, MODULES, lang="zh", today=TODAY)


@pytest.fixture(scope="module")
def pages(cohort, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return {
        lang: report.build_report(
            *cohort, MODULES, folder / f"report-{lang}.html", lang=lang, today=TODAY
        ).read_text(encoding="utf-8")
        for lang in ("zh", "en")
    }


def graded_points(scores, submissions, module):
    """Trainees x cells of the graded (not failed) submissions of one module, in cell order."""
    ok = submissions[(submissions["assignment"] == module) & (submissions["status"] == "graded")]
    s = scores[scores["student_id"].isin(ok["student_id"]) & (scores["assignment"] == module)]
    pts = s.pivot(index="student_id", columns="grade_id", values="points")
    return pts[[c for c, _, _ in CELLS[module]]]


# ------------------------------------------------------------------------------- item analysis
def test_discrimination_matches_a_worked_example():
    """Four trainees, three cells. Cell A = [0,1,1,1] (of 1), B = [0,0,1,2] (of 2),
    C = [1,0,1,1] (of 1). For A the rest (B + C) is [1,0,2,3]: deviations from the means
    (0.75, 1.5) are [-.75,.25,.25,.25] and [-.5,-1.5,.5,1.5]; their products sum to 0.5,
    the squares to 0.75 and 5, so r = 0.5 / sqrt(3.75) = 1/sqrt(15). Likewise B against
    [1,1,2,2] gives 1.5 / sqrt(2.75) = 3/sqrt(11), and C against [0,1,2,3] gives 1/sqrt(15).
    Full marks: A 3 of 4, B 1 of 4, C 3 of 4."""
    pts = {"A": [0, 1, 1, 1], "B": [0, 0, 1, 2], "C": [1, 0, 1, 1]}
    mx = {"A": 1.0, "B": 2.0, "C": 1.0}
    scores = pd.DataFrame(
        [
            (f"t{i}", "m01", cell, "auto", float(v), mx[cell])
            for cell, values in pts.items()
            for i, v in enumerate(values)
        ],
        columns=["student_id", "assignment", "grade_id", "kind", "points", "max_points"],
    )
    submissions = pd.DataFrame(
        {
            "student_id": [f"t{i}" for i in range(4)],
            "assignment": "m01",
            "status": "graded",
            "submitted_at": pd.Timestamp("2024-01-01"),
            "due": pd.Timestamp("2024-01-02"),
            "late_seconds": 0.0,
            "reason": "",
        }
    )
    roster = pd.DataFrame(
        {"student_id": [f"t{i}" for i in range(4)], "first_name": "A", "last_name": "B"}
    )
    items = report.cohort_tables(scores, submissions, roster, ["m01"], today=TODAY)["items"]
    assert list(items["grade_id"]) == ["A", "B", "C"]
    expected = [1 / math.sqrt(15), 3 / math.sqrt(11), 1 / math.sqrt(15)]
    np.testing.assert_allclose(items["discrimination"], expected, rtol=1e-12)
    np.testing.assert_allclose(items["difficulty"], [0.75, 0.25, 0.75])
    assert [f for f in items["flags"]] == [(), (), ()]


def test_difficulty_and_discrimination_against_numpy(cohort, tables):
    scores, submissions, _ = cohort
    items = tables["items"].set_index(["assignment", "grade_id"])
    # cell order: module order, then the order the notebook gives
    assert list(tables["items"]["grade_id"]) == [c for m in CELLS for c, _, _ in CELLS[m]]
    for module in ("m01-platforms", "m03-pricing"):  # no pending grades in these
        pts = graded_points(scores, submissions, module)
        total = pts.sum(axis=1)
        for grade_id, _, mx in CELLS[module]:
            row = items.loc[(module, grade_id)]
            x = pts[grade_id].to_numpy()
            assert row["n_submitted"] == len(pts) == row["n_scored"]
            assert row["difficulty"] == pytest.approx(np.mean(x == mx))
            r = np.corrcoef(x, total.to_numpy() - x)[0, 1]
            assert row["discrimination"] == pytest.approx(r, abs=1e-12)
    # failed submissions are left out: 12 trainees, s03 missed m01, s09's m01 failed
    assert items.loc[("m01-platforms", "c1"), "n_submitted"] == 10
    # flags follow the thresholds
    for (module, grade_id), row in items.iterrows():
        p, d = row["difficulty"], row["discrimination"]
        expected = tuple(
            name
            for name, on in (
                ("too_hard", p < 0.2),
                ("too_easy", p > 0.95),
                ("poor_discrimination", d < 0.2),
            )
            if on
        )
        assert row["flags"] == expected, (module, grade_id)
    # the cell the weaker trainees get right correlates negatively and is flagged
    assert items.loc[("m03-pricing", "r"), "discrimination"] < 0
    assert items.loc[("m03-pricing", "r"), "flags"] == ("poor_discrimination",)
    assert items.loc[("m02-products", "w"), "flags"] == ("too_hard",)


def test_pending_hand_grades_are_to_grade_not_zero(cohort, tables):
    scores, submissions, _ = cohort
    items = tables["items"].set_index(["assignment", "grade_id"])
    w = items.loc[("m02-products", "w")]
    pts = graded_points(scores, submissions, "m02-products")
    scored = pts["w"].dropna()
    assert (w["n_submitted"], w["to_grade"], w["n_scored"]) == (10, 2, 8)
    assert w["difficulty"] == pytest.approx(np.mean(scored == 4.0))
    assert w["mean_pct"] == pytest.approx(scored.mean() / 4.0)
    # the auto cell of the same module: the rest is the share of the other graded cells
    rest = (pts["b"] + pts["w"].fillna(0)) / (2 + 4 * pts["w"].notna())
    r = np.corrcoef(pts["a"], rest)[0, 1]
    assert items.loc[("m02-products", "a"), "discrimination"] == pytest.approx(r, abs=1e-12)
    # a trainee's module score leaves the pending answer out instead of counting it as 0
    s01 = tables["scores"].set_index(["student_id", "assignment"]).loc[("s01", "m02-products")]
    mine = scores[(scores["student_id"] == "s01") & (scores["assignment"] == "m02-products")]
    graded = mine.dropna(subset=["points"])
    assert s01["pct"] == pytest.approx(graded["points"].sum() / graded["max_points"].sum())
    assert s01["to_grade"] == 1 and s01["max_points"] == 4.0
    # the headline counts every pending answer: s01, s04, failed s08 (m02) and s09 (m01)
    assert tables["summary"]["to_grade"].iloc[0] == 4
    to_grade = tables["modules"].set_index("assignment")["to_grade"]
    assert to_grade.to_dict() == {
        "m01-platforms": 1,
        "m02-products": 3,
        "m03-pricing": 0,
        "m04-inventory": 0,
    }


def test_constant_column_has_no_discrimination_and_shows_a_dash(tables, pages):
    b = tables["items"].set_index(["assignment", "grade_id"]).loc[("m02-products", "b")]
    assert b["difficulty"] == 1.0 and math.isnan(b["discrimination"])
    assert b["flags"] == ("too_easy",)
    for lang, page in pages.items():
        row = re.search(r"<tr[^>]*><td>m02-products</td><td>b</td>(.*?)</tr>", page)
        assert row, lang
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        # kind, points, scored/submitted, to grade, full marks, mean, discrimination, flags
        assert cells[4] == "100%" and cells[6] == "—", (lang, cells)
        assert cells[7] == html.escape(report._flag_text("too_easy", lang)), (lang, cells)


def test_rounding_noise_is_a_constant_column_too():
    """The rest of the module is 0.3 for everyone, but sums to 0.30000000000000004 for two
    of them: that is a constant, not a correlation of +-1."""
    values = {"X": [0.0, 1.0, 1.0], "Y": [0.1, 0.3, 0.2], "Z": [0.2, 0.0, 0.1]}
    scores = pd.DataFrame(
        [
            (f"t{i}", "m01", cell, "auto", v, 1.0)
            for cell, vs in values.items()
            for i, v in enumerate(vs)
        ],
        columns=["student_id", "assignment", "grade_id", "kind", "points", "max_points"],
    )
    submissions = pd.DataFrame(
        {
            "student_id": ["t0", "t1", "t2"],
            "assignment": "m01",
            "status": "graded",
            "submitted_at": pd.NaT,
            "due": pd.NaT,
            "late_seconds": 0.0,
        }
    )
    roster = pd.DataFrame({"student_id": ["t0", "t1", "t2"], "first_name": "", "last_name": ""})
    items = report.cohort_tables(scores, submissions, roster, ["m01"], today=TODAY)["items"]
    assert 0.0 < np.std(np.array(values["Y"]) + values["Z"])  # the noise is there
    assert math.isnan(items["discrimination"].iloc[0])


# ------------------------------------------------------------------------------- the lists
def test_behind_list_is_exact(tables):
    behind = tables["behind"]
    got = [(r.student_id, r.reason, r.modules) for r in behind.itertuples()]
    assert got == [
        # roster order: group ("<b>g</b>" < "一组" < "二组"), then id
        ("s12", "low_score", ("m01-platforms", "m02-products", "m03-pricing")),
        ("s03", "missing", ("m01-platforms",)),
        ("s05", "missing", ("m02-products",)),
        # s09: failed m01 scores 0; m03 is missing but not due yet, so it does not count
        ("s09", "low_score", ("m01-platforms",)),
        ("s11", "low_score", ("m01-platforms", "m02-products", "m03-pricing")),
    ]
    # s08 scored 0 on a failed m02, 6/6 and 10/11 elsewhere: mean 0.636, not behind
    prog = tables["progress"].set_index("student_id")
    assert prog.loc["s08", "mean_pct"] == pytest.approx((1 + 0 + 10 / 11) / 3)
    assert prog.loc["s09", "m01-platforms"] == 0.0
    assert tables["summary"]["behind"].iloc[0] == 5
    # mean over submitted modules, module by module, against plain pandas
    pct = tables["scores"].pivot(index="student_id", columns="assignment", values="pct")
    means = pct.mean(axis=1)
    low = sorted(means[means < 0.6].index)
    assert low == sorted(behind.loc[behind["reason"] == "low_score", "student_id"])


def test_behind_threshold_moves_the_list(cohort):
    tables = report.cohort_tables(*cohort, MODULES, today=TODAY, behind_threshold=0.3)
    assert list(tables["behind"]["reason"]) == ["missing", "missing"]
    # before the first due date nobody has missed anything
    early = report.cohort_tables(*cohort, MODULES, today=pd.Timestamp("2024-03-01"))
    assert "missing" not in set(early["behind"]["reason"])


def test_late_list_is_exact_and_humanised(cohort):
    for lang, texts in (
        ("zh", ["2 天 3 小时", "45 秒", "1 小时 2 分钟"]),
        ("en", ["2 d 3 h", "45 s", "1 h 2 min"]),
    ):
        late = report.cohort_tables(*cohort, MODULES, today=TODAY, lang=lang)["late"]
        assert list(zip(late["student_id"], late["assignment"], strict=True)) == [
            ("s02", "m01-platforms"),
            ("s10", "m01-platforms"),
            ("s04", "m02-products"),
        ]
        assert list(late["late_seconds"]) == [2 * 86400 + 3 * 3600 + 59, 45, 3725]
        assert list(late["late_text"]) == texts
        assert late["submitted_at"].iloc[0] == DUE["m01-platforms"] + pd.Timedelta("2D3h59s")


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (0.3, "1 秒", "1 s"),
        (59, "59 秒", "59 s"),
        (60, "1 分钟", "1 min"),
        (3600 + 59, "1 小时", "1 h"),
        (86400, "1 天", "1 d"),
        (86400 + 60, "1 天", "1 d"),
        (3 * 86400 + 7200, "3 天 2 小时", "3 d 2 h"),
        (0, "—", "—"),
        (math.nan, "—", "—"),
    ],
)
def test_humanize_seconds(seconds, zh, en):
    assert report.humanize_seconds(seconds, "zh") == zh
    assert report.humanize_seconds(seconds, "en") == en


def test_failed_submissions_and_headline(tables):
    failed = tables["failed"]
    assert list(zip(failed["student_id"], failed["assignment"], failed["reason"], strict=True)) == [
        ("s09", "m01-platforms", "timeout after 300 s"),
        ("s08", "m02-products", "kernel died"),
    ]
    s = tables["summary"].iloc[0]
    assert (s["trainees"], s["modules"], s["modules_released"]) == (12, 4, 3)
    assert (s["received"], s["expected"], s["missing_past_due"]) == (32, 36, 2)
    assert (s["failed"], s["late"]) == (2, 3)
    mods = tables["modules"].set_index("assignment")
    assert not mods.loc["m04-inventory", "released"]
    # mean per module over every submission (failed ones at the score they got)
    pct = tables["scores"].pivot(index="student_id", columns="assignment", values="pct")
    for m in MODULES[:3]:
        assert mods.loc[m, "mean_pct"] == pytest.approx(pct[m].mean())
    states = tables["scores"].set_index(["student_id", "assignment"])["state"]
    assert states[("s03", "m01-platforms")] == "missing"
    assert states[("s07", "m03-pricing")] == "open"
    assert states[("s09", "m01-platforms")] == "failed"
    assert states[("s01", "m04-inventory")] == "not_released"


def test_names_follow_the_language():
    assert report.display_name("小明", "王", "zh") == "王小明"
    assert report.display_name("小明", "王", "en") == "王小明"  # Chinese names: family first
    assert report.display_name("Anna", "Smith", "zh") == "Smith Anna"
    assert report.display_name("Anna", "Smith", "en") == "Anna Smith"
    assert report.display_name("Anna", "", "en") == "Anna"


def test_time_zones_and_bad_input(cohort):
    scores, submissions, roster = cohort
    aware = submissions.copy()
    for col in ("due", "submitted_at"):
        aware[col] = aware[col].dt.tz_localize("Asia/Shanghai")
    tables = report.cohort_tables(scores, aware, roster, MODULES, today=TODAY)
    assert tables["summary"]["behind"].iloc[0] == 5
    bad = submissions.copy()
    bad.loc[0, "status"] = "lost"
    with pytest.raises(ValueError, match="status"):
        report.cohort_tables(scores, bad, roster, MODULES, lang="en", today=TODAY)
    with pytest.raises(ValueError, match="max_points"):
        report.cohort_tables(scores.drop(columns="max_points"), submissions, roster, MODULES)


# ------------------------------------------------------------------------------- the page
SECTIONS = ["headline", "distribution", "items", "progress", "behind", "late", "failed"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_has_every_section_in_order(pages, lang):
    page = pages[lang]
    places = [
        page.find(f'<section id="{s}"><h2>{report._t("sec." + s, lang)}</h2>') for s in SECTIONS
    ]
    assert all(p > 0 for p in places), dict(zip(SECTIONS, places, strict=True))
    assert places == sorted(places)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    other = "en" if lang == "zh" else "zh"
    assert report._t("sec.items", other) not in page
    # names as people write them in the language, the rows of every list present
    assert "王小明" in page
    assert ("Smith Anna" if lang == "zh" else "Anna Smith") in page
    assert "timeout after 300 s" in page and "kernel died" in page
    assert ("2 天 3 小时" if lang == "zh" else "2 d 3 h") in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_is_self_contained_and_escapes_the_roster(pages, lang):
    page = pages[lang]
    assert "<script" not in page.lower()
    assert "<b>g</b>" not in page
    assert html.escape(HOSTILE_FIRST) in page and html.escape(HOSTILE_GROUP) in page
    assert html.escape(HOSTILE_LAST) in page
    assert not re.search(r"(src|href)=\"(?!data:)", page), "no external resources"
    assert "http://" not in page and "https://" not in page
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">', page)
    assert len(images) == 2
    for data in images:
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        assert img.format == "PNG" and img.size[0] > 400 and img.size[1] > 300


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_plots_draw_only_characters_the_font_has(cohort, tables):
    font = FT2Font(str(fonts.font_path()))
    figs = report.report_figures(tables, "zh")
    drawn = "".join(t for fig in figs.values() for t in _texts(fig))
    chars = {c for c in drawn if ord(c) > 0x2E7F}
    assert len(chars) > 20, "the zh plots should carry Chinese titles, legends and names"
    assert "王小明" in drawn and report._t("plot.heat_title", "zh") in drawn
    missing = sorted(c for c in chars if font.get_char_index(ord(c)) == 0)
    assert not missing, f"characters without a glyph: {''.join(missing)}"
    # English plots: every word of ours is English (only the trainees' names are Chinese)
    en_tables = report.cohort_tables(*cohort, MODULES, lang="en", today=TODAY)
    en = report.report_figures(en_tables, "en")
    names = set(en_tables["progress"]["name"])
    ours = [t for fig in en.values() for t in _texts(fig) if t.replace("\\$", "$") not in names]
    assert len(ours) > 10
    assert not any("\u4e00" <= c <= "\u9fff" for t in ours for c in t), ours


def test_a_dollar_in_a_name_is_not_mathtext(tables):
    fig = report.report_figures(tables, "zh")["progress"]  # zh: family name first
    label = next(t for t in fig.axes[0].get_yticklabels() if "x^2" in t.get_text())
    text, is_math = label._preprocess_math(label.get_text())
    assert not is_math and text == f"{HOSTILE_LAST} {HOSTILE_FIRST}"
