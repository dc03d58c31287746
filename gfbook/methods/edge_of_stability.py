r"""The central flow of gradient descent at the edge of stability (single-eigenvalue case).

Cohen, Damian, Talwalkar, Kolter & Lee (ICLR 2025) model the *time-averaged* path of GD with
step :math:`h` past the edge of stability by the ODE

.. math::

    \dot w = -\Bigl[\nabla L(w) + \tfrac12\,\sigma^2(w)\,\nabla S(w)\Bigr],

where :math:`S = \lambda_{\max}(\nabla^2 L)` is the sharpness, :math:`\nabla S(w) =
\nabla_w\,(u^\top \nabla^2 L(w)\,u)` with :math:`u` the top eigenvector held fixed (a third
derivative, computed as a jvp of a Hessian-vector product), and :math:`\sigma^2 \ge 0`
the variance of GD's oscillation along :math:`u`. Time is counted as in
:func:`~gfbook.gradient_flow`: GD's step :math:`k` sits at :math:`t = kh`.

Below the edge (:math:`S < 2/h`) :math:`\sigma^2 = 0` and the flow is the gradient flow. At the
edge :math:`\sigma^2` keeps :math:`S` at :math:`2/h`: from :math:`\dot S = \langle\nabla S,
\dot w\rangle`,

.. math::

    \sigma^2 = \frac{2\bigl(\langle -\nabla L, \nabla S\rangle + \kappa\,(S - 2/h)\bigr)}
    {\|\nabla S\|^2},

with :math:`\kappa = 0` on the exact flow. The book's construction adds the restoring rate
:math:`\kappa > 0` (a Baumgarte stabilisation, as for any ODE on a constraint manifold): it
vanishes where :math:`S = 2/h` and pulls the drift of the numerical solution, or a start above
the edge, back to :math:`S = 2/h`. The flow leaves the edge where :math:`\sigma^2` would turn
negative (the gradient flow no longer sharpens).

Entering and leaving the edge are *events*: each phase (gradient flow, or flow at the edge)
is one diffrax solve that stops where the phase's condition crosses zero (:math:`S - 2/h`
upwards, or :math:`\sigma^2` downwards), located by bisection; the next phase starts there.
The top eigenvector comes from a few Lanczos steps on Hessian-vector products (with full
reorthogonalisation), from a fixed random start; it needs the top eigenvalue to be simple,
and is accurate when it is separated from the next.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jax.flatten_util import ravel_pytree

from gfbook._checks import (
    as_float_tree,
    check_count,
    check_loss,
    check_positive,
    check_seed,
    check_times,
    checked_loss_value,
    is_traced,
    strongly_typed,
)
from gfbook.methods.flow import NONSTIFF_SOLVER, _warn_if_failed


def _lanczos_top(matvec: Callable, v0: jax.Array, num_iters: Any) -> jax.Array:
    """The top Ritz vector of a symmetric operator after ``num_iters`` Lanczos steps.

    Full reorthogonalisation against the stored basis keeps it orthonormal in floating point;
    the top Ritz value converges to the largest eigenvalue far faster than power iteration
    when the gap to the next one is small. ``num_iters`` is static here (the basis's size).
    """
    size = v0.shape[0]

    def step(i, carry):
        basis, alpha, beta, v, v_prev, b_prev = carry
        basis = basis.at[i].set(v)
        w = matvec(v) - b_prev * v_prev
        a = w @ v
        w = w - a * v
        w = w - basis.T @ (basis @ w)  # full reorthogonalisation
        b = jnp.linalg.norm(w)
        # breakdown: the Krylov space is invariant (always, once the step count exceeds the
        # dimension); the remaining steps then add zero rows and columns only
        b = jnp.where(b <= 1e-10 * (jnp.abs(a) + b_prev), 0.0, b)
        v_next = jnp.where(b == 0, 0.0, w / jnp.where(b == 0, 1.0, b))
        return basis, alpha.at[i].set(a), beta.at[i].set(b), v_next, v, b

    start = v0 / jnp.linalg.norm(v0)
    zeros = jnp.zeros(num_iters, v0.dtype)
    carry = (jnp.zeros((num_iters, size), v0.dtype), zeros, zeros, start, jnp.zeros_like(start), 0.0)
    basis, alpha, beta, *_ = jax.lax.fori_loop(0, num_iters, step, carry)
    tridiagonal = jnp.diag(alpha) + jnp.diag(beta[:-1], 1) + jnp.diag(beta[:-1], -1)
    _, vectors = jnp.linalg.eigh(tridiagonal)
    u = basis.T @ vectors[:, -1]
    return u / jnp.linalg.norm(u)


def _top_pair(flat_loss: Callable, z: jax.Array, v0: jax.Array, num_iters: int):
    """(S, u, grad S) at z: Lanczos for the top eigenvector u, then S = u^T H u and grad S."""

    def hessian_times(point, v):
        return jax.jvp(jax.grad(flat_loss), (point,), (v,))[1]

    fixed = jax.lax.stop_gradient(z)  # u is held fixed: no derivative flows through Lanczos
    u = _lanczos_top(lambda v: hessian_times(fixed, v), v0, num_iters)
    # grad S = grad_w (u^T H(w) u) = D^3 L[u, u] (u fixed; D^3 L is symmetric): the derivative
    # of the Hessian-vector product H(w) u in the direction u, a jvp of an hvp
    hu, grad_sharp = jax.jvp(lambda point: hessian_times(point, u), (z,), (u,))
    return u @ hu, u, grad_sharp


def edge_terms(loss: Callable, x: Any, lr: Any, rate: Any, v0: jax.Array, num_iters: Any):
    r"""At ``x``: the gradient, the sharpness :math:`S`, :math:`\nabla S`, the top eigenvector :math:`u`
    and the unclipped :math:`\sigma^2` of the edge (flat arrays). Shared with :mod:`gfbook.measure`."""
    flat, unravel = ravel_pytree(x)

    def flat_loss(z):
        return loss(unravel(z))

    grad = jax.grad(flat_loss)(flat)
    sharp, u, grad_sharp = _top_pair(flat_loss, flat, v0.astype(flat.dtype), num_iters)
    raw = 2 * (-(grad @ grad_sharp) + rate * (sharp - 2 / lr)) / (grad_sharp @ grad_sharp)
    return {"grad": grad, "sharpness": sharp, "grad_sharpness": grad_sharp, "u": u, "raw_variance": raw}


def _field(x, args, num_iters):
    loss, lr, rate, v0, at_edge = args
    flat, unravel = ravel_pytree(x)

    def on_edge():
        terms = edge_terms(loss, x, lr, rate, v0, num_iters)
        return terms["grad"] + 0.5 * jnp.maximum(terms["raw_variance"], 0.0) * terms["grad_sharpness"]

    def below():
        return jax.grad(lambda z: loss(unravel(z)))(flat)

    return unravel(-jax.lax.cond(at_edge, on_edge, below))


def _ending(y, args, num_iters):
    """Crosses zero upwards where the phase ends: S - 2/h below the edge, -sigma^2 at the edge."""
    loss, lr, rate, v0, at_edge = args
    terms = edge_terms(loss, y, lr, rate, v0, num_iters)
    return jnp.where(at_edge, -terms["raw_variance"], terms["sharpness"] - 2 / lr)


@partial(jax.jit, static_argnames=("num_iters", "solver", "max_steps"))
def _phase(loss, x0, t0, ts, lr, rate, v0, num_iters, at_edge, rtol, atol, solver, max_steps):
    """One phase from (t0, x0): the solution at max(ts, t0), the end time and point, and success."""
    solution = diffrax.diffeqsolve(
        diffrax.ODETerm(lambda t, x, a: _field(x, a, num_iters)),
        solver,
        t0=t0,
        t1=ts[-1],
        dt0=None,
        y0=x0,
        args=(loss, lr, rate, v0, at_edge),
        saveat=diffrax.SaveAt(ts=jnp.maximum(ts, t0), t1=True),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        event=diffrax.Event(
            lambda t, y, args, **kwargs: _ending(y, args, num_iters),
            root_finder=optx.Bisection(rtol=1e-10, atol=1e-10),
            direction=True,
        ),
        max_steps=max_steps,
        throw=False,
    )
    ok = (solution.result == diffrax.RESULTS.successful) | (solution.result == diffrax.RESULTS.event_occurred)
    # After an event diffrax fills the times not reached with inf and stores the t1 point
    # (the event) right after the last time reached: the last finite entry.
    last = jnp.sum(jnp.isfinite(solution.ts)) - 1
    at_ts = jax.tree.map(lambda leaf: leaf[:-1], solution.ys)
    end = jax.tree.map(lambda leaf: leaf[last], solution.ys)
    return at_ts, solution.ts[last], end, ok


def _merge(out: Any, ys: Any, inside: jax.Array) -> Any:
    """Take ``ys`` at the times ``inside`` a phase, ``out`` elsewhere, leaf by leaf."""
    return jax.tree.map(lambda o, y: jnp.where(inside.reshape(-1, *([1] * (o.ndim - 1))), y, o), out, ys)


@partial(jax.jit, static_argnames="num_iters")
def edge_point(loss, x, lr, v0, num_iters):
    """The loss, S, the unclipped sigma^2 (no restoring term) and u at one point ``x``.

    One compiled program per loss and shape, shared by :func:`central_flow` (is its start at
    the edge?) and the measurements of :mod:`gfbook.measure` at the same ``num_iters``.
    """
    checked_loss_value(loss, x)  # runs while tracing only
    terms = edge_terms(loss, x, lr, 0.0, v0, num_iters)
    return loss(x), terms["sharpness"], terms["raw_variance"], terms["u"]


def central_flow(
    loss: Callable,
    x0: Any,
    ts: Any,
    *,
    lr: float,
    restoring_rate: float | None = None,
    num_iters: int = 20,
    seed: int = 0,
    rtol: float = 1e-8,
    atol: float = 1e-8,
    solver: diffrax.AbstractSolver | None = None,
    max_steps: int = 100_000,
    max_phases: int = 8,
) -> Any:
    r"""The central flow of GD with step ``lr`` from ``x0``, reported at the times ``ts``.

    Solves :math:`\dot w = -[\nabla L(w) + \tfrac12\sigma^2(w)\nabla S(w)]` (Cohen et al., ICLR
    2025, one eigenvalue at the edge), where :math:`\sigma^2 = 0` while :math:`S(w) < 2/h` (the
    gradient flow, so below the edge this equals :func:`~gfbook.gradient_flow`) and, at the edge,

    .. math::

        \sigma^2 = \max\Bigl(0,\ \frac{2(\langle -\nabla L, \nabla S\rangle + \kappa(S - 2/h))}
        {\|\nabla S\|^2}\Bigr),

    which keeps :math:`S = 2/h`; :math:`\kappa` is ``restoring_rate`` (default :math:`1/h`), the
    rate at which a drift from the edge decays (zero effect on the exact flow). Entering and
    leaving the edge are located as events (see the module notes); at most ``max_phases``
    phases. ``ts`` are times :math:`t = kh` as for the gradient flow; ``num_iters`` Lanczos
    steps (from a random start drawn with ``seed``, with full reorthogonalisation) give the top
    eigenvector at every evaluation; each value of ``num_iters`` is its own compile. A solve
    that fails (a blow-up, too few ``max_steps``) warns and leaves ``inf`` at the times it did
    not reach.

    Returns:
        The flow at ``ts``, shaped like :func:`~gfbook.gradient_flow`'s result.
    """
    x0 = as_float_tree("x0", x0)
    loss = check_loss(loss, x0)
    if is_traced((x0, lr, ts)):
        raise TypeError("x0, ts and lr must be concrete: the phases of central_flow are found on the host")
    check_positive("lr", lr)
    rate = 1.0 / float(lr) if restoring_rate is None else check_positive("restoring_rate", restoring_rate)
    num_iters = check_count("num_iters", num_iters, minimum=1)
    key = jax.random.key(check_seed("seed", seed))
    check_positive("rtol", rtol)
    check_positive("atol", atol)
    ts = check_times("ts", ts)
    max_steps = check_count("max_steps", max_steps, minimum=1)
    max_phases = check_count("max_phases", max_phases, minimum=1)
    if ts.shape[0] == 1:
        return jax.tree.map(lambda leaf: leaf[None], x0)
    flat0, _ = ravel_pytree(x0)
    v0 = jax.random.normal(key, flat0.shape, flat0.dtype)
    lr, rate = strongly_typed(lr), strongly_typed(rate)
    rtol, atol = strongly_typed(rtol), strongly_typed(atol)
    solver = NONSTIFF_SOLVER if solver is None else solver
    at_edge = bool(edge_point(loss, x0, lr, v0, num_iters)[1] >= 2 / lr)
    times = np.asarray(ts)
    out = jax.tree.map(lambda leaf: jnp.full((times.size, *leaf.shape), jnp.inf, leaf.dtype), x0)
    t0, x, ok = ts[0], x0, True
    for _ in range(max_phases):
        ys, t_end, x_end, ok = _phase(loss, x, t0, ts, lr, rate, v0, num_iters, at_edge, rtol, atol, solver, max_steps)
        t_start, t_end = float(t0), float(t_end)
        out = _merge(out, ys, jnp.asarray((times >= t_start) & (times <= t_end)))
        if not bool(ok) or t_end >= times[-1]:
            break
        t0, x, at_edge = jnp.asarray(t_end, dtype=ts.dtype), x_end, not at_edge
    _warn_if_failed(jnp.asarray(bool(ok) and t_end >= times[-1]))
    return out
