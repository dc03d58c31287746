"""The batch grader (teaching/grade.py) on a class of sample submissions: right, wrong, partly right, raising,
looping in Python and in JAX, malformed, cheating (monkeypatching the checks, reading a classmate's folder,
copying another student's answer), duplicated and named as Canvas and Moodle name their downloads."""

import csv
import fractions
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import gfbook
from gfbook.exercises import exercises
from teaching import grade, gradebook, student_notebooks
from teaching.notebooks import load, source
from teaching.submissions import CANVAS, find_submissions, read_roster

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "03_bdf_stability.ipynb"
SECRET = "a course secret"
MOMENTUM_RIGHT = ("import math\n\n\ndef heavy_ball_parameters(mu, smoothness):\n"
                  "    s = (math.sqrt(smoothness) - math.sqrt(mu)) / (math.sqrt(smoothness) + math.sqrt(mu))\n"
                  "    return 4 / (math.sqrt(smoothness) + math.sqrt(mu)) ** 2, s**2\n")
EDGE_RIGHT = ("import numpy as np\nleftmost = [gfbook.boundary_locus(*gfbook.lmm_polynomials('bdf', k), num=20001)"
              ".real.min() for k in range(1, 7)]\n")
HEAVY_BALL, A_STABILITY = "ex-bdf-heavy-ball-optimal", "ex-bdf-a-stability"
DERIVE = exercises()["ex-bdf-derive-bdf2"]
ORDER_DEFECTS = next(source(c) for c in load(ROOT / "chapters" / CHAPTER)["cells"]
                     if source(c).startswith("def order_defects"))
DERIVE_RIGHT = ("alpha, beta = gfbook.bdf_coefficients(k_derive, exact=True)\n"
                "error_constant = order_defects(alpha, [beta] + [0] * k_derive, k_derive + 1)[-1] / beta\n")


def derive_literal(k):
    """BDF-k's answers written out as numbers: what a student copies from a classmate with order k."""
    namespace = {"fractions": fractions, "gfbook": gfbook, "math": math}
    exec(ORDER_DEFECTS, namespace)
    alpha, beta = gfbook.bdf_coefficients(k, exact=True)
    constant = namespace["order_defects"](alpha, [beta] + [0] * k, k + 1)[-1] / beta
    return f"alpha = {[float(a) for a in alpha]}\nbeta = {float(beta)}\nerror_constant = {float(constant)}\n"


def students_with_different_orders():
    """Two students of the roster whose drawn BDF orders differ (the course secret decides)."""
    names = [f"s{i}" for i in range(40)]
    first = names[0]
    other = next(n for n in names if DERIVE.draw(n, SECRET)["k_derive"] != DERIVE.draw(first, SECRET)["k_derive"])
    return first, other


FIRST, OTHER = students_with_different_orders()


def submission(momentum=MOMENTUM_RIGHT, edge=EDGE_RIGHT, derive=DERIVE_RIGHT, extra="", made_for=None):
    """A small notebook in the student edition's format: parameter and answer cells tagged with their exercise."""
    def answer(code, label):
        return nbformat.v4.new_code_cell(code, metadata={"tags": ["student-answer"], "exercise": label})

    cells = [
        nbformat.v4.new_code_cell("import fractions\nimport math\nimport gfbook\nfrom gfbook.exercises import check"),
        nbformat.v4.new_code_cell(ORDER_DEFECTS),
        nbformat.v4.new_code_cell("k_derive = 2", metadata={"tags": ["exercise-parameters"],
                                                           "exercise-parameters": "ex-bdf-derive-bdf2"}),
        answer(derive, "ex-bdf-derive-bdf2"),
        nbformat.v4.new_code_cell("kappa_hb = 100.0", metadata={"tags": ["exercise-parameters"],
                                                                 "exercise-parameters": HEAVY_BALL}),
        answer(momentum, HEAVY_BALL),
        nbformat.v4.new_code_cell(f'check("{HEAVY_BALL}", heavy_ball_parameters=heavy_ball_parameters, kappa_hb=kappa_hb)',
                                  metadata={"tags": ["exercise-check"], "exercise-check": HEAVY_BALL}),
        answer(edge, A_STABILITY),
    ]
    if extra:
        cells.append(nbformat.v4.new_code_cell(extra))
    metadata = {"gfbook": {"student": made_for}} if made_for else {}
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells, metadata=metadata))


