"""Decision policies a trainee can write: pricing, reordering, staffing plans.

A policy is a plain callable, or one of the small classes here. The model calls

* a **pricing policy** once a day as ``policy(view) -> prices`` (one price per SKU, in
  catalogue order, or a ``{sku: price}`` mapping), where ``view`` is a :class:`PriceView`;
* a **reorder policy** at its review times as ``policy(view) -> quantities`` (units to
  order per SKU), where ``view`` is an :class:`InventoryView`; a plain function is
  reviewed daily, the classes say their own review period;
* a **staffing plan** (agents or packers) as ``plan(day, hour) -> people``; a whole number,
  a list of 24 numbers (by hour of day) or a mapping of shifts ``{"8-16": 3}`` also work.

Textbook policies: (s, Q) and (s, S) continuous review and (R, S) periodic review, with
levels in units or in days of forecast demand (Silver, Pyke & Thomas, *Inventory and
Production Management in Supply Chains*, 4th ed., ch. 6-7).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.i18n import Phrase


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class PriceView:
    """What a pricing policy sees at the start of a day (arrays in catalogue order).

    Attributes
    ----------
    day : int
        Day number, 1 = first day.
    skus : tuple of str
        SKU codes.
    cost_cny, list_price_cny, reference_price_cny, rival_price_cny, price_cny : ndarray
        Unit cost, list price, market reference price, the rival's current price and
        yesterday's own price, yuan.
    on_hand : ndarray
        Units in stock.
    units_7d : ndarray
        Units sold over the last 7 days.
    rating : float
        Store rating, 1-5.
    """

    day: int
    skus: tuple[str, ...]
    cost_cny: np.ndarray
    list_price_cny: np.ndarray
    reference_price_cny: np.ndarray
    rival_price_cny: np.ndarray
    price_cny: np.ndarray
    on_hand: np.ndarray
    units_7d: np.ndarray
    rating: float


@dataclass(frozen=True)
class InventoryView:
    """What a reorder policy sees at a review (arrays in catalogue order).

    Attributes
    ----------
    day, hour : int
        Day number (1 = first) and hour of day.
    skus : tuple of str
        SKU codes.
    on_hand, on_order, inventory_position : ndarray
        Units in stock, units ordered but not received, and their sum.
    demand_per_day, demand_sd_per_day : ndarray
        Forecast of daily demand (units asked for, including lost sales) and its
        standard deviation, from an exponentially weighted history.
    lead_time_days, lead_time_sd_days : ndarray
        Mean and standard deviation of the supplier lead time.
    cost_cny : ndarray
        Unit cost, yuan.
    """

    day: int
    hour: int
    skus: tuple[str, ...]
    on_hand: np.ndarray
    on_order: np.ndarray
    inventory_position: np.ndarray
    demand_per_day: np.ndarray
    demand_sd_per_day: np.ndarray
    lead_time_days: np.ndarray
    lead_time_sd_days: np.ndarray
    cost_cny: np.ndarray


# --------------------------------------------------------------------------- pricing
@dataclass(frozen=True)
class ListPrice:
    """Sell at the catalogue's list price."""

    def __call__(self, view: PriceView) -> np.ndarray:
        """Return list prices."""
        return view.list_price_cny


@dataclass(frozen=True)
class FixedPrices:
    """Fixed prices for some SKUs (yuan); the rest at list price."""

    prices: Mapping[str, float]

    def __call__(self, view: PriceView) -> np.ndarray:
        """Return the fixed prices."""
        out = view.list_price_cny.copy()
        for i, code in enumerate(view.skus):
            if code in self.prices:
                out[i] = self.prices[code]
        return out


@dataclass(frozen=True)
class CostPlus:
    """Price = unit cost x (1 + markup)."""

    markup: float = 0.6

    def __call__(self, view: PriceView) -> np.ndarray:
        """Return cost-plus prices."""
        return view.cost_cny * (1 + self.markup)


