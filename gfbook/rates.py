r"""Convergence-rate bounds for the gradient flow, gradient descent and approximate BDF1.

Each bound is a function of the iteration count :math:`k` (or the time :math:`t`) and the
problem's constants, with the theorem's assumptions in its docstring. A step size outside the
theorem's range is refused with a ``ValueError`` naming ``lr``: a bound is never silently
evaluated where it is not a theorem. Notation: :math:`f` is :math:`L`-smooth (``smoothness``),
:math:`\mu` (``strong_convexity``) is a strong convexity or Polyak--Łojasiewicz (PL)
constant, :math:`f^*` the optimal value (or, for the nonconvex bounds, any lower bound),
:math:`R_0 = \|x_0 - x^*\|` (``distance0``) and :math:`\delta_0 = f(x_0) - f^*` (``gap0``).

The bounds for approximate BDF1 (:func:`gfbook.approx_bdf` with ``order=1``) are this book's
own (Chapter 4 proves them); :func:`~gfbook.fit_linear_rate` and :func:`~gfbook.fit_sublinear_rate` measure
rates from runs over an explicit window.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gfbook._checks import as_real_numpy, check_count, check_positive
from gfbook.measure import fit_power_law


def _counts(name: str, values: Any, *, minimum: float) -> np.ndarray:
    arr = np.asarray(as_real_numpy(name, values), dtype=float)
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum:g}, got {arr.min():g}")
    return arr


def _step_at_most(lr: Any, limit: float, rule: str, *, strict: bool = False) -> float:
    """``lr`` must be > 0 and <= ``limit`` (``< limit`` if ``strict``), the step range of a theorem."""
    check_positive("lr", lr)
    if float(lr) >= limit if strict else float(lr) > limit * (1 + 1e-12):
        raise ValueError(f"lr must satisfy {rule} = {limit:.6g} for this bound, got {float(lr):.6g}")
    return float(lr)


def _positive(name: str, value: Any) -> float:
    check_positive(name, value)
    return float(value)


def _nonnegative(name: str, value: Any) -> float:
    arr = as_real_numpy(name, value)
    if arr.ndim != 0 or arr < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(arr)


# --------------------------------------------------------------------------- convex, L-smooth


def flow_convex_bound(t: Any, *, distance0: float) -> np.ndarray:
    r"""Gradient flow, :math:`f` convex: :math:`f(x(t)) - f^* \le R_0^2/(2t)` for :math:`t > 0`.

    Lyapunov function :math:`E(t) = t\,(f(x(t)) - f^*) + \tfrac12\|x(t) - x^*\|^2`, which is
    non-increasing along the flow.
    """
    t = _counts("t", t, minimum=np.finfo(float).tiny)
    return _nonnegative("distance0", distance0) ** 2 / (2 * t)


def gd_convex_bound(k: Any, *, lr: float, smoothness: float, distance0: float) -> np.ndarray:
    r"""GD with :math:`0 < h \le 1/L`, :math:`f` convex and :math:`L`-smooth: :math:`f(x_k) - f^* \le R_0^2/(2hk)`.

    The textbook bound (e.g. Nesterov 2018, Cor. 2.1.2 with its proof for :math:`h \le 1/L`),
    the discrete twin of :func:`flow_convex_bound` with :math:`t = hk`. For :math:`k \ge 1`.
    """
    L = _positive("smoothness", smoothness)
    lr = _step_at_most(lr, 1 / L, "lr <= 1/smoothness")
    k = _counts("k", k, minimum=1)
    return _nonnegative("distance0", distance0) ** 2 / (2 * lr * k)


def gd_convex_bound_any_step(k: Any, *, lr: float, smoothness: float, distance0: float, gap0: float) -> np.ndarray:
    r"""GD with :math:`0 < h < 2/L`, :math:`f` convex and :math:`L`-smooth (Nesterov 2018, Thm. 2.1.14).

    .. math:: f(x_k) - f^* \le \frac{2\,\delta_0 R_0^2}{2R_0^2 + k\,h\,(2 - Lh)\,\delta_0}.

    For :math:`k \ge 0`.
    """
    L = _positive("smoothness", smoothness)
    lr = _step_at_most(lr, 2 / L, "lr < 2/smoothness", strict=True)
    k = _counts("k", k, minimum=0)
    r2, gap = _nonnegative("distance0", distance0) ** 2, _nonnegative("gap0", gap0)
    return 2 * gap * r2 / (2 * r2 + k * lr * (2 - L * lr) * gap)


def gd_convex_tight_bound(k: Any, *, smoothness: float, distance0: float, relative_step: float = 1.0) -> np.ndarray:
    r"""The exact worst case of GD with step :math:`h = \theta/L`, :math:`0 < \theta \le 1` (Drori & Teboulle 2014).

    .. math:: f(x_k) - f^* \le \frac{L R_0^2}{4k\theta + 2},

    attained for every :math:`k` by a one-dimensional Huber function (see
    :func:`gfbook.huber_worst_case`). At :math:`\theta = 1` it is
    :math:`LR_0^2/(4k + 2)`, about half the textbook :math:`LR_0^2/(2k)` of :func:`gd_convex_bound`.
    ``relative_step`` is :math:`\theta`.
    """
    L = _positive("smoothness", smoothness)
    theta = _positive("relative_step", relative_step)
    if theta > 1:
        raise ValueError(f"relative_step must be <= 1 (the step lr = relative_step/L), got {theta:g}")
    k = _counts("k", k, minimum=0)
    return L * _nonnegative("distance0", distance0) ** 2 / (4 * k * theta + 2)


# --------------------------------------------------------------------------- strongly convex / PL


def flow_linear_bound(t: Any, *, strong_convexity: float, initial: float) -> np.ndarray:
    r"""Gradient flow under :math:`\mu`-PL (or strong convexity): :math:`e^{-2\mu t}` times ``initial``.

    With ``initial`` :math:`= \delta_0` it bounds the gap :math:`f(x(t)) - f^*` (PL:
    :math:`\tfrac12\|\nabla f\|^2 \ge \mu (f - f^*)`); with ``initial`` :math:`= R_0^2` it
    bounds :math:`\|x(t) - x^*\|^2` when :math:`f` is :math:`\mu`-strongly convex.
    """
    mu = _positive("strong_convexity", strong_convexity)
    t = _counts("t", t, minimum=0)
    return _nonnegative("initial", initial) * np.exp(-2 * mu * t)


def gd_linear_bound(k: Any, *, lr: float, strong_convexity: float, smoothness: float, initial: float) -> np.ndarray:
    r"""GD with :math:`0 < h \le 1/L` under :math:`\mu`-PL (or strong convexity): :math:`(1 - \mu h)^k` times ``initial``.

    With ``initial`` :math:`= \delta_0` it bounds the gap (PL and :math:`L`-smooth; Karimi,
    Nutini & Schmidt 2016, Thm. 1); with ``initial`` :math:`= R_0^2` it bounds
    :math:`\|x_k - x^*\|^2` when :math:`f` is :math:`\mu`-strongly convex and :math:`L`-smooth.
    The discrete twin of :func:`flow_linear_bound`: :math:`(1 - \mu h)^k \le e^{-\mu h k}`.
    (For the gap the flow's exponent is :math:`2\mu t`; GD's :math:`1 - \mu h` is what the
    one-step proof gives.)
    """
    L = _positive("smoothness", smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    if mu > L:
        raise ValueError(f"strong_convexity must be <= smoothness, got {mu:g} > {L:g}")
    lr = _step_at_most(lr, 1 / L, "lr <= 1/smoothness")
    k = _counts("k", k, minimum=0)
    return _nonnegative("initial", initial) * (1 - mu * lr) ** k


def gd_distance_bound_any_step(
    k: Any, *, lr: float, strong_convexity: float, smoothness: float, distance0: float
) -> np.ndarray:
    r"""GD with :math:`0 < h \le 2/(\mu + L)`, :math:`f` :math:`\mu`-strongly convex and :math:`L`-smooth.

    Nesterov (2018), Thm. 2.1.15:

    .. math:: \|x_k - x^*\|^2 \le \Bigl(1 - \frac{2h\mu L}{\mu + L}\Bigr)^k R_0^2 .

    At :math:`h = 2/(\mu + L)` the factor is :math:`\bigl(\tfrac{\kappa - 1}{\kappa + 1}\bigr)^2`,
    which is attained on quadratics.
    """
    L = _positive("smoothness", smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    if mu > L:
        raise ValueError(f"strong_convexity must be <= smoothness, got {mu:g} > {L:g}")
    lr = _step_at_most(lr, 2 / (mu + L), "lr <= 2/(strong_convexity + smoothness)")
    k = _counts("k", k, minimum=0)
    return _nonnegative("distance0", distance0) ** 2 * (1 - 2 * lr * mu * L / (mu + L)) ** k


# --------------------------------------------------------------------------- nonconvex, L-smooth


def flow_nonconvex_bound(t: Any, *, gap0: float) -> np.ndarray:
    r"""Gradient flow, :math:`f` bounded below: :math:`\min_{s \le t}\|\nabla f(x(s))\|^2 \le \delta_0/t`.

    From :math:`\int_0^t \|\nabla f\|^2\,ds = f(x_0) - f(x(t)) \le \delta_0`; :math:`f^*` may be
    any lower bound of :math:`f`.
    """
    t = _counts("t", t, minimum=np.finfo(float).tiny)
    return _nonnegative("gap0", gap0) / t


def gd_nonconvex_bound(k: Any, *, lr: float, smoothness: float, gap0: float) -> np.ndarray:
    r"""GD with :math:`0 < h < 2/L`, :math:`f` :math:`L`-smooth and bounded below.

    .. math:: \min_{0 \le i < k} \|\nabla f(x_i)\|^2 \le \frac{\delta_0}{k\,h\,(1 - Lh/2)} ,

    from the descent lemma :math:`f(x_{i+1}) \le f(x_i) - h(1 - Lh/2)\|\nabla f(x_i)\|^2`
    summed over :math:`i < k` (Nesterov 2018, §1.2.3). For :math:`h \le 1/L`,
    :math:`1 - Lh/2 \ge 1/2` and it implies the textbook form :math:`2\delta_0/(hk)`.
    :math:`f^*` may be any lower bound of :math:`f`. For :math:`k \ge 1`.
    """
    L = _positive("smoothness", smoothness)
    lr = _step_at_most(lr, 2 / L, "lr < 2/smoothness", strict=True)
    k = _counts("k", k, minimum=1)
    return _nonnegative("gap0", gap0) / (k * lr * (1 - L * lr / 2))


# --------------------------------------------------------------------------- approximate BDF1 (the book's own)


def _bdf1_effective_step(lr: Any, inner_lr: Any, smoothness: Any) -> float:
    L = _positive("smoothness", smoothness)
    check_positive("lr", lr)
    check_positive("inner_lr", inner_lr)
    limit = 1 / (1 + float(lr) * L)
    if float(inner_lr) > limit * (1 + 1e-12):
        raise ValueError(f"inner_lr must satisfy inner_lr <= 1/(1 + lr*smoothness) = {limit:.6g}, got {inner_lr!r}")
    return float(lr) * float(inner_lr)


def approx_bdf1_nonconvex_bound(n: Any, *, lr: float, inner_lr: float, smoothness: float, gap0: float) -> np.ndarray:
    r"""Approximate BDF1 (:math:`m \ge 1` inner steps, :math:`\eta \le 1/(1 + hL)`), :math:`f` :math:`L`-smooth.

    .. math:: \min_{0 \le i < n} \|\nabla f(x_i)\|^2 \le \frac{2\,\delta_0}{n\,\eta h} .

    Proof (Chapter 4): inner GD decreases :math:`\Phi(y) = hf(y) + \tfrac12\|y - x_i\|^2`, which is
    :math:`(1 + hL)`-smooth, and its first step alone gives
    :math:`f(x_{i+1}) \le f(x_i) - \tfrac{\eta h}2 \|\nabla f(x_i)\|^2`. It holds for every
    :math:`m \ge 1`; :math:`n` outer steps cost :math:`nm` gradient evaluations.
    """
    a = _bdf1_effective_step(lr, inner_lr, smoothness)
    n = _counts("n", n, minimum=1)
    return 2 * _nonnegative("gap0", gap0) / (n * a)


def approx_bdf1_linear_bound(
    n: Any, *, lr: float, inner_lr: float, smoothness: float, strong_convexity: float, gap0: float
) -> np.ndarray:
    r"""Approximate BDF1 (as in :func:`approx_bdf1_nonconvex_bound`) under :math:`\mu`-PL.

    .. math:: f(x_n) - f^* \le (1 - \mu\eta h)^n\,\delta_0 .

    From the same one-step decrease and :math:`\|\nabla f\|^2 \ge 2\mu(f - f^*)`.
    """
    a = _bdf1_effective_step(lr, inner_lr, smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    if mu > float(smoothness):
        raise ValueError(f"strong_convexity must be <= smoothness, got {mu:g} > {float(smoothness):g}")
    n = _counts("n", n, minimum=0)
    return _nonnegative("gap0", gap0) * (1 - mu * a) ** n


def approx_bdf1_convex_bound(distances: Any, *, lr: float, inner_lr: float, smoothness: float, gap0: float) -> np.ndarray:
    r"""Approximate BDF1 as in :func:`approx_bdf1_nonconvex_bound`, :math:`f` convex: an a-posteriori bound.

    With :math:`R_i = \|x_i - x^*\|` (``distances``, measured along the run),

    .. math:: f(x_n) - f^* \le \Bigl(\frac1{\delta_0} + \frac{\eta h}{2} \sum_{i<n} R_i^{-2}\Bigr)^{-1}
        \le \frac{2 \max_{i<n} R_i^2}{n\,\eta h} ,

    from the one-step decrease and convexity, :math:`f(x_i) - f^* \le \|\nabla f(x_i)\| R_i`.
    Returns the bound for :math:`n = 0, \dots, \text{len(distances)} - 1`.
    """
    a = _bdf1_effective_step(lr, inner_lr, smoothness)
    r = np.asarray(as_real_numpy("distances", distances), dtype=float)
    if r.ndim != 1 or np.any(r <= 0):
        raise ValueError("distances must be a 1-D array of numbers > 0")
    gap = _nonnegative("gap0", gap0)
    inverse = np.concatenate([[0.0], np.cumsum(a / (2 * r[:-1] ** 2))])
    with np.errstate(divide="ignore"):
        return 1 / (1 / gap + inverse) if gap > 0 else np.zeros_like(r)


# --------------------------------------------------------------------------- measuring rates


def _window(name: str, window: Any, size: int) -> tuple[int, int]:
    try:
        start, stop = window
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (start, stop) of indices") from None
    start = check_count(f"{name} start", start)
    stop = check_count(f"{name} stop", stop)
    if not start + 2 <= stop <= size:
        raise ValueError(f"{name} must satisfy start + 2 <= stop <= {size}, got ({start}, {stop})")
    return start, stop


def _float_values(values: Any) -> np.ndarray:
    """``values`` as a float array; non-finite entries are allowed (they are checked in the fit window only)."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("values must be a 1-D sequence of real numbers") from None


