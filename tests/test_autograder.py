"""The Gradescope bundle, run for real: setup.sh installs the wheel from the zip, offline, into
a temporary /autograder, and run_autograder grades a submission into results/results.json."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile

import pytest

from gradtutor.course.variants import student_seed

SETS = os.path.join(os.path.dirname(__file__), "data", "sets")
KEY = "a-course-key-for-tests"


def _deps_only(tmp_path) -> str:
    """This environment's installed packages minus gradtutor: what pip would fetch on Gradescope."""
    deps = tmp_path / "deps"
    deps.mkdir()
    for folder in site.getsitepackages():
        for name in os.listdir(folder):
            if "gradtutor" in name or name.endswith(".pth"):
                continue
            target = deps / name
            if not target.exists():
                target.symlink_to(os.path.join(folder, name))
    return str(deps)


@pytest.mark.slow
def test_bundle_installs_offline_and_grades_a_submission(run, tmp_path):
    assignment = tmp_path / "hw.toml"
    assignment.write_text(
        'id = "hw"\ntitle = "Homework"\n[policy]\nanswers = "after_due_date"\n'
        '[[problem]]\nkey = "mini/add"\n[[problem]]\nkey = "mini/norm"\npoints = 4\n'
    )
    (tmp_path / "key").write_text(KEY)
    zip_path = tmp_path / "autograder.zip"
    result = run(
        "autograder", str(assignment), "-o", str(zip_path), "--sets", SETS, "--key-file", str(tmp_path / "key")
    )
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as bundle:
        assert {"setup.sh", "run_autograder", "assignment/assignment.toml", "course.key"} <= set(bundle.namelist())
        bundle.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / script, 0o755)
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    os.chmod(root / "run_autograder", 0o755)
    env = dict(
        os.environ,
        GRADTUTOR_AUTOGRADER_ROOT=str(root),
        GRADTUTOR_PYTHON=getattr(sys, "_base_executable", sys.executable),
        PYTHONPATH=_deps_only(tmp_path),
        PIP_NO_INDEX="1",
    )
    env.pop("GRADTUTOR_COURSE_KEY", None)
    setup = subprocess.run(["bash", "source/setup.sh"], cwd=root, env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    assert (root / "venv" / "bin" / "gradtutor").exists()

    from gradtutor.course.exercise import exercise
    from gradtutor.course.problems import load_all

    norm = load_all(SETS)[0].problem("norm")
    ex = exercise(norm, student_seed(KEY.encode(), "4242", "mini/norm"))
    (root / "submission").mkdir()
    (root / "submission" / "submission.json").write_text(
        json.dumps(
            {
                "answers": {
                    "mini/add": {"df/dx": "1", "df/dy": "2"},
                    "mini/norm": {"seed": 1, "df/dW": json.dumps(ex.questions[0].answer.tolist()), "df/dx": "2*W.T@q"},
                }
            }
        )
    )
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 4242, "name": "Ada"}]}))
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 5 and results["max_score"] == 6
    assert {"execution_time", "output", "stdout_visibility", "tests"} <= set(results)
    test = next(t for t in results["tests"] if t["name"] == "mini/add: df/dy")
    assert test["status"] == "failed" and test["tags"] == ["factor"] and test["output_format"] == "md"
    assert {"number", "visibility", "extra_data"} <= set(test)
    answers = next(t for t in results["tests"] if t["name"] == "mini/norm: expected answers")
    assert answers["visibility"] == "after_due_date" and answers["max_score"] == 0
    assert KEY not in (root / "results" / "results.json").read_text()
