"""The role-play panels in a real JupyterLab, driven through Chromium.

One test, end to end as a team member and a facilitator would work: the test starts its
own JupyterLab on a free port in a temporary folder that holds a 双十一 session and its
generated notebooks, opens a role's notebook in Chromium, runs it, types a new decision,
submits it, advances the round from the facilitator's notebook in a second tab, clicks
Refresh in the role's tab and checks that the dashboard now shows round 1's numbers -
the same numbers the session reports when opened from disk. Screenshots of both tabs are
saved in ``/tmp`` (``ROLEPLAY_SCREENSHOTS`` overrides the folder) for a human to look at.

Needs the ``playwright`` Python package and Debian's Chromium (``/usr/bin/chromium``,
override with ``CHROMIUM``); scripts/system-packages.sh installs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT, free_port
from playwright import sync_api  # the test extras install it; Chromium comes from Debian

from sim import i18n
from sim.roleplay import Session
from sim.roleplay.notebooks import FACILITATOR_NOTEBOOK, notebook_name, write_notebooks
from sim.roleplay.panel import _css, format_number

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "roleplay-test"
TEAM, ROLE = "红队", "operations"
SHOTS = Path(os.environ.get("ROLEPLAY_SCREENSHOTS", "/tmp"))


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as resp:  # localhost only
        return resp.status


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free port, rooted at a folder holding one session."""
    root = tmp_path_factory.mktemp("lab")
    session_dir = root / "session"
    Session.new(session_dir, scenario="double11", teams=("红队", "蓝队"), seed=7)
    write_notebooks(session_dir, lang="zh")
    # an isolated Jupyter configuration: no announcements pop-up over the notebook,
    # no settings or workspaces from the machine's user
    config = root / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_TOKEN": TOKEN,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "lab-workspaces"),
        "COURSE_LANG": "zh",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]
        ),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (root / "lab.log").open("wb")
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        ready = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = _status(f"{base}/api/status?token={TOKEN}") == 200
                break
            except OSError:
                time.sleep(0.5)
        assert ready, (root / "lab.log").read_text(errors="replace")[-3000:]
        yield {"base": base, "session": session_dir, "root": root}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        log.close()


