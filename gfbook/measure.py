r"""Measurements on trajectories: distances, curvature, corridors, divergence and fitted rates.

A measurement maps a trajectory (or a point) to numbers a figure shows and an assert checks.
They live in the package (not in the notebooks) so that the tests cover them; the bounds the
measured rates are compared with are in :mod:`gfbook.rates`.
"""

from __future__ import annotations

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
    as_float_values,
    as_partial,
    check_count,
    check_leading_axis,
    check_length,
    check_positive,
    check_positive_array,
    check_positive_part,
    check_same_shapes,
    check_seed,
    check_shape,
    check_vector,
    check_window,
    checked_loss_value,
    is_traced,
    strongly_typed,
)
from gfbook._trees import squared_norm, squared_norm_per_step
from gfbook.methods import gradient_descent, gradient_flow
from gfbook.methods.descent import descent_step
from gfbook.methods.edge_of_stability import edge_point as _edge_point


# The small measurements below are compiled whole: run op by op, as a notebook cell would,
# every operation on every new shape compiles a program of its own (about 20 ms each).
@jax.jit
def _distance_per_step(a: Any, b: Any) -> jax.Array:
    return jnp.sqrt(squared_norm_per_step(jax.tree.map(jnp.subtract, a, b)))


@jax.jit
def _hvp(loss: Callable, x: Any, v: Any) -> Any:
    return jax.jvp(jax.grad(loss), (x,), (v,))[1]


def trajectory_distance(a: Any, b: Any) -> jax.Array:
    r"""The Euclidean distance :math:`\|a_k - b_k\|` at each step :math:`k` of two trajectories.

    ``a`` and ``b`` are arrays (or pytrees of arrays) with the same structure and
    shapes, the leading axis indexing the step. Returns an array of length
    ``len(a)``.
    """
    check_same_shapes("a and b", a, b)
    check_leading_axis("a", a)  # the steps
    if is_traced((a, b)):
        return _distance_per_step(a, b)
    # Concrete trajectories (the usual case in a notebook, with a new length at every call)
    # are measured in NumPy: no compile per shape.
    squares = [
        (np.asarray(x) - np.asarray(y)).reshape(np.shape(x)[0], -1) ** 2
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    ]
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


@partial(jax.jit, static_argnames=("num_steps",))
def _refinement(loss: Partial, x0: Any, lr: jax.Array, ratio: jax.Array, num_steps: int):
    grad = jax.grad(loss)

    def one(carry, _):
        coarse, fine = carry
        coarse = descent_step(grad, coarse, lr)
        fine = jax.lax.fori_loop(0, ratio, lambda _, x: descent_step(grad, x, lr / ratio), fine)
        gap = jnp.sqrt(squared_norm(jax.tree.map(jnp.subtract, coarse, fine)))
        moved = jnp.sqrt(squared_norm(jax.tree.map(jnp.subtract, coarse, x0)))
        return (coarse, fine), (gap, moved)

    _, (gap, moved) = jax.lax.scan(one, (x0, x0), length=num_steps)
    zero = jnp.zeros((1,), gap.dtype)
    return jnp.concatenate([zero, gap]), jnp.concatenate([zero, moved])


def step_refinement_distance(loss: Callable, x0: Any, lr: float, num_steps: int, ratio: int) -> tuple[jax.Array, jax.Array]:
    r"""GD at step :math:`\eta` against GD at :math:`\eta/r` at equal times, and the distance travelled.

    Returns two arrays of length ``num_steps + 1``: :math:`\|\theta^{(\eta)}_k - \theta^{(\eta/r)}_{rk}\|`
    and :math:`\|\theta^{(\eta)}_k - \theta_0\|`, :math:`k = 0, \dots, K`. This is the protocol of
    Elkabetz and Cohen (2021): as :math:`r` grows the finer run approaches the gradient flow.
    Only the compared points are kept (one ``jax.lax.scan``; the fine run's :math:`r` steps per
    coarse step are a loop inside it, with ``lr`` and ``ratio`` traced), so long fine runs cost
    no memory; ``jax.vmap`` over start points or steps compiles once.
    """
    x0 = as_float_tree("x0", x0)
    check_positive("lr", lr)
    num_steps = check_count("num_steps", num_steps)
    if not is_traced(ratio):
        check_count("ratio", ratio, minimum=1)
    loss = as_partial("loss", loss)
    return _refinement(loss, x0, jnp.asarray(lr), jnp.asarray(ratio, jnp.int32), num_steps)


