"""The presentation layer: charts render in both languages with real Chinese glyphs,
no warnings, no pyplot; the lever panel re-runs the scenario and reports bad input."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings

import pytest
from conftest import ROOT
from matplotlib.ft2font import FT2Font
from PIL import Image

from sim import i18n, load_scenario, run
from sim.viz import charts, fonts, labels  # noqa: F401  (labels registers the chart words)


@pytest.fixture(scope="module")
def results():
    return run(load_scenario("ordinary-month", days=5), seed=3)


def test_shipped_font_has_every_chinese_character_we_show():
    """Every Chinese character of every label, message and KPI name has a glyph in the font
    that the project installs itself (mplfonts' Noto Sans CJK SC), so no tofu boxes."""
    import sim.kpi  # noqa: F401  (registers the KPI names)

    path = fonts.font_path()
    assert path is not None and path.is_file(), "mplfonts' Noto Sans CJK SC must be installed"
    font = FT2Font(str(path))
    chars = {c for zh, _ in i18n.TEXT.values() for c in zh if ord(c) > 0x2E7F}
    assert len(chars) > 200, "the label table should hold the course's Chinese words"
    missing = sorted(c for c in chars if font.get_char_index(ord(c)) == 0)
    assert not missing, f"characters without a glyph: {''.join(missing)}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_every_chart_renders_without_warnings(results, name, lang):
    """Warnings are errors here: a missing glyph, a deprecation or a pandas warning fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = charts.CHARTS[name](results, lang)
        png = charts.png_bytes(fig, dpi=60)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size[0] > 300 and img.size[1] > 200
    # a real chart, not a blank canvas: many distinct colours
    assert len(img.convert("RGB").getcolors(1 << 20)) > 50


def test_chart_titles_follow_the_language(results):
    zh = charts.traffic_and_funnel(results, "zh")
    en = charts.traffic_and_funnel(results, "en")
    zh_text = " ".join(t.get_text() for ax in zh.axes for t in [ax.title, ax.xaxis.label])
    en_text = " ".join(t.get_text() for ax in en.axes for t in [ax.title, ax.xaxis.label])
    assert any("\u4e00" <= c <= "\u9fff" for c in zh_text)
    assert not any("\u4e00" <= c <= "\u9fff" for c in en_text)


def test_cjk_font_comes_first_for_sans_serif():
    import matplotlib as mpl

    assert fonts.use_cjk_font()
    assert mpl.rcParams["font.sans-serif"][0] == fonts.CJK_FAMILY


def test_core_and_cli_never_import_pyplot(tmp_path):
    """The core is pure, and charts use Figure objects: no pyplot, no global state."""
    code = (
        "import sys\n"
        "from sim import load_scenario, run\n"
        "from sim.viz import charts\n"
        "r = run(load_scenario('ordinary-month', days=2), seed=1)\n"
        f"charts.save_all(r, {str(tmp_path)!r})\n"
        "print('matplotlib.pyplot' in sys.modules, 'ipywidgets' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
    assert out.stderr == "", f"stderr must stay empty (font warnings?): {out.stderr}"
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        f"{n}.png" for n in charts.CHARTS
    )


def test_panel_reruns_on_a_lever_and_reports_bad_input():
    from sim.viz import lever_panel

    panel = lever_panel(
        load_scenario("ordinary-month", days=4), levers=["agents", "reorder"], lang="en"
    )
    base = panel.results
    assert panel.error == "" and base is not None
    panel.set(agents=1)
    assert panel.results is not base
    one = panel.results.tickets
    panel.set(agents=6)
    six = panel.results.tickets
    # more agents: a shorter mean first response (same shoppers, common random numbers)
    assert six["wait_min"].mean() < one["wait_min"].mean()
    assert (
        panel.scenario.store.decisions.agents
        != load_scenario("ordinary-month").store.decisions.agents
    )
    # s = S is not allowed: the panel shows the message, keeps the last good results
    good = panel.results
    panel.set(reorder=(10, 10))
    assert "reorder point" in panel.error
    assert panel.results is good
    assert panel.seconds is not None and panel.seconds > 0


def test_waterfall_steps_add_up_to_net_profit():
    # a scenario with overheads: every cost line must be somewhere in the waterfall
    r = run(load_scenario("mid-year-618", days=10), seed=0)
    assert r.pnl["overheads"].sum() > 0
    steps = charts._pnl_steps(r)
    assert sum(v for _, v in steps) == pytest.approx(r.pnl["net_profit"].sum(), abs=0.01)
