"""Write the student edition of the chapter notebooks: solutions removed, answer cells left, plain Markdown.

Usage (from the repository root)::

    .venv/bin/python -m teaching.student_notebooks [--out _build/student] [--exercises ex-a,ex-b]
        [--roster roster.csv --secret-file course-secret.txt]

Without a roster it writes ``<out>/notebooks/<chapter>.ipynb``, with the book's exercise
parameters, and a zip of them, ``<out>/student-notebooks.zip``. With ``--roster`` (a CSV file
with a ``student`` column) and ``--secret-file`` (the course's secret, a text file) it writes
``<out>/notebooks/<student>/<chapter>.ipynb`` for each student, with that student's parameters
(:meth:`gfbook.exercises.Exercise.draw`), and a zip per student, ``<out>/zips/<student>.zip``.
``--exercises`` (labels, comma-separated) makes an assignment: only the chapters with one of
these exercises, and in them only these exercises; the chapters' prose and code are kept.
Each notebook's metadata ``gfbook`` says whose it is and which exercises it holds.

A solution is everything between a ``{solution-start}`` directive and its ``{solution-end}`` in
the book's gated syntax: the solution's prose (the rest of the markdown cell that opens it)
and every code cell up to the closing directive. In its place: a note naming the exercise by
number; a markdown answer cell ("Your answer: ...") for an exercise whose kind (the tables of
``instructors.md``, :func:`teaching.notebooks.exercise_kinds`) asks for a derivation or a proof;
a code answer cell for one that asks for code, which assigns ``...`` to each name its check
(:mod:`gfbook.exercises`) needs; and the check cell. Answer cells are tagged ``student-answer``,
with the exercise's label (``exercise``) and ``answer-kind`` (``written`` or ``code``) in their
metadata. An exercise's parameter cell (tagged ``exercise-parameters``) is kept, with the
student's values. The markdown is then rewritten as plain Markdown
(:mod:`teaching.plain_markdown`), so the notebooks read well in plain Jupyter and Colab.
"""

from __future__ import annotations

import argparse
import copy
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gfbook.exercises import exercises as checked_exercises
from teaching.notebooks import (
    EXERCISE_START,
    ROOT,
    SOLUTION_END,
    SOLUTION_START,
    chapters,
    coding_kind,
    exercise_kinds,
    exercise_labels,
    load,
    save,
    source,
    written_kind,
)
from teaching.plain_markdown import book_index, plain_notebook
from teaching.submissions import read_roster

EXERCISE_END = re.compile(r"```\{exercise-end\}\s*\n```\s*\n?")
PARAMETERS = "exercise-parameters"  # tag and metadata key of an exercise's parameter cell
WRITTEN_PROMPT = ("**Your answer:** *write your derivation here. Double-click this cell to edit it; "
                  "maths goes between dollar signs, as in $h < 2/L$.*")


def placeholder_cells(label: str, cell_id: str, kind: str | None = None) -> list[dict]:
    """The note, the answer cells and (for a checked exercise) the check cell replacing a solution.

    ``kind``: the exercise's kind (:func:`teaching.notebooks.exercise_kinds`); ``None``: unknown.
    A derivation or proof gets a markdown answer cell; code, or a check, a code answer cell.
    """
    exercise = checked_exercises().get(label)
    target = book_index().labels.get(label)
    named = f"{target.name} ({label})" if target is not None and target.kind == "exercise" else label
    written = written_kind(kind)
    code = exercise is not None or coding_kind(kind)
    cells: list[dict] = []
    if written:
        cells.append({"cell_type": "markdown", "id": f"{cell_id}-written",
                      "metadata": {"tags": ["student-answer"], "exercise": label, "answer-kind": "written"},
                      "source": WRITTEN_PROMPT})
    if code:
        if exercise is None:
            answer = f"# {named}: write your solution here.\n"
        else:
            names = "".join(f"#   {name}: {description}\n" for name, description in exercise.answers.items())
            placeholders = "".join(f"{name} = ...\n" for name in exercise.answers)
            answer = f"# {named}: your solution. Define\n{names}\n{placeholders}"
        cells.append({"cell_type": "code", "execution_count": None, "id": f"{cell_id}-answer",
                      "metadata": {"tags": ["student-answer"], "exercise": label, "answer-kind": "code"},
                      "outputs": [], "source": answer})
    where = "the cell below" if len(cells) == 1 else "the cells below"
    note = f"**Your solution to {{ref}}`{label}`** goes in {where}."
    if written and code:
        note += " Write the derivation in the first (a text cell) and the code in the second."
    if exercise is not None:
        note += (" The code cell must define the names listed there; then run the check below it, which says "
                 "whether your answer is right or what to look at.")
    cells.insert(0, {"cell_type": "markdown", "id": f"{cell_id}-note", "metadata": {}, "source": note})
    if exercise is not None:
        cells.append({"cell_type": "code", "execution_count": None, "id": f"{cell_id}-check",
                      "metadata": {"tags": ["exercise-check"], "exercise-check": label}, "outputs": [],
                      "source": exercise.call(namespace=True)})
    return cells


def parameter_label(cell: dict) -> str | None:
    """The label of the exercise whose parameter cell ``cell`` is, or None."""
    metadata = cell.get("metadata", {})
    if cell["cell_type"] == "code" and PARAMETERS in metadata.get("tags", []):
        return metadata.get(PARAMETERS)
    return None


