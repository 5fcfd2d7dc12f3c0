"""`grad` holds less: what no backward rule reads goes during the forward pass, and dead
buffers take elementwise results in place (autodiff/reads.py and spare.py).

The value and the gradients must be bit for bit those of a forward and a backward pass
that keep everything, with the inputs untouched and no second sweep (a dropped value
that was read after all would give nan, and grad would sweep again). tracemalloc sees
numpy's buffers, so the memory held at once can be held to numpy's by hand.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import gradtutor
from gradtutor import budget
from gradtutor.autodiff import reverse
from gradtutor.errors import DomainError
from gradtutor.graph import build

# 300 x 300 = 90,000 entries: over the size from which values are dropped and buffers reused
SHAPES = {"W1": (300, 40), "V": (300, 40), "X": (40, 300), "b1": (300, 1), "W2": (10, 300), "b2": (10, 1)}
SHAPES.update({"T": (10, 300), "Y": (300, 300)})
MLP = "mean((W2 @ relu(W1 @ X + b1) + b2 - T)^2)"
PROGRAMS = [
    MLP,
    "sum(tanh(W1 @ X + b1) * 2)",
    "sum(sigmoid(W1 @ X - b1))",  # sigmoid reads its input and its value
    "t = W1 @ X; sum(t + 1) + sum(t * 2)",  # t has a later reader
    "sum(log(sigmoid(W1 @ X)))",  # a stable pair reads W1 @ X from the log, two levels up
    "sum(log(softmax(W1 @ X)[0]))",  # ... and three levels up
    "sum((W1 @ X).T + W1 @ X)",  # a transpose is a view
    "u = W1 @ X; sum(u + u.T)",  # ... so u, dead after the sum, is no buffer to write it into
    "sum(relu(relu(W1 @ X - 1) + 2) * Y)",  # each relu's gradient written into the one before
    "sum(-(W1 @ X) - b1)",
    "sum(relu(W1 @ X + V @ X))",  # the sum hands one gradient to both products
    "sum(relu(relu(W1 @ X) + relu(V @ X)) * Y)",  # ... to both relus: neither may write into it
    "u = W1 @ X; sum(relu(u + u))",  # one buffer is both operands
    "sum(max(W1 @ X, 0) * (W1 @ X))",
    "mean(exp(W1 @ X / 100) + W1 @ X)",
    "sum((W1 @ X + b1) * (W1 @ X - b1))",
    "sum(relu(W1 @ X + b1) + relu(W1 @ X + b1) * 2)",
    # column-major values (u) must not take row-major results, nor the other way round: summed
    # in another order later, the last bits would differ
    "u = (W1 @ X).T + Y.T; sum(tanh(u)) + sum((u + Y) * b1)",
    "u = (W1 @ X).T + Y.T; sum(relu(u) * Y) + sum(u + Y)",
    # a stable pair's gradient reads Z on the way back, though softmax, sigmoid, relu and tanh do not
    "Z = W1 @ X; sum(log(softmax(Z)[0])) + sum(relu(Z))",
    "Z = W1 @ X; sum(log(sigmoid(Z))) + sum(tanh(Z))",
]


def _values(graph, seed=0):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(SHAPES[name]) / 4 for name in graph.variables}


@pytest.mark.parametrize("program", PROGRAMS)
def test_grad_is_the_sweep_that_keeps_everything_bit_for_bit(program, monkeypatch):
    """Twice: the first call works out what to drop, the second replays it."""
    graph = build(program)
    values = _values(graph)
    before = {name: value.copy() for name, value in values.items()}
    kept = reverse.forward(graph, values)
    reverse.backward(kept)
    passes = []
    forward = reverse.forward
    monkeypatch.setattr(reverse, "forward", lambda *args, **kw: passes.append(kw) or forward(*args, **kw))
    for call in range(2):
        result = gradtutor.grad(graph, values)
        assert passes == [{"release": True}] * (call + 1)  # one sweep a call: nothing dropped was read
        assert result.value == kept.value
        for name, i in graph.variables.items():
            assert np.array_equal(result.gradients[name], kept.gradient(i)), name
            assert np.array_equal(values[name], before[name]), f"{name} was written into"


def test_what_is_dropped_is_worked_out_again_at_other_shapes():
    """At a batch of 4, nothing is large enough to drop; at 300, W1 @ X is. The same graph, called
    at each in turn, gives the keep-everything sweep's bits every time."""
    graph = build(MLP)
    small = {name: value[..., :4] if name in ("X", "T") else value for name, value in _values(graph).items()}
    gradtutor.grad(graph, small)
    assert reverse.forward(graph, _values(graph), release=True).values[3].strides == (0, 0)  # W1 @ X
    for values in (_values(graph), small, _values(graph, seed=1), small):
        kept = reverse.forward(graph, values)
        reverse.backward(kept)
        result = gradtutor.grad(graph, values)
        assert result.value == kept.value
        for name, i in graph.variables.items():
            assert np.array_equal(result.gradients[name], kept.gradient(i)), name


def test_the_forward_pass_drops_what_no_rule_reads_and_keeps_the_rest():
    graph = build(MLP)
    evaluation = reverse.forward(graph, _values(graph), release=True)
    by_op: dict[str, int] = {}
    for i, node in enumerate(graph.nodes):
        by_op.setdefault(node.op.name, i)  # the first: the hidden layer's
    hidden = graph.nodes[by_op["relu"]].inputs[0]  # W1 @ X + b1, read by relu, whose mask reads relu's value
    product = graph.nodes[hidden].inputs[0]  # W1 @ X, read only by + b1, which reads nothing
    for dropped in (evaluation.values[product], evaluation.values[hidden]):
        assert dropped.shape == (300, 300) and dropped.strides == (0, 0) and np.isnan(dropped).all()
    kept = evaluation.values[by_op["relu"]]  # @ reads relu's value, and so does relu's own rule
    assert kept.strides != (0, 0) and np.isfinite(kept).all()


