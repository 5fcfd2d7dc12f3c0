"""Gradient descent against hand-written numpy loops, divergence, and the command's output."""

from __future__ import annotations

import builtins
import json

import numpy as np
import pytest

from gradtutor.autodiff.descent import curvature, descend
from gradtutor.cli import main
from gradtutor.graph import build

NEURON = "s = w0*x0 + w1*x1 + w2; L = sigmoid(s); J = 0.5*(t - L)^2"
MLP = "h = relu(X@W1 + b1); s = h@W2 + b2; J = mean(logsumexp(s) - sum(s*Y, 1))"


def neuron_by_hand(w, x, t, lr, steps):
    """The lectures' neuron: J = 1/2 (target - output)^2 with output = sigmoid(w0 x0 + w1 x1 + w2)."""
    w = np.array(w, dtype=float)
    losses = []
    for _ in range(steps):
        L = 1.0 / (1.0 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))
        losses.append(0.5 * (t - L) ** 2)
        dL = -(t - L)
        ds = dL * L * (1 - L)
        w = w - lr * ds * np.array([x[0], x[1], 1.0])
    L = 1.0 / (1.0 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))
    return w, losses + [0.5 * (t - L) ** 2]


def mlp_by_hand(p, X, Y, lr, steps, momentum=0.0):
    p = {k: v.copy() for k, v in p.items()}
    v = {k: np.zeros_like(a) for k, a in p.items()}
    losses = []
    for _ in range(steps + 1):
        z = X @ p["W1"] + p["b1"]
        h = np.maximum(z, 0)
        s = h @ p["W2"] + p["b2"]
        m = s.max(axis=1, keepdims=True)
        e = np.exp(s - m)
        losses.append(float(np.mean(m[:, 0] + np.log(e.sum(axis=1)) - np.sum(s * Y, axis=1))))
        if len(losses) == steps + 1:
            break
        ds = (e / e.sum(axis=1, keepdims=True) - Y) / len(X)
        dh = ds @ p["W2"].T * (z > 0)
        grads = {"W2": h.T @ ds, "b2": ds.sum(axis=0), "W1": X.T @ dh, "b1": dh.sum(axis=0)}
        for k, g in grads.items():
            v[k] = momentum * v[k] - lr * g
            p[k] = p[k] + v[k]
    return p, losses


def mlp_values(rng, n_in=6, hidden=5, classes=3, batch=4):
    return {
        "W1": rng.standard_normal((n_in, hidden)) * 0.5,
        "b1": rng.standard_normal(hidden) * 0.1,
        "W2": rng.standard_normal((hidden, classes)) * 0.5,
        "b2": np.zeros(classes),
        "X": rng.standard_normal((batch, n_in)),
        "Y": np.eye(classes)[rng.integers(0, classes, batch)],
    }


