"""Text to computational graph: one handler per grammar rule, called as the parser reduces.

The grammar's rule names for operators are the op table's names (add, mul,
pow ...), so a new infix op needs a grammar alternative and its table entry,
nothing here. The parser calls the handlers directly (no parse tree is
built), and nothing recurses, so 10,000-deep parentheses are fine.
"""

from __future__ import annotations

import gc
import math
from collections import namedtuple

import numpy as np

from ..errors import ArityError, GradtutorError, NameLookupError, ParseError, Span, suggest
from ..language import parser as grammar
from ..ops import FUNCTIONS, INFIX, OVERLOADS, TABLE, Op
from .nodes import CONST, VAR, Graph, Node


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.nodes: list[Node] = []
        self.variables: dict[str, int] = {}
        self.statements: dict[str, int] = {}
        self.statement_start: dict[str, int] = {}
        self.node_names: dict[int, str] = {}
        self.uses: dict[str, Span] = {}
        self.outputs: list[tuple[int, Span]] = []
        self.numbers: dict[str, np.float64] = {}

    def add(self, node: Node) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1

    def fail(self, cls, message: str, span: Span | None, hint: str | None = None):
        raise cls(message, source=self.source, span=span, hint=hint)

    # handlers, one per grammar rule; each returns a node index
    def _float(self, span, token) -> float:
        value = float(token)
        if not math.isfinite(value):
            self.fail(ParseError, f"the number {token} is too large for a 64-bit float", span)
        return value

    def number(self, span, token):
        value = self.numbers.get(token)  # a long program writes the same few numbers again and again
        if value is None:
            value = self.numbers[token] = np.float64(self._float(span, token))
        self.nodes.append(Node(CONST, (), None, span, value))
        return len(self.nodes) - 1

    def name(self, span, name):
        if name in self.statements:
            return self.statements[name]
        if name in self.variables:
            return self.variables[name]
        if name in FUNCTIONS:
            self.fail(NameLookupError, f"'{name}' is a function; call it with parentheses, e.g. {name}(x)", span)
        index = self.add(Node(VAR, name=name, span=span))
        self.variables[name] = index
        self.uses.setdefault(name, span)
        return index

    def keyword(self, span, name, value):
        return _Keyword(name, value, span)

    def call(self, span, name, *args):
        op = OVERLOADS.get((name, len(args)))
        if op is not None and not op.int_params and _Keyword not in map(type, args):
            return self.add(Node(op, args, None, span))  # sin(x), max(a, b): nothing to look up
        keywords = [a for a in args if isinstance(a, _Keyword)]
        args = tuple(a for a in args if not isinstance(a, _Keyword))
        op = FUNCTIONS.get(name)
        if op is None:
            what = (
                f"'{name}' is a variable, not a function"
                if name in self.variables or name in self.statements
                else f"unknown function '{name}'"
            )
            hint = suggest(name, FUNCTIONS) or f"the functions are: {', '.join(sorted(FUNCTIONS))}"
            self.fail(NameLookupError, what, (span[0], span[0] + len(name)), hint)
        op = OVERLOADS.get((name, len(args) + len(keywords)), op)
        total = len(args) + len(keywords)
        if not op.arity + op.int_params - len(op.defaults) <= total <= op.arity + op.int_params:
            counts = sorted(n for (sym, n) in OVERLOADS if sym == name)
            wanted = " or ".join(str(n) for n in counts)
            plural = "argument" if counts == [1] else "arguments"
            self.fail(
                ArityError, f"{name} takes {wanted} {plural}, got {total}", span, f"for example {_example_call(op)}"
            )
        arrays = args[: op.arity]
        if op.variable and op.arity < len(args) and self.nodes[args[op.arity]].op is not CONST:
            op = TABLE[op.variable]  # onehot(y, 3): the index is an input, known when the program runs
            arrays = args[: op.arity]
        params = [self._whole_number(a, name) for a in args[op.arity :]]
        params = self._keywords(op, name, params, keywords, span)
        return self._op(op, tuple(arrays), span, tuple(params))

    def _keywords(self, op, fname, params, keywords, span):
        """Fill whole-number arguments given by keyword (sum(x, axis=0)) and the defaults left out."""
        slots: list[int | None] = params + [None] * (op.int_params - len(params))
        for kw in keywords:
            if kw.name not in op.keywords:
                known = ", ".join(op.keywords) or "none"
                self.fail(ArityError, f"{fname} has no argument called '{kw.name}' (its keywords: {known})", kw.span)
            k = op.keywords.index(kw.name)
            if slots[k] is not None:
                self.fail(ArityError, f"{fname} gets '{kw.name}' twice", kw.span)
            slots[k] = self._whole_number(kw.value, fname)
        required = op.int_params - len(op.defaults)
        for k in range(op.int_params):
            if slots[k] is None:
                if k < required:
                    self.fail(ArityError, f"{fname} needs its argument '{op.keywords[k]}'", span)
                slots[k] = op.defaults[k - required]
        return slots

    def _whole_number(self, index, fname):
        node = self.nodes[index]
        value = node.value if node.op is CONST else None
        if value is None or np.ndim(value) != 0 or float(value) != int(value):
            self.fail(ArityError, f"this argument of {fname} must be a whole-number constant", node.span)
        return int(value)

    def _op(self, op, inputs, span, params=()):
        return self.add(Node(op, inputs=tuple(inputs), span=span, params=params))

    def neg(self, span, a):
        node = self.nodes[a]
        if node.op is CONST and node.name is None:  # -2.5 is a number, not a negation gate
            self.nodes[a] = Node(CONST, span=span, value=-node.value)
            return a
        return self._op(INFIX["neg"], (a,), span)

    def binary(self, rule):
        op = INFIX[rule]

        nodes = self.nodes

        def handler(span, a, *rest):
            nodes.append(Node(op, (a, rest[-1]), None, span))  # pow carries its POW token in the middle
            return len(nodes) - 1

        return handler

    def transpose(self, span, a):
        return self._op(INFIX["transpose"], (a,), span)

    def index(self, span, token):
        value = self._float(span, token)
        if value != int(value):
            self.fail(
                ParseError,
                f"indices are whole numbers, got {token}",
                span,
                "for example x[0] or W[1, 2]; negative indices count from the end",
            )
        return int(value)

    def negative_index(self, span, token):
        return -self.index(span, token)

    def slice_range(self, span, *parts):
        """A range as its text ('1:3', ':', ':-1'); the colon token tells the bounds apart."""
        if any(isinstance(p, _Named) for p in parts):
            self.fail(ParseError, "the ends of a range are whole numbers, as in x[1:3]", span)
        colon = parts.index(":")
        return f"{parts[0] if colon else ''}:{parts[colon + 1] if colon + 1 < len(parts) else ''}"

    def name_index(self, span, token):
        return _Named(self.name(span, token))

    def subscript(self, span, a, *indices):
        named = [k for k in indices if isinstance(k, _Named)]
        if not named:
            op = INFIX["slice"] if any(isinstance(i, str) for i in indices) else INFIX["subscript"]
            return self._op(op, (a,), span, tuple(indices))
        if len(indices) > 1:
            self.fail(
                ParseError,
                "an index held in a name works on its own: s[y] picks one entry or one row",
                span,
                "for a single entry of a matrix, index twice: W[i][j]",
            )
        return self._op(INFIX["take"], (a, named[0].node), span)

    def signed(self, span, token):
        return self._float(span, token)

    def negative(self, span, token):
        return -self._float(span, token)

    def literal(self, span, *items):
        # Items are numbers (floats) or inner rows, already built as constant nodes
        # (ints); the rows become unreachable and are pruned with the dead nodes.
        rows = [item if isinstance(item, float) else self.nodes[item].value for item in items]
        try:
            value = np.array(rows, dtype=float)
        except ValueError:
            self.fail(ParseError, "the rows of this matrix have different lengths", span)
        if value.ndim > 2:
            self.fail(ParseError, "gradtutor works with scalars, vectors and matrices (at most 2-D)", span)
        return self.add(Node(CONST, span=span, value=value))

    def assign(self, span, name, value):
        name_span = (span[0], span[0] + len(name))  # the statement starts with its name
        if name in FUNCTIONS:
            self.fail(NameLookupError, f"'{name}' is a function name; pick another name for this statement", name_span)
        if name in self.statements:
            line = self.source.count("\n", 0, self.statement_start[name]) + 1
            self.fail(
                GradtutorError,
                f"'{name}' is assigned twice (first on line {line})",
                name_span,
                "give each statement its own name",
            )
        if name in self.variables:
            self.fail(
                GradtutorError,
                f"'{name}' is used before it is assigned",
                self.uses[name],
                f"statements run in order; move '{name} = ...' above its first use",
            )
        self.statements[name] = value
        self.statement_start[name] = span[0]
        node = self.nodes[value]
        if node.name is None and node.op is not VAR:
            self.nodes[value] = Node(node.op, node.inputs, name, node.span, node.value, node.params)
        return _Assigned(value)

    def statement(self, span, value):
        """Every statement, in order: the last one is the program's output."""
        self.outputs.append((value.index if isinstance(value, _Assigned) else value, span))

    def handlers(self) -> dict:
        table = {name: self.binary(name) for name, op in INFIX.items() if op.form == "infix"}
        for rule in (
            "number",
            "name",
            "call",
            "keyword",
            "neg",
            "transpose",
            "index",
            "negative_index",
            "name_index",
            "slice_range",
            "subscript",
            "signed",
            "negative",
            "literal",
            "assign",
        ):
            table[rule] = getattr(self, rule)
        table["_stmt"] = self.statement
        table["start"] = lambda span, *statements: None
        return table


