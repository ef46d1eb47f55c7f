"""Small distribution objects that know their own mean and variance.

Used for supplier lead times, carrier transit times and service times, so tests and
trainees can compare what the model drew with the theory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Exponential:
    """Exponential with the given mean."""

    mean_value: float

    @property
    def mean(self) -> float:
        """Mean."""
        return self.mean_value

    @property
    def variance(self) -> float:
        """Variance."""
        return self.mean_value**2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        """Draw ``size`` values."""
        return rng.exponential(self.mean_value, size)


@dataclass(frozen=True)
class Gamma:
    """Gamma with shape k and scale theta (mean k*theta); a constant when cv is 0."""

    shape: float
    scale: float

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> Gamma:
        """Gamma with the given mean and coefficient of variation (cv 0: constant)."""
        if cv <= 0:
            return cls(shape=np.inf, scale=mean)
        k = 1 / cv**2
        return cls(shape=k, scale=mean / k)

    @property
    def mean(self) -> float:
        """Mean."""
        return self.scale if np.isinf(self.shape) else self.shape * self.scale

    @property
    def variance(self) -> float:
        """Variance."""
        return 0.0 if np.isinf(self.shape) else self.shape * self.scale**2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        """Draw ``size`` values."""
        if np.isinf(self.shape):
            return np.full(size, self.scale) if size is not None else self.scale
        return rng.gamma(self.shape, self.scale, size)


@dataclass(frozen=True)
class LogNormal:
    """Log-normal with the given mean and standard deviation (of the variable itself)."""

    mean_value: float
    sd: float

    @property
    def mean(self) -> float:
        """Mean."""
        return self.mean_value

    @property
    def variance(self) -> float:
        """Variance."""
        return self.sd**2

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        """Draw ``size`` values."""
        if self.sd <= 0:
            return np.full(size, self.mean_value) if size is not None else self.mean_value
        s2 = np.log(1 + (self.sd / self.mean_value) ** 2)
        return rng.lognormal(np.log(self.mean_value) - s2 / 2, np.sqrt(s2), size)
