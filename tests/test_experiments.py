"""Replications, sweeps and confidence intervals (:mod:`sim.experiments`).

A table of runs must not depend on how it was computed: one process, loky workers or a
Dask cluster give the same numbers, and a sweep cell equals the single run it stands for.
The t quantile is checked against SciPy, the half-width against its formula, and the
interval shrinks with more seeds. Runs are three days long.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from conftest import base_scenario
from scipy import stats

from sim import ScenarioError, kpi, run
from sim.experiments import confidence_intervals, replicate, sweep, t_quantile

DAYS = 3
SEEDS = [0, 1, 2, 3]


@pytest.fixture(scope="module")
def short():
    return base_scenario("ordinary-month", days=DAYS)


@pytest.fixture(scope="module")
def serial(short):
    return replicate(short, seeds=SEEDS, n_jobs=1, progress=False)


def assert_same_as_single_runs(df, scenario, seeds):
    for seed in seeds:
        want = kpi.summary(run(scenario, seed))
        row = df[df["seed"] == seed]
        assert len(row) == 1, seed
        for key, value in want.items():
            got = float(row[key].iloc[0])
            assert got == value or (math.isnan(got) and math.isnan(value)), (seed, key, got, value)


# --------------------------------------------------------------------------- replicate
def test_replicate_rows_are_the_single_runs(serial, short):
    assert serial["seed"].tolist() == SEEDS
    assert list(serial.columns) == ["seed", *kpi.KPIS]
    assert_same_as_single_runs(serial, short, [0, 3])
    # different seeds are different draws
    assert serial["visitors"].nunique() == len(SEEDS)


def test_replicate_loky_equals_one_process(serial, short):
    par = replicate(short, seeds=SEEDS, n_jobs=2, backend="loky", progress=False)
    pd.testing.assert_frame_equal(serial, par, check_exact=True)


def test_replicate_seed_order_does_not_matter(serial, short):
    shuffled = replicate(short, seeds=[3, 1, 0, 2], n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(serial, shuffled, check_exact=True)


def test_dask_cluster_equals_local(serial, short):
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        with distributed.get_task_stream(client) as stream:
            on_dask = replicate(short, seeds=SEEDS, client=client, progress=False)
        # the runs really went through the cluster
        assert any("_task" in str(t.get("key", "")) for t in stream.data), stream.data[:3]
        grid = {"store__decisions__ads__cpc_bid_cny": [0.8, 1.6]}
        sweep_dask = sweep(short, grid, seeds=[0, 1], client=client, progress=False)
    finally:
        client.close()
        cluster.close()
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)
    sweep_local = sweep(short, grid, seeds=[0, 1], n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(sweep_local, sweep_dask, check_exact=True)


def test_lambda_pricing_policy_passes_through_loky(short):
    half_price = short.with_decisions(pricing=lambda view: view.list_price_cny * 0.5)
    metrics = ["orders", "average_order_value", "revenue"]
    par = replicate(
        half_price, seeds=[0, 1], metrics=metrics, n_jobs=2, backend="loky", progress=False
    )
    one = replicate(half_price, seeds=[0, 1], metrics=metrics, n_jobs=1, progress=False)
    pd.testing.assert_frame_equal(one, par, check_exact=True)
    # the policy really ran in the workers: half prices, far lower order value
    listed = replicate(short, seeds=[0, 1], metrics=metrics, n_jobs=1, progress=False)
    assert (par["average_order_value"] < 0.7 * listed["average_order_value"]).all()


def test_lambda_metric_passes_through_loky(short):
    metrics = {"paid_units": lambda r: float(r.orders.loc[r.orders["paid"], "units"].sum())}
    par = replicate(short, seeds=[0, 1], metrics=metrics, n_jobs=2, backend="loky", progress=False)
    for seed in (0, 1):
        r = run(short, seed)
        want = float(r.orders.loc[r.orders["paid"], "units"].sum())
        assert par.loc[par["seed"] == seed, "paid_units"].item() == want


# --------------------------------------------------------------------------- sweep
GRID = {
    "store__decisions__ads__cpc_bid_cny": [1.6, 0.6],  # not in sorted order on purpose
    "store__decisions__pack_rate_per_h": [25, 12],
}


@pytest.fixture(scope="module")
def swept(short):
    return sweep(short, GRID, seeds=[2, 0], n_jobs=2, backend="loky", progress=False)


def test_sweep_rows_sorted_by_point_then_seed(swept):
    keys = list(GRID)
    assert swept.attrs["grid"] == keys
    assert list(swept.columns[:4]) == ["point", *keys, "seed"]
    assert swept["point"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert swept["seed"].tolist() == [0, 2] * 4
    # points in the order of the grid's values (first key slowest)
    points = swept.drop_duplicates("point")[keys].to_records(index=False).tolist()
    assert points == [(1.6, 25), (1.6, 12), (0.6, 25), (0.6, 12)]


@pytest.mark.parametrize("point", [1, 2])
def test_sweep_cells_equal_single_runs(swept, short, point):
    rows = swept[swept["point"] == point]
    changes = {k: rows[k].iloc[0].item() for k in GRID}
    assert_same_as_single_runs(rows, short.replace(**changes), [0, 2])


def test_sweep_points_differ(swept):
    # on the same seeds, another ad bid changes the ad clicks and so the visitors
    bid = "store__decisions__ads__cpc_bid_cny"
    high = swept[swept[bid] == 1.6].sort_values(["store__decisions__pack_rate_per_h", "seed"])
    low = swept[swept[bid] == 0.6].sort_values(["store__decisions__pack_rate_per_h", "seed"])
    assert (low["visitors"].to_numpy() != high["visitors"].to_numpy()).all()
    assert (low["roas"].to_numpy() != high["roas"].to_numpy()).all()


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("store__decisions__ads__no_such_lever", "no_such_lever"),
        ("no_such_field", "no_such_field"),
        ("store__no_such_field", "no_such_field"),
    ],
)
def test_bad_grid_key_names_the_key(short, key, shown):
    with pytest.raises(ScenarioError) as info:
        sweep(short, {key: [1, 2]}, seeds=2, n_jobs=1, progress=False)
    assert shown in info.value.field
    assert shown in info.value.message("en")


def test_grid_key_seed_is_refused(short):
    with pytest.raises(ScenarioError) as info:
        sweep(short, {"seed": [1, 2]}, seeds=2, n_jobs=1, progress=False)
    assert "seed" in info.value.message("en")


# --------------------------------------------------------------------------- statistics
P_GRID = [1e-4, 0.001, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975, 0.99, 0.9999]
DF_GRID = [1, 2, 3, 4.5, 7, 10, 29, 30, 100, 1000, 99_999, 1e5 + 1, 1e6, math.inf]


@pytest.mark.parametrize("df", DF_GRID)
def test_t_quantile_matches_scipy(df):
    for p in P_GRID:
        want = stats.norm.ppf(p) if math.isinf(df) else stats.t.ppf(p, df)
        got = t_quantile(p, df)
        assert abs(got - want) <= 1e-8 * max(1.0, abs(want)), (p, df, got, want)


def test_t_quantile_rejects_bad_arguments():
    for p in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ScenarioError):
            t_quantile(p, 5)
    with pytest.raises(ScenarioError):
        t_quantile(0.9, 0)


def test_half_width_is_t_times_sd_over_root_n(serial):
    ci = confidence_intervals(serial)
    assert set(ci["metric"]) == set(kpi.KPIS)
    for row in ci.itertuples():
        x = serial[row.metric].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        n = len(x)
        assert row.n == n
        if n < 2:
            assert math.isnan(row.half_width)
            continue
        sd = math.sqrt(sum((v - x.mean()) ** 2 for v in x) / (n - 1))
        hw = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        assert row.mean == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
        assert row.sd == pytest.approx(sd, rel=1e-9, abs=1e-12)
        assert row.half_width == pytest.approx(
            t_quantile(0.975, n - 1) * row.sd / math.sqrt(n), rel=1e-12, abs=1e-12
        )
        assert row.half_width == pytest.approx(hw, rel=1e-8, abs=1e-12)
        assert row.low == pytest.approx(row.mean - row.half_width, rel=1e-12, abs=1e-12)
        assert row.high == pytest.approx(row.mean + row.half_width, rel=1e-12, abs=1e-12)


def test_confidence_level_changes_the_quantile(serial):
    n = len(serial)
    at95 = confidence_intervals(serial, metrics=["orders"]).iloc[0]
    at80 = confidence_intervals(serial, level=0.8, metrics=["orders"]).iloc[0]
    assert at80.half_width == pytest.approx(
        at95.half_width * stats.t.ppf(0.9, n - 1) / stats.t.ppf(0.975, n - 1), rel=1e-8
    )


def test_confidence_intervals_per_sweep_point(swept):
    ci = confidence_intervals(swept, metrics=["orders"])
    assert ci["point"].tolist() == [0, 1, 2, 3]
    for row in ci.itertuples():
        x = swept.loc[swept["point"] == row.point, "orders"].to_numpy(dtype=float)
        assert row.n == 2 and row.mean == pytest.approx(x.mean())
        assert row.half_width == pytest.approx(
            stats.t.ppf(0.975, 1) * x.std(ddof=1) / math.sqrt(2), rel=1e-8
        )


def test_more_seeds_narrow_the_interval(short):
    metrics = ["orders", "revenue", "conversion_rate"]
    df = replicate(short, seeds=24, metrics=metrics, n_jobs=1, progress=False)
    many = confidence_intervals(df).set_index("metric")
    # eight disjoint sets of three seeds: their typical half-width against all 24 together
    triples = [confidence_intervals(df[df["seed"] // 3 == g]).set_index("metric") for g in range(8)]
    for metric in metrics:
        assert many.loc[metric, "n"] == 24 and all(t.loc[metric, "n"] == 3 for t in triples)
        few = np.mean([t.loc[metric, "half_width"] for t in triples])
        assert many.loc[metric, "half_width"] < 0.5 * few, metric
    # the factor t(0.975, n-1) / sqrt(n) that multiplies the sd falls with n
    factors = [t_quantile(0.975, n - 1) / math.sqrt(n) for n in (2, 3, 5, 10, 30, 100)]
    assert all(a > b for a, b in itertools.pairwise(factors))
