"""Running a student's file in a child Python, never in gradtutor's own process.

The child is `python -I harness.py JOB` (course/code/harness.py) started in a fresh
temporary folder, with no standard input, a minimal environment, its own session (so
a timeout kills everything it started) and, where the platform has them, resource
limits: CPU seconds, address space (memory) and the size of any file it writes. A
wall-clock timeout covers sleeping and waiting too. The job goes in and the results
come back as JSON files; nothing is ever unpickled.

What the limits protect against: mistakes. An endless loop, a runaway allocation, a
sys.exit or os._exit, megabytes of printing, or an exception all end as a clear
message, and the next check or the next student in a batch is unaffected. They are
not a sandbox: the child can still read and write the user's files and open network
connections. Untrusted code on a shared server belongs in a per-submission container
(Gradescope runs each submission in one).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness.py")


@dataclass(frozen=True)
class Limits:
    """How much one check may use. Wall time covers the child's start (numpy's import, ~0.1 s)."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 10
    memory_mb: int = 1024
    file_mb: int = 16


@dataclass
class ChildResult:
    """What came back: the harness's report, or why there is none (`failure` set)."""

    report: dict[str, Any] = field(default_factory=dict)
    failure: dict[str, Any] | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None and bool(self.report.get("ok"))

    @property
    def error(self) -> dict[str, Any] | None:
        """The student-facing error: a crash of the child, or one the harness reported."""
        if self.failure is not None:
            return self.failure
        return None if self.report.get("ok") else self.report.get("error")


def _limit(limits: Limits):
    """Runs in the child between fork and exec: the limits, and no core files."""

    def apply() -> None:
        try:
            import resource
        except ImportError:  # not on this platform: the wall-clock timeout still holds
            return
        pairs = [
            (resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024),
            (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024),
            (resource.RLIMIT_CORE, 0),
        ]
        for which, value in pairs:
            with contextlib.suppress(ValueError, OSError):  # e.g. a lower hard limit already set
                resource.setrlimit(which, (value, value))

    return apply


def _environment() -> dict[str, str]:
    """Only what Python and numpy need: one BLAS thread (the limits are per process, and a
    batch runs one child per core), no inherited PYTHON* variables (-I ignores them anyway)."""
    env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    return env


class Child:
    """A started child: `result()` waits for it (up to the wall-clock limit) and cleans up."""

    def __init__(self, student: str, job: dict[str, Any], limits: Limits = Limits()) -> None:
        self.limits = limits
        self.folder = tempfile.mkdtemp(prefix="gradtutor-run-")
        self.start = time.perf_counter()
        self.job_path = os.path.join(self.folder, "job.json")
        with open(self.job_path, "w", encoding="utf-8") as handle:
            json.dump({**job, "student": os.path.abspath(student)}, handle)
        with open(os.path.join(self.folder, "stderr.txt"), "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-B", HARNESS, self.job_path],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # prints inside Python are captured by the harness itself
                stderr=err,
                env=_environment(),
                start_new_session=True,
                preexec_fn=_limit(limits) if os.name == "posix" else None,
            )

    def result(self) -> ChildResult:
        """Always returns, never raises for the student's sake."""
        try:
            left = self.limits.wall_seconds - (time.perf_counter() - self.start)
            timed_out = False
            try:
                self.proc.wait(timeout=max(0.0, left))
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill(self.proc)
            seconds = time.perf_counter() - self.start
            result_path = os.path.join(self.folder, "result.json")
            if not timed_out and os.path.exists(result_path):
                try:
                    with open(result_path, encoding="utf-8") as handle:
                        return ChildResult(json.load(handle), None, seconds)
                except (OSError, ValueError):
                    pass  # a half-written or forged result counts as none
            failure = _failure(self.proc.returncode, timed_out, self.limits, self.folder)
            return ChildResult({}, failure, seconds)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def run_child(student: str, job: dict[str, Any], limits: Limits = Limits()) -> ChildResult:
    """Run the harness on `student` (a path) with `job` and wait for it."""
    return Child(student, job, limits).result()


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def _failure(code: int | None, timed_out: bool, limits: Limits, folder: str) -> dict[str, Any]:
    """Why the child left no result, in the student's terms."""
    if timed_out:
        return {"kind": "timeout", "message": f"timed out after {limits.wall_seconds:g} s (an endless loop?)"}
    if code is not None and code < 0:
        sig = -code
        if sig in (getattr(signal, "SIGXCPU", -1), signal.SIGKILL):
            return {"kind": "timeout", "message": f"timed out after {limits.cpu_seconds:g} s of CPU time"}
        if sig == getattr(signal, "SIGXFSZ", -1):
            return {"kind": "output", "message": f"wrote a file larger than {limits.file_mb} MB"}
        if sig == signal.SIGSEGV:
            return {"kind": "memory", "message": "the Python process crashed (out of memory?)"}
        return {"kind": "exit", "message": f"the Python process was killed by signal {sig}"}
    tail = ""
    try:
        with open(os.path.join(folder, "stderr.txt"), encoding="utf-8", errors="replace") as handle:
            tail = handle.read()[-600:]
    except OSError:
        pass
    if "MemoryError" in tail or "Cannot allocate memory" in tail:
        return {"kind": "memory", "message": f"ran out of memory (the limit is {limits.memory_mb} MB)"}
    return {
        "kind": "exit",
        "message": f"the Python process ended with status {code} before the check finished (os._exit?)",
        "traceback": tail.strip(),
    }
