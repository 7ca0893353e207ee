"""The exercises' commands of `mmcourse` (`grade`, `release`, `check`): parsing and errors.

What they do is tested with what they run: `test_autograde.py` (grade), `test_exercises.py`
(release), `test_validate.py` (check).
"""

from pathlib import Path

from mmcourse import cli
from mmcourse.grading import commands


def test_the_three_commands_parse_their_options():
    parse = cli.build_parser().parse_args
    grade = parse(["grade", "a.ipynb", "subs", "--jobs", "2", "--timeout", "30", "--csv", "g.csv"])
    assert grade.paths == [Path("a.ipynb"), Path("subs")] and grade.jobs == 2
    assert grade.timeout == 30 and grade.csv == Path("g.csv") and grade.course_dir is None
    release = parse(["release", "--out", "out", "--course-dir", "course"])
    assert release.out == Path("out") and release.course_dir == Path("course")
    check = parse(["check", "a.ipynb", "b.ipynb", "--timeout", "5"])
    assert check.notebooks == [Path("a.ipynb"), Path("b.ipynb")] and check.timeout == 5
    assert {grade.command, release.command, check.command} == set(commands.NAMES)


def test_a_bad_path_is_exit_status_2_with_the_reason_and_no_traceback(tmp_path, capsys):
    missing = str(tmp_path / "missing.ipynb")
    assert cli.main(["grade", missing]) == 2
    assert capsys.readouterr().err.startswith("mmcourse grade: expected a notebook or a folder")
    assert cli.main(["check", missing]) == 2
    assert capsys.readouterr().err.startswith("mmcourse check: expected a notebook file")
