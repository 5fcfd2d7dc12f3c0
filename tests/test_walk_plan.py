"""A walk's plan, made once per graph and shapes, gives every variant the steps it would get
from a plan made for it alone: the same questions, numbers, rules and notes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gradtutor.course.problems import load_all
from gradtutor.errors import GradtutorError
from gradtutor.graph import build
from gradtutor.teach.walk import build_walk

PROBLEMS = [p for s in load_all() for p in s.problems if p.kind != "code"]


def _plain(x):
    """A walk's steps as comparable data, numbers bit for bit and with their types."""
    if isinstance(x, (np.ndarray, np.generic)):
        return (type(x).__name__, np.shape(x), np.asarray(x).tobytes())
    if isinstance(x, float):
        return ("float", x.hex())
    if isinstance(x, (list, tuple)):
        return tuple(_plain(v) for v in x)
    if dataclasses.is_dataclass(x):
        return (type(x).__name__,) + tuple((f.name, _plain(getattr(x, f.name))) for f in dataclasses.fields(x))
    return x


def _steps(graph, values, explain, jacobians=(), fresh=False, seed=None):
    if fresh:
        graph.__dict__.pop("_walk_plans", None)
    walk = build_walk(graph, values, explain, seed=seed, jacobians=jacobians)
    return _plain(walk.steps)


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.key)
def test_a_planned_walk_equals_one_planned_for_its_variant_alone(problem):
    graph = problem.graph
    seeds = range(5) if problem.has_random else [None]
    for explain in (False, True):
        for seed in seeds:  # each variant's steps from the plan the one before it left
            values = problem.variant(seed)
            try:
                kept = _steps(graph, values, explain, problem.jacobians)
            except GradtutorError:
                continue  # a variant off the domain has no walk either way
            assert kept == _steps(graph, values, explain, problem.jacobians, fresh=True)


def test_a_plan_is_per_shape_and_per_seed_gradient():
    graph = build("h = W @ x + b; f = sum(h * h)")
    small = {"W": np.ones((2, 3)), "x": np.arange(3.0), "b": np.ones(2)}
    large = {"W": np.ones((4, 3)), "x": np.arange(3.0), "b": np.ones(4)}
    a = _steps(graph, small, True)
    b = _steps(graph, large, True)
    assert a != b
    assert _steps(graph, small, True, fresh=True) == a
    assert _steps(graph, large, True, fresh=True) == b
    vector = build("h = 2 * x")
    assert _steps(vector, {"x": np.arange(3.0)}, True, seed=np.ones(3)) == _steps(
        vector, {"x": np.arange(3.0)}, True, seed=np.ones(3), fresh=True
    )


@pytest.mark.parametrize(
    "program",
    [
        "q = x + y; f = q * z; f",
        "a = x * y; b = a + x; c = max(b, y); c * a",  # x and y branch
        "h = relu(W @ x + b); sum(h * h) + sum(W * W)",  # matrices: no local questions
    ],
)
def test_the_questions_about_one_node_are_the_full_walks(program):
    """questions_about(i) makes only the steps at i's consumers; they ask what the whole walk asks
    about i, in order, with the same answers."""
    graph = build(program)
    rng = np.random.default_rng(3)
    values = {
        n: rng.uniform(-2, 2, size=(2, 2) if n == "W" else (2,) if n in ("x", "b") and "W" in program else ())
        for n in graph.variables
    }
    for i in graph.variables.values():
        partial_walk, full_walk = build_walk(graph, values, explain=True), build_walk(graph, values, explain=True)
        about = partial_walk.questions_about(i)
        assert callable(partial_walk.made)  # the rest of the walk was never made
        every = [q for q in full_walk.questions if q.input == i]
        assert [(q.ask, q.kind, q.working) for q in about] == [(q.ask, q.kind, q.working) for q in every]
        assert all(np.array_equal(a.answer, b.answer) for a, b in zip(about, every))
        assert full_walk.questions_about(i) == every  # once made, the walk's own questions
