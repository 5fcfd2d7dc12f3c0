"""`gradtutor grade`: submissions graded against an assignment into Gradescope's results.json."""

from __future__ import annotations

import json
import os

import numpy as np

from gradtutor.course.assignment import load_assignment
from gradtutor.course.batch import Grader
from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all
from gradtutor.course.variants import inside, safe_name, student_seed

SETS = os.path.join(os.path.dirname(__file__), "data", "sets")
KEY = "test-course-key-123"
TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "output_format", "visibility", "tags"}


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def assignment(tmp_path, policy="", extra=""):
    text = f'id = "hw1"\ntitle = "Homework 1"\n[policy]\n{policy}\n'
    text += '[[problem]]\nkey = "mini/add"\n[[problem]]\nkey = "mini/mul"\n'
    text += f'[[problem]]\nkey = "mini/norm"\npoints = 4\n{extra}'
    return write(tmp_path, "hw1.toml", text)


def norm(student, dW=None, dx="2*W.T@q"):
    ex = exercise(load_all(SETS)[0].problem("norm"), student_seed(KEY.encode(), student, "mini/norm"))
    return {"df/dW": json.dumps(np.round(ex.questions[0].answer, 6).tolist()) if dW is None else dW, "df/dx": dx}


def grade(run, tmp_path, *files, policy="", extra="", more=()):
    hw = assignment(tmp_path, policy, extra)
    (tmp_path / "key").write_text(KEY)
    args = ["grade", *files, "-a", hw, "--key-file", str(tmp_path / "key"), "--sets", SETS, "--json", *more]
    result = run(*args)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return result, lines


def by_test(data):
    return {t["name"]: t for t in data["tests"]}


def test_max_score_is_the_assignments_and_a_missing_problem_scores_0(run, tmp_path):
    path = write(tmp_path, "ada.json", {"mini/add": {"df/dx": "1", "df/dy": 1}, "mini/norm": norm("ada")})
    result, [data] = grade(run, tmp_path, path)
    assert result.exit_code == 0
    assert (data["score"], data["max_score"]) == (6, 8)  # mini/mul (2 points) not submitted
    tests = by_test(data)
    assert tests["mini/mul: df/dx"]["output"] == "not submitted" and tests["mini/mul: df/dx"]["max_score"] == 1
    assert all(set(t) >= TEST_FIELDS for t in data["tests"])
    assert {"execution_time", "output", "stdout_visibility", "output_format"} <= set(data)
    assert tests["mini/add: df/dx"]["number"] == "1.1" and tests["mini/add: df/dx"]["status"] == "passed"
    assert data["extra_data"]["student"] == "ada" and KEY not in json.dumps(data)


def test_wrong_answers_exit_0_with_answer_diagnosis_and_code_tag(run, tmp_path):
    answers = norm("bob", dx="-2*W.T@q")
    path = write(tmp_path, "bob.json", {"mini/mul": {"df/dx": "2", "df/dy": "2"}, "mini/norm": answers})
    result, [data] = grade(run, tmp_path, path)
    assert result.exit_code == 0
    tests = by_test(data)
    wrong = tests["mini/mul: df/dx"]
    assert wrong["score"] == 0 and wrong["status"] == "failed" and "swap" in wrong["tags"]
    assert "`` 2 ``" in wrong["output"]  # the student's answer, repeated
    assert "sign" in tests["mini/norm: df/dx"]["tags"]


def test_the_stated_seed_is_ignored_and_the_variant_follows_the_student_id(run, tmp_path):
    stolen = norm("ada")  # ada's right answers, handed in by eve with ada's seed
    stolen["seed"] = student_seed(KEY.encode(), "ada", "mini/norm")
    path = write(tmp_path, "eve.json", {"mini/norm": stolen})
    _, [data] = grade(run, tmp_path, path)
    assert by_test(data)["mini/norm: df/dW"]["score"] == 0
    assert "seed in the submission is ignored" in data["output"]


