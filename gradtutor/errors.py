"""Errors a user can cause, and how they are shown.

Every mistake in user input becomes a GradtutorError: the CLI prints its
`render()` on stderr and exits with code 2, never a traceback. Errors that
point into a program carry the source text and a character span, so the
message can show the line with a caret under the spot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Span = tuple[int, int]


class GradtutorError(Exception):
    """Bad input: a message for the user and exit code 2."""

    exit_code = 2

    def __init__(
        self, message: str, *, source: str | None = None, span: Span | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.span = span
        self.hint = hint

    def render(self) -> str:
        parts = [f"error: {self.message}"]
        if self.source is not None and self.span is not None:
            parts.append(excerpt(self.source, *self.span))
        if self.hint:
            parts.append(f"  {self.hint}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.render()


class ParseError(GradtutorError):
    """The text is not in the gradtutor language."""


class NameLookupError(GradtutorError):
    """A name that is neither a function, a variable nor a statement."""


class ArityError(GradtutorError):
    """A function called with the wrong number of arguments."""


class ShapeError(GradtutorError):
    """Operands whose shapes an operator cannot combine."""


class ValueInputError(GradtutorError):
    """A value given for a variable that cannot be read (ragged list, bad JSON, missing file)."""


class MissingValuesError(GradtutorError):
    """Variables the program needs but that were not given."""


class DomainError(GradtutorError):
    """A node evaluated outside its domain: log of a negative, division by zero, overflow."""


class NotScalarError(GradtutorError):
    """The program's output must be a scalar to have a gradient."""


def excerpt(source: str, start: int, end: int | None = None) -> str:
    """The source line holding `start`, with a caret (and tildes) under the span."""
    start = max(0, min(start, len(source)))
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", start)
    if line_end == -1:
        line_end = len(source)
    line_no = source.count("\n", 0, start) + 1
    text = source[line_start:line_end].replace("\t", " ")
    column = start - line_start
    width = 1
    if end is not None and end > start:
        width = max(1, min(end, line_end) - start)
    shown_from = 0
    if len(text) > 100 and column > 60:  # keep very long lines readable
        shown_from = column - 40
        text = "…" + text[shown_from : shown_from + 90]
        column = column - shown_from + 1
    elif len(text) > 100:
        text = text[:100] + "…"
    gutter = f"  line {line_no} | "
    pad = " " * (len(gutter) - 2) + "| "
    marker = " " * column + "^" + "~" * min(width - 1, max(0, len(text) - column - 1))
    return f"{gutter}{text}\n{pad}{marker}"


def suggest(name: str, known: Iterable[str]) -> str | None:
    """'did you mean ...?' for a mistyped name, or None when nothing is close."""
    import difflib

    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def join_names(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
