"""Command line for facilitators: ``python -m sim roleplay <command> ...``.

::

    python -m sim roleplay scenarios
    python -m sim roleplay new SESSION --scenario double11 --teams 红队,蓝队 --seed 7
    python -m sim roleplay template SESSION --team 红队 --role operations --out ops.toml
    python -m sim roleplay submit SESSION ops.toml logistics.yaml [--team T --role R]
    python -m sim roleplay status SESSION
    python -m sim roleplay advance SESSION
    python -m sim roleplay leaderboard SESSION [--json]
    python -m sim roleplay events SESSION
    python -m sim roleplay dashboard SESSION --team 红队 --role logistics
    python -m sim roleplay report SESSION [--out debrief.html]
    python -m sim roleplay notebooks SESSION

A decision file is TOML (or YAML) with ``team`` and ``role`` (or give ``--team`` /
``--role``), optionally ``round`` (it must be the current round), and the fields to
change; fields not in the file keep their current values. ``template`` writes a file with
every field, its current value and comments in Chinese and English. Each file is checked
and saved on its own; a bad file ends the command with exit status 2 and one line on
stderr naming the file, the field, the value and what is allowed (files before it in the
list are already submitted). The same :class:`~sim.roleplay.session.Session` runs
underneath as in the notebooks, so both give identical results.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sim import cli as _sim_cli  # noqa: F401  (registers the cli.* texts used here)
from sim import i18n
from sim.errors import ScenarioError
from sim.roleplay import files
from sim.roleplay.config import ConfigError, load_config, roleplay_names
from sim.roleplay.errors import RoleplayError
from sim.roleplay.roles import ROLES
from sim.roleplay.session import Session

COMMANDS = (
    "new",
    "submit",
    "advance",
    "status",
    "leaderboard",
    "events",
    "dashboard",
    "report",
    "template",
    "scenarios",
    "notebooks",
)


def _echo(text: object = "", file=None, end: str = "\n") -> None:
    """Write a line to stdout (or ``file``): the command line's only output."""
    (file or sys.stdout).write(f"{text}{end}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (--help)\n")


