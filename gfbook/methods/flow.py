r"""Accurate reference solutions of ODEs, and of the gradient flow in particular.

The book does not write its own reference ODE solver: it calls diffrax
(Kidger, 2021) with tight tolerances. Two solvers are used:

* ``diffrax.Dopri8()``, an explicit 8th-order Runge--Kutta method, for non-stiff
  problems (the default of :func:`~gfbook.integrate`);
* ``diffrax.Kvaerno5()``, an implicit L-stable method, for stiff ones. Its embedded
  error estimate is optimistic on the stiff quadratics we measured (global error
  about 100x the tolerance), so :func:`~gfbook.gradient_flow` runs it at 1/100 of the
  requested tolerances.

:func:`~gfbook.gradient_flow` first tries the explicit solver with a budget of
``EXPLICIT_STEP_BUDGET`` steps. A stiff flow -- one where
:math:`\lambda_{\max}(\nabla^2 L)\,(t_{\text{end}} - t_0)` is large, so an explicit method
needs that many steps just to stay stable -- exhausts the budget, and the flow is then
solved again with the implicit solver. Kvaerno5 factorises a dense Jacobian, so this
fallback is used only up to ``STIFF_MAX_SIZE`` unknowns; larger problems (networks)
are solved by Dopri8 alone, and they should be smooth: the kinks of a ReLU network's
gradient force an adaptive solver into tiny steps.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import diffrax
import jax
from jax.tree_util import Partial

from gfbook._checks import (
    as_float_tree,
    as_partial,
    check_count,
    check_loss,
    check_positive,
    check_times,
    is_traced,
    strongly_typed,
)
from gfbook._trees import negative_gradient

NONSTIFF_SOLVER = diffrax.Dopri8()
# The Newton iterations of the implicit stages get their own tolerance: tied to a step
# tolerance of 1e-12 they ask for more than float64 can give once lambda_max ~ 1e6.
STIFF_SOLVER = diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-9, atol=1e-9))
STIFF_TOLERANCE_FACTOR = 1e-2
EXPLICIT_STEP_BUDGET = 20_000
STIFF_MAX_SIZE = 1_000


@partial(jax.jit, static_argnames=("solver", "max_steps"))
def _solve(vector_field, solver, x0, ts, rtol, atol, max_steps):
    term = diffrax.ODETerm(lambda t, x, args: vector_field(x))
    solution = diffrax.diffeqsolve(
        term,
        solver,
        t0=ts[0],
        t1=ts[-1],
        dt0=None,
        y0=x0,
        saveat=diffrax.SaveAt(ts=ts),
        # Step exactly onto every requested time: the answer is a solver step, never
        # the (lower-order) dense interpolant between steps.
        stepsize_controller=diffrax.ClipStepSizeController(
            diffrax.PIDController(rtol=rtol, atol=atol), step_ts=ts
        ),
        max_steps=max_steps,
        throw=False,
    )
    return solution.ys, solution.result == diffrax.RESULTS.successful


def integrate(
    vector_field: Callable,
    x0: Any,
    ts: Any,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-10,
    solver: diffrax.AbstractSolver | None = None,
    max_steps: int = 100_000,
) -> Any:
    r"""Solve the autonomous ODE :math:`\dot x = F(x)`, :math:`x(t_0) = x_0`, accurately.

    Args:
        vector_field: :math:`F`, a pure JAX function mapping a point (an array or a
            pytree shaped like ``x0``) to a vector of the same shape. A
            ``jax.tree_util.Partial`` is passed as traced data, so fields that
            differ only in their bound arrays share one compile.
        x0: the initial value, at time ``ts[0]``; it must be finite.
        ts: strictly increasing times :math:`t_0 < t_1 < \dots` at which to report
            the solution.
        rtol, atol: relative and absolute tolerances of diffrax's PID step-size
            controller.
        solver: a diffrax solver; default ``diffrax.Dopri8()``. Pass
            ``diffrax.Kvaerno5()`` for a stiff problem.
        max_steps: the most steps the solver may take between requested times (each
            requested time adds one, as the solver steps exactly onto it).

    Returns:
        The solution at ``ts``: shape ``(len(ts), *x0.shape)`` (a pytree ``x0`` gives
        the same pytree with that leading axis). If the solver fails (the solution
        blows up, or ``max_steps`` is too small) a ``RuntimeWarning`` says so and the
        times it did not reach hold ``inf``.
    """
    vector_field = as_partial("vector_field", vector_field)
    x0 = as_float_tree("x0", x0)
    ts, allowed_steps, rtol, atol = _check_solve_args(ts, rtol, atol, max_steps)
    ys, ok = _solve_or_start(vector_field, solver, x0, ts, rtol, atol, allowed_steps)
    _warn_if_failed(ok)
    return ys


def _solve_or_start(field, solver, x0, ts, rtol, atol, allowed_steps):
    """``_solve`` (with Dopri8 when ``solver`` is None), except that a single requested time needs no solve."""
    if ts.shape[0] == 1:
        return jax.tree.map(lambda leaf: leaf[None], x0), True
    return _solve(field, NONSTIFF_SOLVER if solver is None else solver, x0, ts, rtol, atol, allowed_steps)


def _check_solve_args(ts: Any, rtol: float, atol: float, max_steps: int) -> tuple[jax.Array, int, Any, Any]:
    """Check the solver arguments; every requested time costs one forced step, so it adds to max_steps.

    Returns ``ts``, the step budget, and the tolerances as strongly typed arrays (one compile
    for ``1e-10`` and ``np.float64(1e-10)``).
    """
    check_positive("rtol", rtol)
    check_positive("atol", atol)
    ts = check_times("ts", ts)
    allowed_steps = check_count("max_steps", max_steps, minimum=1) + ts.shape[0]
    return ts, allowed_steps, strongly_typed(rtol), strongly_typed(atol)


def _warn_if_failed(ok: jax.Array) -> None:
    """Warn, at the line of the reader's call (``integrate`` or ``gradient_flow``), if the solve failed."""
    if not is_traced(ok) and not bool(ok):
        warnings.warn(
            "the ODE solver stopped before ts[-1] (the solution may blow up, or max_steps "
            "is too small); times it did not reach hold inf",
            RuntimeWarning,
            stacklevel=3,
        )


