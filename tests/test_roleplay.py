"""Role-play sessions: the same double-11 session through the Python API and the command line.

One full Double 11 session for two teams is played through the API (红队 plays the
reference policy, 蓝队 follows a script with carry-overs, an override and a budget cut)
and again through ``python -m sim roleplay`` with decision files; the saved round
results must be identical. A copy of the API session taken after round 3 is continued in
a new process and then reopened here: the final results must match too. Smaller
sessions (one team, a few rounds of the cheaper scenarios) test errors, budgets,
tampering and concurrent submissions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim import i18n
from sim.roleplay import ROLES, RoleplayError, Session, files, roleplay_names
from sim.roleplay import cli as rcli
from sim.roleplay.config import load_config
from sim.roleplay.events import random_events
from sim.roleplay.play import Setup
from sim.roleplay.roles import carry_over, validate

ROOT = Path(__file__).resolve().parents[1]
TEAMS = ("红队", "蓝队")
SEED = 7
SCENARIOS = (
    "double11",
    "new-store",
    "mid-year-618",
    "review-crisis",
    "supplier-delay",
    "price-war",
)

# round -> role -> partial decisions of 蓝队, submitted in this order (红队 plays the reference)
BLUE: dict[int, list[tuple[str, dict]]] = {
    1: [
        (
            "operations",
            {
                "ad_bid_cny": 2.2,
                "promo_kind": "percent_off",
                "promo_discount": 0.1,
                "promo_days": [1, 2],
            },
        ),
        ("service", {"agents_evening": 6}),
        ("design", {"hours.AP-TEE-WHT-M": 20}),
    ],
    2: [],  # nothing submitted: every role carries over
    3: [
        ("logistics", {"packers_day": 7, "rush.AP-DWN-BLK-L": 300}),
        ("manager", {"budget_logistics_cny": 2500.0, "overrides": "operations.ad_bid_cny = 1.5"}),
    ],
    # service plans 94 agent-hours a day (2,350 yuan), then the manager cuts the budget to 2,000
    4: [
        ("service", {"agents_morning": 5, "agents_afternoon": 5}),
        ("manager", {"budget_service_cny": 2000.0}),
    ],
    5: [
        (
            "operations",
            {
                "promo_kind": "flash_sale",
                "promo_discount": 0.3,
                "promo_scope": "traffic",
                "promo_days": [1],
            },
        )
    ],
    6: [("operations", {"promo_kind": "none"}), ("manager", {"budget_service_cny": 2500.0})],
}


def play_api_round(s: Session, r: int) -> dict:
    assert s.round == r
    for role in ROLES:
        s.submit("红队", role, s.reference(role))
    for role, dec in BLUE[r]:
        s.submit("蓝队", role, dec)
    return s.advance()


def strip(rec: dict) -> dict:
    """A round's saved results without the file hashes (submission times differ)."""
    return {k: v for k, v in rec.items() if k != "inputs"}


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COURSE_LANG"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "sim", "roleplay", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def run_main(*args: str) -> int:
    return rcli.main(list(args))


