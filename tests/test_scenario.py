"""Scenarios are data, validated at the door (CONVENTIONS section 3).

Every bad input gives one ScenarioError that names the field, the value given and what
is allowed - in Chinese by default and in English after ``set_language("en")`` - whether
the scenario comes from a TOML file, a dict or keyword arguments.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import re

import numpy as np
import pytest

from sim import ScenarioError, Simulation, i18n, load_scenario, scenario_names
from sim.scenario.load import DATA_DIR, read_toml, resolve, scenario_from_dict
from sim.scenario.schema import Scenario

CJK = re.compile(r"[\u4e00-\u9fff]")
EXPECTED_SCENARIOS = {
    "new-store",
    "ordinary-month",
    "mid-year-618",
    "double11",
    "review-crisis",
    "supplier-delay",
    "price-war",
}


def raw(name: str = "ordinary-month") -> dict:
    """The TOML dict of a named scenario (a fresh copy)."""
    return copy.deepcopy(read_toml(DATA_DIR / "scenarios" / f"{name}.toml"))


def error_of(fn) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        fn()
    return info.value


# --------------------------------------------------------------------------- field errors
def test_unknown_key_names_the_key_and_the_allowed_fields(ordinary, english):
    err = error_of(lambda: ordinary.replace(store__decisions__ads__cpc_bidd=1.0))
    assert err.field == "store.decisions.ads.cpc_bidd"
    assert err.key == "err.unknown_key"
    msg = str(err)
    assert "store.decisions.ads.cpc_bidd" in msg
    assert "cpc_bid_cny" in msg and "daily_budget_cny" in msg  # what is allowed


def test_unknown_top_level_key_in_a_file_dict(english):
    d = raw()
    d["dayz"] = 14
    err = error_of(lambda: scenario_from_dict(d))
    assert err.field == "dayz"
    assert "days" in str(err) and "unknown field" in str(err)


def test_wrong_type_names_field_value_and_expected_type(ordinary, english):
    err = error_of(lambda: ordinary.replace(days="ten"))
    assert err.field == "days" and err.value == "ten" and err.key == "err.type"
    assert "days = 'ten'" in str(err)
    assert "whole number" in str(err)
    err = error_of(lambda: ordinary.replace(days=7.5))
    assert err.key == "err.type"
    err = error_of(lambda: ordinary.replace(store__new_store="yes"))
    assert err.field == "store.new_store" and "true or false" in str(err)


def test_chinese_is_the_default_language():
    env = os.environ.get("COURSE_LANG")
    assert i18n.get_language() == (env if env in i18n.LANGUAGES else "zh")


def test_out_of_range_message_in_chinese_by_default(ordinary, chinese):
    err = error_of(lambda: ordinary.replace(store__decisions__ads__cpc_bid_cny=500))
    assert err.field == "store.decisions.ads.cpc_bid_cny"
    assert err.value == 500
    assert err.fmt == {"lo": "0", "hi": "100"}
    msg = str(err)
    assert msg.startswith("store.decisions.ads.cpc_bid_cny = 500")
    assert CJK.search(msg), msg
    assert "0" in msg and "100" in msg
    assert "must" not in msg


def test_out_of_range_message_in_english_after_set_language(ordinary):
    before = i18n.get_language()
    err = error_of(lambda: ordinary.replace(store__decisions__ads__cpc_bid_cny=500))
    try:
        i18n.set_language("en")
        msg = str(err)  # the same error object speaks the current language
        assert msg == "store.decisions.ads.cpc_bid_cny = 500.0: must be between 0 and 100"
        assert not CJK.search(msg)
        err2 = error_of(lambda: ordinary.replace(market__shoppers__charm_uplift=0.5))
        assert str(err2) == "market.shoppers.charm_uplift = 0.5: must be between 0 and 0.3"
    finally:
        i18n.set_language(before)
    assert i18n.get_language() == before
    assert err.message("zh") != err.message("en")


@pytest.mark.parametrize(
    ("changes", "field", "key", "words"),
    [
        ({"days": 0}, "days", "err.range", ("1", "730")),
        ({"store__initial_rating": 5.5}, "store.initial_rating", "err.range", ("1", "5")),
        (
            {"store__catalogue__price_elasticity": 0},
            "store.catalogue.price_elasticity",
            "err.range_open",
            ("0", "10"),
        ),
        ({"market__visits_per_day": -5}, "market.visits_per_day", "err.gt", ("0",)),
        (
            {"platform__ship_deadline_h": 500},
            "platform.ship_deadline_h",
            "err.range_open",
            ("0", "240"),
        ),
        (
            {"store__decisions__pack_rate_per_h": 0},
            "store.decisions.pack_rate_per_h",
            "err.range_open",
            ("0", "500"),
        ),
        (
            {"store__decisions__cut_off_hour": 24},
            "store.decisions.cut_off_hour",
            "err.range",
            ("23",),
        ),
        ({"store__stock_sync_delay_h": 49}, "store.stock_sync_delay_h", "err.range", ("48",)),
    ],
)
def test_out_of_range_values(ordinary, english, changes, field, key, words):
    err = error_of(lambda: ordinary.replace(**changes))
    assert err.field == field
    assert err.key == key
    msg = str(err)
    assert msg.startswith(f"{field} = ")
    for w in words:
        assert w in msg


def test_staffing_plan_must_be_whole_people(ordinary, english):
    err = error_of(lambda: ordinary.with_decisions(agents=-1))
    assert err.field.startswith("store.decisions.agents")
    err = error_of(lambda: ordinary.with_decisions(packers=[1] * 23))
    assert err.field == "store.decisions.packers" and "24" in str(err)
    err = error_of(lambda: ordinary.with_decisions(packers={"18-8": 2}))
    assert "18-8" in err.field


# --------------------------------------------------------------------------- cross-record checks
def test_ss_reorder_point_must_be_below_order_up_to_level(ordinary, english):
    err = error_of(lambda: ordinary.with_decisions(reorder={"kind": "sS", "s": 50, "S": 30}))
    assert err.key == "err.reorder_point"
    assert err.field == "store.decisions.reorder.s"
    assert "reorder point" in str(err) and "30" in str(err) and "= 50" in str(err)
    err = error_of(
        lambda: ordinary.with_decisions(reorder={"kind": "sS", "s_days": 14, "S_days": 14})
    )
    assert err.key == "err.reorder_point"
    i18n.set_language("zh")
    try:
        assert "再订货点" in str(err)
    finally:
        i18n.set_language("en")


def test_ss_reorder_point_per_sku(ordinary, english):
    codes = ordinary.store.sku_codes
    s = dict.fromkeys(codes, 10.0)
    big_s = dict.fromkeys(codes, 50.0)
    s[codes[3]] = 60.0
    err = error_of(lambda: ordinary.with_decisions(reorder={"kind": "sS", "s": s, "S": big_s}))
    assert err.key == "err.reorder_point"
    assert codes[3] in err.field
    assert "reorder point" in str(err)


def test_reorder_needs_units_or_days_not_both(ordinary, english):
    err = error_of(
        lambda: ordinary.with_decisions(reorder={"kind": "sQ", "s": 10, "s_days": 3, "Q": 5})
    )
    assert "reorder" in err.field
    err = error_of(lambda: ordinary.with_decisions(reorder={"kind": "sQ", "s": 10, "Q": 5, "R": 1}))
    assert err.key == "err.unknown_key" and err.field.endswith("reorder.R")


def test_promotion_end_before_start(ordinary, english):
    promo = {"kind": "percent_off", "start_day": 5, "end_day": 3, "discount": 0.1}
    err = error_of(lambda: ordinary.with_decisions(promotions=[promo]))
    assert err.field == "store.decisions.promotions[0].end_day"
    assert err.value == 3 and err.key == "err.end_before_start"
    assert "start day 5" in str(err)


def test_promotion_values_are_checked(ordinary, english):
    err = error_of(
        lambda: ordinary.with_decisions(
            promotions=[{"kind": "percent_off", "start_day": 1, "end_day": 3, "discount": 1.4}]
        )
    )
    assert err.field == "store.decisions.promotions[0].discount"
    assert "between 0 and 0.9" in str(err)
    err = error_of(
        lambda: ordinary.with_decisions(
            promotions=[
                {
                    "kind": "threshold",
                    "start_day": 1,
                    "end_day": 3,
                    "threshold_cny": 100,
                    "off_cny": 120,
                }
            ]
        )
    )
    assert err.field.endswith("off_cny")
    err = error_of(lambda: ordinary.with_decisions(promotions=[{"kind": "bogo", "start_day": 1}]))
    assert err.field == "store.decisions.promotions[0].kind" and "percent_off" in str(err)


def test_promotion_on_unknown_sku(ordinary, english):
    promo = {"kind": "percent_off", "start_day": 1, "end_day": 3, "skus": ["NOPE-1"]}
    err = error_of(lambda: ordinary.with_decisions(promotions=[promo]))
    assert "NOPE-1" in str(err) and "promotions[0]" in err.field
    assert ordinary.store.sku_codes[0] in str(err)


def test_promotion_beyond_a_shortened_run_is_allowed():
    """A promotion may end after the last simulated day (shortened runs of festival scenarios).

    The brief once asked for an error here; the engine now documents that promotions may
    run past the end of a shortened run (``Calendar.check_against``), so a scenario cut to
    fewer days than its calendar still validates and runs.
    """
    sc = load_scenario("double11", days=14)
    assert sc.days == 14
    assert max(p.end_day for p in sc.decisions.promotions) > 14
    # ... and a run of a day beyond the scenario's length is refused
    err = error_of(lambda: Simulation(sc, 1).run_until(15))
    assert err.field == "day" and err.key == "err.day_range"


def test_listing_quality_for_unknown_sku(ordinary, english):
    err = error_of(lambda: ordinary.with_decisions(listing_quality={"XX-1": 0.5}))
    assert err.value == "XX-1" and err.key == "err.sku_unknown"
    assert "XX-1" in str(err)
    assert all(code in str(err) for code in ordinary.store.sku_codes)
    err = error_of(
        lambda: ordinary.with_decisions(listing_quality={ordinary.store.sku_codes[0]: 1.5})
    )
    assert err.field.startswith("store.decisions.listing_quality")


def test_unknown_carrier_in_carrier_mix(ordinary, english):
    err = error_of(lambda: ordinary.with_decisions(carrier_mix={"dhl": 1.0}))
    assert err.field == "store.decisions.carrier_mix.dhl"
    assert err.key == "err.unknown_ref"
    for slug in ("zto", "sf", "yto", "yunda", "jd"):
        assert slug in str(err)
    err = error_of(lambda: ordinary.with_decisions(carrier_mix={"zto": 0.0}))
    assert err.key == "err.sum_positive"


def test_store_type_must_exist_on_the_platform(ordinary, english):
    err = error_of(lambda: ordinary.replace(store__store_type="pop"))  # a JD store type
    assert err.field == "store.store_type" and err.value == "pop"
    assert "individual" in str(err) and "enterprise" in str(err) and "flagship" in str(err)
    jd = load_scenario("review-crisis")
    err = error_of(lambda: jd.replace(store__store_type="enterprise"))
    assert "pop" in str(err)


def test_profiles_must_have_the_right_length(ordinary, english):
    err = error_of(lambda: ordinary.replace(market__hour_profile=(1.0,) * 23))
    assert err.field == "market.hour_profile" and "24" in str(err)
    err = error_of(lambda: ordinary.replace(market__weekday_profile=(0.0,) * 7))
    assert err.key == "err.sum_positive"


def test_two_stores_need_distinct_names(ordinary, english):
    s = ordinary.store
    err = error_of(lambda: ordinary.replace(stores=(s, s)))
    assert err.key == "err.choice" and err.field.endswith(".name") and s.name in str(err)
    two = ordinary.replace(stores=(s, s.replace(name="B")))
    err = error_of(lambda: two.replace(store__initial_rating=4.0))
    assert err.key == "err.multi_store"


# --------------------------------------------------------------------------- same validator
BAD_CHANGES = [
    (("store", "decisions", "ads", "cpc_bid_cny"), 500),
    (("store", "initial_rating"), 7.0),
    (("days",), "ten"),
    (("store", "decisions", "ads", "cpc_bidd"), 1.0),
    (("market", "shoppers", "charm_uplift"), 0.5),
    (("store", "store_type"), "pop"),
]


def _set(d: dict, path: tuple[str, ...], value) -> dict:
    node = d
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return d


@pytest.mark.parametrize(("path", "value"), BAD_CHANGES)
def test_dict_and_kwargs_give_the_same_error(path, value):
    """A value written into the scenario's TOML dict and passed as keyword fails alike."""
    err_dict = error_of(lambda: scenario_from_dict(_set(raw(), path, value)))
    err_kw = error_of(lambda: load_scenario("ordinary-month", **{"__".join(path): value}))
    # building the records from keyword arguments directly goes through the same validator
    err_rec = error_of(lambda: Scenario(**resolve(_set(raw(), path, value))))
    assert (err_dict.key, err_dict.value, err_dict.fmt) == (err_kw.key, err_kw.value, err_kw.fmt)
    assert (err_rec.field, err_rec.key, err_rec.value) == (
        err_dict.field,
        err_dict.key,
        err_dict.value,
    )
    assert err_dict.field.rsplit(".", 1)[-1] == err_kw.field.rsplit(".", 1)[-1] == path[-1]