PATCH = """\
import gfbook.exercises as g
import gfbook.exercises._framework as f
from gfbook.exercises._framework import CheckResult
g.check_namespace = lambda label, namespace: CheckResult(label, True, "all checks passed")
f.evaluate = lambda exercise, values, **options: CheckResult(exercise.label, True, "all checks passed")
f.close = lambda *args, **kwargs: None
"""
PATCH_AT_CHECK_TIME = """\
def heavy_ball_parameters(mu, smoothness):
    import gfbook.exercises._framework as f
    f.close = lambda *args, **kwargs: None  # replaces the checking code while it runs
    return 0.0
"""
JAX_LOOP = "import jax\njax.lax.while_loop(lambda x: x >= 0, lambda x: x + 1, 0)\n" + MOMENTUM_RIGHT


def copier(folder):
    """Answer cells that read a classmate's notebook, by a relative and by an absolute path, and run its answers."""
    return (f"import json\ntry:\n    cells = json.load(open('../alice/{CHAPTER}'))['cells']\n"
            f"except OSError:\n    cells = json.load(open({str(folder / 'alice' / CHAPTER)!r}))['cells']\n"
            "exec(cells[5]['source'])\n")


def samples(folder):
    return {
        "alice": submission(),
        "bob": submission(momentum="def heavy_ball_parameters(mu, smoothness):\n    return 2 / (mu + smoothness), 0.0\n"),
        "carol": submission(momentum=MOMENTUM_RIGHT + "raise RuntimeError('not finished')\n"),
        "dave": submission(momentum="while True:\n    pass\n"),
        "erin": '{"cells": [{"cell_type": "code", "source": "x = ',  # cut off: not valid JSON
        "frank": submission(momentum="def heavy_ball_parameters(mu, smoothness):\n    while True:\n        pass\n"),
        "henry": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
        "ivan": submission(momentum="def heavy_ball_parameters(mu, smoothness):\n    return 0.0, 0.0\n",
                           edge="leftmost = None", derive="alpha = beta = error_constant = 0.0", extra=PATCH),
        "judy": submission(momentum=PATCH_AT_CHECK_TIME),
        "oscar": submission(momentum="def heavy_ball_parameters(mu, smoothness):\n    import os\n    os._exit(3)\n"),
        "mallory": submission(momentum=copier(folder)),
        "jax": submission(momentum=JAX_LOOP),
        "partly": submission(derive=DERIVE_RIGHT + "beta = 2 * beta\n"),
        # redefines the chapter's function the check computes its reference with, to match a wrong answer
        "forger": submission(derive=DERIVE_RIGHT + "error_constant = 0\n"
                             "def order_defects(alpha, beta, qmax):\n    return [0] * (qmax + 1)\n"),
        FIRST: submission(derive=derive_literal(DERIVE.draw(FIRST, SECRET)["k_derive"])),
        # FIRST's notebook, handed in by OTHER
        OTHER: submission(derive=derive_literal(DERIVE.draw(FIRST, SECRET)["k_derive"]), made_for=FIRST),
    }


