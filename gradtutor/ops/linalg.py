"""Vector and matrix operations: @, dot, outer, norm (transpose lives in structure.py).

These are not elementwise, so each gives its vector-Jacobian product directly:
the gradient of the output arrives with the output's shape and leaves with each
input's shape (the shape convention), without building the Jacobian.
"""

from __future__ import annotations

import numpy as np

from . import Op, ShapeMismatch, register, scalar_shape


def _matmul_shape(a, b):
    if not a or not b:
        raise ShapeMismatch("'@' needs vectors or matrices on both sides; use '*' to scale by a number")
    inner_a = a[-1]
    inner_b = b[0]
    if inner_a != inner_b:
        raise ShapeMismatch(f"the inner sizes differ ({inner_a} and {inner_b})")
    return a[:-1] + b[1:]


def _matmul_vjp(g, out, a, b, need):
    da = db = None
    if a.ndim == 1 and b.ndim == 1:
        da, db = (g * b if need[0] else None), (g * a if need[1] else None)
    elif b.ndim == 1:
        da, db = (np.outer(g, b) if need[0] else None), (a.T @ g if need[1] else None)
    elif a.ndim == 1:
        da, db = (b @ g if need[0] else None), (np.outer(a, g) if need[1] else None)
    else:
        da, db = (g @ b.T if need[0] else None), (a.T @ g if need[1] else None)
    return [da, db]


def _matmul_text(a, b):
    if len(a) == 1 and len(b) == 1:
        return ("grad * b", "grad * a")
    if len(b) == 1:
        return ("outer(grad, b)", "a.T @ grad")
    if len(a) == 1:
        return ("b @ grad", "outer(a, grad)")
    return ("grad @ b.T", "a.T @ grad")


def _z(t, like):
    return np.zeros(np.shape(like)) if t is None else t


register(
    Op(
        name="matmul",
        title="matrix product",
        symbol="@",
        form="infix",
        arity=2,
        forward=np.matmul,
        shape=_matmul_shape,
        pattern="matrix product",
        rule="for A @ B, A's gradient is the upstream gradient times B transposed, "
        "and B's is A transposed times the upstream gradient (outer products for vectors)",
        vjp=_matmul_vjp,
        vjp_text=_matmul_text,
        latex=r"{a} {b}",
        jvp=lambda t, out, a, b: _z(t[0], a) @ b + a @ _z(t[1], b),
        jvp_text=lambda a, b: "da@b + a@db",
        py="{a} @ {b}",
    )
)


def _vectors(name):
    def shape(a, b):
        if len(a) != 1 or len(b) != 1:
            raise ShapeMismatch(f"{name} takes two vectors")
        if name == "dot" and a != b:
            raise ShapeMismatch(f"the vectors have different lengths ({a[0]} and {b[0]})")
        return () if name == "dot" else (a[0], b[0])

    return shape


register(
    Op(
        name="dot",
        doc="the dot product of two vectors",
        symbol="dot",
        form="call",
        arity=2,
        forward=np.dot,
        shape=_vectors("dot"),
        pattern="swaps",
        rule="dot(u, v) = sum of u*v, so u's gradient is the upstream gradient times v, and v's is times u",
        vjp=lambda g, out, a, b, need: [g * b if need[0] else None, g * a if need[1] else None],
        vjp_text=lambda a, b: ("grad * b", "grad * a"),
        latex=r"{a}^\top {b}",
        jvp=lambda t, out, a, b: np.dot(_z(t[0], a), b) + np.dot(a, _z(t[1], b)),
        jvp_text=lambda a, b: "dot(da, b) + dot(a, db)",
        py="np.dot({a}, {b})",
    )
)
register(
    Op(
        name="outer",
        doc="the outer product of two vectors: a matrix",
        symbol="outer",
        form="call",
        arity=2,
        forward=np.outer,
        shape=_vectors("outer"),
        pattern="swaps",
        rule="outer(u, v)[i, j] = u[i]*v[j], so u's gradient is G @ v and v's is u @ G",
        vjp=lambda g, out, a, b, need: [g @ b if need[0] else None, a @ g if need[1] else None],
        vjp_text=lambda a, b: ("grad @ b", "a @ grad"),
        latex=r"{a} {b}^\top",
        jvp=lambda t, out, a, b: np.outer(_z(t[0], a), b) + np.outer(a, _z(t[1], b)),
        jvp_text=lambda a, b: "outer(da, b) + outer(a, db)",
        py="np.outer({a}, {b})",
    )
)


def _norm_vjp(g, out, a, need):
    if out == 0:  # no slope at the origin; use 0, as abs'(0) = 0
        return [np.zeros_like(a)]
    return [g * a / out]


register(
    Op(
        name="norm",
        doc="the L2 (Frobenius) norm",
        symbol="norm",
        form="call",
        arity=1,
        forward=lambda a: np.sqrt(np.sum(a * a)),
        shape=scalar_shape,
        pattern="scales",
        rule="norm(x) = sqrt(sum(x^2)), so its gradient is x / norm(x): the direction of x",
        vjp=_norm_vjp,
        vjp_text=lambda a: ("grad * a / out",),
        latex=r"\left\lVert {a} \right\rVert",
        jvp=lambda t, out, a: np.sum(a * t[0]) / out if out else np.zeros(()),
        jvp_text=lambda a: "sum(a*da)/out",
        py="np.linalg.norm({a})",
    )
)
