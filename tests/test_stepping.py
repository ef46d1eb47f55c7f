"""Seed stability, stepping, common random numbers, and stores sharing a market.

* the same seed gives identical tables, a different seed different ones;
* a run advanced in steps equals the one-shot run exactly;
* a decision changed on day 5 changes nothing before day 5;
* traffic has its own random stream: a promotion does not move the impressions;
* several stores compete for one market's traffic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import base_scenario, frozen_feedback, table_names

from sim import Simulation, run
from sim.model.promotions import PercentOff
from sim.policies import FixedPrices

TABLES = table_names()


def assert_same_tables(a, b, skip=()) -> None:
    for name in TABLES:
        if name in skip:
            continue
        pd.testing.assert_frame_equal(
            getattr(a, name), getattr(b, name), check_exact=True, obj=name
        )


@pytest.fixture(scope="module")
def d11():
    return base_scenario("double11")


# --------------------------------------------------------------------------- seeds
@pytest.mark.parametrize(("name", "days"), [("ordinary-month", 7), ("double11", 14)])
def test_same_seed_identical_tables(name, days):
    sc = base_scenario(name)
    a, b = run(sc, seed=5, days=days), run(sc, seed=5, days=days)
    for t in ("orders", "tickets", "stock_ledger", "funnel_hourly", "pnl"):
        assert len(getattr(a, t)) > 0, t
    assert_same_tables(a, b)


def test_different_seeds_differ():
    sc = base_scenario("ordinary-month", days=5)
    a, b = run(sc, seed=1), run(sc, seed=2)
    assert not a.funnel_hourly["visits"].equals(b.funnel_hourly["visits"])
    assert len(a.orders) != len(b.orders) or not a.orders["created_h"].equals(b.orders["created_h"])
    assert a.pnl["revenue"].sum() != b.pnl["revenue"].sum()


def test_results_keep_seed_and_scenario():
    sc = base_scenario("ordinary-month", days=3)
    r = run(sc, seed=9)
    assert r.seed == 9 and r.days_run == 3 and r.scenario is sc


# --------------------------------------------------------------------------- stepping
def test_stepped_run_equals_one_shot(d11):
    one = run(d11, seed=4)
    sim = Simulation(d11, 4)
    sim.run_until(3)
    mid = sim.results()  # looking at the tables mid-run must not disturb the run
    assert mid.days_run == 3
    sim.run_until(7)
    sim.run_until(7)  # a step to where we are is a no-op
    sim.run_until(12)  # the first balance day
    sim.run_until()
    assert_same_tables(one, sim.results())


def test_stepped_partial_run_equals_days_argument():
    sc = base_scenario("ordinary-month")
    one = run(sc, seed=2, days=9)
    sim = Simulation(sc, 2)
    for day in (1, 2, 5, 9):
        sim.run_until(day)
    assert_same_tables(one, sim.results())


def test_results_mid_run_are_the_first_days_of_the_full_run(d11):
    full = run(d11, seed=6, days=10)
    part = Simulation(d11, 6).run_until(4).results()
    for name in ("funnel_hourly", "sku_daily", "daily", "pnl"):
        f = getattr(full, name)
        pd.testing.assert_frame_equal(
            getattr(part, name), f[f["day"] <= 4].reset_index(drop=True), obj=name
        )


CREATION_COLUMNS = [
    "store",
    "order_id",
    "customer_id",
    "is_new_customer",
    "channel",
    "sku",
    "created_h",
    "units",
    "list_price_cny",
    "unit_price_cny",
    "goods_value_cny",
    "discount_cny",
    "coupon_cny",
    "gift_cost_cny",
    "presale",
    "deposit_cny",
    "via_inquiry",
    "day",
]


@pytest.fixture(scope="module")
def changed_on_day5():
    sc = base_scenario("ordinary-month", days=10)
    base = run(sc, seed=3)
    sim = Simulation(sc, 3).run_until(4)
    at_day4 = sim.results()
    cheap = {k.sku: round(k.list_price_cny * 0.8, 2) for k in sc.store.catalogue.skus}
    sim.decide(pricing=FixedPrices(cheap), agents=4)
    changed = sim.run_until().results()
    return base, changed, at_day4


def test_decision_on_day5_leaves_days_1_to_4_unchanged(changed_on_day5):
    base, changed, at_day4 = changed_on_day5
    for name in ("funnel_hourly", "sku_daily", "daily", "pnl"):
        a, b = getattr(base, name), getattr(changed, name)
        pd.testing.assert_frame_equal(
            a[a["day"] < 5].reset_index(drop=True), b[b["day"] < 5].reset_index(drop=True), obj=name
        )
    # the orders placed by the end of day 4, as they were placed
    n = len(at_day4.orders)
    assert n > 0
    for o in (base.orders, changed.orders):
        pd.testing.assert_frame_equal(
            o.loc[: n - 1, CREATION_COLUMNS], at_day4.orders[CREATION_COLUMNS]
        )
    ta, tb = base.tickets, changed.tickets
    cols = [
        "ticket_id",
        "kind",
        "sku",
        "order_id",
        "arrive_h",
        "wait_min",
        "answered",
        "handle_min",
    ]
    pd.testing.assert_frame_equal(
        ta.loc[ta["arrive_h"] < 96, cols].reset_index(drop=True),
        tb.loc[tb["arrive_h"] < 96, cols].reset_index(drop=True),
    )
    la, lb = base.stock_ledger, changed.stock_ledger
    pd.testing.assert_frame_equal(
        la[la["t_h"] < 96].reset_index(drop=True), lb[lb["t_h"] < 96].reset_index(drop=True)
    )
    ea, eb = base.events, changed.events
    # (an empty events table has object columns, a filled one str: compare values only)
    pd.testing.assert_frame_equal(
        ea[ea["t_h"] < 96].reset_index(drop=True),
        eb[eb["t_h"] < 96].reset_index(drop=True),
        check_dtype=False,
    )


def test_decision_on_day5_changes_days_5_on(changed_on_day5):
    base, changed, _ = changed_on_day5
    sa, sb = base.sku_daily, changed.sku_daily
    assert (
        sb.loc[sb["day"] >= 5, "price_cny"] < sa.loc[sa["day"] >= 5, "price_cny"].to_numpy()
    ).all()
    fa, fb = base.funnel_hourly, changed.funnel_hourly
    assert fb.loc[fb["day"] >= 5, "orders"].sum() > fa.loc[fa["day"] >= 5, "orders"].sum()
    assert (changed.daily.loc[changed.daily["day"] >= 5, "agent_hours"] == 96).all()
    assert (changed.events["kind"] == "decision").sum() == 1
    decision = changed.events[changed.events["kind"] == "decision"].iloc[0]
    assert decision["t_h"] == 96 and decision["day"] == 5


def test_deciding_the_same_again_changes_nothing_but_the_log():
    sc = base_scenario("ordinary-month", days=8)
    one = run(sc, seed=8)
    sim = Simulation(sc, 8).run_until(5)
    sim.decide(agents=sc.decisions.agents, packers=sc.decisions.packers)
    assert_same_tables(one, sim.run_until().results(), skip=("events",))


# --------------------------------------------------------------------------- common random numbers
PROMO = PercentOff(start_day=3, end_day=5, discount=0.2)


def test_promotion_leaves_earlier_traffic_draws_identical():
    sc = base_scenario("ordinary-month", days=7)
    a = run(sc, seed=12).funnel_hourly
    b = run(sc.with_decisions(promotions=[PROMO]), seed=12).funnel_hourly
    before = a["day"] < 3
    for col in ("impressions", "visits", "orders"):
        np.testing.assert_array_equal(
            a.loc[before, col].to_numpy(), b.loc[before, col].to_numpy(), err_msg=col
        )
    on = a["day"].between(3, 5)
    assert b.loc[on, "orders"].sum() > a.loc[on, "orders"].sum()


def test_promotion_never_moves_impressions_when_traffic_has_no_feedback():
    """Traffic draws come from their own stream: with the same traffic expectations the
    impressions are identical in every hour, whatever the promotion. (A % off raises
    click-through - a visible discount - so visits differ on the promotion days only.)"""
    sc = frozen_feedback(base_scenario("ordinary-month", days=7))
    a = run(sc, seed=12).funnel_hourly
    b = run(sc.with_decisions(promotions=[PROMO]), seed=12).funnel_hourly
    np.testing.assert_array_equal(a["impressions"].to_numpy(), b["impressions"].to_numpy())
    on = a["day"].between(3, 5)
    np.testing.assert_array_equal(a.loc[~on, "visits"].to_numpy(), b.loc[~on, "visits"].to_numpy())
    assert b.loc[on, "visits"].sum() > a.loc[on, "visits"].sum()


# --------------------------------------------------------------------------- shared market
def two_stores(sc, **b_changes):
    a = sc.store.replace(name="A")
    b = sc.store.replace(name="B", **b_changes)
    return sc.replace(stores=(a, b))


def visits_by(r, store: str, channel: str | None = None, day_from: int = 1) -> int:
    f = r.funnel_hourly
    f = f[(f["store"] == store) & (f["day"] >= day_from)]
    if channel:
        f = f[f["channel"] == channel]
    return int(f["visits"].sum())


@pytest.fixture(scope="module")
def week():
    return base_scenario("ordinary-month", days=7)


def test_two_store_results_split_by_store(week):
    sc = two_stores(week)
    r = run(sc, seed=1)
    assert set(r.pnl["store"]) == {"A", "B"}
    for name in ("orders", "funnel_hourly", "pnl", "daily", "sku_daily"):
        assert set(getattr(r, name)["store"]) == {"A", "B"}, name
    a = r.store("A")
    assert set(a.orders["store"]) == {"A"} and len(a.pnl) == 7
    with pytest.raises(KeyError):
        r.store("C")


def test_higher_ad_bid_wins_more_ad_traffic(week):
    sc = two_stores(
        week, decisions=week.decisions.replace(ads={"cpc_bid_cny": 2.4, "daily_budget_cny": 5000.0})
    )
    sc = sc.with_decisions(0, ads={"cpc_bid_cny": 1.2, "daily_budget_cny": 5000.0})
    r = run(sc, seed=2)
    assert visits_by(r, "B", "ads") > 1.5 * visits_by(r, "A", "ads")


def test_higher_rating_wins_more_search_and_social_traffic(week):
    sc = two_stores(week, initial_rating=4.95).replace(stores__0__initial_rating=4.6)
    r = run(sc, seed=3)
    assert visits_by(r, "B", "search") > 1.1 * visits_by(r, "A", "search")
    assert visits_by(r, "B", "social") > 1.05 * visits_by(r, "A", "social")


def test_lower_price_wins_conversion_then_search_share(week):
    cheap = {k.sku: round(k.list_price_cny * 0.85, 2) for k in week.store.catalogue.skus}
    sc = two_stores(week).with_decisions(1, pricing=FixedPrices(cheap))
    r = run(sc, seed=4)
    conv = {s: r.store(s).orders.shape[0] / visits_by(r, s) for s in ("A", "B")}
    assert conv["B"] > 1.2 * conv["A"], conv
    # sales velocity and conversion feed the search rank from the next day on
    assert visits_by(r, "B", "search", day_from=3) > visits_by(r, "A", "search", day_from=3)
    d = r.daily
    assert (
        d.loc[(d["store"] == "B") & (d["day"] == 7), "rank_score"].iloc[0]
        > d.loc[(d["store"] == "A") & (d["day"] == 7), "rank_score"].iloc[0]
    )


def test_a_rival_store_takes_traffic_from_a(week):
    alone = run(week.replace(stores=(week.store.replace(name="A"),)), seed=5)
    shared = run(two_stores(week), seed=5)
    for channel in ("search", "social"):  # (ads clicks are capped by each store's budget)
        assert visits_by(shared, "A", channel) < visits_by(alone, "A", channel), channel
    # search share 1 / (1 + outside) alone, 1 / (2 + outside) with an equal rival
    outside = week.market.outside_score
    ratio = visits_by(shared, "A", "search", 1) / visits_by(alone, "A", "search", 1)
    assert ratio == pytest.approx((1 + outside) / (2 + outside), rel=0.1)
    assert len(shared.store("A").orders) < len(alone.orders)


def test_cheaper_store_draws_more_search_clicks_from_day_one(week):
    """Before any rank feedback (day 1), shoppers comparing listings favour the cheaper store."""
    cheap = {k.sku: round(k.list_price_cny * 0.85, 2) for k in week.store.catalogue.skus}
    sc = two_stores(week.replace(days=1)).with_decisions(1, pricing=FixedPrices(cheap))
    r = run(sc, seed=8)
    assert visits_by(r, "B", "search") > 1.1 * visits_by(r, "A", "search")
    # and a single store's traffic does not depend on its own price (the elasticity stays
    # the configured one): same impressions at either price, common random numbers
    alone = week.replace(days=1)
    a = run(alone, seed=8).funnel_hourly
    b = run(alone.with_decisions(pricing=FixedPrices(cheap)), seed=8).funnel_hourly
    assert a["impressions"].sum() == b["impressions"].sum()


def test_every_table_column_is_documented(week):
    from sim.results import TABLES, Results

    r = run(week.replace(days=2), seed=1)
    for name in TABLES:
        cols = set(getattr(r, name).columns)
        documented = set(Results.describe(name)["column"])
        assert cols == documented, (name, cols ^ documented)
