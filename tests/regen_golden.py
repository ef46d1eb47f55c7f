"""Regenerate the golden outputs of the named scenarios (tests/golden/<slug>.json).

Run it explicitly, from the repository root, only when the model changed on purpose::

    python tests/regen_golden.py            # every named scenario
    python tests/regen_golden.py double11   # some of them

then review the diff of ``tests/golden/`` and commit it with a message that says why the
numbers moved. ``tests/test_golden.py`` compares a fresh run with these files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim import load_scenario, run, scenario_names  # noqa: E402

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SEED = 7
MAX_DAYS = 10


def golden_totals(name: str) -> dict:
    """Key totals of ``name`` run with seed 7 for min(days, 10) days."""
    sc = load_scenario(name)
    days = min(sc.days, MAX_DAYS)
    r = run(sc, seed=SEED, days=days)
    o = r.orders
    paid = o[o["paid"]]
    totals = {
        "visits": int(r.funnel_hourly["visits"].sum()),
        "orders": len(o),
        "paid_orders": len(paid),
        "units": int(paid["units"].sum()),
        "revenue_cny": round(float(r.pnl["revenue"].sum()), 2),
        "refunds_cny": round(float(r.pnl["refunds"].sum()), 2),
        "net_profit_cny": round(float(r.pnl["net_profit"].sum()), 2),
        "final_rating": float(r.daily["rating"].iloc[-1]),
        "tickets": len(r.tickets),
        "lost_units": int(r.sku_daily["lost_units"].sum()),
    }
    return {"scenario": name, "seed": SEED, "days": days, "totals": totals}


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json"


def main(names: list[str]) -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for name in names or scenario_names():
        data = golden_totals(name)
        golden_path(name).write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {golden_path(name).relative_to(ROOT)}: {data['totals']}")


if __name__ == "__main__":
    main(sys.argv[1:])
