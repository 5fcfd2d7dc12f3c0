"""The layers hold, and the code passes the project's lint and format rules.

import-linter's contracts (pyproject.toml) fail when a layer imports one above it,
when the core imports rich or click, or when render/ imports click.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def _tool(name: str) -> str:
    path = shutil.which(name, path=BIN) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; pip install '.[test]'")
    return path


def test_import_contracts_hold():
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_lint_passes():
    result = subprocess.run(
        [_tool("ruff"), "check", "gradtutor", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied():
    result = subprocess.run(
        [_tool("ruff"), "format", "--check", "gradtutor", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_runs_without_rich_or_click():
    """Importing and using the core in a fresh process loads neither."""
    code = (
        "import sys, gradtutor\n"
        "from gradtutor.teach.walk import build_walk\n"
        "from gradtutor.teach.session import Session\n"
        "from gradtutor.course.problems import load_all\n"
        "from gradtutor.graph import build\n"
        "walk = build_walk(build('q = x + y; f = q * z'), {'x': -2.0, 'y': 5.0, 'z': -4.0})\n"
        "s = Session(walk); s.start(); s.submit('z'); s.submit('q'); load_all()\n"
        "print(sorted(m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('rich', 'click')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_module_is_over_350_lines():
    long = []
    for folder, _, files in os.walk(os.path.join(ROOT, "gradtutor")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    count = sum(1 for _ in handle)
                if count > 350:
                    long.append(f"{os.path.relpath(os.path.join(folder, name), ROOT)}: {count}")
    assert not long, long
