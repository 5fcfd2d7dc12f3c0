"""The grammar's LALR(1) tables, computed by lark and kept as plain data.

lark reads grammars/gradtutor.lark and builds the parse table and the
lexer's terminals; this module writes them as JSON (states, rules, terminal
regexes in lark's matching order), and `lalr.py` parses with them. The
tables ship next to the grammar (grammars/gradtutor.tables.json), so a start
needs neither lark nor a cache: loading them takes well under a millisecond,
where importing lark's 3,000-line standalone parser took tens. The file
records the grammar it was made from; an edited grammar gets fresh tables, written
to the cache folder, on its first use. Regenerate the shipped file with
`python -m gradtutor.language.tables`.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..resources import grammar_path

FORMAT = 1


def grammar_key(grammar: bytes) -> str:
    """The grammar itself keys its tables (it is short; a checksum would cost an import)."""
    return f"{FORMAT}\n{grammar.decode('utf-8')}"


def shipped_path() -> str:
    return os.path.join(os.path.dirname(grammar_path()), "gradtutor.tables.json")


def load() -> dict[str, Any]:
    """The tables for the current grammar: the shipped ones, a cached copy, or freshly built."""
    with open(grammar_path(), "rb") as handle:
        grammar = handle.read()
    key = grammar_key(grammar)
    data = _read(shipped_path())
    if data.get("key") == key:
        return data
    cached = _cache_path(grammar)
    data = _read(cached)
    if data.get("key") == key:
        return data
    data = generate(grammar.decode("utf-8"))
    _write(cached, data)
    return data


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _cache_path(grammar: bytes) -> str:
    home = os.environ.get("GRADTUTOR_HOME")
    if home:
        folder = os.path.join(home, "cache")
    else:
        import platformdirs  # only when the grammar was edited: it costs start-up time

        folder = platformdirs.user_cache_dir("gradtutor", appauthor=False)
    import zlib

    return os.path.join(folder, f"gradtutor-tables-{zlib.crc32(grammar):08x}.json")


def _write(path: str, data: dict[str, Any]) -> None:
    """Write atomically; a read-only cache only means building again next time."""
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"), sort_keys=True)
        mask = os.umask(0)  # mkstemp's file is private (0600); in a shared home every user reads it
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except OSError:
        pass


def generate(grammar: str) -> dict[str, Any]:
    """Ask lark for the LALR(1) table and the lexer, and keep what a parse needs.

    States are renumbered breadth-first from the start state (lark numbers them
    differently from run to run), so the same grammar always gives the same file."""
    from lark import Lark

    lark = Lark(grammar, parser="lalr", lexer="basic", maybe_placeholders=False)
    table = lark.parser.parser.parser.parse_table
    lexer = lark.parser.lexer
    lexer.scanner  # noqa: B018 -- builds the lexer's callbacks, checked just below
    if lexer.callback:
        raise ValueError("terminals that lark matches with callbacks are not supported here")

    rules = list(lark.rules)
    rule_index = {id(rule): k for k, rule in enumerate(rules)}
    start = table.start_states["start"]
    order, seen = [start], {start}
    for state in order:  # breadth first; order grows as it is read
        for symbol in sorted(table.states[state]):
            action, arg = table.states[state][symbol]
            if action.name == "Shift" and arg not in seen:
                seen.add(arg)
                order.append(arg)
    number = {state: k for k, state in enumerate(order)}
    states = []
    for state in order:
        row = {}
        for symbol, (action, arg) in sorted(table.states[state].items()):
            row[symbol] = number[arg] if action.name == "Shift" else -1 - rule_index[id(arg)]
        states.append(row)
    return {
        "key": grammar_key(grammar.encode("utf-8")),
        "terminals": [[t.name, t.pattern.to_regexp()] for t in lexer.terminals],
        "ignore": sorted(lexer.ignore_types),
        "start": 0,
        "end": number[table.end_states["start"]],
        "states": states,
        "rules": [_rule(rule) for rule in rules],
    }


def _rule(rule) -> list[Any]:
    """[origin, length, callback, kept children as (position, spliced), expand-one-child, inlined].

    The same shaping lark's tree builder does: anonymous tokens ("+", "(") are
    dropped, `_rule`s are spliced into their parent, a `?rule` with one child
    is that child."""
    kept = [
        [k, int(not sym.is_term and sym.name.startswith("_"))]
        for k, sym in enumerate(rule.expansion)
        if rule.options.keep_all_tokens or not (sym.is_term and sym.filter_out)
    ]
    origin = rule.origin.name
    expand1 = bool(rule.options.expand1) and not rule.alias
    return [origin, len(rule.expansion), rule.alias or origin, kept, int(expand1), int(origin.startswith("_"))]


if __name__ == "__main__":
    with open(grammar_path(), encoding="utf-8") as handle:
        data = generate(handle.read())
    with open(shipped_path(), "w", encoding="utf-8") as handle:
        json.dump(data, handle, separators=(",", ":"), sort_keys=True)
        handle.write("\n")
    print(f"wrote {shipped_path()}: {len(data['states'])} states, {len(data['rules'])} rules")
