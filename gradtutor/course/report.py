"""The class mistake report: what a class got right and wrong, question by question.

It reads the results.json files `grade` wrote (each test's extra_data names the
problem, the question, the status, the tries and the diagnosis codes) and gives,
per problem and question, the mean score, the first-try rate and the most common
diagnoses by code with how many students made each, and the students who are
struggling. STACK's answer notes are written by hand for each question; these
come free from the diagnoses.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..errors import ValueInputError


@dataclass
class QuestionStats:
    problem: str
    ask: str  # "" for the problem as a whole
    students: int = 0
    score: float = 0.0
    max_score: float = 0.0
    first_try: int = 0
    submitted: int = 0
    asked: int = 0  # question instances (a problem's first-try rate is over its questions)
    codes: Counter = field(default_factory=Counter)  # code -> students who made it

    @property
    def mean(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def first_try_rate(self) -> float:
        return self.first_try / self.asked if self.asked else 0.0

    def to_json(self) -> dict:
        return {
            "problem": self.problem,
            "question": self.ask or None,
            "students": self.students,
            "submitted": self.submitted,
            "mean_score": round(self.mean, 4),
            "first_try_rate": round(self.first_try_rate, 4),
            "mistakes": [{"code": c, "students": n} for c, n in self.codes.most_common()],
        }


@dataclass
class Struggling:
    student: str
    score: float
    max_score: float
    codes: list[tuple[str, int]]

    @property
    def share(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


@dataclass
class Report:
    students: int
    problems: list[QuestionStats]
    questions: list[QuestionStats]
    struggling: list[Struggling]
    codes: Counter  # code -> students who made it anywhere
    unreadable: list[str]

    def to_json(self) -> dict:
        return {
            "students": self.students,
            "problems": [p.to_json() for p in self.problems],
            "questions": [q.to_json() for q in self.questions],
            "mistakes": [{"code": c, "students": n} for c, n in self.codes.most_common()],
            "struggling": [
                {"student": s.student, "score": s.score, "max_score": s.max_score, "mistakes": dict(s.codes)}
                for s in self.struggling
            ],
            "unreadable": self.unreadable,
        }


def result_files(folder: str) -> list[str]:
    if os.path.isfile(folder):
        return [folder]
    if not os.path.isdir(folder):
        raise ValueInputError(f"{folder}: there is no such folder of results")
    found = [
        os.path.join(here, name)
        for here, _, names in os.walk(folder)
        for name in names
        if name == "results.json" or name.endswith(".results.json")
    ]
    if not found:
        raise ValueInputError(f"{folder}: no results.json files in it (gradtutor grade --out writes them)")
    return sorted(found)


def _extract(path: str) -> tuple:
    """One results file reduced to what the report counts: (path, student, score, max, rows) with a
    row (problem, ask, score, max, status, codes, tries) per test, or (path, why) if unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        tests = data["tests"]
        student = str((data.get("extra_data") or {}).get("student") or os.path.basename(os.path.dirname(path)))
        rows = []
        for t in tests:
            extra = t.get("extra_data") or {}
            problem, ask = extra.get("problem"), extra.get("ask")
            if problem and ask and t.get("max_score"):
                rows.append(
                    (
                        problem,
                        ask,
                        t["score"],
                        t["max_score"],
                        extra.get("status"),
                        tuple(extra.get("codes") or ()),
                        extra.get("tries"),
                    )
                )
        return path, student, float(data.get("score", 0.0)), float(data.get("max_score") or 0.0), rows
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return path, type(exc).__name__


def _extracted(paths: list[str]):
    """The files read on every core (JSON parsing is the whole cost); only the reduced rows come back."""
    import multiprocessing

    workers = min(os.cpu_count() or 1, max(1, len(paths) // 50))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_extract, paths)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_extract, paths, chunksize=16)


def build_report(folder: str, below: float = 0.5) -> Report:
    """The report over every results file under `folder`; students below `below` of the
    maximum score are listed as struggling."""
    per_question: dict[tuple[str, str], QuestionStats] = {}
    per_problem: dict[str, QuestionStats] = {}
    class_codes: Counter = Counter()
    struggling: list[Struggling] = []
    unreadable: list[str] = []
    students = 0
    for found in _extracted(result_files(folder)):
        if len(found) == 2:
            unreadable.append(f"{found[0]}: {found[1]}")
            continue
        _, student, score, top, rows = found
        students += 1
        mine: Counter = Counter()
        seen_problem: dict[str, set[str]] = defaultdict(set)
        handed: dict[str, bool] = {}
        for problem, ask, got, worth, status, codes, tries in rows:
            q = per_question.get((problem, ask))
            if q is None:
                q = per_question[(problem, ask)] = QuestionStats(problem, ask)
            p = per_problem.get(problem)
            if p is None:
                p = per_problem[problem] = QuestionStats(problem, "")
            codes = set(codes)
            right_first = status == "right" and tries == 1
            for stats in (q, p):
                stats.score += got
                stats.max_score += worth
            handed_in = status not in ("not-submitted", "not-graded")
            q.students += 1
            q.asked += 1
            q.first_try += right_first
            q.submitted += handed_in
            q.codes.update(codes)
            p.first_try += right_first
            p.asked += 1
            seen_problem[problem] |= codes
            handed[problem] = handed.get(problem, False) or handed_in
            mine.update(codes)
        for problem, codes in seen_problem.items():
            per_problem[problem].codes.update(codes)
            per_problem[problem].students += 1
            per_problem[problem].submitted += handed[problem]
        class_codes.update(set(mine))
        if top and score / top < below:
            struggling.append(Struggling(student, score, top, mine.most_common(3)))
    struggling.sort(key=lambda s: (s.share, s.student))
    return Report(
        students, list(per_problem.values()), list(per_question.values()), struggling, class_codes, unreadable
    )


def csv_rows(report: Report) -> list[list]:
    rows: list[list] = [["problem", "question", "students", "mean_score", "first_try_rate", "top_mistakes"]]
    for q in report.questions:
        top = " ".join(f"{c}:{n}" for c, n in q.codes.most_common(3))
        rows.append([q.problem, q.ask, q.students, f"{q.mean:.4f}", f"{q.first_try_rate:.4f}", top])
    return rows
