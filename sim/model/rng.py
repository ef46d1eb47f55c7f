"""Random streams: one per area, re-derived per day, no global state.

Every run takes a seed. Each (store, area, day) gets its own generator from
``numpy.random.SeedSequence(seed, spawn_key=(store, area, day))``, so changing a decision
in one area never shifts the draws of another (common random numbers), and a decision
changed on day d changes draws only from day d on.
"""

from __future__ import annotations

import numpy as np

AREAS = ("traffic", "choice", "service", "supplier", "fulfilment", "reviews", "market", "events")


class Streams:
    """Per-area generators for one store (or the market), renewed each day."""

    def __init__(self, seed: int, owner: int):
        self.seed = seed
        self.owner = owner
        self.day = -1
        self._gens: dict[str, np.random.Generator] = {}

    def new_day(self, day: int) -> None:
        """Re-derive every area's generator for ``day``."""
        self.day = day
        self._gens.clear()

    def __getitem__(self, area: str) -> np.random.Generator:
        gen = self._gens.get(area)
        if gen is None:
            key = (self.owner, AREAS.index(area), self.day)
            gen = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key))
            )
            self._gens[area] = gen
        return gen
