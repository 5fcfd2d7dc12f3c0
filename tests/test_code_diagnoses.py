"""Code exercises: a correct file passes, and each typical bug is named by its stable code.

Every test runs the file in a real child process, as a student's check does; the
references are gradtutor's engine, and the expected gradients in the fixtures were
written by hand from the lectures' rules.
"""

from __future__ import annotations

import pytest
from code_helpers import check, codes, problem

AFFINE = """
def affine_forward(x, W, b):
    return x @ W + b, (x, W, b)


def affine_backward(dout, cache):
    x, W, b = cache
    return {dx}, {dW}, {db}
"""


def affine(dx="dout @ W.T", dW="x.T @ dout", db="dout.sum(axis=0)"):
    return AFFINE.format(dx=dx, dW=dW, db=db)


def test_a_correct_layer_passes_on_every_shape_case(tmp_path):
    report = check(tmp_path, "code/affine-layer", affine())
    assert report.status == "right" and report.exit_code == 0
    assert [r.name for r in report.rows] == ["out", "dx", "dW", "db", "inputs unchanged"]
    assert "N=1, D=3, M=2" in report.cases  # batch size 1 and non-square matrices
    assert report.seconds < 5


def test_flat_code_names_the_first_wrong_line(tmp_path):
    source = problem("code/neuron-flat").code.solution.replace("grad_L * (1 - L) * L", "grad_L * L")
    report = check(tmp_path, "code/neuron-flat", source)
    assert report.exit_code == 1
    first = report.first_wrong
    assert first.name == "grad_s3" and [m.code for m in first.mistakes] == ["output-for-local"]
    assert source.lstrip("\n").splitlines()[first.line - 1].strip().startswith("grad_s3 =")
    later = next(r for r in report.rows if r.name == "grad_x0")
    assert not later.ok and later.follows.startswith(f"line {first.line}")


def test_equals_where_plus_equals_was_needed_is_a_missed_branch(tmp_path):
    source = problem("code/branch-flat").code.solution.replace("grad_y += grad_a * x", "grad_y = grad_a * x")
    report = check(tmp_path, "code/branch-flat", source)
    assert codes(report) == {"grad_y": ["missed-branch"]}
    message = next(r for r in report.rows if r.name == "grad_y").mistakes[0].message
    assert "through s = y + z" in message  # the branch the = threw away
    assert "use += so the branches add" in message


@pytest.mark.slow
@pytest.mark.parametrize(
    "key, source, expected",
    [
        ("code/affine-layer", affine(dx="x.T @ dout", dW="dout @ W.T"), {"dx": ["swapped"], "dW": ["swapped"]}),
        ("code/affine-layer", affine(db="dout"), {"db": ["batch-sum"]}),
        ("code/affine-layer", affine(dW="dout.T @ x"), {"dW": ["transposed"]}),
        ("code/affine-layer", affine(dx="-(dout @ W.T)"), {"dx": ["sign"]}),
        (
            "code/relu-layer",
            "import numpy as np\ndef relu_forward(x):\n    return np.maximum(0, x), x\n"
            "def relu_backward(dout, x):\n    dout[x <= 0] = 0\n    return dout\n",
            {"inputs unchanged": ["in-place"]},
        ),
        (
            "code/relu-layer",
            "import numpy as np\ndef relu_forward(x):\n    return np.maximum(0, x), x\n"
            "def relu_backward(dout, x):\n    return dout.copy()\n",
            {"dx": ["forgot-local"]},
        ),
        (
            "code/relu-layer",
            "import numpy as np\ndef relu_forward(x):\n    return np.maximum(0, x), x\n"
            "def relu_backward(dout, x):\n    return dout * np.nan\n",
            {"dx": ["nan"]},
        ),
        (
            "code/l2-loss",
            "import numpy as np\ndef l2_loss(yhat, y):\n    d = yhat - y\n"
            "    dy = np.zeros(d.shape, dtype=int)\n    dy[:] = 2 * d / len(d)\n    return np.sum(d**2) / len(d), dy\n",
            {"dyhat": ["dtype"]},  # (and zero where the fractions were cut off)
        ),
        (
            "code/l2-loss",
            "import numpy as np\ndef l2_loss(yhat, y):\n    d = yhat - y\n    return np.sum(d**2) / len(d), 2 * d\n",
            {"dyhat": ["factor"]},
        ),
        (
            "code/svm-loss",
            problem("code/svm-loss").code.solution.replace(" + 2 * reg * W", ""),
            {"dW": ["missed-branch"]},
        ),
        (
            "code/two-layer-net",
            problem("code/two-layer-net").code.solution.replace(" * (Z > 0)", ""),
            {"dW1": ["forgot-local"], "db1": ["forgot-local"]},
        ),
        (
            "code/l2-loss",
            "def l2_loss(yhat, y):\n    d = yhat - y\n    return (d**2).sum() / len(d), None\n",
            {"dyhat": ["missing"]},
        ),
    ],
)
def test_each_typical_bug_is_named(tmp_path, key, source, expected):
    report = check(tmp_path, key, source)
    assert report.exit_code == 1
    assert {row: found[:1] for row, found in codes(report).items()} == expected


