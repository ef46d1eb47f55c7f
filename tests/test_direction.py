"""Direction tests: a lever moved one way moves the outcome the way it should.

Each comparison uses common random numbers (the same seeds for both settings) and
averages over a few seeds where the effect is not overwhelming.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ample_stock, base_scenario, with_skus

from sim import run
from sim.model.promotions import PercentOff, Threshold
from sim.policies import FixedPrices

SEEDS = (1, 2, 3)


def runs(sc, seeds=SEEDS):
    return [run(sc, seed=s) for s in seeds]


def mean_of(results, fn) -> float:
    return float(np.mean([fn(r) for r in results]))


def conversion(r) -> float:
    f = r.funnel_hourly
    return f["orders"].sum() / f["visits"].sum()


@pytest.fixture(scope="module")
def week():
    return base_scenario("ordinary-month", days=7)


# --------------------------------------------------------------------------- service
def test_more_agents_shorter_waits_and_more_inquiry_sales(week):
    sc = week.replace(market__service__presale_inquiry_rate=0.1)
    out = {}
    for agents in (1, 2, 4):
        rs = runs(sc.with_decisions(agents=agents))
        pre = pd.concat([r.tickets[r.tickets["kind"] == "presale"] for r in rs])
        out[agents] = (
            pre["wait_min"].mean(),
            pre["converted"].mean(),
            pre["answered"].mean(),
            len(pre),
        )
    waits = [out[a][0] for a in (1, 2, 4)]
    conv = [out[a][1] for a in (1, 2, 4)]
    assert waits[0] > waits[1] > waits[2], out
    assert conv[0] < conv[2], out
    assert out[1][2] < out[4][2], out  # fewer shoppers give up
    assert out[1][3] > 1000  # enough inquiries to tell


# --------------------------------------------------------------------------- price and promotions
def test_higher_price_lower_conversion(week):
    skus = week.store.catalogue.skus
    conv = []
    for mult in (0.9, 1.0, 1.15):
        prices = {k.sku: round(k.list_price_cny * mult, 2) for k in skus}
        conv.append(mean_of(runs(week.with_decisions(pricing=FixedPrices(prices))), conversion))
    assert conv[0] > conv[1] > conv[2], conv


def test_deeper_discount_more_units_lower_margin(week):
    sc = ample_stock(week)
    res = {}
    for depth in (0.1, 0.3):
        rs = runs(
            sc.with_decisions(promotions=[PercentOff(start_day=1, end_day=7, discount=depth)])
        )
        units = mean_of(rs, lambda r: r.orders.loc[r.orders["paid"], "units"].sum())
        margin = mean_of(rs, lambda r: 1 - r.pnl["cogs"].sum() / r.pnl["revenue"].sum())
        res[depth] = (units, margin)
    assert res[0.3][0] > 1.2 * res[0.1][0], res
    assert res[0.3][1] < res[0.1][1] - 0.05, res


def test_threshold_promotion_raises_units_per_order(week):
    sc = ample_stock(week)
    plain = runs(sc)
    promo = runs(
        sc.with_decisions(
            promotions=[Threshold(start_day=1, end_day=7, threshold_cny=150, off_cny=20)]
        )
    )
    upo_plain = mean_of(plain, lambda r: r.orders["units"].mean())
    upo_promo = mean_of(promo, lambda r: r.orders["units"].mean())
    assert upo_promo > upo_plain + 0.03, (upo_plain, upo_promo)
    # and orders that reached the threshold got the money off
    o = pd.concat([r.orders for r in promo])
    reached = o[(o["units"] * o["unit_price_cny"]) >= 150]
    assert len(reached) > 0
    assert (reached["discount_cny"] >= 20 - 0.01).all()


# --------------------------------------------------------------------------- stock
def test_longer_lead_time_more_lost_sales():
    sc = base_scenario("ordinary-month")  # 30 days, (s, S) = 7 and 21 days of demand
    res = {}
    for lead in (3.0, 12.0):
        rs = runs(with_skus(sc, lead_time_days=lead))
        res[lead] = (
            mean_of(rs, lambda r: r.sku_daily["lost_units"].sum()),
            mean_of(rs, lambda r: (r.sku_daily["on_hand"] <= 0).sum()),
            mean_of(rs, lambda r: r.sku_daily["units"].sum()),
        )
    assert res[12.0][0] > res[3.0][0] + 50, res
    assert res[12.0][1] > res[3.0][1], res
    assert res[12.0][2] < res[3.0][2], res


# --------------------------------------------------------------------------- traffic
def test_higher_ad_budget_more_ad_visits_and_spend(week):
    res = {}
    for budget in (100.0, 1000.0):
        rs = runs(week.with_decisions(ads={"cpc_bid_cny": 1.2, "daily_budget_cny": budget}))
        ads_visits = mean_of(
            rs, lambda r: r.funnel_hourly.loc[r.funnel_hourly["channel"] == "ads", "visits"].sum()
        )
        spend = mean_of(rs, lambda r: r.pnl["ads"].sum())
        res[budget] = (ads_visits, spend)
        for r in rs:  # the budget caps each day's spend
            assert (r.pnl["ads"] <= budget + 1e-6).all()
    assert res[1000.0][0] > 2 * res[100.0][0], res
    assert res[1000.0][1] > 2 * res[100.0][1], res


def test_no_bid_no_ad_traffic(week):
    r = run(week.with_decisions(ads={"cpc_bid_cny": 0.0, "daily_budget_cny": 1000.0}), seed=1)
    f = r.funnel_hourly
    assert f.loc[f["channel"] == "ads", "visits"].sum() == 0
    assert r.pnl["ads"].sum() == 0


def test_better_listing_higher_click_through_and_conversion(week):
    res = {}
    for q in (0.4, 0.9):
        rs = runs(week.with_decisions(listing_quality=dict.fromkeys(week.store.sku_codes, q)))
        ctr = mean_of(
            rs, lambda r: r.funnel_hourly["visits"].sum() / r.funnel_hourly["impressions"].sum()
        )
        res[q] = (ctr, mean_of(rs, conversion))
    assert res[0.9][0] > res[0.4][0] * 1.2, res
    assert res[0.9][1] > res[0.4][1] * 1.2, res


# --------------------------------------------------------------------------- fulfilment
def test_more_packers_more_on_time_shipments_at_the_double11_peak():
    sc = base_scenario("double11")
    res = {}
    for packers in (2, 4):
        rs = runs(sc.with_decisions(packers={"9-18": packers}), seeds=(1, 2))

        def peak_on_time(r):
            s = r.shipments
            return s.loc[s["paid_h"] >= 22 * 24, "on_time"].mean()  # paid from 11-10 on

        res[packers] = (
            mean_of(rs, peak_on_time),
            mean_of(rs, lambda r: r.orders["late_penalty_cny"].sum()),
            mean_of(rs, lambda r: (r.shipments["shipped_h"] - r.shipments["paid_h"]).mean()),
        )
    assert res[4][0] > res[2][0] + 0.05, res
    assert res[4][1] < res[2][1], res
    assert res[4][2] < res[2][2], res


def test_a_promotion_nobody_can_use_leaves_no_post_promotion_dip():
    """Pull-forward counts only the uplift a promotion causes: a 满减 no basket can reach
    changes nothing, during or after it (same seed, common random numbers)."""
    from sim.model.promotions import Threshold

    sc = base_scenario("ordinary-month", days=12)
    plain = run(sc, seed=5)
    dead = run(
        sc.with_decisions(
            promotions=[Threshold(start_day=2, end_day=4, threshold_cny=99999, off_cny=10)]
        ),
        seed=5,
    )
    for r in (plain, dead):
        assert len(r.orders) > 0
    a = plain.orders.groupby("day").size()
    b = dead.orders.groupby("day").size()
    assert (a == b).all(), "an unreachable threshold must not move any day's orders"
