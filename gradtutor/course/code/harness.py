"""The child side of a code check: import the student's file, call it, report what came back.

gradtutor runs this file as `python -I harness.py JOB` in a temporary folder, under
resource limits (course/code/runner.py), and never imports it itself. It decides
nothing about right or wrong: it only reports the values the student's code produced,
as JSON, so that the judging happens in gradtutor's process on plain numbers. It
imports nothing from gradtutor (start-up time, and no gradtutor state for the
student's code to reach), runs only the student's file and evaluates nothing else.
"""

import json
import os
import sys
import traceback

MAX_ENTRIES = 1_000_000  # a returned array larger than this is reported by its shape only
STDOUT_KEEP = 2000  # characters of the student's printing shown back


class CappedText:
    """Stands in for sys.stdout: keeps the first characters printed and counts the rest,
    so a loop printing megabytes neither fills memory nor floods gradtutor's output."""

    def __init__(self):
        self.kept = []
        self.size = 0

    def write(self, text):
        text = str(text)
        if self.size < STDOUT_KEEP:
            self.kept.append(text[: STDOUT_KEEP - self.size])
        self.size += len(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def encode(value):
    """A returned value as JSON: numbers and arrays with their dtype and shape, anything else by its type."""
    import numpy as np

    if value is None:
        return {"type": "None"}
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
        arr = np.asarray(value)
        if arr.size > MAX_ENTRIES:
            return {"type": "ndarray", "dtype": str(arr.dtype), "shape": list(arr.shape), "too_large": True}
        return {"data": arr.tolist(), "dtype": str(arr.dtype), "shape": list(arr.shape)}
    if isinstance(value, (bool, int, float)):
        return {"data": value, "dtype": "python-" + type(value).__name__, "shape": []}
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return {"type": type(value).__name__}
        if arr.size <= MAX_ENTRIES:
            return {"data": arr.tolist(), "dtype": type(value).__name__, "shape": list(arr.shape)}
    return {"type": type(value).__name__}


def decode(item):
    import numpy as np

    if item.get("int"):
        return np.asarray(item["data"], dtype=np.int64)
    arr = np.asarray(item["data"], dtype=np.float64)
    return float(arr) if item.get("scalar") else arr


class StudentError(Exception):
    """A problem in the student's code, already described for the student."""

    def __init__(self, kind, message, line=None, trace=""):
        super().__init__(message)
        self.kind, self.message, self.line, self.trace = kind, message, line, trace


def student_trace(exc, path):
    """The traceback trimmed to the student's own file: their lines, then the error."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) == path]
    name = os.path.basename(path)
    lines = [f'  File "{name}", line {f.lineno}, in {f.name}\n    {(f.line or "").strip()}' for f in frames]
    lines.append("".join(traceback.format_exception_only(type(exc), exc)).strip())
    return "\n".join(lines), (frames[-1].lineno if frames else None)


def guarded(path, what, call):
    """Run student code; every way it can fail becomes a StudentError naming the place."""
    try:
        return call()
    except SystemExit as exc:
        raise StudentError("exit", f"{what} called sys.exit({exc.code!r}); a checked function must return") from None
    except MemoryError:
        raise StudentError("memory", f"{what} ran out of memory: it tried to allocate more than the limit") from None
    except RecursionError as exc:
        trace, line = student_trace(exc, path)
        raise StudentError("exception", f"{what} recursed too deeply", line, trace) from None
    except Exception as exc:
        trace, line = student_trace(exc, path)
        kind = "syntax" if isinstance(exc, SyntaxError) else "exception"
        if isinstance(exc, SyntaxError):
            line = exc.lineno
            trace = f'  File "{os.path.basename(path)}", line {exc.lineno}\n    {(exc.text or "").rstrip()}\n'
            trace += f"SyntaxError: {exc.msg}"
        raise StudentError(kind, f"{what} raised {type(exc).__name__}", line, trace) from None


def load(path):
    import importlib.util

    def run():
        spec = importlib.util.spec_from_file_location("student_solution", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["student_solution"] = module
        spec.loader.exec_module(module)
        return module

    return guarded(path, "importing your file", run)


def lookup(module, name, kind="function"):
    found = getattr(module, name, None)
    if found is None:
        raise StudentError("missing", f"your file defines no {kind} {name}")
    if not callable(found):
        raise StudentError("missing", f"{name} in your file is not a {kind} but a {type(found).__name__}")
    return found


def flat_case(path, fn, case):
    """Call f(**inputs) and keep its local variables as they stand when it returns (or raises)."""
    seen = {}

    def on_call(frame, event, arg):
        if event == "call" and frame.f_code is fn.__code__:
            frame.f_trace_lines = False

            def on_return(frame, event, arg):
                if event == "return":
                    seen.update(frame.f_locals)
                return on_return

            return on_return
        return None

    args = {k: decode(v) for k, v in case["kwargs"].items()}

    def call():
        sys.settrace(on_call)
        try:
            return fn(**args)
        finally:
            sys.settrace(None)

    error = None
    try:
        guarded(path, f"{fn.__name__}()", call)
    except StudentError as exc:
        error = exc
    names = {k: encode(v) for k, v in seen.items() if not k.startswith("__")}
    if error is not None and not names:
        raise error
    out = {"locals": names}
    if error is not None:
        out["error"] = {"kind": error.kind, "message": error.message, "line": error.line, "traceback": error.trace}
    return out


def returned(value, count, what):
    """A function's result as a list of `count` items, or a StudentError saying what it returned instead."""
    if count == 1 and not isinstance(value, tuple):
        return [value]
    if not isinstance(value, tuple) or len(value) != count:
        got = f"a tuple of {len(value)}" if isinstance(value, tuple) else f"a {type(value).__name__}"
        raise StudentError("type", f"{what} should return a tuple of {count}, but returned {got}")
    return list(value)


def changed(before, after):
    import numpy as np

    return [k for k in before if not np.array_equal(before[k], after[k], equal_nan=True)]


def layer_case(path, module, names, case):
    import numpy as np

    forward, backward = lookup(module, names["forward"]), lookup(module, names["backward"])
    args = [decode(v) for v in case["args"]]
    kept = {str(k): np.copy(a) for k, a in enumerate(args)}
    out, cache = returned(guarded(path, f"{forward.__name__}()", lambda: forward(*args)), 2, forward.__name__ + "()")
    moved = changed(kept, {str(k): a for k, a in enumerate(args)})
    dout = decode(case["dout"])
    dout_before = np.copy(dout)
    grads = guarded(path, f"{backward.__name__}()", lambda: backward(dout, cache))
    grads = returned(grads, case["count"], backward.__name__ + "()")
    modified = sorted(set(moved + changed(kept, {str(k): a for k, a in enumerate(args)})), key=int)
    result = {"out": encode(out), "grads": [encode(g) for g in grads], "modified": [int(k) for k in modified]}
    result["dout_modified"] = not np.array_equal(dout_before, dout, equal_nan=True)
    return result


def function_case(path, module, names, case):
    import numpy as np

    fn = lookup(module, names["function"])
    args = [decode(v) for v in case["args"]]
    kept = {str(k): np.copy(a) for k, a in enumerate(args)}
    got = returned(guarded(path, f"{fn.__name__}()", lambda: fn(*args)), case["count"] + 1, fn.__name__ + "()")
    modified = changed(kept, {str(k): a for k, a in enumerate(args)})
    return {"out": encode(got[0]), "grads": [encode(g) for g in got[1:]], "modified": [int(k) for k in modified]}


def gates_case(path, module, names, case):
    """Build the graph out of the student's gate objects and run it as the lectures' Net does:
    forward in topological order, backward in reverse, adding gradients where a value branches."""
    import numpy as np

    instances = {}
    for node in case["nodes"]:
        cls = lookup(module, node["cls"], "class")
        if node["instance"] not in instances:
            instances[node["instance"]] = guarded(path, f"{node['cls']}()", cls)
    inputs = {k: decode(v) for k, v in case["inputs"].items()}
    values = []

    def ref(r):
        kind, what = r
        return inputs[what] if kind == "var" else values[what] if kind == "node" else float(what)

    calls = []
    for node in case["nodes"]:
        gate = instances[node["instance"]]
        ins = [ref(r) for r in node["inputs"]]
        out = guarded(path, f"{node['cls']}.forward()", lambda gate=gate, ins=ins: gate.forward(*ins))
        values.append(out)
        calls.append({"out": encode(out)})
    grads = [None] * len(values)
    grads[-1] = 1.0
    totals = dict.fromkeys(inputs, 0.0)
    for i in range(len(case["nodes"]) - 1, -1, -1):
        node = case["nodes"][i]
        gate = instances[node["instance"]]
        upstream = 0.0 if grads[i] is None else grads[i]
        back = guarded(path, f"{node['cls']}.backward()", lambda gate=gate, g=upstream: gate.backward(g))
        parts = returned(back, len(node["inputs"]), f"{node['cls']}.backward()")
        calls[i].update(upstream=encode(upstream), grads=[encode(p) for p in parts])
        for (kind, what), part in zip(node["inputs"], parts):
            try:
                part = np.asarray(part, dtype=float)
            except (TypeError, ValueError):
                raise StudentError("type", f"{node['cls']}.backward() returned a {type(part).__name__}") from None
            if kind == "node":
                grads[what] = part if grads[what] is None else grads[what] + part
            elif kind == "var":
                totals[what] = totals[what] + part
    return {"calls": calls, "totals": {k: encode(v) for k, v in totals.items()}}


def main():
    job_path = sys.argv[1]
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    path = os.path.abspath(job["student"])
    sys.path.insert(0, os.path.dirname(path))
    captured = CappedText()
    sys.stdout = captured
    sys.stdin = None
    report = {}
    try:
        module = load(path)
        style = job["style"]
        if style == "flat":
            fn = lookup(module, job["names"]["function"])
            report["cases"] = [flat_case(path, fn, case) for case in job["cases"]]
        else:
            run = {"layer": layer_case, "function": function_case, "gates": gates_case}[style]
            report["cases"] = [run(path, module, job["names"], case) for case in job["cases"]]
        report["ok"] = True
    except StudentError as exc:
        report = {"ok": False, "error": {"kind": exc.kind, "message": exc.message, "line": exc.line}}
        report["error"]["traceback"] = exc.trace
    except MemoryError:
        report = {"ok": False, "error": {"kind": "memory", "message": "ran out of memory", "line": None}}
    sys.stdout = sys.__stdout__
    report["stdout"] = "".join(captured.kept)
    report["stdout_chars"] = captured.size
    text = json.dumps(report)
    tmp = os.path.join(os.path.dirname(job_path), "result.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, os.path.join(os.path.dirname(job_path), "result.json"))


if __name__ == "__main__":
    main()
