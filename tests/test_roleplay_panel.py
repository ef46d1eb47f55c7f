"""The role-play panels and notebooks without a browser.

The panels are driven as a trainee drives them: values typed into the widgets, buttons
clicked with ``Button.click()``. Every check reads the session back from disk with a fresh
``Session.open`` (what another kernel would see), so a panel that only changed its own
widgets would fail. One 双十一 session per test; rounds are played only where a test needs
them (an advance of both teams takes a few seconds).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from sim import i18n
from sim.roleplay import ROLES, Session
from sim.roleplay.notebooks import FACILITATOR_NOTEBOOK, notebook_name, write_notebooks
from sim.roleplay.panel import (
    REPORT_NAME,
    dashboard_view,
    facilitator_panel,
    format_number,
    role_panel,
)

TEAMS = ("红队", "蓝队")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def sdir(tmp_path) -> Path:
    path = tmp_path / "session"
    Session.new(path, scenario="double11", teams=TEAMS, seed=7)
    return path


def _text(html: str) -> str:
    """The visible text of an HTML snippet (tags and styles removed)."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _kpi_columns(session: Session, df) -> list[str]:
    skip = {i18n.t("roleplay.col.round"), i18n.t("roleplay.col.days")}
    return [c for c in df.columns if c not in skip]


# --------------------------------------------------------------------------- building
@pytest.mark.parametrize("role", ROLES)
def test_role_panel_has_one_input_per_field_showing_what_counts(sdir, role, chinese):
    s = Session.open(sdir)
    panel = role_panel(sdir, "蓝队", role)
    specs = s.fields(role)
    assert list(panel.inputs) == [f.name for f in specs]
    current = s.decisions("蓝队", role)
    for spec in specs:
        field = panel.inputs[spec.name]
        assert field.value == field.shown(current[spec.name]), spec.name
        if spec.kind != "multi":
            assert field.widget.description == spec.label("zh")
        if spec.unit and spec.kind in ("int", "float"):
            assert spec.unit_label("zh") in field.hint.value, spec.name
            assert "到" in field.hint.value  # the allowed range is shown
    assert not panel.dirty
    first, last = s.round_days(1)
    assert f"第 1 轮 / 共 {s.rounds} 轮" in panel.round_info.value
    assert f"{first}–{last}" in panel.round_info.value
    assert i18n.t("roleplay.panel.not_submitted", "zh") in _text(panel.status.value)
    assert i18n.t("roleplay.panel.no_rounds", "zh") in _text(panel.table.value)
    assert panel.chart.layout.display == "none"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_follow_the_panel_language_not_the_kernel(sdir, lang, chinese):
    """An English panel in a kernel left in Chinese (and the other way round) speaks its own
    language in labels, units, intro and buttons."""
    i18n.set_language("en" if lang == "zh" else "zh")
    panel = role_panel(sdir, "红队", "logistics", lang=lang)
    texts = [panel.submit_button.description, panel.refresh_button.description]
    texts += [f.widget.description for f in panel.inputs.values() if f.kind in ("int", "float")]
    texts += [_text(f.hint.value) for f in panel.inputs.values()]
    intro = _text(panel.title.value).replace("红队", "")
    joined = " ".join([*texts, intro])
    if lang == "zh":
        assert HAN.search(panel.submit_button.description) and HAN.search(intro)
    else:
        assert not HAN.search(joined), joined
    assert i18n.get_language() == ("en" if lang == "zh" else "zh"), "the kernel's language moved"


# --------------------------------------------------------------------------- submitting
def test_submit_button_saves_the_decisions_for_the_round(sdir, chinese):
    panel = role_panel(sdir, "红队", "operations")
    panel.set(ad_bid_cny=2.6, promo_kind="percent_off", promo_days=[1, 3])
    assert panel.dirty
    assert i18n.t("roleplay.panel.unsaved", "zh") in _text(panel.status.value)
    panel.submit_button.click()

    fresh = Session.open(sdir)  # what every other kernel sees
    assert fresh.submitted("红队", "operations")
    assert not fresh.submitted("蓝队", "operations")
    saved = fresh.decisions("红队", "operations")
    assert saved["ad_bid_cny"] == pytest.approx(2.6)
    assert saved["promo_kind"] == "percent_off" and saved["promo_days"] == [1, 3]
    status = _text(panel.status.value)
    assert i18n.t("roleplay.panel.submitted", "zh") in status
    assert "已保存第 1 轮的决策" in status
    assert not panel.dirty
    again = role_panel(sdir, "红队", "operations")  # a restarted kernel shows the same
    assert again.values == panel.values


