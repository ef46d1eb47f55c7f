"""Build the course: MyST sources -> nbgrader source notebooks per language -> release.

Each module is written once, in ``course/src/<slug>.md`` (jupytext MyST markdown), with
the Chinese and English text side by side in every markdown cell::

    <!-- zh -->
    中文……
    <!-- en -->
    English ...

Code cells are shared by both editions; ``__LANG__`` in a code cell becomes the edition's
language (the setup cell calls ``setup("__LANG__")``). nbgrader's cell metadata (solution
and test cells, ``grade_id``, points) sits in the cells' YAML headers and passes through
unchanged, so both editions have the same cells and the same grade ids.

Layout of a build (``course/build`` by default)::

    build/<lang>/source/<slug>/<slug>.ipynb    instructor edition (solutions, hidden tests)
    build/<lang>/release/<slug>/<slug>.ipynb   trainee edition (nbgrader generate_assignment)

``build/<lang>`` is an nbgrader course directory; trainers point nbgrader at it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import jupytext
import nbformat

from course import COURSE_DIR

SRC = COURSE_DIR / "src"
BUILD = Path(os.environ.get("COURSE_BUILD_DIR", COURSE_DIR / "build"))
WORK = Path(os.environ.get("COURSE_WORK_DIR", COURSE_DIR / "work"))
LANGS = ("zh", "en")
_MARK = re.compile(r"^<!--\s*(zh|en)\s*-->\s*$")


def modules() -> list[Path]:
    """The module sources, in course order (their file names start with mNN-)."""
    return sorted(SRC.glob("m[0-9][0-9]-*.md"))


def split_languages(text: str) -> dict[str, str]:
    """Split a bilingual markdown cell into ``{"zh": ..., "en": ...}``.

    Lines before the first marker belong to both languages.
    """
    parts: dict[str, list[str]] = {"zh": [], "en": []}
    current: str | None = None
    for line in text.splitlines():
        m = _MARK.match(line.strip())
        if m:
            current = m.group(1)
            continue
        for lang in LANGS if current is None else (current,):
            parts[lang].append(line)
    return {lang: "\n".join(lines).strip() for lang, lines in parts.items()}


def read_source(path: Path) -> nbformat.NotebookNode:
    """Read a MyST module source into a notebook (both languages still together)."""
    return jupytext.read(path, fmt="md:myst")


def edition(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Return the ``lang`` edition of a bilingual notebook."""
    out = nbformat.v4.new_notebook()
    out.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        },
        "language_info": {"name": "python"},
        "course": {"language": lang},
    }
    for cell in nb.cells:
        meta = {
            k: v
            for k, v in cell.metadata.items()
            if k in ("nbgrader", "tags", "deletable", "editable")
        }
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(split_languages(cell.source)[lang], metadata=meta)
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source.replace("__LANG__", lang), metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=meta)
        out.cells.append(new)
    return out


def tool_env() -> dict[str, str]:
    """Environment for nbgrader's subprocesses: this Python's scripts first on PATH.

    nbgrader runs the ``alembic`` command when it creates a gradebook, so the virtual
    environment's ``bin`` must be on PATH even when the venv is not activated.
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def generate_release(root: Path, slug: str) -> Path:
    """Run ``nbgrader generate_assignment`` (as a trainer would) for one module."""
    cmd = [
        sys.executable,
        "-m",
        "nbgrader",
        "generate_assignment",
        slug,
        "--force",
        f"--CourseDirectory.root={root}",
        "--log-level=ERROR",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=tool_env())
    if done.returncode != 0:
        raise RuntimeError(
            f"nbgrader generate_assignment {slug} in {root} failed:\n{done.stdout}{done.stderr}"
        )
    return root / "release" / slug / f"{slug}.ipynb"


def build(
    langs: Iterable[str] = LANGS,
    out: Path = BUILD,
    release: bool = True,
    only: Iterable[str] | None = None,
) -> dict[str, list[Path]]:
    """Write the source (and release) notebooks of the modules for each language.

    ``only`` limits the build to some module slugs. Returns ``{lang: [release notebook
    paths]}`` (source paths when ``release`` is False).
    """
    chosen = [m for m in modules() if only is None or m.stem in set(only)]
    written: dict[str, list[Path]] = {}
    for lang in langs:
        root = Path(out) / lang
        paths = []
        for src in chosen:
            slug = src.stem
            nb = edition(read_source(src), lang)
            folder = root / "source" / slug
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{slug}.ipynb"
            nbformat.write(nb, target)
            paths.append(target)
        if release:
            paths = [generate_release(root, src.stem) for src in chosen]
        written[lang] = paths
    return written


def is_stale(lang: str, out: Path = BUILD) -> bool:
    """True when a release notebook is missing or older than its source or this builder."""
    newest_tool = max(Path(__file__).stat().st_mtime, (COURSE_DIR / "kit.py").stat().st_mtime)
    for src in modules():
        rel = Path(out) / lang / "release" / src.stem / f"{src.stem}.ipynb"
        if not rel.exists() or rel.stat().st_mtime < max(src.stat().st_mtime, newest_tool):
            return True
    return False


def title_of(nb: nbformat.NotebookNode) -> str:
    """The first heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "?"


LANDING = {
    "zh": (
        "# 电商运营实训课程\n\n"
        "欢迎!本课程用一个网店模拟器带你学习在淘宝、京东、拼多多上经营店铺。"
        "请按顺序完成下面的模块;每个模块先讲概念,再用调节面板动手试,最后做练习。\n\n"
        "**怎样使用 Jupyter:** 点开一个模块,点击代码单元格,按 **Shift+Enter** 运行它并跳到下一格。"
        "练习中写有 `raise NotImplementedError()` 的地方换成你的答案;写有 `assert` 的格子是检查,"
        "运行它就能看到是否通过。保存:Ctrl+S。\n\n"
        "**切换到英文版:** 关闭 JupyterLab,运行 `python -m course --lang en`。\n\n## 模块\n\n"
    ),
    "en": (
        "# E-commerce operations training course\n\n"
        "Welcome! This course uses a store simulator to teach you how to run a store on "
        "Taobao, JD and Pinduoduo. Work through the modules in order; each explains the "
        "concepts, lets you try them with a lever panel, and ends with exercises.\n\n"
        "**Using Jupyter:** open a module, click a code cell and press **Shift+Enter** to run "
        "it and move to the next one. In the exercises, replace `raise NotImplementedError()` "
        "with your answer; cells with `assert` are checks: run them to see whether you passed. "
        "Save with Ctrl+S.\n\n"
        "**Switch to Chinese:** stop JupyterLab and run `python -m course --lang zh`.\n\n"
        "## Modules\n\n"
    ),
}


def prepare_work(lang: str, out: Path = BUILD, work: Path = WORK) -> Path:
    """Copy the trainee edition into the work folder and write its landing page.

    A notebook the trainee already has is never overwritten; returns the landing page.
    """
    folder = Path(work) / lang
    folder.mkdir(parents=True, exist_ok=True)
    lines = [LANDING[lang]]
    for src in modules():
        slug = src.stem
        rel = Path(out) / lang / "release" / slug / f"{slug}.ipynb"
        mine = folder / f"{slug}.ipynb"
        if not mine.exists():
            shutil.copyfile(rel, mine)
        title = title_of(nbformat.read(rel, as_version=4))
        lines.append(f"1. [{title}]({slug}.ipynb)\n")
    index = folder / "index.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
    }
    nb.cells.append(nbformat.v4.new_markdown_cell("".join(lines)))
    nbformat.write(nb, index)
    return index
