"""`gradtutor check`: right formulas pass, wrong ones fail with a diagnosis, kinks are not failures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradtutor.autodiff.check import run_check
from gradtutor.autodiff.compare import diagnose, nice_factor, relative_error
from gradtutor.graph import build


def check_json(run, *args):
    result = run("check", *args, "--json", "--seed", "11")
    return result.exit_code, json.loads(result.stdout) if result.stdout else None


def test_right_formulas_pass_with_exit_0(run):
    code, data = check_json(
        run,
        "sum((W@x)^2)",
        "--shape",
        "W=3x2",
        "--shape",
        "x=2",
        "--grad",
        "x=2*W.T@(W@x)",
        "--grad",
        "W=2*outer(W@x, x)",
    )
    assert code == 0 and data["passed"]
    for target in data["targets"]:
        assert target["passed"] and target["max_rel_error"] < 1e-12
        assert target["numeric_rel_error"] < 1e-6
    assert data["points"] == 3


def test_formulas_may_use_statement_names(run):
    code, data = check_json(run, "q = x + y; f = q * z", "--grad", "x=z", "--grad", "z=q", "--grad", "q=z")
    assert code == 0
    assert [t["name"] for t in data["targets"]] == ["x", "z", "q"]


@pytest.mark.parametrize(
    "claim, kind",
    [
        ("x=-2*W.T@(W@x)", "sign flipped"),
        ("W=2*outer(x, W@x)", "transposed"),
        ("x=W.T@(W@x)", "1/2 times the gradient"),
        ("x=2*W@x", "wrong shape"),
    ],
)
def test_wrong_formulas_fail_with_exit_1_and_a_diagnosis(run, claim, kind):
    code, data = check_json(
        run, "sum((W@x)^2)", "--shape", "W=3x3" if "outer" in claim else "W=2x3", "--shape", "x=3", "--grad", claim
    )
    assert code == 1 and not data["passed"]
    target = data["targets"][0]
    assert not target["passed"]
    assert any(kind in note for note in target["diagnosis"]), target["diagnosis"]


def test_a_formula_right_at_one_point_only_fails(run):
    # d(x^3)/dx = 3x^2; "3" agrees only where x = ±1. Fixing y does not fix x.
    code, data = check_json(run, "x^3 * y", "--at", "y=1", "--grad", "x=3*y")
    assert code == 1
    rigged = run("check", "x^3 * y", "--at", "x=1", "--at", "y=1", "--grad", "x=3*y", "--json")
    assert rigged.exit_code == 0  # at the single point x = 1 it happens to agree
    assert json.loads(rigged.stdout)["points"] == 1


def test_report_lists_the_worst_entry(run):
    # only entry [1] is wrong: the claim zeroes it
    code, data = check_json(run, "sum(x^2)", "--shape", "x=3", "--grad", "x=2*x*[1, 0, 1]")
    assert code == 1
    assert data["targets"][0]["worst_index"] == [1]


def test_without_claims_the_engine_is_checked_against_numeric_bands(run):
    code, data = check_json(run, "sum(tanh(W @ x)) + sigmoid(y) * y", "--shape", "W=3x4", "--shape", "x=4")
    assert code == 0 and data["mode"] == "engine"
    for target in data["targets"]:
        assert target["band"] == "excellent"
    table = run("check", "sum(tanh(W @ x))", "--shape", "W=3x4", "--shape", "x=4", "--seed", "1")
    assert "excellent" in table.stdout and "bands:" in table.stdout


def test_kinks_within_the_step_are_reported_not_failed(run):
    # relu exactly at its kink, and a max with tied inputs: central differences straddle the kink
    for program, values in [("relu(x)", ["x=0"]), ("max(y, z)", ["y=1", "z=1"]), ("abs(x - 1e-7)", ["x=0"])]:
        args = [a for v in values for a in ("--at", v)]
        code, data = check_json(run, program, *args)
        assert code == 0, program
        assert any(t["kinks"] > 0 for t in data["targets"]), program
        table = run("check", program, *args)
        assert "kink" in table.stdout


@pytest.mark.slow
def test_large_inputs_are_sampled_and_still_catch_a_transpose():
    graph = build("sum((W@x)^2)")
    shapes = {"W": (1000, 1000), "x": (1000,)}
    right = run_check(graph, {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"}, {}, shapes, points=1, seed=3)
    assert right.passed and all(t.sampled for t in right.targets)
    wrong = run_check(graph, {"W": "2*outer(x, W@x)"}, {}, shapes, points=1, seed=3)
    assert not wrong.passed
    assert any("transposed" in note for note in wrong.targets[0].diagnosis)


@pytest.mark.parametrize(
    "args, message",
    [
        (["x*y", "--grad", "xx=y"], "did you mean 'x'?"),
        (["x*y", "--grad", "x=yy"], "did you mean 'y'?"),
        (["x*y", "--grad", "x=(y"], "'(' is never closed"),
        (["x*y", "--shape", "w=3"], "'w' is not an input"),
        (["x*y", "--grad", "x"], "--grad expects NAME=VALUE"),
    ],
)
def test_check_bad_input_exits_2(run, args, message):
    result = run("check", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr


def test_human_report_names_each_gradient_and_verdict(run):
    result = run("check", "x*y", "--grad", "x=y", "--grad", "y=2*x", "--seed", "1")
    assert result.exit_code == 1
    assert "df/dx" in result.stdout and "✔ right" in result.stdout and "✘ wrong" in result.stdout
    assert "y: off by a constant factor: this is 2 times the gradient" in result.stdout


def test_diagnose_names_common_mistakes():
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert [m.code for m in diagnose(-g, g)] == ["sign"]
    assert [m.code for m in diagnose(g.T, g)] == ["transposed"]
    assert [m.code for m in diagnose(0.5 * g, g)] == ["factor"]
    assert [m.code for m in diagnose(g[:, :1], g)] == ["shape"]
    assert [m.code for m in diagnose(np.zeros_like(g), g)] == ["zero"]
    assert diagnose(g + [[0, 0], [0, 1]], g) == []
    assert nice_factor(0.5) == "1/2" and nice_factor(3.0) == "3" and nice_factor(0.3713) == "0.3713"
    assert relative_error(1e-20, 0.0) < 1e-6  # the floor keeps near-zero entries from blowing up


def test_a_claim_of_the_wrong_shape_has_no_numeric_error(run):
    code, data = check_json(run, "sum((W@x)^2)", "--shape", "W=3x2", "--shape", "x=2", "--grad", "W=2*outer(x, W@x)")
    target = data["targets"][0]
    assert code == 1 and target["numeric_rel_error"] is None
    assert any("transpose of the gradient" in note for note in target["diagnosis"])


@pytest.mark.parametrize(
    "program, shapes, claim, code",
    [
        ("sigmoid(w*x)", {}, "w=x", "forgot-local"),  # the sigmoid's slope forgotten
        ("tanh(w*x)", {}, "w=x", "forgot-local"),
        ("sigmoid(w*x)", {}, "w=sigmoid(w*x)*x", "output-for-local"),  # σ for σ(1 − σ)
        ("s = W@x; sum(relu(s))", {"W": (3, 2), "x": (2,)}, "W=outer(ones(s), x)", "forgot-local"),  # no relu mask
        ("s = W@x; logsumexp(s) - s[2]", {"W": (3, 2), "x": (2,)}, "W=outer(softmax(s), x)", "missed-branch"),
        (
            "s = W @ x; m = max(0, s - s[2] + 1); L = sum(m) - 1",
            {"W": (4, 2), "x": (2,)},
            "W=outer(step(m), x)",  # the correct class's row, minus the count of active margins, forgotten
            "missed-branch",
        ),
        ("x*y + x", {}, "x=y", "missed-branch"),
        ("sum((W@x)^2)", {"W": (2, 2), "x": (2,)}, "x=2*W@(W@x)", "forgot-transpose"),
    ],
)
def test_chain_rule_mistakes_are_named_by_their_stable_code(program, shapes, claim, code):
    name, formula = claim.split("=", 1)
    report = run_check(build(program), {name: formula}, {}, shapes, points=3, seed=5)
    (target,) = report.targets
    assert not target.passed
    assert all([m.code for m in p.mistakes] == [code] for p in target.points if not p.passed), target.points


def test_a_right_claim_gets_no_chain_rule_diagnosis():
    report = run_check(build("x*y + x"), {"x": "y + 1"}, {}, {}, points=3, seed=5)
    assert report.passed and not report.targets[0].diagnosis
