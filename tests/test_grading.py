"""Grading end to end on a real course module, with a hostile cohort.

One workspace, one module (m00), one batch: release → a synthetic cohort of submissions
(correct, partly correct, blank, correct-but-warning, late, and every hostile kind the
issue lists) → collect from a zip → autograde in the sandbox → feedback → export →
report. Each trainee's autograded score is known exactly in advance.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile

import nbformat
import pandas as pd
import pytest
from conftest import ROOT, free_port

from grading.workspace import GradingError, Workspace

MODULE = "m00-orientation"
AUTO_MAX = 13  # ex1 1+2, ex2 1+2, ex3 1+3, challenge 3; the written answer (3) is manual

# answers that are wrong but of the right type (each loses exactly its hidden points)
WRONG_EX1 = "def conversion_rate(r):\n    return 0.05\n"
WRONG_EX2 = "def order_value_and_margin(r):\n    return 100.0, 0.1\n"


def _listener() -> tuple[int, list]:
    """A TCP server on the host's loopback that records any connection."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    hits: list = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            hits.append(1)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1], hits


def _cohort(ws: Workspace, port: int) -> dict[str, tuple[object, int, str | None]]:
    """trainee id -> (notebook or raw bytes, expected auto score, cell id edited)."""
    release = nbformat.read(ws.root / "release" / MODULE / f"{MODULE}.ipynb", 4)
    source = nbformat.read(ws.root / "source" / MODULE / f"{MODULE}.ipynb", 4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }

    def nb(**answers):
        out = copy.deepcopy(release)
        for c in out.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions:
                c.source = answers.get(gid, solutions[gid])
        return out

    def prefixed(gid, code):
        return {gid: code + "\n" + solutions[gid]}

    ws_root, project = ws.root, ROOT
    secrets = [
        str(ws_root / "source" / MODULE / (MODULE + ".ipynb")),
        str(ws_root / "gradebook.db"),
        str(ws_root / "submitted" / "correct" / MODULE / (MODULE + ".ipynb")),
        str(project / "course" / "src" / (MODULE + ".md")),
        str(project / "course" / "build"),
        str(project / "tests"),
        str(ws_root.parent / "trainer-secret.txt"),
    ]
    targets = [
        str(ws_root / "hacked.txt"),
        str(project / "course" / "kit.py"),
        str(project / "sim" / "hacked.py"),
    ]
    probe = f"""
import os, socket
_leaks = []
for _p in {secrets!r}:
    try:
        os.listdir(_p) if os.path.isdir(_p) else open(_p, "rb").read(16)
        _leaks.append("read " + _p)
    except OSError:
        pass
for _p in {targets!r}:
    try:
        with open(_p, "a") as _f:
            _f.write("#")
        _leaks.append("wrote " + _p)
    except OSError:
        pass
for _addr in [("127.0.0.1", {port}), ("1.1.1.1", 53)]:
    try:
        socket.create_connection(_addr, timeout=3).close()
        _leaks.append("connected " + str(_addr))
    except OSError:
        pass
print("LEAKS", _leaks)
"""
    patch = """
import numpy.testing, math
numpy.testing.assert_allclose = lambda *a, **k: None
math.isclose = lambda *a, **k: True
check_close = lambda *a, **k: None
check_type = lambda *a, **k: None
def grade(parts, **k):
    return float(sum(p for p, _ in parts))
"""
    always_equal = """
class _Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = float.__hash__
def conversion_rate(r):
    return _Anything(0.05)
"""
    deleted = nb()
    deleted.cells = [
        c
        for c in deleted.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
        not in ("m00-ex1-visible", "m00-ex1-hidden")
    ]
    edited = nb(**{"m00-ex1-answer": WRONG_EX1})
    for c in edited.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "m00-ex1-hidden":
            c.source = "2"
        if c.metadata.get("nbgrader", {}).get("grade_id") == "m00-ex1-visible":
            c.source = "pass"
    meta = nb(**{"m00-ex2-answer": WRONG_EX2})
    for c in meta.cells:
        m = c.metadata.get("nbgrader", {})
        if m.get("grade_id") == "m00-ex2-hidden":
            m["points"] = 20  # claim more points
        if m.get("grade_id") == "m00-ex2-visible":
            m["grade_id"] = "m00-ex2-mine"  # and rename a test cell
    return {
        "correct": (nb(), AUTO_MAX, None),
        "late": (nb(), AUTO_MAX, None),
        "blank": (release, 0, None),
        "partial": (nb(**{"m00-ex2-answer": WRONG_EX2}), AUTO_MAX - 2, None),
        "warns": (
            nb(
                **prefixed(
                    "m00-ex1-answer",
                    "import sys, warnings, logging\n"
                    "warnings.warn('old API', FutureWarning)\n"
                    "warnings.simplefilter('always')\n"
                    "print('noise on stderr', file=sys.stderr)\n"
                    "logging.getLogger('x').warning('a log line')\n",
                )
            ),
            AUTO_MAX,
            None,
        ),
        "raises": (
            nb(**{"m00-ex1-answer": "raise RuntimeError('oops')\n" + solutions["m00-ex1-answer"]}),
            AUTO_MAX - 3,
            None,
        ),
        "loops": (nb(**{"m00-ex1-answer": "while True:\n    pass\n"}), AUTO_MAX - 3, None),
        "memory": (
            nb(
                **{
                    "m00-ex1-answer": "_hog = bytearray(8 * 1024**3)\n"
                    + solutions["m00-ex1-answer"]
                }
            ),
            AUTO_MAX - 3,
            None,
        ),
        "prints": (
            nb(**prefixed("m00-ex1-answer", "print('x' * 1000 * 1000 * 20)\n")),
            AUTO_MAX,
            None,
        ),
        "exits": (nb(**prefixed("m00-ex3-answer", "import os\nos._exit(1)\n")), 6, None),
        "deletes": (deleted, AUTO_MAX, None),
        "edits": (edited, AUTO_MAX - 2, None),
        "metadata": (meta, AUTO_MAX - 2, None),
        "snoops": (nb(**prefixed("m00-ex1-answer", probe)), AUTO_MAX, None),
        "patches": (nb(**{"m00-ex1-answer": patch + WRONG_EX1}), AUTO_MAX - 2, None),
        "eq": (nb(**{"m00-ex1-answer": always_equal}), AUTO_MAX - 2, None),
        "silences": (
            nb(**{"m00-ex1-answer": "get_ipython().ast_node_interactivity = 'none'\n" + WRONG_EX1}),
            AUTO_MAX - 2,
            None,
        ),
        "garbage": (b"this is not a notebook {", 0, None),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The whole batch, run once; yields what the tests inspect."""
    tmp = tmp_path_factory.mktemp("cohort")
    ws = Workspace.init(tmp / "ws", course_id="shop101", lang="en")
    ws.settings.limits = type(ws.limits)(
        cell_seconds=20, notebook_seconds=400, memory_mb=3072, output_kb_per_cell=64
    )
    ws.save()
    port, hits = _listener()
    (tmp / "trainer-secret.txt").write_text("not for trainees", encoding="utf-8")
    due = "2026-12-01T18:00:00+00:00"
    ws.release(MODULE, due=due)
    cohort = _cohort(ws, port)
    roster = tmp / "roster.csv"
    roster.write_text(
        "id,first_name,last_name,email,group\n"
        + "".join(f"{sid},{sid.title()},Test,{sid}@example.cn,A\n" for sid in cohort)
        + "absent,Absent,Test,a@example.cn,B\n",
        encoding="utf-8",
    )
    ws.import_roster(roster)
    archive = tmp / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for sid, (content, _, _) in cohort.items():
            data = content if isinstance(content, bytes) else nbformat.writes(content).encode()
            # on time: 1 December 12:00 local; late: 3 December 09:00 local
            stamp = (2026, 12, 3, 9, 0, 0) if sid == "late" else (2026, 12, 1, 12, 0, 0)
            info = zipfile.ZipInfo(f"{sid}_{MODULE}.ipynb", date_time=stamp)
            z.writestr(info, data)
        z.writestr("stranger_m00-orientation.ipynb", b"{}")
    collected = ws.collect(MODULE, archive)
    t0 = time.monotonic()
    summary = ws.autograde(MODULE, workers=2, progress=False)
    seconds = time.monotonic() - t0
    with ws.gradebook() as gb:
        scores = {sid: gb.find_submission(MODULE, sid).score for sid in cohort}
        late = {sid: gb.find_submission(MODULE, sid).total_seconds_late for sid in cohort}
    yield {
        "ws": ws,
        "cohort": cohort,
        "collected": collected,
        "summary": summary,
        "scores": scores,
        "late": late,
        "hits": hits,
        "seconds": seconds,
    }


def test_collect_takes_roster_trainees_only(graded):
    assert graded["collected"] == sorted(graded["cohort"])
    assert not (graded["ws"].root / "submitted" / "stranger").exists()


def test_every_trainee_gets_exactly_the_expected_score(graded):
    expected = {sid: float(exp) for sid, (_, exp, _) in graded["cohort"].items()}
    assert graded["scores"] == expected
    assert graded["summary"]["failed"] == []


def test_late_submission_is_marked_against_the_due_date(graded):
    late = graded["late"]
    assert late["late"] > 24 * 3600  # 3 December, due 1 December 18:00
    assert all(v == 0 for sid, v in late.items() if sid != "late")


def test_hostile_notebooks_are_explained(graded):
    notes = graded["summary"]["notes"]

    def kinds(sid):
        return {n["kind"] for n in notes.get(f"{sid}/{MODULE}", [])}

    assert "kernel_died" in kinds("exits")
    assert "cell_timeout" in kinds("loops")
    assert "output_capped" in kinds("prints")
    assert "restored" in kinds("deletes") and "restored" in kinds("edits")
    assert kinds("metadata") & {"restored", "repaired"}
    assert "unreadable" in kinds("garbage")
    assert "tampering" in kinds("patches") and "tampering" in kinds("silences")
    assert not kinds("correct") and not kinds("warns") and not kinds("blank")


def test_sandbox_kept_secrets_files_and_network_closed(graded):
    ws = graded["ws"]
    nb = nbformat.read(ws.root / "autograded" / "snoops" / MODULE / f"{MODULE}.ipynb", 4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "LEAKS []" in text, text[:2000]
    assert not (ws.root / "hacked.txt").exists()
    assert not (ROOT / "sim" / "hacked.py").exists()
    assert not (ROOT / "course" / "kit.py").read_text(encoding="utf-8").endswith("#")
    assert graded["hits"] == []


def test_output_is_capped_while_it_arrives(graded):
    ws = graded["ws"]
    path = ws.root / "autograded" / "prints" / MODULE / f"{MODULE}.ipynb"
    assert path.stat().st_size < 2_000_000


def test_feedback_never_reveals_hidden_tests(graded):
    ws = graded["ws"]
    files = ws.feedback(MODULE)
    assert len(files) == len(graded["cohort"])
    for f in files:
        html = f.read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in html
        for secret in ("_ref_conversion", "_ref_aov_margin", "_answered", "_meets", "909"):
            assert secret not in html, (f, secret)
    exits = (ws.root / "feedback" / "exits" / MODULE / f"{MODULE}.html").read_text(encoding="utf-8")
    assert "kernel stopped" in exits


def test_regrade_keeps_manual_grades_and_is_idempotent(graded):
    ws = graded["ws"]
    with ws.gradebook() as gb:
        g = gb.find_grade("m00-written", MODULE, MODULE, "correct")
        g.manual_score = 2.5
        gb.db.commit()
    again = ws.autograde(MODULE, workers=2, progress=False)
    assert again["failed"] == []
    with ws.gradebook() as gb:
        assert gb.find_submission(MODULE, "correct").score == AUTO_MAX + 2.5
        assert gb.find_grade("m00-written", MODULE, MODULE, "correct").manual_score == 2.5
        for sid, (_, exp, _) in graded["cohort"].items():
            if sid != "correct":
                assert gb.find_submission(MODULE, sid).score == exp, sid


def test_export_and_report(graded):
    from grading.export import export, report, tables

    ws = graded["ws"]
    paths = export(ws)
    grades = pd.read_csv(paths[0])
    assert set(grades["student_id"]) >= set(graded["cohort"])
    t = tables(ws)
    subs = t["submissions"].set_index("student_id")
    assert subs.loc["absent", "status"] == "missing"
    assert subs.loc["late", "late_seconds"] > 0
    cells = t["scores"]
    written = cells[(cells.grade_id == "m00-written") & (cells.student_id == "blank")]
    assert written["points"].isna().all()  # not graded yet: "to grade", not zero
    html = report(ws, today=pd.Timestamp("2026-12-10")).read_text(encoding="utf-8")
    assert "absent" in html.lower() or "Absent" in html


def test_cli_runs_a_step_and_reports_bad_input(graded, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    ws = graded["ws"]
    done = subprocess.run(
        [sys.executable, "-m", "grading", "status", "-w", str(ws.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and f"{MODULE}: due" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "grading", "release", "m99-nothing", "-w", str(ws.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "m99-nothing" in bad.stderr and "allowed" in bad.stderr
    nows = subprocess.run(
        [sys.executable, "-m", "grading", "status", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert nows.returncode == 2 and "grading init" in nows.stderr


def test_roster_errors_name_the_field(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    bad = tmp_path / "r.csv"
    bad.write_text("name,email\nA,a@x\n", encoding="utf-8")
    with pytest.raises(GradingError, match="'id' column"):
        ws.import_roster(bad)
    bad.write_text("id,first_name\nwang li,W\n", encoding="utf-8")
    with pytest.raises(GradingError, match="line 2: id = 'wang li'"):
        ws.import_roster(bad)
    assert json.loads(json.dumps(ws.roster())) == []


def test_formgrader_opens_on_the_workspace(graded, tmp_path):
    """`python -m grading formgrader` serves nbgrader's formgrader on this cohort's gradebook."""
    import urllib.request

    ws = graded["ws"]
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        JUPYTER_TOKEN="grading-test",
        JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grading",
            "formgrader",
            "--no-browser",
            "--port",
            str(port),
            "-w",
            str(ws.root),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/formgrader/api/assignments?token=grading-test"
        deadline = time.monotonic() + 180
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:  # localhost only
                    body = json.loads(resp.read())
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, proc.stdout.read().decode(errors="replace")[-3000:]
        found = {a["name"]: a for a in body}
        assert found[MODULE]["num_submissions"] == len(graded["cohort"])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