def hvp(loss: Callable, x: Any, v: Any) -> Any:
    r"""The Hessian-vector product :math:`\nabla^2 L(x)\,v`, forward-over-reverse.

    Computed as ``jax.jvp(jax.grad(loss), (x,), (v,))``: the cost of about two
    gradients, and no Hessian is ever formed.
    """
    check_same_shapes("v", v, x, "x")
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

    def phase(dominant, inputs):
        # First phase: the operator H. Second: sign * (dominant I - H), positive semi-definite,
        # whose top eigenvalue is the distance from `dominant` to the other end of the
        # spectrum. Written as shift * v + scale * Hv, the two phases are one scan over one
        # traced loop: one copy of the Hessian-vector product to compile, not two.
        first, v0 = inputs
        sign = jnp.where(dominant >= 0, 1.0, -1.0)
        shift = jnp.where(first, 0.0, sign * dominant)
        scale = jnp.where(first, 1.0, -sign)
        top = _power_iteration(lambda v: shift * v + scale * hessian(v), v0, num_iters)
        value = jnp.where(first, top, dominant - sign * top)
        return value, value

    k1, k2 = jax.random.split(key)
    starts = jnp.stack([jax.random.normal(k, flat.shape, flat.dtype) for k in (k1, k2)])
    _, (dominant, other) = jax.lax.scan(phase, jnp.zeros((), flat.dtype), (jnp.array([True, False]), starts))
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


def curvature_along(loss: Callable, trajectory: Any, *, num_iters: int = 100, seed: int = 0) -> tuple[jax.Array, jax.Array]:
    r""":math:`(\lambda_{\min}, \lambda_{\max})` of :math:`\nabla^2 L` at every point of a trajectory.

    ``trajectory`` is what the methods return: an array (or a pytree) with a leading time
    axis. The extremes of :func:`hessian_extreme_eigenvalues` are computed at all points in
    one compiled function, by Hessian-vector products only. Returns two arrays of the trajectory's
    length: the most negative curvature :math:`\lambda_{\min}` and the sharpness
    :math:`\lambda_{\max}`.
    """
    count = check_leading_axis("trajectory", trajectory)  # the time axis
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
    # (jnp.asarray: a raw NumPy argument would be compiled for apart from a JAX array of the same shape)
    pairs = [
        _extremes(loss, jax.tree.map(lambda leaf: jnp.asarray(leaf[i]), points), key, num_iters)  # noqa: B023
        for i in range(count)
    ]
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
    check_leading_axis("trajectory", trajectory)
    leaves = [np.asarray(leaf, dtype=np.float64) for leaf in jax.tree.leaves(trajectory)]
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
    x, y = check_vector("x", x), check_vector("y", y)
    check_shape("y", y, x.shape, reason="(that of x)")
    check_length("x", x, 2)
    check_positive_array("x", x)
    check_positive_array("y", y)
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(np.exp(intercept))


def corridor_ratio(loss: Callable, x: Any) -> jax.Array:
    r"""The book's distance from a corridor, :math:`\|H(x)\nabla L(x)\| / \|\nabla L(x)\|`.

    A *corridor* (Dherin & Rosca 2024) is a region where :math:`H(x)\nabla L(x) = 0`, where
    gradient descent follows the gradient flow exactly. Computed with one Hessian-vector
    product (:func:`gfbook.hvp`), never a Hessian. It is
    zero exactly in a corridor, and it is a curvature: the rate at which the gradient turns
    or changes length along the flow, since
    :math:`\tfrac{d}{dt}\nabla L(x(t)) = -H\nabla L`. It is undefined (``nan``) where the
    gradient vanishes. ``x`` may be a pytree.
    """
    return _corridor_ratio(as_partial("loss", loss), as_float_tree("x", x))


