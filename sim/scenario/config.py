"""Frozen, validated configuration records.

Every part of a scenario is a frozen dataclass deriving from :class:`Config`. The same
validation runs whether a record is built from keyword arguments in a notebook or from a
TOML file in ``data/``: unknown keys, wrong types and out-of-range values raise one
:class:`~sim.errors.ScenarioError` that names the field, the value and what is allowed.

Fields declare their limits with :func:`spec`; nested records, tuples of records and
mappings are coerced from plain dicts and lists.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from sim.errors import ScenarioError
from sim.i18n import Phrase

_MISSING = dataclasses.MISSING


def spec(
    default: Any = _MISSING,
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    choices: tuple[str, ...] | None = None,
    coerce: Callable[[Any, str], Any] | None = None,
    doc: str = "",
) -> Any:
    """Declare a field with its allowed range.

    Parameters
    ----------
    default : object, optional
        Default value; mutable defaults (dict, list) are copied per instance.
    ge, gt, le : float, optional
        Inclusive lower, exclusive lower and inclusive upper bounds.
    choices : tuple of str, optional
        Allowed values of a string field.
    coerce : callable, optional
        ``coerce(value, path) -> value`` for fields that accept several forms
        (e.g. a policy object or its dict description).
    doc : str
        What the field means, with its unit.
    """
    meta = {"ge": ge, "gt": gt, "le": le, "choices": choices, "coerce": coerce, "doc": doc}
    if isinstance(default, dict | list):
        frozen = dict(default) if isinstance(default, dict) else tuple(default)
        return dataclasses.field(default_factory=lambda: frozen, metadata=meta)
    if default is _MISSING:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


class _ConfigMeta(type):
    """Turn unknown or missing keyword arguments into a ScenarioError."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(f"{cls.__name__} takes keyword arguments only")
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        for key in kwargs:
            if key not in names:
                raise ScenarioError(
                    key, kwargs[key], "err.unknown_key", allowed=", ".join(sorted(names))
                )
        for f in dataclasses.fields(cls):
            if (
                f.init
                and f.name not in kwargs
                and f.default is _MISSING
                and f.default_factory is _MISSING
            ):
                raise ScenarioError(f.name, None, "err.missing")
        return super().__call__(**kwargs)


class Config(metaclass=_ConfigMeta):
    """Base of every scenario record: coercion, range checks, ``replace``."""

    _hints: ClassVar[dict[type, dict[str, Any]]] = {}

    def __post_init__(self) -> None:
        hints = _type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            try:
                value = _coerce(value, hints[f.name], f.metadata, f.name)
                _check_range(value, f.metadata, f.name)
            except ScenarioError:
                raise
            object.__setattr__(self, f.name, value)
        self.check()

    def check(self) -> None:
        """Cross-field checks; override in records that need them."""

    def replace(self, **changes: Any) -> Any:
        """Return a copy with fields changed; nested fields use ``__`` (``ads__cpc_bid_cny``)."""
        direct: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for key, value in changes.items():
            head, _, rest = key.partition("__")
            if rest:
                nested.setdefault(head, {})[rest] = value
            else:
                direct[key] = value
        names = {f.name for f in dataclasses.fields(self)}
        for head, sub in nested.items():
            if head not in names:
                raise ScenarioError(head, sub, "err.unknown_key", allowed=", ".join(sorted(names)))
            current = getattr(self, head)
            if not isinstance(current, Config):
                raise ScenarioError(head, sub, "err.type", expected=Phrase("type.fields"))
            try:
                direct[head] = current.replace(**sub)
            except ScenarioError as err:
                raise err.within(head) from None
        for key in direct:
            if key not in names:
                raise ScenarioError(
                    key, direct[key], "err.unknown_key", allowed=", ".join(sorted(names))
                )
        try:
            return dataclasses.replace(self, **direct)
        except ScenarioError:
            raise

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain dicts, lists and numbers (policies by their repr)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @classmethod
    def describe(cls) -> dict[str, str]:
        """Return ``{field: doc}`` for documentation and widget tooltips."""
        return {f.name: f.metadata.get("doc", "") for f in dataclasses.fields(cls)}


