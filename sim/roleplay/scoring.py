"""Round KPIs, the balanced scorecard, and what each role's dashboard shows.

**Round KPIs** (:func:`round_kpis`) are read from the run's tables for one team and the
days of one round: counts and money over the round's days, stock, backlog, rating and
cash at the round's last day, rates as ratios of the round's totals (``None`` when there
is nothing to divide by). Orders count by the day they were placed, paid orders only
(forfeited deposits excluded), as in :mod:`sim.kpi`.

**Scorecard** (:func:`scorecard`), over the session so far (days 1..D), each part 0-100:

* ``profit`` - daily net profit ``p = sum(net_profit) / D``; ``100 (p + R) / (2R)``,
  clipped, ``R`` = ``profit_ref_cny_per_day`` (0 profit scores 50, ``R`` a day scores 100);
* ``on_time`` - on-time shipment rate ``r`` (:func:`sim.kpi.on_time_shipment_rate`);
  ``100 (r - f) / (1 - f)``, ``f`` = ``on_time_floor`` (nothing due yet: 100);
* ``rating`` - the store rating ``s`` at day D; ``100 (s - f) / (5 - f)``, ``f`` = ``rating_floor``;
* ``service`` - share of all inquiries (pre- and after-sale) answered within the platform's
  standard ``service_target_min``; shoppers who gave up count as misses (none: 100);
* ``stock`` - ``100 x fill rate x min(1, C / cover)``: the fill rate (:func:`sim.kpi.fill_rate`)
  times an overstock factor, ``cover`` = stock on hand at day D at cost / average daily
  cost of goods sold, ``C`` = ``cover_max_days``;
* ``rules`` - violations ``v`` = (orders cancelled for overselling + orders that drew a
  late-shipment penalty) / paid orders; ``100 (1 - v / t)``, clipped, ``t`` =
  ``violation_tolerance``.

The score is the weighted mean ``sum(w_i part_i) / sum(w_i)`` with the role-play file's
weights. **Decision quality** is a team's score minus the score it would have had with its
decisions replaced by the reference policy, on the same seed and events, the other teams
as played (computed by :mod:`sim.roleplay.session`); a team that plays exactly the
reference policy gets 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim import i18n, kpi
from sim.results import Results
from sim.roleplay.config import SCORE_PARTS, RoleplayConfig

DASHBOARDS: dict[str, tuple[str, ...]] = {
    "manager": (
        "revenue",
        "cogs",
        "ad_spend",
        "staff",
        "other_costs",
        "net_profit",
        "profit_to_date",
        "profit_target",
        "revenue_to_date",
        "gmv_target",
        "cash",
        "score",
    ),
    "operations": (
        "visitors",
        "orders",
        "conversion_rate",
        "revenue",
        "ad_spend",
        "roas",
        "price_index",
    ),
    "design": ("listing_quality", "ctr", "conversion_rate", "design_hours", "design_cost"),
    "service": (
        "inquiries",
        "first_response_min",
        "within_target",
        "service_level",
        "inquiry_conversion",
        "rating",
        "agent_hours",
        "service_cost",
    ),
    "logistics": (
        "on_hand",
        "on_order",
        "stockout_skus",
        "lost_units",
        "fill_rate",
        "shipped",
        "on_time_rate",
        "backlog",
        "packer_hours",
        "logistics_cost",
        "shipping_cost",
        "rush_units",
    ),
}
"""KPIs each role sees on its dashboard, in column order (design adds conversion by SKU)."""

PERCENT = {
    "conversion_rate",
    "ctr",
    "within_target",
    "service_level",
    "inquiry_conversion",
    "fill_rate",
    "on_time_rate",
    "profit_target",
    "gmv_target",
}
"""KPIs stored as shares and shown as percentages."""


def _f(x: float) -> float | None:
    """A float for JSON: NaN and infinities become None."""
    x = float(x)
    return x if math.isfinite(x) else None


def _div(a: float, b: float) -> float | None:
    return _f(a / b) if b else None


def _days(df: pd.DataFrame, team: str, first: int, last: int, col: str = "day") -> pd.DataFrame:
    if len(df) == 0:
        return df
    m = (
        (df["store"] == team).to_numpy()
        & (df[col] >= first).to_numpy()
        & (df[col] <= last).to_numpy()
    )
    return df[m]


def _paid(o: pd.DataFrame) -> pd.DataFrame:
    if len(o) == 0:
        return o
    return o[o["paid"].to_numpy(dtype=bool) & (o["status"].astype(str) != "forfeited").to_numpy()]


def round_kpis(
    res: Results,
    team: str,
    first: int,
    last: int,
    *,
    agent_wage: float,
    packer_wage: float,
    platform_target_min: float,
    own_target_min: float,
    design_hours: int,
    design_cost: float,
    rush_units: int,
) -> dict[str, Any]:
    """The KPIs of one team over days ``first..last`` (see the module docstring)."""
    out: dict[str, Any] = {}
    fh = _days(res.funnel_hourly, team, first, last)
    visits = float(fh["visits"].sum()) if len(fh) else 0.0
    impressions = float(fh["impressions"].sum()) if len(fh) else 0.0
    o_all = res.orders[res.orders["store"] == team] if len(res.orders) else res.orders
    o = _days(res.orders, team, first, last)
    paid = _paid(o)
    out["visitors"] = visits
    out["orders"] = float(len(paid))
    out["conversion_rate"] = _div(len(paid), visits)
    out["ctr"] = _div(visits, impressions)
    pnl = _days(res.pnl, team, first, last)
    pnl_all = _days(res.pnl, team, 1, last)

    def s(df: pd.DataFrame, col: str) -> float:
        return float(df[col].sum()) if len(df) else 0.0

    out["revenue"] = s(pnl, "revenue")
    out["ad_spend"] = s(pnl, "ads")
    ads_rev = (
        s(paid[(paid["channel"].astype(str) == "ads").to_numpy()], "paid_cny") if len(paid) else 0.0
    )
    out["roas"] = _div(ads_rev, out["ad_spend"])
    sk = _days(res.sku_daily, team, first, last)
    w = sk["visits"].to_numpy(dtype=float)
    rival = float((sk["rival_price_cny"].to_numpy(dtype=float) * w).sum())
    own = float((sk["price_cny"].to_numpy(dtype=float) * w).sum())
    out["price_index"] = _f(100 * own / rival) if rival > 0 else None
    end = sk[sk["day"] == last]
    out["listing_quality"] = _f(100 * end["listing_quality"].mean()) if len(end) else None
    by_sku = sk.groupby("sku", sort=False)[["orders", "visits"]].sum()
    out["sku_conversion"] = {
        str(code): _div(float(row["orders"]), float(row["visits"]))
        for code, row in by_sku.iterrows()
    }
    out["design_hours"] = float(design_hours)
    out["design_cost"] = float(design_cost)
    tk = _days(res.tickets, team, first, last)
    n_tk = len(tk)
    out["inquiries"] = float(n_tk)
    answered = tk["answered"].to_numpy(dtype=bool) if n_tk else np.zeros(0, bool)
    wait = tk["wait_min"].to_numpy(dtype=float) if n_tk else np.zeros(0)
    out["first_response_min"] = _f(wait[answered].mean()) if answered.any() else None
    out["within_target"] = _div(float((answered & (wait <= own_target_min)).sum()), n_tk)
    out["service_level"] = _div(float((answered & (wait <= platform_target_min)).sum()), n_tk)
    pre = tk[(tk["kind"] == "presale").to_numpy()] if n_tk else tk
    out["inquiry_conversion"] = _div(float(pre["converted"].sum()), len(pre)) if len(pre) else None
    daily = _days(res.daily, team, first, last)
    last_row = daily[daily["day"] == last]
    out["rating"] = _f(last_row["rating"].iloc[0]) if len(last_row) else None
    out["agent_hours"] = s(daily, "agent_hours")
    out["service_cost"] = round(out["agent_hours"] * agent_wage, 2)
    out["on_hand"] = float(np.maximum(end["on_hand"].to_numpy(dtype=float), 0).sum())
    out["on_order"] = float(end["on_order"].sum()) if len(end) else 0.0
    out["stockout_skus"] = float((end["on_hand"].to_numpy() <= 0).sum())
    out["lost_units"] = s(sk, "lost_units")
    units = s(sk, "units")
    out["fill_rate"] = _div(units, units + out["lost_units"])
    if len(o_all):
        shipped_h = o_all["shipped_h"].to_numpy(dtype=float)
        out["shipped"] = float(((shipped_h >= 24 * (first - 1)) & (shipped_h < 24 * last)).sum())
        p_all = _paid(o_all)
        deadline = p_all["deadline_h"].to_numpy(dtype=float)
        due = (
            (deadline > 24 * (first - 1))
            & (deadline <= 24 * last)
            & (p_all["status"].astype(str) != "cancelled").to_numpy()
        )
        sh = p_all["shipped_h"].to_numpy(dtype=float)[due]
        out["on_time_rate"] = _div(
            float((~np.isnan(sh) & (sh <= deadline[due])).sum()), float(due.sum())
        )
    else:
        out["shipped"], out["on_time_rate"] = 0.0, None
    out["backlog"] = float(last_row["backlog"].iloc[0]) if len(last_row) else 0.0
    out["packer_hours"] = s(daily, "packer_hours")
    out["logistics_cost"] = round(out["packer_hours"] * packer_wage, 2)
    out["shipping_cost"] = s(pnl, "shipping")
    out["rush_units"] = float(rush_units)
    out["cogs"] = s(pnl, "cogs")
    out["staff"] = s(pnl, "staff")
    costs = out["revenue"] - s(pnl, "net_profit")
    out["other_costs"] = round(costs - out["cogs"] - out["ad_spend"] - out["staff"], 2)
    out["net_profit"] = s(pnl, "net_profit")
    out["profit_to_date"] = s(pnl_all, "net_profit")
    out["revenue_to_date"] = s(pnl_all, "revenue")
    cash = pnl[pnl["day"] == last]
    out["cash"] = _f(cash["cash"].iloc[0]) if len(cash) else None
    return out


def _clip(x: float) -> float:
    return float(min(100.0, max(0.0, x)))


def scorecard(res: Results, team: str, config: RoleplayConfig) -> dict[str, float]:
    """Scorecard parts (0-100) and ``total`` of one team over the run so far."""
    sc = config.scorecard
    days = max(res.days_run, 1)
    pnl = res.pnl[res.pnl["store"] == team]
    per_day = float(pnl["net_profit"].sum()) / days
    ref = sc.profit_ref_cny_per_day
    parts: dict[str, float] = {"profit": _clip(100 * (per_day + ref) / (2 * ref))}
    on_time = kpi.on_time_shipment_rate(res, team)
    parts["on_time"] = (
        100.0
        if math.isnan(on_time)
        else _clip(100 * (on_time - sc.on_time_floor) / (1 - sc.on_time_floor))
    )
    rating = kpi.rating(res, team)
    parts["rating"] = (
        0.0
        if math.isnan(rating)
        else _clip(100 * (rating - sc.rating_floor) / (5 - sc.rating_floor))
    )
    tk = res.tickets[res.tickets["store"] == team]
    if len(tk):
        ok = tk["answered"].to_numpy(dtype=bool) & (
            tk["wait_min"].to_numpy(dtype=float) <= config.service_target_min
        )
        parts["service"] = _clip(100 * ok.mean())
    else:
        parts["service"] = 100.0
    fill = kpi.fill_rate(res, team)
    fill = 1.0 if math.isnan(fill) else fill
    sk = res.sku_daily[(res.sku_daily["store"] == team) & (res.sku_daily["day"] == res.days_run)]
    store = next(s for s in res.scenario.stores if s.name == team)
    cost = {k.sku: k.cost_cny for k in store.catalogue.skus}
    value = float(
        (np.maximum(sk["on_hand"].to_numpy(dtype=float), 0) * sk["sku"].map(cost).to_numpy()).sum()
    )
    cogs_day = float(pnl["cogs"].sum()) / days
    if value <= 0:
        over = 1.0
    elif cogs_day <= 0:
        over = 0.0
    else:
        over = min(1.0, sc.cover_max_days / (value / cogs_day))
    parts["stock"] = _clip(100 * fill * over)
    o = res.orders[res.orders["store"] == team]
    p = _paid(o)
    if len(p):
        bad = float(
            (p["status"].astype(str) == "cancelled").sum() + (p["late_penalty_cny"] > 0).sum()
        )
        v = bad / len(p)
        parts["rules"] = _clip(100 * (1 - v / sc.violation_tolerance))
    else:
        parts["rules"] = 100.0
    w = sc.weights
    parts["total"] = sum(w[k] * parts[k] for k in SCORE_PARTS) / sum(w.values())
    return parts


# --------------------------------------------------------------------------- tables
def _shown(key: str, value: Any) -> Any:
    if value is None:
        return float("nan")
    if key in PERCENT:
        return round(100 * value, 1)
    if key in ("rating",):
        return round(value, 3)
    if key in ("roas", "first_response_min", "listing_quality", "price_index", "score"):
        return round(value, 2)
    return round(value, 2)


def dashboard_frame(
    records: list[dict[str, Any]],
    team: str,
    role: str,
    sku_names: dict[str, str],
) -> pd.DataFrame:
    """One row per played round with the KPIs ``role`` sees (headers in the current language)."""
    keys = DASHBOARDS[role]
    cols = [i18n.t("roleplay.col.round"), i18n.t("roleplay.col.days")]
    cols += [i18n.t(f"roleplay.kpi.{k}") for k in keys]
    skus = list(sku_names) if role == "design" else []
    cols += [i18n.t("roleplay.kpi.sku_conversion", sku=sku_names[c]) for c in skus]
    rows = []
    for rec in records:
        k = rec["teams"][team]["kpis"]
        a, b = rec["days"]
        row: list[Any] = [rec["round"], f"{a}–{b}" if a != b else str(a)]
        row += [_shown(key, k.get(key)) for key in keys]
        row += [_shown("conversion_rate", k["sku_conversion"].get(c)) for c in skus]
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)
