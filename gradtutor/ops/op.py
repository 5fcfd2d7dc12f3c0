"""One entry of the op table: everything gradtutor knows about one operation.

An entry holds four stories about its operation, side by side:

* the maths: forward function, shape rule, domain, kinks (`branch`);
* the derivative, twice: as numbers for the engine (`local` for elementwise
  ops, otherwise `vjp`/`jvp`) and as formulas in gradtutor's own language
  (`local_text`, `vjp_text`, `jvp_text`) for hints, symbolic gradients and
  flat code; the table tests keep each pair in agreement;
* the teaching: the gate's label, its gradient-flow pattern and rule (and
  the ones it follows when an operand is a constant); the typical mistakes
  come with the pattern (ops/patterns.py);
* the printing: how it is spelled (language/syntax.py gives the binding
  power), in LaTeX and in numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..language.syntax import precedence
from .patterns import TypicalMistake, typical_mistakes

Shape = tuple[int, ...]
Array = np.ndarray
# A local derivative: a constant (1 or -1, the engine passes the gradient through
# without multiplying) or a function of (inputs..., out).
Local = int | Callable[..., Array]


class Op:
    """One operation. (A plain slotted class: a dataclass this size costs ~2 ms to define,
    and every start-up of `gradtutor grad` pays for it.)"""

    __slots__ = (
        "name",
        "symbol",
        "form",
        "arity",
        "int_params",
        "keywords",
        "defaults",
        "forward",
        "scalar",
        "shape",
        "domain",
        "branch",
        "composed",
        "kink",
        "variable",
        "local",
        "local_reads",
        "local_text",
        "in_place",
        "vjp",
        "vjp_text",
        "jvp",
        "jvp_text",
        "label",
        "title",
        "gate",
        "pattern",
        "rule",
        "with_constant",
        "mistakes",
        "precedence",
        "latex",
        "py",
        "py_helper",
        "doc",
    )

    def __init__(
        self,
        *,
        name: str,
        symbol: str,
        form: str,
        arity: int,
        forward: Callable[..., Array],
        shape: Callable[..., Shape],
        scalar: Callable[..., Any] | None = None,
        pattern: str,
        rule: str,
        int_params: int = 0,
        keywords: tuple[str, ...] = (),
        defaults: tuple[int, ...] = (),
        domain: Callable[..., str | None] | None = None,
        branch: Callable[..., Array] | None = None,
        kink: str = "",
        variable: str = "",
        composed: dict[str, tuple[Callable[..., Array], Callable[..., Array], Callable[..., str]]] | None = None,
        local: tuple[Local, ...] = (),
        local_reads: tuple[str, ...] | None = None,
        local_text: tuple[str, ...] = (),
        in_place: bool | None = None,
        vjp: Callable[..., list] | None = None,
        vjp_text: Callable[..., tuple[str, ...]] | None = None,
        jvp: Callable[..., Array] | None = None,
        jvp_text: Callable[..., str] | None = None,
        label: str = "",
        title: str = "",
        gate: tuple[str, str] | None = None,
        with_constant: tuple[str, str] | None = None,
        mistakes: tuple[TypicalMistake, ...] = (),
        latex: str = "",
        py: str = "",
        py_helper: str = "",
        doc: str = "",
    ) -> None:
        self.name = name  # unique: 'add', 'sin', 'matmul'
        self.symbol = symbol  # how it is written: '+', 'sin', '@', '.T'
        self.form = form  # 'infix' | 'prefix' | 'postfix' | 'call' | 'subscript' | 'leaf'
        self.arity = arity
        self.int_params = int_params  # trailing arguments that are whole-number constants: sum(x, 1)
        self.keywords = keywords  # their names, so they may be written sum(x, axis=1)
        self.defaults = defaults  # values of the last few when left out: keepdims=0
        self.forward = forward
        # the same on float64 scalars with Python's operator (a + b): the same IEEE result and type,
        # in a twentieth of a ufunc call's time, which a program of 100,000 scalar nodes feels
        self.scalar = scalar
        self.shape = shape  # output shape from input shapes; raises ShapeMismatch
        self.domain = domain  # a message when the inputs are outside the domain
        self.branch = branch  # changes value when an input crosses a kink
        self.kink = kink  # where branch is 0 there is no derivative: the slope gradtutor uses there
        self.variable = variable  # the op this becomes when its first whole-number argument is a name
        # op(inner(x)) computed from x directly where two steps would lose precision (autodiff/composed.py):
        # inner op name -> (value from x, VJP from (g, x), VJP text from x's shape); log(sigmoid(x)) = -softplus(-x)
        self.composed = composed or {}
        self.local = local  # elementwise: d out / d input_i, numerically
        # of a, b and out, what those numbers read (None: all of them). relu's mask is out > 0: then
        # its input may be dropped, and its value written over it (autodiff/reads.py)
        self.local_reads = local_reads
        # forward takes out= (a ufunc's call does): grad may write the value into a dead input's memory
        self.in_place = isinstance(forward, np.ufunc) if in_place is None else in_place
        self.local_text = local_text  # the same as formulas over a, b and out
        self.vjp = vjp  # other ops: (g, out, *inputs, need, *params) -> gradients
        self.vjp_text = vjp_text  # the same as formulas over a, b, out and grad
        self.jvp = jvp  # forward mode, other ops: (tangents, out, *inputs, *params) -> tangent
        self.jvp_text = jvp_text  # the same as a formula over a, b, out, da and db
        self.label = label or name  # how the lectures label the gate: '+', 'max', '*-1', 'transpose'
        self.title = title or name  # the gate in a sentence: 'a multiply gate swaps'
        # the label when one operand is a constant c: (c on the left, c on the right)
        self.gate = gate or ("{c}" + symbol + "x", symbol + "{c}")
        self.pattern = pattern  # gradient-flow pattern: 'distributes', 'swaps', 'routes', ...
        self.rule = rule  # the backward rule in one sentence, for hints
        self.with_constant = with_constant  # (pattern, rule) when one operand is a constant: x + 1, -1 * x
        self.mistakes = mistakes  # typical mistakes of this op beyond its pattern's
        self.precedence = precedence(form, symbol)
        self.latex = latex
        self.py = py  # how flat code writes it with numpy ({a}, {b}, {p0} ...)
        self.py_helper = py_helper  # a small function flat code defines when the op is used
        self.doc = doc  # the README's function table

    def __repr__(self) -> str:
        return f"Op({self.name})"

    def param_text(self, params: tuple) -> list[str]:
        """Whole-number arguments as written: positional, then keywords that differ from their default."""
        out = []
        required = self.int_params - len(self.defaults)
        for k, value in enumerate(params):
            if k < required:
                out.append(str(value))
            elif value != self.defaults[k - required]:
                out.append(f"{self.keywords[k]}={value}")
        return out

    @property
    def elementwise(self) -> bool:
        return bool(self.local)

    # ---- teaching
    def flow(self, constant_operand: bool = False) -> tuple[str, str]:
        """The gradient-flow pattern and rule, as the lectures tell them for this gate."""
        if constant_operand and self.with_constant:
            return self.with_constant
        return self.pattern, self.rule

    def gate_label(self, constant: str | None = None, constant_first: bool = False) -> str:
        """'+', 'max', and with a scalar constant operand '+1', '*-1', '1/x', '^2'."""
        if constant is None:
            return self.label
        return self.gate[0 if constant_first else 1].format(c=constant)

    def typical_mistakes(self, constant_operand: bool = False) -> tuple[TypicalMistake, ...]:
        return typical_mistakes(self.flow(constant_operand)[0]) + self.mistakes

    # ---- derivatives as formulas
    def backward_text(self, shapes: Sequence[Shape], params: tuple = ()) -> tuple[str, ...]:
        """The VJP for each input as gradtutor formulas over a, b, out and grad."""
        if self.local_text:
            return tuple(_times_grad(t) for t in self.local_text)
        assert self.vjp_text is not None, self.name
        return self.vjp_text(*shapes, *params)

    def forward_text(self, shapes: Sequence[Shape], params: tuple = ()) -> str:
        """The tangent of the output (forward mode) as a formula over a, b, out, da and db."""
        if self.local_text:
            return " + ".join(f"({t})*d{slot}" for t, slot in zip(self.local_text, "ab"))
        assert self.jvp_text is not None, self.name
        return self.jvp_text(*shapes, *params)

    # ---- forward mode
    def tangent(self, tangents: Sequence[Any], out: Any, inputs: Sequence[Any], params: tuple = ()) -> Any:
        """The output's tangent given the inputs' tangents (None: zero)."""
        if self.local:
            total = None
            for local, t in zip(self.local, tangents):
                if t is None:
                    continue
                part = t * local if isinstance(local, int) else t * local(*inputs, out)
                total = part if total is None else total + part
            # A scalar's tangent next to an array whose own tangent is zero must still be
            # stretched to the output's shape, or sum(v + b) counts b once instead of len(v) times.
            if total is not None and np.shape(total) != np.shape(out):
                total = np.broadcast_to(total, np.shape(out))
            return total
        if all(t is None for t in tangents):
            return None
        return self.jvp(list(tangents), out, *inputs, *params)


def _times_grad(local: str) -> str:
    if local == "1":
        return "grad"
    if local == "-1":
        return "-grad"
    if local == "0":
        return "0"
    return f"grad * ({local})"
