r"""Problems as data: a loss, a start point and what is known about it.

A :class:`~gfbook.Problem` carries the facts a chapter needs -- the minimiser :math:`x^*`,
the optimal value :math:`f^*`, the smoothness :math:`L` (largest curvature) and the
strong convexity :math:`\mu` (smallest curvature) -- so that chapters use them as
data and never recompute them. Facts that are not known (no global :math:`L` for
Rosenbrock, say) are ``None``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize
from jax.tree_util import Partial

from gfbook._checks import (
    as_float_array,
    check_at_least,
    check_at_most,
    check_choice,
    check_count,
    check_finite_scalar,
    check_positive,
    check_positive_array,
    check_seed,
    check_shape,
    check_vector,
)


@dataclasses.dataclass(frozen=True, eq=False)
class Problem:
    r"""An optimisation problem and what is known about it.

    Attributes:
        name: a short label for legends and tables.
        loss: the loss :math:`L`, a pure JAX function of an array, returning a scalar.
        x0: the default start point.
        x_star: a minimiser :math:`x^*`, if known.
        f_star: the optimal value :math:`f^* = L(x^*)`, if known.
        smoothness: :math:`L_{\nabla}`, the Lipschitz constant of :math:`\nabla L`
            (the largest Hessian eigenvalue over the domain), if known.
        strong_convexity: :math:`\mu`, the smallest Hessian eigenvalue over the
            domain when it is positive, if known.
        hessian: the constant Hessian of a quadratic (``None`` otherwise).
    """

    name: str
    loss: Callable[[jax.Array], jax.Array]
    x0: jax.Array
    x_star: jax.Array | None = None
    f_star: float | None = None
    smoothness: float | None = None
    strong_convexity: float | None = None
    hessian: jax.Array | None = None

    @property
    def condition_number(self) -> float | None:
        r"""The condition number :math:`\kappa = L/\mu`, if both are known."""
        if self.smoothness is None or not self.strong_convexity:
            return None
        return self.smoothness / self.strong_convexity


# The losses are module-level functions bound to their data with jax.tree_util.Partial:
# the methods then treat the data as traced arguments and compile once per family.


@jax.custom_jvp
def _quadratic_loss(A: jax.Array, x_star: jax.Array, x: jax.Array) -> jax.Array:
    r = x - x_star
    return 0.5 * r @ (A @ r)


@_quadratic_loss.defjvp
def _quadratic_loss_jvp(primals, tangents):
    # For symmetric A the gradient is A r: one matrix-vector product, where plain
    # autodiff of r @ (A @ r) would compute both A r and A^T r. The rule is itself
    # differentiable, so Hessian-vector products still give A v.
    A, x_star, x = primals
    dA, dx_star, dx = tangents
    r = x - x_star
    Ar = A @ r
    return 0.5 * r @ Ar, Ar @ (dx - dx_star) + 0.5 * r @ (dA @ r)


# Compiled whole, like every loss here: called op by op, each call on a new shape would
# compile a small program per operation.
_quadratic_loss = jax.jit(_quadratic_loss)


@jax.jit
def _rosenbrock_loss(a: jax.Array, b: jax.Array, x: jax.Array) -> jax.Array:
    return (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2


@jax.jit
def _factorization_loss(target: jax.Array, x: jax.Array) -> jax.Array:
    return 0.5 * (target - x[0] * x[1]) ** 2


@jax.jit
def _logistic_loss(A: jax.Array, l2: jax.Array, w: jax.Array) -> jax.Array:
    return jnp.mean(jnp.logaddexp(0.0, -A @ w)) + 0.5 * l2 * w @ w


@jax.jit
def _logcosh_loss(A: jax.Array, b: jax.Array, w: jax.Array) -> jax.Array:
    r = jnp.abs(A @ w - b)
    return jnp.mean(r + jnp.log1p(jnp.exp(-2 * r)) - jnp.log(2.0))  # log cosh r, without overflow


@jax.jit
def _cauchy_loss(A: jax.Array, b: jax.Array, w: jax.Array) -> jax.Array:
    return jnp.mean(0.5 * jnp.log1p((A @ w - b) ** 2))


@jax.jit
def _huber_loss(L: jax.Array, width: jax.Array, x: jax.Array) -> jax.Array:
    r = jnp.abs(x[0])
    return jnp.where(r <= width, 0.5 * L * r**2, L * width * r - 0.5 * L * width**2)


# Module-level and taking the loss (a Partial) as data: every problem of one kind and size
# shares these compiles, however many times a chapter builds it.
@jax.jit
def _value_and_grad(loss: Partial, w: jax.Array) -> tuple[jax.Array, jax.Array]:
    return jax.value_and_grad(loss)(w)


@jax.jit
def _hessian(loss: Partial, w: jax.Array) -> jax.Array:
    return jax.hessian(loss)(w)


def _minimize(loss: Callable, dim: int) -> jax.Array:
    """A minimiser of a smooth convex loss: scipy's trust-region Newton method, then three plain Newton steps."""
    value_and_grad = Partial(_value_and_grad, loss)
    hess = Partial(_hessian, loss)
    result = scipy.optimize.minimize(
        lambda w: tuple(np.asarray(v) for v in value_and_grad(jnp.asarray(w))),
        np.zeros(dim),
        jac=True,
        hess=lambda w: np.asarray(hess(jnp.asarray(w))),
        method="trust-exact",
        options={"gtol": 1e-12},
    )
    x = np.asarray(result.x)
    for _ in range(3):  # polish: scipy may stop at a gradient norm near 1e-10
        x = x - np.linalg.solve(np.asarray(hess(jnp.asarray(x))), np.asarray(value_and_grad(jnp.asarray(x))[1]))
    return jnp.asarray(x)


