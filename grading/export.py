"""Grades out of the gradebook: nbgrader's CSV, per-cell scores, submissions, the report.

``grades.csv`` is nbgrader's own export (one row per trainee × module). ``cells.csv`` and
``submissions.csv`` add what the cohort report needs: every graded cell's score, and per
module who submitted, when, how late, and anything the grader noticed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from grading.i18n import note_text


def tables(ws) -> dict[str, pd.DataFrame]:
    """``scores``, ``submissions`` and ``roster`` as DataFrames (read-only on the gradebook)."""
    roster = pd.DataFrame(ws.roster(), columns=["id", "first_name", "last_name", "email", "group"])
    roster = roster.rename(columns={"id": "student_id"})
    released = ws.released()
    score_rows, sub_rows = [], []
    with ws.gradebook() as gb:
        for module in released:
            try:
                assignment = gb.find_assignment(module)
            except Exception:
                continue
            summary = ws.last_run(module)
            notes = summary.get("notes", {})
            failed = set(summary.get("failed", []))
            for sid in roster["student_id"]:
                try:
                    sub = gb.find_submission(module, sid)
                except Exception:
                    sub = None
                if sub is None or sid in failed:
                    status = "failed" if sid in failed else "missing"
                    sub_rows.append(
                        {
                            "student_id": sid,
                            "assignment": module,
                            "status": status,
                            "submitted_at": pd.NaT,
                            "due": pd.Timestamp(assignment.duedate)
                            if assignment.duedate
                            else pd.NaT,
                            "late_seconds": float("nan"),
                            "reason": "",
                        }
                    )
                    continue
                reasons = []
                for nb in sub.notebooks:
                    reasons += [note_text(n, ws.lang) for n in notes.get(f"{sid}/{nb.name}", [])]
                    for grade in nb.grades:
                        manual = grade.cell_type == "markdown"
                        score = grade.score
                        if manual and grade.manual_score is None:
                            score = float("nan")  # written answer not graded yet
                        score_rows.append(
                            {
                                "student_id": sid,
                                "assignment": module,
                                "grade_id": grade.name,
                                "kind": "manual" if manual else "auto",
                                "points": score,
                                "max_points": grade.max_score,
                            }
                        )
                sub_rows.append(
                    {
                        "student_id": sid,
                        "assignment": module,
                        "status": "graded",
                        "submitted_at": pd.Timestamp(sub.timestamp) if sub.timestamp else pd.NaT,
                        "due": pd.Timestamp(assignment.duedate) if assignment.duedate else pd.NaT,
                        "late_seconds": float(sub.total_seconds_late or 0.0),
                        "reason": " ".join(reasons),
                    }
                )
    scores = pd.DataFrame(
        score_rows, columns=["student_id", "assignment", "grade_id", "kind", "points", "max_points"]
    )
    submissions = pd.DataFrame(
        sub_rows,
        columns=[
            "student_id",
            "assignment",
            "status",
            "submitted_at",
            "due",
            "late_seconds",
            "reason",
        ],
    )
    return {"scores": scores, "submissions": submissions, "roster": roster}


def export(ws, out: Path | None = None) -> list[Path]:
    """Write grades.csv (nbgrader's), cells.csv and submissions.csv; return the paths."""
    from nbgrader.plugins import CsvExportPlugin

    out = Path(out or ws.root / "exports")
    out.mkdir(parents=True, exist_ok=True)
    with ws.gradebook() as gb:
        CsvExportPlugin(to=str(out / "grades.csv")).export(gb)
    t = tables(ws)
    t["scores"].to_csv(out / "cells.csv", index=False, encoding="utf-8")
    t["submissions"].to_csv(out / "submissions.csv", index=False, encoding="utf-8")
    return [out / "grades.csv", out / "cells.csv", out / "submissions.csv"]


def report(ws, out: Path | None = None, today=None) -> Path:
    """The cohort report (HTML with plots) for every released module."""
    from grading.report import build_report

    t = tables(ws)
    out = Path(out or ws.root / "reports" / "cohort.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    return build_report(
        t["scores"], t["submissions"], t["roster"], ws.released(), out, lang=ws.lang, today=today
    )
