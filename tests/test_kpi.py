"""KPIs against an independent hand computation from the raw tables of short runs.

Every KPI of :mod:`sim.kpi` is recomputed here from ``orders``, ``funnel_hourly``,
``tickets``, ``sku_daily``, ``pnl``, ``stock_ledger`` and ``daily`` by the definitions in
its docstring, written differently (sets, counters and loops over rows rather than the
module's masks), and compared. The runs are chosen so that the edge cases of the
definitions occur (orders past their deadline and never shipped, stock-outs, lost sales,
supplier receipts, inactive SKUs, repeat buyers, forfeited pre-sale deposits, oversold
orders cancelled), and a separate test checks that they do, so no comparison is vacuous.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from conftest import base_scenario

import sim
import sim.model.engine
import sim.results
from sim import Simulation, kpi, load_scenario, run

REL = 1e-9

# --------------------------------------------------------------------------- scenarios
STRESSED_DAYS = 6


def stressed_scenario():
    """Six ordinary days with tight stock, one slow packer and one agent.

    Every other SKU starts with 25 units and a one-day supplier lead time (stock-outs, lost
    sales and receipts within the run); the last two SKUs are off sale and empty (the
    stock-out rate counts active SKUs only); packing is far too slow, so many orders pass
    their shipping deadline unshipped.
    """
    sc = base_scenario("ordinary-month", days=STRESSED_DAYS)
    skus = sc.store.catalogue.skus
    n_active = len(skus) - 2
    new = []
    for i, k in enumerate(skus):
        if i >= n_active:
            new.append(k.replace(initial_stock=0))
        elif i % 2 == 0:
            new.append(k.replace(initial_stock=25, lead_time_days=1.0))
        else:
            new.append(k)
    sc = sc.replace(store__catalogue__skus=tuple(new))
    return sc.with_decisions(
        packers={"9-12": 1},
        pack_rate_per_h=10,
        agents={"9-21": 1},
        active_skus=tuple(k.sku for k in skus[:n_active]),
    )


@pytest.fixture(scope="module")
def stressed():
    return run(stressed_scenario(), seed=3)


@pytest.fixture(scope="module")
def presale():
    """Double 11 up to the first balance day: forfeited deposits and oversold cancellations."""
    return run(load_scenario("double11"), seed=1, days=13)


@pytest.fixture(scope="module")
def shared():
    """Two stores sharing one market; B holds more stock than A (different openings)."""
    sc = base_scenario("ordinary-month", days=5)
    a = sc.store.replace(name="A")
    b_skus = tuple(k.replace(initial_stock=2 * k.initial_stock) for k in sc.store.catalogue.skus)
    b = sc.store.replace(name="B", catalogue=sc.store.catalogue.replace(skus=b_skus))
    return run(sc.replace(stores=(a, b)), seed=4)


@pytest.fixture(scope="module")
def runs(stressed, presale):
    return {"stressed": stressed, "presale": presale}


# --------------------------------------------------------------------------- hand computation
def nan_equal(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == pytest.approx(b, rel=REL, abs=1e-12)


def div(num: float, den: float) -> float:
    return num / den if den else float("nan")


class Hand:
    """The tables of one store (or all stores) of a run, and the KPIs computed by hand."""

    def __init__(self, r, store: str | None = None):
        self.r = r
        self.stores = [s for s in r.scenario.stores if store is None or s.name == store]
        names = {s.name for s in self.stores}

        def keep(df):
            return df[df["store"].isin(names)] if len(df) else df

        self.orders = keep(r.orders)
        self.funnel = keep(r.funnel_hourly)
        self.tickets = keep(r.tickets)
        self.sku_daily = keep(r.sku_daily)
        self.pnl = keep(r.pnl)
        self.ledger = keep(r.stock_ledger)
        self.daily = keep(r.daily)
        self.end_h = 24 * r.days_run

    # rows as plain dicts, so the conditions below read like the docstrings
    def order_rows(self):
        return self.orders.to_dict("records")

    def paid_rows(self):
        return [o for o in self.order_rows() if o["paid"] and str(o["status"]) != "forfeited"]

    def sold_rows(self):
        return [o for o in self.paid_rows() if str(o["status"]) != "cancelled"]

    def funnel_total(self, col: str) -> float:
        return float(sum(self.funnel[col].tolist()))

    def pnl_total(self, col: str) -> float:
        return float(sum(self.pnl[col].tolist()))

    def cost(self) -> dict:
        return {(s.name, k.sku): k.cost_cny for s in self.stores for k in s.catalogue.skus}

    def units_sold(self) -> float:
        return float(sum(o["units"] for o in self.sold_rows()))

    # ---------------------------------------------------------------- the KPIs
    def visitors(self):
        return self.funnel_total("visits")

    def page_views(self):
        return self.funnel_total("page_views")

    def bounce_rate(self):
        return div(self.funnel_total("bounces"), self.funnel_total("visits"))

    def click_through_rate(self):
        return div(self.funnel_total("visits"), self.funnel_total("impressions"))

    def favourite_rate(self):
        return div(self.funnel_total("favourites"), self.funnel_total("visits"))

    def add_to_cart_rate(self):
        return div(self.funnel_total("carts"), self.funnel_total("visits"))

    def orders_(self):
        return float(len(self.paid_rows()))

    def conversion_rate(self):
        return div(len(self.paid_rows()), self.funnel_total("visits"))

    def average_order_value(self):
        paid = self.paid_rows()
        return div(sum(o["paid_cny"] for o in paid), len(paid))

    def new_customer_share(self):
        buyers = {(o["store"], o["customer_id"]) for o in self.paid_rows()}
        flagged = {
            (o["store"], o["customer_id"]) for o in self.order_rows() if o["is_new_customer"]
        }
        return div(len(buyers & flagged), len(buyers))

    def repurchase_rate(self):
        counts = Counter((o["store"], o["customer_id"]) for o in self.paid_rows())
        return div(sum(1 for n in counts.values() if n >= 2), len(counts))

    def retention_rate(self):
        half = self.r.days_run // 2
        if half < 1:
            return float("nan")
        paid = self.paid_rows()
        first = {(o["store"], o["customer_id"]) for o in paid if o["day"] <= half}
        second = {(o["store"], o["customer_id"]) for o in paid if o["day"] > half}
        return div(len(first & second), len(first))

    def due_rows(self):
        return [
            o
            for o in self.paid_rows()
            if str(o["status"]) != "cancelled"
            and not math.isnan(o["deadline_h"])
            and o["deadline_h"] <= self.end_h
        ]

    def on_time_shipment_rate(self):
        due = self.due_rows()
        ok = [
            o for o in due if not math.isnan(o["shipped_h"]) and o["shipped_h"] <= o["deadline_h"]
        ]
        return div(len(ok), len(due))

    def inventory_turnover(self):
        cost = self.cost()
        v0 = sum(k.initial_stock * k.cost_cny for s in self.stores for k in s.catalogue.skus)
        by_day: dict[int, float] = {}
        for row in self.sku_daily.to_dict("records"):
            value = max(row["on_hand"], 0) * cost[(row["store"], row["sku"])]
            by_day[row["day"]] = by_day.get(row["day"], 0.0) + value
        assert sorted(by_day) == list(range(1, self.r.days_run + 1))
        avg = (v0 + sum(by_day.values())) / (len(by_day) + 1)
        return div(self.pnl_total("cogs"), avg)

    def sell_through(self):
        opening = sum(k.initial_stock for s in self.stores for k in s.catalogue.skus)
        received = sum(
            q
            for e, q in zip(self.ledger["event"], self.ledger["qty"], strict=True)
            if e == "receipt"
        )
        return div(self.units_sold(), opening + received)

    def stockout_rate(self):
        active = {
            s.name: set(s.decisions.active_skus or [k.sku for k in s.catalogue.skus])
            for s in self.stores
        }
        rows = [
            row["on_hand"]
            for row in self.sku_daily.to_dict("records")
            if row["sku"] in active[row["store"]]
        ]
        return div(sum(1 for x in rows if x <= 0), len(rows))

    def fill_rate(self):
        sold = self.units_sold()
        return div(sold, sold + float(sum(self.sku_daily["lost_units"].tolist())))

    def first_response_time(self):
        waits = [t["wait_min"] for t in self.tickets.to_dict("records") if t["answered"]]
        return div(sum(waits), len(waits))

    def inquiry_conversion(self):
        pre = [t for t in self.tickets.to_dict("records") if t["kind"] == "presale"]
        return div(sum(1 for t in pre if t["converted"]), len(pre))

    def rating(self):
        last = self.daily[self.daily["day"] == self.r.days_run]
        return float(np.mean(last["rating"].tolist())) if len(last) else float("nan")

    def roas(self):
        spend = self.pnl_total("ads")
        ads = sum(o["paid_cny"] for o in self.paid_rows() if str(o["channel"]) == "ads")
        return div(ads, spend)

    def gross_margin(self):
        net = self.pnl_total("revenue") - self.pnl_total("refunds")
        return div(net - self.pnl_total("cogs"), net)

    def net_margin(self):
        net = self.pnl_total("revenue") - self.pnl_total("refunds")
        return div(self.pnl_total("net_profit"), net)

    def net_profit(self):
        return self.pnl_total("net_profit")

    def revenue(self):
        return self.pnl_total("revenue")

    def cash_end(self):
        last = self.pnl[self.pnl["day"] == self.r.days_run]
        return float(sum(last["cash"].tolist())) if len(last) else float("nan")

    def kpi(self, key: str) -> float:
        return float(getattr(self, "orders_" if key == "orders" else key)())


HAND_KEYS = list(kpi.KPIS)


# --------------------------------------------------------------------------- edge cases occur
def test_stressed_run_exercises_the_edge_cases(stressed):
    h = Hand(stressed)
    due = h.due_rows()
    assert sum(1 for o in due if math.isnan(o["shipped_h"])) > 20, "orders past deadline unshipped"
    assert sum(1 for o in due if o["shipped_h"] > o["deadline_h"]) > 20, "orders shipped late"
    assert sum(1 for o in h.paid_rows() if o["deadline_h"] > h.end_h) > 20, "orders not yet due"
    assert (h.ledger["event"] == "receipt").sum() > 0, "supplier receipts"
    assert h.sku_daily["lost_units"].sum() > 0, "lost sales"
    active = set(stressed.scenario.decisions.active_skus)
    sk = h.sku_daily
    assert ((sk["on_hand"] <= 0) & sk["sku"].isin(active)).sum() > 0, "stock-outs of active SKUs"
    assert ((sk["on_hand"] <= 0) & ~sk["sku"].isin(active)).sum() > 0, "empty inactive SKUs"
    assert ((h.tickets["wait_min"] > 0) & h.tickets["answered"]).sum() > 0, "answered after a wait"
    assert (~h.tickets["answered"]).sum() > 0, "abandoned inquiries"
    assert 0 < h.repurchase_rate() < 1 and 0 < h.retention_rate() < 1
    assert 0 < h.new_customer_share() < 1
    assert h.pnl_total("ads") > 0 and h.pnl_total("refunds") > 0


def test_presale_run_exercises_the_edge_cases(presale):
    status = presale.orders["status"].astype(str)
    assert (status == "forfeited").sum() > 0, "forfeited deposits (paid=True, not an order)"
    assert (presale.orders.loc[status == "forfeited", "paid"]).all()
    assert (status == "cancelled").sum() > 0, "oversold orders cancelled after payment"
    assert (status == "unpaid").sum() > 0


# --------------------------------------------------------------------------- KPI = hand computation
@pytest.mark.parametrize("key", HAND_KEYS)
@pytest.mark.parametrize("which", ["stressed", "presale"])
def test_kpi_equals_hand_computation(runs, which, key):
    r = runs[which]
    got = kpi.KPIS[key](r)
    want = Hand(r).kpi(key)
    assert nan_equal(got, want), f"{key} on {which}: kpi {got!r} != hand {want!r}"
    assert not math.isnan(want), f"{key} on {which} should be defined on this run"


def test_unshipped_orders_past_deadline_count_as_late(stressed):
    h = Hand(stressed)
    due = h.due_rows()
    shipped_due = [o for o in due if not math.isnan(o["shipped_h"])]
    on_time = sum(1 for o in shipped_due if o["shipped_h"] <= o["deadline_h"])
    rate = kpi.on_time_shipment_rate(stressed)
    assert rate == pytest.approx(on_time / len(due), rel=REL)
    # the alternative that forgets the unshipped ones would be clearly higher here
    assert rate < on_time / len(shipped_due) - 0.05


def test_forfeited_deposits_are_not_orders_but_cancelled_ones_are(presale):
    o = presale.orders
    status = o["status"].astype(str)
    n_paid_flag = int(o["paid"].sum())
    n_forfeit = int((status == "forfeited").sum())
    assert kpi.orders(presale) == n_paid_flag - n_forfeit
    # paid orders cancelled for overselling count as orders but not as units sold
    # (deposit-only pre-sale orders can be cancelled too; they were never paid orders)
    cancelled = o["paid"] & (status == "cancelled")
    assert kpi.orders(presale) == float((o["paid"] & (status != "forfeited")).sum())
    assert cancelled.sum() > 0
    cancelled_units = float(o.loc[cancelled, "units"].sum())
    sold = Hand(presale).units_sold()
    paid_units = float(o.loc[o["paid"] & (status != "forfeited"), "units"].sum())
    assert sold == paid_units - cancelled_units


# --------------------------------------------------------------------------- summary
DESIGN_KPIS = {
    "visitors": "visitors",
    "page views": "page_views",
    "bounce rate": "bounce_rate",
    "conversion rate": "conversion_rate",
    "average order value": "average_order_value",
    "orders": "orders",
    "new-customer share": "new_customer_share",
    "retention rate": "retention_rate",
    "repurchase rate": "repurchase_rate",
    "click-through rate": "click_through_rate",
    "favourite rate": "favourite_rate",
    "add-to-cart rate": "add_to_cart_rate",
    "on-time shipment rate": "on_time_shipment_rate",
    "inventory turnover": "inventory_turnover",
    "sell-through": "sell_through",
    "stock-out rate": "stockout_rate",
    "fill rate": "fill_rate",
    "first response time": "first_response_time",
    "inquiry conversion": "inquiry_conversion",
    "rating": "rating",
    "ROAS": "roas",
    "gross margin": "gross_margin",
    "net margin": "net_margin",
}


def test_summary_has_every_design_kpi_as_plain_float(stressed):
    s = kpi.summary(stressed)
    missing = [name for name, key in DESIGN_KPIS.items() if key not in s]
    assert not missing, f"summary() lacks {missing}"
    for key, value in s.items():
        assert type(value) is float, f"{key}: {type(value).__name__}"
        assert key in kpi.KPI_LABELS and all(kpi.KPI_LABELS[key][:2])
    assert list(s) == list(kpi.KPI_LABELS)
    assert stressed.summary() == s


def test_summary_values_are_the_kpi_functions(stressed):
    s = kpi.summary(stressed)
    for key, fn in kpi.KPIS.items():
        assert nan_equal(s[key], fn(stressed)), key


def test_kpis_never_rerun_the_model_nor_change_the_tables(stressed, monkeypatch):
    before = kpi.summary(stressed)
    copies = {name: getattr(stressed, name).copy() for name in sim.results.TABLES}

    def boom(*args, **kwargs):
        raise AssertionError("a KPI re-ran the model")

    monkeypatch.setattr(sim.model.engine.Simulation, "__init__", boom)
    monkeypatch.setattr(sim.model.engine.Simulation, "run_until", boom)
    monkeypatch.setattr(sim.results, "run", boom)
    monkeypatch.setattr(sim, "run", boom)
    after = kpi.summary(stressed)
    assert after.keys() == before.keys()
    assert all(nan_equal(after[k], before[k]) for k in before)
    days = kpi.by_day(stressed)
    assert len(days) == STRESSED_DAYS
    assert stressed.summary().keys() == before.keys()
    for name, df in copies.items():
        pd.testing.assert_frame_equal(getattr(stressed, name), df, obj=name)


# --------------------------------------------------------------------------- empty runs
RATES_WITHOUT_TRAFFIC = [
    "bounce_rate",
    "conversion_rate",
    "average_order_value",
    "new_customer_share",
    "repurchase_rate",
    "retention_rate",
    "click_through_rate",
    "favourite_rate",
    "add_to_cart_rate",
    "on_time_shipment_rate",
    "fill_rate",
    "first_response_time",
    "inquiry_conversion",
    "roas",
    "gross_margin",
    "net_margin",
]


@pytest.mark.parametrize("days", [1, 3])
def test_run_without_shoppers_gives_nan_rates_without_warnings(days):
    sc = base_scenario(
        "ordinary-month",
        days=days,
        market__visits_per_day=1e-6,
        market__shoppers__revisit_rate_per_day=0.0,
    )
    r = run(sc, seed=0)
    # nothing to divide by: no impressions, visits, orders, tickets or ad spend
    assert r.funnel_hourly[["impressions", "visits"]].to_numpy().sum() == 0
    assert len(r.orders) == 0 and len(r.tickets) == 0 and r.pnl["ads"].sum() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = kpi.summary(r)
        days_df = kpi.by_day(r)
    for key in RATES_WITHOUT_TRAFFIC:
        assert math.isnan(s[key]), f"{key} = {s[key]!r}"
    assert s["visitors"] == 0.0 and s["orders"] == 0.0 and s["revenue"] == 0.0
    assert s["sell_through"] == 0.0  # stock on hand, nothing sold: 0, not NaN
    assert len(days_df) == days
    for col in ("bounce_rate", "conversion_rate", "average_order_value", "fill_rate", "roas"):
        assert days_df[col].isna().all(), col


def test_filter_to_an_absent_store_gives_nan_without_warnings(stressed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = kpi.summary(stressed, store="no such store")
        days_df = kpi.by_day(stressed, store="no such store")
    counts = {"visitors", "page_views", "orders", "net_profit", "revenue"}
    for key, value in s.items():
        if key in counts:
            assert value == 0.0, key
        else:
            assert math.isnan(value), f"{key} = {value!r}"
    assert len(days_df) == STRESSED_DAYS
    assert days_df["conversion_rate"].isna().all()


def test_unstarted_simulation_gives_nan_without_warnings():
    r = Simulation(base_scenario("ordinary-month", days=3), 0).results()
    assert r.days_run == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = kpi.summary(r)
        days_df = kpi.by_day(r)
    assert math.isnan(s["conversion_rate"]) and math.isnan(s["on_time_shipment_rate"])
    assert s["orders"] == 0.0 and len(days_df) == 0


# --------------------------------------------------------------------------- shared market
@pytest.mark.parametrize("key", HAND_KEYS)
@pytest.mark.parametrize("name", ["A", "B"])
def test_store_filter_equals_hand_computation(shared, name, key):
    got = kpi.KPIS[key](shared, name)
    want = Hand(shared, name).kpi(key)
    assert nan_equal(got, want), f"{key} of {name}: kpi {got!r} != hand {want!r}"


@pytest.mark.parametrize("key", HAND_KEYS)
@pytest.mark.parametrize("name", ["A", "B"])
def test_store_filter_equals_kpi_of_store_results(shared, name, key):
    filtered = kpi.KPIS[key](shared, name)
    alone = kpi.KPIS[key](shared.store(name))
    assert nan_equal(filtered, alone), (
        f"{key}: kpi(r, store={name!r}) = {filtered!r} but kpi(r.store({name!r})) = {alone!r}"
    )


@pytest.mark.parametrize("key", HAND_KEYS)
def test_all_stores_pool_the_totals(shared, key):
    got = kpi.KPIS[key](shared)
    want = Hand(shared).kpi(key)
    assert nan_equal(got, want), f"{key}: kpi {got!r} != pooled hand {want!r}"


def test_shared_market_stores_differ(shared):
    a, b = kpi.summary(shared, "A"), kpi.summary(shared, "B")
    assert a["visitors"] > 0 and b["visitors"] > 0
    # B holds twice the stock: a clearly lower sell-through
    assert b["sell_through"] < 0.75 * a["sell_through"]


# --------------------------------------------------------------------------- by_day
def per_day(h: Hand, fn) -> list[float]:
    """Apply a Hand KPI to each day by restricting the tables to that day."""
    out = []
    for d in range(1, h.r.days_run + 1):
        day = Hand.__new__(Hand)
        day.__dict__.update(h.__dict__)
        day.orders = h.orders[h.orders["day"] == d]
        day.funnel = h.funnel[h.funnel["day"] == d]
        day.tickets = h.tickets[h.tickets["day"] == d]
        day.sku_daily = h.sku_daily[h.sku_daily["day"] == d]
        day.pnl = h.pnl[h.pnl["day"] == d]
        out.append(fn(day))
    return out


def on_time_by_deadline_day(h: Hand) -> list[float]:
    due = h.due_rows()
    out = []
    for d in range(1, h.r.days_run + 1):
        rows = [o for o in due if int(o["deadline_h"] // 24) + 1 == d]
        ok = [
            o for o in rows if not math.isnan(o["shipped_h"]) and o["shipped_h"] <= o["deadline_h"]
        ]
        out.append(div(len(ok), len(rows)))
    return out


BY_DAY = {
    "visitors": Hand.visitors,
    "bounce_rate": Hand.bounce_rate,
    "click_through_rate": Hand.click_through_rate,
    "orders": Hand.orders_,
    "conversion_rate": Hand.conversion_rate,
    "average_order_value": Hand.average_order_value,
    "stockout_rate": Hand.stockout_rate,
    "fill_rate": Hand.fill_rate,
    "first_response_time": Hand.first_response_time,
    "inquiry_conversion": Hand.inquiry_conversion,
    "revenue": Hand.revenue,
    "roas": Hand.roas,
    "gross_margin": Hand.gross_margin,
    "net_profit": Hand.net_profit,
}


@pytest.mark.parametrize("col", [*BY_DAY, "on_time_shipment_rate"])
def test_by_day_equals_hand_computation_per_day(stressed, col):
    h = Hand(stressed)
    want = on_time_by_deadline_day(h) if col == "on_time_shipment_rate" else per_day(h, BY_DAY[col])
    got = kpi.by_day(stressed)
    assert got["day"].tolist() == list(range(1, STRESSED_DAYS + 1))
    bad = [
        (d, g, w)
        for d, g, w in zip(got["day"], got[col].astype(float), want, strict=True)
        if not nan_equal(float(g), float(w))
    ]
    assert not bad, f"{col}: (day, by_day, hand) {bad}"
