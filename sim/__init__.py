"""Store simulator for the e-commerce merchant training course.

>>> from sim import load_scenario, run
>>> results = run(load_scenario("ordinary-month"), seed=1)   # doctest: +SKIP
>>> results.summary()                                          # doctest: +SKIP
"""

from sim.errors import ScenarioError
from sim.model.engine import Simulation
from sim.results import Results, run
from sim.scenario import Scenario, load_scenario, scenario_names

__all__ = [
    "Results",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "load_scenario",
    "run",
    "scenario_names",
]
