"""How an exercise's check is declared, run and reported.

A check is a function registered with :func:`exercise`. Its parameters are, in order, the
*answers* the student defines (each with a one-line description, shown in the student
notebook), the *context* (names the chapter defined before the exercise) and the exercise's
*parameters* (:class:`Parameter`: a size, a condition number, a step, set in the exercise's
parameter cell; the book uses one value, each student of a course gets one drawn from a list
by :meth:`Exercise.draw`). It returns nothing when the answers are right and raises
:class:`Wrong` with a message for the student otherwise. The helpers below (``number``,
``array``, ``close``, ...) raise ``Wrong`` with a message that names the answer and says what
is expected of it, never its value.

Partial credit: the lines that judge one answer go in a ``with part("name"):`` block; a
failure inside it fails that answer only, and the check goes on with the next part. A failure
outside every part fails every answer. Each answer carries a weight (1 unless the exercise
says otherwise); :class:`CheckResult` holds the verdict per answer and the score.

Hidden checks: the grader also runs the checks registered with :func:`hidden` (kept in an
instructor's module, not in this package) and seeds :func:`probe_rng`, from which checks draw
the inputs on which they call a student's function, from the course's secret.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import hashlib
import inspect
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REGISTRY: dict[str, Exercise] = {}
HIDDEN: dict[str, list[Callable[..., None]]] = {}  # label -> the grader-only checks registered with `hidden`


class Wrong(Exception):
    """An answer is wrong; the message says what is wrong without giving the answer away."""


class _Missing:
    """Stands for an answer the student has not defined (or left as the placeholder ``...``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass(frozen=True)
class Parameter:
    """A value an exercise is set with: the book's, and the ones a student of a course may be given."""

    book: Any
    choices: tuple[Any, ...]
    description: str

    def __post_init__(self):
        if not self.choices:
            raise ValueError("choices must list at least one value")


@dataclass(frozen=True)
class Verdict:
    """The verdict on one answer: right or not, why, and its weight."""

    passed: bool
    message: str
    weight: float


@dataclass(frozen=True)
class Exercise:
    """A registered check: what the student defines, what the chapter provides, its parameters, and the test."""

    label: str
    answers: dict[str, str]
    context: tuple[str, ...]
    function: Callable[..., None] = field(repr=False)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.answers, *self.context, *self.parameters)

    @property
    def points(self) -> float:
        """The sum of the answers' weights, which is what the exercise is worth."""
        return float(sum(self.weight(name) for name in self.answers))

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 1.0))

    def book_parameters(self) -> dict[str, Any]:
        """The parameter values the book uses."""
        return {name: parameter.book for name, parameter in self.parameters.items()}

    def draw(self, student: str, secret: str) -> dict[str, Any]:
        """The parameter values of ``student`` in a course whose secret is ``secret``: the same on every call."""
        rng = random.Random(_digest("parameters", secret, self.label, student))
        return {name: parameter.choices[rng.randrange(len(parameter.choices))]
                for name, parameter in self.parameters.items()}

    def probe_seed(self, student: str, secret: str) -> int:
        """The seed of ``probe_rng()`` when this exercise is graded for ``student``."""
        return _digest("probes", secret, self.label, student)

    def parameter_cell(self, values: Mapping[str, Any] | None = None) -> str:
        """The code of the exercise's parameter cell: one assignment per parameter (the book's values by default)."""
        values = self.book_parameters() if values is None else values
        return "\n".join(f"{name} = {values[name]!r}  # {parameter.description}"
                         for name, parameter in self.parameters.items())

    def call(self, *, strict: bool = False, width: int = 88, namespace: bool = False) -> str:
        """The code that runs this check in a notebook, wrapped to ``width`` characters (the book's column).

        ``strict=True`` gives the call that ends a worked solution in the book; ``namespace=True``
        the students' call, which looks the names up in the notebook (``globals()``), so that a
        name not yet defined gets the check's message rather than a ``NameError``.
        """
        if namespace:
            return f'check("{self.label}", globals())'
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
    """The verdict of one check: true when every answer is right; shown in a notebook as one line.

    ``parts`` holds the :class:`Verdict` on each answer; ``score`` and ``points`` are their weights.
    """

    label: str
    passed: bool
    message: str
    parts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return float(sum(v.weight for v in self.parts.values() if v.passed))

    @property
    def points(self) -> float:
        return float(sum(v.weight for v in self.parts.values()))

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        right = sum(v.passed for v in self.parts.values())
        partly = f" ({right} of {len(self.parts)} answers right)" if 0 < right < len(self.parts) else ""
        return f"{'PASSED' if self.passed else 'NOT YET'} {self.label}{partly}: {self.message}"


