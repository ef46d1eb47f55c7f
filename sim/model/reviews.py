"""Reviews, returns and the store rating.

A delivered order is reviewed with probability ``review_rate``. Its stars centre on
``base_stars``, lose ``late_star_penalty_per_day`` for each day the parcel took beyond
three days from payment, lose ``service_star_penalty`` when an after-sale question went
unanswered, gain a little when the price was below the reference, and fall to
``defect_stars`` for a defective or damaged item. Stars are 5 minus a Poisson shortfall
with that mean (capped at 4), so they are whole, between 1 and 5, and average the mean.

The store rating is an exponentially weighted mean over about ``rating_memory`` recent
reviews, starting from the store's initial rating; it feeds conversion
(:mod:`sim.model.choice`) and search rank (:mod:`sim.model.traffic`).

Defective or damaged items are returned with probability ``DEFECT_RETURN``; other orders
are returned without reason with the SKU's ``return_rate`` within the platform's window.
"""

from __future__ import annotations

import numpy as np

DEFECT_RETURN = 0.9
"""Share of defective or damaged deliveries sent back (assumption)."""


def stars(
    rng: np.random.Generator,
    params,
    *,
    days_to_deliver: np.ndarray,
    bad_item: np.ndarray,
    service_failed: np.ndarray,
    price_ratio: np.ndarray,
) -> np.ndarray:
    """Whole stars 1-5 for a batch of reviews: 5 minus a Poisson shortfall around the mean."""
    mean = (
        params.base_stars
        - params.late_star_penalty_per_day * np.maximum(days_to_deliver - 3, 0)
        - params.service_star_penalty * service_failed
        + params.price_value_stars * np.clip(1 - price_ratio, 0, 1)
    )
    mean = np.clip(np.where(bad_item, params.defect_stars, mean), 1, 5)
    return 5 - np.minimum(rng.poisson(5 - mean), 4).astype(float)


class Rating:
    """Exponentially weighted store rating."""

    def __init__(self, initial: float, memory: float):
        self.value = float(initial)
        self.memory = float(memory)
        self.count = 0

    def add(self, new_stars: np.ndarray) -> None:
        """Fold reviews into the rating, in order."""
        w = 1 / self.memory
        for s in np.asarray(new_stars, dtype=float):
            self.value += (s - self.value) * w
        self.count += len(new_stars)
