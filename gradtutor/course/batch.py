"""Grading submissions against an assignment, each inside its own boundary.

A submission maps "SET/PROBLEM" to answers keyed by question ("df/dx": "0.39",
formulas allowed), either at the top level or under "answers" as `gradtutor
submit` writes it. The assignment (course/assignment.py) fixes the problems and
`max_score`; a problem left out scores 0. Each submission is graded on its own:
an unreadable, malformed or hostile file scores 0 with a message naming the file
and line, and every other submission is still graded. Answers get one try here;
there is no one to give a hint to. Many submissions are shared among processes
(batch_grade), since grading is pure computation.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import budget
from ..autodiff.many import evaluate_many, stackable
from ..autodiff.reverse import Evaluation
from ..errors import GradtutorError, suggest
from .assignment import Assignment
from .exercise import Exercise, FurtherPoints, exercise, further_points
from .problem import Problem
from .scoring import QuestionResult, score_problem
from .submission import read_submission, split_submission
from .variants import class_seed, student_seed


@dataclass
class Graded:
    submission: str  # the file (or a name)
    student: str
    assignment: str
    max_score: float
    results: list[QuestionResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the whole submission
    error: str | None = None  # why the submission could not be graded at all
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.results), 10)

    @property
    def full_marks(self) -> bool:
        return self.score == self.max_score


class Grader:
    """Grades submissions against an assignment; exercises are built once per variant."""

    def __init__(self, assignment: Assignment, key: bytes | None = None) -> None:
        self.assignment = assignment
        self.key = key
        self.problems: dict[str, Problem] = {i.problem.key: i.problem for i in assignment.items}
        random = [i.problem.key for i in assignment.items if i.problem.has_random]
        if assignment.variants == "student" and random and key is None:
            raise GradtutorError(
                f"{assignment.path or 'the assignment'}: variants: each student's variant comes from the course "
                f"key, and none was given ({', '.join(random[:3])} {'has' if len(random) == 1 else 'have'} "
                "random values)",
                hint="give --key-file FILE or set $GRADTUTOR_COURSE_KEY (gradtutor assign --new-key writes one)",
            )
        self._exercise = lru_cache(maxsize=4096)(self._build)
        self._further: dict[str, FurtherPoints] = {}  # a random problem's further points, for the class (_shared)
        self._ready: dict[tuple[str, int], Evaluation] = {}  # (problem, seed) -> its evaluation (prepare)
        self._seeds: dict[tuple[str, str], int] = {}  # (student, problem) -> variant seed, made by prepare

    def _build(self, key: str, seed: int | None) -> Exercise:
        ready = self._ready.pop((key, seed), None) if seed is not None else None
        return exercise(self.problems[key], seed, explain=False, evaluation=ready)  # answers only: no rules to show

    def prepare(self, students: list[str]) -> None:
        """Evaluate each random problem of scalars at these students' variants in one pass
        (autodiff/many.py): their passes one student at a time were about a twelfth of a class's
        grading, and cost more amid the rest of a batch than alone. A problem that fails at any of
        the variants is left to be evaluated student by student, where the failure is reported."""
        self._ready.clear()  # what an unreadable submission left unused
        self._seeds.clear()
        if self.assignment.variants != "student" or self.key is None or len(students) < 2:
            return
        for item in self.assignment.items:
            problem = item.problem
            if problem.kind == "code" or not problem.has_random or problem.jacobians or not stackable(problem.graph):
                continue
            seeds = [self.seed(student, problem) for student in students]
            self._seeds.update(((student, problem.key), seed) for student, seed in zip(students, seeds))
            try:
                evaluations = evaluate_many(problem.graph, [problem.variant(seed) for seed in seeds])
            except (GradtutorError, ArithmeticError, ValueError, TypeError, MemoryError):
                continue  # each student's own pass will say what is wrong, inside their submission's boundary
            for seed, evaluation in zip(seeds, evaluations or ()):
                self._ready[(problem.key, seed)] = evaluation

    def seed(self, student: str, problem: Problem) -> int | None:
        if not problem.has_random:
            return None
        assert self.key is not None
        seed = self._seeds.get((student, problem.key))
        return student_seed(self.key, student, problem.key) if seed is None else seed

    def grade_file(self, path: str, student: str | None = None) -> Graded:
        """One file, inside its own boundary: whatever is wrong with it costs only its own score."""
        student = student or student_of(path)
        start = time.perf_counter()
        try:
            with budget.scope():  # a submission gets the work of one command, and no more
                graded = self.grade(student, read_submission(path), path)
        except GradtutorError as exc:
            graded = self.failed(path, student, exc.message)
        except (RecursionError, MemoryError, ValueError, TypeError) as exc:
            graded = self.failed(path, student, f"{path}: submission: cannot be graded ({type(exc).__name__})")
        graded.seconds = time.perf_counter() - start
        return graded

    def failed(self, path: str, student: str, message: str) -> Graded:
        """A submission that could not be read: every question 0, the reason at the top."""
        results = []
        for item in self.assignment.items:
            if item.problem.kind == "code":
                results.append(
                    QuestionResult(item.problem.key, "(file)", "code", 0.0, item.points, "not-graded", message)
                )
                continue
            questions = self._exercise(item.problem.key, 0 if item.problem.has_random else None).questions
            results += [
                QuestionResult(
                    item.problem.key, q.ask, q.kind, 0.0, item.points / len(questions), "not-graded", message
                )
                for q in questions
            ]
        a = self.assignment
        return Graded(path, student, a.id, a.max_score, results, [message], error=message)

    def grade(self, student: str, data: dict[str, Any], name: str = "") -> Graded:
        meta, by_problem = split_submission(data)
        a = self.assignment
        graded = Graded(name or student, student, a.id, a.max_score)
        stated = meta.get("student")
        if stated is not None and str(stated) != student:
            graded.notes.append(f"the submission says it is {str(stated)[:80]!r}; it was graded as {student!r}")
        for key in by_problem:
            if key not in self.problems:
                hint = suggest(key, self.problems) or "it is not part of this assignment"
                graded.notes.append(f"{key[:80]!r} is not a problem of this assignment ({hint}); it was not graded")
        for item in a.items:
            key = item.problem.key
            if item.problem.kind == "code":
                graded.results += self._code(item, name)
                continue
            answers = by_problem.get(key)
            if answers is not None and not isinstance(answers, dict):
                graded.notes.append(f"{key}: should be a table of answers keyed by question")
                answers = {}
            seed, why = self._variant(student, item.problem, answers, graded)
            if why:
                ex = self._exercise(key, 0)
                graded.results += [
                    QuestionResult(key, q.ask, q.kind, 0.0, item.points / len(ex.questions), "unreadable", why)
                    for q in ex.questions
                ]
                continue
            # A student's own variant is graded once: kept in the cache it would never be used again,
            # and the cyclic collector would walk through thousands of them (~4% of a batch).
            ex = self._shared(self._build(key, seed)) if item.problem.has_random else self._exercise(key, seed)
            graded.results += score_problem(ex, answers, item)
            if answers:
                asked = {q.ask for q in ex.questions}
                extra = [k for k in answers if k != "seed" and k not in asked]
                if extra:
                    graded.notes.append(
                        f"{key}: does not ask {', '.join(repr(e[:40]) for e in extra[:5])}; "
                        f"it asks {', '.join(q.ask for q in ex.questions)}"
                    )
        return graded

    def _shared(self, ex: Exercise) -> Exercise:
        """A student's exercise checks formula answers at the class's further points, evaluated
        once for the class (three points for each student cost as much as the rest of the problem)."""
        if self.key is not None:
            key = ex.problem.key
            if key not in self._further:
                self._further[key] = FurtherPoints([], further_points(ex.problem, class_seed(self.key, key)))
            ex._others = self._further[key]
        return ex

    def _code(self, item, name: str) -> list[QuestionResult]:
        """A code problem: the starter's file name next to the submission (on Gradescope, in
        /autograder/submission), checked in a child process of its own."""
        path = os.path.join(os.path.dirname(os.path.abspath(name)), item.problem.code.file) if name else ""
        if not path or not os.path.isfile(path):
            file = item.problem.code.file
            return [
                QuestionResult(
                    item.problem.key, "(file)", "code", 0.0, item.points, "not-submitted", f"not submitted ({file})"
                )
            ]
        from .code.grading import code_rows

        return code_rows(item.problem, path, item.points)

    def _variant(self, student: str, problem: Problem, answers, graded: Graded) -> tuple[int | None, str]:
        """(seed, "") or (None, why the problem cannot be graded)."""
        if not problem.has_random:
            return None, ""
        stated = (answers or {}).get("seed")
        if self.assignment.variants == "student":
            seed = self.seed(student, problem)
            if stated is not None and stated != seed:
                graded.notes.append(f"{problem.key}: the seed in the submission is ignored; your variant is {seed}")
            return seed, ""
        if answers is None:
            return 0, ""  # not submitted: any variant scores 0
        if stated is None:
            return None, (
                "no variant seed: this problem's values are random, so the submission must "
                'say which variant was answered ("seed": N)'
            )
        if not isinstance(stated, int) or isinstance(stated, bool) or not 0 <= stated < 2**63:
            return None, f"the variant seed must be a whole number, not {json.dumps(stated)[:40]}"
        return stated, ""


def student_of(path: str) -> str:
    """A batch names each student by the submission's file name: alice.json is alice."""
    return os.path.splitext(os.path.basename(path))[0]


