"""The student edition of the notebooks: solutions removed, placeholders left, everything else kept."""

import json
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from gfbook.exercises import exercises
from teaching import build_student_site, student_notebooks
from teaching.notebooks import chapters, coding_kind, exercise_kinds, exercise_labels, load, source, text, written_kind

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
    assert labels and list(dict.fromkeys(answers)) == labels, "answer cells for every exercise, in order"
    kinds = exercise_kinds()
    for label in labels:  # a derivation or a proof gets a markdown cell, code or a check a code cell
        cells = [c for c in student["cells"] if c["metadata"].get("exercise") == label]
        expected = (["written"] if written_kind(kinds[label]) else []) + (
            ["code"] if coding_kind(kinds[label]) or label in exercises() else [])
        assert [c["metadata"]["answer-kind"] for c in cells] == expected, label
        assert [c["cell_type"] for c in cells] == [{"written": "markdown", "code": "code"}[k] for k in expected]
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
    config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
    assert "student edition" in config["title"]
    # nothing links to the full notebooks: no repository, no launch buttons (Colab, Binder), no download
    assert "repository" not in config and "launch_buttons" not in config
    assert not any(config["html"].get(f"use_{name}_button") for name in ("repository", "issues", "download"))
    full = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert {key: value for key, value in config.items() if key not in ("title", "html")} == {
        key: value for key, value in full.items() if key not in ("title", "html", "repository", "launch_buttons")}
    # no page for instructors, and no reference to it left dangling (the build runs with -W)
    toc_files = re.findall(r"file:\s*(\S+)", (src / "_toc.yml").read_text(encoding="utf-8"))
    assert "instructors" not in toc_files and not (src / "instructors.md").exists()
    full_toc = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert toc_files == [entry for entry in full_toc if entry != "instructors"]
    for entry in toc_files:  # every other page of the book is staged
        assert any((src / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry
    staged_text = [p.read_text(encoding="utf-8") for p in src.glob("*.md")]
    staged_text += [text(load(p), "markdown") for p in (src / "chapters").glob("*.ipynb")]
    for page in staged_text:
        assert not re.search(r"\{(doc|ref)\}`[^`]*instructors`", page)
    assert "For instructors* (a page of the instructors' edition)" in (src / "intro.md").read_text(encoding="utf-8")
    for name in build_student_site.PAGES:
        if name.endswith(".md") and name != "instructors.md":
            original = (ROOT / name).read_text(encoding="utf-8")
            assert (src / name).read_text(encoding="utf-8") == build_student_site.without_hidden_pages(original)
    for name in build_student_site.FOLDERS:
        assert sorted(p.name for p in (src / name).iterdir()) == sorted(p.name for p in (ROOT / name).iterdir())
    for path in NOTEBOOKS:  # the student version, MyST kept for the website to render, solutions gone
        staged = load(src / "chapters" / path.name)
        assert staged == student_notebooks.student_version(load(path))
        assert "{solution-start}" not in text(staged, "markdown") and "{prf:" in text(load(path), "markdown")
        written = [c for c in staged["cells"] if c["metadata"].get("answer-kind") == "written"]
        assert all(c["cell_type"] == "markdown" for c in written)
    assert any(c["metadata"].get("answer-kind") == "written" for p in (src / "chapters").glob("*.ipynb")
               for c in load(p)["cells"])


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
