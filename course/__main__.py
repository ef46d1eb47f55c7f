"""Open the course in JupyterLab: ``python -m course [--lang zh|en] [--port N] [--no-browser]``."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

from course import COURSE_DIR, INDEX

MESSAGES = {
    "no_lab": (
        "没有找到 JupyterLab。请先安装:{pip} install jupyterlab",
        "JupyterLab is not installed. Install it first: {pip} install jupyterlab",
    ),
    "starting": (
        "正在启动 JupyterLab:{path}(按 Ctrl+C 停止)",
        "Starting JupyterLab on {path} (Ctrl+C stops it)",
    ),
}


def _say(key: str, lang: str, **fmt: object) -> str:
    zh, en = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**fmt)


def build_command(port: int | None = None, no_browser: bool = False) -> list[str]:
    """Return the JupyterLab command that opens ``index.ipynb``, rooted at the course folder."""
    cmd = [sys.executable, "-m", "jupyter", "lab", INDEX.name, f"--ServerApp.root_dir={COURSE_DIR}"]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


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
    """Parse the arguments and run JupyterLab until it is stopped; return its exit code."""
    default_lang = os.environ.get("COURSE_LANG", "zh")
    parser = argparse.ArgumentParser(
        prog="python -m course",
        description="电商运营培训课程 / E-commerce operations training course",
    )
    parser.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=default_lang if default_lang in ("zh", "en") else "zh",
        help="课程语言 / course language (default: zh)",
    )
    parser.add_argument(
        "--port", type=int, default=None, help="JupyterLab port (default: Jupyter's choice, 8888)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("jupyterlab") is None:
        print(_say("no_lab", args.lang, pip=f"{sys.executable} -m pip"), file=sys.stderr)
        return 1
    print(_say("starting", args.lang, path=INDEX))
    try:
        return subprocess.call(
            build_command(args.port, args.no_browser), cwd=COURSE_DIR, env=kernel_env(args.lang)
        )
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
