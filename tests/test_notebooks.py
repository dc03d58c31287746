"""teaching/notebooks.py, the plumbing the tools, the tests and the benchmarks share: reading the chapters,
finding their exercises, executing a notebook in a fresh kernel."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from teaching.notebooks import (
    SOLUTION_END,
    SOLUTION_START,
    chapters,
    execute,
    exercise_labels,
    kernel_environment,
    load,
    save,
    source,
    text,
)

ROOT = Path(__file__).resolve().parents[1]

# the gated syntax as the chapters write it, with the traps a looser pattern would fall into
MARKDOWN = [
    "Intro\n\n```{exercise-start}\n:label: ex-one\n```\n\nDo it.\n\n```{exercise-end}\n```\n",
    "```{solution-start} ex-one\n:class: dropdown\n```\n\nThe answer.\n\n```{solution-end}\n```\n\nAfter.",
    "```{exercise}\n:label: ex-ungated\n```\n",  # not gated: not an exercise of the book's syntax
    "```{exercise-start}\n:label: ex-two\n:class: hard\n```\n",
]
NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": MARKDOWN[0].splitlines(keepends=True)},
              {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
               "source": "# ```{exercise-start}\n# :label: ex-in-code\n"},
              *({"cell_type": "markdown", "metadata": {}, "source": s} for s in MARKDOWN[1:])],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


def test_chapters_are_the_numbered_notebooks_in_book_order():
    paths = chapters()
    assert paths and all(p.parent == ROOT / "chapters" and p.suffix == ".ipynb" for p in paths)
    assert [p.name[:2] for p in paths] == [f"{n:02d}" for n in range(1, len(paths) + 1)]


def test_source_joins_a_list_of_lines_and_keeps_a_string():
    assert source(NOTEBOOK["cells"][0]) == MARKDOWN[0] == source({"source": MARKDOWN[0]})


def test_text_joins_the_cells_of_one_type_in_order():
    assert text(NOTEBOOK, "markdown") == "\n".join(MARKDOWN)
    assert text(NOTEBOOK, "code").startswith("# ```{exercise-start}")


def test_exercise_labels_are_the_gated_exercises_of_the_markdown_in_order():
    assert exercise_labels(NOTEBOOK) == ["ex-one", "ex-two"]


def test_solution_directives():
    markdown = text(NOTEBOOK, "markdown")
    assert SOLUTION_START.findall(markdown) == ["ex-one"]
    end = SOLUTION_END.search(markdown)
    assert markdown[end.end() :].startswith("After.")


def test_save_writes_the_chapters_own_format(tmp_path):
    for path in chapters():
        save(load(path), tmp_path / path.name)
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), f"{path.name}: not stored as save writes"


def test_execute_runs_in_the_notebooks_folder_with_the_given_environment(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nprint(os.getcwd(), os.environ.get('GFBOOK_PROBE'))")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    executed = execute(path, timeout=60, env={**os.environ, "GFBOOK_PROBE": "seen"})
    assert executed.cells[0].outputs[0]["text"].split() == [str(tmp_path), "seen"]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")]), path)
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute(path, timeout=60)


def test_kernel_environment_adds_the_jax_cache_and_creates_its_folder(tmp_path):
    assert kernel_environment(None) == dict(os.environ)
    env = kernel_environment(tmp_path / "cache")
    assert (tmp_path / "cache").is_dir()
    assert env["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "cache")
    assert env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0"
