"""The course notebooks: committed without outputs, executed headless in both languages
without errors or stderr output, and opened by the README's launch command in a real
JupyterLab."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "course").glob("**/*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "course/ must hold the landing notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: strip outputs before committing"
            )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_headless(path: Path, lang: str, monkeypatch):
    """Every cell runs; nothing reaches stderr (nbgrader zeroes a cell that writes there)."""
    monkeypatch.setenv("COURSE_LANG", lang)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", out
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
    shown = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"], ensure_ascii=False)
    # the KPI table speaks the chosen language
    assert ("访客数" in shown) == (lang == "zh") and ("Visitors" in shown) == (lang == "en")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as resp:  # localhost only
        return resp.status, resp.read()


def test_launch_command_serves_the_course_in_jupyterlab(tmp_path):
    """`python -m course` (the README's first command, after setup) starts a real JupyterLab
    that serves the landing notebook."""
    port = _free_port()
    env = {**os.environ, "JUPYTER_TOKEN": "course-test", "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "course", "--no-browser", "--port", str(port), "--lang", "en"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline:
            try:
                status, _ = _get(f"{base}/api/status?token=course-test")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert status == 200, (
            proc.stdout.read().decode(errors="replace") if proc.poll() is not None else "no answer"
        )
        code, page = _get(f"{base}/lab?token=course-test")
        assert code == 200 and b"JupyterLab" in page
        code, body = _get(f"{base}/api/contents/index.ipynb?token=course-test")
        model = json.loads(body)
        assert code == 200 and model["type"] == "notebook"
        assert "Welcome" in json.dumps(model["content"], ensure_ascii=False)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
