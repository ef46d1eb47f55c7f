"""``python -m grading``: a trainer's cohort from release to report.

Every subcommand takes the workspace folder (``-w``, default: the current folder) and is
safe to run again. ``python -m grading COMMAND --help`` explains each one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from grading.workspace import GradingError, Workspace

STEPS = """typical cohort:
  python -m grading init cohort-2026 --course-id shop101 --lang zh
  python -m grading roster trainees.csv -w cohort-2026
  python -m grading release m00-orientation --due 2026-12-01T18:00+08:00 -w cohort-2026
  python -m grading collect m00-orientation --from submissions.zip -w cohort-2026
  python -m grading autograde m00-orientation -w cohort-2026
  python -m grading formgrader -w cohort-2026        # grade the written answers
  python -m grading feedback m00-orientation -w cohort-2026
  python -m grading export -w cohort-2026
  python -m grading report -w cohort-2026
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m grading",
        description="Grade a cohort of trainees with nbgrader: release, collect, autograde "
        "in a sandbox, feedback, export and a cohort report.",
        epilog=STEPS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=help_, description=help_)
        if name != "init":
            s.add_argument(
                "-w", "--workspace", type=Path, default=Path("."), help="workspace folder"
            )
        return s

    s = cmd("init", "create a workspace: nbgrader course folder, settings and gradebook")
    s.add_argument("workspace", type=Path, help="folder to create (or update)")
    s.add_argument("--course-id", default="course", help="course id (letters, digits, - _ .)")
    s.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the modules")
    s.add_argument(
        "--db-url",
        default="",
        help="gradebook URL, e.g. postgresql://user:pass@host/db (default: SQLite file)",
    )
    s.add_argument("--exchange", default="", help="nbgrader exchange folder (JupyterHub)")

    s = cmd("roster", "import trainees from a CSV: id, first_name, last_name, email, group")
    s.add_argument("csv", type=Path)

    s = cmd("release", "build a module in the workspace's language and release it")
    s.add_argument("module", help="e.g. m03-pricing")
    s.add_argument("--due", help="due date, e.g. 2026-12-01T18:00+08:00 (no zone: local time)")

    s = cmd("collect", "collect submissions from the exchange, or from a folder or zip")
    s.add_argument("module")
    s.add_argument(
        "--from",
        dest="source",
        type=Path,
        help="folder or .zip with <id>/<module>.ipynb or <id>_<module>.ipynb files",
    )

    s = cmd("autograde", "autograde every collected submission of a module, in parallel")
    s.add_argument("module")
    s.add_argument("--workers", type=int, default=None, help="parallel notebooks (default: cores)")

    s = cmd("feedback", "HTML feedback for each trainee (hidden tests never shown)")
    s.add_argument("module")

    s = cmd("export", "grades to CSV (grades.csv, cells.csv, submissions.csv)")
    s.add_argument("--out", type=Path, default=None, help="folder (default: exports/)")

    s = cmd("report", "the cohort report: HTML with plots")
    s.add_argument("--out", type=Path, default=None, help="file (default: reports/cohort.html)")

    s = cmd("formgrader", "open nbgrader's formgrader in JupyterLab to grade written answers")
    s.add_argument("--port", type=int, default=8890)
    s.add_argument("--no-browser", action="store_true")

    cmd("status", "what is released, collected and graded")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; errors a trainer can fix print one clear line and exit 2."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GradingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.cmd == "init":
        ws = Workspace.init(args.workspace, args.course_id, args.lang, args.db_url, args.exchange)
        print(f"workspace ready: {ws.root} (gradebook {ws.db_url.split('@')[-1]})")
        return 0
    ws = Workspace(args.workspace)
    if args.cmd == "roster":
        print(f"{ws.import_roster(args.csv)} trainees imported")
    elif args.cmd == "release":
        print(f"released: {ws.release(args.module, args.due)}")
    elif args.cmd == "collect":
        got = ws.collect(args.module, args.source)
        print(f"collected {len(got)}: {', '.join(got)}")
    elif args.cmd == "autograde":
        s = ws.autograde(args.module, workers=args.workers)
        print(
            f"graded {len(s['students'])} trainees ({s['notebooks']} notebooks) in "
            f"{s['execute_seconds'] + s['record_seconds']:.1f} s"
        )
        for key, notes in sorted(s["notes"].items()):
            print(f"  {key}: {', '.join(n['kind'] for n in notes)}")
        if s["failed"]:
            print(f"could not grade: {', '.join(s['failed'])} (see .grading/runs/)")
            return 1
    elif args.cmd == "feedback":
        print(f"{len(ws.feedback(args.module))} feedback files in {ws.root / 'feedback'}")
    elif args.cmd == "export":
        from grading.export import export

        for path in export(ws, args.out):
            print(path)
    elif args.cmd == "report":
        from grading.export import report

        print(report(ws, args.out))
    elif args.cmd == "formgrader":
        return _formgrader(ws, args.port, args.no_browser)
    elif args.cmd == "status":
        _status(ws)
    return 0


def _formgrader(ws: Workspace, port: int, no_browser: bool) -> int:
    """JupyterLab in the workspace; nbgrader's formgrader is under Nbgrader > Formgrader."""
    print(
        f"JupyterLab opens in {ws.root}. Menu: Nbgrader → Formgrader → Manage Submissions; "
        "grade the written answers there. Stop with Ctrl+C."
    )
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--port={port}",
        "--ServerApp.root_dir=" + str(ws.root),
    ]
    if no_browser:
        cmd.append("--no-browser")
    if os.geteuid() == 0:  # containers and CI machines often run as root
        cmd.append("--allow-root")
    return subprocess.call(cmd, cwd=ws.root, env=dict(os.environ))


def _status(ws: Workspace) -> None:
    roster = ws.roster()
    print(f"workspace {ws.root}: {len(roster)} trainees, language {ws.lang}")
    for module in ws.released():
        subs = list((ws.root / "submitted").glob(f"*/{module}"))
        graded = list((ws.root / "autograded").glob(f"*/{module}"))
        due = ws.settings.due.get(module, "-")
        print(f"  {module}: due {due}, {len(subs)} collected, {len(graded)} autograded")


if __name__ == "__main__":
    sys.exit(main())
