"""Text to graph-building calls: the grammar's LALR(1) tables, driven by lalr.py.

lark turns grammars/gradtutor.lark into parse tables (tables.py); they ship
with gradtutor, so a start loads a small JSON file instead of importing lark
or a generated parser module. The driver calls the graph builder's handlers
at each reduction. Parse errors become `ParseError`s that show the line, a
caret and what was expected, in words a student understands.
"""

from __future__ import annotations

import _thread
from collections.abc import Callable
from typing import Any

from ..errors import ParseError
from . import lalr

_tables: lalr.Tables | None = None
_lock = _thread.allocate_lock()  # _thread, not threading: threading's import costs a millisecond


def parse(text: str, handlers: dict[str, Callable[..., Any]], defer: tuple[type, ...] = ()) -> Any:
    """Parse a program (or a formula), calling `handlers` at each reduction; ParseError on bad input.
    Errors of the `defer` types that handlers raise wait until the whole text has parsed."""
    try:
        return lalr.parse(text, _get_tables(), handlers, defer)
    except lalr.SyntaxProblem as problem:
        raise _friendly_error(text, problem) from None


def _get_tables() -> lalr.Tables:
    global _tables
    if _tables is None:
        with _lock:  # two threads parsing at once load the tables once
            if _tables is None:
                from . import tables

                _tables = lalr.Tables(tables.load())
    return _tables


# --- friendly parse errors -------------------------------------------------

_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "EQUAL": "'='",
    "_SEP": "the end of the statement",
    "$END": "the end of the input",
}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "AT", "POW"}
_OPERANDS = {"NAME", "NUMBER", "LPAR"}


def _describe_expected(expected: set[str]) -> str:
    words: list[str] = []
    if {"NAME", "LPAR"} <= expected:
        words.append("a number, a name or '('")
    elif "NUMBER" in expected:
        words.append("a number")
    if len(expected & _OPERATORS) >= 3:
        words.append("an operator")
    words += [_WORDS[t] for t in ("RPAR", "RSQB", "COMMA", "EQUAL") if t in expected]
    if not words:
        words = sorted({_WORDS.get(t, t.lower()) for t in expected if not t.startswith("__")})
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _unclosed_bracket(text: str, upto: int) -> int | None:
    """Position of the last '(' or '[' before `upto` that has no partner."""
    stack: list[int] = []
    in_comment = False
    for pos, char in enumerate(text[:upto]):
        if char == "#":
            in_comment = True
        elif char == "\n":
            in_comment = False
        elif in_comment:
            continue
        elif char in "([":
            stack.append(pos)
        elif char in ")]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _friendly_error(text: str, problem: lalr.SyntaxProblem) -> ParseError:
    hint = None
    expected = problem.expected
    pos = problem.pos
    if problem.token_type is None:  # no terminal matches here
        char = text[pos] if pos < len(text) else ""
        message = f"unexpected character {char!r}"
        if char in "=<>!":
            hint = "gradtutor has no comparisons; '=' is only for naming a statement (q = x + y)"
        elif expected:
            message += f"; expected {_describe_expected(expected)}"
        return ParseError(message, source=text, span=(pos, pos + 1), hint=hint)

    kind = problem.token_type
    at_end = kind == "$END"
    if at_end:
        pos = len(text)
    if at_end or kind == "_SEP":
        opener = _unclosed_bracket(text, pos)
        if opener is not None and ({"RPAR", "RSQB"} & expected):
            closer = ")" if text[opener] == "(" else "]"
            return ParseError(
                f"'{text[opener]}' is never closed; expected {_describe_expected(expected)}",
                source=text,
                span=(opener, opener + 1),
                hint=f"add a '{closer}' to match it",
            )
        where = "the program ends" if at_end else "the statement ends"
        return ParseError(
            f"{where} too early; expected {_describe_expected(expected)}",
            source=text,
            span=(max(0, pos - 1) if at_end else pos, pos + 1),
        )

    found = problem.token_value
    message = f"unexpected {found!r}; expected {_describe_expected(expected)}"
    if kind in _OPERANDS and len(expected & _OPERATORS) >= 3:
        hint = "two values need an operator between them, e.g. 2*x rather than 2x"
    elif kind in _OPERANDS and "NUMBER" in expected and "NAME" not in expected:
        hint = "indices and matrix literals hold plain numbers, e.g. x[0] or [[1, 2], [3, 4]]"
    elif kind == "EQUAL":
        hint = "'=' names a statement and needs a plain name on its left, e.g. q = x + y"
    elif kind in ("RPAR", "RSQB") and _unclosed_bracket(text, pos) is None:
        hint = f"this '{found}' has no opening partner"
    return ParseError(message, source=text, span=(pos, pos + max(1, len(found))), hint=hint)
