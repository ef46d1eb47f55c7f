"""The course's command line.

``python -m course [--lang zh|en] [--port N] [--no-browser]``
    Build the course if its sources changed, copy the trainee edition into
    ``course/work/<lang>/`` (never overwriting a trainee's notebooks) and open its landing
    page in JupyterLab.
``python -m course build [--lang zh|en]``
    Build the nbgrader source and release notebooks of both editions (for trainers).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course import COURSE_DIR, build
from sim import i18n

i18n.register(
    {
        "course.no_lab": (
            "没有找到 JupyterLab。请先安装:{pip} install jupyterlab",
            "JupyterLab is not installed. Install it first: {pip} install jupyterlab",
        ),
        "course.building": ("正在生成课程({edition})……", "Building the course ({edition}) ..."),
        "course.starting": (
            "正在启动 JupyterLab:{path}(按 Ctrl+C 停止)",
            "Starting JupyterLab on {path} (Ctrl+C stops it)",
        ),
        "course.built": ("已生成:{path}", "Built: {path}"),
    }
)


def _say(key: str, lang: str, **fmt: object) -> str:
    return i18n.t(f"course.{key}", lang, **fmt)


def build_command(
    index: os.PathLike, port: int | None = None, no_browser: bool = False
) -> list[str]:
    """Return the JupyterLab command that opens ``index``, rooted at its folder."""
    folder = os.path.dirname(os.fspath(index))
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        os.path.basename(index),
        f"--ServerApp.root_dir={folder}",
        "--LabApp.custom_css=True",
    ]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


# Chinese in the notebooks' text, not only in the charts: JupyterLab's custom CSS adds the
# Noto Sans CJK SC file that mplfonts ships as a fallback after the system's own fonts,
# loaded only for CJK characters, so a machine without Chinese fonts shows no empty boxes.
# (Declared on body: the theme sets the same variables on :root after this file loads.)
CJK_CSS = """/* Written by `python -m course`: Chinese glyphs on machines without CJK fonts. */
@font-face {
  font-family: "Course CJK";
  src: url("%(font)s") format("opentype");
  font-display: swap;
  unicode-range: U+2E80-2FDF, U+3000-33FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF,
    U+FE30-FE4F, U+FF00-FFEF;
}
body {
  --jp-ui-font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
    "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Course CJK", sans-serif;
  --jp-content-font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
    "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Course CJK", sans-serif;
  --jp-code-font-family: Menlo, Consolas, "DejaVu Sans Mono", "Course CJK", monospace;
}
"""


def lab_config_dir(work: os.PathLike | None = None) -> Path:
    """The course's own Jupyter config folder: custom CSS and the CJK font it loads."""
    from sim.viz import fonts

    folder = Path(work or build.WORK) / ".jupyter"
    custom = folder / "custom"
    custom.mkdir(parents=True, exist_ok=True)
    font = fonts.font_path()
    css = ""
    if font is not None:
        dest = custom / font.name
        if not dest.exists() or dest.stat().st_size != font.stat().st_size:
            shutil.copyfile(font, dest)
        css = CJK_CSS % {"font": font.name}
    (custom / "custom.css").write_text(css, encoding="utf-8")
    return folder


def kernel_env(lang: str) -> dict[str, str]:
    """Return the environment for JupyterLab and kernels: course language, project on path."""
    env = dict(os.environ)
    env["COURSE_LANG"] = lang
    root = str(COURSE_DIR.parent)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        env["PYTHONPATH"] = os.pathsep.join([root, *paths])
    return env


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments; build, or build and open the course. Returns the exit code."""
    default_lang = os.environ.get("COURSE_LANG", "zh")
    default_lang = default_lang if default_lang in build.LANGS else "zh"
    parser = argparse.ArgumentParser(
        prog="python -m course",
        description="电商运营培训课程 / E-commerce operations training course",
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=("open", "build"),
        default="open",
        help="open (default): build if needed and open JupyterLab; build: build only",
    )
    parser.add_argument(
        "--lang",
        choices=build.LANGS,
        default=default_lang,
        help="课程语言 / course language (default: zh)",
    )
    parser.add_argument(
        "--port", type=int, default=None, help="JupyterLab port (default: Jupyter's choice)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = parser.parse_args(argv)
    if args.command == "build":
        for lang in build.LANGS:
            print(_say("building", args.lang, edition=lang))
            build.build([lang])
            print(_say("built", args.lang, path=build.BUILD / lang))
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        print(_say("no_lab", args.lang, pip=f"{sys.executable} -m pip"), file=sys.stderr)
        return 1
    if build.is_stale(args.lang):
        print(_say("building", args.lang, edition=args.lang))
        build.build([args.lang])
    index = build.prepare_work(args.lang)
    print(_say("starting", args.lang, path=index))
    try:
        env = kernel_env(args.lang)
        env["JUPYTER_CONFIG_DIR"] = str(lab_config_dir())
        return subprocess.call(
            build_command(index, args.port, args.no_browser),
            cwd=index.parent,
            env=env,
        )
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
