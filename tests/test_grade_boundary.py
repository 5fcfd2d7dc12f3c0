"""A grading run no student file can stop: each submission is graded inside its own error and
resource boundary, every result is written under a name of its own, and every number is finite."""

from __future__ import annotations

import json
import os

from gradtutor.course.batch import result_names

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
        write(tmp_path, "seed.json", {"mini/norm": {"seed": -5, "df/dW": "1"}}),
        write(tmp_path, "hungry.json", {"mini/add": {"df/dx": "sum(onehot(0, 300000000)*x)", "df/dy": 1}}),
        write(tmp_path, "unknown.json", {"nope/nothing": {"df/dx": "1"}}),
    ]
    out = tmp_path / "out"
    result = run("grade", *files, "--sets", SETS, "--out", str(out))
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr
    written = {p.name: json.loads(p.read_text()) for p in out.iterdir()}
    assert set(written) == {f"{n}.results.json" for n in ("good", "broken", "deep", "seed", "hungry", "unknown")}
    assert written["good.results.json"]["score"] == 2
    assert "could not be graded" in written["broken.results.json"]["output"]
    assert "nested too deeply" in written["deep.results.json"]["output"]
    assert "must be a whole number, not -5" in written["seed.results.json"]["tests"][0]["output"]
    hungry = {t["name"]: t for t in written["hungry.results.json"]["tests"]}
    assert "300,000,000 numbers" in hungry["mini/add: df/dx"]["output"] and hungry["mini/add: df/dy"]["score"] == 1
    assert "names no problem" in written["unknown.results.json"]["output"]
    assert "unknown.json" in result.stderr and "broken.json" in result.stderr


def test_submissions_with_the_same_name_are_not_overwritten(run, tmp_path):
    a = write(tmp_path, "a/alice.json", GOOD)
    b = write(tmp_path, "b/alice.json", {"mini/add": {"df/dx": "0", "df/dy": 1}})
    out = tmp_path / "out"
    assert run("grade", a, b, "--sets", SETS, "--out", str(out)).exit_code == 1
    scores = {p.name: json.loads(p.read_text())["score"] for p in out.iterdir()}
    assert scores == {"a-alice.results.json": 2, "b-alice.results.json": 1}


def test_result_names_are_unique_whatever_the_paths():
    paths = ["x/a/alice.json", "y/a/alice.json", "alice.toml", "a-alice.json", "Bob.json", "bob.json"]
    names = result_names(paths)
    assert len({n.lower() for n in names}) == len(paths)
    assert names[-2:] == ["Bob.results.json", "bob-2.results.json"]


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