def _plain(value: Any) -> Any:
    if isinstance(value, Config):
        return value.to_dict()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return repr(value)


def _type_hints(cls: type) -> dict[str, Any]:
    cached = Config._hints.get(cls)
    if cached is None:
        module = __import__(cls.__module__, fromlist=["_"])
        cached = typing.get_type_hints(cls, globalns={**globals(), **vars(module)})
        Config._hints[cls] = cached
    return cached


def _type_name(tp: Any) -> str:
    names = {float: "type.number", int: "type.whole", bool: "type.bool", str: "type.text"}
    return Phrase(names[tp])


def _coerce(value: Any, tp: Any, meta: Mapping[str, Any], path: str) -> Any:
    custom = meta.get("coerce") if meta else None
    if custom is not None:
        return custom(value, path)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        last: ScenarioError | None = None
        for option in options:
            try:
                return _coerce(value, option, {}, path)
            except ScenarioError as err:
                last = err
        assert last is not None
        raise last
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ScenarioError(path, value, "err.type", expected=_type_name(bool))
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(path, value, "err.type", expected=_type_name(int))
        if isinstance(value, float) and not value.is_integer():
            raise ScenarioError(path, value, "err.type", expected=_type_name(int))
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(path, value, "err.type", expected=_type_name(float))
        value = float(value)
        if not math.isfinite(value):
            raise ScenarioError(path, value, "err.type", expected=Phrase("type.finite"))
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ScenarioError(path, value, "err.type", expected=_type_name(str))
        return value
    if isinstance(tp, type) and issubclass(tp, Config):
        if isinstance(value, tp):
            return value
        if isinstance(value, Mapping):
            try:
                return tp(**dict(value))
            except ScenarioError as err:
                raise err.within(path) from None
        raise ScenarioError(
            path, value, "err.type", expected=Phrase("type.record", name=tp.__name__)
        )
    if origin is tuple:
        if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
            raise ScenarioError(path, value, "err.type", expected=Phrase("type.list"))
        item_tp = args[0]
        return tuple(_coerce(v, item_tp, {}, f"{path}[{i}]") for i, v in enumerate(value))
    if origin in (dict, Mapping) or tp is dict:
        if not isinstance(value, Mapping):
            raise ScenarioError(path, value, "err.type", expected=Phrase("type.table"))
        key_tp, val_tp = args if args else (str, Any)
        return {
            _coerce(k, key_tp, {}, path): _coerce(v, val_tp, {}, f"{path}.{k}")
            for k, v in value.items()
        }
    raise TypeError(f"unsupported field type {tp!r} at {path}")


def _check_range(value: Any, meta: Mapping[str, Any], path: str) -> None:
    if not meta:
        return
    ge, gt, le, choices = meta.get("ge"), meta.get("gt"), meta.get("le"), meta.get("choices")
    if choices is not None and value not in choices:
        raise ScenarioError(path, value, "err.choice", choices=", ".join(choices))
    if ge is None and gt is None and le is None:
        return
    values = (
        value.values()
        if isinstance(value, Mapping)
        else value
        if isinstance(value, tuple)
        else (value,)
    )
    for v in values:
        if not isinstance(v, int | float):
            continue
        if ge is not None and le is not None and not ge <= v <= le:
            raise ScenarioError(path, value, "err.range", lo=_num(ge), hi=_num(le))
        if gt is not None and le is not None and not gt < v <= le:
            raise ScenarioError(path, value, "err.range_open", lo=_num(gt), hi=_num(le))
        if ge is not None and v < ge:
            raise ScenarioError(path, value, "err.ge", lo=_num(ge))
        if gt is not None and v <= gt:
            raise ScenarioError(path, value, "err.gt", lo=_num(gt))
        if le is not None and v > le:
            raise ScenarioError(path, value, "err.le", hi=_num(le))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