def test_a_broken_submission_scores_0_and_the_batch_goes_on(run, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    write(folder, "bad.json", '{"mini/add": {\n  "df/dx": 1,,\n}')
    write(folder, "deep.json", "[" * 100_000)
    write(folder, "good.json", {"mini/add": {"df/dx": "1", "df/dy": "1"}})
    result, lines = grade(run, tmp_path, str(folder), more=("--out", str(tmp_path / "out")))
    assert result.exit_code == 0
    by_name = {os.path.basename(d["submission"]): d for d in lines}
    assert by_name["good.json"]["score"] == 2
    bad = by_name["bad.json"]
    assert bad["score"] == 0 and bad["max_score"] == 8 and "bad.json:2: submission: not valid JSON" in bad["output"]
    assert by_name["deep.json"]["score"] == 0
    assert sorted(os.listdir(tmp_path / "out")) == ["bad", "deep", "good"]
    assert json.loads((tmp_path / "out" / "good" / "results.json").read_text())["score"] == 2


def test_partial_credit_per_entry_all_or_nothing_and_retry_penalty(run, tmp_path):
    ex = exercise(load_all(SETS)[0].problem("norm"), student_seed(KEY.encode(), "cy", "mini/norm"))
    dW = np.array(ex.questions[0].answer, dtype=float)
    dW[1] += 7.0  # row 2 wrong
    answers = norm("cy", dW=json.dumps(dW.tolist()))
    sub = {"mini/norm": answers, "mini/add": {"df/dx": {"answer": "1", "tries": 3}, "df/dy": "1"}}
    path = write(tmp_path, "cy.json", sub)
    _, [data] = grade(run, tmp_path, path, policy="per_entry = true\nretry_penalty = 0.25")
    tests = by_test(data)
    assert tests["mini/norm: df/dW"]["score"] == 1.0 and "row 2 wrong" in tests["mini/norm: df/dW"]["output"]
    assert tests["mini/add: df/dx"]["score"] == 0.5 and "3 tries" in tests["mini/add: df/dx"]["output"]
    _, [data] = grade(run, tmp_path, path, extra='credit = "problem"\n')
    assert by_test(data)["mini/norm: df/dx"]["score"] == 0  # right, but the problem is all or nothing


def test_expected_answers_show_only_as_the_assignment_allows(run, tmp_path):
    path = write(tmp_path, "d.json", {"mini/add": {"df/dx": "1", "df/dy": "0"}})
    _, [data] = grade(run, tmp_path, path, policy='answers = "after_due_date"')
    shown = by_test(data)["mini/add: expected answers"]
    assert shown["visibility"] == "after_due_date" and shown["max_score"] == 0 and "df/dy = 1" in shown["output"]
    _, [data] = grade(run, tmp_path, path, policy='answers = "hidden"')
    assert "mini/add: expected answers" not in by_test(data) and "df/dy = 1" not in json.dumps(data)


def test_a_bad_assignment_lists_every_mistake_with_line_and_exits_2(run, tmp_path):
    hw = write(
        tmp_path,
        "hw.toml",
        'id = "hw"\ntitel = "x"\n[policy]\ncredit = "some"\n[[problem]]\nkey = "mini/ad"\npionts = 2\n',
    )
    result = run("grade", hw, "-a", hw, "--sets", SETS)
    assert result.exit_code == 2
    for part in (
        "hw.toml:2: titel: unknown field (did you mean 'title'?)",
        "hw.toml:4: policy.credit: should be one of question, problem",
        "hw.toml:6: problem.key: there is no problem 'mini/ad' (did you mean 'mini/add'?)",
        "hw.toml:7: problem.pionts: unknown field (did you mean 'points'?)",
    ):
        assert part in result.stderr
    result = run("grade", hw, "-a", hw, "--sets", SETS, "--json")
    assert result.exit_code == 2 and "titel" in json.loads(result.stdout)["error"]


def test_per_student_variants_need_the_key(run, tmp_path, monkeypatch):
    monkeypatch.delenv("GRADTUTOR_COURSE_KEY", raising=False)
    path = write(tmp_path, "e.json", {"mini/add": {"df/dx": "1"}})
    result = run("grade", path, "-a", assignment(tmp_path), "--sets", SETS)
    assert result.exit_code == 2 and "course key" in result.stderr


def test_student_ids_never_write_outside_the_folder(tmp_path):
    for hostile in ("../evil", "..", ".", "/etc/passwd", "a\0b", "", "x/../../y"):
        name = safe_name(hostile)
        assert "/" not in name and "\0" not in name and name not in (".", "..", "")
        assert os.path.dirname(inside(str(tmp_path), name)) == os.path.realpath(tmp_path)
    assert safe_name("../a") != safe_name("._a")  # changed ids keep apart


def test_gradescope_mode_reads_metadata_and_writes_results_json(run, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    write(root / "submission", "submission.json", {"answers": {"mini/norm": norm("../../x")}})
    write(root, "submission_metadata.json", {"users": [{"id": "../../x"}]})
    (tmp_path / "key").write_text(KEY)
    hw = assignment(tmp_path)
    result = run("grade", "--gradescope", str(root), "-a", hw, "--key-file", str(tmp_path / "key"), "--sets", SETS)
    assert result.exit_code == 0
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 4 and data["extra_data"]["student"] == "../../x"


def test_grader_builds_fixed_problems_once_and_keeps_no_students_variant():
    """A problem without random values is the same exercise for everyone: built once. A student's
    own variant is graded once in a batch, so it is not kept (a class's would fill the memory)."""
    hw = load_assignment(os.path.join(SETS, "..", "hw-mini.toml"), SETS)
    fixed = sum(not item.problem.has_random for item in hw.items)
    assert 0 < fixed < len(hw.items)
    grader = Grader(hw, KEY.encode())
    scores = {grader.grade("ada", {"mini/norm": norm("ada")}).score for _ in range(3)}
    info = grader._exercise.cache_info()
    assert info.misses == fixed and info.hits >= 2 * fixed and info.currsize == fixed
    assert len(scores) == 1  # rebuilt, the variant is the same one
