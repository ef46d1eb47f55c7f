"""Promotions: % off, 满减 thresholds, coupons, flash sales, bundles, gifts, pre-sale.

A store's promotion calendar is a list of the records below, or a callable
``calendar(day) -> promotions active that day`` a trainee writes. Every promotion runs
from ``start_day`` to ``end_day`` (1 = first day of the run, both inclusive) on the SKUs
it names (none named: all).

How shoppers respond is modelled in :mod:`sim.model.choice`: a lower price raises
conversion through the price elasticity, the visible discount depth adds an anchoring
effect, 满减 thresholds make some shoppers add units, and a share of the uplift is
borrowed from later days (pull-forward), repaid as a post-promotion dip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.i18n import Phrase
from sim.scenario.config import Config, spec


@dataclass(frozen=True, kw_only=True)
class _Promo(Config):
    start_day: int = spec(1, ge=1, doc="first day (1 = first day of the run)")
    end_day: int = spec(1, ge=1, doc="last day, inclusive")
    skus: tuple[str, ...] = spec((), doc="SKUs it applies to (empty: all)")

    def check(self) -> None:
        """End must not precede start."""
        if self.end_day < self.start_day:
            raise ScenarioError(
                "end_day", self.end_day, "err.end_before_start", start=self.start_day
            )

    def active(self, day: int, hour: int) -> bool:
        """Whether it runs on ``day`` at ``hour``."""
        return self.start_day <= day <= self.end_day


@dataclass(frozen=True, kw_only=True)
class PercentOff(_Promo):
    """A straight discount off the price."""

    kind: str = spec("percent_off", choices=("percent_off",), doc="promotion type")
    discount: float = spec(0.1, ge=0, le=0.9, doc="share off the price")


@dataclass(frozen=True, kw_only=True)
class Threshold(_Promo):
    """满减: spend at least ``threshold_cny`` in one order, get ``off_cny`` off."""

    kind: str = spec("threshold", choices=("threshold",), doc="promotion type")
    threshold_cny: float = spec(gt=0, doc="order value needed, yuan")
    off_cny: float = spec(gt=0, doc="amount off, yuan")

    def check(self) -> None:
        """The amount off must be below the threshold."""
        super().check()
        if self.off_cny >= self.threshold_cny:
            raise ScenarioError("off_cny", self.off_cny, "err.range", lo=0, hi=self.threshold_cny)


@dataclass(frozen=True, kw_only=True)
class Coupon(_Promo):
    """A coupon for new, returning or all shoppers."""

    kind: str = spec("coupon", choices=("coupon",), doc="promotion type")
    value_cny: float = spec(gt=0, doc="coupon value, yuan")
    min_spend_cny: float = spec(0.0, ge=0, doc="order value needed to use it, yuan")
    audience: str = spec("all", choices=("new", "returning", "all"), doc="who receives it")
    claim_rate: float = spec(0.6, ge=0, le=1, doc="share of targeted visitors who claim it")


@dataclass(frozen=True, kw_only=True)
class FlashSale(_Promo):
    """A deep discount for a few hours a day, capped at ``cap_units`` per day."""

    kind: str = spec("flash_sale", choices=("flash_sale",), doc="promotion type")
    discount: float = spec(0.3, ge=0, le=0.9, doc="share off the price")
    cap_units: int = spec(100, gt=0, doc="units sold at the flash price per day")
    start_hour: int = spec(20, ge=0, le=23, doc="hour of day it opens")
    duration_h: int = spec(2, ge=1, le=24, doc="hours it stays open")
    traffic_boost: float = spec(1.5, ge=1, le=20, doc="traffic multiplier while open")

    def active(self, day: int, hour: int) -> bool:
        """Open on its days between start_hour and start_hour + duration."""
        return (
            super().active(day, hour)
            and self.start_hour <= hour < self.start_hour + self.duration_h
        )


@dataclass(frozen=True, kw_only=True)
class Bundle(_Promo):
    """Buy ``size`` together for ``discount`` off; ``take_rate`` of buyers take it."""

    kind: str = spec("bundle", choices=("bundle",), doc="promotion type")
    size: int = spec(2, ge=2, le=10, doc="units in the bundle")
    discount: float = spec(0.1, ge=0, le=0.9, doc="share off the bundle")
    take_rate: float = spec(0.2, ge=0, le=1, doc="share of buyers who take the bundle")


@dataclass(frozen=True, kw_only=True)
class Gift(_Promo):
    """A gift with every order."""

    kind: str = spec("gift", choices=("gift",), doc="promotion type")
    gift_cost_cny: float = spec(gt=0, doc="cost of the gift, yuan")
    uplift: float = spec(0.05, ge=0, le=1, doc="conversion uplift from the gift")


@dataclass(frozen=True, kw_only=True)
class PreSale(_Promo):
    """定金预售: pay a deposit between start_day and end_day, the balance on balance_day.

    A deposit of ``deposit_cny`` counts as ``deposit_value_cny`` (定金膨胀) off the price.
    Shoppers who do not pay the balance lose the deposit.
    """

    kind: str = spec("presale", choices=("presale",), doc="promotion type")
    deposit_cny: float = spec(gt=0, doc="deposit paid up front, yuan")
    deposit_value_cny: float = spec(gt=0, doc="what the deposit counts for off the price, yuan")
    balance_day: int = spec(ge=1, doc="day the balance is paid and orders are released")
    balance_pay_rate: float = spec(0.9, ge=0, le=1, doc="share of depositors who pay the balance")
    pull_in: float = spec(
        1.0, ge=0, le=10, doc="deposit orders per normal order while the pre-sale runs"
    )

    def check(self) -> None:
        """Deposit value at least the deposit; balance after the deposit window."""
        super().check()
        if self.deposit_value_cny < self.deposit_cny:
            raise ScenarioError(
                "deposit_value_cny", self.deposit_value_cny, "err.ge", lo=self.deposit_cny
            )
        if self.balance_day <= self.end_day:
            raise ScenarioError("balance_day", self.balance_day, "err.gt", lo=self.end_day)


KINDS: dict[str, type[_Promo]] = {
    "percent_off": PercentOff,
    "threshold": Threshold,
    "coupon": Coupon,
    "flash_sale": FlashSale,
    "bundle": Bundle,
    "gift": Gift,
    "presale": PreSale,
}

Promotion = PercentOff | Threshold | Coupon | FlashSale | Bundle | Gift | PreSale


def promotion_from(value: Any, path: str) -> _Promo:
    """Build one promotion from its record or a ``{"kind": ...}`` table."""
    if isinstance(value, _Promo):
        return value
    if not isinstance(value, Mapping):
        raise ScenarioError(path, value, "err.type", expected=Phrase("type.promotion"))
    kind = value.get("kind")
    if kind not in KINDS:
        raise ScenarioError(f"{path}.kind", kind, "err.choice", choices=", ".join(KINDS))
    try:
        return KINDS[kind](**dict(value))
    except ScenarioError as err:
        raise err.within(path) from None


@dataclass(frozen=True)
class Calendar:
    """A fixed list of promotions, or a callable ``calendar(day) -> promotions``."""

    promotions: tuple[_Promo, ...] = ()
    fn: Callable[[int], Iterable[Any]] | None = None

    def on_day(self, day: int) -> tuple[_Promo, ...]:
        """Promotions that run on ``day`` (any hour)."""
        if self.fn is None:
            return tuple(p for p in self.promotions if p.start_day <= day <= p.end_day)
        got = self.fn(day) or ()
        return tuple(promotion_from(p, f"promotions(day {day})[{i}]") for i, p in enumerate(got))

    def presales(self) -> tuple[PreSale, ...]:
        """Pre-sales of a fixed calendar (their balance day may fall outside their window)."""
        return tuple(p for p in self.promotions if isinstance(p, PreSale))

    def check_against(self, skus: tuple[str, ...], days: int, path: str) -> None:
        """Check SKUs against the store (promotions may run past the end of a shortened run)."""
        for i, p in enumerate(self.promotions):
            for code in p.skus:
                if code not in skus:
                    raise ScenarioError(
                        f"{path}[{i}].skus", code, "err.sku_unknown", allowed=", ".join(skus)
                    )

    def __iter__(self):
        return iter(self.promotions)

    def __len__(self) -> int:
        return len(self.promotions)


def calendar_from(value: Any, path: str) -> Calendar:
    """Normalise a promotion calendar: a list of promotions or a callable."""
    if isinstance(value, Calendar):
        return value
    if callable(value) and not isinstance(value, Mapping):
        return Calendar(fn=value)
    if isinstance(value, _Promo | Mapping):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ScenarioError(path, value, "err.type", expected=Phrase("type.promotions"))
    return Calendar(tuple(promotion_from(p, f"{path}[{i}]") for i, p in enumerate(value)))


@dataclass
class Effects:
    """Promotion effects on one hour, per SKU (arrays in catalogue order).

    ``price_factor`` multiplies the price; ``coupon_new_cny`` / ``coupon_ret_cny`` are the
    coupon values (0 if none) with their ``coupon_min_cny``; ``threshold_cny`` / ``off_cny``
    the 满减 rule (0 if none); ``bundle_*`` and ``gift_*`` as in the records;
    ``traffic_factor`` multiplies visits; ``flash`` marks SKUs under a capped flash sale.
    """

    price_factor: np.ndarray
    coupon_new_cny: np.ndarray
    coupon_ret_cny: np.ndarray
    coupon_min_cny: np.ndarray
    coupon_claim: np.ndarray
    threshold_cny: np.ndarray
    off_cny: np.ndarray
    bundle_size: np.ndarray
    bundle_discount: np.ndarray
    bundle_take: np.ndarray
    gift_cost_cny: np.ndarray
    gift_uplift: np.ndarray
    traffic_factor: np.ndarray
    flash: list[FlashSale | None]
    presale: list[PreSale | None]

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the flash-sale mask after ``flash`` changed."""
        self.flash_mask = np.array([f is not None for f in self.flash])
        self.has_flash = bool(self.flash_mask.any())


