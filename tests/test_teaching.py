"""The student edition of the notebooks: solutions removed, placeholders left, everything else kept."""

import html
import json
import os
import re
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml

from gfbook.exercises import exercises
from teaching import build_student_site, plain_markdown, student_notebooks
from teaching.notebooks import (
    chapters,
    coding_kind,
    exercise_kinds,
    exercise_labels,
    load,
    save,
    source,
    text,
    written_kind,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = chapters()
RATES = ROOT / "chapters" / "05_convergence_rates.ipynb"
RATES_NUMBER = NOTEBOOKS.index(RATES) + 1  # chapters are numbered in book order


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
        assert source(cell) == exercise.call(namespace=True)
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
    # and no line of solution code survives in a code cell (lines long enough to be specific); the
    # markdown left is the statements' (a statement may quote a line the solution then uses), and
    # test_prose_of_a_solution_is_removed shows that a solution's prose goes
    left = "\n".join(source(c) for c in student["cells"] if c not in checks and c["cell_type"] == "code")
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
    # nothing links to the full notebooks: no repository, no launch buttons (Colab, Binder), no issues
    assert "repository" not in config and "launch_buttons" not in config
    assert not any(config["html"].get(f"use_{name}_button") for name in ("repository", "issues"))
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


def test_instructor_page_quotes_a_real_message():
    """(tests/test_exercises.py checks the page's tables of answers, weights and parameters.)"""
    page = (ROOT / "instructors.md").read_text(encoding="utf-8")
    from gfbook.exercises import check

    message = check("ex-bdf-momentum", heavy_ball_edge=lambda eta: 3 / eta).message
    quoted = re.search(r'for example "(.+?)"\.', " ".join(page.split()), re.S).group(1)
    assert quoted == message


# --- plain Markdown, numbered as on the website -------------------------------------------------

SITE_HTML = Path(os.environ.get("GFBOOK_SITE_HTML", ROOT / "_build" / "html"))
MYST_LEFT = re.compile(r"\{[\w:.+-]+\}`|^\s*(`{3,}|~{3,}|:{3,})\s*\{|^\s*\([^()\s]+\)=\s*$", re.M)


@pytest.fixture(scope="module")
def plain_student_notebooks(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    student_notebooks.main(["--out", str(out)])
    return {path.name: load(out / "notebooks" / path.name) for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_markdown_is_plain(path, plain_student_notebooks):
    """No MyST role or directive is left for plain Jupyter or Colab to show raw; exercises are named by number."""
    student = plain_student_notebooks[path.name]
    markdown = text(student, "markdown")
    assert not MYST_LEFT.findall(markdown), plain_markdown.leftover_markup(markdown)[:5]
    assert "{solution" not in markdown and "{exercise" not in markdown
    chapter = NOTEBOOKS.index(path) + 1
    labels = exercise_labels(load(path))
    for number in range(1, len(labels) + 1):  # the statement's heading and the note above the answer cells
        assert f"### Exercise {chapter}.{number}\n" in markdown + "\n"
        assert f"**Your solution to Exercise {chapter}.{number}** goes in the cell" in markdown
    assert re.search(rf"^# {chapter}\. \S", markdown, re.M) and re.search(rf"^## {chapter}\.1\. \S", markdown, re.M)
    # the code cells are those of the MyST student version, in order: the notebook still runs top to bottom
    myst = student_notebooks.student_version(load(path))
    assert [source(c) for c in student["cells"] if c["cell_type"] == "code"] == [
        source(c) for c in myst["cells"] if c["cell_type"] == "code"]
    assert student["metadata"]["gfbook"] == {"exercises": labels}
    figures = [c for c in myst["cells"] if c["metadata"].get("mystnb", {}).get("figure", {}).get("caption")]
    captions = re.findall(rf"^\*Fig\. {chapter}\.(\d+): ", markdown, re.M)  # a figure's number and caption below it
    assert captions == [str(n) for n in range(1, len(figures) + 1)]


def test_plain_markdown_converts_each_construct():
    index = plain_markdown.book_index()
    myst = textwrap.dedent("""\
        (sec-x)=
        ## A section

        ````{prf:lemma} Descent lemma
        :label: lem-rates-descent

        If $f$ is smooth,

        ```{math}
        :label: eq-rates-descent
        f(y) \\le f(x)
        \\\\ g \\le h
        ```
        ````

        ```{prf:proof}
        Easy.
        ```

        :::{note}
        See {cite:p}`karimi2016linear` and {cite:t}`nesterov2018lectures,drori2014performance`.
        :::

        By {eq}`eq-rates-descent`, {prf:ref}`thm-rates-convex`, {ref}`ex-rates-pl`, {ref}`sec-rates-tight`,
        {numref}`fig-gf-modes`, {ref}`the threshold <sec-gf-stability>`, {doc}`../bibliography`, {math}`x^2`,
        {func}`gfbook.rates.gd_convex_bound`, {glue:text}`best_rate:.3f` and {ref}`ch-bdf`.
        % a comment

        ```python
        x = {"a": 1}  # code is kept as it is
        ```
        """)
    plain = plain_markdown.plain_markdown(myst, document="chapters/05_convergence_rates", index=index)
    assert not MYST_LEFT.findall(plain), plain
    n = RATES_NUMBER  # the rates chapter's number in the table of contents
    assert f"> **Lemma {n}.1** (Descent lemma)." in plain
    assert f"> $$ \\begin{{split}} f(y) \\le f(x) \\\\ g \\le h \\end{{split}} \\tag{{{n}.1}} $$" in plain
    assert "*Proof.* Easy. ∎" in plain
    assert "> **Note.**" in plain and "(Karimi et al., 2016)" in plain
    assert "Nesterov (2018), Drori and Teboulle (2014)" in plain
    assert f"By ({n}.1), Theorem {n}.1, Exercise {n}.2, Section {n}.5," in plain
    assert "Fig. 1.2, the threshold (Section 1.5), *Bibliography*, $x^2$," in plain
    assert "`gfbook.rates.gd_convex_bound()`, the value of `best_rate` computed above and Chapter 3 (*Multistep" in plain
    assert "a comment" not in plain and "(sec-x)=" not in plain and "## A section" in plain
    assert '```python\nx = {"a": 1}  # code is kept as it is\n```' in plain


def test_exercise_kinds_match_the_statements():
    """The kind in the instructors' tables is the one each statement opens with, e.g. "*(Proof, then code.)*"."""
    kinds = exercise_kinds()
    for path in NOTEBOOKS:
        markdown = text(load(path), "markdown")
        for label in exercise_labels(load(path)):
            statement = markdown[markdown.index(f":label: {label}"):]
            lead = re.search(r"\*\((.+?)\.\)\*", statement)
            assert lead and lead.group(1) == kinds[label], label


def _html_numbers(page: str) -> dict:
    def plain(fragment):
        return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()

    captions = [plain(m) for m in re.findall(r'<span class="caption-number">(.*?)</span>', page, re.S)]
    links = {}
    for anchor, label_text in re.findall(r'<a class="reference internal" href="#([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        links.setdefault(anchor.removeprefix("equation-"), set()).add(plain(label_text))
    headings = [plain(m).split(". ")[0] for m in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, re.S)]
    return {"captions": captions, "links": links, "equations": re.findall(r'class="eqno">\(([^)]*)\)', page),
            "headings": [h for h in headings if re.fullmatch(r"\d+(\.\d+)*", h)]}


@pytest.mark.skipif(not (SITE_HTML / "chapters").is_dir(), reason="no built website (jupyter-book build .)")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_numbers_match_the_website(path):
    """Theorems, exercises, figures, equations and sections have the numbers the built website gives them."""
    found = _html_numbers((SITE_HTML / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8"))
    index = plain_markdown.book_index()
    chapter = NOTEBOOKS.index(path) + 1
    mine = {label: target for label, target in index.labels.items() if target.name.split()[-1].strip("()")
            .startswith(f"{chapter}.") and target.kind in ("prf", "exercise", "figure", "equation")}
    assert [t.name for t in mine.values() if t.kind != "equation"] == [c.strip() for c in found["captions"]]
    assert [t.name.strip("()") for t in mine.values() if t.kind == "equation"] == found["equations"]
    for label, target in mine.items():  # every link to a target on this page shows the same number
        assert found["links"].get(label, {target.name}) <= {target.name}, label
    assert any(label in found["links"] for label in mine)
    assert [number for _, _, number in index.headings[chapter]] == found["headings"]


# --- parameter cells, assignments and per-student notebooks -------------------------------------

THROWAWAY = "ex-throwaway-param"


def _synthetic_chapter() -> dict:
    """A chapter with two exercises: a checked one with a parameter cell, and a pencil-and-paper one."""
    def markdown(cell_id, text_):
        return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text_}

    def code(cell_id, text_, metadata=None):
        return {"cell_type": "code", "id": cell_id, "metadata": metadata or {}, "outputs": [], "execution_count": None,
                "source": text_}

    return {
        "cells": [
            markdown("a", "(ch-synthetic)=\n# Synthetic\n\n## Exercises\n\n```{exercise-start}\n:label: "
                          f"{THROWAWAY}\n```\n\nCompute with `kappa`.\n\n```{{exercise-end}}\n```"),
            code("p", "kappa = 10.0  # condition number", {"tags": ["exercise-parameters"],
                                                            "exercise-parameters": THROWAWAY}),
            markdown("b", f"```{{solution-start}} {THROWAWAY}\n:class: dropdown\n```\n\nSECRET PROSE"),
            code("s", "value = 2 * kappa  # SECRET CODE"),
            markdown("c", "```{solution-end}\n```\n\n```{exercise-start}\n:label: ex-throwaway-pencil\n```\n\n"
                          "Derive it, see {ref}`" + THROWAWAY + "`.\n\n```{exercise-end}\n```\n\n"
                          "```{solution-start} ex-throwaway-pencil\n:class: dropdown\n```\n\nPENCIL SECRET\n\n"
                          "```{solution-end}\n```\n\nAfter the exercises."),
            code("z", "print('the end')"),
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def throwaway_exercise():
    from gfbook.exercises._framework import REGISTRY, Parameter, exercise

    @exercise(THROWAWAY, answers={"value": "twice kappa"},
              parameters={"kappa": Parameter(10.0, (5.0, 20.0, 40.0, 80.0), "condition number")})
    def _check(value, kappa):
        pass

    try:
        yield REGISTRY[THROWAWAY]
    finally:
        REGISTRY.pop(THROWAWAY, None)


KINDS = {THROWAWAY: "Coding", "ex-throwaway-pencil": "Pencil and paper"}


def test_parameter_cell_is_kept_and_set_per_student(throwaway_exercise):
    notebook = _synthetic_chapter()
    student = student_notebooks.student_version(notebook, kinds=KINDS)
    dumped = json.dumps(student)
    assert "SECRET" not in dumped and "After the exercises." in dumped
    parameter_cells = [c for c in student["cells"] if "exercise-parameters" in c["metadata"].get("tags", [])]
    assert [source(c) for c in parameter_cells] == ["kappa = 10.0  # condition number"]
    values = throwaway_exercise.draw("alice", "course secret")
    drawn = student_notebooks.student_version(notebook, parameters={THROWAWAY: values}, kinds=KINDS)
    cell = next(c for c in drawn["cells"] if "exercise-parameters" in c["metadata"].get("tags", []))
    assert source(cell) == throwaway_exercise.parameter_cell(values)
    assert cell["metadata"] == notebook["cells"][1]["metadata"], "the grader finds the cell by its metadata"
    # the parameter cell comes before the answer cells, which come before the check
    kinds = [(c["cell_type"], c["metadata"].get("answer-kind") or c["metadata"].get("exercise-parameters")
              or ("check" if "exercise-check" in c["metadata"].get("tags", []) else None)) for c in drawn["cells"]]
    assert kinds == [("markdown", None), ("code", THROWAWAY), ("markdown", None), ("code", "code"), ("code", "check"),
                     ("markdown", None), ("markdown", None), ("markdown", "written"), ("markdown", None),
                     ("code", None)]
    plain = plain_markdown.plain_notebook(drawn, chapter=None)
    markdown = text(plain, "markdown")
    assert not MYST_LEFT.findall(markdown)
    assert "### Exercise 1\n" in markdown and "Derive it, see Exercise 1." in markdown
    assert "**Your solution to Exercise 2** goes in the cell below." in markdown


def test_an_assignment_keeps_only_its_exercises(throwaway_exercise):
    notebook = _synthetic_chapter()
    only_pencil = student_notebooks.student_version(notebook, exercises=["ex-throwaway-pencil"], kinds=KINDS)
    dumped = json.dumps(only_pencil)
    assert "Compute with" not in dumped and "kappa = 10.0" not in dumped and "check(" not in dumped
    assert exercise_labels(only_pencil) == ["ex-throwaway-pencil"] and "After the exercises." in dumped
    assert [source(c) for c in only_pencil["cells"] if c["cell_type"] == "code"] == ["print('the end')"]
    only_code = student_notebooks.student_version(notebook, exercises=[THROWAWAY], kinds=KINDS)
    assert exercise_labels(only_code) == [THROWAWAY] and "Derive it" not in json.dumps(only_code)
    assert "## Exercises" in text(only_code, "markdown"), "the chapter's prose is kept"


def test_a_real_chapter_as_an_assignment():
    """Chapter 4 with one of its exercises: the others' statements, solutions and answer cells are gone."""
    original = load(RATES)
    assignment = student_notebooks.student_version(original, exercises=["ex-rates-pl"])
    assert exercise_labels(assignment) == ["ex-rates-pl"]
    assert {c["metadata"].get("exercise") for c in assignment["cells"]} - {None} == {"ex-rates-pl"}
    full = student_notebooks.student_version(original)
    kept = [source(c) for c in assignment["cells"] if c["cell_type"] == "code" and "exercise" not in c["metadata"]
            and "exercise-check" not in c["metadata"].get("tags", [])]
    assert kept == [source(c) for c in full["cells"] if c["cell_type"] == "code" and "exercise" not in c["metadata"]
                    and "exercise-check" not in c["metadata"].get("tags", [])
                    and c["metadata"].get("exercise-parameters") in (None, "ex-rates-pl")]
    assert "Repeat the worst-case experiment" not in text(assignment, "markdown")


def test_command_writes_an_assignment_for_each_student(tmp_path, monkeypatch, throwaway_exercise):
    synthetic = tmp_path / "chapters" / "01_synthetic.ipynb"
    synthetic.parent.mkdir()
    save(_synthetic_chapter(), synthetic)
    monkeypatch.setattr(student_notebooks, "chapters", lambda: [synthetic, *NOTEBOOKS[1:2]])
    monkeypatch.setattr(student_notebooks, "exercise_kinds", lambda: {**exercise_kinds(), **KINDS})
    roster, secret = tmp_path / "roster.csv", tmp_path / "secret.txt"
    roster.write_text("student,name\nalice,Alice A.\nbob,Bob B.\n", encoding="utf-8")
    secret.write_text("  the course secret\n", encoding="utf-8")
    out = tmp_path / "out"
    student_notebooks.main(["--out", str(out), "--exercises", f"{THROWAWAY},ex-bea-strength",
                            "--roster", str(roster), "--secret-file", str(secret)])
    for student in ("alice", "bob"):
        folder = out / "notebooks" / student
        assert sorted(p.name for p in folder.iterdir()) == ["01_synthetic.ipynb", NOTEBOOKS[1].name]
        first = load(folder / "01_synthetic.ipynb")
        assert first["metadata"]["gfbook"] == {"student": student, "exercises": [THROWAWAY]}
        cell = next(c for c in first["cells"] if c["metadata"].get("exercise-parameters") == THROWAWAY)
        assert source(cell) == throwaway_exercise.parameter_cell(throwaway_exercise.draw(student, "the course secret"))
        assert "Derive it" not in text(first, "markdown")
        second = load(folder / NOTEBOOKS[1].name)
        assert second["metadata"]["gfbook"] == {"student": student, "exercises": ["ex-bea-strength"]}
        with zipfile.ZipFile(out / "zips" / f"{student}.zip") as bundle:
            assert sorted(bundle.namelist()) == ["01_synthetic.ipynb", NOTEBOOKS[1].name]


@pytest.mark.parametrize(("arguments", "files", "message"), [
    (["--exercises", "ex-gf-euler,ex-nope"], {}, "argument --exercises: unknown exercise labels ex-nope"),
    (["--roster", "roster.csv", "--secret-file", "secret.txt"], {"roster.csv": "id\nalice\n", "secret.txt": "s"},
     "argument --roster: .* has no 'student' column"),
    (["--roster", "roster.csv", "--secret-file", "secret.txt"],
     {"roster.csv": "student\nalice\nbob\nalice\n", "secret.txt": "s"}, "more than once: alice"),
    (["--roster", "roster.csv", "--secret-file", "secret.txt"], {"roster.csv": "student\nalice\n", "secret.txt": " \n"},
     "argument --secret-file: .* is empty"),
    (["--roster", "roster.csv"], {"roster.csv": "student\nalice\n"}, "--roster and --secret-file go together"),
    (["--roster", "roster.csv", "--secret-file", "secret.txt"], {"roster.csv": "student\n../x\n", "secret.txt": "s"},
     "not usable as a folder name"),
])
def test_command_refuses_bad_arguments_by_name(tmp_path, capsys, arguments, files, message):
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    arguments = [str(tmp_path / a) if a in files else a for a in arguments]
    with pytest.raises(SystemExit):
        student_notebooks.main(["--out", str(tmp_path / "out"), *arguments])
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "out" / "notebooks").exists() or not any((tmp_path / "out" / "notebooks").iterdir())


def test_command_without_roster_writes_an_assignment(tmp_path):
    archive = student_notebooks.main(["--out", str(tmp_path), "--exercises", "ex-gf-euler,ex-rates-pl"])
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == [NOTEBOOKS[0].name, RATES.name]
    assert load(tmp_path / "notebooks" / NOTEBOOKS[0].name)["metadata"]["gfbook"] == {"exercises": ["ex-gf-euler"]}


def test_the_student_site_downloads_plain_student_notebooks(tmp_path):
    """The download button serves _sources/chapters/<name>.ipynb: after the build it is the plain student notebook."""
    (tmp_path / "_sources" / "chapters").mkdir(parents=True)
    written = build_student_site.plain_downloads(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    first = load(written[0])
    assert "{solution-start}" not in json.dumps(first) and not MYST_LEFT.findall(text(first, "markdown"))
    assert first["metadata"]["gfbook"] == {"exercises": exercise_labels(load(NOTEBOOKS[0]))}
