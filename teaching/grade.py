"""Grade a folder of submitted notebooks: a score per student, exercise and answer, written as it goes.

Usage (from the repository root)::

    .venv/bin/python -m teaching.grade SUBMISSIONS [--out _build/grades] [--jobs 2]
        [--roster roster.csv] [--secret-file secret.txt] [--exercises ex-a,ex-b] [--due 2026-12-01T23:59]
        [--checks DIR] [--time-limit 600] [--cell-time-limit 120] [--jax-cache DIR | --no-jax-cache]

How one notebook is graded:

1. **A private copy.** The notebook is copied alone into its own working folder under
   ``<out>/work/``; its ``parameters`` cell is reset to the chapter's, each exercise's
   parameter cell to the student's values (drawn from ``--secret-file`` by
   :meth:`gfbook.exercises.Exercise.draw`; the book's values without a secret), and the
   students' own check cells are dropped.
2. **A confined kernel.** It runs top to bottom in a fresh kernel that works in that folder,
   with a scrubbed environment, under :mod:`teaching.sandbox`: it cannot read the
   submissions, the other working folders, the grader's output, the secret or the hidden
   checks, nor start processes. A cell gets ``--cell-time-limit`` seconds, then an interrupt;
   a cell that ignores the interrupt (a JAX loop) is killed with its process group, and the
   notebook is run again without it. The whole notebook gets ``--time-limit`` seconds.
3. **Checks the student's code cannot replace.** The kernel's last act is to pickle the
   answers' values; a fresh interpreter that imported the checks before loading them judges
   them (:mod:`teaching.evaluate`), with the student's parameters, probe inputs drawn from the
   secret, and the hidden checks in ``--checks`` folders. Each exercise's check has its own
   time limit. The names a check takes from the chapter (its context) come from one run of
   the book's own chapter per batch (:func:`reference_context`), not from the submission.

Every answer scores its weight when right (partial credit); an answer cell that raised after
defining its names is still judged, and its error reported. Statuses: ``passed``,
``partial``, ``failed``, ``error`` (the answer cell raised and not every answer is right),
``timeout``, ``malformed`` (not a readable notebook), ``tampered`` (the submission changed the
checking code). Written answers (pencil-and-paper and proofs) get an empty column in
``scores.csv`` for the grade by hand.

Writes, in ``<out>``: ``grades.csv`` (one row per student and exercise, appended as each
notebook finishes), ``scores.csv`` (one row per student, a points-possible row, the
hand-graded columns), ``feedback/<student>.md``, ``warnings.txt`` (duplicates, unknown
names), ``executed/<student>/<notebook>`` and, with ``--roster``, the gradebook files
``canvas.csv`` and ``moodle.csv`` (:mod:`teaching.gradebook`). One line per notebook reports
the progress.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import nbformat

from gfbook.exercises import exercises
from teaching import gradebook
from teaching.confined import DUMP, Course, execute, judge
from teaching.notebooks import (
    ROOT,
    chapters,
    exercise_kinds,
    exercise_labels,
    kernel_environment,
    load,
    written_kind,
)
from teaching.submissions import Student, Submission, find_submissions, read_roster, resolve_duplicates

CHAPTERS = chapters()
FIELDS = ["student", "notebook", "exercise", "score", "points", "status", "answers", "message", "late"]


def checked_labels() -> dict[str, list[str]]:
    """For each chapter notebook's name, its exercises that have a check, in book order."""
    registered = exercises()
    return {path.name: [label for label in exercise_labels(load(path)) if label in registered] for path in CHAPTERS}


def written_labels() -> dict[str, list[str]]:
    """For each chapter notebook's name, its exercises with a written part (pencil and paper, proof), graded by hand."""
    kinds = exercise_kinds()
    return {path.name: [label for label in exercise_labels(load(path)) if written_kind(kinds.get(label))]
            for path in CHAPTERS}


def chapter_of(path: Path, notebook: dict | None, table: dict[str, list[str]], hint: str = "") -> str | None:
    """The chapter notebook ``path`` answers: by its name, else by the exercise labels in its cells' metadata."""
    for name in table:
        if Path(name).stem in (hint or path.stem) or Path(name).stem in path.stem:
            return name
    if notebook is not None:
        labels = {cell.get("metadata", {}).get("exercise") for cell in notebook.get("cells", [])}
        for name, chapter_labels in table.items():
            if labels & set(chapter_labels):
                return name
    return None


