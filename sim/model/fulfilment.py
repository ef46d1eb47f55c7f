"""Fulfilment: pick-pack capacity by hour, daily carrier pickup (cut-off), transit.

Paid orders join a first-in-first-out backlog. Each hour the packers on duty pack up to
packers x ``pack_rate_per_h`` orders. At the cut-off hour the carriers collect everything
packed; that moment is the shipment time, judged against the platform's deadline
(payment + ``ship_deadline_h``). Late shipments draw the platform's compensation:
``rate`` x order value, between a minimum and a maximum. Transit days are log-normal with
the carrier's mean and standard deviation; a small share of parcels is damaged.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim.distributions import LogNormal


def compensation(value: np.ndarray, rate: float, lo: float, hi: float) -> np.ndarray:
    """Platform compensation per order: rate x value, clipped to [lo, hi], in cents."""
    return np.round(np.clip(np.asarray(value) * rate, lo, hi), 2)


class Fulfilment:
    """Backlog of paid orders and packed parcels waiting for pickup."""

    def __init__(self, carriers):
        self.carriers = carriers
        self.transit = [LogNormal(c.transit_days_mean, c.transit_days_sd) for c in carriers]
        self.backlog: deque[int] = deque()
        self.packed: list[int] = []
        self.packer_hours = 0.0

    def queue(self, ids: np.ndarray) -> None:
        """Paid orders enter the backlog."""
        self.backlog.extend(int(i) for i in ids)

    def pack(self, capacity: int) -> list[int]:
        """Pack up to ``capacity`` orders, oldest first; return their ids."""
        n = min(capacity, len(self.backlog))
        done = [self.backlog.popleft() for _ in range(n)]
        self.packed.extend(done)
        return done

    def pickup(self) -> np.ndarray:
        """Hand everything packed to the carriers; return the ids."""
        ids = np.array(self.packed, dtype=np.int64)
        self.packed = []
        return ids

    def carriers_for(self, rng: np.random.Generator, n: int, mix: dict[str, float]) -> np.ndarray:
        """Assign carriers by the mix; return indices into ``self.carriers``."""
        slugs = [c.slug for c in self.carriers]
        p = np.array([mix.get(s, 0.0) for s in slugs])
        return rng.choice(len(slugs), size=n, p=p / p.sum())

    def transit_days(self, rng: np.random.Generator, carrier: np.ndarray) -> np.ndarray:
        """Transit time of each parcel, days (at least 0.25)."""
        out = np.empty(len(carrier))
        for j, dist in enumerate(self.transit):
            m = carrier == j
            if m.any():
                out[m] = dist.sample(rng, int(m.sum()))
        return np.maximum(out, 0.25)
