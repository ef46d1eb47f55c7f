"""The store's KPIs: pure functions of a run's tables.

Every function takes a :class:`~sim.results.Results` and reads its tables (see
:data:`sim.results.TABLES`); none re-runs the model. ``store=None`` covers every store of
a shared market (counts and money are added up; a rate is pooled, i.e. the ratio of the
totals); ``store="name"`` keeps one store.

A rate whose denominator is zero (no visits, no orders, no ad spend ...) is ``NaN``; no
function raises or warns on an empty run.

Definitions follow the KPI system taught in module 8 (the platform's own data tools,
e.g. Taobao 生意参谋, use the same ratios). Where a figure has more than one common
definition, the docstring says which one is used here. "Paid orders" are orders whose
payment completed, excluding forfeited pre-sale deposits (a deposit is revenue but not an
order the shopper completed); orders cancelled after payment (overselling) count as paid
orders and their refunds appear in ``refunds``.

Units: counts are plain numbers, rates are shares between 0 and 1, money is yuan, times
are minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import i18n

if TYPE_CHECKING:
    from sim.results import Results

NAN = float("nan")

# key -> (Chinese, English, unit); unit is one of UNITS
KPI_LABELS: dict[str, tuple[str, str, str]] = {
    "visitors": ("访客数", "Visitors", "count"),
    "page_views": ("浏览量", "Page views", "count"),
    "bounce_rate": ("跳失率", "Bounce rate", "share"),
    "conversion_rate": ("支付转化率", "Conversion rate", "share"),
    "average_order_value": ("客单价", "Average order value", "cny"),
    "orders": ("支付订单数", "Paid orders", "count"),
    "new_customer_share": ("新客占比", "New-customer share", "share"),
    "repurchase_rate": ("复购率", "Repurchase rate", "share"),
    "retention_rate": ("留存率", "Retention rate", "share"),
    "click_through_rate": ("点击率", "Click-through rate", "share"),
    "favourite_rate": ("收藏率", "Favourite rate", "share"),
    "add_to_cart_rate": ("加购率", "Add-to-cart rate", "share"),
    "on_time_shipment_rate": ("发货及时率", "On-time shipment rate", "share"),
    "inventory_turnover": ("库存周转次数", "Inventory turnover", "times"),
    "sell_through": ("售罄率", "Sell-through", "share"),
    "stockout_rate": ("缺货率", "Stock-out rate", "share"),
    "fill_rate": ("订单满足率", "Fill rate", "share"),
    "first_response_time": ("首次响应时间", "First response time", "min"),
    "inquiry_conversion": ("询单转化率", "Inquiry conversion", "share"),
    "rating": ("店铺评分", "Store rating", "stars"),
    "roas": ("投入产出比", "ROAS", "ratio"),
    "gross_margin": ("毛利率", "Gross margin", "share"),
    "net_margin": ("净利率", "Net margin", "share"),
    "net_profit": ("净利润", "Net profit", "cny"),
    "revenue": ("销售额", "Revenue", "cny"),
    "cash_end": ("期末现金", "Cash at the end", "cny"),
}
"""Label of every KPI, ``key -> (Chinese, English, unit)``; in :mod:`sim.i18n` as ``kpi.<key>``."""

UNITS: dict[str, tuple[str, str]] = {
    "count": ("", ""),
    "share": ("%", "%"),
    "cny": ("元", "yuan"),
    "times": ("次", "times"),
    "min": ("分钟", "min"),
    "stars": ("分", "stars"),
    "ratio": ("倍", "x"),
}
"""Unit words, ``unit -> (Chinese, English)``; in :mod:`sim.i18n` as ``kpi.unit.<unit>``."""

_EXTRA_LABELS = {
    "kpi.day": ("天", "Day"),
    "kpi.date": ("日期", "Date"),
    "kpi.ad_spend": ("广告花费", "Ad spend"),
    "kpi.cash": ("现金", "Cash"),
}


def _register() -> None:
    entries = {f"kpi.{k}": (zh, en) for k, (zh, en, _) in KPI_LABELS.items()}
    entries.update({f"kpi.unit.{k}": v for k, v in UNITS.items()})
    entries.update(_EXTRA_LABELS)
    # skip keys this module registered before (e.g. on importlib.reload); clashes still raise
    i18n.register({k: v for k, v in entries.items() if i18n.TEXT.get(k) != v})


_register()


# --------------------------------------------------------------------------- helpers
def _table(r: Results, name: str, store: str | None) -> pd.DataFrame:
    df = getattr(r, name)
    if store is None or "store" not in df.columns:
        return df
    return df[df["store"] == store]


def _sum(df: pd.DataFrame, col: str) -> float:
    if col not in df.columns or len(df) == 0:
        return 0.0
    return float(df[col].to_numpy(dtype=float).sum())


def _ratio(num: float, den: float) -> float:
    if den == 0 or not math.isfinite(den) or not math.isfinite(num):
        return NAN
    return float(num / den)


def _paid(o: pd.DataFrame) -> pd.DataFrame:
    """Paid orders (forfeited deposits excluded)."""
    if len(o) == 0:
        return o
    mask = o["paid"].to_numpy(dtype=bool) & (o["status"].astype(str) != "forfeited").to_numpy()
    return o[mask]


def _sold(o: pd.DataFrame) -> pd.DataFrame:
    """Paid orders whose goods left the stock (cancelled oversold orders excluded)."""
    p = _paid(o)
    if len(p) == 0:
        return p
    return p[(p["status"].astype(str) != "cancelled").to_numpy()]


def _stores(r: Results, store: str | None) -> list:
    """Store records of the stores in ``r``'s tables (``r.store(name)`` keeps only one)."""
    present = set(r.pnl["store"]) if "store" in r.pnl.columns else set()
    stores = [s for s in r.scenario.stores if s.name in present]
    return stores if store is None else [s for s in stores if s.name == store]