def _solved(name: str, loss: Partial, dim: int, **facts: float) -> Problem:
    """A convex problem started at the origin, with its minimiser and optimal value computed by :func:`_minimize`."""
    x_star = _minimize(loss, dim)
    return Problem(name=name, loss=loss, x0=jnp.zeros(dim), x_star=x_star, f_star=float(loss(x_star)), **facts)


def _feature_scales(feature_scales: Any, dim: int) -> np.ndarray:
    """Per-feature scales: ones by default, else ``dim`` finite numbers > 0."""
    if feature_scales is None:
        return np.ones(dim)
    return check_shape("feature_scales", check_positive_array("feature_scales", feature_scales), (dim,))


def _orthogonal(dim: int, seed: int) -> np.ndarray:
    """A random orthogonal matrix (Haar measure), reproducible from ``seed``."""
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def quadratic(
    eigenvalues: Any,
    *,
    x0: Any = None,
    x_star: Any = None,
    rotation_seed: int | None = None,
    name: str = "quadratic",
) -> Problem:
    r"""The quadratic :math:`L(x) = \tfrac12 (x - x^*)^\top A (x - x^*)` with a chosen spectrum.

    Args:
        eigenvalues: the spectrum of :math:`A`, all :math:`\ge 0`.
        x0: the start point (default: all ones, so that every mode is excited).
        x_star: the minimiser (default: the origin).
        rotation_seed: ``None`` keeps :math:`A` diagonal; an int rotates it by a
            random orthogonal matrix drawn from that seed.
        name: a label.

    The facts are exact: :math:`f^* = 0`, :math:`L = \max_i\lambda_i`,
    :math:`\mu = \min_i\lambda_i`.
    """
    lam = check_at_least("eigenvalues", check_vector("eigenvalues", eigenvalues), 0.0)
    dim = lam.size
    V = np.eye(dim) if rotation_seed is None else _orthogonal(dim, check_seed("rotation_seed", rotation_seed))
    A = jnp.asarray((V * lam) @ V.T)
    A = (A + A.T) / 2
    x_star = jnp.zeros(dim) if x_star is None else as_float_array("x_star", x_star)
    x0 = jnp.ones(dim) if x0 is None else as_float_array("x0", x0)
    check_shape("x0", x0, (dim,))
    check_shape("x_star", x_star, (dim,))

    return Problem(
        name=name,
        loss=Partial(_quadratic_loss, A, x_star),
        x0=x0,
        x_star=x_star,
        f_star=0.0,
        smoothness=float(lam.max()),
        strong_convexity=float(lam.min()),
        hessian=A,
    )


