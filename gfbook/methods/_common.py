"""Helpers shared by the methods: checking a loss and stacking a trajectory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.tree_util import Partial

from gfbook._checks import check_callable


def as_partial(name: str, fn: Callable) -> Partial:
    """Wrap a callable as a ``jax.tree_util.Partial`` so it can be a *traced* jit argument.

    A ``Partial`` is a pytree: its function is static (the compile is keyed on it)
    and its bound arguments are data. The book's problems bind their data (a
    Hessian, a data set) this way, so every quadratic of one shape shares one
    compiled trajectory. A plain function becomes a ``Partial`` with no data.
    """
    check_callable(name, fn)
    return fn if isinstance(fn, Partial) else Partial(fn)


def check_loss(loss: Callable, x0: Any) -> Partial:
    """``loss`` must be callable on ``x0`` and return a real scalar; returns it as a Partial.

    This traces ``loss`` once (``jax.eval_shape``). The methods call
    :func:`checked_loss_value` inside their jitted code instead, where the check runs
    only when a new shape is compiled, so repeated calls pay nothing for it.
    """
    loss = as_partial("loss", loss)
    jax.eval_shape(lambda x: checked_loss_value(loss, x), x0)
    return loss


def checked_loss_value(loss: Callable, x: Any) -> jax.Array:
    """``loss(x)``, raising a ``TypeError`` naming ``loss`` if it fails or is not a scalar."""
    try:
        value = loss(x)
    except Exception as err:  # the reader's loss failed on x: say so, keep the cause
        raise TypeError(f"loss could not be evaluated at x0: {type(err).__name__}: {err}") from err
    if jnp.shape(value) != ():
        raise TypeError(f"loss must return a scalar, got output of shape {jnp.shape(value)}")
    return value


def squared_norm(tree: Any) -> jax.Array:
    """The squared Euclidean norm of a pytree: the sum of the squares of every leaf's entries."""
    return sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(tree))


def negative_gradient(loss: Callable, x: Any) -> Any:
    """The gradient-flow vector field :math:`-\\nabla L(x)`, leaf by leaf for a pytree ``x``."""
    return jax.tree.map(jnp.negative, jax.grad(loss)(x))


def prepend(first: Any, rest: Any) -> Any:
    """Stack ``first`` (one point) in front of ``rest`` (points along axis 0), leaf by leaf."""
    return jax.tree.map(lambda a, b: jnp.concatenate([a[None], b]), first, rest)
