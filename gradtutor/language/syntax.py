"""How operators are written: one table of spellings and binding powers.

The grammar (grammars/gradtutor.lark) parses with these levels, and every
printer (graph labels, formulas, flat code, LaTeX) asks here when it needs
parentheses, so what gradtutor prints always parses back to the same thing.
Precedence follows Python, loosest first: `+ -`, then `* / @`, then unary
`-`, then `^` (right-associative), then `.T` and indexing.
"""

from __future__ import annotations

ADD, MUL, NEG, POW, POSTFIX, CALL, ATOM = 10, 20, 30, 40, 50, 60, 100

# infix spelling -> (precedence, spaced in formulas); `^` is right-associative
INFIX = {
    "+": (ADD, True),
    "-": (ADD, True),
    "*": (MUL, False),
    "/": (MUL, False),
    "@": (MUL, False),
    "^": (POW, False),
}
RIGHT_ASSOCIATIVE = {"^"}
FORM_PRECEDENCE = {"prefix": NEG, "postfix": POSTFIX, "subscript": POSTFIX, "call": CALL, "leaf": ATOM}


def precedence(form: str, symbol: str) -> int:
    """How tightly an operator binds; higher binds tighter."""
    if form == "infix":
        return INFIX[symbol][0]
    return FORM_PRECEDENCE[form]


def infix(symbol: str, a: str, b: str, *, display: bool = False) -> str:
    """`a + b`, `a*b`, `a^b`; with `display` (the graph's node labels) products are spaced too."""
    spaced = INFIX[symbol][1] or (display and symbol not in RIGHT_ASSOCIATIVE)
    return f"{a} {symbol} {b}" if spaced else f"{a}{symbol}{b}"


def wrap(text: str, inner: int, outer: int, strict: bool = False) -> str:
    """Parenthesise an operand that binds looser than its operator (or as loose, when `strict`)."""
    return f"({text})" if inner < outer or (strict and inner == outer) else text


def operand_strictness(symbol: str, position: int) -> bool:
    """Whether an operand at `position` (0 left, 1 right) needs parentheses at equal precedence:
    the right operand of a left-associative operator, the left one of `^`."""
    return position == 0 if symbol in RIGHT_ASSOCIATIVE else position == 1
