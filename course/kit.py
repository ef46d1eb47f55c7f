"""What the course notebooks import: language, quiet warnings, panels and grading checks.

Every module's first code cell is ``from course.kit import *`` followed by
``setup("zh")`` or ``setup("en")`` (the build writes the edition's language there).

Grading (nbgrader) rules that shape this module:

* nbgrader scores a test cell 0 when anything reaches stderr, so :func:`setup` silences
  warnings and library logging: a pandas FutureWarning must never cost a correct answer
  its points.
* A test cell whose last expression is a number earns that many points (partial credit);
  :func:`grade` runs a list of ``(points, check)`` pairs and returns the points earned,
  each check failing on its own with a message in the trainee's language.
* nbgrader executes every cell when it grades; :func:`panel` shows a lever panel only in
  an interactive session, so grading stays fast and the graded notebook small.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from sim import i18n

__all__ = [
    "T",
    "check",
    "check_close",
    "check_type",
    "grade",
    "grading",
    "panel",
    "say",
    "setup",
]


def setup(lang: str = "zh") -> None:
    """Prepare a notebook: language, Chinese glyphs in plots, no warnings on stderr."""
    i18n.set_language(lang)
    warnings.simplefilter("ignore")
    for name in ("matplotlib", "matplotlib.font_manager", "py.warnings", "distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from sim.viz import fonts

    fonts.use_cjk_font()
    import pandas as pd

    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)


def T(zh: str, en: str) -> str:
    """Return the text in the notebook's language."""
    return zh if i18n.get_language() == "zh" else en


def say(zh: str, en: str) -> None:
    """Print a message in the notebook's language."""
    print(T(zh, en))


def grading() -> bool:
    """True while nbgrader executes the notebook (validate or autograde)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def panel(
    scenario: Any, levers: Iterable[str], *, seed: int = 0, chart: str = "traffic_and_funnel"
) -> Any:
    """A lever panel for an interactive session; a short note while nbgrader grades."""
    if grading():
        return T("(评分时不显示调节面板)", "(the lever panel is not shown while grading)")
    from sim.viz import lever_panel

    return lever_panel(scenario, levers=list(levers), seed=seed, chart=chart)


class CheckFailed(AssertionError):
    """A failed check, with a message in the trainee's language."""


def check(condition: bool, zh: str, en: str) -> None:
    """Fail with the message unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(T(zh, en))


def check_type(value: Any, types: type | tuple[type, ...], name: str) -> None:
    """Fail unless ``value`` is an instance of ``types`` (checked before any value)."""
    if isinstance(types, type):
        types = (types,)
    # bool is an int in Python, but never a valid number answer here
    bad_bool = isinstance(value, bool) and bool not in types
    if bad_bool or not isinstance(value, types):
        names = " / ".join(t.__name__ for t in types)
        raise CheckFailed(
            T(
                f"{name} 的类型应为 {names},现在是 {type(value).__name__}",
                f"{name} must be {names}, not {type(value).__name__}",
            )
        )


def check_close(
    value: float, expected: float, name: str, *, rel: float = 1e-6, abs_: float = 1e-9
) -> None:
    """Fail unless ``value`` is a finite number close to ``expected``."""
    check_type(value, (int, float), name)
    ok = math.isfinite(float(value)) and math.isclose(
        float(value), expected, rel_tol=rel, abs_tol=abs_
    )
    if not ok:
        raise CheckFailed(
            T(f"{name} = {value!r},与正确结果不符", f"{name} = {value!r} is not the right value")
        )


def grade(parts: Iterable[tuple[float, Callable[[], Any]]], *, show: bool = True) -> float:
    """Run ``(points, check)`` pairs; return the points earned (nbgrader's partial credit).

    A check passes when it returns without raising. Failures are printed (to stdout, never
    stderr), without the hidden test's code.
    """
    earned = 0.0
    for points, fn in parts:
        try:
            fn()
        except Exception as err:
            if show:
                msg = str(err) if isinstance(err, CheckFailed) else f"{type(err).__name__}: {err}"
                print(T("未通过:", "not passed: ") + msg)
        else:
            earned += points
    return round(earned, 6)
