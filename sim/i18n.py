"""Trainee-facing words in Simplified Chinese and English, from one source.

Every label a trainee sees (chart titles, axis labels, widget labels, error messages)
is looked up here by key, so both editions of the course say the same thing.
The language is chosen by :func:`set_language` (the notebooks call it once) or by the
``COURSE_LANG`` environment variable; Chinese is the default.
"""

from __future__ import annotations

import os

LANGUAGES = ("zh", "en")

_state = {
    "lang": os.environ.get("COURSE_LANG", "zh")
    if os.environ.get("COURSE_LANG") in LANGUAGES
    else "zh"
}

# key -> (Chinese, English)
TEXT: dict[str, tuple[str, str]] = {
    # --- validation messages ---------------------------------------------------------
    "err.range": ("取值必须在 {lo} 到 {hi} 之间", "must be between {lo} and {hi}"),
    "err.range_open": (
        "取值必须大于 {lo} 且不超过 {hi}",
        "must be greater than {lo} and at most {hi}",
    ),
    "type.number": ("数字", "a number"),
    "type.whole": ("整数", "a whole number"),
    "type.bool": ("true 或 false", "true or false"),
    "type.text": ("文本", "text"),
    "type.finite": ("有限的数字", "a finite number"),
    "type.list": ("列表", "a list"),
    "type.table": ("键值表(key = value)", "a table of key = value"),
    "type.record": ("{name} 记录(键值表)", "a {name} record (a table of fields)"),
    "type.scenario": ("场景(Scenario)", "a Scenario"),
    "type.promotion": ("带 kind 的促销表", "a promotion table with a kind"),
    "type.promotions": ("促销列表或函数", "a list of promotions or a function"),
    "type.plan": ("整数、24 个整数或班次表", "a whole number, 24 numbers or shifts"),
    "type.shift": ("形如 '8-16' 的班次", "shifts like '8-16'"),
    "type.fields": ("有字段的记录", "a record with fields"),
    "type.date_md": ("MM-DD 格式的日期", "a date MM-DD"),
    "type.date_ymd": ("YYYY-MM-DD 格式的日期", "a date YYYY-MM-DD"),
    "type.metric_fn": ("以 Results 为参数的函数", "a function of Results"),
    "type.seeds": ("种子个数或种子列表", "a number of seeds or a list of seeds"),
    "type.policy": ("策略({kinds})或函数", "a policy ({kinds}) or a function"),
    "type.scenario_or_name": ("场景或场景名", "a Scenario or a scenario name"),
    "type.grid": (
        "至少含一个路径的字典 {路径: [取值]}",
        "a dict {path: [values]} with at least one path",
    ),
    "type.values": ("取值列表", "a list of values"),
    "type.one_of": (
        "{name}(件数)或 {name}_days 二选一",
        "either {name} (units) or {name}_days, not both",
    ),
    "err.ge": ("取值必须大于或等于 {lo}", "must be at least {lo}"),
    "err.gt": ("取值必须大于 {lo}", "must be greater than {lo}"),
    "err.le": ("取值必须小于或等于 {hi}", "must be at most {hi}"),
    "err.type": ("类型应为{expected}", "must be {expected}"),
    "err.choice": ("只能是以下之一:{choices}", "must be one of: {choices}"),
    "err.unknown_key": (
        "未知字段;允许的字段:{allowed}",
        "unknown field; allowed fields: {allowed}",
    ),
    "err.missing": ("缺少必填字段", "is required but missing"),
    "err.unknown_scenario": (
        "没有这个场景;可用场景:{allowed}",
        "no such scenario; available: {allowed}",
    ),
    "err.unknown_ref": ("找不到 {kind};可用:{allowed}", "no such {kind}; available: {allowed}"),
    "err.length": ("长度必须为 {n}", "must have exactly {n} entries"),
    "err.sum_positive": ("各项之和必须大于 0", "entries must add up to more than 0"),
    "err.reorder_point": (
        "再订货点 s 必须小于订货上限 S(此处 S = {S})",
        "reorder point s must be below the order-up-to level S (here S = {S})",
    ),
    "err.day_range": (
        "必须在模拟天数 1 到 {days} 之内",
        "must fall within the simulated days 1 to {days}",
    ),
    "err.end_before_start": (
        "结束日不能早于开始日 {start}",
        "must not be before the start day {start}",
    ),
    "err.sku_unknown": (
        "不是本店的 SKU;本店 SKU:{allowed}",
        "is not a SKU of this store; SKUs: {allowed}",
    ),
    "err.price_below_zero": ("价格必须大于 0", "prices must be greater than 0"),
    "err.stores_mismatch": (
        "同一市场中的店铺必须经营相同数量的 SKU(此处为 {n})",
        "stores sharing a market must carry the same number of SKUs (here {n})",
    ),
    "err.policy": (
        "策略返回了无效结果:{detail}",
        "the policy returned an invalid result: {detail}",
    ),
    "err.step_back": (
        "只能向前推进;当前已到第 {day} 天",
        "can only move forward; already at day {day}",
    ),
    "err.bad_file": ("文件无法读取:{detail}", "the file cannot be read: {detail}"),
    "err.positive_int": ("必须是正整数", "must be a positive whole number"),
    "err.multi_store": (
        "场景中有多家店铺,请用 stores__序号__字段 指明",
        "the scenario has several stores; name one as stores__<index>__<field>",
    ),
}


class Phrase(str):
    """Text that renders in the current language when formatted into a message."""

    def __new__(cls, key: str, **fmt: object):
        """Remember the text's key and placeholders."""
        obj = super().__new__(cls, key)
        obj.key, obj.fmt = key, fmt
        return obj

    def __format__(self, spec: str) -> str:
        return t(self.key, **self.fmt)


def set_language(lang: str) -> None:
    """Choose the language of labels and messages (``"zh"`` or ``"en"``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language = {lang!r}: must be one of {', '.join(LANGUAGES)}")
    _state["lang"] = lang


def get_language() -> str:
    """Return the current language code."""
    return _state["lang"]


def t(key: str, lang: str | None = None, **fmt: object) -> str:
    """Return the text for ``key`` in ``lang`` (default: the current language)."""
    zh, en = TEXT[key]
    text = zh if (lang or _state["lang"]) == "zh" else en
    return text.format(**fmt) if fmt else text


def register(entries: dict[str, tuple[str, str]]) -> None:
    """Add labels used by another layer (charts, panels, notebooks).

    Registering the same text again is fine (a notebook cell may be re-run); a key that
    already means something else is an error.
    """
    clash = sorted(k for k, v in entries.items() if k in TEXT and TEXT[k] != tuple(v))
    if clash:
        raise KeyError(f"label keys already defined with other text: {clash}")
    TEXT.update({k: tuple(v) for k, v in entries.items()})
