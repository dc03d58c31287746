"""Write the student edition of every chapter notebook: solutions removed, placeholders left.

Usage (from the repository root)::

    .venv/bin/python -m teaching.student_notebooks [--out _build/student]

For each ``chapters/*.ipynb`` it writes ``<out>/notebooks/<name>.ipynb`` and a zip of them,
``<out>/student-notebooks.zip``. A solution is everything between a ``{solution-start}``
directive and its ``{solution-end}`` in the book's gated syntax: the solution's prose (the rest
of the markdown cell that opens it) and every code cell up to the closing directive. Each
solution becomes a markdown note and a code cell with a placeholder naming the exercise; for
an exercise with a check (:mod:`gfbook.exercises`) the placeholder assigns ``...`` to each name
the check needs, and a check cell follows it. All other cells are copied unchanged.
"""

from __future__ import annotations

import argparse
import copy
import zipfile
from pathlib import Path

from gfbook.exercises import exercises
from teaching.notebooks import ROOT, SOLUTION_END, SOLUTION_START, chapters, load, save, source


def placeholder_cells(label: str, cell_id: str) -> list[dict]:
    """The note, the answer cell and (for a checked exercise) the check cell replacing a solution."""
    exercise = exercises().get(label)
    if exercise is None:
        note = f"**Your solution to {{ref}}`{label}`** goes in the next cell."
        answer = f"# Exercise {label}: write your solution here.\n"
    else:
        note = (f"**Your solution to {{ref}}`{label}`** goes in the next cell. It must define the names listed "
                "there; then run the check below it, which says whether your answer is right or what to look at.")
        names = "".join(f"#   {name}: {description}\n" for name, description in exercise.answers.items())
        placeholders = "".join(f"{name} = ...\n" for name in exercise.answers)
        answer = f"# Exercise {label}: your solution. Define\n{names}\n{placeholders}"
    cells = [
        {"cell_type": "markdown", "id": f"{cell_id}-note", "metadata": {}, "source": note},
        {"cell_type": "code", "execution_count": None, "id": f"{cell_id}-answer",
         "metadata": {"tags": ["student-answer"], "exercise": label}, "outputs": [], "source": answer},
    ]
    if exercise is not None:
        cells.append({"cell_type": "code", "execution_count": None, "id": f"{cell_id}-check",
                      "metadata": {"tags": ["exercise-check"], "exercise-check": label}, "outputs": [],
                      "source": exercise.call()})
    return cells


def student_version(notebook: dict) -> dict:
    """A copy of ``notebook`` with every solution replaced by placeholder cells."""
    out = copy.deepcopy(notebook)
    cells: list[dict] = []
    inside: str | None = None
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            if inside is None:
                cells.append(copy.deepcopy(cell))
            continue  # a code cell of a solution: dropped (its placeholder is already in place)
        text, pieces = source(cell), []
        while text:
            if inside is None:
                start = SOLUTION_START.search(text)
                if start is None:
                    pieces.append(text)
                    break
                pieces.append(text[: start.start()])
                inside = start.group(1)
                pieces.append(placeholder_cells(inside, f"{cell.get('id', 'cell')}-{number}-{len(pieces)}"))
                text = text[start.end() :]
            else:
                end = SOLUTION_END.search(text)
                if end is None:
                    break  # the rest of this cell is the solution's prose
                inside, text = None, text[end.end() :]
        for piece in pieces:
            if isinstance(piece, list):
                cells.extend(piece)
            elif piece.strip():
                cells.append({**copy.deepcopy(cell), "id": f"{cell.get('id', 'cell')}-{len(cells)}", "source": piece})
    if inside is not None:
        raise ValueError(f"solution {inside!r} is never closed with {{solution-end}}")
    out["cells"] = cells
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student", help="output folder")
    args = parser.parse_args(argv)
    folder = args.out / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    archive = args.out / "student-notebooks.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in chapters():
            target = folder / path.name
            save(student_version(load(path)), target)
            bundle.write(target, arcname=path.name)
    print(f"wrote {len(list(folder.glob('*.ipynb')))} student notebooks to {folder} and {archive}")
    return archive


if __name__ == "__main__":
    main()
