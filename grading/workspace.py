"""A cohort's grading workspace: an nbgrader course folder plus the trainer's settings.

Layout (all under the folder given to ``python -m grading init``)::

    grading.toml          course id, language, gradebook URL, exchange, limits
    nbgrader_config.py    the same, for nbgrader's own tools (formgrader in JupyterLab)
    gradebook.db          the SQLite gradebook (unless a PostgreSQL URL is configured)
    roster.csv            the trainees
    source/  release/     per module: the trainer's notebook and the trainees' copy
    downloaded/           zip or folder submissions being collected
    submitted/            collected submissions, one folder per trainee (never modified)
    autograded/ feedback/ nbgrader's outputs
    exports/ reports/     CSV grades and the cohort report
    .grading/             staging, executed-notebook cache and run logs

Every step only adds or replaces its own outputs, so any step can be run again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tomllib
import zipfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import nbformat
from traitlets.config import Config

from course.build import tool_env
from grading.sandbox import Limits
from sim.fileio import atomic_write

SETTINGS = "grading.toml"

# nbgrader runs its own command-line tools (alembic, for the gradebook's schema), which
# live beside this interpreter even when the virtual environment is not activated
os.environ["PATH"] = tool_env()["PATH"]

ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "group")


class GradingError(Exception):
    """A trainer's command cannot go ahead; the message says why and what to do."""


@dataclass
class Settings:
    """What ``grading.toml`` holds."""

    course_id: str = "course"
    lang: str = "zh"
    db_url: str = ""
    exchange: str = ""
    limits: Limits = field(default_factory=Limits)
    due: dict[str, str] = field(default_factory=dict)

    def to_toml(self) -> str:
        """TOML text (written by hand: the standard library reads TOML but cannot write it)."""
        out = [
            f"course_id = {json.dumps(self.course_id)}",
            f"lang = {json.dumps(self.lang)}",
            f"db_url = {json.dumps(self.db_url)}",
            f"exchange = {json.dumps(self.exchange)}",
            "",
            "[limits]",
        ]
        out += [f"{k} = {v}" for k, v in asdict(self.limits).items()]
        out += ["", "[due]"]
        out += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in sorted(self.due.items())]
        return "\n".join(out) + "\n"