def _on_sale(r: Results, sk: pd.DataFrame, store: str | None) -> np.ndarray:
    """Mask of ``sku_daily`` rows whose SKU is on sale (a store's ``active_skus``; all if empty)."""
    active = np.ones(len(sk), dtype=bool)
    for s in _stores(r, store):
        if s.decisions.active_skus:
            mine = (sk["store"] == s.name).to_numpy()
            active &= ~mine | sk["sku"].isin(s.decisions.active_skus).to_numpy()
    return active


def _end_h(r: Results) -> float:
    return 24.0 * r.days_run


# --------------------------------------------------------------------------- traffic
def visitors(r: Results, store: str | None = None) -> float:
    """Visitors: number of visits (sessions) to the store.

    ``visitors = sum(funnel_hourly.visits)``. The model does not follow a shopper across
    sessions, so a shopper who comes back counts again (the platform's UV de-duplicates
    by day; with few repeat visits per day the two are close). Unit: visits.
    """
    return _sum(_table(r, "funnel_hourly", store), "visits")


def page_views(r: Results, store: str | None = None) -> float:
    """Page views (PV): ``sum(funnel_hourly.page_views)``. Unit: pages."""
    return _sum(_table(r, "funnel_hourly", store), "page_views")


def bounce_rate(r: Results, store: str | None = None) -> float:
    """Bounce rate: share of visits that leave after one page.

    ``bounce_rate = sum(bounces) / sum(visits)`` from ``funnel_hourly``. Unit: share 0-1.
    """
    f = _table(r, "funnel_hourly", store)
    return _ratio(_sum(f, "bounces"), _sum(f, "visits"))


def click_through_rate(r: Results, store: str | None = None) -> float:
    """Click-through rate of the listings in search and feeds.

    ``ctr = sum(visits) / sum(impressions)`` from ``funnel_hourly``. Unit: share 0-1.
    """
    f = _table(r, "funnel_hourly", store)
    return _ratio(_sum(f, "visits"), _sum(f, "impressions"))


def favourite_rate(r: Results, store: str | None = None) -> float:
    """Favourite rate: ``sum(favourites) / sum(visits)`` from ``funnel_hourly``. Unit: share."""
    f = _table(r, "funnel_hourly", store)
    return _ratio(_sum(f, "favourites"), _sum(f, "visits"))


