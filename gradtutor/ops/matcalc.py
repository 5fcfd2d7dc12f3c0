"""Matrix calculus: trace, det, inv, logdet, and the matrices their rules (and Jacobians) use: eye(n), diag(v).

Each is a function of a whole square matrix, so each gives a vector-Jacobian
product in the shape convention: the gradient of a scalar with respect to a
matrix is a matrix of the same shape. The classic results, which the tests
check against central differences:

* d trace(A) = trace(dA), so the gradient is the identity;
* d det(A) = det(A) trace(A^-1 dA), so the gradient is det(A) A^-T;
* d A^-1 = -A^-1 dA A^-1, so the gradient is -A^-T G A^-T;
* d log det(A) = trace(A^-1 dA), so the gradient is A^-T.
"""

from __future__ import annotations

import numpy as np

from . import Op, ShapeMismatch, register


def _square(name: str, scalar: bool):
    def shape(a):
        if len(a) != 2 or a[0] != a[1]:
            raise ShapeMismatch(f"{name} takes a square matrix")
        return () if scalar else a

    return shape


def _positive_det(a):
    sign, _ = np.linalg.slogdet(a)
    if sign <= 0:
        return "logdet needs a matrix with a positive determinant"
    return None


def _invertible(a):
    if np.linalg.cond(a) > 1e14:
        return "inv needs an invertible matrix; this one is singular (or nearly)"
    return None


def _inv_t(a):
    return np.linalg.inv(a).T


register(
    Op(
        name="trace",
        doc="the sum of the diagonal of a square matrix",
        symbol="trace",
        form="call",
        arity=1,
        forward=np.trace,
        shape=_square("trace", scalar=True),
        pattern="distributes",
        rule="trace adds up the diagonal, so it hands the upstream gradient to each diagonal entry and 0 to "
        "the others: the identity matrix times the upstream gradient",
        vjp=lambda g, out, a, need: [g * np.eye(a.shape[0])],
        vjp_text=lambda a: (f"grad * eye({a[0]})",),
        jvp=lambda t, out, a: np.trace(t[0]),
        jvp_text=lambda a: "trace(da)",
        latex=r"\operatorname{{tr}}\left({a}\right)",
        py="np.trace({a})",
    )
)
register(
    Op(
        name="det",
        doc="the determinant of a square matrix",
        symbol="det",
        form="call",
        arity=1,
        forward=np.linalg.det,
        shape=_square("det", scalar=True),
        pattern="matrix calculus",
        rule="the gradient of det(A) is det(A) times inv(A).T (Jacobi's formula)",
        vjp=lambda g, out, a, need: [g * out * _inv_t(a)],
        vjp_text=lambda a: ("grad * out * inv(a).T",),
        jvp=lambda t, out, a: out * np.trace(np.linalg.solve(a, t[0])),
        jvp_text=lambda a: "out * trace(inv(a) @ da)",
        latex=r"\det\left({a}\right)",
        py="np.linalg.det({a})",
    )
)
register(
    Op(
        name="inv",
        doc="the inverse of a square matrix",
        symbol="inv",
        form="call",
        arity=1,
        forward=np.linalg.inv,
        shape=_square("inv", scalar=False),
        domain=_invertible,
        pattern="matrix calculus",
        rule="for B = inv(A), A's gradient is -B.T @ G @ B.T: the upstream gradient wrapped in the "
        "transposed inverse on both sides, negated",
        vjp=lambda g, out, a, need: [-(out.T @ g @ out.T)],
        vjp_text=lambda a: ("-(out.T @ grad @ out.T)",),
        jvp=lambda t, out, a: -(out @ t[0] @ out),
        jvp_text=lambda a: "-(out @ da @ out)",
        latex=r"{a}^{{-1}}",
        py="np.linalg.inv({a})",
    )
)
register(
    Op(
        name="logdet",
        doc="log(det(A)) of a matrix with a positive determinant, computed stably",
        symbol="logdet",
        form="call",
        arity=1,
        forward=lambda a: np.linalg.slogdet(a)[1],
        shape=_square("logdet", scalar=True),
        domain=_positive_det,
        pattern="matrix calculus",
        rule="the gradient of logdet(A) is inv(A).T: det's gradient divided by det",
        vjp=lambda g, out, a, need: [g * _inv_t(a)],
        vjp_text=lambda a: ("grad * inv(a).T",),
        jvp=lambda t, out, a: np.trace(np.linalg.solve(a, t[0])),
        jvp_text=lambda a: "trace(inv(a) @ da)",
        latex=r"\log\det\left({a}\right)",
        py="np.linalg.slogdet({a})[1]",
    )
)


def _diag_shape(a):
    if len(a) != 1:
        raise ShapeMismatch("diag takes a vector and puts it on the diagonal of a square matrix")
    return (a[0], a[0])


register(
    Op(
        name="diag",
        symbol="diag",
        form="call",
        arity=1,
        forward=np.diag,
        shape=_diag_shape,
        pattern="moves",
        rule="diag(v) places v on a diagonal, so v's gradient is the diagonal of the upstream gradient",
        vjp=lambda g, out, a, need: [np.diagonal(g).copy()],
        vjp_text=lambda a: (f"sum(grad * eye({a[0]}), 1)",),
        jvp=lambda t, out, a: np.diag(t[0]),
        jvp_text=lambda a: "diag(da)",
        latex=r"\operatorname{{diag}}\left({a}\right)",
        py="np.diag({a})",
        doc="the square matrix with the vector v on its diagonal: a Jacobian such as diag(f'(z))",
    )
)


def _eye_shape(n):
    if n < 1:
        raise ShapeMismatch(f"eye({n}) needs n >= 1")
    return (n, n)


register(
    Op(
        name="eye",
        symbol="eye",
        form="call",
        arity=0,
        int_params=1,
        forward=lambda n: np.eye(n),
        shape=_eye_shape,
        pattern="constant",
        rule="a constant has no gradient",
        vjp=lambda g, out, need, *ints: [],
        vjp_text=lambda *ints: (),
        jvp=lambda t, out, *ints: None,
        jvp_text=lambda *ints: "0",
        latex=r"I_{{{p0}}}",
        py="np.eye({p0})",
        doc="the n×n identity matrix",
    )
)
