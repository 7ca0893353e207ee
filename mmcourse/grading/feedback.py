"""What a learner's feedback may show: nothing of the hidden tests, neither code nor output.

nbgrader 0.9 puts the hidden tests back into a submission before grading it (that is how they
run) and `generate_feedback` renders that graded notebook as is, so the hidden tests and the
tracebacks that quote them would reach the learner (jupyter/nbgrader#917).
`exercises/nbgrader_config.py` therefore runs `ClearHiddenTestOutputs` and then nbgrader's own
`ClearHiddenTests` when it generates feedback.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from traitlets import Bool, Unicode

HIDDEN_NOTE = (
    "A hidden test failed. Hidden tests check the same ideas as the visible ones on other "
    "inputs; their code and messages are not shown."
)
HIDDEN_WARNING_NOTE = (
    "A warning was printed while the hidden tests ran; a test cell that writes to stderr "
    "scores zero. Its text is not shown."
)


class ClearHiddenTestOutputs(Preprocessor):
    """Reduce the outputs of test cells that contain hidden tests to what a learner may see.

    In a test cell with a hidden region:
    - an error raised by the visible tests (the cell never printed `visible_marker`) keeps
      its `ename: evalue` line, the message the learner also sees in their own notebook, but
      loses its traceback, whose context lines can quote the hidden code;
    - an error raised after `visible_marker` was printed came from a hidden test: it is
      replaced by `HIDDEN_NOTE`;
    - text printed to stdout is kept; text printed to stderr (warnings, which make nbgrader
      score the cell zero) is kept if it came before `visible_marker`, else replaced by
      `HIDDEN_WARNING_NOTE`; rich outputs (`execute_result`, `display_data`) are dropped.

    Run it before `ClearHiddenTests`, which removes the delimiters this looks for.
    """

    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off by default
    begin_delimiter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    visible_marker = Unicode("visible tests passed").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin_delimiter not in cell.source:
            return cell, resources
        outputs, in_hidden = [], False  # in_hidden: the visible tests have all passed
        for output in cell.outputs:
            kind = output.output_type
            if kind == "stream" and output.name == "stdout":
                outputs.append(output)
                in_hidden = in_hidden or self.visible_marker in output.text
            elif kind == "stream":
                text = HIDDEN_WARNING_NOTE if in_hidden else output.text
                outputs.append(new_output("stream", name=output.name, text=text))
            elif kind == "error" and in_hidden:
                outputs.append(_error("HiddenTestFailed", HIDDEN_NOTE, HIDDEN_NOTE))
            elif kind == "error":
                line = f"{output.ename}: {output.evalue}"
                outputs.append(_error(output.ename, output.evalue, line))
        cell.outputs = outputs
        return cell, resources


def _error(ename: str, evalue: str, line: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[line])
