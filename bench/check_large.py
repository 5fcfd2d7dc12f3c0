"""`gradtutor check` on sum((W@x)^2) with a 1000x1000 W: the right formula passes, the
transposed one fails. Target (issue 2): each under 5 s, start-up included.
Run: python bench/check_large.py [--repeat N]
"""

from __future__ import annotations

import argparse
import subprocess
import time

from _timing import gradtutor_command, median_ms

BASE = ["check", "sum((W@x)^2)", "--shape", "W=1000x1000", "--shape", "x=1000", "--seed", "1"]
CASES = {
    "right formulas": (["--grad", "W=2*outer(W@x, x)", "--grad", "x=2*W.T@(W@x)"], 0),
    "transposed dW": (["--grad", "W=2*outer(x, W@x)"], 1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    gt = gradtutor_command()
    print(f"medians of {args.repeat} runs (3 random points each)")
    for name, (extra, expected) in CASES.items():
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            code = subprocess.run(gt + BASE + extra, stdout=subprocess.DEVNULL).returncode
            samples.append(time.perf_counter() - start)
            assert code == expected, f"{name}: exit {code}, expected {expected}"
        print(f"  {name:16s} exit {expected}   {median_ms(samples) / 1000:6.2f} s")
    print("target: under 5 s each")


if __name__ == "__main__":
    main()
