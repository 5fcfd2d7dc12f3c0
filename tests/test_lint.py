"""Problem linting catches what a student would trip over."""

from __future__ import annotations

PROBLEM = """id = "bad"
title = "t"
order = 1

[[problem]]
id = "p"
title = "t"
prompt = "p"
program = "s = W@x; L = sum(s^2)"
values = {{ W = [[1, 2], [3, 4]], x = [1, 2] }}
hints = [{hints}]
"""


def test_a_hint_with_a_formula_nobody_can_type_is_an_error(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(PROBLEM.format(hints='"Use it: dL/dW = outer(dL/ds, x)."'))
    result = run("problems", "lint", str(bad))
    assert result.exit_code == 2
    assert "bad.toml:5: problem.hints: problem 'p': hint 1 writes outer(dL/ds, x)" in result.stderr
    good = tmp_path / "good.toml"
    good.write_text(PROBLEM.format(hints='"dL/dW is the outer product of dL/ds with x: outer(2*s, x)."'))
    assert run("problems", "lint", str(good)).exit_code == 0
