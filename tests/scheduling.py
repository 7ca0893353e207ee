"""How `make test` shares the suite between its pytest-xdist workers (`tests/conftest.py`
installs it): one unit of work per file, `tests/grading/` as one unit."""

GRADING = "tests/grading/"


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to; a unit runs on one worker, its tests in order.

    A file is one unit: the cells of a notebook must run in order in one kernel (nbval), and a
    module's fixtures are then built once. Every test under `tests/grading/` is one unit: their
    class, graded by a session fixture (`graded`, tests/grading/conftest.py), is then graded
    once, not once per worker.
    """
    path = nodeid.split("::", 1)[0]
    return GRADING if path.startswith(GRADING) else path
