"""Notebooks of a role-play session: one per team member's role, one for the facilitator.

:func:`write_notebooks` writes them into the session folder, next to the saved state::

    python -m sim.roleplay.notebooks sessions/double11-a          # or, from Python:
    from sim.roleplay.notebooks import write_notebooks
    write_notebooks("sessions/double11-a")

Each notebook holds instructions in Chinese and English (what to click, what the role
decides, what happens if you do not submit) and one locked code cell that opens the panel
of :mod:`sim.roleplay.panel`; a trainee runs that one cell and never edits code. The
notebooks find the session through their own folder (JupyterLab starts a notebook's kernel
in the notebook's folder), so the session folder can be moved or copied as a whole.
Outputs are not stored; writing again replaces the notebooks (decisions and results live
in the session's own files, never in a notebook).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat

from sim import i18n
from sim.fileio import atomic_write
from sim.roleplay import ROLES, Session
from sim.roleplay import panel as _panel  # noqa: F401  (registers the panel's words)

_TEXT: dict[str, tuple[str, str]] = {
    "roleplay.nb.role_title": ("角色扮演 · {team} · {role}", "Role-play · {team} · {role}"),
    "roleplay.nb.fac_title": ("角色扮演 · 主持人", "Role-play · facilitator"),
    "roleplay.nb.how": (
        "**怎么用(不需要写代码):**\n\n"
        "1. 点一下下面灰色的代码格,然后按 **Shift + Enter**(或点上方工具栏的 ▶ 按钮)。"
        "稍等几秒,面板就会出现。\n"
        "2. 在“本轮决策”里填上你的数字或选项,每个数字后面写着单位和允许的范围。\n"
        "3. 点 **提交决策**。看到绿色的“已保存”就说明成功了;如果有红字,按提示改正后再提交。"
        "在主持人推进本轮之前,你可以随时修改、重新提交。\n"
        "4. 主持人推进一轮后,点 **刷新**,在“我的看板”里查看这一轮的结果。\n\n"
        "不提交的话,系统会沿用你上一轮的决策。"
        "如果面板不见了(例如浏览器或内核重启),再运行一次代码格即可,已提交的内容都保存在磁盘上,不会丢失。",
        "**How to use this (no coding needed):**\n\n"
        "1. Click the grey code cell below, then press **Shift + Enter** (or the ▶ button in "
        "the toolbar above). The panel appears after a few seconds.\n"
        "2. Fill in your numbers and choices under *Your decisions for this round*; each "
        "number shows its unit and the allowed range.\n"
        "3. Click **Submit decisions**. A green *saved* line means it worked; red text tells "
        "you what to fix before submitting again. You can change and resubmit until the "
        "facilitator advances the round.\n"
        "4. After the facilitator advances a round, click **Refresh** to see that round's "
        "results on *My dashboard*.\n\n"
        "If you do not submit, your decisions from the last round carry over. If the panel "
        "disappears (the browser or the kernel restarted), run the code cell again: "
        "everything submitted is saved on disk and nothing is lost.",
    ),
    "roleplay.nb.fac_how": (
        "**主持人怎么用:**\n\n"
        "1. 点下面的代码格,按 **Shift + Enter** 打开主持人面板。\n"
        "2. 把下表中各角色的笔记本分给团队成员(每人在自己的浏览器标签页中打开自己的那一本)。\n"
        "3. 每一轮:等大家提交(面板上的表格显示谁已提交,点 **刷新** 更新),"
        "然后点 **推进一轮**。没提交的角色沿用上一轮的决策。推进后提醒大家点 **刷新** 看结果。\n"
        "4. 所有轮次结束后点 **生成复盘报告**,打开链接,和大家一起复盘。\n\n"
        "每次提交和每一轮的结果都会立即保存到本文件夹;内核重启或电脑重启后,重新运行代码格即可从断点继续。"
        "也可以在终端里用 `python -m sim roleplay` 命令完成同样的操作,结果完全一致。",
        "**How to run the session:**\n\n"
        "1. Click the code cell below and press **Shift + Enter** to open the facilitator "
        "panel.\n"
        "2. Hand out the role notebooks listed below (each person opens their own in their "
        "own browser tab).\n"
        "3. Every round: wait for the submissions (the table shows who has submitted; "
        "**Refresh** updates it), then click **Advance one round**. Roles that did not "
        "submit keep last round's decisions. Then ask everyone to click **Refresh**.\n"
        "4. After the last round, click **Write the debrief report**, open the link and "
        "debrief together.\n\n"
        "Every submission and every round's results are saved in this folder at once; "
        "after a kernel or laptop restart, run the code cell again to carry on. The "
        "command line `python -m sim roleplay` does the same from a terminal, with the "
        "same results.",
    ),
    "roleplay.nb.session": (
        "场景:{title} · 队伍:{teams} · 共 {rounds} 轮",
        "Scenario: {title} · teams: {teams} · {rounds} rounds",
    ),
    "roleplay.nb.role_list": ("各角色的笔记本", "The role notebooks"),
    "roleplay.nb.run_me": (
        "# 运行本格:按 Shift+Enter。不需要修改代码。",
        "# Run this cell: press Shift+Enter. No need to change the code.",
    ),
}
i18n.register(_TEXT)

FACILITATOR_NOTEBOOK = "facilitator.ipynb"
"""File name of the facilitator's notebook in the session folder."""


