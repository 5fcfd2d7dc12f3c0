"""`gradtutor grad` as a user runs it: tables, JSON, values from files, and errors."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from conftest import GRADTUTOR


def test_table_shows_value_and_each_gradient(run):
    result = run("grad", "(x + y) * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "f = -12"
    rows = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:5]] for line in lines if line.startswith("│")
    }
    assert rows == {"x": ["scalar", "-2", "-4"], "y": ["scalar", "5", "-4"], "z": ["scalar", "-4", "3"]}


def test_matrices_are_shown_with_their_shapes(run):
    result = run("grad", "sum((W@x)^2)", "--at", "W=[[0.1,0.5],[-0.3,0.8]]", "--at", "x=[0.2,0.4]")
    assert result.exit_code == 0
    assert "f = 0.116" in result.stdout
    assert "(2, 2)" in result.stdout and "(2,)" in result.stdout
    assert "[[0.088, 0.176]," in result.stdout and "[0.104, 0.208]]" in result.stdout
    assert "[-0.112, 0.636]" in result.stdout


def test_json_output_is_exactly_value_and_gradients(run):
    result = run("grad", "sum((W@x)^2)", "--at", "W=[[0.1,0.5],[-0.3,0.8]]", "--at", "x=[0.2,0.4]", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"value", "gradients"}
    assert data["value"] == pytest.approx(0.116)
    assert set(data["gradients"]) == {"W", "x"}
    np.testing.assert_allclose(data["gradients"]["W"], [[0.088, 0.176], [0.104, 0.208]])
    np.testing.assert_allclose(data["gradients"]["x"], [-0.112, 0.636])


def test_statement_form_and_wrt(run):
    program = "s0 = w0*x0; s1 = w1*x1; s2 = s0 + s1; s3 = s2 + w2; L = sigmoid(s3)"
    args = ["--at", "w0=2", "--at", "x0=-1", "--at", "w1=-3", "--at", "x1=-2", "--at", "w2=-3"]
    data = json.loads(run("grad", program, *args, "--wrt", "x0", "--wrt", "x1", "--json").stdout)
    assert list(data["gradients"]) == ["x0", "x1"]
    assert data["gradients"]["x0"] == pytest.approx(0.393, abs=1e-3)
    assert data["gradients"]["x1"] == pytest.approx(-0.590, abs=1e-3)


def test_random_values_are_reproducible_with_a_seed(run):
    first = run("grad", "sum(W @ x)", "--random", "W=3x4", "--random", "x=4", "--seed", "7", "--json").stdout
    again = run("grad", "sum(W @ x)", "--random", "W=3x4", "--random", "x=4", "--seed", "7", "--json").stdout
    assert first == again
    assert np.shape(json.loads(first)["gradients"]["W"]) == (3, 4)
    shown = run("grad", "sum(W @ x)", "--random", "W=3x4", "--random", "x=4")
    assert "drawn with --seed" in shown.stdout


def test_values_from_npy_and_json_files(run, tmp_path):
    np.save(tmp_path / "W.npy", np.array([[0.1, 0.5], [-0.3, 0.8]]))
    (tmp_path / "x.json").write_text("[0.2, 0.4]")
    data = json.loads(
        run(
            "grad", "sum((W@x)^2)", "--at", f"W=@{tmp_path / 'W.npy'}", "--at", f"x=@{tmp_path / 'x.json'}", "--json"
        ).stdout
    )
    assert data["value"] == pytest.approx(0.116)


def test_program_from_a_file(run, tmp_path):
    path = tmp_path / "neuron.gt"
    path.write_text("# the lectures' flat form\ns = w*x + b\nL = sigmoid(s)\n")
    data = json.loads(run("grad", f"@{path}", "--at", "w=1", "--at", "x=0", "--at", "b=0", "--json").stdout)
    assert data["value"] == 0.5 and data["gradients"]["b"] == 0.25


@pytest.mark.parametrize(
    "args, message",
    [
        (["sigmod(x)", "--at", "x=1"], "did you mean 'sigmoid'?"),
        (["(x + y", "--at", "x=1"], "'(' is never closed"),
        (["x * y", "--at", "x=1"], "no value given for the input 'y'"),
        (["x", "--at", "x=[[1,2],[3]]"], "different lengths"),
        (["x", "--at", "x=[1,2"], "is not a number or a list"),
        (["x", "--at", "x=@/no/such/file.npy"], "does not exist"),
        (["x", "--at", "x"], "--at expects NAME=VALUE"),
        (["sum(W@x)", "--at", "W=[[1,2]]", "--at", "x=[1,2,3]"], "'@' cannot combine shapes (1, 2) and (3,)"),
        (["log(x)", "--at", "x=-1"], "log needs a positive input"),
        (["x", "--at", "x=[1,2]", "--symbolic"], "sum(...)"),
        (["x", "--at", "x=nan"], "finite"),
        (["x", "--random", "x=2x3x4"], "one or two positive sizes"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(run, args, message):
    result = run("grad", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_pickled_npy_files_are_refused(run, tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    result = run("grad", "x", "--at", f"x=@{path}")
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_the_installed_program_runs_as_a_subprocess():
    out = subprocess.run(
        GRADTUTOR + ["grad", "(x+y)*z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4", "--json"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"value": -12.0, "gradients": {"x": -4.0, "y": -4.0, "z": 3.0}}
    bad = subprocess.run(GRADTUTOR + ["grad", "sigmod(x)"], capture_output=True, text=True)
    assert bad.returncode == 2 and "did you mean 'sigmoid'" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["grad", "-x^2", "--at", "x=3", "--json"],
        ["grad", "--at", "x=3", "-x^2", "--json"],
        ["grad", "--", "-x^2", "--at", "x=3", "--json"],
        ["grad", "--at", "x=3", "--json", "--", "-x^2"],
    ],
)
def test_a_program_may_start_with_a_minus(run, args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"value": -9.0, "gradients": {"x": -6.0}}


@pytest.mark.parametrize(
    "args, expected",
    [
        (["check", "-x^2", "--grad", "x=-2*x"], "all gradients are right"),
        (["code", "-log(x)", "--at", "x=2"], "grad_x"),
        (["graph", "-x^2", "--at", "x=2"], "x^2"),
        (["solve", "-x^2", "--at", "x=2", "--show"], "-4"),
    ],
)
def test_every_program_command_takes_a_leading_minus(run, args, expected):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert expected in result.stdout


def test_a_stray_argument_next_to_a_minus_program_is_still_an_error(run):
    result = run("grad", "-x^2", "extra")
    assert result.exit_code == 2 and "unexpected extra argument" in result.output


def test_keyword_arguments_and_their_errors(run):
    ok = run("grad", "sum(sum(x, axis=0)^2)", "--at", "x=[[1,2],[3,4]]", "--json")
    assert json.loads(ok.stdout)["gradients"]["x"] == [[8.0, 12.0], [8.0, 12.0]]  # 2*(column sums)
    for program, message in [
        ("sum(x, foo=1)", "sum has no argument called 'foo'"),
        ("sum(x, axis=0, axis=1)", "sum gets 'axis' twice"),
        ("sum(x, axis=0.5)", "must be a whole-number constant"),
        ("sum(x, keepdims=1)", "sum needs its argument 'axis'"),
    ]:
        result = run("grad", program, "--at", "x=[[1,2],[3,4]]")
        assert result.exit_code == 2 and message in result.output, (program, result.output)
