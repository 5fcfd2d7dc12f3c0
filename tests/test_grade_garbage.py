"""Grading leaves no reference cycles behind.

A batch grades a thousand students' walks one after another. Anything a graded walk
keeps in a cycle (a question that remembered its walk did) outlives the submission
until the cyclic collector walks the heap for it, which was a tenth of a batch's time;
without cycles each walk is freed as soon as its submission is graded.
"""

from __future__ import annotations

import gc
import json

import numpy as np

from gradtutor.course.assignment import whole_sets
from gradtutor.course.batch import Grader
from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all


def _answers(problem, seed: int) -> dict:
    """Right, wrong and unreadable answers to every question, as a class would hand them in."""
    ex = exercise(problem, seed, explain=False)
    answers: dict = {"seed": seed} if problem.has_random else {}
    for k, q in enumerate(ex.questions):
        value = np.round(np.asarray(q.answer, dtype=float), 4)
        answers[q.ask] = [json.dumps(value.tolist()), json.dumps((1 - value).tolist()), "(oops"][k % 3]
    return answers


def test_a_graded_batch_leaves_no_cyclic_garbage(tmp_path):
    sets = load_all()
    problems = [p for s in sets for p in s.problems[:4] if p.kind != "code"]
    assignment = whole_sets(sets)
    grader = Grader(assignment)
    files = []
    for k in range(3):
        path = tmp_path / f"student{k}.json"
        path.write_text(json.dumps({p.key: _answers(p, 11 + k) for p in problems}))
        files.append(str(path))
    grader.grade_file(files[0])  # caches and first-use set-up (lru caches, walk plans) happen here
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        graded = [grader.grade_file(f) for f in files]
        assert all(g.error is None for g in graded)
        assert {r.status for g in graded for r in g.results} >= {"right", "wrong", "unreadable"}
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
