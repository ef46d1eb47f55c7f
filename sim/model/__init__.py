"""The model areas, one module each, and the engine that runs them on a SimPy clock."""
