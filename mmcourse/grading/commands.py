"""The graded exercises' commands of `mmcourse`: `grade`, `release` and `check`.

`add_commands` adds their parsers to `mmcourse`'s (`mmcourse.cli`); `run` runs the one
parsed. Each returns the command's exit status and prints to `out` (default: stdout).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mmcourse import paths

NAMES = ("grade", "release", "check")


def add_commands(commands) -> None:
    """Add `grade`, `release` and `check` to an argparse subparsers object."""
    grade = commands.add_parser("grade", help="autograde submitted exercise notebooks (nbgrader)")
    grade.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="submitted notebooks, or folders holding them",
    )
    grade.add_argument("--csv", type=Path, default=None, help="write the grades to this CSV")
    grade.add_argument(
        "--exercise", default=None, help="e.g. ex01_multimodal_data (default: from each path)"
    )
    grade.add_argument(
        "--feedback",
        type=Path,
        default=None,
        help="write each learner's HTML feedback into this folder",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="submissions graded at once, one process each (default: the CPU cores)",
    )
    release = commands.add_parser("release", help="regenerate exercises/release/ from source/")
    release.add_argument(
        "--out", type=Path, default=None, help="where to write (default: exercises/release)"
    )
    check = commands.add_parser(
        "check",
        help="run exercise notebooks in a fresh kernel, as nbgrader validate does; "
        "exit 1 if a test fails",
    )
    check.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    for command in (grade, check):
        command.add_argument(
            "--timeout",
            type=int,
            default=None,
            help="seconds a cell may run (default: nbgrader_config.py's)",
        )
    for command in (grade, release, check):
        command.add_argument(
            "--course-dir",
            type=Path,
            default=None,
            help="the nbgrader course folder (default: exercises/)",
        )


def run(args, out=None) -> int:
    """Run the parsed command `args.command` (one of `NAMES`)."""
    return {"grade": grade, "release": release, "check": check}[args.command](args, out=out)


def grade(args, out=None) -> int:
    from mmcourse.grading.autograde import grade_submissions
    from mmcourse.grading.report import format_table, write_csv

    out = out or sys.stdout
    try:
        report = grade_submissions(
            args.paths,
            exercise=args.exercise,
            course_dir=args.course_dir,
            timeout=args.timeout,
            feedback_dir=args.feedback,
            jobs=args.jobs,
            progress=lambda line: print(line, file=out, flush=True),
        )
    except ValueError as error:  # bad paths or names: say so, no traceback
        print(f"mmcourse grade: {error}", file=sys.stderr)
        return 2
    print(format_table(report), file=out)
    if args.csv is not None:
        print(f"wrote {paths.display(write_csv(report, args.csv))}", file=out)
    if args.feedback is not None:
        print(f"wrote feedback to {args.feedback}", file=out)
    return 1 if any(r.error for r in report.results) else 0


def release(args, out=None) -> int:
    from mmcourse.grading.exercises import release_exercises

    out = out or sys.stdout
    started = time.perf_counter()
    written = release_exercises(course_dir=args.course_dir, out_dir=args.out)
    for path in written:
        print(f"wrote {paths.display(path)}", file=out)
    print(f"released {len(written)} notebooks in {time.perf_counter() - started:.1f} s", file=out)
    return 0


def check(args, out=None) -> int:
    """0: every notebook passes its tests; 1: one fails; 2: one is not an exercise notebook."""
    from mmcourse.grading.validate import check_notebooks

    try:
        return check_notebooks(
            args.notebooks, course_dir=args.course_dir, timeout=args.timeout, out=out
        )
    except ValueError as error:
        print(f"mmcourse check: {error}", file=sys.stderr)
        return 2
