"""No input is an internal error: grammar-shaped and byte-level inputs (programs, values,
shapes, answers, submission and problem files, options) go through the real entry point,
`gradtutor.cli.main`, which turns any exception into exit 3. Every run must end 0, 1 or 2,
within seconds. The share run here is bounded in time; bench/fuzz.py runs 20,000."""

from __future__ import annotations

import contextlib
import io
import sys
import time

import pytest
from fuzz_cases import case

from gradtutor.cli import main


def run_case(seed: int, folder: str) -> tuple[int, float, str]:
    """Exit code, seconds, and the error message: stderr, or the JSON error that --json prints instead."""
    argv, stdin = case(seed, folder)
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    start = time.monotonic()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = saved
    message = err.getvalue()
    if code == 2 and not message.strip() and "--json" in argv:
        with contextlib.suppress(ValueError):
            import json

            message = json.loads(out.getvalue().splitlines()[-1]).get("error", "")
    return code, time.monotonic() - start, message


def _fuzz(tmp_path, seconds: float, first_seed: int) -> int:
    deadline = time.monotonic() + seconds
    seed = first_seed
    while time.monotonic() < deadline:
        code, took, err = run_case(seed, str(tmp_path))
        assert code in (0, 1, 2), (seed, case(seed, str(tmp_path)), err)
        assert took < 30, (seed, took)
        if code == 2:
            assert err.strip() and "Traceback" not in err, seed
        seed += 1
    return seed - first_seed


def test_a_few_seconds_of_fuzzing_finds_no_internal_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    assert _fuzz(tmp_path, 3, first_seed=0) > 5  # a share for the inner loop; the slow test runs a minute


@pytest.mark.slow
def test_a_minute_of_fuzzing_finds_no_internal_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path))
    assert _fuzz(tmp_path, 60, first_seed=int(time.time()) % 1_000_000 * 1000) > 100
