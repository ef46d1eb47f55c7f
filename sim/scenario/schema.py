"""The records that make up a scenario: platform, market, catalogue, store, decisions.

Units are in the field names (``_cny`` yuan, ``_h`` hours, ``_days``, ``_min`` minutes,
``_rate`` a share between 0 and 1). A scenario is frozen; derive variants with
``scenario.replace(...)``. Figures taken from the real world live in ``data/`` with their
source; the defaults here are modelling assumptions, chosen to be plausible for a small
store and labelled as such in ``data/README.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError
from sim.i18n import Phrase
from sim.scenario.config import Config, spec

CHANNELS = ("search", "ads", "social", "livestream", "returning")
"""Traffic channels, in the order used by every per-channel array."""

MARKET_CHANNELS = ("search", "ads", "social", "livestream")
SKU_ROLES = ("traffic", "profit", "core")
EVENT_KINDS = (
    "supplier_delay",
    "review_wave",
    "rival_price_cut",
    "rule_change",
    "livestream_spike",
    "traffic_shock",
)


def _coerce_pricing(value: Any, path: str) -> Any:
    from sim import policies

    return policies.pricing_from(value, path)


def _coerce_reorder(value: Any, path: str) -> Any:
    from sim import policies

    return policies.reorder_from(value, path)


def _coerce_hourly(value: Any, path: str) -> Any:
    from sim import policies

    return policies.hourly_plan_from(value, path)


def _coerce_promotions(value: Any, path: str) -> Any:
    from sim.model import promotions

    return promotions.calendar_from(value, path)


# --------------------------------------------------------------------------- catalogue
@dataclass(frozen=True, kw_only=True)
class Sku(Config):
    """One stock-keeping unit of a store's catalogue."""

    sku: str = spec(doc="SKU code, e.g. 'TS-TEE-WHT-M'")
    name_zh: str = spec(doc="product name in Chinese")
    name_en: str = spec(doc="product name in English")
    role: str = spec("core", choices=SKU_ROLES, doc="product role: traffic / profit / core item")
    cost_cny: float = spec(gt=0, doc="landed unit cost, yuan")
    list_price_cny: float = spec(gt=0, doc="list price, yuan")
    reference_price_cny: float = spec(gt=0, doc="price shoppers expect for such an item, yuan")
    demand_weight: float = spec(
        1.0, gt=0, doc="relative share of the store's traffic landing on it"
    )
    listing_quality: float = spec(0.6, ge=0, le=1, doc="main image and detail page quality, 0-1")
    defect_rate: float = spec(0.01, ge=0, le=0.5, doc="share of units that arrive defective")
    return_rate: float = spec(0.05, ge=0, le=0.9, doc="share of orders returned without a defect")
    initial_stock: int = spec(200, ge=0, doc="units on hand at the start")
    lead_time_days: float = spec(5.0, gt=0, doc="mean supplier lead time, days")
    lead_time_cv: float = spec(0.3, ge=0, le=2, doc="coefficient of variation of the lead time")


@dataclass(frozen=True, kw_only=True)
class Catalogue(Config):
    """A store archetype: its category and SKUs."""

    slug: str = spec(doc="short name used in data/ and scenarios")
    name_zh: str = spec(doc="archetype name in Chinese")
    name_en: str = spec(doc="archetype name in English")
    price_elasticity: float = spec(
        1.8, gt=0, le=10, doc="own-price elasticity of demand (magnitude)"
    )
    extra_units_mean: float = spec(0.15, ge=0, le=5, doc="mean extra units per order beyond one")
    skus: tuple[Sku, ...] = spec(doc="the catalogue")

    def check(self) -> None:
        """Require at least one SKU and unique codes."""
        if not self.skus:
            raise ScenarioError("skus", self.skus, "err.ge", lo=1)
        codes = [s.sku for s in self.skus]
        for code in codes:
            if codes.count(code) > 1:
                raise ScenarioError("skus", code, "err.choice", choices="unique SKU codes")


