"""The resource budget: short input cannot ask for gigabytes or hours. Each size is refused
from shapes before anything is allocated, with exit 2 naming the size, the limit and the flag."""

from __future__ import annotations

import json
import time

import pytest

from gradtutor import budget


def refused(result, size: str):
    assert result.exit_code == 2, result.stdout + result.stderr
    assert size in result.stderr and "20,000,000" in result.stderr and "--max-elements" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("args", "size"),
    [
        (["grad", "sum(onehot(0, 300000000)*x)", "--at", "x=1"], "300,000,000"),
        (["grad", "sum(onehot(0, 1000000000000)*x)", "--at", "x=1"], "1,000,000,000,000"),
        (["grad", "sum(W)", "--random", "W=20000x20000"], "400,000,000"),
        (["check", "sum(W)", "--shape", "W=100000x100000"], "10,000,000,000"),
        (["check", "sum(W@W@W@W)", "--shape", "W=3000x3000"], "36,000,001"),
        (["grad", "sum(x^2)", "--random", "x=20000", "--order", "2"], "800,000,000"),
        (["solve", "sum(outer(x, x))", "--shape", "x=100000", "--show"], "10,000,000,000"),
        (["code", "sum(W)", "--shape", "W=100000x100000"], "10,000,000,000"),
    ],
)
def test_sizes_over_the_budget_are_refused_before_allocating(run, args, size):
    start = time.monotonic()
    refused(run(*args), size)
    assert time.monotonic() - start < 5


def test_work_over_the_budget_is_refused_up_front(run):
    forward = run("grad", "sum(x^2)", "--random", "x=1000000", "--mode", "forward")
    assert forward.exit_code == 2 and "1,000,000 sweeps" in forward.stderr and "--max-elements" in forward.stderr
    check = run("check", "sum(W@W@W@W)", "--shape", "W=1000x1000")
    assert check.exit_code == 2 and "operations, over the limit" in check.stderr and "--points" in check.stderr


def test_the_flag_raises_the_limit(run):
    assert run("grad", "sum(onehot(0, 30)*x)", "--at", "x=1", "--max-elements", "20").exit_code == 2
    ok = run("grad", "sum(onehot(0, 30000000)*x)", "--at", "x=1", "--max-elements", "7e7", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["value"] == 1.0
    # the next command starts from the default again
    refused(run("grad", "sum(onehot(0, 30000000)*x)", "--at", "x=1"), "30,000,000")


def test_the_meter_stops_work_that_no_estimate_saw():
    with budget.scope():
        budget.charge(budget.work_limit() // 2)
        with pytest.raises(budget.BudgetError, match="stopped after"):
            budget.charge(budget.work_limit())
    budget.charge(10 * budget.work_limit())  # outside a scope (the Python API) nothing is metered


def test_answers_and_submissions_are_budgeted(run, tmp_path):
    solve = run("solve", input="sum(onehot(0, 300000000)*z)\nz\nq\n")
    shown = " ".join(solve.stdout.split())  # Rich wraps long lines
    assert solve.exit_code == 0 and "300,000,000 numbers, over the limit" in shown and "(no try used)" in shown
    long_answer = "+".join(["z"] * 100_000)
    graded = run("solve", input=f"{long_answer}\nz\nq\n")
    assert graded.exit_code == 0 and "an answer may have at most 10,000" in " ".join(graded.stdout.split())
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"chain-rule/add-then-multiply": {"df/dx": "sum(onehot(0, 300000000)*z)"}}))
    result = run("grade", str(path), "--json")
    assert result.exit_code == 0  # graded, whatever the score (issue 10)
    test = next(t for t in json.loads(result.stdout)["tests"] if t["name"].endswith("df/dx"))
    assert "300,000,000 numbers" in test["output"]


def test_json_values_from_files_are_budgeted(run, tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 50 + "0]")
    result = run("grad", "sum(x)", "--at", f"x=@{path}", "--max-elements", "10")
    assert result.exit_code == 2 and "bytes, over the limit" in result.stderr and ".npy" in result.stderr


def test_npy_files_are_checked_from_their_header(run, tmp_path):
    import numpy as np

    path = tmp_path / "big.npy"
    np.save(path, np.zeros(1000))
    result = run("grad", "sum(x)", "--at", f"x=@{path}", "--max-elements", "999")
    assert result.exit_code == 2 and "1,000 numbers" in result.stderr