@pytest.mark.parametrize(("path", "value"), BAD_CHANGES[:2])
def test_dict_and_kwargs_name_the_same_field_path(path, value):
    """A single-store file says ``[store]``; its error should name ``store.…`` as replace() does."""
    err_dict = error_of(lambda: scenario_from_dict(_set(raw(), path, value)))
    err_kw = error_of(lambda: load_scenario("ordinary-month", **{"__".join(path): value}))
    assert err_dict.field == err_kw.field, (err_dict.field, err_kw.field)
    assert str(err_dict) == str(err_kw)


# --------------------------------------------------------------------------- derive, freeze, load
def test_replace_derives_a_variant_and_leaves_the_original_unchanged(ordinary):
    before = ordinary.to_dict()
    v = ordinary.replace(
        days=14, store__decisions__ads__cpc_bid_cny=2.0, market__visits_per_day=5000
    )
    assert (v.days, v.decisions.ads.cpc_bid_cny, v.market.visits_per_day) == (14, 2.0, 5000)
    assert v.decisions.ads.daily_budget_cny == ordinary.decisions.ads.daily_budget_cny
    assert ordinary.to_dict() == before
    assert ordinary.days == 30 and ordinary.decisions.ads.cpc_bid_cny == 1.2
    w = ordinary.with_decisions(agents=3)
    assert w.decisions.agents == (3,) * 24 and ordinary.decisions.agents != (3,) * 24
    assert load_scenario("ordinary-month").to_dict() == before  # the cache was not touched


