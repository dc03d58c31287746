"""The student edition of the notebooks: solutions removed, placeholders left, everything else kept."""

import json
import re
import zipfile
from pathlib import Path

import pytest

from gfbook.exercises import exercises
from teaching import build_student_site, student_notebooks
from teaching.notebooks import chapters, exercise_labels, load, source, text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = chapters()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_has_no_solution(path):
    original = load(path)
    student = student_notebooks.student_version(original)
    markdown = text(student, "markdown")
    assert "{solution-start}" not in markdown and "{solution-end}" not in markdown
    labels = exercise_labels(student)
    answers = [c["metadata"]["exercise"] for c in student["cells"] if "student-answer" in c["metadata"].get("tags", [])]
    assert labels and answers == labels, "one answer cell per exercise, in order"
    checks = [c for c in student["cells"] if "exercise-check" in c["metadata"].get("tags", [])]
    assert [c["metadata"]["exercise-check"] for c in checks] == [label for label in labels if label in exercises()]
    for cell in checks:  # a check cell follows its answer cell, which assigns the placeholder to each answer
        exercise = exercises()[cell["metadata"]["exercise-check"]]
        assert source(cell) == exercise.call()
        answer = student["cells"][student["cells"].index(cell) - 1]
        assert answer["metadata"]["exercise"] == exercise.label
        assert all(f"\n{name} = ...\n" in source(answer) for name in exercise.answers)
    original_code = [source(c) for c in original["cells"] if c["cell_type"] == "code"]
    kept = [c for c in student["cells"] if c["cell_type"] == "code" and c["metadata"].get("exercise") is None
            and "exercise-check" not in c["metadata"].get("tags", [])]
    student_code = [source(c) for c in kept]
    solution_code = [c for c in original_code if c not in student_code]
    assert len(solution_code) >= len(labels) // 2, "the solutions' code cells are gone"
    # nothing else is lost or reordered: the kept code cells are the original ones minus the solutions
    assert student_code == [c for c in original_code if c not in solution_code]
    # and no line of solution code survives anywhere (lines long enough to be specific)
    left = "\n".join(source(c) for c in student["cells"] if c not in checks)  # check cells: just the call, above
    for cell in solution_code:
        for line in cell.splitlines():
            if len(line.strip()) > 40 and line not in "\n".join(student_code):
                assert line not in left


def test_prose_of_a_solution_is_removed():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {},
             "source": "Intro\n\n```{exercise-start}\n:label: ex-one\n```\n\nDo it.\n\n```{exercise-end}\n```\n\n"
                       "```{solution-start} ex-one\n:class: dropdown\n```\n\nTHE SECRET ANSWER"},
            {"cell_type": "code", "id": "b", "metadata": {}, "outputs": [], "execution_count": None,
             "source": "secret = 42"},
            {"cell_type": "markdown", "id": "c", "metadata": {}, "source": "```{solution-end}\n```\n\nAfter."},
        ],
        "metadata": {},
    }
    student = student_notebooks.student_version(notebook)
    dumped = json.dumps(student)
    assert "SECRET" not in dumped and "secret = 42" not in dumped
    assert "Do it." in dumped and "After." in dumped and "Intro" in dumped
    with pytest.raises(ValueError, match="never closed"):
        student_notebooks.student_version({"cells": notebook["cells"][:2], "metadata": {}})


def test_command_writes_notebooks_and_zip(tmp_path):
    archive = student_notebooks.main(["--out", str(tmp_path)])
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        assert load(tmp_path / "notebooks" / path.name)["cells"]


def test_student_site_is_staged_from_the_student_notebooks(tmp_path):
    src = build_student_site.stage(tmp_path)
    assert "student edition" in (src / "_config.yml").read_text(encoding="utf-8")
    for name in build_student_site.PAGES:
        assert (src / name).read_bytes() == (ROOT / name).read_bytes()
    for name in build_student_site.FOLDERS:
        assert sorted(p.name for p in (src / name).iterdir()) == sorted(p.name for p in (ROOT / name).iterdir())
    for path in NOTEBOOKS:
        assert load(src / "chapters" / path.name) == student_notebooks.student_version(load(path))
    toc_files = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for entry in toc_files:  # every page of the book is staged
        assert any((src / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry


def test_instructor_page_lists_every_exercise():
    page = (ROOT / "instructors.md").read_text(encoding="utf-8")
    listed = re.findall(r"\| `(ex-[^`]+)` \|", page)
    in_chapters = []
    for path in NOTEBOOKS:
        in_chapters += exercise_labels(load(path))
    assert listed == in_chapters


def test_instructor_page_names_the_checked_answers_and_quotes_a_real_message():
    page = (ROOT / "instructors.md").read_text(encoding="utf-8")
    for label, names in re.findall(r"\| `(ex-[^`]+)` \| [^|]+ \| ([^|]+) \|", page):
        expected = ", ".join(f"`{name}`" for name in exercises()[label].answers) if label in exercises() else None
        assert names.strip() == (expected or "(graded by hand)"), label
    from gfbook.exercises import check

    message = check("ex-bdf-momentum", heavy_ball_edge=lambda eta: 3 / eta).message
    quoted = re.search(r'for example "(.+?)"\.', " ".join(page.split()), re.S).group(1)
    assert quoted == message
