"""Worked solutions (solve --show / --show --json) of the lectures' examples."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gradtutor.graph import build
from gradtutor.teach.walk import build_walk


def walk_of(program, **values):
    return build_walk(build(program), {k: np.asarray(v, dtype=float) for k, v in values.items()})


def answers(walk):
    return {q.ask: q.answer for q in walk.questions}


def test_add_then_multiply_walk():
    walk = walk_of("q = x + y; f = q * z", x=-2, y=5, z=-4)
    assert [(q.ask, q.kind) for q in walk.questions] == [
        ("df/dq", "local"),
        ("df/dz", "local"),
        ("dq/dx", "local"),
        ("df/dx", "downstream"),
        ("dq/dy", "local"),
        ("df/dy", "downstream"),
    ]
    # the lectures: dq/dx = dq/dy = 1, df/dq = z = -4, df/dz = q = 3, grad = (-4, -4, 3)
    assert answers(walk) == {"df/dq": -4, "df/dz": 3, "dq/dx": 1, "df/dx": -4, "dq/dy": 1, "df/dy": -4}
    rules = {q.ask: q.rule for q in walk.questions}
    assert rules["df/dq"] == "z" and rules["df/dz"] == "q"


def test_sigmoid_neuron_flat_form_walk():
    program = "s0 = w0*x0\ns1 = w1*x1\ns2 = s0 + s1\ns3 = s2 + w2\nL = sigmoid(s3)"
    walk = walk_of(program, w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
    got = answers(walk)
    sig = 1 / (1 + math.exp(-1))
    assert got["dL/ds3"] == pytest.approx((1 - sig) * sig)
    assert got["dL/ds3"] == pytest.approx(0.20, abs=5e-3)
    for name in ("ds3/ds2", "ds3/dw2", "ds2/ds0", "ds2/ds1"):
        assert got[name] == 1  # add gates distribute
    assert got["ds1/dw1"] == -2 and got["ds1/dx1"] == -3  # mul gates swap
    # the lectures' [upstream] x [local]: w0: 0.2 x -1 = -0.2, x0: 0.2 x 2 = 0.4
    assert got["dL/dw0"] == pytest.approx(-0.20, abs=5e-3)
    assert got["dL/dx0"] == pytest.approx(0.39, abs=5e-3)
    assert got["dL/dw1"] == pytest.approx(-0.39, abs=5e-3)
    assert got["dL/dx1"] == pytest.approx(-0.59, abs=5e-3)
    assert got["dL/dw2"] == pytest.approx(0.20, abs=5e-3)
    rules = {q.ask: q.rule for q in walk.questions}
    assert rules["dL/ds3"] == "(1 - L)*L"


def test_sigmoid_gate_by_gate_walk_uses_the_lectures_gates():
    walk = walk_of("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
    locals_ = [q for q in walk.questions if q.kind == "local"]
    # 1/x gate: -1/x^2 at x = 1.37 -> -0.53; +1 gate: 1; exp gate: e^-1 = 0.37; *-1 gate: -1
    assert [round(float(q.answer), 2) for q in locals_[:4]] == [-0.53, 1.0, 0.37, -1.0]
    assert locals_[0].rule == "-1/t7^2"


def test_add_and_max_walk_with_branch_sum():
    walk = walk_of("a = x + y\nb = max(y, z)\nf = a * b", x=1, y=2, z=0)
    got = answers(walk)
    # the lectures: df/da = b = 2, df/db = a = 3, db/dy = 1(y > z) = 1, db/dz = 0, da/dx = da/dy = 1
    assert got["df/da"] == 2 and got["df/db"] == 3
    assert got["db/dy"] == 1 and got["db/dz"] == 0
    assert got["da/dx"] == 1 and got["da/dy"] == 1
    assert got["df/db * db/dy"] == 3  # y's share through b
    assert got["df/dx"] == 2
    assert got["df/dy"] == 5  # gradients add at branches: 3 + 2
    total = next(q for q in walk.questions if q.ask == "df/dy")
    assert total.is_total and [s for _, s in total.branches] == [3, 2]


def test_squared_norm_walk_follows_the_shape_convention():
    walk = walk_of("q = W @ x\nf = sum(q^2)", W=[[0.1, 0.5], [-0.3, 0.8]], x=[0.2, 0.4])
    got = answers(walk)
    np.testing.assert_allclose(got["df/dq"], [0.44, 0.52])  # 2q
    np.testing.assert_allclose(got["df/dW"], [[0.088, 0.176], [0.104, 0.208]])
    np.testing.assert_allclose(got["df/dx"], [-0.112, 0.636])
    assert all(q.kind == "downstream" for q in walk.questions)  # no scalar gates: no local questions
    step = next(s for s in walk.steps if walk.graph.labels[s.node] == "q")
    notes = {walk.graph.labels[n.input]: n for n in step.jacobians}
    assert (notes["W"].rows, notes["W"].cols) == (2, 4) and notes["W"].vjp == "outer(grad, x)"
    assert notes["x"].vjp == "W.T@grad"


def test_show_json_is_the_worked_solution_as_data(run):
    result = run("solve", "(x + y) * max(y, z)", "--at", "x=1", "--at", "y=2", "--at", "z=0", "--show", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"program", "value", "forward", "questions"}
    assert data["value"] == 6
    assert [row["node"] for row in data["forward"]] == ["x", "y", "t1", "z", "t2", "f"]
    assert all(set(q) == {"ask", "kind", "answer"} for q in data["questions"])
    assert data["questions"][-1] == {"ask": "df/dy", "kind": "downstream", "answer": 5.0}


def test_the_session_asks_exactly_the_show_json_questions_in_order(run):
    program = ["sum((W@x)^2)", "--at", "W=[[0.1,0.5],[-0.3,0.8]]", "--at", "x=[0.2,0.4]"]
    shown = json.loads(run("solve", *program, "--show", "--json").stdout)["questions"]
    answers_in = "\n".join(json.dumps(q["answer"]) for q in shown) + "\n"
    graded = json.loads(run("solve", *program, "--json", input=answers_in).stdout)
    assert [q["ask"] for q in graded["questions"]] == [q["ask"] for q in shown]
    assert graded["score"] == graded["max_score"] == len(shown)


def test_show_prints_forward_and_backward_tables(run):
    out = run("solve", "(x + y) * max(y, z)", "--at", "x=1", "--at", "y=2", "--at", "z=0", "--show").stdout
    assert "forward pass" in out and "backward pass" in out
    assert "max: routes" in out and "add: distributes" in out and "mul: swaps" in out
    assert "branches add" in out and "(3) +" in out and "(2) = 5" in out  # the table may wrap between them


def test_a_stable_pair_still_walks_every_gate():
    """log(softmax(s)[k]) is computed in one stable step, but the walk asks about each gate."""
    walk = build_walk(build("p = softmax(s)\nL = -log(p[1])"), {"s": np.array([1.0, 2.0, 0.5])})
    asks = [q.ask for q in walk.questions]
    assert asks == ["dL/dt2", "dt2/dt1", "dL/dt1", "dL/dp", "dL/ds"]
    p = np.exp([1.0, 2.0, 0.5]) / np.sum(np.exp([1.0, 2.0, 0.5]))
    by_ask = {q.ask: q.answer for q in walk.questions}
    np.testing.assert_allclose(by_ask["dL/dt1"], -1 / p[1])
    np.testing.assert_allclose(by_ask["dL/ds"], p - np.eye(3)[1])


def test_an_index_input_is_not_asked_about():
    walk = build_walk(build("L = -log(softmax(s)[y])"), {"s": np.array([1.0, 2.0, 0.5]), "y": np.float64(1)})
    assert [q.ask for q in walk.questions] == ["dL/dt3", "dt3/dt2", "dL/dt2", "dL/dt1", "dL/ds"]
    assert walk.gradient(walk.graph.variables["y"]) == 0


def test_a_local_jacobian_can_be_asked_before_its_downstream_gradient():
    from gradtutor.teach.grading import grade

    values = {"z": np.array([1.0, -2.0, 3.0]), "W": np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 4.0]])}
    walk = build_walk(build("h = relu(z)\ns = W @ h\nL = sum(s)"), values, jacobians=("dh/dz", "ds/dh"))
    by_ask = {q.ask: q for q in walk.questions}
    asks = [q.ask for q in walk.questions]
    assert asks.index("dh/dz") == asks.index("dL/dz") - 1 and asks.index("ds/dh") == asks.index("dL/dh") - 1
    np.testing.assert_array_equal(by_ask["dh/dz"].answer, np.diag([1.0, 0.0, 1.0]))  # diag(relu'(z))
    np.testing.assert_array_equal(by_ask["ds/dh"].answer, values["W"])  # the Jacobian of W@h is W
    assert grade(walk, by_ask["dh/dz"], "diag(step(z))").correct
    assert grade(walk, by_ask["ds/dh"], "W").correct
    assert grade(walk, by_ask["ds/dh"], "W.T").codes == ["transposed"]
    # the downstream gradient is upstream @ Jacobian
    np.testing.assert_allclose(by_ask["dL/dh"].answer, np.ones(2) @ values["W"])


def test_asking_for_a_jacobian_that_is_not_there_is_a_clear_error(run):
    result = run("solve", "h = relu(z); L = sum(h)", "--at", "z=[1,2]", "--jacobian", "dq/dz", input="")
    assert result.exit_code == 2 and "is not a local Jacobian of this walk" in result.stderr


def test_a_problem_can_ask_the_walks_local_jacobians():
    from gradtutor.course.exercise import exercise
    from gradtutor.course.problems import load_all

    problem = next(p for s in load_all() for p in s.problems if p.jacobians)
    ex = exercise(problem, 2)
    kinds = {q.ask: q.kind for q in ex.questions}
    assert all(kinds[name] == "jacobian" for name in problem.jacobians)
    dz_dx = next(q for q in ex.questions if q.ask == "dz/dx")
    np.testing.assert_array_equal(dz_dx.answer, ex.values["W"])  # the Jacobian of W @ x is W
    assert ex.grade(dz_dx, "W").correct
