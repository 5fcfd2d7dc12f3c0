"""The questions a problem can ask instead of the whole walk: a node's value, a gradient as
numbers at this point, or a gradient as a formula that must hold everywhere.

A gradient target is answered and diagnosed like the walk's own question about the same node
(its last one, the total over all branches), so its hints and mistakes are the walk's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..language.numbers import describe_shape, fmt_value
from ..mistakes import Mistake
from .questions import Near, Question


@dataclass(eq=False)
class ValueQuestion(Question):
    """A node's value in the forward pass (problem targets)."""

    kind = "value"
    what = "value"
    noun = "value"

    def hidden_nodes(self) -> set[int]:
        return {self.node}  # 'rel' is no answer to "rel = ?"

    def answer_in(self, other_walk) -> Any:
        return None  # a forward value has no kink to be on either side of

    def refusal(self, walk, text: str) -> str | None:
        """The node's own definition typed back (softmax(s) for p = ?) is not an answer."""
        from ..autodiff.formula import parsed
        from ..errors import GradtutorError

        try:
            formula = parsed(text)
        except GradtutorError:
            return None  # grading will say what is wrong with it
        if formula.nodes[formula.output].inputs and formula.describe(formula.output) == walk.graph.describe(self.node):
            return (
                f"that is how the program defines {self.ask}; work out its value: a number, or a matrix "
                f"such as [[1, 2], [3, 4]]"
            )
        return None

    def explain(self, walk) -> str:
        return f"{self.ask} = {walk.graph.describe(self.node)} in the forward pass"


@dataclass(eq=False)
class GradientQuestion(Question):
    """The output's gradient with respect to one node, as numbers at this point (problem targets)."""

    kind = "gradient"
    what = "gradient"

    def closing_hints(self, walk) -> list[str]:
        x = walk.graph.labels[self.input]
        return [f"the gradient has {x}'s shape: {describe_shape(self.shape)} (the shape convention)"]

    def explain(self, walk) -> str:
        same = self.walk_question(walk)
        if same is None or not same.rule:
            return f"{self.ask} by reverse mode at this point"
        return f"{self.ask} = {same.rule} = {same.working or fmt_value(self.answer)}, by reverse mode at this point"

    def answer_in(self, other_walk) -> Any:
        return other_walk.gradient(self.input)

    def walk_question(self, walk) -> Question | None:
        """The backward walk's question whose answer this is: the last one about the same node."""
        return next((q for q in reversed(walk.questions_about(self.input)) if q.ask == self.ask), None)

    def mistakes(self, walk, near: Near) -> list[Mistake]:
        same = self.walk_question(walk)
        return same.mistakes(walk, near) if same is not None else []


@dataclass(eq=False)
class FormulaQuestion(GradientQuestion):
    """The same gradient as a formula that must hold at every point."""

    kind = "formula"
    what = "gradient, as a formula,"
