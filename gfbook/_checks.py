"""Argument checks: the one vocabulary every public function of gfbook validates with.

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
from jax.tree_util import Partial


def is_traced(value: Any) -> bool:
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(value))


def check_callable(name: str, value: Any) -> Callable:
    """``value`` must be callable (a loss or a vector field)."""
    if not callable(value):
        raise TypeError(f"{name} must be a callable, got {type(value).__name__}")
    return value


def check_positive(name: str, value: Any, *, allow_inf: bool = False) -> Any:
    """``value`` must be a real number > 0 (a step size, a tolerance), finite unless ``allow_inf``."""
    if is_traced(value):
        return value
    arr = np.asarray(value)
    if arr.ndim != 0 or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real scalar, got {value!r}")
    if allow_inf and not np.isnan(arr) and arr > 0:
        return value
    if not np.isfinite(arr) or arr <= 0:
        raise ValueError(f"{name} must be a {'' if allow_inf else 'finite '}number > 0"
                         f"{' (inf allowed)' if allow_inf else ''}, got {value!r}")
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


def check_count(name: str, value: Any, *, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` must be an integer >= ``minimum`` (a number of steps), and <= ``maximum`` if given (an order)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")
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


def check_finite_scalar(name: str, value: Any) -> Any:
    """``value`` must be a finite real number (a Python or NumPy number, or a 0-d array).

    Returns it as a float; a traced value is returned as it is.
    """
    if is_traced(value):
        return value
    if isinstance(value, (np.ndarray, jax.Array)) and value.ndim == 0 and value.dtype != bool:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or np.iscomplexobj(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def check_nonnegative(name: str, value: Any) -> float:
    """``value`` must be a finite real number >= 0 (a distance, a gap, a strength); returns a float."""
    arr = as_real_numpy(name, value)
    if arr.ndim != 0 or arr < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(arr)


def check_at_least(name: str, values: Any, minimum: float) -> np.ndarray:
    """Every entry of ``values`` (a number or an array: times, step counts) must be >= ``minimum``."""
    arr = np.asarray(as_real_numpy(name, values), dtype=float)
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum:g}, got {arr.min():g}")
    return arr


def check_at_most(
    name: str, value: Any, limit: float, *, rule: str | None = None, why: str = "", strict: bool = False
) -> float:
    """``value`` (a number, already checked) must be <= ``limit`` (``< limit`` if ``strict``): a theorem's range.

    ``rule`` states the limit as a formula (``"lr <= 1/smoothness"``) and ``why`` what needs it
    (``"for this bound"``), for the message. A relative slack of 1e-12 lets a value computed as
    the limit itself through.
    """
    value = float(value)
    if value >= limit if strict else value > limit * (1 + 1e-12):
        stated = f"satisfy {rule} = {limit:.6g}" if rule else f"be {'<' if strict else '<='} {limit:g}"
        raise ValueError(f"{name} must {stated}{' ' + why if why else ''}, got {value:.6g}")
    return value


def check_nonzero(name: str, value: Any, *, what: str) -> Any:
    """``value`` (a number, already checked) must not be zero; ``what`` says what it is."""
    if value == 0:
        raise ValueError(f"{name} ({what}) must be non-zero")
    return value


def check_choice(name: str, value: Any, choices: Any) -> Any:
    """``value`` must be one of ``choices`` (a method's name, a kind of loss)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def check_ndim(name: str, value: Any, ndim: int, *, what: str = "") -> Any:
    """``value`` must be an array with ``ndim`` axes (``what`` names them, e.g. "examples x features")."""
    if np.ndim(value) != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array{f' ({what})' if what else ''}, got shape {np.shape(value)}")
    return value


def check_length(name: str, value: Any, minimum: int) -> Any:
    """``value`` (a sequence or an array) must hold at least ``minimum`` entries along its first axis."""
    if len(value) < minimum:
        raise ValueError(f"{name} must hold at least {minimum} entries, got {len(value)}")
    return value


def check_vector(name: str, value: Any) -> np.ndarray:
    """``value`` must be a non-empty, finite, real 1-D array; returns it as a float NumPy array."""
    return check_ndim(name, as_real_numpy(name, value), 1).astype(float)


def check_positive_array(name: str, value: Any) -> np.ndarray:
    """``value`` must be finite numbers > 0 (a number or an array of step sizes or scales)."""
    arr = np.asarray(as_real_numpy(name, value), dtype=float)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must hold numbers > 0, got {value!r}")
    return arr


def check_shape(name: str, value: Any, shape: tuple[int, ...], *, reason: str = "") -> Any:
    """``value`` must have the shape ``shape`` (``reason`` says why, e.g. "to match hessian")."""
    if np.shape(value) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}{' ' + reason if reason else ''}, got {np.shape(value)}")
    return value


