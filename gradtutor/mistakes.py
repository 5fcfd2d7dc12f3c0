"""Diagnosis codes: a short, stable name for every mistake gradtutor can recognise.

A diagnosis is a code plus a message. Messages are for the student and may
improve from release to release; codes never change meaning, so the walk,
`check`, `grade`, the progress database and any statistics built on them
can key on the code (like a compiler's error codes). The README lists them;
a test keeps that list and this table the same.
"""

from __future__ import annotations

# code -> what it means, in a few words (the README's table and the progress view)
CODES: dict[str, str] = {
    "sign": "sign flipped",
    "transposed": "transposed: rows and columns swapped",
    "factor": "off by a constant factor",
    "shape": "wrong shape",
    "zero": "zero where the gradient is not",
    "forgot-upstream": "the local gradient alone: forgot to multiply by the upstream gradient",
    "forgot-local": "the upstream gradient alone: forgot to multiply by the local gradient",
    "local-not-downstream": "asked for the local gradient, gave the downstream one (upstream × local)",
    "missed-branch": "only one branch of an input that feeds several nodes: gradients add at branches",
    "output-for-local": "used a gate's output where its slope was meant: σ for σ(1 − σ)",
    "forgot-transpose": "W where W.T was meant: the gradient through a matrix product needs the transpose",
    "missed-term": "only one term of a tangent: the product rule sums a term per input",
    "swap": "multiply gate: used the input's own value instead of the other input's",
    "route": "max or min gate: the gradient goes to the winning input only",
    "split": "add gate: split the gradient instead of giving each input all of it",
    "only-at-this-point": "a number that is right at this point only, where a formula was asked",
    "cannot-evaluate": "the formula cannot be evaluated: shapes that do not combine, a log of a negative ...",
    "forward-value": "the node's value from the forward pass, not its derivative",
    "other-part": "merge (concat, stack): took the other input's part of the gradient instead of its own",
    "onehot": "softmax with cross-entropy: p - onehot(y), not p - 1 everywhere nor p alone",
    "missing": "code: a value or gradient the exercise checks was never computed or returned",
    "swapped": "code: the gradients are returned in the wrong order",
    "in-place": "code: an input array was modified in place; copy it before changing it",
    "batch-sum": "code: forgot to sum over the batch axis for a parameter every example uses",
    "stale-cache": "code: a gate used twice overwrote the values it stashed in forward before backward used them",
    "nan": "code: NaN or inf in a result",
    "dtype": "code: the wrong dtype (integers or float32 where float64 gradients belong)",
}

# codes used before they were stabilised (progress databases of version 2 hold these)
RENAMED = {
    "local-only": "forgot-upstream",
    "upstream-only": "forgot-local",
    "downstream-for-local": "local-not-downstream",
    "routing": "route",
    "distribute": "split",
    "only-here": "only-at-this-point",
}


class Mistake:
    """One diagnosis: a stable code and the message a student reads."""

    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str) -> None:
        assert code in CODES, code
        self.code = code
        self.message = message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mistake) and (self.code, self.message) == (other.code, other.message)

    def __hash__(self) -> int:
        return hash((self.code, self.message))

    def __repr__(self) -> str:
        return f"Mistake({self.code!r}, {self.message!r})"


def codes_table() -> str:
    """The README's table of diagnosis codes (tests/test_docs.py keeps the two the same)."""
    return "\n".join(["| code | meaning |", "|---|---|", *(f"| `{c}` | {m} |" for c, m in CODES.items())])
