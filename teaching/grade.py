"""Grade a folder of submitted notebooks with the exercises' checks: a score table per student and exercise.

Usage (from the repository root)::

    .venv/bin/python -m teaching.grade SUBMISSIONS [--out _build/grades] [--jobs 2]
        [--time-limit 600] [--cell-time-limit 120] [--jax-cache DIR | --no-jax-cache]

``SUBMISSIONS`` holds one folder per student with the chapter notebooks they hand in
(``SUBMISSIONS/<student>/03_bdf_stability.ipynb``), or notebooks directly, named
``<student>.ipynb`` (or ``<student>_03_bdf_stability.ipynb``). A notebook is matched to its
chapter by the chapter's file name in its own name; failing that, by the exercise labels in
its answer cells' metadata.

Each notebook is executed top to bottom in a fresh kernel (nbclient, the library Jupyter
itself uses) with errors allowed, each cell limited to ``--cell-time-limit`` seconds and the
whole notebook to ``--time-limit`` seconds; the students' own check cells are skipped. Then
each checked exercise of the chapter is checked in that kernel with
:func:`gfbook.exercises.check_namespace`, one cell per exercise, under the same limits. An
exercise scores 1 when its check passes and its answer cell ran without an error, else 0 with
a status: ``failed`` (the check's message says why), ``error`` (the answer cell raised),
``timeout`` (the answer cell or the check ran out of time), ``malformed`` (the file is not a
readable notebook). Nothing a submission does stops the batch.

Writes ``<out>/grades.csv`` (one row per student, notebook and exercise, with the message),
``<out>/scores.csv`` (one row per student, one column per exercise, and the total) and the
executed notebooks under ``<out>/executed/`` for reading. The kernels share JAX's persistent
compilation cache (``<out>/jax-cache`` unless ``--jax-cache`` or ``--no-jax-cache`` says
otherwise), so the functions a chapter compiles are compiled once for the whole batch.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from gfbook.exercises import exercises
from teaching.notebooks import ROOT, chapters, exercise_labels, kernel_environment, load, notebook_client

CHAPTERS = chapters()
MARKER = "@@gfbook-check@@"
FIELDS = ["student", "notebook", "exercise", "score", "status", "message"]


def checked_labels() -> dict[str, list[str]]:
    """For each chapter notebook's name, its exercises that have a check, in book order."""
    registered = exercises()
    table = {}
    for path in CHAPTERS:
        table[path.name] = [label for label in exercise_labels(load(path)) if label in registered]
    return table


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook) pairs: ``folder/<student>/*.ipynb`` and ``folder/<student>*.ipynb``."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        relative = path.relative_to(folder)
        student = relative.parts[0] if len(relative.parts) > 1 else path.stem
        for chapter in CHAPTERS:  # <student>_<chapter>.ipynb
            if len(relative.parts) == 1 and student.endswith(f"_{chapter.stem}"):
                student = student[: -len(chapter.stem) - 1]
        found.append((student, path))
    return found


def chapter_of(path: Path, notebook: nbformat.NotebookNode | None, table: dict[str, list[str]]) -> str | None:
    for name in table:
        if Path(name).stem in path.stem:
            return name
    if notebook is not None:
        labels = {cell.get("metadata", {}).get("exercise") for cell in notebook.cells}
        for name, chapter_labels in table.items():
            if labels & set(chapter_labels):
                return name
    return None


def _check_cell(label: str) -> nbformat.NotebookNode:
    source = (
        "import json as _gfbook_json\n"
        "from gfbook.exercises import check_namespace as _gfbook_check_namespace\n"
        f"_gfbook_result = _gfbook_check_namespace({label!r}, globals())\n"
        f"print({MARKER!r} + _gfbook_json.dumps({{'passed': _gfbook_result.passed, 'message': _gfbook_result.message}}))"
    )
    return nbformat.v4.new_code_cell(source)


def _run(client: NotebookClient, cell, index: int, deadline: float, cell_limit: float) -> str | None:
    """Execute one cell; returns None, 'timeout', or the error's 'Name: value'."""
    remaining = deadline - time.monotonic()
    if remaining <= 1:
        return "timeout"
    client.timeout = int(min(cell_limit, remaining))
    start = time.monotonic()
    try:
        client.execute_cell(cell, index)
    except Exception as error:  # noqa: BLE001 -- a kernel that died, a cell nbclient could not run
        return f"{type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "KeyboardInterrupt" and time.monotonic() - start >= client.timeout - 0.5:
                return "timeout"
            return f"{output.get('ename')}: {output.get('evalue')}"
    return None


def grade_notebook(student: str, path: Path, table: dict[str, list[str]], time_limit: float, cell_limit: float,
                   executed_dir: Path | None = None, env: dict[str, str] | None = None) -> list[dict]:
    """The rows of ``grades.csv`` for one submitted notebook; never raises for a bad submission."""
    try:
        return _grade_notebook(student, path, table, time_limit, cell_limit, executed_dir, env)
    except Exception as error:  # noqa: BLE001 -- a notebook so odd that grading it failed: zero, and go on
        labels = table.get(chapter_of(path, None, table)) or ["(unknown chapter)"]
        message = f"the grader could not run this notebook ({type(error).__name__}: {error})"
        return [{"student": student, "notebook": path.name, "exercise": label, "score": 0, "status": "error",
                 "message": message} for label in labels]


def _grade_notebook(student, path, table, time_limit, cell_limit, executed_dir, env):
    def rows(labels, outcome):
        return [{"student": student, "notebook": path.name, "exercise": label, **outcome(label)} for label in labels]

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 -- invalid JSON, not a notebook, unreadable bytes
        chapter = chapter_of(path, None, table)
        message = f"not a readable notebook ({type(error).__name__}); re-download it from Jupyter and submit again"
        labels = table.get(chapter) or ["(unknown chapter)"]
        return rows(labels, lambda _: {"score": 0, "status": "malformed", "message": message})
    chapter = chapter_of(path, notebook, table)
    if chapter is None or not table[chapter]:
        return rows(["(unknown chapter)"], lambda _: {"score": 0, "status": "malformed",
                                                      "message": "no chapter's exercises found in this notebook"})
    labels = table[chapter]
    deadline = time.monotonic() + time_limit
    answer_problem: dict[str, str] = {}
    results: dict[str, dict] = {}
    cells = [cell for cell in notebook.cells if "exercise-check" not in cell.get("metadata", {}).get("tags", [])]
    notebook.cells = cells + [_check_cell(label) for label in labels]
    client = notebook_client(notebook, path, timeout=int(cell_limit), interrupt_on_timeout=True, allow_errors=True)
    try:
        with client.setup_kernel(env=env if env is not None else dict(os.environ)):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                problem = _run(client, cell, index, deadline, cell_limit)
                label = cell.get("metadata", {}).get("exercise")
                if index >= len(cells):  # a grading cell
                    label = labels[index - len(cells)]
                    results[label] = _parse(cell, problem)
                elif label and problem:
                    answer_problem[label] = problem
    except Exception as error:  # noqa: BLE001 -- the kernel failed to start or died: grade what we have
        for label in labels:
            results.setdefault(label, {"status": "error", "message": f"the kernel stopped: {type(error).__name__}"})
    if executed_dir is not None:
        target = executed_dir / student / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook.cells = notebook.cells[: len(cells)]
        try:
            nbformat.write(notebook, target)
        except Exception as error:  # noqa: BLE001 -- an executed notebook nbformat will not write: note it, go on
            target.with_suffix(".txt").write_text(f"could not write the executed notebook: {error}\n", encoding="utf-8")

    def outcome(label):
        result = results.get(label, {"status": "timeout", "message": "the notebook's time limit ran out before this check"})
        problem = answer_problem.get(label)
        if problem == "timeout":
            return {"score": 0, "status": "timeout", "message": "your answer cell ran out of time (an infinite loop?)"}
        if problem:
            return {"score": 0, "status": "error", "message": f"your answer cell raised {problem}"}
        return {"score": int(result["status"] == "passed"), **result}

    return rows(labels, outcome)


def _parse(cell, problem: str | None) -> dict:
    if problem == "timeout":
        return {"status": "timeout", "message": "the check ran out of time (does your function loop?)"}
    for output in cell.get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                verdict = json.loads(line[len(MARKER) :])
                return {"status": "passed" if verdict["passed"] else "failed", "message": verdict["message"]}
    return {"status": "error", "message": f"the check could not run: {problem or 'no result'}"}


def grade(folder: Path, out: Path, *, time_limit: float = 600, cell_limit: float = 120, jobs: int = 1,
          jax_cache: Path | None = None) -> Path:
    """Grade every notebook under ``folder``; write ``grades.csv``, ``scores.csv`` and ``executed/`` to ``out``.

    ``jax_cache``: a folder for JAX's persistent compilation cache, shared by the kernels (None: no cache).
    """
    table = checked_labels()
    submissions = find_submissions(folder)
    out.mkdir(parents=True, exist_ok=True)
    env = kernel_environment(jax_cache)
    arguments = [(student, path, table, time_limit, cell_limit, out / "executed", env) for student, path in submissions]
    if jobs > 1:
        with ThreadPoolExecutor(jobs) as pool:  # the work happens in the kernels, one process each
            graded = list(pool.map(grade_notebook, *zip(*arguments, strict=True)))
    else:
        graded = [grade_notebook(*args) for args in arguments]
    rows = [row for notebook_rows in graded for row in notebook_rows]
    with (out / "grades.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    order = [label for labels in table.values() for label in labels]
    exercises = [label for label in order if any(row["exercise"] == label for row in rows)]
    exercises += sorted({row["exercise"] for row in rows} - set(exercises))
    students = sorted({row["student"] for row in rows})
    with (out / "scores.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *exercises, "total"])
        for student in students:
            score = {row["exercise"]: row["score"] for row in rows if row["student"] == student}
            writer.writerow([student, *(score.get(label, "") for label in exercises), sum(score.values())])
    print(f"graded {len(submissions)} notebooks of {len(students)} students: {out / 'grades.csv'}, {out / 'scores.csv'}")
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades", help="output folder")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds per notebook")
    parser.add_argument("--cell-time-limit", type=float, default=120, help="seconds per cell")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at once")
    parser.add_argument("--jax-cache", type=Path, default=None,
                        help="folder for JAX's compilation cache, shared by the kernels (default: <out>/jax-cache)")
    parser.add_argument("--no-jax-cache", action="store_true", help="compile from scratch in every kernel")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"submissions: {args.submissions} is not a folder")
    cache = None if args.no_jax_cache else (args.jax_cache or args.out / "jax-cache")
    return grade(args.submissions, args.out, time_limit=args.time_limit, cell_limit=args.cell_time_limit, jobs=args.jobs,
                 jax_cache=cache)


if __name__ == "__main__":
    main()
