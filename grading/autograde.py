"""Autograde a module for a whole cohort: parallel sandboxed runs, one gradebook writer.

nbgrader's FAQ warns that its SQLite gradebook is not safe for several graders at once,
and plain ``nbgrader autograde`` grades one notebook after another. This module splits
the work in two passes:

1. **Execute, in parallel.** Each submission is staged (copied; the trainee's file is
   never changed), sanitised by nbgrader's own preprocessors (clear outputs, restore the
   test cells and their metadata from the gradebook, check the metadata) and executed in
   the sandbox, by a pool with one worker per core. Workers only *read* the gradebook.
   A notebook nbgrader refuses (deleted or rewritten test cells, tampered metadata) is
   rebuilt from the released notebook with only the trainee's answer cells, and graded.
   Each executed notebook is stored under a hash of its content.
2. **Record, in one process.** nbgrader's own ``Autograde`` converter runs over the staged
   submissions with its Execute step replaced by :class:`grading.execute.CachedExecute`,
   which picks up the executed notebooks. Every gradebook write happens here, from one
   process, so nothing locks or is lost; manual grades already given are kept (nbgrader
   never overwrites them).

Re-running is safe: unchanged submissions come from the cache, changed ones (a new
submission, a fixed test) are executed again.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

import nbformat
from nbformat.warnings import MissingIDFieldWarning
from nbgrader import utils
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)

from grading.execute import SandboxExecute, Verdict, content_key
from grading.sandbox import PROJECT, PROJECT_PARTS, Limits
from sim.fileio import atomic_write


def code_salt() -> str:
    """A hash of the project code a notebook runs, so a code change invalidates the cache."""
    h = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = PROJECT / part
        files = (
            [root] if root.is_file() else sorted(root.rglob("*.py")) + sorted(root.rglob("*.toml"))
        )
        for f in files:
            h.update(str(f.relative_to(PROJECT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _sanitize(nb, resources):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        return _sanitize_loud(nb, resources)


def _sanitize_loud(nb, resources):
    for pp in (
        ClearOutput(),
        DeduplicateIds(),
        OverwriteKernelspec(),
        OverwriteCells(add_missing_cells=True),
        CheckCellMetadata(),
    ):
        nb, resources = pp.preprocess(nb, resources)
    return nb, resources


def _tests_changed(submitted, release) -> list[str]:
    """grade_ids of locked or test cells the trainee edited, deleted or re-labelled."""

    def locked(nb):
        return {
            c.metadata["nbgrader"]["grade_id"]: (c.cell_type, c.source, c.metadata["nbgrader"])
            for c in nb.cells
            if "nbgrader" in c.get("metadata", {})
            and "grade_id" in c.metadata["nbgrader"]
            and (utils.is_locked(c) or utils.is_grade(c))
        }

    was, now = locked(release), locked(submitted)
    changed = []
    for gid, (kind, source, meta) in was.items():
        got = now.get(gid)
        if got is None or got[0] != kind:
            changed.append(gid)
        elif any(got[2].get(k) != meta.get(k) for k in ("points", "grade", "locked", "solution")):
            changed.append(gid)
        elif not meta.get("solution") and got[1] != source:
            changed.append(gid)
    return sorted(changed)


def repair(submitted, release) -> nbformat.NotebookNode:
    """The released notebook with the trainee's answer cells (matched by grade_id) put in."""
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in submitted.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
        and c.metadata["nbgrader"].get("grade_id")
    }
    nb = copy.deepcopy(release)
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if c.metadata.get("nbgrader", {}).get("solution") and gid in answers:
            c.source = answers[gid]
    return nb


def execute_one(job: dict[str, Any]) -> dict[str, Any]:
    """Pass 1 for one notebook of one trainee (runs in a worker process)."""
    warnings.simplefilter("ignore", MissingIDFieldWarning)  # this worker process only
    started = time.monotonic()
    path = Path(job["path"])
    resources = {
        "nbgrader": {
            "notebook": job["notebook"],
            "assignment": job["assignment"],
            "student": job["student"],
            "db_url": job["db_url"],
        },
        "metadata": {"path": str(path.parent)},
    }
    notes: list[dict] = []
    try:
        submitted = nbformat.read(path, as_version=4)
    except Exception as err:  # not JSON, not a notebook
        submitted = None
        notes.append({"kind": "unreadable", "detail": f"{type(err).__name__}: {err}"[:200]})
    nb = None
    if submitted is not None:
        try:
            nb, resources = _sanitize(copy.deepcopy(submitted), resources)
            changed = _tests_changed(submitted, nbformat.read(job["release"], as_version=4))
            if changed:
                notes.append({"kind": "restored", "detail": ", ".join(changed)})
        except Exception as err:
            notes.append({"kind": "repaired", "detail": f"{type(err).__name__}: {err}"[:200]})
    if nb is None:
        # graded on the release: blank (unreadable) or with the trainee's answers (repaired)
        release = nbformat.read(job["release"], as_version=4)
        fixed = repair(submitted, release) if submitted is not None else release
        nbformat.write(fixed, path)  # the staged copy, never the trainee's own file
        nb, resources = _sanitize(copy.deepcopy(fixed), resources)
    key = content_key(nb, job["salt"])
    target = Path(job["cache"]) / f"{key}.ipynb"
    if not target.exists():
        limits = Limits(**job["limits"])
        ex = SandboxExecute(
            limits=limits,
            notebook_timeout=limits.notebook_seconds,
            output_limit_kb=limits.output_kb_per_cell,
            timeout=limits.cell_seconds,
            scratch_root=job["scratch"],
            lang=job["lang"],
        )
        with utils.setenv(NBGRADER_EXECUTION="autograde"):
            nb, resources = ex.preprocess(nb, resources)
        nb, resources = Verdict(lang=job["lang"]).preprocess(nb, resources)
        atomic_write(target, nbformat.writes(nb))
    # what happened to this trainee's file, then what happened when this content ran
    done = nbformat.read(target, as_version=4)
    ran = done.metadata.get("grading", {}).get("notes", [])
    return {
        "student": job["student"],
        "notebook": job["notebook"],
        "key": key,
        "notes": notes + ran,
        "seconds": round(time.monotonic() - started, 2),
    }