def _positive_values(name: str, values: Any, window: tuple[int, int]) -> np.ndarray:
    part = np.asarray(values, dtype=float)[window[0] : window[1]]
    if not np.all(np.isfinite(part)) or np.any(part <= 0):
        raise ValueError(f"{name} must be finite and > 0 in the fit window (a run at rounding level or diverged?)")
    return part


def fit_linear_rate(values: Any, *, window: Any) -> tuple[float, float]:
    r"""Fit :math:`v_k \approx C\rho^k` on ``values[start:stop]`` by least squares on :math:`\log v_k`.

    Returns ``(rho, C)``: the contraction factor per step and the constant. The window is
    required, so that start-up transients and the floor of rounding errors are excluded by a
    decision the reader can see; every value in it must be finite and positive.
    """
    values = _float_values(values)
    if values.ndim != 1:
        raise ValueError(f"values must be a 1-D sequence, got shape {values.shape}")
    start, stop = _window("window", window, values.size)
    part = _positive_values("values", values, (start, stop))
    slope, intercept = np.polyfit(np.arange(start, stop), np.log(part), 1)
    return float(np.exp(slope)), float(np.exp(intercept))


def fit_sublinear_rate(steps: Any, values: Any, *, window: Any) -> tuple[float, float]:
    r"""Fit :math:`v \approx C k^{p}` on ``steps[start:stop]``, ``values[start:stop]`` (a straight line in log-log).

    Returns ``(p, C)``; :math:`p \approx -1` for the convex rates. ``steps`` must be positive
    in the window. Like :func:`fit_linear_rate`, the window is required.
    """
    steps = np.asarray(as_real_numpy("steps", steps), dtype=float)
    values = _float_values(values)
    if steps.ndim != 1 or steps.shape != values.shape:
        raise ValueError(f"values must be 1-D with the shape of steps {steps.shape}, got {values.shape}")
    start, stop = _window("window", window, steps.size)
    part = _positive_values("values", values, (start, stop))
    if np.any(steps[start:stop] <= 0):
        raise ValueError("steps must be > 0 in the fit window")
    return fit_power_law(steps[start:stop], part)