# --------------------------------------------------------------------------- platform
@dataclass(frozen=True, kw_only=True)
class StoreType(Config):
    """A kind of store a platform allows (flagship, specialty, individual ...)."""

    name_zh: str = spec(doc="name in Chinese")
    name_en: str = spec(doc="name in English")
    trust: float = spec(1.0, gt=0, le=2, doc="conversion multiplier from shoppers' trust")
    commission_extra_rate: float = spec(0.0, ge=-0.1, le=0.2, doc="added to the commission rate")
    deposit_cny: float = spec(0.0, ge=0, doc="security deposit held by the platform, yuan")
    annual_fee_cny: float = spec(0.0, ge=0, doc="annual software/service fee, yuan")


@dataclass(frozen=True, kw_only=True)
class Platform(Config):
    """A marketplace profile: fees, traffic mix, shopper sensitivity and rules."""

    slug: str = spec(doc="short name")
    name_zh: str = spec(doc="name in Chinese")
    name_en: str = spec(doc="name in English")
    kind: str = spec(choices=("search", "self_operated", "social"), doc="marketplace type")
    commission_rate: float = spec(ge=0, le=0.3, doc="commission on paid revenue")
    payment_fee_rate: float = spec(ge=0, le=0.05, doc="payment processing fee on paid revenue")
    traffic_mix: dict[str, float] = spec(ge=0, doc="share of market visits by channel")
    conversion_multiplier: float = spec(
        1.0, gt=0, le=3, doc="how readily this platform's visitors buy"
    )
    price_sensitivity: float = spec(
        1.0, gt=0, le=3, doc="multiplies the category's price elasticity"
    )
    rating_weight: float = spec(4.0, ge=0, le=20, doc="exponent of the rating in search rank")
    ship_deadline_h: float = spec(48, gt=0, le=240, doc="ship within this many hours of payment")
    late_penalty_rate: float = spec(
        0.05, ge=0, le=1, doc="compensation per late order, share of its value"
    )
    late_penalty_min_cny: float = spec(5, ge=0, doc="minimum compensation per late order, yuan")
    late_penalty_max_cny: float = spec(30, ge=0, doc="maximum compensation per late order, yuan")
    oversell_penalty_rate: float = spec(
        0.3, ge=0, le=1, doc="compensation per cancelled oversold order"
    )
    oversell_penalty_min_cny: float = spec(5, ge=0, doc="minimum compensation per oversold order")
    oversell_penalty_max_cny: float = spec(500, ge=0, doc="maximum compensation per oversold order")
    settlement_days: float = spec(
        10, ge=0, le=60, doc="days after delivery until the money is paid out"
    )
    return_window_days: float = spec(7, ge=0, le=30, doc="no-reason return window, days")
    cpc_market_cny: float = spec(1.0, gt=0, doc="typical cost per ad click in the category, yuan")
    presale: bool = spec(True, doc="whether deposit pre-sales are offered")
    new_store_boost: float = spec(1.0, ge=1, le=5, doc="search traffic multiplier for a new store")
    new_store_boost_days: int = spec(0, ge=0, le=90, doc="days the new-store boost lasts")
    store_types: dict[str, StoreType] = spec(doc="store types this platform allows")

    def check(self) -> None:
        """Traffic mix covers the market channels and is positive."""
        for ch in self.traffic_mix:
            if ch not in MARKET_CHANNELS:
                raise ScenarioError(
                    f"traffic_mix.{ch}",
                    self.traffic_mix[ch],
                    "err.unknown_key",
                    allowed=", ".join(MARKET_CHANNELS),
                )
        if sum(self.traffic_mix.values()) <= 0:
            raise ScenarioError("traffic_mix", self.traffic_mix, "err.sum_positive")
        if not self.store_types:
            raise ScenarioError("store_types", self.store_types, "err.ge", lo=1)


@dataclass(frozen=True, kw_only=True)
class Carrier(Config):
    """A parcel carrier."""

    slug: str = spec(doc="short name")
    name_zh: str = spec(doc="name in Chinese")
    name_en: str = spec(doc="name in English")
    cost_per_parcel_cny: float = spec(gt=0, doc="price per parcel, yuan")
    transit_days_mean: float = spec(gt=0, le=30, doc="mean door-to-door transit, days")
    transit_days_sd: float = spec(0.5, ge=0, le=10, doc="standard deviation of transit, days")
    damage_rate: float = spec(0.002, ge=0, le=0.2, doc="share of parcels damaged in transit")


