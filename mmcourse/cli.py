"""The `mmcourse` command: `doctor`, `data verify`, `data generate`, `course`, `outputs`,
`bench`, and the exercises' `grade`, `release` and `check` (`mmcourse.grading.commands`)."""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import time
from pathlib import Path

from mmcourse import paths, quiet

# (distribution, why the course needs it); a missing one is reported with the fix.
REQUIRED = (
    ("keras", "models"),
    ("numpy", "arrays"),
    ("pandas", "tables"),
    ("scikit-learn", "metrics and baselines"),
    ("matplotlib", "plots"),
    ("pillow", "images"),
    ("jupyterlab", "running the lessons"),
    ("ipywidgets", "interactive widgets"),
    ("nbval", "testing the notebooks"),
    ("nbgrader", "the graded exercises"),
)
TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu")
FIX = 'run `make venv` (or `pip install -e ".[cpu,dev]"`) in the course folder'


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def doctor(out=None) -> int:
    """Print versions, devices and dataset integrity; return the number of problems."""
    out = out or sys.stdout
    problems: list[str] = []
    say = lambda text="": print(text, file=out)  # noqa: E731

    say("mmcourse doctor")
    say("== Python and packages")
    python_ok = sys.version_info >= (3, 10)
    say(f"  {'python':<14} {sys.version.split()[0]}{'' if python_ok else '  (need >= 3.10)'}")
    if not python_ok:
        problems.append("Python is older than 3.10: install Python 3.10 or newer.")
    for distribution, purpose in REQUIRED:
        version = _version(distribution)
        say(f"  {distribution:<14} {version or 'MISSING'}")
        if version is None:
            problems.append(f"{distribution} ({purpose}) is missing: {FIX}.")
    tf_versions = {d: _version(d) for d in TENSORFLOW_DISTRIBUTIONS if _version(d)}
    say(
        f"  {'tensorflow':<14} "
        + (", ".join(f"{v} ({d})" for d, v in tf_versions.items()) or "MISSING")
    )
    if not tf_versions:
        problems.append(f"TensorFlow is missing (the data pipelines need it): {FIX}.")
    elif len(tf_versions) > 1:
        problems.append(
            "both `tensorflow` and `tensorflow-cpu` are installed; they overwrite each other: "
            "`pip uninstall -y tensorflow tensorflow-cpu` then reinstall one (`make venv`)."
        )

    say("== Devices")
    try:
        from mmcourse.runtime import device_report

        report = device_report()
        for key in ("backend", "devices", "gpu_available", "precision_policy", "fast_mode"):
            if key in report:
                say(f"  {key:<16} {report[key]}")
        if not report.get("gpu_available"):
            say("  (no GPU: every lesson runs on the CPU; fast mode keeps them short)")
    except Exception as error:  # noqa: BLE001 - the doctor reports, it does not crash
        problems.append(f"could not query devices ({type(error).__name__}: {error}).")

    say("== Dataset")
    from mmcourse.data.moodposts import verify_moodposts

    started = time.perf_counter()
    report = verify_moodposts()
    took = time.perf_counter() - started
    if report.ok:
        say(f"  moodposts: {report.num_files} files match SHA256SUMS ({took:.1f} s)")
        say(f"  at {paths.display(report.root)}")
    else:
        say(f"  moodposts: {len(report.problems)} problems at {paths.display(report.root)}")
        for problem in report.problems[:5]:
            say(f"    {problem}")
        problems.append(
            "MoodPosts files are missing or changed: `git checkout -- datasets/moodposts`, "
            "or regenerate with `mmcourse data generate --out datasets/moodposts`."
        )

    say("== Verdict")
    if problems:
        for problem in problems:
            say(f"  PROBLEM: {problem}")
    else:
        say("  all good: open notebooks/00_start_here.ipynb")
    return len(problems)


def data_verify(data_home: str | None, out=None) -> int:
    from mmcourse.data.moodposts import verify_moodposts

    out = out or sys.stdout
    report = verify_moodposts(data_home=data_home)
    if report.ok:
        print(
            f"OK: {report.num_files} files of {paths.display(report.root)} match SHA256SUMS",
            file=out,
        )
        return 0
    print(f"FAILED: {len(report.problems)} problems in {paths.display(report.root)}", file=out)
    for problem in report.problems:
        print(f"  {problem}", file=out)
    return 1


def data_generate(args, out=None) -> int:
    from mmcourse.synth.generate import MoodPostsConfig, write_moodposts

    out = out or sys.stdout
    config = MoodPostsConfig(
        num_posts=args.num_posts,
        seed=args.seed,
        label_noise=args.label_noise,
        image_size=args.image_size,
    )
    started = time.perf_counter()
    folder = write_moodposts(
        args.out, config, progress=lambda line: print(line, file=out, flush=True)
    )
    print(
        f"wrote {config.num_posts} posts to {paths.display(folder)} "
        f"in {time.perf_counter() - started:.1f} s",
        file=out,
    )
    return 0


