"""Shopper choice: view -> favourite / add-to-cart -> order -> pay.

The order probability of a visit is a base conversion rate for its channel times factors:

* price - constant elasticity against the price shoppers compare with, a blend of the
  market reference and the rival's price: ``(p / p_compare) ** -elasticity``; coupons and
  满减 savings lower the effective price;
* discount depth - a visible discount against the list price adds anchoring uplift;
* charm price - a price ending in 9 adds a small uplift (Anderson & Simester 2003,
  "Effects of $9 price endings on retail sales", Quantitative Marketing and Economics 1,
  report higher demand at 9-endings; the size used here is an assumption);
* listing quality, store rating, store type (trust), the platform, festivals, gifts,
  post-promotion dips and the stock shown (nothing shown, nothing sold).

Some visitors ask customer service first; their purchase depends on the wait
(:mod:`sim.model.service`). Both the batch sampler (counts per hour and cell) and the
per-visitor sampler draw from the same probabilities, so they agree in distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model.promotions import Effects


def is_charm(prices: np.ndarray) -> np.ndarray:
    """Return True where a price ends in 9 (199, 59.9, 9.99)."""
    cents = np.round(np.asarray(prices) * 100).astype(np.int64)
    return (cents % 1000 == 900) | (cents % 100 == 90) | (cents % 10 == 9)


@dataclass
class Funnel:
    """Per-(channel, SKU) probabilities for one hour (arrays of shape (channels, skus))."""

    order: np.ndarray
    inquiry: np.ndarray
    cart_extra: np.ndarray
    favourite: np.ndarray
    bounce_rest: np.ndarray
    multiplier: np.ndarray
    unit_price: np.ndarray
    pages_extra: float


def funnel(
    *,
    base_cr: np.ndarray,
    shoppers,
    service,
    price: np.ndarray,
    list_price: np.ndarray,
    compare_price: np.ndarray,
    elasticity: float,
    quality: np.ndarray,
    rating: float,
    context: float,
    fx: Effects,
    debt_factor: np.ndarray,
    flash_open: np.ndarray,
    presale_pull: np.ndarray,
    shown: np.ndarray,
) -> Funnel:
    """Compute this hour's funnel probabilities.

    Parameters
    ----------
    base_cr : ndarray, shape (channels,)
        Base conversion by channel.
    price, list_price, compare_price : ndarray, shape (skus,)
        Today's price, list price and the price shoppers compare with, yuan.
    context : float
        Product of platform, store type, festival and event conversion multipliers.
    fx : Effects
        Active promotions.
    debt_factor : ndarray
        Post-promotion dip multiplier per SKU.
    flash_open : ndarray of bool
        SKUs whose flash sale is open and not sold out.
    presale_pull : ndarray
        Conversion multiplier of SKUs on pre-sale.
    shown : ndarray of bool
        Whether stock is shown (orders possible).
    """
    flash_disc = np.array(
        [
            f.discount if (f is not None and o) else 0.0
            for f, o in zip(fx.flash, flash_open, strict=True)
        ]
    )
    unit_price = np.round(price * fx.price_factor * (1 - flash_disc), 2)
    eff = unit_price * (1 - fx.bundle_take * fx.bundle_discount)
    # 满减: expected saving per unit given the chance of reaching the threshold
    has_thr = fx.threshold_cny > 0
    gap = np.maximum(fx.threshold_cny - eff, 0)
    reach = np.where(
        gap > 0, shoppers.threshold_reach * np.exp(-gap / (shoppers.threshold_gap_scale * eff)), 1.0
    )
    thr_save = np.where(has_thr, reach * fx.off_cny * eff / np.maximum(fx.threshold_cny, eff), 0.0)
    eff = eff - thr_save
    n_ch = len(base_cr)
    coupon = np.vstack(
        [np.where(eff >= fx.coupon_min_cny * 0.5, fx.coupon_claim * fx.coupon_new_cny, 0.0)]
        * (n_ch - 1)
        + [np.where(eff >= fx.coupon_min_cny * 0.5, fx.coupon_claim * fx.coupon_ret_cny, 0.0)]
    )
    eff2 = np.maximum(eff[None, :] - coupon, 0.05 * eff[None, :])
    price_f = (eff2 / compare_price[None, :]) ** (-elasticity)
    depth = np.clip(1 - eff / list_price, 0, 0.9)
    sku_f = (
        (1 + shoppers.discount_sensitivity * depth)
        * np.where(is_charm(unit_price), 1 + shoppers.charm_uplift, 1)
        * ((0.5 + quality) / 1.1) ** shoppers.quality_exponent
        * (1 + fx.gift_uplift)
        * debt_factor
        * presale_pull
        * shown
    )
    mult = (
        context
        * (rating / shoppers.reference_rating) ** shoppers.rating_exponent
        * price_f
        * sku_f[None, :]
    )
    p_order = np.clip(base_cr[:, None] * mult, 0, 0.9)
    p_inq = np.where(shown, service.presale_inquiry_rate, 0.0)[None, :].repeat(n_ch, 0)
    cart_total = np.minimum(shoppers.cart_ratio * p_order, 0.95)
    cart_extra = np.where(p_order < 1, (cart_total - p_order) / np.maximum(1 - p_order, 1e-9), 0)
    fav = np.minimum(shoppers.favourite_ratio * p_order, 0.95)
    # bounce among visitors who don't order, so that the overall bounce rate is the target
    bounce_rest = np.minimum(shoppers.bounce_rate / np.maximum(1 - p_order, 1e-9), 1.0)
    return Funnel(
        order=p_order,
        inquiry=p_inq,
        cart_extra=np.clip(cart_extra, 0, 1),
        favourite=fav,
        bounce_rest=bounce_rest,
        multiplier=mult,
        unit_price=unit_price,
        pages_extra=shoppers.pages_per_engaged_visit - 1,
    )


@dataclass
class Outcome:
    """Funnel counts for one hour, shape (channels, skus)."""

    visits: np.ndarray
    inquiries: np.ndarray
    orders: np.ndarray
    carts: np.ndarray
    favourites: np.ndarray
    bounces: np.ndarray
    page_views: np.ndarray


def sample_batch(rng: np.random.Generator, visits: np.ndarray, f: Funnel) -> Outcome:
    """Draw the funnel for all visits of an hour at once (binomial thinning)."""
    inq = rng.binomial(visits, f.inquiry)
    rest = visits - inq
    orders = rng.binomial(rest, f.order)
    non = rest - orders
    carts = orders + rng.binomial(non, f.cart_extra)
    favs = rng.binomial(rest, f.favourite)
    bounces = rng.binomial(non, f.bounce_rest)
    engaged = visits - bounces
    pv = visits + rng.poisson(engaged * f.pages_extra)
    return Outcome(visits, inq, orders, carts, favs, bounces, pv)


def sample_one(
    rng: np.random.Generator, ch: int, k: int, f: Funnel
) -> tuple[bool, bool, bool, bool, bool, int]:
    """Draw the funnel of one visit: (inquiry, order, cart, favourite, bounce, pages)."""
    if rng.random() < f.inquiry[ch, k]:
        return True, False, False, False, False, 1 + rng.poisson(f.pages_extra)
    order = rng.random() < f.order[ch, k]
    cart = order or rng.random() < f.cart_extra[ch, k]
    fav = rng.random() < f.favourite[ch, k]
    bounce = (not order) and rng.random() < f.bounce_rest[ch, k]
    pages = 1 if bounce else 1 + rng.poisson(f.pages_extra)
    return False, order, cart, fav, bounce, pages


def inquiry_buy_probability(multiplier: float, wait_min: float, answered: bool, service) -> float:
    """Purchase probability of an inquirer after waiting ``wait_min`` minutes."""
    if not answered:
        return min(0.95, service.abandoned_conversion * multiplier)
    return min(
        0.95,
        service.inquiry_conversion * multiplier * math.exp(-wait_min / service.response_decay_min),
    )


@dataclass
class Basket:
    """Per-order amounts for a batch of orders of one SKU."""

    units: np.ndarray
    goods_value: np.ndarray
    discount: np.ndarray
    coupon: np.ndarray
    paid: np.ndarray


def baskets(
    rng: np.random.Generator,
    ks: np.ndarray,
    price: np.ndarray,
    list_price: np.ndarray,
    extra_units_mean: float,
    fx: Effects,
    returning: np.ndarray,
    shoppers,
) -> Basket:
    """Draw units and money for orders of SKUs ``ks`` at ``price`` (bundles, 满减, coupons)."""
    n = len(ks)
    units = 1 + rng.poisson(extra_units_mean, n)
    take = rng.random(n) < fx.bundle_take[ks]
    units = np.where(take, np.maximum(units, fx.bundle_size[ks]), units).astype(np.int64)
    bdisc = np.where(take, fx.bundle_discount[ks], 0.0)
    thr, off = fx.threshold_cny[ks], fx.off_cny[ks]
    u_thr = rng.random(n)
    gap = thr - units * price * (1 - bdisc)
    p_top = shoppers.threshold_reach * np.exp(
        -np.maximum(gap, 0) / (shoppers.threshold_gap_scale * price)
    )
    top = (thr > 0) & (gap > 0) & (u_thr < p_top)
    add = np.where(top, np.ceil(np.maximum(gap, 0) / (price * (1 - bdisc))), 0).astype(np.int64)
    units = units + add
    value = units * price
    disc_bundle = value * bdisc
    disc_thr = np.where((thr > 0) & (value - disc_bundle >= thr), off, 0.0)
    coupon_value = np.where(returning, fx.coupon_ret_cny[ks], fx.coupon_new_cny[ks])
    claimed = rng.random(n) < fx.coupon_claim[ks]
    after = value - disc_bundle - disc_thr
    coupon = np.where(
        claimed & (coupon_value > 0) & (after >= fx.coupon_min_cny[ks]),
        np.minimum(coupon_value, after - 0.01),
        0.0,
    )
    goods = np.round(units * list_price[ks], 2)
    paid = np.round(np.maximum(after - coupon, 0.01), 2)
    coupon = np.round(coupon, 2)
    return Basket(units, goods, np.round(goods - paid - coupon, 2), coupon, paid)