# --------------------------------------------------------------------------- market
@dataclass(frozen=True, kw_only=True)
class Shoppers(Config):
    """How shoppers move through the funnel (modelling assumptions)."""

    conversion_by_channel: dict[str, float] = spec(
        {"search": 0.03, "ads": 0.025, "social": 0.015, "livestream": 0.05, "returning": 0.07},
        ge=0,
        le=0.5,
        doc="order probability per visit at reference price, average listing, rating 4.8",
    )
    ctr_reference: float = spec(0.04, gt=0, le=1, doc="click-through of an average main image")
    reference_rating: float = spec(4.8, ge=1, le=5, doc="rating at which the rating factor is 1")
    rating_exponent: float = spec(
        6.0, ge=0, le=30, doc="conversion ~ (rating / reference)^exponent"
    )
    quality_exponent: float = spec(1.0, ge=0, le=5, doc="conversion ~ (0.5 + quality)^exponent")
    rival_weight: float = spec(
        0.5, ge=0, le=1, doc="weight of rivals' price in the price shoppers compare to"
    )
    discount_sensitivity: float = spec(
        0.6, ge=0, le=5, doc="extra conversion per unit of visible discount depth"
    )
    charm_uplift: float = spec(0.03, ge=0, le=0.3, doc="conversion uplift of a price ending in 9")
    cart_ratio: float = spec(3.0, ge=1, le=20, doc="add-to-cart probability / order probability")
    favourite_ratio: float = spec(1.5, ge=0, le=20, doc="favourite probability / order probability")
    bounce_rate: float = spec(0.45, ge=0, le=0.95, doc="share of visits that leave after one page")
    pages_per_engaged_visit: float = spec(
        3.0, ge=1, le=30, doc="mean pages viewed by a visit that stays"
    )
    pay_rate: float = spec(0.92, gt=0, le=1, doc="share of orders that are paid")
    threshold_reach: float = spec(
        0.5, ge=0, le=1, doc="chance a shopper tops up to a 满减 threshold at gap 0"
    )
    threshold_gap_scale: float = spec(
        0.5, gt=0, le=5, doc="gap (in item prices) at which top-ups fall by 1/e"
    )
    pull_forward_share: float = spec(
        0.3, ge=0, le=1, doc="share of promotion uplift borrowed from later days"
    )
    dip_strength: float = spec(
        0.5, ge=0, le=0.95, doc="at most this share of normal demand is repaid per hour"
    )
    revisit_rate_per_day: float = spec(
        0.01, ge=0, le=1, doc="share of past customers who visit per day"
    )
    new_share_of_market_visits: float = spec(
        0.95, ge=0, le=1, doc="share of non-returning visits from new shoppers"
    )


@dataclass(frozen=True, kw_only=True)
class Service(Config):
    """Inquiries and how their handling feeds back (modelling assumptions)."""

    presale_inquiry_rate: float = spec(
        0.03, ge=0, le=0.5, doc="share of visits that ask a question first"
    )
    aftersale_inquiry_rate: float = spec(
        0.1, ge=0, le=2, doc="after-sale inquiries per delivered order"
    )
    concurrency: int = spec(3, ge=1, le=10, doc="chats one agent handles at once")
    handle_min_mean: float = spec(
        6.0, gt=0, le=120, doc="mean time a chat holds an agent slot, minutes"
    )
    patience_min_mean: float = spec(
        8.0, gt=0, le=600, doc="mean time a shopper waits for a first reply"
    )
    inquiry_conversion: float = spec(
        0.35, ge=0, le=1, doc="purchase probability of an inquirer answered at once"
    )
    response_decay_min: float = spec(
        10.0, gt=0, doc="inquiry conversion falls by 1/e per this wait, minutes"
    )
    abandoned_conversion: float = spec(
        0.05, ge=0, le=1, doc="purchase probability of an inquirer who gave up"
    )


