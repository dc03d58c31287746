"""Run one submission confined: its notebook in a sandboxed kernel, then its answers judged in a fresh interpreter.

The grader (:mod:`teaching.grade`) prepares a notebook and calls :func:`execute`, then
:func:`judge`. The kernel works in the submission's own folder, with a scrubbed environment,
under :mod:`teaching.sandbox`; a cell that outlives its limit and its interrupt is killed with
the kernel's process group, and the notebook is run again without it. The notebook's last cell
(:data:`DUMP`) pickles the answers' values; :mod:`teaching.evaluate` judges them, one exercise
at a time, each with its own time limit.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

GRACE = 10.0  # seconds a cell gets after its interrupt before its kernel is killed
DUMP = """\
import cloudpickle as _gfbook_pickle
_gfbook_values, _gfbook_errors = {{}}, {{}}
for _gfbook_name in {names!r}:
    if _gfbook_name in globals():
        try:
            _gfbook_values[_gfbook_name] = _gfbook_pickle.dumps(globals()[_gfbook_name])
        except Exception as _gfbook_error:
            _gfbook_errors[_gfbook_name] = f"{{type(_gfbook_error).__name__}}: {{_gfbook_error}}"
with open("answers.pkl", "wb") as _gfbook_file:
    _gfbook_file.write(_gfbook_pickle.dumps({{"values": _gfbook_values, "errors": _gfbook_errors}}))
"""


@dataclass
class Course:
    """What every notebook of a grading run shares."""

    out: Path
    table: dict[str, list[str]]
    written: dict[str, list[str]]
    secret: str = ""
    checks: list[Path] = field(default_factory=list)
    deny: list[Path] = field(default_factory=list)
    caches: list[Path] = field(default_factory=list)
    time_limit: float = 600
    cell_limit: float = 120
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # warnings found while grading (list.append is thread-safe)
    references: dict[str, Path] = field(default_factory=dict)  # chapter -> its context, from the book's own run

    @property
    def kernels(self) -> Path:
        return self.out / "kernel"


def _kernel_spec(course: Course, work: Path) -> KernelSpecManager:
    """A kernel spec that starts the kernel under teaching.sandbox, confined to ``work`` and the caches."""
    folder = course.kernels / work.name
    spec = folder / "gfbook-sandbox"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "teaching.sandbox", *[f"--allow={p}" for p in (work, *course.caches)],
            *[f"--deny={p}" for p in course.deny], "kernel", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "gfbook sandbox",
                                                  "language": "python"}), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(folder)])


def _environment(course: Course, work: Path) -> dict[str, str]:
    """The kernel's environment: what Python and JAX need, the caches, and nothing of the grader's."""
    keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT")
    env = {name: value for name, value in course.env.items()
           if name in keep or name.startswith(("JAX_", "XLA_", "OMP_", "MPL"))}
    (work / "tmp").mkdir(exist_ok=True)
    env.update(HOME=str(work), TMPDIR=str(work / "tmp"), IPYTHONDIR=str(work / ".ipython"),
               JUPYTER_CONFIG_DIR=str(work / ".jupyter"), PYDEVD_DISABLE_FILE_VALIDATION="1")
    return env


def _kill(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def execute(notebook: nbformat.NotebookNode, work: Path, course: Course,
            deadline: float) -> tuple[nbformat.NotebookNode, dict[int, str]]:
    """Run ``notebook`` in a confined kernel in ``work``; the problem of each cell that had one (index -> text).

    A cell that outlives its limit and its interrupt is killed with the kernel; the notebook
    is then run again from the top without it, while time is left.
    """
    skip: set[int] = set()
    while True:
        runs = nbformat.from_dict(json.loads(json.dumps(notebook)))
        problems: dict[int, str] = {i: "timeout" for i in skip}
        hung = _execute_once(runs, work, course, deadline, skip, problems)
        if hung is None or time.monotonic() > deadline - 5 or len(skip) >= 3:
            return runs, problems
        skip.add(hung)


def _execute_once(notebook, work, course, deadline, skip, problems) -> int | None:
    """One run; returns the index of a cell that had to be killed, or None."""
    manager = AsyncKernelManager(kernel_name="gfbook-sandbox", kernel_spec_manager=_kernel_spec(course, work))
    client = NotebookClient(notebook, km=manager, timeout=int(course.cell_limit), interrupt_on_timeout=True,
                            allow_errors=True, kernel_name="gfbook-sandbox",
                            resources={"metadata": {"path": str(work)}})
    state = {"cell": None, "start": 0.0, "killed": None, "done": False}

    def watchdog():
        while not state["done"]:
            now = time.monotonic()
            late = state["cell"] is not None and now > state["start"] + course.cell_limit + GRACE
            if late or now > deadline:
                state["killed"] = state["cell"]
                _kill(getattr(manager.provisioner, "pid", None) if manager.provisioner else None)
                return
            time.sleep(0.2)

    guard = threading.Thread(target=watchdog, daemon=True)
    try:
        with client.setup_kernel(env=_environment(course, work), stderr=subprocess.DEVNULL):
            guard.start()
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or index in skip:
                    continue
                if time.monotonic() > deadline - 1:
                    problems[index] = "timeout"
                    continue
                state["cell"], state["start"] = index, time.monotonic()
                problem = _run(client, cell, index)
                state["cell"] = None
                if state["killed"] is not None:
                    problems[index] = "timeout"
                    return index
                if problem:
                    problems[index] = problem
    except Exception as error:  # noqa: BLE001 -- the kernel failed to start or died: grade what there is
        if state["killed"] is not None:
            problems[state["killed"]] = "timeout"
            return state["killed"]
        problems.setdefault(-1, f"the kernel stopped: {type(error).__name__}")
    finally:
        state["done"] = True
        if manager.provisioner is not None:
            _kill(getattr(manager.provisioner, "pid", None))
    return None


def _run(client: NotebookClient, cell, index: int) -> str | None:
    """Execute one cell; None, 'timeout', or the error's 'Name: value'."""
    start, failure = time.monotonic(), None
    try:
        client.execute_cell(cell, index)
    except Exception as error:  # noqa: BLE001 -- a kernel that died, a cell nbclient could not run
        failure = error
    # nbclient interrupts a cell at its limit; on a loaded machine the interrupt's error output can
    # arrive after nbclient stopped waiting for outputs, so the time taken decides, not the output
    if time.monotonic() - start >= client.timeout - 0.5:
        return "timeout"
    if failure is not None:
        lines = str(failure).strip().splitlines()
        return f"{type(failure).__name__}: {lines[-1] if lines else ''}"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {output.get('evalue')}"
    return None


