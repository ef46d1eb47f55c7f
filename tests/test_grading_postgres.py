"""A PostgreSQL gradebook and the nbgrader exchange, end to end.

The test starts its own PostgreSQL server (Debian's ``postgresql`` package, installed by
the project's system-package step) in a temporary folder, releases a module to an nbgrader
exchange, has three trainees fetch and submit it with nbgrader's own commands, collects
from the exchange, autogrades in parallel into PostgreSQL and releases feedback.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, free_port

from grading.workspace import Workspace

MODULE = "m00-orientation"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is not installed: run scripts/system-packages.sh (see README)"
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server; yields its SQLAlchemy URL."""
    bin_ = _pg_bin()
    # not under pytest's private (0700) temp folder: the server's user must reach it
    data = Path(tempfile.mkdtemp(prefix="gradebook-pg-"))
    data.chmod(0o755)
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*run_as, str(bin_ / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            str(bin_ / "pg_ctl"),
            "-D",
            str(data / "db"),
            "-w",
            "-l",
            str(data / "log"),
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [
                str(bin_ / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "gradebook",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(
            [*run_as, str(bin_ / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)


def _nbgrader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_postgres_gradebook_with_the_exchange(postgres, tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    ws = Workspace.init(
        tmp_path / "ws", course_id="shop101", lang="zh", db_url=postgres, exchange=str(exchange)
    )
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,first_name,last_name\nwang,芳,王\nli,雷,李\nzhao,敏,赵\n", encoding="utf-8"
    )
    ws.import_roster(roster)
    ws.release(MODULE, due="2030-01-01T00:00+08:00")
    assert (exchange / "shop101" / "outbound" / MODULE / f"{MODULE}.ipynb").exists()

    source = nbformat.read(ws.root / "source" / MODULE / f"{MODULE}.ipynb", 4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }
    expected = {"wang": 13.0, "li": 11.0, "zhao": 0.0}
    for sid in expected:
        home = tmp_path / "trainees" / sid
        home.mkdir(parents=True)
        common = [
            f"--Exchange.root={exchange}",
            "--CourseDirectory.course_id=shop101",
            f"--CourseDirectory.student_id={sid}",
        ]
        got = _nbgrader("fetch_assignment", MODULE, *common, cwd=home)
        assert got.returncode == 0, got.stderr
        path = home / MODULE / f"{MODULE}.ipynb"
        nb = nbformat.read(path, 4)
        for c in nb.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions and sid != "zhao":
                c.source = solutions[gid]
                if sid == "li" and gid == "m00-ex1-answer":
                    c.source = "def conversion_rate(r):\n    return 0.05\n"
        nbformat.write(nb, path)
        got = _nbgrader("submit", MODULE, *common, cwd=home)
        assert got.returncode == 0, got.stderr
        time.sleep(1.1)  # nbgrader names submissions by the second

    assert sorted(ws.collect(MODULE)) == sorted(expected)
    summary = ws.autograde(MODULE, workers=2, progress=False)
    assert summary["failed"] == []
    with ws.gradebook() as gb:
        got_scores = {sid: gb.find_submission(MODULE, sid).score for sid in expected}
    assert got_scores == expected
    assert not (ws.root / "gradebook.db").exists()  # everything went to PostgreSQL

    files = ws.feedback(MODULE)
    assert len(files) == 3
    html = files[0].read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in html
    # released to the exchange for the trainees to fetch
    assert list((exchange / "shop101" / "feedback").glob("*.html"))
