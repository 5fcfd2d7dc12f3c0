"""Every bad input found by issue 11's probe ends in a clear message and exit 2, never exit 3."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import GRADTUTOR

SET = """id = "s"
title = "t"
order = 1

[[problem]]
id = "p"
title = "t"
prompt = "p"
program = "f = x * y"
{extra}
"""


def bad(result, *phrases: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_overflowing_powers_and_negative_seeds(run):
    bad(run("grad", "2^2^2^2^2^2"), "overflowed")
    bad(run("grad", "x", "--random", "x=3", "--seed", "-5"), "--seed")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("random = { x = [-inf, inf] }\nvalues = { y = 2 }", "finite numbers"),
        ("random = { x = [-1e308, 1e308] }\nvalues = { y = 2 }", "should lie within"),
        ("random = { x = { range = [0, 0.5], integer = true, nonzero = true } }\nvalues = { y = 2 }", "but 0"),
        ("values = { x = 1, y = 2 }\npoints = nan", "positive (finite) number"),
        ("values = { x = 1, y = 2 }\ntolerance = { rtol = inf }", "problem.tolerance"),
    ],
)
def test_problem_files_with_bad_numbers(run, tmp_path, extra, message):
    path = tmp_path / "s.toml"
    path.write_text(SET.format(extra=extra))
    bad(run("problems", "lint", str(path)), message)


def test_problem_files_that_are_not_sets(run, tmp_path):
    listed = tmp_path / "list.toml"
    listed.write_text('id = "s"\ntitle = "t"\norder = 1\nproblem = [1, 2]\n')
    bad(run("problems", "lint", str(listed)), "each problem is a [[problem]] table")
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    bad(run("problems", "lint", str(deep)), "nested too deeply")
    latin = tmp_path / "latin" / "s.toml"
    latin.parent.mkdir()
    latin.write_bytes(SET.format(extra="values = { x = 1, y = 2 }\n# caf\xe9").encode("latin-1"))
    bad(run("practice", "--sets", str(latin.parent)), "not UTF-8 text")


def test_a_huge_whole_number_range_draws_without_building_it(run, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SET.format(extra="random = { x = { range = [0, 1e12], integer = true } }\nvalues = { y = 2 }"))
    assert run("problems", "lint", str(path)).exit_code == 0


def test_a_folder_named_like_a_set_file_is_not_one(run, tmp_path):
    (tmp_path / "x.toml").mkdir()
    (tmp_path / "s.toml").write_text(SET.format(extra="values = { x = 1, y = 2 }"))
    assert run("practice", "--sets", str(tmp_path)).exit_code == 0


def test_program_and_value_files(run, tmp_path):
    latin = tmp_path / "p.txt"
    latin.write_bytes("x * y # caf\xe9".encode("latin-1"))
    bad(run("grad", f"@{latin}", "--at", "x=1", "--at", "y=2"), "not UTF-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    bad(run("grad", "sum(x)", "--at", f"x=@{deep}"), "nested too deeply")
    bad(run("grad", "sum(x)", "--at", "x=" + "[" * 100_000 + "]" * 100_000), "nested too deeply")
    complex_npy = tmp_path / "c.npy"
    np.save(complex_npy, np.array([1 + 2j, 3 - 1j]))
    bad(run("grad", "sum(x)", "--at", f"x=@{complex_npy}"), "complex numbers")


def test_output_files_that_cannot_be_written(run, tmp_path):
    missing = tmp_path / "missing"
    bad(run("graph", "x*y", "--at", "x=1", "--at", "y=2", "-o", str(missing / "g.dot")), "folder does not exist")
    bad(run("code", "x*y", "-o", str(missing / "c.py")), "folder does not exist")
    if os.path.exists("/dev/full"):
        bad(run("code", "x*y", "-o", "/dev/full"), "No space left")


@pytest.mark.slow
def test_closed_and_undecodable_standard_streams():
    """Through the real entry point: a closed stdin reads as empty, bytes that are not UTF-8
    are replaced, so neither is an internal error."""
    closed = subprocess.run(
        ["sh", "-c", 'exec 0<&-; exec "$@"', "sh", *GRADTUTOR, "solve"], capture_output=True, text=True
    )
    assert closed.returncode == 0, closed.stderr
    program = subprocess.run([*GRADTUTOR, "grad", "-"], input=b"x \xff\xfe", capture_output=True)
    assert program.returncode == 2 and b"internal error" not in program.stderr
    answers = subprocess.run([*GRADTUTOR, "solve", "--json"], input=b"\xff\nz\nq\n", capture_output=True)
    assert answers.returncode == 0, answers.stderr
    argument = subprocess.run([*GRADTUTOR, "grad", os.fsdecode(b"x\xff")], capture_output=True)
    assert argument.returncode == 2 and b"internal error" not in argument.stderr


def test_the_parser_cache_is_shared_in_a_shared_home(tmp_path):
    home = tmp_path / "home"
    env = dict(os.environ, GRADTUTOR_HOME=str(home))
    subprocess.run([*GRADTUTOR, "grad", "x", "--at", "x=1"], env=env, check=True, capture_output=True)
    cached = [p for p in home.rglob("*") if p.is_file()]  # none when the shipped parse tables fit
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in cached)


def test_python_api_is_budgeted_too():
    import gradtutor
    from gradtutor.budget import BudgetError

    with pytest.raises(BudgetError):
        gradtutor.grad("sum(onehot(0, 300000000)*x)", {"x": 1.0})
    assert sys.modules["gradtutor.budget"].limit() == 20_000_000