# --------------------------------------------------------------------------- sessions
@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The Double 11 session played through the Python API; a copy is kept after round 3."""
    base = tmp_path_factory.mktemp("api")
    path = base / "session"
    s = Session.new(path, scenario="double11", teams=TEAMS, seed=SEED)
    summaries = []
    for r in range(1, s.rounds + 1):
        summaries.append(play_api_round(s, r))
        if r == 3:
            shutil.copytree(path, base / "after-round-3")
    return {"session": s, "path": path, "copy": base / "after-round-3", "summaries": summaries}


def write_decision(path: Path, team: str, role: str, decisions: dict, yaml_ok: bool = False):
    if yaml_ok:
        import yaml

        path = path.with_suffix(".yaml")
        path.write_text(
            yaml.safe_dump({"team": team, "role": role, **decisions}, allow_unicode=True),
            encoding="utf-8",
        )
    else:
        path.write_text(files.toml_dumps({"team": team, "role": role} | decisions), "utf-8")
    return path


@pytest.fixture(scope="module")
def via_cli(api, tmp_path_factory):
    """The same session through the command line (in-process main) with decision files."""
    base = tmp_path_factory.mktemp("cli")
    path = base / "session"
    assert (
        run_main("new", str(path), "--scenario", "double11", "--teams", "红队,蓝队", "--seed", "7")
        == 0
    )
    ref = api["session"]
    try:
        import yaml  # noqa: F401

        have_yaml = True
    except ImportError:
        have_yaml = False
    for r in range(1, ref.rounds + 1):
        folder = base / f"in-{r}"
        folder.mkdir()
        names = []
        for role in ROLES:
            names.append(
                write_decision(folder / f"red-{role}.toml", "红队", role, ref.reference(role, r))
            )
        for role, dec in BLUE[r]:
            f = folder / f"blue-{role}.toml"
            if r == 3 and role == "logistics":
                # from the template: every field with its current value, two edited
                assert (
                    run_main(
                        "template", str(path), "--team", "蓝队", "--role", role, "--out", str(f)
                    )
                    == 0
                )
                text = f.read_text("utf-8")
                text, n1 = re.subn(r"(?m)^packers_day = \d+$", "packers_day = 7", text)
                text, n2 = re.subn(r"(?m)^rush\.AP-DWN-BLK-L = 0$", "rush.AP-DWN-BLK-L = 300", text)
                assert n1 == n2 == 1
                f.write_text(text, "utf-8")
            elif role == "manager" and "overrides" in dec:
                # the overrides as a TOML table rather than text
                table = {"budget_logistics_cny": dec["budget_logistics_cny"]}
                f.write_text(
                    files.toml_dumps({"team": "蓝队", "role": role, "round": r} | table)
                    + 'overrides = { "operations.ad_bid_cny" = 1.5 }\n',
                    "utf-8",
                )
            else:
                f = write_decision(f, "蓝队", role, dec, yaml_ok=have_yaml and r == 1)
            names.append(f)
        assert run_main("submit", str(path), *map(str, names)) == 0
        assert run_main("advance", str(path)) == 0
    return {"path": path, "session": Session.open(path)}


def test_api_session_runs_every_round(api):
    s = api["session"]
    assert s.finished and s.round == s.rounds + 1 == 7
    assert [x["round"] for x in api["summaries"]] == list(range(1, 7))
    assert api["summaries"][-1]["finished"] and not api["summaries"][0]["finished"]
    with pytest.raises(RoleplayError):
        s.advance()
    with pytest.raises(RoleplayError):
        s.submit("红队", "service", {})
    for r in range(1, 7):
        assert (s.path / "results" / f"round-{r:02d}.json").exists()
        for t in TEAMS:
            for role in ROLES:
                assert (s.path / "decisions" / f"round-{r:02d}" / t / f"{role}.toml").exists()


def test_cli_gives_identical_results(api, via_cli):
    a, b = api["session"].records(), via_cli["session"].records()
    assert len(a) == len(b) == 6
    for ra, rb in zip(a, b, strict=True):
        assert strip(ra) == strip(rb), f"round {ra['round']} differs"
    assert api["session"].leaderboard().equals(via_cli["session"].leaderboard())
    assert api["session"].events().equals(via_cli["session"].events())


def test_reference_team_has_decision_quality_zero(api):
    recs = api["session"].records()
    for rec in recs:
        red = rec["teams"]["红队"]
        assert red["decision_quality"] == 0.0
        assert red["score"] == red["reference_score"]
    # the measure can differ from zero: 蓝队 did not play the reference
    assert any(rec["teams"]["蓝队"]["decision_quality"] != 0 for rec in recs)
    lb = api["session"].leaderboard()
    dq = lb.set_index(i18n.t("roleplay.col.team"))[i18n.t("roleplay.col.decision_quality")]
    assert dq["红队"] == 0


def test_missing_submissions_carry_over(api):
    s = api["session"]
    recs = s.records()
    assert recs[1]["carried"]["蓝队"] == list(ROLES)  # round 2: nothing submitted
    assert recs[1]["carried"]["红队"] == []
    ctx = s.setup.ctx
    for role in ROLES:
        assert recs[1]["effective"]["蓝队"][role] == carry_over(
            ctx, role, recs[0]["effective"]["蓝队"][role]
        )
    assert recs[1]["effective"]["蓝队"]["service"]["agents_evening"] == 6
    saved = tomllib.loads(
        (s.path / "decisions" / "round-02" / "蓝队" / "service.toml").read_text("utf-8")
    )
    assert saved["carried_over"] is True and saved["agents_evening"] == 6
    # a one-off rush order does not repeat; the packers carry on
    assert recs[2]["effective"]["蓝队"]["logistics"]["rush.AP-DWN-BLK-L"] == 300
    assert recs[3]["effective"]["蓝队"]["logistics"]["rush.AP-DWN-BLK-L"] == 0
    assert recs[3]["effective"]["蓝队"]["logistics"]["packers_day"] == 7
    assert recs[2]["teams"]["蓝队"]["kpis"]["rush_units"] == 300
    assert recs[3]["teams"]["蓝队"]["kpis"]["rush_units"] == 0
    # the manager's override beat what operations played and lasted one round
    assert recs[2]["effective"]["蓝队"]["operations"]["ad_bid_cny"] == 1.5
    assert recs[0]["effective"]["蓝队"]["operations"]["ad_bid_cny"] == 2.2
    assert recs[3]["effective"]["蓝队"]["manager"]["overrides"] == {}
    kinds = {(e["round"], e["team"], e["kind"]) for rec in recs for e in rec["events"]}
    assert (3, "蓝队", "override") in kinds
    assert (2, "蓝队", "carried") in kinds and (2, "红队", "carried") not in kinds


def test_budget_cut_after_submission_scales_down(api):
    rec = api["session"].records()[3]
    svc = rec["effective"]["蓝队"]["service"]
    hours = svc["agents_night"] * 8 + (svc["agents_morning"] + svc["agents_afternoon"]) * 5
    hours += svc["agents_evening"] * 6
    assert hours * 25 <= 2000 < 94 * 25
    assert svc["agents_morning"] < 5
    cut = [e for e in rec["events"] if e["kind"] == "budget_cut" and e["team"] == "蓝队"]
    assert len(cut) == 1 and "2,000" in cut[0]["note_en"]


def test_events_are_deterministic_per_seed(api):
    s = api["session"]
    cfg = load_config("double11")
    setup = Setup.build("double11", TEAMS, SEED)
    recs = s.records()
    for rec in recs:
        r = rec["round"]
        a, b = rec["days"]
        drawn = random_events(cfg, TEAMS, SEED, a, b, r)
        assert drawn == random_events(cfg, TEAMS, SEED, a, b, r)
        saved = [e for e in rec["events"] if e["source"] in ("scenario", "scripted", "random")]
        assert saved == files.canonical(setup.events_of(r))
    other = [random_events(cfg, TEAMS, SEED + 1, *recs[r - 1]["days"], r) for r in range(1, 7)]
    mine = [random_events(cfg, TEAMS, SEED, *recs[r - 1]["days"], r) for r in range(1, 7)]
    assert other != mine
    # the scripted rival price cut strikes in round 4 (day 19) for all teams
    ev = s.events()
    row = ev[(ev["kind"] == "rival_price_cut") & (ev["day"] == 19)]
    assert len(row) == 1 and row["round"].iloc[0] == 4
    assert list(ev.columns) == ["round", "day", "kind", "team", "note"]


def test_restart_in_a_new_process_gives_identical_results(api, tmp_path):
    """Continue the copy taken after round 3 in another process: same final results."""
    path = tmp_path / "session"
    shutil.copytree(api["copy"], path)
    assert Session.open(path).round == 4
    ref = api["session"]
    rounds = {}
    for r in (4, 5, 6):
        folder = tmp_path / f"in-{r}"
        folder.mkdir()
        names = [
            str(write_decision(folder / f"red-{role}.toml", "红队", role, ref.reference(role, r)))
            for role in ROLES
        ]
        for role, dec in BLUE[r]:
            names.append(str(write_decision(folder / f"blue-{role}.toml", "蓝队", role, dec)))
        rounds[r] = names
    # one new process runs the command line for rounds 4-6; its first advance replays
    # rounds 1-3 from the files and must reproduce the saved results
    script = tmp_path / "continue.py"
    script.write_text(
        "import json, sys\n"
        "from sim.roleplay.cli import main\n"
        "path, rounds = sys.argv[1], json.loads(sys.argv[2])\n"
        "for r in ('4', '5', '6'):\n"
        "    assert main(['submit', path, *rounds[r]]) == 0\n"
        "    assert main(['advance', path, '--json']) == 0\n",
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "COURSE_LANG"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [
            sys.executable,
            str(script),
            str(path),
            json.dumps({str(k): v for k, v in rounds.items()}),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    final = [strip(r) for r in Session.open(path).records()]
    assert final == [strip(r) for r in ref.records()]


def test_a_crash_loses_nothing(tmp_path):
    """A kernel killed after submitting, or an advance killed half-way, changes nothing."""
    clean = Session.new(tmp_path / "clean", scenario="new-store", teams=("A",), seed=9)
    clean.submit("A", "service", {"agents_evening": 2})
    clean.advance()
    s = Session.new(tmp_path / "crashed", scenario="new-store", teams=("A",), seed=9)
    s.submit("A", "service", {"agents_evening": 2})
    del s  # the kernel dies after the submission
    s = Session.open(tmp_path / "crashed")
    assert s.submitted("A", "service") and s.decisions("A", "service")["agents_evening"] == 2
    # an advance that died after writing a carried-over file but before the results
    stray = s.path / "decisions" / "round-01" / "A" / "operations.toml"
    stray.write_text(
        files.toml_dumps({"team": "A", "role": "operations", "round": 1, "carried_over": True})
        + "ad_bid_cny = 9.0\n",
        "utf-8",
    )
    s = Session.open(s.path)
    assert not s.submitted("A", "operations") and s.round == 1
    assert s.decisions("A", "operations")["ad_bid_cny"] != 9.0
    s.advance()
    assert [strip(r) for r in s.records()] == [strip(r) for r in clean.records()]


def test_report_has_every_section(api, tmp_path, monkeypatch):
    from sim.roleplay import report

    monkeypatch.setattr(report, "MAX_REPLAYS", 2)  # fewer what-if replays keep the test quick
    out = api["session"].report(tmp_path / "debrief.html", n_jobs=1)
    text = out.read_text("utf-8")
    for section in ("leaderboard", "timeline", "kpis", "roles", "whatif", "questions"):
        assert f'id="{section}"' in text, section
    for role in ROLES:
        assert f'id="role-{role}"' in text
    assert text.count("data:image/png;base64,") >= 2 + len(ROLES)
    assert "红队" in text and "蓝队" in text
    cfg = load_config("double11")
    assert all(q in text for q in cfg.questions_zh)
    assert "第 5 轮" in text and "双十一当天" in text
    # what-ifs: 蓝队 differs from the reference, so its table has rows with a score change
    whatif = text.split('id="whatif"')[1].split('id="questions"')[0]
    assert "蓝队" in whatif and re.search(r"<td[^>]*>[+-]\d+\.\d\d</td>", whatif)


# --------------------------------------------------------------------------- dashboards
def test_dashboards_show_each_roles_numbers(api, english):
    s = api["session"]
    ops = s.dashboard("蓝队", "operations")
    log = s.dashboard("蓝队", "logistics")
    assert len(ops) == len(log) == 6
    assert "Conversion rate %" in ops.columns and "Conversion rate %" not in log.columns
    assert "On-time shipment %" in log.columns and "Revenue, yuan" not in log.columns
    design = s.dashboard("蓝队", "design")
    assert "Conversion % · AP-TEE-WHT-M" in design.columns
    rec = s.records()[0]["teams"]["蓝队"]["kpis"]
    assert ops["Revenue, yuan"].iloc[0] == pytest.approx(rec["revenue"])
    assert ops["Conversion rate %"].iloc[0] == pytest.approx(100 * rec["conversion_rate"], abs=0.05)
    svc = s.dashboard("蓝队", "service")
    assert svc["Agent wages, yuan"].iloc[0] == pytest.approx(svc["Agent hours"].iloc[0] * 25)
    i18n.set_language("zh")
    assert "支付转化率 %" in s.dashboard("蓝队", "operations").columns


def test_leaderboard_ranks_by_score(api):
    lb = api["session"].leaderboard()
    score = lb[i18n.t("roleplay.col.score")].to_numpy()
    assert list(lb[i18n.t("roleplay.col.rank")]) == [1, 2]
    assert score[0] >= score[1]
    for part in ("profit", "on_time", "rating", "service", "stock", "rules"):
        col = lb[i18n.t(f"roleplay.part.{part}")]
        assert ((col >= 0) & (col <= 100)).all()


# --------------------------------------------------------------------------- small sessions
@pytest.fixture
def small(tmp_path):
    """A one-team new-store session, nothing played."""
    return Session.new(tmp_path / "s", scenario="new-store", teams=("A",), seed=1)


def test_budget_rule_at_submit(small, english):
    s = small
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "operations", {"ad_daily_budget_cny": 301})
    assert err.value.field == "ad_daily_budget_cny" and "at most 300" in str(err.value)
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "design", {"hours.AP-TEE-WHT-M": 50})  # 50 h x 45 > 300 x 7
    assert err.value.field == "hours.*" and "at most 46 hours" in str(err.value)
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "service", {"agents_evening": 9})
    assert err.value.field == "agents_*"
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "manager", {"budget_ads_cny": 1000})  # the split would exceed 1,600/day
    assert err.value.field == "budget_*_cny"
    with pytest.raises(RoleplayError) as err:  # an override must fit the budget too
        s.submit("A", "manager", {"overrides": {"operations": {"ad_daily_budget_cny": 500}}})
    assert err.value.field == "overrides.operations.ad_daily_budget_cny"
    # raising the budget first makes the same plan acceptable
    s.submit("A", "manager", {"budget_ads_cny": 500, "budget_design_cny": 100})
    s.submit("A", "operations", {"ad_daily_budget_cny": 450})
    assert s.decisions("A", "operations")["ad_daily_budget_cny"] == 450
    assert not any(f.exists() for f in (s.path / "decisions").rglob("design.toml"))


def test_bad_input_names_the_field(small, english):
    s = small
    cases = [
        ({"ad_bid_cny": 50}, "ad_bid_cny", "between 0 and 20"),
        ({"ad_bid_cny": "high"}, "ad_bid_cny", "number"),
        ({"promo_kind": "bogo"}, "promo_kind", "one of"),
        ({"promo_days": [1, 9]}, "promo_days", "1 to 7"),
        ({"charm_prices": 1}, "charm_prices", "true or false"),
        ({"price_vip": 1.0}, "price_vip", "price_traffic"),
        ({"hours.AP-TEE-WHT-M": 5}, "hours.AP-TEE-WHT-M", "Operations"),
    ]
    for dec, field, text in cases:
        with pytest.raises(RoleplayError) as err:
            s.submit("A", "operations", dec)
        assert err.value.field == field and text in str(err.value), str(err.value)
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "logistics", {"reorder_point_days": 30, "order_up_to_days": 20})
    assert err.value.field == "reorder_point_days"
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "design", {"hours.NOPE": 3})
    assert "hours.AP-TEE-WHT-M" in str(err.value)  # lists the SKUs that exist
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "manager", {"overrides": "design.hours.AP-TEE-WHT-M = lots"})
    assert err.value.field == "overrides.design.hours.AP-TEE-WHT-M"
    with pytest.raises(RoleplayError):
        s.submit("B", "operations", {})
    with pytest.raises(RoleplayError):
        s.submit("A", "boss", {})
    i18n.set_language("zh")
    with pytest.raises(RoleplayError) as err:
        s.submit("A", "operations", {"ad_bid_cny": 50})
    assert "取值必须在 0 到 20 之间" in str(err.value)
    assert not (s.path / "decisions").exists()  # nothing bad was saved


def test_cli_bad_decision_file_one_line_exit_2(small, tmp_path, capsys):
    path = str(small.path)
    bad = tmp_path / "ops.toml"
    bad.write_text('team = "A"\nrole = "operations"\nad_bid_cny = 50\n', "utf-8")
    proc = cli("submit", path, str(bad), "--lang", "en")  # as a facilitator runs it
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "ops.toml" in lines[0] and "ad_bid_cny = 50" in lines[0]
    assert "between 0 and 20" in lines[0]

    def fails(*args: str) -> str:
        capsys.readouterr()
        assert run_main(*args) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        return err

    bad.write_text('team = "A"\nrole = "operations"\nad_bid_cny = \n', "utf-8")
    assert "ops.toml" in fails("submit", path, str(bad))
    nameless = tmp_path / "x.toml"
    nameless.write_text("ad_bid_cny = 1.0\n", "utf-8")
    err = fails("submit", path, str(nameless), "--lang", "en")
    assert "team" in err and "x.toml" in err
    err = fails(
        "submit", path, str(nameless), "--team", "B", "--role", "operations", "--lang", "en"
    )
    assert "no such team" in err
    assert run_main("submit", path, str(nameless), "--team", "A", "--role", "operations") == 0
    stale = tmp_path / "stale.toml"
    stale.write_text('team = "A"\nrole = "service"\nround = 3\n', "utf-8")
    assert "round 3" in fails("submit", path, str(stale), "--lang", "en")
    yml = tmp_path / "svc.yaml"
    yml.write_text("team: A\nrole: service\nagents_night: -1\n", "utf-8")
    if importlib.util.find_spec("yaml"):
        assert "agents_night = -1" in fails("submit", path, str(yml), "--lang", "en")
    assert "must be .toml" in fails("submit", path, str(tmp_path / "a.json"), "--lang", "en")
    proc = cli("status", path, "--lang", "en")
    assert proc.returncode == 0 and "submitted" in proc.stdout
    assert Session.open(small.path).submitted("A", "operations")


def test_decision_files_round_trip_through_template(small, tmp_path):
    s = small
    s.submit("A", "logistics", {"cut_off_hour": 17, "carrier.sf": 0.25})
    text = s.template("A", "logistics")
    assert "# 白班打包员" in text and "# Packers, day" in text
    data = tomllib.loads(text)
    meta, dec = files.split_meta(data)
    assert meta == {"team": "A", "role": "logistics", "round": 1}
    assert validate(s.setup.ctx, "logistics", dec, {}, 7) == s.decisions("A", "logistics")
    assert s.fields("logistics")[0].name == "reorder_policy"


def test_tampering_is_detected(tmp_path):
    s = Session.new(tmp_path / "s", scenario="new-store", teams=("A",), seed=2)
    s.submit("A", "operations", {"ad_bid_cny": 1.1})
    s.advance()
    # an edited decision file of a played round
    f = s.path / "decisions" / "round-01" / "A" / "operations.toml"
    original = f.read_text("utf-8")
    f.write_text(original.replace("ad_bid_cny = 1.1", "ad_bid_cny = 1.2"), "utf-8")
    with pytest.raises(RoleplayError) as err:
        Session.open(s.path)
    assert "round-01/A/operations.toml" in str(err.value)
    f.write_text(original, "utf-8")
    # an edited results file: caught when the round is replayed
    res = s.path / "results" / "round-01.json"
    rec = json.loads(res.read_text("utf-8"))
    rec["teams"]["A"]["kpis"]["revenue"] += 1000
    res.write_text(json.dumps(rec, ensure_ascii=False), "utf-8")
    with pytest.raises(RoleplayError) as err:
        Session.open(s.path, replay=True)
    assert "round-01.json" in str(err.value) and "revenue" in str(err.value)


def test_two_kernels_on_one_folder(tmp_path):
    s1 = Session.new(tmp_path / "s", scenario="price-war", teams=("A", "B"), seed=3)
    s2 = Session.open(s1.path)
    errors = []

    def go(s, team, role, dec):
        try:
            s.submit(team, role, dec)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [
        threading.Thread(target=go, args=(s1, "A", "operations", {"ad_bid_cny": 0.9})),
        threading.Thread(target=go, args=(s2, "A", "service", {"agents_night": 1})),
        threading.Thread(target=go, args=(s2, "B", "logistics", {"packers_day": 4})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    s3 = Session.open(s1.path)
    st = s3.status().set_index("team")
    assert st.loc["A", "operations"] and st.loc["A", "service"] and st.loc["B", "logistics"]
    assert not st.loc["B", "operations"]
    s1.advance()
    # s2 was opened before the advance: it sees round 2 and submits there
    assert s2.round == 2 and not s2.submitted("A", "operations")
    s2.submit("A", "operations", {"price_traffic": 0.95})
    assert (s1.path / "decisions" / "round-02" / "A" / "operations.toml").exists()
    assert s2.decisions("A", "service")["agents_night"] == 1  # carried over from round 1
    assert s1.leaderboard().equals(s2.leaderboard())


# --------------------------------------------------------------------------- setups
@pytest.mark.parametrize("slug", SCENARIOS)
def test_every_roleplay_setup_is_complete(slug):
    assert slug in roleplay_names()
    cfg = load_config(slug)
    setup = Setup.build(slug, ("A", "B", "C"), 0)
    days = [d for a, b in cfg.rounds for d in range(a, b + 1)]
    assert days == list(range(1, setup.scenario.days + 1))
    assert len(cfg.questions_zh) == len(cfg.questions_en) >= 4
    assert any(re.search(r"[\u4e00-\u9fff]", q) for q in cfg.questions_zh)
    # three teams: the market grows so each team meets the single store's traffic
    single = Setup.build(slug, ("A",), 0).scenario.market.visits_per_day
    out = setup.scenario.market.outside_score
    assert setup.scenario.market.visits_per_day == pytest.approx(single * (3 + out) / (1 + out))
    for role in ROLES:
        for spec in setup.ctx.fields[role]:
            assert spec.label("zh") and spec.label("en"), spec.name
            assert spec.label("zh") != spec.label("en") or spec.group, spec.name
        validate(setup.ctx, role, setup.ctx.defaults[role], {}, 7)
    assert len(setup.reference) == len(cfg.rounds)


@pytest.mark.parametrize("slug", SCENARIOS[1:])
def test_every_scenario_plays_two_rounds(slug, tmp_path):
    s = Session.new(tmp_path / slug, scenario=slug, teams=("A",), seed=5)
    for _ in range(2):
        for role in ROLES:
            s.submit("A", role, s.reference(role))
        s.advance()
    rec = s.records()[-1]["teams"]["A"]
    assert rec["decision_quality"] == 0.0
    assert rec["kpis"]["visitors"] > 0 and rec["kpis"]["orders"] > 0
    assert 0 <= rec["score"]["total"] <= 100


def test_new_session_input_checks(tmp_path, english):
    with pytest.raises(RoleplayError) as err:
        Session.new(tmp_path / "a", scenario="ordinary-month")
    assert "double11" in str(err.value)
    for teams in ((), ("A", "A"), ("a/b",), (".x",), ("",)):
        with pytest.raises(RoleplayError):
            Session.new(tmp_path / "b", scenario="price-war", teams=teams)
    with pytest.raises(RoleplayError):
        Session.new(tmp_path / "c", scenario="price-war", seed=-1)
    Session.new(tmp_path / "d", scenario="price-war", teams=("A",))
    with pytest.raises(RoleplayError):
        Session.new(tmp_path / "d", scenario="price-war", teams=("A",))
    with pytest.raises(RoleplayError):
        Session.open(tmp_path / "nothing-here")


def test_cli_scenarios_and_report_in_english(tmp_path, capsys):
    assert run_main("scenarios", "--lang", "en") == 0
    out = capsys.readouterr().out
    for slug in SCENARIOS:
        assert slug in out
    path = tmp_path / "s"
    assert (
        run_main("new", str(path), "--scenario", "review-crisis", "--teams", "A", "--seed", "4")
        == 0
    )
    assert run_main("advance", str(path), "--lang", "en") == 0
    html = tmp_path / "r.html"
    assert run_main("report", str(path), "--out", str(html), "--lang", "en") == 0
    text = html.read_text("utf-8")
    assert "Debrief" in text and 'id="questions"' in text and "not finished" in text
    assert load_config("review-crisis").questions_en[0] in text
    capsys.readouterr()
    args = ("dashboard", str(path), "--team", "A", "--role", "service", "--json", "--lang", "en")
    assert run_main(*args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and "Inquiries" in rows[0]


def test_cli_help_lists_roleplay():
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT), "COURSE_LANG": "en"},
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0 and "roleplay" in proc.stdout


def test_random_events_follow_their_probability():
    """Over many rounds the share of rounds with an event matches its probability."""
    cfg = load_config("double11")
    spec = next(e for e in cfg.random_events if e.kind == "livestream_spike")
    hits = sum(
        any(e["kind"] == "livestream_spike" for e in random_events(cfg, TEAMS, seed, 1, 5, 1))
        for seed in range(2000)
    )
    p = spec.probability
    assert abs(hits / 2000 - p) < 4 * np.sqrt(p * (1 - p) / 2000)