def test_scenario_records_are_frozen(ordinary):
    with pytest.raises(dataclasses.FrozenInstanceError):
        ordinary.days = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        ordinary.store.decisions.ads.cpc_bid_cny = 9.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        ordinary.market.shoppers.pay_rate = 0.5


def test_a_run_does_not_mutate_its_scenario():
    sc = load_scenario("double11")
    before = sc.to_dict()
    sim = Simulation(sc, 3)
    sim.run_until(2)
    sim.decide(agents=6)
    assert sc.to_dict() == before
    assert sim.scenario.decisions.agents == (6,) * 24


@pytest.mark.parametrize("name", sorted(EXPECTED_SCENARIOS))
def test_every_named_scenario_loads(name):
    sc = load_scenario(name)
    assert isinstance(sc, Scenario)
    assert sc.slug == name
    assert 1 <= sc.days <= 730
    assert sc.title_zh and sc.title_en and sc.description_zh and sc.description_en
    assert len(sc.stores) >= 1 and len(sc.store.catalogue.skus) >= 1


def test_scenario_names_are_the_files_in_data():
    assert set(scenario_names()) == EXPECTED_SCENARIOS
    assert set(scenario_names()) == {p.stem for p in (DATA_DIR / "scenarios").glob("*.toml")}


def test_unknown_scenario_lists_the_available_names(english):
    err = error_of(lambda: load_scenario("nope"))
    assert err.value == "nope"
    for name in EXPECTED_SCENARIOS:
        assert name in str(err)