# --- preparing one notebook ------------------------------------------------------------------------


def prepare(notebook: nbformat.NotebookNode, chapter: str, labels: list[str], student: str,
            secret: str) -> tuple[nbformat.NotebookNode, dict[str, dict[str, str]]]:
    """The notebook as it will run, and each exercise's parameters (name -> repr) for the checks."""
    original = {cell.get("id"): cell for cell in nbformat.read(ROOT / "chapters" / chapter, as_version=4).cells}
    book_parameters = next((cell.source for cell in original.values()
                            if "parameters" in cell.get("metadata", {}).get("tags", [])), None)
    registered = exercises()
    values = {label: (registered[label].draw(student, secret) if secret else registered[label].book_parameters())
              for label in labels}
    cells, placed = [], set()
    for cell in notebook.cells:
        metadata = cell.get("metadata", {})
        tags = metadata.get("tags", [])
        if "exercise-check" in tags:
            continue
        if cell.cell_type == "code" and "parameters" in tags and book_parameters is not None:
            cell.source = book_parameters
        label = metadata.get("exercise-parameters")
        if label in values:
            cell.source = registered[label].parameter_cell(values[label])
            placed.add(label)
        if cell.cell_type == "code" and metadata.get("exercise") in values and metadata["exercise"] not in placed:
            missing = metadata["exercise"]
            if registered[missing].parameters:  # the student deleted the parameter cell: put it back
                cells.append(nbformat.v4.new_code_cell(registered[missing].parameter_cell(values[missing]),
                                                       metadata={"exercise-parameters": missing}))
            placed.add(missing)
        cells.append(cell)
    names = sorted({name for label in labels for name in (*registered[label].answers, *registered[label].context)})
    cells.append(nbformat.v4.new_code_cell(DUMP.format(names=names), metadata={"gfbook-grader": "dump"}))
    notebook.cells = cells
    return notebook, {label: {name: repr(value) for name, value in values[label].items()} for label in labels}


def reference_context(chapter: str, labels: list[str], course: Course) -> Path | None:
    """The names the chapter defines before ``labels`` (their context), from a run of the book's own notebook.

    Every submission's ``parameters`` cell is reset to the chapter's, so these values are the
    ones each submission's notebook computes, unless it changed them: the checks use these.
    """
    names = sorted({name for label in labels for name in exercises()[label].context})
    if not names:
        return None
    work = course.out / "work" / f"reference-{Path(chapter).stem}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    notebook = nbformat.read(ROOT / "chapters" / chapter, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(DUMP.format(names=names), metadata={"gfbook-grader": "dump"}))
    start = time.monotonic()
    _, problems = execute(notebook, work, course, time.monotonic() + course.time_limit)
    kept = course.out / "cache" / f"context-{Path(chapter).stem}.pkl"
    if not (work / "answers.pkl").exists():
        course.notes.append(f"the book's {chapter} did not run to its end ({problems}): each submission's own "
                            "context is used for its checks")
        return None
    shutil.move(work / "answers.pkl", kept)
    shutil.rmtree(work, ignore_errors=True)
    print(f"the book's {chapter}, run for the checks' context: {time.monotonic() - start:.1f} s", flush=True)
    return kept


# --- one notebook, start to end --------------------------------------------------------------------


def grade_notebook(submission: Submission, course: Course, number: int, labels_for) -> list[dict]:
    """The rows of ``grades.csv`` for one submission; never raises for a bad submission."""
    try:
        return _grade_notebook(submission, course, number, labels_for)
    except Exception as error:  # noqa: BLE001 -- a notebook so odd that grading it failed: zero, and go on
        chapter = chapter_of(submission.path, None, course.table, submission.chapter_hint)
        labels = labels_for(chapter) or ["(unknown chapter)"]
        return [_row(submission, label, 0, _points(label), "error",
                     f"the grader could not run this notebook ({type(error).__name__}: {error})") for label in labels]


