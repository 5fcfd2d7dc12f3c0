"""A grading run no student file can stop: each submission is graded inside its own error and
resource boundary, every result is written under a name of its own, and every number is finite."""

from __future__ import annotations

import json
import os

SETS = os.path.join(os.path.dirname(__file__), "data", "sets")
GOOD = {"mini/add": {"df/dx": "1", "df/dy": 1}}


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if isinstance(text, str) else json.dumps(text))
    return str(path)


def test_bad_submissions_do_not_stop_the_batch(run, tmp_path):
    files = [
        write(tmp_path, "good.json", GOOD),
        write(tmp_path, "broken.json", "{not json"),
        write(tmp_path, "deep.json", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        write(tmp_path, "hungry.json", {"mini/add": {"df/dx": "sum(onehot(0, 300000000)*x)", "df/dy": 1}}),
        write(tmp_path, "unknown.json", {"nope/nothing": {"df/dx": "1"}}),
    ]
    out = tmp_path / "out"
    result = run("grade", *files, "--sets", SETS, "--out", str(out))
    assert result.exit_code == 0, result.stderr  # every submission graded, the broken ones at 0
    assert "internal error" not in result.stderr
    written = {p.name: json.loads((p / "results.json").read_text()) for p in out.iterdir()}
    assert set(written) == {"good", "broken", "deep", "hungry", "unknown"}
    assert written["good"]["score"] == 2
    assert "broken.json:1: submission: not valid JSON" in written["broken"]["output"]
    assert "cannot be graded" in written["deep"]["output"] and written["deep"]["score"] == 0
    hungry = {t["name"]: t for t in written["hungry"]["tests"]}
    assert "300,000,000 numbers" in hungry["mini/add: df/dx"]["output"] and hungry["mini/add: df/dy"]["score"] == 1
    assert "'nope/nothing' is not a problem" in written["unknown"]["output"]


def test_submissions_with_the_same_name_are_not_overwritten(run, tmp_path):
    a = write(tmp_path, "a/alice.json", GOOD)
    b = write(tmp_path, "b/alice.json", {"mini/add": {"df/dx": "0", "df/dy": 1}})
    out = tmp_path / "out"
    assert run("grade", a, b, "--sets", SETS, "--out", str(out)).exit_code == 0
    scores = sorted(json.loads((p / "results.json").read_text())["score"] for p in out.iterdir())
    assert scores == [1, 2] and len(list(out.iterdir())) == 2


def test_an_out_folder_that_cannot_take_files_is_refused_before_grading(run, tmp_path):
    good = write(tmp_path, "good.json", GOOD)
    result = run("grade", good, "--sets", SETS, "--out", "/dev/null")
    assert result.exit_code == 2 and "is not a folder" in result.stderr
    (tmp_path / "file").write_text("")
    result = run("grade", good, "--sets", SETS, "--out", str(tmp_path / "file" / "out"))
    assert result.exit_code == 2 and "cannot create the folder" in result.stderr


def test_json_output_is_strict_json(run, tmp_path):
    files = [write(tmp_path, "good.json", GOOD), write(tmp_path, "broken.json", "[")]
    result = run("grade", *files, "--sets", SETS, "--json")
    for line in result.stdout.splitlines():
        json.loads(line, parse_constant=lambda word: (_ for _ in ()).throw(ValueError(word)))


def test_an_answer_the_grader_cannot_judge_costs_only_that_answer(tmp_path, monkeypatch):
    """A grader-side failure on one answer (once: a one-sided walk at a kink) is reported on
    that answer; the submission's other answers still count."""
    from gradtutor.course.assignment import whole_sets
    from gradtutor.course.batch import Grader
    from gradtutor.course.exercise import Exercise
    from gradtutor.course.problems import load_all
    from gradtutor.errors import DomainError

    real = Exercise.grade

    def flaky(self, question, text):
        if question.ask == "df/dx":
            raise DomainError("the gradient through min is not finite here")
        return real(self, question, text)

    monkeypatch.setattr(Exercise, "grade", flaky)
    grader = Grader(whole_sets(load_all(SETS)))
    graded = grader.grade_file(write(tmp_path, "one.json", GOOD))
    results = {r.ask: r for r in graded.results if r.problem == "mini/add"}
    assert graded.error is None
    assert results["df/dx"].status == "not-graded" and "not finite" in results["df/dx"].output
    assert results["df/dy"].status == "right" and results["df/dy"].score == 1


def test_workers_write_each_result_where_one_process_would(run, tmp_path):
    """With several workers each writes what it graded; the names and contents are those a single
    process writes (same-named submissions included)."""
    files = [write(tmp_path, f"in/s{k:02d}.json", {"mini/add": {"df/dx": str(k % 3), "df/dy": 1}}) for k in range(10)]
    files += [write(tmp_path, "other/s03.json", GOOD), write(tmp_path, "broken/s03.json", "{not json")]
    written = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = run("grade", *files, "--sets", SETS, "--out", str(out), "--jobs", jobs)
        assert result.exit_code == 0, result.stderr
        assert "graded 12 submissions" in result.stdout
        written[jobs] = {
            p.name: {k: v for k, v in json.loads((p / "results.json").read_text()).items() if k != "execution_time"}
            for p in out.iterdir()
        }
    assert len(written["2"]) == 12 and {"s03", "s03-2", "s03-3"} <= set(written["2"])
    assert written["1"] == written["2"]
    assert written["2"]["s03-3"]["extra_data"]["graded"] is False
