"""An LALR(1) driver for lark's tables that calls the graph builder at each reduction.

lark's own parser builds a tree (with positions on every node) that the graph
builder then walks again; a third of the time went to positions alone. This
loop reads the same tables (tables.py) and the same terminals, in lark's
matching order, but hands each reduction's children straight to a handler, so
there is no tree and no second walk. Positions travel beside the values as
(start, end) pairs, covering what lark's `propagate_positions` covers: a
node's span runs from its first token to its last, and parentheses around a
sub-expression widen what its parent sees, not the sub-expression's own span.

Nothing here recurses, and a syntax error stops the loop with what lark would
report: the position, the token and the terminals the state accepts.

A 100,000-term program takes this loop two million steps, so it is written for
speed (issue 15: parse and gradient within 4 s): blanks are read with the token
after them, a chain of unit reductions is looked up once per (state below,
state on top, token), and the commonest reductions (one child, a binary
operator, a call) happen in place on the stacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Span = tuple[int, int]
OPENERS = ("LPAR", "LSQB")
CLOSERS = ("RPAR", "RSQB")
BLANKS = "[ \t\f]*"


class SyntaxProblem(Exception):
    """Where and why the text does not parse (parser.py words it for the student)."""

    def __init__(self, pos: int, token_type: str | None, token_value: str, expected: set[str]) -> None:
        super().__init__(token_type or "character")
        self.pos = pos
        self.token_type = token_type  # None: no terminal matches at pos
        self.token_value = token_value
        self.expected = expected


class Tables:
    """The loaded tables: one compiled regex for every terminal, states, rules."""

    def __init__(self, data: dict[str, Any]) -> None:
        # Blanks before a token are read with it (m.span(kind) is the token's own span): a third
        # of all matches were blanks. Blanks before anything else still match as ignored terminals.
        terminals = "|".join(f"(?P<{name}>{regex})" for name, regex in data["terminals"])
        self.scanner = re.compile(f"{BLANKS}(?:{terminals})")
        self.ignore = frozenset(data["ignore"])
        self.terminals = {name for name, _ in data["terminals"]} - self.ignore
        self.start, self.end = data["start"], data["end"]
        self.states: list[dict[str, int]] = data["states"]
        self.rules = [_Rule(*rule) for rule in data["rules"]]
        # (state below, state on top, token) -> the state on top after every unit reduction that
        # token causes there: sum -> product -> unary -> power -> postfix is one lookup, not five
        self.units: dict[tuple[int, int, str], int] = {}

    def unit_chain(self, below: int, top: int, kind: str) -> int:
        while True:
            action = self.states[top].get(kind)
            if action is None or action >= 0 or not self.rules[-1 - action].unit:
                return top
            top = self.states[below][self.rules[-1 - action].origin]
            if top == self.end and kind == "$END":
                return top


class _Rule:
    __slots__ = ("origin", "size", "callback", "picks", "splices", "expand1", "inline", "unit")

    def __init__(self, origin, size, callback, kept, expand1, inline) -> None:
        self.origin = origin
        self.size = size
        self.callback = callback
        self.picks = tuple(k for k, _ in kept)
        self.splices = tuple(bool(s) for _, s in kept) if any(s for _, s in kept) else None
        self.expand1 = bool(expand1)
        self.inline = bool(inline)
        # `?rule: child` handing its one child up unchanged (sum -> product -> ... -> atom): only
        # the state changes, so the loop takes a short cut for these, the most common reductions
        self.unit = self.expand1 and size == 1 and self.picks == (0,) and self.splices is None


_UNIT, _ONE, _WRAP, _PAIR, _CALL, _OTHER = "unit", "one", "wrap", "pair", "call", "other"


def _mode(rule: _Rule, handler: Callable[..., Any] | None) -> str:
    """How the loop reduces by this rule: the commonest shapes have short cuts."""
    if rule.unit:
        return _UNIT
    plain = handler is not None and not (rule.expand1 or rule.inline or rule.splices)
    if plain and rule.size == 1 and rule.picks == (0,):
        return _ONE
    if handler is None and rule.inline and not (rule.expand1 or rule.splices) and rule.size == 1 and rule.picks == (0,):
        return _WRAP
    if plain and rule.size == 3 and rule.picks == (0, 2):
        return _PAIR
    if (
        handler is not None
        and not (rule.expand1 or rule.inline)
        and rule.splices == (False, True)
        and rule.picks[0] == 0
    ):
        return _CALL  # f(x, y): the first child, then a spliced list
    return _OTHER


def parse(text: str, tables: Tables, handlers: dict[str, Callable[..., Any]], defer: tuple[type, ...] = ()) -> Any:
    """Parse `text`; each reduction calls handlers[callback](span, *children).

    Children are the handlers' earlier results and the text of kept tokens (names,
    numbers, `^`). Inside (...) or [...] a newline continues the expression. An
    exception of a `defer` type from a handler waits until the whole text has parsed
    (a syntax error anywhere comes first, as when the tree was built before the
    graph); the handlers are not called after it."""
    states = tables.states
    rules = tables.rules
    ignore = tables.ignore
    end_state = tables.end
    units = tables.units
    special = ignore | {"_SEP", *OPENERS, *CLOSERS}
    # indexed by the action itself: reducing by rule k is action -1 - k, so the list runs backwards
    actions = [(r, handlers.get(r.callback), _mode(r, handlers.get(r.callback))) for r in reversed(rules)]
    state_stack = [tables.start]
    values: list[Any] = []
    spans: list[Span | None] = []
    push_state, push_value, push_span = state_stack.append, values.append, spans.append
    match = tables.scanner.scanner(text).match
    depth = 0
    last = None  # the last match: where the text read so far ends
    deferred: BaseException | None = None
    while True:
        m = match()
        if m is not None:
            last = m
            kind = m.lastgroup
            value = m.group(kind)
            if kind in special:  # one test for the common tokens
                if kind in ignore:
                    continue
                if kind == "_SEP":
                    if depth and value != ";":
                        continue
                elif kind in OPENERS:
                    depth += 1
                elif depth:
                    depth -= 1
            span = m.span(kind)
        else:
            pos = 0 if last is None else last.end()
            if pos < len(text):
                raise SyntaxProblem(pos, None, text[pos], set(tables.terminals))
            kind, value, span = "$END", "", (pos, pos)
        while True:  # reduce as far as this token allows, then shift it
            top = state_stack[-1]
            try:
                action = states[top][kind]
            except KeyError:
                raise SyntaxProblem(span[0], kind, value, {s for s in states[top] if s.isupper()}) from None
            if action >= 0:
                push_state(action)
                push_value(value)
                push_span(span)
                break
            rule, handler, mode = actions[action]
            if mode is _UNIT:
                key = (state_stack[-2], top, kind)
                goto = units.get(key)
                if goto is None:
                    goto = units[key] = tables.unit_chain(state_stack[-2], top, kind)
                state_stack[-1] = goto
            elif mode is _ONE:  # number, name: the child's span is the node's, its place on the stacks too
                if deferred is None:
                    try:
                        values[-1] = handler(spans[-1], values[-1])
                    except defer as exc:
                        deferred = exc
                        values[-1] = None
                else:
                    values[-1] = None
                state_stack[-1] = states[state_stack[-2]][rule.origin]
            elif mode is _WRAP:  # a `_rule` of one child without a handler: spliced into its parent later
                values[-1] = [values[-1]] if deferred is None else []
                state_stack[-1] = states[state_stack[-2]][rule.origin]
            elif mode is _PAIR and spans[-3] is not None and spans[-1] is not None:  # a + b, a * b
                where = (spans[-3][0], spans[-1][1])
                result = None
                if deferred is None:
                    try:
                        result = handler(where, values[-3], values[-1])
                    except defer as exc:
                        deferred = exc
                del values[-2:], spans[-2:], state_stack[-2:]
                values[-1] = result
                spans[-1] = where
                state_stack[-1] = states[state_stack[-2]][rule.origin]
            elif mode is _CALL and spans[-rule.size] is not None and spans[-1] is not None:
                n = rule.size
                where = (spans[-n][0], spans[-1][1])
                result = None
                if deferred is None:
                    try:
                        result = handler(where, values[-n], *values[rule.picks[1] - n])
                    except defer as exc:
                        deferred = exc
                del values[1 - n :], spans[1 - n :], state_stack[1 - n :]
                values[-1] = result
                spans[-1] = where
                state_stack[-1] = states[state_stack[-2]][rule.origin]
            else:
                deferred = _reduce(rule, handler, values, spans, state_stack, deferred, defer)
                state_stack.append(states[state_stack[-1]][rule.origin])
            if kind == "$END" and state_stack[-1] == end_state:
                if deferred is not None:
                    raise deferred
                return values[-1]


def _reduce(rule: _Rule, handler, values: list[Any], spans: list[Span | None], state_stack: list[int], deferred, defer):
    """Any other reduction: pop its children, push its result and span (the caller pushes the state).
    Returns the deferred exception, if one is waiting now."""
    n = rule.size
    if n:
        first, last = spans[-n], spans[-1]
        if first is None or last is None:  # an empty rule among the children
            known = [s for s in spans[-n:] if s is not None]
            first, last = (known[0], known[-1]) if known else (None, None)
        where = None if first is None else (first[0], last[1])
        children = values[-n:]
        del values[-n:], spans[-n:], state_stack[-n:]
    else:
        children, where = [], None
    if rule.splices is None:
        args = [children[k] for k in rule.picks] if len(rule.picks) != n else children
    else:
        args = []
        for k, spliced in zip(rule.picks, rule.splices):
            if spliced:
                args.extend(children[k])
            else:
                args.append(children[k])
    if rule.expand1 and len(args) == 1:
        result = args[0]
    elif deferred is not None:
        result = [] if rule.inline else None
    elif rule.inline and handler is None:
        result = args
    else:
        try:
            result = handler(where, *args)
        except defer as exc:
            deferred = exc
            result = None
        if rule.inline:
            result = [result]
    values.append(result)
    spans.append(where)
    return deferred
