"""Roles, what each decides, and how their decisions become the store's decisions.

Five roles run a store (:data:`ROLES`). Each decides a few fields (:class:`FieldSpec`);
the panels build their widgets from these, decision files name them, and
:func:`validate` checks them (field, value and what is allowed, in zh and en).

**manager** (店长) - session targets (profit, revenue), the daily budget split between
ads, design, service and logistics (together at most the store's total budget in the
role-play file), and the final say: ``overrides`` sets any field of another role for one
round (``{"operations.ad_bid_cny": 1.2}``, or the text ``operations.ad_bid_cny = 1.2``,
one per line). Overrides beat what that role submitted, apply to that round only, and
are written to the event log.

**operations** (运营) - a price multiplier per product group (traffic / core / profit
items, on the list price) and charm endings; one promotion from a menu (% off, 满减,
coupon, flash sale) on chosen days of the round and items; the ad bid and daily budget;
hours of the store's own evening livestream. The scenario's own campaign (e.g. the
Double 11 pre-sales) runs regardless.

**design** (设计) - hours of listing work per SKU. Each round's work raises that SKU's
listing quality with diminishing returns, ``q' = c - (c - q) exp(-hours / H)``
(``c`` = ``listing_quality_cap``, ``H`` = ``listing_hours_scale`` of the role-play file),
from the round's first day; hours are paid at ``design_wage_cny_per_h`` (booked as staff
wages on the round's first day) and count against the design budget.

**service** (客服主管) - agents on duty in four shifts (night 0-8, morning 8-13, afternoon
13-18, evening 18-24) and the team's first-response target.

**logistics** (物流) - the reorder policy ((s, S) in days of demand, service-level
safety stock, or none) and its parameters; a one-off rush order per SKU at the start of
the round (never carried over); packers in three shifts (night 0-8, day 8-16, evening
16-24); the carrier cut-off hour; the carrier mix.

**Budgets.** At submit, a role's plan must fit the manager's budget in force for the
round (ads: daily ad budget; design: hours x wage <= budget x days of the round;
service and logistics: staff hours per day x wage <= daily budget); otherwise the
submission is rejected with the field, the value and the most that is allowed. The
manager has the final say, so a budget cut made *after* a role submitted (or a budget
below a carried-over plan) is applied at ``advance``: the plan is scaled down to fit
(hours and people rounded down) and a ``budget_cut`` event is logged.

**Carry-over.** A role that does not submit keeps the decisions it played last round
(after overrides and budget cuts), except fields marked ``carry=False`` (rush orders,
overrides), which return to their defaults.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import i18n, policies
from sim.roleplay.config import RoleplayConfig
from sim.roleplay.errors import RoleplayError
from sim.roleplay.labels import register_dynamic
from sim.scenario.schema import Scenario

ROLES = ("manager", "operations", "design", "service", "logistics")
GROUPS = ("traffic", "core", "profit")
PROMO_KINDS = ("none", "percent_off", "threshold", "coupon", "flash_sale")
REORDER_KINDS = ("sS", "service_level", "none")
AGENT_SHIFTS = {"night": (0, 8), "morning": (8, 13), "afternoon": (13, 18), "evening": (18, 24)}
PACKER_SHIFTS = {"night": (0, 8), "day": (8, 16), "evening": (16, 24)}
LIVESTREAM_MAX_H = 5
FLASH_START_HOUR = 20
FLASH_HOURS = 2


@dataclass(frozen=True)
class FieldSpec:
    """One decision a role makes; panels build a widget from it.

    Attributes
    ----------
    name : str
        Field name in decision files and dicts (``"ad_bid_cny"``, ``"hours.AP-TEE-WHT-M"``).
    kind : str
        ``"int"``, ``"float"``, ``"bool"``, ``"choice"`` (one of ``choices``), ``"multi"``
        (a list of values from ``choices``) or ``"table"`` (the manager's overrides: a dict
        ``{"role.field": value}``, or text with one ``role.field = value`` per line).
    default : object
        Value in round 1 when nothing is submitted.
    min, max : float or None
        Inclusive limits of a number.
    choices : tuple
        Allowed values of a choice or multi field.
    unit : str
        Unit slug; its label is ``i18n.t("roleplay.unit." + unit)``.
    label_key, help_key : str
        :mod:`sim.i18n` keys of the label and the help text.
    carry : bool
        Kept when the role does not submit next round (False: back to the default).
    group : str
        :mod:`sim.i18n` key of the group a per-SKU / per-carrier field belongs to ("" none).
    step : float or None
        A sensible widget step for numbers.
    """

    name: str
    kind: str
    default: Any
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    unit: str = ""
    label_key: str = ""
    help_key: str = ""
    carry: bool = True
    group: str = ""
    step: float | None = None

    def label(self, lang: str | None = None) -> str:
        """The field's label in ``lang`` (default: the current language)."""
        return i18n.t(self.label_key, lang)

    def help(self, lang: str | None = None) -> str:
        """The field's help text."""
        return i18n.t(self.help_key, lang) if self.help_key else ""

    def unit_label(self, lang: str | None = None) -> str:
        """The unit's label."""
        return i18n.t(f"roleplay.unit.{self.unit}", lang)

    def choice_label(self, value: Any, lang: str | None = None) -> str:
        """Label of one of the choices (the value itself when it has none)."""
        key = f"roleplay.choice.{self.name}.{value}"
        return i18n.t(key, lang) if key in i18n.TEXT else str(value)


