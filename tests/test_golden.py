"""Golden outputs of the canonical scenarios (CONVENTIONS section 6).

A run of every named scenario (seed 7, at most 10 days) must reproduce the key totals in
``tests/golden/<slug>.json`` exactly. When the model changes on purpose, regenerate them
with ``python tests/regen_golden.py`` and commit the reviewed diff; never edit them by hand.
"""

from __future__ import annotations

import json
import math

import pytest
from regen_golden import GOLDEN_DIR, golden_path, golden_totals

from sim import scenario_names

HOW = (
    "If the model changed on purpose, run `python tests/regen_golden.py` and commit tests/golden/."
)


@pytest.mark.parametrize("name", scenario_names())
def test_golden_totals(name):
    path = golden_path(name)
    if not path.exists():
        pytest.fail(f"no golden file {path.name} for scenario {name!r}. {HOW}")
    golden = json.loads(path.read_text(encoding="utf-8"))
    now = golden_totals(name)
    assert (now["seed"], now["days"]) == (golden["seed"], golden["days"]), (
        f"run settings changed. {HOW}"
    )
    assert set(now["totals"]) == set(golden["totals"]), f"the golden keys changed. {HOW}"
    diffs = {
        k: (golden["totals"][k], v)
        for k, v in now["totals"].items()
        if not math.isclose(v, golden["totals"][k], rel_tol=1e-9, abs_tol=1e-9)
    }
    assert not diffs, (
        f"golden outputs of {name!r} changed (key: golden -> now): "
        + ", ".join(f"{k}: {a} -> {b}" for k, (a, b) in diffs.items())
        + f". {HOW}"
    )


def test_no_golden_file_without_a_scenario():
    stale = sorted(p.stem for p in GOLDEN_DIR.glob("*.json") if p.stem not in scenario_names())
    assert not stale, f"golden files for scenarios that no longer exist: {stale}. {HOW}"


def test_golden_totals_are_plausible():
    """The golden files hold a real run, not zeros: visits, orders and money are there."""
    for name in scenario_names():
        path = golden_path(name)
        if not path.exists():
            continue
        t = json.loads(path.read_text(encoding="utf-8"))["totals"]
        assert t["visits"] > 1000 and t["orders"] > 100, name
        assert t["paid_orders"] <= t["orders"] and t["units"] >= t["paid_orders"], name
        assert t["revenue_cny"] > 0 and 1 <= t["final_rating"] <= 5, name
