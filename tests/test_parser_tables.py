"""The LALR driver against lark itself: the shipped tables are lark's for the current grammar, and
on any input the driver builds lark's tree (shape and positions) or stops where lark stops."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.errors import ParseError
from gradtutor.graph import build
from gradtutor.language import lalr, tables
from gradtutor.resources import grammar_path

lark = pytest.importorskip("lark")


def grammar() -> str:
    with open(grammar_path(), encoding="utf-8") as handle:
        return handle.read()


class BracketNewlines:
    """The postlexer gradtutor's grammar had with lark's parser: newlines inside brackets vanish."""

    always_accept = ("_SEP",)

    def process(self, stream):
        depth = 0
        for token in stream:
            if token.type in ("LPAR", "LSQB"):
                depth += 1
            elif token.type in ("RPAR", "RSQB"):
                depth = max(0, depth - 1)
            elif token.type == "_SEP" and depth and token.value != ";":
                continue
            yield token


@pytest.fixture(scope="module")
def both():
    reference = lark.Lark(
        grammar(),
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=False,
        postlex=BracketNewlines(),
    )
    ours = lalr.Tables(tables.generate(grammar()))
    handlers = {rule.callback: _tree_builder(rule.callback) for rule in ours.rules if not rule.inline}
    return reference, ours, handlers


def _tree_builder(name):
    return lambda span, *children: (name, span, children)


def _from_lark(tree):
    if isinstance(tree, lark.Token):
        return str(tree)
    span = None if tree.meta.empty else (tree.meta.start_pos, tree.meta.end_pos)
    return (tree.data, span, tuple(_from_lark(c) for c in tree.children))


def outcome_of_lark(reference, text):
    try:
        return ("tree", _from_lark(reference.parse(text)))
    except lark.exceptions.UnexpectedCharacters as exc:
        return ("char", exc.pos_in_stream, sorted(exc.allowed))
    except lark.exceptions.UnexpectedToken as exc:
        pos = len(text) if exc.token.type == "$END" else exc.token.start_pos
        return ("token", exc.token.type, pos, sorted(exc.expected))


def outcome_of_driver(ours, handlers, text):
    try:
        return ("tree", lalr.parse(text, ours, handlers))
    except lalr.SyntaxProblem as problem:
        if problem.token_type is None:
            return ("char", problem.pos, sorted(problem.expected))
        pos = len(text) if problem.token_type == "$END" else problem.pos
        return ("token", problem.token_type, pos, sorted(problem.expected))


def test_the_shipped_tables_are_larks_for_this_grammar():
    with open(tables.shipped_path(), encoding="utf-8") as handle:
        shipped = json.load(handle)
    assert shipped == tables.generate(grammar()), "run: python -m gradtutor.language.tables"


EXAMPLES = [
    "q = x + y; f = q * z",
    "f = (x +\n   y) * max(\n x,\n y)",
    "sum([[1, -2], [+3, 4e-1]] * x)",
    "-W.T[0, -1]^2 ** 3",
    "((x)) + (-(y))",
    "x # c\n\n;;y\\\n+1",
    "onehot(1, 3) @ W[1]",
    "[]",
    "f()",
    " \t x \f+\ty  ",  # blanks are read with the token after them (lalr.BLANKS)
    "x  $",
    "x +   ",
    "   ",
    "x  # c  \n  ;  y",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_the_driver_builds_larks_tree_with_its_positions(both, text):
    reference, ours, handlers = both
    assert outcome_of_driver(ours, handlers, text) == outcome_of_lark(reference, text)


PIECES = ["x", "y2", "3", ".5", "1e3", "(", ")", "[", "]", ",", "+", "-", "*", "/", "@", "^", "**", ".T"]
PIECES += ["=", ";", "\n", " ", "#c\n", "sin", "max", "\\\n", "$", "."]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_on_any_input_the_driver_agrees_with_lark(both, pieces):
    reference, ours, handlers = both
    text = "".join(pieces)
    assert outcome_of_driver(ours, handlers, text) == outcome_of_lark(reference, text)


def test_the_last_statement_is_the_output_even_after_an_expression_statement():
    graph = build("x + 1; q = y*2")
    assert graph.labels[graph.output] == "q"
    assert graph.warnings == ["the statement on line 1 does not affect the output"]


def test_a_syntax_error_anywhere_comes_before_a_name_error_earlier():
    with pytest.raises(ParseError, match="unexpected .@."):
        build("max**@1.5")


def test_an_edited_grammar_gets_fresh_tables_in_the_cache(tmp_path, monkeypatch):
    edited = tmp_path / "gradtutor.lark"
    edited.write_text(grammar() + "\n// an edit\n", encoding="utf-8")
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tables, "grammar_path", lambda: str(edited))
    monkeypatch.setattr(tables, "shipped_path", lambda: str(tmp_path / "none.json"))
    data = tables.load()
    assert data["key"].endswith("// an edit\n")
    assert len(list((tmp_path / "home" / "cache").glob("gradtutor-tables-*.json"))) == 1
    assert tables.load() == data  # the second time from the cache