def add_to_cart_rate(r: Results, store: str | None = None) -> float:
    """Add-to-cart rate: ``sum(carts) / sum(visits)`` from ``funnel_hourly``. Unit: share."""
    f = _table(r, "funnel_hourly", store)
    return _ratio(_sum(f, "carts"), _sum(f, "visits"))


# --------------------------------------------------------------------------- orders
def orders(r: Results, store: str | None = None) -> float:
    """Paid orders: orders whose payment completed (forfeited deposits excluded). Unit: orders."""
    return float(len(_paid(_table(r, "orders", store))))


def conversion_rate(r: Results, store: str | None = None) -> float:
    """Conversion rate (支付转化率): paid orders per visit.

    ``conversion_rate = orders(r) / visitors(r)``; orders placed after a pre-sale inquiry
    count too, since the inquiring shopper's visit is among the visits. Unit: share 0-1.
    """
    return _ratio(orders(r, store), visitors(r, store))


def average_order_value(r: Results, store: str | None = None) -> float:
    """Average order value (客单价): paid revenue per paid order.

    ``aov = sum(orders.paid_cny over paid orders) / orders(r)``; a pre-sale order counts
    with its full price once the balance is paid. Unit: yuan.
    """
    p = _paid(_table(r, "orders", store))
    return _ratio(_sum(p, "paid_cny"), float(len(p)))


def new_customer_share(r: Results, store: str | None = None) -> float:
    """New-customer share (新客占比): share of paying shoppers who are new to the store.

    ``new_customer_share = |paying shoppers with an order flagged is_new_customer| /
    |paying shoppers|``, shoppers counted once each (``customer_id``). Unit: share 0-1.
    """
    o = _table(r, "orders", store)
    p = _paid(o)
    if len(p) == 0:
        return NAN
    keys = ["store", "customer_id"]
    buyers = p[keys].drop_duplicates()
    new = o.loc[o["is_new_customer"].to_numpy(dtype=bool), keys].drop_duplicates()
    n_new = len(buyers.merge(new, on=keys, how="inner"))
    return _ratio(float(n_new), float(len(buyers)))


def repurchase_rate(r: Results, store: str | None = None) -> float:
    """Repurchase rate (复购率): share of paying shoppers with two or more paid orders in the run.

    ``repurchase_rate = |shoppers with >= 2 paid orders| / |shoppers with >= 1 paid order|``.
    Unit: share 0-1.
    """
    p = _paid(_table(r, "orders", store))
    if len(p) == 0:
        return NAN
    counts = p.groupby(["store", "customer_id"], sort=False).size()
    return _ratio(float((counts >= 2).sum()), float(len(counts)))


def retention_rate(r: Results, store: str | None = None) -> float:
    """Retention rate (留存率): share of first-half buyers who buy again in the second half.

    The run is cut in two at day ``h = days_run // 2`` (days ``1..h`` and ``h+1..days_run``,
    by the day the order was placed). ``retention_rate = |shoppers with a paid order in
    both halves| / |shoppers with a paid order in the first half|``. It is a cohort
    measure over one short window, so it is lower than retention over a year. NaN for a
    run shorter than 2 days or without first-half buyers. Unit: share 0-1.
    """
    half = r.days_run // 2
    p = _paid(_table(r, "orders", store))
    if half < 1 or len(p) == 0:
        return NAN
    day = p["day"].to_numpy()
    keys = ["store", "customer_id"]
    first = p.loc[day <= half, keys].drop_duplicates()
    second = p.loc[day > half, keys].drop_duplicates()
    both = first.merge(second, on=keys, how="inner")
    return _ratio(float(len(both)), float(len(first)))


