"""How an exercise's check is declared, run and reported.

A check is a function registered with :func:`exercise`. Its first parameters are the
*answers* the student defines (each with a one-line description, shown in the student
notebook); the others are *context*, names the chapter defined before the exercise. It
returns nothing when the answers are right and raises :class:`Wrong` with a message for the
student otherwise. The helpers below (``number``, ``array``, ``close``, ...) raise ``Wrong``
with a message that names the answer and says what is expected of it, never its value.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REGISTRY: dict[str, Exercise] = {}


class Wrong(Exception):
    """An answer is wrong; the message says what is wrong without giving the answer away."""


@dataclass(frozen=True)
class Exercise:
    """A registered check: what the student defines, what the chapter provides, and the test."""

    label: str
    answers: dict[str, str]
    context: tuple[str, ...]
    function: Callable[..., None] = field(repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.answers, *self.context)

    def call(self, *, strict: bool = False, width: int = 88) -> str:
        """The code that runs this check in a notebook, wrapped to ``width`` characters (the book's column).

        ``strict=True`` gives the call that ends a worked solution in the book.
        """
        args = [f'"{self.label}"', *(f"{name}={name}" for name in self.names), *(["strict=True"] if strict else [])]
        lines, line = [], "check("
        for i, arg in enumerate(args):
            piece = arg + (")" if i == len(args) - 1 else ",")
            if len(line) + 1 + len(piece) > width and line.strip():
                lines.append(line)
                line = " " * len("check(") + piece
            else:
                line += ("" if line.endswith("(") else " ") + piece
        return "\n".join([*lines, line])


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check. True when it passed; shown in a notebook as one line."""

    label: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"{'PASSED' if self.passed else 'NOT YET'} {self.label}: {self.message}"


def exercise(label: str, *, answers: dict[str, str], context: tuple[str, ...] = ()) -> Callable:
    """Register the decorated function as the check of exercise ``label``."""

    def register(function: Callable[..., None]) -> Callable[..., None]:
        parameters = list(inspect.signature(function).parameters)
        if parameters != [*answers, *context]:
            raise TypeError(f"the check of {label} must take {[*answers, *context]}, it takes {parameters}")
        if label in REGISTRY:
            raise ValueError(f"exercise {label!r} has two checks")
        REGISTRY[label] = Exercise(label, dict(answers), tuple(context), function)
        return function

    return register


def lookup(label: str) -> Exercise:
    """The registered exercise ``label``; a ValueError naming ``label`` and the nearest labels otherwise."""
    if not isinstance(label, str):
        raise TypeError(f"label must be a string such as 'ex-gf-euler', got {type(label).__name__}")
    if label not in REGISTRY:
        near = difflib.get_close_matches(label, REGISTRY, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; the checked exercises are {', '.join(sorted(REGISTRY))}"
        raise ValueError(f"label {label!r} is not an exercise with a check{hint}")
    return REGISTRY[label]


def evaluate(exercise: Exercise, values: Mapping[str, Any]) -> CheckResult:
    """Run ``exercise``'s check on ``values`` (every name it needs); never raises for a wrong answer."""
    missing = [name for name in exercise.names if name not in values]
    if missing:
        where = "your answer cell" if set(missing) & set(exercise.answers) else "the chapter's cells above the exercise"
        verb = "is" if len(missing) == 1 else "are"
        return CheckResult(exercise.label, False, f"{_names(missing)} {verb} not defined: run {where} first")
    placeholders = [name for name in exercise.answers if values[name] is Ellipsis]
    if placeholders:
        return CheckResult(exercise.label, False, f"replace the placeholder ... in {_names(placeholders)} with your answer")
    try:
        exercise.function(**{name: values[name] for name in exercise.names})
    except Wrong as wrong:
        return CheckResult(exercise.label, False, str(wrong))
    except Exception as error:  # noqa: BLE001 -- a student's code may raise anything; report it, don't crash
        return CheckResult(exercise.label, False, f"checking your answer raised {type(error).__name__}: {error}")
    return CheckResult(exercise.label, True, "all checks passed")


def _names(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


# --- helpers for writing checks: each raises Wrong with a message naming the answer ----------------


def number(name: str, value: Any) -> float:
    """``value`` as a finite float."""
    if isinstance(value, (bool, str, bytes)) or not np.isscalar(value) and np.ndim(value) != 0:
        raise Wrong(f"`{name}` should be one number, got {_describe(value)}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise Wrong(f"`{name}` should be one number, got {_describe(value)}") from None
    if not np.isfinite(result):
        raise Wrong(f"`{name}` should be finite, got {result}")
    return result


def array(name: str, value: Any, shape: tuple[int, ...] | None = None, *, finite: bool = True) -> np.ndarray:
    """``value`` as a float numpy array (of ``shape``, where given)."""
    try:
        result = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"`{name}` should be an array of numbers, got {_describe(value)}") from None
    if shape is not None and result.shape != tuple(shape):
        raise Wrong(f"`{name}` should have shape {tuple(shape)}, got shape {result.shape}")
    if finite and not np.all(np.isfinite(result)):
        raise Wrong(f"`{name}` has NaN or infinite entries: did a run diverge?")
    return result


def function(name: str, value: Any) -> Callable:
    """``value`` must be callable."""
    if not callable(value):
        raise Wrong(f"`{name}` should be a function, got {_describe(value)}")
    return value


def mapping(name: str, value: Any, keys: list[Any]) -> dict[Any, Any]:
    """``value`` as a dict with exactly the given keys (numeric keys are matched as floats)."""
    if not isinstance(value, Mapping):
        raise Wrong(f"`{name}` should be a dict with the keys {keys}, got {_describe(value)}")

    def normal(key):
        return float(key) if isinstance(key, (int, float, np.number)) and not isinstance(key, bool) else key

    given = {normal(key): item for key, item in value.items()}
    missing = [key for key in keys if normal(key) not in given]
    if missing:
        raise Wrong(f"`{name}` should have the keys {keys}; missing {missing}")
    return {key: given[normal(key)] for key in keys}


def close(name: str, value: Any, reference: Any, *, rtol: float = 0.0, atol: float = 0.0, hint: str = "") -> None:
    """``value`` must match ``reference`` to the tolerances; the message never shows ``reference``."""
    value, reference = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    if value.shape != reference.shape:
        raise Wrong(f"`{name}` should have shape {reference.shape}, got shape {value.shape}")
    if not np.allclose(value, reference, rtol=rtol, atol=atol, equal_nan=False):
        tolerance = " and ".join(text for text in (rtol and f"relative {rtol:g}", atol and f"absolute {atol:g}") if text)
        raise Wrong(f"`{name}` does not match the reference (to {tolerance})" + (f": {hint}" if hint else ""))


def boolean(name: str, value: Any) -> bool:
    """``value`` must be True or False (numpy booleans accepted)."""
    if not isinstance(value, (bool, np.bool_)):
        raise Wrong(f"`{name}` should be True or False, got {_describe(value)}")
    return bool(value)


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"an array of shape {tuple(shape)}"
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"
