"""The engine on the lectures' worked examples, and its Python API and errors.

Expected numbers are the lectures' own (worked by hand there), recomputed
below from the closed forms where the lectures round them.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

import gradtutor
from gradtutor.errors import (
    DomainError,
    MissingValuesError,
    NameLookupError,
    NotScalarError,
    ShapeError,
    ValueInputError,
)

SIGMOID_VALUES = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
SIGMOID_EXPRESSION = "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))"
SIGMOID_FLAT = """
s0 = w0 * x0
s1 = w1 * x1
s2 = s0 + s1
s3 = s2 + w2
L = sigmoid(s3)
"""


def test_add_then_multiply():
    # f = (x + y) z at x=-2, y=5, z=-4: f = -12, grad = (-4, -4, 3)
    result = gradtutor.grad("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4})
    assert result.value == -12
    assert result.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert all(isinstance(v, float) for v in result.gradients.values())


@pytest.mark.parametrize("program", [SIGMOID_EXPRESSION, SIGMOID_FLAT, "sigmoid(w0*x0 + w1*x1 + w2)"])
def test_sigmoid_neuron(program):
    result = gradtutor.grad(program, SIGMOID_VALUES)
    # s = w0 x0 + w1 x1 + w2 = 1, so f = sigmoid(1) ~ 0.73 and df/ds = (1 - f) f ~ 0.20
    f = 1 / (1 + math.exp(-1))
    ds = (1 - f) * f
    assert result.value == pytest.approx(0.73, abs=5e-3)
    assert result.value == pytest.approx(f)
    g = result.gradients
    assert [g["w0"], g["w1"], g["w2"]] == pytest.approx([-0.20, -0.39, 0.20], abs=5e-3)
    assert [g["x0"], g["x1"]] == pytest.approx([0.39, -0.59], abs=5e-3)
    assert [g["w0"], g["w1"], g["w2"], g["x0"], g["x1"]] == pytest.approx([ds * -1, ds * -2, ds, ds * 2, ds * -3])


def test_add_and_max_with_a_branch():
    # f = (x + y) max(y, z) at (1, 2, 0): 6; y feeds both gates, so its gradient adds: 2 + 3 = 5
    result = gradtutor.grad("(x + y) * max(y, z)", {"x": 1, "y": 2, "z": 0})
    assert result.value == 6
    assert result.gradients == {"x": 2.0, "y": 5.0, "z": 0.0}


def test_squared_norm_of_a_matrix_vector_product():
    W = [[0.1, 0.5], [-0.3, 0.8]]
    x = [0.2, 0.4]
    result = gradtutor.grad("sum((W@x)^2)", {"W": W, "x": x})
    assert result.value == pytest.approx(0.116)
    np.testing.assert_allclose(result.gradients["W"], [[0.088, 0.176], [0.104, 0.208]])
    np.testing.assert_allclose(result.gradients["x"], [-0.112, 0.636])
    # the lectures' closed forms: dW = 2 q x^T, dx = 2 W^T q with q = W x
    q = np.array(W) @ np.array(x)
    np.testing.assert_allclose(result.gradients["W"], 2 * np.outer(q, x))
    np.testing.assert_allclose(result.gradients["x"], 2 * np.array(W).T @ q)
    assert gradtutor.grad("norm(W@x)^2", {"W": W, "x": x}).value == pytest.approx(0.116)


def test_a_program_given_as_text_is_parsed_once_and_a_long_one_every_time(monkeypatch):
    """A loop calling grad("x*y", ...) paid for parsing on every call, three times the gradient."""
    build_module = importlib.import_module("gradtutor.graph.build")  # the package's `build` is the function
    from gradtutor.graph.shared import SHARED_MAX

    parsed = []
    real = build_module._build
    monkeypatch.setattr(build_module, "_build", lambda source: parsed.append(source) or real(source))
    program = "once_only * y + once_only"
    for x, y in [(2.0, 3.0), (-1.0, 5.0), (4.0, 0.5)]:
        result = gradtutor.grad(program, {"once_only": x, "y": y})
        assert result.value == x * y + x and result.gradients == {"once_only": y + 1, "y": x}
    assert parsed == [program]
    long = " + ".join(["once_only"] * (SHARED_MAX // 12 + 1))  # over SHARED_MAX characters
    for _ in range(2):
        assert gradtutor.grad(long, {"once_only": 1.0}).gradients["once_only"] == long.count("once_only")
    assert parsed == [program, long, long]


def test_the_graphs_kept_by_text_are_bounded_by_their_texts_length(monkeypatch):
    """A process calling grad on ever new generated programs keeps a bounded number of characters'
    worth of graphs, the most recently used ones."""
    shared_module = importlib.import_module("gradtutor.graph.shared")
    monkeypatch.setattr(shared_module, "KEPT_CHARS", 5_000)
    texts = [" + ".join(f"bound_{k}_{n}" for n in range(40)) for k in range(30)]  # ~600 characters each
    graphs = [shared_module.shared(text) for text in texts]
    assert shared_module.kept_chars() <= 5_000
    assert shared_module.shared(texts[-1]) is graphs[-1]  # the latest is kept
    assert shared_module.shared(texts[0]) is not graphs[0]  # the oldest was let go, and is built again


def test_gradients_have_the_variables_shapes():
    rng = np.random.default_rng(0)
    values = {"W": rng.standard_normal((3, 4)), "x": rng.standard_normal(4), "b": rng.standard_normal((3, 1)), "c": 2.0}
    result = gradtutor.grad("sum(relu(W @ x + b) * c)", values)
    assert result.gradients["W"].shape == (3, 4)
    assert result.gradients["x"].shape == (4,)
    assert result.gradients["b"].shape == (3, 1)  # un-broadcast back to the column
    assert isinstance(result.gradients["c"], float)


def test_parameter_sharing_adds_gradients():
    # the same w used in two places: dJ/dw is the sum of both uses
    result = gradtutor.grad("w * x1 + w * x2", {"w": 3.0, "x1": 2.0, "x2": 5.0})
    assert result.gradients["w"] == 7.0


def test_wrt_limits_the_gradients_computed():
    result = gradtutor.grad("x * y", {"x": 2, "y": 3}, wrt=["y"])
    assert result.gradients == {"y": 2.0}
    with pytest.raises(NameLookupError, match="'yy'"):
        gradtutor.grad("x * y", {"x": 2, "y": 3}, wrt=["yy"])


def test_values_accept_numbers_lists_and_arrays():
    result = gradtutor.grad("sum(x * y) + z", {"x": [1, 2], "y": np.array([3.0, 4.0]), "z": np.float32(1)})
    assert result.value == 12.0
    assert isinstance(result.value, float)
    np.testing.assert_array_equal(result.gradients["x"], [3.0, 4.0])


def test_mean_over_a_batch_averages_the_gradients():
    # d mean(x^2)/dx = 2x / n: the gradient of an average is the average of the gradients
    x = np.array([1.0, 2.0, 3.0, 4.0])
    result = gradtutor.grad("mean(x^2)", {"x": x})
    np.testing.assert_allclose(result.gradients["x"], 2 * x / 4)


@pytest.mark.parametrize(
    "program, values, error, message",
    [
        ("x * y", {"x": 1}, MissingValuesError, "no value given for the input 'y'"),
        ("x * y * z", {"x": 1}, MissingValuesError, "inputs 'y' and 'z'"),
        ("x", {"x": 1, "X": 2}, NameLookupError, "'X', which the program does not use"),
        ("x", {"x": [[1, 2], [3]]}, ValueInputError, "different lengths"),
        ("x", {"x": "abc"}, ValueInputError, "is text"),
        ("x", {"x": np.zeros((2, 2, 2))}, ValueInputError, "3 dimensions"),
        (
            "sum(W @ x)",
            {"W": np.ones((2, 3)), "x": np.ones(2)},
            ShapeError,
            r"'@' cannot combine shapes \(2, 3\) and \(2,\)",
        ),
        ("sum(x + y)", {"x": np.ones(2), "y": np.ones(3)}, ShapeError, r"'\+' cannot combine shapes \(2,\) and \(3,\)"),
        ("x @ y", {"x": 2.0, "y": np.ones(2)}, ShapeError, "use '\\*' to scale"),
        ("log(x - 3)", {"x": 1}, DomainError, "log needs a positive input"),
        ("x / y", {"x": 1, "y": 0}, DomainError, "division by zero"),
        ("sqrt(x)", {"x": -1}, DomainError, "sqrt needs a non-negative input"),
        ("sqrt(x)", {"x": 0}, DomainError, "gradient through sqrt is not finite"),
        ("exp(x)", {"x": 1000}, DomainError, "overflowed"),
        ("x^0.5", {"x": -2}, DomainError, "fractional power"),
        ("W @ x", {"W": np.ones((2, 2)), "x": np.ones(2)}, NotScalarError, "vector of length 2"),
        ("x[3]", {"x": np.ones(3)}, ShapeError, "index 3 is out of range"),
    ],
)
def test_bad_input_raises_a_clear_error(program, values, error, message):
    with pytest.raises(error, match=message):
        gradtutor.grad(program, values)


INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize(
    "program, values, culprit",
    [
        ("x", {"x": NAN}, "x"),
        ("sum(x) * y", {"x": [1.0, INF], "y": 2.0}, "x"),  # reaches the value
        ("log(x) + y", {"x": 2.0, "y": NAN}, "y"),  # ... not a node's overflow
        ("sum(sqrt(relu(x)))", {"x": [-INF, 4.0]}, "x"),  # the value is 2, the gradient nan
        ("sum(x) + y[3]", {"x": [NAN], "y": [1.0]}, "x"),  # named before the shape error
        ("log(y - 3) + x", {"x": NAN, "y": 1.0}, "x"),  # ... and before the domain error
        ("x + y", {"x": 1.0, "y": [[INF]], "z": 1.0}, "y"),  # ... and a name the program does not use
    ],
)
def test_an_input_holding_inf_or_nan_is_named_when_anything_fails(program, values, culprit):
    with pytest.raises(ValueInputError, match=f"the value of '{culprit}' contains inf or nan"):
        gradtutor.grad(program, values)


@pytest.mark.parametrize(
    "program, values, value, gradient",
    [
        ("sum(relu(x))", {"x": [-INF, 2.0]}, 2.0, [0.0, 1.0]),
        ("x[0] * 3", {"x": [1.0, NAN]}, 3.0, [3.0, 0.0]),
        ("sum(exp(x))", {"x": [-INF, 0.0]}, 1.0, [0.0, 1.0]),
    ],
)
def test_an_inf_or_nan_that_leaves_no_trace_is_not_looked_for(program, values, value, gradient):
    """The Python API looks at the inputs only when something fails: an entry the program drops
    gives what numpy gives (the limits, here), as it would by hand. The command line refuses
    inf and nan in any value outright (tests/test_cli_grad.py)."""
    result = gradtutor.grad(program, values)
    assert result.value == value
    np.testing.assert_array_equal(result.gradients["x"], gradient)


def test_domain_errors_name_the_node_and_point_at_it():
    with pytest.raises(DomainError) as info:
        gradtutor.grad("q = x - 3\nf = log(q) * y", {"x": 1, "y": 2})
    text = info.value.render()
    assert "line 2 | f = log(q) * y" in text
    assert "^~~~~~" in text
    assert "t1 = log(q)" in text


def test_not_scalar_suggests_a_reduction():
    with pytest.raises(NotScalarError) as info:
        gradtutor.grad("W @ x", {"W": np.ones((2, 2)), "x": np.ones(2)})
    assert "sum(...)" in info.value.render()


def test_engine_never_imports_rich_or_click():
    import subprocess
    import sys

    code = (
        "import sys, gradtutor; gradtutor.grad('x*y', {'x': 1, 'y': 2}); "
        "import gradtutor.autodiff.check; "
        "print(sorted(m for m in ('rich', 'click', 'lark') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_grad_loads_only_what_it_needs():
    """Start-up matters (the bar is 1.5x `import numpy`): plain `grad` must not pull in the
    symbolic layer, the tutor, the checker or lark itself."""
    import subprocess
    import sys

    code = (
        "import sys; from gradtutor.cli import main; main(['grad', 'x*y', '--at', 'x=1', '--at', 'y=2']); "
        "print(sorted(m for m in sys.modules if m.startswith(('gradtutor.graph.expr', 'gradtutor.autodiff.symbolic', "
        "'gradtutor.teach.session', 'gradtutor.autodiff.check', 'gradtutor.teach.walk', 'lark', 'graphviz'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_an_index_held_in_an_input_picks_an_entry_and_gets_no_gradient():
    """Cross-entropy as students write it: -log(softmax(s)[y]) with the class y given as a value."""
    import gradtutor

    s = np.array([1.0, 2.0, 0.5])
    p = np.exp(s) / np.exp(s).sum()
    for y in (0, 2):
        result = gradtutor.grad("-log(softmax(s)[y])", {"s": s, "y": y})
        assert result.value == pytest.approx(-np.log(p[y]))
        np.testing.assert_allclose(result.gradients["s"], p - np.eye(3)[y])
        assert result.gradients["y"] == 0.0
    rows = gradtutor.grad("sum(W[i] * x)", {"W": np.arange(6.0).reshape(2, 3), "i": 1, "x": np.ones(3)})
    np.testing.assert_allclose(rows.gradients["W"], [[0, 0, 0], [1, 1, 1]])


@pytest.mark.parametrize("y, message", [(1.5, "one whole number"), (3, "out of range"), (-4, "out of range")])
def test_an_index_input_must_hold_a_whole_number_in_range(run, y, message):
    result = run("grad", "-log(softmax(s)[y])", "--at", "s=[1,2,0.5]", "--at", f"y={y}")
    assert result.exit_code == 2 and message in result.stderr


def test_onehot_takes_an_index_input_too(run):
    import gradtutor

    result = gradtutor.grad("sum((softmax(s) - onehot(y, 3)) * s)", {"s": np.array([1.0, 2.0, 0.5]), "y": 2})
    assert result.gradients["y"] == 0.0
    assert run("grad", "sum(onehot(y, 3))", "--at", "y=3").exit_code == 2
