r"""Momentum: heavy ball, Nesterov's method, and the second-order flows they discretise.

Heavy ball (Polyak, 1964) and Nesterov's accelerated gradient method (Nesterov, 1983) are
two-step methods: each new iterate uses the last two. Both are consistent, as the step
:math:`h \to 0` with the momentum scaled suitably, with a damped second-order ODE,

.. math:: \ddot x + a(t)\,\dot x + \nabla L(x) = 0,

with constant damping :math:`a = (1-\beta)/\sqrt h` for heavy ball and :math:`a(t) = 3/t`
for Nesterov's method with the momentum schedule :math:`k/(k+3)` (Su, Boyd & Candès, 2016).
:func:`~gfbook.momentum_flow` solves that ODE with the diffrax machinery of
:func:`gfbook.gradient_flow`. The optimal constant parameters on quadratics are data:
:func:`~gfbook.heavy_ball_tuning` and :func:`~gfbook.nesterov_tuning`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from jax.tree_util import Partial

from gfbook._checks import (
    as_float_tree,
    as_partial,
    check_callable,
    check_count,
    check_finite_scalar,
    check_loss,
    check_positive,
    check_same_shapes,
    checked_loss_value,
    is_traced,
    strongly_typed,
)
from gfbook._trees import prepend
from gfbook.methods.flow import _check_solve_args, _solve_or_start, _warn_if_failed


def _check_momentum(value: Any) -> Any:
    """A momentum parameter: a finite real number (the method is stable only for |beta| < 1)."""
    check_finite_scalar("momentum", value)
    return strongly_typed(value)


@partial(jax.jit, static_argnames=("num_steps",))
def _heavy_ball_scan(loss: Partial, x0: Any, x_prev: Any, lr: jax.Array, beta: jax.Array, num_steps: int) -> Any:
    checked_loss_value(loss, x0)  # runs while tracing only
    grad = jax.grad(loss)

    def step(carry, _):
        x, x_old = carry
        x_next = jax.tree.map(
            lambda xi, gi, oi: xi - lr.astype(xi.dtype) * gi + beta.astype(xi.dtype) * (xi - oi), x, grad(x), x_old
        )
        return (x_next, x), x_next

    _, rest = jax.lax.scan(step, (x0, x_prev), length=num_steps)
    return prepend(x0, rest)


def heavy_ball(loss: Callable, x0: Any, lr: float, momentum: float, num_steps: int, *, x_prev: Any = None) -> Any:
    r"""Polyak's heavy-ball method; returns every iterate.

    .. math:: x_{k+1} = x_k - h\,\nabla L(x_k) + \beta\,(x_k - x_{k-1}), \qquad k = 0, \dots, n-1,

    with :math:`x_{-1} = x_0` unless ``x_prev`` gives :math:`x_{-1}` (Polyak, 1964). It is
    ``optax.sgd(h, momentum=beta)``: with :math:`m_{k+1} = \nabla L(x_k) + \beta m_k`,
    :math:`m_0 = 0` and :math:`x_{k+1} = x_k - h m_{k+1}`, the velocity is
    :math:`x_k - x_{k-1} = -h m_k`.

    Args:
        loss: the loss :math:`L`, a pure JAX function of ``x0``'s shape (array or pytree).
        x0: the start point :math:`x_0`; it must be finite.
        lr: the step :math:`h > 0`; traced, so a sweep compiles once.
        momentum: :math:`\beta`, a finite real number (stable on a quadratic with Hessian
            eigenvalues :math:`\lambda > 0` iff :math:`|\beta| < 1` and :math:`0 < h\lambda < 2(1+\beta)`);
            traced.
        num_steps: the number of steps :math:`n \ge 0`.
        x_prev: :math:`x_{-1}`, shaped like ``x0``; default ``x0`` (no initial velocity).

    Returns:
        The trajectory :math:`x_0, \dots, x_n`, shape ``(num_steps + 1, *x0.shape)`` (for a
        pytree, that leading axis on every leaf). A diverging run is returned with its
        ``inf``/``nan`` visible, never raised.
    """
    x0 = as_float_tree("x0", x0)
    x_prev = x0 if x_prev is None else check_same_shapes("x_prev", as_float_tree("x_prev", x_prev), x0, "x0")
    x_prev = jax.tree.map(lambda p, x: jnp.asarray(p, x.dtype), x_prev, x0)
    check_positive("lr", lr)
    beta = _check_momentum(momentum)
    num_steps = check_count("num_steps", num_steps)
    loss = as_partial("loss", loss)
    return _heavy_ball_scan(loss, x0, x_prev, jnp.asarray(strongly_typed(lr)), jnp.asarray(beta), num_steps)


@partial(jax.jit, static_argnames=("num_steps",))
def _nesterov_scan(loss: Partial, x0: Any, lr: jax.Array, beta: jax.Array, scheduled: jax.Array, num_steps: int) -> Any:
    checked_loss_value(loss, x0)  # runs while tracing only
    grad = jax.grad(loss)

    def step(carry, k):
        x, x_old = carry
        b = jnp.where(scheduled, k / (k + 3.0), beta)
        y = jax.tree.map(lambda xi, oi: xi + b.astype(xi.dtype) * (xi - oi), x, x_old)
        x_next = jax.tree.map(lambda yi, gi: yi - lr.astype(yi.dtype) * gi, y, grad(y))
        return (x_next, x), x_next

    _, rest = jax.lax.scan(step, (x0, x0), jnp.arange(num_steps))
    return prepend(x0, rest)


def nesterov(loss: Callable, x0: Any, lr: float, num_steps: int, *, momentum: float | None = None) -> Any:
    r"""Nesterov's accelerated gradient method; returns the iterates :math:`x_k`.

    .. math::
        y_k = x_k + \beta_k\,(x_k - x_{k-1}), \qquad x_{k+1} = y_k - h\,\nabla L(y_k),
        \qquad x_{-1} = x_0,

    with the constant :math:`\beta_k = \beta` (``momentum``) of the strongly convex case, or, when
    ``momentum`` is None, the schedule :math:`\beta_k = k/(k+3)` of the convex case. That schedule
    is :math:`\beta_k = (t_k - 1)/t_{k+1}` with :math:`t_k = (k+2)/2`, which satisfies
    :math:`t_{k+1}^2 - t_{k+1} \le t_k^2`, the condition of Beck & Teboulle's (2009) proof of the
    :math:`O(1/k^2)` rate; as :math:`h \to 0` it follows :math:`\ddot x + (3/t)\dot x + \nabla L = 0`
    with :math:`t \approx k\sqrt h` (Su, Boyd & Candès, 2016).

    Args:
        loss: the loss :math:`L` (array or pytree argument).
        x0: the start point; it must be finite.
        lr: the step :math:`h > 0`; traced.
        num_steps: the number of steps :math:`n \ge 0`.
        momentum: a constant :math:`\beta` (finite, traced), or None for :math:`k/(k+3)`.

    Returns:
        :math:`x_0, \dots, x_n` with the leading axis ``num_steps + 1``; divergence is returned.
    """
    x0 = as_float_tree("x0", x0)
    check_positive("lr", lr)
    num_steps = check_count("num_steps", num_steps)
    scheduled = momentum is None
    beta = np.float64(0.0) if scheduled else _check_momentum(momentum)
    loss = as_partial("loss", loss)
    return _nesterov_scan(
        loss, x0, jnp.asarray(strongly_typed(lr)), jnp.asarray(beta), jnp.asarray(scheduled), num_steps
    )


def _constant_damping(a: jax.Array, t: jax.Array) -> jax.Array:
    return a


def _momentum_field(loss: Partial, damping: Partial, state: Any) -> Any:
    """The first-order system of :math:`\\ddot x + a(t)\\dot x + \\nabla L(x) = 0`: state (x, v, t)."""
    x, v, t = state
    a = damping(t)
    g = jax.grad(loss)(x)
    dv = jax.tree.map(lambda vi, gi: -jnp.asarray(a, vi.dtype) * vi - gi, v, g)
    return v, dv, jnp.ones_like(t)


def momentum_flow(
    loss: Callable,
    x0: Any,
    ts: Any,
    *,
    damping: float | Callable,
    v0: Any = None,
    rtol: float = 1e-10,
    atol: float = 1e-10,
    max_steps: int = 100_000,
) -> Any:
    r"""The damped second-order flow :math:`\ddot x + a(t)\,\dot x + \nabla L(x) = 0`, at the times ``ts``.

    Solved as the first-order system :math:`\dot x = v`, :math:`\dot v = -a(t) v - \nabla L(x)`
    (time carried as a third state, so the system is autonomous) with diffrax's Dopri8 and the
    step-size control of :func:`gfbook.integrate`, from :math:`x(t_0) = x_0`,
    :math:`\dot x(t_0) = v_0` at :math:`t_0` = ``ts[0]``.

    Constant damping :math:`a = (1-\beta)/\sqrt h` is the limit of heavy ball; :math:`a(t) = 3/t` is
    the limit of Nesterov's method (Su, Boyd & Candès, 2016). That damping is singular at
    :math:`t = 0`, so a callable damping needs ``ts[0] > 0``: start at a small :math:`t_0` with the
    series solution :math:`x(t_0) = x_0 - t_0^2\nabla L(x_0)/(2(r+1)) + O(t_0^4)`,
    :math:`\dot x(t_0) = -t_0\nabla L(x_0)/(r+1) + O(t_0^3)` of :math:`a = r/t` with
    :math:`\dot x(0) = 0`.

    Args:
        loss: the loss :math:`L` (array or pytree argument).
        x0: :math:`x(t_0)`; it must be finite.
        ts: strictly increasing times; the solution starts at ``ts[0]``.
        damping: a finite number :math:`a` (traced: a sweep compiles once), or a JAX function
            :math:`t \mapsto a(t)` (the compile is keyed on it).
        v0: :math:`\dot x(t_0)`, shaped like ``x0``; default zero.
        rtol, atol, max_steps: as in :func:`gfbook.integrate`.

    Returns:
        The positions :math:`x(t)` at ``ts``, shape ``(len(ts), *x0.shape)`` (or that pytree). A
        failed solve warns and holds ``inf`` at the times it did not reach.
    """
    x0 = as_float_tree("x0", x0)
    loss = check_loss(loss, x0)
    v0 = jax.tree.map(jnp.zeros_like, x0) if v0 is None else check_same_shapes("v0", as_float_tree("v0", v0), x0, "x0")
    ts, allowed_steps, rtol, atol = _check_solve_args(ts, rtol, atol, max_steps)
    if callable(damping):
        damping = as_partial("damping", check_callable("damping", damping))
        if not is_traced(ts) and float(ts[0]) <= 0:
            raise ValueError(
                f"ts[0] must be > 0 for a time-dependent damping (a = r/t is singular at 0), got {float(ts[0])}"
            )
    else:
        damping = Partial(_constant_damping, jnp.asarray(strongly_typed(check_finite_scalar("damping", damping))))
    field = Partial(_momentum_field, loss, damping)
    state0 = (x0, v0, jnp.asarray(ts[0], dtype=ts.dtype))
    ys, ok = _solve_or_start(field, diffrax.Dopri8(), state0, ts, rtol, atol, allowed_steps)
    _warn_if_failed(ok)
    return ys[0]


def heavy_ball_tuning(mu: float, L: float) -> tuple[float, float]:
    r"""Polyak's optimal heavy-ball parameters for a quadratic with Hessian spectrum in :math:`[\mu, L]`.

    .. math:: h = \frac{4}{(\sqrt L + \sqrt\mu)^2}, \qquad
        \beta = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2, \qquad \kappa = L/\mu,

    which make every mode's companion matrix have spectral radius :math:`\sqrt\beta =
    (\sqrt\kappa-1)/(\sqrt\kappa+1)` (Polyak, 1964). Returns ``(h, beta)``; needs :math:`0 < \mu \le L`.
    """
    mu, L = _check_spectrum(mu, L)
    root = (math.sqrt(L / mu) - 1) / (math.sqrt(L / mu) + 1)
    return 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, root**2


def nesterov_tuning(mu: float, L: float) -> tuple[float, float]:
    r"""Nesterov's constant-momentum parameters for a :math:`\mu`-strongly convex, :math:`L`-smooth loss.

    .. math:: h = \frac1L, \qquad \beta = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}, \qquad \kappa = L/\mu,

    for which :math:`f(x_k) - f^* \le (1 - 1/\sqrt\kappa)^k\,\bigl(f(x_0) - f^* + \tfrac\mu2\|x_0-x^*\|^2\bigr)`
    (Nesterov, 2018, Section 2.2.1). Returns ``(h, beta)``; needs :math:`0 < \mu \le L`.
    """
    mu, L = _check_spectrum(mu, L)
    root = math.sqrt(L / mu)
    return 1 / L, (root - 1) / (root + 1)


def _check_spectrum(mu: Any, L: Any) -> tuple[float, float]:
    mu, L = float(check_positive("mu", mu)), float(check_positive("L", L))
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu:g} > L={L:g}")
    return mu, L