@dataclass(frozen=True, kw_only=True)
class Reviews(Config):
    """Ratings, reviews and returns (modelling assumptions)."""

    review_rate: float = spec(0.3, ge=0, le=1, doc="share of delivered orders that leave a rating")
    base_stars: float = spec(4.85, ge=1, le=5, doc="mean stars of a smooth, on-time order")
    late_star_penalty_per_day: float = spec(
        0.25, ge=0, le=5, doc="stars lost per day of delivery beyond 3"
    )
    defect_stars: float = spec(1.5, ge=1, le=5, doc="mean stars of a defective or damaged item")
    service_star_penalty: float = spec(
        1.0, ge=0, le=4, doc="stars lost when an after-sale question went unanswered"
    )
    rating_memory: float = spec(
        300, ge=1, doc="effective number of recent reviews in the store rating"
    )
    price_value_stars: float = spec(
        0.5, ge=0, le=3, doc="stars gained per 100 % price below reference"
    )


@dataclass(frozen=True, kw_only=True)
class Rival(Config):
    """The rest of the market's price for each SKU (a mean-reverting process)."""

    price_ratio_mean: float = spec(1.0, gt=0, le=3, doc="rival price / reference price, long-run")
    volatility: float = spec(0.02, ge=0, le=0.5, doc="daily standard deviation of log price")
    reversion: float = spec(0.2, ge=0, le=1, doc="share of the gap to the mean closed per day")
    react_prob: float = spec(0.0, ge=0, le=1, doc="daily chance the rival matches an undercut")
    undercut_trigger: float = spec(
        0.05, ge=0, le=0.9, doc="our price below theirs by this share triggers it"
    )
    floor_ratio: float = spec(
        0.6,
        gt=0,
        le=1,
        doc="the rival's own moves stay above this share of reference (a price cut goes below)",
    )


@dataclass(frozen=True, kw_only=True)
class Market(Config):
    """The niche the store sells in on the platform: traffic, rivals, shopper behaviour."""

    visits_per_day: float = spec(
        gt=0, doc="market visits per day to listings like ours (all stores)"
    )
    outside_score: float = spec(
        3.0, ge=0, doc="strength of the rest of the market in search (1 = one average store)"
    )
    hour_profile: tuple[float, ...] = spec(doc="24 relative weights of traffic by hour of day")
    weekday_profile: tuple[float, ...] = spec(doc="7 relative weights, Monday first")
    velocity_exponent: float = spec(
        0.5, ge=0, le=3, doc="search score ~ (sales velocity / reference)^this"
    )
    conversion_exponent: float = spec(
        0.5, ge=0, le=3, doc="search score ~ (conversion / reference)^this"
    )
    reference_daily_units: float = spec(50, gt=0, doc="daily units of an average store (score 1)")
    rank_memory_days: float = spec(
        7, gt=0, le=60, doc="sales velocity is averaged over about this many days"
    )
    livestream_spike_sd: float = spec(0.6, ge=0, le=3, doc="log-sd of a live session's audience")
    rival: Rival = spec({}, doc="rival price process")
    shoppers: Shoppers = spec({}, doc="funnel behaviour")
    service: Service = spec({}, doc="inquiries and response")
    reviews: Reviews = spec({}, doc="ratings and returns")

    def check(self) -> None:
        """Profiles must have the right length and a positive total."""
        for name, n in (("hour_profile", 24), ("weekday_profile", 7)):
            prof = getattr(self, name)
            if len(prof) != n:
                raise ScenarioError(name, prof, "err.length", n=n)
            if min(prof) < 0:
                raise ScenarioError(name, prof, "err.ge", lo=0)
            if sum(prof) <= 0:
                raise ScenarioError(name, prof, "err.sum_positive")


