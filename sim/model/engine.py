"""The simulation: SimPy owns time; areas act on each store every hour.

One SimPy environment runs the market and every store in it. A clock process ticks once
per hour. At the first hour of a day it runs the daily decisions (prices, promotions,
rival prices, search rank, events, holding cost), processes deliveries, returns, reviews
and settlements that fell due, and plans the day: within a day prices, promotions,
rating, rank and listings are fixed, so every hour's funnel is known and the day's
impressions, visits and funnel outcomes are drawn at once (vectorised batches per hour
and cell). Each hour the planned orders are taken against the stock shown at that hour
(when stock cannot run short that day, they are admitted at once and released hour by
hour, with the same result), packers pack, the carrier collects at the cut-off, and
continuous-review reorder policies are consulted.

``per_visitor=True`` replaces the batch draws by one SimPy process per visitor deciding at
its arrival time from the same probabilities: the reference model that shows the batch
sampler is statistically the same (tests/test_theory.py) and how much faster it is
(``python -m sim bench``).

Inquiries queue for agents on SimPy resources (:mod:`sim.model.service`); shoppers who
buy after asking have their orders placed every ``INQUIRY_BATCH_H`` hours with their
exact times. Supplier deliveries are SimPy processes waiting out their lead time.

A run can be advanced in steps (:meth:`Simulation.run_until`), its decisions changed
(:meth:`Simulation.decide`) and continued; with unchanged decisions a stepped run equals
the one-shot run exactly, because every draw comes from a per-(store, area, day) stream.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import numpy as np
import simpy

from sim import policies
from sim.errors import ScenarioError
from sim.i18n import Phrase
from sim.model import choice, promotions, reviews, service, traffic
from sim.model.finance import Books
from sim.model.fulfilment import Fulfilment, compensation
from sim.model.inventory import Inventory
from sim.model.orders import OrderBook
from sim.model.orders import S as ST
from sim.model.rng import Streams
from sim.scenario.schema import CHANNELS, MARKET_CHANNELS, Scenario, Store

N_CH = len(CHANNELS)
SKU_DAY_ROWS = ("visits", "impressions", "orders", "units", "revenue_cny", "lost_units", "returns")
"""Per-SKU counters of the day, in the order of ``StoreSim.sku_day``'s rows."""
INQUIRY_BATCH_H = 3
"""Orders of shoppers who bought after asking service are placed every this many hours."""
RET = CHANNELS.index("returning")
ADS = CHANNELS.index("ads")
LIVE = CHANNELS.index("livestream")