@jax.jit
def _corridor_ratio(loss: Partial, x: Any) -> jax.Array:
    checked_loss_value(loss, x)  # runs while tracing only: a clear error for a bad loss
    g = jax.grad(loss)(x)
    return jnp.sqrt(squared_norm(_hvp(loss, x, g)) / squared_norm(g))


# --------------------------------------------------------------------------- fitted rates


def fit_linear_rate(values: Any, *, window: Any) -> tuple[float, float]:
    r"""Fit :math:`v_k \approx C\rho^k` on ``values[start:stop]`` by least squares on :math:`\log v_k`.

    Returns ``(rho, C)``: the contraction factor per step and the constant. The window is
    required, so that start-up transients and the floor of rounding errors are excluded by a
    decision the reader can see; every value in it must be finite and positive.
    """
    values = as_float_values("values", values)
    start, stop = check_window("window", window, values.size)
    part = check_positive_part("values", values, (start, stop))
    slope, intercept = np.polyfit(np.arange(start, stop), np.log(part), 1)
    return float(np.exp(slope)), float(np.exp(intercept))


def fit_sublinear_rate(steps: Any, values: Any, *, window: Any) -> tuple[float, float]:
    r"""Fit :math:`v \approx C k^{p}` on ``steps[start:stop]``, ``values[start:stop]`` (a straight line in log-log).

    Returns ``(p, C)``; :math:`p \approx -1` for the convex rates. ``steps`` must be positive
    in the window. Like :func:`fit_linear_rate`, the window is required.
    """
    steps = check_vector("steps", steps)
    values = check_shape("values", as_float_values("values", values), steps.shape, reason="(that of steps)")
    start, stop = check_window("window", window, steps.size)
    part = check_positive_part("values", values, (start, stop))
    check_positive_array("steps", steps[start:stop])  # in the fit window
    return fit_power_law(steps[start:stop], part)


# --------------------------------------------------------------------------- the edge of stability


def _edge_along(loss: Callable, points: Any, lr: Any, num_iters: int, seed: int):
    """Loss, S, unclipped sigma^2 and u at every point of ``points`` (one compile per shape)."""
    count = check_leading_axis("points", points)
    as_float_tree("points", points)
    check_positive("lr", lr)
    num_iters = check_count("num_iters", num_iters, minimum=1)
    loss = as_partial("loss", loss)
    host = jax.device_get(points)
    first = jax.tree.map(lambda leaf: jnp.asarray(leaf[0]), host)
    flat, _ = ravel_pytree(first)
    v0 = jax.random.normal(jax.random.key(check_seed("seed", seed)), flat.shape, flat.dtype)
    lr = strongly_typed(lr)
    rows = [_edge_point(loss, jax.tree.map(lambda leaf: jnp.asarray(leaf[i]), host), lr, v0, num_iters)  # noqa: B023
            for i in range(count)]
    rows = jax.device_get(rows)
    values, sharp, raw = (np.array([row[j] for row in rows], dtype=float) for j in range(3))
    return values, sharp, raw, np.stack([np.asarray(row[3]) for row in rows])


