"""Generated code is correct by construction: on random programs whose names are chosen to
collide (grad_x, np, np_, keywords, the generated file's own names) and whose comments hold
quotes and backslashes, the file runs and agrees with the engine."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_flatcode import load
from test_properties import scalar_expressions

import gradtutor
from gradtutor.autodiff.flatcode import python_code, python_names
from gradtutor.graph import build

ADVERSARIAL = [
    "grad_a", "grad_f", "grad_q", "grad_", "grad", "grad__b", "np", "np_", "lambda", "lambda_", "class",
    "None", "True", "__debug__", "f", "value", "gradients", "g", "name", "print", "t1", "x_", "_", "q",
]  # fmt: skip
COMMENTS = ["", " # C:\\Users\\me", " # \"\"\" ''' \\", " # \\x00 \\N{BULLET}", " # `<b>` $x$ %"]


@st.composite
def adversarial_programs(draw):
    """A random scalar program over a, b, c, d, renamed into adversarial names, with two
    statements whose names are adversarial too."""
    names = draw(st.lists(st.sampled_from(ADVERSARIAL), min_size=6, max_size=6, unique=True))
    inputs, (first, out) = dict(zip("abcd", names[:4])), names[4:]
    body = [draw(scalar_expressions(3)) for _ in range(2)]
    body = [re.sub(r"\b[abcd]\b", lambda m: inputs[m.group(0)], e) for e in body]
    comment = draw(st.sampled_from(COMMENTS))
    return f"{first} = {body[0]}{comment}\n{out} = {first} * ({body[1]}) + {first}"


def _agrees(program: str, seed: int, tmp_path) -> None:
    graph = build(program)
    rng = np.random.default_rng(seed)
    values = {n: rng.uniform(-1.2, 1.2) for n in graph.variables}
    module = load(python_code(graph, dict.fromkeys(values, ())), tmp_path, f"adv{seed}")
    names, _ = python_names(graph)
    value, grads = module.f(**{names[i]: values[n] for n, i in graph.variables.items()})
    exact = gradtutor.grad(graph, values)
    assert np.isclose(value, exact.value, rtol=1e-9, atol=1e-12), program
    assert set(grads) == set(exact.gradients), program
    for name, g in exact.gradients.items():
        assert np.isclose(grads[name], g, rtol=1e-9, atol=1e-12), (program, name)


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(program=adversarial_programs(), seed=st.integers(0, 2**32 - 1))
def test_generated_code_agrees_with_the_engine_on_300_adversarial_programs(tmp_path, program, seed):
    _agrees(program, seed, tmp_path)


@pytest.mark.parametrize(
    "program",
    [
        "a = grad_x * y; f = a * x",
        "q = x * y; grad_q = q * x",
        "f = x * grad_f",
        "np = x * np_; lambda_ = np * lambda; f = lambda_ + grad_  # C:\\Users\\me",
        'q = x + y # """ \\N{BULLET} \x00',
    ],
)
def test_the_reported_collisions(tmp_path, program):
    _agrees(program, 1, tmp_path)


def test_names_never_collide():
    graph = build("a = grad_x * np + np_ * lambda + lambda_ * grad__y; f = a * grad_")
    names, prefix = python_names(graph)
    used = [names[i] for i, node in enumerate(graph.nodes) if node.inputs or node.name]
    assert len(set(used)) == len(used)
    assert not any(n.startswith(prefix) for n in used) and prefix.startswith("grad_")