# --------------------------------------------------------------------------- fulfilment
def on_time_shipment_rate(r: Results, store: str | None = None) -> float:
    """On-time shipment rate (发货及时率) against the platform's shipping deadline.

    Counted over paid orders whose deadline fell within the run (``deadline_h <= 24 *
    days_run``; orders cancelled for overselling excluded):
    ``on_time = |shipped_h <= deadline_h| / |orders due|``. An order past its deadline
    and still unshipped counts as late. Unit: share 0-1.
    """
    o = _paid(_table(r, "orders", store))
    if len(o) == 0:
        return NAN
    deadline = o["deadline_h"].to_numpy(dtype=float)
    due = (
        ~np.isnan(deadline)
        & (deadline <= _end_h(r))
        & (o["status"].astype(str) != "cancelled").to_numpy()
    )
    if not due.any():
        return NAN
    shipped = o["shipped_h"].to_numpy(dtype=float)[due]
    on_time = ~np.isnan(shipped) & (shipped <= deadline[due])
    return _ratio(float(on_time.sum()), float(due.sum()))


# --------------------------------------------------------------------------- inventory
def _units_sold(r: Results, store: str | None) -> float:
    return _sum(_sold(_table(r, "orders", store)), "units")


def _cost_map(r: Results, store: str | None) -> dict[tuple[str, str], float]:
    return {(s.name, k.sku): k.cost_cny for s in _stores(r, store) for k in s.catalogue.skus}


def _opening(r: Results, store: str | None) -> tuple[float, float]:
    """Units and value at cost on hand at the start."""
    units = value = 0.0
    for s in _stores(r, store):
        for k in s.catalogue.skus:
            units += k.initial_stock
            value += k.initial_stock * k.cost_cny
    return units, value


def inventory_turnover(r: Results, store: str | None = None) -> float:
    """Inventory turnover (库存周转次数) over the run: cost of goods sold / average stock at cost.

    ``turnover = sum(pnl.cogs) / mean(V_0, V_1, ..., V_D)`` where ``V_0`` is the opening
    stock and ``V_d`` the stock on hand at the end of day ``d`` (``sku_daily.on_hand``,
    oversold negatives taken as 0), each valued at the SKU's unit cost. It is the turnover
    of the run's own length and is **not annualised**: multiply by ``365 / days_run`` for
    a yearly figure (a 30-day run with turnover 0.5 turns about 6 times a year); days of
    stock are ``days_run / turnover``. Unit: times.
    """
    sk = _table(r, "sku_daily", store)
    cogs = _sum(_table(r, "pnl", store), "cogs")
    _, v0 = _opening(r, store)
    if r.days_run == 0 or "on_hand" not in sk.columns:
        return NAN
    cost = _cost_map(r, store)
    unit_cost = np.array(
        [cost.get(key, 0.0) for key in zip(sk["store"], sk["sku"], strict=True)], dtype=float
    )
    value = np.maximum(sk["on_hand"].to_numpy(dtype=float), 0.0) * unit_cost
    per_day = pd.Series(value).groupby(sk["day"].to_numpy()).sum()
    avg = (v0 + float(per_day.sum())) / (len(per_day) + 1)
    return _ratio(cogs, avg)


def sell_through(r: Results, store: str | None = None) -> float:
    """Sell-through (售罄率): units sold / units available over the run.

    ``sell_through = units sold / (opening stock + units received)``, units sold being
    the units of paid orders that left the stock (cancelled oversold orders excluded),
    units received the ``receipt`` movements of ``stock_ledger``. Returned units put back
    on the shelf are not added to either side. Unit: share 0-1.
    """
    led = _table(r, "stock_ledger", store)
    received = _sum(led[led["event"] == "receipt"], "qty") if len(led) else 0.0
    units0, _ = _opening(r, store)
    return _ratio(_units_sold(r, store), units0 + received)


def stockout_rate(r: Results, store: str | None = None) -> float:
    """Stock-out rate (缺货率): share of SKU-days that end with nothing on hand.

    ``stockout_rate = |(SKU, day) with sku_daily.on_hand <= 0| / |(SKU, day)|`` over the
    SKUs on sale (the scenario's ``active_skus``; all SKUs when empty). It counts how
    often shelves are empty; the share of demand lost is ``1 - fill_rate``. Unit: share.
    """
    sk = _table(r, "sku_daily", store)
    if len(sk) == 0 or "on_hand" not in sk.columns:
        return NAN
    active = _on_sale(r, sk, store)
    out = sk["on_hand"].to_numpy(dtype=float)[active] <= 0
    return _ratio(float(out.sum()), float(active.sum()))


