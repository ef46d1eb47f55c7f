"""Events of a round: the scenario's own, scripted ones from the role-play file, random ones.

Every event is a plain dict (saved in ``results/round-NN.json``)::

    {"round": 3, "day": 12, "days": 1, "kind": "review_wave", "team": "红队" or "" (all),
     "magnitude": 12.0, "field": "", "source": "scenario" | "scripted" | "random" | "roleplay",
     "note_zh": "...", "note_en": "..."}

Random events come from a stream of their own, seeded by the session seed, the round, the
event's position in the role-play file and (for ``target = "each"``) the team's position:
``numpy.random.SeedSequence([seed, 0x524F4C45, round, index, team])``. They never depend on
what the teams decided, so a replay - or the reference-policy and what-if replays used for
scoring - meets exactly the same events.

Engine effects (:class:`~sim.scenario.schema.Event`): ``supplier_delay`` adds days to the
store's supplier lead times, ``review_wave`` adds one-star reviews per day, and the
market-wide ``rival_price_cut``, ``rule_change``, ``livestream_spike`` and
``traffic_shock`` change the rival's price, a platform rule or traffic for everyone.
``source = "roleplay"`` entries (budget cuts, overrides, carried-over decisions) are log
entries only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.roleplay.config import RoleplayConfig
from sim.scenario.schema import Event, Scenario

STREAM_TAG = 0x524F4C45  # "ROLE"


def _fmt(text: str, **values: Any) -> str:
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def scenario_events(
    scenario: Scenario, first: int, last: int, round_no: int
) -> list[dict[str, Any]]:
    """The scenario's own events that strike in days ``first..last`` (log entries)."""
    out = []
    for ev in scenario.events:
        if first <= ev.day <= last:
            out.append(
                {
                    "round": round_no,
                    "day": ev.day,
                    "days": ev.days,
                    "kind": ev.kind,
                    "team": ev.store,
                    "magnitude": float(ev.magnitude),
                    "field": ev.field,
                    "source": "scenario",
                    "note_zh": ev.note_zh,
                    "note_en": ev.note_en,
                }
            )
    return out


def scripted_events(
    config: RoleplayConfig, teams: tuple[str, ...], first: int, last: int, round_no: int
) -> list[dict[str, Any]]:
    """Scripted role-play events striking in days ``first..last`` (team k>len: none)."""
    out = []
    for ev in config.events:
        if not first <= ev.day <= last:
            continue
        if ev.team > len(teams):
            continue
        team = teams[ev.team - 1] if ev.team else ""
        out.append(
            {
                "round": round_no,
                "day": ev.day,
                "days": ev.days,
                "kind": ev.kind,
                "team": team,
                "magnitude": float(ev.magnitude),
                "field": ev.field,
                "source": "scripted",
                "note_zh": _fmt(ev.note_zh, team=team, magnitude=ev.magnitude, days=ev.days),
                "note_en": _fmt(ev.note_en, team=team, magnitude=ev.magnitude, days=ev.days),
            }
        )
    return out


def random_events(
    config: RoleplayConfig,
    teams: tuple[str, ...],
    seed: int,
    first: int,
    last: int,
    round_no: int,
) -> list[dict[str, Any]]:
    """Random events of round ``round_no`` (deterministic in seed and round)."""
    out = []
    for i, spec in enumerate(config.random_events):
        if spec.rounds and round_no not in spec.rounds:
            continue
        targets = [(0, "")] if spec.target == "all" else list(enumerate(teams, start=1))
        for j, team in targets:
            rng = np.random.default_rng(np.random.SeedSequence([seed, STREAM_TAG, round_no, i, j]))
            if rng.random() >= spec.probability:
                continue
            day = int(rng.integers(first, last + 1))
            days = int(rng.integers(spec.days[0], spec.days[1] + 1))
            lo, hi = spec.magnitude
            mag = float(rng.uniform(lo, hi)) if hi > lo else float(lo)
            mag = (
                float(round(mag))
                if spec.kind in ("review_wave", "supplier_delay")
                else round(mag, 2)
            )
            shown = f"{mag:g}" if spec.kind != "rival_price_cut" else f"{(1 - mag):.0%}"
            out.append(
                {
                    "round": round_no,
                    "day": day,
                    "days": days,
                    "kind": spec.kind,
                    "team": team,
                    "magnitude": mag,
                    "field": spec.field,
                    "source": "random",
                    "note_zh": _fmt(spec.note_zh, team=team, magnitude=shown, days=days),
                    "note_en": _fmt(spec.note_en, team=team, magnitude=shown, days=days),
                }
            )
    return out


def engine_event(ev: dict[str, Any], last_day: int) -> Event:
    """The engine's :class:`~sim.scenario.schema.Event` for a scripted or random event."""
    days = max(1, min(int(ev["days"]), last_day - int(ev["day"]) + 1))
    return Event(
        day=int(ev["day"]),
        kind=ev["kind"],
        days=days,
        magnitude=float(ev["magnitude"]),
        field=ev["field"],
        store=ev["team"],
        note_zh=ev["note_zh"],
        note_en=ev["note_en"],
    )


def note(ev: dict[str, Any], lang: str) -> str:
    """An event's note in ``lang`` (the other language, or its kind, when missing)."""
    text = ev.get(f"note_{lang}") or ev.get("note_en") or ev.get("note_zh")
    return text or ev["kind"]
