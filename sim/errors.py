"""The one error a trainee sees for bad input: field, value, and what is allowed."""

from __future__ import annotations

from sim import i18n


class ScenarioError(ValueError):
    """A scenario, decision or policy value that is not allowed.

    Parameters
    ----------
    field : str
        Dotted path of the field, e.g. ``"store.decisions.ads.cpc_bid_cny"``.
    value : object
        The value that was given.
    key : str
        Message key in :mod:`sim.i18n` describing what is allowed.
    fmt, **more
        Values for the message placeholders.
    """

    def __init__(
        self, field: str, value: object, key: str, fmt: dict | None = None, **more: object
    ):
        self.field = field
        self.value = value
        self.key = key
        self.fmt = {**(fmt or {}), **more}
        super().__init__(self.message())
        # args rebuild the error (pickling, and SimPy re-raising a process's exception)
        self.args = (field, value, key, self.fmt)

    def message(self, lang: str | None = None) -> str:
        """Return the message in ``lang`` (default: the current language)."""
        value = self.value
        shown = repr(value) if isinstance(value, str) else _short(value)
        sep = ":" if (lang or i18n.get_language()) == "zh" else ": "
        return f"{self.field} = {shown}{sep}{i18n.t(self.key, lang, **self.fmt)}"

    def within(self, prefix: str) -> ScenarioError:
        """Return the same error with ``prefix`` put in front of its field path."""
        path = (
            f"{prefix}.{self.field}"
            if self.field and not self.field.startswith("[")
            else (f"{prefix}{self.field}")
        )
        return ScenarioError(path, self.value, self.key, self.fmt)

    def __str__(self) -> str:
        return self.message()


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