def fill_rate(r: Results, store: str | None = None) -> float:
    """Fill rate (订单满足率): units sold / units demanded.

    ``fill_rate = units sold / (units sold + sum(sku_daily.lost_units))``, units sold as in
    :func:`sell_through` and lost units those asked for when no stock was shown.
    Unit: share 0-1.
    """
    sold = _units_sold(r, store)
    return _ratio(sold, sold + _sum(_table(r, "sku_daily", store), "lost_units"))


# --------------------------------------------------------------------------- service
def first_response_time(r: Results, store: str | None = None) -> float:
    """First response time (首次响应时间): mean wait of answered inquiries.

    ``frt = mean(tickets.wait_min over answered tickets)``, pre- and after-sale; shoppers
    who gave up before an answer are not in the mean. Unit: minutes.
    """
    tk = _table(r, "tickets", store)
    if len(tk) == 0:
        return NAN
    ans = tk[tk["answered"].to_numpy(dtype=bool)]
    return _ratio(_sum(ans, "wait_min"), float(len(ans)))


def inquiry_conversion(r: Results, store: str | None = None) -> float:
    """Inquiry conversion (询单转化率): share of pre-sale inquiries that led to an order.

    ``inquiry_conversion = |presale tickets converted| / |presale tickets|`` (abandoned
    inquiries included in the denominator). Unit: share 0-1.
    """
    tk = _table(r, "tickets", store)
    if len(tk) == 0:
        return NAN
    pre = tk[(tk["kind"] == "presale").to_numpy()]
    return _ratio(float(pre["converted"].to_numpy(dtype=bool).sum()), float(len(pre)))


def rating(r: Results, store: str | None = None) -> float:
    """Store rating (店铺评分 / DSR) at the end of the last day.

    With several stores, the mean of their ratings. Unit: stars 1-5.
    """
    d = _table(r, "daily", store)
    if len(d) == 0 or "rating" not in d.columns:
        return NAN
    last = d[d["day"] == d["day"].max()]
    return float(last["rating"].to_numpy(dtype=float).mean())


# --------------------------------------------------------------------------- finance
def revenue(r: Results, store: str | None = None) -> float:
    """Revenue (销售额): what shoppers paid, ``sum(pnl.revenue)``, before refunds. Unit: yuan."""
    return _sum(_table(r, "pnl", store), "revenue")


def net_profit(r: Results, store: str | None = None) -> float:
    """Net profit: ``sum(pnl.net_profit)`` = revenue - refunds - all costs. Unit: yuan."""
    return _sum(_table(r, "pnl", store), "net_profit")


def _net_revenue(pnl: pd.DataFrame) -> float:
    return _sum(pnl, "revenue") - _sum(pnl, "refunds")


def gross_margin(r: Results, store: str | None = None) -> float:
    """Gross margin (毛利率): ``(revenue - refunds - cogs) / (revenue - refunds)`` from ``pnl``.

    Unit: share 0-1.
    """
    pnl = _table(r, "pnl", store)
    net = _net_revenue(pnl)
    return _ratio(net - _sum(pnl, "cogs"), net)


def net_margin(r: Results, store: str | None = None) -> float:
    """Net margin (净利率): ``net_profit / (revenue - refunds)`` from ``pnl``. Unit: share."""
    pnl = _table(r, "pnl", store)
    return _ratio(_sum(pnl, "net_profit"), _net_revenue(pnl))


def roas(r: Results, store: str | None = None) -> float:
    """Return on ad spend (ROAS, 投入产出比): ad-channel revenue per yuan of ads.

    ``roas = sum(paid_cny of paid orders from channel "ads") / sum(pnl.ads)``; NaN when
    nothing was spent. Orders are attributed to the channel of the visit that placed them
    (last click). Unit: yuan per yuan.
    """
    o = _paid(_table(r, "orders", store))
    spend = _sum(_table(r, "pnl", store), "ads")
    if spend == 0:
        return NAN
    ads_rev = _sum(o[(o["channel"].astype(str) == "ads").to_numpy()], "paid_cny") if len(o) else 0.0
    return _ratio(ads_rev, spend)


