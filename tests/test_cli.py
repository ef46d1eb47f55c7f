"""The command line, run as a trainee runs it: ``python -m sim ...`` in a subprocess.

``COURSE_LANG`` is removed from the environment, so the default language is Chinese unless
``--lang`` says otherwise. Bad input must end with exit status 2 and exactly one line on
stderr naming the field and the value given, never a traceback. The benchmark itself is
too slow for the tests (``bench --quick`` takes most of a minute); only its help and its
small statistics helper are checked.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import i18n, kpi, load_scenario, run
from sim.bench import _mean_se
from sim.cli import format_value
from sim.results import TABLES

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.stem for p in (ROOT / "data" / "scenarios").glob("*.toml"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


def cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COURSE_LANG"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def show(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def table_rows(stdout: str) -> dict[str, list[str]]:
    """``label -> [value, unit]`` from the KPI table (columns split on two spaces or more)."""
    rows = {}
    for line in stdout.splitlines():
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) >= 2 and not set(parts[0]) <= {"-"}:
            rows[parts[0]] = parts[1:]
    return rows


# --------------------------------------------------------------------------- run
def test_run_json_equals_kpi_summary():
    proc = cli("run", "ordinary-month", "--days", "3", "--json", "--seed", "2")
    assert proc.returncode == 0, show(proc)
    assert proc.stderr == "", show(proc)
    payload = json.loads(proc.stdout)
    want = kpi.summary(run(load_scenario("ordinary-month"), seed=2, days=3))
    assert payload["scenario"] == "ordinary-month"
    assert payload["seed"] == 2 and payload["days"] == 3
    assert list(payload["kpis"]) == list(want)
    for key, value in want.items():
        got = payload["kpis"][key]
        if math.isnan(value):
            assert got is None, key
        else:
            assert got == value, (key, got, value)
    assert "NaN" not in proc.stdout  # strict JSON: NaN is written as null


def test_run_table_in_english():
    proc = cli("run", "ordinary-month", "--days", "2", "--lang", "en")
    assert proc.returncode == 0, show(proc)
    assert proc.stderr == "", show(proc)
    sc = load_scenario("ordinary-month")
    assert sc.title_en in proc.stdout.splitlines()[0]
    assert not CJK.search(proc.stdout), proc.stdout
    rows = table_rows(proc.stdout)
    want = kpi.summary(run(sc, seed=0, days=2))
    for key, (_, en, unit) in kpi.KPI_LABELS.items():
        assert en in rows, f"English label {en!r} missing\n{proc.stdout}"
        assert rows[en][0] == format_value(want[key], unit), (key, rows[en])
    assert "KPI" in rows


def test_run_table_in_chinese_by_default_and_with_lang_zh():
    default = cli("run", "ordinary-month", "--days", "2")
    zh = cli("run", "ordinary-month", "--days", "2", "--lang", "zh")
    for proc in (default, zh):
        assert proc.returncode == 0, show(proc)
        assert proc.stderr == "", show(proc)
        rows = table_rows(proc.stdout)
        for _, (zh_label, en_label, _) in kpi.KPI_LABELS.items():
            assert zh_label in rows, f"Chinese label {zh_label!r} missing\n{proc.stdout}"
            assert en_label not in proc.stdout
    assert default.stdout == zh.stdout


def test_course_lang_sets_the_default_language():
    proc = cli("run", "ordinary-month", "--days", "2", env_extra={"COURSE_LANG": "en"})
    assert proc.returncode == 0, show(proc)
    assert "Conversion rate" in proc.stdout and "支付转化率" not in proc.stdout


# --------------------------------------------------------------------------- list
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_shows_every_named_scenario(lang):
    assert len(SCENARIOS) == 7
    proc = cli("list", "--lang", lang)
    assert proc.returncode == 0, show(proc)
    assert proc.stderr == "", show(proc)
    lines = proc.stdout.splitlines()
    listed = [line.split()[0] for line in lines[2:] if line.strip()]
    assert listed == SCENARIOS
    for slug in SCENARIOS:
        sc = load_scenario(slug)
        line = next(line for line in lines if line.startswith(slug + " "))
        assert (sc.title_zh if lang == "zh" else sc.title_en) in line
        assert str(sc.days) in line and sc.start_date in line


# --------------------------------------------------------------------------- --out
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_run_out_writes_tables_and_charts_quietly(tmp_path):
    # one subprocess for all the checks: writing the charts is the slow part of the CLI
    out = tmp_path / "nested" / "results"  # does not exist yet
    proc = cli("run", "ordinary-month", "--days", "2", "--out", str(out))
    assert proc.returncode == 0, show(proc)

    # every table as CSV, the same rows and columns as the Results tables
    r = run(load_scenario("ordinary-month"), seed=0, days=2)
    for name in TABLES:
        path = out / f"{name}.csv"
        assert path.is_file(), name
        df = pd.read_csv(path, encoding="utf-8")
        table = getattr(r, name)
        assert len(df) == len(table), name
        if len(table.columns):
            assert list(df.columns) == list(table.columns), name
    orders = pd.read_csv(out / "orders.csv")
    assert orders["paid_cny"].sum() == pytest.approx(r.orders["paid_cny"].sum())
    assert json.loads((out / "kpis.json").read_text(encoding="utf-8"))["days"] == 2

    # valid, non-trivial, non-blank PNG charts
    charts = sorted(out.glob("*.png"))
    assert charts, "no PNG charts written"
    import matplotlib.image

    for chart in charts:
        data = chart.read_bytes()
        width, height = png_size(data)
        assert width >= 300 and height >= 200, (chart.name, width, height)
        assert len(data) > 20_000, (chart.name, len(data))
        assert data[-8:-4] == b"IEND", chart.name
        img = matplotlib.image.imread(chart)
        assert img.shape[:2] == (height, width), chart.name
        assert float(img[..., :3].std()) > 0.01, f"{chart.name} is blank"

    # stderr holds the CLI's own one-line report and nothing else (no font or other warnings)
    wrote = i18n.t("cli.wrote", "zh", tables=len(TABLES), charts=len(charts), out=out)
    assert proc.stderr.splitlines() == [wrote], show(proc)


# --------------------------------------------------------------------------- bad input
def bad_cases(tmp: Path) -> dict[str, tuple[list[str], list[str]]]:
    """``id -> (arguments, strings the one stderr line must contain)``."""
    a_file = tmp / "a-file.txt"
    a_file.write_text("not a folder\n", encoding="utf-8")
    malformed = tmp / "broken.toml"
    malformed.write_text('slug = "broken"\ndays = [1,\n', encoding="utf-8")
    under_file = str(a_file / "out")
    return {
        "unknown-scenario": (["run", "nope"], ["scenario", "nope"]),
        "days-0": (["run", "ordinary-month", "--days", "0"], ["--days", "0"]),
        "days-too-many": (["run", "ordinary-month", "--days", "100000"], ["--days", "100000"]),
        "days-text": (["run", "ordinary-month", "--days", "two"], ["--days", "two"]),
        "seed-negative": (["run", "ordinary-month", "--seed", "-1"], ["--seed", "-1"]),
        "seed-text": (["run", "ordinary-month", "--seed", "abc"], ["--seed", "abc"]),
        "out-under-file": (
            ["run", "ordinary-month", "--days", "1", "--out", under_file],
            ["--out", under_file],
        ),
        "malformed-toml": (["run", str(malformed)], ["broken.toml"]),
        "lang": (["run", "ordinary-month", "--lang", "fr"], ["--lang", "fr"]),
        "no-scenario": (["run"], ["scenario"]),
    }


BAD_IDS = [
    "unknown-scenario",
    "days-0",
    "days-too-many",
    "days-text",
    "seed-negative",
    "seed-text",
    "out-under-file",
    "malformed-toml",
    "lang",
    "no-scenario",
]


@pytest.mark.parametrize("case", BAD_IDS)
def test_bad_input_exits_2_with_one_line(tmp_path, case):
    args, needles = bad_cases(tmp_path)[case]
    proc = cli(*args)
    assert proc.returncode == 2, show(proc)
    assert "Traceback" not in proc.stderr + proc.stdout, show(proc)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, show(proc)
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not named in {lines[0]!r}"
    assert proc.stdout == "", show(proc)


def test_bad_out_leaves_no_partial_output(tmp_path):
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x", encoding="utf-8")
    proc = cli("run", "ordinary-month", "--days", "1", "--out", str(a_file / "out"))
    assert proc.returncode == 2, show(proc)
    assert a_file.read_text(encoding="utf-8") == "x"


# --------------------------------------------------------------------------- help and bench
@pytest.mark.parametrize(
    ("command", "options"),
    [("run", ["--days", "--seed", "--json", "--out", "--lang"]), ("bench", ["--quick"])],
)
def test_help_exits_0(command, options):
    proc = cli(command, "--help")
    assert proc.returncode == 0, show(proc)
    assert proc.stderr == "", show(proc)
    assert proc.stdout.startswith(f"usage: python -m sim {command}")
    for option in options:
        assert option in proc.stdout, option


def test_bench_mean_and_standard_error():
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    mean, se = _mean_se(values)
    assert mean == pytest.approx(5.0)
    sd = math.sqrt(sum((v - 5.0) ** 2 for v in values) / (len(values) - 1))
    assert se == pytest.approx(sd / math.sqrt(len(values)))
    one_mean, one_se = _mean_se([3.0])
    assert one_mean == 3.0 and math.isnan(one_se)
