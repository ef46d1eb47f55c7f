"""The error a trainee or facilitator sees for bad role-play input."""

from __future__ import annotations

from sim.errors import ScenarioError


class RoleplayError(ScenarioError):
    """A decision, file or session operation that is not allowed.

    Like :class:`~sim.errors.ScenarioError` (it is one), the message names the field, the
    value given and what is allowed, in the current language; ``file`` (when the value came
    from a file) is put in front: ``ops.toml: ad_bid_cny = 50: must be between 0 and 20``.

    Parameters
    ----------
    field, value, key, fmt, **more
        As for :class:`~sim.errors.ScenarioError`.
    file : str, optional
        The file the value came from.
    """

    def __init__(
        self,
        field: str,
        value: object,
        key: str,
        fmt: dict | None = None,
        *,
        file: str | None = None,
        **more: object,
    ):
        self.file = file
        super().__init__(field, value, key, fmt, **more)

    def message(self, lang: str | None = None) -> str:
        """Return the message in ``lang`` (default: the current language), file first."""
        text = super().message(lang)
        return f"{self.file}: {text}" if self.file else text

    def in_file(self, file: str) -> RoleplayError:
        """Return the same error naming ``file``."""
        return RoleplayError(self.field, self.value, self.key, self.fmt, file=file)

    @classmethod
    def from_scenario(cls, err: ScenarioError, file: str | None = None) -> RoleplayError:
        """Wrap a :class:`~sim.errors.ScenarioError` raised by the engine's validation."""
        if isinstance(err, RoleplayError):
            return err if file is None else err.in_file(file)
        return cls(err.field, err.value, err.key, err.fmt, file=file)