ROSTER = """student,name,email,aliases,canvas_id,sis_user_id,sis_login_id,section,moodle_id,id_number
jane,Jane Doe,jane@uni.example,doejane,12345,S-1,jdoe,A,,J1
kim,Kim Lee,kim@uni.example,,,S-2,klee,B,555,K2
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    folder = base / "submissions"
    for student, text in samples(folder).items():
        (folder / student).mkdir(parents=True)
        (folder / student / CHAPTER).write_text(text, encoding="utf-8")
    (folder / f"grace_{CHAPTER}").write_text(submission(), encoding="utf-8")  # a flat file name
    # Canvas's names: a late first hand-in and a resubmission (-1); Moodle's folder per participant
    (folder / f"doejane_LATE_12345_900_{Path(CHAPTER).stem}.ipynb").write_text(submission(momentum="x = 1"),
                                                                                 encoding="utf-8")
    (folder / f"doejane_12345_901_{Path(CHAPTER).stem}-1.ipynb").write_text(submission(), encoding="utf-8")
    (folder / "Kim Lee_555_assignsubmission_file_").mkdir()
    (folder / "Kim Lee_555_assignsubmission_file_" / CHAPTER).write_text(submission(), encoding="utf-8")
    roster_path = base / "roster.csv"
    extra = "".join(f"{name},,,,,,,,,\n" for name in [*samples(folder), "grace"])
    roster_path.write_text(ROSTER + extra, encoding="utf-8")
    roster = read_roster(roster_path)
    out = base / "grades"
    grade.grade(folder, out, time_limit=90, cell_limit=8, jobs=2, roster=roster, secret=SECRET,
                only=["ex-bdf-derive-bdf2", A_STABILITY, HEAVY_BALL], assignment="Homework 3")
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return out, {(row["student"], row["exercise"]): row for row in rows}, folder


def row(graded, student, label):
    return graded[1][(student, label)]


def outcome(graded, student, label):
    found = row(graded, student, label)
    return found["score"], found["status"]


def test_every_student_and_exercise_has_a_row(graded):
    _, rows, _ = graded
    students = {student for student, _ in rows}
    assert {"alice", "jane", "kim", "grace", FIRST, OTHER} <= students
    assert not {"doejane", "Kim Lee", "12345"} & students, "LMS download names are mapped to the roster's students"
    labels = {label for _, label in rows}
    assert labels == {"ex-bdf-derive-bdf2", A_STABILITY, HEAVY_BALL}, "only the assignment's"
    assert len(rows) == 3 * len(students)


@pytest.mark.parametrize(
    ("student", "momentum", "words"),
    [
        ("alice", ("1", "passed"), "all checks passed"),
        ("grace", ("1", "passed"), "all checks passed"),
        ("bob", ("0", "failed"), "heavy_ball_parameters(1, 9)"),
        ("carol", ("1", "passed"), "RuntimeError: not finished"),  # defined before raising: still judged
        ("dave", ("0", "timeout"), "ran out of time"),
        ("erin", ("0", "malformed"), "not a readable notebook"),
        ("frank", ("0", "timeout"), "the check ran out of time"),
        ("henry", ("0", "malformed"), "not a readable notebook"),
        ("ivan", ("0", "failed"), "heavy_ball_parameters"),  # its monkeypatching ran in its own kernel only
        ("judy", ("0", "tampered"), "changed the checking code"),
        ("oscar", ("0", "error"), "stopped the checking process"),
        ("mallory", ("0", "error"), "not allowed while grading"),
        ("jax", ("0", "timeout"), "ran out of time"),
    ],
)
def test_each_submission_gets_the_expected_score(graded, student, momentum, words):
    found = row(graded, student, HEAVY_BALL)
    assert (found["score"], found["status"]) == momentum, found
    assert words in found["message"], found


def test_a_cell_that_ignores_its_interrupt_is_killed_and_the_rest_is_graded(graded):
    """A never-ending JAX loop: the kernel is killed, the notebook reruns without that cell, the batch goes on."""
    assert outcome(graded, "jax", A_STABILITY) == ("1", "passed")
    assert outcome(graded, "jax", "ex-bdf-derive-bdf2") == ("3", "passed")
    assert outcome(graded, "dave", A_STABILITY) == ("1", "passed")
    executed = nbformat.read(graded[0] / "executed" / "jax" / CHAPTER, as_version=4)
    assert executed.cells[5].metadata["exercise"] == HEAVY_BALL


def test_monkeypatching_and_copying_score_nothing(graded):
    assert all(outcome(graded, "ivan", label)[0] == "0" for label in ("ex-bdf-derive-bdf2", A_STABILITY))
    assert "not allowed while grading" in row(graded, "mallory", HEAVY_BALL)["message"]
    assert outcome(graded, "mallory", A_STABILITY) == ("1", "passed"), "the rest of the notebook ran"


def test_a_copied_answer_fails_under_the_copiers_parameters(graded):
    assert outcome(graded, FIRST, "ex-bdf-derive-bdf2") == ("3", "passed")
    copied = row(graded, OTHER, "ex-bdf-derive-bdf2")
    assert copied["score"] == "0" and copied["status"] == "failed", copied


def test_the_chapters_names_come_from_the_book_not_from_the_submission(graded):
    """The context of a check (here the chapter's ``order_defects``) is taken from the grader's run of the book."""
    found = row(graded, "forger", "ex-bdf-derive-bdf2")
    assert (found["score"], found["status"]) == ("2", "partial") and "error_constant wrong" in found["answers"]
    assert not (graded[0] / "cache" / "context-03_bdf_stability.pkl").stat().st_size == 0


def test_partial_credit_per_answer(graded):
    found = row(graded, "partly", "ex-bdf-derive-bdf2")
    assert (found["score"], found["points"], found["status"]) == ("2", "3", "partial")
    assert "beta wrong" in found["answers"] and "alpha right" in found["answers"]


def test_duplicates_and_lms_names_are_resolved_with_a_warning(graded):
    out = graded[0]
    warnings = (out / "warnings.txt").read_text(encoding="utf-8")
    assert "jane: 2 files" in warnings and "set aside doejane_LATE" in warnings
    assert outcome(graded, "jane", HEAVY_BALL) == ("1", "passed"), "the resubmission (-1) counts"
    assert row(graded, "jane", HEAVY_BALL)["late"] == "", "the late first hand-in was set aside"
    assert outcome(graded, "kim", HEAVY_BALL) == ("1", "passed")
    assert f"{OTHER}: {CHAPTER} is the notebook made for {FIRST!r}" in warnings


def test_scores_feedback_and_gradebook_exports(graded):
    out = graded[0]
    with (out / "scores.csv").open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    header, possible = table[0], table[1]
    assert header[:4] == ["student", "ex-bdf-derive-bdf2", A_STABILITY, HEAVY_BALL]
    assert header[-2:] == ["total", "late"] and "ex-bdf-derive-bdf2 (by hand)" in header, "a written part"
    assert possible[0] == gradebook.POINTS_ROW and possible[1:4] == ["3", "1", "1"]
    with (out / "canvas.csv").open(encoding="utf-8") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 3"]
    hand = sum(name.endswith("(by hand)") for name in header)
    assert canvas[1][0] == "Points Possible" and float(canvas[1][5]) == 3 + 1 + 1 + gradebook.HAND_POINTS * hand
    jane = next(r for r in canvas if r[1] == "12345")
    assert jane[:5] == ["Jane Doe", "12345", "S-1", "jdoe", "A"] and float(jane[5]) == 5
    with (out / "moodle.csv").open(encoding="utf-8") as handle:
        moodle = list(csv.DictReader(handle))
    kim = next(r for r in moodle if r["Email address"] == "kim@uni.example")
    assert list(kim) == ["Email address", "ID number", "Full name", "Homework 3", "Feedback"]
    assert kim["ID number"] == "K2" and float(kim["Homework 3"]) == 5
    feedback = (out / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert "heavy_ball_parameters(1, 9)" in feedback and "Graded by hand" in feedback


def test_hand_marks_count_in_the_exports(graded, tmp_path):
    out = tmp_path / "grades"
    shutil.copytree(graded[0], out, ignore=shutil.ignore_patterns("executed", "cache"))
    with (out / "scores.csv").open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    column = table[0].index("ex-bdf-derive-bdf2 (by hand)")
    for line in table[2:]:
        if line[0] == "bob":
            line[column] = "1"
    with (out / "scores.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    roster = [s for s in read_roster(graded[2].parent / "roster.csv") if s.student == "bob"]
    gradebook.export(out, roster, "Homework 3")
    with (out / "canvas.csv").open(encoding="utf-8") as handle:
        bob = list(csv.reader(handle))[2]
    assert float(bob[5]) == 3 + 1 + 0 + 1  # derive and A-stability right, heavy ball wrong, the hand mark


def test_the_batch_finishes_and_cleans_up(graded):
    """The fixture returned: the loops cost their limits, not forever; the working folders are gone."""
    assert not (graded[0] / "work").exists() and not (graded[0] / "kernel").exists()


def test_find_submissions_reads_canvas_and_moodle_names(tmp_path):
    assert CANVAS.match("doejane_LATE_12345_900_01_gradient_flow-2")["copy"] == "2"
    (tmp_path / "doejane_LATE_12345_900_01_gradient_flow.ipynb").write_text("{}")
    (tmp_path / "stranger_01_gradient_flow.ipynb").write_text("{}")
    roster_path = tmp_path.parent / f"{tmp_path.name}-roster.csv"
    roster_path.write_text(ROSTER, encoding="utf-8")
    found, warnings = find_submissions(tmp_path, roster=read_roster(roster_path), chapters=["01_gradient_flow"])
    by_student = {s.student: s for s in found}
    assert by_student["jane"].late and by_student["jane"].chapter_hint == "01_gradient_flow"
    assert "stranger" in by_student and not by_student["stranger"].known
    assert any("no student of the roster" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "words"),
    [("name,email\nx,y\n", "has no 'student' column"), ("student\na\na\n", "more than once: a"),
     ("student,due\na,tomorrow\n", "ISO date"), ("student\n../x\n", "not usable as a folder name")],
)
def test_a_bad_roster_is_named(tmp_path, text, words):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=words):
        read_roster(path)


def test_the_book_solutions_pass_under_a_students_parameters(tmp_path):
    """Chapter 4 as the book has it, graded as a student's: its parameter cells are reset to the student's
    values, and every worked solution, written in the parameters' names, still passes; the untouched
    student notebook fails every check with what to do."""
    chapter = ROOT / "chapters" / "05_convergence_rates.ipynb"
    folder = tmp_path / "submissions"
    (folder / "solutions").mkdir(parents=True)
    (folder / "untouched").mkdir()
    shutil.copy(chapter, folder / "solutions" / chapter.name)
    student = student_notebooks.student_version(load(chapter))
    (folder / "untouched" / chapter.name).write_text(json.dumps(student), encoding="utf-8")
    labels = grade.checked_labels()[chapter.name]
    drawn = {label: exercises()[label].draw("solutions", SECRET) for label in labels}
    assert any(drawn[label] != exercises()[label].book_parameters() for label in labels if drawn[label])
    cache = tmp_path / "jax-cache"
    out = grade.grade(folder, tmp_path / "grades", time_limit=300, cell_limit=120, jobs=2, jax_cache=cache,
                      secret=SECRET)
    assert any(cache.iterdir()), "the kernels wrote their compiled programs to the shared JAX cache"
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    solutions = [r for r in rows if r["student"] == "solutions"]
    assert [(r["exercise"], r["status"]) for r in solutions] == [(label, "passed") for label in labels], solutions
    executed = nbformat.read(out / "executed" / "solutions" / chapter.name, as_version=4)
    cells = [c for c in executed.cells if c.metadata.get("exercise-parameters") in drawn]
    assert [c.source for c in cells] == [exercises()[c.metadata["exercise-parameters"]].parameter_cell(
        drawn[c.metadata["exercise-parameters"]]) for c in cells]
    untouched = [r for r in rows if r["student"] == "untouched"]
    assert [r["exercise"] for r in untouched] == labels
    for found in untouched:
        assert (found["score"], found["status"]) == ("0", "failed")
        assert found["message"].startswith("replace the placeholder ... in `")


def test_the_command_refuses_bad_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "nowhere")])
    assert "submissions:" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--secret-file", str(tmp_path / "empty.txt")])
    assert "secret-file:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--exercises", "ex-nothing"])
    assert "exercises:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--due", "next friday"])
    assert "due:" in capsys.readouterr().err


def test_the_sandbox_refuses_what_a_submission_must_not_do(tmp_path):
    """The audit hook itself: reading a denied folder, writing outside the allowed ones, starting programs."""
    denied, allowed = tmp_path / "submissions", tmp_path / "work"
    denied.mkdir()
    allowed.mkdir()
    (denied / "answer.txt").write_text("42")
    probe = (
        "import os, subprocess\n"
        "for attempt in [lambda: open('../submissions/answer.txt').read(), lambda: os.listdir(DENIED),\n"
        "                lambda: open('/tmp/gfbook-sandbox-probe', 'w'), lambda: subprocess.run(['true']),\n"
        "                lambda: os.system('true'), lambda: os.kill(os.getppid(), 0),\n"
        "                lambda: open('mine.txt', 'w').write('ok')]:\n"
        "    try:\n        attempt(); print('allowed')\n"
        "    except PermissionError:\n        print('refused')\n"
    ).replace("DENIED", repr(str(denied)))
    (allowed / "probe.py").write_text(probe)
    result = subprocess.run([sys.executable, "-m", "teaching.sandbox", f"--allow={allowed}", f"--deny={denied}",
                             "module", "probe"], cwd=allowed, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(allowed), str(ROOT)])})
    assert result.stdout.split() == ["refused"] * 6 + ["allowed"], result.stdout + result.stderr


def test_hidden_checks_run_at_grading_and_the_kernel_cannot_read_them(tmp_path):
    """An instructor's folder of hidden checks: the grader runs them; a submission cannot open them."""
    checks = tmp_path / "hidden"
    checks.mkdir()
    (checks / "stricter.py").write_text(
        "from gfbook.exercises import hidden\n"
        "from gfbook.exercises._framework import Wrong, part\n\n\n"
        f"@hidden('{HEAVY_BALL}')\n"
        "def _exact(heavy_ball_parameters, kappa_hb):\n"
        "    with part('heavy_ball_parameters'):\n"
        "        if tuple(heavy_ball_parameters(1.0, 9.0)) != (0.25, 0.25):\n"
        "            raise Wrong('hidden: heavy_ball_parameters(1, 9) should be exactly (0.25, 0.25)')\n",
        encoding="utf-8")
    folder = tmp_path / "submissions"
    (folder / "peeker").mkdir(parents=True)
    peek = f"print(open({str(checks / 'stricter.py')!r}).read())\n"
    (folder / "peeker" / CHAPTER).write_text(submission(momentum=MOMENTUM_RIGHT, edge=peek), encoding="utf-8")
    out = grade.grade(folder, tmp_path / "grades", time_limit=90, cell_limit=30, checks=[checks],
                      only=[HEAVY_BALL, A_STABILITY])
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = {r["exercise"]: r for r in csv.DictReader(handle)}
    assert (rows[HEAVY_BALL]["score"], rows[HEAVY_BALL]["status"]) == ("1", "passed")
    assert "not allowed while grading" in rows[A_STABILITY]["message"]
    (checks / "stricter.py").write_text((checks / "stricter.py").read_text().replace("(0.25, 0.25):", "(0.25, 0.5):"))
    out = grade.grade(folder, tmp_path / "again", time_limit=90, cell_limit=30, checks=[checks],
                      only=[HEAVY_BALL])
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        momentum = next(csv.DictReader(handle))
    assert momentum["status"] == "failed" and "hidden: heavy_ball_parameters(1, 9)" in momentum["message"]
