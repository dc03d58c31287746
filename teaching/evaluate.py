"""Judge one submission's answers in a fresh interpreter that the student's notebook never ran in.

The grader (:mod:`teaching.grade`) starts ``python -m teaching.evaluate`` once per executed
submission and writes a job to its standard input (JSON): the file of answers the notebook's
kernel left (``answers``: each name pickled by value with cloudpickle), the file of the names
the chapter defines before its exercises (``context``, from the grader's own run of the book's
chapter, so that a submission cannot redefine what its answers are compared with), the exercises to judge
with the student's parameters and probe seed, the folders of hidden checks to load, the paths
to confine, and a nonce. This process first imports the checks (``gfbook.exercises`` and the
hidden ones) and records every function of the checking code, then confines itself
(:mod:`teaching.sandbox`), then unpickles the answers and judges them one exercise at a time.
Before each verdict it compares the checking code with the record: a submission whose code
replaced part of it (say ``close`` or ``check_namespace``) gets ``tampered`` from there on.
Each verdict is one line on standard output, starting with the nonce.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
import types
from pathlib import Path

WATCHED = ("gfbook", "numpy", "builtins", "math", "teaching")


def _load_hidden(folders: list[str]) -> None:
    for folder in folders:
        for path in sorted(Path(folder).glob("*.py")):
            spec = importlib.util.spec_from_file_location(f"_gfbook_hidden_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)


def _fingerprint() -> dict[tuple[str, str], tuple[int, ...]]:
    """Identity of every attribute (and function code) of the checking code's modules."""
    prints = {}
    for name, module in list(sys.modules.items()):
        if not isinstance(module, types.ModuleType) or name.split(".")[0] not in WATCHED:
            continue
        for attribute, value in list(vars(module).items()):
            code = getattr(value, "__code__", None)
            prints[(name, attribute)] = (id(value), id(code), id(getattr(value, "__defaults__", None)),
                                         id(getattr(value, "__kwdefaults__", None)))
    return prints


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(f"{module}.{name}" for (module, name), mark in before.items() if after.get((module, name)) != mark)


def _unpickle(path: str) -> tuple[dict, dict]:
    """The values a kernel pickled name by name (:data:`teaching.confined.DUMP`), and why others could not be."""
    import cloudpickle  # noqa: F401 -- imported before the sandbox and the answers

    stored = cloudpickle.loads(Path(path).read_bytes())
    values, problems = {}, dict(stored.get("errors", {}))
    for name, blob in stored.get("values", {}).items():
        try:
            values[name] = cloudpickle.loads(blob)
        except Exception as error:  # noqa: BLE001 -- an answer the grader cannot rebuild: reported per name
            problems[name] = f"{type(error).__name__}: {error}"
    return values, problems


def main() -> None:
    job = json.loads(sys.stdin.readline())
    nonce = job["nonce"]
    out = sys.stdout

    def say(record: dict) -> None:
        out.write(f"{nonce} {json.dumps(record)}\n")
        out.flush()

    import cloudpickle  # noqa: F401 -- imported before the sandbox and the answers
    import numpy as np  # noqa: F401 -- watched: imported before any student code

    from gfbook.exercises import _framework
    from gfbook.exercises import exercises as registered
    from teaching import sandbox

    _load_hidden(job.get("checks", []))
    table = registered()
    before = _fingerprint()
    sandbox.install(job["allow"], job["deny"])
    values, problems = _unpickle(job["answers"])
    context = _unpickle(job["context"])[0] if job.get("context") else {}
    for item in job["exercises"]:
        exercise = table[item["label"]]
        parameters = {name: ast.literal_eval(text) for name, text in item["parameters"].items()}
        given = {name: values[name] for name in exercise.answers if name in values}
        given |= {name: context[name] if name in context else values[name] for name in exercise.context
                  if name in context or name in values}
        result = _framework.evaluate(exercise, {**given, **parameters}, seed=item["seed"], hidden=True)
        changed = _changed(before, _fingerprint())
        if changed:
            say({"label": exercise.label, "tampered": changed[:5]})
            return
        parts = {name: [v.passed, v.message, v.weight] for name, v in result.parts.items()}
        unpickled = {name: problems[name] for name in exercise.answers if name in problems}
        say({"label": exercise.label, "parts": parts, "unpickled": unpickled})


if __name__ == "__main__":
    main()
