"""Merge and slice: concat, stack, and slicing x[1:3], W[:, 0].

A merge builds one bigger variable out of several; its backward pass *splits*
the upstream gradient, handing each input the part at its own position. That
is the lectures' `merge` module, and it is taught as its own gate pattern
("splits"). Slicing is the opposite move: the upstream gradient goes back to
the picked entries and every other entry gets 0.

A slice's parameters are its items as written: whole numbers for indices and
strings such as "1:3", ":" or "2:" for ranges, so printers show them as typed.
"""

from __future__ import annotations

import numpy as np

from . import Op, ShapeMismatch, register
from .patterns import GateContext, TypicalMistake

# ---- concat and stack


def _concat_shape(a, b, axis):
    if not a or not b:
        raise ShapeMismatch("concat joins vectors or matrices; to join numbers use stack(a, b)")
    if len(a) != len(b):
        raise ShapeMismatch("concat needs two vectors or two matrices")
    if not -len(a) <= axis < len(a):
        raise ShapeMismatch(f"axis {axis} does not exist for a {len(a)}-D value")
    axis %= len(a)
    if a[:axis] + a[axis + 1 :] != b[:axis] + b[axis + 1 :]:
        raise ShapeMismatch(f"the sizes differ along the axis that is not joined (axis {1 - axis})")
    return a[:axis] + (a[axis] + b[axis],) + a[axis + 1 :]


def _concat_vjp(g, out, a, b, need, axis):
    n = np.shape(a)[axis]
    first, second = np.split(g, [n], axis=axis)
    return [first if need[0] else None, second if need[1] else None]


def _concat_text(a, b, axis):
    n = a[axis % len(a)]
    lead = ":, " * (axis % len(a))
    return (f"grad[{lead}:{n}]", f"grad[{lead}{n}:]")


def _zero_like(t, x):
    return np.zeros(np.shape(x)) if t is None else t


def _other_part(c: GateContext) -> list:
    """The part of the upstream gradient that belongs to the other input (when the two are the same size)."""
    g = np.asarray(c.scale, dtype=float)
    own = np.shape(c.own)
    if not own or g.ndim != len(own) or g.shape[0] != 2 * own[0]:
        return []
    n = own[0]
    return [g[:n], g[n:]]


MERGE_MISTAKES = (
    TypicalMistake(
        code="other-part",
        two_inputs=True,
        wrong=_other_part,
        message="a merge splits the upstream gradient: {x} gets the part at its own position in the joined "
        "value, not the other input's part",
    ),
)


def _keyword_axis(axis: int) -> str:
    return f", axis={axis}" if axis else ""


register(
    Op(
        name="concat",
        symbol="concat",
        form="call",
        arity=2,
        int_params=1,
        keywords=("axis",),
        defaults=(0,),
        forward=lambda a, b, axis: np.concatenate([a, b], axis=axis),
        shape=_concat_shape,
        pattern="splits",
        rule="a merge (concat) splits the upstream gradient: each input gets the part at its own position",
        mistakes=MERGE_MISTAKES,
        vjp=_concat_vjp,
        vjp_text=_concat_text,
        jvp=lambda t, out, a, b, axis: np.concatenate([_zero_like(t[0], a), _zero_like(t[1], b)], axis=axis),
        jvp_text=lambda a, b, axis: f"concat(da, db{_keyword_axis(axis)})",
        latex=r"\left[{a}, {b}\right]",
        py="np.concatenate([{a}, {b}], axis={p0})",
        doc="joins two vectors (or two matrices, by rows; axis=1 by columns) into one",
    )
)


def _stack_shape(a, b):
    if a != b:
        raise ShapeMismatch("stack needs two values of the same shape")
    if len(a) > 1:
        raise ShapeMismatch("stack joins numbers or vectors (the result has at most two dimensions)")
    return (2, *a)


