r"""Closed forms for quadratics: the book's ground truth.

For :math:`L(x) = \tfrac12 (x - x^*)^\top A (x - x^*)` with :math:`A = V \Lambda V^\top`
symmetric, every method acts on each eigen-direction (mode) separately:

.. math::
    x(t) = x^* + V e^{-\Lambda t} V^\top (x_0 - x^*), \qquad
    x_k = x^* + V (I - h\Lambda)^k V^\top (x_0 - x^*).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from gfbook._checks import (
    as_real_numpy,
    check_count,
    check_positive,
    check_shape,
    check_symmetric_matrix,
    check_times,
)


def _checked(hessian: Any, x0: Any, x_star: Any) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The arguments as float arrays, checked on the host (in NumPy: no compile per shape)."""
    A = check_symmetric_matrix("hessian", hessian)
    x0 = check_shape("x0", as_real_numpy("x0", x0), (A.shape[0],), reason="to match hessian")
    x_star = np.zeros_like(x0) if x_star is None else as_real_numpy("x_star", x_star)
    check_shape("x_star", x_star, x0.shape)
    return jnp.asarray(A), jnp.asarray(x0), jnp.asarray(x_star)


def _modes(A: jax.Array, x0: jax.Array, x_star: jax.Array):
    eigenvalues, V = jnp.linalg.eigh(A)
    return eigenvalues, V, V.T @ (x0 - x_star)


@jax.jit
def _flow(A: jax.Array, x0: jax.Array, x_star: jax.Array, ts: jax.Array) -> jax.Array:
    eigenvalues, V, c = _modes(A, x0, x_star)
    return x_star + (jnp.exp(-jnp.outer(ts, eigenvalues)) * c) @ V.T


@partial(jax.jit, static_argnames="num_steps")
def _gd(A: jax.Array, x0: jax.Array, x_star: jax.Array, lr: jax.Array, num_steps: int) -> jax.Array:
    eigenvalues, V, c = _modes(A, x0, x_star)
    k = jnp.arange(num_steps + 1)[:, None]
    base = 1.0 - lr * eigenvalues[None, :]
    sign = jnp.where((base < 0) & (k % 2 == 1), -1.0, 1.0)
    return x_star + (sign * jnp.abs(base) ** k * c) @ V.T


def quadratic_flow(hessian: Any, x0: Any, ts: Any, *, x_star: Any = None) -> jax.Array:
    r"""The exact gradient flow of a quadratic at the times ``ts``.

    .. math:: x(t) = x^* + V e^{-\Lambda t} V^\top (x_0 - x^*)

    where :math:`A = V\Lambda V^\top` is ``hessian`` and :math:`x^*` is ``x_star``
    (default 0). Returns an array of shape ``(len(ts), d)``.
    """
    A, x0, x_star = _checked(hessian, x0, x_star)
    return _flow(A, x0, x_star, check_times("ts", ts))


def quadratic_gd(hessian: Any, x0: Any, lr: float, num_steps: int, *, x_star: Any = None) -> jax.Array:
    r"""The exact gradient-descent iterates on a quadratic, mode by mode.

    .. math:: x_k = x^* + V (I - h\Lambda)^k V^\top (x_0 - x^*), \qquad k = 0, \dots, n.

    Returns an array of shape ``(num_steps + 1, d)``.
    """
    A, x0, x_star = _checked(hessian, x0, x_star)
    check_positive("lr", lr)
    return _gd(A, x0, x_star, lr, check_count("num_steps", num_steps))