GATES = """
class MultiplyGate:
    def __init__(self):
        self.stash = []

    def forward(self, x, y):
        self.stash.append((x, y))
        return x * y

    def backward(self, dz):
        x, y = self.stash.pop()
        return {mul}


class AddGate:
    def forward(self, x, y):
        return x + y

    def backward(self, dz):
        return {add}
"""


def test_a_gate_reused_with_one_stash_is_a_stale_cache(tmp_path):
    source = """
    class MultiplyGate:
        def forward(self, x, y):
            self.x, self.y = x, y
            return x * y

        def backward(self, dz):
            return dz * self.y, dz * self.x


    class AddGate:
        def forward(self, x, y):
            return x + y

        def backward(self, dz):
            return dz, dz
    """
    report = check(tmp_path, "code/gates-add-mul", source)
    wrong = codes(report)
    assert wrong["MultiplyGate: q = x * y"] == ["stale-cache"]
    assert "MultiplyGate: f = r * x" not in wrong  # the last call's stash is still its own


@pytest.mark.slow
@pytest.mark.parametrize(
    "mul, add, row, code",
    [
        ("dz * x, dz * y", "dz, dz", "MultiplyGate: q = x * y", "swap"),
        ("dz * y, dz * x", "dz / 2, dz / 2", "AddGate: r = q + z", "split"),
        ("y, x", "dz, dz", "MultiplyGate: q = x * y", "forgot-upstream"),
    ],
)
def test_gate_mistakes_are_named_at_the_gate(tmp_path, mul, add, row, code):
    report = check(tmp_path, "code/gates-add-mul", GATES.format(mul=mul, add=add))
    assert codes(report)[row] == [code]


@pytest.mark.slow
def test_max_routes_and_sigmoid_slopes(tmp_path):
    routed = problem("code/gates-max").code.solution.replace(
        "(dz, 0.0) if x >= y else (0.0, dz)", "(0.0, dz) if x > y else (dz, 0.0)"
    )
    assert "route" in sum(codes(check(tmp_path, "code/gates-max", routed)).values(), [])
    slope = problem("code/gates-sigmoid").code.solution.replace("dz * (1 - out) * out", "dz * out")
    assert codes(check(tmp_path, "code/gates-sigmoid", slope))["SigmoidGate: L = sigmoid(s3)"] == ["output-for-local"]


@pytest.mark.slow
def test_ties_accept_either_side(tmp_path):
    """On a tie of max, routing to either input (or splitting) is a valid subgradient."""
    for rule in ("(dz, 0.0) if x >= y else (0.0, dz)", "(dz, 0.0) if x > y else (0.0, dz)"):
        source = problem("code/gates-max").code.solution.replace("(dz, 0.0) if x >= y else (0.0, dz)", rule)
        assert check(tmp_path, "code/gates-max", source).status == "right", rule
    at_zero = "import numpy as np\ndef relu_forward(x):\n    return np.maximum(0, x), x\ndef relu_backward(dout, x):\n"
    assert check(tmp_path, "code/relu-layer", at_zero + "    return dout * (x >= 0)\n").status == "right"
