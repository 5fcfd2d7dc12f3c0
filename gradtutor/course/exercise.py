"""A problem at one variant: its questions, their points, and how each answer is graded.

A problem asks either the whole backward walk (the questions of `walk.py`) or
chosen targets: a gradient `df/dW` or a node's value `q`, as numbers at this
variant, or a gradient as a *formula* that must hold everywhere. Formulas are
checked at this variant and at three more points, so a number copied from
one variant does not pass. Practice, the instructors' batch grader and the
tests all go through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import budget
from ..autodiff.compare import Tolerance, close, diagnose
from ..autodiff.formula import compile_formula, evaluate, program_env
from ..autodiff.reverse import Evaluation, backward, forward
from ..errors import DomainError, GradtutorError
from ..mistakes import Mistake
from ..teach.grading import Verdict, check_length, grade, likely_mistakes
from ..teach.grading import _plain_number as plain_number
from ..teach.questions import Question
from ..teach.targets import FormulaQuestion, GradientQuestion, ValueQuestion
from ..teach.walk import Walk, build_walk, walk_of
from .problem import Problem, Target

FORMULA_POINTS = 3  # extra points at which a formula answer is checked


@dataclass
class FurtherPoints:
    """The further points a formula answer is checked at: those evaluated so far, the rest to
    come, and whether each formula text held at them. Shared by a class (course/batch.py), whose
    students type the same few formulas, each text is evaluated there once."""

    done: list[Evaluation]
    more: Iterator[Evaluation]
    held: dict[tuple[int, str], bool] = field(default_factory=dict)  # (question's node, text) -> held


@dataclass
class Exercise:
    problem: Problem
    seed: int | None
    walk: Walk
    questions: list[Question]
    _others: FurtherPoints | None = None  # made on first use; a grader may share them across a class

    @property
    def values(self) -> dict[str, Any]:
        return {n: self.walk.value(i) for n, i in self.walk.graph.variables.items()}

    @property
    def max_points(self) -> float:
        return self.problem.points if self.problem.points is not None else float(len(self.questions))

    @property
    def points_per_question(self) -> float:
        return self.max_points / max(1, len(self.questions))

    def grade(self, question: Question, text: str) -> Verdict:
        if isinstance(question, FormulaQuestion):
            return self._grade_formula(question, text)
        return grade(self.walk, question, text, self.problem.tolerance)

    def _grade_formula(self, question: Question, text: str) -> Verdict:
        with budget.scope():  # each answer gets the work of one command, and no more
            return self._check_formula(question, text)

    def _check_formula(self, question: Question, text: str) -> Verdict:
        graph = self.walk.graph
        plain = plain_number(text.strip())  # a number is a constant formula: no parse needed
        if plain is not None:
            return self._judge_formula(question, None, plain)
        try:
            check_length(text.strip())
            formula = compile_formula(text.strip(), graph.names, what="answer")
            value = np.asarray(evaluate(formula, program_env(graph, self.walk.evaluation.values), "answer"))
        except GradtutorError as exc:
            return Verdict(False, unreadable=exc.render().removeprefix("error: "))
        return self._judge_formula(question, formula, value)

    def _judge_formula(self, question: Question, formula, value: np.ndarray) -> Verdict:
        graph = self.walk.graph
        tol = Tolerance(rtol=1e-6, atol=1e-9)
        if not tol.close(value, question.answer):
            return Verdict(
                False,
                value,
                likely_mistakes(self.walk, question, value, self.problem.tolerance)
                or diagnose(value, question.answer, name=graph.labels[question.input]),
            )
        if formula is None:  # a number: the student's own, so nothing to remember
            holds = self._holds_further(question, None, value)
        else:
            held, key = self._further().held, (question.input, formula.source)
            if key not in held:
                held[key] = self._holds_further(question, formula, value)
            holds = held[key]
        if holds:
            return Verdict(True, value)
        message = (
            "right at this point only: write the gradient as a formula in the program's names that holds at every point"
        )
        return Verdict(False, value, [Mistake("only-at-this-point", message)])

    def _holds_further(self, question: Question, formula, value: np.ndarray) -> bool:
        """Does the answer (a formula, or the number `value`) hold at every further point?"""
        for evaluation in self._other_evaluations():
            got = value
            if formula is not None:
                try:
                    got = evaluate(formula, program_env(self.walk.graph, evaluation.values), "answer")
                except GradtutorError:
                    return False
            if not close(got, evaluation.gradient(question.input), rtol=1e-6):
                return False
        return True

    def _further(self) -> FurtherPoints:
        if self._others is None:
            self._others = FurtherPoints([], self._other_points())
        return self._others

    def _other_evaluations(self) -> Iterator[Evaluation]:
        """The further points evaluated, with their gradients: each made when first needed (a
        number typed for a formula fails at the first) and kept for the exercise's other answers."""
        further = self._further()
        done, more = further.done, further.more
        k = 0
        while True:
            if k == len(done):
                evaluation = next(more, None)
                if evaluation is None:
                    return
                backward(evaluation, [q.input for q in self.questions if isinstance(q, FormulaQuestion)])
                done.append(evaluation)
            yield done[k]
            k += 1

    def _other_points(self) -> Iterator[Evaluation]:
        seed = 12345 if self.seed is None else self.seed + 7919
        return further_points(self.problem, seed, self.values)


