"""The shipped problem sets: they lint, they cover the curriculum, and every worked solution is
checked against central differences computed here, independently of gradtutor's engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradtutor.course.exercise import exercise
from gradtutor.course.lint import lint
from gradtutor.course.problems import load_all
from gradtutor.graph import build
from gradtutor.resources import problems_dir

SETS = load_all()
PROBLEMS = [
    (p, seed)
    for s in SETS
    for p in s.problems
    if p.kind != "code"  # code problems: tests/test_code_problems.py
    for seed in ((0, 1) if p.has_random else (None,))
]


@pytest.mark.slow
def test_every_shipped_problem_passes_lint():
    sets, errors = lint([problems_dir()], samples=60)
    assert errors == []
    assert len(sets) >= 8
    assert sum(len(s.problems) for s in sets) >= 50


def test_the_sets_cover_the_curriculum():
    ids = [s.id for s in SETS]
    assert ids == sorted(ids, key=lambda i: next(s.order for s in SETS if s.id == i))
    programs = "\n".join(p.program for s in SETS for p in s.problems)
    for piece in [
        "max(",
        "min(",
        "sigmoid(",
        "exp(",
        "1 /",
        "@",
        ".T",
        "relu(",
        "softmax(",
        "mean(",
        "sum(",
        "log(",
        "sin(",
        "tanh(",
        "^2",
        "concat(",
        "stack(",
        "[:, 0]",
        "[1:, :]",
        "leaky_relu(",
        "max(h)",
        "min(z)",
        "trace(",
        "det(",
        "inv(",
        "logdet(",
        "eye(",
    ]:
        assert piece in programs, piece
    kinds = {(t.form if t.form == "formula" else "value") for s in SETS for p in s.problems for t in p.targets or []}
    assert kinds == {"value", "formula"}
    assert any(p.targets is None for s in SETS for p in s.problems)  # full walks too


def _differences(f, base, h=1e-6):
    """Central differences of f at base, and a mask of entries sitting on a kink: there the
    left and right slopes differ, and no single number is *the* derivative."""
    base = np.array(base, dtype=float)
    grad = np.zeros_like(base)
    kink = np.zeros(base.shape, dtype=bool)
    f0 = f(base)
    for idx in np.ndindex(*base.shape):
        up, down = base.copy(), base.copy()
        up[idx] += h
        down[idx] -= h
        f_up, f_down = f(up), f(down)
        grad[idx] = (f_up - f_down) / (2 * h)
        right, left = (f_up - f0) / h, (f0 - f_down) / h
        kink[idx] = abs(right - left) > 1e-3 * (1 + abs(grad[idx]))
    return grad, kink


def _numeric_output_gradient(graph, values, node):
    """d output / d node, overriding the node's value (independent of gradtutor's numeric module)."""
    from gradtutor.autodiff.reverse import forward

    name = graph.nodes[node].name
    is_input = name in graph.variables and graph.variables[name] == node

    def f(value):
        if is_input:
            return float(forward(graph, {**values, name: value}).value)
        return float(forward(graph, values, overrides={node: value}).value)

    return _differences(f, forward(graph, values).values[node])


def _numeric_local(graph, values, gate, wrt):
    from gradtutor.autodiff.reverse import forward

    vals = forward(graph, values).values
    node = graph.nodes[gate]

    def f(x):
        return float(node.op.forward(*[x if j == wrt else vals[j] for j in node.inputs], *node.params))

    return _differences(f, vals[wrt])


@pytest.mark.parametrize("problem, seed", PROBLEMS, ids=[f"{p.key}@{s}" for p, s in PROBLEMS])
def test_worked_solution_matches_central_differences(run, problem, seed):
    values = problem.variant(seed)
    args = [a for name, v in values.items() for a in ("--at", f"{name}={json.dumps(np.asarray(v).tolist())}")]
    args += [a for name in problem.jacobians for a in ("--jacobian", name)]
    shown = run("solve", problem.program, *args, "--show", "--json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    graph = build(problem.program)
    values = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    ex = exercise(problem, seed)
    questions = ex.questions
    if problem.targets is None:  # the walk's questions are exactly solve --show --json's
        assert [q["ask"] for q in data["questions"]] == [q.ask for q in questions]
    checked = 0
    for q in questions:
        answer = np.asarray(q.answer, dtype=float)
        if q.kind == "local":
            numeric, kink = _numeric_local(graph, values, q.node, q.input)
        elif q.kind in ("value", "jacobian"):  # a local Jacobian's rows are checked in test_walk.py
            continue
        elif q.kind == "downstream" and "*" in q.ask:  # one branch's share: upstream x local
            if np.shape(answer) != ():
                continue
            upstream, kink_up = _numeric_output_gradient(graph, values, q.node)
            local, kink_local = _numeric_local(graph, values, q.node, q.input)
            numeric, kink = upstream * local, kink_up | kink_local
        else:  # a total gradient df/dX
            numeric, kink = _numeric_output_gradient(graph, values, q.input)
        smooth = ~np.broadcast_to(kink, np.shape(numeric))
        np.testing.assert_allclose(
            np.broadcast_to(answer, np.shape(numeric))[smooth],
            numeric[smooth],
            rtol=1e-4,
            atol=1e-5,
            err_msg=f"{problem.key} {q.ask}",
        )
        checked += int(smooth.any())
    assert checked or all(q.kind == "value" for q in questions)
