"""Trainer tools around nbgrader: release, collect, autograde, feedback, cohort reports.

Not built yet: this package is the place for issue 4 ("Grading for trainers"). Nothing
in the simulator or the course imports it.
"""
