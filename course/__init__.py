"""The training course: JupyterLab notebooks built on the store simulator.

``python -m course`` opens the landing notebook ``index.ipynb`` in JupyterLab
(``--lang zh|en`` picks the language, ``--port`` and ``--no-browser`` as in Jupyter).
"""

from __future__ import annotations

from pathlib import Path

COURSE_DIR = Path(__file__).resolve().parent
"""Folder holding the course notebooks."""

INDEX = COURSE_DIR / "index.ipynb"
"""The landing notebook."""
