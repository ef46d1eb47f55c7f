"""A role-play session: teams, roles, rounds, saved to a folder after every step.

Folder layout (everything a session needs, nothing that cannot be rebuilt)::

    session.toml                                  scenario, seed, teams, created
    decisions/round-03/<team>/<role>.toml         what the role submitted for round 3;
                                                  written at advance for roles that did not
                                                  submit, with carried_over = true
    results/round-03.json                         round 3 as played: events, effective
                                                  decisions, per-team KPIs, scorecards,
                                                  decision quality, and the SHA-256 of
                                                  every decision file it used

A round is committed when its results file is written (last, atomically). A crash
between a submission and the next advance loses nothing (the submission is its own
file); a crash during advance leaves the round unplayed, and it is played again, with
the same result, at the next advance.

Opening a session reads these files and checks each played round's decision files
against the hashes recorded when the round was played. The simulation itself is rebuilt
on demand (for :meth:`Session.advance`, :meth:`Session.results` or the report) by
replaying every round from the decision files; the replay must reproduce the saved
results exactly, or :class:`RoleplayError` names the file. ``Session.open(path,
replay=True)`` (or :meth:`Session.verify`) replays at once. Dashboards, the leaderboard
and the event log read the saved results, so opening a session is cheap and several
kernels (one per team member) can keep the same folder open; every public method first
picks up rounds another process has played.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim import i18n
from sim.results import Results
from sim.roleplay import files
from sim.roleplay.config import SCORE_PARTS, roleplay_names
from sim.roleplay.errors import RoleplayError
from sim.roleplay.events import note
from sim.roleplay.play import Effective, Play, Setup, effective
from sim.roleplay.roles import (
    ROLES,
    FieldSpec,
    carry_over,
    check_budget,
    check_role,
    default_decisions,
    validate,
)
from sim.roleplay.scoring import dashboard_frame, round_kpis, scorecard

FORMAT = 1
MAX_TEAMS = 8
MAX_NAME = 40
RUNS_KEPT = 3
_BAD_NAME = re.compile(r'[/\\:*?"<>|\x00-\x1f]')
_RUNS: dict[tuple, tuple[list[str], Play, dict[str, Play]]] = {}
"""Runs replayed in this process, by session folder: Session objects opened again on the
same folder (a notebook's Refresh, the command line called in-process) reuse them."""


def _check_teams(teams: Any) -> tuple[str, ...]:
    if isinstance(teams, str):
        teams = (teams,)
    teams = tuple(teams)
    if not 1 <= len(teams) <= MAX_TEAMS or len(set(teams)) != len(teams):
        raise RoleplayError("teams", list(teams), "roleplay.err.teams", n=MAX_TEAMS)
    for t in teams:
        if (
            not isinstance(t, str)
            or not t.strip()
            or t != t.strip()
            or t.startswith(".")
            or len(t) > MAX_NAME
            or _BAD_NAME.search(t)
        ):
            raise RoleplayError("teams", t, "roleplay.err.team_name", n=MAX_NAME)
    return teams


class Session:
    """A role-play session stored in a folder.

    Create one with :meth:`new`, resume one with :meth:`open`. See the module docstring
    for what is saved and when.
    """

    def __init__(self, path: Path, setup: Setup, created: str):
        self.path = Path(path)
        self._setup = setup
        self.created = created
        self._records: list[dict[str, Any]] = []
        self._main: Play | None = None
        self._refs: dict[str, Play] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def new(
        cls,
        path: str | Path,
        scenario: str = "double11",
        teams: Any = ("红队", "蓝队"),
        seed: int = 0,
    ) -> Session:
        """Start a session in folder ``path`` (created if needed) and save it.

        Parameters
        ----------
        path : str or Path
            Session folder; it must not hold a session already.
        scenario : str
            A scenario with a role-play setup (``data/roleplay/<scenario>.toml``).
        teams : sequence of str
            Team names (1 to 8, different; they name the stores and folders).
        seed : int
            Seed of every random stream (the same seed and decisions replay exactly).
        """
        path = Path(path)
        names = roleplay_names()
        if scenario not in names:
            raise RoleplayError(
                "scenario", scenario, "roleplay.err.no_roleplay", allowed=", ".join(names)
            )
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise RoleplayError("seed", seed, "err.ge", lo=0)
        teams = _check_teams(teams)
        if (path / "session.toml").exists():
            raise RoleplayError("path", str(path), "roleplay.err.exists")
        setup = Setup.build(scenario, teams, seed)
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        meta = {
            "format": FORMAT,
            "scenario": scenario,
            "seed": seed,
            "teams": list(teams),
            "created": created,
        }
        path.mkdir(parents=True, exist_ok=True)
        with files.locked(path):
            files.atomic_write(path / "session.toml", files.toml_dumps(meta))
        return cls(path, setup, created)

    @classmethod
    def open(cls, path: str | Path, *, replay: bool = False) -> Session:
        """Resume the session saved in ``path``.

        Parameters
        ----------
        path : str or Path
            Session folder.
        replay : bool
            Rebuild the simulation at once and check it against every saved round
            (otherwise that happens when first needed).
        """
        path = Path(path)
        file = path / "session.toml"
        if not file.exists():
            raise RoleplayError("path", str(path), "roleplay.err.no_session")
        meta = files.read_decision_file(file)
        try:
            teams = _check_teams(meta["teams"])
            seed = int(meta["seed"])
            slug = str(meta["scenario"])
        except (KeyError, TypeError, ValueError) as err:
            raise RoleplayError(str(file), repr(err), "err.bad_file", detail=str(err)) from None
        session = cls(path, Setup.build(slug, teams, seed), str(meta.get("created", "")))
        session._sync()
        if replay:
            session.verify()
        return session

    # ------------------------------------------------------------------ facts
    @property
    def scenario_slug(self) -> str:
        """Name of the scenario being played."""
        return self._setup.slug

    @property
    def teams(self) -> tuple[str, ...]:
        """Team names, in the order given at creation."""
        return self._setup.teams

    @property
    def seed(self) -> int:
        """Seed of every random stream."""
        return self._setup.seed

    @property
    def rounds(self) -> int:
        """Number of rounds in the session."""
        return len(self._setup.rounds)

    @property
    def round(self) -> int:
        """The next round to play (1-based); ``rounds + 1`` when finished."""
        self._sync()
        return len(self._records) + 1

    @property
    def finished(self) -> bool:
        """Whether every round has been played."""
        return self.round > self.rounds

    @property
    def title(self) -> str:
        """The scenario's title in the current language."""
        cfg = self._setup.config
        return cfg.title_zh if i18n.get_language() == "zh" else cfg.title_en

    def round_days(self, r: int) -> tuple[int, int]:
        """``(first_day, last_day)`` of round ``r`` (1-based)."""
        self._check_round(r)
        return self._setup.rounds[r - 1]

    def round_name(self, r: int, lang: str | None = None) -> str:
        """The round's name from the role-play file ("" if none)."""
        self._check_round(r)
        cfg = self._setup.config
        names = cfg.round_names_zh if (lang or i18n.get_language()) == "zh" else cfg.round_names_en
        return names[r - 1]

    def fields(self, role: str) -> list[FieldSpec]:
        """What ``role`` decides (panels build their widgets from these)."""
        return list(self._setup.ctx.fields[check_role(role)])

    def reference(self, role: str, round: int | None = None) -> dict[str, Any]:
        """The reference policy's decisions of ``role`` in ``round`` (default: the current)."""
        r = self._current_round() if round is None else round
        self._check_round(r)
        return _copy(self._setup.reference[r - 1][check_role(role)])

    # ------------------------------------------------------------------ decisions
    def _check_team(self, team: str) -> str:
        if team not in self.teams:
            raise RoleplayError("team", team, "roleplay.err.team", allowed=", ".join(self.teams))
        return team

    def _check_round(self, r: int) -> None:
        if isinstance(r, bool) or not isinstance(r, int) or not 1 <= r <= self.rounds:
            raise RoleplayError("round", r, "err.range", lo=1, hi=self.rounds)

    def _current_round(self) -> int:
        return min(self.round, self.rounds)

    def _decision_path(self, r: int, team: str, role: str) -> Path:
        return self.path / "decisions" / f"round-{r:02d}" / team / f"{role}.toml"

    def _results_path(self, r: int) -> Path:
        return self.path / "results" / f"round-{r:02d}.json"

    def _pending(self, team: str, role: str) -> dict[str, Any] | None:
        """The current round's submission of a role, if any (carried-over files do not count)."""
        path = self._decision_path(self.round, team, role)
        if not path.exists():
            return None
        data = files.read_decision_file(path)
        meta, dec = files.split_meta(data)
        if meta.get("carried_over"):
            return None
        return dec

    def _carried(self, team: str, role: str) -> dict[str, Any]:
        if not self._records:
            return default_decisions(self._setup.ctx, role)
        played = self._records[-1]["effective"][team][role]
        return carry_over(self._setup.ctx, role, played)

    def decisions(self, team: str, role: str) -> dict[str, Any]:
        """What counts for the next round: this round's submission, else carried over."""
        self._check_team(team)
        check_role(role)
        self._sync()
        pending = None if self.finished else self._pending(team, role)
        if pending is not None:
            ctx = self._setup.ctx
            return validate(ctx, role, pending, self._carried(team, role), self._round_len())
        return self._carried(team, role)

    def submitted(self, team: str, role: str) -> bool:
        """Whether ``role`` of ``team`` has submitted for the current round."""
        self._check_team(team)
        check_role(role)
        self._sync()
        return not self.finished and self._pending(team, role) is not None

    def status(self) -> pd.DataFrame:
        """Who has submitted this round: one row per team, one column per role (bool)."""
        self._sync()
        rows = [[t] + [self.submitted(t, r) for r in ROLES] for t in self.teams]
        return pd.DataFrame(rows, columns=["team", *ROLES])

    def _round_len(self) -> int:
        return self._setup.round_len(self._current_round())

    def submit(self, team: str, role: str, decisions: dict[str, Any]) -> None:
        """Check and save a role's decisions for the current round.

        ``decisions`` may be partial: fields not given keep their current value
        (:meth:`decisions`). The plan must fit the manager's budget in force; the
        manager's new budgets must cover the overrides it sets. Raises
        :class:`RoleplayError` naming the field, the value and what is allowed; on
        success the submission is on disk (its own file, written atomically) before this
        returns. Submitting again replaces the earlier submission.
        """
        self._check_team(team)
        check_role(role)
        self._sync()
        if self.finished:
            raise RoleplayError("round", self.round, "roleplay.err.finished", rounds=self.rounds)
        ctx = self._setup.ctx
        n = self._round_len()
        new = validate(ctx, role, decisions, self.decisions(team, role), n)
        if role == "manager":
            for key, value in new["overrides"].items():
                other, _, name = key.partition(".")
                plan = validate(ctx, other, {name: value}, self.decisions(team, other), n)
                try:
                    check_budget(ctx, other, plan, new, n)
                except RoleplayError as err:
                    raise RoleplayError(f"overrides.{key}", value, err.key, err.fmt) from None
        else:
            check_budget(ctx, role, new, self.decisions(team, "manager"), n)
        r = self.round
        meta = {
            "team": team,
            "role": role,
            "round": r,
            "carried_over": False,
            "submitted_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
        with files.locked(self.path):
            self._sync()
            if self.round != r:  # another process advanced meanwhile: submit to the new round
                return self.submit(team, role, decisions)
            files.atomic_write(self._decision_path(r, team, role), files.toml_dumps(meta | new))

    # ------------------------------------------------------------------ rounds
    def _sync(self) -> None:
        """Pick up rounds played (by this or another process) since we last looked."""
        while True:
            r = len(self._records) + 1
            path = self._results_path(r)
            if not path.exists():
                break
            self._records.append(self._load_record(r, path))

    def _load_record(self, r: int, path: Path) -> dict[str, Any]:
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
            if rec.get("round") != r or rec.get("format") != FORMAT:
                raise ValueError(f"round {rec.get('round')!r}, format {rec.get('format')!r}")
            inputs = rec["inputs"]
            for t in self.teams:
                rec["teams"][t]["kpis"]
                rec["effective"][t]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise RoleplayError(
                str(path), path.name, "roleplay.err.bad_results", detail=str(err)
            ) from None
        for t in self.teams:
            for role in ROLES:
                f = self._decision_path(r, t, role)
                rel = f.relative_to(self.path).as_posix()
                if not f.exists():
                    raise RoleplayError(rel, "", "roleplay.err.missing_decision", round=r)
                if files.sha256(f) != inputs.get(f"{t}/{role}", {}).get("sha256"):
                    raise RoleplayError(rel, f.name, "roleplay.err.tampered_decision", round=r)
        return rec

    def _inputs(self, r: int, played: bool) -> tuple[dict, dict, dict]:
        """Decisions counting for round ``r``: ``(inputs, carried, files to write)``.

        For a played round every file exists; for the round about to be played, roles
        without a submission carry over (their files are returned to be written).
        """
        ctx, n = self._setup.ctx, self._setup.round_len(r)
        inputs: dict[str, dict[str, dict[str, Any]]] = {}
        carried: dict[str, list[str]] = {}
        to_write: dict[Path, str] = {}
        for t in self.teams:
            inputs[t] = {}
            carried[t] = []
            for role in ROLES:
                path = self._decision_path(r, t, role)
                data = files.read_decision_file(path) if path.exists() else None
                meta, dec = files.split_meta(data) if data is not None else ({}, {})
                is_carried = data is None or bool(meta.get("carried_over"))
                if played or not is_carried:
                    if data is None:
                        rel = path.relative_to(self.path).as_posix()
                        raise RoleplayError(rel, "", "roleplay.err.missing_decision", round=r)
                    current = default_decisions(ctx, role)
                    try:
                        inputs[t][role] = validate(ctx, role, dec, current, n)
                    except RoleplayError as err:
                        raise err.in_file(path.relative_to(self.path).as_posix()) from None
                else:
                    prev = self._records[r - 2]["effective"][t][role] if r > 1 else None
                    dec = (
                        default_decisions(ctx, role)
                        if prev is None
                        else carry_over(ctx, role, prev)
                    )
                    inputs[t][role] = dec
                    meta = {"team": t, "role": role, "round": r, "carried_over": True}
                    to_write[path] = files.toml_dumps(meta | dec)
                if is_carried:
                    carried[t].append(role)
        return inputs, carried, to_write

    def _cache_key(self) -> tuple:
        return (str(self.path.resolve()), self.scenario_slug, self.teams, self.seed)

    def _digests(self, n: int) -> list[str]:
        return [hashlib.sha256(files.json_dumps(r).encode()).hexdigest() for r in self._records[:n]]

    def _adopt(self) -> None:
        """Reuse the runs of another Session object of this process on the same folder.

        Only when every round they have played is a round saved on disk, unchanged.
        """
        cached = _RUNS.get(self._cache_key())
        if cached is None:
            return
        digests, main, refs = cached
        n = main.rounds_played
        if len(digests) == n <= len(self._records) and digests == self._digests(n):
            self._main, self._refs = main, refs

    def _remember(self) -> None:
        assert self._main is not None
        n = self._main.rounds_played
        key = self._cache_key()
        _RUNS.pop(key, None)
        _RUNS[key] = (self._digests(n), self._main, self._refs)
        while len(_RUNS) > RUNS_KEPT:
            _RUNS.pop(next(iter(_RUNS)))

    def _forget(self) -> None:
        self._main = None
        _RUNS.pop(self._cache_key(), None)

    def _plays(self) -> tuple[Play, dict[str, Play]]:
        """The session's run and one reference-policy run per team, replayed up to date."""
        self._sync()
        if self._main is not None and self._main.rounds_played > len(self._records):
            self._main = None  # a failed advance (here or in a twin object) ran ahead of the disk
        if self._main is None:
            self._adopt()
        if self._main is None:
            self._main = Play(self._setup)
            self._refs = {t: Play(self._setup) for t in self.teams}
        while self._main.rounds_played < len(self._records):
            r = self._main.rounds_played + 1
            inputs, carried, _ = self._inputs(r, played=True)
            try:
                rec = self._play(r, inputs, carried)
            except BaseException:
                self._forget()
                raise
            saved = self._records[r - 1]
            diff = files.differences(
                files.canonical({k: v for k, v in rec.items() if k != "inputs"}),
                {k: v for k, v in saved.items() if k != "inputs"},
            )
            if diff:
                self._forget()
                raise RoleplayError(
                    f"results/round-{r:02d}.json",
                    diff[0],
                    "roleplay.err.replay_mismatch",
                    round=r,
                    detail=", ".join(diff[:3]),
                )
            self._remember()
        return self._main, self._refs

    def _play(
        self, r: int, inputs: dict[str, dict[str, dict[str, Any]]], carried: dict[str, list[str]]
    ) -> dict[str, Any]:
        """Play round ``r`` in the session's run and the reference runs; return its record."""
        setup = self._setup
        assert self._main is not None
        eff, log = effective(setup, r, inputs)
        a, b = setup.rounds[r - 1]
        carried_log = []
        key = "roleplay.event.carried" if r > 1 else "roleplay.event.defaults"
        for t in self.teams:
            if carried[t]:
                roles = {
                    lang: "、".join(i18n.t(f"roleplay.role.{x}", lang) for x in carried[t])
                    if lang == "zh"
                    else ", ".join(i18n.t(f"roleplay.role.{x}", lang) for x in carried[t])
                    for lang in ("zh", "en")
                }
                carried_log.append(
                    {
                        "round": r,
                        "day": a,
                        "days": 1,
                        "kind": "carried",
                        "team": t,
                        "magnitude": 0.0,
                        "field": "",
                        "source": "roleplay",
                        "note_zh": i18n.t(key, "zh", roles=roles["zh"]),
                        "note_en": i18n.t(key, "en", roles=roles["en"]),
                    }
                )
        events = setup.events_of(r) + carried_log + log
        self._main.play_round(r, eff, events)
        for t in self.teams:
            ref_eff: Effective = dict(eff)
            ref_eff[t] = _copy(setup.reference[r - 1])
            self._refs[t].play_round(r, ref_eff, events)
        res = self._main.results()
        cfg, ctx = setup.config, setup.ctx
        teams: dict[str, Any] = {}
        for t in self.teams:
            extra = self._main.extra[-1][t]
            k = round_kpis(
                res,
                t,
                a,
                b,
                agent_wage=ctx.agent_wage,
                packer_wage=ctx.packer_wage,
                platform_target_min=cfg.service_target_min,
                own_target_min=eff[t]["service"]["response_target_min"],
                **extra,
            )
            score = scorecard(res, t, cfg)
            ref = scorecard(self._refs[t].results(), t, cfg)
            k["score"] = score["total"]
            mgr = eff[t]["manager"]
            k["profit_target"] = (
                k["profit_to_date"] / mgr["profit_target_cny"]
                if mgr["profit_target_cny"] > 0
                else None
            )
            k["gmv_target"] = (
                k["revenue_to_date"] / mgr["gmv_target_cny"] if mgr["gmv_target_cny"] > 0 else None
            )
            teams[t] = {
                "kpis": k,
                "score": score,
                "reference_score": ref,
                "decision_quality": score["total"] - ref["total"],
            }
        return {
            "format": FORMAT,
            "round": r,
            "days": [a, b],
            "events": events,
            "carried": carried,
            "effective": eff,
            "teams": teams,
        }

    def advance(self) -> dict[str, Any]:
        """Play the current round for every team and save it.

        Roles that did not submit keep last round's decisions (saved as carried-over
        files); the manager's overrides and budgets apply; the round's scripted and random
        events strike. Returns a summary: ``{"round", "days", "finished", "carried",
        "events" (notes in the current language), "teams": {team: {"score",
        "decision_quality", "net_profit", "revenue"}}}``.
        """
        self._plays()  # replay (and check) what was played before, outside the lock
        with files.locked(self.path):
            self._plays()  # another process may have advanced meanwhile
            r = len(self._records) + 1
            if r > self.rounds:
                raise RoleplayError("round", r, "roleplay.err.finished", rounds=self.rounds)
            inputs, carried, to_write = self._inputs(r, played=False)
            try:
                rec = self._play(r, inputs, carried)
                hashes = {}
                for t in self.teams:
                    for role in ROLES:
                        path = self._decision_path(r, t, role)
                        if path in to_write:
                            files.atomic_write(path, to_write[path])
                        hashes[f"{t}/{role}"] = {
                            "sha256": files.sha256(path),
                            "carried": role in carried[t],
                        }
                rec["inputs"] = hashes
                files.atomic_write(self._results_path(r), files.json_dumps(rec))
            except BaseException:
                self._forget()  # the run went ahead of the disk: rebuild it when needed
                raise
            self._records.append(files.canonical(rec))
            self._remember()
        lang = i18n.get_language()
        return {
            "round": r,
            "days": tuple(rec["days"]),
            "finished": r == self.rounds,
            "carried": {t: list(v) for t, v in carried.items()},
            "events": [note(e, lang) for e in rec["events"]],
            "teams": {
                t: {
                    "score": v["score"]["total"],
                    "decision_quality": v["decision_quality"],
                    "net_profit": v["kpis"]["net_profit"],
                    "revenue": v["kpis"]["revenue"],
                }
                for t, v in rec["teams"].items()
            },
        }

    def verify(self) -> None:
        """Replay every played round now and check it against the saved results."""
        self._plays()

    def results(self) -> Results:
        """The tables of the session's run so far (all teams; replays if needed)."""
        main, _ = self._plays()
        return main.results()

    def records(self) -> list[dict[str, Any]]:
        """The saved results of every played round (plain dicts, as in results/*.json)."""
        self._sync()
        return json.loads(json.dumps(self._records))

    # ------------------------------------------------------------------ views
    def dashboard(self, team: str, role: str) -> pd.DataFrame:
        """One row per played round with the KPIs ``role`` sees at work (current language)."""
        self._check_team(team)
        check_role(role)
        self._sync()
        return dashboard_frame(self._records, team, role, {c: c for c in self._setup.ctx.codes})

    def leaderboard(self) -> pd.DataFrame:
        """Teams ranked by score: scorecard parts, score, decision quality (to date)."""
        self._sync()
        cols = [
            i18n.t("roleplay.col.rank"),
            i18n.t("roleplay.col.team"),
            i18n.t("roleplay.col.score"),
            *(i18n.t(f"roleplay.part.{p}") for p in SCORE_PARTS),
            i18n.t("roleplay.col.decision_quality"),
            i18n.t("roleplay.col.reference_score"),
        ]
        rows = []
        for t in self.teams:
            if self._records:
                v = self._records[-1]["teams"][t]
                rows.append(
                    [
                        t,
                        v["score"]["total"],
                        *(v["score"][p] for p in SCORE_PARTS),
                        v["decision_quality"],
                        v["reference_score"]["total"],
                    ]
                )
            else:
                rows.append([t, *([math.nan] * (len(SCORE_PARTS) + 3))])
        rows.sort(key=lambda x: -x[1] if not math.isnan(x[1]) else 0)
        out = [[i + 1, *row[:1], *(round(x, 2) for x in row[1:])] for i, row in enumerate(rows)]
        return pd.DataFrame(out, columns=cols)

    def events(self) -> pd.DataFrame:
        """Every event and role-play note of the played rounds: round, day, kind, team, note."""
        self._sync()
        lang = i18n.get_language()
        rows = []
        for rec in self._records:
            for e in rec["events"]:
                team = e["team"] or i18n.t("roleplay.all_teams")
                rows.append([e["round"], e["day"], e["kind"], team, note(e, lang)])
        return pd.DataFrame(rows, columns=["round", "day", "kind", "team", "note"])

    def template(self, team: str, role: str) -> str:
        """A decision file for ``role`` of ``team`` with current values and comments (TOML)."""
        self._check_team(team)
        check_role(role)
        r = self._current_round()
        a, b = self._setup.rounds[r - 1]
        current = self.decisions(team, role)
        values = {spec.name: current[spec.name] for spec in self.fields(role)}
        comments: dict[str, list[str]] = {}
        for spec in self.fields(role):
            lines = []
            for lang in ("zh", "en"):
                text = f"{spec.label(lang)}"
                unit = spec.unit_label(lang)
                if unit:
                    text += f" [{unit}]"
                if spec.kind in ("int", "float"):
                    text += " · " + i18n.t(
                        "roleplay.tpl.range", lang, lo=_fmt_num(spec.min), hi=_fmt_num(spec.max)
                    )
                elif spec.kind in ("choice", "multi"):
                    text += " · " + i18n.t(
                        "roleplay.tpl.choices", lang, choices=", ".join(map(str, spec.choices))
                    )
                lines.append(text)
                if spec.help_key:
                    lines.append("  " + spec.help(lang))
            comments[spec.name] = lines
        header = [
            i18n.t(
                "roleplay.tpl.header",
                lang,
                team=team,
                role=i18n.t(f"roleplay.role.{role}", lang),
                round=r,
                first=a,
                last=b,
                path=self.path,
            )
            for lang in ("zh", "en")
        ]
        meta = {"team": team, "role": role, "round": r}
        return files.toml_dumps(meta | values, comments, header)

    def report(
        self, out_html: str | Path, lang: str | None = None, n_jobs: int | None = -1
    ) -> Path:
        """Write the debrief report (self-contained HTML) and return its path.

        ``lang``: "zh" or "en" (default: the current language); ``n_jobs``: parallel
        workers for the what-if replays (``-1`` every core, ``1`` this process).
        """
        from sim.roleplay import report

        return report.write(self, Path(out_html), lang or i18n.get_language(), n_jobs)

    # hooks for the report ----------------------------------------------------------
    @property
    def setup(self) -> Setup:
        """The session's fixed description (scenario, teams, seed, role-play file)."""
        return self._setup

    def played_inputs(self) -> list[Effective]:
        """Effective decisions of every played round (team -> role -> decisions)."""
        self._sync()
        return [json.loads(json.dumps(rec["effective"])) for rec in self._records]


def _copy(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def _fmt_num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if abs(x) < 1e6 else f"{x:,.0f}"
