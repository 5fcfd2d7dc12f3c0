"""`gradtutor solve` with answers piped in, random values, and bad input."""

from __future__ import annotations

import json
import subprocess

from conftest import GRADTUTOR


def test_piped_answers_are_graded_one_per_line(run):
    result = run("solve", input="z\nq\n1\n-4\n1\ngrad*1\n")
    assert result.exit_code == 0
    assert result.stdout.count("✔ correct") == 6
    assert "df/dq = z" in result.stdout  # the answers are echoed, as a transcript
    assert "score 6 / 6" in result.stdout


def test_json_prints_the_graded_result_only(run):
    result = run("solve", "--json", input="4\n-4\n3\nskip\nshow\n1\n-4\n")
    data = json.loads(result.stdout)
    assert data["max_score"] == 6 and data["score"] == 0.5 + 1 + 0 + 0 + 1 + 1
    by_ask = {q["ask"]: q for q in data["questions"]}
    assert by_ask["df/dq"]["attempts"] == 2 and by_ask["df/dq"]["mistakes"] == ["sign"]
    assert by_ask["dq/dx"]["status"] == "skipped" and by_ask["df/dx"]["status"] == "revealed"
    assert all(q["correct"] for a, q in by_ask.items() if a in ("df/dz", "dq/dy", "df/dy"))


def test_end_of_input_leaves_cleanly_with_a_partial_score(run):
    result = run("solve", "--json", input="-4\n")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and not data["finished"]
    assert data["score"] == 1 and [q["status"] for q in data["questions"]].count("unanswered") == 5


def test_the_readme_command_with_no_input_exits_cleanly():
    out = subprocess.run(GRADTUTOR + ["solve"], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "session ended early" in out.stdout and "Traceback" not in out.stderr


def test_missing_values_are_drawn_and_shown(run):
    result = run("solve", "sigmoid(w*x + b)", "--at", "x=2", "--seed", "5", "--show")
    assert "values drawn at random (--seed 5): w = " in result.stdout
    again = run("solve", "sigmoid(w*x + b)", "--at", "x=2", "--seed", "5", "--show", "--json")
    other = run("solve", "sigmoid(w*x + b)", "--at", "x=2", "--seed", "5", "--show", "--json")
    assert again.stdout == other.stdout


def test_random_values_avoid_domain_errors(run):
    for seed in range(5):
        result = run("solve", "log(x) + sqrt(y) + 1/z", "--seed", str(seed), "--show", "--json")
        assert result.exit_code == 0


def test_random_vectors_with_shape(run):
    data = json.loads(
        run("solve", "sum(relu(W @ x))", "--shape", "W=2x3", "--shape", "x=3", "--seed", "1", "--show", "--json").stdout
    )
    forward = {row["node"]: row["value"] for row in data["forward"]}
    assert len(forward["W"]) == 2 and len(forward["W"][0]) == 3


def test_large_graphs_show_jacobian_sizes_instead_of_building_them(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    result = run(
        "solve",
        "sum((W@x)^2)",
        "--shape",
        "W=512x512",
        "--shape",
        "x=512",
        "--seed",
        "1",
        input="skip\nskip\nshow\nquit\n",
    )
    assert "512 × 262,144 = 134,217,728 numbers (1.1 GB)" in result.stdout
    before, _, after = result.stdout.partition("df/dW = show")
    assert "outer(grad, x)" not in before  # the vector-Jacobian product is the answer: not shown before it
    assert "outer(grad, x)" in after  # but it explains the revealed answer


def test_bad_input_exits_2(run):
    for args, message in [
        (["sigmod(x)"], "did you mean 'sigmoid'?"),
        (["x*y", "--at", "w=1"], "'w' is not an input"),
        (["W @ x", "--shape", "W=2x2", "--shape", "x=2"], "sum(...)"),
    ]:
        result = run("solve", *args, input="")
        assert result.exit_code == 2, args
        assert message in result.stderr
