r"""Stochastic gradients: mini-batch SGD and the SDE model of it.

:func:`~gfbook.sgd` runs gradient descent on a different mini-batch loss every step, with
the batches in one of three orders (:func:`gfbook.minibatch_indices`); :func:`~gfbook.sgd_sde`
solves the stochastic differential equation
:math:`dX = -\nabla L(X)\,dt + \sqrt h\,\Sigma(X)^{1/2}\,dW` of Li, Tai & E (2017, 2019) by
the Euler–Maruyama method. The modified loss that random shuffling follows (Smith et al. 2021) is theory and
lives with the other modified losses, :func:`gfbook.sgd_modified_loss`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from jax.tree_util import Partial

from gfbook._checks import (
    as_float_tree,
    as_partial,
    check_batch_size,
    check_choice,
    check_count,
    check_key,
    check_leading_axis,
    check_positive,
    check_times,
    checked_loss_value,
    is_traced,
    strongly_typed,
)
from gfbook._trees import prepend
from gfbook.data import ORDERS, _batch_indices

SAVES = ("step", "epoch")


def _as_data(data: Any) -> Any:
    """``data`` as a pytree of JAX arrays, integer leaves (labels, indices) kept as they are."""
    if is_traced(data):
        return data
    try:
        data = jax.tree.map(jnp.asarray, data)
    except TypeError as err:
        raise TypeError(f"data must be an array or a pytree of arrays: {err}") from None
    for leaf in jax.tree.leaves(data):
        if jnp.issubdtype(leaf.dtype, jnp.inexact) and not bool(jnp.all(jnp.isfinite(leaf))):
            raise ValueError("data must be finite, got a NaN or inf entry")
    return data


@partial(jax.jit, static_argnames=("num_epochs", "batch_size", "order", "save"))
def _sgd_scan(loss, x0, lr, data, key, num_epochs, batch_size, order, save):
    num_examples = jax.tree.leaves(data)[0].shape[0]
    per_epoch = num_examples // batch_size
    indices = _batch_indices(key, num_examples, batch_size, num_epochs * per_epoch, order)
    indices = indices.reshape(num_epochs, per_epoch, batch_size)

    def take(idx):
        return jax.tree.map(lambda leaf: leaf[idx], data)

    checked_loss_value(lambda x: loss(x, take(jnp.arange(batch_size))), x0)  # while tracing only
    grad = jax.grad(loss)

    def step(x, idx):
        g = grad(x, take(idx))
        x_next = jax.tree.map(lambda xi, gi: xi - jnp.asarray(lr, xi.dtype) * gi, x, g)
        return x_next, x_next

    def epoch(x, epoch_indices):
        x_end, path = jax.lax.scan(step, x, epoch_indices)
        return x_end, path if save == "step" else x_end

    _, rest = jax.lax.scan(epoch, x0, indices)
    if save == "step":
        rest = jax.tree.map(lambda leaf: leaf.reshape(-1, *leaf.shape[2:]), rest)
    return prepend(x0, rest)


def sgd(
    loss: Callable,
    x0: Any,
    lr: float,
    num_epochs: int,
    *,
    data: Any,
    batch_size: int,
    key: Any = None,
    order: str = "shuffle",
    save: str = "step",
) -> Any:
    r"""Mini-batch stochastic gradient descent: every step is a GD step on one mini-batch loss.

    With :math:`N` examples (the leading axis of every leaf of ``data``), batch size
    :math:`B` dividing :math:`N` and :math:`m = N/B` steps per epoch,

    .. math:: x_{k+1} = x_k - h\,\nabla \hat L_{k}(x_k), \qquad
              \hat L_k(x) = \mathrm{loss}(x, \mathrm{data}[I_k]),

    where :math:`I_k` are the indices of batch :math:`k` in the given ``order``
    (:func:`gfbook.minibatch_indices`: ``"shuffle"``, ``"with_replacement"`` or ``"fixed"``).

    Args:
        loss: ``loss(x, batch)``, the mean loss over a batch: ``batch`` is ``data`` with
            every leaf restricted to the batch's rows.
        x0: the start point (an array or a pytree of arrays).
        lr: the step size :math:`h > 0`, traced: a sweep compiles once.
        num_epochs: the number of epochs; the run takes ``num_epochs * N // batch_size`` steps.
        data: an array or a pytree of arrays sharing their leading axis (the examples).
        batch_size: :math:`B`, a divisor of :math:`N` (otherwise a ``ValueError``: no
            example is silently dropped).
        key: a JAX random key; it may be ``None`` for ``order="fixed"``. ``jax.vmap``
            over keys runs many seeds in one compiled program.
        order: the order of the batches.
        save: ``"step"`` returns every iterate, ``"epoch"`` only those at the end of
            each epoch.

    Returns:
        The iterates, :math:`x_0` first, along a new leading axis: ``num_epochs * m + 1``
        of them, or ``num_epochs + 1`` with ``save="epoch"``. A run that diverges is
        returned as it is, with its ``inf``/``nan`` visible (:func:`gfbook.diverged`).
    """
    x0 = as_float_tree("x0", x0)
    check_positive("lr", lr)
    num_epochs = check_count("num_epochs", num_epochs)
    order = check_choice("order", order, ORDERS)
    save = check_choice("save", save, SAVES)
    loss = as_partial("loss", loss)
    data = _as_data(data)
    num_examples = check_leading_axis("data", data)
    batch_size = check_batch_size(batch_size, num_examples, divides=True)
    key = check_key("key", key, required=order != "fixed")
    return _sgd_scan(loss, x0, strongly_typed(lr), data, key, num_epochs, batch_size, order, save)


def _constant_root(root: jax.Array, _x: Any) -> jax.Array:
    return root


def _root_of(noise_cov: Partial, x: Any) -> jax.Array:
    return _psd_sqrt(noise_cov(x))


def _psd_sqrt(matrix: jax.Array) -> jax.Array:
    """The symmetric square root of a positive semi-definite matrix (negative rounding clipped)."""
    w, v = jnp.linalg.eigh(matrix)
    return (v * jnp.sqrt(jnp.clip(w, 0.0))) @ v.T


@partial(jax.jit, static_argnames=("num_substeps",))
def _sde_solve(loss, noise_root, x0, ts, lr, key, num_substeps):
    flat0, unravel = ravel_pytree(x0)
    grad = jax.grad(loss)

    def substep(y, inputs):
        dt, noise = inputs  # noise ~ N(0, I): the Brownian increment is sqrt(dt) noise
        drift = ravel_pytree(grad(unravel(y)))[0]
        diffusion = jnp.sqrt(lr) * noise_root(unravel(y))
        return y - dt * drift + jnp.sqrt(dt) * diffusion @ noise, None

    def interval(y, inputs):
        gap, interval_key = inputs
        dts = jnp.full(num_substeps, gap / num_substeps)
        noise = jax.random.normal(interval_key, (num_substeps, *flat0.shape), flat0.dtype)
        y, _ = jax.lax.scan(substep, y, (dts, noise))
        return y, y

    keys = jax.random.split(key, ts.shape[0] - 1)
    _, rest = jax.lax.scan(interval, flat0, (jnp.diff(ts), keys))
    return jax.vmap(unravel)(jnp.concatenate([flat0[None], rest]))


def sgd_sde(
    loss: Callable,
    x0: Any,
    ts: Any,
    *,
    lr: float,
    noise_cov: Any,
    key: Any,
    dt: float | None = None,
) -> Any:
    r"""The SDE model of SGD, solved by the Euler–Maruyama method with steps of at most ``dt``.

    .. math:: dX = -\nabla L(X)\,dt + \sqrt h\,\Sigma(X)^{1/2}\,dW

    (Li, Tai & E 2017, 2019), where :math:`h` is the SGD step (``lr``) and :math:`\Sigma` the
    covariance of a mini-batch gradient at the batch size used (for batches drawn with
    replacement, the per-example covariance divided by :math:`B`). Time :math:`t`
    corresponds to :math:`t/h` SGD steps.

    Args:
        loss: the full loss :math:`L(x)`.
        x0: the start point (an array or a pytree; :math:`\Sigma` acts on its flattening).
        ts: the increasing times at which to report :math:`X`, ``ts[0]`` the start.
        lr: the step :math:`h > 0` of the SGD being modelled (it scales the noise).
        noise_cov: :math:`\Sigma`: a constant symmetric positive semi-definite
            ``(d, d)`` matrix, or a function of :math:`x` returning one (multiplicative
            noise); its symmetric square root is taken by ``eigh``, so low rank is allowed.
        key: a JAX random key for the Brownian path; ``jax.vmap`` over keys for many paths.
        dt: the largest Euler–Maruyama step (default ``lr``): each interval between
            consecutive ``ts`` is cut into the same number of equal steps, the fewest that
            keep them :math:`\le` ``dt``. The method has weak order 1 in ``dt``.

    Euler–Maruyama is one line, :math:`X \leftarrow X - \delta\nabla L(X) +
    \sqrt{h\delta}\,\Sigma(X)^{1/2}\xi` with :math:`\xi \sim N(0, I)`; it is written as a
    ``jax.lax.scan`` because a diffrax solve of it compiles for seconds, and the book's
    references for it are closed forms (Lyapunov equations).

    Returns:
        :math:`X(t)` at ``ts``, with a leading axis of length ``len(ts)``.
    """
    x0 = as_float_tree("x0", x0)
    loss = as_partial("loss", loss)
    if is_traced(ts) or is_traced(dt):
        raise ValueError("ts and dt must be concrete: vmap over key, not over ts or dt")
    ts = check_times("ts", ts)
    gaps = np.diff(np.asarray(ts))
    check_positive("lr", lr)
    dt = lr if dt is None else check_positive("dt", dt)
    key = check_key("key", key)
    size = ravel_pytree(x0)[0].shape[0]
    if callable(noise_cov):
        noise_root = Partial(_root_of, as_partial("noise_cov", noise_cov))
    else:
        matrix = as_float_tree("noise_cov", noise_cov)
        if jnp.shape(matrix) != (size, size):
            raise ValueError(
                f"noise_cov must be a ({size}, {size}) matrix (x0 has {size} entries), got shape {jnp.shape(matrix)}"
            )
        if is_traced(matrix):
            root = _psd_sqrt(matrix)
        else:  # once, in NumPy, not every step
            w, v = np.linalg.eigh(np.asarray(matrix, dtype=float))
            root = jnp.asarray((v * np.sqrt(np.clip(w, 0.0, None))) @ v.T)
        noise_root = Partial(_constant_root, root)
    num_substeps = max(1, math.ceil(float(gaps.max()) / float(dt) - 1e-9)) if gaps.size else 1
    return _sde_solve(loss, noise_root, x0, ts, strongly_typed(lr), key, num_substeps)
