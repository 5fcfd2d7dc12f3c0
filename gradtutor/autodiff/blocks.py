"""Comparing large gradients in blocks of rows, so `check` on a 4000 x 4000 matrix stays fast and small.

`relative_error` on two 128 MB arrays makes half a dozen 128 MB temporaries;
each is fresh memory the kernel must hand over page by page (most of the time
of a naive check goes there). The same arithmetic done a block of rows at a
time into reused buffers gives the same numbers, in cache, with no temporary
larger than a block. Diagnosing a wrong claim tests the hypotheses (sign,
transposed, factor, zero) on a sample first and confirms the one that fits
on the whole array, instead of trying each on the whole array.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..mistakes import Mistake
from .compare import diagnose
from .row_gradient import RowGradient, rows_of

BLOCK = 1 << 16  # entries per block: 512 kB, which stays in cache
SAMPLE_LIMIT = 1 << 17  # past this many entries a diagnosis starts on a sample
TILE = 256  # square tiles for comparing with a transpose
SAMPLE_SIDE = 64  # a 64 x 64 principal submatrix: it keeps transposition visible


def row_blocks(shape: tuple[int, ...]) -> Iterator[slice]:
    """Slices of the first axis covering about BLOCK entries each (one slice for a scalar)."""
    if len(shape) == 0:
        yield slice(None)
        return
    per_row = int(np.prod(shape[1:], dtype=np.int64)) or 1
    step = max(1, BLOCK // per_row)
    for start in range(0, shape[0], step):
        yield slice(start, min(start + step, shape[0]))


def make_all_rows(a: np.ndarray | RowGradient) -> None:
    """Make every block of a RowGradient, to refuse an overflow the whole sweep would have
    refused, where no comparison will make them (a claim that could not be evaluated)."""
    if isinstance(a, RowGradient):
        for rows in row_blocks(a.shape):
            a.rows(rows)


def max_abs(a: np.ndarray | RowGradient) -> float:
    """The largest |entry|, without an |block| array: a second block-sized array alive at once
    made glibc hand its memory back and fault it in again, block after block (10x slower)."""
    if not a.shape:
        return abs(float(a))
    worst = 0.0
    for rows in row_blocks(a.shape):
        block = rows_of(a, rows)
        if block.size:
            high, low = float(block.max()), float(block.min())
            if high != high or low != low:
                return float("nan")
            worst = max(worst, high, -low)
    return worst


def max_relative_error(claimed: np.ndarray, true: np.ndarray | RowGradient) -> tuple[float, tuple[int, ...]]:
    """The largest entry of `compare.relative_error(claimed, true)` and its index (the first
    one on a tie), computed a block at a time: the same numbers, without full-size temporaries."""
    a = np.asarray(claimed, dtype=float)
    b = true if isinstance(true, RowGradient) else np.asarray(true, dtype=float)
    if a.ndim == 0:
        a, b = a.reshape(1), b.reshape(1)
    floor = max(1e-8, 1e-3 * max(max_abs(a), max_abs(b)))
    worst, where = 0.0, 0
    diff = den = np.empty(0)
    for rows in row_blocks(a.shape):
        x, y = a[rows].ravel(), rows_of(b, rows).ravel()
        if diff.size < x.size:
            diff, den = np.empty(x.size), np.empty(x.size)
        d, m = diff[: x.size], den[: x.size]
        np.subtract(x, y, out=d)
        np.abs(d, out=d)
        np.abs(x, out=m)
        np.maximum(m, np.abs(y), out=m)
        np.maximum(m, floor, out=m)
        np.divide(d, m, out=d)
        k = int(np.argmax(d))
        if d[k] > worst:
            worst, where = float(d[k]), rows.indices(a.shape[0])[0] * (a.size // a.shape[0]) + k
    index = tuple(int(i) for i in np.unravel_index(where, np.shape(claimed))) if np.ndim(claimed) else ()
    return worst, index


def _close_blocks(a: np.ndarray, b, rtol: float, transpose: bool = False, factor: float = 1.0) -> bool:
    """compare.close(a, factor * b) -- or close(a.T, b) -- without full-size temporaries.
    A transpose is compared in square tiles, so both sides are read a cache line at a time;
    each band of b's rows is made once (b may be a RowGradient)."""
    floor = max(1e-8, 1e-3 * max(max_abs(a), abs(factor) * max_abs(b)))
    side = TILE if transpose else None
    bands = (slice(i, i + side) for i in range(0, b.shape[0], side)) if transpose else row_blocks(b.shape)
    spare = np.empty(0)  # one buffer for every tile's difference (see max_abs)
    for rows in bands:
        band = rows_of(b, rows)
        for cols in (slice(j, j + side) for j in range(0, b.shape[1], side)) if transpose else [slice(None)]:
            x = a[cols, rows].T if transpose else a[rows]
            part = band[:, cols] if transpose else band
            if spare.size < part.size:
                spare = np.empty(part.size)
            y = np.multiply(part, factor, out=spare[: part.size].reshape(part.shape))
            np.subtract(x, y, out=y)
            np.abs(y, out=y)
            if np.max(y, initial=0.0) <= rtol * floor:
                continue  # every entry is within rtol even of the floor, the smallest denominator
            y = band[:, cols] * factor if transpose else band * factor
            err = np.abs(x - y) / np.maximum(np.maximum(np.abs(x), np.abs(y)), floor)
            if np.max(err, initial=0.0) > rtol:
                return False
    return True


