"""The backward pass as a graph: its formulas, evaluated, give the gradients; it is drawn and in the handouts."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.autodiff.formula import compile_formula, evaluate
from gradtutor.cli import main
from gradtutor.graph import build
from gradtutor.render.backward_picture import backward_graph, dname
from gradtutor.render.handout import latex, markdown
from gradtutor.teach.walk import build_walk

MLP = "z = W1@x; h = relu(z); s = W2@h; L = sum(s^2)"


def mlp_walk():
    rng = np.random.default_rng(4)
    values = {"W1": rng.standard_normal((3, 2)), "x": rng.standard_normal(2), "W2": rng.standard_normal((2, 3))}
    return build_walk(build(MLP), values, explain=False)


@pytest.mark.parametrize(
    "program, values",
    [
        (MLP, None),
        ("a = x + y; b = max(y, z); f = a * b", {"x": 1.0, "y": 2.0, "z": 0.0}),
        ("h = concat(u, v); f = sum(h * h[0])", {"u": [1.0, -2.0], "v": [0.5]}),
    ],
)
def test_every_formula_evaluates_to_its_gradient(program, values):
    walk = mlp_walk() if values is None else build_walk(build(program), values, explain=False)
    graph = walk.graph
    env = {}
    for i, label in enumerate(graph.labels):
        env[label] = walk.value(i)
        env[dname(walk, i)] = walk.gradient(i)
    back = backward_graph(walk)
    named = {n.name for n in back.nodes if n.name}
    assert {dname(walk, i) for i in graph.variables.values()} <= named
    for n in back.nodes:
        if n.name == dname(walk, graph.output) or n.note == "branches add":
            continue
        got = evaluate(compile_formula(n.formula, env), env)
        np.testing.assert_allclose(np.broadcast_to(got, np.shape(n.value)), n.value, rtol=1e-12, err_msg=n.formula)


def test_the_mlp_backward_graph_is_the_lectures_linear_network():
    formulas = {n.name: (n.formula, n.note) for n in backward_graph(mlp_walk()).nodes}
    assert formulas["dh"] == ("W2.T@ds", "matmul: its transpose")
    assert formulas["dz"] == ("dh*step(z)", "relu: a 0/1 gate")
    assert formulas["dx"][0] == "W1.T@dz" and formulas["dW1"][0] == "outer(dz, x)"


def test_branches_become_an_add():
    walk = build_walk(build("a = x + y; b = max(y, z); f = a * b"), {"x": 1.0, "y": 2.0, "z": 0.0}, explain=False)
    node = next(n for n in backward_graph(walk).nodes if n.name == "dy")
    assert node.note == "branches add" and node.value == 5.0  # 2 through a, 3 through b (the lectures' numbers)


def test_graph_backward_writes_both_graphs(tmp_path, capsys):
    path = tmp_path / "g.dot"
    assert (
        main(["graph", MLP, "--shape", "W1=3x2", "--shape", "x=2", "--shape", "W2=2x3", "--backward", "-o", str(path)])
        == 0
    )
    source = path.read_text()
    assert "cluster_backward" in source and "W2.T@ds" in source and "style=dashed" in source
    assert main(["graph", "q = x + y; f = q * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4", "--backward"]) == 0
    assert "df*z" in capsys.readouterr().out


def test_the_handouts_draw_the_backward_graph():
    walk = mlp_walk()
    md = markdown(walk)
    assert "## The backward pass as a graph" in md and "flowchart RL" in md and "W2.T@ds" in md
    tex = latex(walk)
    assert r"\subsection*{The backward pass as a graph}" in tex and "W2.T@ds" in tex
