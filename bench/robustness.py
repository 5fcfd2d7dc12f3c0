"""Issue 11's reproducers, each run through the installed command with its exit status,
peak memory and wall time. The bars: no exit 3, nothing over 2 GB or 30 s.

Run: python bench/robustness.py [--only SUBSTRING] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import stat
import subprocess
import sys
import tempfile
import time

from _timing import gradtutor_command

SET = """id = "s"
title = "t"
order = 1

[[problem]]
id = "p"
title = "t"
prompt = "p"
program = "f = x * y"
{extra}
"""


def _files(root: str) -> dict[str, str]:
    """The files the reproducers read: problem sets, submissions, programs, arrays."""
    import numpy as np

    def write(rel: str, text: str | bytes) -> str:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(text if isinstance(text, bytes) else text.encode())
        return path

    paths = {
        "huge_range": write(
            "huge/s.toml",
            SET.format(extra="random = { x = { range = [0, 1e12], integer = true } }\nvalues = { y = 2 }"),
        ),
        "inf_range": write("inf/s.toml", SET.format(extra="random = { x = [-inf, inf] }\nvalues = { y = 2 }")),
        "big_range": write("big/s.toml", SET.format(extra="random = { x = [-1e308, 1e308] }\nvalues = { y = 2 }")),
        "empty_choice": write(
            "empty/s.toml",
            SET.format(
                extra="random = { x = { range = [0, 0.5], integer = true, nonzero = true } }\nvalues = { y = 2 }"
            ),
        ),
        "problem_list": write("plist/s.toml", 'id = "s"\ntitle = "t"\norder = 1\nproblem = [1, 2]\n'),
        "nan_points": write("nanpts/s.toml", SET.format(extra="values = { x = 1, y = 2 }\npoints = nan")),
        "latin1_set": write(
            "latin1/s.toml", SET.format(extra="values = { x = 1, y = 2 }\n# caf\xe9").encode("latin-1")
        ),
        "deep_toml": write("deep/s.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n"),
        "latin1_program": write("prog/latin1.txt", "x * y # caf\xe9".encode("latin-1")),
        "binary_program": write("prog/binary.txt", bytes(range(256))),
        "deep_json_value": write("deep.json", "[" * 100_000 + "]" * 100_000),
        "complex_npy": os.path.join(root, "complex.npy"),
        "sub_ok": write("subs/a/alice.json", json.dumps({"nanpts/p": {"df/dx": "2"}})),
        "sub_dup": write("subs/b/alice.json", json.dumps({"nanpts/p": {"df/dx": "3"}})),
        "sub_negseed": write("subs/neg.json", json.dumps({"chain-rule/add-then-multiply": {"seed": -5}})),
        "sub_unknown": write("subs/unknown.json", json.dumps({"nope/nothing": {"df/dx": "1"}})),
        "sub_deep": write("subs/deep.json", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        "sub_latin1": write("subs/latin1.json", '{"a/b": {"x": "caf\xe9"}}'.encode("latin-1")),
        "sub_onehot": write(
            "subs/onehot.json", json.dumps({"chain-rule/add-then-multiply": {"df/dx": "sum(onehot(0, 300000000)*z)"}})
        ),
        "sub_long": write(
            "subs/long.json", json.dumps({"chain-rule/add-then-multiply": {"df/dx": "+".join(["z"] * 1_000_000)}})
        ),
        "folder_toml": os.path.join(root, "foldersets"),
        "unreadable": os.path.join(root, "unreadable"),
    }
    np.save(paths["complex_npy"], np.array([1 + 2j, 3 - 1j]))
    os.makedirs(os.path.join(paths["folder_toml"], "x.toml"), exist_ok=True)
    locked = write("unreadable/s.toml", SET.format(extra="values = { x = 1, y = 2 }"))
    os.chmod(locked, 0)
    for name in ("homefile",):
        write(name, "not a folder")
    return paths


def cases(root: str, f: dict[str, str]) -> list[tuple[str, list[str], dict]]:
    """(name, arguments, options): options may give stdin text, env or 'closed_stdin'."""
    garbage = os.path.join(root, "garbage")
    os.makedirs(garbage, exist_ok=True)
    with open(os.path.join(garbage, "progress.sqlite3"), "wb") as handle:
        handle.write(b"this is not a database" * 100)
    return [
        ("onehot 3e8", ["grad", "sum(onehot(0, 300000000)*x)", "--at", "x=1"], {}),
        ("onehot 1e12", ["grad", "sum(onehot(0, 1000000000000)*x)", "--at", "x=1"], {}),
        ("--random 20000x20000", ["grad", "sum(W)", "--random", "W=20000x20000"], {}),
        ("--shape 100000x100000", ["check", "sum(W)", "--shape", "W=100000x100000"], {}),
        ("check W@W@W@W 3000", ["check", "sum(W@W@W@W)", "--shape", "W=3000x3000"], {}),
        ("--order 2 x=20000", ["grad", "sum(x^2)", "--random", "x=20000", "--order", "2"], {}),
        ("--mode forward x=1e6", ["grad", "sum(x^2)", "--random", "x=1000000", "--mode", "forward"], {}),
        ("problem range 1e12", ["problems", "lint", f["huge_range"]], {}),
        ("solve answer onehot", ["solve"], {"stdin": "sum(onehot(0, 300000000)*z)\n"}),
        ("grade answer onehot", ["grade", f["sub_onehot"], "--json"], {}),
        ("grade answer 2 MB", ["grade", f["sub_long"], "--json"], {}),
        ("2^2^2^2^2^2", ["grad", "2^2^2^2^2^2"], {}),
        ("--seed -5", ["grad", "x", "--random", "x=3", "--seed", "-5"], {}),
        ("closed stdin", ["solve"], {"closed_stdin": True}),
        ("latin-1 set", ["practice", "--sets", os.path.dirname(f["latin1_set"])], {}),
        ("latin-1 @file", ["grad", "@" + f["latin1_program"], "--at", "x=1", "--at", "y=2"], {}),
        ("binary @file", ["grad", "@" + f["binary_program"]], {}),
        ("latin-1 submission", ["grade", f["sub_latin1"]], {}),
        ("problem = [1, 2]", ["problems", "lint", f["problem_list"]], {}),
        ("range inf", ["problems", "lint", f["inf_range"]], {}),
        ("range 1e308", ["problems", "lint", f["big_range"]], {}),
        ("empty integer choice", ["problems", "lint", f["empty_choice"]], {}),
        ("deep TOML", ["problems", "lint", f["deep_toml"]], {}),
        ("deep JSON --at", ["grad", "sum(x)", "--at", "x=@" + f["deep_json_value"]], {}),
        ("deep JSON submission", ["grade", f["sub_deep"]], {}),
        ("folder x.toml", ["practice", "--sets", f["folder_toml"]], {}),
        ("unreadable set", ["practice", "--sets", f["unreadable"]], {}),
        (
            "grade --out /dev/null",
            ["grade", f["sub_ok"], "--sets", os.path.dirname(os.path.dirname(f["nan_points"])), "--out", "/dev/null"],
            {},
        ),
        ("graph -o missing", ["graph", "x*y", "-o", os.path.join(root, "missing", "g.dot")], {}),
        ("code -o missing", ["code", "x*y", "-o", os.path.join(root, "missing", "c.py")], {}),
        ("code -o /dev/full", ["code", "x*y", "-o", "/dev/full"], {}),
        ("garbage database", ["progress"], {"env": {"GRADTUTOR_HOME": garbage}}),
        ("home is a file", ["progress"], {"env": {"GRADTUTOR_HOME": os.path.join(root, "homefile")}}),
        ("points = nan", ["problems", "lint", f["nan_points"]], {}),
        ("complex .npy", ["grad", "sum(x)", "--at", "x=@" + f["complex_npy"]], {}),
        ("grade negative seed", ["grade", f["sub_negseed"], f["sub_ok"], "--json"], {}),
        ("grade unknown only", ["grade", f["sub_unknown"]], {}),
    ]


def run_case(cmd: list[str], options: dict, timeout: float) -> tuple[int | str, float, float, str]:
    env = dict(os.environ, **options.get("env", {}))
    stdin = subprocess.PIPE if "stdin" in options else subprocess.DEVNULL
    wrapped = ["/usr/bin/time", "-f", "%M", *cmd]
    if options.get("closed_stdin"):
        wrapped = ["sh", "-c", 'exec 0<&-; exec "$@"', "sh", *wrapped]
        stdin = None
    start = time.monotonic()
    try:
        proc = subprocess.run(
            wrapped,
            input=options.get("stdin"),
            stdin=None if "stdin" in options else stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        return "timeout", float("nan"), time.monotonic() - start, ""
    seconds = time.monotonic() - start
    lines = proc.stderr.strip().splitlines()
    peak_mb = float(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
    message = next((line for line in lines if line.startswith(("error", "internal"))), lines[0] if lines else "")
    return proc.returncode, peak_mb, seconds, message[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="")
    parser.add_argument("--timeout", type=float, default=70)
    args = parser.parse_args()
    exe = gradtutor_command()
    with tempfile.TemporaryDirectory() as root:
        env_home = tempfile.mkdtemp(dir=root)
        os.environ["GRADTUTOR_HOME"] = env_home
        files = _files(root)
        bad = 0
        for name, argv, options in cases(root, files):
            if args.only not in name:
                continue
            code, mb, seconds, message = run_case(exe + argv, options, args.timeout)
            over = code in (3, "timeout") or mb > 2048 or seconds > 30
            bad += over
            print(f"{'!!' if over else 'ok'} {name:24} exit {code!s:7} {mb:8.0f} MB {seconds:6.1f} s  {message}")
            sys.stdout.flush()
        for folder, _, names in os.walk(root):
            for n in names:
                os.chmod(os.path.join(folder, n), stat.S_IRUSR | stat.S_IWUSR)
        print(f"{bad} over a bar")
    resource.getrusage(resource.RUSAGE_CHILDREN)


if __name__ == "__main__":
    main()
