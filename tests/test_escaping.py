"""Document writers escape by construction: comments and names cannot become markup,
HTML, LaTeX commands or Graphviz escapes in a handout or a picture."""

from __future__ import annotations

import re

import pytest

HOSTILE = [
    "q = x + y # ` <img src=x onerror=alert(1)> `",
    "q = x + y # ``` </code><script>alert(1)</script>",
    "q = x * y_1 # | *bold* _it_ [link](http://x) ![i](y) &amp; ~~s~~ \\",
    "q = x + y # \\end{document} \\input{/etc/passwd} $ % & # ^ ~ { }",
    "q = x + y # \x01\x1b[31m \u2028 next",
]


def _values(program: str) -> list[str]:
    names = ["x", "y_1"] if "y_1" in program else ["x", "y"]
    return [arg for n in names for arg in ("--at", f"{n}=2")]


@pytest.mark.parametrize("program", HOSTILE)
def test_markdown_keeps_hostile_text_in_code(run, program):
    out = run("solve", program, *_values(program), "--show", "--format", "markdown").stdout
    title = out.splitlines()[0]
    fence = re.match(r"# Backpropagation, worked: (`+)", title).group(1)
    assert title.endswith(fence) and title.count(fence) == 2  # one code span, closed where it should be
    outside = out.replace(title, "")
    assert "<img" not in outside and "<script" not in outside and "\x1b" not in out and "\x01" not in out


@pytest.mark.parametrize("program", HOSTILE)
def test_latex_spells_out_every_special_character(run, program):
    out = run("solve", program, *_values(program), "--show", "--format", "latex").stdout
    title = next(line for line in out.splitlines() if line.startswith(r"\section*"))
    assert r"\end{document}" not in title and r"\input" not in title
    assert out.count(r"\end{document}") == 1 and "\x1b" not in out


def test_mermaid_and_dot_labels_are_escaped():
    from graphviz import escape

    from gradtutor.render.handout import code, md, mermaid

    assert mermaid('a"b<c>#') == "a#quot;b#lt;c#gt;#35;"
    assert code("a`b") == "``a`b``" and code("`a") == "`` `a ``"
    assert md("<b>|*") == "\\<b\\>\\|\\*"
    assert escape("\\N") == "\\\\N"
