"""Who handed in what: the class roster, the submissions folder, LMS download names, duplicates and lateness.

A **roster** is a CSV file with one row per student and a ``student`` column (the id the
grades, the exports and the per-student parameters use). Optional columns: ``name``,
``email``, ``aliases`` (other names the student's files may carry, separated by ``;``, e.g.
the Canvas login ``doejane``), ``canvas_id``, ``sis_user_id``, ``sis_login_id``, ``section``,
``moodle_id`` (the participant number in Moodle's folder names), ``id_number``, ``due`` (an
ISO date and time: this student's deadline, for an extension).

A **submissions folder** holds notebooks in any of these layouts:

- ``<student>/<chapter>.ipynb`` (one folder per student);
- ``<student>_<chapter>.ipynb`` or ``<student>.ipynb`` (flat);
- Canvas's download: ``<login>[_LATE]_<user id>_<submission id>_<file>[-N].ipynb``;
- Moodle's download: ``<Full Name>_<participant id>_assignsubmission_file_/<file>.ipynb``.

With a roster, a file belongs to the student whose id, alias, Canvas user id, Moodle
participant id or name it carries; a file that matches nobody is graded under the name it
carries, with a warning. Several files of one student for one chapter: the one with the
highest Canvas resubmission number ``-N`` counts, then the most recently modified, then the
name that sorts last; each file set aside is named in a warning. A submission is late when
Canvas marked it ``LATE``, or when the file was modified after the deadline (the roster's
``due`` for that student, else ``--due``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

CANVAS = re.compile(r"^(?P<login>[^_]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<submission>\d+)_"
                    r"(?P<file>.+?)(?:-(?P<copy>\d+))?$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_file_?$")


@dataclass(frozen=True)
class Student:
    """One row of the roster."""

    student: str
    name: str = ""
    email: str = ""
    aliases: tuple[str, ...] = ()
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    moodle_id: str = ""
    id_number: str = ""
    due: datetime | None = None

    def keys(self) -> set[str]:
        """The names that identify this student in a file or folder name (lower case)."""
        found = {self.student, self.name, self.canvas_id, self.moodle_id, self.email.split("@")[0], *self.aliases}
        return {key.strip().lower() for key in found if key and key.strip()}


@dataclass
class Submission:
    """One notebook to grade: whose, where, from which file name, late or not."""

    student: str
    path: Path
    chapter_hint: str  # the part of the file name after the student's, e.g. "01_gradient_flow"
    late: bool = False
    copy: int = 0
    known: bool = True
    notes: list[str] = field(default_factory=list)


def _due(text: str, where: str) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not an ISO date and time such as 2026-12-01T23:59") from None


def read_roster(path: Path) -> list[Student]:
    """The students of ``path`` (a CSV with a ``student`` column); a ValueError naming what is wrong otherwise.

    Each id must be usable as a folder name (letters, digits, ``. _ - + @``): the student
    notebooks, the executed notebooks and the feedback are filed under it.
    """
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [(name or "").strip() for name in reader.fieldnames or []]
            rows = [{(key or "").strip(): value for key, value in row.items()} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"roster: cannot read {path} as a CSV file: {error}") from None
    if "student" not in columns:
        raise ValueError(f"roster: {path} has no 'student' column (its columns: {', '.join(columns) or 'none'})")
    if not rows:
        raise ValueError(f"roster: {path} lists no student")
    ids = [(row.get("student") or "").strip() for row in rows]
    duplicates = sorted({student for student in ids if ids.count(student) > 1})
    if duplicates:
        raise ValueError(f"roster: {path} lists these students more than once: {', '.join(duplicates)}")
    students = []
    for number, (student, row) in enumerate(zip(ids, rows, strict=True), start=2):
        if not re.fullmatch(r"[\w.@+-]+", student) or student in (".", ".."):
            raise ValueError(f"roster: line {number} of {path}: student id {student!r} is empty or not usable "
                             "as a folder name (letters, digits, . _ - + @)")
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
        fields = {key: (row.get(key) or "").strip() for key in
                  ("name", "email", "canvas_id", "sis_user_id", "sis_login_id", "section", "moodle_id", "id_number")}
        students.append(Student(student, aliases=aliases, due=_due(row.get("due", ""), f"roster line {number}"),
                                **fields))
    return students


def _parse_name(relative: Path) -> tuple[list[str], str, bool, int]:
    """(the names that may identify the student, the rest of the file name, LATE, resubmission number)."""
    stem = relative.stem
    if len(relative.parts) > 1:
        folder = relative.parts[0]
        moodle = MOODLE.match(folder)
        if moodle:
            return [moodle["participant"], moodle["name"]], stem, False, 0
        return [folder], stem, False, 0
    canvas = CANVAS.match(stem)
    if canvas and "_" in stem:
        return [canvas["user"], canvas["login"]], canvas["file"], bool(canvas["late"]), int(canvas["copy"] or 0)
    return [stem], stem, False, 0


def find_submissions(folder: Path, *, roster: list[Student] | None = None, chapters: list[str] = (),
                     due: datetime | None = None) -> tuple[list[Submission], list[str]]:
    """The notebooks under ``folder``, one per student and chapter, and the warnings about the rest.

    ``chapters``: the chapter stems (``01_gradient_flow``), to split ``<student>_<chapter>`` names.
    """
    found, warnings = [], []
    index = {key: student for student in roster or [] for key in student.keys()}
    deadlines = {student.student: student.due for student in roster or []}
    for path in sorted(Path(folder).rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if ".ipynb_checkpoints" in relative.parts or any(part.startswith(".") for part in relative.parts):
            continue
        names, rest, late, copy = _parse_name(relative)
        student = None
        if len(relative.parts) == 1 and names == [relative.stem]:  # <student>_<chapter>.ipynb or <student>.ipynb
            for chapter in chapters:
                if relative.stem.endswith(f"_{chapter}"):
                    names, rest = [relative.stem[: -len(chapter) - 1]], chapter
        if roster is not None:
            student = next((index[name.lower()] for name in names if name.lower() in index), None)
        if student is None:
            name = names[-1] if len(names) > 1 else names[0]
            submission = Submission(name, path, rest, late, copy, known=roster is None)
            if roster is not None:
                warnings.append(f"{relative}: no student of the roster is called {' or '.join(map(repr, names))}; "
                                f"graded as {name!r}")
        else:
            submission = Submission(student.student, path, rest, late, copy)
        deadline = deadlines.get(submission.student) or due
        if deadline is not None and datetime.fromtimestamp(path.stat().st_mtime) > deadline:
            submission.late = True
        found.append(submission)
    return found, warnings


def resolve_duplicates(submissions: list[Submission], chapter_of) -> tuple[list[Submission], list[str]]:
    """One submission per student and chapter (``chapter_of(submission)``), by the rule in this module's docstring."""
    groups: dict[tuple[str, str | None], list[Submission]] = {}
    for submission in submissions:
        groups.setdefault((submission.student, chapter_of(submission)), []).append(submission)
    kept, warnings = [], []
    for (student, chapter), group in groups.items():
        group.sort(key=lambda s: (s.copy, s.path.stat().st_mtime, s.path.name))
        kept.append(group[-1])
        if len(group) > 1:
            ignored = ", ".join(str(s.path.name) for s in group[:-1])
            warnings.append(f"{student}: {len(group)} files for {chapter or 'an unknown chapter'}; graded "
                            f"{group[-1].path.name} (highest resubmission number, then newest), set aside {ignored}")
    kept.sort(key=lambda s: (s.student, s.path.name))
    return kept, warnings