@dataclass(frozen=True)
class Competitive:
    """Price = rival's price x ratio, never below cost x (1 + min_markup)."""

    ratio: float = 0.98
    min_markup: float = 0.1

    def __call__(self, view: PriceView) -> np.ndarray:
        """Return prices that follow the rival."""
        return np.maximum(view.rival_price_cny * self.ratio, view.cost_cny * (1 + self.min_markup))


def charm(prices: np.ndarray | float) -> np.ndarray:
    """Round prices down to a charm ending: 199 for 200+, 39.9 below 100, 9.9 below 10."""
    p = np.asarray(prices, dtype=float)
    big = np.floor((p + 1e-9) / 10) * 10 - 1
    small = np.floor(p + 1e-9) - 0.1
    out = np.where(p >= 100, big, small)
    return np.round(np.maximum(out, 0.9), 2)


@dataclass(frozen=True)
class Charm:
    """Apply a charm ending (e.g. 199, 39.9) to the prices of another policy."""

    base: Any = field(default_factory=ListPrice)

    def __call__(self, view: PriceView) -> np.ndarray:
        """Return the base policy's prices with charm endings."""
        return charm(_prices_array(self.base(view), view, "pricing"))


@dataclass(frozen=True)
class Dynamic:
    """Move price each day toward a target stock cover.

    Price rises by ``step`` when stock covers fewer than ``target_cover_days`` of recent
    sales, falls by ``step`` when it covers more than twice that, within
    ``[floor_ratio, ceiling_ratio]`` x list price.
    """

    target_cover_days: float = 14
    step: float = 0.03
    floor_ratio: float = 0.8
    ceiling_ratio: float = 1.2

    def __call__(self, view: PriceView) -> np.ndarray:
        """Return adjusted prices."""
        daily = np.maximum(view.units_7d / 7, 0.1)
        cover = view.on_hand / daily
        price = view.price_cny.copy()
        price = np.where(cover < self.target_cover_days, price * (1 + self.step), price)
        price = np.where(cover > 2 * self.target_cover_days, price * (1 - self.step), price)
        return np.clip(
            price, view.list_price_cny * self.floor_ratio, view.list_price_cny * self.ceiling_ratio
        )


_PRICING = {
    "list": ListPrice,
    "fixed": FixedPrices,
    "cost_plus": CostPlus,
    "competitive": Competitive,
    "charm": Charm,
    "dynamic": Dynamic,
}


def pricing_from(value: Any, path: str) -> Callable[[PriceView], Any]:
    """Build a pricing policy from a name, a ``{"kind": ...}`` table or a callable."""
    return _policy_from(value, path, _PRICING)


def _prices_array(result: Any, view: PriceView, what: str) -> np.ndarray:
    n = len(view.skus)
    if isinstance(result, Mapping):
        out = view.price_cny.copy()
        for code, price in result.items():
            if code not in view.skus:
                raise ScenarioError(what, code, "err.sku_unknown", allowed=", ".join(view.skus))
            out[view.skus.index(code)] = price
        result = out
    try:
        arr = np.broadcast_to(np.asarray(result, dtype=float), (n,)).copy()
    except (TypeError, ValueError):
        raise ScenarioError(what, result, "err.policy", detail=f"expected {n} prices") from None
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ScenarioError(what, result, "err.price_below_zero")
    return arr


def check_prices(result: Any, view: PriceView) -> np.ndarray:
    """Validate a pricing policy's answer and return one price per SKU, in cents."""
    return np.round(_prices_array(result, view, "pricing"), 2)


# --------------------------------------------------------------------------- reorder
def _per_sku(
    value: float | Mapping[str, float] | None, skus: tuple[str, ...], path: str
) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in skus]
        if unknown:
            raise ScenarioError(path, unknown[0], "err.sku_unknown", allowed=", ".join(skus))
        missing = [k for k in skus if k not in value]
        if missing:
            raise ScenarioError(path, missing[0], "err.missing")
        return np.array([float(value[k]) for k in skus])
    return np.full(len(skus), float(value))