def quadratic_with_condition(
    dim: int,
    condition_number: float,
    *,
    smoothness: float = 1.0,
    rotation_seed: int | None = 0,
    x0: Any = None,
) -> Problem:
    r"""A quadratic in ``dim`` dimensions with spectrum log-spaced in :math:`[L/\kappa, L]`.

    ``condition_number`` is :math:`\kappa \ge 1` and ``smoothness`` is :math:`L`.
    """
    dim = check_count("dim", dim, minimum=1)
    check_positive("smoothness", smoothness)
    kappa = float(check_at_least("condition_number", check_finite_scalar("condition_number", condition_number), 1.0))
    if dim == 1:  # one eigenvalue: kappa is 1
        check_at_most("condition_number", kappa, 1.0, rule="condition_number <= 1 in dimension 1")
    lam = np.geomspace(smoothness / kappa, smoothness, dim)
    return quadratic(lam, x0=x0, rotation_seed=rotation_seed, name=f"quadratic, kappa={kappa:g}")


def rosenbrock(a: float = 1.0, b: float = 100.0, *, x0: Any = (-1.2, 1.0)) -> Problem:
    r"""Rosenbrock's banana :math:`L(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Its minimiser is :math:`(a, a^2)` with :math:`f^* = 0`. It is not convex and
    its gradient is not globally Lipschitz, so ``smoothness`` and
    ``strong_convexity`` are ``None``; use :func:`gfbook.sharpness` for the local
    curvature.
    """
    a = check_finite_scalar("a", a)
    check_positive("b", b)
    b = float(b)
    x0 = check_shape("x0", as_float_array("x0", x0), (2,))

    return Problem(
        name="Rosenbrock",
        loss=Partial(_rosenbrock_loss, jnp.asarray(a), jnp.asarray(b)),
        x0=x0,
        x_star=jnp.array([a, a**2]),
        f_star=0.0,
    )


def scalar_factorization(target: float = 1.0, *, x0: Any = (2.5, 0.1)) -> Problem:
    r"""The two-parameter model :math:`L(a, b) = \tfrac12 (y - ab)^2`, ``y`` = ``target``.

    The smallest factorisation problem (a depth-2 linear network with one unit). Its
    minimisers form the hyperbola :math:`ab = y`, so ``x_star`` is ``None``; ``f_star``
    is 0. At a minimiser the Hessian has eigenvalues :math:`0` and :math:`a^2 + b^2`,
    so balanced solutions (:math:`|a| = |b|`) are the flattest. The point is a length-2
    array ``(a, b)``.
    """
    target = check_finite_scalar("target", target)
    x0 = check_shape("x0", as_float_array("x0", x0), (2,))
    return Problem(
        name="scalar factorization",
        loss=Partial(_factorization_loss, jnp.asarray(target)),
        x0=x0,
        f_star=0.0,
    )


def logistic_regression(
    num_samples: int = 200,
    dim: int = 5,
    *,
    l2: float = 1e-2,
    feature_scales: Any = None,
    seed: int = 0,
) -> Problem:
    r"""L2-regularised logistic regression on synthetic data.

    Features :math:`a_i \sim \mathcal N(0, \mathrm{diag}(s)^2)` (``s`` is
    ``feature_scales``, default ones), labels :math:`y_i \in \{-1, 1\}` drawn from a
    logistic model with a random planted weight, and

    .. math:: L(w) = \frac1n \sum_{i=1}^n \log\bigl(1 + e^{-y_i a_i^\top w}\bigr)
              + \frac{\lambda}{2}\|w\|^2 .

    Known facts: :math:`L_\nabla = \lambda_{\max}(A^\top A)/(4n) + \lambda` and
    :math:`\mu = \lambda` (``l2``). The minimiser is computed once, here, by scipy's
    trust-region Newton method (``trust-exact``) to gradient norm :math:`10^{-12}`.
    """
    num_samples = check_count("num_samples", num_samples, minimum=1)
    dim = check_count("dim", dim, minimum=1)
    check_positive("l2", l2)
    scales = _feature_scales(feature_scales, dim)
    rng = np.random.default_rng(check_seed("seed", seed))
    features = rng.standard_normal((num_samples, dim)) * scales
    w_true = rng.standard_normal(dim) / scales
    labels = np.where(rng.random(num_samples) < 1 / (1 + np.exp(-features @ w_true)), 1.0, -1.0)
    A = jnp.asarray(features * labels[:, None])  # rows y_i a_i

    loss = Partial(_logistic_loss, A, jnp.asarray(float(l2)))
    smoothness = float(np.linalg.eigvalsh(np.asarray(A.T @ A)).max() / (4 * num_samples) + l2)
    return _solved("logistic regression", loss, dim, smoothness=smoothness, strong_convexity=float(l2))


