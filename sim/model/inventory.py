"""Inventory: per-SKU stock ledger, reorder reviews, supplier deliveries, holding cost.

Stock moves are recorded per hour, SKU and kind in the ledger. Supplier lead times are
gamma-distributed with the SKU's mean and coefficient of variation; a supplier-delay event
adds days to deliveries placed while it lasts. Demand that finds no stock shown is lost
(no backorders). With a stock-sync delay, the platform shows the stock counted at the
last sync minus its own sales since, so sales through other channels can oversell; at the
next sync the oversold orders are cancelled and draw the platform's penalty.

Demand forecast for reorder policies: exponentially weighted mean and variance of daily
demand (units asked for, lost sales included), smoothing ``FORECAST_ALPHA``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.distributions import Gamma

FORECAST_ALPHA = 0.2


@dataclass
class Ledger:
    """Stock movements (documented in sim.results.TABLES["stock_ledger"])."""

    t_h: list[float] = field(default_factory=list)
    sku: list[int] = field(default_factory=list)
    event: list[str] = field(default_factory=list)
    qty: list[int] = field(default_factory=list)
    on_hand: list[int] = field(default_factory=list)

    def add(self, t: float, sku: int, event: str, qty: int, on_hand: int) -> None:
        """Record a movement of ``qty`` units (negative out, positive in)."""
        self.t_h.append(t)
        self.sku.append(sku)
        self.event.append(event)
        self.qty.append(int(qty))
        self.on_hand.append(int(on_hand))


@dataclass
class PurchaseOrders:
    """Supplier orders (documented in sim.results.TABLES["purchase_orders"])."""

    sku: list[int] = field(default_factory=list)
    qty: list[int] = field(default_factory=list)
    placed_h: list[float] = field(default_factory=list)
    lead_days: list[float] = field(default_factory=list)
    received_h: list[float] = field(default_factory=list)
    cost_cny: list[float] = field(default_factory=list)


class Inventory:
    """Stock of one store."""

    def __init__(self, skus, forecast_seed: np.ndarray):
        self.n = len(skus)
        self.cost = np.array([s.cost_cny for s in skus])
        self.on_hand = np.array([s.initial_stock for s in skus], dtype=np.int64)
        self.on_order = np.zeros(self.n, dtype=np.int64)
        self.lead = [Gamma.from_mean_cv(s.lead_time_days, s.lead_time_cv) for s in skus]
        self.shown = self.on_hand.copy()
        self.ledger = Ledger()
        self.pos = PurchaseOrders()
        self.demand_mean = forecast_seed.astype(float)
        self.demand_var = (0.5 * forecast_seed) ** 2
        self.demand_today = np.zeros(self.n)

    def close_day(self) -> None:
        """Update the demand forecast with today's demand (sold + lost)."""
        x = self.demand_today
        d = x - self.demand_mean
        self.demand_mean = self.demand_mean + FORECAST_ALPHA * d
        self.demand_var = (1 - FORECAST_ALPHA) * (self.demand_var + FORECAST_ALPHA * d * d)
        self.demand_today = np.zeros(self.n)

    def take(self, t: float, k: int, units: int, event: str = "sale") -> None:
        """Remove units (sales, other channels); on-hand may go negative only by overselling."""
        self.on_hand[k] -= units
        self.shown[k] -= units if event == "sale" else 0
        self.ledger.add(t, k, event, -units, self.on_hand[k])

    def put(self, t: float, k: int, units: int, event: str) -> None:
        """Add units back (receipts, restocked returns, cancellations)."""
        self.on_hand[k] += units
        self.shown[k] += units
        self.ledger.add(t, k, event, units, self.on_hand[k])

    def sync(self) -> None:
        """Show the true stock again (other channels' sales become visible)."""
        self.shown = np.maximum(self.on_hand, 0).copy()

    def place(self, t: float, k: int, qty: int, lead_days: float) -> int:
        """Record a purchase order; return its index."""
        self.on_order[k] += qty
        p = self.pos
        p.sku.append(k)
        p.qty.append(int(qty))
        p.placed_h.append(t)
        p.lead_days.append(float(lead_days))
        p.received_h.append(np.nan)
        p.cost_cny.append(round(float(qty * self.cost[k]), 2))
        return len(p.sku) - 1

    def receive(self, t: float, po: int) -> None:
        """A purchase order arrives."""
        k, qty = self.pos.sku[po], self.pos.qty[po]
        self.on_order[k] -= qty
        self.pos.received_h[po] = t
        self.put(t, k, qty, "receipt")
