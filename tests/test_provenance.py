"""Every figure in data/ says where it comes from (CONVENTIONS section 3, data/README.md).

Each TOML file's ``[provenance]`` table maps a field - its dotted path, with ``*`` for list
entries (``skus.*.cost_cny``), or a prefix that covers everything below it (``store``) -
to a named source or to a text starting ``assumption:`` with the reasoning.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(DATA.rglob("*.toml"))


def leaves(node, path: str = ""):
    """Yield ``(dotted path, value)`` for every leaf; list indices become ``*``.

    A list of scalars (e.g. ``hour_profile``) yields one leaf per entry, all under
    ``hour_profile.*``; tables inside lists (``[[skus]]``) yield ``skus.*.field``.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        if not node:
            yield f"{path}.*", None
        for item in node:
            yield from leaves(item, f"{path}.*")
    else:
        yield path, node


def covers(key: str, path: str) -> bool:
    """Whether provenance ``key`` covers field ``path`` (exactly, or as a prefix)."""
    return path == key or path.startswith(key + ".")


def is_numeric(value) -> bool:
    return isinstance(value, bool | int | float)


def load(file: Path) -> tuple[dict, dict]:
    with open(file, "rb") as fh:
        data = tomllib.load(fh)
    prov = data.pop("provenance", {})
    return data, prov


def flat_provenance(prov: dict, prefix: str = "") -> dict[str, object]:
    """Provenance keys as written; a nested table (``[provenance.market]``) is flattened."""
    out: dict[str, object] = {}
    for key, value in prov.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(flat_provenance(value, full))
        else:
            out[full] = value
    return out


def test_there_are_data_files():
    names = {f.relative_to(DATA).as_posix() for f in FILES}
    for expected in (
        "market.toml",
        "carriers.toml",
        "festivals.toml",
        "platforms/taobao.toml",
        "stores/apparel.toml",
        "scenarios/ordinary-month.toml",
    ):
        assert expected in names
    assert len(FILES) >= 15


def test_the_helpers_work_on_a_small_example():
    """The checks below must be able to fail: a small file with a gap and a stale key."""
    data = {
        "a": 1,
        "b": {"c": 2.0, "d": "text"},
        "skus": [{"cost": 3}, {"cost": 4}],
        "prof": [1, 2],
    }
    paths = {p for p, v in leaves(data) if is_numeric(v)}
    assert paths == {"a", "b.c", "skus.*.cost", "prof.*"}
    prov = {
        "a": "assumption: x",
        "skus.*.cost": "assumption: y",
        "prof": "assumption: z",
        "zzz": "x",
    }
    uncovered = [p for p in paths if not any(covers(k, p) for k in prov)]
    assert uncovered == ["b.c"]
    stale = [k for k in prov if not any(covers(k, p) for p, _ in leaves(data))]
    assert stale == ["zzz"]
    assert not covers("sk", "skus.*.cost")  # a prefix must end at a dot


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.relative_to(DATA).as_posix())
def test_every_number_has_a_provenance(file):
    data, prov = load(file)
    keys = flat_provenance(prov)
    numeric = sorted({p for p, v in leaves(data) if is_numeric(v)})
    if numeric:
        assert keys, f"{file.name}: has figures but no [provenance] table"
    uncovered = [p for p in numeric if not any(covers(k, p) for k in keys)]
    assert not uncovered, f"{file.relative_to(DATA)}: figures without provenance: {uncovered}"


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.relative_to(DATA).as_posix())
def test_no_stale_provenance_keys(file):
    """Every provenance key names a field of its file (numeric or text)."""
    data, prov = load(file)
    paths = [p for p, _ in leaves(data)]
    keys = flat_provenance(prov)
    stale = [k for k in keys if not any(covers(k, p) for p in paths)]
    assert not stale, f"{file.relative_to(DATA)}: provenance keys that match no field: {stale}"
    # keys that document only text (names, descriptions) would not be provenance of a figure
    numeric = [p for p, v in leaves(data) if is_numeric(v)]
    text_only = [k for k in keys if not any(covers(k, p) for p in numeric)]
    allowed_text = {"festivals.*.start", "start_date"}  # dates are figures written as text
    assert set(text_only) <= allowed_text, (
        f"{file.relative_to(DATA)}: keys covering only text: {text_only}"
    )


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.relative_to(DATA).as_posix())
def test_provenance_values_are_sources_or_assumptions(file):
    _, prov = load(file)
    for key, value in flat_provenance(prov).items():
        assert isinstance(value, str), f"{file.name}: provenance {key!r} is not text"
        text = value.strip()
        assert text, f"{file.name}: provenance {key!r} is empty"
        if text.lower().startswith("assum"):
            assert text.startswith("assumption:"), (
                f"{file.name}: {key!r} must start exactly with 'assumption:' - got {text[:30]!r}"
            )
            reason = text[len("assumption:") :].strip()
            assert len(reason) >= 10, f"{file.name}: {key!r}: an assumption needs its reasoning"
        else:
            # a named source: some words, not a placeholder
            assert len(text) >= 15 and any(ch.isalpha() for ch in text), (
                f"{file.name}: {key!r} is neither 'assumption: ...' nor a named source: {text!r}"
            )
            assert text.lower() not in {"todo", "tbd", "source", "unknown"}