def further_points(problem: Problem, seed: int, fixed: dict[str, Any] | None = None) -> Iterator[Evaluation]:
    """Further points: values drawn as a variant's are (for random problems) or the `fixed`
    values, each nudged by continuous noise so that no point can coincide with a variant (small
    integer ranges would often repeat a value). A random problem's depend on `seed` alone, so a
    grader can evaluate them once for a whole class (course/batch.py)."""
    rng = np.random.default_rng(seed)
    for _k in range(FORMULA_POINTS):
        for _ in range(50):
            start = problem.draw(rng) if problem.has_random else fixed
            values = {n: v + rng.uniform(-0.3, 0.3, size=np.shape(v)) for n, v in start.items()}
            try:
                yield forward(problem.graph, values)
                break
            except DomainError:
                continue


def exercise(
    problem: Problem, seed: int | None = None, explain: bool = True, evaluation: Evaluation | None = None
) -> Exercise:
    """The problem at the variant `seed` (ignored when every value is fixed). A grader may hand
    in the variant's `evaluation`, swept back already, from a pass over a class's variants at
    once (autodiff/many.py); it is charged to the budget as the two passes it stands for."""
    seed = seed if problem.has_random else None
    if evaluation is not None and not problem.jacobians:
        budget.charge(3 * evaluation.work)
        walk = walk_of(evaluation, explain, swept=True)  # (a problem with Jacobians is never stacked)
    else:
        walk = build_walk(problem.graph, problem.variant(seed), explain, jacobians=problem.jacobians)
    if problem.targets is None:
        questions = walk.questions
    else:
        questions = [_target_question(walk, t) for t in problem.targets]
    return Exercise(problem, seed, walk, questions)


def _target_question(walk: Walk, target: Target) -> Question:
    graph = walk.graph
    out = graph.output
    if target.after or target.form == "jacobian":
        from .more_targets import special_question

        return special_question(walk, target)
    if target.ask.startswith("d") and "/" in target.ask:
        name = target.ask.split("/d", 1)[1]
        node = graph.names[name]
        kind = FormulaQuestion if target.form == "formula" else GradientQuestion
        return kind(target.ask, out, node, walk.gradient(node), upstream=np.float64(1.0))
    node = graph.names[target.ask]
    return ValueQuestion(target.ask, node, node, walk.value(node), upstream=np.float64(1.0))


def lint_variants(problem: Problem, samples: int = 200) -> str | None:
    """None if every sampled variant is well defined; else what goes wrong, for the linter."""
    seeds = range(samples) if problem.has_random else [None]
    for seed in seeds:
        try:  # the rules' explanations once; the other variants need only the numbers
            ex = exercise(problem, seed, explain=seed in (None, 0))
            if not ex.questions:
                return "it asks no questions"
        except GradtutorError as exc:
            where = f"with seed {seed}: " if seed is not None else ""
            return f"{where}{exc.message}"
    return None


__all__ = ["Exercise", "exercise", "lint_variants", "FORMULA_POINTS"]
