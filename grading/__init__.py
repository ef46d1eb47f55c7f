"""Trainer tools around nbgrader: a cohort from release to report, safely.

``python -m grading`` (:mod:`grading.__main__`) is the trainer's command line. The pieces:

* :mod:`grading.workspace` — the cohort's folder: settings, nbgrader configuration, roster,
  release, collection (exchange, folder or zip), feedback.
* :mod:`grading.autograde` — parallel, sandboxed execution with a single gradebook writer.
* :mod:`grading.execute` — nbgrader's Execute step made safe (sandbox, guard, limits, a
  verdict from assertions only); :mod:`grading.sandbox` and :mod:`grading.guard` hold the
  two defences it uses.
* :mod:`grading.feedback` — feedback without hidden tests.
* :mod:`grading.export` and :mod:`grading.report` — grades to CSV and the cohort report.
* :mod:`grading.bench` — plain nbgrader against this tool on the same cohort.
"""
