"""The "no exit 3" fuzz at scale: N inputs from tests/fuzz_cases.py through gradtutor's real
entry point, in this process, with the address space capped so that a runaway allocation
shows up as an internal error. Prints the count of each exit status and every failure.

Run: python bench/fuzz.py [--count 20000] [--start 0] [--memory-gb 3]
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from fuzz_cases import case  # noqa: E402
from test_fuzz_exit_codes import run_case  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--memory-gb", type=float, default=3.0)
    args = parser.parse_args()
    limit = int(args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    counts: collections.Counter = collections.Counter()
    slowest = (0.0, None)
    failures = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["GRADTUTOR_HOME"] = folder
        for seed in range(args.start, args.start + args.count):
            code, took, err = run_case(seed, folder)
            counts[code] += 1
            slowest = max(slowest, (took, seed))
            if code not in (0, 1, 2) or took > 30:
                failures.append((seed, code, took, case(seed, folder)[0], err.strip().splitlines()[-1:]))
                print("FAIL", failures[-1], flush=True)
            if (seed - args.start + 1) % 1000 == 0:
                print(f"{seed - args.start + 1} inputs, {dict(counts)}, {time.monotonic() - start:.0f} s", flush=True)
    print(f"exit codes: {dict(sorted(counts.items()))}; failures: {len(failures)}")
    print(f"slowest input: {slowest[0]:.1f} s (seed {slowest[1]}); all: {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
