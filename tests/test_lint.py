"""Lint and format check of the whole repository with the project's ruff settings.

Uses the ``ruff`` installed next to the test interpreter, run from the repository root so
``pyproject.toml`` applies. A failure shows ruff's own report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize(
    "args", [["check", "."], ["format", "--check", "."]], ids=["check", "format"]
)
def test_ruff(args):
    assert RUFF.is_file(), f"ruff not found next to {sys.executable}"
    proc = subprocess.run(
        [str(RUFF), *args, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    report = f"ruff {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert proc.returncode == 0, report
