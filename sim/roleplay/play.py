"""One simulated run of a session's market, played round by round.

:class:`Setup` is what a session is (scenario, teams, seed, the role-play file, the
roles' fields). :class:`Play` drives the engine (:class:`~sim.model.engine.Simulation`)
through the rounds: before each round it adds the round's scripted and random events to
the scenario, turns each team's effective role decisions into store decisions
(:func:`~sim.roleplay.roles.engine_changes`, passed to ``Simulation.decide`` only when
they changed), raises listing quality from the design hours, books the design wages
(staff, on the round's first day) and places rush orders; then it runs to the round's
last day. The same code plays the session as played, the reference-policy replays and
the debrief's what-ifs, so they differ only by the decisions fed in.

Teams are the stores of one scenario (copies of the scenario's store, named after the
teams), so they share the market's shoppers: search, ads and social traffic split
between them by rank, price, listing quality, rating and ad bid. The market's visits are
scaled by ``(teams + outside) / (1 + outside)`` (``outside`` = the market's
``outside_score``), so that each of several equal teams meets the traffic the scenario's
single store meets: the pressure the scenario was written for does not fade because
teams share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import i18n
from sim.model.engine import Simulation
from sim.results import Results
from sim.roleplay import events as ev
from sim.roleplay.config import ConfigError, RoleplayConfig, load_config
from sim.roleplay.errors import RoleplayError
from sim.roleplay.roles import (
    ROLES,
    Context,
    carry_over,
    check_budget,
    default_decisions,
    engine_changes,
    fit_budget,
    quality_after,
    validate,
)
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario

Effective = dict[str, dict[str, dict[str, Any]]]
"""team -> role -> decisions actually played in a round."""


@dataclass
class Setup:
    """A session's fixed description: scenario with one store per team, seed, setup file."""

    slug: str
    teams: tuple[str, ...]
    seed: int
    config: RoleplayConfig
    scenario: Scenario
    ctx: Context
    reference: list[dict[str, dict[str, Any]]]

    @property
    def rounds(self) -> tuple[tuple[int, int], ...]:
        """``(first_day, last_day)`` of every round."""
        return self.config.rounds

    def round_len(self, r: int) -> int:
        """Days in round ``r`` (1-based)."""
        a, b = self.rounds[r - 1]
        return b - a + 1

    @classmethod
    def build(cls, slug: str, teams: tuple[str, ...], seed: int) -> Setup:
        """Build the shared-market scenario and check the reference policy against it."""
        config = load_config(slug)
        base = load_scenario(config.scenario)
        store = base.store
        stores = tuple(store.replace(name=t) for t in teams)
        events = tuple(e.replace(store="") if e.store == store.name else e for e in base.events)
        # the market grows with the number of teams, so that each team (at an equal search
        # score) meets the traffic the scenario's single store meets: a store's share of a
        # channel is s / (sum of stores' scores + outside score)
        outside = base.market.outside_score
        grow = (len(teams) + outside) / (1 + outside)
        scenario = base.replace(
            stores=stores,
            events=events,
            market=base.market.replace(visits_per_day=base.market.visits_per_day * grow),
        )
        ctx = Context.build(base, config)
        setup = cls(slug, tuple(teams), seed, config, scenario, ctx, [])
        setup.reference = _reference(setup)
        return setup

    def events_of(self, r: int) -> list[dict[str, Any]]:
        """Events of round ``r``: the scenario's, scripted and random (deterministic)."""
        a, b = self.rounds[r - 1]
        return (
            ev.scenario_events(self.scenario, a, b, r)
            + ev.scripted_events(self.config, self.teams, a, b, r)
            + ev.random_events(self.config, self.teams, self.seed, a, b, r)
        )


def _reference(setup: Setup) -> list[dict[str, dict[str, Any]]]:
    """The reference policy's decisions for every round (checked like a submission)."""
    cfg, ctx = setup.config, setup.ctx
    out: list[dict[str, dict[str, Any]]] = []
    prev: dict[str, dict[str, Any]] = {}
    for r in range(1, len(cfg.rounds) + 1):
        n = setup.round_len(r)
        this: dict[str, dict[str, Any]] = {}
        for role in ROLES:
            if r == 1:
                current = default_decisions(ctx, role)
                changes = dict(cfg.reference.get(role, {}))
            else:
                current = carry_over(ctx, role, prev[role])
                changes = {}
            changes.update(cfg.reference_rounds.get(r, {}).get(role, {}))
            try:
                this[role] = validate(ctx, role, changes, current, n)
            except RoleplayError as err:
                raise ConfigError(
                    f"data/roleplay/{cfg.slug}.toml: reference, round {r}: {err}"
                ) from None
        for role in ROLES:
            try:
                check_budget(ctx, role, this[role], this["manager"], n)
            except RoleplayError as err:
                raise ConfigError(
                    f"data/roleplay/{cfg.slug}.toml: reference, round {r}: {err}"
                ) from None
        out.append(this)
        prev = this
    return out


