"""Values for a program's variables: from Python objects, from command-line text, at random.

Everything becomes a float64 numpy array of at most two dimensions. Files are
read as JSON or as .npy without pickles; nothing is ever evaluated as Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import budget
from ..errors import ValueInputError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
_FORMAT_HINT = "write numbers like 2 or -0.5, vectors like [1, 2], matrices like [[1, 2], [3, 4]]"


def as_array(name: str, raw: Any, finite: bool = True) -> np.ndarray:
    """A user-supplied value as a float64 array, or a ValueInputError naming the variable.
    `finite`: refuse inf and nan now (`grad` looks for them only if something fails)."""
    if type(raw) is np.ndarray and raw.dtype == np.float64 and raw.size > 0 and raw.ndim <= 2:
        value = raw  # the common case from Python, used as it is (the engine never writes to inputs)
    else:
        value = _converted(name, raw)
    if finite:
        require_finite(name, value)
    return value


def _converted(name: str, raw: Any) -> np.ndarray:
    if isinstance(raw, (bool, np.bool_)):
        raise ValueInputError(f"the value of '{name}' is a true/false value, not a number")
    if isinstance(raw, str):
        raise ValueInputError(f"the value of '{name}' is text ({raw!r}), not a number")
    if isinstance(raw, (complex, np.complexfloating)) or (isinstance(raw, np.ndarray) and np.iscomplexobj(raw)):
        raise ValueInputError(f"the value of '{name}' holds complex numbers; gradtutor works with real numbers")
    try:
        value = np.asarray(raw, dtype=np.float64)
    except (ValueError, TypeError):
        detail = (
            "its rows have different lengths" if isinstance(raw, (list, tuple)) else f"it holds a {type(raw).__name__}"
        )
        raise ValueInputError(
            f"the value of '{name}' is not a number or a matrix: {detail}", hint=_FORMAT_HINT
        ) from None
    if value.ndim > 2:
        raise ValueInputError(
            f"'{name}' has {value.ndim} dimensions; gradtutor works with scalars, vectors and matrices"
        )
    if value.size == 0:
        raise ValueInputError(f"the value of '{name}' is empty")
    return value


def require_finite(name: str, value: Any) -> None:
    if not isfinite(value):
        raise ValueInputError(f"the value of '{name}' contains inf or nan")


def split_assignment(text: str, option: str = "--at") -> tuple[str, str]:
    """'NAME=VALUE' -> (NAME, VALUE)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not _IDENT.match(name):
        raise ValueInputError(
            f"{option} expects NAME=VALUE, got {text!r}",
            hint=f'for example {option} x=2 or {option} "W=[[1, 2], [3, 4]]"',
        )
    return name, value.strip()


def parse_value(name: str, text: str) -> np.ndarray:
    """A number, a JSON nested list, or @file (.json or .npy)."""
    if text.startswith("@"):
        return as_array(name, load_file(name, text[1:]))
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValueInputError(f"the value of '{name}' must be a finite number, got {text!r}")
    try:
        return as_array(name, float(text))  # the common case, without loading json
    except ValueError:
        pass
    import json

    budget.text_limit(f"the value of '{name}'", len(text))
    try:
        raw = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueInputError(
            f"cannot read the value of '{name}': {_clip(text)!r} is not a number or a "
            f"list ({exc.msg} at character {exc.pos + 1})",
            hint=_FORMAT_HINT,
        ) from None
    except RecursionError:
        raise ValueInputError(f"the value of '{name}' is nested too deeply", hint=_FORMAT_HINT) from None
    return as_array(name, raw)


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _reject_constant(word: str) -> Any:
    raise ValueInputError(f"{word} is not a usable value; values must be finite numbers")


def load_file(name: str, filename: str) -> Any:
    """The contents of a .json or .npy file (never unpickled)."""
    import json
    from pathlib import Path

    path = Path(filename)
    if not path.is_file():
        raise ValueInputError(f"the file for '{name}' does not exist: {path}")
    suffix = path.suffix.lower()
    if suffix not in (".json", ".npy"):
        raise ValueInputError(
            f"'{path.name}' is neither .json nor .npy",
            hint="save the array with numpy.save, or write it as a JSON list",
        )
    try:
        if suffix == ".npy":
            return _load_npy(name, path)
        budget.text_limit(str(path), path.stat().st_size)
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ValueInputError(f"{path} is not valid JSON: {exc.msg} on line {exc.lineno}") from None
    except UnicodeDecodeError as exc:
        raise ValueInputError(f"{path} is not UTF-8 text (byte {exc.start + 1} cannot be read)") from None
    except RecursionError:
        raise ValueInputError(f"{path} is nested too deeply to be a vector or a matrix") from None
    except ValueError as exc:
        raise ValueInputError(f"cannot read {path} as a numeric array: {exc}") from None
    except OSError as exc:
        raise ValueInputError(f"cannot read {path}: {exc.strerror or exc}") from None


def _load_npy(name: str, path: Any) -> np.ndarray:
    """The array, after its header's shape and type pass: nothing is read into memory before."""
    mapped = np.load(path, allow_pickle=False, mmap_mode="r")
    if not isinstance(mapped, np.ndarray):
        raise ValueError("it is not a single array")
    budget.require(mapped.size, f"the array in {path}")
    if mapped.dtype.kind not in "iuf":
        kind = "complex numbers" if mapped.dtype.kind == "c" else f"values of type {mapped.dtype}"
        raise ValueInputError(f"{path} holds {kind}; gradtutor reads real numbers")
    return np.array(mapped)


def parse_shape(name: str, text: str) -> tuple[int, ...]:
    """'3x4' -> (3, 4); '5' -> (5,); 'scalar' -> ()."""
    text = text.strip().lower()
    if text in ("", "scalar", "()"):
        return ()
    parts = re.split(r"\s*[x×,]\s*", text.strip("()[] "))
    try:
        shape = tuple(int(p) for p in parts if p != "")
    except ValueError:
        raise ValueInputError(
            f"cannot read the shape of '{name}': {text!r}", hint="write shapes like 3 (a vector) or 3x4 (a matrix)"
        ) from None
    if len(shape) > 2 or any(n < 1 for n in shape):
        raise ValueInputError(f"the shape of '{name}' must be one or two positive sizes, got {text!r}")
    budget.require(budget.size_of(shape), f"'{name}' of shape {'x'.join(map(str, shape))}")
    return shape


def random_value(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Standard normal samples; a scalar for shape ()."""
    return np.asarray(rng.standard_normal(shape), dtype=np.float64)


def to_python(value: Any) -> Any:
    """Floats and nested lists, for JSON and for tidy printing."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    return arr.tolist()


def values_from_mapping(values: Mapping[str, Any], finite: bool = True) -> dict[str, np.ndarray]:
    return {str(name): as_array(str(name), raw, finite) for name, raw in values.items()}


def isfinite(value: Any) -> bool:
    """No inf or nan anywhere. For a large array the sum decides in one pass without a
    temporary (any inf or nan makes it inf or nan); only a sum that overflows is looked at
    entry by entry. (An MLP step checked its inputs and gradients this way in 7% of its time.)"""
    if isinstance(value, float):
        return math.isfinite(value)
    if getattr(value, "size", 0) > 4096 and value.dtype == np.float64:
        with np.errstate(over="ignore", invalid="ignore"):
            if math.isfinite(float(value.sum())):
                return True
    return bool(np.isfinite(value).all())
