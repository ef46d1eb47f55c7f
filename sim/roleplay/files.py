"""Files of a session: a small TOML writer, decision files, a lock.

Every write goes through :func:`sim.fileio.atomic_write` (a temporary file in the same
folder, flushed, then renamed over the target), so a reader sees either the old or the
new file, never half of one, and a crash mid-write loses nothing saved before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import time
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sim.fileio import atomic_write  # noqa: F401  (re-exported: files.atomic_write)
from sim.roleplay.errors import RoleplayError

META_KEYS = ("team", "role", "round", "carried_over", "submitted_at")
LOCK_STALE_S = 120.0
LOCK_WAIT_S = 60.0
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- TOML
def _key(name: str) -> str:
    parts = name.split(".")
    return ".".join(p if _BARE.match(p) else json.dumps(p, ensure_ascii=False) for p in parts)


def toml_value(value: Any) -> str:
    """One value as TOML (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to TOML")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(
            f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()
        )
        return "{ " + items + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def toml_dumps(
    items: Mapping[str, Any],
    comments: Mapping[str, list[str]] | None = None,
    header: list[str] | None = None,
) -> str:
    """Key = value lines (dotted names as dotted keys), with ``#`` comments before keys."""
    lines = [f"# {h}" for h in header or ()]
    if lines:
        lines.append("")
    for name, value in items.items():
        for c in (comments or {}).get(name, ()):
            lines.append(f"# {c}")
        lines.append(f"{_key(name)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def read_decision_file(path: Path) -> dict[str, Any]:
    """Read a decision file (TOML, or YAML when PyYAML is installed) into a dict.

    Raises :class:`RoleplayError` naming the file for unreadable or malformed files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise RoleplayError(str(path), path.name, "roleplay.err.file_type")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise RoleplayError(
            str(path), path.name, "err.bad_file", detail=err.strerror or type(err).__name__
        ) from None
    if suffix == ".toml":
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise RoleplayError(str(path), path.name, "err.bad_file", detail=str(err)) from None
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise RoleplayError(str(path), path.name, "roleplay.err.yaml") from None
        try:
            data = yaml.safe_load(raw.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            detail = " ".join(str(err).split())
            raise RoleplayError(str(path), path.name, "err.bad_file", detail=detail) from None
        if data is None:
            data = {}
    if not isinstance(data, dict):
        raise RoleplayError(str(path), type(data).__name__, "roleplay.err.not_table")
    return data


def split_meta(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a decision file's dict into its meta keys (team, role, round ...) and decisions."""
    meta = {k: data[k] for k in META_KEYS if k in data}
    decisions = {k: v for k, v in data.items() if k not in META_KEYS}
    return meta, decisions


def canonical(obj: Any) -> Any:
    """``obj`` as JSON would give it back (tuples -> lists, NaN -> None)."""

    def clean(x: Any) -> Any:
        if isinstance(x, float):
            return x if math.isfinite(x) else None
        if isinstance(x, Mapping):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        if hasattr(x, "item"):  # numpy scalars
            return clean(x.item())
        return x

    return json.loads(json.dumps(clean(obj), ensure_ascii=False))


def json_dumps(obj: Any) -> str:
    """Stable, readable JSON (UTF-8 text, sorted keys, no NaN)."""
    return json.dumps(canonical(obj), ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def differences(a: Any, b: Any, path: str = "", rel: float = 1e-9) -> list[str]:
    """Paths where two canonical JSON values differ (floats within ``rel``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}")
            else:
                out += differences(a[k], b[k], f"{path}.{k}", rel)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [path]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += differences(x, y, f"{path}[{i}]", rel)
        return out
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool | str):
        if math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-9):
            return []
        return [path]
    return [] if a == b else [path]


# --------------------------------------------------------------------------- lock
@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the session's lock file (``.lock``) while writing.

    The lock is a file created exclusively (``O_CREAT | O_EXCL``), which works the same
    on every operating system and network drive; a lock left by a process that died
    (older than ``LOCK_STALE_S``) is broken.
    """
    lock = Path(folder) / ".lock"
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            try:
                age = time.time() - lock.stat().st_mtime
            except OSError:
                continue
            if age > LOCK_STALE_S:
                with contextlib.suppress(OSError):
                    os.unlink(lock)
                continue
            if time.monotonic() > deadline:
                raise RoleplayError(str(folder), str(lock), "roleplay.err.busy") from None
            time.sleep(0.05)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
