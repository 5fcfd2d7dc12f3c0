"""Grading submission files for instructors, in Gradescope's results.json shape.

A submission maps "SET/PROBLEM" to answers keyed by question ("df/dx": "0.39",
formulas allowed) plus the variant's "seed" where values are random. Each
question is one test: full points if right, none if wrong, with the diagnosis
in its output. Answers get one try here; there is no one to give a hint to.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .. import budget
from ..errors import GradtutorError, ValueInputError
from .exercise import Exercise, exercise
from .problem import Problem, ProblemSet


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    output: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "max_score": self.max_score, "output": self.output}


@dataclass
class Graded:
    submission: str
    tests: list[TestResult]
    error: str | None = None  # why the submission could not be graded (bad input), else None
    internal: bool = False  # grading it met a bug in gradtutor (the rest of the batch goes on)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 10)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 10)

    @property
    def full_marks(self) -> bool:
        return self.score == self.max_score

    def gradescope(self) -> dict[str, Any]:
        data = {"score": self.score, "max_score": self.max_score, "tests": [t.to_json() for t in self.tests]}
        if self.error:
            data["output"] = f"this submission could not be graded: {self.error}"
        return data


MAX_SUBMISSION_BYTES = 10_000_000  # answers to a whole course fit in a few kilobytes
MAX_SEED = 2**63 - 1


def read_submission(path: str) -> dict[str, Any]:
    if not os.path.isfile(path):
        what = "is a folder, not a submission file" if os.path.isdir(path) else "does not exist"
        raise ValueInputError(f"the submission {path} {what}")
    if os.path.getsize(path) > MAX_SUBMISSION_BYTES:
        raise ValueInputError(f"the submission {path} is over {MAX_SUBMISSION_BYTES:,} bytes")
    try:
        if path.endswith(".toml"):
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        else:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueInputError(
            f"{path} is not a valid {'TOML' if path.endswith('.toml') else 'JSON'} submission: {exc}"
        ) from None
    except RecursionError:
        raise ValueInputError(f"{path} is nested too deeply to be a submission") from None
    except OSError as exc:
        raise ValueInputError(f"cannot read the submission {path}: {exc.strerror or exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueInputError(
            f'{path}: a submission maps "SET/PROBLEM" to a table of answers',
            hint='for example {"chain-rule/add-then-multiply": {"df/dx": "-4"}}',
        )
    return data


class Grader:
    """Grades submissions against a collection of sets; exercises are built once per variant."""

    def __init__(self, sets: list[ProblemSet]) -> None:
        self.problems: dict[str, Problem] = {p.key: p for s in sets for p in s.problems}
        self._exercise = lru_cache(maxsize=4096)(self._build)

    def _build(self, key: str, seed: int | None) -> Exercise:
        return exercise(self.problems[key], seed, explain=False)  # answers only: no rules to show

    def grade(self, name: str, submission: dict[str, Any]) -> Graded:
        tests: list[TestResult] = []
        for key, answers in submission.items():
            tests += self.grade_problem(key, answers)
        graded = Graded(name, tests)
        if not any(key in self.problems for key in submission):
            graded.error = "it names no problem of these sets (keys are SET/PROBLEM, see gradtutor problems list)"
        return graded

    def grade_file(self, path: str) -> Graded:
        """One submission inside its own boundary: whatever it holds (bad JSON, a negative seed,
        nesting 100,000 deep, an answer that would need gigabytes), it ends as a result for
        this student, and the rest of the batch is graded all the same."""
        try:
            with budget.scope():  # each submission gets the work of one command
                return self.grade(path, read_submission(path))
        except GradtutorError as exc:
            return Graded(path, [], error=exc.render().removeprefix("error: "))
        except (RecursionError, MemoryError):
            return Graded(path, [], error="it is too large or too deeply nested to grade")
        except Exception as exc:  # a bug in gradtutor: report it, and grade the others
            return Graded(path, [], error=f"internal error: {type(exc).__name__}: {exc}", internal=True)

    def grade_problem(self, key: str, answers: dict[str, Any]) -> list[TestResult]:
        problem = self.problems.get(key)
        if problem is None:
            from ..errors import suggest

            hint = suggest(key, self.problems) or "keys are SET/PROBLEM, as listed by gradtutor problems list"
            return [TestResult(key, 0.0, 0.0, f"there is no problem '{key}' ({hint})")]
        if problem.kind == "code":  # graded from its .py file: course/code/grading.py
            return [TestResult(key, 0.0, 0.0, f"{key} is a code problem: submit it as its own .py file")]
        seed = answers.get("seed")
        if problem.has_random and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED):
            ex = self._exercise(key, 0)
            return [
                TestResult(
                    f"{key}: {q.ask}",
                    0.0,
                    ex.points_per_question,
                    "no variant seed: this problem's values are random, so the submission must "
                    'say which variant was answered ("seed": N, a whole number from 0)'
                    if seed is None
                    else f"the variant seed must be a whole number, not {json.dumps(seed)} (from 0 to {MAX_SEED})",
                )
                for q in ex.questions
            ]
        ex = self._exercise(key, seed if problem.has_random else None)
        results = []
        asked = {q.ask for q in ex.questions}
        for q in ex.questions:
            worth = ex.points_per_question
            name = f"{key}: {q.ask}"
            if q.ask not in answers:
                results.append(TestResult(name, 0.0, worth, "no answer"))
                continue
            given = answers[q.ask]
            text = json.dumps(given) if not isinstance(given, str) else given
            verdict = ex.grade(q, text)
            if verdict.correct:
                results.append(TestResult(name, worth, worth, "correct"))
            elif verdict.unreadable:
                results.append(
                    TestResult(
                        name, 0.0, worth, f"could not read the answer {text!r}: {verdict.unreadable.splitlines()[0]}"
                    )
                )
            else:
                why = "; ".join(m.message for m in verdict.mistakes) or "not the right value"
                results.append(TestResult(name, 0.0, worth, f"wrong: {why}"))
        for extra in answers:
            if extra != "seed" and extra not in asked:
                results.append(
                    TestResult(
                        f"{key}: {extra}",
                        0.0,
                        0.0,
                        f"this problem does not ask '{extra}'; it asks {', '.join(q.ask for q in ex.questions)}",
                    )
                )
        return results


def submission_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            try:
                names = sorted(os.listdir(path))
            except OSError as exc:
                raise ValueInputError(f"cannot list the folder {path}: {exc.strerror or exc}") from None
            found = [os.path.join(path, n) for n in names if n.endswith((".json", ".toml"))]
            files += [f for f in found if not os.path.isdir(f)]
        else:
            files.append(path)
    if not files:
        raise GradtutorError("no submission files found")
    return files


def result_names(paths: list[str]) -> list[str]:
    """One results file name per submission, never two the same: NAME.results.json, and for
    submissions that share a NAME (a/alice.json, b/alice.json) their folders join the name
    (a-alice.results.json), with a counter as the last resort."""
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    names = list(stems)
    for i, path in enumerate(paths):
        if stems.count(stems[i]) > 1:
            parts = os.path.normpath(os.path.splitext(os.path.abspath(path))[0]).split(os.sep)
            names[i] = "-".join(parts[-2:]) if len(parts) > 1 else stems[i]
    taken: set[str] = set()
    out = []
    for name in names:
        unique, k = name, 1
        while unique.lower() in taken:  # case-insensitive file systems too
            k += 1
            unique = f"{name}-{k}"
        taken.add(unique.lower())
        out.append(f"{unique}.results.json")
    return out
