"""Role-play scenario runs: teams, roles, rounds, events, scorecard, debrief.

A facilitator starts a session for one or more teams on a scenario that has a role-play
setup (``data/roleplay/<scenario>.toml``). Each team runs one store of a shared market;
each member takes a role (:data:`ROLES`) and submits decisions every round; the
simulation advances, scripted and random events strike, and a balanced scorecard with a
luck-free decision-quality measure ranks the teams. The debrief report is an HTML page.

Python API (the contract the notebook panels use)::

    from sim.roleplay import Session, ROLES, RoleplayError
    s = Session.new(path, scenario="double11", teams=("红队", "蓝队"), seed=7)
    s = Session.open(path)          # resume from disk (cheap; see below)
    s.scenario_slug, s.teams, s.seed, s.rounds, s.round, s.finished
    s.round_days(r) -> (first_day, last_day)
    s.fields(role) -> list[FieldSpec]
    s.decisions(team, role) -> dict     # submitted this round, else carried over
    s.submitted(team, role) -> bool
    s.submit(team, role, decisions)     # partial dicts allowed; RoleplayError on bad input
    s.advance() -> dict                 # summary of the round played
    s.dashboard(team, role) -> DataFrame
    s.leaderboard() -> DataFrame
    s.events() -> DataFrame             # columns round, day, kind, team, note
    s.report(out_html, lang=None, n_jobs=-1) -> Path   # lang zh/en; n_jobs for what-ifs

Beyond the contract: ``s.status()`` (team x role submitted), ``s.reference(role,
round=None)`` (the reference policy's decisions - submit these to play it),
``s.round_name(r)``, ``s.title``, ``s.template(team, role)`` (a commented TOML decision
file), ``s.results()`` (the run's tables), ``s.records()`` (saved round results),
``s.verify()``, ``Session.open(path, replay=True)``; :func:`roleplay_names`;
:func:`~sim.roleplay.roles.format_overrides` (the manager's overrides as text);
``FieldSpec.label()``, ``.help()``, ``.unit_label()``, ``.choice_label(value)``.

Notes on the contract as built:

* ``FieldSpec`` has three extra attributes: ``carry`` (False: the field returns to its
  default when the role does not submit - rush orders and the manager's overrides),
  ``group`` (an i18n key grouping per-SKU / per-carrier fields, "" otherwise) and
  ``step`` (a widget step). ``unit`` is a slug; its label is
  ``i18n.t("roleplay.unit." + unit)``. Kinds: ``int``, ``float``, ``bool``, ``choice``,
  ``multi`` (a list of values from ``choices``: the operations' promotion days, as days
  *of the round*, 1..n; empty = the whole round) and ``table`` (the manager's
  ``overrides``: a dict ``{"role.field": value}``, and ``submit`` also takes the text form
  ``"role.field = value"`` one per line, so a Textarea can pass its value straight in).
* ``Session.open`` is cheap: it reads the saved files and checks every played round's
  decision files against the hashes recorded when it was played. The simulation is
  rebuilt from the decision files when first needed (``advance``, ``results``,
  ``report``) and must reproduce every saved round, or :class:`RoleplayError` names the
  file. Dashboards, leaderboard and events come from the saved round results.
* Budgets are per day (yuan/day); the rule (reject at submit, scale down at advance
  when the manager cut a budget afterwards) is in :mod:`sim.roleplay.roles`.
* Dashboard values: percentages for rates (the column header says %), money in yuan,
  ``NaN`` where there is nothing to divide by. The design dashboard adds one
  "conversion by SKU" column per SKU.
* ``leaderboard()`` column headers are in the current language (rank, team, score, the
  six parts, decision quality, reference-policy score).
* ``round_days(r)`` and ``round_name(r)`` need ``1 <= r <= rounds``: check ``finished``
  before asking for the days of ``s.round``.
* Each team's store meets the single-store scenario's traffic: the market's visits grow
  with the number of teams (:mod:`sim.roleplay.play`).

Command line: ``python -m sim roleplay {new,submit,advance,status,leaderboard,events,
dashboard,report,template,scenarios,notebooks} ...`` (:mod:`sim.roleplay.cli`), the same
engine and files.

Modules: :mod:`.roles` (what each role decides, validation, budgets, mapping to the
store's decisions), :mod:`.events`, :mod:`.scoring` (round KPIs, scorecard, dashboards),
:mod:`.play` (driving the engine round by round), :mod:`.session` (persistence),
:mod:`.report` (debrief), :mod:`.config` (the role-play files), :mod:`.files`.
"""

from __future__ import annotations

from sim.roleplay import labels as _labels  # noqa: F401  (registers the i18n keys)
from sim.roleplay.config import roleplay_names
from sim.roleplay.errors import RoleplayError
from sim.roleplay.roles import ROLES, FieldSpec, format_overrides
from sim.roleplay.session import Session

__all__ = [
    "ROLES",
    "FieldSpec",
    "RoleplayError",
    "Session",
    "format_overrides",
    "roleplay_names",
]