def effective(
    setup: Setup,
    r: int,
    inputs: dict[str, dict[str, dict[str, Any]]],
) -> tuple[Effective, list[dict[str, Any]]]:
    """Decisions actually played in round ``r``, and the log entries they cause.

    ``inputs[team][role]`` is what counts for the round (submitted, or carried over). The
    manager's overrides are applied, then every plan is scaled to the manager's budget.
    """
    ctx = setup.ctx
    a, _ = setup.rounds[r - 1]
    n = setup.round_len(r)
    out: Effective = {}
    log: list[dict[str, Any]] = []

    def entry(team: str, kind: str, zh: str, en: str) -> dict[str, Any]:
        return {
            "round": r,
            "day": a,
            "days": 1,
            "kind": kind,
            "team": team,
            "magnitude": 0.0,
            "field": "",
            "source": "roleplay",
            "note_zh": zh,
            "note_en": en,
        }

    for team in setup.teams:
        dec = {role: dict(inputs[team][role]) for role in ROLES}
        applied = []
        for key, value in dec["manager"].get("overrides", {}).items():
            role, _, name = key.partition(".")
            try:
                dec[role] = validate(ctx, role, {name: value}, dec[role], n)
                applied.append(f"{key} = {value}")
            except RoleplayError:  # an override that no longer fits the role's plan is skipped
                continue
        if applied:
            items = "; ".join(applied)
            log.append(
                entry(
                    team,
                    "override",
                    i18n.t("roleplay.event.override", "zh", items=items),
                    i18n.t("roleplay.event.override", "en", items=items),
                )
            )
        for role in ROLES:
            fitted = fit_budget(ctx, role, dec[role], dec["manager"], n)
            if fitted is None:
                continue
            dec[role], cost, budget = fitted
            log.append(
                entry(
                    team,
                    "budget_cut",
                    i18n.t(
                        "roleplay.event.budget_cut",
                        "zh",
                        role=i18n.t(f"roleplay.role.{role}", "zh"),
                        cost=cost,
                        budget=budget,
                    ),
                    i18n.t(
                        "roleplay.event.budget_cut",
                        "en",
                        role=i18n.t(f"roleplay.role.{role}", "en"),
                        cost=cost,
                        budget=budget,
                    ),
                )
            )
        out[team] = dec
    return out, log


class Play:
    """The engine plus the role-play state (listing quality) for one run of a session."""

    def __init__(self, setup: Setup):
        self.setup = setup
        self.sim = Simulation(setup.scenario, setup.seed)
        self.quality = {t: setup.ctx.base_quality.copy() for t in setup.teams}
        self.applied: dict[str, dict[str, Any]] = {t: {} for t in setup.teams}
        self.rounds_played = 0
        self.extra: list[dict[str, dict[str, Any]]] = []
        self._results: Results | None = None

    def play_round(self, r: int, eff: Effective, events: list[dict[str, Any]]) -> None:
        """Apply round ``r``'s events and decisions and run to its last day."""
        if r != self.rounds_played + 1:
            raise RuntimeError(f"round {r} played out of order (played {self.rounds_played})")
        setup, ctx = self.setup, self.setup.ctx
        first, last = setup.rounds[r - 1]
        sim = self.sim
        days = setup.scenario.days
        new = tuple(
            ev.engine_event(e, days) for e in events if e["source"] in ("scripted", "random")
        )
        if new:
            sim.scenario = sim.scenario.replace(events=sim.scenario.events + new)
        extra: dict[str, dict[str, Any]] = {}
        for i, team in enumerate(setup.teams):
            dec = eff[team]
            changes = engine_changes(ctx, dec, first, last)
            q = quality_after(ctx, self.quality[team], dec["design"])
            self.quality[team] = q
            changes["listing_quality"] = {
                code: float(q[k]) for k, code in enumerate(ctx.codes) if q[k] != ctx.base_quality[k]
            }
            diff = {k: v for k, v in changes.items() if self.applied[team].get(k, _UNSET) != v}
            if diff:
                sim.decide(i, **diff)
                self.applied[team].update(diff)
            store = sim.stores[i]
            hours = sum(int(dec["design"][f"hours.{c}"]) for c in ctx.codes)
            cost = round(hours * ctx.design_wage, 2)
            if cost:
                store.books.book("staff", cost, -cost)
            orders = [
                (k, int(dec["logistics"][f"rush.{code}"]))
                for k, code in enumerate(ctx.codes)
                if dec["logistics"][f"rush.{code}"] > 0
            ]
            if orders:
                sim.env.process(_rush(sim, store, orders))
            rush = sum(q for _, q in orders)
            extra[team] = {"design_hours": hours, "design_cost": cost, "rush_units": rush}
        sim.run_until(last)
        self.extra.append(extra)
        self.rounds_played = r
        self._results = None

    def results(self) -> Results:
        """The run's tables so far (cached until the next round)."""
        if self._results is None:
            self._results = self.sim.results()
        return self._results

    def quality_of(self, team: str) -> np.ndarray:
        """Listing quality per SKU of a team now."""
        return self.quality[team].copy()


_UNSET = object()


def _rush(sim: Simulation, store: Any, orders: list[tuple[int, int]]):
    """Place rush orders in the round's first hour, after the clock opened the day.

    A zero timeout is scheduled behind the clock's own step at this hour, so the orders
    draw their lead times from the store's supplier stream of the new day.
    """
    h = float(sim.env.now)
    yield sim.env.timeout(0)
    for k, qty in orders:
        store.order_stock(h, k, qty)