def _digest(*words: str) -> int:
    return int.from_bytes(hashlib.sha256("\x00".join(words).encode()).digest()[:8], "big")


def exercise(label: str, *, answers: dict[str, str], context: tuple[str, ...] = (),
             parameters: dict[str, Parameter] | None = None, weights: dict[str, float] | None = None) -> Callable:
    """Register the decorated function as the check of exercise ``label``.

    ``weights``: the points of each answer (1 when not given).
    """
    parameters, weights = dict(parameters or {}), dict(weights or {})

    def register(function: Callable[..., None]) -> Callable[..., None]:
        names = [*answers, *context, *parameters]
        taken = list(inspect.signature(function).parameters)
        if taken != names:
            raise TypeError(f"the check of {label} must take {names}, it takes {taken}")
        if set(weights) - set(answers) or any(not w > 0 for w in weights.values()):
            raise ValueError(f"the weights of {label} must be positive numbers for some of {list(answers)}")
        if label in REGISTRY:
            raise ValueError(f"exercise {label!r} has two checks")
        REGISTRY[label] = Exercise(label, dict(answers), tuple(context), function, parameters, weights)
        return function

    return register


def hidden(label: str) -> Callable:
    """Register the decorated function as a grader-only check of exercise ``label`` (same names as its check).

    Call it in a module the grader loads (``python -m teaching.grade --checks DIR``), not in
    this package: students install this package, and a check they can read is not hidden.
    """

    def register(function: Callable[..., None]) -> Callable[..., None]:
        names = list(lookup(label).names)
        taken = list(inspect.signature(function).parameters)
        if taken != names:
            raise TypeError(f"the hidden check of {label} must take {names}, it takes {taken}")
        HIDDEN.setdefault(label, []).append(function)
        return function

    return register


_FAILURES: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("failures", default=None)
_MISSING_NAMES: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("missing", default=None)
_PROBE_SEED: contextvars.ContextVar[int] = contextvars.ContextVar("probe_seed", default=0)


@contextlib.contextmanager
def part(*names: str) -> Iterator[None]:
    """Judge the answers ``names`` in this block: a failure here fails them only, and the check goes on."""
    failures = _FAILURES.get()
    if failures is None:  # outside evaluate(): behave like plain code
        yield
        return
    undefined = _MISSING_NAMES.get() or {}
    missing = [name for name in names if name in undefined]
    try:
        yield
    except Exception as error:  # noqa: BLE001 -- a student's code may raise anything: it fails this part
        for name in names:
            if name in missing:
                failures.setdefault(name, undefined[name])
            elif isinstance(error, Wrong):
                failures.setdefault(name, str(error))
            else:
                failures.setdefault(name, f"checking `{name}` raised {type(error).__name__}: {error}")
    else:
        for name in missing:
            failures.setdefault(name, undefined[name])


def probe_rng() -> np.random.Generator:
    """Random numbers for a check's probe inputs: fixed for feedback, drawn from the course secret when graded."""
    return np.random.default_rng(_PROBE_SEED.get())


