"""Leaves, moves and constants-that-appear-in-derivatives.

`var` and `const` are the graph's leaves. Transpose and indexing move entries
around without arithmetic. `ones` and `onehot` never appear in what students
type about a forward pass, but they are how derivatives are written: the
gradient of sum(x) is ones(x), the gradient of x[1] puts 1 at index 1.
"""

from __future__ import annotations

import numpy as np

from . import Op, ShapeMismatch, register, same_shape


def _leaf(*_):
    raise AssertionError("leaves are not evaluated")


register(
    Op(
        name="var",
        symbol="",
        form="leaf",
        arity=0,
        forward=_leaf,
        shape=_leaf,
        pattern="input",
        rule="an input variable collects the gradients of all its uses",
    )
)
register(
    Op(
        name="const",
        symbol="",
        form="leaf",
        arity=0,
        forward=_leaf,
        shape=_leaf,
        pattern="constant",
        rule="a constant has no gradient",
    )
)


def _transpose_shape(a):
    return tuple(reversed(a))


register(
    Op(
        name="transpose",
        label="transpose",
        symbol=".T",
        form="postfix",
        arity=1,
        forward=np.transpose,
        shape=_transpose_shape,
        pattern="moves",
        rule="a transpose moves entries, so the gradient is transposed back",
        vjp=lambda g, out, a, need: [np.transpose(g)],
        vjp_text=lambda a: ("grad.T",),
        latex=r"{a}^\top",
        jvp=lambda t, out, a: np.transpose(t[0]),
        jvp_text=lambda a: "da.T",
        py="{a}.T",
    )
)


def _normalise(index, shape):
    return tuple(i % n for i, n in zip(index, shape))


def _subscript_shape(a, *index):
    if len(index) > len(a):
        raise ShapeMismatch(f"{len(index)} indices given for a {'scalar' if not a else f'{len(a)}-D value'}")
    for axis, (i, n) in enumerate(zip(index, a)):
        if not -n <= i < n:
            raise ShapeMismatch(f"index {i} is out of range for axis {axis}, which has size {n}")
    return a[len(index) :]


def _subscript_vjp(g, out, a, need, *index):
    grad = np.zeros(np.shape(a))
    grad[index] = g
    return [grad]


def _subscript_text(a, *index):
    index = _normalise(index, a)
    if len(a) == 1:
        return (f"grad * onehot({index[0]}, {a[0]})",)
    if len(index) == 1:
        return (f"outer(onehot({index[0]}, {a[0]}), grad)",)
    return (f"grad * outer(onehot({index[0]}, {a[0]}), onehot({index[1]}, {a[1]}))",)


register(
    Op(
        name="subscript",
        label="index",
        symbol="[]",
        form="subscript",
        arity=1,
        forward=lambda a, *index: np.asarray(a)[index],
        shape=_subscript_shape,
        pattern="routes",
        rule="indexing routes the upstream gradient to the picked entry; every other entry gets 0",
        vjp=_subscript_vjp,
        vjp_text=_subscript_text,
        latex=r"{a}_{{{index}}}",
        jvp=lambda t, out, a, *index: np.asarray(t[0])[index],
        jvp_text=lambda a, *index: f"da[{', '.join(map(str, index))}]",
        py="{a}[{index}]",
    )
)


def _onehot(i, n):
    vec = np.zeros(n)
    vec[i] = 1.0
    return vec


def _onehot_shape(i, n):
    if n < 1 or not 0 <= i < n:
        raise ShapeMismatch(f"onehot({i}, {n}) needs 0 <= i < n")
    return (n,)