def _font_env(folder: Path) -> dict[str, str]:
    """Let Chromium draw Chinese with the CJK font the project already installs (mplfonts).

    The machine may have no Chinese system font; a fontconfig file that adds the folder of
    mplfonts' Noto Sans CJK SC keeps the screenshots readable without another package.
    """
    from sim.viz.fonts import font_path

    path = font_path()
    if path is None:
        return {}
    conf = folder / "fonts.conf"
    system = "<include ignore_missing='yes'>/etc/fonts/fonts.conf</include>"
    conf.write_text(
        f"<?xml version='1.0'?><fontconfig>{system}<dir>{path.parent}</dir>"
        f"<cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>"
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _kernel_connected(base: str, notebook: str) -> bool:
    """True once the server reports ``notebook``'s kernel idle with a browser connected."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}", timeout=5) as resp:
        sessions = json.loads(resp.read())
    return any(
        s["path"] == notebook
        and s["kernel"]["connections"] > 0
        and s["kernel"]["execution_state"] == "idle"
        for s in sessions
    )


def _open_and_run(page, base: str, notebook: str, ready_selector: str) -> None:
    """Open a notebook, wait for its kernel, run the panel cell, wait for the panel.

    JupyterLab shows the notebook (and an idle indicator) before its kernel's websocket
    is up, and a cell run in that moment is silently dropped; so the test waits for the
    server to report the kernel connected, and runs the cell again if it did not start.
    """
    page.goto(f"{base}/lab/tree/{quote(notebook)}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    dialog = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel" if JupyterLab asks
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if dialog.count():
            dialog.first.click()
        if _kernel_connected(base, notebook):
            break
        time.sleep(0.5)
    prompt = page.locator(".jp-NotebookPanel:visible .jp-CodeCell .jp-InputPrompt").first
    for _attempt in range(4):
        prompt.click()
        page.keyboard.press("Control+Enter")  # run the cell in place (Shift+Enter also moves on)
        try:
            page.wait_for_function(
                "el => /\\[(\\*|\\d+)\\]/.test(el.textContent)",
                arg=prompt.element_handle(),
                timeout=15_000,
            )
            break
        except sync_api.TimeoutError:
            continue
    try:
        page.wait_for_selector(ready_selector, state="visible", timeout=180_000)
    except sync_api.TimeoutError:
        shot = SHOTS / "roleplay_browser_failure.png"
        page.screenshot(path=str(shot))
        outputs = page.locator(".jp-OutputArea").all_inner_texts()
        pytest.fail(f"no {ready_selector} after running the cell; outputs: {outputs}; see {shot}")


def _pick_decision(session: Session):
    """A number field of the role and a new value for it, inside its allowed range."""
    for spec in session.fields(ROLE):
        if spec.kind not in ("int", "float") or spec.min is None or spec.max is None:
            continue
        now = session.decisions(TEAM, ROLE)[spec.name]
        lo, hi = spec.min, spec.max
        if spec.kind == "int":
            new = int(lo + (hi - lo) // 2)
            new = new if new != now else int(lo)
        else:
            new = round(lo + (hi - lo) * 0.37, 2)
            new = new if abs(new - now) > 1e-9 else round(lo + (hi - lo) * 0.61, 2)
        if new != now:
            return spec, new
    pytest.fail(f"the {ROLE} role has no bounded number field to change")


def test_role_panel_in_jupyterlab_submit_advance_refresh(lab, chinese):
    session_dir: Path = lab["session"]
    before = Session.open(session_dir)
    assert before.round == 1 and not before.submitted(TEAM, ROLE)
    spec, new_value = _pick_decision(before)

    rel = session_dir.relative_to(lab["root"])
    role_nb = (rel / notebook_name(TEAM, ROLE)).as_posix()
    fac_nb = (rel / FACILITATOR_NOTEBOOK).as_posix()

    with sync_api.sync_playwright() as pw:
        env = _font_env(lab["root"])
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, **({"env": env} if env else {})
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1300})
            role = context.new_page()
            _open_and_run(role, lab["base"], role_nb, ".sim-rp-panel")
            dashboard = role.locator(".sim-rp-dashboard")
            no_rounds = i18n.t("roleplay.panel.no_rounds", "zh")
            assert no_rounds in dashboard.inner_text()
            assert role.locator(".sim-rp-dashboard table").count() == 0

            # type the new decision and submit it
            box = role.locator(f".sim-rp-field-{_css(spec.name)} input").first
            box.fill(str(new_value))
            box.press("Enter")
            role.locator("button.sim-rp-submit").click()
            saved = i18n.t("roleplay.panel.submitted", "zh")
            role.locator(".sim-rp-status", has_text=saved).wait_for(timeout=60_000)
            after_submit = Session.open(session_dir)
            assert after_submit.submitted(TEAM, ROLE)
            assert after_submit.decisions(TEAM, ROLE)[spec.name] == pytest.approx(new_value)

            # the facilitator advances the round in a second tab (a second kernel)
            fac = context.new_page()
            _open_and_run(fac, lab["base"], fac_nb, ".sim-rp-facilitator")
            grid = fac.locator(".sim-rp-grid").inner_text()
            assert i18n.t("roleplay.panel.fac.yes", "zh") in grid
            fac.locator("button.sim-rp-advance").click()
            first, last = before.round_days(1)
            done = i18n.t("roleplay.panel.fac.advanced", "zh", round=1, first=first, last=last)
            fac.locator(".sim-rp-fac-message", has_text=done).wait_for(timeout=180_000)
            fac.locator(".sim-rp-leaderboard table").wait_for(timeout=30_000)
            board = fac.locator(".sim-rp-leaderboard").inner_text()
            assert "红队" in board and "蓝队" in board
            fac.locator(".sim-rp-facilitator").scroll_into_view_if_needed()
            fac.screenshot(path=str(SHOTS / "roleplay_browser_facilitator.png"))

            played = Session.open(session_dir)
            assert played.round == 2
            expected = played.dashboard(TEAM, ROLE)
            assert len(expected) == 1

            # the role's tab still shows the old state until Refresh re-opens the session
            assert role.locator(".sim-rp-dashboard table").count() == 0
            role.locator("button.sim-rp-refresh").click()
            role.locator(".sim-rp-dashboard table").wait_for(timeout=60_000)
            text = role.locator(".sim-rp-dashboard").inner_text()
            first, last = played.round_days(1)
            assert f"第 1 轮 ({first}–{last})" in text
            skip = {i18n.t("roleplay.col.round", "zh"), i18n.t("roleplay.col.days", "zh")}
            kpis = [c for c in expected.columns if c not in skip]
            assert kpis
            for col in kpis:  # each KPI's row shows round 1's number
                value = format_number(expected[col].tolist()[0])
                assert f"{col}\t{value}" in text, f"{col}: {value!r} not shown in {text!r}"
            chart = role.locator("img.sim-rp-chart")
            chart.wait_for(state="visible", timeout=30_000)
            assert chart.bounding_box()["height"] > 50
            first, last = played.round_days(2)
            round_text = i18n.t(
                "roleplay.panel.round", "zh", round=2, rounds=played.rounds, first=first, last=last
            )
            assert round_text in role.locator(".sim-rp-panel").inner_text()
            # the decision carries over into round 2 and the widget shows it
            assert float(box.input_value()) == pytest.approx(new_value)
            for page in (role, fac):  # no cell raised (an error output shows a traceback)
                assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
            role.locator(".sim-rp-dashboard").scroll_into_view_if_needed()
            role.screenshot(path=str(SHOTS / "roleplay_browser_role.png"))
        finally:
            browser.close()
