"""Traffic: visits by channel, hour, weekday and festival; search rank and market shares.

Market visits to the niche arrive per hour as ``visits_per_day`` x the platform's channel
mix x the hour-of-day and weekday profiles x the festival multiplier. Each store's share:

* search - its rank score against the others and the rest of the market
  (``outside_score``); the score rises with sales velocity, conversion and rating; when
  several stores share the market, the cheaper one also draws more of the clicks;
* ads - bid x listing quality against ``outside_score`` x the market CPC, until the day's
  budget is spent (a simplified generalised second-price auction: a click costs
  ``CPC_PAID_SHARE`` x the bid);
* social/content - listing quality and rating (and price, among shared-market stores)
  against the rest of the market;
* livestream - only in the hours the store streams, with a random audience per session;
* returning - the store's own past customers, a share of whom revisit each day.

Visits are clicks on impressions: impressions are Poisson, visits Binomial with the
listing's click-through rate (main-image quality and a visible discount raise it).
"""

from __future__ import annotations

import numpy as np

LISTING_PRICE_EXPONENT = 1.0
"""Search and social share ~ (price index / mean of the market's stores) ** -(this x the
platform's price sensitivity): shoppers comparing listings favour the cheaper store
(assumption)."""

CPC_PAID_SHARE = 0.85
"""Share of the bid a click costs (assumption: second-price auctions charge below the bid)."""


def shares(weights: np.ndarray, outside: float) -> np.ndarray:
    """Each store's share of a channel: weight / (sum of weights + outside)."""
    total = weights.sum() + outside
    return weights / total if total > 0 else np.zeros_like(weights)


def rank_score(
    velocity_units: float,
    conversion: float,
    rating: float,
    *,
    reference_units: float,
    reference_conversion: float,
    reference_rating: float,
    velocity_exponent: float,
    conversion_exponent: float,
    rating_exponent: float,
) -> float:
    """Search rank score of a store (1 = an average store of the niche)."""
    v = max(velocity_units, 0.05 * reference_units) / reference_units
    c = max(conversion, 0.05 * reference_conversion) / reference_conversion
    r = rating / reference_rating
    return float(v**velocity_exponent * c**conversion_exponent * r**rating_exponent)


def ctr_factor(quality: np.ndarray, discount_depth: np.ndarray) -> np.ndarray:
    """Click-through relative to an average listing: image quality and a discount tag."""
    return (0.5 + quality) / 1.1 * (1 + 0.5 * np.clip(discount_depth, 0, 0.9))


def sku_split(weights: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Share of a store's traffic landing on each SKU; delisted SKUs lose theirs."""
    total = weights.sum()
    return np.where(active, weights / total, 0.0)
