"""Flat code: the lectures' listing, and generated code that runs and matches the engine."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
from conftest import NEURON_AT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import SHAPES, scalar_expressions, typed

import gradtutor
from gradtutor.autodiff.flatcode import python_code
from gradtutor.graph import build

NEURON = "s0 = w0*x0\ns1 = w1*x1\ns2 = s0 + s1\ns3 = s2 + w2\nL = sigmoid(s3)"


def load(code: str, tmp_path, name="generated"):
    path = tmp_path / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the test runs the generated file, as a student would
    return module


def test_the_sigmoid_neuron_reads_like_the_lectures_flat_code():
    code = python_code(build(NEURON), {})
    body = [line.strip() for line in code.splitlines() if line.strip() and not line.strip().startswith("#")]
    expected = [
        "s0 = w0 * x0",
        "s1 = w1 * x1",
        "s2 = s0 + s1",
        "s3 = s2 + w2",
        "L = sigmoid(s3)",
        "grad_L = 1.0",
        "grad_s3 = grad_L * (1 - L) * L",
        "grad_s2 = grad_s3",
        "grad_w2 = grad_s3",
        "grad_s0 = grad_s2",
        "grad_s1 = grad_s2",
        "grad_w1 = grad_s1 * x1",
        "grad_x1 = grad_s1 * w1",
        "grad_w0 = grad_s0 * x0",
        "grad_x0 = grad_s0 * w0",
    ]
    positions = [body.index(line) for line in expected]
    assert positions == sorted(positions)


def test_branches_are_summed_with_plus_equals(tmp_path):
    code = python_code(build("(x + y) * max(y, z)"), {})
    assert "grad_y = 0.0  # y feeds 2 nodes" in code and code.count("grad_y +=") == 2
    module = load(code, tmp_path)
    value, grads = module.f(x=1.0, y=2.0, z=0.0)
    assert value == 6.0 and grads == {"x": 2.0, "y": 5.0, "z": 0.0}


def test_the_code_command_writes_a_runnable_file(run, tmp_path):
    path = tmp_path / "neuron.py"
    result = run(
        "code",
        NEURON,
        *NEURON_AT,
        "-o",
        str(path),
    )
    assert result.exit_code == 0
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True).stdout.split("\n")
    assert abs(float(out[0]) - 0.731) < 1e-3
    assert out[1].startswith("w0 -0.196")


def _matches(program: str, values: dict, tmp_path, k: int) -> None:
    graph = build(program)
    values = {n: np.asarray(v, dtype=float) for n, v in values.items() if n in graph.variables}
    module = load(python_code(graph, {n: v.shape for n, v in values.items()}), tmp_path, f"gen{k}")
    value, grads = module.f(**{("lambda_" if n == "lambda" else n): v for n, v in values.items()})
    exact = gradtutor.grad(graph, values)
    assert np.isclose(value, exact.value)
    for name, g in exact.gradients.items():
        np.testing.assert_allclose(np.broadcast_to(grads[name], np.shape(g)), g, rtol=1e-9, atol=1e-12, err_msg=program)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(program=scalar_expressions(4), seed=st.integers(0, 2**32 - 1))
def test_generated_code_matches_the_engine_on_random_scalar_programs(tmp_path, program, seed):
    rng = np.random.default_rng(seed)
    _matches(program, {n: rng.uniform(-1.5, 1.5) for n in "abcd"}, tmp_path, seed)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(program=st.one_of(typed((), 3), typed((3, 4), 3).map(lambda e: f"sum({e})")), seed=st.integers(0, 2**32 - 1))
def test_generated_code_matches_the_engine_on_random_matrix_programs(tmp_path, program, seed):
    rng = np.random.default_rng(seed)
    _matches(program, {n: rng.uniform(-1, 1, size=s) * 0.8 for n, s in SHAPES.items()}, tmp_path, seed)


def test_broadcasting_softmax_and_indexing_run(tmp_path):
    program = "s = W @ x + b\nL = -log(softmax(s)[1]) + 0.1*sum(W^2) + sum(c*s)"
    rng = np.random.default_rng(0)
    _matches(
        program,
        {"W": rng.standard_normal((3, 2)), "x": rng.standard_normal(2), "b": rng.standard_normal(3), "c": 0.5},
        tmp_path,
        99,
    )
    _matches(
        "mean((W2 @ relu(W1 @ X + b1) + b2 - Y)^2)",
        {
            "W1": rng.standard_normal((3, 4)),
            "X": rng.standard_normal((4, 5)),
            "b1": rng.standard_normal((3, 1)),
            "W2": rng.standard_normal((2, 3)),
            "b2": rng.standard_normal((2, 1)),
            "Y": rng.standard_normal((2, 5)),
        },
        tmp_path,
        98,
    )


def test_code_errors_are_clear(run):
    result = run("code", "W@x")
    assert result.exit_code == 2 and "'@' cannot combine shapes" in result.stderr
    assert "--shape W=3x4" in result.stderr
    vector = run("code", "W@x", "--shape", "W=2x3", "--shape", "x=3")
    assert vector.exit_code == 2 and "sum(...)" in vector.stderr


def test_the_new_ops_run_as_flat_code(tmp_path):
    """Merges, slices, matrix calculus, max(x)/min(x) and leaky_relu, including ops without inputs (eye)."""
    rng = np.random.default_rng(1)
    values = {"u": rng.standard_normal(2), "v": rng.standard_normal(1), "M": rng.uniform(-1, 1, (2, 2))}
    values.update(x=rng.standard_normal(2), W=rng.standard_normal((2, 2)))
    for k, program in enumerate(
        [
            "h = concat(u, v); f = sum(h[1:] * h[:2]) + sum(stack(u, x)[:, 0])",
            "A = M + 3*eye(2); f = logdet(A) + det(A) + trace(inv(A)) + max(M) - min(M)",
            "s = stack(sum(x), dot(x, x)); f = sum(leaky_relu(s - 1) * W[:, 0]) + sum(diag(x) @ W)",
        ]
    ):
        _matches(program, values, tmp_path, 200 + k)