def robust_regression(
    num_samples: int = 200, dim: int = 10, *, kind: str = "logcosh", feature_scales: Any = None, seed: int = 0
) -> Problem:
    r"""Linear regression with a robust loss, on synthetic data with heavy-tailed noise.

    Features :math:`a_i \sim \mathcal N(0, \mathrm{diag}(s)^2)` (``s`` is ``feature_scales``,
    default ones; small scales make the problem badly conditioned), targets :math:`b_i = a_i^\top w_0 + \epsilon_i` with
    Student-t noise (3 degrees of freedom), and :math:`L(w) = \frac1n \sum_i \varphi(a_i^\top w - b_i)`:

    - ``kind="logcosh"``: :math:`\varphi(r) = \log\cosh r`, convex with
      :math:`0 < \varphi'' \le 1` but not strongly convex (:math:`\varphi'' \to 0` as
      :math:`|r| \to \infty`). The minimiser comes from scipy's ``trust-exact``.
    - ``kind="cauchy"``: :math:`\varphi(r) = \tfrac12\log(1 + r^2)`, *nonconvex*
      (:math:`\varphi'' = (1 - r^2)/(1 + r^2)^2 \in [-\tfrac18, 1]`) and bounded below by 0; its
      minimiser is not computed (``x_star`` and ``f_star`` are ``None``; 0 is a lower bound).

    In both cases :math:`|\varphi''| \le 1`, so the smoothness is
    :math:`L_\nabla = \lambda_{\max}(A^\top A)/n` exactly as a bound.
    """
    num_samples = check_count("num_samples", num_samples, minimum=1)
    dim = check_count("dim", dim, minimum=1)
    check_choice("kind", kind, ("logcosh", "cauchy"))
    scales = _feature_scales(feature_scales, dim)
    rng = np.random.default_rng(check_seed("seed", seed))
    features = rng.standard_normal((num_samples, dim)) * scales
    targets = features @ (rng.standard_normal(dim) / scales) + rng.standard_t(3, num_samples)
    A, b = jnp.asarray(features), jnp.asarray(targets)
    smoothness = float(np.linalg.eigvalsh(features.T @ features).max() / num_samples)
    if kind == "cauchy":
        loss = Partial(_cauchy_loss, A, b)
        return Problem(name="Cauchy regression", loss=loss, x0=jnp.zeros(dim), smoothness=smoothness)
    return _solved("log-cosh regression", Partial(_logcosh_loss, A, b), dim, smoothness=smoothness)


def huber_worst_case(
    num_steps: int, *, smoothness: float = 1.0, distance0: float = 1.0, relative_step: float = 1.0
) -> Problem:
    r"""The one-dimensional Huber function on which GD attains its worst case after ``num_steps`` steps.

    For :math:`N` steps of size :math:`\theta/L` from :math:`x_0 = R`
    (Drori & Teboulle 2014), with width :math:`w = R/(2N\theta + 1)`:

    .. math:: f(x) = \begin{cases} \tfrac L2 x^2, & |x| \le w,\\
        L w |x| - \tfrac L2 w^2, & |x| > w, \end{cases}

    a convex, :math:`L`-smooth function with :math:`x^* = 0`, :math:`f^* = 0`. GD stays on the linear
    part for :math:`N` steps and ends exactly at :math:`f(x_N) = LR^2/(4N\theta + 2)`, for every
    :math:`0 < \theta < 2`. For :math:`\theta \le 1` this is the worst case over convex
    :math:`L`-smooth functions (Drori & Teboulle 2014); for :math:`1 < \theta < 2` the quadratic
    :math:`\tfrac L2 x^2`, ending at :math:`\tfrac L2 R^2(1 - \theta)^{2N}`, can be worse.
    """
    num_steps = check_count("num_steps", num_steps)
    check_positive("smoothness", smoothness)
    check_positive("distance0", distance0)
    check_at_most("relative_step", check_positive("relative_step", relative_step), 2.0, strict=True)
    L, R = float(smoothness), float(distance0)
    width = R / (2 * num_steps * float(relative_step) + 1)
    return Problem(
        name=f"Huber worst case, N={num_steps}",
        loss=Partial(_huber_loss, jnp.asarray(L), jnp.asarray(width)),
        x0=jnp.array([R]),
        x_star=jnp.zeros(1),
        f_star=0.0,
        smoothness=L,
    )