def central_flow_variance(
    loss: Callable, points: Any, *, lr: float, edge_tol: float = 1e-3, num_iters: int = 20, seed: int = 0
) -> np.ndarray:
    r"""The central flow's oscillation variance :math:`\sigma^2` at every point of ``points``.

    At a point at the edge, :math:`S \ge (1 - \text{edge\_tol})\,2/h`,

    .. math:: \sigma^2 = \max\Bigl(0,\ \frac{2\langle -\nabla L, \nabla S\rangle}{\|\nabla S\|^2}\Bigr),

    the variance that keeps :math:`\dot S = 0` (Cohen et al., ICLR 2025); below the edge
    :math:`\sigma^2 = 0`. ``points`` has a leading axis (a trajectory, e.g. of
    :func:`~gfbook.central_flow`); :math:`u` comes from ``num_iters`` Lanczos steps,
    :math:`S = u^\top\nabla^2L\,u`, and :math:`\nabla S` is the derivative of
    :math:`\nabla^2L\,u` in the direction :math:`u` (as in :func:`~gfbook.central_flow`).
    """
    check_positive("edge_tol", edge_tol)
    _, sharp, raw, _ = _edge_along(loss, points, lr, num_iters, seed)
    return np.where(sharp >= (1 - edge_tol) * 2 / float(lr), np.maximum(raw, 0.0), 0.0)


def central_flow_loss(
    loss: Callable, points: Any, *, lr: float, edge_tol: float = 1e-3, num_iters: int = 20, seed: int = 0
) -> np.ndarray:
    r"""The central flow's prediction of GD's time-averaged loss, :math:`L(w) + \tfrac12\sigma^2 S(w)`.

    An oscillation :math:`x u` with :math:`\overline{x^2} = \sigma^2` along the top eigenvector
    raises the average of :math:`L(w + xu) \approx L(w) + \tfrac12 x^2 S(w)` by
    :math:`\tfrac12\sigma^2 S`; :math:`\sigma^2` as in :func:`central_flow_variance`.
    """
    check_positive("edge_tol", edge_tol)
    values, sharp, raw, _ = _edge_along(loss, points, lr, num_iters, seed)
    variance = np.where(sharp >= (1 - edge_tol) * 2 / float(lr), np.maximum(raw, 0.0), 0.0)
    return values + 0.5 * variance * sharp


def oscillation_along_top(loss: Callable, iterates: Any, centres: Any, *, num_iters: int = 20,
                          seed: int = 0) -> np.ndarray:
    r"""The displacement :math:`x_k = \langle w_k - \bar w_k, u(\bar w_k)\rangle` of each iterate from its centre.

    :math:`u(\bar w_k)` is the top Hessian eigenvector at the centre :math:`\bar w_k` (a
    time-averaged iterate, or the central flow at the same time), by ``num_iters`` Lanczos
    steps (as in :func:`~gfbook.central_flow`); its sign
    is arbitrary, so use :math:`x_k^2`. The mean of :math:`x_k^2` over a few steps is GD's
    oscillation variance, to compare with :func:`central_flow_variance`.
    """
    count = check_leading_axis("iterates", iterates)
    check_same_shapes("centres", centres, iterates, "iterates")
    *_, directions = _edge_along(loss, centres, 1.0, num_iters, seed)
    flat_it = np.stack([np.asarray(ravel_pytree(jax.tree.map(lambda leaf: leaf[i], iterates))[0])  # noqa: B023
                        for i in range(count)])
    flat_c = np.stack([np.asarray(ravel_pytree(jax.tree.map(lambda leaf: leaf[i], centres))[0])  # noqa: B023
                       for i in range(count)])
    return np.sum((flat_it - flat_c) * directions, axis=1)


def time_average(trajectory: Any, *, window: int = 2) -> Any:
    r"""Moving averages of ``window`` consecutive iterates: point :math:`k` is :math:`\frac1w\sum_{j<w} x_{k+j}`.

    It sits at step :math:`k + (w-1)/2`. An even ``window`` cancels a period-2 oscillation
    exactly, the oscillation of GD at the edge of stability to first order. Returns a
    trajectory shorter by ``window - 1``.
    """
    count = check_leading_axis("trajectory", trajectory)
    window = check_count("window", window, minimum=1, maximum=count)

    def average(leaf):
        leaf = jnp.asarray(leaf)
        sums = jnp.cumsum(jnp.concatenate([jnp.zeros_like(leaf[:1]), leaf]), axis=0)
        return (sums[window:] - sums[:-window]) / window

    return jax.tree.map(average, trajectory)