def notebook_name(team: str, role: str) -> str:
    """File name of a role's notebook, e.g. ``红队-operations.ipynb``.

    Characters that are unsafe in file names or URLs (slashes, spaces, ``?#%``...) are
    replaced by ``_``; Chinese team names stay readable.
    """
    safe = re.sub(r"[\s/\\:*?\"<>|#%&{}$!'@+`=]+", "_", str(team)).strip("._") or "team"
    return f"{safe}-{role}.ipynb"


def _both(key: str, **fmt: object) -> str:
    """The text of ``key`` in Chinese, then in English (one source, two languages)."""
    return i18n.t(key, "zh", **fmt) + "\n\n---\n\n" + i18n.t(key, "en", **fmt)


def _title(session: Session, lang: str) -> str:
    from sim.roleplay.panel import _scenario_title

    return _scenario_title(session, lang)


def _session_line(session: Session) -> str:
    teams = " / ".join(session.teams)
    return "  \n".join(
        i18n.t(
            "roleplay.nb.session",
            lang,
            title=_title(session, lang),
            teams=teams,
            rounds=session.rounds,
        )
        for lang in ("zh", "en")
    )


def _code_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    # one cell to run and nothing to edit: JupyterLab honours these flags
    cell.metadata.update({"editable": False, "deletable": False, "tags": ["roleplay-panel"]})
    return cell


def _notebook(cells: list[nbformat.NotebookNode], lang: str | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "roleplay": {"language": lang or ""},
        }
    )
    return nb


def _lang_arg(lang: str | None) -> str:
    return f", lang={lang!r}" if lang else ""


def role_notebook(session: Session, team: str, role: str, lang: str | None = None):
    """The notebook of one role in one team (an nbformat NotebookNode)."""
    zh_role = i18n.t(f"roleplay.role.{role}", "zh")
    en_role = i18n.t(f"roleplay.role.{role}", "en")
    head = (
        f"# {i18n.t('roleplay.nb.role_title', 'zh', team=team, role=zh_role)}"
        f"  \n# {i18n.t('roleplay.nb.role_title', 'en', team=team, role=en_role)}\n\n"
        f"{_session_line(session)}\n\n"
        f"{i18n.t(f'roleplay.panel.intro.{role}', 'zh')}  \n"
        f"{i18n.t(f'roleplay.panel.intro.{role}', 'en')}\n\n"
        f"{_both('roleplay.nb.how')}"
    )
    code = (
        f"{i18n.t('roleplay.nb.run_me', 'zh')}\n{i18n.t('roleplay.nb.run_me', 'en')}\n"
        "from sim.roleplay.panel import role_panel\n\n"
        f"role_panel('.', team={team!r}, role={role!r}{_lang_arg(lang)})"
    )
    return _notebook([nbformat.v4.new_markdown_cell(head), _code_cell(code)], lang)


