r"""The Corridor Learning Rate (Dherin & Rosca 2024): gradient descent with a Polyak step size.

A *corridor* is a region where :math:`H(x)\nabla L(x) = 0`; there the gradient flow moves on
straight lines at constant speed, gradient descent (GD) follows it exactly and the loss falls
linearly in time (:func:`~gfbook.corridor_ratio` measures how far a point is from that).
:func:`~gfbook.corridor_lr` is the step that would empty the loss in one corridor step (a Polyak
step size), and :func:`~gfbook.clr_descent` / :func:`~gfbook.clr_sgd` run GD with it, full batch
or on mini-batches. Everything works on arrays and on pytrees of network parameters alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.tree_util import Partial

from gfbook._checks import (
    as_float_tree,
    as_partial,
    check_count,
    check_finite_scalar,
    check_leading_axis,
    check_positive,
    checked_loss_value,
    strongly_typed,
)
from gfbook._trees import prepend, squared_norm


def _check_rule(fraction: Any, f_star: Any, max_lr: Any) -> tuple[Any, Any, Any]:
    """The step-size rule's three numbers, checked, as strongly typed data for the compiled code."""
    check_positive("fraction", fraction)
    check_finite_scalar("f_star", f_star)
    check_positive("max_lr", max_lr, allow_inf=True)
    return strongly_typed(fraction), strongly_typed(f_star), strongly_typed(max_lr)


def _clr_step_size(value: jax.Array, grad_sq: jax.Array, fraction: Any, f_star: Any, max_lr: Any) -> jax.Array:
    gap = jnp.maximum(value - f_star, 0.0)
    tiny = jnp.finfo(grad_sq.dtype).tiny
    raw = fraction * gap / jnp.maximum(grad_sq, tiny)
    return jnp.where(grad_sq > tiny, jnp.minimum(raw, max_lr), 0.0).astype(grad_sq.dtype)


def corridor_lr(
    loss: Callable, x: Any, *, fraction: float = 1.0, f_star: float = 0.0, max_lr: float = np.inf
) -> jax.Array:
    r"""The Corridor Learning Rate :math:`h = \min\bigl(\gamma (L(x) - f^*)_+ / \|\nabla L(x)\|^2, h_{\max}\bigr)`.

    In a corridor the loss falls linearly along the flow, :math:`L(x - t\nabla L) =
    L(x) - t\|\nabla L\|^2`, so the step :math:`(L - f^*)/\|\nabla L\|^2` reaches the value
    :math:`f^*` in one step. With :math:`f^* = \min L` this is Polyak's step size
    (Polyak, 1969); ``fraction`` is :math:`\gamma` and ``max_lr`` is :math:`h_{\max}`.

    Two edge cases have a defined answer: where the gradient vanishes the step is 0 (there
    is nowhere to go), and where the loss is at or below ``f_star`` the step is 0 (the gap
    is clipped at 0, the ``sps+`` variant of optax, rather than turning descent into ascent).
    """
    loss = as_partial("loss", loss)
    x = as_float_tree("x", x)
    _check_rule(fraction, f_star, max_lr)
    return _corridor_lr(loss, x, fraction, f_star, max_lr)


@jax.jit
def _corridor_lr(loss: Partial, x: Any, fraction: Any, f_star: Any, max_lr: Any) -> jax.Array:
    checked_loss_value(loss, x)  # runs while tracing only
    value, g = jax.value_and_grad(loss)(x)
    return _clr_step_size(value, squared_norm(g), fraction, f_star, max_lr)


@jax.jit
def _clr_scan(loss: Partial, x0: Any, batches: Any, fraction: Any, f_star: Any, max_lr: Any) -> tuple[Any, jax.Array]:
    if jax.tree.leaves(batches)[0].shape[0] > 0:  # runs while tracing only: a clear error for a bad loss
        checked_loss_value(lambda x: loss(x, jax.tree.map(lambda b: b[0], batches)), x0)
    value_and_grad = jax.value_and_grad(loss)

    def step(x, batch):
        value, g = value_and_grad(x, batch)
        h = _clr_step_size(value, squared_norm(g), fraction, f_star, max_lr)
        x_next = jax.tree.map(lambda xi, gi: xi - h.astype(xi.dtype) * gi, x, g)
        return x_next, (x_next, h)

    _, (rest, steps) = jax.lax.scan(step, x0, batches)
    return prepend(x0, rest), steps


def _full_batch(loss: Partial, x: Any, _index: jax.Array) -> jax.Array:
    return loss(x)


def clr_descent(
    loss: Callable,
    x0: Any,
    num_steps: int,
    *,
    fraction: float = 1.0,
    f_star: float = 0.0,
    max_lr: float = np.inf,
    return_steps: bool = False,
) -> Any:
    r"""Gradient descent with the Corridor Learning Rate of :func:`corridor_lr` at every step.

    .. math:: x_{k+1} = x_k - h_k \nabla L(x_k), \qquad
        h_k = \min\bigl(\gamma\,(L(x_k) - f^*)_+/\|\nabla L(x_k)\|^2,\ h_{\max}\bigr).

    Args:
        loss, x0: as in :func:`gfbook.gradient_descent` (``x0`` may be a pytree).
        num_steps: the number of steps.
        fraction, f_star, max_lr: :math:`\gamma > 0`, :math:`f^*` and :math:`h_{\max} > 0` (traced:
            a sweep over them compiles once).
        return_steps: also return the steps :math:`h_0, \dots, h_{n-1}`.

    Returns:
        The trajectory, shape ``(num_steps + 1, *x0.shape)``, or ``(trajectory, steps)``.
    """
    loss = as_partial("loss", loss)
    x0 = as_float_tree("x0", x0)
    num_steps = check_count("num_steps", num_steps)
    rule = _check_rule(fraction, f_star, max_lr)
    path, steps = _clr_scan(Partial(_full_batch, loss), x0, jnp.arange(num_steps), *rule)
    return (path, steps) if return_steps else path


def clr_sgd(
    loss: Callable,
    x0: Any,
    batches: Any,
    *,
    fraction: float = 1.0,
    f_star: float = 0.0,
    max_lr: float = np.inf,
    return_steps: bool = False,
) -> Any:
    r"""Mini-batch CLR: the stochastic Polyak step (SPS) of Loizou et al. (2021) with the batch loss.

    ``loss(x, batch)`` is the loss on one mini-batch; ``batches`` is a pytree whose leaves
    have a leading axis of length :math:`n` (one mini-batch per step). Step :math:`k` uses the
    loss and gradient of batch :math:`k` in :func:`corridor_lr`'s rule. Returns the
    trajectory of shape ``(n + 1, *x0.shape)`` (and the steps if ``return_steps``).
    """
    loss = as_partial("loss", loss)
    x0 = as_float_tree("x0", x0)
    check_leading_axis("batches", batches)  # one mini-batch per step
    path, steps = _clr_scan(loss, x0, batches, *_check_rule(fraction, f_star, max_lr))
    return (path, steps) if return_steps else path