def cash_end(r: Results, store: str | None = None) -> float:
    """Cash at the end of the last day, added up over stores. Unit: yuan."""
    pnl = _table(r, "pnl", store)
    if len(pnl) == 0 or "cash" not in pnl.columns:
        return NAN
    return _sum(pnl[pnl["day"] == pnl["day"].max()], "cash")


# --------------------------------------------------------------------------- summary
KPIS: dict[str, Callable[..., float]] = {
    "visitors": visitors,
    "page_views": page_views,
    "bounce_rate": bounce_rate,
    "conversion_rate": conversion_rate,
    "average_order_value": average_order_value,
    "orders": orders,
    "new_customer_share": new_customer_share,
    "repurchase_rate": repurchase_rate,
    "retention_rate": retention_rate,
    "click_through_rate": click_through_rate,
    "favourite_rate": favourite_rate,
    "add_to_cart_rate": add_to_cart_rate,
    "on_time_shipment_rate": on_time_shipment_rate,
    "inventory_turnover": inventory_turnover,
    "sell_through": sell_through,
    "stockout_rate": stockout_rate,
    "fill_rate": fill_rate,
    "first_response_time": first_response_time,
    "inquiry_conversion": inquiry_conversion,
    "rating": rating,
    "roas": roas,
    "gross_margin": gross_margin,
    "net_margin": net_margin,
    "net_profit": net_profit,
    "revenue": revenue,
    "cash_end": cash_end,
}
"""Every KPI function by key, in the order of :data:`KPI_LABELS` and :func:`summary`."""


def summary(r: Results, store: str | None = None) -> dict[str, float]:
    """Return every KPI of a run, ``{key: value}`` in a fixed order, as plain floats.

    Parameters
    ----------
    r : Results
        A finished (or partly run) simulation.
    store : str, optional
        Keep one store of a shared market; default: all stores together.

    Returns
    -------
    dict of str to float
        Keys as in :data:`KPI_LABELS`; ``NaN`` where a rate has nothing to divide by.
    """
    return {key: float(fn(r, store)) for key, fn in KPIS.items()}


