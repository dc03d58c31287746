"""Argument checks shared by every public function.

Each check raises a ``ValueError`` or ``TypeError`` whose message starts with the
argument's name, so a reader who mistypes a call sees at once what to fix. Values
that JAX is tracing (inside ``jax.vmap`` or ``jax.jit``) cannot be inspected and
are let through: the check has already run on the concrete call that a reader makes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def is_traced(value: Any) -> bool:
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(value))


def check_callable(name: str, value: Any) -> Callable:
    """``value`` must be callable (a loss or a vector field)."""
    if not callable(value):
        raise TypeError(f"{name} must be a callable, got {type(value).__name__}")
    return value


def check_positive(name: str, value: Any) -> Any:
    """``value`` must be a finite real number > 0 (a step size, a tolerance)."""
    if is_traced(value):
        return value
    arr = np.asarray(value)
    if arr.ndim != 0 or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real scalar, got {value!r}")
    if not np.isfinite(arr) or arr <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def strongly_typed(value: Any) -> Any:
    """A scalar argument that is passed to compiled code as data, as a strongly typed array.

    JAX keys a compile on whether a value is "weakly typed" (a Python float is, a NumPy
    float is not), so without this ``lr=0.1`` and ``lr=np.float64(0.1)`` would compile
    the same method twice.
    """
    if is_traced(value):
        return value
    arr = np.asarray(value)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(float)


def check_count(name: str, value: Any, *, minimum: int = 0) -> int:
    """``value`` must be an integer >= ``minimum`` (a number of steps)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def as_float_tree(name: str, tree: Any) -> Any:
    """Convert every leaf of ``tree`` to a floating JAX array and check it is finite.

    Integer leaves become the default float (float64 in the book); float32 leaves
    stay float32 so that networks can train in single precision.
    """
    leaves = jax.tree.leaves(tree)
    if not leaves:
        raise ValueError(f"{name} is empty: it must hold at least one array")

    def convert(leaf):
        if isinstance(leaf, jax.Array) and jnp.issubdtype(leaf.dtype, jnp.floating):
            return leaf  # the common case, kept cheap: GD calls this on every call
        arr = jnp.asarray(leaf)
        if jnp.issubdtype(arr.dtype, jnp.complexfloating):
            raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
        if not jnp.issubdtype(arr.dtype, jnp.floating):
            arr = arr.astype(float)
        return arr

    try:
        tree = jax.tree.map(convert, tree)
    except TypeError as err:
        if str(err).startswith(name):
            raise
        raise TypeError(f"{name} must be an array or a pytree of arrays: {err}") from None
    if not is_traced(tree):
        for leaf in jax.tree.leaves(tree):
            if leaf.size == 0:
                raise ValueError(f"{name} is empty (shape {leaf.shape})")
            if not np.isfinite(np.asarray(leaf)).all():
                raise ValueError(f"{name} must be finite, got a NaN or inf entry")
    return tree


def as_float_array(name: str, value: Any) -> jax.Array:
    """Convert ``value`` (an array, a list or a tuple of real numbers) to one finite float array."""
    return jnp.asarray(as_real_numpy(name, value))


def as_real_numpy(name: str, value: Any) -> np.ndarray:
    """``value`` as a finite, real, float64 numpy array; a clear error naming ``name`` otherwise."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers: {err}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got a NaN or inf entry")
    return arr.astype(np.result_type(arr.dtype, np.float32))


def check_times(name: str, ts: Any) -> jax.Array:
    """``ts`` must be a non-empty, finite, strictly increasing 1-D array of times.

    The checks run in NumPy on the host: as JAX operations, each new length of ``ts``
    would compile a few small programs, a visible cost in a notebook.
    """
    if is_traced(ts):
        arr = jnp.asarray(ts)
        if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
            raise TypeError(f"{name} must be a 1-D array of real times, got dtype {arr.dtype}")
        if arr.ndim != 1 or arr.shape[0] == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array of times, got shape {arr.shape}")
        return arr if jnp.issubdtype(arr.dtype, jnp.floating) else arr.astype(float)
    try:
        arr = np.asarray(ts)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D array of times, got {type(ts).__name__}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"{name} must be a 1-D array of real times, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of times, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got a NaN or inf entry")
    if arr.shape[0] > 1 and not (np.diff(arr) > 0).all():
        raise ValueError(f"{name} must be strictly increasing")
    # Always a strongly typed float array: ``0.1 * jnp.arange(n)`` is "weakly typed", and
    # a compiled solver is keyed on that flag, so mixing the two would compile it twice.
    return jnp.asarray(arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(float))


def check_seed(name: str, value: Any) -> int:
    """A random seed: a non-negative integer."""
    return check_count(name, value, minimum=0)


def check_finite_scalar(name: str, value: Any) -> float:
    """``value`` must be a finite real number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)
