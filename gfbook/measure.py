r"""Measurements on trajectories: distances, curvature, divergence and fitted rates.

These live in the package (not in the notebooks) so that the tests cover them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from gfbook._checks import as_float_tree, as_real_numpy, check_count, check_positive, check_seed, is_traced
from gfbook.methods import gradient_descent, gradient_flow
from gfbook.methods._common import as_partial, checked_loss_value


def _squared_norm_per_step(tree: Any) -> jax.Array:
    leaves = jax.tree.leaves(tree)
    return sum(jnp.sum(leaf.reshape(leaf.shape[0], -1) ** 2, axis=1) for leaf in leaves)


# The small measurements below are compiled whole: run op by op, as a notebook cell would,
# every operation on every new shape compiles a program of its own (about 20 ms each).
@jax.jit
def _distance_per_step(a: Any, b: Any) -> jax.Array:
    return jnp.sqrt(_squared_norm_per_step(jax.tree.map(jnp.subtract, a, b)))


@jax.jit
def _hvp(loss: Callable, x: Any, v: Any) -> Any:
    return jax.jvp(jax.grad(loss), (x,), (v,))[1]


def trajectory_distance(a: Any, b: Any) -> jax.Array:
    r"""The Euclidean distance :math:`\|a_k - b_k\|` at each step :math:`k` of two trajectories.

    ``a`` and ``b`` are arrays (or pytrees of arrays) with the same structure and
    shapes, the leading axis indexing the step. Returns an array of length
    ``len(a)``.
    """
    if jax.tree.structure(a) != jax.tree.structure(b):
        raise ValueError("a and b must have the same pytree structure")
    for la, lb in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        if jnp.shape(la) != jnp.shape(lb) or jnp.ndim(la) == 0:
            raise ValueError(
                f"a and b must be trajectories of the same shape, got {jnp.shape(la)} and {jnp.shape(lb)}"
            )
    if is_traced((a, b)):
        return _distance_per_step(a, b)
    # Concrete trajectories (the usual case in a notebook, with a new length at every call)
    # are measured in NumPy: no compile per shape.
    squares = [(np.asarray(x) - np.asarray(y)).reshape(np.shape(x)[0], -1) ** 2
               for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)]
    return jnp.asarray(np.sqrt(sum(np.sum(sq, axis=1) for sq in squares)))


def flow_distance(
    loss: Callable, x0: Any, lr: float, num_steps: int, *, rtol: float = 1e-10, atol: float = 1e-10
) -> jax.Array:
    r"""How far gradient descent strays from the gradient flow.

    Returns :math:`\|x_k - x(k h)\|` for :math:`k = 0, \dots, n`, where
    :math:`x_k` are the GD iterates with step :math:`h` (``lr``) and :math:`x(t)`
    is the gradient flow from the same start (Elkabetz & Cohen, 2021).
    """
    gd = gradient_descent(loss, x0, lr, num_steps)
    ts = lr * jnp.arange(num_steps + 1)
    gf = gradient_flow(loss, x0, ts, rtol=rtol, atol=atol)
    return trajectory_distance(gd, gf)


def hvp(loss: Callable, x: Any, v: Any) -> Any:
    r"""The Hessian-vector product :math:`\nabla^2 L(x)\,v`, forward-over-reverse.

    Computed as ``jax.jvp(jax.grad(loss), (x,), (v,))``: the cost of about two
    gradients, and no Hessian is ever formed.
    """
    if jax.tree.structure(v) != jax.tree.structure(x) or any(
        jnp.shape(a) != jnp.shape(b) for a, b in zip(jax.tree.leaves(v), jax.tree.leaves(x), strict=True)
    ):
        raise ValueError("v must have the structure and shapes of x")
    return _hvp(as_partial("loss", loss), x, v)


def _power_iteration(matvec: Callable, v0: jax.Array, num_iters: int) -> jax.Array:
    """Rayleigh quotient of the dominant eigenvector of a symmetric operator."""

    def step(_, v):
        w = matvec(v)
        norm = jnp.linalg.norm(w)
        return w / jnp.where(norm == 0, 1.0, norm)

    # The number of iterations is data (a while loop), so every count shares one compile.
    v = jax.lax.fori_loop(0, num_iters, step, v0 / jnp.linalg.norm(v0))
    return v @ matvec(v)


@jax.jit
def _extremes(loss, x, key, num_iters):
    checked_loss_value(loss, x)  # runs while tracing only
    flat, unravel = ravel_pytree(x)

    def hessian(v):
        return ravel_pytree(hvp(loss, x, unravel(v)))[0]

    k1, k2 = jax.random.split(key)
    dominant = _power_iteration(hessian, jax.random.normal(k1, flat.shape, flat.dtype), num_iters)
    # Shift by the dominant eigenvalue: sign * (dominant I - H) is positive semi-definite,
    # and its top eigenvalue is the distance from `dominant` to the other end of the spectrum.
    sign = jnp.where(dominant >= 0, 1.0, -1.0)
    spread = _power_iteration(
        lambda v: sign * (dominant * v - hessian(v)),
        jax.random.normal(k2, flat.shape, flat.dtype),
        num_iters,
    )
    other = dominant - sign * spread
    return jnp.minimum(dominant, other), jnp.maximum(dominant, other)


def hessian_extreme_eigenvalues(
    loss: Callable, x: Any, *, num_iters: int = 200, seed: int = 0
) -> tuple[jax.Array, jax.Array]:
    r"""The smallest and largest eigenvalues :math:`(\lambda_{\min}, \lambda_{\max})` of :math:`\nabla^2 L(x)`.

    Power iteration on Hessian-vector products (:func:`hvp`) finds the eigenvalue
    of largest magnitude; a second power iteration on the shifted operator
    :math:`\pm(\lambda_{\mathrm{dom}} I - \nabla^2 L)` finds the other end of the
    spectrum. The error of each Rayleigh quotient decays like
    :math:`(\lambda_2/\lambda_1)^{2k}` in the number :math:`k` of iterations
    (``num_iters``), so well-separated extremes converge fast. ``x`` may be a pytree.
    """
    x = as_float_tree("x", x)
    num_iters = check_count("num_iters", num_iters, minimum=1)
    loss = as_partial("loss", loss)
    return _extremes(loss, x, jax.random.key(seed), num_iters)


def curvature_along(
    loss: Callable, trajectory: Any, *, num_iters: int = 100, seed: int = 0
) -> tuple[jax.Array, jax.Array]:
    r""":math:`(\lambda_{\min}, \lambda_{\max})` of :math:`\nabla^2 L` at every point of a trajectory.

    ``trajectory`` is what the methods return: an array (or a pytree) with a leading time
    axis. The extremes of :func:`hessian_extreme_eigenvalues` are computed at all points in
    one compiled function, by Hessian-vector products only. Returns two arrays of the trajectory's
    length: the most negative curvature :math:`\lambda_{\min}` and the sharpness
    :math:`\lambda_{\max}`.
    """
    leaves = jax.tree.leaves(trajectory)
    if not leaves or any(jnp.ndim(leaf) < 1 for leaf in leaves):
        raise ValueError("trajectory must have a leading time axis on every leaf")
    if len({jnp.shape(leaf)[0] for leaf in leaves}) != 1:
        raise ValueError("trajectory must have the same number of points on every leaf")
    as_float_tree("trajectory", trajectory)
    num_iters = check_count("num_iters", num_iters, minimum=1)
    loss = as_partial("loss", loss)
    key = jax.random.key(check_seed("seed", seed))
    if is_traced(trajectory):
        return jax.vmap(lambda x: _extremes(loss, x, key, num_iters))(trajectory)
    # One compiled call per point, shared with sharpness and hessian_extreme_eigenvalues (a
    # vmapped call would compile again for every trajectory length); as fast as the vmap
    # on the book's problems. The points are sliced on the host, which compiles nothing.
    points = jax.device_get(trajectory)
    count = jnp.shape(leaves[0])[0]
    # (jnp.asarray: a raw NumPy argument would be compiled for apart from a JAX array of the same shape)
    pairs = [_extremes(loss, jax.tree.map(lambda leaf: jnp.asarray(leaf[i]), points), key, num_iters)  # noqa: B023
             for i in range(count)]
    pairs = np.asarray(jax.device_get(pairs))  # (count, 2)
    return jnp.asarray(pairs[:, 0]), jnp.asarray(pairs[:, 1])


def sharpness(loss: Callable, x: Any, *, num_iters: int = 200, seed: int = 0) -> jax.Array:
    r"""The sharpness :math:`\lambda_{\max}(\nabla^2 L(x))`, the largest Hessian eigenvalue.

    GD with step :math:`h` is stable near :math:`x` only if :math:`h\,\lambda_{\max} < 2`.
    See :func:`hessian_extreme_eigenvalues` for the method.
    """
    return hessian_extreme_eigenvalues(loss, x, num_iters=num_iters, seed=seed)[1]


def _norm_per_step(trajectory: Any) -> np.ndarray:
    """The Euclidean norm of each step, in float64 and scaled by the largest entry, so that
    large finite entries (1e180, or 1e20 in float32) do not overflow into a false inf."""
    leaves = [np.asarray(leaf, dtype=np.float64) for leaf in jax.tree.leaves(trajectory)]
    if not leaves or any(leaf.ndim == 0 for leaf in leaves):
        raise ValueError("trajectory must be an array (or pytree of arrays) with a leading step axis")
    flat = np.concatenate([leaf.reshape(leaf.shape[0], -1) for leaf in leaves], axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.max(np.abs(flat), axis=1)
        safe = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        return np.where(np.isfinite(scale), safe * np.sqrt(np.sum((flat / safe[:, None]) ** 2, axis=1)), scale)


def divergence_index(trajectory: Any, *, threshold: float = 1e100) -> int | None:
    r"""The first step at which a trajectory has diverged, or ``None`` if it never does.

    A step has diverged when any entry is ``nan`` or ``inf``, or its norm exceeds
    ``threshold``.
    """
    check_positive("threshold", threshold)
    norms = _norm_per_step(trajectory)
    bad = ~np.isfinite(norms) | (norms > threshold)
    return int(np.argmax(bad)) if bad.any() else None


def diverged(trajectory: Any, *, threshold: float = 1e100) -> bool:
    """Whether a trajectory diverged (see :func:`divergence_index`)."""
    return divergence_index(trajectory, threshold=threshold) is not None


def fit_power_law(x: Any, y: Any) -> tuple[float, float]:
    r"""Fit :math:`y \approx C x^p` by least squares on :math:`\log y = \log C + p \log x`.

    Returns ``(p, C)``. Used to read orders of accuracy and convergence rates off
    log-log data. ``x`` and ``y`` must be positive and finite, of equal length >= 2.
    """
    x, y = as_real_numpy("x", x).astype(float), as_real_numpy("y", y).astype(float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y must be 1-D of equal length >= 2, got {x.shape} and {y.shape}")
    for name, arr in (("x", x), ("y", y)):
        if np.any(arr <= 0):
            raise ValueError(f"{name} must be > 0 to fit a power law")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(np.exp(intercept))


def gd_flow_distance_estimate(lr: float, lam_min: Any, hg_norm: Any) -> np.ndarray:
    r"""The book's first-order estimate of :math:`\|x_n - x(nh)\|`, GD against the gradient flow.

    With :math:`e_n = x_n - x(nh)`, one GD step gives
    :math:`e_{n+1} = (I - hH_n)e_n + \ell_n + O(\|e_n\|^2)`, with the local error
    :math:`\|\ell_n\| \le \tfrac{h^2}2 \max_{[t_n, t_{n+1}]}\|H\nabla L\|` and
    :math:`\|I - hH_n\| \le 1 + h\lambda_-(t_n)` where :math:`\lambda_- = \max(0, -\lambda_{\min})`
    (if also :math:`h\lambda_{\max} \le 2`). Evaluating the curvature on the flow:

    .. math:: \varepsilon_0 = 0, \qquad \varepsilon_{n+1} = (1 + h\lambda_-(t_n))\,\varepsilon_n
        + \tfrac{h^2}2 \|H\nabla L\|(t_n),

    whose solution is at most :math:`\tfrac{h t}2 \max\|H\nabla L\| \exp\bigl(\int_0^t \lambda_-\bigr)`:
    the distance is controlled by the negative curvature along the flow, the structure of
    Elkabetz & Cohen's theorem. On a convex quadratic (:math:`\lambda_- = 0`, and
    :math:`\|A^2 x(t)\|` non-increasing) it is a rigorous bound; in general it is an estimate,
    exact to first order in :math:`h` and in the distance.

    Args:
        lr: the GD step :math:`h > 0`.
        lam_min: :math:`\lambda_{\min}(\nabla^2 L)` on the flow at :math:`t_n = nh`, :math:`n = 0..N`.
        hg_norm: :math:`\|\nabla^2 L\,\nabla L\|` on the flow at the same times.

    Returns:
        :math:`\varepsilon_0, \dots, \varepsilon_N`.
    """
    check_positive("lr", lr)
    lam_min = np.asarray(as_real_numpy("lam_min", lam_min), dtype=float)
    hg_norm = np.asarray(as_real_numpy("hg_norm", hg_norm), dtype=float)
    if lam_min.ndim != 1 or lam_min.shape != hg_norm.shape:
        raise ValueError(f"hg_norm must be 1-D with the shape of lam_min {lam_min.shape}, got {hg_norm.shape}")
    if np.any(hg_norm < 0):
        raise ValueError("hg_norm must be >= 0 (it is a norm)")
    h = float(lr)
    growth = 1 + h * np.maximum(0.0, -lam_min[:-1])
    local = 0.5 * h**2 * hg_norm[:-1]
    out = np.zeros(lam_min.size)
    for n in range(lam_min.size - 1):
        out[n + 1] = growth[n] * out[n] + local[n]
    return out
