"""Tests of the book itself: the rules every chapter notebook follows.

The notebooks' *contents* are tested by nbval, which runs each of them top to bottom
(see pyproject.toml); these tests check their form.
"""

import importlib
import re
import sys
from pathlib import Path

import pytest
import yaml

from teaching.notebooks import SOLUTION_START, chapters, exercise_labels, load, source, text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = chapters()


def cells(path, kind=None):
    return [c for c in load(path)["cells"] if kind is None or c["cell_type"] == kind]


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
    assert "import gfbook" in source(code[1]), "the first code cell after the Colab set-up imports gfbook"
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
    notebook = load(path)
    markdown = text(notebook, "markdown")
    exercises = exercise_labels(notebook)
    solutions = SOLUTION_START.findall(markdown)
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_gfbook_on_colab_from_the_configured_repository(path):
    first = cells(path, "code")[0]
    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    text = source(first)
    assert '"google.colab" in sys.modules' in text and f"gfbook @ git+{url}" in text
    assert "--no-deps" in text and "jax" not in text.split("google.colab", 1)[1], "Colab's JAX is never replaced"
    assert "remove-cell" in first["metadata"].get("tags", []), "hidden on the website"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_links_the_functions_it_uses_first_to_the_api_page(path):
    """The references of each chapter list, with links, the gfbook functions first used in it."""
    listed = re.findall(r"\{func\}`([^`]+)`", source(cells(path, "markdown")[-1]))
    assert listed == FIRST_USE[path.name], f"{path.name}: update the list at the end of the chapter"


def _first_use():
    """For each chapter, the gfbook functions its code uses that no earlier chapter uses, in order of use."""
    import gfbook

    top, submodules = set(gfbook.__all__), ("networks", "data", "plotting", "exercises")
    seen, table = set(), {}
    for path in NOTEBOOKS:
        code = text(load(path), "code")
        found = []
        for match in re.finditer(r"^from gfbook\.(\w+) import ([\w, ]+)", code, re.M):
            found += [(match.start(), f"gfbook.{match.group(1)}.{name.strip()}") for name in match.group(2).split(",")]
        imports = re.finditer(r"^from gfbook import ([\w, ]+)", code, re.M)
        aliases = {name.strip() for m in imports for name in m.group(1).split(",")}
        for match in re.finditer(r"\bgfbook\.(\w+)", code):
            if match.group(1) in top:
                found.append((match.start(), f"gfbook.{match.group(1)}"))
        for alias in aliases:
            found += [(m.start(), f"gfbook.{alias}.{m.group(1)}") for m in re.finditer(rf"(?<![\w.]){alias}\.(\w+)", code)]
        names = []
        for _, target in sorted(found):
            module, _, name = target.rpartition(".")
            if module != "gfbook" and name in top and module.split(".")[1] not in submodules:
                target = f"gfbook.{name}"
                module = "gfbook"
            if callable(getattr(importlib.import_module(module), name, None)) and target not in names and target not in seen:
                names.append(target)
        seen.update(names)
        table[path.name] = names
    return table


FIRST_USE = _first_use()


def test_every_reference_has_a_doi_or_an_arxiv_id():
    entries = re.split(r"\n(?=@)", (ROOT / "references.bib").read_text(encoding="utf-8").strip())
    for entry in entries:
        key = re.match(r"@\w+\{([^,]+),", entry).group(1)
        assert re.search(r"^\s*(doi|eprint)\s*=", entry, re.M), f"{key}: give its DOI or arXiv id"


def test_the_api_page_documents_every_public_function():
    # api.md holds one gfbook-api directive per module; the directive (_ext/gfbook_api.py)
    # documents the names of __all__ defined there, and the union must be all of __all__.
    sys.path.insert(0, str(ROOT / "_ext"))
    from gfbook_api import public_names

    page = (ROOT / "api.md").read_text(encoding="utf-8")
    directives = re.findall(r"^\.\. gfbook-api:: ([\w.]+)\n(?:   :namespace: ([\w.]+))?", page, re.M)
    documented = {f"{space or 'gfbook'}.{name}" for module, space in directives
                  for name in public_names(space or "gfbook", module)}
    for space in ("gfbook", "gfbook.plotting", "gfbook.exercises"):
        names = {f"{space}.{name}" for name in importlib.import_module(space).__all__}
        assert names <= documented, f"public names on no API page: {sorted(names - documented)}"


def test_ci_runs_exactly_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n# 1\. Build.*?```", readme, re.S).group(0)
    commands = [line for line in block.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2, "the README gives one build command and one test command"
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.startswith("python3")]
    assert ci == commands, ".ci/run runs the README's build command, then its test command, verbatim"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_chapter_says_where_to_get_what_gfbook_does_not_install(path):
    # A reader who installs gfbook alone has its dependencies (pyproject.toml) and the standard
    # library; any other import must say, on its line, how to install it.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = {re.split(r"[<>=!~ \[;]", dep)[0].replace("-", "_") for dep in project["dependencies"]}
    installed |= {"gfbook", "jaxlib"} | set(sys.stdlib_module_names)
    code = text(load(path), "code")
    for line in re.findall(r"^(?:import|from) \w+.*$", code, re.M):
        module = line.split()[1].split(".")[0]
        assert module in installed or "pip install" in line, f"{path.name}: '{line}' needs a note on how to install it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_column(path):
    # 88 characters fit the content column of the website (chapters/ruff.toml sets ruff's limit);
    # the hidden Colab cell is never shown
    shown = [cell for cell in load(path)["cells"] if cell["cell_type"] == "code"
             and "remove-cell" not in cell["metadata"].get("tags", [])]
    long = [line for cell in shown for line in source(cell).splitlines() if len(line) > 88]
    assert not long, f"{path.name}: {len(long)} code lines over 88 characters, e.g. {long[0]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_plotting_cells_are_folded(path):
    # where the figure is the point, its code is one click away: the page shows prose, maths,
    # figures and the cells that state a claim and assert it
    for cell in load(path)["cells"]:
        tags = cell["metadata"].get("tags", [])
        if cell["cell_type"] == "code" and "plotting.new_figure(" in source(cell):
            assert {"hide-input", "remove-input"} & set(tags), f"{path.name}: {source(cell)[:60]!r} is not folded"
            assert "assert " not in source(cell), f"{path.name}: a folded plotting cell hides an assert"
