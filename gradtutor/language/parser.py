"""Text to parse tree: the LALR parser built from grammars/gradtutor.lark.

Building an LALR table and importing all of lark costs ~25 ms, a third of
numpy's import. So the first run asks lark to write a standalone parser for
the grammar (lark's own code generator), compiles it and caches it; later
runs import only that module. The cache key is the grammar's text, so an
edited grammar is picked up at once.

Parse errors become `ParseError`s that show the line, a caret and what was
expected, in words a student understands.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import zlib
from types import ModuleType
from typing import Any

from .._version import __version__
from ..errors import ParseError
from ..resources import grammar_path

_parser: Any = None
_module: ModuleType | None = None
_lock = threading.Lock()


def parse(text: str) -> Any:
    """Parse a program (or a formula) into a lark tree; raise ParseError on bad input."""
    parser = _get_parser()
    try:
        return parser.parse(text)
    except _module.UnexpectedInput as exc:  # type: ignore[union-attr]
        raise _friendly_error(text, exc) from None


def tree_class() -> type:
    _get_parser()
    return _module.Tree  # type: ignore[union-attr]


def token_class() -> type:
    _get_parser()
    return _module.Token  # type: ignore[union-attr]


class _BracketNewlines:
    """Inside (...) or [...] a newline continues the expression instead of ending a statement."""

    always_accept = ("_SEP",)

    def process(self, stream):
        depth = 0
        for token in stream:
            kind = token.type
            if kind in ("LPAR", "LSQB"):
                depth += 1
            elif kind in ("RPAR", "RSQB"):
                depth = max(0, depth - 1)
            elif kind == "_SEP" and depth and token.value != ";":
                continue
            yield token


def _get_parser():
    """Build the parser once. Threads (notebooks, graders) may race to the first call: the lock
    makes one of them build it, and `_parser` is published only once it is complete."""
    global _parser, _module
    parser = _parser
    if parser is not None:
        return parser
    with _lock:
        if _parser is None:
            module = _load_standalone()
            _module = module
            _parser = module.Lark_StandAlone(postlex=_BracketNewlines())
    return _parser


def _cache_dir() -> str:
    home = os.environ.get("GRADTUTOR_HOME")
    if home:
        return os.path.join(home, "cache")
    import platformdirs

    return platformdirs.user_cache_dir("gradtutor", appauthor=False)


def _load_standalone() -> ModuleType:
    with open(grammar_path(), "rb") as handle:
        grammar = handle.read()
    key = f"{zlib.crc32(grammar + __version__.encode()):08x}"
    name = f"gradtutor_parser_{key}"
    path = os.path.join(_cache_dir(), f"{name}.py")
    if not os.path.exists(path):
        try:
            _write_standalone(grammar.decode(), path)
        except OSError:  # read-only home: build in a private temporary folder instead
            import tempfile

            path = os.path.join(tempfile.mkdtemp(prefix="gradtutor-"), f"{name}.py")
            _write_standalone(grammar.decode(), path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _write_standalone(grammar: str, path: str) -> None:
    """Generate the parser module with lark, then write it and its bytecode atomically."""
    import io
    import py_compile
    import tempfile

    from lark import Lark
    from lark.tools.standalone import gen_standalone

    lark = Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=False)
    out = io.StringIO()
    gen_standalone(lark, out=out)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(out.getvalue())
        # PYTHONDONTWRITEBYTECODE is common in sandboxes; write the .pyc ourselves
        # so every later start-up skips compiling 3,000 lines.
        py_compile.compile(tmp, cfile=importlib.util.cache_from_source(path), dfile=path, doraise=True)
        os.replace(tmp, path)  # the rename keeps the mtime the .pyc was stamped with
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


def _friendly_error(text: str, exc: Any) -> ParseError:
    module = _module
    expected: set[str] = set()
    hint = None
    if isinstance(exc, module.UnexpectedCharacters):  # type: ignore[union-attr]
        pos = exc.pos_in_stream
        char = text[pos] if pos < len(text) else ""
        expected = set(exc.allowed or ())
        message = f"unexpected character {char!r}"
        if char in "=<>!":
            hint = "gradtutor has no comparisons; '=' is only for naming a statement (q = x + y)"
        elif expected:
            message += f"; expected {_describe_expected(expected)}"
        return ParseError(message, source=text, span=(pos, pos + 1), hint=hint)

    token = getattr(exc, "token", None)
    expected = set(getattr(exc, "expected", ()) or ())
    at_end = token is None or token.type == "$END"
    pos = len(text) if at_end else token.start_pos
    if at_end or (token is not None and token.type == "_SEP"):
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

    found = token.value if token.type != "_SEP" else ";"
    message = f"unexpected {found!r}; expected {_describe_expected(expected)}"
    if token.type in _OPERANDS and len(expected & _OPERATORS) >= 3:
        hint = "two values need an operator between them, e.g. 2*x rather than 2x"
    elif token.type in _OPERANDS and "NUMBER" in expected and "NAME" not in expected:
        hint = "indices and matrix literals hold plain numbers, e.g. x[0] or [[1, 2], [3, 4]]"
    elif token.type == "EQUAL":
        hint = "'=' names a statement and needs a plain name on its left, e.g. q = x + y"
    elif token.type in ("RPAR", "RSQB") and _unclosed_bracket(text, pos) is None:
        hint = f"this '{found}' has no opening partner"
    return ParseError(message, source=text, span=(pos, pos + max(1, len(found))), hint=hint)