class _LevelPolicy:
    """Shared level logic: levels in units or in days of forecast demand."""

    review_every_h: int = 1
    _levels: tuple[str, ...] = ()

    def check_against(self, skus: tuple[str, ...], path: str) -> None:
        """Check per-SKU level tables against the catalogue and s < S."""
        for name in self._levels:
            for suffix in ("", "_days"):
                value = getattr(self, name + suffix, None)
                _per_sku(value, skus, f"{path}.{name}{suffix}")
                if value is not None and np.any(_per_sku(value, skus, path) < 0):
                    raise ScenarioError(f"{path}.{name}{suffix}", value, "err.ge", lo=0)

    def _level(self, name: str, view: InventoryView) -> np.ndarray:
        units = _per_sku(getattr(self, name), view.skus, name)
        if units is not None:
            return units
        days = _per_sku(getattr(self, name + "_days"), view.skus, name)
        return days * view.demand_per_day

    @staticmethod
    def _one_of(obj: Any, name: str, path: str) -> None:
        units, days = getattr(obj, name), getattr(obj, name + "_days")
        if (units is None) == (days is None):
            raise ScenarioError(
                f"{path}.{name}", units, "err.type", expected=Phrase("type.one_of", name=name)
            )


@dataclass(frozen=True)
class SQ(_LevelPolicy):
    """(s, Q): when inventory position falls to s or below, order Q (continuous review)."""

    s: float | Mapping[str, float] | None = None
    Q: float | Mapping[str, float] | None = None
    s_days: float | Mapping[str, float] | None = None
    Q_days: float | Mapping[str, float] | None = None
    review_every_h: int = 1
    _levels = ("s", "Q")

    def __post_init__(self) -> None:
        self._one_of(self, "s", "reorder")
        self._one_of(self, "Q", "reorder")

    def reorder_point(self, view: InventoryView) -> np.ndarray:
        """Inventory position at or below which the policy orders (lets the model skip reviews)."""
        return self._level("s", view)

    def __call__(self, view: InventoryView) -> np.ndarray:
        """Order Q (enough multiples of Q to rise above s) where position <= s."""
        s, q = self._level("s", view), np.maximum(self._level("Q", view), 1)
        gap = s - view.inventory_position
        n = np.where(gap >= 0, np.floor(gap / q) + 1, 0)
        return n * q


@dataclass(frozen=True)
class SS(_LevelPolicy):
    """(s, S): when inventory position falls to s or below, order up to S (continuous review)."""

    s: float | Mapping[str, float] | None = None
    S: float | Mapping[str, float] | None = None
    s_days: float | Mapping[str, float] | None = None
    S_days: float | Mapping[str, float] | None = None
    review_every_h: int = 1
    _levels = ("s", "S")

    def __post_init__(self) -> None:
        self._one_of(self, "s", "reorder")
        self._one_of(self, "S", "reorder")
        for a, b in (("s", "S"), ("s_days", "S_days")):
            lo, hi = getattr(self, a), getattr(self, b)
            if isinstance(lo, int | float) and isinstance(hi, int | float) and lo >= hi:
                raise ScenarioError(f"reorder.{a}", lo, "err.reorder_point", S=hi)

    def check_against(self, skus: tuple[str, ...], path: str) -> None:
        """Also check s < S per SKU."""
        super().check_against(skus, path)
        for a, b in (("s", "S"), ("s_days", "S_days")):
            lo, hi = _per_sku(getattr(self, a), skus, path), _per_sku(getattr(self, b), skus, path)
            if lo is not None and hi is not None:
                bad = np.nonzero(lo >= hi)[0]
                if len(bad):
                    i = int(bad[0])
                    raise ScenarioError(
                        f"{path}.{a}[{skus[i]}]", lo[i], "err.reorder_point", S=hi[i]
                    )

    def reorder_point(self, view: InventoryView) -> np.ndarray:
        """Inventory position at or below which the policy orders (lets the model skip reviews)."""
        return self._level("s", view)

    def __call__(self, view: InventoryView) -> np.ndarray:
        """Order up to S where position <= s."""
        s, big_s = self._level("s", view), self._level("S", view)
        return np.where(
            view.inventory_position <= s, np.maximum(big_s - view.inventory_position, 0), 0
        )


