"""A class's variants of a problem of scalars, evaluated in one pass, give what each variant's
own pass gives; and a batch graded that way scores every answer as grading it alone does."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradtutor.autodiff.many import evaluate_many, stackable
from gradtutor.autodiff.reverse import backward, forward
from gradtutor.course import batch as batch_module
from gradtutor.course.assignment import load_assignment
from gradtutor.course.batch import Grader, batch_grade
from gradtutor.course.exercise import exercise
from gradtutor.course.gradescope import results_json
from gradtutor.course.problems import load_all
from gradtutor.course.variants import student_seed
from gradtutor.errors import DomainError, GradtutorError
from gradtutor.graph import build

KEY = b"a-course-key-for-tests"
SHIPPED = [p for s in load_all() for p in s.problems if p.kind != "code"]
STACKED = [p for p in SHIPPED if p.has_random and not p.jacobians and stackable(p.graph)]


def _alone(graph, values):
    evaluation = forward(graph, values)
    backward(evaluation)
    return evaluation


def _same(many: list, alone: list) -> None:
    assert len(many) == len(alone)
    for x, y in zip(many, alone):
        assert (x is None) == (y is None)
        if x is not None:
            assert np.shape(x) == np.shape(y) == ()
            # The same ufuncs on the same numbers; a vectorised exp or log may differ in the last bit.
            np.testing.assert_allclose(x, y, rtol=1e-14, atol=0)


def test_most_shipped_random_problems_are_programs_of_scalars():
    assert len(STACKED) >= 30


@pytest.mark.parametrize("problem", STACKED, ids=lambda p: p.key)
def test_each_variant_is_what_its_own_pass_gives(problem):
    seeds = [student_seed(KEY, f"s{k}", problem.key) for k in range(16)]
    points = [problem.variant(seed) for seed in seeds]
    many = evaluate_many(problem.graph, points)
    assert many is not None
    for seed, point, evaluation in zip(seeds, points, many):
        alone = _alone(problem.graph, point)
        _same(evaluation.values, alone.values)
        _same(evaluation.grads, alone.grads)
        assert evaluation.work == alone.work
        shared = exercise(problem, seed, explain=False, evaluation=evaluation)
        own = exercise(problem, seed, explain=False)
        assert [q.ask for q in shared.questions] == [q.ask for q in own.questions]
        np.testing.assert_allclose([q.answer for q in shared.questions], [q.answer for q in own.questions], rtol=1e-14)


def test_a_point_where_the_program_fails_leaves_every_point_to_its_own_pass():
    graph = build("f = log(x) * y")
    points = [{"x": np.float64(2.0), "y": np.float64(3.0)}, {"x": np.float64(-1.0), "y": np.float64(3.0)}]
    assert evaluate_many(graph, points) is None
    with pytest.raises(DomainError):
        forward(graph, points[1])  # which names the point and the step
    overflow = build("f = exp(x) * y")
    assert evaluate_many(overflow, [{"x": np.float64(1.0), "y": 1.0}, {"x": np.float64(800.0), "y": 1.0}]) is None
    with pytest.raises(GradtutorError):
        forward(overflow, {"x": np.float64(800.0), "y": 1.0})


def test_programs_of_vectors_and_vector_constants_are_not_stacked():
    assert not stackable(build("f = sum(W @ x)"))
    vector = build("f = x * [1, 2]")
    assert not stackable(vector)
    assert evaluate_many(vector, [{"x": 1.0}, {"x": 2.0}]) is None  # two points are not the constant's two entries
    assert evaluate_many(build("f = x * y"), [{"x": np.ones(2), "y": 1.0}, {"x": np.ones(2), "y": 2.0}]) is None


def test_a_batch_scores_every_answer_as_grading_it_alone_does(tmp_path, monkeypatch):
    assignment = tmp_path / "all.toml"
    assignment.write_text(
        'id = "all"\ntitle = "All"\n[policy]\nper_entry = true\n'
        + "".join(f'[[problem]]\nkey = "{p.key}"\n' for p in SHIPPED)
    )
    students = [f"student{k}" for k in range(10)]
    for n, student in enumerate(students):
        answers = {}
        for p in SHIPPED:
            ex = exercise(p, student_seed(KEY, student, p.key) if p.has_random else None, explain=False)
            answers[p.key] = {
                q.ask: json.dumps((np.asarray(q.answer, dtype=float) * (1 if (n + k) % 3 else -2)).tolist())
                for k, q in enumerate(ex.questions)
            }
        (tmp_path / f"{student}.json").write_text(json.dumps({"answers": answers}))
    plan = load_assignment(str(assignment), None)
    stacked = []
    original = batch_module.evaluate_many
    monkeypatch.setattr(
        batch_module, "evaluate_many", lambda g, points: stacked.append(len(points)) or original(g, points)
    )
    files = [str(tmp_path / f"{s}.json") for s in students]
    together = batch_grade(Grader(plan, KEY), [(f, None) for f in files], workers=1)
    assert stacked and max(stacked) > 1  # the class's variants were evaluated together
    for path, graded in zip(files, together):
        alone = Grader(plan, KEY).grade_file(path)
        a, b = results_json(graded, plan), results_json(alone, plan)
        a.pop("execution_time"), b.pop("execution_time")
        assert a == b
        assert any(r.status == "wrong" for r in graded.results) and any(r.status == "right" for r in graded.results)
