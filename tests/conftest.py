"""Shared fixtures and scenario helpers for the test suite.

Runs are kept short (a week or two of simulated time) and shared between the tests of a
module through module-scoped fixtures, so the whole suite stays within a few minutes on
two cores. Nothing here asserts anything; the helpers only build scenarios.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim import i18n, load_scenario  # noqa: E402
from sim.results import TABLES  # noqa: E402


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now (for servers a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FLAT_HOURS = (1.0,) * 24
FLAT_WEEK = (1.0,) * 7


def base_scenario(name: str = "ordinary-month", **changes):
    """A named scenario with ``changes`` applied through ``Scenario.replace``."""
    sc = load_scenario(name)
    return sc.replace(**changes) if changes else sc


def with_skus(sc, **sku_changes):
    """Change a field of every SKU of the single store (e.g. ``initial_stock=10**6``)."""
    skus = tuple(s.replace(**sku_changes) for s in sc.store.catalogue.skus)
    return sc.replace(store__catalogue__skus=skus)


def ample_stock(sc, units: int = 1_000_000):
    """Enough stock that no SKU runs out, and no reordering."""
    return with_skus(sc, initial_stock=units).with_decisions(reorder="none")


def frozen_feedback(sc):
    """Switch off every feedback loop from past sales to this hour's traffic and conversion.

    * search rank: velocity and conversion exponents 0, rating weight 0 -> score 1 always;
    * rating: nobody reviews, so it stays at its initial value (social share, conversion);
    * returning visits: no past customer revisits (their number grows with sales);
    * rival price: no random walk and no reaction, so the compare price is fixed.

    With this, the expected traffic of every hour depends only on the calendar, and a
    different decision changes nothing in the traffic stream's draws.
    """
    return sc.replace(
        market__velocity_exponent=0.0,
        market__conversion_exponent=0.0,
        market__reviews__review_rate=0.0,
        market__shoppers__revisit_rate_per_day=0.0,
        market__rival__volatility=0.0,
        market__rival__react_prob=0.0,
        platform__rating_weight=0.0,
    )


def homogeneous(sc):
    """Flat hour-of-day and weekday profiles, no livestream, no ads, no festivals.

    The arrival rate of visits (and of inquiries, a fixed share of them) is then the same
    in every hour: a homogeneous Poisson process.
    """
    sc = sc.replace(
        market__hour_profile=FLAT_HOURS, market__weekday_profile=FLAT_WEEK, festivals=(), events=()
    )
    return sc.with_decisions(
        livestream_hours=(), ads={"cpc_bid_cny": 0.0, "daily_budget_cny": 0.0}, promotions=()
    )


def table_names() -> list[str]:
    """Every table of a Results object."""
    return list(TABLES)


@pytest.fixture
def english():
    """Switch messages to English for one test, then restore the previous language."""
    before = i18n.get_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def chinese():
    """Switch messages to Chinese for one test, then restore the previous language."""
    before = i18n.get_language()
    i18n.set_language("zh")
    yield
    i18n.set_language(before)


@pytest.fixture(scope="session")
def ordinary():
    """The default scenario, unchanged."""
    return load_scenario("ordinary-month")