def check_symmetric_matrix(name: str, value: Any) -> np.ndarray:
    """``value`` must be a finite, real, square and symmetric matrix (to rounding); returns it in NumPy."""
    arr = as_real_numpy(name, value)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if not np.allclose(arr, arr.T, rtol=1e-12, atol=1e-12 * np.max(np.abs(arr))):
        raise ValueError(f"{name} must be symmetric")
    return arr


def check_same_shapes(name: str, tree: Any, reference: Any, reference_name: str | None = None) -> Any:
    """``tree`` must have the pytree structure and leaf shapes of ``reference`` (named ``reference_name``).

    Without ``reference_name``, ``name`` names both (``"a and b"``).
    """
    if jax.tree.structure(tree) != jax.tree.structure(reference) or any(
        jnp.shape(a) != jnp.shape(b) for a, b in zip(jax.tree.leaves(tree), jax.tree.leaves(reference), strict=True)
    ):
        what = f"the structure and shapes of {reference_name}" if reference_name else "the same structure and shapes"
        shapes = jax.tree.map(jnp.shape, tree), jax.tree.map(jnp.shape, reference)
        raise ValueError(f"{name} must have {what}, got {shapes[0]} and {shapes[1]}")
    return tree


def check_leading_axis(name: str, tree: Any) -> int:
    """Every leaf of ``tree`` must have the same leading axis (steps, points, mini-batches); returns its length."""
    leaves = jax.tree.leaves(tree)
    if not leaves or any(jnp.ndim(leaf) == 0 for leaf in leaves):
        raise ValueError(f"{name} must be an array or a pytree of arrays with a leading axis on every leaf")
    lengths = {jnp.shape(leaf)[0] for leaf in leaves}
    if len(lengths) != 1:
        raise ValueError(f"{name} must have the same leading length on every leaf, got {sorted(lengths)}")
    return lengths.pop()


def check_window(name: str, window: Any, size: int) -> tuple[int, int]:
    """``window`` must be a pair ``(start, stop)`` of indices with ``start + 2 <= stop <= size`` (a fit window)."""
    try:
        start, stop = window
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (start, stop) of indices") from None
    start = check_count(f"{name} start", start)
    stop = check_count(f"{name} stop", stop)
    if not start + 2 <= stop <= size:
        raise ValueError(f"{name} must satisfy start + 2 <= stop <= {size}, got ({start}, {stop})")
    return start, stop


def as_float_values(name: str, values: Any) -> np.ndarray:
    """``values`` as a 1-D float array in which non-finite entries are allowed (a run that diverged).

    Where they matter (in a fit window, say), :func:`check_positive_part` checks them.
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D sequence of real numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence, got shape {arr.shape}")
    return arr


def check_positive_part(name: str, values: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """``values[start:stop]`` must be finite and > 0 (values to fit on a log scale); returns that part."""
    part = values[window[0] : window[1]]
    if not np.all(np.isfinite(part)) or np.any(part <= 0):
        raise ValueError(f"{name} must be finite and > 0 in the fit window (a run at rounding level or diverged?)")
    return part


def check_key(name: str, key: Any, *, required: bool = True) -> Any:
    """``key`` must be a JAX random key (``jax.random.key`` or ``jax.random.PRNGKey``), or None if not required."""
    if key is None:
        if required:
            raise TypeError(f"{name} must be a JAX random key (jax.random.key(seed)), got None")
        return jax.random.key(0)  # unused: the order is fixed
    if isinstance(key, jax.core.Tracer):
        return key
    if isinstance(key, jax.Array) and (
        jnp.issubdtype(key.dtype, jax.dtypes.prng_key) or (key.dtype == jnp.uint32 and key.shape == (2,))
    ):
        return key
    raise TypeError(f"{name} must be a JAX random key (jax.random.key(seed)), got {type(key).__name__}")


def check_batch_size(batch_size: Any, num_examples: int, *, divides: bool) -> int:
    """``batch_size`` must be an int in 1..num_examples; with ``divides``, a divisor of ``num_examples``."""
    batch_size = check_count("batch_size", batch_size, minimum=1, maximum=num_examples)
    if divides and num_examples % batch_size:
        raise ValueError(
            f"batch_size must divide the number of examples {num_examples}, got {batch_size}: an epoch "
            "is a partition into equal mini-batches, and no example is dropped; trim the data to a "
            "multiple of batch_size"
        )
    return batch_size


# --------------------------------------------------------------------------- losses and vector fields


def as_partial(name: str, fn: Callable) -> Partial:
    """Check that ``fn`` is callable and wrap it as a ``jax.tree_util.Partial``, a *traced* jit argument.

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
