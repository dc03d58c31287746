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
:math:`\tilde L = L + \tfrac h4 \|\nabla L\|^2` (Barrett & Dherin, 2021).
:func:`~gfbook.modified_field_terms` builds :math:`f_1, \dots, f_N` to any (small) order by the
recursion of Hairer, Lubich & Wanner (2006, IX.1). All derivatives are taken by
forward-mode autodiff (``jax.jvp``); no Hessian is formed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import jax
import jax.numpy as jnp
from jax.tree_util import Partial

from gfbook._checks import (
    as_partial,
    check_batch_size,
    check_count,
    check_leading_axis,
    check_nonnegative,
    check_positive,
)
from gfbook._trees import axpy, negative_gradient, squared_norm

MAX_ORDER = 2
MAX_TERMS_ORDER = 6


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


def _compositions(n: int, parts: int) -> list[tuple[int, ...]]:
    """The ordered tuples of ``parts`` integers >= 1 that sum to ``n``."""
    if parts == 1:
        return [(n,)]
    return [(k, *rest) for k in range(1, n - parts + 2) for rest in _compositions(n - k, parts - 1)]


def _lie_derivative(g: Callable, direction: Callable) -> Callable:
    """The function :math:`y \\mapsto g'(y)\\,d(y)`, by one Jacobian-vector product."""
    return lambda y: jax.jvp(g, (y,), (direction(y),))[1]


def _euler_terms(field: Callable, order: int) -> list[Callable]:
    """f_1 = f, f_2, ..., f_order of the modified equation of x + h f(x), as functions."""
    terms = [field]

    def next_term(n: int) -> Callable:
        known = tuple(terms)  # f_1, ..., f_{n-1}

        def term(y):
            total = jax.tree.map(jnp.zeros_like, y)
            for parts in range(2, n + 1):
                for ks in _compositions(n, parts):
                    g = known[ks[-1] - 1]
                    for k in reversed(ks[:-1]):
                        g = _lie_derivative(g, known[k - 1])
                    total = axpy(1 / math.factorial(parts), g(y), total)
            return jax.tree.map(jnp.negative, total)

        return term

    for n in range(2, order + 1):
        terms.append(next_term(n))
    return terms


@cache
def _terms_function(order: int) -> Callable:
    """One jitted function per order, ``(field, x) -> [f_1(x), ..., f_order(x)]``: fields share it."""

    @jax.jit
    def terms(field: Partial, x: jax.Array) -> jax.Array:
        x = jnp.asarray(x)
        return jnp.stack([term(x) for term in _euler_terms(field, order)])

    return terms


def modified_field_terms(field: Callable, order: int) -> Partial:
    r"""The terms :math:`f_1 = f, f_2, \dots, f_N` of the modified equation of the explicit Euler method.

    For :math:`\Phi_h(x) = x + h f(x)` the modified field
    :math:`\tilde f = f_1 + h f_2 + h^2 f_3 + \cdots` is the one whose exact flow over
    time :math:`h` agrees with :math:`\Phi_h` as a power series in :math:`h`. Expanding
    that flow in Lie derivatives, :math:`(D_k g)(x) = g'(x) f_k(x)`, and matching powers
    of :math:`h` gives the recursion (Hairer, Lubich & Wanner 2006, Section IX.1)

    .. math::
        f_n = -\sum_{i=2}^{n} \frac1{i!} \sum_{k_1 + \dots + k_i = n}
        D_{k_1} \cdots D_{k_{i-1}} f_{k_i}, \qquad n \ge 2,

    the inner sum over ordered :math:`k_l \ge 1`. Every Lie derivative is one
    ``jax.jvp``; nothing is differenced. The cost grows quickly with ``order`` (the
    number of terms is :math:`2^{n-1} - 1`, nested :math:`n - 1` deep), so keep it
    small (at most ``MAX_TERMS_ORDER``). ``field`` maps an array to an array of its
    shape; for gradient descent it is :math:`-\nabla L`. Returns a
    ``jax.tree_util.Partial`` mapping a point ``x`` to the array of shape
    ``(order, *x.shape)`` whose row :math:`j` is :math:`f_{j+1}(x)`; the truncated
    field is :math:`\sum_j h^{j} f_{j+1}(x)`.
    """
    field = as_partial("field", field)
    order = check_count("order", order, minimum=1, maximum=MAX_TERMS_ORDER)
    return Partial(_terms_function(order), field)