@dataclass(frozen=True, kw_only=True)
class Festival(Config):
    """A shopping festival: traffic and conversion multipliers by day."""

    slug: str = spec(doc="short name")
    name_zh: str = spec(doc="name in Chinese")
    name_en: str = spec(doc="name in English")
    start: str = spec(doc="first day, MM-DD")
    traffic_multiplier: tuple[float, ...] = spec(
        gt=0, le=50, doc="traffic multiplier for each day from start"
    )
    conversion_multiplier: tuple[float, ...] = spec(
        gt=0, le=5, doc="conversion multiplier for each day"
    )
    pre_dip_days: int = spec(0, ge=0, le=30, doc="days before start when shoppers hold back")
    pre_dip: float = spec(1.0, gt=0, le=1, doc="conversion multiplier during those days")
    post_dip_days: int = spec(0, ge=0, le=30, doc="days after the end when demand is low")
    post_dip: float = spec(1.0, gt=0, le=1, doc="conversion multiplier during those days")

    def check(self) -> None:
        """Both multiplier lists cover the same days and the start date parses."""
        _month_day(self.start, "start")
        if (
            len(self.traffic_multiplier) != len(self.conversion_multiplier)
            or not self.traffic_multiplier
        ):
            raise ScenarioError(
                "conversion_multiplier",
                self.conversion_multiplier,
                "err.length",
                n=len(self.traffic_multiplier),
            )


def _month_day(text: str, path: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in text.split("-"))
        dt.date(2024, month, day)
    except (ValueError, TypeError):
        raise ScenarioError(path, text, "err.type", expected=Phrase("type.date_md")) from None
    return month, day


# --------------------------------------------------------------------------- decisions
@dataclass(frozen=True, kw_only=True)
class Ads(Config):
    """Paid search ads (直通车-style): bid per click and daily budget."""

    cpc_bid_cny: float = spec(0.0, ge=0, le=100, doc="bid per click, yuan")
    daily_budget_cny: float = spec(0.0, ge=0, doc="spend cap per day, yuan")


@dataclass(frozen=True, kw_only=True)
class Decisions(Config):
    """Everything the store's people decide; can change between steps of a run."""

    pricing: Any = spec("list", coerce=_coerce_pricing, doc="pricing policy")
    promotions: Any = spec((), coerce=_coerce_promotions, doc="promotion calendar")
    ads: Ads = spec({}, doc="ad bid and budget")
    reorder: Any = spec(
        {"kind": "sS", "s_days": 7, "S_days": 21}, coerce=_coerce_reorder, doc="reorder policy"
    )
    agents: Any = spec(
        (0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1),
        coerce=_coerce_hourly,
        doc="customer-service agents on duty by hour of day",
    )
    packers: Any = spec(
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0),
        coerce=_coerce_hourly,
        doc="packers on duty by hour of day",
    )
    pack_rate_per_h: float = spec(
        25, gt=0, le=500, doc="orders one packer picks and packs per hour"
    )
    cut_off_hour: int = spec(
        16, ge=0, le=23, doc="carrier pickup; orders packed by then ship that day"
    )
    carrier_mix: dict[str, float] = spec({"zto": 1.0}, ge=0, doc="share of parcels per carrier")
    listing_quality: dict[str, float] = spec({}, ge=0, le=1, doc="listing quality overrides by SKU")
    active_skus: tuple[str, ...] = spec((), doc="SKUs on sale (empty: all)")
    livestream_hours: tuple[int, ...] = spec(
        (), ge=0, le=23, doc="hours of day the store streams live"
    )

    def check(self) -> None:
        """Carrier mix must be positive."""
        if self.carrier_mix and sum(self.carrier_mix.values()) <= 0:
            raise ScenarioError("carrier_mix", self.carrier_mix, "err.sum_positive")


