"""Benchmark of the store simulation: speed, scaling, memory, and the reference model.

Run ``python -m sim bench`` (or ``--quick`` for a short smoke run in CI). It prints, for
the default store (``ordinary-month``):

* the wall time of a 30-day run (median and minimum after a warm-up) and visitor
  sessions simulated per second;
* a 365-day run covering 年货节, 618 and 双十一 (``start_date`` 1 January), timed and
  measured for peak memory in a fresh subprocess (``ru_maxrss`` of the child);
* linearity: time for 30, 60 and 120 days and for 1x, 2x and 4x the market's visits;
* the batch model against the per-visitor reference model (``per_visitor=True``): speed
  ratio and the main KPIs averaged over seeds, with standard errors;
* a sweep of 200 replications on every local core (:func:`sim.experiments.replicate`).

Numbers are printed, never asserted: no test depends on wall-clock speed.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT = "ordinary-month"
YEAR_START = "2026-01-01"

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from sim import load_scenario, run
t1 = time.perf_counter()
if {run_year}:
    sc = load_scenario({name!r}).replace(days=365, start_date={start!r})
    r = run(sc, 0)
    fest = sorted({{f for f in r.daily["festival"] if f}})
    out = {{"visits": int(r.funnel_hourly["visits"].sum()), "orders": int(r.orders["paid"].sum()),
            "festivals": fest}}
else:
    out = {{}}
t2 = time.perf_counter()
out.update(import_s=t1 - t0, run_s=t2 - t1)
print(json.dumps(out, ensure_ascii=False))
"""


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def _visits(r: Any) -> int:
    return int(r.funnel_hourly["visits"].sum())


def _child_maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def _child(run_year: bool) -> dict[str, Any]:
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    code = _CHILD.format(run_year=run_year, name=DEFAULT, start=YEAR_START)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _spin(n: int = 10_000_000) -> int:
    """Pure-Python busy loop: calibrates how many cores the machine really gives in parallel."""
    total = 0
    for i in range(n):
        total += i
    return total


