"""Hostile and broken files end as a clear message, never a gradtutor traceback, and exit 2."""

from __future__ import annotations

import json
import subprocess

import pytest
from code_helpers import check, problem
from conftest import GRADTUTOR

from gradtutor.course.code.runner import Limits

FORWARD = "def affine_forward(x, W, b):\n    return x @ W + b, (x, W, b)\n"
KEY = "code/affine-layer"


def test_an_exception_shows_the_students_traceback_only(tmp_path):
    report = check(
        tmp_path, KEY, FORWARD + "def affine_backward(dout, cache):\n    x, W, b = cache\n    return dout @ W\n"
    )
    assert report.exit_code == 2
    trace = report.error["traceback"]
    assert 'File "affine_layer.py", line 5, in affine_backward' in trace
    assert "ValueError" in trace and "matmul" in trace
    assert "harness" not in trace and "site-packages" not in trace


def test_a_syntax_error_gives_its_line(tmp_path):
    report = check(tmp_path, KEY, FORWARD + "def affine_backward(dout, cache)\n    return 1\n")
    assert report.error["kind"] == "syntax" and report.error["line"] == 3
    assert "SyntaxError" in report.error["traceback"]


@pytest.mark.slow
def test_an_endless_loop_times_out(tmp_path):
    report = check(
        tmp_path, KEY, FORWARD + "def affine_backward(dout, cache):\n    while True:\n        pass\n", Limits(2)
    )
    assert report.error["kind"] == "timeout"
    assert report.error["message"].startswith("timed out after 2 s")
    assert report.seconds < 6


@pytest.mark.slow
def test_a_sleeping_file_times_out_on_the_wall_clock(tmp_path):
    source = "import time\n" + FORWARD + "def affine_backward(dout, cache):\n    time.sleep(60)\n"
    report = check(tmp_path, KEY, source, Limits(1.5))
    assert report.error["kind"] == "timeout" and report.seconds < 5


@pytest.mark.slow
def test_a_huge_allocation_is_refused(tmp_path):
    source = "import numpy as np\n" + FORWARD + "def affine_backward(dout, cache):\n    return np.ones(10**11)\n"
    report = check(tmp_path, KEY, source)
    assert report.error["kind"] == "memory"


@pytest.mark.slow
@pytest.mark.parametrize("call, kind", [("sys.exit(3)", "exit"), ("os._exit(4)", "exit")])
def test_exiting_the_process_is_reported(tmp_path, call, kind):
    source = "import os, sys\n" + FORWARD + f"def affine_backward(dout, cache):\n    {call}\n"
    report = check(tmp_path, KEY, source)
    assert report.error["kind"] == kind
    assert ("sys.exit(3)" if "sys" in call else "status 4") in report.error["message"]


@pytest.mark.slow
def test_megabytes_of_printing_are_cut_short(tmp_path):
    source = problem(KEY).code.solution + "\nfor _ in range(200_000):\n    print('spam spam spam spam spam')\n"
    report = check(tmp_path, KEY, source)
    assert report.status == "right"
    assert report.stdout_chars > 4_000_000 and len(report.stdout) <= 2000


@pytest.mark.slow
def test_a_missing_function_and_a_wrong_return_type(tmp_path):
    report = check(tmp_path, KEY, FORWARD)
    assert report.error["kind"] == "missing" and "affine_backward" in report.error["message"]
    report = check(tmp_path, KEY, FORWARD + "def affine_backward(dout, cache):\n    return [1, 2, 3, 4]\n")
    assert report.error["kind"] == "type" and "tuple of 3" in report.error["message"]


@pytest.mark.slow
def test_check_code_exit_codes_and_json(tmp_path):
    """0 right, 1 wrong, 2 could not run, through the real command."""
    p = problem(KEY)
    files = {
        "right": p.code.solution,
        "wrong": p.code.solution.replace("dout.sum(axis=0)", "dout"),
        "broken": "def affine_forward(:\n",
    }
    for status, source in files.items():
        path = tmp_path / status / "affine_layer.py"
        path.parent.mkdir()
        path.write_text(source)
        done = subprocess.run([*GRADTUTOR, "check-code", str(path), "--json"], capture_output=True, text=True)
        assert done.returncode == {"right": 0, "wrong": 1, "broken": 2}[status], done.stderr
        data = json.loads(done.stdout)
        assert data["status"] == {"right": "right", "wrong": "wrong", "broken": "error"}[status]
        assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_hostile_submission_does_not_touch_the_others(tmp_path):
    """grade: one file per code problem; a file that kills its process spoils only its own result."""
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "affine_layer.py").write_text(problem(KEY).code.solution)
    (bad / "affine_layer.py").write_text("import os\nos._exit(9)\n")
    (good / "relu_layer.py").write_text(problem("code/relu-layer").code.solution)
    files = [str(bad / "affine_layer.py"), str(good / "affine_layer.py"), str(good / "relu_layer.py")]
    done = subprocess.run([*GRADTUTOR, "grade", *files, "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # every file was graded, whatever the scores
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["score"] for r in results] == [0.0, 1.0, 1.0]
    assert "status 9" in results[0]["tests"][0]["output"]