def by_day(r: Results, store: str | None = None) -> pd.DataFrame:
    """Return the KPIs that make sense per day, one row per day.

    Columns: ``day``, ``date``, ``visitors``, ``page_views``, ``bounce_rate``,
    ``click_through_rate``, ``favourite_rate``, ``add_to_cart_rate``, ``orders`` (paid,
    by day placed), ``conversion_rate``, ``average_order_value`` (yuan),
    ``on_time_shipment_rate`` (orders due that day, by deadline day), ``stockout_rate``,
    ``fill_rate``, ``first_response_time`` (min), ``inquiry_conversion``, ``rating``
    (stars, mean over stores), ``revenue``, ``ad_spend``, ``roas`` (ad-channel paid
    revenue of orders placed that day / that day's ad spend), ``gross_margin``,
    ``net_profit`` (yuan) and ``cash`` (yuan, day end). Definitions as in the functions of
    the same name, applied to one day; rates with nothing to divide by are ``NaN``.

    Parameters
    ----------
    r : Results
        The run.
    store : str, optional
        Keep one store; default: all stores together.
    """
    days = pd.Index(np.arange(1, r.days_run + 1), name="day")
    out = pd.DataFrame(index=days)
    d = _table(r, "daily", store)
    if "date" in d.columns and len(d):
        out["date"] = d.groupby("day")["date"].first().reindex(days)
    else:
        out["date"] = pd.Series(
            [r.scenario.start + pd.Timedelta(days=int(x) - 1) for x in days],
            index=days,
            dtype=object,
        )

    def per_day(df: pd.DataFrame, col: str, key: str = "day") -> pd.Series:
        if len(df) == 0 or col not in df.columns:
            return pd.Series(0.0, index=days)
        return df[col].astype(float).groupby(df[key].to_numpy()).sum().reindex(days, fill_value=0.0)

    def count_by(df: pd.DataFrame, key: np.ndarray) -> pd.Series:
        if len(df) == 0:
            return pd.Series(0.0, index=days)
        return pd.Series(1.0, index=df.index).groupby(key).sum().reindex(days, fill_value=0.0)

    def div(a: pd.Series, b: pd.Series) -> pd.Series:
        a = a.astype(float)
        b = b.astype(float)
        return a.div(b.where(b != 0))

    f = _table(r, "funnel_hourly", store)
    visits = per_day(f, "visits")
    out["visitors"] = visits
    out["page_views"] = per_day(f, "page_views")
    out["bounce_rate"] = div(per_day(f, "bounces"), visits)
    out["click_through_rate"] = div(visits, per_day(f, "impressions"))
    out["favourite_rate"] = div(per_day(f, "favourites"), visits)
    out["add_to_cart_rate"] = div(per_day(f, "carts"), visits)

    o = _table(r, "orders", store)
    p = _paid(o)
    n_paid = count_by(p, p["day"].to_numpy() if len(p) else np.array([]))
    out["orders"] = n_paid
    out["conversion_rate"] = div(n_paid, visits)
    out["average_order_value"] = div(per_day(p, "paid_cny"), n_paid)

    if len(p):
        deadline = p["deadline_h"].to_numpy(dtype=float)
        due = (
            ~np.isnan(deadline)
            & (deadline <= _end_h(r))
            & (p["status"].astype(str) != "cancelled").to_numpy()
        )
        pd_due = p[due]
        dday = (deadline[due] // 24).astype(int) + 1
        shipped = pd_due["shipped_h"].to_numpy(dtype=float)
        ok = pd.Series(
            (~np.isnan(shipped) & (shipped <= deadline[due])).astype(float), index=pd_due.index
        )
        n_due = count_by(pd_due, dday)
        n_ok = ok.groupby(dday).sum().reindex(days, fill_value=0.0) if len(pd_due) else n_due * 0
        out["on_time_shipment_rate"] = div(n_ok, n_due)
    else:
        out["on_time_shipment_rate"] = NAN

    sk = _table(r, "sku_daily", store)
    if len(sk) and "on_hand" in sk.columns:
        on_sale = _on_sale(r, sk, store).astype(float)
        empty = sk.assign(_out=(sk["on_hand"].to_numpy() <= 0) * on_sale, _one=on_sale)
        out["stockout_rate"] = div(per_day(empty, "_out"), per_day(empty, "_one"))
    else:
        out["stockout_rate"] = NAN
    s = _sold(o)
    sold = per_day(s, "units")
    out["fill_rate"] = div(sold, sold + per_day(sk, "lost_units"))

    tk = _table(r, "tickets", store)
    if len(tk):
        ans = tk[tk["answered"].to_numpy(dtype=bool)]
        out["first_response_time"] = div(
            per_day(ans, "wait_min"), count_by(ans, ans["day"].to_numpy())
        )
        pre = tk[(tk["kind"] == "presale").to_numpy()]
        conv = pre.assign(_c=pre["converted"].to_numpy(dtype=float))
        out["inquiry_conversion"] = div(per_day(conv, "_c"), count_by(pre, pre["day"].to_numpy()))
    else:
        out["first_response_time"] = NAN
        out["inquiry_conversion"] = NAN

    if len(d) and "rating" in d.columns:
        out["rating"] = d["rating"].astype(float).groupby(d["day"].to_numpy()).mean().reindex(days)
    else:
        out["rating"] = NAN

    pnl = _table(r, "pnl", store)
    out["revenue"] = per_day(pnl, "revenue")
    out["ad_spend"] = per_day(pnl, "ads")
    ads_p = p[(p["channel"].astype(str) == "ads").to_numpy()] if len(p) else p
    out["roas"] = div(per_day(ads_p, "paid_cny"), out["ad_spend"])
    net = per_day(pnl, "revenue") - per_day(pnl, "refunds")
    out["gross_margin"] = div(net - per_day(pnl, "cogs"), net)
    out["net_profit"] = per_day(pnl, "net_profit")
    if len(pnl) and "cash" in pnl.columns:
        out["cash"] = per_day(pnl, "cash")
    else:
        out["cash"] = NAN
    return out.reset_index()
