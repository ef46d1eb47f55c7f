"""The training course: module sources, their build into nbgrader notebooks, and the launcher.

``python -m course`` builds the course if needed and opens the trainee edition in JupyterLab
(``--lang zh|en``); ``python -m course build`` builds both editions for trainers.
Sources live in ``course/src`` (see :mod:`course.build`); notebooks import :mod:`course.kit`.
"""

from __future__ import annotations

from pathlib import Path

COURSE_DIR = Path(__file__).resolve().parent
"""Folder holding the course sources, builds and trainee work."""
