"""A columnar order book: one row per order, grown in place, updated by index."""

from __future__ import annotations

import numpy as np
import pandas as pd

# column -> (dtype, fill value); documented in sim.results.TABLES["orders"]
COLUMNS: dict[str, tuple[str, float]] = {
    "customer_id": ("i8", -1),
    "is_new_customer": ("?", 0),
    "channel": ("i1", -1),
    "sku": ("i2", -1),
    "created_h": ("f8", np.nan),
    "units": ("i4", 0),
    "list_price_cny": ("f8", 0.0),
    "unit_price_cny": ("f8", 0.0),
    "goods_value_cny": ("f8", 0.0),
    "discount_cny": ("f8", 0.0),
    "coupon_cny": ("f8", 0.0),
    "paid_cny": ("f8", 0.0),
    "gift_cost_cny": ("f8", 0.0),
    "paid": ("?", 0),
    "paid_h": ("f8", np.nan),
    "presale": ("?", 0),
    "deposit_cny": ("f8", 0.0),
    "via_inquiry": ("?", 0),
    "status": ("i1", 0),
    "packed_h": ("f8", np.nan),
    "shipped_h": ("f8", np.nan),
    "deadline_h": ("f8", np.nan),
    "carrier": ("i1", -1),
    "shipping_cny": ("f8", 0.0),
    "delivered_h": ("f8", np.nan),
    "defective": ("?", 0),
    "returned": ("?", 0),
    "refund_cny": ("f8", 0.0),
    "refund_h": ("f8", np.nan),
    "late_penalty_cny": ("f8", 0.0),
    "stars": ("f8", np.nan),
    "service_failed": ("?", 0),
}

STATUS = (
    "unpaid",
    "awaiting_balance",
    "paid",
    "shipped",
    "delivered",
    "returned",
    "cancelled",
    "forfeited",
)
S = {name: i for i, name in enumerate(STATUS)}


class OrderBook:
    """Growable column arrays for one store's orders."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self.cols = {k: np.full(capacity, fill, dtype=dt) for k, (dt, fill) in COLUMNS.items()}

    def _grow(self, need: int) -> None:
        cap = len(self.cols["sku"])
        if need <= cap:
            return
        new_cap = max(need, 2 * cap)
        for k, (dt, fill) in COLUMNS.items():
            arr = np.full(new_cap, fill, dtype=dt)
            arr[: self.n] = self.cols[k][: self.n]
            self.cols[k] = arr

    def add(self, count: int, **values: np.ndarray | float) -> np.ndarray:
        """Append ``count`` orders; return their ids."""
        self._grow(self.n + count)
        ids = np.arange(self.n, self.n + count)
        for k, v in values.items():
            self.cols[k][ids] = v
        self.n += count
        return ids

    def __getitem__(self, col: str) -> np.ndarray:
        return self.cols[col][: self.n]

    def frame(self) -> pd.DataFrame:
        """The orders as a DataFrame (a copy)."""
        return pd.DataFrame({k: v[: self.n].copy() for k, v in self.cols.items()})
