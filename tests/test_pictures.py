"""Pictures of the graph (Graphviz), the terminal tree, and Markdown/LaTeX handouts."""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess

import pytest
from conftest import NEURON_AT

NEURON_ARGS = ["1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", *NEURON_AT]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def test_dot_output_has_every_node_and_the_values(run, tmp_path):
    path = tmp_path / "neuron.dot"
    assert run("graph", *NEURON_ARGS, "-o", str(path)).exit_code == 0
    dot = path.read_text()
    for label in ["w0", "x0", "w1", "x1", "w2", "*", "+", "*-1", "exp", "+1", "1/x"]:
        assert label in dot, label
    # the lectures' numbers: the output 0.731 with gradient 1, and the 0.197 flowing back through the adds
    assert '0.731</font><br/><font color="#cf222e">1</font>' in dot
    assert "0.197" in dot and "-0.534" in dot and "0.368" in dot


@needs_dot
def test_svg_output_contains_every_node_and_the_values(run, tmp_path):
    path = tmp_path / "neuron.svg"
    result = run("graph", *NEURON_ARGS, "-o", str(path))
    assert result.exit_code == 0 and "wrote" in result.stdout
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for label in ["w0", "x0", "w1", "x1", "w2", "*", "+", "*-1", "exp", "+1", "1/x", "0.731", "0.197", "-0.534"]:
        assert label in texts, label
    assert 'fill="#1a7f37"' in svg and 'fill="#cf222e"' in svg  # green values, red gradients


@needs_dot
def test_png_output(run, tmp_path):
    path = tmp_path / "g.png"
    assert run("graph", "(x + y) * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4", "-o", str(path)).exit_code == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_the_terminal_shows_a_tree(tmp_path):
    env = dict(os.environ, PATH="/nonexistent", NO_COLOR="1")
    from conftest import GRADTUTOR

    out = subprocess.run(
        GRADTUTOR
        + ["graph", "(x + y) * max(y, z)", "--at", "x=1", "--at", "y=2", "--at", "z=0", "-o", str(tmp_path / "g.svg")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 2
    assert "dot program is needed" in out.stderr and "apt install graphviz" in out.stderr
    assert "t2 = max(y, z)  [max]   value 2   gradient 3" in out.stdout
    dot = subprocess.run(
        GRADTUTOR
        + ["graph", "(x + y) * z", "--at", "x=1", "--at", "y=2", "--at", "z=3", "-o", str(tmp_path / "g.dot")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert dot.returncode == 0 and (tmp_path / "g.dot").exists()


def test_terminal_tree_shows_values_and_gradients(run):
    out = run("graph", "(x + y) * max(y, z)", "--at", "x=1", "--at", "y=2", "--at", "z=0").stdout
    assert "f = t1 * t2  [mul]   value 6   gradient 1" in out
    assert "y   value 2   gradient 5" in out and "(shared: shown above)" in out


def test_markdown_handout(run):
    out = run(
        "solve", "(x + y) * max(y, z)", "--at", "x=1", "--at", "y=2", "--at", "z=0", "--show", "--format", "markdown"
    ).stdout
    assert out.startswith("# Backpropagation, worked: `(x + y) * max(y, z)`")
    assert "```mermaid" in out and 'n1 -- "2 / grad 3" --> n4' in out
    assert "| node | computes | value |" in out and "| gate | input | upstream | local | downstream |" in out
    assert "| branches add | y |  |  | df/dt2 \\* dt2/dy + df/dt1 \\* dt1/dy = (3) + (2) = 5 |" in out


def test_latex_handout(run, tmp_path):
    out = run("solve", *NEURON_ARGS, "--show", "--format", "latex").stdout
    assert out.startswith(r"\documentclass{article}") and out.rstrip().endswith(r"\end{document}")
    assert out.count(r"\begin{") == out.count(r"\end{")
    assert r"\begin{tikzpicture}" in out and "{0.731}" in out
    if shutil.which("pdflatex"):
        (tmp_path / "h.tex").write_text(out)
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "h.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout[-2000:]


def test_pictures_say_what_the_colours_mean_and_show_each_inputs_total(run, tmp_path):
    path = tmp_path / "branch.dot"
    assert run("graph", "a = x*y; b = x + y; f = a*b", "--at", "x=3", "--at", "y=2", "-o", str(path)).exit_code == 0
    dot = path.read_text()
    assert "green: the value" in dot and "red: the gradient df/d(value)" in dot
    assert '<b>x</b><br/><font color="#cf222e" point-size="11">16</font>' in dot  # 10 + 6 over both branches
    assert "xlabel" not in dot  # names sit inside their nodes, not on the arrowheads
    assert '<font point-size="10">a</font>' in dot


def test_small_matrices_are_printed_on_their_edges(run, tmp_path):
    path = tmp_path / "m.dot"
    args = ["h = W@x; L = sum(h^2)", "--at", "W=[[0.1,0.5,1],[-0.3,0.8,2]]", "--at", "x=[0.2,0.4,1]"]
    assert run("graph", *args, "-o", str(path)).exit_code == 0
    dot = path.read_text()
    assert "[[0.1, 0.5, 1],<br/>[-0.3, 0.8, 2]]" in dot and "2×3" not in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_png_pictures_are_sharp(run, tmp_path):
    path = tmp_path / "g.png"
    assert run("graph", "(x + y) * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4", "-o", str(path)).exit_code == 0
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    assert width >= 800 and height >= 400  # at 200 dpi; it was 434×216
