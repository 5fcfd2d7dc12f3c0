"""Inputs for the "no exit 3" fuzz: grammar-shaped programs, values, answers and files, and
raw bytes, each one a command line (and standard input) for the real entry point.

`case(seed, folder)` is deterministic, so a failure is replayed from its seed; the suite
(tests/test_fuzz_exit_codes.py) runs a time-bounded share, bench/fuzz.py runs 20,000.
"""

from __future__ import annotations

import json
import os
import random

PIECES = [
    "x", "y", "W", "z", "q", "grad_x", "np", "lambda", "1", "2", "0", "0.5", "1e308", "1e400", "-", "+", "*",
    "/", "@", "^", "**", "(", ")", "[", "]", ",", ";", "\n", " ", ".T", "=", "sum(", "max(", "min(", "log(",
    "sqrt(", "exp(", "relu(", "abs(", "softmax(", "logsumexp(", "norm(", "sigmoid(", "outer(", "dot(",
    "onehot(", "onehot(0, 300000000)", "onehot(2, 3)", "ones(", "sum(x, 1)", "sum(W, 0)", "mean(", "[1, 2]",
    "[[1, 2], [3, 4]]", "x[0]", "W[1, 2]", "x[-9]", "#", "# C:\\Users `<b>`", "$", "\u00e9", "\x00", "\t",
    "2^2^2^2^2^2", "((((((((x))))))))",
]  # fmt: skip
VALUES = [
    "1", "-2", "0", "1e308", "[1, 2]", "[[1, 2], [3, 4]]", "[[1], [2, 3]]", "[]", "nan", "[1e400]", "true",
    '"text"', "[[[1]]]", "{}", "1" * 400, "[" * 3000 + "]" * 3000,
]  # fmt: skip
SHAPES = ["3", "2x3", "1x1", "0", "-1", "3x4x5", "100000x100000", "300000000", "abc", "2,2", "()"]
ANSWERS = ["z", "q", "-4", "hint", "show", "skip", "[1, 2]", "sum(onehot(0, 300000000)*z)", "1e400", "grad*z", "quit"]
OPTIONS = [
    ["--json"], ["--seed", "-5"], ["--seed", "7"], ["--max-elements", "50"], ["--max-elements", "0"],
    ["--order", "2"], ["--mode", "forward"], ["--symbolic"], ["--latex"], ["--points", "1"], ["--wrt", "x"],
]  # fmt: skip


def program(rng: random.Random) -> str:
    if rng.random() < 0.1:  # byte-level: anything at all, as the shell would pass it
        return os.fsdecode(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))).replace(b"\x00", b""))
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 16)))


def _values(rng: random.Random, flag: str = "--at") -> list[str]:
    out: list[str] = []
    for name in rng.sample(["x", "y", "W", "z", "q", "grad_x"], rng.randrange(0, 4)):
        if flag == "--at":
            out += ["--at", f"{name}={rng.choice(VALUES)}"]
        else:
            out += [flag, f"{name}={rng.choice(SHAPES)}"]
    return out


def _file(folder: str, name: str, rng: random.Random, text: str) -> str:
    path = os.path.join(folder, name)
    if rng.random() < 0.3:  # bytes that are not UTF-8, or are cut short
        data = text.encode("utf-8", "surrogateescape")[: rng.randrange(len(text) + 1)] + bytes(
            rng.randrange(256) for _ in range(8)
        )
    else:
        data = text.encode("utf-8", "surrogateescape")
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def _problem_file(rng: random.Random) -> str:
    spec = rng.choice(
        [
            "values = { x = 1, y = 2 }",
            "random = { x = [-3, 3] }\nvalues = { y = 2 }",
            "random = { x = { range = [0, 1e12], integer = true } }\nvalues = { y = 2 }",
            'random = { x = { range = [-1, 1], shape = "100000x100000" } }\nvalues = { y = 2 }',
            "random = { x = [-inf, inf] }\nvalues = { y = 2 }",
            "values = { x = 1, y = 2 }\npoints = nan",
            "values = { x = [1, 2], y = 2 }",
            'values = { x = 1, y = 2 }\nask = ["df/dx", { ask = "df/dy", form = "formula" }]',
        ]
    )
    body = 'id = "s"\ntitle = "t"\norder = 1\n\n[[problem]]\nid = "p"\ntitle = "t"\nprompt = "p"\n'
    return body + f"program = {json.dumps(program(rng))}\n{spec}\n"


def case(seed: int, folder: str) -> tuple[list[str], str]:
    """(argv, stdin) for one run."""
    rng = random.Random(seed)
    kind = rng.randrange(9)
    extra = rng.choice(OPTIONS) if rng.random() < 0.4 else []
    if kind == 0:
        return ["grad", program(rng), *_values(rng), *_values(rng, "--random"), *extra], ""
    if kind == 1:
        return ["check", program(rng), *_values(rng), *_values(rng, "--shape"), "--points", "1", *extra], ""
    if kind == 2:
        return ["code", program(rng), *_values(rng), *_values(rng, "--shape")], ""
    if kind == 3:
        args = ["solve", program(rng), *_values(rng), *_values(rng, "--shape"), "--show"]
        return args + rng.choice([["--json"], ["--format", "markdown"], ["--format", "latex"], []]), ""
    if kind == 4:
        answers = "\n".join(rng.choice(ANSWERS + [program(rng)]) for _ in range(rng.randrange(1, 8)))
        return ["solve", *rng.choice([[], ["--json"], ["--mode", "forward"]])], answers
    if kind == 5:
        path = _file(folder, f"p{seed}.txt", rng, program(rng))
        return ["grad", rng.choice([f"@{path}", "-"]), *_values(rng)], program(rng)
    if kind == 6:
        answers = {k: rng.choice(ANSWERS + [program(rng)]) for k in ("df/dx", "df/dy", "df/dz", "df/dq")}
        if rng.random() < 0.5:
            answers["seed"] = rng.choice([-5, 0, 3, 2**70, "x", None])
        key = rng.choice(["chain-rule/add-then-multiply", "nope/x", "chain-rule"])
        path = _file(folder, f"s{seed}.json", rng, json.dumps({key: answers}))
        return ["grade", path, *rng.choice([[], ["--json"]])], ""
    if kind == 7:
        path = _file(folder, f"set{seed}.toml", rng, _problem_file(rng))
        return ["problems", "lint", path, "--samples", "5"], ""
    return ["graph", program(rng), *_values(rng), *_values(rng, "--shape")], ""