def gradient_flow(
    loss: Callable,
    x0: Any,
    ts: Any,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-10,
    solver: diffrax.AbstractSolver | None = None,
    max_steps: int = 100_000,
) -> Any:
    r"""The gradient flow of ``loss`` from ``x0``, reported at the times ``ts``.

    Solves :math:`\dot x(t) = -\nabla L(x(t))`, :math:`x(t_0) = x_0`, with
    :func:`~gfbook.integrate`. With ``solver=None`` it tries Dopri8 within
    ``EXPLICIT_STEP_BUDGET`` steps and, if the flow is too stiff for that (and has
    at most ``STIFF_MAX_SIZE`` unknowns), solves it with Kvaerno5 at 1/100 of the
    tolerances (see the module notes). Either way
    the result is accurate to about the tolerance, also on stiff quadratics.

    Returns:
        An array of shape ``(len(ts), *x0.shape)`` (or the pytree of such arrays).
    """
    x0 = as_float_tree("x0", x0)
    loss = check_loss(loss, x0)
    field = Partial(negative_gradient, loss)
    ts, allowed_steps, rtol, atol = _check_solve_args(ts, rtol, atol, max_steps)
    size = sum(leaf.size for leaf in jax.tree.leaves(x0))
    # A dense implicit solve of a large problem would cost far more than it saves.
    if solver is not None or ts.shape[0] == 1 or size > STIFF_MAX_SIZE or is_traced((x0, ts, loss)):
        ys, ok = _solve_or_start(field, solver, x0, ts, rtol, atol, allowed_steps)
        _warn_if_failed(ok)
        return ys
    budget = min(allowed_steps, EXPLICIT_STEP_BUDGET + ts.shape[0])
    ys, ok = _solve(field, NONSTIFF_SOLVER, x0, ts, rtol, atol, budget)
    if bool(ok):
        return ys
    factor = STIFF_TOLERANCE_FACTOR
    ys, ok = _solve(field, STIFF_SOLVER, x0, ts, rtol * factor, atol * factor, allowed_steps)
    _warn_if_failed(ok)
    return ys
