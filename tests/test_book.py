"""Tests of the book itself: the rules every chapter notebook follows.

The notebooks' *contents* are tested by nbval, which runs each of them top to bottom
(see pyproject.toml); these tests check their form.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def cells(path, kind=None):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in notebook["cells"] if kind is None or c["cell_type"] == kind]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_chapters():
    assert NOTEBOOKS, "chapters/ holds no notebook"


def test_toc_lists_exactly_the_chapters():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"file:\s*(chapters/\S+)", toc))
    assert listed == {f"chapters/{p.stem}" for p in NOTEBOOKS}
    for entry in re.findall(r"file:\s*(\S+)", toc):
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    for cell in cells(path, "code"):
        assert cell.get("outputs") == [], f"{path.name}: a code cell has outputs"
        assert cell.get("execution_count") is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_imports_and_has_parameters(path):
    code = cells(path, "code")
    assert "import gfbook" in source(code[0]), "the first code cell imports gfbook"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one code cell is tagged 'parameters'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_plotting_cells_end_with_show(path):
    for cell in cells(path, "code"):
        text = source(cell).strip()
        if re.search(r"new_figure\(|plt\.subplots\(|plt\.figure\(", text):
            assert text.endswith("plt.show()"), f"{path.name}: a plotting cell does not end with plt.show()"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_gated_solutions(path):
    markdown = "\n".join(source(c) for c in cells(path, "markdown"))
    exercises = re.findall(r"```\{exercise-start\}\s*\n:label:\s*(\S+)", markdown)
    solutions = re.findall(r"```\{solution-start\}\s*(\S+)", markdown)
    assert len(exercises) >= 4, f"{path.name}: fewer than four exercises"
    assert sorted(exercises) == sorted(solutions), "every exercise has exactly one solution"
    assert markdown.count("{exercise-end}") == len(exercises)
    assert markdown.count("{solution-end}") == len(solutions)


def test_every_citation_is_in_the_bibliography():
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references.bib").read_text(encoding="utf-8")))
    book_pages = [p for p in ROOT.glob("*.md") if p.name != "README.md"]  # README is not in the book
    texts = [p.read_text(encoding="utf-8") for p in [*NOTEBOOKS, *book_pages]]
    cited = {k.strip() for t in texts for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", t) for k in group.split(",")}
    assert cited, "the book cites nothing"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