# --------------------------------------------------------------------------- context
@dataclass
class Context:
    """What the roles' fields depend on: the store's catalogue, wages, budgets, rounds."""

    scenario: Scenario
    config: RoleplayConfig
    codes: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    list_price: np.ndarray
    base_quality: np.ndarray
    carriers: tuple[str, ...]
    agent_wage: float
    packer_wage: float
    design_wage: float
    max_round_days: int
    fields: dict[str, list[FieldSpec]] = field(default_factory=dict)
    by_name: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def build(cls, scenario: Scenario, config: RoleplayConfig) -> Context:
        """Derive the fields and defaults from a (single-store) scenario and its setup."""
        store = scenario.stores[0]
        skus = store.catalogue.skus
        codes = tuple(s.sku for s in skus)
        groups = {g: tuple(s.sku for s in skus if s.role == g) for g in GROUPS}
        ctx = cls(
            scenario=scenario,
            config=config,
            codes=codes,
            groups={g: v for g, v in groups.items() if v},
            list_price=np.array([s.list_price_cny for s in skus]),
            base_quality=np.array([s.listing_quality for s in skus]),
            carriers=tuple(c.slug for c in scenario.carriers),
            agent_wage=store.agent_wage_cny_per_h,
            packer_wage=store.packer_wage_cny_per_h,
            design_wage=config.design_wage_cny_per_h,
            max_round_days=max(b - a + 1 for a, b in config.rounds),
        )
        labels: dict[str, tuple[str, str]] = {}
        for s in skus:
            labels[f"roleplay.field.hours.{s.sku}"] = (s.name_zh, s.name_en)
            labels[f"roleplay.field.rush.{s.sku}"] = (s.name_zh, s.name_en)
        for c in scenario.carriers:
            labels[f"roleplay.field.carrier.{c.slug}"] = (c.name_zh, c.name_en)
        register_dynamic(labels)
        ctx.defaults = _defaults(ctx)
        ctx.fields = _fields(ctx)
        ctx.by_name = {r: {f.name: f for f in fs} for r, fs in ctx.fields.items()}
        return ctx