def _sample(a: np.ndarray, rng: np.random.Generator) -> tuple:
    """Indices of a sample that keeps every hypothesis testable: a principal submatrix of a
    square matrix (so a transpose stays a transpose), rows x columns of another matrix,
    entries of a vector."""
    if a.ndim == 2:
        rows = np.sort(rng.choice(a.shape[0], size=min(SAMPLE_SIDE, a.shape[0]), replace=False))
        if a.shape[0] == a.shape[1]:
            return np.ix_(rows, rows)
        cols = np.sort(rng.choice(a.shape[1], size=min(SAMPLE_SIDE, a.shape[1]), replace=False))
        return np.ix_(rows, cols)
    return (np.sort(rng.choice(a.shape[0], size=min(SAMPLE_SIDE**2, a.shape[0]), replace=False)),)


def diagnose_large(
    claimed: np.ndarray, true: np.ndarray | RowGradient, name: str, rng: np.random.Generator, rtol: float = 1e-6
) -> list[Mistake]:
    """`compare.diagnose` for same-shaped arrays, on a sample first when they are large.

    A hypothesis that fits the sample is confirmed on the whole array; one that does not
    is dropped (it cannot fit the whole). When the sample cannot tell (all zeros) or its
    hypothesis fails on the whole, the full diagnosis runs."""
    if claimed.size <= SAMPLE_LIMIT or claimed.shape != true.shape:
        return diagnose(claimed, np.asarray(true), rtol=rtol, name=name)
    pick = _sample(claimed, rng)
    a = claimed[pick]
    b = rows_of(true, pick[0].ravel())[:, pick[1].ravel()] if isinstance(true, RowGradient) else true[pick]
    if not np.any(a) and not np.any(b):
        return diagnose(claimed, np.asarray(true), rtol=rtol, name=name)
    found = diagnose(a, b, rtol=rtol, name=name)
    if not found:
        return []
    code = found[0].code
    if code == "sign":
        confirmed = _close_blocks(claimed, true, rtol, factor=-1.0)
    elif code == "transposed":
        confirmed = _close_blocks(claimed, true, rtol, transpose=True)
    elif code == "zero":
        confirmed = not any(np.any(claimed[rows]) for rows in row_blocks(claimed.shape))
    elif code == "factor":
        k = float(np.vdot(a, b)) / float(np.vdot(b, b))
        confirmed = _close_blocks(claimed, true, rtol, factor=k)
    else:
        confirmed = False
    return found if confirmed else diagnose(claimed, np.asarray(true), rtol=rtol, name=name)
