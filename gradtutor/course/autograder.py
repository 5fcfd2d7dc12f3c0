"""A Gradescope autograder bundle that works as shipped.

The zip holds `setup.sh` (run once when Gradescope builds the image: a virtual
environment with gradtutor installed from the wheel inside the zip),
`run_autograder` (run per submission: grade ROOT/submission against the
assignment into ROOT/results/results.json), the assignment with the problem sets
it uses, and the course key when variants are per student. ROOT is /autograder,
or $GRADTUTOR_AUTOGRADER_ROOT, so the tests can lay out a temporary /autograder and
run both scripts for real.

The wheel is assembled from the running gradtutor itself (a pure-Python wheel is
a zip with a few metadata files), so writing a bundle needs no build tools and no
network, from a source checkout or an installed copy alike.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from importlib import metadata

from .._version import __version__
from ..resources import resource_dir
from .assignment import Assignment

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder: gradtutor from the wheel in this zip.
set -euo pipefail
ROOT="${GRADTUTOR_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${GRADTUTOR_PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 10)' 2>/dev/null; then
    apt-get update -q && apt-get install -y -q python3 python3-venv python3-pip
    PYTHON=python3
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$ROOT"/source/wheels/gradtutor-*.whl
"$ROOT/venv/bin/gradtutor" --version
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: ROOT/submission in, ROOT/results/results.json out.
# gradtutor writes results.json even when it cannot grade, so there is no `set -e` here.
ROOT="${GRADTUTOR_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
KEY=()
if [ -f "$SOURCE/course.key" ]; then KEY=(--key-file "$SOURCE/course.key"); fi
cd "$ROOT" || exit 2
exec "$ROOT/venv/bin/gradtutor" grade --gradescope "$ROOT" --assignment "$SOURCE/assignment/assignment.toml" \\
    --sets "$SOURCE/assignment/sets" "${KEY[@]}"
"""


def write_bundle(assignment: Assignment, key: bytes | None, out: str) -> list[str]:
    """Write the zip to `out`; returns the names it holds."""
    wheel_name, wheel = build_wheel()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        _add(bundle, "setup.sh", SETUP.encode(), executable=True)
        _add(bundle, "run_autograder", RUN.encode(), executable=True)
        _add(bundle, f"wheels/{wheel_name}", wheel)
        with open(assignment.path, "rb") as handle:
            _add(bundle, "assignment/assignment.toml", handle.read())
        for problem_set in assignment.sets:
            with open(problem_set.path, "rb") as handle:
                _add(bundle, f"assignment/sets/{os.path.basename(problem_set.path)}", handle.read())
        if key is not None:
            _add(bundle, "course.key", key + b"\n")
        return bundle.namelist()


def _add(bundle: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def build_wheel() -> tuple[str, bytes]:
    """(file name, bytes) of a py3-none-any wheel of the running gradtutor, data folders included."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                files["gradtutor/" + os.path.relpath(path, package).replace(os.sep, "/")] = handle.read()
    for data in ("grammars", "problems"):  # force-included by the real build; top-level in a checkout
        root = resource_dir(data)
        for name in sorted(os.listdir(root)):
            path = os.path.join(root, name)
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    files.setdefault(f"gradtutor/{data}/{name}", handle.read())
    info = f"gradtutor-{__version__}.dist-info"
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: gradtutor\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = b"[console_scripts]\ngradtutor = gradtutor.cli:run\n"
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            _add(wheel, name, data)
    return f"gradtutor-{__version__}-py3-none-any.whl", buffer.getvalue()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _metadata() -> str:
    """The running distribution's requirements, without the extras (tests, charts)."""
    try:
        requires = [r for r in metadata.requires("gradtutor") or [] if "extra ==" not in r]
        python = metadata.metadata("gradtutor").get("Requires-Python") or ">=3.10"
    except metadata.PackageNotFoundError:  # running from a bare checkout
        requires, python = ["click>=8.1", "rich>=13", "lark>=1.1.9", "numpy>=1.24", "platformdirs>=3"], ">=3.10"
    lines = ["Metadata-Version: 2.1", "Name: gradtutor", f"Version: {__version__}", f"Requires-Python: {python}"]
    return "\n".join(lines + [f"Requires-Dist: {r}" for r in requires]) + "\n"
