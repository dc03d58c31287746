r"""Approximate BDF: the implicit BDF step for the gradient flow, solved by a few GD steps.

The theory of the multistep methods it approximates (coefficients, stability regions, the
stability of the approximate method on quadratics) is in :mod:`gfbook.bdf`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.tree_util import Partial

from gfbook._checks import (
    as_float_tree,
    as_partial,
    check_count,
    check_positive,
    checked_loss_value,
    strongly_typed,
)
from gfbook._trees import prepend
from gfbook.bdf import MAX_ORDER, bdf_coefficients, check_warm_start


def _startup_tables(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Row m (0-based) holds BDF-(m+1)'s alpha, zero-padded to order+1, and its beta."""
    alphas = np.zeros((order, order + 1))
    betas = np.zeros(order)
    for m in range(order):
        alpha, beta = bdf_coefficients(m + 1)
        alphas[m, : m + 2] = alpha
        betas[m] = beta
    return alphas, betas


@partial(jax.jit, static_argnames=("num_steps", "order"))
def _bdf_scan(
    loss: Partial,
    x0: Any,
    lr: jax.Array,
    inner_lr: jax.Array,
    num_steps: int,
    order: int,
    inner_steps: jax.Array,
    centre: jax.Array,
) -> Any:
    checked_loss_value(loss, x0)  # runs while tracing only
    grad = jax.grad(loss)
    alphas_np, betas_np = _startup_tables(order)
    alphas, betas = jnp.asarray(alphas_np), jnp.asarray(betas_np)
    # history[j] = x_{n-j}, j = 0..order-1; before the start every slot holds x0 (weight 0 there).
    history = jax.tree.map(lambda leaf: jnp.broadcast_to(leaf, (order, *leaf.shape)), x0)

    def step(carry, n):
        hist = carry
        row = jnp.minimum(n, order - 1)  # start-up: BDF1, BDF2, ..., then BDF-order
        weights = -alphas[row, 1:]  # c = -sum_{j>=1} alpha_j x_{n+1-j}
        beta = betas[row]

        def combine(h):
            return jnp.tensordot(weights.astype(h.dtype), h, axes=1)

        c = jax.tree.map(combine, hist)
        x_n = jax.tree.map(lambda h: h[0], hist)

        def inner(_, y):
            g = grad(y)
            return jax.tree.map(
                lambda yi, gi, ci: yi - jnp.asarray(inner_lr, yi.dtype) * (jnp.asarray(lr * beta, yi.dtype) * gi + yi - ci),
                y,
                g,
                c,
            )

        # The count of inner steps is data (a while loop), so every m shares one compile.
        # the warm start is data too (y0 = c_n if centre else x_n): both starts share one compile
        y0 = jax.tree.map(lambda xi, ci: jnp.where(centre, ci, xi), x_n, c)
        x_next = jax.lax.fori_loop(0, inner_steps, inner, y0)
        new_hist = jax.tree.map(lambda h, xn: jnp.concatenate([xn[None], h[:-1]]), hist, x_next)
        return new_hist, x_next

    _, rest = jax.lax.scan(step, history, jnp.arange(num_steps))
    return prepend(x0, rest)


def approx_bdf(
    loss: Callable,
    x0: Any,
    lr: float,
    num_steps: int,
    *,
    order: int,
    inner_steps: int,
    inner_lr: float,
    warm_start: str = "last",
) -> Any:
    r"""BDF-``order`` for the gradient flow, each implicit step solved by ``inner_steps`` GD steps.

    The BDF-:math:`k` step for :math:`\dot x = -\nabla L(x)` with step :math:`h` (``lr``) asks for
    :math:`x_{n+1} + h\beta\,\nabla L(x_{n+1}) = c_n`, with
    :math:`c_n = -\sum_{j=1}^{k} \alpha_j x_{n+1-j}` (see :func:`gfbook.bdf_coefficients`).
    That is the stationarity condition of

    .. math:: \Phi_n(y) = h\beta\,L(y) + \tfrac12 \|y - c_n\|^2,

    so :math:`x_{n+1}` is a proximal point of :math:`L` at :math:`c_n`. Here it is
    approximated by :math:`m` (``inner_steps``) gradient-descent steps with step
    :math:`\eta` (``inner_lr``), warm-started at :math:`x_n`:

    .. math:: y_0 = x_n, \qquad y_{i+1} = y_i - \eta\bigl(h\beta\,\nabla L(y_i) + y_i - c_n\bigr),
        \qquad x_{n+1} = y_m .

    On an :math:`L`-smooth convex loss the inner iteration converges when
    :math:`\eta < 2 / (1 + h\beta\,\ell)` with :math:`\ell` the largest Hessian eigenvalue, and then
    :math:`m \to \infty` gives exact BDF. ``inner_steps = 0`` is allowed and gives the
    trivial method :math:`x_{n+1} = x_n` (the warm start). With ``order=1`` and ``inner_steps=1``
    the update is GD with step :math:`\eta h`; with ``order=2`` and ``inner_steps=1`` it is the
    heavy-ball update
    :math:`x_{n+1} = x_n - \tfrac23\eta h\,\nabla L(x_n) + \tfrac13\eta\,(x_n - x_{n-1})`.

    With ``warm_start="centre"`` the inner loop starts at :math:`y_0 = c_n` instead. Then
    ``inner_steps = 0`` gives :math:`x_{n+1} = c_n` (pure extrapolation), and with
    ``order=2``, ``inner_steps=1`` the update is the Nesterov-type step
    :math:`x_{n+1} = c_n - \tfrac23\eta h\,\nabla L(c_n)`,
    :math:`c_n = x_n + \tfrac13(x_n - x_{n-1})`, with a smaller stability interval
    (see :func:`gfbook.approx_bdf_stability_interval`). For ``order=1``, :math:`c_n = x_n` and the
    two starts agree.

    Start-up: step :math:`n+1` uses BDF-:math:`\min(n+1, k)`, so the first step is BDF1 from
    :math:`x_0` alone, the second BDF2, and so on; every step takes :math:`m` inner steps.

    Args:
        loss: the loss :math:`L`, a pure JAX function of ``x0``'s shape (array or pytree).
        x0: the start point; it must be finite.
        lr: the outer step :math:`h > 0`; traced, so ``jax.vmap`` over it compiles once.
        num_steps: the number of outer steps :math:`n \ge 0`.
        order: :math:`k`, between 1 and 6 (static).
        inner_steps: :math:`m \ge 0`; traced, so every :math:`m` shares one compile.
        inner_lr: :math:`\eta > 0`; traced.
        warm_start: ``"last"`` (:math:`y_0 = x_n`, the default) or ``"centre"``
            (:math:`y_0 = c_n`); both share one compile.

    Returns:
        The trajectory :math:`x_0, \dots, x_n`, shape ``(num_steps + 1, *x0.shape)`` (for a
        pytree, that leading axis on every leaf). A diverging run is returned with its
        ``inf``/``nan`` visible, never raised.
    """
    x0 = as_float_tree("x0", x0)
    check_positive("lr", lr)
    num_steps = check_count("num_steps", num_steps)
    order = check_count("order", order, minimum=1, maximum=MAX_ORDER)
    inner_steps = check_count("inner_steps", inner_steps)
    check_positive("inner_lr", inner_lr)
    warm_start = check_warm_start(warm_start)
    loss = as_partial("loss", loss)
    return _bdf_scan(
        loss,
        x0,
        strongly_typed(lr),
        strongly_typed(inner_lr),
        num_steps,
        order,
        np.int64(inner_steps),
        np.bool_(warm_start == "centre"),
    )
