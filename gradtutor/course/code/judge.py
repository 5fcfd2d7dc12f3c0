"""Judging what flat code, layer functions and loss functions returned, case by case.

Flat code is judged variable by variable: every forward value and every `grad_*`
the lectures' listing would set, against the engine, with the line that last set
it, so the report can point at the first wrong line. Layer and loss functions are
judged by their returned value and gradients, plus the things a function can do
to its caller: return gradients in the wrong order, or change its inputs in place.
"""

from __future__ import annotations

import ast
from typing import Any

from ...autodiff.flatcode import python_names
from ...graph import shared
from ...mistakes import Mistake
from .cases import Plan
from .report import Row, Rows
from .verdicts import Verdict, judge, missing, swapped


def assignments(source: str, function: str) -> dict[str, list[tuple[int, bool]]]:
    """name -> [(line, written with +=)] for the assignments inside `function` (parsed, never run)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, list[tuple[int, bool]]] = {}
    for top in tree.body:
        if isinstance(top, ast.FunctionDef) and top.name == function:
            for node in ast.walk(top):
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for name in ast.walk(target):
                            if isinstance(name, ast.Name):
                                found.setdefault(name.id, []).append((node.lineno, isinstance(node, ast.AugAssign)))
    for lines in found.values():
        lines.sort()
    return found


def judge_flat(plan: Plan, reports: list[dict[str, Any]], source: str) -> list[Row]:
    graph, spec = plan.graph, plan.problem.code
    lines = assignments(source, spec.names["function"])
    named = [i for i, node in enumerate(graph.nodes) if node.name]
    names, grad = python_names(graph)  # the flat code's own names (autodiff/flatcode.py)
    checks = [(names[i], i, "value") for i in named if i not in graph.variables.values()]
    checks += [(f"{grad}{names[i]}", i, "gradient") for i in reversed(named)]
    rows = Rows()
    for case, report in zip(plan.cases, reports):
        seen = report.get("locals", {})
        for var, i, noun in checks:
            row = rows.row(var, lines[var][-1][0] if var in lines else None)
            if var not in seen:
                error = report.get("error")
                why = f"never set in {spec.names['function']}()"
                if error:
                    why += f" (it stopped at line {error.get('line')} with {error.get('message')})"
                row.add(missing(var, why), case.label)
                continue
            if noun == "value":
                verdict = judge(seen[var], [case.evaluation.values[i]], var, "forward value")
            else:
                verdict = judge(seen[var], case.gradient(i), var, "gradient", case.evaluation, i)
                _overwritten(verdict, var, lines.get(var, []))
            row.add(verdict, case.label)
    return _in_source_order(list(rows.values()))


def _in_source_order(rows: list[Row]) -> list[Row]:
    """Rows in the order of the file's lines; a later row wrong for the same reason as the first
    wrong line is marked as following from it, so the student starts at the cause."""
    rows.sort(key=lambda r: (r.line is None, r.line or 0))
    wrong = [r for r in rows if not r.ok and r.line is not None]
    if wrong:
        first = wrong[0]
        codes = [m.code for m in first.mistakes]
        for row in wrong[1:]:
            if [m.code for m in row.mistakes] == codes and codes:
                row.follows, row.mistakes = f"line {first.line} ({first.name})", []
    return rows


def _overwritten(verdict, var: str, sets: list[tuple[int, bool]]) -> None:
    """`=` where `+=` was needed: say which line threw the earlier branch away."""
    plain = [line for line, aug in sets if not aug]
    if not verdict.ok and len(plain) > 1 and any(m.code == "missed-branch" for m in verdict.mistakes):
        m = next(m for m in verdict.mistakes if m.code == "missed-branch")
        text = f"{m.message}. Line {plain[-1]} sets {var} with = after line {plain[-2]} did: use += so the branches add"
        verdict.mistakes[verdict.mistakes.index(m)] = Mistake("missed-branch", text)


def judge_returns(plan: Plan, reports: list[dict[str, Any]]) -> list[Row]:
    """Layer (forward/backward) and function (value and gradients) problems."""
    graph, spec = plan.graph, plan.problem.code
    base_out = _output(plan)
    out_name = "out" if spec.style == "layer" else "loss"
    names = [f"d{spec.student_name(g)}" for g in spec.grads]
    rows = Rows()
    rows.row(out_name)
    for name in names:
        rows.row(name)
    args = list(spec.args) + (["dout"] if spec.style == "layer" else [])
    for case, report in zip(plan.cases, reports):
        rows[out_name].add(judge(report.get("out"), [case.evaluation.values[base_out]], out_name, "value"), case.label)
        nodes = [graph.variables[g] for g in spec.grads]
        refs = [case.evaluation.gradient(n) for n in nodes]
        order = swapped(report.get("grads", []), refs, names)
        for k, (name, node) in enumerate(zip(names, nodes)):
            if k in order:
                rows[name].add(_with(judge(report["grads"][k], case.gradient(node), name), order[k]), case.label)
                continue
            item = report["grads"][k] if k < len(report.get("grads", [])) else None
            rows[name].add(judge(item, case.gradient(node), name, "gradient", case.evaluation, node), case.label)
        changed = [args[k] for k in report.get("modified", [])]
        if report.get("dout_modified"):
            changed.append("dout")
        row = rows.row("inputs unchanged")
        if changed:
            what = ", ".join(changed)
            row.add(_in_place(what), case.label)
        else:
            row.add(_fine(), case.label)
    return list(rows.values())


def _output(plan: Plan) -> int:
    """The program's own output node (a layer's graph ends in the added sum(out * dout))."""
    if plan.problem.code.style != "layer":
        return plan.graph.output
    base = shared(plan.problem.program)
    return plan.graph.names[base.labels[base.output]]


def _with(verdict, mistake: Mistake):
    verdict.ok = False
    verdict.mistakes = [mistake]
    return verdict


def _in_place(what: str) -> Verdict:
    return Verdict(
        False,
        None,
        [Mistake("in-place", f"your code changed {what} in place; the caller still needs it: work on a copy")],
    )


def _fine() -> Verdict:
    return Verdict(True, None)
