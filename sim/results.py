"""Results of a run: tidy tables with documented columns and units.

Every table has a ``store`` column (one store, or several sharing a market). Times are
hours since the start of the run (``_h``, day d covers hours 24(d-1) to 24d), days are
1-based, money is yuan (``_cny``). KPI functions in :mod:`sim.kpi` take these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.model.engine import SKU_DAY_ROWS
from sim.model.finance import LINES
from sim.model.orders import STATUS
from sim.scenario.schema import CHANNELS, Scenario

if TYPE_CHECKING:
    from sim.model.engine import Simulation

TABLES: dict[str, dict[str, str]] = {
    "orders": {
        "store": "store name",
        "order_id": "order number within the store",
        "customer_id": "shopper id within the store",
        "is_new_customer": "first order from this shopper",
        "channel": "traffic channel of the visit",
        "sku": "SKU code",
        "created_h": "time the order was placed, h",
        "units": "units ordered",
        "list_price_cny": "list price per unit",
        "unit_price_cny": "price per unit after % off / flash sale",
        "goods_value_cny": "units x list price",
        "discount_cny": "price cuts, bundle and 满减 savings",
        "coupon_cny": "coupon redeemed",
        "paid_cny": "amount the shopper paid (deposit only if forfeited)",
        "gift_cost_cny": "cost of the gift sent",
        "paid": "payment completed",
        "paid_h": "time of payment, h",
        "presale": "a deposit pre-sale order",
        "deposit_cny": "deposit paid",
        "via_inquiry": "bought after asking service",
        "status": (
            "unpaid, awaiting_balance, paid, shipped, delivered, returned, cancelled, forfeited"
        ),
        "packed_h": "time packed, h",
        "shipped_h": "time handed to the carrier, h",
        "deadline_h": "platform shipping deadline, h",
        "carrier": "carrier slug",
        "shipping_cny": "parcel cost",
        "delivered_h": "time delivered, h",
        "defective": "item defective or damaged",
        "returned": "returned and refunded",
        "refund_cny": "amount refunded",
        "refund_h": "time refunded, h",
        "late_penalty_cny": "late-shipment compensation",
        "stars": "review stars 1-5 (NaN: no review)",
        "service_failed": "an after-sale question went unanswered",
        "day": "day of the order (1-based)",
    },
    "tickets": {
        "store": "store name",
        "ticket_id": "ticket number",
        "kind": "presale / aftersale",
        "sku": "SKU code",
        "order_id": "order asked about (-1: pre-sale)",
        "arrive_h": "time the question arrived, h",
        "wait_min": "first-response time (or time until giving up), minutes",
        "answered": "answered before giving up",
        "handle_min": "agent time, minutes",
        "converted": "pre-sale question that led to an order",
        "day": "day",
    },
    "stock_ledger": {
        "store": "store name",
        "t_h": "time, h",
        "day": "day",
        "sku": "SKU code",
        "event": "sale / receipt / return_restock / cancel / other_channel / presale_release",
        "qty": "units in (+) or out (-)",
        "on_hand": "units on hand after the movement (negative: oversold)",
    },
    "purchase_orders": {
        "store": "store name",
        "sku": "SKU code",
        "qty": "units ordered",
        "placed_h": "time ordered, h",
        "lead_days": "lead time drawn, days",
        "received_h": "time received, h (NaN: still on the way)",
        "cost_cny": "paid to the supplier",
    },
    "funnel_hourly": {
        "store": "store name",
        "hour": "hour since start",
        "day": "day",
        "hour_of_day": "0-23",
        "channel": "channel",
        "impressions": "listing impressions",
        "visits": "visits (clicks)",
        "page_views": "pages viewed",
        "bounces": "visits that left after one page",
        "favourites": "items favourited",
        "carts": "add-to-cart",
        "orders": "orders placed directly by this hour's visitors (paid or not)",
        "inquiries": "pre-sale questions asked",
        "ad_spend_cny": "ad spend",
        "inquiry_orders": "orders placed this hour by shoppers who asked service first",
    },
    "sku_daily": {
        "store": "store name",
        "day": "day",
        "sku": "SKU code",
        "visits": "visits",
        "impressions": "impressions",
        "orders": "orders placed (directly or after asking service)",
        "units": "units sold (paid)",
        "revenue_cny": "paid revenue",
        "lost_units": "units asked for but not in stock",
        "returns": "orders returned",
        "price_cny": "own price",
        "rival_price_cny": "rival's price",
        "on_hand": "units on hand at day end",
        "on_order": "units on order at day end",
        "listing_quality": "listing quality 0-1",
    },
    "daily": {
        "store": "store name",
        "day": "day",
        "date": "calendar date",
        "festival": "festival running",
        "rating": "store rating at day end",
        "rank_score": "search rank score (1 = average store)",
        "customers": "shoppers who have bought",
        "agent_hours": "agent hours on duty",
        "packer_hours": "packer hours on duty",
        "backlog": "paid orders waiting to be packed at day end",
    },
    "pnl": {
        "store": "store name",
        "day": "day",
        **{k: f"{k.replace('_', ' ')}, yuan" for k in LINES},
        "net_profit": "revenue - refunds - all costs, yuan",
        "cash_in": "cash received",
        "cash_out": "cash paid",
        "cash": "cash at day end",
    },
    "reviews": {
        "store": "store name",
        "t_h": "time, h",
        "order_id": "order (-1: review wave)",
        "stars": "1-5",
        "source": "order / wave",
        "day": "day",
    },
    "events": {
        "store": "store name",
        "t_h": "time, h",
        "day": "day",
        "kind": "event or decision",
        "text_zh": "what happened (Chinese)",
        "text_en": "what happened (English)",
    },
}


@dataclass
class Results:
    """Tables of one run. See :data:`TABLES` for every column."""

    scenario: Scenario
    seed: int
    days_run: int
    orders: pd.DataFrame
    tickets: pd.DataFrame
    stock_ledger: pd.DataFrame
    purchase_orders: pd.DataFrame
    funnel_hourly: pd.DataFrame
    sku_daily: pd.DataFrame
    daily: pd.DataFrame
    pnl: pd.DataFrame
    reviews: pd.DataFrame
    events: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def shipments(self) -> pd.DataFrame:
        """Orders handed to a carrier, with on-time flags."""
        o = self.orders[self.orders["shipped_h"].notna()]
        cols = [
            "store",
            "order_id",
            "sku",
            "paid_h",
            "packed_h",
            "shipped_h",
            "deadline_h",
            "carrier",
            "shipping_cny",
            "delivered_h",
            "late_penalty_cny",
        ]
        out = o[cols].copy()
        out["on_time"] = out["shipped_h"] <= out["deadline_h"]
        return out.reset_index(drop=True)

    @property
    def daily_kpis(self) -> pd.DataFrame:
        """Daily KPIs by store and channel (visits, conversion, orders ...)."""
        f = self.funnel_hourly.groupby(["store", "day", "channel"], observed=True).sum(
            numeric_only=True
        )
        f = f.drop(columns=["hour", "hour_of_day"]).reset_index()
        f["conversion_rate"] = f["orders"] / f["visits"].where(f["visits"] > 0)
        return f

    def store(self, name: str) -> Results:
        """The tables of one store of a shared market."""

        def pick(df: pd.DataFrame) -> pd.DataFrame:
            return df[df["store"] == name].reset_index(drop=True)

        names = list(self.pnl["store"].unique())
        if name not in names:
            raise KeyError(f"store = {name!r}: must be one of {names}")
        return Results(
            self.scenario,
            self.seed,
            self.days_run,
            *(pick(getattr(self, t)) for t in TABLES),
            extra=self.extra,
        )

    @staticmethod
    def describe(table: str) -> pd.DataFrame:
        """Return the columns of ``table`` with their meaning: ``Results.describe("orders")``."""
        if table not in TABLES:
            raise KeyError(f"table = {table!r}: must be one of {', '.join(TABLES)}")
        return pd.DataFrame(
            {"column": list(TABLES[table]), "meaning": list(TABLES[table].values())}
        )

    def summary(self) -> dict[str, float]:
        """The headline KPIs (see :func:`sim.kpi.summary`)."""
        from sim import kpi

        return kpi.summary(self)

    @classmethod
    def from_simulation(cls, sim: Simulation) -> Results:
        """Assemble the tables from a (possibly unfinished) simulation."""
        sc = sim.scenario
        days_run = sim.hours_done // 24
        carriers = np.array([c.slug for c in sc.carriers] + [""])
        parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
        for st in sim.stores:
            codes = np.array(st.codes)
            name = st.cfg.name
            o = st.orders.frame()
            o.insert(0, "order_id", np.arange(len(o)))
            o.insert(0, "store", name)
            o["channel"] = pd.Categorical.from_codes(o["channel"], CHANNELS)
            o["sku"] = codes[o["sku"].to_numpy()] if len(o) else pd.Series([], dtype=object)
            o["status"] = pd.Categorical.from_codes(o["status"], STATUS)
            o["carrier"] = carriers[o["carrier"].to_numpy()]
            o["day"] = (o["created_h"] // 24).astype(int) + 1
            parts["orders"].append(o)
            t = st.desk.tickets
            tk = pd.DataFrame(
                {
                    "store": name,
                    "ticket_id": np.arange(len(t.kind)),
                    "kind": np.array(["presale", "aftersale"])[np.array(t.kind, dtype=int)],
                    "sku": codes[np.array(t.sku, dtype=int)],
                    "order_id": np.array(t.order_id, dtype=int),
                    "arrive_h": np.array(t.arrive_h, dtype=float),
                    "wait_min": np.array(t.wait_min, dtype=float),
                    "answered": np.array(t.answered, dtype=bool),
                    "handle_min": np.array(t.handle_min, dtype=float),
                    "converted": np.array(t.converted, dtype=bool),
                }
            )
            tk["day"] = (tk["arrive_h"] // 24).astype(int) + 1
            parts["tickets"].append(tk)
            lg = st.inv.ledger
            led = pd.DataFrame(
                {
                    "store": name,
                    "t_h": np.array(lg.t_h, dtype=float),
                    "sku": codes[np.array(lg.sku, dtype=int)],
                    "event": np.array(lg.event, dtype=object),
                    "qty": np.array(lg.qty, dtype=np.int64),
                    "on_hand": np.array(lg.on_hand, dtype=np.int64),
                }
            )
            led.insert(2, "day", (led["t_h"] // 24).astype(int) + 1)
            parts["stock_ledger"].append(led)
            p = st.inv.pos
            parts["purchase_orders"].append(
                pd.DataFrame(
                    {
                        "store": name,
                        "sku": codes[np.array(p.sku, dtype=int)],
                        "qty": np.array(p.qty, dtype=np.int64),
                        "placed_h": np.array(p.placed_h, dtype=float),
                        "lead_days": np.array(p.lead_days, dtype=float),
                        "received_h": np.array(p.received_h, dtype=float),
                        "cost_cny": np.array(p.cost_cny, dtype=float),
                    }
                )
            )
            hrs = len(st.hourly)
            arr = np.array(st.hourly).reshape(hrs * len(CHANNELS), 10) if hrs else np.zeros((0, 10))
            hours = np.repeat(np.arange(hrs), len(CHANNELS))
            fh = pd.DataFrame(
                arr,
                columns=[
                    "impressions",
                    "visits",
                    "page_views",
                    "bounces",
                    "favourites",
                    "carts",
                    "orders",
                    "inquiries",
                    "ad_spend_cny",
                    "inquiry_orders",
                ],
            )
            for c in fh.columns:
                if c != "ad_spend_cny":
                    fh[c] = fh[c].astype(np.int64)
            fh.insert(
                0, "channel", pd.Categorical(np.tile(np.array(CHANNELS), hrs), categories=CHANNELS)
            )
            fh.insert(0, "hour_of_day", hours % 24)
            fh.insert(0, "day", hours // 24 + 1)
            fh.insert(0, "hour", hours)
            fh.insert(0, "store", name)
            parts["funnel_hourly"].append(fh)
            nd = len(st.sku_daily)
            cols = [
                *SKU_DAY_ROWS,
                "price_cny",
                "rival_price_cny",
                "on_hand",
                "on_order",
                "listing_quality",
            ]
            if nd:
                sd = np.stack(st.sku_daily)  # (days, rows, skus)
                flat = sd.transpose(0, 2, 1).reshape(nd * st.n, len(cols))
                sk = pd.DataFrame(flat, columns=cols)
            else:
                sk = pd.DataFrame(columns=cols)
            sk.insert(0, "sku", np.tile(codes, nd))
            sk.insert(0, "day", np.repeat(np.arange(1, nd + 1), st.n))
            sk.insert(0, "store", name)
            parts["sku_daily"].append(sk)
            dl = pd.DataFrame(st.daily)
            if len(dl):
                dl.insert(1, "date", [sc.start + pd.Timedelta(days=int(x) - 1) for x in dl["day"]])
                dl.insert(2, "festival", [sim.fest_names[int(x) - 1] for x in dl["day"]])
            dl.insert(0, "store", name)
            parts["daily"].append(dl)
            pl = pd.DataFrame(st.books.rows)
            pl.insert(0, "store", name)
            parts["pnl"].append(pl)
            rv = pd.DataFrame(st.reviews_log, columns=["t_h", "order_id", "stars", "source"])
            rv.insert(0, "store", name)
            rv["day"] = (rv["t_h"] // 24).astype(int) + 1
            parts["reviews"].append(rv)
        ev = pd.DataFrame(
            sim.timeline, columns=["store", "t_h", "day", "kind", "text_zh", "text_en"]
        )
        tables = {}
        for name, frames in parts.items():
            df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            tables[name] = df
        tables["events"] = ev.sort_values(["t_h", "store"], kind="stable").reset_index(drop=True)
        for int_col in (
            "units",
            "returns",
            "lost_units",
            "on_hand",
            "on_order",
            "visits",
            "impressions",
            "orders",
        ):
            if int_col in tables["sku_daily"]:
                tables["sku_daily"][int_col] = tables["sku_daily"][int_col].astype(np.int64)
        return cls(sc, sim.seed, days_run, **tables)


def run(
    scenario: Scenario, seed: int = 0, *, days: int | None = None, per_visitor: bool = False
) -> Results:
    """Run ``scenario`` with ``seed`` and return its :class:`Results`.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario` or built in code.
    seed : int
        The same seed gives identical tables.
    days : int, optional
        Stop after this many days (default: the scenario's length).
    per_visitor : bool
        Use the slow one-process-per-visitor reference model.
    """
    from sim.model.engine import Simulation

    return Simulation(scenario, seed, per_visitor=per_visitor).run_until(days).results()
