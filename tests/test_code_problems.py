"""The shipped code problems: enough of them, every kind, and lint runs their files."""

from __future__ import annotations

import pytest
from code_helpers import SETS

from gradtutor.course.lint import lint
from gradtutor.resources import problems_dir

CODE = [p for s in SETS for p in s.problems if p.kind == "code"]


def test_at_least_twelve_code_problems_of_every_style():
    assert len(CODE) >= 12
    assert {p.code.style for p in CODE} == {"flat", "layer", "function", "gates"}
    programs = "\n".join(p.program for p in CODE)
    for piece in ["sigmoid(", "max(", "relu(", "log_softmax(", "@", "mean("]:
        assert piece in programs, piece
    gates = {cls for p in CODE for cls in p.code.gates.values()}
    assert {"AddGate", "MultiplyGate", "MaxGate", "SigmoidGate"} <= gates


@pytest.mark.slow
def test_lint_runs_every_solution_and_starter():
    sets, errors = lint([f"{problems_dir()}/10-code.toml"])
    assert errors == []
    assert len(sets[0].problems) == len(CODE)


SET = """
format = 1
id = "mine"
title = "Mine"
order = 1

[[problem]]
id = "double"
kind = "code"
title = "Double"
prompt = "f = 2 x"
program = "f = 2 * x"

[problem.code]
style = "{style}"
function = "f"
inputs = {{ x = {{ range = [-1, 1] }} }}
starter = "def f(x):\\n    return 0\\n"
solution = "{solution}"
"""


def test_a_code_problem_with_a_bad_field_names_its_line(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(SET.format(style="layers", solution="x"))
    _, errors = lint([str(path)])
    assert len(errors) == 1 and f"{path}:15: problem.code.style: should be one of flat" in errors[0]


@pytest.mark.slow
def test_lint_fails_a_solution_that_does_not_pass(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        SET.format(style="flat", solution="def f(x):\\n    f = 2 * x\\n    grad_f = 1.0\\n    grad_x = 3.0\\n")
    )
    _, errors = lint([str(path)])
    assert len(errors) == 1 and "its solution should be right, but it is wrong" in errors[0]
    assert "grad_x" in errors[0]