def _shift_defaults(plan: Any, shifts: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {
        name: round(float(np.mean([policies.plan_at(plan, 1, h) for h in range(a, b)])))
        for name, (a, b) in shifts.items()
    }


def _defaults(ctx: Context) -> dict[str, dict[str, Any]]:
    """Round-1 decisions of each role, read from the scenario's store decisions."""
    cfg = ctx.config
    d = ctx.scenario.stores[0].decisions
    manager = {
        "profit_target_cny": float(cfg.targets.get("profit_cny", 0.0)),
        "gmv_target_cny": float(cfg.targets.get("gmv_cny", 0.0)),
        **{f"budget_{k}_cny": float(v) for k, v in cfg.budget.items()},
        "overrides": {},
    }
    ops: dict[str, Any] = {f"price_{g}": 1.0 for g in ctx.groups}
    ops.update(
        charm_prices=isinstance(d.pricing, policies.Charm),
        ad_bid_cny=float(d.ads.cpc_bid_cny),
        ad_daily_budget_cny=float(d.ads.daily_budget_cny),
        promo_kind="none",
        promo_scope="all",
        promo_discount=0.1,
        promo_threshold_cny=float(max(10, 10 * round(2 * float(np.median(ctx.list_price)) / 10))),
        promo_days=[],
        promo_cap_units=200,
        livestream_hours=min(len(d.livestream_hours), LIVESTREAM_MAX_H),
    )
    design = {f"hours.{c}": 0 for c in ctx.codes}
    service = {f"agents_{k}": v for k, v in _shift_defaults(d.agents, AGENT_SHIFTS).items()}
    service["response_target_min"] = float(cfg.service_target_min)
    r = d.reorder
    logistics: dict[str, Any] = {
        "reorder_policy": "sS",
        "reorder_point_days": 7.0,
        "order_up_to_days": 21.0,
        "safety_z": 1.65,
    }
    if isinstance(r, policies.SS) and isinstance(r.s_days, int | float):
        logistics.update(reorder_point_days=float(r.s_days), order_up_to_days=float(r.S_days))
    elif isinstance(r, policies.ServiceLevel):
        logistics.update(
            reorder_policy="service_level",
            safety_z=float(r.z),
            order_up_to_days=float(r.cover_days),
        )
    elif isinstance(r, policies.NoReorder):
        logistics["reorder_policy"] = "none"
    logistics.update({f"rush.{c}": 0 for c in ctx.codes})
    logistics.update(
        {f"packers_{k}": v for k, v in _shift_defaults(d.packers, PACKER_SHIFTS).items()}
    )
    logistics["cut_off_hour"] = int(d.cut_off_hour)
    total = sum(d.carrier_mix.values())
    logistics.update(
        {f"carrier.{c}": round(float(d.carrier_mix.get(c, 0.0)) / total, 4) for c in ctx.carriers}
    )
    return {
        "manager": manager,
        "operations": ops,
        "design": design,
        "service": service,
        "logistics": logistics,
    }


def _fields(ctx: Context) -> dict[str, list[FieldSpec]]:
    dv = ctx.defaults
    cap = ctx.config.budget_total_cny_per_day
    cap = cap if math.isfinite(cap) else 1e6

    def f(role: str, name: str, kind: str, unit: str = "", **kw: Any) -> FieldSpec:
        label = kw.pop("label_key", f"roleplay.field.{name}")
        help_key = kw.pop("help_key", f"roleplay.help.{name}")
        return FieldSpec(
            name, kind, dv[role][name], unit=unit, label_key=label, help_key=help_key, **kw
        )

    manager = [
        f("manager", "profit_target_cny", "float", "cny", min=-1e8, max=1e9, step=1000),
        f("manager", "gmv_target_cny", "float", "cny", min=0, max=1e10, step=10000),
        *(
            f("manager", f"budget_{k}_cny", "float", "cny_per_day", min=0, max=cap, step=100)
            for k in ("ads", "design", "service", "logistics")
        ),
        f("manager", "overrides", "table", carry=False),
    ]
    ops = [
        f(
            "operations",
            f"price_{g}",
            "float",
            "x",
            min=0.5,
            max=1.5,
            step=0.01,
            help_key="roleplay.help.price_group",
        )
        for g in ctx.groups
    ]
    ops += [
        f("operations", "charm_prices", "bool"),
        f("operations", "ad_bid_cny", "float", "cny", min=0, max=20, step=0.1),
        f("operations", "ad_daily_budget_cny", "float", "cny_per_day", min=0, max=cap, step=100),
        f("operations", "promo_kind", "choice", choices=PROMO_KINDS),
        f("operations", "promo_scope", "choice", choices=("all", *ctx.groups)),
        f("operations", "promo_discount", "float", "share", min=0.05, max=0.5, step=0.01),
        f("operations", "promo_threshold_cny", "float", "cny", min=10, max=5000, step=10),
        f(
            "operations",
            "promo_days",
            "multi",
            "day_of_round",
            choices=tuple(range(1, ctx.max_round_days + 1)),
        ),
        f("operations", "promo_cap_units", "int", "units", min=10, max=10000, step=10),
        f("operations", "livestream_hours", "int", "h", min=0, max=LIVESTREAM_MAX_H, step=1),
    ]
    design = [
        f(
            "design",
            f"hours.{c}",
            "int",
            "h",
            min=0,
            max=200,
            step=1,
            help_key="roleplay.help.hours",
            group="roleplay.group.hours",
        )
        for c in ctx.codes
    ]
    service = [
        f(
            "service",
            f"agents_{k}",
            "int",
            "people",
            min=0,
            max=60,
            step=1,
            help_key="roleplay.help.agents",
        )
        for k in AGENT_SHIFTS
    ]
    service.append(f("service", "response_target_min", "float", "min", min=0.5, max=60, step=0.5))
    logistics = [
        f("logistics", "reorder_policy", "choice", choices=REORDER_KINDS),
        f("logistics", "reorder_point_days", "float", "days", min=0, max=60, step=1),
        f("logistics", "order_up_to_days", "float", "days", min=1, max=120, step=1),
        f("logistics", "safety_z", "float", "z", min=0, max=3.5, step=0.05),
        *(
            f(
                "logistics",
                f"rush.{c}",
                "int",
                "units",
                min=0,
                max=100_000,
                step=10,
                carry=False,
                help_key="roleplay.help.rush",
                group="roleplay.group.rush",
            )
            for c in ctx.codes
        ),
        *(
            f(
                "logistics",
                f"packers_{k}",
                "int",
                "people",
                min=0,
                max=60,
                step=1,
                help_key="roleplay.help.packers",
            )
            for k in PACKER_SHIFTS
        ),
        f("logistics", "cut_off_hour", "int", "hour_of_day", min=0, max=23, step=1),
        *(
            f(
                "logistics",
                f"carrier.{c}",
                "float",
                "share",
                min=0,
                max=1,
                step=0.05,
                help_key="roleplay.help.carrier",
                group="roleplay.group.carrier",
            )
            for c in ctx.carriers
        ),
    ]
    return {
        "manager": manager,
        "operations": ops,
        "design": design,
        "service": service,
        "logistics": logistics,
    }


# --------------------------------------------------------------------------- validation
def _role_label(role: str) -> str:
    return i18n.Phrase(f"roleplay.role.{role}")


def check_role(role: str) -> str:
    """Return ``role`` if it is one of :data:`ROLES`, else raise :class:`RoleplayError`."""
    if role not in ROLES:
        raise RoleplayError("role", role, "roleplay.err.role", allowed=", ".join(ROLES))
    return role


def flatten(raw: Mapping[str, Any], tables: set[str], prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables to dotted names (``{"hours": {"A": 1}}`` -> ``{"hours.A": 1}``).

    Fields of kind ``table`` (named in ``tables``) keep their value, flattened inside.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if name in tables:
            out[name] = flatten(value, set()) if isinstance(value, Mapping) else value
        elif isinstance(value, Mapping):
            out.update(flatten(value, tables, name + "."))
        else:
            out[name] = value
    return out


def _value(spec: FieldSpec, value: Any) -> Any:
    """Check one value against its field; return it normalised (ints, sorted lists)."""
    name = spec.name
    if spec.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise RoleplayError(name, value, "roleplay.err.number")
        if not math.isfinite(float(value)):
            raise RoleplayError(name, value, "roleplay.err.number")
        if spec.kind == "int":
            if not float(value).is_integer():
                raise RoleplayError(name, value, "roleplay.err.whole")
            value = int(value)
        else:
            value = float(value)
        if (spec.min is not None and value < spec.min) or (
            spec.max is not None and value > spec.max
        ):
            raise RoleplayError(name, value, "err.range", lo=_num(spec.min), hi=_num(spec.max))
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool | np.bool_):
            raise RoleplayError(name, value, "roleplay.err.bool")
        return bool(value)
    if spec.kind == "choice":
        if value not in spec.choices:
            raise RoleplayError(name, value, "err.choice", choices=", ".join(spec.choices))
        return value
    if spec.kind == "multi":
        if not isinstance(value, list | tuple):
            raise RoleplayError(
                name, value, "roleplay.err.multi", choices=", ".join(map(str, spec.choices))
            )
        out = set()
        for v in value:
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if isinstance(v, bool) or v not in spec.choices:
                raise RoleplayError(
                    name, value, "roleplay.err.multi", choices=", ".join(map(str, spec.choices))
                )
            out.add(v)
        return sorted(out)
    raise AssertionError(spec.kind)  # tables are handled by the caller


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if abs(x) < 1e6 else f"{x:,.0f}"


def parse_overrides(ctx: Context, value: Any) -> dict[str, Any]:
    """Check the manager's overrides; return ``{"role.field": value}`` (values normalised).

    ``value`` is a dict (nested or with dotted keys) or text, one ``role.field = value`` per
    line (``#`` starts a comment; values are TOML: ``1.2``, ``true``, ``"sS"`` or ``sS``).
    """
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        items: dict[str, Any] = {}
        for line in value.splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            key, eq, text = line.partition("=")
            if not eq or not key.strip():
                raise RoleplayError("overrides", line, "roleplay.err.override_line")
            text = text.strip()
            try:
                parsed = tomllib.loads(f"v = {text}")["v"]
            except tomllib.TOMLDecodeError:
                parsed = text.strip("'\"")
            items[key.strip()] = parsed
        value = items
    if not isinstance(value, Mapping):
        raise RoleplayError("overrides", value, "roleplay.err.not_table")
    out: dict[str, Any] = {}
    others = [r for r in ROLES if r != "manager"]
    for key, v in flatten(value, set()).items():
        role, _, name = key.partition(".")
        if role not in others or not name:
            raise RoleplayError(
                f"overrides.{key}", v, "roleplay.err.override_key", allowed=", ".join(others)
            )
        spec = ctx.by_name[role].get(name)
        if spec is None or spec.kind == "table":
            raise RoleplayError(
                f"overrides.{key}",
                v,
                "roleplay.err.unknown_field",
                role=_role_label(role),
                allowed=_allowed(ctx, role, name),
            )
        try:
            out[key] = _value(spec, v)
        except RoleplayError as err:
            raise RoleplayError(f"overrides.{key}", err.value, err.key, err.fmt) from None
    return out


def format_overrides(overrides: Mapping[str, Any]) -> str:
    """The overrides as text, one ``role.field = value`` per line (for a text widget)."""
    lines = []
    for key, v in overrides.items():
        if isinstance(v, str):
            text = f'"{v}"'
        elif isinstance(v, bool):
            text = "true" if v else "false"
        else:
            text = str(v)
        lines.append(f"{key} = {text}")
    return "\n".join(lines)


def _allowed(ctx: Context, role: str, key: str = "") -> str:
    names = [f.name for f in ctx.fields[role]]
    head, dot, _ = key.partition(".")
    if dot and any(n.startswith(head + ".") for n in names):
        return ", ".join(n for n in names if n.startswith(head + "."))
    short: list[str] = []
    for n in names:
        head = n.split(".", 1)[0] + ".<…>" if "." in n else n
        if head not in short:
            short.append(head)
    return ", ".join(short)


def validate(
    ctx: Context, role: str, raw: Mapping[str, Any], current: Mapping[str, Any], round_days: int
) -> dict[str, Any]:
    """Check a (possibly partial) submission; return the role's complete decisions.

    Fields not given keep their ``current`` value. Raises :class:`RoleplayError` naming
    the field, the value and what is allowed.
    """
    check_role(role)
    if not isinstance(raw, Mapping):
        raise RoleplayError(role, raw, "roleplay.err.not_table")
    specs = ctx.by_name[role]
    tables = {n for n, s in specs.items() if s.kind == "table"}
    flat = flatten(raw, tables)
    out = dict(current)
    for key, value in flat.items():
        spec = specs.get(key)
        if spec is None:
            raise RoleplayError(
                key,
                value,
                "roleplay.err.unknown_field",
                role=_role_label(role),
                allowed=_allowed(ctx, role, key),
            )
        if spec.kind == "table":
            out[key] = parse_overrides(ctx, value)
        else:
            out[key] = _value(spec, value)
    _cross_check(ctx, role, out, round_days)
    return out


def _cross_check(ctx: Context, role: str, d: dict[str, Any], round_days: int) -> None:
    if role == "manager":
        total = sum(d[f"budget_{k}_cny"] for k in ("ads", "design", "service", "logistics"))
        cap = ctx.config.budget_total_cny_per_day
        if total > cap + 1e-6:
            raise RoleplayError(
                "budget_*_cny", round(total, 2), "roleplay.err.total_budget", total=total, cap=cap
            )
    elif role == "operations":
        late = [x for x in d["promo_days"] if x > round_days]
        if late:
            raise RoleplayError(
                "promo_days", d["promo_days"], "roleplay.err.day_beyond_round", n=round_days
            )
    elif role == "logistics":
        if d["reorder_policy"] == "sS" and d["reorder_point_days"] >= d["order_up_to_days"]:
            raise RoleplayError(
                "reorder_point_days",
                d["reorder_point_days"],
                "roleplay.err.reorder_point",
                S=d["order_up_to_days"],
            )
        if sum(d[f"carrier.{c}"] for c in ctx.carriers) <= 0:
            raise RoleplayError(
                "carrier.*",
                {c: d[f"carrier.{c}"] for c in ctx.carriers},
                "roleplay.err.carriers",
            )


def carry_over(ctx: Context, role: str, played: Mapping[str, Any]) -> dict[str, Any]:
    """Next round's decisions of a role that does not submit: what it played, minus one-offs."""
    out = dict(played)
    for spec in ctx.fields[role]:
        if not spec.carry:
            out[spec.name] = _copy(spec.default)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def default_decisions(ctx: Context, role: str) -> dict[str, Any]:
    """A role's round-1 decisions (a fresh copy)."""
    return {k: _copy(v) for k, v in ctx.defaults[role].items()}


# --------------------------------------------------------------------------- budgets
def staff_hours(d: Mapping[str, Any], prefix: str, shifts: dict[str, tuple[int, int]]) -> int:
    """People-hours per day of a shift plan."""
    return sum(int(d[f"{prefix}_{k}"]) * (b - a) for k, (a, b) in shifts.items())


def spend(ctx: Context, role: str, d: Mapping[str, Any], round_days: int) -> tuple[float, str]:
    """Planned spend per day of a role's decisions and the manager's budget field it uses.

    Returns ``(0, "")`` for roles without a budget (manager).
    """
    if role == "operations":
        return float(d["ad_daily_budget_cny"]), "budget_ads_cny"
    if role == "design":
        hours = sum(int(d[f"hours.{c}"]) for c in ctx.codes)
        return hours * ctx.design_wage / round_days, "budget_design_cny"
    if role == "service":
        return staff_hours(d, "agents", AGENT_SHIFTS) * ctx.agent_wage, "budget_service_cny"
    if role == "logistics":
        return staff_hours(d, "packers", PACKER_SHIFTS) * ctx.packer_wage, "budget_logistics_cny"
    return 0.0, ""


def check_budget(
    ctx: Context,
    role: str,
    d: Mapping[str, Any],
    manager: Mapping[str, Any],
    round_days: int,
) -> None:
    """Reject a plan that does not fit the manager's budget in force (see module docstring)."""
    cost, key = spend(ctx, role, d, round_days)
    if not key:
        return
    budget = float(manager[key])
    if cost <= budget + 1e-6:
        return
    if role == "operations":
        raise RoleplayError(
            "ad_daily_budget_cny",
            d["ad_daily_budget_cny"],
            "roleplay.err.over_budget_ads",
            budget=budget,
        )
    if role == "design":
        hours = sum(int(d[f"hours.{c}"]) for c in ctx.codes)
        allowed = math.floor(budget * round_days / ctx.design_wage + 1e-9)
        raise RoleplayError(
            "hours.*",
            hours,
            "roleplay.err.over_budget_hours",
            cost=cost * round_days,
            allowed=allowed,
            budget=budget,
            days=round_days,
            wage=ctx.design_wage,
        )
    who, shifts, wage = (
        ("agents", AGENT_SHIFTS, ctx.agent_wage)
        if role == "service"
        else ("packers", PACKER_SHIFTS, ctx.packer_wage)
    )
    hours = staff_hours(d, who, shifts)
    raise RoleplayError(
        f"{who}_*",
        hours,
        "roleplay.err.over_budget_staff",
        hours=hours,
        who=i18n.Phrase(f"roleplay.who.{who}"),
        cost=cost,
        allowed=math.floor(budget / wage + 1e-9) if wage > 0 else 0,
        budget=budget,
        wage=wage,
    )


def fit_budget(
    ctx: Context,
    role: str,
    d: dict[str, Any],
    manager: Mapping[str, Any],
    round_days: int,
) -> tuple[dict[str, Any], float, float] | None:
    """Scale a plan down to the manager's budget; None if it already fits.

    Returns the scaled decisions, the planned spend per day before scaling and the budget.
    """
    cost, key = spend(ctx, role, d, round_days)
    if not key:
        return None
    budget = float(manager[key])
    if cost <= budget + 1e-6:
        return None
    out = dict(d)
    factor = budget / cost if cost > 0 else 0.0
    if role == "operations":
        out["ad_daily_budget_cny"] = round(budget, 2)
    elif role == "design":
        for c in ctx.codes:
            out[f"hours.{c}"] = math.floor(d[f"hours.{c}"] * factor + 1e-9)
    else:
        prefix, shifts = (
            ("agents", AGENT_SHIFTS) if role == "service" else ("packers", PACKER_SHIFTS)
        )
        for k in shifts:
            out[f"{prefix}_{k}"] = math.floor(d[f"{prefix}_{k}"] * factor + 1e-9)
    return out, cost, budget


# --------------------------------------------------------------------------- to the engine
def _plan(d: Mapping[str, Any], prefix: str, shifts: dict[str, tuple[int, int]]) -> tuple:
    hours = [0] * 24
    for k, (a, b) in shifts.items():
        for h in range(a, b):
            hours[h] = int(d[f"{prefix}_{k}"])
    return tuple(hours)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for day in sorted(days):
        if out and day == out[-1][1] + 1:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def engine_changes(
    ctx: Context, team: Mapping[str, Mapping[str, Any]], first: int, last: int
) -> dict[str, Any]:
    """The store decisions (:class:`~sim.scenario.schema.Decisions` fields) of one round.

    ``team`` holds the effective decisions of every role. Listing quality, design wages
    and rush orders are applied by :class:`~sim.roleplay.play.Play` (they carry state).
    """
    ops, svc, log = team["operations"], team["service"], team["logistics"]
    base = ctx.scenario.stores[0].decisions
    # prices: a multiplier per product group on the list price, with optional charm endings
    mult = {code: ops[f"price_{g}"] for g, codes in ctx.groups.items() for code in codes}
    if all(m == 1.0 for m in mult.values()):
        pricing: Any = {"kind": "charm"} if ops["charm_prices"] else "list"
    else:
        prices = {
            code: round(float(ctx.list_price[i]) * mult.get(code, 1.0), 2)
            for i, code in enumerate(ctx.codes)
        }
        fixed = {"kind": "fixed", "prices": prices}
        pricing = {"kind": "charm", "base": fixed} if ops["charm_prices"] else fixed
    promos: list[Any] = list(getattr(base.promotions, "promotions", ()))
    kind = ops["promo_kind"]
    if kind != "none":
        days = ops["promo_days"] or list(range(1, last - first + 2))
        scope = ops["promo_scope"]
        skus = [] if scope == "all" else list(ctx.groups.get(scope, ()))
        threshold = float(ops["promo_threshold_cny"])
        depth = float(ops["promo_discount"])
        for a, b in _runs([first + x - 1 for x in days]):
            p: dict[str, Any] = {"kind": kind, "start_day": a, "end_day": b, "skus": skus}
            if kind == "percent_off":
                p["discount"] = depth
            elif kind == "threshold":
                p.update(threshold_cny=threshold, off_cny=round(threshold * depth, 2))
            elif kind == "coupon":
                p.update(value_cny=round(threshold * depth, 2), min_spend_cny=threshold)
            elif kind == "flash_sale":
                p.update(
                    discount=depth,
                    cap_units=int(ops["promo_cap_units"]),
                    start_hour=FLASH_START_HOUR,
                    duration_h=FLASH_HOURS,
                )
            promos.append(p)
    n_live = int(ops["livestream_hours"])
    start = min(base.livestream_hours) if base.livestream_hours else 20
    start = min(start, 24 - n_live)
    live = (
        tuple(base.livestream_hours)
        if n_live == len(base.livestream_hours)
        else tuple(range(start, start + n_live))
    )
    if log["reorder_policy"] == "sS":
        reorder: Any = {
            "kind": "sS",
            "s_days": float(log["reorder_point_days"]),
            "S_days": float(log["order_up_to_days"]),
        }
    elif log["reorder_policy"] == "service_level":
        reorder = {
            "kind": "service_level",
            "z": float(log["safety_z"]),
            "cover_days": float(log["order_up_to_days"]),
        }
    else:
        reorder = {"kind": "none"}
    mix = {c: float(log[f"carrier.{c}"]) for c in ctx.carriers if log[f"carrier.{c}"] > 0}
    return {
        "pricing": pricing,
        "promotions": promos,
        "ads": {
            "cpc_bid_cny": float(ops["ad_bid_cny"]),
            "daily_budget_cny": float(ops["ad_daily_budget_cny"]),
        },
        "livestream_hours": live,
        "agents": _plan(svc, "agents", AGENT_SHIFTS),
        "packers": _plan(log, "packers", PACKER_SHIFTS),
        "cut_off_hour": int(log["cut_off_hour"]),
        "carrier_mix": mix,
        "reorder": reorder,
    }


def quality_after(ctx: Context, quality: np.ndarray, design: Mapping[str, Any]) -> np.ndarray:
    """Listing quality per SKU after a round's design hours (never lower than before)."""
    cap = ctx.config.listing_quality_cap
    scale = ctx.config.listing_hours_scale
    hours = np.array([float(design[f"hours.{c}"]) for c in ctx.codes])
    raised = cap - (cap - quality) * np.exp(-hours / scale)
    return np.round(np.maximum(quality, np.where(hours > 0, raised, quality)), 6)