def _points(label: str) -> float:
    exercise = exercises().get(label)
    return exercise.points if exercise else 0.0


def _row(submission: Submission, label: str, score: float, points: float, status: str, message: str,
         answers: str = "") -> dict:
    return {"student": submission.student, "notebook": submission.path.name, "exercise": label,
            "score": f"{score:g}", "points": f"{points:g}", "status": status, "answers": answers,
            "message": message, "late": "late" if submission.late else ""}


def _grade_notebook(submission: Submission, course: Course, number: int, labels_for) -> list[dict]:
    path = submission.path
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 -- invalid JSON, not a notebook, cells without their keys
        chapter = chapter_of(path, None, course.table, submission.chapter_hint)
        labels = labels_for(chapter) or ["(unknown chapter)"]
        message = f"not a readable notebook ({type(error).__name__}); re-download it from Jupyter and submit again"
        return [_row(submission, label, 0, _points(label), "malformed", message) for label in labels]
    chapter = chapter_of(path, notebook, course.table, submission.chapter_hint)
    labels = labels_for(chapter)
    made_for = (notebook.metadata.get("gfbook") or {}).get("student")
    if made_for and made_for != submission.student:
        course.notes.append(f"{submission.student}: {path.name} is the notebook made for {made_for!r}")
    if made_for and not course.secret:
        course.notes.append(f"{submission.student}: {path.name} was made with its student's parameters, "
                            "but this run has no --secret-file: it is graded with the book's")
    if not labels:
        return [_row(submission, "(unknown chapter)", 0, 0, "malformed",
                     "no chapter's exercises of this assignment found in this notebook")]
    work = course.out / "work" / f"{number:04d}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    deadline = time.monotonic() + course.time_limit
    notebook, parameters = prepare(notebook, chapter, labels, submission.student, course.secret)
    executed, problems = execute(notebook, work, course, deadline)
    answer_problem = {}
    for index, problem in problems.items():
        label = executed.cells[index].get("metadata", {}).get("exercise") if index >= 0 else None
        if label:
            answer_problem[label] = problem
    registered = exercises()
    if (work / "answers.pkl").exists():
        if chapter in course.references:
            shutil.copy(course.references[chapter], work / "context.pkl")
        items = [{"label": label, "parameters": parameters[label],
                  "seed": registered[label].probe_seed(submission.student, course.secret)} for label in labels]
        verdicts = judge(work, items, course)
    else:
        dump = problems.get(len(executed.cells) - 1) or problems.get(-1)
        verdicts = {label: {"label": label, "lost": dump or "the notebook did not run to its end"} for label in labels}
    _keep_executed(executed, course.out / "executed" / submission.student / path.name)
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(course.kernels / work.name, ignore_errors=True)
    return [_outcome(submission, label, verdicts.get(label, {}), answer_problem.get(label)) for label in labels]


