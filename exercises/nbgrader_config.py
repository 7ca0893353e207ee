"""nbgrader configuration of the mmcourse exercises.

nbgrader reads this file when it runs from this folder (`cd exercises && nbgrader ...`);
`mmcourse grade` and `mmcourse release` load it too. See INSTRUCTORS.md.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from mmcourse.grading.feedback import ClearHiddenTestOutputs

c = get_config()  # noqa: F821 - nbgrader defines get_config() when it loads this file

c.CourseDirectory.course_id = "mmcourse"

# Student versions: a solution region becomes this stub, a written answer this text.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("Replace this line with your answer.")'
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: each cell may run this long, then the kernel is interrupted and only that cell
# fails (long enough for the small training cells of later exercises on 2 CPU cores).
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
_TIMEOUT_MESSAGE = "the cell ran past the time limit and was stopped: look for an endless loop"
c.Execute.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": _TIMEOUT_MESSAGE,
    "traceback": [f"CellTimeoutError: {_TIMEOUT_MESSAGE}"],
}
# Test cells a learner deleted are put back; edited ones are restored from source/ anyway.
c.OverwriteCells.add_missing_cells = True

# Feedback: no hidden test, neither its code nor what it printed (see mmcourse/feedback.py).
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTestOutputs,
    ClearHiddenTests,
    CSSHTMLHeaderPreprocessor,
]

# The grading kernels log nothing below errors: ipykernel 7 warns on every start that a local
# kernel talks over TCP, which would interleave with `mmcourse grade`'s progress lines.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