def bench(args, out=None) -> int:
    from mmcourse.bench import report

    out = out or sys.stdout
    progress = lambda line: print(line, file=out, flush=True)  # noqa: E731
    result = report.run_all(quick=args.quick, full_lessons=args.full_lessons, progress=progress)
    print("\n" + report.format_tables(result), file=out)
    print(f"wrote {paths.display(report.write_json(result, args.out))}", file=out)
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(report.format_markdown(result))
        print(f"wrote {paths.display(args.markdown)}", file=out)
    failed = report.problems(result)
    for problem in failed:
        print(f"FAILED: {problem}", file=out)
    return 1 if failed else 0


def seeds(args, out=None) -> int:
    from mmcourse import lessons, quiet

    out = out or sys.stdout
    lesson = lessons.lesson(args.lesson)
    if not lesson.has_experiment:
        raise SystemExit(
            f"mmcourse seeds: lesson {args.lesson} trains no models (lessons 03-09 do)."
        )
    quiet.import_tensorflow(onednn=lesson.onednn)  # as its notebook does
    from mmcourse import seeds as seed_sweep

    result = seed_sweep.sweep(
        lesson.module,
        args.seeds,
        details=tuple(args.detail),
        progress=lambda line: print(line, file=out, flush=True),
    )
    print("\n" + seed_sweep.format_sweep(result), file=out)
    for failure in result.failures():
        print(f"FAILED: {failure}", file=out)
    return 0 if result.all_held else 1


def build_parser() -> argparse.ArgumentParser:
    from mmcourse.grading import commands as grading_commands

    parser = argparse.ArgumentParser(prog="mmcourse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="versions, devices, dataset integrity, and fixes")
    data = commands.add_parser("data", help="the shipped dataset").add_subparsers(
        dest="data_command", required=True
    )
    verify = data.add_parser("verify", help="check MoodPosts against its checksums")
    verify.add_argument("--data-home", default=None, help="folder holding moodposts/")
    generate = data.add_parser("generate", help="generate a MoodPosts release (or a variant)")
    generate.add_argument("--out", required=True, type=Path)
    generate.add_argument("--num-posts", type=int, default=6000)
    generate.add_argument("--seed", type=int, default=2026)
    generate.add_argument("--label-noise", type=float, default=0.03)
    generate.add_argument("--image-size", type=int, default=64)
    course = commands.add_parser("course", help="execute every notebook into HTML")
    course.add_argument("--out", type=Path, default=Path("build"))
    course.add_argument("--fast", action="store_true", help="fast mode (MMCOURSE_FAST=1)")
    outputs = commands.add_parser("outputs", help="re-execute notebooks in full mode, in place")
    outputs.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    grading_commands.add_commands(commands)
    bench = commands.add_parser("bench", help="pipelines, throughput, growth, lesson times")
    bench.add_argument("--quick", action="store_true", help="CI: small sizes, about a minute")
    bench.add_argument("--out", type=Path, default=Path("build/bench.json"), help="JSON result")
    bench.add_argument("--markdown", type=Path, default=None, help="also write Markdown here")
    bench.add_argument("--full-lessons", action="store_true", help="time full mode too (long)")
    sweep = commands.add_parser("seeds", help="a lesson's claims, run once per seed")
    sweep.add_argument("lesson", help="the lesson's number, 03-09")
    sweep.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    sweep.add_argument(
        "--detail", action="append", default=[], help="an evaluation detail to tabulate too"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    quiet.quiet_process()  # make's TensorFlow settings where the environment has none
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        return 1 if doctor() else 0
    if args.command == "data" and args.data_command == "verify":
        return data_verify(args.data_home)
    if args.command == "data" and args.data_command == "generate":
        return data_generate(args)
    if args.command == "course":
        from mmcourse.course import build_course

        written = build_course(out_dir=args.out, fast=True if args.fast else None, progress=print)
        print(f"wrote {len(written)} files to {paths.display(args.out)}")
        return 0
    if args.command == "outputs":
        from mmcourse.outputs import execute_in_place

        execute_in_place(args.notebooks or None, progress=print)
        return 0
    if args.command in ("grade", "release", "check"):
        from mmcourse.grading import commands

        return commands.run(args)
    if args.command == "bench":
        return bench(args)
    if args.command == "seeds":
        return seeds(args)
    raise AssertionError("unreachable")  # argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
