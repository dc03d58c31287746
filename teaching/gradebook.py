"""The grader's tables: scores per student, feedback per student, and the files Canvas and Moodle import.

Usage, after filling in the hand-graded columns of ``scores.csv`` (from the repository root)::

    .venv/bin/python -m teaching.gradebook _build/grades --roster roster.csv [--assignment "Homework 1"]

``scores.csv`` has one column per auto-graded exercise, one ``<label> (by hand)`` column per
written exercise (empty until the instructor fills it; its points possible are in the second
row and may be edited too), a ``total`` and a ``late`` flag; its second row, ``(points
possible)``, gives each column's maximum. The exports add up every column of a student's row
as the file stands:

- ``canvas.csv``: Canvas's gradebook import columns ``Student, ID, SIS User ID, SIS Login ID,
  Section, <assignment>``, then a ``Points Possible`` row; Canvas matches students on ``ID``
  (the roster's ``canvas_id``) or the SIS ids. A column header without Canvas's
  `` (<assignment id>)`` suffix makes Canvas create a new assignment with those points.
- ``moodle.csv``: ``Email address, ID number, Full name, <assignment>, Feedback``, the
  columns one maps in Moodle's *Import grades — CSV file* form (identify users by email or ID
  number; the grade column to the grade item; the feedback column to its feedback). Moodle
  reads the maximum from the grade item, so the file has no points row.

Students of the roster without a submission are left blank (no grade) in both files.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from teaching.submissions import Student, read_roster

POINTS_ROW = "(points possible)"
HAND_POINTS = 1.0  # the default points of a written exercise; edit the points row of scores.csv to change them
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Email address", "ID number", "Full name"]


def write_scores(path: Path, rows: list[dict], order: list[str], hand: list[str]) -> None:
    """``scores.csv`` from the rows of ``grades.csv``: auto columns in ``order``, then hand columns for ``hand``."""
    labels = [label for label in order if any(row["exercise"] == label for row in rows)]
    labels += sorted({row["exercise"] for row in rows} - set(labels))
    points = {row["exercise"]: float(row["points"]) for row in rows}
    hand_columns = [f"{label} (by hand)" for label in hand]
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *labels, *hand_columns, "total", "late"])
        possible = sum(points[label] for label in labels) + HAND_POINTS * len(hand)
        writer.writerow([POINTS_ROW, *(f"{points[label]:g}" for label in labels),
                         *(f"{HAND_POINTS:g}" for _ in hand), f"{possible:g}", ""])
        for student in sorted({row["student"] for row in rows}):
            mine = {row["exercise"]: row for row in rows if row["student"] == student}
            scores = [mine[label]["score"] if label in mine else "" for label in labels]
            late = "late" if any(row["late"] for row in mine.values()) else ""
            total = sum(float(score) for score in scores if score != "")
            writer.writerow([student, *scores, *("" for _ in hand), f"{total:g}", late])


def write_feedback(folder: Path, rows: list[dict], hand: dict[str, list[str]]) -> None:
    """``feedback/<student>.md``: each exercise's score, status and what to look at, per answer.

    ``hand``: each student's exercises with a written part, graded by hand.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for student in sorted({row["student"] for row in rows}):
        mine = [row for row in rows if row["student"] == student]
        score = sum(float(row["score"]) for row in mine)
        points = sum(float(row["points"]) for row in mine)
        lines = [f"# Feedback for {student}", "", f"Automatic checks: {score:g} of {points:g} points."]
        if any(row["late"] for row in mine):
            lines.append("This submission was handed in after the deadline.")
        for row in mine:
            lines += ["", f"## {row['exercise']} ({row['notebook']}): {row['score']} of {row['points']} — {row['status']}",
                      "", row["message"]]
            if row["answers"]:
                lines += ["", *(f"- {part.strip()}" for part in row["answers"].split(";"))]
        written = hand.get(student, [])
        if written:
            lines += ["", "## Graded by hand", "", *(f"- {label}: written answer, graded separately" for label in written)]
        (folder / f"{_safe(student)}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "student"


def read_scores(path: Path) -> tuple[float, dict[str, tuple[float, bool]]]:
    """The points possible and each student's (total, late) from ``scores.csv``, hand columns included."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    header, rows = table[0], table[1:]
    columns = [i for i, name in enumerate(header) if name not in ("student", "total", "late")]
    possible, totals = 0.0, {}
    for row in rows:
        values = [_number(row[i], header[i], row[0]) for i in columns if i < len(row)]
        total = sum(value for value in values if value is not None)
        if row[0] == POINTS_ROW:
            possible = total
        else:
            totals[row[0]] = (total, "late" in row[header.index("late")] if "late" in header else False)
    return possible, totals


def _number(text: str, column: str, student: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"scores.csv: {student!r}, column {column!r}: {text!r} is not a number") from None


def export(out: Path, roster: list[Student], assignment: str) -> tuple[Path, Path]:
    """Write ``canvas.csv`` and ``moodle.csv`` in ``out`` from ``out/scores.csv``."""
    possible, totals = read_scores(out / "scores.csv")
    canvas, moodle = out / "canvas.csv", out / "moodle.csv"
    with canvas.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CANVAS_COLUMNS, assignment])
        writer.writerow(["Points Possible", "", "", "", "", f"{possible:g}"])
        for student in roster:
            total = totals.get(student.student)
            writer.writerow([student.name or student.student, student.canvas_id, student.sis_user_id,
                             student.sis_login_id, student.section, "" if total is None else f"{total[0]:g}"])
    with moodle.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*MOODLE_COLUMNS, assignment, "Feedback"])
        for student in roster:
            total = totals.get(student.student)
            feedback = "" if total is None else (f"{total[0]:g} of {possible:g} points"
                                                 + (", handed in late" if total[1] else ""))
            writer.writerow([student.email, student.id_number, student.name or student.student,
                             "" if total is None else f"{total[0]:g}", feedback])
    return canvas, moodle


def main(argv: list[str] | None = None) -> tuple[Path, Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("grades", type=Path, help="the grader's output folder (holding scores.csv)")
    parser.add_argument("--roster", type=Path, required=True, help="CSV of the class (see teaching.submissions)")
    parser.add_argument("--assignment", default="gfbook", help="the assignment's name in the gradebook")
    args = parser.parse_args(argv)
    if not (args.grades / "scores.csv").is_file():
        parser.error(f"grades: {args.grades} holds no scores.csv; run teaching.grade first")
    try:
        files = export(args.grades, read_roster(args.roster), args.assignment)
    except ValueError as error:
        parser.error(str(error))
    print(f"wrote {files[0]} and {files[1]}")
    return files


if __name__ == "__main__":
    main()