def _keep_executed(notebook, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook.cells = [cell for cell in notebook.cells if "gfbook-grader" not in cell.get("metadata", {})]
    try:
        nbformat.write(notebook, target)
    except Exception as error:  # noqa: BLE001 -- an executed notebook nbformat will not write: note it, go on
        target.with_suffix(".txt").write_text(f"could not write the executed notebook: {error}\n", encoding="utf-8")


def _outcome(submission: Submission, label: str, verdict: dict, problem: str | None) -> dict:
    points = _points(label)
    raised = f"your answer cell raised {problem}" if problem and problem != "timeout" else ""
    timed_out = "your answer cell ran out of time (an infinite loop?)"
    if problem == "timeout" and "parts" not in verdict:
        return _row(submission, label, 0, points, "timeout", timed_out)
    if "tampered" in verdict:
        changed = ", ".join(verdict["tampered"])
        return _row(submission, label, 0, points, "tampered", f"the notebook changed the checking code ({changed})")
    if "timeout" in verdict:
        return _row(submission, label, 0, points, "timeout", "the check ran out of time (does your function loop?)")
    if "stopped" in verdict:
        return _row(submission, label, 0, points, "error",
                    "checking your answer stopped the checking process (does your code exit Python?)")
    if "lost" in verdict:
        return _row(submission, label, 0, points, "error" if problem else "failed",
                    raised or f"no answers could be collected: {verdict['lost']}")
    if "parts" not in verdict:
        return _row(submission, label, 0, points, "error", "the check could not run")
    parts = verdict["parts"]
    for name, why in verdict.get("unpickled", {}).items():
        parts[name] = [False, f"`{name}` could not be passed to the grader ({why})", parts[name][2]]
    score = sum(weight for passed, _, weight in parts.values() if passed)
    messages = list(dict.fromkeys(message for passed, message, _ in parts.values() if not passed))
    detail = "; ".join(f"{name} {'right' if passed else 'wrong'} ({weight:g})"
                       for name, (passed, _, weight) in parts.items())
    if score == points:
        status, message = "passed", "all checks passed"
    elif problem == "timeout":
        status, message = "timeout", "; ".join([timed_out, *messages])
    else:
        status = "error" if raised else ("partial" if score > 0 else "failed")
        message = "; ".join(messages)
    if raised:
        message = f"{raised}; {message}" if score < points else f"{raised} (after defining every answer)"
    return _row(submission, label, score, points, status, message, detail)


# --- the batch -------------------------------------------------------------------------------------


def grade(folder: Path, out: Path, *, time_limit: float = 600, cell_limit: float = 120, jobs: int = 1,
          jax_cache: Path | None = None, roster: list[Student] | None = None, secret: str = "",
          only: list[str] | None = None, due: datetime | None = None, checks: list[Path] = (),
          secret_file: Path | None = None, assignment: str = "gfbook") -> Path:
    """Grade every notebook under ``folder`` into ``out`` (see the module's docstring); returns ``out``."""
    folder, out = Path(folder).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    table, written = checked_labels(), written_labels()
    if only is not None:
        unknown = sorted(set(only) - {label for labels in (*table.values(), *written.values()) for label in labels})
        if unknown:
            raise ValueError(f"exercises: {unknown} are not exercises of the book")
    caches = [out / "cache"]
    (out / "cache").mkdir(exist_ok=True)
    jax_cache = Path(jax_cache).resolve() if jax_cache is not None else None
    env = kernel_environment(jax_cache) | {"MPLCONFIGDIR": str(out / "cache" / "matplotlib"), "JAX_PLATFORMS": "cpu"}
    caches += [jax_cache] if jax_cache is not None else []
    deny = [folder, out, *[Path(p).resolve() for p in checks]]
    if secret_file is not None:
        deny.append(Path(secret_file).resolve())
    course = Course(out, table, written, secret, [Path(p).resolve() for p in checks], deny, caches, time_limit,
                    cell_limit, env)

    def labels_for(chapter: str | None) -> list[str]:
        labels = table.get(chapter, []) if chapter else []
        return [label for label in labels if only is None or label in only]

    found, warnings = find_submissions(folder, roster=roster, chapters=[p.stem for p in CHAPTERS], due=due)

    def chapter_key(submission):
        return chapter_of(submission.path, None, table, submission.chapter_hint) or submission.path.name

    submissions, duplicates = resolve_duplicates(found, chapter_key)
    warnings += duplicates
    (out / "warnings.txt").write_text("".join(f"{w}\n" for w in warnings), encoding="utf-8")
    for warning in warnings:
        print(f"warning: {warning}", flush=True)
    for chapter in sorted({chapter_key(submission) for submission in submissions} & set(table)):
        reference = reference_context(chapter, labels_for(chapter), course)
        if reference is not None:
            course.references[chapter] = reference
    for stale in ("grades.csv", "scores.csv"):
        (out / stale).unlink(missing_ok=True)
    lock, rows, done = threading.Lock(), [], [0]
    with (out / "grades.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, FIELDS).writeheader()

    def one(numbered):
        number, submission = numbered
        start = time.monotonic()
        graded = grade_notebook(submission, course, number, labels_for)
        with lock:
            rows.extend(graded)
            with (out / "grades.csv").open("a", newline="", encoding="utf-8") as handle:
                csv.DictWriter(handle, FIELDS).writerows(graded)
            done[0] += 1
            score = sum(float(row["score"]) for row in graded)
            points = sum(float(row["points"]) for row in graded)
            statuses = sorted({row["status"] for row in graded})
            print(f"[{done[0]}/{len(submissions)}] {submission.student} {submission.path.name}: "
                  f"{score:g}/{points:g} ({', '.join(statuses)}) in {time.monotonic() - start:.1f} s", flush=True)

    start = time.monotonic()
    numbered = list(enumerate(submissions))
    if jobs > 1:
        with ThreadPoolExecutor(jobs) as pool:  # the work happens in the kernels, one process each
            list(pool.map(one, numbered))
    else:
        for item in numbered:
            one(item)
    shutil.rmtree(out / "work", ignore_errors=True)
    shutil.rmtree(course.kernels, ignore_errors=True)
    for note in course.notes:
        print(f"warning: {note}", flush=True)
    (out / "warnings.txt").write_text("".join(f"{w}\n" for w in [*warnings, *course.notes]), encoding="utf-8")
    order = [label for chapter in table for label in labels_for(chapter)]
    graded_chapters = {chapter_key(submission) for submission in submissions}
    hand = [label for chapter, labels in written.items() if chapter in graded_chapters
            for label in labels if only is None or label in only]
    gradebook.write_scores(out / "scores.csv", rows, order, hand)
    chapter_of_label = {label: chapter for chapter, labels in table.items() for label in labels}
    mine = {}  # each student's written exercises: those of the chapters they handed in
    for row in rows:
        labels = mine.setdefault(row["student"], [])
        labels += [label for label in written.get(chapter_of_label.get(row["exercise"]), [])
                   if label in hand and label not in labels]
    gradebook.write_feedback(out / "feedback", rows, mine)
    if roster is not None:
        gradebook.export(out, roster, assignment)
    print(f"graded {len(submissions)} notebooks of {len({s.student for s in submissions})} students in "
          f"{time.monotonic() - start:.0f} s: {out / 'grades.csv'}, {out / 'scores.csv'}", flush=True)
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades", help="output folder")
    parser.add_argument("--roster", type=Path, help="CSV of the class (a 'student' column; see teaching.submissions)")
    parser.add_argument("--secret-file", type=Path, help="file holding the course's secret: students' parameters")
    parser.add_argument("--exercises", help="comma-separated labels: grade only these exercises")
    parser.add_argument("--due", help="deadline, ISO date and time (2026-12-01T23:59): later files are flagged late")
    parser.add_argument("--checks", type=Path, action="append", default=[], help="folder of hidden checks (*.py)")
    parser.add_argument("--assignment", default="gfbook", help="the assignment's name in the gradebook exports")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds per notebook")
    parser.add_argument("--cell-time-limit", type=float, default=120, help="seconds per cell and per check")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded at once")
    parser.add_argument("--jax-cache", type=Path, default=None,
                        help="folder for JAX's compilation cache, shared by the kernels (default: <out>/cache/jax)")
    parser.add_argument("--no-jax-cache", action="store_true", help="compile from scratch in every kernel")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"submissions: {args.submissions} is not a folder")
    try:
        roster = read_roster(args.roster) if args.roster else None
        due = datetime.fromisoformat(args.due) if args.due else None
    except ValueError as error:
        parser.error(str(error) if "roster" in str(error) else f"due: {args.due!r} is not an ISO date and time")
    secret = ""
    if args.secret_file is not None:
        if not args.secret_file.is_file():
            parser.error(f"secret-file: {args.secret_file} is not a file")
        secret = args.secret_file.read_text(encoding="utf-8").strip()
        if not secret:
            parser.error(f"secret-file: {args.secret_file} is empty")
    for folder in args.checks:
        if not folder.is_dir():
            parser.error(f"checks: {folder} is not a folder")
    only = [label.strip() for label in args.exercises.split(",") if label.strip()] if args.exercises else None
    cache = None if args.no_jax_cache else (args.jax_cache or args.out / "cache" / "jax")
    try:
        return grade(args.submissions, args.out, time_limit=args.time_limit, cell_limit=args.cell_time_limit,
                     jobs=args.jobs, jax_cache=cache, roster=roster, secret=secret, only=only, due=due,
                     checks=args.checks, secret_file=args.secret_file, assignment=args.assignment)
    except ValueError as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