@dataclass(frozen=True)
class Periodic(_LevelPolicy):
    """(R, S): every ``review_days`` days, order up to S."""

    S: float | Mapping[str, float] | None = None
    S_days: float | Mapping[str, float] | None = None
    review_days: int = 7
    _levels = ("S",)

    def __post_init__(self) -> None:
        self._one_of(self, "S", "reorder")
        if not isinstance(self.review_days, int) or self.review_days < 1:
            raise ScenarioError("reorder.review_days", self.review_days, "err.positive_int")

    @property
    def review_every_h(self) -> int:  # type: ignore[override]
        """Review period in hours."""
        return 24 * self.review_days

    def __call__(self, view: InventoryView) -> np.ndarray:
        """Order up to S."""
        return np.maximum(self._level("S", view) - view.inventory_position, 0)


@dataclass(frozen=True)
class NoReorder:
    """Never reorder (sell what is on hand)."""

    review_every_h: int = 24

    def __call__(self, view: InventoryView) -> np.ndarray:
        """Order nothing."""
        return np.zeros(len(view.skus))


@dataclass(frozen=True)
class ServiceLevel:
    """(s, S) with the reorder point set from lead-time demand and a service target.

    ``s = d L + z sqrt(L sd_d^2 + d^2 sd_L^2)`` (demand over the lead time plus safety stock
    for a cycle service level with normal quantile ``z``; 1.65 is about 95 %), and
    ``S = s + cover_days x d``. ``d`` and ``sd_d`` are the forecast daily demand and its
    standard deviation, ``L`` and ``sd_L`` the lead time's mean and standard deviation
    (Silver, Pyke & Thomas, ch. 6). Reviewed continuously.
    """

    z: float = 1.65
    cover_days: float = 14
    review_every_h: int = 1

    def reorder_point(self, view: InventoryView) -> np.ndarray:
        """Lead-time demand plus safety stock, per SKU."""
        d, sd = view.demand_per_day, view.demand_sd_per_day
        lead, sd_lead = view.lead_time_days, view.lead_time_sd_days
        return d * lead + self.z * np.sqrt(lead * sd**2 + d**2 * sd_lead**2)

    def __call__(self, view: InventoryView) -> np.ndarray:
        """Order up to S where the position is at or below s."""
        s = self.reorder_point(view)
        big_s = s + self.cover_days * view.demand_per_day
        gap = np.maximum(big_s - view.inventory_position, 0)
        return np.where(view.inventory_position <= s, gap, 0)


_REORDER = {
    "sQ": SQ,
    "sS": SS,
    "periodic": Periodic,
    "service_level": ServiceLevel,
    "none": NoReorder,
}


def reorder_from(value: Any, path: str) -> Callable[[InventoryView], Any]:
    """Build a reorder policy from a ``{"kind": ...}`` table, a name or a callable."""
    return _policy_from(value, path, _REORDER)


def check_quantities(result: Any, view: InventoryView) -> np.ndarray:
    """Validate a reorder policy's answer: whole, non-negative units per SKU."""
    n = len(view.skus)
    if isinstance(result, Mapping):
        out = np.zeros(n)
        for code, q in result.items():
            if code not in view.skus:
                raise ScenarioError(
                    "reorder", code, "err.sku_unknown", allowed=", ".join(view.skus)
                )
            out[view.skus.index(code)] = q
        result = out
    try:
        arr = np.broadcast_to(np.asarray(result, dtype=float), (n,)).copy()
    except (TypeError, ValueError):
        raise ScenarioError(
            "reorder", result, "err.policy", detail=f"expected {n} quantities"
        ) from None
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ScenarioError("reorder", result, "err.policy", detail="quantities must be >= 0")
    return np.ceil(arr - 1e-9).astype(np.int64)


# --------------------------------------------------------------------------- staffing
@dataclass(frozen=True)
class CallablePlan:
    """A staffing plan given as ``plan(day, hour) -> people``."""

    fn: Callable[[int, int], int]

    def at(self, day: int, hour: int) -> int:
        """People on duty on ``day`` (1 = first) at ``hour``."""
        value = self.fn(day, hour)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer | float)
            or value < 0
            or (isinstance(value, float) and not value.is_integer())
        ):
            raise ScenarioError(
                "staffing", value, "err.policy", detail="people on duty must be a whole number >= 0"
            )
        return int(value)