def stage(root: Path, assignment: str, staged: Path) -> list[str]:
    """Copy every submission of ``assignment`` into the staging folder; return students."""
    students = []
    for sub in sorted((root / "submitted").glob(f"*/{assignment}")):
        if not sub.is_dir():
            continue
        student = sub.parent.name
        dest = staged / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(sub, dest)
        students.append(student)
    return students


def run_pass1(jobs: list[dict], workers: int, progress: bool = True) -> list[dict]:
    """Execute the jobs on a pool of ``workers`` processes, with a progress bar."""
    from tqdm import tqdm

    results = []
    ctx = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(execute_one, job): job for job in jobs}
        bar = tqdm(total=len(jobs), desc="execute", unit="nb", disable=not progress)
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                results.append(fut.result())
            except Exception as err:  # a worker crash never stops the batch
                results.append(
                    {
                        "student": job["student"],
                        "notebook": job["notebook"],
                        "key": None,
                        "notes": [
                            {"kind": "grader_error", "detail": f"{type(err).__name__}: {err}"}
                        ],
                        "seconds": None,
                    }
                )
            bar.update(1)
        bar.close()
    return results


def jobs_for(ws, assignment: str, students: list[str], staged: Path, salt: str) -> list[dict]:
    """One job per trainee × notebook of the module."""
    release_dir = ws.root / "release" / assignment
    notebooks = sorted(p.stem for p in (ws.root / "source" / assignment).glob("*.ipynb"))
    cache = ws.state / "cache" / assignment
    # kernels talk over Unix sockets in their scratch folder, whose paths may not exceed
    # about 100 characters, so scratch folders live in the system's temp folder
    scratch = ""
    jobs = []
    for student in students:
        for nb in notebooks:
            path = staged / student / assignment / f"{nb}.ipynb"
            if not path.exists():
                continue  # nbgrader scores a missing notebook 0 itself
            jobs.append(
                {
                    "path": str(path),
                    "release": str(release_dir / f"{nb}.ipynb"),
                    "notebook": nb,
                    "assignment": assignment,
                    "student": student,
                    "db_url": ws.db_url,
                    "cache": str(cache),
                    "scratch": scratch,
                    "limits": asdict(ws.limits),
                    "lang": ws.lang,
                    "salt": salt,
                }
            )
    return jobs


def record(ws, assignment: str, staged: Path, results: list[dict], salt: str) -> list[str]:
    """Pass 2: nbgrader's Autograde converter writes every grade, from this one process."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from grading.execute import CachedExecute

    cfg = ws.nbgrader_config()
    cfg.CourseDirectory.submitted_directory = str(staged.relative_to(ws.root))
    cfg.CourseDirectory.assignment_id = assignment
    cfg.BaseConverter.force = True
    cfg.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back
    cfg.Autograde.autograde_preprocessors = [
        CachedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
    ]
    cfg.CachedExecute.cache_dir = str(ws.state / "cache" / assignment)
    cfg.CachedExecute.salt = salt
    cfg.CachedExecute.timeout = ws.limits.cell_seconds
    cfg.CachedExecute.notebook_timeout = ws.limits.notebook_seconds
    cfg.CachedExecute.lang = ws.lang
    coursedir = CourseDirectory(config=cfg)
    converter = Autograde(coursedir=coursedir, config=cfg)
    log = ws.state / "runs" / f"{assignment}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    converter.log.addHandler(handler)
    propagate, converter.log.propagate = converter.log.propagate, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            converter.start()
    except NbGraderException:
        pass  # the students it could not grade are found below; the log says why
    finally:
        converter.log.removeHandler(handler)
        converter.log.propagate = propagate
        handler.close()
    failed = []
    for student in sorted({r["student"] for r in results}):
        out = ws.root / "autograded" / student / assignment
        if not out.exists():
            failed.append(student)
    return failed


def autograde(ws, assignment: str, workers: int | None = None, progress: bool = True) -> dict:
    """Grade every submission of ``assignment``; return a summary (times, notes, failures)."""
    t0 = time.monotonic()
    staged = ws.state / "staged"
    students = stage(ws.root, assignment, staged)
    salt = code_salt()
    jobs = jobs_for(ws, assignment, students, staged, salt)
    workers = workers or os.cpu_count() or 1
    results = run_pass1(jobs, workers, progress) if jobs else []
    t1 = time.monotonic()
    failed = record(ws, assignment, staged, results, salt)
    t2 = time.monotonic()
    notes = {f"{r['student']}/{r['notebook']}": r["notes"] for r in results if r["notes"]}
    summary = {
        "assignment": assignment,
        "students": students,
        "notebooks": len(jobs),
        "execute_seconds": round(t1 - t0, 2),
        "record_seconds": round(t2 - t1, 2),
        "failed": failed,
        "notes": notes,
    }
    out = ws.state / "runs" / f"{assignment}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary
