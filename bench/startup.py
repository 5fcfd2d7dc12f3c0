"""Start-up: `gradtutor grad` on a small program, as a ratio to `python -c "import numpy"`.

Target (issue 15): a ratio of at most 1.2, in a terminal and piped. Three ways
of running it are timed, interleaved with the baseline: in a terminal (what a
student sees), piped, and with --json. Measure a regular install: an editable
one (pip install -e) adds its import hook and path entries to every start, so
the script says so when it finds one.
Run: python bench/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata

from _timing import gradtutor_command, interleave, median_ms, run_in_terminal, run_quiet

PROGRAM = ["grad", "q = x + y; f = q * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4"]


def editable() -> bool:
    """Whether gradtutor is installed in editable mode (pip records it in direct_url.json)."""
    try:
        info = json.loads(metadata.distribution("gradtutor").read_text("direct_url.json") or "{}")
    except metadata.PackageNotFoundError:
        return False
    return bool(info.get("dir_info", {}).get("editable"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=31)
    args = parser.parse_args()
    gt = gradtutor_command()
    if editable():
        print(
            "note: this gradtutor is an editable install, which slows every start; for the real figure:\n"
            "  python3 -m venv /tmp/gt && /tmp/gt/bin/pip install . && /tmp/gt/bin/python bench/startup.py"
        )
    run_quiet(gt + PROGRAM)  # the first run builds the cached parser; not what we measure
    baseline = [sys.executable, "-c", "import numpy"]
    times = interleave(
        {
            "python -c 'import numpy' (pipe)": lambda: run_quiet(baseline),
            "python -c 'import numpy' (terminal)": lambda: run_in_terminal(baseline),
            "gradtutor grad (terminal)": lambda: run_in_terminal(gt + PROGRAM),
            "gradtutor grad (piped)": lambda: run_quiet(gt + PROGRAM),
            "gradtutor grad --json": lambda: run_quiet(gt + PROGRAM + ["--json"]),
        },
        args.repeat,
    )
    base_pipe = median_ms(times["python -c 'import numpy' (pipe)"])
    base_term = median_ms(times["python -c 'import numpy' (terminal)"])
    print(f"medians of {args.repeat} interleaved runs")
    for name, samples in times.items():
        base = base_term if "terminal" in name else base_pipe
        print(f"  {name:42s} {median_ms(samples):7.1f} ms   ratio {median_ms(samples) / base:4.2f}")
    print("target: ratio <= 1.2 in a terminal and piped")


if __name__ == "__main__":
    main()