register(
    Op(
        name="onehot",
        variable="onehot_at",
        symbol="onehot",
        form="call",
        arity=0,
        forward=_onehot,
        shape=_onehot_shape,
        pattern="constant",
        rule="a constant has no gradient",
        vjp=lambda g, out, need, *ints: [],
        vjp_text=lambda *ints: (),
        int_params=2,
        jvp=lambda t, out, *ints: None,
        jvp_text=lambda *ints: "0",
        py="onehot({p0}, {p1})",
        py_helper="def onehot(i, n):\n    e = np.zeros(n)\n    e[i] = 1.0\n    return e",
        latex=r"e_{{{p0}}}",
        doc="the length-n vector with 1 at index i (i may be an input holding a whole number)",
    )
)
register(
    Op(
        name="ones",
        symbol="ones",
        form="call",
        arity=1,
        forward=np.ones_like,
        shape=same_shape,
        pattern="constant",
        rule="ones(x) does not change with x",
        vjp=lambda g, out, a, need: [None],
        vjp_text=lambda a: ("0",),
        jvp=lambda t, out, a: None,
        jvp_text=lambda a: "0",
        py="np.ones_like({a})",
        latex=r"\mathbf{{1}}",
        doc="an array of ones shaped like x",
    )
)


def whole_index(i, n: int) -> str | None:
    """Why `i` cannot index a length-n axis (None when it can): an index held in an input must
    be a whole number in range, checked when the value is known."""
    i = np.asarray(i, dtype=float)
    if i.shape != () or not float(i).is_integer():
        return f"an index must be one whole number, got {np.asarray(i).tolist()}"
    if not -n <= int(i) < n:
        return f"index {int(i)} is out of range for an axis of size {n}"
    return None


def _index(i) -> int:
    """The whole number an index input holds (the domain check has made sure it is one)."""
    return int(round(float(i)))


def _take_shape(a, i):
    if not a:
        raise ShapeMismatch("a scalar has no entries to index")
    if i != ():
        raise ShapeMismatch("an index is one number")
    return a[1:]


def _take_vjp(g, out, a, i, need):
    grad = None
    if need[0]:
        grad = np.zeros(np.shape(a))
        grad[_index(i)] = g
    return [grad, None]  # the index is a whole number: nudging it changes nothing, so no gradient


def _take_text(a, i):
    if len(a) == 1:
        return (f"grad * onehot(b, {a[0]})", "0")
    return (f"outer(onehot(b, {a[0]}), grad)", "0")


register(
    Op(
        name="take",
        symbol="[]",
        form="subscript",
        arity=2,
        label="index",
        forward=lambda a, i: np.asarray(a)[_index(i)],
        shape=_take_shape,
        domain=lambda a, i: whole_index(i, np.shape(a)[0]),
        pattern="routes",
        rule="indexing routes the upstream gradient to the picked entry (the one the index names); every other "
        "entry gets 0, and the index itself, a whole number, gets no gradient",
        vjp=_take_vjp,
        vjp_text=_take_text,
        jvp=lambda t, out, a, i: None if t[0] is None else np.asarray(t[0])[_index(i)],
        jvp_text=lambda a, i: "da[b]",
        latex=r"{a}_{{{b}}}",
        py="{a}[int({index})]",
    )
)


def _onehot_at(i, n):
    vec = np.zeros(n)
    vec[_index(i)] = 1.0
    return vec


def _onehot_at_shape(i, n):
    if i != ():
        raise ShapeMismatch("onehot's index is one number")
    if n < 1:
        raise ShapeMismatch(f"onehot(i, {n}) needs n >= 1")
    return (n,)


register(
    Op(
        name="onehot_at",
        symbol="onehot",
        form="call",
        arity=1,
        int_params=1,
        forward=_onehot_at,
        shape=_onehot_at_shape,
        domain=lambda i, n: whole_index(i, n),
        pattern="constant",
        rule="onehot(i, n) does not change when i is nudged: it has no gradient",
        vjp=lambda g, out, i, need, n: [None],
        vjp_text=lambda i, n: ("0",),
        jvp=lambda t, out, i, n: None,
        jvp_text=lambda i, n: "0",
        py="onehot(int({a}), {p0})",
        py_helper="def onehot(i, n):\n    e = np.zeros(n)\n    e[i] = 1.0\n    return e",
        latex=r"e_{{{a}}}",
    ),
    by_name=False,
)
