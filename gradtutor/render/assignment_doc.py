"""An assignment on paper: each student's handout (Markdown and LaTeX) and the instructor's key.

The handout states every problem at the student's own variant: the prompt, the
program, the values and the questions to answer, without answers. The key gives
each question's answer at that variant, then the worked solution from the handout
renderer (handout.py), so a grader can follow every step.
"""

from __future__ import annotations

from ..course.assignment import Assignment
from ..course.exercise import Exercise
from ..language.numbers import fmt_value
from .handout import _flat, markdown, tex


def _values(ex: Exercise) -> list[tuple[str, str]]:
    return [(name, _flat(fmt_value(value))) for name, value in ex.values.items()]


def _form(question) -> str:
    return " (as a formula in the program's names)" if question.kind == "formula" else ""


def student_markdown(assignment: Assignment, student: str, exercises: list[Exercise]) -> str:
    lines = [f"# {assignment.title}", "", f"Student: `{student}`", ""]
    for item, ex in zip(assignment.items, exercises):
        p = ex.problem
        lines += [f"## {item.number}. {p.title} ({item.points:g} points)", "", p.prompt, "", "```"]
        lines += [p.program.strip(), "```", ""]
        if ex.values:
            lines += ["At " + ", ".join(f"`{n} = {v}`" for n, v in _values(ex)) + ".", ""]
        lines += ["Answer:", ""] + [f"- `{q.ask}`{_form(q)} = " for q in ex.questions] + [""]
    lines += [
        f"Work these exact variants with `gradtutor practice SET/PROBLEM --student {student}`, then hand in "
        f"the file `gradtutor submit ASSIGNMENT --student {student} -o submission.json` writes.",
    ]
    return "\n".join(lines) + "\n"


def student_latex(assignment: Assignment, student: str, exercises: list[Exercise]) -> str:
    body = [
        r"\documentclass{article}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\begin{document}",
        rf"\section*{{{tex(assignment.title)}}}",
        rf"Student: \texttt{{{tex(student)}}}",
    ]
    for item, ex in zip(assignment.items, exercises):
        p = ex.problem
        body += [
            rf"\subsection*{{{item.number}. {tex(p.title)} ({item.points:g} points)}}",
            tex(p.prompt),
            r"\begin{verbatim}",
            p.program.strip().replace(r"\end{verbatim}", ""),
            r"\end{verbatim}",
        ]
        if ex.values:
            body.append("At " + ", ".join(rf"\texttt{{{tex(n)} = {tex(v)}}}" for n, v in _values(ex)) + ".")
        body += [r"\begin{itemize}"]
        body += [rf"\item \texttt{{{tex(q.ask)}}}{tex(_form(q))} = \rule{{5cm}}{{0.4pt}}" for q in ex.questions]
        body += [r"\end{itemize}"]
    body += [r"\end{document}"]
    return "\n".join(body) + "\n"


def key_markdown(assignment: Assignment, student: str, exercises: list[Exercise]) -> str:
    lines = [f"# Answer key: {assignment.title}", "", f"Student: `{student}`", ""]
    for item, ex in zip(assignment.items, exercises):
        variant = f", variant {ex.seed}" if ex.seed is not None else ""
        lines += [f"## {item.number}. {ex.problem.key}{variant}", "", "| question | answer |", "|---|---|"]
        lines += [f"| `{q.ask}` | {_flat(fmt_value(q.answer))} |" for q in ex.questions]
        worked = markdown(ex.walk).split("\n", 1)[1]  # the worked solution, below its own title
        lines += ["", "<details><summary>worked solution</summary>", "", worked, "</details>", ""]
    return "\n".join(lines) + "\n"