def _mean_se(values: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")
    return mean, se


def run_benchmark(quick: bool = False, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure the simulation and return the figures; ``echo`` prints the report as it goes.

    Parameters
    ----------
    quick : bool
        Fewer repetitions and a 20-run instead of a 200-run sweep (a smoke run for CI).
    echo : callable
        Receives each line of the report.
    """
    import joblib
    import numpy as np
    import pandas as pd
    import simpy

    from sim import kpi
    from sim.experiments import replicate
    from sim.results import run
    from sim.scenario import load_scenario

    out: dict[str, Any] = {"quick": quick}
    reps = 3 if quick else 7
    base = load_scenario(DEFAULT)
    vpd = base.market.visits_per_day

    echo(f"sim benchmark{' (quick)' if quick else ''} - scenario {DEFAULT!r}, {base.days} days")
    echo(
        f"python {platform.python_version()} · numpy {np.__version__} · pandas {pd.__version__} · "
        f"simpy {simpy.__version__} · joblib {joblib.__version__} · {joblib.cpu_count()} cores · "
        f"{platform.machine()} {platform.system()}"
    )
    echo("")

    # ---------------------------------------------------------------- 30-day run
    run(base, 0)  # warm-up: imports, caches
    times, visits = [], []
    for seed in range(reps):
        t, r = _timed(lambda seed=seed: run(base, seed))
        times.append(t)
        visits.append(_visits(r))
    med = statistics.median(times)
    rates = [v / t for v, t in zip(visits, times, strict=True)]
    out["run30_median_s"], out["run30_min_s"] = med, min(times)
    out["sessions_per_s"] = statistics.median(rates)
    echo(f"1. {base.days}-day run (batch model), {reps} runs after a warm-up, seeds 0-{reps - 1}")
    echo(f"   wall time   median {med:.3f} s   min {min(times):.3f} s   max {max(times):.3f} s")
    echo(
        f"   sessions    {statistics.fmean(visits):,.0f} visits per run  ->  "
        f"{out['sessions_per_s']:,.0f} visitor sessions / s (median)"
    )
    echo("")

    # ---------------------------------------------------------------- 365 days + memory
    echo(f"2. 365-day run from {YEAR_START} (fresh subprocess, seed 0)")
    bare = _child(False)
    rss_bare = _child_maxrss_mb()
    year = _child(True)
    rss_year = _child_maxrss_mb()
    out["run365_s"] = year["run_s"]
    out["peak_rss_mb"] = rss_year
    echo(
        f"   wall time   {year['run_s']:.2f} s (cold process; "
        f"importing sim took {bare['import_s']:.2f} s)"
    )
    echo(f"   festivals   {', '.join(year['festivals']) or '-'}")
    echo(
        f"   work        {year['visits']:,} visits, {year['orders']:,} paid orders "
        f"-> {year['visits'] / year['run_s']:,.0f} sessions / s"
    )
    echo(
        f"   peak memory {rss_year:.0f} MB max RSS of the child "
        f"(python + imports alone: {rss_bare:.0f} MB)"
    )
    if not quick:
        sc365 = base.replace(days=365, start_date=YEAR_START)
        warm = [_timed(lambda s=s: run(sc365, s))[0] for s in range(3)]
        out["run365_warm_median_s"] = statistics.median(warm)
        echo(f"   in-process  median of 3 seeds {statistics.median(warm):.2f} s")
    echo("")

    # ---------------------------------------------------------------- linearity
    lin_reps = 1 if quick else 3
    echo(f"3. Linearity (median of {lin_reps}; seed 0..{lin_reps - 1})")
    rows = []
    configs = [(d, 1) for d in (30, 60, 120)] + [(30, m) for m in (2, 4)]
    for days, mult in configs:
        sc = base.replace(days=days, market__visits_per_day=vpd * mult)
        ts, vs = [], []
        for seed in range(lin_reps):
            t, r = _timed(lambda sc=sc, seed=seed: run(sc, seed))
            ts.append(t)
            vs.append(_visits(r))
        t, v = statistics.median(ts), statistics.fmean(vs)
        rows.append(
            {
                "days": days,
                "market visits/day": vpd * mult,
                "time s": t,
                "store visits": v,
                "ms / day": 1e3 * t / days,
                "us / store visit": 1e6 * t / v,
                "ms / (day x 1000 mkt visits/day)": 1e3 * t / (days * vpd * mult / 1000),
            }
        )
    lin = pd.DataFrame(rows)
    out["linearity"] = lin
    for line in lin.to_string(index=False, float_format=lambda x: f"{x:,.2f}").splitlines():
        echo("   " + line)
    vis = lin[lin["days"] == 30]
    slope, intercept = np.polyfit(vis["store visits"].to_numpy(), vis["time s"].to_numpy(), 1)
    echo(
        f"   fit at 30 days: time = {intercept:.3f} s + {1e6 * slope:.2f} us x store visits "
        f"({1e3 * intercept / 30:.1f} ms per day not tied to visits)"
    )
    echo("")

    # ---------------------------------------------------------------- per-visitor reference
    n_seeds = 2 if quick else 5
    echo(f"4. Batch model vs per-visitor reference model ({base.days} days, seeds 0-{n_seeds - 1})")
    keys = {
        "visits": "visitors",
        "orders": "orders",
        "conversion": "conversion_rate",
        "revenue": "revenue",
    }
    kp: dict[str, dict[str, list[float]]] = {
        "batch": {k: [] for k in keys},
        "per-visitor": {k: [] for k in keys},
    }
    pv_times, b_times = [], []
    for seed in range(n_seeds):
        for model, flag, sink in (("batch", False, b_times), ("per-visitor", True, pv_times)):
            t, r = _timed(lambda seed=seed, flag=flag: run(base, seed, per_visitor=flag))
            sink.append(t)
            s = kpi.summary(r)
            for k, key in keys.items():
                kp[model][k].append(s[key])
    pv_med, b_med = statistics.median(pv_times), statistics.median(b_times)
    out["per_visitor_median_s"] = pv_med
    out["speed_ratio"] = pv_med / b_med
    echo(
        f"   wall time   per-visitor median {pv_med:.2f} s  vs batch {b_med:.3f} s  ->  "
        f"batch is {pv_med / b_med:.1f}x faster"
    )
    cmp_rows = []
    for k in keys:
        (mb, sb), (mp, sp) = _mean_se(kp["batch"][k]), _mean_se(kp["per-visitor"][k])
        z = (mb - mp) / (sb**2 + sp**2) ** 0.5 if n_seeds > 1 and (sb or sp) else float("nan")
        cmp_rows.append(
            {
                "KPI": k,
                "batch mean": mb,
                "batch se": sb,
                "per-visitor mean": mp,
                "per-visitor se": sp,
                "diff %": 100 * (mb - mp) / mp if mp else float("nan"),
                "z": z,
            }
        )
    cmp = pd.DataFrame(cmp_rows)
    out["model_comparison"] = cmp
    fmt = {
        "batch mean": "{:,.4g}",
        "batch se": "{:,.3g}",
        "per-visitor mean": "{:,.4g}",
        "per-visitor se": "{:,.3g}",
        "diff %": "{:+.1f}",
        "z": "{:+.1f}",
    }
    shown = cmp.copy()
    for col, f in fmt.items():
        shown[col] = shown[col].map(f.format)
    for line in shown.to_string(index=False).splitlines():
        echo("   " + line)
    echo("   (se: standard error of the mean over seeds; |z| > 3 suggests the models disagree)")
    echo("")

    # ---------------------------------------------------------------- sweep
    n_runs = 20 if quick else 200
    workers = joblib.cpu_count()
    echo(
        f"5. Sweep: replicate({DEFAULT!r}, seeds={n_runs}, n_jobs=-1) "
        f"on {workers} local cores (loky)"
    )
    t_start, _ = _timed(lambda: replicate(base, seeds=range(workers), n_jobs=-1, progress=False))
    t_sweep, df = _timed(lambda: replicate(base, seeds=range(n_runs), n_jobs=-1, progress=False))
    out["sweep_runs"], out["sweep_s"] = n_runs, t_sweep
    serial = n_runs * med
    echo(
        f"   wall time   {t_sweep:.1f} s for {n_runs} runs ({n_runs / t_sweep:.2f} runs / s; "
        f"workers started beforehand, start-up + {workers} runs took {t_start:.1f} s)"
    )
    echo(
        f"   speed-up    {serial / t_sweep:.2f}x over {n_runs} serial runs at the median time "
        f"({serial:.1f} s)"
    )
    par = joblib.Parallel(n_jobs=workers)
    t1 = min(_timed(_spin)[0] for _ in range(3))
    tn = min(
        _timed(lambda: par(joblib.delayed(_spin)() for _ in range(workers)))[0] for _ in range(3)
    )
    out["core_capacity"] = workers * t1 / tn
    echo(
        f"   machine     {workers} busy-loop processes run at "
        f"{out['core_capacity']:.2f}x the work of one "
        "(the best speed-up to expect here)"
    )
    if quick:
        echo(f"   projected   200 runs ~ {200 * t_sweep / n_runs:.0f} s")
    echo(
        f"   orders      mean {df['orders'].mean():,.0f}, "
        f"sd {df['orders'].std():,.0f} over {len(df)} seeds"
    )
    return out


def main(quick: bool = False) -> int:
    """Print the benchmark report; return exit status 0."""
    run_benchmark(quick=quick, echo=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(quick="--quick" in sys.argv[1:]))