def test_malformed_toml_names_the_file(tmp_path):
    bad = tmp_path / "broken-scenario.toml"
    bad.write_text('slug = "broken"\ndays = = 3\n', encoding="utf-8")
    err = error_of(lambda: load_scenario(str(bad)))
    assert err.key == "err.bad_file"
    assert "broken-scenario.toml" in str(err)
    assert "line 2" in str(err)


def test_missing_file_is_a_scenario_error(tmp_path):
    err = error_of(lambda: load_scenario(str(tmp_path / "absent.toml")))
    assert "absent.toml" in str(err)


def test_scenario_file_with_a_bad_value_names_the_field(tmp_path, english):
    d = raw()
    text = (DATA_DIR / "scenarios" / "ordinary-month.toml").read_text(encoding="utf-8")
    text = text.replace("days = 30", "days = 9999")
    assert d["days"] == 30
    f = tmp_path / "custom.toml"
    f.write_text(text, encoding="utf-8")
    err = error_of(lambda: load_scenario(str(f)))
    assert err.field == "days" and err.value == 9999 and "730" in str(err)


# --------------------------------------------------------------------------- run-time inputs
def test_bad_pricing_policy_result_is_a_scenario_error():
    """A trainee's policy returning nonsense gets the one error type, not a crash inside SimPy."""
    sc = load_scenario("ordinary-month", days=3)
    with pytest.raises(ScenarioError) as info:
        Simulation(sc.with_decisions(pricing=lambda view: -view.list_price_cny), 1).run_until(2)
    assert "pricing" in info.value.field


def test_bad_reorder_policy_result_is_a_scenario_error():
    sc = load_scenario("ordinary-month", days=3)
    with pytest.raises(ScenarioError) as info:
        Simulation(
            sc.with_decisions(reorder=lambda view: np.full(len(view.skus), -5.0)), 1
        ).run_until(2)
    assert "reorder" in info.value.field


def test_scenario_error_survives_pickling():
    """Parallel sweeps send errors between processes; the error must round-trip."""
    err = ScenarioError("store.decisions.ads.cpc_bid_cny", 500, "err.range", lo="0", hi="100")
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, ScenarioError)
    assert (back.field, back.value, back.key, back.fmt) == (err.field, err.value, err.key, err.fmt)
    assert str(back) == str(err)


def test_simulation_rejects_bad_seed_and_steps(english):
    sc = load_scenario("ordinary-month", days=4)
    assert error_of(lambda: Simulation(sc, -1)).field == "seed"
    sim = Simulation(sc, 1).run_until(3)
    err = error_of(lambda: sim.run_until(2))
    assert err.key == "err.step_back" and "3" in str(err)
    err = error_of(lambda: sim.decide(agents=-2))
    assert err.field.startswith("store.decisions.agents")
