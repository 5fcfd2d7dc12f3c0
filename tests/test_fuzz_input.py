"""No input, however garbled, gets a traceback: random text in the language's own alphabet
goes through every command that reads a program, and each run must end with exit 0, 1 or
2 (and an error message on stderr for 2). CliRunner re-raises any other exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = [
    "x",
    "y",
    "W",
    "z",
    "1",
    "2",
    "0",
    "0.5",
    "-",
    "+",
    "*",
    "/",
    "@",
    "^",
    "**",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    "\n",
    " ",
    ".T",
    "=",
    "q",
    "sum(",
    "max(",
    "log(",
    "sqrt(",
    "exp(",
    "relu(",
    "softmax(",
    "norm(",
    "sigmoid(",
    "outer(",
    "dot(",
    "onehot(",
    "sum(x, 1)",
    "[1, 2]",
    "[[1, 2], [3, 4]]",
    "#",
    "$",
]

programs = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)
values = st.sampled_from(
    [
        ["--at", "x=1", "--at", "y=-2", "--at", "W=[[1, 2], [3, 4]]", "--at", "z=[1, 0]"],
        ["--at", "x=0", "--at", "y=0", "--at", "W=0", "--at", "z=-1"],
        ["--at", "x=[1, 2]", "--at", "y=[3, 4]", "--at", "W=[[1, 2]]", "--at", "z=2"],
    ]
)


def _known_values(run_args, program):
    """Only the values the program uses, so a 'not used by the program' error does not hide the rest."""
    from gradtutor.errors import GradtutorError
    from gradtutor.graph import build

    try:
        names = set(build(program).variables)
    except GradtutorError:
        return run_args
    out = []
    for flag, item in zip(run_args[::2], run_args[1::2]):
        if item.split("=")[0] in names:
            out += [flag, item]
    return out


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@pytest.mark.slow
@given(program=programs, at=values)
def test_garbled_programs_never_crash(run, program, at):
    at = _known_values(at, program)
    for command in (
        ["grad", program, *at, "--json"],
        ["solve", program, *at, "--show", "--json"],
        ["code", program, *at],
        ["check", program, *at, "--points", "1", "--json"],
    ):
        result = run(*command)
        assert result.exit_code in (0, 1, 2), (command, result.exit_code)
        if result.exit_code == 2:
            assert result.stderr.strip(), command
            assert "Traceback" not in result.stderr


def test_programs_without_inputs(run):
    """Found by fuzzing: a program that is only a constant has nothing to differentiate."""
    forward = run("solve", "sigmoid(0)", "--mode", "forward", "--show")
    assert forward.exit_code == 2 and "no inputs" in forward.stderr
    handout = run("solve", "1", "--show", "--format", "latex")
    assert handout.exit_code == 0 and r"\end{document}" in handout.stdout
    assert run("grad", "2*3", "--json").stdout.strip() == '{"value": 6.0, "gradients": {}}'


def test_numbers_too_large_for_a_float(run):
    """Found by fuzzing practice answers: 1e400 overflows to infinity."""
    result = run("grad", "1e400 * x", "--at", "x=1")
    assert result.exit_code == 2 and "too large for a 64-bit float" in result.stderr
    graded = run("solve", "--json", input="1e400\n-4\n")
    assert graded.exit_code == 0


def test_lint_reports_a_field_of_the_wrong_kind(run, tmp_path):
    """Found by fuzzing problem files: `values = 3` is not a table."""
    path = tmp_path / "bad.toml"
    path.write_text(
        'id = "bad"\ntitle = "t"\norder = 1\n\n[[problem]]\nid = "p"\ntitle = "t"\nprompt = "p"\n'
        'program = "f = x"\nvalues = 3\n'
    )
    result = run("problems", "lint", str(path))
    assert result.exit_code == 2
    assert f"{path}:10: problem.values: should be a table" in result.stderr
