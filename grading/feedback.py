"""Feedback for trainees: nbgrader's HTML feedback, without the hidden tests.

nbgrader's feedback shows every cell as it was graded, hidden tests and their tracebacks
included. Two preprocessors added to its ``GenerateFeedback`` step fix that: hidden test
regions are cut out (nbgrader's own ``ClearHiddenTests``) and a failed test shows only the
error's one-line message, not the traceback with the test's code. A note at the top says,
in the trainee's language, anything the grader noticed (a kernel that died, a time limit,
restored test cells or helpers).
"""

from __future__ import annotations

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Unicode

from grading.i18n import note_text
from sim import i18n


class HideTestDetails(NbGraderPreprocessor):
    """Failed test cells show ``Error: message`` only, never the hidden code."""

    def preprocess_cell(self, cell, resources, index):
        """Shorten error outputs of test cells."""
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    out.traceback = [f"{out.ename}: {out.evalue}"]
        return cell, resources


class FeedbackNotes(NbGraderPreprocessor):
    """Put what the grader noticed at the top of the feedback."""

    notes = Dict({}, help="{'student/notebook': [note, ...]}").tag(config=True)
    lang = Unicode("zh", help="the trainees' language").tag(config=True)

    def preprocess(self, nb, resources):
        """Insert one markdown cell listing the notes, if there are any."""
        key = f"{resources['nbgrader']['student']}/{resources['nbgrader']['notebook']}"
        found = self.notes.get(key, [])
        if found:
            lines = [f"**{i18n.t('grading.note.header', self.lang)}**", ""]
            lines += [f"- {note_text(n, self.lang)}" for n in found]
            nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n".join(lines)))
        return nb, resources