@jax.jit
def _sgd_modified_consecutive(loss: Partial, lr: jax.Array, batches: Any, x: Any) -> jax.Array:
    """L(x) + (h/4m) sum_k |grad L_k(x)|^2, the batches along the leading axis of ``batches``."""
    values, grads = jax.vmap(jax.value_and_grad(loss), in_axes=(None, 0))(x, batches)
    return jnp.mean(values) + lr / 4 * jnp.mean(jax.vmap(squared_norm)(grads))


@jax.jit
def _sgd_modified_expected(loss: Partial, lr: jax.Array, spread: jax.Array, examples: Any, x: Any) -> jax.Array:
    """L + (h/4)(|g|^2 + c tr Sigma_1), per-example gradients g_i, c = (N - B)/(B(N - 1))."""
    values, grads = jax.vmap(jax.value_and_grad(loss), in_axes=(None, 0))(x, examples)
    mean = jax.tree.map(lambda leaf: jnp.mean(leaf, axis=0), grads)
    variance = jnp.mean(jax.vmap(squared_norm)(jax.tree.map(lambda g, a: g - a, grads, mean)))
    return jnp.mean(values) + lr / 4 * (squared_norm(mean) + spread * variance)


def sgd_modified_loss(loss: Callable, lr: float, data: Any, batch_size: int, *, expected: bool = False) -> Partial:
    r"""The modified loss of mini-batch SGD, :math:`L + \tfrac{h}{4m}\sum_k \|\nabla \hat L_k\|^2`.

    ``loss(x, batch)`` is the mean loss over a batch (a pytree of rows of ``data``, whose
    leaves share their leading axis of :math:`N` examples); :math:`B` = ``batch_size`` must
    divide :math:`N`, :math:`m = N/B`, and :math:`\hat L_k` is the loss on the :math:`k`-th
    consecutive slice of :math:`B` examples, :math:`L = \tfrac1m \sum_k \hat L_k`. One epoch
    of SGD with these batches in a uniformly random order is, in expectation over the order,
    :math:`O(h^3)`-close to the gradient flow of this loss over time :math:`mh`
    (Smith, Dherin, Barrett & De 2021).

    With ``expected=True``, the expectation of this loss over the random partitions of
    random reshuffling (every permutation of the examples equally likely), in closed form
    with the per-example gradients :math:`g_i` (batches of one row), their mean
    :math:`\bar g` and :math:`\Gamma = \tfrac1N\sum_i \|g_i - \bar g\|^2`:

    .. math:: L + \tfrac h4\Bigl(\|\bar g\|^2 + \tfrac{N - B}{B(N - 1)}\,\Gamma\Bigr),

    since two distinct examples share a batch with probability :math:`(B-1)/(N-1)`.
    This form assumes the batch loss is the mean of per-example losses. ``lr`` :math:`= 0`
    is allowed and gives :math:`L` itself: the flows of :math:`L` and of its modified loss
    then share one compiled solve (the step is data of the returned
    ``jax.tree_util.Partial``).
    """
    loss = as_partial("loss", loss)
    lr = check_nonnegative("lr", lr)
    num_examples = check_leading_axis("data", data)
    batch_size = check_batch_size(batch_size, num_examples, divides=True)
    lr = jnp.asarray(lr, dtype=float)
    if expected:
        examples = jax.tree.map(lambda leaf: leaf[:, None], data)
        spread = 0.0 if num_examples == 1 else (num_examples - batch_size) / (batch_size * (num_examples - 1))
        return Partial(_sgd_modified_expected, loss, lr, jnp.asarray(spread), examples)
    batches = jax.tree.map(lambda leaf: leaf.reshape(-1, batch_size, *leaf.shape[1:]), data)
    return Partial(_sgd_modified_consecutive, loss, lr, batches)
