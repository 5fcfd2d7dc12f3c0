"""`gradtutor grade`: submissions graded into Gradescope's results.json."""

from __future__ import annotations

import json
import os

import numpy as np

from gradtutor.course.batch import Grader
from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all

SETS = os.path.join(os.path.dirname(__file__), "data", "sets")


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def norm_answers(seed):
    ex = exercise(load_all(SETS)[0].problem("norm"), seed)
    dW = ex.questions[0].answer
    return {"seed": seed, "df/dW": json.dumps(np.round(dW, 6).tolist()), "df/dx": "2*W.T@q"}


def test_full_marks_exit_0_and_gradescope_shape(run, tmp_path):
    path = write(
        tmp_path,
        "ada.json",
        {
            "mini/add": {"df/dx": "1", "df/dy": 1},
            "mini/norm": norm_answers(42),
        },
    )
    result = run("grade", path, "--json", "--sets", SETS)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"score", "max_score", "tests"}
    assert data["score"] == data["max_score"] == 2 + 4
    assert all(set(t) == {"name", "score", "max_score", "output"} for t in data["tests"])
    assert [t["name"] for t in data["tests"]][:2] == ["mini/add: df/dx", "mini/add: df/dy"]
    norm = [t for t in data["tests"] if t["name"].startswith("mini/norm")]
    assert [t["max_score"] for t in norm] == [2.0, 2.0]  # points = 4, shared by 2 questions


def test_wrong_answers_carry_the_diagnosis_and_exit_1(run, tmp_path):
    answers = norm_answers(7)
    answers["df/dx"] = "-2*W.T@q"
    path = write(tmp_path, "bob.json", {"mini/mul": {"df/dx": "2", "df/dy": "2"}, "mini/norm": answers})
    result = run("grade", path, "--json", "--sets", SETS)
    assert result.exit_code == 1
    tests = {t["name"]: t for t in json.loads(result.stdout)["tests"]}
    assert tests["mini/mul: df/dx"]["score"] == 0 and "swaps" in tests["mini/mul: df/dx"]["output"]
    assert tests["mini/mul: df/dy"]["score"] == 1
    assert "sign flipped" in tests["mini/norm: df/dx"]["output"]


def test_a_formula_answer_must_hold_beyond_the_variant(run, tmp_path):
    answers = norm_answers(3)
    ex = exercise(load_all(SETS)[0].problem("norm"), 3)
    answers["df/dx"] = json.dumps(ex.questions[1].answer.tolist())  # the numbers, not a formula
    result = run("grade", write(tmp_path, "c.json", {"mini/norm": answers}), "--json", "--sets", SETS)
    test = next(t for t in json.loads(result.stdout)["tests"] if t["name"] == "mini/norm: df/dx")
    assert test["score"] == 0 and "right at this point only" in test["output"]


def test_missing_seed_unknown_problems_and_missing_answers_are_reported(run, tmp_path):
    path = write(tmp_path, "d.json", {"mini/norm": {"df/dW": "0"}, "mini/ad": {}, "mini/add": {"df/dx": "1"}})
    tests = {t["name"]: t for t in json.loads(run("grade", path, "--json", "--sets", SETS).stdout)["tests"]}
    assert "no variant seed" in tests["mini/norm: df/dW"]["output"]
    assert "did you mean 'mini/add'?" in tests["mini/ad"]["output"]
    assert tests["mini/add: df/dy"]["output"] == "no answer"


def test_toml_submissions_and_folders(run, tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "e.toml").write_text('["mini/add"]\n"df/dx" = "1"\n"df/dy" = "x - 1"\n')
    (tmp_path / "subs" / "f.json").write_text(json.dumps({"mini/add": {"df/dx": "0", "df/dy": "1"}}))
    out = tmp_path / "results"
    result = run("grade", str(tmp_path / "subs"), "--out", str(out), "--sets", SETS)
    assert result.exit_code == 1
    e = json.loads((out / "e.results.json").read_text())
    f = json.loads((out / "f.results.json").read_text())
    assert (e["score"], f["score"]) == (2, 1)


def test_malformed_submissions_exit_2(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("grade", str(bad), "--sets", SETS)
    assert result.exit_code == 2 and "not a valid JSON submission" in result.stderr
    shapeless = write(tmp_path, "g.json", ["mini/add"])
    assert run("grade", shapeless, "--sets", SETS).exit_code == 2
    assert run("grade", str(tmp_path / "missing.json"), "--sets", SETS).exit_code == 2


def test_grader_builds_each_variant_once():
    grader = Grader(load_all(SETS))
    for seed in (1, 2, 1, 1):
        grader.grade("x", {"mini/norm": norm_answers(seed)})
    info = grader._exercise.cache_info()
    assert info.misses == 2 and info.hits >= 2


def test_a_seed_that_is_not_a_number_is_named_as_such(run, tmp_path):
    path = write(tmp_path, "f.json", {"mini/norm": {"seed": "abc", "df/dW": "0"}})
    tests = {t["name"]: t for t in json.loads(run("grade", path, "--json", "--sets", SETS).stdout)["tests"]}
    output = tests["mini/norm: df/dW"]["output"]
    assert 'must be a whole number, not "abc"' in output and "no variant seed" not in output
