"""Problem linting catches what a student would trip over."""

from __future__ import annotations

import json

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


BROKEN = """id = "bad"
title = "t"
order = 1
sumary = "x"

[[problem]]
id = "p1"
title = "t"
prompt = "p"
program = "s = W@x; L = sum(s^2)"
values = { W = [[1, 2], [3, 4]], x = [1, 2] }
hintz = ["x"]
tolerance = 3

[[problem]]
id = "p2"
title = "t"
prompt = "p"
program = "L = x + "
values = { x = 1 }

[[problem]]
id = "p3"
title = "t"
prompt = "p"
program = "L = log(x)"
values = { x = -1 }
"""


def test_lint_reports_every_error_in_one_run_with_suggestions(run, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BROKEN)
    result = run("problems", "lint", str(path))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert [line.split(":")[2] for line in lines] == ["4", "12", "13", "19", "22"]  # one run, every line
    assert "sumary: unknown field (did you mean 'summary'?)" in result.stderr
    assert "problem.hintz: unknown field (did you mean 'hints'?)" in result.stderr
    assert result.stdout.strip() == "1 set, 1 problem checked and 2 problems that could not be read; 5 errors"
    data = json.loads(run("problems", "lint", str(path), "--json").stdout)
    assert (data["sets"], data["problems"], data["unread"], len(data["errors"])) == (1, 1, 2, 5)


def test_lint_shows_a_progress_bar_at_a_terminal(tmp_path):
    import os

    import pexpect
    from conftest import GRADTUTOR

    path = tmp_path / "ok.toml"
    path.write_text(
        PROBLEM.format(hints='"say it in words"')
        .replace("values = {", 'random = { W = { range = [-1, 1], shape = "2x2" } }\nvalues = {')
        .replace("W = [[1, 2], [3, 4]], ", "")
    )
    child = pexpect.spawn(
        GRADTUTOR[0],
        GRADTUTOR[1:] + ["problems", "lint", str(path), "--samples", "300"],
        env=dict(os.environ, TERM="xterm", COLUMNS="80"),
        encoding="utf-8",
        timeout=60,
    )
    child.expect_exact("sampling variants")
    child.expect(pexpect.EOF)
    assert "1 problem checked" in child.before
