"""The role-play setup of a scenario: ``data/roleplay/<slug>.toml``.

One file per scenario in ``data/scenarios/`` that can be played as a role-play. It says

* ``rounds`` - the day ranges of the rounds (``[[1, 5], [6, 11], ...]``), or
  ``round_days`` - a uniform round length; ``round_names_zh`` / ``round_names_en``;
* ``design_wage_cny_per_h``, ``listing_quality_cap``, ``listing_hours_scale`` - the design
  role's wage and how listing quality responds to hours of work (see :mod:`roles`);
* ``service_target_min`` - the platform's first-response standard (scorecard, and the
  service lead's default target);
* ``[budget]`` - the store's total daily budget for the four departments and the manager's
  default split (yuan per day);
* ``[targets]`` - default profit and revenue targets for the session;
* ``[scorecard]`` - weights of the six parts and the parameters of their formulas
  (:mod:`scoring`);
* ``[[events]]`` - scripted events on top of the scenario's own (``team = 0`` all teams,
  ``k`` the k-th team);
* ``[[random_events]]`` - events that may strike each round with a probability, drawn from
  a stream seeded by the session seed and the round (:mod:`events`);
* ``[reference]`` - the reference policy: decisions per role applied every round
  (``[reference.service]``), with per-round changes (``[[reference.round]]``);
* ``[[whatif]]`` - counterfactuals the debrief report considers besides "had <role>
  played the reference policy";
* ``[questions]`` - discussion questions, ``zh`` and ``en`` lists of the same length;
* ``[provenance]`` - where every number comes from (tests/test_provenance.py).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sim.scenario.load import DATA_DIR, read_toml
from sim.scenario.schema import EVENT_KINDS, Platform

ROLEPLAY_DIR = Path(os.environ.get("SIM_ROLEPLAY_DIR", DATA_DIR / "roleplay"))
SCORE_PARTS = ("profit", "on_time", "rating", "service", "stock", "rules")
MARKET_KINDS = ("rival_price_cut", "rule_change", "livestream_spike", "traffic_shock")
"""Event kinds the engine applies to the whole market (the others hit one store)."""


class ConfigError(ValueError):
    """A role-play setup file that does not make sense (a course author's error)."""


@dataclass(frozen=True)
class ScriptedEvent:
    """An event written into the role-play file."""

    day: int
    kind: str
    days: int = 1
    magnitude: float = 1.0
    field: str = ""
    team: int = 0
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class RandomEvent:
    """An event that may strike in a round with a given probability."""

    kind: str
    probability: float
    target: str = "all"
    magnitude: tuple[float, float] = (1.0, 1.0)
    days: tuple[int, int] = (1, 1)
    field: str = ""
    rounds: tuple[int, ...] = ()
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class WhatIf:
    """A counterfactual: ``role``'s fields set to ``values`` in ``rounds``."""

    role: str
    rounds: tuple[int, ...]
    values: dict[str, Any]
    title_zh: str
    title_en: str


@dataclass(frozen=True)
class Scorecard:
    """Weights of the scorecard parts and the parameters of their formulas."""

    weights: dict[str, float]
    profit_ref_cny_per_day: float
    on_time_floor: float
    rating_floor: float
    cover_max_days: float
    violation_tolerance: float


@dataclass(frozen=True)
class RoleplayConfig:
    """A scenario's role-play setup (see the module docstring)."""

    slug: str
    scenario: str
    rounds: tuple[tuple[int, int], ...]
    round_names_zh: tuple[str, ...]
    round_names_en: tuple[str, ...]
    design_wage_cny_per_h: float
    listing_quality_cap: float
    listing_hours_scale: float
    service_target_min: float
    budget_total_cny_per_day: float
    budget: dict[str, float]
    targets: dict[str, float]
    scorecard: Scorecard
    events: tuple[ScriptedEvent, ...]
    random_events: tuple[RandomEvent, ...]
    reference: dict[str, dict[str, Any]]
    reference_rounds: dict[int, dict[str, dict[str, Any]]]
    whatifs: tuple[WhatIf, ...]
    questions_zh: tuple[str, ...]
    questions_en: tuple[str, ...]
    title_zh: str = ""
    title_en: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def roleplay_names() -> list[str]:
    """Slugs of the scenarios that have a role-play setup."""
    return sorted(p.stem for p in ROLEPLAY_DIR.glob("*.toml"))


def _need(d: dict, key: str, where: str) -> Any:
    if key not in d:
        raise ConfigError(f"{where}: '{key}' is missing")
    return d[key]


def _num(value: Any, where: str, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} = {value!r}: must be a number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{where} = {value!r}: must be between {lo} and {hi}")
    return float(value)


def _rounds(raw: dict, days: int, where: str) -> tuple[tuple[int, int], ...]:
    if "rounds" in raw:
        out = []
        for i, pair in enumerate(raw["rounds"]):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ConfigError(f"{where}.rounds[{i}] = {pair!r}: must be [first_day, last_day]")
            out.append((int(pair[0]), int(pair[1])))
    else:
        step = int(_num(_need(raw, "round_days", where), f"{where}.round_days", 1, days))
        out = [(a, min(a + step - 1, days)) for a in range(1, days + 1, step)]
    expect = 1
    for i, (a, b) in enumerate(out):
        if a != expect or b < a:
            raise ConfigError(f"{where}.rounds[{i}] = [{a}, {b}]: rounds must tile days 1..{days}")
        expect = b + 1
    if expect != days + 1:
        raise ConfigError(f"{where}.rounds: must end on the scenario's last day {days}")
    return tuple(out)


def _event(raw: dict, where: str) -> ScriptedEvent:
    kind = _need(raw, "kind", where)
    if kind not in EVENT_KINDS:
        raise ConfigError(f"{where}.kind = {kind!r}: must be one of {', '.join(EVENT_KINDS)}")
    if kind == "rule_change" and raw.get("field") not in Platform.describe():
        raise ConfigError(f"{where}.field = {raw.get('field')!r}: must be a platform field")
    unknown = set(raw) - {f for f in ScriptedEvent.__dataclass_fields__}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    return ScriptedEvent(
        day=int(_num(raw["day"], f"{where}.day", 1)),
        kind=kind,
        days=int(_num(raw.get("days", 1), f"{where}.days", 1)),
        magnitude=_num(raw.get("magnitude", 1.0), f"{where}.magnitude", 0),
        field=raw.get("field", ""),
        team=int(_num(raw.get("team", 0), f"{where}.team", 0)),
        note_zh=raw.get("note_zh", ""),
        note_en=raw.get("note_en", ""),
    )


def _pair(value: Any, where: str) -> tuple[float, float]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (float(value), float(value))
    if isinstance(value, list) and len(value) == 2:
        lo, hi = (_num(v, where) for v in value)
        if lo > hi:
            raise ConfigError(f"{where} = {value!r}: low end above high end")
        return (lo, hi)
    raise ConfigError(f"{where} = {value!r}: must be a number or [low, high]")


def _random_event(raw: dict, where: str, n_rounds: int) -> RandomEvent:
    kind = _need(raw, "kind", where)
    if kind not in EVENT_KINDS:
        raise ConfigError(f"{where}.kind = {kind!r}: must be one of {', '.join(EVENT_KINDS)}")
    target = raw.get("target", "all")
    if target not in ("all", "each"):
        raise ConfigError(f"{where}.target = {target!r}: must be 'all' or 'each'")
    if kind in MARKET_KINDS and target != "all":
        raise ConfigError(f"{where}.target: {kind} strikes the whole market, so it must be 'all'")
    if kind == "rule_change" and raw.get("field") not in Platform.describe():
        raise ConfigError(f"{where}.field = {raw.get('field')!r}: must be a platform field")
    rounds = tuple(int(r) for r in raw.get("rounds", ()))
    if any(not 1 <= r <= n_rounds for r in rounds):
        raise ConfigError(f"{where}.rounds = {rounds}: must be within 1..{n_rounds}")
    lo, hi = _pair(raw.get("days", 1), f"{where}.days")
    unknown = set(raw) - {f for f in RandomEvent.__dataclass_fields__}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    return RandomEvent(
        kind=kind,
        probability=_num(_need(raw, "probability", where), f"{where}.probability", 0, 1),
        target=target,
        magnitude=_pair(raw.get("magnitude", 1.0), f"{where}.magnitude"),
        days=(int(lo), int(hi)),
        field=raw.get("field", ""),
        rounds=rounds,
        note_zh=raw.get("note_zh", ""),
        note_en=raw.get("note_en", ""),
    )


@cache
def load_config(slug: str) -> RoleplayConfig:
    """Read and check ``data/roleplay/<slug>.toml``.

    Role fields in ``[reference]`` and ``[[whatif]]`` are checked when a session is built
    (they depend on the scenario's catalogue).
    """
    from sim.scenario import load_scenario

    file = ROLEPLAY_DIR / f"{slug}.toml"
    where = f"data/roleplay/{slug}.toml"
    raw = {k: v for k, v in read_toml(file).items() if k != "provenance"}
    scenario = load_scenario(raw.get("scenario", slug))
    rounds = _rounds(raw, scenario.days, where)
    n = len(rounds)
    names_zh = tuple(raw.get("round_names_zh", [""] * n))
    names_en = tuple(raw.get("round_names_en", [""] * n))
    if len(names_zh) != n or len(names_en) != n:
        raise ConfigError(f"{where}: round_names_zh / round_names_en need {n} entries")
    budget = dict(_need(raw, "budget", where))
    total = _num(budget.pop("total_cny_per_day", math.inf), f"{where}.budget.total_cny_per_day", 0)
    parts = {}
    for key in ("ads", "design", "service", "logistics"):
        parts[key] = _num(
            _need(budget, f"{key}_cny_per_day", f"{where}.budget"), f"{where}.budget.{key}", 0
        )
    if sum(parts.values()) > total + 1e-9:
        raise ConfigError(f"{where}.budget: the split adds up to more than total_cny_per_day")
    targets = dict(raw.get("targets", {}))
    sc = dict(_need(raw, "scorecard", where))
    weights = {p: _num(sc.pop(p, 0.0), f"{where}.scorecard.{p}", 0) for p in SCORE_PARTS}
    if sum(weights.values()) <= 0:
        raise ConfigError(f"{where}.scorecard: the weights must add up to more than 0")
    scorecard = Scorecard(
        weights=weights,
        profit_ref_cny_per_day=_num(
            _need(sc, "profit_ref_cny_per_day", where), "profit_ref_cny_per_day", 1
        ),
        on_time_floor=_num(sc.get("on_time_floor", 0.85), "on_time_floor", 0, 0.99),
        rating_floor=_num(sc.get("rating_floor", 4.0), "rating_floor", 1, 4.99),
        cover_max_days=_num(sc.get("cover_max_days", 45), "cover_max_days", 1),
        violation_tolerance=_num(sc.get("violation_tolerance", 0.05), "violation_tolerance", 1e-6),
    )
    ref = dict(raw.get("reference", {}))
    ref_rounds: dict[int, dict[str, dict[str, Any]]] = {}
    for i, item in enumerate(ref.pop("round", [])):
        item = dict(item)
        r = int(_num(_need(item, "round", f"{where}.reference.round[{i}]"), "round", 1, n))
        ref_rounds.setdefault(r, {}).update({k: dict(v) for k, v in item.items() if k != "round"})
    whatifs = []
    for i, w in enumerate(raw.get("whatif", [])):
        wh = f"{where}.whatif[{i}]"
        whatifs.append(
            WhatIf(
                role=_need(w, "role", wh),
                rounds=tuple(int(r) for r in w.get("rounds", range(1, n + 1))),
                values=dict(_need(w, "set", wh)),
                title_zh=_need(w, "title_zh", wh),
                title_en=_need(w, "title_en", wh),
            )
        )
    questions = raw.get("questions", {})
    q_zh, q_en = tuple(questions.get("zh", ())), tuple(questions.get("en", ()))
    if len(q_zh) != len(q_en) or not q_zh:
        raise ConfigError(f"{where}.questions: zh and en need the same, non-zero number")
    return RoleplayConfig(
        slug=slug,
        scenario=raw.get("scenario", slug),
        rounds=rounds,
        round_names_zh=names_zh,
        round_names_en=names_en,
        design_wage_cny_per_h=_num(raw.get("design_wage_cny_per_h", 45), "design_wage", 0),
        listing_quality_cap=_num(raw.get("listing_quality_cap", 0.95), "quality cap", 0, 1),
        listing_hours_scale=_num(raw.get("listing_hours_scale", 40), "hours scale", 1),
        service_target_min=_num(raw.get("service_target_min", 3.0), "service target", 0.1),
        budget_total_cny_per_day=total,
        budget=parts,
        targets={k: _num(v, f"{where}.targets.{k}") for k, v in targets.items()},
        scorecard=scorecard,
        events=tuple(
            _event(e, f"{where}.events[{i}]") for i, e in enumerate(raw.get("events", []))
        ),
        random_events=tuple(
            _random_event(e, f"{where}.random_events[{i}]", n)
            for i, e in enumerate(raw.get("random_events", []))
        ),
        reference={k: dict(v) for k, v in ref.items()},
        reference_rounds=ref_rounds,
        whatifs=tuple(whatifs),
        questions_zh=q_zh,
        questions_en=q_en,
        title_zh=raw.get("title_zh", scenario.title_zh),
        title_en=raw.get("title_en", scenario.title_en),
    )