register(
    Op(
        name="stack",
        symbol="stack",
        form="call",
        arity=2,
        forward=lambda a, b: np.stack([a, b]),
        shape=_stack_shape,
        pattern="splits",
        rule="a merge (stack) splits the upstream gradient: the first input gets row 0, the second row 1",
        mistakes=MERGE_MISTAKES,
        vjp=lambda g, out, a, b, need: [g[0] if need[0] else None, g[1] if need[1] else None],
        vjp_text=lambda a, b: ("grad[0]", "grad[1]"),
        jvp=lambda t, out, a, b: np.stack([_zero_like(t[0], a), _zero_like(t[1], b)]),
        jvp_text=lambda a, b: "stack(da, db)",
        latex=r"\begin{{bmatrix}} {a} \\ {b} \end{{bmatrix}}",
        py="np.stack([{a}, {b}])",
        doc="two numbers as a vector, or two vectors as the rows of a matrix",
    )
)

# ---- slicing


def slice_item(start: int | None, stop: int | None) -> str:
    """A range as written: '1:3', ':', '2:', ':-1'."""
    return f"{'' if start is None else start}:{'' if stop is None else stop}"


def _key(items):
    """The numpy index for slice items."""
    key = []
    for item in items:
        if isinstance(item, str):
            start, stop = (int(p) if p else None for p in item.split(":"))
            key.append(slice(start, stop))
        else:
            key.append(item)
    return tuple(key)


def _slice_shape(a, *items):
    if len(items) > len(a):
        raise ShapeMismatch(f"{len(items)} indices given for a {'scalar' if not a else f'{len(a)}-D value'}")
    out = []
    for axis, (item, n) in enumerate(zip(items, a)):
        if isinstance(item, str):
            size = _size(item, n)
            if size == 0:
                raise ShapeMismatch(f"the range {item} picks nothing from axis {axis}, which has size {n}")
            out.append(size)
        elif not -n <= item < n:
            raise ShapeMismatch(f"index {item} is out of range for axis {axis}, which has size {n}")
    return tuple(out) + tuple(a[len(items) :])


def _slice_vjp(g, out, a, need, *items):
    grad = np.zeros(np.shape(a))
    grad[_key(items)] = g
    return [grad]


def _zeros_text(shape) -> str:
    if len(shape) == 1:
        return "[" + ", ".join(["0"] * shape[0]) + "]"
    return "[" + ", ".join([_zeros_text(shape[1:])] * shape[0]) + "]"


def _size(item: str, n: int) -> int:
    return len(range(n)[_key((item,))[0]])


def _slice_text(a, *items):
    """The gradient as a formula: each range padded back with zeros (concat), each index as a onehot."""
    items = items + (":",) * (len(a) - len(items))
    ranges = [(item, n) for item, n in zip(items, a) if isinstance(item, str)]
    shape = [_size(item, n) for item, n in ranges]
    text = "grad"
    for p, (item, n) in enumerate(ranges):
        start, stop, _ = _key((item,))[0].indices(n)
        axis = _keyword_axis(p)
        if start > 0:
            text = f"concat({_zeros_text((*shape[:p], start, *shape[p + 1 :]))}, {text}{axis})"
        if stop < n:
            text = f"concat({text}, {_zeros_text((*shape[:p], n - stop, *shape[p + 1 :]))}{axis})"
        shape[p] = n
    ints = [(axis, item % n, n) for axis, (item, n) in enumerate(zip(items, a)) if not isinstance(item, str)]
    if not ints:
        return (text,)
    if len(ints) == 2:
        (_, i, m), (_, j, n) = ints
        return (f"{text} * outer(onehot({i}, {m}), onehot({j}, {n}))",)
    axis, i, n = ints[0]
    if len(a) == 1:
        return (f"{text} * onehot({i}, {n})",)
    hot = f"onehot({i}, {n})"
    return (f"outer({hot}, {text})" if axis == 0 else f"outer({text}, {hot})",)


register(
    Op(
        name="slice",
        label="slice",
        symbol="[]",
        form="subscript",
        arity=1,
        forward=lambda a, *items: np.asarray(a)[_key(items)],
        shape=_slice_shape,
        pattern="routes",
        rule="a slice routes the upstream gradient back to the entries it picked; every other entry gets 0",
        vjp=_slice_vjp,
        vjp_text=_slice_text,
        jvp=lambda t, out, a, *items: np.asarray(t[0])[_key(items)],
        jvp_text=lambda a, *items: f"da[{', '.join(map(str, items))}]",
        latex=r"{a}_{{{index}}}",
        py="{a}[{index}]",
    )
)
