"""The simulation: SimPy owns time; areas act on each store every hour.

One SimPy environment runs the market and every store in it. A clock process ticks once
per hour; at the first hour of a day it runs the daily decisions (prices, promotions,
rival prices, search rank, events, reorder reviews of daily policies, holding cost). Each
hour it draws traffic and the shopper funnel for all visits of the hour at once
(vectorised; or one SimPy process per visitor with ``per_visitor=True``, the reference
model used to check the batch sampler), takes orders against the stock shown, and runs
packing, carrier pickup, deliveries, returns, reviews and settlements that fall due.
Inquiries are SimPy processes queueing for agents (:mod:`sim.model.service`); supplier
deliveries are SimPy processes waiting out their lead time.

A run can be advanced in steps (:meth:`Simulation.run_until`), its decisions changed
(:meth:`Simulation.decide`) and continued; with unchanged decisions a stepped run equals
the one-shot run exactly, because every draw comes from a per-(store, area, day) stream.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import numpy as np
import simpy

from sim import policies
from sim.errors import ScenarioError
from sim.model import choice, promotions, reviews, service, traffic
from sim.model.finance import Books
from sim.model.fulfilment import Fulfilment, compensation
from sim.model.inventory import Inventory
from sim.model.orders import S as ST
from sim.model.orders import OrderBook
from sim.model.rng import Streams
from sim.scenario.schema import CHANNELS, MARKET_CHANNELS, Scenario, Store

N_CH = len(CHANNELS)
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
        self.velocity = base_units.sum() * cfg.initial_rank_score
        self.conv_ew = float(mk.shoppers.conversion_by_channel.get("search", 0.03))
        self.customers = cfg.initial_customers
        self.next_customer = cfg.initial_customers
        self.units_hist: list[np.ndarray] = []
        self.today: list[promotions._Promo] = []
        self.flash_left = np.zeros(self.n, dtype=np.int64)
        self.ads_spent_today = 0.0
        self.debt = np.zeros(self.n)
        self.expected_base = np.zeros(self.n)
        self.live_spike = 1.0
        self.extra_lead_days = 0.0
        self.due: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        self.hourly: list[np.ndarray] = []
        self.sku_day = np.zeros((8, self.n))
        self.sku_daily: list[np.ndarray] = []
        self.daily: list[dict[str, float]] = []
        self.day_visits = 0
        self.day_orders = 0
        self.reviews_log: list[tuple[float, int, float, str]] = []
        self.presale_orders: list[int] = []
        self.next_review_h = 0

    # ------------------------------------------------------------------ helpers
    def _base_daily_units(self) -> np.ndarray:
        sc = self.sim.scenario
        mk, pf = sc.market, sc.platform
        mix = sum(pf.traffic_mix.values())
        visits = mk.visits_per_day * mix / (1 + mk.outside_score)
        cr = mk.shoppers.conversion_by_channel.get("search", 0.03)
        return visits * self.weights / self.weights.sum() * cr

    @property
    def quality(self) -> np.ndarray:
        """Listing quality by SKU, with the decisions' overrides."""
        q = np.array([s.listing_quality for s in self.cfg.catalogue.skus])
        for code, v in self.decisions.listing_quality.items():
            q[self.codes.index(code)] = v
        return q

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
        # search rank from the days so far
        mk = sc.market
        self.rank = traffic.rank_score(
            self.velocity, self.conv_ew, self.rating.value, reference_units=mk.reference_daily_units,
            reference_conversion=mk.shoppers.conversion_by_channel.get("search", 0.03),
            reference_rating=mk.shoppers.reference_rating, velocity_exponent=mk.velocity_exponent,
            conversion_exponent=mk.conversion_exponent, rating_exponent=self.sim.platform.rating_weight,
        )
        if self.cfg.new_store and d <= self.sim.platform.new_store_boost_days:
            self.rank *= self.sim.platform.new_store_boost
        # prices
        view = policies.PriceView(
            day=d, skus=self.codes, cost_cny=self.cost.copy(), list_price_cny=self.list_price.copy(),
            reference_price_cny=self.reference.copy(), rival_price_cny=self.sim.rival_price.copy(),
            price_cny=self.price.copy(), on_hand=self.inv.on_hand.copy(), units_7d=self._units_7d(),
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
                self.log(h + p.start_hour, "promotion", f"秒杀开始 {p.discount:.0%}", f"flash sale {p.discount:.0%}")
        self.flash_left = np.zeros(self.n, dtype=np.int64)
        for p in self.today:
            if isinstance(p, promotions.FlashSale):
                mask = np.ones(self.n, bool) if not p.skus else np.isin(np.array(self.codes), p.skus)
                self.flash_left[mask] = p.cap_units
        self._presale_balance(d, h)
        self.ads_spent_today = 0.0
        # livestream audience for today's sessions
        sd = mk.livestream_spike_sd
        self.live_spike = float(self.rng["traffic"].lognormal(-sd * sd / 2, sd)) if sd > 0 else 1.0
        # daily costs
        pos = np.maximum(self.inv.on_hand, 0)
        self.books.book("holding", float(np.round((pos * self.cost).sum() * self.cfg.holding_rate_per_year / 365, 2)))
        st = self.sim.platform.store_types[self.cfg.store_type]
        fee = round(st.annual_fee_cny / 365, 2)
        self.books.book("platform_fees", fee, -fee)

    def close_day(self, d: int) -> None:
        """Bookkeeping at the end of day ``d``."""
        self.inv.close_day()
        units = self.sku_day[3].copy()
        self.units_hist.append(units)
        alpha = 1 / self.sim.scenario.market.rank_memory_days
        self.velocity += alpha * (units.sum() - self.velocity)
        if self.day_visits > 0:
            self.conv_ew += alpha * (self.day_orders / self.day_visits - self.conv_ew)
        row = np.vstack([self.sku_day, self.price, self.sim.rival_price, self.inv.on_hand, self.inv.on_order,
                         self.quality])
        self.sku_daily.append(row)
        self.daily.append({"day": d, "rating": self.rating.value, "rank_score": self.rank,
                           "customers": self.customers, "agent_hours": self.desk.agent_hours,
                           "packer_hours": self.fulfil.packer_hours, "backlog": len(self.fulfil.backlog)})
        self.desk.agent_hours = 0.0
        self.fulfil.packer_hours = 0.0
        self.books.close_day(d)
        self.sku_day = np.zeros((8, self.n))
        self.day_visits = self.day_orders = 0

    def _units_7d(self) -> np.ndarray:
        if not self.units_hist:
            return np.zeros(self.n)
        return np.sum(self.units_hist[-7:], axis=0)

    # ------------------------------------------------------------------ hourly
    def hour(self, h: int, market_visits: np.ndarray, shares: np.ndarray, ctx: dict[str, Any]) -> None:
        """Everything that happens to the store in hour ``h``."""
        sim = self.sim
        sc = sim.scenario
        d, hod = h // 24 + 1, h % 24
        dec = self.decisions
        mk = sc.market
        # staff on duty
        agents = policies.plan_at(dec.agents, d, hod)
        packers = policies.plan_at(dec.packers, d, hod)
        self.desk.set_agents(agents)
        self.fulfil.packer_hours += packers
        wage = agents * self.cfg.agent_wage_cny_per_h + packers * self.cfg.packer_wage_cny_per_h
        self.books.book("staff", wage, -wage)
        # things falling due this hour (deliveries, returns, reviews, settlements)
        for kind, payload in self.due.pop(h, ()):
            getattr(self, f"_due_{kind}")(h, payload)
        # stock sync and sales through other channels
        self._other_channels(h)
        # promotions in force this hour
        fx = promotions.effects(self.today, d, hod, self.codes)
        active = self.active
        flash_open = np.array([f is not None for f in fx.flash]) & (self.flash_left > 0)
        # traffic
        rng_t = self.rng["traffic"]
        split = traffic.sku_split(self.weights, active) * fx.traffic_factor
        q = self.quality
        exp_ch = market_visits * shares
        exp_ch[RET] = self.customers * mk.shoppers.revisit_rate_per_day * ctx["hour_share"] * ctx["traffic_mult"]
        lam = exp_ch[:, None] * split[None, :]
        ctr_ref = mk.shoppers.ctr_reference
        depth = np.clip(1 - self.price * fx.price_factor / self.list_price, 0, 0.9)
        ctr = np.clip(ctr_ref * traffic.ctr_factor(q, depth), 0, 0.9)
        impressions = rng_t.poisson(lam / ctr_ref)
        visits = rng_t.binomial(impressions, np.broadcast_to(ctr, impressions.shape))
        # ads: clicks cost money until the day's budget is spent
        bid = dec.ads.cpc_bid_cny
        cpc = round(bid * traffic.CPC_PAID_SHARE, 2)
        ad_clicks = int(visits[ADS].sum())
        if ad_clicks and cpc > 0:
            room = max(dec.ads.daily_budget_cny - self.ads_spent_today, 0.0)
            allowed = int(room // cpc)
            if ad_clicks > allowed:
                visits[ADS] = np.floor(visits[ADS] * (allowed / ad_clicks)).astype(visits.dtype)
                ad_clicks = int(visits[ADS].sum())
            spend = round(ad_clicks * cpc, 2)
            self.ads_spent_today += spend
            self.books.book("ads", spend, -spend)
        elif ad_clicks:
            visits[ADS] = 0
        # funnel
        shown = (self.inv.shown > 0) & active
        compare = mk.shoppers.rival_weight * sim.rival_price + (1 - mk.shoppers.rival_weight) * self.reference
        st = sim.platform.store_types[self.cfg.store_type]
        context = sim.platform.conversion_multiplier * st.trust * ctx["conv_mult"]
        debt_factor = self._debt_factor(fx)
        pull = np.array([p.pull_in if p is not None else 1.0 for p in fx.presale])
        base_cr = sim.base_cr
        f = choice.funnel(
            base_cr=base_cr, shoppers=mk.shoppers, service=mk.service, price=self.price, list_price=self.list_price,
            compare_price=compare, elasticity=sim.elasticity(self), quality=q, rating=self.rating.value,
            context=context, fx=fx, debt_factor=debt_factor, flash_open=flash_open, presale_pull=pull, shown=shown,
        )
        self._track_debt(fx, f, visits, base_cr)
        if sim.per_visitor:
            out = self._per_visitor(h, visits, f, fx)
        else:
            out = choice.sample_batch(self.rng["choice"], visits, f)
            self._take_orders(h, out.orders, f, fx)
            self._inquiries(h, out.inquiries, f, fx)
        self._record_hour(h, impressions, out, ad_clicks * cpc)
        # packing and pickup
        cap = int(packers * dec.pack_rate_per_h)
        if cap:
            done = self.fulfil.pack(cap)
            if done:
                self.orders.cols["packed_h"][done] = h + 1
                self.orders.cols["status"][done] = ST["paid"]
        if hod == dec.cut_off_hour:
            self._ship(h, self.fulfil.pickup())
        # reorders
        self._review(h, d, hod)

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
            units = int(draw[k]) if delay else int(min(draw[k], max(self.inv.on_hand[k], 0)))
            if units:
                self.inv.take(h, k, units, "other_channel")
                if not delay:
                    self.inv.shown[k] = max(self.inv.on_hand[k], 0)

    def _cancel_oversold(self, h: int) -> None:
        o = self.orders
        pf = self.sim.platform
        for k in np.nonzero(self.inv.on_hand < 0)[0]:
            short = -int(self.inv.on_hand[k])
            cand = np.nonzero((o["sku"] == k) & (o["status"] == ST["paid"]) & np.isnan(o["shipped_h"]))[0][::-1]
            got, cancel = 0, []
            for i in cand:
                if got >= short:
                    break
                cancel.append(i)
                got += int(o["units"][i])
            if not cancel:
                continue
            ids = np.array(cancel)
            self._remove_from_backlog(ids)
            o.cols["status"][ids] = ST["cancelled"]
            pen = compensation(o["paid_cny"][ids], pf.oversell_penalty_rate, pf.oversell_penalty_min_cny,
                               pf.oversell_penalty_max_cny)
            refund = o["paid_cny"][ids]
            o.cols["refund_cny"][ids] = refund
            o.cols["refund_h"][ids] = h
            total_pen, total_ref = float(pen.sum()), float(refund.sum())
            self.books.book("penalties", total_pen, -total_pen)
            self.books.book("refunds", total_ref, -total_ref)
            self._reverse_fees(ids, restock=True, h=h, event="cancel")
            self.log(h, "oversold", f"超卖取消 {len(ids)} 单", f"oversold: {len(ids)} orders cancelled")

    def _remove_from_backlog(self, ids: np.ndarray) -> None:
        drop = set(int(i) for i in ids)
        self.fulfil.backlog = type(self.fulfil.backlog)(i for i in self.fulfil.backlog if i not in drop)
        self.fulfil.packed = [i for i in self.fulfil.packed if i not in drop]

    def _debt_factor(self, fx) -> np.ndarray:
        """Post-promotion dip: repay borrowed demand while no promotion runs on the SKU."""
        sh = self.sim.scenario.market.shoppers
        on = (fx.price_factor < 1) | (fx.threshold_cny > 0) | (fx.coupon_new_cny > 0) | (fx.coupon_ret_cny > 0)
        on |= np.array([p is not None for p in fx.flash])
        self._promo_on = on
        base = np.maximum(self.expected_base, 1e-9)
        repay = np.where(on, 0.0, np.minimum(self.debt, sh.dip_strength * base))
        self._repay = repay
        return 1 - repay / base

    def _track_debt(self, fx, f, visits, base_cr) -> None:
        sh = self.sim.scenario.market.shoppers
        v = visits.sum(axis=0)
        # expected orders without promotion factors (elasticity at list price, no uplifts)
        expected_plain = (visits * base_cr[:, None]).sum(axis=0)
        expected_now = (visits * f.order).sum(axis=0)
        self.expected_base = np.where(v > 0, expected_plain, self.expected_base)
        uplift = np.where(self._promo_on, np.maximum(expected_now - expected_plain, 0), 0.0)
        self.debt = np.maximum(self.debt + sh.pull_forward_share * uplift - self._repay, 0)

    # ------------------------------------------------------------------ orders
    def _take_orders(self, h: int, orders: np.ndarray, f: choice.Funnel, fx, via_inquiry: bool = False,
                     t_exact: float | None = None) -> int:
        """Place the orders drawn for each (channel, SKU); return how many were accepted."""
        rng = self.rng["choice"]
        per_sku = orders.sum(axis=0)
        accepted = 0
        for k in np.nonzero(per_sku)[0]:
            chans = np.repeat(np.arange(N_CH), orders[:, k])
            if len(chans) > 1:
                chans = rng.permutation(chans)
            accepted += self._place(h, k, chans, f, fx, rng, via_inquiry, t_exact)
        return accepted

    def _place(self, h, k, chans, f, fx, rng, via_inquiry, t_exact) -> int:
        n = len(chans)
        sc = self.sim.scenario
        mk = sc.market
        returning = chans == RET
        flash = fx.flash[k]
        price = float(f.unit_price[k])
        basket = choice.baskets(rng, n, k, price, float(self.list_price[k]), sc.stores[self.index].catalogue.extra_units_mean,
                                fx, returning, mk.shoppers)
        units = basket.units
        # stock shown limits what can be ordered; flash sale caps its discounted units
        cum = np.cumsum(units)
        limit = max(int(self.inv.shown[k]), 0)
        if flash is not None and self.flash_left[k] > 0:
            limit = min(limit, int(self.flash_left[k]))
        ok = cum <= limit
        lost_units = int(units[~ok].sum())
        self.inv.demand_today[k] += units.sum()
        if lost_units:
            self.inv.lost_today[k] += lost_units
            self.sku_day[5, k] += lost_units
        if not ok.any():
            return 0
        units, chans, returning = units[ok], chans[ok], returning[ok]
        m = len(units)
        sel = np.nonzero(ok)[0]
        paid_mask = rng.random(m) < mk.shoppers.pay_rate
        t = (t_exact if t_exact is not None else h + rng.random(m))
        t = np.broadcast_to(np.asarray(t, dtype=float), (m,))
        # customers: returning visitors are past customers; others are new with a share
        is_new = ~returning & (rng.random(m) < mk.shoppers.new_share_of_market_visits)
        cust = np.where(is_new, 0, rng.integers(0, max(self.next_customer, 1), m))
        new_ids = np.arange(self.next_customer, self.next_customer + int(is_new.sum()))
        cust[is_new] = new_ids
        if self.next_customer == 0:
            cust[~is_new] = new_ids[0] if len(new_ids) else 0
        self.next_customer += len(new_ids)
        presale = fx.presale[k]
        deposit = np.zeros(m)
        discount = basket.discount[sel].copy()
        paid_amt = basket.paid[sel].copy()
        if presale is not None:
            deposit[:] = presale.deposit_cny
            bonus = (presale.deposit_value_cny - presale.deposit_cny) * units / units.clip(1)
            cut = np.minimum(bonus, paid_amt - presale.deposit_cny - 0.01).clip(0)
            discount += cut
            paid_amt = np.round(paid_amt - cut, 2)
        ids = self.orders.add(
            m, customer_id=cust, is_new_customer=is_new, channel=chans, sku=k, created_h=t, units=units,
            list_price_cny=self.list_price[k], unit_price_cny=price, goods_value_cny=basket.goods_value[sel],
            discount_cny=discount, coupon_cny=basket.coupon[sel], paid_cny=paid_amt,
            gift_cost_cny=fx.gift_cost_cny[k], via_inquiry=via_inquiry, status=ST["unpaid"], presale=presale is not None,
            deposit_cny=deposit,
        )
        pids = ids[paid_mask]
        if len(pids):
            sold = int(units[paid_mask].sum())
            self.inv.take(float(h), k, sold)
            if flash is not None and self.flash_left[k] > 0:
                self.flash_left[k] = max(self.flash_left[k] - sold, 0)
            if presale is not None:
                self.orders.cols["status"][pids] = ST["awaiting_balance"]
                self.presale_orders.extend(int(i) for i in pids)
            else:
                self._paid(pids, t[paid_mask])
        return m

    def _paid(self, ids: np.ndarray, t: np.ndarray) -> None:
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
        self.fulfil.queue(ids)
        self.sku_day[4] += np.bincount(o["sku"][ids], weights=paid, minlength=self.n)
        self.day_orders += len(ids)

    def _presale_balance(self, d: int, h: int) -> None:
        if not self.presale_orders:
            return
        o = self.orders
        ids = np.array(self.presale_orders, dtype=np.int64)
        due = []
        for p in self.decisions.promotions.presales() if hasattr(self.decisions.promotions, "presales") else ():
            if p.balance_day == d:
                due.append(p)
        if not due:
            return
        rng = self.rng["choice"]
        rate = due[0].balance_pay_rate
        pay = rng.random(len(ids)) < rate
        t = h + rng.random(len(ids)) * 24
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
        self.log(h, "presale", f"尾款日:{int(pay.sum())} 单付尾款,{len(lost)} 单放弃",
                 f"balance day: {int(pay.sum())} paid, {len(lost)} forfeited")
        self.presale_orders = []

    def _inquiries(self, h: int, inq: np.ndarray, f: choice.Funnel, fx) -> None:
        total = int(inq.sum())
        if not total:
            return
        rng = self.rng["service"]
        svc = self.sim.scenario.market.service
        patience, handle = service.draw_times(rng, total, svc)
        delays = rng.random(total)
        cells = np.repeat(np.arange(inq.size), inq.ravel())
        for j, cell in enumerate(cells):
            ch, k = divmod(int(cell), self.n)
            self._one_inquiry(h, ch, k, float(delays[j]), float(patience[j]), float(handle[j]), f, fx)

    def _one_inquiry(self, h, ch, k, delay, patience, handle, f, fx) -> None:
        mult = float(f.multiplier[ch, k])
        svc = self.sim.scenario.market.service

        def on_answer(ticket: int, wait_min: float, answered: bool) -> bool:
            p = choice.inquiry_buy_probability(mult, wait_min, answered, svc)
            if self.rng["service"].random() >= p:
                return False
            orders = np.zeros((N_CH, self.n), dtype=np.int64)
            orders[ch, k] = 1
            now = self.sim.env.now
            return self._take_orders(int(now), orders, f, fx, via_inquiry=True, t_exact=now) > 0

        self.desk.inquire(service.PRE, k, -1, delay, patience, handle, on_answer)

    def _per_visitor(self, h: int, visits: np.ndarray, f: choice.Funnel, fx) -> choice.Outcome:
        """Reference model: one SimPy process per visitor, deciding at its arrival time."""
        out = choice.Outcome(*(np.zeros_like(visits) for _ in range(7)))
        out.visits = visits.copy()
        rng = self.rng["choice"]
        svc_rng = self.rng["service"]
        svc = self.sim.scenario.market.service
        env = self.sim.env

        def visitor(ch, k, at):
            yield env.timeout(at)
            inq, order, cart, fav, bounce, pages = choice.sample_one(rng, ch, k, f)
            out.page_views[ch, k] += pages
            if inq:
                out.inquiries[ch, k] += 1
                patience, handle = service.draw_times(svc_rng, 1, svc)
                self._one_inquiry(h, ch, k, 0.0, float(patience[0]), float(handle[0]), f, fx)
                return
            out.orders[ch, k] += order
            out.carts[ch, k] += cart
            out.favourites[ch, k] += fav
            out.bounces[ch, k] += bounce
            if order:
                one = np.zeros((N_CH, self.n), dtype=np.int64)
                one[ch, k] = 1
                self._take_orders(h, one, f, fx, t_exact=env.now)

        for ch, k in zip(*np.nonzero(visits), strict=True):
            for at in rng.random(int(visits[ch, k])):
                env.process(visitor(int(ch), int(k), float(at)))
        return out

    def _record_hour(self, h: int, impressions: np.ndarray, out: choice.Outcome, ad_spend: float) -> None:
        row = np.empty((N_CH, 9))
        row[:, 0] = impressions.sum(1)
        row[:, 1] = out.visits.sum(1)
        row[:, 2] = out.page_views.sum(1)
        row[:, 3] = out.bounces.sum(1)
        row[:, 4] = out.favourites.sum(1)
        row[:, 5] = out.carts.sum(1)
        row[:, 6] = out.orders.sum(1)
        row[:, 7] = out.inquiries.sum(1)
        row[:, 8] = 0.0
        row[ADS, 8] = ad_spend
        self.hourly.append(row)
        self.sku_day[0] += out.visits.sum(0)
        self.sku_day[1] += impressions.sum(0)
        self.sku_day[2] += out.orders.sum(0)
        self.day_visits += int(out.visits.sum())

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
            pen = compensation(o["paid_cny"][ids[late]], pf.late_penalty_rate, pf.late_penalty_min_cny,
                               pf.late_penalty_max_cny)
            o.cols["late_penalty_cny"][ids[late]] = pen
            total = float(pen.sum())
            self.books.book("penalties", total, -total)
        ship = round(float(cost.sum()), 2)
        self.books.book("shipping", ship, -ship)
        damage = np.array([c.damage_rate for c in self.fulfil.carriers])[carrier]
        bad = (rng.random(len(ids)) < self.defect[o["sku"][ids]]) | (rng.random(len(ids)) < damage)
        o.cols["defective"][ids] = bad
        for hh, grp in _group_by_hour(delivered, ids):
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
        ret = np.where(bad, rng.random(n) < reviews.DEFECT_RETURN, rng.random(n) < self.return_rate[o["sku"][live]])
        ret_at = o["delivered_h"][live] + rng.uniform(0.5, max(pf.return_window_days, 0.6), n) * 24
        rev = rng.random(n) < sc.market.reviews.review_rate
        rev_at = o["delivered_h"][live] + rng.uniform(0.5, 5, n) * 24
        settle_at = o["delivered_h"][live] + pf.settlement_days * 24
        asked = rng.random(n) < sc.market.service.aftersale_inquiry_rate
        for i in np.nonzero(ret)[0]:
            self.due[int(math.ceil(ret_at[i]))].append(("return", live[i]))
        for hh, grp in _group_by_hour(rev_at[rev], live[rev]):
            self.due[hh].append(("review", grp))
        for hh, grp in _group_by_hour(settle_at, live):
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

                self.desk.inquire(service.AFTER, int(o["sku"][oid]), oid, float(delays[j]), float(patience[j]),
                                  float(handle[j]), on_answer)

    def _due_return(self, h: int, oid: int) -> None:
        o = self.orders
        if o["status"][oid] != ST["delivered"]:
            return
        o.cols["status"][oid] = ST["returned"]
        o.cols["returned"][oid] = True
        refund = float(o["paid_cny"][oid])
        o.cols["refund_cny"][oid] = refund
        o.cols["refund_h"][oid] = h
        self.books.book("refunds", refund, -refund)
        ids = np.array([oid])
        self._reverse_fees(ids, restock=not o["defective"][oid], h=h, event="return_restock")
        self.sku_day[6, o["sku"][oid]] += 1

    def _reverse_fees(self, ids: np.ndarray, restock: bool, h: float, event: str) -> None:
        o = self.orders
        pf = self.sim.platform
        st = pf.store_types[self.cfg.store_type]
        refund = float(o["paid_cny"][ids].sum())
        self.books.book("commission", -round(refund * (pf.commission_rate + st.commission_extra_rate), 2))
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
            rng, self.sim.scenario.market.reviews,
            days_to_deliver=(o["delivered_h"][ids] - o["paid_h"][ids]) / 24, bad_item=o["defective"][ids],
            service_failed=o["service_failed"][ids], price_ratio=o["unit_price_cny"][ids] / self.reference[k],
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
        if h < self.next_review_h:
            return
        self.next_review_h = h + every
        inv = self.inv
        skus = self.cfg.catalogue.skus
        view = policies.InventoryView(
            day=d, hour=hod, skus=self.codes, on_hand=inv.on_hand.copy(), on_order=inv.on_order.copy(),
            inventory_position=inv.on_hand + inv.on_order, demand_per_day=inv.demand_mean.copy(),
            demand_sd_per_day=np.sqrt(inv.demand_var), lead_time_days=np.array([s.lead_time_days for s in skus]),
            lead_time_sd_days=np.array([s.lead_time_days * s.lead_time_cv for s in skus]), cost_cny=self.cost.copy(),
        )
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


def _group_by_hour(times: np.ndarray, ids: np.ndarray):
    hours = np.ceil(times).astype(np.int64)
    order = np.argsort(hours, kind="stable")
    hours, ids = hours[order], ids[order]
    cuts = np.nonzero(np.diff(hours))[0] + 1
    for hs, grp in zip(np.split(hours, cuts), np.split(ids, cuts), strict=True):
        if len(hs):
            yield int(hs[0]), grp


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
            raise ScenarioError("scenario", type(scenario).__name__, "err.type", expected="a Scenario")
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
        self.stores[i].log(self.hours_done, "decision", "决策变更:" + ", ".join(changes),
                           "decisions changed: " + ", ".join(changes))

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
        mix = np.array([self.platform.traffic_mix.get(c, 0.0) for c in MARKET_CHANNELS])
        start_dow = sc.start.weekday()
        for h in range(sc.days * 24):
            d, hod = h // 24 + 1, h % 24
            if hod == 0:
                self.market_rng.new_day(d)
                self._market_day(d, h)
                for s in self.stores:
                    s.start_day(d, h)
                mix = np.array([self.platform.traffic_mix.get(c, 0.0) for c in MARKET_CHANNELS])
            dow = (start_dow + d - 1) % 7
            tm = self.fest_traffic[d - 1] * week_w[dow] * self.traffic_shock
            ctx = {"hour_share": hour_w[hod] * 24 / 24, "traffic_mult": tm, "conv_mult": self.fest_conv[d - 1]}
            ctx["hour_share"] = hour_w[hod]
            market = np.zeros(N_CH)
            market[:4] = mk.visits_per_day * mix * hour_w[hod] * tm
            shares = self._shares(hod, market)
            for i, s in enumerate(self.stores):
                s.hour(h, market, shares[i], ctx)
            yield self.env.timeout(1)
            self.hours_done = h + 1
            self._close_days()

    def _close_days(self) -> None:
        """Close every finished day not closed yet (the clock, or a step that ended there)."""
        while self.closed_days < self.hours_done // 24:
            self.closed_days += 1
            for s in self.stores:
                s.close_day(self.closed_days)

    def _shares(self, hod: int, market: np.ndarray) -> np.ndarray:
        """Share of each market channel going to each store, shape (stores, channels)."""
        mk = self.scenario.market
        n = len(self.stores)
        out = np.zeros((n, N_CH))
        q = np.array([s.quality[s.active].mean() if s.active.any() else 0.0 for s in self.stores]) / 0.6
        rating = np.array([s.rating.value for s in self.stores]) / mk.shoppers.reference_rating
        rank = np.array([s.rank for s in self.stores])
        out[:, 0] = traffic.shares(rank, mk.outside_score)
        bids = np.array([s.decisions.ads.cpc_bid_cny if s.decisions.ads.daily_budget_cny > s.ads_spent_today else 0.0
                         for s in self.stores])
        out[:, 1] = traffic.shares(bids * q, mk.outside_score * self.platform.cpc_market_cny)
        out[:, 2] = traffic.shares(q * rating**2, mk.outside_score)
        # livestream: a store's audience arrives only in the hours it streams
        w = np.array([1.0 if hod in s.decisions.livestream_hours else 0.0 for s in self.stores])
        n_hours = np.array([max(len(s.decisions.livestream_hours), 1) for s in self.stores])
        spike = np.array([s.live_spike for s in self.stores])
        hour_w = np.array(mk.hour_profile) / sum(mk.hour_profile)
        live = w * spike * self.live_shock / (1 + mk.outside_score) / n_hours / max(hour_w[hod], 1e-9)
        if self.live_shock > 1:
            live = np.where(w > 0, live, (hod in (20, 21, 22)) * (self.live_shock - 1) / (1 + mk.outside_score) / 3 /
                            max(hour_w[hod], 1e-9))
        out[:, 3] = live
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
                    s.fake_reviews(h, int(round(ev.magnitude)))
            elif ev.kind == "rival_price_cut":
                self.rival_cut = ev.magnitude
            elif ev.kind == "livestream_spike":
                self.live_shock = ev.magnitude
            elif ev.kind == "traffic_shock":
                self.traffic_shock = ev.magnitude
        # rival price: mean-reverting in logs, reacting to undercuts
        if d > 1:
            logr = np.log(self.rival_ratio)
            logr += rv.reversion * (np.log(rv.price_ratio_mean) - logr) + rng.normal(0, rv.volatility, len(logr))
            if rv.react_prob > 0:
                ours = np.min([s.price for s in self.stores], axis=0)
                undercut = ours < self.rival_price * (1 - rv.undercut_trigger)
                react = undercut & (rng.random(len(logr)) < rv.react_prob)
                logr = np.where(react, np.log(np.maximum(ours / self.reference, rv.floor_ratio)), logr)
            else:
                rng.random(len(logr))
            self.rival_ratio = np.exp(np.maximum(logr, np.log(rv.floor_ratio)))
        self.rival_price = np.round(self.reference * self.rival_ratio * self.rival_cut, 2)
