"""The worked solution as a handout: Markdown or LaTeX, with the picture where the format allows.

Markdown gets the graph as a Mermaid diagram (rendered by GitHub and most Markdown
viewers), LaTeX as a TikZ picture laid out in layers; both carry values above the
edges and gradients below, and the forward and backward tables follow.
"""

from __future__ import annotations

import re

from ..graph import CONST
from ..language.numbers import fmt_value
from ..teach.gates import gate_symbol
from ..teach.walk import Walk
from .picture import edge_shares, short
from .walk_view import edge_rows


def _rows(walk: Walk) -> list[tuple[str, str, str, str, str]]:
    """(gate, input, upstream, local, downstream) for every edge, then the branch sums."""
    rows, sums = edge_rows(walk)
    table = [(f"{r.gate} ({r.pattern})" if r.first else "", r.input, r.upstream, r.local, r.downstream) for r in rows]
    return table + [("branches add", name, "", "", text) for name, text in sums]


def _flat(text: str) -> str:
    """One line, and no control characters (a comment may hold anything)."""
    return "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))


# --- Markdown ----------------------------------------------------------------------
# Escaping by construction: every piece of text goes through `md` (prose: each mark that
# could open markup inside a line is backslash-escaped, so no *, _, <tag> or | means anything), `code`
# (a code span whose fence is longer than any run of backticks inside) or `mermaid`.

# what can open markup inside a line: escapes, code, emphasis, links, images, HTML, entities, cells
_MD_SPECIAL = frozenset("\\`*_[]<>|&~!")


def md(text: str) -> str:
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in _flat(text))


