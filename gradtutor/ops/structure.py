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
        doc="the length-n vector with 1 at index i",
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