class Workspace:
    """An opened grading workspace."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        path = self.root / SETTINGS
        if not path.exists():
            raise GradingError(
                f"{self.root} is not a grading workspace (no {SETTINGS}); "
                f"create one with `python -m grading init {self.root}`"
            )
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(Limits)}
        bad = sorted(set(raw.get("limits", {})) - known)
        if bad:
            raise GradingError(f"{path}: [limits] has unknown keys {bad}; allowed: {sorted(known)}")
        self.settings = Settings(
            course_id=raw.get("course_id", "course"),
            lang=raw.get("lang", "zh"),
            db_url=raw.get("db_url", ""),
            exchange=raw.get("exchange", ""),
            limits=Limits(**raw.get("limits", {})),
            due=dict(raw.get("due", {})),
        )

    # ------------------------------------------------------------------ settings
    @classmethod
    def init(
        cls,
        root: Path,
        course_id: str = "course",
        lang: str = "zh",
        db_url: str = "",
        exchange: str = "",
    ) -> Workspace:
        """Create (or update) a workspace and its gradebook; existing data is kept."""
        if lang not in ("zh", "en"):
            raise GradingError(f"lang = {lang!r}: allowed values are zh, en")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", course_id):
            raise GradingError(
                f"course_id = {course_id!r}: use letters, digits, '-', '_' or '.' only"
            )
        root = Path(root).resolve()
        root.mkdir(parents=True, exist_ok=True)
        path = root / SETTINGS
        settings = Settings(course_id=course_id, lang=lang, db_url=db_url, exchange=exchange)
        if path.exists():  # keep limits and due dates already set
            old = cls(root).settings
            settings.limits, settings.due = old.limits, old.due
        atomic_write(path, settings.to_toml())
        ws = cls(root)
        ws.write_nbgrader_config()
        from nbgrader.api import Gradebook

        with Gradebook(ws.db_url, course_id):
            pass  # creates the tables
        return ws

    @property
    def lang(self) -> str:
        """Language of the modules and the feedback."""
        return self.settings.lang

    @property
    def limits(self) -> Limits:
        """Time, memory and output limits for grading one notebook."""
        return self.settings.limits

    @property
    def db_url(self) -> str:
        """The gradebook's SQLAlchemy URL."""
        return self.settings.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def state(self) -> Path:
        """The tool's own working folder."""
        return self.root / ".grading"

    def save(self) -> None:
        """Write the settings back."""
        atomic_write(self.root / SETTINGS, self.settings.to_toml())

    def nbgrader_config(self) -> Config:
        """The configuration every nbgrader step gets."""
        c = Config()
        c.CourseDirectory.root = str(self.root)
        c.CourseDirectory.course_id = self.settings.course_id
        c.CourseDirectory.db_url = self.db_url
        if self.settings.exchange:
            c.Exchange.root = self.settings.exchange
        c.Exchange.timezone = "UTC"
        return c

    def write_nbgrader_config(self) -> None:
        """``nbgrader_config.py`` for nbgrader's own tools, formgrader included."""
        lines = [
            "# Written by `python -m grading init`; edit grading.toml instead.",
            "c = get_config()  # noqa: F821",
            f"c.CourseDirectory.root = {str(self.root)!r}",
            f"c.CourseDirectory.course_id = {self.settings.course_id!r}",
            f"c.CourseDirectory.db_url = {self.db_url!r}",
        ]
        if self.settings.exchange:
            lines.append(f"c.Exchange.root = {self.settings.exchange!r}")
        atomic_write(self.root / "nbgrader_config.py", "\n".join(lines) + "\n")

    def api(self):
        """Nbgrader's own API object for this course."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        cfg = self.nbgrader_config()
        return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)

    def gradebook(self):
        """An open nbgrader Gradebook (use as a context manager)."""
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.settings.course_id)

    # ------------------------------------------------------------------ roster
    def roster(self) -> list[dict[str, str]]:
        """The trainees, as imported."""
        path = self.root / "roster.csv"
        if not path.exists():
            return []
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    def import_roster(self, csv_path: Path) -> int:
        """Add or update trainees from a CSV (id, first_name, last_name, email, group)."""
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            cols = [c.strip() for c in (reader.fieldnames or [])]
            if "id" not in cols:
                raise GradingError(
                    f"{csv_path}: the roster needs an 'id' column; columns found: {cols}; "
                    f"allowed: {', '.join(ROSTER_COLUMNS)}"
                )
            rows = []
            for n, row in enumerate(reader, start=2):
                row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                sid = row.get("id", "")
                if not re.fullmatch(r"[A-Za-z0-9_.-]+", sid):
                    raise GradingError(
                        f"{csv_path} line {n}: id = {sid!r}: use letters, digits, '-', '_' "
                        "or '.' (it names the trainee's folders)"
                    )
                rows.append({c: row.get(c, "") for c in ROSTER_COLUMNS})
        merged = {r["id"]: r for r in self.roster()}
        merged.update({r["id"]: r for r in rows})
        out = io.StringIO(newline="")
        w = csv.DictWriter(out, fieldnames=ROSTER_COLUMNS)
        w.writeheader()
        w.writerows(merged[k] for k in sorted(merged))
        atomic_write(self.root / "roster.csv", out.getvalue())
        with self.gradebook() as gb:
            for r in rows:
                gb.update_or_create_student(
                    r["id"],
                    first_name=r["first_name"] or None,
                    last_name=r["last_name"] or None,
                    email=r["email"] or None,
                )
        return len(rows)

    # ------------------------------------------------------------------ release
    def release(self, module: str, due: str | None = None) -> Path:
        """Build one course module in the workspace's language and release it.

        Writes ``source/<module>``, runs nbgrader's generate_assignment (the trainees'
        copy in ``release/<module>``), records the due date in the gradebook, and puts
        the release in the exchange when one is configured.
        """
        from course import build

        slugs = [p.stem for p in build.modules()]
        if module not in slugs:
            raise GradingError(f"module = {module!r}: allowed: {', '.join(slugs)}")
        if due is not None:
            self.settings.due[module] = _parse_due(due).isoformat()
            self.save()
        nb = build.edition(build.read_source(build.SRC / f"{module}.md"), self.lang)
        src = self.root / "source" / module
        src.mkdir(parents=True, exist_ok=True)
        path = src / f"{module}.ipynb"
        text = nbformat.writes(nb)
        released = (self.root / "release" / module / f"{module}.ipynb").exists()
        api = self.api()
        if not (released and path.exists() and path.read_text(encoding="utf-8") == text):
            atomic_write(path, text)
            result = api.generate_assignment(module, force=True, create=True)
            if not result["success"]:
                hint = ""
                if "there are submissions" in result["log"]:
                    hint = (
                        "\nThe module changed after trainees submitted it; nbgrader does not "
                        "allow adding or removing graded cells then. Fix the text or tests "
                        "without adding or removing cells, or release it as a new module."
                    )
                raise GradingError(
                    f"nbgrader generate_assignment {module} failed:\n{result['log']}{hint}"
                )
        with self.gradebook() as gb:
            duedate = self.settings.due.get(module)
            gb.update_or_create_assignment(
                module, duedate=dt.datetime.fromisoformat(duedate) if duedate else None
            )
        if self.settings.exchange:
            result = api.release_assignment(module)
            if not result["success"]:
                raise GradingError(f"nbgrader release_assignment {module} failed:\n{result['log']}")
        return self.root / "release" / module

    def released(self) -> list[str]:
        """Modules released so far, in course order."""
        return sorted(p.name for p in (self.root / "release").glob("m*") if p.is_dir())

    # ------------------------------------------------------------------ collect
    def collect(self, module: str, source: Path | None = None) -> list[str]:
        """Collect submissions from the exchange, or from a folder or zip of files.

        Files in a folder or zip are named by trainee: ``<id>/<module>.ipynb`` or
        ``<id>_<module>.ipynb`` (or ``<id>-...``). The submission time is the file's
        modification time in the folder or zip; it is compared with the due date.
        Returns the trainees collected.
        """
        if module not in self.released():
            raise GradingError(
                f"module = {module!r} has not been released; released: {self.released()}"
            )
        if source is None:
            if not self.settings.exchange:
                raise GradingError(
                    "no exchange is configured: give a folder or zip of submissions "
                    "(`python -m grading collect MODULE --from PATH`)"
                )
            result = self.api().collect(module, update=True)
            if not result["success"]:
                raise GradingError(f"nbgrader collect {module} failed:\n{result['log']}")
            return sorted(p.parent.name for p in (self.root / "submitted").glob(f"*/{module}"))
        return self._collect_files(module, Path(source))

    def _collect_files(self, module: str, source: Path) -> list[str]:
        if not source.exists():
            raise GradingError(f"--from {source}: no such file or folder")
        known = {r["id"] for r in self.roster()}
        if not known:
            raise GradingError("import a roster first (`python -m grading roster FILE.csv`)")
        entries: list[tuple[str, bytes, dt.datetime]] = []
        if source.is_dir():
            for f in sorted(source.rglob("*.ipynb")):
                mtime = dt.datetime.fromtimestamp(f.stat().st_mtime, dt.UTC)
                entries.append((str(f.relative_to(source)), f.read_bytes(), mtime))
        elif zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as z:
                for info in z.infolist():
                    if info.filename.endswith(".ipynb") and not info.is_dir():
                        # zip times are local wall-clock times; the trainer's machine's zone
                        stamp = dt.datetime(*info.date_time).astimezone(dt.UTC)
                        entries.append((info.filename, z.read(info), stamp))
        else:
            raise GradingError(f"--from {source}: expected a folder or a .zip file")
        notebooks = sorted(p.name for p in (self.root / "source" / module).glob("*.ipynb"))
        collected: dict[str, dt.datetime] = {}
        unknown = []
        for name, data, stamp in entries:
            parts = Path(name).parts
            base = parts[-1]
            if base.startswith("."):
                continue
            student = parts[-2] if len(parts) >= 2 and base in notebooks else None
            if student is None:
                m = re.match(r"(.+?)[_-]" + re.escape(module) + r"\.ipynb$", base)
                student = m.group(1) if m else None
                base = f"{module}.ipynb"
            if student not in known:
                unknown.append(name)
                continue
            dest = self.root / "submitted" / student / module
            dest.mkdir(parents=True, exist_ok=True)
            (dest / base).write_bytes(data)
            collected[student] = max(stamp, collected.get(student, stamp))
        for student, stamp in collected.items():
            (self.root / "submitted" / student / module / "timestamp.txt").write_text(
                stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8"
            )
        if unknown:
            print(f"not collected (no trainee with that id in the roster): {', '.join(unknown)}")
        return sorted(collected)

    # ------------------------------------------------------------------ grade
    def autograde(self, module: str, workers: int | None = None, progress: bool = True) -> dict:
        """Autograde every collected submission of ``module`` (see grading.autograde)."""
        from grading import autograde, sandbox

        if module not in self.released():
            raise GradingError(
                f"module = {module!r} has not been released; released: {self.released()}"
            )
        sandbox.check()
        return autograde.autograde(self, module, workers=workers, progress=progress)

    def last_run(self, module: str) -> dict:
        """The summary the last autograde of ``module`` wrote (empty if never graded)."""
        run = self.state / "runs" / f"{module}.json"
        return json.loads(run.read_text(encoding="utf-8")) if run.exists() else {}

    def feedback(self, module: str) -> list[Path]:
        """HTML feedback per trainee, without hidden tests; released to the exchange if any."""
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.converters import GenerateFeedback
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.preprocessors import ClearHiddenTests, GetGrades

        from grading.feedback import FeedbackNotes, HideTestDetails

        notes = self.last_run(module).get("notes", {})
        cfg = self.nbgrader_config()
        cfg.CourseDirectory.assignment_id = module
        cfg.BaseConverter.force = True
        cfg.GenerateFeedback.preprocessors = [
            GetGrades,
            ClearHiddenTests,
            HideTestDetails,
            FeedbackNotes,
            CSSHTMLHeaderPreprocessor,
        ]
        cfg.FeedbackNotes.notes = notes
        cfg.FeedbackNotes.lang = self.lang
        GenerateFeedback(coursedir=CourseDirectory(config=cfg), config=cfg).start()
        if self.settings.exchange:
            self.api().release_feedback(module)
        return sorted((self.root / "feedback").glob(f"*/{module}/*.html"))


def _parse_due(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise GradingError(
            f"--due {text!r}: use a date and time like 2026-12-01T18:00 (or with +08:00)"
        ) from None
    if when.tzinfo is None:
        when = when.astimezone()  # a time without a zone is the trainer's local time
    return when.astimezone(dt.UTC).replace(tzinfo=None)