def code(text: str, in_table: bool = False) -> str:
    """A code span that shows `text` as it is: HTML and Markdown inside are not read."""
    text = _flat(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span  # GitHub tables split cells at | even in code


def mermaid(text: str) -> str:
    """Text inside a Mermaid label's quotes: entity codes stand in for quotes, tags and #."""
    return "".join({'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;"}.get(c, c) for c in _flat(text))


def markdown(walk: Walk) -> str:
    graph = walk.graph
    out = walk.output
    lines = [f"# Backpropagation, worked: {code(graph.source.strip())}", ""]
    inputs = ", ".join(f"{md(n)} = {md(fmt_value(walk.value(i)))}" for n, i in graph.variables.items())
    lines += [f"At {inputs}. Values run forward above each edge, gradients backward below it.", ""]
    lines += ["```mermaid", "flowchart LR"]
    shares = edge_shares(walk)
    for i, node in enumerate(graph.nodes):
        if node.op is CONST:
            continue
        label = mermaid(graph.labels[i])
        text = label if not node.inputs else f"{mermaid(gate_symbol(graph, i))}<br/>{label}"
        lines.append(f'    n{i}{"([" if node.inputs else "["}"{text}"{"])" if node.inputs else "]"}')
    for (j, i), share in shares.items():
        lines.append(f'    n{j} -- "{mermaid(short(walk.value(j)))} / grad {mermaid(short(share))}" --> n{i}')
    lines.append(
        f'    n{graph.output} -- "{mermaid(short(walk.value(graph.output)))} / grad 1" --> result(("{mermaid(out)}"))'
    )
    lines += [
        "```",
        "",
        *_backward_markdown(walk),
        "## Forward pass",
        "",
        "| node | computes | value |",
        "|---|---|---|",
    ]
    for i, how, value in walk.forward_rows():
        lines.append(f"| {code(graph.labels[i], True)} | {code(how, True)} | {md(fmt_value(value))} |")
    lines += [
        "",
        f"## Backward pass (seeded with d{md(out)}/d{md(out)} = 1)",
        "",
        "| gate | input | upstream | local | downstream |",
        "|---|---|---|---|---|",
    ]
    for row in _rows(walk):
        lines.append("| " + " | ".join(md(c) for c in row) + " |")
    lines += ["", "## The gradient", "", f"| input | value | d{md(out)}/d(input) |", "|---|---|---|"]
    for name, i in graph.variables.items():
        lines.append(f"| {code(name, True)} | {md(fmt_value(walk.value(i)))} | {md(fmt_value(walk.gradient(i)))} |")
    return "\n".join(lines) + "\n"


def _backward_markdown(walk: Walk) -> list[str]:
    from .backward_picture import mermaid_lines

    return ["## The backward pass as a graph", "", *mermaid_lines(walk), ""]


# --- LaTeX -------------------------------------------------------------------------

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def tex(text: str) -> str:
    """Text for LaTeX: its ten special characters spelled out, control characters made visible."""
    return "".join(_SPECIAL.get(c, c) if c.isprintable() else "?" for c in text)


def _layers(walk: Walk) -> dict[int, tuple[int, int]]:
    """(column, row) per drawn node: the column is the longest path from an input."""
    graph = walk.graph
    depth: dict[int, int] = {}
    for i, node in enumerate(graph.nodes):
        if node.op is CONST and i != graph.output:  # constants live in their gates' labels
            continue
        depth[i] = 1 + max((depth[j] for j in node.inputs if j in depth), default=-1)
    rows: dict[int, int] = {}
    place = {}
    for i, d in depth.items():
        place[i] = (d, rows.get(d, 0))
        rows[d] = rows.get(d, 0) + 1
    return place


def _backward_latex(walk: Walk) -> list[str]:
    from .backward_picture import tikz_lines

    title = r"\subsection*{The backward pass as a graph}"
    return [title, r"\begin{center}", *tikz_lines(walk, tex), r"\end{center}", ""]


def latex(walk: Walk) -> str:
    graph = walk.graph
    out = walk.output
    place = _layers(walk)
    shares = edge_shares(walk)
    body = [
        r"\documentclass{article}",
        r"\usepackage[margin=2cm,landscape]{geometry}",
        r"\usepackage{tikz}",
        r"\usepackage{longtable}",
        r"\usepackage{xcolor}",
        r"\definecolor{fwd}{HTML}{1A7F37}",
        r"\definecolor{bwd}{HTML}{CF222E}",
        r"\begin{document}",
        rf"\section*{{Backpropagation, worked: \texttt{{{tex(_flat(graph.source.strip()))}}}}}",
        "At "
        + ", ".join(
            rf"\texttt{{{tex(n)}}} $= {tex(_flat(fmt_value(walk.value(i))))}$" for n, i in graph.variables.items()
        )
        + r". Values run forward above each edge (\textcolor{fwd}{green}), gradients backward below it "
        r"(\textcolor{bwd}{red}).",
        "",
        r"\begin{center}",
        r"\begin{tikzpicture}[x=3.2cm, y=-1.6cm, gate/.style={circle, draw, minimum size=9mm}]",
    ]
    for i, (col, row) in place.items():
        node = graph.nodes[i]
        label = tex(graph.labels[i]) if not node.inputs else tex(gate_symbol(graph, i))
        if node.op is CONST:  # a program that is only a constant
            label = tex(short(node.value))
        style = "gate" if node.inputs else ""
        body.append(rf"  \node[{style}] (n{i}) at ({col}, {row}) {{{label}}};")
        if node.inputs:  # the node's name under its gate
            body.append(rf"  \node[font=\scriptsize] at ({col}, {row + 0.45}) {{{tex(graph.labels[i])}}};")
    col, row = place[graph.output]
    body.append(rf"  \coordinate (out) at ({col + 0.8}, {row});")
    edges = [(j, i, share) for (j, i), share in shares.items()] + [(graph.output, None, 1.0)]
    for j, i, share in edges:
        target = "out" if i is None else f"n{i}"
        body.append(
            rf"  \draw[->] (n{j}) -- node[above, sloped, font=\scriptsize, text=fwd] "
            rf"{{{tex(short(walk.value(j)))}}} node[below, sloped, font=\scriptsize, text=bwd] "
            rf"{{{tex(short(share))}}} ({target});"
        )
    body += [
        r"\end{tikzpicture}",
        r"\end{center}",
        "",
        *_backward_latex(walk),
        r"\subsection*{Forward pass}",
        r"\begin{longtable}{lll}",
        r"node & computes & value \\ \hline",
    ]
    for i, how, value in walk.forward_rows():
        body.append(
            rf"\texttt{{{tex(graph.labels[i])}}} & \texttt{{{tex(how)}}} & "
            rf"{tex(_flat(fmt_value(value)))} \\"
        )
    body += [
        r"\end{longtable}",
        rf"\subsection*{{Backward pass (seeded with $\partial {tex(out)}/\partial "
        rf"{tex(out)} = 1$)}}",
        r"\begin{longtable}{p{5cm}lp{3.5cm}p{5cm}p{5cm}}",
        r"gate & input & upstream & local & downstream \\ \hline",
    ]
    for row_ in _rows(walk):
        body.append(" & ".join(tex(_flat(c)) for c in row_) + r" \\")
    body += [
        r"\end{longtable}",
        r"\subsection*{The gradient}",
        r"\begin{longtable}{lll}",
        rf"input & value & $\partial {tex(out)}/\partial$ input \\ \hline",
    ]
    for name, i in graph.variables.items():
        body.append(
            rf"\texttt{{{tex(name)}}} & {tex(_flat(fmt_value(walk.value(i))))} & "
            rf"{tex(_flat(fmt_value(walk.gradient(i))))} \\"
        )
    body += [r"\end{longtable}", r"\end{document}"]
    return "\n".join(body) + "\n"
