"""Scenario records, their validation, and loading from ``data/``."""

from sim.scenario.load import (
    catalogue_names,
    load_catalogue,
    load_platform,
    load_scenario,
    platform_names,
    scenario_from_dict,
    scenario_names,
)
from sim.scenario.schema import CHANNELS, Scenario

__all__ = [
    "CHANNELS",
    "Scenario",
    "catalogue_names",
    "load_catalogue",
    "load_platform",
    "load_scenario",
    "platform_names",
    "scenario_from_dict",
    "scenario_names",
]