class _Named:
    """An index that is a name (s[y]): the node holding it, told apart from a constant index."""

    __slots__ = ("node",)

    def __init__(self, node: int) -> None:
        self.node = node


class _Assigned:
    """What an assignment hands to its statement: the node, marked as already named."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


_Keyword = namedtuple("_Keyword", "name value span")  # sum(x, axis=0) on its way to `call`


def _example_call(op: Op) -> str:
    names = ["x", "y", "z"][: op.arity] + ["1", "3"][: op.int_params - len(op.defaults)]
    return f"{op.symbol}({', '.join(names)})"


def build(source: str) -> Graph:
    """Parse `source` and build its graph; raises GradtutorError on bad input."""
    # Parsing makes millions of small objects and no cycles: pausing the cyclic
    # collector meanwhile saves ~40% on large programs.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(source)
    finally:
        if enabled:
            gc.enable()


def _build(source: str) -> Graph:
    builder = _Builder(source)
    grammar.parse(source, builder.handlers(), defer=(GradtutorError,))
    if not builder.outputs:
        raise ParseError("the program is empty", hint="write an expression such as (x + y) * z")
    return _finish(builder)


def _finish(builder: _Builder) -> Graph:
    """Drop nodes the output does not depend on (keeping every input), name the rest."""
    nodes = builder.nodes
    output = builder.outputs[-1][0]
    live = [False] * len(nodes)
    live[output] = True
    for i in range(len(nodes) - 1, -1, -1):
        if live[i]:
            for j in nodes[i].inputs:
                live[j] = True
    for i in builder.variables.values():
        live[i] = True
    warnings = [
        f"the statement on line {builder.source.count(chr(10), 0, span[0]) + 1} does not affect the output"
        for value, span in builder.outputs[:-1]
        if not live[value] and span
    ]

    if all(live):  # the usual case: nothing to drop, and the numbering stays
        kept, remap = nodes, list(range(len(nodes)))
    else:
        remap = [-1] * len(nodes)
        kept = []
        for i, node in enumerate(nodes):
            if live[i]:
                remap[i] = len(kept)
                kept.append(
                    Node(node.op, tuple(remap[j] for j in node.inputs), node.name, node.span, node.value, node.params)
                )
    variables = {name: remap[i] for name, i in builder.variables.items()}
    names = dict(variables)
    names.update({name: remap[i] for name, i in builder.statements.items() if remap[i] >= 0})
    return Graph(builder.source, kept, remap[output], variables, names, warnings=warnings)