def student_version(notebook: dict, *, exercises: Iterable[str] | None = None,
                    parameters: Mapping[str, Mapping[str, Any]] | None = None,
                    kinds: Mapping[str, str] | None = None) -> dict:
    """A copy of ``notebook`` with every solution replaced by answer cells; its MyST markup kept.

    ``exercises``: the labels to keep (default: all); the others' statements, parameter cells
    and solutions are removed. ``parameters``: label -> {name: value}, the values written into
    those exercises' parameter cells (default: the cells as they are, the book's values).
    ``kinds``: label -> kind (default: :func:`teaching.notebooks.exercise_kinds`).
    """
    keep = None if exercises is None else set(exercises)
    parameters = dict(parameters or {})
    kinds = exercise_kinds() if kinds is None else kinds
    out = copy.deepcopy(notebook)
    cells: list[dict] = []
    state: tuple[str, str] | None = None  # ("solution" | "exercise", label) while inside one
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            label = parameter_label(cell)
            if state is not None or (label is not None and keep is not None and label not in keep):
                continue  # a cell of a solution or of a removed exercise: dropped
            kept = copy.deepcopy(cell)
            if label is not None and label in parameters:
                kept["source"] = checked_exercises()[label].parameter_cell(parameters[label])
            cells.append(kept)
            continue
        text, pieces = source(cell), []
        while text:
            if state is None:
                starts = [m for m in (SOLUTION_START.search(text), EXERCISE_START.search(text)) if m is not None]
                starts = [m for m in starts if m.re is SOLUTION_START or (keep is not None and m.group(1) not in keep)]
                start = min(starts, key=lambda m: m.start(), default=None)
                if start is None:
                    pieces.append(text)
                    break
                pieces.append(text[: start.start()])
                label = start.group(1)
                if start.re is EXERCISE_START:
                    state, text = ("exercise", label), text[start.start():]
                    continue
                state = ("solution", label)
                if keep is None or label in keep:
                    pieces.append(placeholder_cells(label, f"{cell.get('id', 'cell')}-{number}-{len(pieces)}",
                                                    kinds.get(label)))
                text = text[start.end():]
            else:
                end = (SOLUTION_END if state[0] == "solution" else EXERCISE_END).search(text)
                if end is None:
                    break  # the rest of this cell belongs to the solution or the removed exercise
                state, text = None, text[end.end():]
        for piece in pieces:
            if isinstance(piece, list):
                cells.extend(piece)
            elif piece.strip():
                cells.append({**copy.deepcopy(cell), "id": f"{cell.get('id', 'cell')}-{len(cells)}", "source": piece})
    if state is not None:
        raise ValueError(f"{state[0]} {state[1]!r} is never closed with {{{state[0]}-end}}")
    out["cells"] = cells
    return out


def all_labels() -> dict[str, Path]:
    """Every exercise label of the book, with its chapter."""
    return {label: path for path in chapters() for label in exercise_labels(load(path))}


def write_notebooks(folder: Path, *, labels: list[str] | None = None, student: str | None = None,
                    secret: str | None = None) -> list[Path]:
    """Write the plain-Markdown student notebooks into ``folder``; return their paths.

    ``labels``: the assignment's exercises (default: all, every chapter). ``student`` and
    ``secret``: draw that student's parameters (default: the book's).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter, path in enumerate(chapters(), start=1):
        notebook = load(path)
        here = [label for label in exercise_labels(notebook) if labels is None or label in labels]
        if not here:
            continue
        values = {}
        if student is not None:
            values = {label: checked_exercises()[label].draw(student, secret) for label in here
                      if label in checked_exercises() and checked_exercises()[label].parameters}
        version = plain_notebook(student_version(notebook, exercises=None if labels is None else here,
                                                 parameters=values), chapter=chapter)
        version.setdefault("metadata", {})["gfbook"] = {**({"student": student} if student is not None else {}),
                                                        "exercises": here}
        target = folder / path.name
        save(version, target)
        written.append(target)
    return written


def zip_notebooks(paths: list[Path], archive: Path) -> Path:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in paths:
            bundle.write(path, arcname=path.name)
    return archive


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student", help="output folder")
    parser.add_argument("--exercises", help="the assignment: exercise labels, comma-separated (default: all)")
    parser.add_argument("--roster", type=Path, help="CSV file with a 'student' column: one set of notebooks each")
    parser.add_argument("--secret-file", type=Path, help="the course's secret (with --roster): draws the parameters")
    args = parser.parse_args(argv)
    labels = None
    if args.exercises is not None:
        known = all_labels()
        labels = [label.strip() for label in args.exercises.split(",") if label.strip()]
        unknown = [label for label in labels if label not in known]
        if not labels or unknown:
            parser.error(f"argument --exercises: unknown exercise labels {', '.join(unknown) or '(none given)'}; "
                         f"the book's are {', '.join(known)}")
    if (args.roster is None) != (args.secret_file is None):
        parser.error("argument --roster: --roster and --secret-file go together")
    if args.roster is None:
        paths = write_notebooks(args.out / "notebooks", labels=labels)
        archive = zip_notebooks(paths, args.out / "student-notebooks.zip")
        print(f"wrote {len(paths)} student notebooks to {args.out / 'notebooks'} and {archive}")
        return archive
    try:
        students = [student.student for student in read_roster(args.roster)]
    except ValueError as error:
        parser.error(f"argument --roster: {str(error).removeprefix('roster: ')}")
    try:
        secret = args.secret_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        parser.error(f"argument --secret-file: cannot read {args.secret_file}: {error.strerror}")
    if not secret:
        parser.error(f"argument --secret-file: {args.secret_file} is empty; write the course's secret in it")
    for student in students:
        paths = write_notebooks(args.out / "notebooks" / student, labels=labels, student=student, secret=secret)
        zip_notebooks(paths, args.out / "zips" / f"{student}.zip")
    print(f"wrote the notebooks of {len(students)} students to {args.out / 'notebooks'} and their zips to "
          f"{args.out / 'zips'}")
    return args.out / "zips"


if __name__ == "__main__":
    main()
