"""Benchmark: plain sequential ``nbgrader autograde`` against ``python -m grading``.

    python -m grading.bench [--trainees 40] [--module m00-orientation] [--workers N]

Builds two identical workspaces with the same synthetic cohort (every notebook unique, so
no cache helps), grades one with plain ``nbgrader autograde`` (no sandbox, one notebook
after another) and the other with this tool (sandbox, parallel workers, one gradebook
writer), then prints both wall times, the ratio, the per-notebook overhead, and whether
every trainee's score is identical. A benchmark prints figures; nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from grading.sandbox import PROJECT
from grading.workspace import Workspace

WRONG = {
    "m00-ex2-answer": "def order_value_and_margin(r):\n    return 100.0, 0.1\n",
    "m00-ex1-answer": "def conversion_rate(r):\n    return 0.05\n",
}


def cohort(ws: Workspace, module: str, n: int) -> dict[str, nbformat.NotebookNode]:
    """N unique submissions: correct, partly correct and blank ones in turn."""
    release = nbformat.read(ws.root / "release" / module / f"{module}.ipynb", 4)
    source = nbformat.read(ws.root / "source" / module / f"{module}.ipynb", 4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }
    out = {}
    for i in range(n):
        nb = copy.deepcopy(release)
        kind = ("correct", "partial", "correct", "blank")[i % 4]
        for c in nb.cells:
            gid = c.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions and kind != "blank":
                c.source = WRONG.get(gid, solutions[gid]) if kind == "partial" else solutions[gid]
                c.source += f"\n# trainee t{i:03d}\n"
        out[f"t{i:03d}"] = nb
    return out


def prepare(root: Path, module: str, subs: dict) -> Workspace:
    """A workspace with the module released and the cohort collected."""
    ws = Workspace.init(root, course_id="bench", lang="zh")
    ws.release(module)
    roster = root / "roster.csv.in"
    roster.write_text(
        "id,first_name,last_name\n" + "".join(f"{s},{s},T\n" for s in subs), encoding="utf-8"
    )
    ws.import_roster(roster)
    folder = root / "incoming"
    for sid, nb in subs.items():
        (folder / sid).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / sid / f"{module}.ipynb")
    ws.collect(module, folder)
    return ws


def scores(ws: Workspace, module: str, students) -> dict[str, float]:
    """Each trainee's total score in the gradebook."""
    with ws.gradebook() as gb:
        return {s: gb.find_submission(module, s).score for s in students}


def main(argv: list[str] | None = None) -> int:
    """Run both graders on the same cohort and print the figures."""
    p = argparse.ArgumentParser(prog="python -m grading.bench", description=__doc__.split("\n")[0])
    p.add_argument("--trainees", type=int, default=40)
    p.add_argument("--module", default="m00-orientation")
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        a = Workspace.init(tmp / "plain", course_id="bench", lang="zh")
        a.release(args.module)
        subs = cohort(a, args.module, args.trainees)
        plain = prepare(tmp / "plain", args.module, subs)
        tool = prepare(tmp / "tool", args.module, subs)
        n = len(subs)
        print(f"{n} trainees, module {args.module}, {os.cpu_count()} cores")

        t0 = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "nbgrader",
                "autograde",
                args.module,
                "--force",
                f"--CourseDirectory.root={plain.root}",
                "--log-level=ERROR",
            ],
            cwd=plain.root,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},  # as the sandbox gives its kernels
        )
        t_plain = time.perf_counter() - t0
        if done.returncode != 0:
            print("plain nbgrader autograde reported errors:\n" + done.stderr[-2000:])

        t0 = time.perf_counter()
        summary = tool.autograde(args.module, workers=args.workers, progress=False)
        t_tool = time.perf_counter() - t0

        s_plain, s_tool = scores(plain, args.module, subs), scores(tool, args.module, subs)
        same = s_plain == s_tool
        print(
            f"plain nbgrader autograde (sequential, no sandbox): {t_plain:7.1f} s "
            f"({t_plain / n:.2f} s per notebook)"
        )
        print(
            f"python -m grading autograde (sandbox, parallel):   {t_tool:7.1f} s "
            f"({t_tool / n:.2f} s per notebook; execute {summary['execute_seconds']:.1f} s, "
            f"record {summary['record_seconds']:.1f} s = "
            f"{summary['record_seconds'] / n:.2f} s per notebook)"
        )
        print(f"speed-up: {t_plain / t_tool:.2f}x")
        print(f"identical scores: {same}")
        if not same:
            for s in subs:
                if s_plain[s] != s_tool[s]:
                    print(f"  {s}: plain {s_plain[s]} vs tool {s_tool[s]}")
        return 0 if same else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