@dataclass(frozen=True, kw_only=True)
class Store(Config):
    """One store: what it sells, where it starts, what its people decide."""

    name: str = spec("store", doc="name shown in tables and leaderboards")
    catalogue: Catalogue = spec(doc="store archetype and SKUs")
    store_type: str = spec(doc="one of the platform's store types")
    initial_cash_cny: float = spec(200_000, doc="cash at the start, yuan")
    initial_rating: float = spec(4.8, ge=1, le=5, doc="store rating at the start")
    initial_customers: int = spec(2000, ge=0, doc="past customers who may come back")
    initial_rank_score: float = spec(
        1.0, gt=0, le=50, doc="search score at the start (1 = average store)"
    )
    new_store: bool = spec(False, doc="gets the platform's new-store boost")
    agent_wage_cny_per_h: float = spec(25, ge=0, doc="cost of one service agent per hour")
    packer_wage_cny_per_h: float = spec(22, ge=0, doc="cost of one packer per hour")
    holding_rate_per_year: float = spec(
        0.25, ge=0, le=2, doc="holding cost per year as a share of unit cost"
    )
    overhead_cny_per_day: float = spec(
        0.0, ge=0, doc="fixed costs per day: office, salaried staff, software"
    )
    other_channel_share: float = spec(
        0.0, ge=0, le=0.9, doc="share of stock sold through other channels"
    )
    stock_sync_delay_h: int = spec(
        0, ge=0, le=48, doc="hours between stock syncs with other channels"
    )
    decisions: Decisions = spec({}, doc="prices, promotions, ads, reorders, staff, carriers")

    @property
    def sku_codes(self) -> tuple[str, ...]:
        """SKU codes in catalogue order."""
        return tuple(s.sku for s in self.catalogue.skus)


@dataclass(frozen=True, kw_only=True)
class Event(Config):
    """A scripted event that strikes during a run."""

    day: int = spec(ge=1, doc="day it strikes (1 = first day)")
    kind: str = spec(choices=EVENT_KINDS, doc="what happens")
    days: int = spec(1, ge=1, le=365, doc="how many days it lasts")
    magnitude: float = spec(
        1.0, ge=0, doc="size: extra days, reviews per day, price factor, multiplier or value"
    )
    field: str = spec("", doc="for rule_change: the platform field that changes")
    store: str = spec("", doc="store it hits (empty: every store)")
    note_zh: str = spec("", doc="what the trainee is told, Chinese")
    note_en: str = spec("", doc="what the trainee is told, English")


