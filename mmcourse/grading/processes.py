"""Grade submissions in several processes, one `Grader` each: `mmcourse grade --jobs N`.

Each worker process holds its own `Grader` (its own temporary courses and gradebooks, so the
processes share nothing) and grades the submissions it is handed one at a time; the parent
reports each result as it comes back. Learners' code runs in nbgrader's kernels, so a crash or
a hang there is already that submission's own (a cell timeout, a dead kernel). Should a
grading process itself die, the submissions being graded at that moment are graded again,
each alone, and the ones not yet started go on in a fresh pool: only a submission that kills
its process when graded alone is reported as not graded, with the reason.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from mmcourse.grading.grader import Grader
from mmcourse.grading.report import Result, Submission

_GRADER: Grader | None = None  # the worker process's own grader
_STARTED = None  # the queue on which a worker says which submission it starts


def _start_worker(options: dict, started) -> None:
    global _GRADER, _STARTED
    from multiprocessing import util

    _GRADER, _STARTED = Grader(**options), started
    util.Finalize(_GRADER, _GRADER.close, exitpriority=100)  # delete its temporary courses


def grade_here(submission: Submission) -> tuple[Result, float]:
    """Grade one submission with this worker's `Grader`: (result, seconds)."""
    started = time.perf_counter()
    result = _GRADER.grade(submission)
    return result, time.perf_counter() - started


def _run(work, index: int, submission: Submission):
    _STARTED.put(index)
    return work(submission)


def grade_in_processes(
    submissions: list[Submission],
    *,
    jobs: int,
    options: dict,
    finished: Callable[[Submission, Result, float], None],
    work: Callable[[Submission], tuple[Result, float]] = grade_here,
) -> None:
    """Grade `submissions` in `jobs` processes; call `finished(submission, result, seconds)`
    in this process for each, in the order they finish. `work` (a module-level function, run
    in the workers) grades one; tests replace it.

    When a grading process dies, the submissions that were being graded at that moment are
    suspects: each is graded again alone, and one that kills its process alone too is reported
    as not graded. The submissions not yet started go on in a fresh pool.
    """
    pending = list(submissions)
    while pending:
        pending, suspects = _one_pool(pending, jobs, options, finished, work)
        for suspect in suspects:
            not_started, died = _one_pool([suspect], 1, options, finished, work)
            if not_started or died:
                reason = "its grading process died (nbgrader crashed); it was graded alone too"
                finished(suspect, Result(suspect, error=reason), 0.0)


def _one_pool(submissions, jobs, options, finished, work):
    """Run one pool until done or broken: (never started, started but unfinished)."""
    context = multiprocessing.get_context("spawn")  # no fork of a process holding TensorFlow
    started = context.SimpleQueue()
    broken = []
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(options, started),
    ) as pool:
        futures = {pool.submit(_run, work, i, s): i for i, s in enumerate(submissions)}
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                index = futures[future]
                try:
                    result, seconds = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                finished(submissions[index], result, seconds)
    began = set()
    while not started.empty():
        began.add(started.get())
    suspects = [submissions[i] for i in sorted(broken) if i in began]
    return [submissions[i] for i in sorted(broken) if i not in began], suspects
