r"""Bounds and estimates: convergence rates of the flow, GD and approximate BDF1; GD's distance from the flow.

Each bound is a function of the iteration count :math:`k` (or the time :math:`t`) and the
problem's constants, with the theorem's assumptions in its docstring. A step size outside the
theorem's range is refused with a ``ValueError`` naming ``lr``: a bound is never silently
evaluated where it is not a theorem. Notation: :math:`f` is :math:`L`-smooth (``smoothness``),
:math:`\mu` (``strong_convexity``) is a strong convexity or Polyak--Łojasiewicz (PL)
constant, :math:`f^*` the optimal value (or, for the nonconvex bounds, any lower bound),
:math:`R_0 = \|x_0 - x^*\|` (``distance0``) and :math:`\delta_0 = f(x_0) - f^*` (``gap0``).

The bounds for approximate BDF1 (:func:`gfbook.approx_bdf` with ``order=1``) are this book's
own (Chapter 4 proves them). :func:`~gfbook.gd_flow_distance_estimate` estimates how far GD strays
from the gradient flow (Chapter 6). The fits that measure rates from runs,
:func:`~gfbook.fit_linear_rate` and :func:`~gfbook.fit_sublinear_rate`, are measurements
(:mod:`gfbook.measure`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gfbook._checks import (
    check_at_least,
    check_at_most,
    check_nonnegative,
    check_positive,
    check_positive_array,
    check_shape,
    check_vector,
)


def _positive(name: str, value: Any) -> float:
    return float(check_positive(name, value))


def _step_at_most(lr: Any, limit: float, rule: str, *, strict: bool = False) -> float:
    """``lr`` must be > 0 and within the step range of a theorem (``rule``, the limit as a formula)."""
    return check_at_most("lr", _positive("lr", lr), limit, rule=rule, why="for this bound", strict=strict)


# --------------------------------------------------------------------------- convex, L-smooth


def flow_convex_bound(t: Any, *, distance0: float) -> np.ndarray:
    r"""Gradient flow, :math:`f` convex: :math:`f(x(t)) - f^* \le R_0^2/(2t)` for :math:`t > 0`.

    Lyapunov function :math:`E(t) = t\,(f(x(t)) - f^*) + \tfrac12\|x(t) - x^*\|^2`, which is
    non-increasing along the flow.
    """
    t = check_at_least("t", t, np.finfo(float).tiny)
    return check_nonnegative("distance0", distance0) ** 2 / (2 * t)


def gd_convex_bound(k: Any, *, lr: float, smoothness: float, distance0: float) -> np.ndarray:
    r"""GD with :math:`0 < h \le 1/L`, :math:`f` convex and :math:`L`-smooth: :math:`f(x_k) - f^* \le R_0^2/(2hk)`.

    The textbook bound (e.g. Nesterov 2018, Cor. 2.1.2 with its proof for :math:`h \le 1/L`),
    the discrete twin of :func:`flow_convex_bound` with :math:`t = hk`. For :math:`k \ge 1`.
    """
    L = _positive("smoothness", smoothness)
    lr = _step_at_most(lr, 1 / L, "lr <= 1/smoothness")
    k = check_at_least("k", k, 1)
    return check_nonnegative("distance0", distance0) ** 2 / (2 * lr * k)


def gd_convex_bound_any_step(k: Any, *, lr: float, smoothness: float, distance0: float, gap0: float) -> np.ndarray:
    r"""GD with :math:`0 < h < 2/L`, :math:`f` convex and :math:`L`-smooth (Nesterov 2018, Thm. 2.1.14).

    .. math:: f(x_k) - f^* \le \frac{2\,\delta_0 R_0^2}{2R_0^2 + k\,h\,(2 - Lh)\,\delta_0}.

    For :math:`k \ge 0`.
    """
    L = _positive("smoothness", smoothness)
    lr = _step_at_most(lr, 2 / L, "lr < 2/smoothness", strict=True)
    k = check_at_least("k", k, 0)
    r2, gap = check_nonnegative("distance0", distance0) ** 2, check_nonnegative("gap0", gap0)
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
    check_at_most("relative_step", theta, 1.0, rule="relative_step <= 1 (the step lr = relative_step/L)")
    k = check_at_least("k", k, 0)
    return L * check_nonnegative("distance0", distance0) ** 2 / (4 * k * theta + 2)


def gd_convex_worst_case(k: Any, *, smoothness: float, distance0: float, relative_step: float) -> np.ndarray:
    r"""GD's exact worst case over convex :math:`L`-smooth functions, for :math:`h = \theta/L`, :math:`0 < \theta < 2`.

    .. math:: \frac{L R_0^2}{2}\max\Bigl(\frac1{2k\theta + 1}, (1 - \theta)^{2k}\Bigr),

    the larger final gap of :math:`k` GD steps on two convex :math:`L`-smooth functions with
    :math:`\|x_0 - x^*\| = R_0`: the Huber function of :func:`gfbook.huber_worst_case` (the first
    term) and the quadratic :math:`\tfrac L2 x^2` (the second). So no bound on the worst case can
    be smaller, and none needs to be larger: Drori & Teboulle (2014) proved it for
    :math:`\theta \le 1` (where the first term is the larger and this is
    :func:`gd_convex_tight_bound`) and conjectured it for :math:`1 < \theta < 2`, which Kim
    (2024, arXiv:2412.04427) proved. ``relative_step`` is :math:`\theta`; :math:`k \ge 0`.
    """
    L = _positive("smoothness", smoothness)
    theta = _positive("relative_step", relative_step)
    check_at_most("relative_step", theta, 2.0, rule="relative_step < 2 (the step lr = relative_step/L)", strict=True)
    k = check_at_least("k", k, 0)
    huber = 1 / (2 * k * theta + 1)
    quadratic = (1 - theta) ** (2 * k)
    return 0.5 * L * check_nonnegative("distance0", distance0) ** 2 * np.maximum(huber, quadratic)


# --------------------------------------------------------------------------- strongly convex / PL


def flow_linear_bound(t: Any, *, strong_convexity: float, initial: float) -> np.ndarray:
    r"""Gradient flow under :math:`\mu`-PL (or strong convexity): :math:`e^{-2\mu t}` times ``initial``.

    With ``initial`` :math:`= \delta_0` it bounds the gap :math:`f(x(t)) - f^*` (PL:
    :math:`\tfrac12\|\nabla f\|^2 \ge \mu (f - f^*)`); with ``initial`` :math:`= R_0^2` it
    bounds :math:`\|x(t) - x^*\|^2` when :math:`f` is :math:`\mu`-strongly convex.
    """
    mu = _positive("strong_convexity", strong_convexity)
    t = check_at_least("t", t, 0)
    return check_nonnegative("initial", initial) * np.exp(-2 * mu * t)


def gd_linear_bound(k: Any, *, lr: float, strong_convexity: float, smoothness: float, initial: float) -> np.ndarray:
    r"""GD with :math:`0 < h \le 1/L` under :math:`\mu`-PL (or strong convexity): :math:`(1 - \mu h)^k` times ``initial``.

    With ``initial`` :math:`= \delta_0` it bounds the gap (PL and :math:`L`-smooth; Karimi,
    Nutini & Schmidt 2016, Thm. 1); with ``initial`` :math:`= R_0^2` it bounds
    :math:`\|x_k - x^*\|^2` when :math:`f` is :math:`\mu`-strongly convex and :math:`L`-smooth.
    :math:`(1 - \mu h)^k \le e^{-\mu h k}` has half the flow's exponent :math:`2\mu t`: for the gap,
    :func:`gd_pl_bound` keeps the descent lemma's exact constant, valid up to :math:`h < 2/L`, and
    tends to the flow's rate as :math:`h \to 0`.
    """
    L = _positive("smoothness", smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    check_at_most("strong_convexity", mu, L, rule="strong_convexity <= smoothness")
    lr = _step_at_most(lr, 1 / L, "lr <= 1/smoothness")
    k = check_at_least("k", k, 0)
    return check_nonnegative("initial", initial) * (1 - mu * lr) ** k


def gd_pl_bound(k: Any, *, lr: float, strong_convexity: float, smoothness: float, gap0: float) -> np.ndarray:
    r"""GD with :math:`0 < h < 2/L` under :math:`\mu`-PL, :math:`f` :math:`L`-smooth: the gap bound with the exact constant.

    .. math:: f(x_k) - f^* \le \bigl(1 - \mu h\,(2 - Lh)\bigr)^k\,\delta_0 ,

    from the descent lemma :math:`f(x_{k+1}) \le f(x_k) - h(1 - Lh/2)\|\nabla f(x_k)\|^2` and
    :math:`\|\nabla f\|^2 \ge 2\mu(f - f^*)` (Karimi, Nutini & Schmidt 2016 state it at
    :math:`h = 1/L`, where the factor is :math:`1 - \mu/L`). As :math:`h \to 0` with :math:`hk = t`
    it tends to the flow's :math:`e^{-2\mu t}\delta_0` (:func:`flow_linear_bound`).
    """
    L = _positive("smoothness", smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    check_at_most("strong_convexity", mu, L, rule="strong_convexity <= smoothness")
    lr = _step_at_most(lr, 2 / L, "lr < 2/smoothness", strict=True)
    k = check_at_least("k", k, 0)
    return check_nonnegative("gap0", gap0) * (1 - mu * lr * (2 - L * lr)) ** k


def gd_strongly_convex_contraction(lr: Any, *, strong_convexity: float, smoothness: float) -> np.ndarray:
    r"""The exact worst-case one-step contraction of GD's gap on :math:`\mu`-strongly convex, :math:`L`-smooth functions.

    For :math:`0 < h < 2/L` (Taylor, Hendrickx & Glineur 2018),

    .. math:: f(x_{k+1}) - f^* \le \max\bigl((1 - h\mu)^2, (1 - hL)^2\bigr)\,(f(x_k) - f^*),

    with equality on the quadratic :math:`\tfrac\mu2 x_1^2 + \tfrac L2 x_2^2` started on the
    eigenvector of the larger factor. ``lr`` may be an array of steps.
    """
    L = _positive("smoothness", smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    check_at_most("strong_convexity", mu, L, rule="strong_convexity <= smoothness")
    h = check_positive_array("lr", lr)
    check_at_most("lr", np.max(h), 2 / L, rule="lr < 2/smoothness", why="for this rate", strict=True)
    return np.maximum((1 - h * mu) ** 2, (1 - h * L) ** 2)


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
    check_at_most("strong_convexity", mu, L, rule="strong_convexity <= smoothness")
    lr = _step_at_most(lr, 2 / (mu + L), "lr <= 2/(strong_convexity + smoothness)")
    k = check_at_least("k", k, 0)
    return check_nonnegative("distance0", distance0) ** 2 * (1 - 2 * lr * mu * L / (mu + L)) ** k


# --------------------------------------------------------------------------- nonconvex, L-smooth


def flow_nonconvex_bound(t: Any, *, gap0: float) -> np.ndarray:
    r"""Gradient flow, :math:`f` bounded below: :math:`\min_{s \le t}\|\nabla f(x(s))\|^2 \le \delta_0/t`.

    From :math:`\int_0^t \|\nabla f\|^2\,ds = f(x_0) - f(x(t)) \le \delta_0`; :math:`f^*` may be
    any lower bound of :math:`f`.
    """
    t = check_at_least("t", t, np.finfo(float).tiny)
    return check_nonnegative("gap0", gap0) / t


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
    k = check_at_least("k", k, 1)
    return check_nonnegative("gap0", gap0) / (k * lr * (1 - L * lr / 2))


# --------------------------------------------------------------------------- approximate BDF1 (the book's own)


def _bdf1_effective_step(lr: Any, inner_lr: Any, smoothness: Any) -> float:
    L = _positive("smoothness", smoothness)
    lr = _positive("lr", lr)
    limit = 1 / (1 + lr * L)
    return lr * check_at_most("inner_lr", _positive("inner_lr", inner_lr), limit, rule="inner_lr <= 1/(1 + lr*smoothness)")


def approx_bdf1_nonconvex_bound(k: Any, *, lr: float, inner_lr: float, smoothness: float, gap0: float) -> np.ndarray:
    r"""Approximate BDF1 (:math:`m \ge 1` inner steps, :math:`\eta \le 1/(1 + hL)`), :math:`f` :math:`L`-smooth.

    .. math:: \min_{0 \le i < k} \|\nabla f(x_i)\|^2 \le \frac{2\,\delta_0}{k\,\eta h} .

    Proof (Chapter 4): inner GD decreases :math:`\Phi(y) = hf(y) + \tfrac12\|y - x_i\|^2`, which is
    :math:`(1 + hL)`-smooth, and its first step alone gives
    :math:`f(x_{i+1}) \le f(x_i) - \tfrac{\eta h}2 \|\nabla f(x_i)\|^2`. It holds for every
    :math:`m \ge 1`; :math:`k` outer steps cost :math:`km` gradient evaluations.
    """
    a = _bdf1_effective_step(lr, inner_lr, smoothness)
    k = check_at_least("k", k, 1)
    return 2 * check_nonnegative("gap0", gap0) / (k * a)


def approx_bdf1_linear_bound(
    k: Any, *, lr: float, inner_lr: float, smoothness: float, strong_convexity: float, gap0: float
) -> np.ndarray:
    r"""Approximate BDF1 (as in :func:`approx_bdf1_nonconvex_bound`) under :math:`\mu`-PL.

    .. math:: f(x_k) - f^* \le (1 - \mu\eta h)^k\,\delta_0 .

    From the same one-step decrease and :math:`\|\nabla f\|^2 \ge 2\mu(f - f^*)`.
    """
    a = _bdf1_effective_step(lr, inner_lr, smoothness)
    mu = _positive("strong_convexity", strong_convexity)
    check_at_most("strong_convexity", mu, float(smoothness), rule="strong_convexity <= smoothness")
    k = check_at_least("k", k, 0)
    return check_nonnegative("gap0", gap0) * (1 - mu * a) ** k


def approx_bdf1_convex_bound(distances: Any, *, lr: float, inner_lr: float, smoothness: float, gap0: float) -> np.ndarray:
    r"""Approximate BDF1 as in :func:`approx_bdf1_nonconvex_bound`, :math:`f` convex: an a-posteriori bound.

    With :math:`R_i = \|x_i - x^*\|` (``distances``, measured along the run),

    .. math:: f(x_k) - f^* \le \Bigl(\frac1{\delta_0} + \frac{\eta h}{2} \sum_{i<k} R_i^{-2}\Bigr)^{-1}
        \le \frac{2 \max_{i<k} R_i^2}{k\,\eta h} ,

    from the one-step decrease and convexity, :math:`f(x_i) - f^* \le \|\nabla f(x_i)\| R_i`.
    Returns the bound for :math:`k = 0, \dots, \text{len(distances)} - 1`.
    """
    a = _bdf1_effective_step(lr, inner_lr, smoothness)
    r = check_positive_array("distances", check_vector("distances", distances))
    gap = check_nonnegative("gap0", gap0)
    inverse = np.concatenate([[0.0], np.cumsum(a / (2 * r[:-1] ** 2))])
    with np.errstate(divide="ignore"):
        return 1 / (1 / gap + inverse) if gap > 0 else np.zeros_like(r)


# --------------------------------------------------------------------------- GD against the flow


def gd_flow_distance_estimate(lr: float, lam_min: Any, hg_norm: Any) -> np.ndarray:
    r"""The book's first-order heuristic estimate of :math:`\|x_n - x(nh)\|`, GD against the gradient flow.

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
    :math:`\|A^2 x(t)\|` non-increasing) it is a rigorous bound. In general it is a first-order
    heuristic estimate, not a bound: it unrolls the linearised recursion, dropping the
    :math:`O(\|e_n\|^2)` term, taking the curvature on the flow rather than between GD and the
    flow, and the local error at :math:`t_n` rather than its maximum over the step; nothing here
    controls what these approximations neglect.

    Args:
        lr: the GD step :math:`h > 0`.
        lam_min: :math:`\lambda_{\min}(\nabla^2 L)` on the flow at :math:`t_n = nh`, :math:`n = 0..N`.
        hg_norm: :math:`\|\nabla^2 L\,\nabla L\|` on the flow at the same times.

    Returns:
        :math:`\varepsilon_0, \dots, \varepsilon_N`.
    """
    check_positive("lr", lr)
    lam_min = check_vector("lam_min", lam_min)
    hg_norm = check_shape("hg_norm", check_at_least("hg_norm", hg_norm, 0.0), lam_min.shape, reason="(that of lam_min)")
    h = float(lr)
    growth = 1 + h * np.maximum(0.0, -lam_min[:-1])
    local = 0.5 * h**2 * hg_norm[:-1]
    out = np.zeros(lam_min.size)
    for n in range(lam_min.size - 1):
        out[n + 1] = growth[n] * out[n] + local[n]
    return out
