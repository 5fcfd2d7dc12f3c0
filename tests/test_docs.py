"""The README's generated tables match their sources: the op table and the diagnosis codes."""

from __future__ import annotations

import os
import re

from gradtutor.mistakes import CODES, codes_table
from gradtutor.ops import FUNCTIONS, OVERLOADS
from gradtutor.ops.docs import function_table, usage

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def _block(marker: str) -> str:
    with open(README, encoding="utf-8") as handle:
        text = handle.read()
    found = re.search(rf"<!-- {marker}:[^\n]*-->\n(.*?)\n<!-- end {marker} -->", text, re.S)
    assert found, f"README.md has no '<!-- {marker}: ... -->' block"
    return found.group(1)


def test_the_function_table_is_the_op_table():
    expected = function_table()
    assert _block("functions") == expected, "README.md's function table is stale; replace it with:\n" + expected


def test_every_function_is_documented_and_listed():
    table = function_table()
    for op in OVERLOADS.values():
        assert op.doc, f"{op.name} has no doc for the README"
        assert f"`{usage(op)}`" in table
    assert set(FUNCTIONS) == {symbol for symbol, _ in OVERLOADS}


def test_the_codes_table_is_the_code_list():
    expected = codes_table()
    assert _block("codes") == expected, "README.md's diagnosis codes are stale; replace them with:\n" + expected
    assert all(f"`{code}`" in expected for code in CODES)
