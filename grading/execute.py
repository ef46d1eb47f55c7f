"""Executing a submission for grading: nbgrader's Execute step, made safe.

:class:`SandboxExecute` replaces nbgrader's ``Execute`` preprocessor. It runs the kernel
in the sandbox (:mod:`grading.sandbox`), installs the guard (:mod:`grading.guard`) and
restores the test namespace before every test cell, caps each cell's output while it
arrives, enforces a time limit per cell and per notebook, and turns a kernel that died
(``os._exit``, out of memory, CPU limit) into error outputs on the cells that did not run,
instead of losing the submission.

:class:`Verdict` then makes each test cell's grade come from its assertions: stray output
on stderr (warnings, logging) is removed from test cells, and a test cell whose hidden
tests end with ``grade(...)`` but showed no result (the notebook switched off result
display) earns nothing.

:class:`CachedExecute` is what the single gradebook writer uses: it takes the executed
notebook that a parallel worker already produced (:mod:`grading.autograde`), and executes
only when none matches.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Instance, Integer, Unicode

from grading import guard
from grading.i18n import reason_text
from grading.sandbox import Limits, SandboxKernelManager
from sim.fileio import atomic_write

NOTE_KEY = "grading"  # notebook metadata key for what the grader noticed


def is_test_cell(cell: NotebookNode) -> bool:
    """A graded code cell that is not an answer: a test."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def content_key(nb: NotebookNode, salt: str = "") -> str:
    """A hash of what decides a grading run.

    Cell types, sources and grade ids, plus a ``salt`` for what lies outside the notebook
    (the code it runs).
    """
    parts = [
        (c.cell_type, c.source, c.metadata.get("nbgrader", {}).get("grade_id")) for c in nb.cells
    ]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    blob = json.dumps([kernel, parts, salt], ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def _defined_names(source: str) -> list[str]:
    """Top-level names a cell's code binds (functions, classes, imports, assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return sorted(set(names))


def _error(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


def add_note(nb: NotebookNode, kind: str, **detail: Any) -> None:
    """Record something the grader noticed (shown in the feedback and the report)."""
    notes = nb.metadata.setdefault(NOTE_KEY, {}).setdefault("notes", [])
    entry = {"kind": kind, **detail}
    if entry not in notes:
        notes.append(entry)


class SandboxExecute(Execute):
    """nbgrader's Execute, with the kernel in the sandbox and the guard before tests."""

    limits = Instance(Limits, args=())
    notebook_timeout = Integer(1800, help="seconds for the whole notebook").tag(config=True)
    output_limit_kb = Integer(256, help="output kept per cell, kB").tag(config=True)
    scratch_root = Unicode("", help="folder for sandbox scratch space").tag(config=True)
    lang = Unicode("zh", help="language of the reasons written into cells").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):
        """Execute every cell; a dead kernel or time limit never raises out of here."""
        self._scratch = Path(tempfile.mkdtemp(prefix="grade-", dir=self.scratch_root or None))
        self._scratch.chmod(0o777)
        self._dead: str | None = None
        self._started = time.monotonic()
        self._out_bytes: dict[int, int] = {}
        self._snapshotted = False
        self._guard_installed = False
        # the trainee's own files next to the notebook (data they read), never notebooks
        src = Path((resources or {}).get("metadata", {}).get("path") or ".")
        for f in src.iterdir() if src.is_dir() else []:
            if f.is_file() and f.suffix != ".ipynb" and f.name != "timestamp.txt":
                shutil.copy(f, self._scratch / f.name)
        if resources is not None:
            resources.setdefault("metadata", {})["path"] = str(self._scratch)
        self._contexts: list = []
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            # close the kernel's sockets now: a ZeroMQ context left to the garbage
            # collector can block forever on a socket that was not closed
            for ctx in self._contexts:
                ctx.destroy(linger=0)
            shutil.rmtree(self._scratch, ignore_errors=True)

    def create_kernel_manager(self):
        """A sandboxed kernel on IPC sockets in the scratch folder."""
        self.km = SandboxKernelManager(
            kernel_name="python3",
            transport="ipc",
            scratch=self._scratch,
            limits=self.limits,
            config=self.config,
        )
        # interrupt over the control channel: a signal cannot cross into the sandbox's session
        self.km.kernel_spec.interrupt_mode = "message"
        self.km.connection_file = str(self._scratch / "kernel.json")
        self.km.ip = str(self._scratch / "kernel")
        self._contexts.append(self.km.context)
        return self.km

    async def _user_expression(self, code: str, expr: str) -> Any:
        """Run ``code`` silently and return ``expr`` evaluated in the kernel."""
        msg_id = self.kc.execute(
            code, silent=True, store_history=False, user_expressions={"v": expr}
        )
        reply = await self.async_wait_for_reply(msg_id)
        if not reply or reply["content"].get("status") != "ok":
            return None
        value = reply["content"].get("user_expressions", {}).get("v", {})
        if value.get("status") != "ok":
            return None
        text = value.get("data", {}).get("text/plain", "")
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        """Execute one cell: guard first for tests; record dead kernels and time limits."""
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if self._dead:
            cell.outputs = [_error("NotRun", reason_text(self._dead, self.lang))]
            return cell
        remaining = self.notebook_timeout - (time.monotonic() - self._started)
        if remaining <= 0:
            self._dead = "notebook_timeout"
            add_note(self.nb, "notebook_timeout", seconds=self.notebook_timeout)
            cell.outputs = [_error("NotRun", reason_text(self._dead, self.lang))]
            return cell
        self.timeout = int(max(1, min(self.limits.cell_seconds or remaining, remaining)))
        try:
            if not self._guard_installed:
                self._guard_installed = True
                await self._user_expression(guard.install_code(), "1")
            if is_test_cell(cell):
                changed = await self._user_expression("", guard.RESTORE)
                if changed is None:  # no answer: the guard was removed or replaced
                    changed = ["guard"]
                if changed:
                    add_note(
                        self.nb, "tampering", cell=cell_index, changed=sorted(set(changed))[:20]
                    )
            cell = await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        except Exception as err:  # DeadKernelError and friends: the kernel is gone
            self._dead = "kernel_died"
            add_note(self.nb, "kernel_died", cell=cell_index, error=type(err).__name__)
            cell.outputs = [
                *cell.get("outputs", []),
                _error("KernelDied", reason_text("kernel_died", self.lang)),
            ]
            return cell
        if utils.is_locked(cell) and not is_test_cell(cell):
            # the first locked cell is the setup (star imports): record everything; later
            # locked cells: only the names their own (trusted) source defines
            names = _defined_names(cell.source) if self._snapshotted else None
            self._snapshotted = True
            if names is None or names:
                await self._user_expression("", guard.SNAPSHOT.format(names=names))
        for out in cell.outputs:
            if out.get("ename") == "CellTimeoutError":
                add_note(self.nb, "cell_timeout", cell=cell_index, seconds=self.timeout)
        return cell

    # nbclient binds the synchronous wrapper to its own coroutine; bind it to ours
    execute_cell = run_sync(async_execute_cell)

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``output_limit_kb`` of output per cell, then one note."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._out_bytes.get(cell_index, 0)
        limit = self.output_limit_kb * 1024
        self._out_bytes[cell_index] = used + size
        if used + size > limit:
            if used <= limit:
                add_note(self.nb, "output_capped", cell=cell_index, kb=self.output_limit_kb)
                outs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stdout",
                        text="\n" + reason_text("output_capped", self.lang) + "\n",
                    )
                )
            return None
        return super().output(outs, msg, display_id, cell_index)