# --------------------------------------------------------------------------- scenario
@dataclass(frozen=True, kw_only=True)
class Scenario(Config):
    """A complete, validated simulation setup; frozen, derive variants with ``replace``."""

    slug: str = spec("custom", doc="short name")
    title_zh: str = spec("自定义场景", doc="title in Chinese")
    title_en: str = spec("Custom scenario", doc="title in English")
    description_zh: str = spec("", doc="what the scenario is about, Chinese")
    description_en: str = spec("", doc="what the scenario is about, English")
    days: int = spec(30, ge=1, le=730, doc="length of the run, days")
    start_date: str = spec("2026-03-02", doc="calendar date of day 1, YYYY-MM-DD")
    platform: Platform = spec(doc="marketplace profile")
    market: Market = spec(doc="traffic, rivals and shopper behaviour")
    carriers: tuple[Carrier, ...] = spec(doc="carriers available")
    festivals: tuple[Festival, ...] = spec((), doc="festival calendar")
    stores: tuple[Store, ...] = spec(doc="one store, or several sharing the market")
    events: tuple[Event, ...] = spec((), doc="scripted events")

    def __post_init__(self) -> None:
        try:
            super().__post_init__()
        except ScenarioError as err:
            # a single store is "store" whether it came as keyword arguments or from a file
            stores = self.stores
            if (
                err.field.startswith("stores[0]")
                and isinstance(stores, tuple | list)
                and len(stores) == 1
            ):
                raise ScenarioError(
                    "store" + err.field[len("stores[0]") :], err.value, err.key, err.fmt
                ) from None
            raise

    def check(self) -> None:
        """Cross-record checks: dates, store types, SKUs, carriers, days."""
        try:
            dt.date.fromisoformat(self.start_date)
        except ValueError:
            raise ScenarioError(
                "start_date", self.start_date, "err.type", expected=Phrase("type.date_ymd")
            ) from None
        if not self.stores:
            raise ScenarioError("stores", self.stores, "err.ge", lo=1)
        n_skus = len(self.stores[0].catalogue.skus)
        carriers = {c.slug for c in self.carriers}
        names = [s.name for s in self.stores]
        for i, store in enumerate(self.stores):
            path = f"stores[{i}]" if len(self.stores) > 1 else "store"
            if names.count(store.name) > 1:
                raise ScenarioError(
                    f"{path}.name", store.name, "err.choice", choices="unique store names"
                )
            if len(store.catalogue.skus) != n_skus:
                raise ScenarioError(
                    f"{path}.catalogue.skus",
                    len(store.catalogue.skus),
                    "err.stores_mismatch",
                    n=n_skus,
                )
            if store.store_type not in self.platform.store_types:
                raise ScenarioError(
                    f"{path}.store_type",
                    store.store_type,
                    "err.choice",
                    choices=", ".join(self.platform.store_types),
                )
            _check_decisions(store, store.decisions, self, f"{path}.decisions", carriers)
        for j, ev in enumerate(self.events):
            if ev.store and ev.store not in names:
                raise ScenarioError(
                    f"events[{j}].store", ev.store, "err.choice", choices=", ".join(names)
                )
            if ev.kind == "rule_change" and ev.field not in Platform.describe():
                raise ScenarioError(
                    f"events[{j}].field",
                    ev.field,
                    "err.choice",
                    choices=", ".join(Platform.describe()),
                )

    @property
    def store(self) -> Store:
        """The store of a single-store scenario."""
        if len(self.stores) != 1:
            raise ScenarioError("store", len(self.stores), "err.multi_store")
        return self.stores[0]

    @property
    def decisions(self) -> Decisions:
        """Decisions of the single store."""
        return self.store.decisions

    def replace(self, **changes: Any) -> Scenario:
        """Return a variant; ``store__...`` reaches into the single store.

        Examples
        --------
        >>> s = load_scenario("ordinary-month")                       # doctest: +SKIP
        >>> s.replace(days=14, store__decisions__ads__cpc_bid_cny=1.2)  # doctest: +SKIP
        """
        store_changes = {
            k[len("store__") :]: v for k, v in changes.items() if k.startswith("store__")
        }
        rest = {k: v for k, v in changes.items() if not k.startswith("store__")}
        for key in [k for k in rest if k.startswith("stores__")]:
            _, index, field = key.split("__", 2)
            i = int(index)
            stores = list(rest.get("stores", self.stores))
            try:
                stores[i] = stores[i].replace(**{field: rest.pop(key)})
            except ScenarioError as err:
                raise err.within(f"stores[{i}]") from None
            rest["stores"] = tuple(stores)
        if store_changes:
            try:
                rest["stores"] = (self.store.replace(**store_changes),)
            except ScenarioError as err:
                raise err.within("store") from None
        return Config.replace(self, **rest)

    def with_decisions(self, store: int = 0, **changes: Any) -> Scenario:
        """Return a variant with the decisions of store ``store`` changed."""
        stores = list(self.stores)
        try:
            stores[store] = stores[store].replace(
                decisions=stores[store].decisions.replace(**changes)
            )
        except ScenarioError as err:
            raise err.within(
                "store.decisions" if len(stores) == 1 else f"stores[{store}].decisions"
            ) from None
        return Config.replace(self, stores=tuple(stores))

    @property
    def start(self) -> dt.date:
        """Calendar date of day 1."""
        return dt.date.fromisoformat(self.start_date)


def _check_decisions(
    store: Store, d: Decisions, sc: Scenario, path: str, carriers: set[str]
) -> None:
    codes = store.sku_codes
    for carrier in d.carrier_mix:
        if carrier not in carriers:
            raise ScenarioError(
                f"{path}.carrier_mix.{carrier}",
                d.carrier_mix[carrier],
                "err.unknown_ref",
                kind="carrier",
                allowed=", ".join(sorted(carriers)),
            )
    for sku in list(d.listing_quality) + list(d.active_skus):
        if sku not in codes:
            raise ScenarioError(f"{path}", sku, "err.sku_unknown", allowed=", ".join(codes))
    check = getattr(d.promotions, "check_against", None)
    if check is not None:
        check(codes, sc.days, f"{path}.promotions")
    rcheck = getattr(d.reorder, "check_against", None)
    if rcheck is not None:
        rcheck(codes, f"{path}.reorder")


PolicyFn = Callable[..., Any]
