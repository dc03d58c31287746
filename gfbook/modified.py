r"""Backward error analysis of gradient descent: modified losses and modified flows.

Gradient descent with step :math:`h` is the explicit Euler method for
:math:`\dot x = f(x) = -\nabla L(x)`. It follows, to higher order in :math:`h`, the flow
of a *modified* vector field (Hairer, Lubich & Wanner 2006, ch. IX)

.. math::
    \tilde f = f + h f_2 + h^2 f_3 + O(h^3), \qquad
    f_2 = -\tfrac12 f'f, \qquad
    f_3 = \tfrac1{12} f''(f, f) + \tfrac13 f'f'f .

For :math:`f = -\nabla L` with gradient :math:`g` and Hessian :math:`H`,
:math:`f_2 = -\tfrac12 Hg = -\nabla\bigl(\tfrac14\|g\|^2\bigr)`, so to first order GD
follows the gradient flow of the modified loss
:math:`\tilde L = L + \tfrac h4 \|\nabla L\|^2` (Barrett & Dherin, 2021). All
derivatives are taken by forward-mode autodiff (``jax.jvp``); no Hessian is formed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.tree_util import Partial

from gfbook._checks import as_partial, check_count, check_nonnegative, check_positive
from gfbook._trees import axpy, negative_gradient, squared_norm

MAX_ORDER = 2


@jax.jit
def _regularized_loss(loss: Partial, strength: jax.Array, x: Any) -> jax.Array:
    return loss(x) + strength * squared_norm(jax.grad(loss)(x))


def gradient_regularized_loss(loss: Callable, strength: float) -> Partial:
    r"""The loss with an explicit gradient penalty, :math:`x \mapsto L(x) + s\,\|\nabla L(x)\|^2`.

    ``strength`` is :math:`s \ge 0`. Gradient descent on this loss is *explicit*
    gradient regularisation (Barrett & Dherin, 2021). Returns a
    ``jax.tree_util.Partial``, so runs at different strengths share one compile.
    """
    loss = as_partial("loss", loss)
    strength = check_nonnegative("strength", strength)
    return Partial(_regularized_loss, loss, jnp.asarray(strength))


def modified_loss(loss: Callable, lr: float) -> Partial:
    r"""The modified loss of gradient descent, :math:`\tilde L(x) = L(x) + \tfrac{h}{4}\|\nabla L(x)\|^2`.

    GD with step :math:`h` (``lr``) on :math:`L` follows the gradient flow of
    :math:`\tilde L` up to an error :math:`O(h^3)` per step, instead of the
    :math:`O(h^2)` by which it misses the flow of :math:`L` (Barrett & Dherin, 2021).
    """
    check_positive("lr", lr)
    return gradient_regularized_loss(loss, lr / 4)


@jax.jit
def _modified_field(loss: Partial, lr: jax.Array, weights: jax.Array, x: Any) -> Any:
    """f + w1 h f_2 + w2 h^2 f_3 with f = -grad L; the 0/1 weights select the order.

    One function for every order, with the order as data, so that a study over
    orders and step sizes compiles the ODE solve once per loss.
    """
    f = Partial(negative_gradient, loss)
    fx = f(x)

    def directional(y):  # y -> f'(y) f(x), with the direction frozen at f(x)
        return jax.jvp(f, (y,), (fx,))[1]

    dfx, d2f = jax.jvp(directional, (x,), (fx,))  # f'f and f''(f, f)
    dfdfx = jax.jvp(f, (x,), (dfx,))[1]  # f'f'f
    f3 = axpy(1 / 12, d2f, jax.tree.map(lambda a: a / 3, dfdfx))
    return axpy(weights[1] * lr**2, f3, axpy(-weights[0] * lr / 2, dfx, fx))


def modified_flow(loss: Callable, lr: float, order: int) -> Partial:
    r"""The vector field of the modified equation of gradient descent, truncated at ``order``.

    * ``order=0``: :math:`-\nabla L`, the gradient flow itself;
    * ``order=1``: :math:`-\nabla L - \tfrac h2 \nabla^2 L\,\nabla L = -\nabla \tilde L`;
    * ``order=2``: adds :math:`h^2 f_3` with
      :math:`f_3 = \tfrac1{12} f''(f,f) + \tfrac13 f'f'f`, :math:`f = -\nabla L`
      (Hairer, Lubich & Wanner 2006, ch. IX).

    One GD step differs from the flow of the order-:math:`p` field over time
    :math:`h` by :math:`O(h^{p+2})`. Every order is evaluated by the same function
    (the order is data), at the cost of three Jacobian-vector products per call. Integrate the field with
    :func:`gfbook.integrate`. Returns a ``jax.tree_util.Partial`` mapping a point to
    a vector of its shape.
    """
    loss = as_partial("loss", loss)
    check_positive("lr", lr)
    order = check_count("order", order, minimum=0, maximum=MAX_ORDER)
    weights = jnp.array([order >= 1, order >= 2], dtype=float)
    return Partial(_modified_field, loss, jnp.asarray(lr, dtype=float), weights)