def hourly_plan_from(value: Any, path: str) -> tuple[int, ...] | CallablePlan:
    """Normalise a staffing plan: a number, 24 numbers, ``{"8-16": 3}`` shifts or a callable."""
    if isinstance(value, CallablePlan):
        return value
    if callable(value):
        return CallablePlan(value)
    if isinstance(value, bool):
        raise ScenarioError(path, value, "err.type", expected=Phrase("type.plan"))
    if isinstance(value, int | float):
        value = [value] * 24
    if isinstance(value, Mapping):
        hours = [0] * 24
        for key, people in value.items():
            try:
                start, end = (int(x) for x in str(key).split("-"))
                if not (0 <= start < end <= 24):
                    raise ValueError
            except ValueError:
                raise ScenarioError(
                    f"{path}.{key}", people, "err.type", expected=Phrase("type.shift")
                ) from None
            for h in range(start, end):
                hours[h] += people
        value = hours
    if not isinstance(value, list | tuple) or len(value) != 24:
        raise ScenarioError(path, value, "err.length", n=24)
    out = []
    for h, v in enumerate(value):
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or v < 0
            or not float(v).is_integer()
        ):
            raise ScenarioError(f"{path}[{h}]", v, "err.positive_int")
        out.append(int(v))
    return tuple(out)


def plan_at(plan: tuple[int, ...] | CallablePlan, day: int, hour: int) -> int:
    """People on duty under ``plan`` on ``day`` at ``hour``."""
    return plan.at(day, hour) if isinstance(plan, CallablePlan) else plan[hour]


def shifts(**people: int) -> tuple[int, ...]:
    """Build a 24-hour plan from named shifts.

    ``morning`` 8-16, ``evening`` 16-24, ``night`` 0-8, ``day`` 9-18.

    Examples
    --------
    >>> shifts(morning=3, evening=2)[8], shifts(morning=3, evening=2)[20]
    (3, 2)
    """
    spans = {"night": (0, 8), "morning": (8, 16), "evening": (16, 24), "day": (9, 18)}
    hours = [0] * 24
    for name, n in people.items():
        if name not in spans:
            raise ScenarioError(f"shifts.{name}", n, "err.choice", choices=", ".join(spans))
        a, b = spans[name]
        for h in range(a, b):
            hours[h] += n
    return tuple(hours)


# --------------------------------------------------------------------------- shared
def _policy_from(value: Any, path: str, table: dict[str, type]) -> Any:
    if isinstance(value, str):
        value = {"kind": value}
    if isinstance(value, Mapping):
        params = dict(value)
        kind = params.pop("kind", None)
        if kind not in table:
            raise ScenarioError(f"{path}.kind", kind, "err.choice", choices=", ".join(table))
        cls = table[kind]
        allowed = set(cls.__dataclass_fields__)
        for key in params:
            if key not in allowed:
                raise ScenarioError(
                    f"{path}.{key}",
                    params[key],
                    "err.unknown_key",
                    allowed=", ".join(sorted(allowed)),
                )
        if "base" in params:
            params["base"] = _policy_from(params["base"], f"{path}.base", table)
        for key, val in params.items():
            if (
                isinstance(val, float | int)
                and not isinstance(val, bool)
                and (not math.isfinite(val) or val < 0)
            ):
                raise ScenarioError(f"{path}.{key}", val, "err.ge", lo=0)
        try:
            return cls(**params)
        except ScenarioError as err:
            raise ScenarioError(
                f"{path}.{err.field.split('.')[-1]}", err.value, err.key, **err.fmt
            ) from None
        except TypeError as err:
            raise ScenarioError(path, value, "err.policy", detail=str(err)) from None
    if callable(value):
        return value
    raise ScenarioError(
        path, value, "err.type", expected=Phrase("type.policy", kinds=", ".join(table))
    )