def _peak(call) -> int:
    call()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_mlp_gradient_holds_a_layer_less_at_once_than_numpy_by_hand():
    """By hand, numpy writes `W1 @ X + b1` and `(W2.T @ dp) * mask` into their temporaries; grad
    does as well, and writes relu's value over the sum, whose mask it reads from relu's value (it
    held five hidden layers at once, then three and a mask, now two and a mask). The slack, a
    tenth of a layer, is for Python's own objects, which tracemalloc counts too."""
    graph = build(MLP)
    v = _values(graph)

    def by_hand():
        z = v["W1"] @ v["X"] + v["b1"]
        h = np.maximum(z, 0.0)
        d = v["W2"] @ h + v["b2"] - v["T"]
        dp = (2.0 / d.size) * d
        dz = (v["W2"].T @ dp) * (z > 0)
        return np.mean(d * d), dp @ h.T, dp.sum(axis=1, keepdims=True), dz @ v["X"].T, dz.sum(axis=1, keepdims=True)

    layer = 300 * 300 * 8
    assert _peak(lambda: gradtutor.grad(graph, v)) <= _peak(by_hand) - layer + layer // 10


@pytest.mark.parametrize(
    "program, culprit",
    [
        ("sum(exp(W1 @ X + b1))", "exp"),  # W1 @ X is dropped (as nan) before exp overflows
        ("sum(relu(W1 @ X + b1))", "@"),  # the dropped value itself overflows
    ],
)
def test_an_overflow_is_blamed_on_the_node_where_it_started(program, culprit):
    graph = build(program)
    values = _values(graph)
    values["W1"][0], values["X"][:, 0] = (1e308, 4.0) if culprit == "@" else (40.0, 40.0)
    with pytest.raises(DomainError) as kept:
        reverse.forward(graph, values)
    with pytest.raises(DomainError) as swept:
        gradtutor.grad(graph, values)
    assert "overflowed" in str(kept.value) and culprit in str(kept.value.hint)
    assert (str(swept.value), swept.value.span, swept.value.hint) == (str(kept.value), kept.value.span, kept.value.hint)


def test_an_override_is_never_written_into():
    """An override (the tutor's what-if) is the caller's array, though it stands for a node: with it
    the forward pass keeps everything, as the plain one does, even when asked to release."""
    graph = build("sum(relu(W1 @ X + b1))")
    values = _values(graph)
    product = graph.nodes[[node.op.name for node in graph.nodes].index("add")].inputs[0]
    override = np.ones((300, 300))
    evaluation = reverse.forward(graph, values, overrides={product: override}, release=True)
    assert np.array_equal(override, np.ones((300, 300)))
    assert evaluation.values[product] is override


def test_a_value_dropped_though_read_gives_the_right_gradients_not_nan(monkeypatch):
    """Should the op table ever say a rule reads less than it does, the dropped value's nan
    placeholder makes the gradient nan; grad then sweeps again keeping every value and returns
    those gradients (before, it swept again only to blame, and returned the nan ones)."""
    from gradtutor.autodiff import reads

    graph = build("sum(exp(W1 * 2) + W1)")
    values = {"W1": np.random.default_rng(4).standard_normal((300, 300)) / 4}
    kept = reverse.forward(graph, values)
    reverse.backward(kept)
    monkeypatch.setattr(reads, "reads", lambda op, shapes, params=(): (False,) * (len(shapes) + 1))
    monkeypatch.setattr(reads, "_PLANS", type(reads._PLANS)())
    result = gradtutor.grad(graph, values)
    assert np.array_equal(result.gradients["W1"], kept.gradient(graph.variables["W1"]))


def test_an_overflow_too_big_to_sweep_again_blames_where_it_started_not_a_dropped_value():
    """With no room for the keep-everything pass, the overflow is blamed from what the pass that
    let values go left: a dropped value's nan stand-in must not be taken for the first overflow."""
    graph = build("a = x + 1\nb = a + 1\nc = exp(b * 1000)\nsum(c)")
    x = np.ones(70_000)
    one_pass = reverse.forward(build("a = x + 1\nb = a + 1\nc = exp(b * 0)\nsum(c)"), {"x": x}).work
    for headroom in (10**12, int(one_pass * 1.5)):
        with budget.scope():
            budget.charge(budget.work_limit() - headroom)
            with pytest.raises(DomainError) as caught:
                gradtutor.grad(graph, {"x": x})
        assert "c = exp(t1)" in caught.value.render(), headroom


def test_an_overflow_blamed_from_what_was_left_says_it_may_have_started_earlier():
    """relu writes over the sum it is made from, so with no room to sweep again the first inf left
    to see is relu's, which only passed on the product's: the message must not say relu made it."""
    graph = build("sum(relu(W1 @ X + b1))")
    big = {"W1": np.full((300, 40), 1e300), "X": np.full((40, 300), 1e10), "b1": np.ones((300, 1))}
    one_pass = reverse.forward(graph, {k: np.ones(v.shape) for k, v in big.items()}).work
    messages = []
    for headroom in (10**12, int(one_pass * 1.5)):
        with budget.scope():
            budget.charge(budget.work_limit() - headroom)
            with pytest.raises(DomainError) as caught:
                gradtutor.grad(graph, big)
        messages.append(caught.value.render())
    assert "t1 = W1 @ X" in messages[0] and "earlier one" not in messages[0]  # room to look: the product
    assert "t3 = relu(t2)" in messages[1] and "at an earlier one whose value was let go" in messages[1]