def judge(work: Path, items: list[dict], course: Course) -> dict[str, dict]:
    """The verdict on each exercise of ``items``, from the answers the kernel left in ``work``.

    Each exercise gets ``cell_limit`` seconds (at least); one that runs out of time is marked so,
    and the others are judged in a new process.
    """
    verdicts: dict[str, dict] = {}
    pending = list(items)
    while pending:
        nonce = secrets.token_hex(16)
        context = work / "context.pkl"
        job = {"answers": str(work / "answers.pkl"), "context": str(context) if context.exists() else None,
               "exercises": pending, "checks": [str(p) for p in course.checks],
               "allow": [str(work), *map(str, course.caches)], "deny": [str(p) for p in course.deny], "nonce": nonce}
        process = subprocess.Popen([sys.executable, "-m", "teaching.evaluate"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=work, text=True,
                                   env=_environment(course, work), start_new_session=True)
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.close()
        lines: list[str] = []
        reader = threading.Thread(target=lines.extend, args=(process.stdout,), daemon=True)
        reader.start()
        limit = time.monotonic() + course.cell_limit + 15  # the first check also pays for importing JAX
        seen = 0
        while reader.is_alive() and time.monotonic() < limit:
            reader.join(0.2)
            if len(lines) > seen:
                seen, limit = len(lines), time.monotonic() + course.cell_limit
        timed_out = reader.is_alive()
        _kill(process.pid)
        process.wait()
        reader.join(1)
        for line in lines:
            if line.startswith(nonce + " "):
                record = json.loads(line[len(nonce) + 1:])
                verdicts[record["label"]] = record
        rest = [item for item in pending if item["label"] not in verdicts]
        if not rest:
            break
        if any("tampered" in record for record in verdicts.values()):
            for item in rest:
                verdicts[item["label"]] = {"label": item["label"], "tampered": ["(judging stopped)"]}
            break
        stuck = rest[0]["label"]  # the exercise being judged when the process ran out of time or stopped
        verdicts[stuck] = {"label": stuck, "timeout" if timed_out else "stopped": True}
        pending = rest[1:]
    return verdicts
