"""The course: bilingual sources, two editions with the same cells, nbgrader validation
(solutions pass, untouched trainee copies score nothing), warnings that never cost points,
the trainee's work folder, and the README's launch command in a real JupyterLab."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, free_port

from course import build

MODULES = [p.stem for p in build.modules()]


def test_modules_exist_in_order():
    assert MODULES[0] == "m00-orientation"
    assert MODULES == sorted(MODULES)


@pytest.mark.parametrize("slug", MODULES)
def test_every_markdown_cell_has_both_languages(slug):
    nb = build.read_source(build.SRC / f"{slug}.md")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        parts = build.split_languages(cell.source)
        assert parts["zh"].strip() and parts["en"].strip(), (
            f"{slug} cell {i}: text missing in a language"
        )
        assert parts["zh"] != parts["en"], f"{slug} cell {i}: not split into languages"
        has_han = any("\u4e00" <= c <= "\u9fff" for c in parts["zh"])
        assert has_han, f"{slug} cell {i}: the Chinese section has no Chinese"


@pytest.mark.parametrize("slug", MODULES)
def test_both_editions_have_the_same_cells_and_grade_ids(slug):
    nb = build.read_source(build.SRC / f"{slug}.md")
    zh, en = build.edition(nb, "zh"), build.edition(nb, "en")
    assert [c.cell_type for c in zh.cells] == [c.cell_type for c in en.cells]
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in zh.cells]
    assert ids == [c.metadata.get("nbgrader", {}).get("grade_id") for c in en.cells]
    named = [i for i in ids if i]
    assert len(named) == len(set(named)), "grade_ids must be unique"
    assert all(i.startswith(slug[:3] + "-") for i in named), "grade_ids carry the module prefix"
    for a, b in zip(zh.cells, en.cells, strict=True):
        if a.cell_type == "code":
            assert "__LANG__" not in a.source and "__LANG__" not in b.source
            assert a.source.replace('"zh"', '"en"') == b.source.replace('"zh"', '"en"')
            assert a.metadata == b.metadata
    # every code cell is an nbgrader cell: locked teaching code, answers, or tests
    assert all("nbgrader" in c.metadata for c in zh.cells if c.cell_type == "code")


@pytest.mark.parametrize("slug", MODULES)
def test_module_has_the_required_parts(slug):
    nb = build.edition(build.read_source(build.SRC / f"{slug}.md"), "en")
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    tests = [m for m in meta if m.get("grade") and not m.get("solution")]
    answers = [m for m in meta if m.get("solution") and not m.get("grade")]
    written = [
        c
        for c, m in zip(nb.cells, meta, strict=True)
        if c.cell_type == "markdown" and m.get("grade")
    ]
    hidden = [c for c in nb.cells if "### BEGIN HIDDEN TESTS" in c.source]
    assert len(answers) >= 4, "at least three exercises and a challenge"
    assert len(hidden) >= 4, "every exercise and the challenge have hidden tests"
    assert written and all(m.get("points", 0) > 0 for m in tests), (
        "a written answer; tests carry points"
    )
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "rubric" in text and "challenge" in text
    assert any("panel(" in c.source for c in nb.cells if c.cell_type == "code"), (
        "an interactive panel"
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("course-build")
    build.build(out=out)
    return out


def nbgrader_validate(path: Path, invert: bool = False) -> str:
    cmd = [sys.executable, "-m", "nbgrader", "validate", str(path)] + (
        ["--invert"] if invert else []
    )
    env = {**build.tool_env(), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        cmd, capture_output=True, text=True, cwd=path.parent, env=env, timeout=600
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("lang", build.LANGS)
@pytest.mark.parametrize("slug", MODULES)
def test_solutions_pass_nbgrader_validate(built, slug, lang):
    """The instructor edition runs headless and every test cell gives full points."""
    out = nbgrader_validate(built / lang / "source" / slug / f"{slug}.ipynb")
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


@pytest.mark.parametrize("lang", build.LANGS)
@pytest.mark.parametrize("slug", MODULES)
def test_untouched_release_scores_nothing(built, slug, lang):
    """A trainee who submits the release untouched passes no test (nbgrader validate --invert)."""
    release = built / lang / "release" / slug / f"{slug}.ipynb"
    nb = nbformat.read(release, as_version=4)
    assert not any("### BEGIN SOLUTION" in c.source or "HIDDEN TESTS" in c.source for c in nb.cells)
    assert not any(
        "trainer edition only" in c.source.lower() or "仅培训师" in c.source for c in nb.cells
    )
    out = nbgrader_validate(release, invert=True)
    assert "Success! The notebook does not pass any tests." in out, out[-3000:]


def _inject(nb, grade_id: str, code: str):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = code + "\n" + cell.source
            return nb
    raise KeyError(grade_id)


NOISE = (
    "import logging, warnings\n"
    "warnings.warn('this call will change', FutureWarning)\n"
    "warnings.warn('old API', DeprecationWarning)\n"
    "logging.getLogger('matplotlib').warning('font cache rebuilt')\n"
)


def test_warnings_never_cost_a_correct_answer_its_points(built, tmp_path):
    """nbgrader zeroes a test cell that writes to stderr; the kit keeps warnings off it."""
    src = built / "zh" / "source" / "m00-orientation" / "m00-orientation.ipynb"
    nb = _inject(nbformat.read(src, as_version=4), "m00-ex1-visible", NOISE)
    path = tmp_path / "noisy.ipynb"
    nbformat.write(nb, path)
    out = nbgrader_validate(path)
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


def test_the_warning_check_can_fail(built, tmp_path):
    """Control: the same warnings with the filter switched back on do cost the cell."""
    src = built / "zh" / "source" / "m00-orientation" / "m00-orientation.ipynb"
    loud = "import warnings\nwarnings.resetwarnings()\nwarnings.simplefilter('always')\n" + NOISE
    nb = _inject(nbformat.read(src, as_version=4), "m00-ex1-visible", loud)
    path = tmp_path / "loud.ipynb"
    nbformat.write(nb, path)
    out = nbgrader_validate(path)
    assert "VALIDATION FAILED" in out, out[-3000:]


def test_work_folder_has_a_landing_page_and_keeps_trainee_work(built, tmp_path):
    index = build.prepare_work("en", out=built, work=tmp_path)
    landing = nbformat.read(index, as_version=4).cells[0].source
    for slug in MODULES:
        assert f"({slug}.ipynb)" in landing
        assert (tmp_path / "en" / f"{slug}.ipynb").exists()
    mine = tmp_path / "en" / "m00-orientation.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes"))
    nbformat.write(nb, mine)
    build.prepare_work("en", out=built, work=tmp_path)
    assert nbformat.read(mine, as_version=4).cells[-1].source == "my notes", (
        "trainee work was overwritten"
    )


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as resp:  # localhost only
        return resp.status, resp.read()


def test_launch_command_serves_the_course_in_jupyterlab(tmp_path):
    """`python -m course` (the README's first command, after setup) builds the course when it
    has not been built, then starts a real JupyterLab on the trainee edition's landing page."""
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_TOKEN": "course-test",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "COURSE_BUILD_DIR": str(tmp_path / "build"),  # empty: the launcher must build
        "COURSE_WORK_DIR": str(tmp_path / "work"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "course", "--no-browser", "--port", str(port), "--lang", "zh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline:
            try:
                status, _ = _get(f"{base}/api/status?token=course-test")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert status == 200, (
            proc.stdout.read().decode(errors="replace") if proc.poll() is not None else "no answer"
        )
        code, page = _get(f"{base}/lab?token=course-test")
        assert code == 200 and b"JupyterLab" in page
        code, body = _get(f"{base}/api/contents/index.ipynb?token=course-test")
        model = json.loads(body)
        assert code == 200 and model["type"] == "notebook"
        assert "电商运营实训课程" in json.dumps(model["content"], ensure_ascii=False)
        code, body = _get(f"{base}/api/contents/m00-orientation.ipynb?token=course-test")
        assert code == 200 and "NotImplementedError" in body.decode()
        # the notebooks' Chinese text has a font even where the system has none
        code, css = _get(f"{base}/custom/custom.css")
        assert code == 200 and b"@font-face" in css and b"unicode-range" in css
        code, font = _get(f"{base}/custom/NotoSansCJKsc-Regular.otf")
        assert code == 200 and len(font) > 1_000_000
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_trainer_build_command(tmp_path):
    """`python -m course build` writes both editions' nbgrader source and release notebooks."""
    env = {**os.environ, "COURSE_BUILD_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "course", "build"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for lang in build.LANGS:
        for slug in MODULES:
            assert (tmp_path / lang / "source" / slug / f"{slug}.ipynb").exists()
            assert (tmp_path / lang / "release" / slug / f"{slug}.ipynb").exists()
