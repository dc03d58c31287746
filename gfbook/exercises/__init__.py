"""Checks for the book's coding exercises: automatic feedback for students and instructors.

In a chapter notebook, after writing an answer::

    from gfbook.exercises import check
    check("ex-gf-euler", euler=euler)

shows ``PASSED ex-gf-euler: all checks passed`` or ``NOT YET ex-gf-euler: <what is wrong>``;
``check("ex-gf-euler", globals())`` looks the names up in the notebook (the student edition's
check cells do this, so that a name not yet defined gets a message rather than a NameError).
The message names the answer and says what is expected of it, never the expected value.
``check(..., strict=True)`` raises ``AssertionError`` instead of returning a failed result;
the book's own solutions use it, so the test suite proves that every solution passes its
check. The instructor's batch grader (``teaching/grade.py``) runs the same checks through
:func:`~gfbook.exercises.check_namespace` on executed submissions.

One module per chapter, named like the chapter's notebook (``ch01_gradient_flow`` for
``chapters/01_gradient_flow.ipynb``), holds that chapter's checks; each reference comes from a closed form,
NumPy/SciPy, or a ``gfbook`` function tested elsewhere against one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gfbook.exercises import (  # noqa: F401 -- importing a chapter's module registers its checks
    ch01_gradient_flow,
    ch02_backward_error_analysis,
    ch03_bdf_stability,
    ch04_approximate_bdf,
    ch05_convergence_rates,
    ch06_momentum,
    ch07_stochastic_gradients,
    ch08_corridors,
    ch09_deep_networks,
    ch10_edge_of_stability,
)
from gfbook.exercises._framework import REGISTRY, CheckResult, Exercise, Parameter, Verdict, evaluate, hidden, lookup

__all__ = ["CheckResult", "Exercise", "Parameter", "Verdict", "check", "check_namespace", "exercises", "hidden"]


def check(label: str, namespace: Mapping[str, Any] | None = None, /, *, strict: bool = False,
          **answers: Any) -> CheckResult:
    """Check the answers to exercise ``label``, passed by name (the names the exercise asks for).

    ``namespace`` (a notebook's ``globals()``): look the names up there instead; names passed
    by keyword win. Returns a :class:`CheckResult` (true when the check passed, with a verdict
    per answer). With ``strict=True`` a failed check raises ``AssertionError`` with the message
    instead.
    """
    exercise = lookup(label)
    unknown = sorted(set(answers) - set(exercise.names))
    if unknown:
        raise TypeError(f"{label} takes the names {list(exercise.names)}; unexpected {unknown}")
    if namespace is not None:
        if not isinstance(namespace, Mapping):
            raise TypeError(f"namespace must be a mapping such as globals(), got {type(namespace).__name__}")
        answers = {name: namespace[name] for name in exercise.names if name in namespace} | answers
    result = evaluate(exercise, answers)
    if strict and not result.passed:
        raise AssertionError(repr(result))
    return result


def check_namespace(label: str, namespace: Mapping[str, Any]) -> CheckResult:
    """Check exercise ``label`` with its names looked up in ``namespace`` (a notebook's ``globals()``)."""
    exercise = lookup(label)
    return evaluate(exercise, {name: namespace[name] for name in exercise.names if name in namespace})


def exercises() -> dict[str, Exercise]:
    """Every exercise with a check, by label."""
    return dict(REGISTRY)
