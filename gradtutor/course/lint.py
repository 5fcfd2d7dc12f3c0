"""`gradtutor problems lint`: every problem file checked as a student would meet it.

Beyond the format (load_set), each problem is built at many random variants:
its program parses, its values fit the program, its output is a scalar, its
targets exist, and no variant lands on a domain error (log of a negative,
division by zero). Messages name the file, the line and the field.
"""

from __future__ import annotations

import os
import re

from .exercise import lint_variants
from .problem import ProblemFileError, ProblemSet
from .problems import load_set, set_paths


def set_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files += set_paths(path)
        else:
            files.append(path)
    return files


def lint(paths: list[str], samples: int = 200, progress=None) -> tuple[list[ProblemSet], list[str]]:
    """(the sets that loaded, every problem found) for files or folders of set files.

    Every error is reported in one run: a broken problem does not hide the others. The
    variants are sampled on every core; `progress(done, total)` hears about each problem."""
    sets: list[ProblemSet] = []
    errors: list[str] = []
    owners: dict[str, str] = {}
    for path in set_files(paths):
        if not os.path.isfile(path):
            errors.append(f"{path}: no such file")
            continue
        try:
            problem_set = load_set(path, errors)
        except ProblemFileError as exc:
            errors.append(exc.message)
            continue
        if problem_set.id in owners:
            errors.append(f"{path}:1: id: set '{problem_set.id}' is also defined in {owners[problem_set.id]}")
        owners[problem_set.id] = path
        sets.append(problem_set)
    work = [(s.path, p) for s in sets for p in s.problems]
    for k, found in enumerate(_sample_all(work, samples)):
        errors += found
        if progress is not None:
            progress(k + 1, len(work))
    return sets, errors


def _problem_errors(path: str, problem, samples: int) -> list[str]:
    found = [f"{path}:{problem.line}: problem.hints: problem '{problem.id}': {h}" for h in untypable(problem)]
    if problem.kind == "code":
        from .code.check import lint_code

        return found + [f"{path}:{problem.line}: problem.code: problem '{problem.id}': {t}" for t in lint_code(problem)]
    trouble = lint_variants(problem, samples)
    if trouble:
        field = "problem.random" if problem.has_random else "problem.values"
        found.append(f"{path}:{problem.line}: {field}: problem '{problem.id}': {trouble}")
    return found


_WORK: list = []


def _check(index_and_samples: tuple[int, int]) -> list[str]:
    index, samples = index_and_samples
    path, problem = _WORK[index]
    return _problem_errors(path, problem, samples)


def _sample_all(work: list, samples: int):
    """Each problem's errors, in order; sampled by forked workers that inherit the problems (only
    indices and messages cross between processes) where the platform forks, else here."""
    import multiprocessing

    workers = min(os.cpu_count() or 1, len(work))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_problem_errors(path, problem, samples) for path, problem in work)
        return
    _WORK[:] = work
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_check, [(k, samples) for k in range(len(work))])
    finally:
        _WORK.clear()


_FORMULA_WITH_DERIVATIVE = re.compile(r"\b[A-Za-z_]\w*\([^()]*\bd[A-Za-z_]\w*/d[A-Za-z_]\w*[^()]*\)")


def untypable(problem) -> list[str]:
    """Hints that write a formula a student cannot type: dL/ds is notation, not a name."""
    return [
        f"hint {k} writes {found.group(0)}, which cannot be typed as an answer (dX/dY is not a name); "
        f"say it in words or use the program's names"
        for k, hint in enumerate(problem.hints, 1)
        if (found := _FORMULA_WITH_DERIVATIVE.search(hint))
    ]