class Verdict(NbGraderPreprocessor):
    """A test cell's grade comes from its assertions, never from stray output."""

    lang = Unicode("zh", help="language of the reason written into cells").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        """Drop stderr from test cells; no result where one is due earns nothing."""
        if not is_test_cell(cell):
            return cell, resources
        cell.outputs = [
            o
            for o in cell.get("outputs", [])
            if not (o.output_type == "stream" and o.name == "stderr")
        ]
        failed = any(o.output_type == "error" for o in cell.outputs)
        has_result = any(o.output_type == "execute_result" for o in cell.outputs)
        last = [
            ln for ln in cell.source.strip().splitlines() if ln.strip() and not ln.startswith("#")
        ]
        wants_result = bool(last) and last[-1].startswith("grade(")
        if wants_result and not failed and not has_result:
            cell.outputs.append(_error("NoVerdict", reason_text("no_verdict", self.lang)))
        return cell, resources


class CachedExecute(SandboxExecute):
    """Use a worker's executed notebook when one matches; execute (and store) otherwise."""

    cache_dir = Unicode("", help="folder of executed notebooks by content key").tag(config=True)
    salt = Unicode("", help="hash of the code the notebooks run").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):
        """Return the cached executed notebook for this content, or execute it."""
        cached = Path(self.cache_dir) / f"{content_key(nb, self.salt)}.ipynb"
        if cached.exists():
            return nbformat.read(cached, as_version=4), resources
        nb, resources = super().preprocess(nb, resources, km=km)
        nb, resources = Verdict(lang=self.lang).preprocess(nb, resources)
        atomic_write(cached, nbformat.writes(nb))
        return nb, resources
