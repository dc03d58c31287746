"""The batch grader (teaching/grade.py) on sample submissions: right, wrong, raising, looping, malformed."""

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from teaching import grade, student_notebooks
from teaching.notebooks import load

ROOT = Path(__file__).resolve().parents[1]

CHAPTER = "03_bdf_stability.ipynb"
MOMENTUM_RIGHT = "def heavy_ball_edge(eta):\n    return 3 / eta + 1\n"
EDGE_RIGHT = "def bdf1_edge(eta, m):\n    return 2 / eta if m == 1 else 2 / eta - 1\n"


def submission(momentum_answer, edge_answer=EDGE_RIGHT):
    """A small notebook in the student edition's format: answer cells tagged with their exercise."""
    cells = [
        nbformat.v4.new_code_cell("import gfbook\nfrom gfbook.exercises import check"),
        nbformat.v4.new_code_cell(momentum_answer, metadata={"tags": ["student-answer"], "exercise": "ex-bdf-momentum"}),
        nbformat.v4.new_code_cell('check("ex-bdf-momentum", heavy_ball_edge=heavy_ball_edge)',
                                  metadata={"tags": ["exercise-check"], "exercise-check": "ex-bdf-momentum"}),
        nbformat.v4.new_code_cell(edge_answer, metadata={"tags": ["student-answer"], "exercise": "ex-bdf-bdf1-interval"}),
    ]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


SAMPLES = {
    "alice": submission(MOMENTUM_RIGHT),
    "bob": submission("def heavy_ball_edge(eta):\n    return 3 / eta\n"),
    "carol": submission(MOMENTUM_RIGHT + "raise RuntimeError('not finished')\n"),
    "dave": submission("while True:\n    pass\n"),
    "erin": '{"cells": [{"cell_type": "code", "source": "x = ',  # cut off: not valid JSON
    "frank": submission("def heavy_ball_edge(eta):\n    while True:\n        pass\n"),
    # valid JSON, but cells without the keys a notebook's cells must have
    "henry": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for student, text in SAMPLES.items():
        (folder / student).mkdir()
        (folder / student / CHAPTER).write_text(text, encoding="utf-8")
    (folder / f"grace_{CHAPTER}").write_text(SAMPLES["alice"], encoding="utf-8")  # a flat file name
    out = grade.grade(folder, tmp_path_factory.mktemp("grades"), time_limit=120, cell_limit=15, jobs=2)
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (out / "scores.csv").open(encoding="utf-8") as handle:
        scores = list(csv.DictReader(handle))
    return out, {(row["student"], row["exercise"]): row for row in rows}, scores


def test_every_student_and_exercise_has_a_row(graded):
    _, rows, scores = graded
    labels = grade.checked_labels()[CHAPTER]
    students = sorted([*SAMPLES, "grace"])
    assert sorted(rows) == sorted((student, label) for student in students for label in labels)
    assert [row["student"] for row in scores] == students
    assert list(scores[0]) == ["student", *labels, "total"]


@pytest.mark.parametrize(
    ("student", "momentum", "edge"),
    [
        ("alice", ("1", "passed", "all checks passed"), ("1", "passed", "")),
        ("grace", ("1", "passed", "all checks passed"), ("1", "passed", "")),
        ("bob", ("0", "failed", "heavy_ball_edge(0.2)"), ("1", "passed", "")),
        ("carol", ("0", "error", "RuntimeError: not finished"), ("1", "passed", "")),
        ("dave", ("0", "timeout", "ran out of time"), ("1", "passed", "")),
        ("erin", ("0", "malformed", "not a readable notebook"), ("0", "malformed", "")),
        ("frank", ("0", "timeout", "the check ran out of time"), ("1", "passed", "")),
    ],
)
def test_each_submission_gets_the_expected_score(graded, student, momentum, edge):
    _, rows, scores = graded
    for label, (score, status, words) in [("ex-bdf-momentum", momentum), ("ex-bdf-bdf1-interval", edge)]:
        row = rows[(student, label)]
        assert (row["score"], row["status"]) == (score, status), row
        assert words in row["message"], row
    unanswered = rows[(student, "ex-bdf-trapezoid")]
    assert unanswered["score"] == "0"
    assert unanswered["status"] == ("malformed" if student == "erin" else "failed")
    total = next(row for row in scores if row["student"] == student)["total"]
    assert total == str(int(momentum[0]) + int(edge[0]))


def test_a_notebook_with_broken_cells_scores_zero_without_stopping_the_batch(graded):
    _, rows, _ = graded
    henry = [row for (student, _), row in rows.items() if student == "henry"]
    assert len(henry) == len(grade.checked_labels()[CHAPTER])
    assert all(row["score"] == "0" and row["status"] in ("malformed", "error", "failed") for row in henry)


def test_executed_notebooks_are_kept_for_reading(graded):
    out, _, _ = graded
    executed = nbformat.read(out / "executed" / "alice" / CHAPTER, as_version=4)
    assert executed.cells[1].metadata["exercise"] == "ex-bdf-momentum"
    assert not (out / "executed" / "erin").exists()


def test_a_real_chapter_full_solutions_pass_and_student_edition_fails_helpfully(tmp_path):
    """Chapter 4 as the book has it (every check passes) and as students get it (every check says what to do)."""
    chapter = ROOT / "chapters" / "04_convergence_rates.ipynb"
    folder = tmp_path / "submissions"
    (folder / "solutions").mkdir(parents=True)
    (folder / "untouched").mkdir()
    shutil.copy(chapter, folder / "solutions" / chapter.name)
    student = student_notebooks.student_version(load(chapter))
    (folder / "untouched" / chapter.name).write_text(json.dumps(student), encoding="utf-8")
    cache = tmp_path / "jax-cache"  # as the command line does by default
    out = grade.grade(folder, tmp_path / "grades", time_limit=300, cell_limit=120, jobs=2, jax_cache=cache)
    assert any(cache.iterdir()), "the kernels wrote their compiled programs to the shared JAX cache"
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels = grade.checked_labels()[chapter.name]
    assert len(labels) == 4
    solutions = [row for row in rows if row["student"] == "solutions"]
    assert [(row["exercise"], row["status"]) for row in solutions] == [(label, "passed") for label in labels]
    untouched = [row for row in rows if row["student"] == "untouched"]
    assert [row["exercise"] for row in untouched] == labels
    for row in untouched:
        assert (row["score"], row["status"]) == ("0", "failed")
        assert row["message"].startswith("replace the placeholder ... in `")


def test_the_command_refuses_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "nowhere")])
    assert "submissions:" in capsys.readouterr().err
