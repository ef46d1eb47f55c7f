"""Command line: run a scenario and print its KPIs, list the scenarios, run the benchmark.

::

    python -m sim run ordinary-month --days 14 --seed 3 --lang en
    python -m sim run double11 --json
    python -m sim run my-scenario.toml --out results/
    python -m sim list
    python -m sim bench --quick
    python -m sim roleplay new SESSION --scenario double11 --teams 红队,蓝队 (sim.roleplay.cli)

Bad input (an unknown scenario, ``--days 0``, a negative seed, a folder that cannot be
written, a malformed TOML file) ends with exit status 2 and one line on stderr naming
the field, the value given and what is allowed - never a traceback. The language is
``--lang``, else the ``COURSE_LANG`` environment variable, else Chinese.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim import i18n
from sim.errors import ScenarioError

_TEXT = {
    "cli.description": ("电商店铺模拟器", "Store simulator for the e-commerce training course"),
    "cli.help.run": ("运行一个场景并打印关键指标", "run a scenario and print its KPIs"),
    "cli.help.list": ("列出所有命名场景", "list the named scenarios"),
    "cli.help.bench": ("运行性能基准测试", "run the performance benchmark"),
    "cli.help.roleplay": (
        "角色扮演:团队按轮次经营店铺(python -m sim roleplay --help)",
        "role-play sessions for teams (python -m sim roleplay --help)",
    ),
    "cli.help.scenario": (
        "场景名称(如 ordinary-month)或 .toml 文件路径",
        "scenario name (e.g. ordinary-month) or path to a .toml file",
    ),
    "cli.help.days": (
        "模拟天数(默认:场景自身的天数)",
        "days to simulate (default: the scenario's length)",
    ),
    "cli.help.seed": ("随机种子,非负整数(默认 0)", "random seed, a whole number >= 0 (default 0)"),
    "cli.help.json": ("以 JSON 格式输出", "print JSON instead of a table"),
    "cli.help.out": (
        "把所有结果表(CSV)和图表(PNG)写入该目录",
        "write every results table (CSV) and the charts (PNG) into this folder",
    ),
    "cli.help.lang": (
        "输出语言 zh 或 en(默认:环境变量 COURSE_LANG,否则 zh)",
        "output language zh or en (default: COURSE_LANG, else zh)",
    ),
    "cli.help.quick": (
        "减少重复次数(用于持续集成的快速检查)",
        "fewer repetitions (a quick smoke run for CI)",
    ),
    "cli.err.out": ("无法写入该目录:{detail}", "cannot write to this folder: {detail}"),
    "cli.header.kpi": ("指标", "KPI"),
    "cli.header.value": ("数值", "Value"),
    "cli.header.unit": ("单位", "Unit"),
    "cli.header.slug": ("场景", "Scenario"),
    "cli.header.title": ("标题", "Title"),
    "cli.header.days": ("天数", "Days"),
    "cli.header.start": ("开始日期", "Start date"),
    "cli.seed": ("种子", "seed"),
    "cli.days": ("天", "days"),
    "cli.default": ("(默认)", "(default)"),
    "cli.wrote": (
        "已写入 {tables} 张表和 {charts} 张图:{out}",
        "wrote {tables} tables and {charts} charts to {out}",
    ),
    "cli.err.whole": ("必须是整数", "must be a whole number"),
    "cli.err.required": ("缺少参数 {args}", "missing argument {args}"),
    "cli.interrupted": ("已中断", "interrupted"),
}
i18n.register({k: v for k, v in _TEXT.items() if i18n.TEXT.get(k) != v})

DEFAULT_SCENARIO = "ordinary-month"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        prefix = "the following arguments are required: "
        if message.startswith(prefix):
            message = i18n.t("cli.err.required", _default_lang(), args=message[len(prefix) :])
        self.exit(2, f"{self.prog}: {message} (--help)\n")


def _default_lang() -> str:
    lang = os.environ.get("COURSE_LANG", "")
    return lang if lang in i18n.LANGUAGES else "zh"


def build_parser() -> argparse.ArgumentParser:
    """Return the ``python -m sim`` argument parser (help texts in the default language)."""
    lang = _default_lang()

    def h(key: str) -> str:
        return i18n.t(key, lang)

    parser = _Parser(prog="python -m sim", description=h("cli.description"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="{run,list,bench,roleplay}")
    p_run = sub.add_parser("run", help=h("cli.help.run"), description=h("cli.help.run"))
    p_run.add_argument("scenario", help=h("cli.help.scenario"))
    p_run.add_argument("--days", metavar="N", help=h("cli.help.days"))
    p_run.add_argument("--seed", metavar="S", default="0", help=h("cli.help.seed"))
    p_run.add_argument("--json", action="store_true", help=h("cli.help.json"))
    p_run.add_argument("--out", metavar="DIR", help=h("cli.help.out"))
    p_run.add_argument("--lang", metavar="{zh,en}", default=lang, help=h("cli.help.lang"))
    p_list = sub.add_parser("list", help=h("cli.help.list"), description=h("cli.help.list"))
    p_list.add_argument("--lang", metavar="{zh,en}", default=lang, help=h("cli.help.lang"))
    p_bench = sub.add_parser("bench", help=h("cli.help.bench"), description=h("cli.help.bench"))
    p_bench.add_argument("--quick", action="store_true", help=h("cli.help.quick"))
    # handled by sim.roleplay.cli before parsing (listed here for --help)
    sub.add_parser("roleplay", help=h("cli.help.roleplay"), add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["roleplay"]:
        from sim.roleplay.cli import main as roleplay_main

        return roleplay_main(argv[1:])
    args = build_parser().parse_args(argv)
    previous = i18n.get_language()
    try:
        if args.command == "bench":
            from sim import bench

            return bench.main(quick=args.quick)
        lang = _check_lang(args.lang)
        i18n.set_language(lang)
        if args.command == "list":
            return _list(lang)
        return _run(args, lang)
    except ScenarioError as err:
        print(err.message(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(i18n.t("cli.interrupted"), file=sys.stderr)
        return 130
    finally:
        i18n.set_language(previous)  # main() may be called in-process (tests, notebooks)


# --------------------------------------------------------------------------- checks
def _check_lang(value: str) -> str:
    if value not in i18n.LANGUAGES:
        raise ScenarioError("--lang", value, "err.choice", choices=", ".join(i18n.LANGUAGES))
    return value


def _whole(flag: str, text: str) -> int:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        raise ScenarioError(flag, text, "cli.err.whole") from None


def _days_limits() -> tuple[int, int]:
    from sim.scenario.schema import Scenario

    f = {f.name: f for f in dataclasses.fields(Scenario)}["days"]
    return int(f.metadata["ge"]), int(f.metadata["le"])


def _prepare_out(out: str) -> Path:
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise ScenarioError(
            "--out", out, "cli.err.out", detail=err.strerror or type(err).__name__
        ) from None
    return path


# --------------------------------------------------------------------------- run
def _run(args: argparse.Namespace, lang: str) -> int:
    from sim import kpi
    from sim.results import run
    from sim.scenario import load_scenario

    seed = _whole("--seed", args.seed)
    if seed < 0:
        raise ScenarioError("--seed", seed, "err.ge", lo=0)
    scenario = load_scenario(args.scenario)
    days = scenario.days
    if args.days is not None:
        days = _whole("--days", args.days)
        lo, hi = _days_limits()
        if not lo <= days <= hi:
            raise ScenarioError("--days", days, "err.range", lo=lo, hi=hi)
        if days > scenario.days:
            scenario = scenario.replace(days=days)
    out = _prepare_out(args.out) if args.out else None
    # a shorter run stops the full scenario early: its days equal the full run's first days
    results = run(scenario, seed, days=days)
    kpis = kpi.summary(results)
    payload = {
        "scenario": scenario.slug,
        "seed": seed,
        "days": results.days_run,
        "kpis": {k: (None if math.isnan(v) else v) for k, v in kpis.items()},
    }
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(_kpi_table(scenario, seed, results.days_run, kpis, lang))
    if out is not None:
        _write_out(results, out, payload, lang)
    return 0


def _write_out(results: Any, out: Path, payload: dict[str, Any], lang: str) -> None:
    from sim.results import TABLES

    try:
        for name in TABLES:
            getattr(results, name).to_csv(out / f"{name}.csv", index=False, encoding="utf-8")
        (out / "kpis.json").write_text(
            json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    except OSError as err:
        raise ScenarioError(
            "--out", str(out), "cli.err.out", detail=err.strerror or type(err).__name__
        ) from None
    from sim.viz import charts

    saved = charts.save_all(results, out, lang=lang)
    print(
        i18n.t("cli.wrote", lang, tables=len(TABLES), charts=len(saved), out=out), file=sys.stderr
    )


# --------------------------------------------------------------------------- text tables
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] = ()
) -> str:
    """Align columns of text, counting Chinese characters as two columns wide."""
    cols = len(header)
    right = list(right) + [False] * (cols - len(right))
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(cols)]
    lines = ["  ".join(_pad(str(header[i]), widths[i], right[i]) for i in range(cols)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(_pad(str(r[i]), widths[i], right[i]) for i in range(cols)).rstrip())
    return "\n".join(lines)


def format_value(value: float, unit: str) -> str:
    """Format a KPI value for its unit (shares as percentages)."""
    if value is None or math.isnan(value):
        return "-"
    if unit == "share":
        return f"{100 * value:.2f}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "cny":
        return f"{value:,.2f}"
    return f"{value:.2f}"


def _kpi_table(scenario: Any, seed: int, days: int, kpis: dict[str, float], lang: str) -> str:
    from sim import kpi

    title = scenario.title_zh if lang == "zh" else scenario.title_en
    seed_word, days_word = i18n.t("cli.seed", lang), i18n.t("cli.days", lang)
    head = f"{title} ({scenario.slug}) · {seed_word} {seed} · {days} {days_word}"
    rows = []
    for key, value in kpis.items():
        unit = kpi.KPI_LABELS[key][2]
        rows.append(
            (
                i18n.t(f"kpi.{key}", lang),
                format_value(value, unit),
                i18n.t(f"kpi.unit.{unit}", lang),
            )
        )
    header = (
        i18n.t("cli.header.kpi", lang),
        i18n.t("cli.header.value", lang),
        i18n.t("cli.header.unit", lang),
    )
    return head + "\n\n" + format_table(header, rows, right=(False, True, False))


# --------------------------------------------------------------------------- list
def _list(lang: str) -> int:
    from sim.scenario import load_scenario, scenario_names

    rows = []
    for slug in scenario_names():
        mark = f" {i18n.t('cli.default', lang)}" if slug == DEFAULT_SCENARIO else ""
        try:
            sc = load_scenario(slug)
        except ScenarioError as err:
            rows.append((slug, "! " + err.message(lang), "", ""))
            continue
        title = sc.title_zh if lang == "zh" else sc.title_en
        rows.append((slug, title + mark, str(sc.days), sc.start_date))
    header = tuple(i18n.t(f"cli.header.{k}", lang) for k in ("slug", "title", "days", "start"))
    print(format_table(header, rows, right=(False, False, True, False)))
    return 0
