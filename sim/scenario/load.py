"""Load named scenarios and their parts from ``data/`` (TOML).

Layout of ``data/``:

* ``platforms/<slug>.toml`` - a :class:`~sim.scenario.schema.Platform`;
* ``stores/<slug>.toml`` - a store archetype, a :class:`~sim.scenario.schema.Catalogue`;
* ``carriers.toml`` - ``[[carriers]]``; ``festivals.toml`` - ``[[festivals]]``;
* ``market.toml`` - the default :class:`~sim.scenario.schema.Market`;
* ``scenarios/<slug>.toml`` - a scenario. ``platform`` and a store's ``catalogue`` name a
  file by slug; ``market`` holds only what differs from ``market.toml``.

Every file may carry a ``[provenance]`` table (field -> source, or "assumption: ...");
it documents the figures and is not part of the model.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.schema import Scenario

DATA_DIR = Path(os.environ.get("SIM_DATA_DIR", Path(__file__).resolve().parents[2] / "data"))


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file; a syntax error names the file and line."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(str(path), path.name, "err.bad_file", detail=str(err)) from None
    except OSError as err:
        raise ScenarioError(str(path), path.name, "err.bad_file", detail=err.strerror) from None


def _strip(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "provenance"}


def _slugs(folder: str) -> list[str]:
    return sorted(p.stem for p in (DATA_DIR / folder).glob("*.toml"))


def _named(folder: str, slug: str, kind: str, path: str) -> dict[str, Any]:
    file = DATA_DIR / folder / f"{slug}.toml"
    if not file.exists():
        raise ScenarioError(
            path, slug, "err.unknown_ref", kind=kind, allowed=", ".join(_slugs(folder))
        )
    return _strip(read_toml(file))


def scenario_names() -> list[str]:
    """Slugs of the named scenarios in ``data/scenarios``."""
    return _slugs("scenarios")


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` into a copy of ``base`` (tables merge, everything else replaces)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn a scenario file's references into full records (platform, catalogue, market)."""
    d = _strip(raw)
    if isinstance(d.get("platform"), str):
        d["platform"] = _named("platforms", d["platform"], "platform", "platform")
    d["market"] = merge(_strip(read_toml(DATA_DIR / "market.toml")), d.get("market", {}))
    d.setdefault("carriers", _strip(read_toml(DATA_DIR / "carriers.toml"))["carriers"])
    d.setdefault("festivals", _strip(read_toml(DATA_DIR / "festivals.toml"))["festivals"])
    stores = d.pop("store", None)
    if stores is not None:
        d["stores"] = [stores]
    for i, store in enumerate(d.get("stores", [])):
        if isinstance(store, dict) and isinstance(store.get("catalogue"), str):
            store["catalogue"] = _named(
                "stores", store["catalogue"], "store archetype", f"stores[{i}].catalogue"
            )
    return d


def scenario_from_dict(raw: dict[str, Any]) -> Scenario:
    """Build and validate a scenario from a plain dict (same rules as keyword arguments)."""
    return Scenario(**resolve(raw))


@cache
def _load(name: str) -> Scenario:
    file = DATA_DIR / "scenarios" / f"{name}.toml"
    if not file.exists():
        raise ScenarioError(
            "scenario", name, "err.unknown_scenario", allowed=", ".join(scenario_names())
        )
    return scenario_from_dict(read_toml(file))


def load_scenario(name: str = "ordinary-month", **changes: Any) -> Scenario:
    """Load a named scenario from ``data/scenarios``, optionally with changes.

    Parameters
    ----------
    name : str
        Scenario slug, e.g. ``"double11"``; ``python -m sim list`` shows them all.
    **changes
        Passed to :meth:`Scenario.replace`, e.g. ``days=14``.
    """
    if name.endswith(".toml") or os.sep in name:
        scenario = scenario_from_dict(read_toml(Path(name)))
    else:
        scenario = _load(name)
    return scenario.replace(**changes) if changes else scenario


def load_platform(slug: str) -> dict[str, Any]:
    """Return a platform profile's fields as a dict (for building scenarios in code)."""
    return _named("platforms", slug, "platform", "platform")


def load_catalogue(slug: str) -> dict[str, Any]:
    """Return a store archetype's fields as a dict."""
    return _named("stores", slug, "store archetype", "catalogue")


def platform_names() -> list[str]:
    """Slugs of the platform profiles."""
    return _slugs("platforms")


def catalogue_names() -> list[str]:
    """Slugs of the store archetypes."""
    return _slugs("stores")