def lookup(label: str) -> Exercise:
    """The registered exercise ``label``; a ValueError naming ``label`` and the nearest labels otherwise."""
    if not isinstance(label, str):
        raise TypeError(f"label must be a string such as 'ex-gf-euler', got {type(label).__name__}")
    if label not in REGISTRY:
        near = difflib.get_close_matches(label, REGISTRY, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; the checked exercises are {', '.join(sorted(REGISTRY))}"
        raise ValueError(f"label {label!r} is not an exercise with a check{hint}")
    return REGISTRY[label]


def evaluate(exercise: Exercise, values: Mapping[str, Any], *, seed: int | None = None,
             hidden: bool = False) -> CheckResult:
    """Run ``exercise``'s check on ``values``; never raises for a wrong answer.

    An answer missing from ``values`` (or left as ``...``) fails with a message saying so; the
    others are still judged. ``seed``: the seed of ``probe_rng()`` (default: fixed per
    exercise). ``hidden``: run the exercise's hidden checks too (the grader does).
    """
    def result(failures: dict[str, str]) -> CheckResult:
        parts = {name: Verdict(name not in failures, failures.get(name, "right"), exercise.weight(name))
                 for name in exercise.answers}
        messages = list(dict.fromkeys(failures[name] for name in exercise.answers if name in failures))
        return CheckResult(exercise.label, not failures, "; ".join(messages) or "all checks passed", parts)

    setup = [name for name in exercise.names[len(exercise.answers):] if name not in values]
    if setup:
        where = ("the exercise's parameter cell" if set(setup) <= set(exercise.parameters)
                 else "the chapter's cells above the exercise")
        message = f"{_names(setup)} {'is' if len(setup) == 1 else 'are'} not defined: run {where} first"
        return result(dict.fromkeys(exercise.answers, message))
    undefined = [name for name in exercise.answers if name not in values]
    placeholders = [name for name in exercise.answers if name in values and values[name] is Ellipsis]
    missing = {}
    if undefined:
        verb = "is" if len(undefined) == 1 else "are"
        missing |= dict.fromkeys(undefined, f"{_names(undefined)} {verb} not defined: run your answer cell first")
    if placeholders:
        missing |= dict.fromkeys(placeholders, f"replace the placeholder ... in {_names(placeholders)} with your answer")
    if len(missing) == len(exercise.answers):
        return result(missing)
    failures: dict[str, str] = {}
    arguments = {name: MISSING if name in missing else values[name] for name in exercise.names}
    tokens = (_FAILURES.set(failures), _MISSING_NAMES.set(missing),
              _PROBE_SEED.set(_digest("probes", "", exercise.label) if seed is None else int(seed)))
    try:
        for check in [exercise.function, *(HIDDEN.get(exercise.label, []) if hidden else [])]:
            try:
                check(**arguments)
            except Exception as error:  # noqa: BLE001 -- outside every part: every answer not yet judged fails
                message = str(error) if isinstance(error, Wrong) else (
                    f"checking your answer raised {type(error).__name__}: {error}")
                for name in exercise.answers:
                    failures.setdefault(name, missing.get(name, message))
    finally:
        for variable, token in zip((_FAILURES, _MISSING_NAMES, _PROBE_SEED), tokens, strict=True):
            variable.reset(token)
    for name, message in missing.items():
        failures.setdefault(name, message)
    return result(failures)


def _names(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


# --- helpers for writing checks: each raises Wrong with a message naming the answer ----------------


def _defined(name: str, value: Any) -> None:
    if value is MISSING:
        raise Wrong(f"`{name}` is not defined: run your answer cell first")


def number(name: str, value: Any) -> float:
    """``value`` as a finite float."""
    _defined(name, value)
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
    _defined(name, value)
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
    _defined(name, value)
    if not callable(value):
        raise Wrong(f"`{name}` should be a function, got {_describe(value)}")
    return value


def mapping(name: str, value: Any, keys: list[Any]) -> dict[Any, Any]:
    """``value`` as a dict with exactly the given keys (numeric keys are matched as floats)."""
    _defined(name, value)
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
    _defined(name, value)
    value, reference = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    if value.shape != reference.shape:
        raise Wrong(f"`{name}` should have shape {reference.shape}, got shape {value.shape}")
    if not np.allclose(value, reference, rtol=rtol, atol=atol, equal_nan=False):
        tolerance = " and ".join(text for text in (rtol and f"relative {rtol:g}", atol and f"absolute {atol:g}") if text)
        raise Wrong(f"`{name}` does not match the reference (to {tolerance})" + (f": {hint}" if hint else ""))


def boolean(name: str, value: Any) -> bool:
    """``value`` must be True or False (numpy booleans accepted)."""
    _defined(name, value)
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