def submission_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith((".json", ".toml")))
        else:
            files.append(path)
    if not files:
        raise GradtutorError("no submission files found (a folder is read for *.json and *.toml)")
    return files


_WORKER: Grader | None = None
_FINISH: Callable[[Graded, Assignment], Any] | None = None


def _init(assignment: Assignment, key: bytes | None, finish) -> None:
    global _WORKER, _FINISH
    _WORKER, _FINISH = Grader(assignment, key), finish


def _grade_chunk(jobs: list[tuple]) -> list[Any]:
    assert _WORKER is not None
    return _chunk(_WORKER, jobs, _FINISH)


def _chunk(grader: Grader, jobs: list[tuple], finish) -> list[Any]:
    """Grade a few submissions: their problems of scalars evaluated first, for all of them at once."""
    grader.prepare([student or student_of(path) for path, student, *_ in jobs])
    out = []
    for path, student, *more in jobs:
        graded = grader.grade_file(path, student)
        out.append(finish(graded, grader.assignment, *more) if finish else graded)
    return out


def batch_grade(
    grader: Grader,
    jobs: list[tuple],
    workers: int | None = None,
    finish: Callable[..., Any] | None = None,
) -> list[Any]:
    """Grade (path, student, ...) jobs in order, shared among `workers` processes (the available
    cores by default), each result passed through `finish(graded, assignment, ...)` (a
    module-level function, given the job's further items) in the worker that graded it. A few
    submissions are graded here: starting processes costs more. Jobs go out in chunks of up to
    16, small enough that the last one leaves the other cores idle briefly (chunks of 64 left
    them idle ~3 s), and large enough to share a pass over their variants (Grader.prepare)."""
    workers = min(workers or available_cores(), max(1, len(jobs) // 4))
    size = max(2, min(16, len(jobs) // (workers * 8)))
    chunks = [jobs[k : k + size] for k in range(0, len(jobs), size)]
    with _fewer_collections():  # forked workers inherit it
        if workers <= 1:
            return [result for chunk in chunks for result in _chunk(grader, chunk, finish)]
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        with ProcessPoolExecutor(
            workers, context, initializer=_init, initargs=(grader.assignment, grader.key, finish)
        ) as pool:
            # a chunk's own cost is a pipe message: the results come back as text, or written already
            return [result for done in pool.map(_grade_chunk, chunks) for result in done]


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Grading makes millions of short-lived objects and next to no cycles, so the cyclic
    collector's default pace (a pass every 700 allocations, over everything loaded so far)
    was ~7% of a batch: what exists now is frozen out of its passes, and they come less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1
