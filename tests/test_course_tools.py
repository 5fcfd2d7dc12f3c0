"""Around grading: a student's own variant in practice, `submit`, `assign` with a roster, and
the class mistake `report` (table, CSV, JSON and chart)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys

import pytest

from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all
from gradtutor.course.variants import student_seed

DATA = os.path.join(os.path.dirname(__file__), "data")
SETS = os.path.join(DATA, "sets")
HW = os.path.join(DATA, "hw-mini.toml")
KEY = "test-course-key-123"


@pytest.fixture
def keyed(home, monkeypatch):
    monkeypatch.setenv("GRADTUTOR_COURSE_KEY", KEY)
    return home


def test_practice_own_variant_then_submit_then_grade_full_marks(run, keyed, tmp_path):
    ex = exercise(load_all(SETS)[0].problem("norm"), student_seed(KEY.encode(), "ada", "mini/norm"))
    dW = json.dumps(ex.questions[0].answer.tolist())
    result = run("practice", "mini/norm", "--sets", SETS, "--student", "ada", input=f"{dW}\n2*W.T@q\n")
    assert f"variant {ex.seed}" in result.stdout
    run("practice", "mini/add", "--sets", SETS, input="0\n1\n1\n")  # a retry on df/dx
    out = tmp_path / "ada.json"
    result = run("submit", HW, "--student", "ada", "-o", str(out), "--sets", SETS)
    assert result.exit_code == 0 and "mini/mul: no attempt" in result.stderr
    data = json.loads(out.read_text())
    assert data["student"] == "ada" and data["answers"]["mini/add"]["df/dx"] == {"answer": "1", "tries": 2}
    assert "df/da * da/dy" not in out.read_text()  # keys come from the walk, never typed
    graded = json.loads(run("grade", str(out), "-a", HW, "--sets", SETS, "--json").stdout)
    assert graded["score"] == 6 and graded["max_score"] == 8


def test_assign_writes_handouts_key_and_refuses_bad_rosters(run, keyed, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nada,Ada\n../../evil,Eve\n")
    out = tmp_path / "out"
    result = run("assign", HW, "--roster", str(roster), "-o", str(out), "--sets", SETS)
    assert result.exit_code == 0
    handouts = sorted(os.listdir(out / "handouts"))
    assert "ada.md" in handouts and "ada.tex" in handouts and len(handouts) == 4
    assert not (tmp_path / "evil.md").exists()
    seed = student_seed(KEY.encode(), "ada", "mini/norm")
    key = json.loads((out / "answer-key.json").read_text())
    assert key["students"]["ada"]["mini/norm"]["seed"] == seed
    text = (out / "handouts" / "ada.md").read_text()
    assert "`df/dx` (as a formula in the program's names) =" in text and "2*W.T" not in text
    assert r"\documentclass" in (out / "handouts" / "ada.tex").read_text()
    roster.write_text("sid,name\nada,A\n,B\nada,C\n")
    result = run("assign", HW, "--roster", str(roster), "-o", str(out), "--sets", SETS)
    assert result.exit_code == 2
    assert "roster.csv:3: sid: empty" in result.stderr and "roster.csv:4: sid: 'ada' is also on line 2" in result.stderr
    roster.write_text("name\nada\n")
    assert "roster.csv:1: id: no id column" in run("assign", HW, "--roster", str(roster), "--sets", SETS).stderr


@pytest.fixture
def results(run, keyed, tmp_path):
    """Three students' results: one right, one with a sign slip, one who handed in nothing useful."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.json").write_text(json.dumps({"mini/add": {"df/dx": "1", "df/dy": "1"}}))
    (subs / "ben.json").write_text(json.dumps({"mini/add": {"df/dx": "-1", "df/dy": "1"}, "mini/mul": {}}))
    (subs / "cat.json").write_text("{oops")
    out = tmp_path / "results"
    assert run("grade", str(subs), "-a", HW, "--sets", SETS, "--out", str(out)).exit_code == 0
    return out


def test_report_table_json_and_csv(run, results):
    data = json.loads(run("report", str(results), "--json").stdout)
    assert data["students"] == 3
    q = next(q for q in data["questions"] if (q["problem"], q["question"]) == ("mini/add", "df/dx"))
    assert q["mistakes"] == [{"code": "sign", "students": 1}] and q["first_try_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert {s["student"] for s in data["struggling"]} == {"ann", "ben", "cat"}  # 2 of 8 at best
    rows = list(csv.reader(io.StringIO(run("report", str(results), "--csv").stdout)))
    assert rows[0][:3] == ["problem", "question", "students"] and len(rows) == 1 + 6
    table = run("report", str(results)).stdout
    assert "mini/add" in table and "sign 1/" in table


@pytest.mark.slow
def test_report_chart_and_its_missing_extra(run, results, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    chart = tmp_path / "mistakes.png"
    assert run("report", str(results), "-o", str(chart)).exit_code == 0
    assert chart.read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("report", str(results), "-o", str(tmp_path / "m.svg"))
    assert result.exit_code == 2 and "pip install 'gradtutor[charts]'" in result.stderr


def test_report_of_a_folder_without_results_exits_2(run, tmp_path):
    result = run("report", str(tmp_path))
    assert result.exit_code == 2 and "no results.json" in result.stderr


def test_problems_show_prints_a_students_variant_and_its_answers(run, keyed):
    data = json.loads(run("problems", "show", "mini/norm", "--student", "ada", "--sets", SETS, "--json").stdout)
    seed = student_seed(KEY.encode(), "ada", "mini/norm")
    ex = exercise(load_all(SETS)[0].problem("norm"), seed)
    assert data["seed"] == seed and [q["ask"] for q in data["questions"]] == ["df/dW", "df/dx"]
    assert json.loads(data["questions"][1]["answer"]) == pytest.approx(ex.questions[1].answer.tolist())
    assert "df/dW" in run("problems", "show", "mini/norm", "--seed", "3", "--sets", SETS).stdout
