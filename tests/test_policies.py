"""Policies a trainee writes (plain callables) and the built-in policy classes do what the
model says they do."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import base_scenario

from sim import ScenarioError, run
from sim.model.promotions import PercentOff
from sim.policies import Charm, CostPlus, PriceView, charm, shifts


@pytest.fixture(scope="module")
def short():
    return base_scenario(days=4)


def test_callable_pricing_policy_sets_the_prices_shoppers_pay(short):
    seen = []

    def policy(view: PriceView):
        seen.append(view.day)
        return {view.skus[0]: 88.0, view.skus[1]: round(view.cost_cny[1] * 2, 2)}

    r = run(short.with_decisions(pricing=policy), seed=1)
    assert seen == [1, 2, 3, 4], "called once a day, in order"
    o = r.orders
    skus = short.store.sku_codes
    assert set(o.loc[o["sku"] == skus[0], "unit_price_cny"]) == {88.0}
    cost1 = short.store.catalogue.skus[1].cost_cny
    assert set(o.loc[o["sku"] == skus[1], "unit_price_cny"]) == {round(cost1 * 2, 2)}
    # SKUs the policy leaves out keep yesterday's price (here: list price)
    lp = short.store.catalogue.skus[2].list_price_cny
    assert set(o.loc[o["sku"] == skus[2], "unit_price_cny"]) == {lp}


def test_callable_reorder_policy_places_what_it_returns(short):
    def policy(view):
        qty = np.zeros(len(view.skus))
        if view.day == 2:
            qty[3] = 77
        return qty

    r = run(short.with_decisions(reorder=policy), seed=1)
    po = r.purchase_orders
    assert list(po["qty"]) == [77]
    assert po["sku"].iloc[0] == short.store.sku_codes[3]
    assert po["placed_h"].iloc[0] == 24.0  # reviewed once a day, at the start of day 2


def test_callable_staffing_plan_is_followed(short):
    def plan(day, hour):
        return 3 if (day == 2 and 9 <= hour < 21) else 1

    r = run(short.with_decisions(agents=plan), seed=1)
    hours = r.daily.set_index("day")["agent_hours"]
    assert hours[1] == 24 and hours[2] == 12 * 3 + 12 and hours[3] == 24


def test_callable_promotion_calendar(short):
    def calendar(day):
        return [PercentOff(start_day=day, end_day=day, discount=0.2)] if day == 3 else []

    r = run(short.with_decisions(promotions=calendar), seed=1)
    o = r.orders[~r.orders["via_inquiry"]]
    lp = o["list_price_cny"]
    on = o["day"] == 3
    assert np.allclose(o.loc[on, "unit_price_cny"], np.round(lp[on] * 0.8, 2))
    assert np.allclose(o.loc[~on, "unit_price_cny"], lp[~on])


@pytest.mark.parametrize(
    "bad",
    [lambda v: -1.0, lambda v: [10.0, 20.0], lambda v: {"NOT-A-SKU": 5.0}, lambda v: "cheap"],
)
def test_bad_pricing_policy_gives_one_clear_error(short, bad):
    with pytest.raises(ScenarioError) as err:
        run(short.with_decisions(pricing=bad), seed=1)
    assert err.value.field == "pricing"


def test_bad_staffing_plan_gives_one_clear_error(short):
    with pytest.raises(ScenarioError) as err:
        run(short.with_decisions(agents=lambda d, h: 1.5), seed=1)
    assert err.value.field == "staffing"


def test_cost_plus_and_charm_prices(short):
    r = run(short.with_decisions(pricing=Charm(base=CostPlus(markup=1.0))), seed=2)
    skus = {s.sku: s for s in short.store.catalogue.skus}
    for sku, price in r.orders.groupby("sku")["unit_price_cny"].first().items():
        assert price == charm(skus[sku].cost_cny * 2.0)
        cents = round(price * 100)
        assert cents % 1000 == 900 or cents % 100 == 90


def test_charm_rounding():
    assert list(charm(np.array([200.0, 199.0, 45.3, 100.0, 9.5]))) == [
        199.0,
        189.0,
        44.9,
        99.0,
        8.9,
    ]


def test_shift_builders_and_plan_forms(short):
    assert shifts(morning=3, evening=2) == (0,) * 8 + (3,) * 8 + (2,) * 8
    a = short.with_decisions(agents={"8-16": 3, "16-24": 2}).store.decisions.agents
    assert a == shifts(morning=3, evening=2)
    assert short.with_decisions(agents=2).store.decisions.agents == (2,) * 24
    with pytest.raises(ScenarioError) as err:
        short.with_decisions(agents={"25-3": 1})
    assert "agents" in err.value.field


def test_competitive_policy_follows_the_rival(short):
    r = run(
        short.with_decisions(pricing={"kind": "competitive", "ratio": 0.9, "min_markup": 0.0}),
        seed=3,
    )
    sd = r.sku_daily
    o = r.orders[~r.orders["via_inquiry"]].merge(
        sd[["day", "sku", "rival_price_cny"]], on=["day", "sku"]
    )
    cost = {s.sku: s.cost_cny for s in short.store.catalogue.skus}
    expected = np.maximum(np.round(o["rival_price_cny"] * 0.9, 2), o["sku"].map(cost))
    assert np.allclose(o["unit_price_cny"], expected, atol=0.011)


def test_periodic_review_orders_up_to_s_on_its_review_days(short):
    """(R, S): reviews every R days only, ordering the gap up to S."""
    sc = short.replace(days=9).with_decisions(
        reorder={"kind": "periodic", "review_days": 4, "S": 5000}
    )
    r = run(sc, seed=4)
    po = r.purchase_orders
    assert set(po["placed_h"] // 24 + 1) <= {1, 5, 9} and len(po) > 0
    first = po[po["placed_h"] == 0]
    # the position at the review: opening stock less what sold in the first hour
    led = r.stock_ledger
    moved = led[led["t_h"] < 1].groupby("sku")["qty"].sum()
    initial = {k.sku: k.initial_stock for k in short.store.catalogue.skus}
    position = first["sku"].map(initial) + first["sku"].map(moved).fillna(0)
    assert len(first) > 0 and all(first["qty"] == 5000 - position)
