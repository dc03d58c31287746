"""Pytree arithmetic shared by the methods, the modified equations and the measurements.

Every method and measurement of gfbook takes a point that is an array or a pytree of arrays
(a network's parameters); these helpers do the few operations they need leaf by leaf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp


def squared_norm(tree: Any) -> jax.Array:
    """The squared Euclidean norm of a pytree: the sum of the squares of every leaf's entries."""
    return sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(tree))


def squared_norm_per_step(tree: Any) -> jax.Array:
    """The squared norm of each point of a trajectory (leaves with a leading step axis)."""
    return sum(jnp.sum(leaf.reshape(leaf.shape[0], -1) ** 2, axis=1) for leaf in jax.tree.leaves(tree))


def axpy(a: Any, x: Any, y: Any) -> Any:
    """``a * x + y`` leaf by leaf."""
    return jax.tree.map(lambda xi, yi: a * xi + yi, x, y)


def negative_gradient(loss: Callable, x: Any) -> Any:
    """The gradient-flow vector field :math:`-\\nabla L(x)`, leaf by leaf for a pytree ``x``."""
    return jax.tree.map(jnp.negative, jax.grad(loss)(x))


def prepend(first: Any, rest: Any) -> Any:
    """Stack ``first`` (one point) in front of ``rest`` (points along axis 0), leaf by leaf."""
    return jax.tree.map(lambda a, b: jnp.concatenate([a[None], b]), first, rest)