def test_bad_value_is_named_next_to_its_field_and_nothing_is_saved(sdir, english):
    panel = role_panel(sdir, "红队", "operations")
    panel.set(ad_bid_cny=99.0, livestream_hours=3)
    assert panel.submit() is False
    message = _text(panel.inputs["ad_bid_cny"].error.value)
    assert message.startswith("ad_bid_cny = 99") and "between 0 and 20" in message
    others = [f.error.value for n, f in panel.inputs.items() if n != "ad_bid_cny"]
    assert not any(others), "only the bad field is marked"
    assert "Not submitted" in _text(panel.status.value)
    assert not Session.open(sdir).submitted("红队", "operations")
    # the same mistake in a Chinese panel is explained in Chinese
    zh = role_panel(sdir, "红队", "operations", lang="zh")
    zh.set(ad_bid_cny=99.0)
    assert zh.submit() is False
    assert "取值必须在 0 到 20 之间" in _text(zh.inputs["ad_bid_cny"].error.value)
    # fixing the value clears the message and saves
    panel.set(ad_bid_cny=3.0)
    assert panel.submit() is True
    assert panel.inputs["ad_bid_cny"].error.value == ""
    assert Session.open(sdir).decisions("红队", "operations")["ad_bid_cny"] == 3.0


def test_budget_and_override_errors_land_on_the_group_and_the_override_box(sdir, english):
    design = role_panel(sdir, "红队", "design")
    hours = [n for n in design.inputs if n.startswith("hours.")]
    design.set(**{n: 200 for n in hours[:2]})
    assert design.submit() is False
    group = _text(design.group_errors["roleplay.group.hours"].value)
    assert "hours" in group and "budget" in group
    assert not any(design.inputs[n].error.value for n in hours)

    manager = role_panel(sdir, "红队", "manager")
    manager.set(overrides="operations.ad_bid_cny = 100")
    assert manager.submit() is False
    assert "overrides.operations.ad_bid_cny = 100" in _text(manager.inputs["overrides"].error.value)
    manager.set(overrides="operations.ad_bid_cny = 1.2")
    assert manager.submit() is True
    assert Session.open(sdir).decisions("红队", "manager")["overrides"] == {
        "operations.ad_bid_cny": 1.2
    }


def test_two_roles_submitting_from_two_panels_keep_both(sdir):
    ops = role_panel(sdir, "蓝队", "operations")
    svc = role_panel(sdir, "蓝队", "service")
    ops.set(ad_bid_cny=2.2)
    svc.set(agents_evening=7)
    assert ops.submit() and svc.submit()
    fresh = Session.open(sdir)
    assert fresh.decisions("蓝队", "operations")["ad_bid_cny"] == pytest.approx(2.2)
    assert fresh.decisions("蓝队", "service")["agents_evening"] == 7