def _lang_default() -> str:
    lang = os.environ.get("COURSE_LANG", "")
    return lang if lang in i18n.LANGUAGES else "zh"


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m sim roleplay`` argument parser."""
    lang = _lang_default()

    def h(key: str) -> str:
        return i18n.t(key, lang)

    parser = _Parser(prog="python -m sim roleplay", description=h("roleplay.cli.description"))
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}"
    )

    def add(name: str, path: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=h(f"roleplay.cli.help.{name}"), description=h(f"roleplay.cli.help.{name}")
        )
        if path:
            p.add_argument("path", help=h("roleplay.cli.help.path"))
        p.add_argument("--lang", default=lang, metavar="{zh,en}", help=h("roleplay.cli.help.lang"))
        return p

    p = add("new")
    p.add_argument("--scenario", default="double11", help=h("roleplay.cli.help.scenario"))
    p.add_argument("--teams", default="红队,蓝队", help=h("roleplay.cli.help.teams"))
    p.add_argument("--seed", default="0", help=h("roleplay.cli.help.seed"))
    p = add("submit")
    p.add_argument("files", nargs="+", help=h("roleplay.cli.help.files"))
    p.add_argument("--team", help=h("roleplay.cli.help.team"))
    p.add_argument("--role", help=h("roleplay.cli.help.role"))
    p = add("advance")
    p.add_argument("--json", action="store_true", help=h("roleplay.cli.help.json"))
    add("status")
    p = add("leaderboard")
    p.add_argument("--json", action="store_true", help=h("roleplay.cli.help.json"))
    p = add("events")
    p.add_argument("--json", action="store_true", help=h("roleplay.cli.help.json"))
    p = add("dashboard")
    p.add_argument("--team", required=True, help=h("roleplay.cli.help.team"))
    p.add_argument("--role", required=True, help=h("roleplay.cli.help.role"))
    p.add_argument("--json", action="store_true", help=h("roleplay.cli.help.json"))
    p = add("report")
    p.add_argument("--out", help=h("roleplay.cli.help.out"))
    p = add("template")
    p.add_argument("--team", required=True, help=h("roleplay.cli.help.team"))
    p.add_argument("--role", required=True, help=h("roleplay.cli.help.role"))
    p.add_argument("--out", help=h("roleplay.cli.help.out"))
    add("scenarios", path=False)
    add("notebooks")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the role-play command line; return the exit status (0 done, 2 bad input)."""
    args = build_parser().parse_args(argv)
    previous = i18n.get_language()
    try:
        if args.lang not in i18n.LANGUAGES:
            raise RoleplayError(
                "--lang", args.lang, "err.choice", choices=", ".join(i18n.LANGUAGES)
            )
        i18n.set_language(args.lang)
        return COMMAND_FNS[args.command](args)
    except ScenarioError as err:  # RoleplayError is one
        _echo(err.message(), file=sys.stderr)
        return 2
    except ConfigError as err:
        _echo(i18n.t("roleplay.err.config", detail=str(err)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _echo(i18n.t("cli.interrupted"), file=sys.stderr)
        return 130
    finally:
        i18n.set_language(previous)


# --------------------------------------------------------------------------- commands
def _new(args: argparse.Namespace) -> int:
    try:
        seed = int(str(args.seed).strip())
    except ValueError:
        raise RoleplayError("--seed", args.seed, "cli.err.whole") from None
    teams = tuple(t.strip() for t in args.teams.split(","))
    s = Session.new(args.path, scenario=args.scenario, teams=teams, seed=seed)
    _echo(
        i18n.t(
            "roleplay.cli.created",
            path=s.path,
            scenario=s.scenario_slug,
            teams=len(s.teams),
            rounds=s.rounds,
            seed=s.seed,
        )
    )
    return 0


def _submit(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    for name in args.files:
        data = files.read_decision_file(Path(name))
        meta, decisions = files.split_meta(data)
        ids = {}
        for key in ("team", "role"):
            given = getattr(args, key)
            in_file = meta.get(key)
            if given is not None and in_file is not None and given != in_file:
                raise RoleplayError(
                    key, in_file, "roleplay.err.meta_mismatch", given=f"--{key} {given}", file=name
                )
            ids[key] = given if given is not None else in_file
            if ids[key] is None:
                raise RoleplayError(key, None, "roleplay.err.need_team_role", file=name)
        if "round" in meta and meta["round"] != s.round:
            raise RoleplayError(
                "round",
                meta["round"],
                "roleplay.err.wrong_round",
                given=meta["round"],
                now=s.round,
                file=name,
            )
        if meta.get("carried_over"):
            raise RoleplayError("carried_over", True, "roleplay.err.bool", file=name)
        try:
            s.submit(ids["team"], ids["role"], decisions)
        except RoleplayError as err:
            raise err.in_file(name) from None
        _echo(
            i18n.t(
                "roleplay.cli.submitted",
                team=ids["team"],
                role=i18n.t(f"roleplay.role.{ids['role']}"),
                round=s.round,
                file=name,
            )
        )
    return 0


def _advance(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    out = s.advance()
    if args.json:
        _echo(json.dumps(files.canonical(out), ensure_ascii=False, indent=1))
        return 0
    a, b = out["days"]
    _echo(i18n.t("roleplay.cli.advanced", round=out["round"], first=a, last=b))
    for line in out["events"]:
        _echo(f"  · {line}")
    _echo()
    _echo(_frame_text(s.leaderboard()))
    return 0


def _status(args: argparse.Namespace) -> int:
    from sim.cli import format_table

    s = Session.open(args.path)
    if s.finished:
        _echo(i18n.t("roleplay.cli.finished", title=s.title, rounds=s.rounds))
        return 0
    a, b = s.round_days(s.round)
    _echo(
        i18n.t(
            "roleplay.cli.status", title=s.title, round=s.round, rounds=s.rounds, first=a, last=b
        )
    )
    st = s.status()
    header = [i18n.t("roleplay.col.team")] + [i18n.t(f"roleplay.role.{r}") for r in ROLES]
    yes, no = i18n.t("roleplay.cli.yes"), i18n.t("roleplay.cli.no")
    rows = [[row["team"]] + [yes if row[r] else no for r in ROLES] for _, row in st.iterrows()]
    _echo(format_table(header, rows))
    return 0


def _frame_text(df) -> str:
    from sim.cli import format_table

    def cell(v) -> str:
        if isinstance(v, float):
            return "-" if math.isnan(v) else f"{v:,.2f}"
        return str(v)

    rows = [[cell(v) for v in row] for row in df.itertuples(index=False)]
    return format_table(
        [str(c) for c in df.columns], rows, right=[False] * 2 + [True] * (len(df.columns) - 2)
    )


def _print_frame(df, as_json: bool) -> None:
    if as_json:
        _echo(
            json.dumps(files.canonical(df.to_dict(orient="records")), ensure_ascii=False, indent=1)
        )
    else:
        _echo(_frame_text(df))


def _leaderboard(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    if not s.records():
        _echo(i18n.t("roleplay.cli.no_rounds"))
    _print_frame(s.leaderboard(), args.json)
    return 0


def _events(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    _print_frame(s.events(), args.json)
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    _print_frame(s.dashboard(args.team, args.role), args.json)
    return 0


def _report(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    out = Path(args.out) if args.out else s.path / f"report-{args.lang}.html"
    path = s.report(out, lang=args.lang)
    _echo(i18n.t("roleplay.cli.wrote", path=path))
    return 0


def _template(args: argparse.Namespace) -> int:
    s = Session.open(args.path)
    text = s.template(args.team, args.role)
    if args.out:
        try:
            files.atomic_write(Path(args.out), text)
        except OSError as err:
            raise RoleplayError(
                "--out", args.out, "cli.err.out", detail=err.strerror or ""
            ) from None
        _echo(i18n.t("roleplay.cli.wrote", path=args.out))
    else:
        _echo(text, end="")
    return 0


def _scenarios(args: argparse.Namespace) -> int:
    from sim.cli import format_table

    rows = []
    for slug in roleplay_names():
        cfg = load_config(slug)
        title = cfg.title_zh if args.lang == "zh" else cfg.title_en
        rows.append([slug, title, str(len(cfg.rounds))])
    header = [i18n.t("cli.header.slug"), i18n.t("cli.header.title"), i18n.t("roleplay.col.round")]
    _echo(format_table(header, rows))
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    try:
        from sim.roleplay.notebooks import write_notebooks
    except ImportError:
        _echo(i18n.t("roleplay.cli.no_notebooks"), file=sys.stderr)
        return 2
    Session.open(args.path)  # a clear error if there is no session
    for path in write_notebooks(Path(args.path)):
        _echo(i18n.t("roleplay.cli.wrote", path=path))
    return 0


COMMAND_FNS = {
    "new": _new,
    "submit": _submit,
    "advance": _advance,
    "status": _status,
    "leaderboard": _leaderboard,
    "events": _events,
    "dashboard": _dashboard,
    "report": _report,
    "template": _template,
    "scenarios": _scenarios,
    "notebooks": _notebooks,
}
