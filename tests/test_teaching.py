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
    for number, label in enumerate(labels, start=1):  # the statement's heading and the note above the answer cells
        assert f"### Exercise {chapter}.{number}\n" in markdown + "\n"
        assert f"**Your solution to Exercise {chapter}.{number}** goes in the cell" in markdown
    assert re.search(rf"^# {chapter}\. \S", markdown, re.M) and re.search(rf"^## {chapter}\.1\. \S", markdown, re.M)
    # the code cells are those of the MyST student version, in order: the notebook still runs top to bottom
    myst = student_notebooks.student_version(load(path))
    assert [source(c) for c in student["cells"] if c["cell_type"] == "code"] == [
        source(c) for c in myst["cells"] if c["cell_type"] == "code"]
    assert student["metadata"]["gfbook"] == {"exercises": labels}


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
    plain = plain_markdown.plain_markdown(myst, document="chapters/04_convergence_rates", index=index)
    assert not MYST_LEFT.findall(plain), plain
    assert "> **Lemma 4.1** (Descent lemma)." in plain
    assert "> $$ \\begin{split} f(y) \\le f(x) \\\\ g \\le h \\end{split} \\tag{4.1} $$" in plain
    assert "*Proof.* Easy. ∎" in plain
    assert "> **Note.**" in plain and "(Karimi et al., 2016)" in plain
    assert "Nesterov (2018), Drori and Teboulle (2014)" in plain
    assert "By (4.1), Theorem 4.1, Exercise 4.2, Section 4.5," in plain
    assert "Fig. 1.2, the threshold (Section 1.5), *Bibliography*, $x^2$," in plain
    assert "`gfbook.rates.gd_convex_bound()`, the value of `best_rate` computed above and Chapter 3 (*BDF" in plain
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