def test_the_neuron_agrees_with_a_numpy_loop_over_100_steps():
    x, w, t = [-1.0, -2.0], [2.0, -3.0, -3.0], 1.0
    values = {"w0": w[0], "w1": w[1], "w2": w[2], "x0": x[0], "x1": x[1], "t": t}
    run = descend(build(NEURON), values, ["w0", "w1", "w2"], 0.5, 100)
    expected_w, expected_losses = neuron_by_hand(w, x, t, 0.5, 100)
    np.testing.assert_allclose(run.losses, expected_losses, rtol=1e-12, atol=0)
    got = [float(run.final[n]) for n in ("w0", "w1", "w2")]
    np.testing.assert_allclose(got, expected_w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer, momentum", [("sgd", 0.0), ("momentum", 0.9)])
def test_a_two_layer_mlp_agrees_with_a_numpy_loop_over_100_steps(optimizer, momentum):
    values = mlp_values(np.random.default_rng(0))
    wrt = ["W1", "b1", "W2", "b2"]
    run = descend(build(MLP), values, wrt, 0.1, 100, optimizer, momentum)
    params, losses = mlp_by_hand({k: values[k] for k in wrt}, values["X"], values["Y"], 0.1, 100, momentum)
    assert run.diverged is None and losses[-1] < losses[0]
    np.testing.assert_allclose(run.losses, losses, rtol=1e-12, atol=1e-15)
    for k in wrt:
        np.testing.assert_allclose(run.final[k], params[k], rtol=1e-12, atol=1e-14)


def test_parameters_handed_one_gradient_array_each_move_by_it_exactly():
    """The sum in (A + B - T) hands A and B the same array; each step writes lr * g into a buffer
    of its own per parameter, and must move both as `p - lr * g` would, scalars too."""
    rng = np.random.default_rng(3)
    values = {"A": rng.standard_normal((3, 2)), "B": rng.standard_normal((3, 2)), "T": np.ones((3, 2)), "c": 0.5}
    run = descend(build("0.5*sum((A + B - T)^2) + (c - 1)^2"), values, ["A", "B", "c"], 0.1, 20)
    A, B, c = values["A"].copy(), values["B"].copy(), 0.5
    for _ in range(20):
        g = A + B - 1.0
        A, B, c = A - 0.1 * g, B - 0.1 * g, c - 0.1 * (2 * (c - 1))
    assert run.diverged is None
    np.testing.assert_allclose(run.final["A"], A, rtol=1e-12)
    np.testing.assert_allclose(run.final["B"], B, rtol=1e-12)
    assert float(run.final["c"]) == pytest.approx(c, rel=1e-12)


def test_a_rate_above_two_over_the_curvature_diverges_and_says_so():
    graph = build("J = 2*(w - 1)^2 + 0.5*(v + 2)^2")  # Hessian diag(4, 1): stable below 2/4
    values = {"w": 0.0, "v": 0.0}
    assert curvature(graph, values, ["w", "v"]) == pytest.approx(4.0)
    assert descend(graph, values, ["w", "v"], 0.45, 60).diverged is None
    run = descend(graph, values, ["w", "v"], 0.55, 60)
    assert run.diverged and "grew" in run.diverged and len(run.steps) < 20
    run.curvature = 4.0
    assert run.stable_lr == pytest.approx(0.5)


def test_an_overflowing_loss_is_divergence_not_a_crash():
    run = descend(build("exp(w^2)"), {"w": 1.0}, ["w"], 10.0, 50)
    assert run.diverged and ("finite" in run.diverged or "grew" in run.diverged)


def test_backprop_to_the_data_excites_the_neuron():
    """Optimising the input x of a fixed neuron raises its pre-activation: the lectures' 'excite a neuron'."""
    w = np.array([0.5, -1.0, 2.0])
    run = descend(build("-dot(w, x) + 0.5*sum(x^2)"), {"w": w, "x": np.zeros(3)}, ["x"], 0.2, 60)
    np.testing.assert_allclose(run.final["x"], w, atol=1e-5)  # the minimum of -w.x + |x|^2/2 is x = w


def test_descend_json_and_a_comparison_of_rates(capsys):
    code = main(["descend", "(w - 3)^2", "--at", "w=0", "--wrt", "w", "--lr", "0.1,1.1", "--steps", "20", "--json"])
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert code == 0 and [r["lr"] for r in runs] == [0.1, 1.1]
    assert runs[0]["losses"][:2] == [9.0, pytest.approx(5.76)] and runs[0]["params"][1]["w"] == pytest.approx(0.6)
    assert not runs[0]["diverged"] and runs[1]["diverged"]
    assert runs[1]["largest_stable_lr"] == pytest.approx(1.0)


def test_descend_shows_the_chart_and_explains_divergence(capsys):
    assert main(["descend", "(w - 3)^2", "--at", "w=0", "--wrt", "w", "--lr", "1.5", "--steps", "10"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "●" in out and "diverged" in out and "2/λmax = 1" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["(w - 3)^2", "--at", "w=0", "--wrt", "w", "--lr", "fast"], "--lr takes numbers"),
        (["(w - 3)^2", "--at", "w=0", "--wrt", "w", "--lr", "-1"], "positive"),
        (["(w - 3)^2", "--at", "w=0", "--wrt", "q"], "not an input"),
        (["w^2 + [1, 2]", "--at", "w=0", "--wrt", "w"], "scalar"),
        (["(w - 3)^2", "--at", "w=0", "--wrt", "w", "-o", "loss.gif"], ".png or .svg"),
    ],
)
def test_bad_input_exits_2_with_a_message(args, message, capsys):
    assert main(["descend", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_plot_without_matplotlib_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    path = str(tmp_path / "loss.png")
    assert main(["descend", "(w - 3)^2", "--at", "w=0", "--wrt", "w", "--steps", "3", "-o", path]) == 2
    assert "gradtutor[charts]" in capsys.readouterr().err


@pytest.mark.slow
def test_the_plot_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "loss.svg"
    assert main(["descend", "(w - 3)^2", "--at", "w=0", "--wrt", "w", "--lr", "0.1,1.1", "-o", str(path)]) == 0
    assert path.read_text().lstrip().startswith("<?xml") and "lr = 1.1 (diverged)" in path.read_text()
