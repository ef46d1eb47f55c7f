"""Replications and parameter sweeps of the store simulation, and their confidence intervals.

One run is one draw: the same decisions give different KPIs on another seed. To compare
decisions, run each on many seeds (:func:`replicate`), or a grid of decisions on the same
seeds (:func:`sweep`; common random numbers, so the differences between grid points are
due to the decisions, not the draws), and report means with t-based confidence intervals
(:func:`confidence_intervals`).

Runs go in parallel through joblib: on the local cores by default (loky processes, which
pickle with cloudpickle, so a trainee's lambda or closure policy works), or on a Dask
cluster when a ``dask.distributed.Client`` is passed (joblib's ``"dask"`` backend). Each
task is fully determined by its scenario variant and seed and returns only the KPIs, so
the table is identical whatever the backend or the number of workers.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import kpi
from sim.errors import ScenarioError
from sim.i18n import Phrase
from sim.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from sim.results import Results

Metrics = Sequence[str] | Mapping[str, Callable[["Results"], float]] | None


# --------------------------------------------------------------------------- tasks
def _measure(r: Results, metrics: Metrics, store: str | None) -> dict[str, float]:
    if metrics is None:
        return kpi.summary(r, store)
    if isinstance(metrics, Mapping):
        return {name: float(fn(r)) for name, fn in metrics.items()}
    return {name: float(kpi.KPIS[name](r, store)) for name in metrics}


def _task(
    index: int, scenario: Scenario, seed: int, metrics: Metrics, store: str | None
) -> tuple[int, dict[str, float]]:
    from sim.results import run

    return index, _measure(run(scenario, seed), metrics, store)


def _check_metrics(metrics: Metrics) -> Metrics:
    if metrics is None:
        return None
    if isinstance(metrics, str):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        for name, fn in metrics.items():
            if not callable(fn):
                raise ScenarioError(
                    f"metrics.{name}", fn, "err.type", expected=Phrase("type.metric_fn")
                )
        return dict(metrics)
    metrics = list(metrics)
    for name in metrics:
        if name not in kpi.KPIS:
            raise ScenarioError("metrics", name, "err.choice", choices=", ".join(kpi.KPIS))
    return metrics


def _check_seeds(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ScenarioError("seeds", int(seeds), "err.ge", lo=1)
        return list(range(int(seeds)))
    try:
        out = list(seeds)  # type: ignore[arg-type]
    except TypeError:
        raise ScenarioError("seeds", seeds, "err.type", expected=Phrase("type.seeds")) from None
    if not out:
        raise ScenarioError("seeds", out, "err.ge", lo=1)
    for s in out:
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0:
            raise ScenarioError("seeds", s, "err.ge", lo=0)
    if len(set(out)) != len(out):
        raise ScenarioError("seeds", out, "err.choice", choices="distinct seeds")
    return sorted(int(s) for s in out)


def _scenario(scenario: Scenario | str) -> Scenario:
    if isinstance(scenario, str):
        return load_scenario(scenario)
    if not isinstance(scenario, Scenario):
        raise ScenarioError(
            "scenario",
            type(scenario).__name__,
            "err.type",
            expected=Phrase("type.scenario_or_name"),
        )
    return scenario


def _execute(
    tasks: list[tuple[Scenario, int]],
    metrics: Metrics,
    store: str | None,
    n_jobs: int | None,
    progress: bool,
    backend: str | None,
    client: Any,
    desc: str,
) -> list[dict[str, float]]:
    """Run ``(scenario, seed)`` tasks; results in task order whatever the backend."""
    import joblib
    from tqdm.auto import tqdm

    if client is not None:
        config = joblib.parallel_config(backend="dask", client=client)
    elif backend is not None:
        config = joblib.parallel_config(backend=backend)
    else:
        config = contextlib.nullcontext()
    out: list[dict[str, float] | None] = [None] * len(tasks)
    with config, tqdm(total=len(tasks), desc=desc, disable=not progress, unit="run") as bar:
        return_as = "generator_unordered" if _supports_generator(n_jobs) else "list"
        parallel = joblib.Parallel(n_jobs=n_jobs, return_as=return_as)
        jobs = (
            joblib.delayed(_task)(i, sc, seed, metrics, store) for i, (sc, seed) in enumerate(tasks)
        )
        for i, row in parallel(jobs):
            out[i] = row
            bar.update(1)
    return out  # type: ignore[return-value]


def _supports_generator(n_jobs: int | None) -> bool:
    """Whether the active joblib backend can hand back results as they finish."""
    try:
        from joblib.parallel import get_active_backend

        backend, _ = get_active_backend()
        return bool(getattr(backend, "supports_return_generator", False)) or n_jobs == 1
    except Exception:
        return False


# --------------------------------------------------------------------------- public API
def replicate(
    scenario: Scenario | str,
    seeds: int | Iterable[int] = 10,
    metrics: Metrics = None,
    n_jobs: int | None = -1,
    progress: bool = True,
    backend: str | None = None,
    client: Any = None,
    *,
    store: str | None = None,
) -> pd.DataFrame:
    """Run one scenario on many seeds and return the KPIs of each run.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario, or the name of one in ``data/scenarios``.
    seeds : int or iterable of int
        How many seeds (``10`` means seeds 0-9) or the seeds themselves (distinct, >= 0).
    metrics : list of str or dict of str to callable, optional
        KPI keys of :data:`sim.kpi.KPIS` to keep, or ``{name: fn}`` with ``fn(results) ->
        float`` for measures of your own; default: every KPI of :func:`sim.kpi.summary`.
    n_jobs : int, optional
        Parallel workers; ``-1`` uses every core (or every Dask worker thread), ``1`` runs
        in this process.
    progress : bool
        Show a progress bar (a widget in notebooks).
    backend : str, optional
        A joblib backend name (``"loky"``, ``"threading"``, ...); default: joblib's
        default, or the one set by an enclosing ``joblib.parallel_config``.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (joblib's ``"dask"`` backend).
    store : str, optional
        KPIs of one store of a shared market; default: all stores together.

    Returns
    -------
    pandas.DataFrame
        One row per seed, sorted by seed: ``seed`` and one column per metric.

    Examples
    --------
    >>> df = replicate("ordinary-month", seeds=20, progress=False)   # doctest: +SKIP
    >>> confidence_intervals(df)                                     # doctest: +SKIP
    """
    sc = _scenario(scenario)
    seed_list = _check_seeds(seeds)
    metrics = _check_metrics(metrics)
    rows = _execute(
        [(sc, s) for s in seed_list],
        metrics,
        store,
        n_jobs,
        progress,
        backend,
        client,
        desc=sc.slug,
    )
    df = pd.DataFrame([{"seed": s, **row} for s, row in zip(seed_list, rows, strict=True)])
    df.attrs["grid"] = []
    return df


def sweep(
    scenario: Scenario | str,
    grid: Mapping[str, Sequence[Any]],
    seeds: int | Iterable[int] = 10,
    metrics: Metrics = None,
    n_jobs: int | None = -1,
    progress: bool = True,
    backend: str | None = None,
    client: Any = None,
    *,
    store: str | None = None,
) -> pd.DataFrame:
    """Run every combination of the ``grid`` on the same seeds and return the KPIs of each run.

    Parameters
    ----------
    scenario : Scenario or str
        The base scenario, or the name of one in ``data/scenarios``.
    grid : dict of str to list
        ``{path: values}`` where ``path`` is a :meth:`Scenario.replace` keyword, e.g.
        ``{"store__decisions__ads__cpc_bid_cny": [0.8, 1.2, 1.6]}``; every combination
        of values is a grid point. Each variant is validated before anything runs.
    seeds, metrics, n_jobs, progress, backend, client, store
        As in :func:`replicate`; every grid point runs on the same seeds.

    Returns
    -------
    pandas.DataFrame
        One row per (grid point, seed), sorted by grid point (in the order of the grid's
        values) then seed: ``point`` (grid point number), one column per grid key,
        ``seed`` and one column per metric. ``df.attrs["grid"]`` lists the grid keys.
    """
    sc = _scenario(scenario)
    if not isinstance(grid, Mapping) or not grid:
        raise ScenarioError("grid", grid, "err.type", expected=Phrase("type.grid"))
    keys = list(grid)
    values = []
    for key in keys:
        vals = grid[key]
        if isinstance(vals, str | bytes | Mapping) or not isinstance(vals, Iterable):
            raise ScenarioError(f"grid.{key}", vals, "err.type", expected=Phrase("type.values"))
        vals = list(vals)
        if not vals:
            raise ScenarioError(f"grid.{key}", vals, "err.ge", lo=1)
        if key in ("seed", "point"):
            raise ScenarioError("grid", key, "err.unknown_key", allowed="Scenario.replace paths")
        values.append(vals)
    seed_list = _check_seeds(seeds)
    metrics = _check_metrics(metrics)
    points = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
    variants = [sc.replace(**p) for p in points]  # validates every point up front
    tasks = [(v, s) for v in variants for s in seed_list]
    rows = _execute(
        tasks, metrics, store, n_jobs, progress, backend, client, desc=f"{sc.slug} sweep"
    )
    out = []
    it = iter(rows)
    for i, p in enumerate(points):
        for s in seed_list:
            out.append({"point": i, **p, "seed": s, **next(it)})
    df = pd.DataFrame(out)
    df.attrs["grid"] = keys
    return df


# --------------------------------------------------------------------------- statistics
def confidence_intervals(
    df: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean of each metric with its t-based confidence interval, per group.

    ``half_width = t_{(1+level)/2, n-1} * sd / sqrt(n)``, with ``sd`` the sample
    standard deviation (``n - 1`` in the denominator) and ``n`` the runs with a value
    (NaN runs, e.g. ROAS without ad spend, are left out). Needs ``n >= 2``; otherwise the
    half-width is NaN. The runs must be independent replications (different seeds).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`replicate` or :func:`sweep` (or any table with one row per run).
    by : str or list of str, optional
        Columns that define a group; default: the grid point of a :func:`sweep` (its grid
        columns are kept), one group for :func:`replicate`.
    level : float
        Confidence level, between 0 and 1 (default 0.95).
    metrics : list of str, optional
        Columns to summarise; default: every numeric column other than ``seed``,
        ``point``, the grid columns and ``by``.

    Returns
    -------
    pandas.DataFrame
        One row per (group, metric): the group columns, ``metric``, ``mean``, ``sd``,
        ``n``, ``half_width``, ``low`` and ``high`` (``mean -/+ half_width``).
    """
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise ScenarioError("level", level, "err.range", lo=0, hi=1)
    grid = [k for k in df.attrs.get("grid", []) if k in df.columns]
    keep: list[str] = []
    if by is None:
        by_cols = ["point"] if "point" in df.columns else []
        keep = grid
    else:
        by_cols = [by] if isinstance(by, str) else list(by)
    for col in by_cols:
        if col not in df.columns:
            raise ScenarioError("by", col, "err.choice", choices=", ".join(map(str, df.columns)))
    skip = {"seed", "point", *grid, *by_cols}
    if metrics is None:
        metrics = [
            c
            for c in df.columns
            if c not in skip
            and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])
        ]
    else:
        metrics = list(metrics)
        for col in metrics:
            if col not in df.columns:
                raise ScenarioError(
                    "metrics", col, "err.choice", choices=", ".join(map(str, df.columns))
                )
    groups = df.groupby(by_cols, sort=False) if by_cols else [((), df)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        head = dict(zip(by_cols, key, strict=True))
        for col in keep:
            head[col] = g[col].iloc[0]
        for m in metrics:
            x = g[m].to_numpy(dtype=float)
            x = x[~np.isnan(x)]
            n = len(x)
            mean = float(x.mean()) if n else math.nan
            sd = float(x.std(ddof=1)) if n >= 2 else math.nan
            hw = t_quantile((1 + level) / 2, n - 1) * sd / math.sqrt(n) if n >= 2 else math.nan
            rows.append(
                {
                    **head,
                    "metric": m,
                    "mean": mean,
                    "sd": sd,
                    "n": n,
                    "half_width": hw,
                    "low": mean - hw,
                    "high": mean + hw,
                }
            )
    cols = [*by_cols, *keep, "metric", "mean", "sd", "n", "half_width", "low", "high"]
    return pd.DataFrame(rows, columns=cols)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function ``I_x(a, b)``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _t_upper_tail(t: float, df: float) -> float:
    """``P(T > t)`` for ``t >= 0`` and Student's t with ``df`` degrees of freedom."""
    t2 = t * t
    if t2 < df:  # near the centre: P(|T| < t) = I_{t^2/(df+t^2)}(1/2, df/2), no rounding of x to 1
        return 0.5 * (1.0 - _betainc(0.5, df / 2.0, t2 / (df + t2)))
    return 0.5 * _betainc(df / 2.0, 0.5, df / (df + t2))


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (pure Python, accurate to about 1e-10).

    Inverts the t CDF, written with the regularised incomplete beta function
    (``P(T > t) = I_{df/(df+t^2)}(df/2, 1/2) / 2``), by bisection. For ``df > 1e5`` the
    Cornish-Fisher expansion around the normal quantile is used (error far below 1e-9).

    Parameters
    ----------
    p : float
        Probability, between 0 and 1.
    df : float
        Degrees of freedom, > 0 (``math.inf`` gives the normal quantile).
    """
    if not 0.0 < p < 1.0:
        raise ScenarioError("p", p, "err.range", lo=0, hi=1)
    if not df > 0:
        raise ScenarioError("df", df, "err.gt", lo=0)
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    z = statistics.NormalDist().inv_cdf(p)
    if df > 1e5:
        if math.isinf(df):
            return z
        g1 = (z**3 + z) / 4
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
        g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
        return z + g1 / df + g2 / df**2 + g3 / df**3
    target = 1.0 - p
    lo, hi = 0.0, max(2.0 * z, 1.0)
    while _t_upper_tail(hi, df) > target:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _t_upper_tail(mid, df) > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
