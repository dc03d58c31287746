"""The chapter notebooks as data, and executing notebooks in fresh kernels: the plumbing shared by
the teaching tools, the tests, the benchmarks and the book build.

- the chapters (:func:`chapters`), a notebook as stored (:func:`load`, :func:`save`), a cell's
  source (:func:`source`), all the sources of one kind of cell (:func:`text`);
- the gated exercise syntax (:data:`EXERCISE_START`, :data:`SOLUTION_START`,
  :data:`SOLUTION_END`) and a notebook's exercise labels (:func:`exercise_labels`);
- a notebook executed top to bottom in a fresh kernel with nbclient, the library Jupyter itself
  uses (:func:`notebook_client`, :func:`execute`), in the environment :func:`kernel_environment`;
- JAX's persistent compilation cache, shared by the notebook kernels of a build, a test run or a
  grading run (:func:`cache_environment`, :func:`share_with_kernels`). Every execution of a
  chapter compiles the same programs; a kernel that finds them in the cache loads them instead
  (``benchmarks/suite.py --only book`` measures the saving: about a third of each chapter's
  time). The cache is keyed on the program, JAX's version and the machine, so a stale entry is
  never used.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_START = re.compile(r"```\{exercise-start\}\s*\n:label:\s*(\S+)")  # group 1: the exercise's label
SOLUTION_START = re.compile(r"```\{solution-start\}\s*(\S+)")  # group 1: the label of the exercise it solves
SOLUTION_END = re.compile(r"```\{solution-end\}\s*\n```\s*\n?")


def chapters() -> list[Path]:
    """The chapter notebooks, ``chapters/*.ipynb``, in book order (their names start with the chapter's number)."""
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path: Path) -> dict:
    """The notebook at ``path`` as stored: its JSON, unconverted (use :func:`execute` to run one)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save(notebook: dict, path: Path) -> None:
    """Write ``notebook`` to ``path`` in the chapters' own format (one-space indents, UTF-8, a final newline)."""
    Path(path).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def source(cell: dict) -> str:
    """A cell's source as one string (stored notebooks hold it as a list of lines or as a string)."""
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def text(notebook: dict, cell_type: str) -> str:
    """The sources of the notebook's cells of one type (``"markdown"`` or ``"code"``), in order, joined by newlines."""
    return "\n".join(source(cell) for cell in notebook["cells"] if cell["cell_type"] == cell_type)


def exercise_labels(notebook: dict) -> list[str]:
    """The labels of the notebook's exercises (``{exercise-start}`` directives in its markdown), in order."""
    return EXERCISE_START.findall(text(notebook, "markdown"))


def notebook_client(notebook: nbformat.NotebookNode, path: Path, *, timeout: int, **options: Any) -> NotebookClient:
    """An nbclient client for ``notebook`` (read from ``path``): a ``python3`` kernel working in the notebook's folder.

    ``timeout`` limits each cell, in seconds; ``options`` go to :class:`nbclient.NotebookClient`
    (``allow_errors``, ``interrupt_on_timeout``, ...).
    """
    return NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                          resources={"metadata": {"path": str(Path(path).parent)}}, **options)


def execute(path: Path, *, timeout: int = 300, env: dict[str, str] | None = None,
            **kernel_options: Any) -> nbformat.NotebookNode:
    """The notebook at ``path`` executed top to bottom in a fresh kernel, with its outputs; raises if a cell does.

    ``env``: the kernel's environment (default: this process's); ``kernel_options`` go to the
    kernel's process (``stderr=subprocess.DEVNULL``, ...).
    """
    notebook = nbformat.read(path, as_version=4)
    notebook_client(notebook, path, timeout=timeout).execute(env=env if env is not None else dict(os.environ),
                                                             **kernel_options)
    return notebook


def kernel_environment(jax_cache: Path | None = None) -> dict[str, str]:
    """The kernels' environment: this process's, plus JAX's persistent compilation cache in ``jax_cache`` (created).

    Every execution of a chapter compiles the same functions; with the cache, only the first
    compiles them. ``None``: no cache.
    """
    env = dict(os.environ)
    if jax_cache is not None:
        jax_cache.mkdir(parents=True, exist_ok=True)
        env.update(cache_environment(jax_cache))
    return env


def cache_environment(folder: Path) -> dict[str, str]:
    """Environment variables that make a new JAX process (a kernel) use the cache in ``folder``.

    Every compile is kept (by default JAX keeps only those that took over a second, and
    a notebook's take a tenth of that).
    """
    return {
        "JAX_COMPILATION_CACHE_DIR": str(folder),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def share_with_kernels(folder: Path) -> None:
    """Give the kernels this process starts from now on the cache in ``folder``.

    Only processes started later see it: JAX reads these variables when it is imported, and
    this function imports JAX first, so this process's own JAX is unaffected (set
    ``JAX_PLATFORMS`` and the like before calling it). A variable the user set already wins
    (``JAX_COMPILATION_CACHE_DIR=`` empty turns the cache off).
    """
    import jax  # noqa: F401 -- reads the variables now, before they are set below

    for name, value in cache_environment(folder).items():
        os.environ.setdefault(name, value)


KIND_ROW = re.compile(r"^\|[^|\n]*\|\s*`(ex-[^`]+)`\s*\|\s*([^|\n]+?)\s*\|", re.M)  # | {ref}`ex` | `ex` | Kind | ...


def exercise_kinds(page: Path | None = None) -> dict[str, str]:
    """Each exercise's kind, by label, from the tables of ``instructors.md`` (their *Kind* column).

    The kinds are ``"Pencil and paper"``, ``"Pencil and paper, then code"``, ``"Proof, then code"``
    and ``"Coding"``; the page is their one home (a test keeps its tables and the chapters in step).
    """
    page = ROOT / "instructors.md" if page is None else Path(page)
    return dict(KIND_ROW.findall(page.read_text(encoding="utf-8")))


def written_kind(kind: str | None) -> bool:
    """Whether an exercise of this kind asks for a derivation or a proof (an answer written in prose and maths)."""
    return kind is not None and any(word in kind.lower() for word in ("pencil", "proof"))


def coding_kind(kind: str | None) -> bool:
    """Whether an exercise of this kind asks for code (an unknown kind counts as code, the safe default)."""
    return kind is None or "cod" in kind.lower()