def facilitator_notebook(session: Session, lang: str | None = None):
    """The facilitator's notebook (an nbformat NotebookNode), with links to every role's."""
    from urllib.parse import quote

    rows = [
        "| "
        + " | ".join(
            [
                "",
                *(
                    i18n.t(f"roleplay.role.{r}", "zh") + " " + i18n.t(f"roleplay.role.{r}", "en")
                    for r in ROLES
                ),
            ]
        )
        + " |",
        "|" + "---|" * (len(ROLES) + 1),
    ]
    for team in session.teams:
        links = [f"[{notebook_name(team, r)}]({quote(notebook_name(team, r))})" for r in ROLES]
        rows.append("| " + " | ".join([team, *links]) + " |")
    head = (
        f"# {i18n.t('roleplay.nb.fac_title', 'zh')}  \n# {i18n.t('roleplay.nb.fac_title', 'en')}"
        f"\n\n{_session_line(session)}\n\n{_both('roleplay.nb.fac_how')}\n\n"
        f"### {i18n.t('roleplay.nb.role_list', 'zh')} · {i18n.t('roleplay.nb.role_list', 'en')}"
        "\n\n" + "\n".join(rows)
    )
    code = (
        f"{i18n.t('roleplay.nb.run_me', 'zh')}\n{i18n.t('roleplay.nb.run_me', 'en')}\n"
        "from sim.roleplay.panel import facilitator_panel\n\n"
        f"facilitator_panel('.'{_lang_arg(lang)})"
    )
    return _notebook([nbformat.v4.new_markdown_cell(head), _code_cell(code)], lang)


def write_notebooks(path: os.PathLike | str, lang: str | None = None) -> list[Path]:
    """Write the facilitator's notebook and one notebook per team and role into ``path``.

    Parameters
    ----------
    path : path-like
        A session folder (made by ``Session.new``).
    lang : str, optional
        Language of the panels (``"zh"`` or ``"en"``). Default: none written, so each
        panel follows its kernel's language (``COURSE_LANG``, else Chinese). The notebooks'
        instructions are always in both languages.

    Returns
    -------
    list of Path
        The facilitator's notebook first, then the role notebooks team by team, in
        :data:`~sim.roleplay.ROLES` order.
    """
    if lang is not None and lang not in i18n.LANGUAGES:
        raise ValueError(f"lang = {lang!r}: must be one of {', '.join(i18n.LANGUAGES)}")
    folder = Path(path)
    session = Session.open(folder)
    written = [_write(facilitator_notebook(session, lang), folder / FACILITATOR_NOTEBOOK)]
    for team in session.teams:
        for role in ROLES:
            nb = role_notebook(session, team, role, lang)
            written.append(_write(nb, folder / notebook_name(team, role)))
    return written


def _write(nb: nbformat.NotebookNode, path: Path) -> Path:
    """Write atomically: a kernel reading the folder never sees half a notebook."""
    nbformat.validate(nb)
    atomic_write(path, nbformat.writes(nb))
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.roleplay.notebooks PATH [--lang zh|en]``: write the notebooks."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.roleplay.notebooks",
        description="写出角色扮演的笔记本 / write a role-play session's notebooks",
    )
    parser.add_argument("path", help="session folder")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None)
    args = parser.parse_args(argv)
    for p in write_notebooks(args.path, args.lang):
        sys.stdout.write(f"{p}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
