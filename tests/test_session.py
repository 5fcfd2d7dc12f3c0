"""The tutoring session as a pure state machine: answers in, events out, no terminal."""

from __future__ import annotations

import numpy as np

from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all
from gradtutor.graph import build
from gradtutor.teach.session import (
    Asked,
    Help,
    Hint,
    Note,
    Revealed,
    Session,
    StepStarted,
)
from gradtutor.teach.walk import build_walk


def session(program="q = x + y; f = q * z", tries=2, **values):
    values = values or {"x": -2, "y": 5, "z": -4}
    walk = build_walk(build(program), {k: np.asarray(v, dtype=float) for k, v in values.items()})
    return Session(walk, tries=tries)


def kinds(events):
    return [type(e).__name__ for e in events]


def test_start_opens_the_first_gate_and_asks():
    s = session()
    events = s.start()
    assert kinds(events) == ["StepStarted", "Asked"]
    assert s.walk.graph.labels[events[0].step.node] == "f"
    assert events[1].prompt == "df/dq = " == s.prompt


def test_a_full_run_scores_every_question_and_finishes():
    s = session()
    s.start()
    asked = []
    for text in ["z", "q", "1", "grad", "1", "grad*1"]:  # df/dq, df/dz, dq/dx, df/dx, dq/dy, df/dy
        asked.append(s.current.question.ask)
        s.submit(text)
    assert asked == ["df/dq", "df/dz", "dq/dx", "df/dx", "dq/dy", "df/dy"]
    assert s.done and s.finished
    result = s.result()
    assert result.score == result.max_score == 6
    assert [o.status for o in result.outcomes] == ["first-try"] * 6


def test_a_stored_answer_comes_before_anything_said_about_it():
    s = session()
    s.start()
    right = s.submit("-4")
    assert kinds(right)[:2] == ["Answered", "Graded"] and right[1].verdict.correct
    wrong = s.submit("-3")  # df/dz is 3
    assert kinds(wrong) == ["Answered", "Graded"] and wrong[1].tries_left == 1
    assert wrong[1].verdict.codes == ["sign"]
    last = s.submit("5")
    assert kinds(last)[:3] == ["Answered", "Graded", "Revealed"]
    assert last[0].outcome.status == "revealed" and last[1].tries_left == 0
    assert "df/dz = 3" in last[2].explanation or "3" in last[2].explanation


def test_unreadable_answers_cost_no_try():
    s = session()
    s.start()
    events = s.submit("2 +")
    assert kinds(events) == ["Unreadable"] and "end" in events[0].message
    assert s.current.attempts == 0


def test_commands_hint_help_show_skip_and_quit():
    s = session()
    s.start()
    assert isinstance(s.submit("help")[0], Help)
    first, second, third = (s.submit("hint")[0] for _ in range(3))
    assert isinstance(first, Hint) and first.text.startswith("mul gate (swaps)")
    assert "swaps" in first.text and "z" in second.text and "no more hints" in third.text
    assert s.current.hints == 3
    shown = s.submit("show")
    assert kinds(shown)[:2] == ["Answered", "Revealed"] and shown[0].verdict is None
    skipped = s.submit("skip")
    assert kinds(skipped)[:2] == ["Answered", "Skipped"]
    stopped = s.submit("quit")
    assert kinds(stopped) == ["Finished"] and stopped[0].stopped and s.done and not s.finished
    assert s.stop() == []  # stopping twice says nothing more
    assert s.submit("z") == []  # and nothing is asked any more


def test_a_branching_input_gets_a_note_at_each_share():
    s = session("a = x * y\nb = x + y\nf = a * b", x=3, y=2)
    notes = []
    events = s.start()
    while not s.done:
        notes += [e.text for e in events if isinstance(e, Note)]
        events = s.submit("show")
    assert any("its share through b (branch 1 of 2)" in n for n in notes), notes
    assert any("last branch" in n for n in notes)


def test_every_step_is_announced_once_in_walk_order():
    s = session("a = x * y\nb = a + x\nf = b * b", x=1.5, y=2)
    steps = []
    events = s.start()
    while not s.done:
        steps += [s.walk.graph.labels[e.step.node] for e in events if isinstance(e, StepStarted)]
        events = s.submit("show")
    assert steps == ["f", "b", "a"]


def test_problem_targets_are_asked_with_the_problems_hints_after_their_own():
    problem = next(p for s in load_all() for p in s.problems if p.targets and p.hints)
    ex = exercise(problem, 3)
    s = Session(ex.walk, questions=ex.questions, grader=ex.grade, hints=problem.hints)
    events = s.start()
    assert kinds(events) == ["Asked"]  # no gates: targets are not walked node by node
    own = len(s.current.question.hints(ex.walk))
    texts = [s.submit("hint")[0].text for _ in range(own + 1)]
    assert texts[own] == problem.hints[0]


def test_answers_are_graded_with_the_sessions_tolerance_and_tries():
    s = session(tries=1)
    s.start()
    events = s.submit("4")
    assert kinds(events)[:3] == ["Answered", "Graded", "Revealed"]
    assert isinstance(events[-1], Asked)  # on to the next question


def test_the_result_serialises_what_the_walk_asked():
    s = session()
    s.start()
    s.submit("-4")
    s.stop()
    data = s.result().to_json()
    assert data["finished"] is False and data["score"] == 1
    assert data["questions"][0] == {
        "ask": "df/dq",
        "kind": "local",
        "correct": True,
        "attempts": 1,
        "status": "first-try",
        "given": ["-4"],
        "mistakes": [],
        "answer": -4.0,
    }


def test_a_revealed_target_shows_its_rule_and_numbers():
    problem = next(
        p
        for s in load_all()
        for p in s.problems
        if p.targets and any(t.form == "value" and "/" in t.ask for t in p.targets)
    )
    ex = exercise(problem, 1)
    s = Session(ex.walk, questions=ex.questions, grader=ex.grade)
    s.start()
    while "/" not in s.current.question.ask:
        s.submit("skip")
    question = s.current.question
    revealed = next(e for e in s.submit("show") if isinstance(e, Revealed))
    assert revealed.explanation.startswith(f"{question.ask} = ")
    assert "by reverse mode at this point" in revealed.explanation and " = " in revealed.explanation.split(",")[0]
    assert len(revealed.explanation) > len(f"{question.ask} by reverse mode at this point")
