"""Gradient descent: the explicit Euler method for the gradient flow."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax.tree_util import Partial

from gfbook._checks import as_float_tree, as_partial, check_count, check_positive, checked_loss_value, strongly_typed
from gfbook._trees import prepend


def descent_step(grad: Callable, x: Any, lr: jax.Array) -> Any:
    r"""One gradient-descent step :math:`x - h\,\nabla L(x)` on an array or a pytree.

    ``grad`` is :math:`\nabla L` (``jax.grad(loss)``) and ``lr`` the step :math:`h`, cast to
    each leaf's dtype. The one GD step of the package: :func:`gradient_descent` scans it, and
    :func:`gfbook.step_refinement_distance` runs it at two step sizes.
    """
    return jax.tree.map(lambda xi, gi: xi - jnp.asarray(lr, xi.dtype) * gi, x, grad(x))


@partial(jax.jit, static_argnames=("num_steps",))
def _descent_scan(loss: Partial, x0: Any, lr: jax.Array, num_steps: int) -> Any:
    checked_loss_value(loss, x0)  # runs while tracing only: a clear error for a bad loss
    grad = jax.grad(loss)

    def step(x, _):
        x_next = descent_step(grad, x, lr)
        return x_next, x_next

    _, rest = jax.lax.scan(step, x0, length=num_steps)
    return prepend(x0, rest)


def gradient_descent(loss: Callable, x0: Any, lr: float, num_steps: int) -> Any:
    r"""Run gradient descent and return every iterate.

    The iteration is the explicit Euler method with step :math:`h` (``lr``) for the
    gradient flow :math:`\dot x = -\nabla L(x)`:

    .. math:: x_{k+1} = x_k - h\,\nabla L(x_k), \qquad k = 0, \dots, n-1.

    Args:
        loss: the loss :math:`L`, a pure JAX function of ``x0``'s shape (an array
            or a pytree of arrays) returning a scalar.
        x0: the start point :math:`x_0`; it must be finite.
        lr: the step size :math:`h > 0`. It is a traced argument, so a sweep over
            step sizes (``jax.vmap`` over ``lr``) compiles once.
        num_steps: the number of steps :math:`n \ge 0`.

    Returns:
        The trajectory :math:`x_0, \dots, x_n`: an array of shape
        ``(num_steps + 1, *x0.shape)`` (for a pytree ``x0``, the same pytree with
        that leading axis on every leaf). A run that diverges is returned as it is,
        with the blow-up (``inf``/``nan``) visible; ask :func:`gfbook.diverged`.

    The whole trajectory is one ``jax.lax.scan`` inside one ``jax.jit``, compiled
    once per loss function and shape (losses that are ``jax.tree_util.Partial``
    objects, like the book's problems, share the compile across their data).
    """
    x0 = as_float_tree("x0", x0)
    check_positive("lr", lr)
    num_steps = check_count("num_steps", num_steps)
    loss = as_partial("loss", loss)
    return _descent_scan(loss, x0, strongly_typed(lr), num_steps)