def _festival_days(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Traffic and conversion multipliers for each day of the run, and the festival names."""
    n = scenario.days
    tmult, cmult, names = np.ones(n), np.ones(n), [""] * n
    start = scenario.start
    dates = [start + dt.timedelta(days=i) for i in range(n)]
    for f in scenario.festivals:
        month, day = (int(x) for x in f.start.split("-"))
        for year in {d.year for d in dates} | {dates[0].year - 1}:
            try:
                first = dt.date(year, month, day)
            except ValueError:
                continue
            length = len(f.traffic_multiplier)
            for i, d in enumerate(dates):
                off = (d - first).days
                if 0 <= off < length:
                    tmult[i] *= f.traffic_multiplier[off]
                    cmult[i] *= f.conversion_multiplier[off]
                    names[i] = f.slug
                elif -f.pre_dip_days <= off < 0:
                    cmult[i] *= f.pre_dip
                elif length <= off < length + f.post_dip_days:
                    cmult[i] *= f.post_dip
    return tmult, cmult, names


class StoreSim:
    """The state of one store during a run."""

    def __init__(self, sim: Simulation, index: int, cfg: Store):
        self.sim = sim
        self.index = index
        self.cfg = cfg
        self.decisions = cfg.decisions
        skus = cfg.catalogue.skus
        self.codes = cfg.sku_codes
        self.n = len(skus)
        self.rng = Streams(sim.seed, index + 1)
        self.cost = np.array([s.cost_cny for s in skus])
        self.list_price = np.array([s.list_price_cny for s in skus])
        self.reference = np.array([s.reference_price_cny for s in skus])
        self.weights = np.array([s.demand_weight for s in skus])
        self.defect = np.array([s.defect_rate for s in skus])
        self.return_rate = np.array([s.return_rate for s in skus])
        self.price = self.list_price.copy()
        mk = sim.scenario.market
        base_units = self._base_daily_units()
        self.inv = Inventory(skus, base_units)
        self.orders = OrderBook()
        self.books = Books(cfg.initial_cash_cny)
        self.desk = service.ServiceDesk(sim.env, mk.service)
        self.fulfil = Fulfilment(sim.scenario.carriers)
        self.rating = reviews.Rating(cfg.initial_rating, mk.reviews.rating_memory)
        self.rank = cfg.initial_rank_score
        # sales velocity consistent with the starting search score (score = velocity ** exponent)
        a = mk.velocity_exponent
        self.velocity = mk.reference_daily_units * (
            cfg.initial_rank_score ** (1 / a) if a > 0 else 1.0
        )
        self.conv_ew = float(mk.shoppers.conversion_by_channel.get("search", 0.03))
        self.customers = cfg.initial_customers
        self.next_customer = cfg.initial_customers
        self.units_hist: list[np.ndarray] = []
        self.today: list[promotions._Promo] = []
        self.flash_left = np.zeros(self.n, dtype=np.int64)
        self.ads_spent_today = 0.0
        self.debt = np.zeros(self.n)
        self.daily_base = np.zeros(self.n)
        self._expected_now = np.zeros(self.n)
        self._expected_base_sku = np.zeros(self.n)
        self._promo_on = np.zeros(self.n, bool)
        self._debt_factor = np.ones(self.n)
        self._agents_now = -1
        self._committed = np.zeros(self.n, dtype=np.int64)
        self._deferred_ids = None
        self._s_level: tuple[int, Any, np.ndarray] | None = None
        self.live_spike = 1.0
        self.extra_lead_days = 0.0
        self.due: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        self.hourly: list[np.ndarray] = []
        self.sku_day = np.zeros((len(SKU_DAY_ROWS), self.n))
        self.sku_daily: list[np.ndarray] = []
        self.daily: list[dict[str, float]] = []
        self.day_orders = 0
        self.reviews_log: list[tuple[float, int, float, str]] = []
        self.presale_orders: list[int] = []
        self.pending: list[tuple[int, int, float, int, float]] = []
        self.next_review_h = 0

    # ------------------------------------------------------------------ helpers
    def _base_daily_units(self) -> np.ndarray:
        """Expected daily units per SKU at the start: the seed of the demand forecast.

        Each market channel brings a store of search score s about s / (1 + outside)
        of its visits (ads only with a bid); past customers revisit; each channel converts
        at its base rate, and an order holds 1 + extra units.
        """
        sc = self.sim.scenario
        mk, pf, cfg = sc.market, sc.platform, self.cfg
        cr = mk.shoppers.conversion_by_channel
        share = 1 / (1 + mk.outside_score)
        weights = {
            "search": cfg.initial_rank_score * share,
            "social": share,
            "livestream": share,
            "ads": share if cfg.decisions.ads.cpc_bid_cny > 0 else 0.0,
        }
        orders = sum(
            mk.visits_per_day * pf.traffic_mix.get(c, 0.0) * w * cr.get(c, 0.0)
            for c, w in weights.items()
        )
        orders += (
            cfg.initial_customers * mk.shoppers.revisit_rate_per_day * cr.get("returning", 0.0)
        )
        units = orders * (1 + cfg.catalogue.extra_units_mean)
        return units * self.weights / self.weights.sum()

    @property
    def quality(self) -> np.ndarray:
        """Listing quality by SKU, with the decisions' overrides."""
        q = np.array([s.listing_quality for s in self.cfg.catalogue.skus])
        for code, v in self.decisions.listing_quality.items():
            q[self.codes.index(code)] = v
        return q

    @property
    def price_index(self) -> float:
        """Today's prices against the reference, weighted by where the traffic lands."""
        w = self.weights * self.active
        return float((self.price / self.reference * w).sum() / max(w.sum(), 1e-12))

    @property
    def active(self) -> np.ndarray:
        """SKUs on sale."""
        if not self.decisions.active_skus:
            return np.ones(self.n, bool)
        return np.isin(np.array(self.codes), self.decisions.active_skus)

    def log(self, t: float, kind: str, zh: str, en: str) -> None:
        """Record an event or decision on the timeline."""
        self.sim.timeline.append((self.cfg.name, t, int(t // 24) + 1, kind, zh, en))

    # ------------------------------------------------------------------ daily
    def start_day(self, d: int, h: int) -> None:
        """Decisions and updates at the first hour of day ``d`` (1-based)."""
        self.rng.new_day(d)
        sc = self.sim.scenario
        due: dict[str, list[np.ndarray]] = {}
        for kind, payload in self.due.pop(h, ()):
            due.setdefault(kind, []).append(payload)
        for kind in ("delivery", "return", "review", "settle"):
            if kind in due:
                getattr(self, f"_due_{kind}")(h, np.concatenate(due[kind]))
        # search rank from the days so far
        mk = sc.market
        self.rank = traffic.rank_score(
            self.velocity,
            self.conv_ew,
            self.rating.value,
            reference_units=mk.reference_daily_units,
            reference_conversion=mk.shoppers.conversion_by_channel.get("search", 0.03),
            reference_rating=mk.shoppers.reference_rating,
            velocity_exponent=mk.velocity_exponent,
            conversion_exponent=mk.conversion_exponent,
            rating_exponent=self.sim.platform.rating_weight,
        )
        if self.cfg.new_store and d <= self.sim.platform.new_store_boost_days:
            self.rank *= self.sim.platform.new_store_boost
        # prices
        view = policies.PriceView(
            day=d,
            skus=self.codes,
            cost_cny=self.cost.copy(),
            list_price_cny=self.list_price.copy(),
            reference_price_cny=self.reference.copy(),
            rival_price_cny=self.sim.rival_price.copy(),
            price_cny=self.price.copy(),
            on_hand=self.inv.on_hand.copy(),
            units_7d=self._units_7d(),
            rating=self.rating.value,
        )
        new_price = policies.check_prices(self.decisions.pricing(view), view)
        if not np.array_equal(new_price, self.price) and d > 1:
            self.log(h, "price", "调价", "price change")
        self.price = new_price
        # promotions
        self.today = list(self.decisions.promotions.on_day(d))
        for p in self.today:
            if isinstance(p, promotions.FlashSale) and p.start_day == d:
                self.log(
                    h + p.start_hour,
                    "promotion",
                    f"秒杀开始 {p.discount:.0%}",
                    f"flash sale {p.discount:.0%}",
                )
        self.flash_left = np.zeros(self.n, dtype=np.int64)
        for p in self.today:
            if isinstance(p, promotions.FlashSale):
                mask = (
                    np.ones(self.n, bool) if not p.skus else np.isin(np.array(self.codes), p.skus)
                )
                self.flash_left[mask] = p.cap_units
        self._presale_balance(d, h)
        self.ads_spent_today = 0.0
        self._quality = self.quality
        self._active = self.active
        self._cpc = round(self.decisions.ads.cpc_bid_cny * traffic.CPC_PAID_SHARE, 2)
        self._conv_mult = self.sim.fest_conv[d - 1]
        self._hourly_fx = any(isinstance(p, promotions.FlashSale) for p in self.today)
        self._presale_today = any(isinstance(p, promotions.PreSale) for p in self.today)
        self._fx_day = promotions.effects(self.today, d, 0, self.codes)
        self._plan_dip(self._fx_day)
        self._staff = [
            (
                policies.plan_at(self.decisions.agents, d, hod),
                policies.plan_at(self.decisions.packers, d, hod),
            )
            for hod in range(24)
        ]
        # livestream audience for today's sessions
        sd = mk.livestream_spike_sd
        self.live_spike = float(self.rng["traffic"].lognormal(-sd * sd / 2, sd)) if sd > 0 else 1.0
        # daily costs
        pos = np.maximum(self.inv.on_hand, 0)
        self.books.book(
            "holding",
            float(np.round((pos * self.cost).sum() * self.cfg.holding_rate_per_year / 365, 2)),
        )
        st = self.sim.platform.store_types[self.cfg.store_type]
        fee = round(st.annual_fee_cny / 365, 2)
        self.books.book("platform_fees", fee, -fee)
        overhead = round(self.cfg.overhead_cny_per_day, 2)
        if overhead:
            self.books.book("overheads", overhead, -overhead)

    def close_day(self, d: int) -> None:
        """Bookkeeping at the end of day ``d``."""
        self.inv.close_day()
        self._settle_debt()
        wages = round(
            self.desk.agent_hours * self.cfg.agent_wage_cny_per_h
            + self.fulfil.packer_hours * self.cfg.packer_wage_cny_per_h,
            2,
        )
        self.books.book("staff", wages, -wages)
        units = self.sku_day[3].copy()
        self.units_hist.append(units)
        alpha = 1 / self.sim.scenario.market.rank_memory_days
        self.velocity += alpha * (units.sum() - self.velocity)
        self.hourly.extend(self._day_rows)
        self.sku_day[0] = self._day_visits.sum(axis=(0, 1))
        self.sku_day[1] = self._day_impressions.sum(axis=(0, 1))
        day_visits = int(self._day_visits.sum())
        if day_visits > 0:
            self.conv_ew += alpha * (self.day_orders / day_visits - self.conv_ew)
        row = np.vstack(
            [
                self.sku_day,
                self.price,
                self.sim.rival_price,
                self.inv.on_hand,
                self.inv.on_order,
                self.quality,
            ]
        )
        self.sku_daily.append(row)
        self.daily.append(
            {
                "day": d,
                "rating": self.rating.value,
                "rank_score": self.rank,
                "customers": self.customers,
                "agent_hours": self.desk.agent_hours,
                "packer_hours": self.fulfil.packer_hours,
                "backlog": len(self.fulfil.backlog),
            }
        )
        self.desk.agent_hours = 0.0
        self.fulfil.packer_hours = 0.0
        self.books.close_day(d)
        self.sku_day = np.zeros((len(SKU_DAY_ROWS), self.n))
        self.day_orders = 0

    def _units_7d(self) -> np.ndarray:
        if not self.units_hist:
            return np.zeros(self.n)
        return np.sum(self.units_hist[-7:], axis=0)

    # ------------------------------------------------------------------ hourly
    def plan_day(
        self, d: int, h0: int, market: np.ndarray, shares: np.ndarray, returning_w: np.ndarray
    ) -> None:
        """Draw the day's traffic and shopper funnel for all 24 hours at once.

        Within a day prices, promotions, rating, rank and listings are fixed, so the funnel
        of each hour is known at its start; only flash-sale hours differ. Orders are then
        placed hour by hour against the stock shown at that hour (:meth:`hour`).
        """
        mk = self.sim.scenario.market
        sim = self.sim
        fx_h = (
            [promotions.effects(self.today, d, hod, self.codes) for hod in range(24)]
            if self._hourly_fx
            else [self._fx_day] * 24
        )
        shown = self._active.copy()
        funnels: dict[int, tuple] = {}
        for fx in fx_h:
            if id(fx) not in funnels:
                flash = self._flash_open(fx)
                f, ctr, split = self._funnel(fx, flash, shown)
                thin = np.ones_like(f.order)
                if flash.any():
                    f0 = self._funnel(fx, np.zeros(self.n, bool), shown)[0]
                    thin = np.where(f.order > 0, f0.order / np.maximum(f.order, 1e-12), 1.0)
                funnels[id(fx)] = (f, ctr, split, thin)
        self._day_fx = fx_h
        self._day_f = [funnels[id(fx)][0] for fx in fx_h]
        self._day_thin = np.stack([funnels[id(fx)][3] for fx in fx_h])
        ctr = np.stack([funnels[id(fx)][1] for fx in fx_h])
        split = np.stack([funnels[id(fx)][2] for fx in fx_h])
        # expected visits by hour, channel, SKU
        exp_ch = market * shares
        exp_ch[:, RET] = self.customers * mk.shoppers.revisit_rate_per_day * returning_w
        lam = exp_ch[:, :, None] * split[:, None, :]
        rng_t = self.rng["traffic"]
        impressions = rng_t.poisson(lam / mk.shoppers.ctr_reference)
        visits = rng_t.binomial(impressions, ctr)
        # ads: clicks cost money until the day's budget is spent, then the ads stop
        spend = np.zeros(24)
        clicks = visits[:, ADS, :].sum(axis=1)
        if clicks.any():
            if self._cpc <= 0:
                visits[:, ADS, :] = 0
            else:
                allowed = int(self.decisions.ads.daily_budget_cny // self._cpc)
                cum = np.cumsum(clicks)
                if cum[-1] > allowed:
                    room = np.clip(allowed - (cum - clicks), 0, None)
                    frac = np.where(clicks > 0, np.minimum(room / np.maximum(clicks, 1), 1), 1)
                    visits[:, ADS, :] = np.floor(visits[:, ADS, :] * frac[:, None]).astype(
                        visits.dtype
                    )
                spend = np.round(visits[:, ADS, :].sum(axis=1) * self._cpc, 2)
        self._day_spend = spend
        self._day_impressions = impressions
        self._day_visits = visits
        # pull-forward: promotion uplift = expected orders with today's promotions minus
        # without them (same prices, festival, rating, listings), from the same visits
        if self._promo_on.any():
            plain = promotions.effects((), d, 0, self.codes)
            f0 = self._funnel(plain, np.zeros(self.n, bool), shown)[0]
            for hod in range(24):
                self._expected_now += (visits[hod] * self._day_f[hod].order).sum(axis=0)
                self._expected_base_sku += (visits[hod] * f0.order).sum(axis=0)
        else:
            self._expected_base_sku += (visits.sum(axis=0) * self._day_f[0].order).sum(axis=0)
        rows = np.zeros((24, N_CH, 10))
        rows[:, :, 0] = impressions.sum(2)
        rows[:, :, 1] = visits.sum(2)
        rows[:, ADS, 8] = spend
        self._day_rows = rows
        if sim.per_visitor:
            return
        # the funnel of every visit of the day, in one draw per step of the funnel
        stack = {
            name: np.stack([getattr(f, name) for f in self._day_f])
            for name in ("order", "inquiry", "cart_extra", "favourite", "bounce_rest")
        }
        f_all = choice.Funnel(
            multiplier=None, unit_price=None, pages_extra=self._day_f[0].pages_extra, **stack
        )
        rng = self.rng["choice"]
        out = choice.sample_batch(rng, visits, f_all)
        self._day_out = out
        hh, ch, kk = np.nonzero(out.orders)
        counts = out.orders[hh, ch, kk]
        hh, ch, kk = (np.repeat(x, counts) for x in (hh, ch, kk))
        t = h0 + hh + rng.random(len(hh))
        order = np.argsort(t, kind="stable")
        hh, ch, kk, t = hh[order], ch[order], kk[order], t[order]
        unit_price = np.stack([f.unit_price for f in self._day_f])[hh, kk]
        self._day_arrivals = self._arrivals(rng, ch, kk, t, unit_price, self._fx_day)
        self._day_cuts = np.searchsorted(hh, np.arange(25))
        self._deferred_ids = None
        asked = np.bincount(kk, weights=self._day_arrivals["units"], minlength=self.n)
        if (
            not self._hourly_fx
            and not self.cfg.other_channel_share
            and not self.cfg.stock_sync_delay_h
            and (asked <= np.maximum(self.inv.shown, 0)).all()
        ):
            # stock cannot run short today: admit the whole day at once
            self._admit(h0, self._day_arrivals, self._fx_day, deferred=True)
        rows[:, :, 2] = out.page_views.sum(2)
        rows[:, :, 3] = out.bounces.sum(2)
        rows[:, :, 4] = out.favourites.sum(2)
        rows[:, :, 5] = out.carts.sum(2)
        rows[:, :, 7] = out.inquiries.sum(2)

    def hour(self, h: int) -> None:
        """Everything that happens to the store in hour ``h``."""
        sim = self.sim
        d, hod = h // 24 + 1, h % 24
        dec = self.decisions
        # staff on duty
        agents, packers = self._staff[hod]
        if agents != self._agents_now:
            self.desk.set_agents(agents)
            self._agents_now = agents
        self.desk.agent_hours += agents
        self.fulfil.packer_hours += packers
        # stock sync and sales through other channels
        if self.cfg.other_channel_share > 0 or self.cfg.stock_sync_delay_h:
            self._other_channels(h)
        f, fx = self._day_f[hod], self._day_fx[hod]
        if self._day_spend[hod]:
            self.ads_spent_today += self._day_spend[hod]
            self.books.book("ads", self._day_spend[hod], -self._day_spend[hod])
        if self.pending and hod % INQUIRY_BATCH_H == 0:
            self._place_pending(h, f, fx)
        if sim.per_visitor:
            self._per_visitor(h, self._day_visits[hod], f, fx)
        else:
            out = self._day_out
            lo, hi = self._day_cuts[hod], self._day_cuts[hod + 1]
            if self._deferred_ids is not None:
                self._release_deferred(h, hod)
            elif hi > lo:
                a = {key: v[lo:hi] for key, v in self._day_arrivals.items()}
                flash_gone = fx.flash_mask & (self.flash_left <= 0)
                if flash_gone.any() and self._day_thin[hod].min() < 1:
                    # the flash sale sold out: visits in its later hours see the normal price
                    thin = np.where(flash_gone[None, :], self._day_thin[hod], 1.0)[a["ch"], a["k"]]
                    keep = self.rng["choice"].random(hi - lo) < thin
                    a = {key: v[keep] for key, v in a.items()}
                    normal = np.round(self.price * fx.price_factor, 2)
                    price = np.where(flash_gone[a["k"]], normal[a["k"]], a["unit_price"])
                    a = self._arrivals(self.rng["choice"], a["ch"], a["k"], a["t"], price, fx)
                if len(a["k"]):
                    self._day_rows[hod, :, 6] += self._admit(h, a, fx)
            inq = out.inquiries[hod]
            if inq.any():
                self._inquiries(h, inq, f, fx)
        # the carrier collects at the start of the cut-off hour what was packed by then
        if hod == dec.cut_off_hour:
            if self.cfg.stock_sync_delay_h:
                self._cancel_oversold(h)  # the warehouse finds oversold items when picking
            self._ship(h, self.fulfil.pickup())
        # packing: this hour's packers, oldest paid orders first
        cap = int(packers * dec.pack_rate_per_h)
        if cap and self.fulfil.backlog:
            done = self.fulfil.pack(cap)
            self.orders.cols["packed_h"][done] = h + 1
        # reorders
        if h >= self.next_review_h:
            self._review(h, d, hod)

    def _release_deferred(self, h: int, hod: int) -> None:
        """Stock leaves and paid orders queue for packing in the hour they were placed."""
        lo, hi = self._deferred_cuts[hod], self._deferred_cuts[hod + 1]
        if hi == lo:
            return
        ids = self._deferred_ids[lo:hi]
        units = self._deferred_units[lo:hi]
        ks = self.orders.cols["sku"][ids]
        sold = np.bincount(ks, weights=units, minlength=self.n).astype(np.int64)
        for k in np.nonzero(sold)[0]:
            self.inv.take(float(h), int(k), int(sold[k]))
        self._committed -= sold
        paid = ids[self._deferred_paid[lo:hi]]
        if len(paid):
            self.fulfil.queue(paid)

    def _flash_open(self, fx) -> np.ndarray:
        return fx.flash_mask & (self.flash_left > 0)

    def _funnel(self, fx, flash_open: np.ndarray, shown: np.ndarray):
        """Funnel probabilities, click-through and SKU split for the current state."""
        sim = self.sim
        mk = sim.scenario.market
        q = self._quality
        compare = (
            mk.shoppers.rival_weight * sim.rival_price
            + (1 - mk.shoppers.rival_weight) * self.reference
        )
        st = sim.platform.store_types[self.cfg.store_type]
        context = sim.platform.conversion_multiplier * st.trust * self._conv_mult
        pull = np.array([p.pull_in if p is not None else 1.0 for p in fx.presale])
        f = choice.funnel(
            base_cr=sim.base_cr,
            shoppers=mk.shoppers,
            service=mk.service,
            price=self.price,
            list_price=self.list_price,
            compare_price=compare,
            elasticity=sim.elasticity(self),
            quality=q,
            rating=self.rating.value,
            context=context,
            fx=fx,
            debt_factor=self._debt_factor,
            flash_open=flash_open,
            presale_pull=pull,
            shown=shown,
        )
        depth = np.clip(1 - f.unit_price / self.list_price, 0, 0.9)
        ctr = np.clip(mk.shoppers.ctr_reference * traffic.ctr_factor(q, depth), 0, 0.9)
        ctr = np.broadcast_to(ctr, (N_CH, self.n))
        split = traffic.sku_split(self.weights, self._active) * fx.traffic_factor
        return f, ctr, split

    def _other_channels(self, h: int) -> None:
        cfg = self.cfg
        delay = cfg.stock_sync_delay_h
        if delay and h % delay == 0:
            self._cancel_oversold(h)
            self.inv.sync()
        if cfg.other_channel_share <= 0:
            return
        rate = self.inv.demand_mean / 24 * cfg.other_channel_share / (1 - cfg.other_channel_share)
        draw = self.rng["choice"].poisson(rate)
        for k in np.nonzero(draw)[0]:
            # the other channel sells only what is physically there; the platform, seeing
            # stock counted at the last sync, can sell more (overselling)
            units = int(min(draw[k], max(self.inv.on_hand[k], 0)))
            if units:
                self.inv.take(h, k, units, "other_channel")
                if not delay:
                    self.inv.shown[k] = max(self.inv.on_hand[k], 0)

    def _cancel_oversold(self, h: int) -> None:
        """Cancel the latest unshipped platform orders of SKUs whose stock went below zero."""
        o = self.orders
        pf = self.sim.platform
        for k in np.nonzero(self.inv.on_hand < 0)[0]:
            short = -int(self.inv.on_hand[k])
            status = o["status"]
            open_ = (status == ST["paid"]) | (status == ST["awaiting_balance"])
            cand = np.nonzero((o["sku"] == k) & open_ & np.isnan(o["shipped_h"]))[0][::-1]
            units = o["units"][cand]
            take = np.searchsorted(np.cumsum(units), short) + 1
            ids = cand[:take]
            if not len(ids):
                continue
            self._remove_from_backlog(ids)
            deposit_only = o["status"][ids] == ST["awaiting_balance"]
            if deposit_only.any():
                gone = set(int(i) for i in ids[deposit_only])
                self.presale_orders = [i for i in self.presale_orders if i not in gone]
            paid = ids[~deposit_only]
            o.cols["status"][ids] = ST["cancelled"]
            pen = compensation(
                o["paid_cny"][ids],
                pf.oversell_penalty_rate,
                pf.oversell_penalty_min_cny,
                pf.oversell_penalty_max_cny,
            )
            total_pen = float(pen.sum())
            self.books.book("penalties", total_pen, -total_pen)
            # paid orders are refunded; a pre-sale deposit goes back to the shopper from the
            # platform's escrow, never having been the store's revenue or cash
            o.cols["refund_cny"][ids] = np.where(deposit_only, 0.0, o["paid_cny"][ids])
            o.cols["refund_h"][ids] = h
            if len(paid):
                refund = float(o["paid_cny"][paid].sum())
                self.books.book("refunds", refund, -refund)
                self._reverse_fees(paid, restock=True, h=h, event="cancel")
            for i in ids[deposit_only]:
                self.inv.put(float(h), int(o["sku"][i]), int(o["units"][i]), "cancel")
            self.log(
                h, "oversold", f"超卖取消 {len(ids)} 单", f"oversold: {len(ids)} orders cancelled"
            )

    def _remove_from_backlog(self, ids: np.ndarray) -> None:
        drop = set(int(i) for i in ids)
        self.fulfil.backlog = type(self.fulfil.backlog)(
            i for i in self.fulfil.backlog if i not in drop
        )
        self.fulfil.packed = [i for i in self.fulfil.packed if i not in drop]

    def _settle_debt(self) -> None:
        """Pull-forward: a share of yesterday's promotion uplift is repaid later as a dip."""
        sh = self.sim.scenario.market.shoppers
        base = self._expected_base_sku
        uplift = np.where(self._promo_on, np.maximum(self._expected_now - base, 0), 0.0)
        self.debt = self.debt + sh.pull_forward_share * uplift
        self.daily_base = np.where(base > 0, base, self.daily_base)
        self._expected_now = np.zeros(self.n)
        self._expected_base_sku = np.zeros(self.n)

    def _plan_dip(self, fx) -> None:
        """Today's dip factor per SKU: repay debt on days without a promotion on the SKU."""
        sh = self.sim.scenario.market.shoppers
        on = (
            (fx.price_factor < 1)
            | (fx.threshold_cny > 0)
            | (fx.coupon_new_cny > 0)
            | (fx.coupon_ret_cny > 0)
        )
        for p in self.today:
            if isinstance(p, promotions.FlashSale):
                on |= np.ones(self.n, bool) if not p.skus else np.isin(np.array(self.codes), p.skus)
        self._promo_on = on
        base = np.maximum(self.daily_base, 1e-9)
        repay = np.where(on, 0.0, np.minimum(self.debt, sh.dip_strength * base))
        self.debt = self.debt - repay
        self._debt_factor = 1 - repay / base

    # ------------------------------------------------------------------ orders
    def _arrivals(
        self,
        rng: np.random.Generator,
        chans: np.ndarray,
        ks: np.ndarray,
        t: np.ndarray,
        unit_price: np.ndarray,
        fx,
    ) -> dict[str, np.ndarray]:
        """Would-be orders: baskets, and the draws that settle payment and who the shopper is."""
        mk = self.sim.scenario.market
        b = choice.baskets(
            rng,
            ks,
            unit_price,
            self.list_price,
            self.cfg.catalogue.extra_units_mean,
            fx,
            chans == RET,
            mk.shoppers,
        )
        n = len(ks)
        u = rng.random((3, n))
        return {
            "ch": chans,
            "k": ks,
            "t": t,
            "unit_price": unit_price,
            "units": b.units,
            "goods": b.goods_value,
            "discount": b.discount,
            "coupon": b.coupon,
            "paid": b.paid,
            "pay_u": u[0],
            "new_u": u[1],
            "cust_u": u[2],
        }

    def _take_orders(
        self,
        h: int,
        orders: np.ndarray,
        f: choice.Funnel,
        fx,
        via_inquiry: bool = False,
        t_exact: float | np.ndarray | None = None,
    ) -> np.ndarray:
        """Place the orders drawn for each (channel, SKU) cell; return those accepted by channel."""
        rng = self.rng["choice"]
        ch_idx, k_idx = np.nonzero(orders)
        counts = orders[ch_idx, k_idx]
        chans = np.repeat(ch_idx, counts)
        ks = np.repeat(k_idx, counts)
        n = len(ks)
        t = (
            np.broadcast_to(np.asarray(t_exact, float), (n,)).copy()
            if t_exact is not None
            else h + rng.random(n)
        )
        return self._admit(
            h, self._arrivals(rng, chans, ks, t, f.unit_price[ks], fx), fx, via_inquiry
        )

    def _admit(
        self,
        h: int,
        a: dict[str, np.ndarray],
        fx,
        via_inquiry: bool = False,
        deferred: bool = False,
        return_kept: bool = False,
    ) -> Any:
        """Take would-be orders against the stock shown; return the accepted ones by channel.

        Stock shown (and a flash sale's cap) goes to the earliest; orders that find no
        stock are lost sales. Accepted orders are recorded; paid ones take stock and enter
        fulfilment (pre-sale ones wait for their balance day).
        """
        ks, units = a["k"], a["units"]
        n = len(ks)
        limit = np.maximum(self.inv.shown - self._committed, 0).astype(np.int64)
        capped = fx.flash_mask & (self.flash_left > 0) if fx.has_flash else fx.flash_mask
        if fx.has_flash:
            limit = np.where(capped, np.minimum(limit, self.flash_left), limit)
        asked = np.bincount(ks, weights=units, minlength=self.n)
        self.inv.demand_today += asked
        if (asked <= limit).all():
            ok = None
        else:
            ok = self._first_come(a["t"], ks, units, limit)
            lost = np.bincount(ks[~ok], weights=units[~ok], minlength=self.n)
            self.sku_day[5] += lost
            if not ok.any():
                none = np.zeros(N_CH, dtype=np.int64)
                return (none, ok) if return_kept else none
            a = {key: v[ok] for key, v in a.items()}
            ks, units = a["k"], a["units"]
        m = len(ks)
        chans, t = a["ch"], a["t"]
        mk = self.sim.scenario.market
        paid_mask = a["pay_u"] < mk.shoppers.pay_rate
        # shoppers: returning visitors are past customers; others are mostly new
        is_new = (chans != RET) & (a["new_u"] < mk.shoppers.new_share_of_market_visits)
        if self.next_customer == 0:
            is_new[:] = True
        cust = (a["cust_u"] * max(self.next_customer, 1)).astype(np.int64)
        n_new = int(is_new.sum())
        cust[is_new] = np.arange(self.next_customer, self.next_customer + n_new)
        self.next_customer += n_new
        if self._presale_today:
            # pre-sale orders pay a deposit now; 定金膨胀 lowers what they pay in the end
            dep = np.array([p.deposit_cny if p is not None else 0.0 for p in fx.presale])[ks]
            bonus = np.array(
                [p.deposit_value_cny - p.deposit_cny if p is not None else 0.0 for p in fx.presale]
            )[ks]
            cut = np.clip(np.minimum(bonus, a["paid"] - dep - 0.01), 0, None)
            discount, paid_amt = np.round(a["discount"] + cut, 2), np.round(a["paid"] - cut, 2)
        else:
            dep = np.zeros(m)
            discount, paid_amt = a["discount"], a["paid"]
        presale = dep > 0
        ids = self.orders.add(
            m,
            customer_id=cust,
            is_new_customer=is_new,
            channel=chans,
            sku=ks,
            created_h=t,
            units=units,
            list_price_cny=self.list_price[ks],
            unit_price_cny=a["unit_price"],
            goods_value_cny=a["goods"],
            discount_cny=discount,
            coupon_cny=a["coupon"],
            paid_cny=paid_amt,
            gift_cost_cny=fx.gift_cost_cny[ks],
            via_inquiry=via_inquiry,
            presale=presale,
            deposit_cny=dep,
        )
        self.sku_day[2] += np.bincount(ks, minlength=self.n)
        if deferred:
            # the whole day admitted at once: stock leaves and parcels queue hour by hour
            hours = a["t"].astype(np.int64) - h
            self._deferred_ids = ids
            self._deferred_paid = paid_mask & (dep <= 0)
            self._deferred_units = np.where(paid_mask, units, 0)
            self._deferred_cuts = np.searchsorted(hours, np.arange(25))
            self._committed = np.bincount(
                ks, weights=self._deferred_units, minlength=self.n
            ).astype(np.int64)
            rows = np.zeros((24, N_CH), dtype=np.int64)
            np.add.at(rows, (hours, chans), 1)
            self._day_rows[:, :, 6] += rows
        if paid_mask.any():
            sold = np.bincount(ks[paid_mask], weights=units[paid_mask], minlength=self.n).astype(
                np.int64
            )
            for k in np.nonzero(sold)[0] if not deferred else ():
                self.inv.take(float(h), int(k), int(sold[k]))
            if capped.any():
                self.flash_left = np.where(
                    capped, np.maximum(self.flash_left - sold, 0), self.flash_left
                )
            pre = paid_mask & presale
            if pre.any():
                self.orders.cols["status"][ids[pre]] = ST["awaiting_balance"]
                self.presale_orders.extend(int(i) for i in ids[pre])
            now = paid_mask & ~presale
            if now.any():
                self._paid(ids[now], t[now], queue=not deferred)
        placed = np.bincount(chans, minlength=N_CH)
        if return_kept:
            return placed, (np.ones(n, bool) if ok is None else ok)
        return placed

    @staticmethod
    def _first_come(
        t: np.ndarray, ks: np.ndarray, units: np.ndarray, limit: np.ndarray
    ) -> np.ndarray:
        """Which orders get stock when it runs short: earliest first, per SKU."""
        n = len(ks)
        order = np.lexsort((t, ks))
        cum = np.cumsum(units[order])
        first = np.r_[0, np.nonzero(np.diff(ks[order]))[0] + 1]
        starts = np.repeat(cum[first] - units[order][first], np.diff(np.r_[first, n]))
        within = np.empty(n, dtype=np.int64)
        within[order] = cum - starts
        return within <= limit[ks]

    def _paid(self, ids: np.ndarray, t: np.ndarray, queue: bool = True) -> None:
        o = self.orders
        pf = self.sim.platform
        st = pf.store_types[self.cfg.store_type]
        o.cols["paid"][ids] = True
        o.cols["paid_h"][ids] = t
        o.cols["status"][ids] = ST["paid"]
        o.cols["deadline_h"][ids] = t + pf.ship_deadline_h
        paid = o["paid_cny"][ids]
        rev = float(paid.sum())
        comm = round(rev * (pf.commission_rate + st.commission_extra_rate), 2)
        self.books.book("revenue", rev)
        self.books.book("commission", comm)
        self.books.book("payment_fees", round(rev * pf.payment_fee_rate, 2))
        cogs = float((o["units"][ids] * self.cost[o["sku"][ids]]).sum())
        self.books.book("cogs", round(cogs, 2))
        gifts = float(o["gift_cost_cny"][ids].sum())
        if gifts:
            self.books.book("gifts", gifts, -gifts)
        self.customers = self.next_customer
        if queue:
            self.fulfil.queue(ids)
        self.sku_day[4] += np.bincount(o["sku"][ids], weights=paid, minlength=self.n)
        self.sku_day[3] += np.bincount(o["sku"][ids], weights=o["units"][ids], minlength=self.n)
        self.day_orders += len(ids)

    def _presale_balance(self, d: int, h: int) -> None:
        if not self.presale_orders:
            return
        o = self.orders
        ids = np.array(self.presale_orders, dtype=np.int64)
        due = []
        for p in (
            self.decisions.promotions.presales()
            if hasattr(self.decisions.promotions, "presales")
            else ()
        ):
            if p.balance_day == d:
                due.append(p)
        if not due:
            return
        rng = self.rng["choice"]
        rate = due[0].balance_pay_rate
        pay = rng.random(len(ids)) < rate
        t = h + rng.random(len(ids))  # balances are paid as the balance day opens
        if pay.any():
            self._paid(ids[pay], t[pay])
        lost = ids[~pay]
        if len(lost):
            o.cols["status"][lost] = ST["forfeited"]
            dep = float(o["deposit_cny"][lost].sum())
            o.cols["paid_cny"][lost] = o["deposit_cny"][lost]
            o.cols["paid"][lost] = True
            o.cols["paid_h"][lost] = h
            pf = self.sim.platform
            self.books.book("revenue", dep)
            self.books.book("commission", round(dep * pf.commission_rate, 2))
            self.books.book("payment_fees", round(dep * pf.payment_fee_rate, 2))
            self.books.move(round(dep * (1 - pf.commission_rate - pf.payment_fee_rate), 2))
            for k in np.unique(o["sku"][lost]):
                units = int(o["units"][lost][o["sku"][lost] == k].sum())
                self.inv.put(float(h), int(k), units, "presale_release")
        self.log(
            h,
            "presale",
            f"尾款日:{int(pay.sum())} 单付尾款,{len(lost)} 单放弃",
            f"balance day: {int(pay.sum())} paid, {len(lost)} forfeited",
        )
        self.presale_orders = []

    def _place_pending(self, h: int, f: choice.Funnel, fx) -> None:
        """Place the orders of inquirers who bought since the last batch, at their prices."""
        pend, self.pending = self.pending, []
        rng = self.rng["choice"]
        chans = np.array([p[0] for p in pend])
        ks = np.array([p[1] for p in pend])
        t = np.array([p[2] for p in pend])
        price = np.array([p[4] for p in pend])
        a = self._arrivals(rng, chans, ks, t, price, fx)
        a["ticket"] = np.array([p[3] for p in pend])
        placed, kept = self._admit(h, a, fx, via_inquiry=True, return_kept=True)
        self._day_rows[h % 24, :, 9] += placed
        conv = self.desk.tickets.converted
        for ticket in a["ticket"][~kept]:
            conv[ticket] = False

    def _inquiries(self, h: int, inq: np.ndarray, f: choice.Funnel, fx) -> None:
        """Pre-sale questions of the hour's visitors, at random times within the hour."""
        total = int(inq.sum())
        if not total:
            return
        rng = self.rng["service"]
        patience, handle = service.draw_times(rng, total, self.sim.scenario.market.service)
        delays = rng.random(total).tolist()
        patience, handle = patience.tolist(), handle.tolist()
        j = 0
        for ch, k in zip(*np.nonzero(inq), strict=True):
            buyer = self._buyer(int(ch), int(k), f)
            for _ in range(int(inq[ch, k])):
                self.desk.inquire(service.PRE, int(k), -1, delays[j], patience[j], handle[j], buyer)
                j += 1

    def _buyer(self, ch: int, k: int, f: choice.Funnel):
        """Return ``on_answer`` for a pre-sale question: does the shopper buy after this wait."""
        mult = float(f.multiplier[ch, k])
        price = float(f.unit_price[k])
        svc = self.sim.scenario.market.service

        rng = self.rng["service"]

        def on_answer(ticket: int, wait_min: float, answered: bool) -> bool:
            p = choice.inquiry_buy_probability(mult, wait_min, answered, svc)
            if rng.random() >= p:
                return False
            self.pending.append((ch, k, self.sim.env.now, ticket, price))
            return True

        return on_answer

    def _per_visitor(self, h: int, visits: np.ndarray, f: choice.Funnel, fx) -> None:
        """Reference model: one SimPy process per visitor, deciding at its arrival time."""
        rng = self.rng["choice"]
        svc_rng = self.rng["service"]
        svc = self.sim.scenario.market.service
        env = self.sim.env
        row = self._day_rows[h % 24]

        def visitor(ch, k, at):
            yield env.timeout(at)
            inq, order, cart, fav, bounce, pages = choice.sample_one(rng, ch, k, f)
            row[ch, 2] += pages
            if inq:
                row[ch, 7] += 1
                patience, handle = service.draw_times(svc_rng, 1, svc)
                yield from self.desk.ask_and_wait(
                    service.PRE, k, -1, float(patience[0]), float(handle[0]), self._buyer(ch, k, f)
                )
                return
            row[ch, 5] += cart
            row[ch, 4] += fav
            row[ch, 3] += bounce
            if order:
                one = np.zeros((N_CH, self.n), dtype=np.int64)
                one[ch, k] = 1
                row[ch, 6] += int(self._take_orders(h, one, f, fx, t_exact=env.now).sum())

        for ch, k in zip(*np.nonzero(visits), strict=True):
            for at in rng.random(int(visits[ch, k])):
                env.process(visitor(int(ch), int(k), float(at)))

    # ------------------------------------------------------------------ shipping and after
    def _ship(self, h: int, ids: np.ndarray) -> None:
        if not len(ids):
            return
        o = self.orders
        rng = self.rng["fulfilment"]
        pf = self.sim.platform
        carrier = self.fulfil.carriers_for(rng, len(ids), self.decisions.carrier_mix)
        transit = self.fulfil.transit_days(rng, carrier)
        cost = np.array([c.cost_per_parcel_cny for c in self.fulfil.carriers])[carrier]
        o.cols["shipped_h"][ids] = h
        o.cols["carrier"][ids] = carrier
        o.cols["shipping_cny"][ids] = cost
        o.cols["status"][ids] = ST["shipped"]
        delivered = h + transit * 24
        o.cols["delivered_h"][ids] = delivered
        late = h > o["deadline_h"][ids]
        if late.any():
            pen = compensation(
                o["paid_cny"][ids[late]],
                pf.late_penalty_rate,
                pf.late_penalty_min_cny,
                pf.late_penalty_max_cny,
            )
            o.cols["late_penalty_cny"][ids[late]] = pen
            total = float(pen.sum())
            self.books.book("penalties", total, -total)
        ship = round(float(cost.sum()), 2)
        self.books.book("shipping", ship, -ship)
        damage = np.array([c.damage_rate for c in self.fulfil.carriers])[carrier]
        bad = (rng.random(len(ids)) < self.defect[o["sku"][ids]]) | (rng.random(len(ids)) < damage)
        o.cols["defective"][ids] = bad
        for hh, grp in _group_by_day(delivered, ids):
            self.due[hh].append(("delivery", grp))

    def _due_delivery(self, h: int, ids: np.ndarray) -> None:
        o = self.orders
        live = ids[o["status"][ids] == ST["shipped"]]
        if not len(live):
            return
        o.cols["status"][live] = ST["delivered"]
        rng = self.rng["reviews"]
        sc = self.sim.scenario
        pf = self.sim.platform
        n = len(live)
        bad = o["defective"][live]
        ret = np.where(
            bad,
            rng.random(n) < reviews.DEFECT_RETURN,
            rng.random(n) < self.return_rate[o["sku"][live]],
        )
        ret_at = o["delivered_h"][live] + rng.uniform(0.5, max(pf.return_window_days, 0.6), n) * 24
        rev = rng.random(n) < sc.market.reviews.review_rate
        rev_at = o["delivered_h"][live] + rng.uniform(0.5, 5, n) * 24
        settle_at = o["delivered_h"][live] + pf.settlement_days * 24
        asked = rng.random(n) < sc.market.service.aftersale_inquiry_rate
        o.cols["refund_h"][live[ret]] = ret_at[ret]
        for hh, grp in _group_by_day(ret_at[ret], live[ret]):
            self.due[hh].append(("return", grp))
        for hh, grp in _group_by_day(rev_at[rev], live[rev]):
            self.due[hh].append(("review", grp))
        for hh, grp in _group_by_day(settle_at, live):
            self.due[hh].append(("settle", grp))
        svc = sc.market.service
        idx = np.nonzero(asked)[0]
        if len(idx):
            srng = self.rng["service"]
            patience, handle = service.draw_times(srng, len(idx), svc)
            delays = srng.random(len(idx)) * 12
            for j, i in enumerate(idx):
                oid = int(live[i])

                def on_answer(ticket: int, wait_min: float, answered: bool, oid: int = oid) -> bool:
                    if not answered:
                        self.orders.cols["service_failed"][oid] = True
                    return False

                self.desk.inquire(
                    service.AFTER,
                    int(o["sku"][oid]),
                    oid,
                    float(delays[j]),
                    float(patience[j]),
                    float(handle[j]),
                    on_answer,
                )

    def _due_return(self, h: int, ids: np.ndarray) -> None:
        o = self.orders
        ids = ids[o["status"][ids] == ST["delivered"]]
        if not len(ids):
            return
        o.cols["status"][ids] = ST["returned"]
        o.cols["returned"][ids] = True
        refund = o["paid_cny"][ids]
        o.cols["refund_cny"][ids] = refund
        total = round(float(refund.sum()), 2)
        self.books.book("refunds", total, -total)
        good = ~o["defective"][ids]
        self._reverse_fees(ids, restock=False, h=h, event="return_restock")
        if good.any():
            self._reverse_fees(
                ids[good], restock=True, h=h, event="return_restock", commission=False
            )
        self.sku_day[6] += np.bincount(o["sku"][ids], minlength=self.n)

    def _reverse_fees(
        self, ids: np.ndarray, restock: bool, h: float, event: str, commission: bool = True
    ) -> None:
        o = self.orders
        pf = self.sim.platform
        st = pf.store_types[self.cfg.store_type]
        if commission:
            refund = float(o["paid_cny"][ids].sum())
            self.books.book(
                "commission", -round(refund * (pf.commission_rate + st.commission_extra_rate), 2)
            )
        if restock:
            cogs = float((o["units"][ids] * self.cost[o["sku"][ids]]).sum())
            self.books.book("cogs", -round(cogs, 2))
            for i in ids:
                self.inv.put(float(h), int(o["sku"][i]), int(o["units"][i]), event)

    def _due_review(self, h: int, ids: np.ndarray) -> None:
        o = self.orders
        rng = self.rng["reviews"]
        k = o["sku"][ids]
        s = reviews.stars(
            rng,
            self.sim.scenario.market.reviews,
            days_to_deliver=(o["delivered_h"][ids] - o["paid_h"][ids]) / 24,
            bad_item=o["defective"][ids],
            service_failed=o["service_failed"][ids],
            price_ratio=o["unit_price_cny"][ids] / self.reference[k],
        )
        o.cols["stars"][ids] = s
        self.rating.add(s)
        for i, v in zip(ids, s, strict=True):
            self.reviews_log.append((float(h), int(i), float(v), "order"))

    def _due_settle(self, h: int, ids: np.ndarray) -> None:
        o = self.orders
        pf = self.sim.platform
        st = pf.store_types[self.cfg.store_type]
        paid = o["paid_cny"][ids]
        fees = paid * (pf.commission_rate + st.commission_extra_rate + pf.payment_fee_rate)
        refunded = o["refund_cny"][ids]
        refunded_comm = refunded * (pf.commission_rate + st.commission_extra_rate)
        self.books.move(round(float((paid - fees).sum() + refunded_comm.sum()), 2))

    def fake_reviews(self, h: int, n: int) -> None:
        """A wave of one-star reviews (review-crisis events)."""
        self.rating.add(np.ones(n))
        for _ in range(n):
            self.reviews_log.append((float(h), -1, 1.0, "wave"))

    # ------------------------------------------------------------------ reorders
    def _review(self, h: int, d: int, hod: int) -> None:
        policy = self.decisions.reorder
        every = int(getattr(policy, "review_every_h", 24))
        self.next_review_h = h + every
        inv = self.inv
        trigger = getattr(policy, "reorder_point", None)
        if trigger is not None and self._s_level is not None and self._s_level[:2] == (d, policy):
            if (inv.on_hand + inv.on_order > self._s_level[2]).all():
                return
        skus = self.cfg.catalogue.skus
        view = policies.InventoryView(
            day=d,
            hour=hod,
            skus=self.codes,
            on_hand=inv.on_hand.copy(),
            on_order=inv.on_order.copy(),
            inventory_position=inv.on_hand + inv.on_order,
            demand_per_day=inv.demand_mean.copy(),
            demand_sd_per_day=np.sqrt(inv.demand_var),
            lead_time_days=np.array([s.lead_time_days for s in skus]),
            lead_time_sd_days=np.array([s.lead_time_days * s.lead_time_cv for s in skus]),
            cost_cny=self.cost.copy(),
        )
        if trigger is not None:
            self._s_level = (d, policy, trigger(view))
        qty = policies.check_quantities(policy(view), view)
        for k in np.nonzero(qty)[0]:
            self.order_stock(h, int(k), int(qty[k]))

    def order_stock(self, h: float, k: int, qty: int) -> None:
        """Place a purchase order with the supplier; it arrives after a random lead time."""
        lead = float(self.inv.lead[k].sample(self.rng["supplier"])) + self.extra_lead_days
        po = self.inv.place(h, k, qty, lead)
        cost = self.inv.pos.cost_cny[po]
        self.books.move(-cost)
        self.sim.env.process(self._delivery(po, lead))

    def _delivery(self, po: int, lead_days: float):
        yield self.sim.env.timeout(lead_days * 24)
        self.inv.receive(self.sim.env.now, po)


def _group_by_day(times: np.ndarray, ids: np.ndarray):
    """Group ids by the hour that starts the day after their time (when they are processed)."""
    hours = ((np.floor(times / 24) + 1) * 24).astype(np.int64)
    order = np.argsort(hours, kind="stable")
    hours, ids = hours[order], ids[order]
    cuts = np.r_[0, np.nonzero(np.diff(hours))[0] + 1, len(hours)]
    for a, b in itertools.pairwise(cuts):
        if b > a:
            yield int(hours[a]), ids[a:b]


class Simulation:
    """A run of a scenario that can be advanced in steps and have its decisions changed.

    Parameters
    ----------
    scenario : Scenario
        What to simulate.
    seed : int
        Seed of every random stream.
    per_visitor : bool
        Use the per-visitor reference model instead of batched draws (slow).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, *, per_visitor: bool = False):
        if not isinstance(scenario, Scenario):
            raise ScenarioError(
                "scenario", type(scenario).__name__, "err.type", expected=Phrase("type.scenario")
            )
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ScenarioError("seed", seed, "err.ge", lo=0)
        self.scenario = scenario
        self.seed = int(seed)
        self.per_visitor = per_visitor
        self.env = simpy.Environment()
        self.platform = scenario.platform
        self.timeline: list[tuple] = []
        self.market_rng = Streams(self.seed, 0)
        self.fest_traffic, self.fest_conv, self.fest_names = _festival_days(scenario)
        sh = scenario.market.shoppers
        self.base_cr = np.array([sh.conversion_by_channel.get(c, 0.0) for c in CHANNELS])
        ref = np.array([s.reference_price_cny for s in scenario.stores[0].catalogue.skus])
        self.reference = ref
        self.rival_ratio = np.full(len(ref), scenario.market.rival.price_ratio_mean)
        self.rival_cut = 1.0
        self.rival_price = np.round(ref * self.rival_ratio, 2)
        self.stores = [StoreSim(self, i, s) for i, s in enumerate(scenario.stores)]
        self.traffic_shock = 1.0
        self.live_shock = 1.0
        self._clock_proc = self.env.process(self._clock())
        self.hours_done = 0
        self.closed_days = 0

    @property
    def day(self) -> int:
        """Days completed so far."""
        return self.hours_done // 24

    def elasticity(self, store: StoreSim) -> float:
        """Own-price elasticity for a store's shoppers on this platform."""
        return store.cfg.catalogue.price_elasticity * self.platform.price_sensitivity

    # ------------------------------------------------------------------ control
    def run_until(self, day: int | None = None) -> Simulation:
        """Advance to the end of ``day`` (default: the last day)."""
        days = self.scenario.days
        day = days if day is None else day
        if isinstance(day, bool) or not isinstance(day, int | np.integer) or not 1 <= day <= days:
            raise ScenarioError("day", day, "err.day_range", days=days)
        if day * 24 < self.hours_done:
            raise ScenarioError("day", day, "err.step_back", day=self.day)
        if day * 24 > self.hours_done:
            self.env.run(until=day * 24)
            self.hours_done = day * 24
            self._close_days()
        return self

    def decide(self, store: int | str = 0, **changes: Any) -> None:
        """Change a store's decisions from now on (validated like the scenario)."""
        i = store if isinstance(store, int) else [s.cfg.name for s in self.stores].index(store)
        self.scenario = self.scenario.with_decisions(i, **changes)
        st = self.stores[i]
        st.cfg = self.scenario.stores[i]
        st.decisions = st.cfg.decisions
        if "reorder" in changes:
            st.next_review_h = self.hours_done
        self.stores[i].log(
            self.hours_done,
            "decision",
            "决策变更:" + ", ".join(changes),
            "decisions changed: " + ", ".join(changes),
        )

    def results(self):
        """The tables of the run so far."""
        from sim.results import Results

        return Results.from_simulation(self)

    # ------------------------------------------------------------------ clock
    def _clock(self):
        sc = self.scenario
        mk = sc.market
        hour_w = np.array(mk.hour_profile) / sum(mk.hour_profile)
        week_w = np.array(mk.weekday_profile) / np.mean(mk.weekday_profile)
        start_dow = sc.start.weekday()
        for h in range(sc.days * 24):
            d, hod = h // 24 + 1, h % 24
            if hod == 0:
                self.market_rng.new_day(d)
                self._market_day(d, h)
                mix = np.array([self.platform.traffic_mix.get(c, 0.0) for c in MARKET_CHANNELS])
                tm = self.fest_traffic[d - 1] * week_w[(start_dow + d - 1) % 7] * self.traffic_shock
                market = np.zeros((24, N_CH))
                market[:, :4] = mk.visits_per_day * mix[None, :] * hour_w[:, None] * tm
                for s in self.stores:
                    s.start_day(d, h)
                shares = self._shares(hour_w)
                for i, s in enumerate(self.stores):
                    s.plan_day(d, h, market, shares[i], hour_w * tm)
            for s in self.stores:
                s.hour(h)
            yield self.env.timeout(1)
            self.hours_done = h + 1
            self._close_days()

    def _close_days(self) -> None:
        """Close every finished day not closed yet (the clock, or a step that ended there)."""
        while self.closed_days < self.hours_done // 24:
            self.closed_days += 1
            for s in self.stores:
                s.close_day(self.closed_days)

    def _shares(self, hour_w: np.ndarray) -> np.ndarray:
        """Share of each market channel going to each store by hour, shape (stores, 24, channels).

        Search, ads and social shares are set once a day (rank, bids, listing quality and
        rating change daily); livestream visits arrive only in the hours a store streams.
        """
        mk = self.scenario.market
        n = len(self.stores)
        out = np.zeros((n, 24, N_CH))
        q = (
            np.array([s.quality[s.active].mean() if s.active.any() else 0.0 for s in self.stores])
            / 0.6
        )
        rating = np.array([s.rating.value for s in self.stores]) / mk.shoppers.reference_rating
        rank = np.array([s.rank for s in self.stores])
        # shoppers comparing the stores' listings favour the cheaper one (relative to the
        # other stores only, so a single store's demand keeps the configured elasticity)
        price = np.array([s.price_index for s in self.stores])
        cheap = (price / price.mean()) ** (
            -traffic.LISTING_PRICE_EXPONENT * self.platform.price_sensitivity
        )
        out[:, :, 0] = traffic.shares(rank * cheap, mk.outside_score)[:, None]
        bids = np.array(
            [
                s.decisions.ads.cpc_bid_cny if s.decisions.ads.daily_budget_cny > 0 else 0.0
                for s in self.stores
            ]
        )
        out[:, :, 1] = traffic.shares(bids * q, mk.outside_score * self.platform.cpc_market_cny)[
            :, None
        ]
        out[:, :, 2] = traffic.shares(q * rating**2 * cheap, mk.outside_score)[:, None]
        # livestream: a store's audience arrives only in the hours it streams; a spike event
        # (a KOL featuring the product) brings an audience at 20-23 h even to non-streaming stores
        per_store = 1 / (1 + mk.outside_score)
        for i, s in enumerate(self.stores):
            hours = s.decisions.livestream_hours
            live = np.zeros(24)
            if hours:
                live[list(hours)] = s.live_spike * self.live_shock * per_store / len(hours)
            elif self.live_shock > 1:
                live[[20, 21, 22]] = (self.live_shock - 1) * per_store / 3
            out[i, :, 3] = live / np.maximum(hour_w, 1e-9)
        return out

    def _market_day(self, d: int, h: int) -> None:
        sc = self.scenario
        rv = sc.market.rival
        rng = self.market_rng["market"]
        # events that start or end today
        self.traffic_shock = self.live_shock = 1.0
        self.rival_cut = 1.0
        for s in self.stores:
            s.extra_lead_days = 0.0
        for ev in sc.events:
            active = ev.day <= d < ev.day + ev.days
            targets = [s for s in self.stores if not ev.store or s.cfg.name == ev.store]
            if ev.day == d:
                for s in targets:
                    s.log(h, ev.kind, ev.note_zh or ev.kind, ev.note_en or ev.kind)
            if ev.kind == "rule_change" and ev.day == d:
                value = ev.magnitude
                current = getattr(self.platform, ev.field)
                if isinstance(current, int) and not isinstance(current, bool):
                    value = int(value)
                self.platform = self.platform.replace(**{ev.field: value})
            if not active:
                continue
            if ev.kind == "supplier_delay":
                for s in targets:
                    s.extra_lead_days = ev.magnitude
            elif ev.kind == "review_wave":
                for s in targets:
                    s.fake_reviews(h, round(ev.magnitude))
            elif ev.kind == "rival_price_cut":
                self.rival_cut = ev.magnitude
            elif ev.kind == "livestream_spike":
                self.live_shock = ev.magnitude
            elif ev.kind == "traffic_shock":
                self.traffic_shock = ev.magnitude
        # rival price: mean-reverting in logs, reacting to undercuts
        if d > 1:
            logr = np.log(self.rival_ratio)
            logr += rv.reversion * (np.log(rv.price_ratio_mean) - logr) + rng.normal(
                0, rv.volatility, len(logr)
            )
            if rv.react_prob > 0:
                ours = np.min([s.price for s in self.stores], axis=0)
                undercut = ours < self.rival_price * (1 - rv.undercut_trigger)
                react = undercut & (rng.random(len(logr)) < rv.react_prob)
                logr = np.where(
                    react, np.log(np.maximum(ours / self.reference, rv.floor_ratio)), logr
                )
            else:
                rng.random(len(logr))
            self.rival_ratio = np.exp(np.maximum(logr, np.log(rv.floor_ratio)))
        self.rival_price = np.round(self.reference * self.rival_ratio * self.rival_cut, 2)