# --------------------------------------------------------------------------- rounds
def test_advance_then_refresh_shows_the_round_on_the_dashboard(sdir, chinese):
    ops = role_panel(sdir, "红队", "operations")
    svc = role_panel(sdir, "红队", "service")
    fac = facilitator_panel(sdir)
    assert i18n.t("roleplay.panel.fac.missing", "zh", n=10) in _text(fac.grid.value)
    ops.set(ad_bid_cny=2.4)
    ops.submit_button.click()
    fac.refresh_button.click()
    assert fac.submissions().loc["红队", "operations"]
    assert int(fac.submissions().to_numpy().sum()) == 1
    assert i18n.t("roleplay.panel.fac.missing", "zh", n=9) in _text(fac.grid.value)

    fac.advance_button.click()
    assert fac.last_summary is not None and fac.last_summary["round"] == 1
    assert "第 1 轮已完成" in _text(fac.message.value)
    assert "第 2 轮 / 共" in fac.round_info.value
    board = _text(fac.leaderboard.value)
    assert "红队" in board and "蓝队" in board
    assert i18n.t("roleplay.kind.review_wave", "zh") in _text(fac.events.value)

    # the role's panel shows the old state until Refresh re-opens the session from disk
    assert i18n.t("roleplay.panel.no_rounds", "zh") in _text(ops.table.value)
    ops.refresh_button.click()
    expected = Session.open(sdir).dashboard("红队", "operations")
    assert len(expected) == 1
    table = _text(ops.table.value)
    assert "第 1 轮 (1–5)" in table
    for col in _kpi_columns(ops.session, expected):
        assert f"{col} {format_number(expected[col].iloc[0])}" in table, col
    assert ops.chart.layout.display != "none"
    assert Image.open(io.BytesIO(ops.chart.value)).size[0] > 300
    assert "第 2 轮 / 共" in ops.round_info.value
    assert i18n.t("roleplay.panel.not_submitted", "zh") in _text(ops.status.value)
    assert ops.values["ad_bid_cny"] == pytest.approx(2.4), "the decision carries over"

    # each role sees its own numbers, not everyone's
    svc.refresh()
    service_cols = _kpi_columns(svc.session, Session.open(sdir).dashboard("红队", "service"))
    assert i18n.t("roleplay.kpi.first_response_min", "zh") in _text(svc.table.value)
    assert i18n.t("roleplay.kpi.first_response_min", "zh") not in table
    assert not set(service_cols) & set(_kpi_columns(ops.session, expected))

    # the debrief report of the round played so far, written into the session folder
    fac.report_button.click()
    out = sdir / REPORT_NAME
    assert fac.report_path == out and out.stat().st_size > 10_000, _text(fac.message.value)
    assert "<html" in out.read_text(encoding="utf-8")[:500].lower()
    assert f"href='{REPORT_NAME}'" in fac.report_link.value


def test_refresh_keeps_edits_that_are_not_submitted(sdir):
    panel = role_panel(sdir, "红队", "logistics")
    panel.set(packers_day=9)
    panel.refresh()
    assert panel.values["packers_day"] == 9 and panel.dirty
    other = Session.open(sdir)  # someone submits for this role from another kernel
    other.submit("红队", "logistics", {"packers_day": 6})
    untouched = role_panel(sdir, "红队", "service")
    untouched.refresh()
    assert not untouched.dirty
    panel.refresh()
    assert panel.values["packers_day"] == 9, "a refresh must not throw away typing"
    assert Session.open(sdir).submitted("红队", "logistics")


def test_a_stale_panel_submits_to_the_round_being_played(sdir, chinese):
    panel = role_panel(sdir, "蓝队", "operations")
    facilitator_panel(sdir).advance()  # the facilitator moves on meanwhile
    panel.set(ad_bid_cny=1.1)
    assert panel.submit()
    fresh = Session.open(sdir)
    assert fresh.round == 2 and fresh.submitted("蓝队", "operations")
    assert fresh.decisions("蓝队", "operations")["ad_bid_cny"] == pytest.approx(1.1)
    assert "已保存第 2 轮的决策" in _text(panel.status.value)


def test_last_round_closes_the_panels(tmp_path, chinese):
    """Play every round of a short scenario from the facilitator's panel (new-store: 4)."""
    sdir = tmp_path / "short"
    Session.new(sdir, scenario="new-store", teams=TEAMS, seed=3)
    fac = facilitator_panel(sdir)
    ops = role_panel(sdir, "红队", "operations")
    rounds = fac.session.rounds
    for r in range(1, rounds + 1):
        fac.advance_button.click()
        assert fac.last_summary["round"] == r, _text(fac.message.value)
    assert fac.session.finished and fac.advance_button.disabled
    assert i18n.t("roleplay.panel.fac.done", "zh") in _text(fac.message.value)
    assert i18n.t("roleplay.panel.fac.done", "zh") in _text(fac.grid.value)
    assert fac.advance() is None  # nothing more to play
    assert len(Session.open(sdir).records()) == rounds
    ops.refresh()
    assert ops.submit_button.disabled
    assert all(f.widget.disabled for f in ops.inputs.values() if f.kind != "multi")
    assert "演练已结束" in ops.round_info.value
    assert _text(ops.table.value).count("轮 (") == rounds