def effects(active: Iterable[_Promo], day: int, hour: int, skus: tuple[str, ...]) -> Effects:
    """Combine the promotions active at ``day``/``hour`` into per-SKU effects.

    Discounts of several % off promotions multiply; of several coupons or thresholds the
    most generous applies.
    """
    n = len(skus)
    e = Effects(
        price_factor=np.ones(n),
        coupon_new_cny=np.zeros(n),
        coupon_ret_cny=np.zeros(n),
        coupon_min_cny=np.zeros(n),
        coupon_claim=np.zeros(n),
        threshold_cny=np.zeros(n),
        off_cny=np.zeros(n),
        bundle_size=np.ones(n),
        bundle_discount=np.zeros(n),
        bundle_take=np.zeros(n),
        gift_cost_cny=np.zeros(n),
        gift_uplift=np.zeros(n),
        traffic_factor=np.ones(n),
        flash=[None] * n,
        presale=[None] * n,
    )
    for p in active:
        if not p.active(day, hour):
            continue
        mask = np.ones(n, bool) if not p.skus else np.isin(np.array(skus), p.skus)
        idx = np.nonzero(mask)[0]
        if isinstance(p, PercentOff):
            e.price_factor[mask] *= 1 - p.discount
        elif isinstance(p, FlashSale):
            e.traffic_factor[mask] *= p.traffic_boost
            for i in idx:
                e.flash[i] = p
        elif isinstance(p, Coupon):
            for target in (
                (e.coupon_new_cny,)
                if p.audience == "new"
                else (e.coupon_ret_cny,)
                if p.audience == "returning"
                else (e.coupon_new_cny, e.coupon_ret_cny)
            ):
                better = mask & (p.value_cny > target)
                target[better] = p.value_cny
                e.coupon_min_cny[better] = p.min_spend_cny
                e.coupon_claim[better] = p.claim_rate
        elif isinstance(p, Threshold):
            better = mask & (
                p.off_cny / p.threshold_cny
                > np.divide(e.off_cny, e.threshold_cny, out=np.zeros(n), where=e.threshold_cny > 0)
            )
            e.threshold_cny[better] = p.threshold_cny
            e.off_cny[better] = p.off_cny
        elif isinstance(p, Bundle):
            e.bundle_size[mask] = p.size
            e.bundle_discount[mask] = p.discount
            e.bundle_take[mask] = p.take_rate
        elif isinstance(p, Gift):
            e.gift_cost_cny[mask] += p.gift_cost_cny
            e.gift_uplift[mask] += p.uplift
        elif isinstance(p, PreSale):
            for i in idx:
                e.presale[i] = p
    e.refresh()
    return e
