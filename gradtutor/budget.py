"""The resource budget: how many numbers one command may hold, and how much work it may do.

A 41-character program such as `sum(onehot(0, 300000000)*x)` asks for gigabytes, and a
`--order 2` Hessian or a forward-mode gradient of a long vector for hours. Every size a
user controls is known from shapes before anything is allocated (the engine infers
them), so it is checked here first and refused with exit 2, naming the size, the limit
and the flag that raises it:

* elements: the numbers held at once (a value, the intermediates of one evaluation, a
  Jacobian or Hessian), at most `limit()` (default 20 million, 160 MB of float64);
* work: the operations of one command, at most WORK_PER_ELEMENT times that. Commands that
  evaluate a program many times (check, --order 2, --mode forward, lint) estimate their
  work up front; inside a `scope()` (a command, one graded submission, one answer) every
  evaluation is also metered, so whatever the estimate misses still stops in seconds.

One flag, `--max-elements`, raises both (the work in proportion). The Python API
checks elements and estimates too, but meters nothing outside a scope, so a notebook
may call `gradtutor.grad` in a loop for as long as it likes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import GradtutorError

DEFAULT_MAX_ELEMENTS = 20_000_000
WORK_PER_ELEMENT = 50  # a command may do 50 operations per number it may hold: ~1e9 by default
CALL_COST = 500  # one node evaluated costs Python this much on top of its numbers
MATMUL_SPEEDUP = 8  # a multiply-add inside BLAS costs about an eighth of a numpy elementwise op
FLAG = "--max-elements"

_limit = DEFAULT_MAX_ELEMENTS


class BudgetError(GradtutorError):
    """A size or an amount of work over the budget: exit 2, with the flag that raises it."""


class _Meter:
    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = 0


_meter: ContextVar[_Meter | None] = ContextVar("gradtutor_budget_meter", default=None)


def limit() -> int:
    """The most numbers one command may hold at once."""
    return _limit


def work_limit() -> int:
    return _limit * WORK_PER_ELEMENT


def set_limit(elements: int) -> None:
    """Raise (or lower) the budget for the rest of the process: what --max-elements does."""
    global _limit
    if elements < 1:
        raise ValueError("the element budget must be positive")
    _limit = int(elements)


def _count(n: float) -> str:
    return f"{int(n):,}" if n < 1e15 else f"{n:.3g}"


def _hint(needed: float) -> str:
    suggestion = max(int(needed), _limit)
    return (
        f"raise the limit with {FLAG} {suggestion} if this machine has the memory "
        f"({_gigabytes(suggestion)} at 8 bytes a number), or use smaller sizes"
    )


def _gigabytes(elements: float) -> str:
    size = elements * 8 / 1e9
    return f"{size:.3g} GB" if size >= 1 else f"{elements * 8 / 1e6:.3g} MB"


def require(elements: float, what: str, *, source: str | None = None, span=None) -> None:
    """Refuse `what` (e.g. "onehot(0, 300000000)") when it would hold more than the limit."""
    if elements > _limit:
        raise BudgetError(
            f"{what} would hold {_count(elements)} numbers, over the limit of {_count(_limit)}",
            source=source,
            span=span,
            hint=_hint(elements),
        )


def require_work(work: float, what: str, advice: str = "use smaller sizes") -> None:
    """Refuse a job whose estimated operations exceed the work limit, before starting it."""
    if work > work_limit():
        needed = math.ceil(work / WORK_PER_ELEMENT)
        raise BudgetError(
            f"{what} would take about {work:.2g} operations, over the limit of {work_limit():.2g} "
            f"({WORK_PER_ELEMENT} per number of {FLAG})",
            hint=f"{advice}, or raise the limit with {FLAG} {needed}",
        )


def charge(work: float) -> None:
    """Meter work inside a scope; past the limit the command stops with a BudgetError."""
    meter = _meter.get()
    if meter is None:
        return
    meter.spent += work
    if meter.spent > _limit * WORK_PER_ELEMENT:
        raise BudgetError(
            f"stopped after about {work_limit():.2g} operations, the limit of one command "
            f"({WORK_PER_ELEMENT} per number of {FLAG})",
            hint=f"use smaller sizes, or raise the limit with {FLAG} {_limit * 10}",
        )


@contextmanager
def scope() -> Iterator[None]:
    """A fresh work meter for one unit of work (a command, a submission, an answer)."""
    token = _meter.set(_Meter())
    try:
        yield
    finally:
        _meter.reset(token)


def size_of(shape: tuple[int, ...]) -> int:
    """Elements of a shape, as a Python int (no overflow for absurd shapes)."""
    return math.prod(int(n) for n in shape)


def text_limit(what: str, length: int, per_element: int = 4) -> None:
    """Text read as numbers (a JSON file) may be at most `per_element` bytes per allowed number."""
    if length > _limit * per_element:
        raise BudgetError(
            f"{what} is {length:,} bytes, over the limit of {_limit * per_element:,} for text read as numbers",
            hint=f"save large arrays with numpy.save (.npy), or raise the limit with "
            f"{FLAG} {length // per_element + 1}",
        )
