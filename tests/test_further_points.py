"""A formula answer is checked at further points; a grader with a course key evaluates a random
problem's points once for the class, drawn with the key, and grades as each student's own did."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradtutor.course import exercise as exercise_module
from gradtutor.course.assignment import load_assignment
from gradtutor.course.batch import Grader
from gradtutor.course.exercise import FORMULA_POINTS, exercise
from gradtutor.course.problems import load_all
from gradtutor.course.variants import class_seed, student_seed

KEY = b"a-course-key-for-tests"
PROBLEM = "chain-rule/gradient-formulas"  # f = 3 x^2 y with random x, y; df/dx and df/dy as formulas


def _grader(tmp_path) -> Grader:
    path = tmp_path / "a.toml"
    path.write_text(f'id = "a"\ntitle = "A"\n[[problem]]\nkey = "{PROBLEM}"\n')
    return Grader(load_assignment(str(path), None), KEY)


def _problem():
    return next(p for s in load_all() for p in s.problems if p.key == PROBLEM)


def _submission(tmp_path, student: str, answers: dict) -> str:
    path = tmp_path / f"{student}.json"
    path.write_text(json.dumps({"answers": {PROBLEM: answers}}))
    return str(path)


def _number(student: str) -> str:
    """df/dx at the student's own variant: right there, and nowhere else."""
    ex = exercise(_problem(), student_seed(KEY, student, PROBLEM), explain=False)
    return repr(float(ex.questions[0].answer))


def test_a_class_evaluates_the_further_points_once(tmp_path, monkeypatch):
    grader = _grader(tmp_path)
    made = []
    original = exercise_module.forward
    monkeypatch.setattr(exercise_module, "forward", lambda *a, **k: made.append(1) or original(*a, **k))
    statuses = []
    for k in range(12):
        student = f"s{k}"
        answers = {"df/dx": "6*x*y", "df/dy": "3*x^2"} if k % 2 else {"df/dx": _number(student), "df/dy": "3*x"}
        graded = grader.grade_file(_submission(tmp_path, student, answers))
        statuses.append([(r.status, r.codes) for r in graded.results])
    assert len(made) <= FORMULA_POINTS  # not 3 per student
    assert statuses[1] == [("right", []), ("right", [])]
    assert statuses[0][0] == ("wrong", ["only-at-this-point"])
    assert statuses[0][1][0] == "wrong"


def test_the_class_points_come_from_the_key_and_are_no_students_own(tmp_path):
    problem = _problem()
    seed = class_seed(KEY, PROBLEM)
    assert seed == class_seed(KEY, PROBLEM) != class_seed(b"another key", PROBLEM)
    assert seed not in {student_seed(KEY, f"s{k}", PROBLEM) + 7919 for k in range(50)}
    shared = [ev.values for ev in exercise_module.further_points(problem, seed)]
    own = exercise(problem, student_seed(KEY, "s0", PROBLEM), explain=False)
    assert len(shared) == FORMULA_POINTS
    mine = [ev.values for ev in own._other_points()]
    assert all(not np.allclose(a[0], b[0]) for a, b in zip(shared, mine))


@pytest.mark.parametrize("student", ["s3", "s4", "s5"])
def test_a_students_verdicts_are_those_of_their_own_points(tmp_path, student):
    """The shared points change where a formula is checked, not what it is judged to be."""
    answers = {"df/dx": "6*x*y", "df/dy": "3*x"}  # right, and wrong (3x, not 3x^2)
    graded = _grader(tmp_path).grade_file(_submission(tmp_path, student, answers))
    ex = exercise(_problem(), student_seed(KEY, student, PROBLEM), explain=False)
    alone = [ex.grade(q, answers[q.ask]).correct for q in ex.questions]
    assert [r.status == "right" for r in graded.results] == alone == [True, False]


def test_without_a_key_each_exercise_keeps_its_own_points(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(f'id = "a"\ntitle = "A"\nvariants = "stated"\n[[problem]]\nkey = "{PROBLEM}"\n')
    grader = Grader(load_assignment(str(path), None))
    ex = grader._shared(exercise(_problem(), 3, explain=False))
    assert grader.key is None and ex._others is None
    answers = {"seed": 3, "df/dx": "6*x*y", "df/dy": repr(float(ex.questions[1].answer))}
    graded = grader.grade_file(_submission(tmp_path, "s0", answers))
    assert [(r.status, r.codes) for r in graded.results] == [("right", []), ("wrong", ["only-at-this-point"])]


def test_a_formula_text_is_checked_at_the_class_points_once(tmp_path, monkeypatch):
    """Each student's own point is still checked; the further points once per formula text."""
    grader = _grader(tmp_path)
    calls = []
    original = exercise_module.evaluate
    monkeypatch.setattr(exercise_module, "evaluate", lambda f, *a: calls.append(f.source) or original(f, *a))
    for k in range(6):
        text = "6*x*y" if k < 4 else "6 * y * x"
        graded = grader.grade_file(_submission(tmp_path, f"t{k}", {"df/dx": text, "df/dy": "3*x"}))
        assert graded.results[0].status == "right"
    # each student's own point, and the further points for the first to type the text
    assert calls.count("6*x*y") == 4 + FORMULA_POINTS
    assert calls.count("6 * y * x") == 2 + FORMULA_POINTS