def test_report_errors_are_shown_not_raised(sdir, monkeypatch, english):
    from sim.roleplay import RoleplayError

    def refuse(self, out_html):
        raise RoleplayError("round", 1, "roleplay.err.finished", rounds=6)

    monkeypatch.setattr(Session, "report", refuse)
    fac = facilitator_panel(sdir)
    assert fac.report() is None
    assert "round = 1" in _text(fac.message.value) and fac.report_link.value == ""
    assert not fac.report_button.disabled, "the button works again after a failure"


# --------------------------------------------------------------------------- helpers
def test_format_number():
    assert format_number(12345) == "12,345"
    assert format_number(12345.6) == "12,346"
    assert format_number(3.9) == "3.90"
    assert format_number(-17588.5) == "-17,588"
    assert format_number(float("nan")) == "–" and format_number(None) == "–"
    assert format_number("1–5") == "1–5"


def test_dashboard_view_turns_rounds_into_columns(english):
    import pandas as pd

    df = pd.DataFrame(
        {"Round": [1, 2], "Days": ["1–5", "6–11"], "Revenue, yuan": [100.0, 250.5]},
    )
    view = dashboard_view(df, "en")
    assert list(view.columns) == ["KPI", "Round 1 (1–5)", "Round 2 (6–11)"]
    assert view.iloc[0].tolist() == ["Revenue, yuan", 100.0, 250.5]


# --------------------------------------------------------------------------- notebooks
def test_write_notebooks_one_per_team_and_role_plus_the_facilitator(sdir):
    paths = write_notebooks(sdir, lang="en")
    assert paths[0] == sdir / FACILITATOR_NOTEBOOK
    assert len(paths) == 1 + len(TEAMS) * len(ROLES)
    assert len(set(paths)) == len(paths)
    for team in TEAMS:
        for role in ROLES:
            path = sdir / notebook_name(team, role)
            assert path in paths
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
            md, code = nb.cells[0].source, [c for c in nb.cells if c.cell_type == "code"]
            assert HAN.search(md) and "Shift + Enter" in md and "Shift + Enter" in md
            assert i18n.t(f"roleplay.role.{role}", "en") in md
            assert len(code) == 1, "one cell to run"
            assert f"role_panel('.', team={team!r}, role={role!r}, lang='en')" in code[0].source
            assert code[0].metadata["editable"] is False
            assert not code[0].outputs
    fac = nbformat.read(sdir / FACILITATOR_NOTEBOOK, as_version=4)
    assert "facilitator_panel('.', lang='en')" in fac.cells[-1].source
    for team in TEAMS:
        for role in ROLES:
            assert notebook_name(team, role) in fac.cells[0].source
    # writing again replaces the notebooks and leaves the session alone
    assert write_notebooks(sdir) == paths
    assert "lang=" not in nbformat.read(paths[1], as_version=4).cells[-1].source
    assert Session.open(sdir).round == 1


def test_notebook_name_is_a_safe_file_name():
    assert notebook_name("红队", "design") == "红队-design.ipynb"
    assert "/" not in notebook_name("a/b c?", "manager")


def test_generated_notebooks_run_headless_and_show_their_panels(sdir, monkeypatch):
    """Run a role's and the facilitator's notebook in a real kernel, from their folder."""
    from conftest import ROOT
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # as an installed project would be

    write_notebooks(sdir, lang="zh")
    for name in (notebook_name("蓝队", "service"), FACILITATOR_NOTEBOOK):
        nb = nbformat.read(sdir / name, as_version=4)
        NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(sdir)}}).execute()
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], outputs
        views = [
            o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]
        assert len(views) == 1, f"{name}: the panel is the cell's output"
