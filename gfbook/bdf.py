r"""Backward differentiation formulas (BDF) for the gradient flow, and their stability.

A linear multistep method with :math:`k` steps for :math:`\dot x = f(x)` is written here as

.. math:: \sum_{j=0}^{k} \alpha_j\, x_{n+1-j} = h \sum_{j=0}^{k} \beta_j\, f(x_{n+1-j}),
    \qquad \alpha_0 = 1 .

Its *characteristic polynomials* are
:math:`\rho(\zeta) = \sum_j \alpha_j \zeta^{k-j}` and :math:`\sigma(\zeta) = \sum_j \beta_j \zeta^{k-j}`;
as arrays they are ``[alpha_0, ..., alpha_k]`` and ``[beta_0, ..., beta_k]``, highest power
first (the ``numpy.polyval`` / ``numpy.roots`` order). On the test equation
:math:`\dot x = \lambda x` with :math:`z = h\lambda` the method is the recurrence with
characteristic polynomial :math:`\rho(\zeta) - z\,\sigma(\zeta)`, and it is stable when every
root lies in the closed unit disc, those on the circle simple (the *root condition*).

The BDF-:math:`k` method (``order`` :math:`= k` in the functions below) has
:math:`\beta_1 = \dots = \beta_k = 0`; it is the formula
:math:`\sum_{j=1}^{k} \tfrac1j \nabla^j x_{n+1} = h f(x_{n+1})` with the backward difference
:math:`\nabla x_{n+1} = x_{n+1} - x_n`, divided by its leading coefficient
:math:`\sum_{j=1}^k 1/j` (Hairer & Wanner 1996, ch. V.1). BDF1 is the implicit Euler method,
i.e. the proximal point method for the gradient flow. BDF1–BDF6 are zero stable;
BDF7 and beyond are not (Cryer 1972). BDF1 and BDF2 are A-stable, BDF3–BDF6 only
:math:`A(\alpha)`-stable.

:func:`~gfbook.approx_bdf` (a method, in :mod:`gfbook.methods`) runs BDF-:math:`k` on :math:`f = -\nabla L`,
solving each implicit step only approximately with a fixed number of gradient-descent steps; this module
holds its theory: :func:`~gfbook.approx_bdf_amplification`
gives the stability of that approximate method on a quadratic, :func:`~gfbook.approx_bdf_stability_interval`
the interval of step sizes where it is stable, and :func:`~gfbook.proximal_inner_lr` the inner step that
keeps it stable at every step size.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np

from gfbook._checks import (
    as_real_numpy,
    check_choice,
    check_count,
    check_nonzero,
    check_positive,
    check_positive_array,
    check_shape,
    check_vector,
    is_traced,
)

MAX_ORDER = 6
MAX_LESSON_ORDER = 12  # lmm_polynomials("bdf", k) goes beyond 6 to show the loss of zero stability
_METHODS = ("bdf", "adams_bashforth", "adams_moulton", "euler")
WARM_STARTS = ("last", "centre")  # where approximate BDF starts its inner loop: x_n or c_n


def check_warm_start(warm_start: Any) -> str:
    """``warm_start`` must be ``"last"`` (start the inner loop at x_n) or ``"centre"`` (at c_n)."""
    if not isinstance(warm_start, str):
        raise ValueError(f"warm_start must be one of {WARM_STARTS}, got {warm_start!r}")
    return check_choice("warm_start", warm_start, WARM_STARTS)


def _check_order(order: Any, maximum: int = MAX_ORDER) -> int:
    """``order`` must be an int in 1..maximum (a bool or a float is refused)."""
    return check_count("order", order, minimum=1, maximum=maximum)


# --------------------------------------------------------------------------- coefficients


@functools.cache
def _bdf_exact(k: int) -> tuple[tuple[Fraction, ...], Fraction]:
    r"""BDF-k coefficients as Fractions, for any k >= 1 (BDF7+ included, for the zero-stability lesson).

    Expanding :math:`\nabla^j x_{n+1} = \sum_{i=0}^{j} (-1)^i \binom{j}{i} x_{n+1-i}` in
    :math:`\sum_{j=1}^k \tfrac1j \nabla^j x_{n+1}` gives the weight
    :math:`a_i = (-1)^i \sum_{j=\max(i,1)}^{k} \binom{j}{i}/j` of :math:`x_{n+1-i}`;
    then :math:`\alpha = a / a_0` and :math:`\beta = 1 / a_0`.
    """
    a = [sum((Fraction((-1) ** i * comb(j, i), j) for j in range(max(i, 1), k + 1)), Fraction(0)) for i in range(k + 1)]
    return tuple(ai / a[0] for ai in a), 1 / a[0]


def bdf_coefficients(order: int, *, exact: bool = False) -> tuple[Any, Any]:
    r"""The coefficients :math:`(\alpha, \beta)` of the :math:`k`-step BDF method, :math:`1 \le k \le 6`.

    The method is :math:`\sum_{j=0}^{k} \alpha_j x_{n+1-j} = h\,\beta\,f(x_{n+1})` with
    :math:`\alpha_0 = 1`; for example BDF2 is
    :math:`x_{n+1} - \tfrac43 x_n + \tfrac13 x_{n-1} = \tfrac23 h f(x_{n+1})`.
    The coefficients are derived from :math:`\sum_{j=1}^k \tfrac1j \nabla^j x_{n+1} = h f(x_{n+1})`
    in exact rational arithmetic.

    Args:
        order: the number of steps :math:`k`, which is also the order.
        exact: return ``fractions.Fraction`` values (a list and one Fraction) instead of
            a float64 numpy array and a float64 scalar.

    Returns:
        ``(alpha, beta)``: ``alpha`` of length :math:`k + 1`, ``beta`` a scalar.
    """
    alpha, beta = _bdf_exact(_check_order(order))
    if exact:
        return list(alpha), beta
    return np.array([float(a) for a in alpha]), np.float64(beta)


def _adams_gammas(k: int, *, implicit: bool) -> list[Fraction]:
    r""":math:`\gamma_0, \dots, \gamma_k` of the Adams methods in backward-difference form.

    They are the Taylor coefficients of :math:`-t / ((1-t)\log(1-t))` (explicit) and
    :math:`-t / \log(1-t)` (implicit), so they obey
    :math:`\sum_{i=0}^{j} \gamma_i / (j + 1 - i) = 1` (explicit) or :math:`= 0` for
    :math:`j \ge 1` (implicit), with :math:`\gamma_0 = 1` (Hairer, Nørsett & Wanner 1993, III.1).
    """
    gammas = [Fraction(1)]
    for j in range(1, k + 1):
        rhs = Fraction(0) if implicit else Fraction(1)
        gammas.append(rhs - sum(gammas[i] / (j + 1 - i) for i in range(j)))
    return gammas


def _backward_differences_to_values(gammas: list[Fraction], count: int) -> list[Fraction]:
    r"""Weights of :math:`f_{m}, f_{m-1}, \dots` in :math:`\sum_{j<\text{count}} \gamma_j \nabla^j f_m`."""
    return [sum((gammas[j] * (-1) ** i * comb(j, i) for j in range(i, count)), Fraction(0)) for i in range(count)]


def adams_bashforth_coefficients(order: int, *, exact: bool = False) -> Any:
    r"""The weights :math:`b_1, \dots, b_k` of the explicit :math:`k`-step Adams–Bashforth method.

    Convention: :math:`x_{n+1} = x_n + h \sum_{j=1}^{k} b_j f(x_{n+1-j})`, of order :math:`k`;
    AB1 is explicit Euler, AB2 has :math:`b = (\tfrac32, -\tfrac12)`. Derived from the
    backward-difference form :math:`h \sum_{j=0}^{k-1} \gamma_j \nabla^j f_n` with the
    coefficients :math:`\gamma_j` of :math:`-t/((1-t)\log(1-t))`. As a general multistep
    method: :math:`\alpha = (1, -1, 0, \dots, 0)` and :math:`\beta = (0, b_1, \dots, b_k)`.

    ``order`` is :math:`k`, the number of steps and the order. Returns a float64 array of
    length :math:`k` (a list of Fractions if ``exact``).
    """
    k = _check_order(order)
    b = _backward_differences_to_values(_adams_gammas(k - 1, implicit=False), k)
    return b if exact else np.array([float(v) for v in b])


def adams_moulton_coefficients(order: int, *, exact: bool = False) -> Any:
    r"""The weights :math:`b_0, \dots, b_k` of the implicit :math:`k`-step Adams–Moulton method.

    Convention (the :math:`k`-*step* count of Hairer, Nørsett & Wanner):
    :math:`x_{n+1} = x_n + h \sum_{j=0}^{k} b_j f(x_{n+1-j})`, of order :math:`k + 1`;
    AM1 is the trapezoidal rule :math:`b = (\tfrac12, \tfrac12)` (backward Euler would be
    :math:`k = 0`, which is not offered). Derived from
    :math:`h \sum_{j=0}^{k} \gamma^*_j \nabla^j f_{n+1}` with the coefficients
    :math:`\gamma^*_j` of :math:`-t/\log(1-t)`. As a general multistep method:
    :math:`\alpha = (1, -1, 0, \dots, 0)` and :math:`\beta = (b_0, \dots, b_k)`.

    ``order`` is :math:`k`, the number of steps (the method's order is :math:`k + 1`). Returns a
    float64 array of length :math:`k + 1` (a list of Fractions if ``exact``).
    """
    k = _check_order(order)
    b = _backward_differences_to_values(_adams_gammas(k, implicit=True), k + 1)
    return b if exact else np.array([float(v) for v in b])


# --------------------------------------------------------------------------- stability theory (numpy)


def _bdf_polynomials_any(k: int) -> tuple[np.ndarray, np.ndarray]:
    """rho and sigma of BDF-k for any k >= 1 (BDF7 is used to show the loss of zero stability)."""
    alpha, beta = _bdf_exact(k)
    sigma = np.zeros(k + 1)
    sigma[0] = float(beta)
    return np.array([float(a) for a in alpha]), sigma


def lmm_polynomials(method: str, order: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""The characteristic polynomials :math:`(\rho, \sigma)` of a named method, highest power first.

    ``method`` is ``"bdf"`` (BDF-:math:`k`, :math:`k` = ``order``), ``"adams_bashforth"``,
    ``"adams_moulton"`` (:math:`k`-step, see their coefficient functions) or ``"euler"`` (explicit
    Euler, :math:`\rho = \zeta - 1`, :math:`\sigma = 1`, written ``[1, -1]`` and ``[0, 1]``;
    ``order`` is ignored). Both arrays have length :math:`k + 1` (padded with zeros). For ``"bdf"``,
    :math:`k` may go up to 12: BDF7 and beyond are not zero stable, and are offered only so
    that this can be shown (:func:`~gfbook.bdf_coefficients` stops at 6); the Adams methods stop at 6.
    """
    check_choice("method", method, _METHODS)
    if method == "euler":
        return np.array([1.0, -1.0]), np.array([0.0, 1.0])
    k = _check_order(order, maximum=MAX_LESSON_ORDER if method == "bdf" else MAX_ORDER)
    if method == "bdf":
        return _bdf_polynomials_any(k)
    rho = np.zeros(k + 1)
    rho[:2] = [1.0, -1.0]
    if method == "adams_bashforth":
        return rho, np.concatenate([[0.0], adams_bashforth_coefficients(k)])
    return rho, adams_moulton_coefficients(k)


def _rho_sigma(rho: Any, sigma: Any) -> tuple[np.ndarray, np.ndarray]:
    """The characteristic polynomials, checked: 1-D, of one length, with :math:`\alpha_0 \ne 0`."""
    rho, sigma = check_vector("rho", rho), check_vector("sigma", sigma)
    check_shape("sigma", sigma, rho.shape, reason="(the length of rho; pad with zeros)")
    check_nonzero("rho[0]", rho[0], what="the leading coefficient alpha_0")
    return rho, sigma


def boundary_locus(rho: Any, sigma: Any, num: int = 2001) -> np.ndarray:
    r"""The boundary locus :math:`z(\theta) = \rho(e^{i\theta}) / \sigma(e^{i\theta})`, :math:`\theta \in [0, 2\pi]`.

    These are the :math:`z = h\lambda` for which :math:`\rho(\zeta) - z\sigma(\zeta)` has a root
    on the unit circle; the boundary of the stability region lies on this curve.
    Returns ``num`` complex points (``inf`` where :math:`\sigma(e^{i\theta}) = 0`).
    """
    rho, sigma = _rho_sigma(rho, sigma)
    num = check_count("num", num, minimum=2)
    zeta = np.exp(1j * np.linspace(0.0, 2 * np.pi, num))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.polyval(rho, zeta) / np.polyval(sigma, zeta)
    return np.where(np.isfinite(z), z, np.inf + 0j)


def _max_root_modulus(coeffs: np.ndarray) -> np.ndarray:
    """The largest |root| of each polynomial (rows of ``coeffs``, highest power first), by batched eigenvalues.

    A row whose leading coefficient vanishes has a root at infinity (the degree drops):
    its modulus is ``inf``.
    """
    coeffs = np.asarray(coeffs, dtype=complex)
    lead = coeffs[:, 0]
    degree = coeffs.shape[1] - 1
    out = np.full(coeffs.shape[0], np.inf)
    finite = np.isfinite(coeffs).all(axis=1)
    scale = np.where(finite, np.abs(np.where(np.isfinite(coeffs), coeffs, 0)).max(axis=1), 0.0)
    ok = finite & (np.abs(lead) > 1e-14 * scale)
    if degree == 0:
        out[ok] = 0.0
        return out
    monic = coeffs[ok, 1:] / lead[ok, None]
    if degree == 1:  # closed forms for degrees 1 and 2, much faster than batched eigenvalues
        out[ok] = np.abs(monic[:, 0])
        return out
    if degree == 2:
        b, c = monic[:, 0], monic[:, 1]
        root = np.sqrt(b * b - 4 * c)
        root = np.where((np.conj(b) * root).real >= 0, root, -root)  # no cancellation in b + root
        q = -(b + root) / 2  # the larger root; q = 0 only when b = c = 0
        other = c / np.where(q == 0, 1.0, q)
        out[ok] = np.maximum(np.abs(q), np.abs(other))
        return out
    companion = np.zeros((monic.shape[0], degree, degree), dtype=complex)
    companion[:, 0, :] = -monic
    companion[:, np.arange(1, degree), np.arange(degree - 1)] = 1.0
    out[ok] = np.abs(np.linalg.eigvals(companion)).max(axis=1)
    return out


def stability_region(rho: Any, sigma: Any, re: Any, im: Any, *, tol: float = 1e-9) -> np.ndarray:
    r"""Which points of the grid ``re`` × ``im`` lie in the stability region of :math:`(\rho, \sigma)`.

    A point :math:`z` is stable when every root of :math:`\rho(\zeta) - z\sigma(\zeta)` has
    :math:`|\zeta| \le 1 + \text{tol}`. (The extra condition that roots *on* the circle be simple
    matters only on a set of measure zero, the boundary, and is not tested on the grid.) A
    :math:`z` where the leading coefficient :math:`\alpha_0 - z\beta_0` vanishes is unstable.

    Returns a boolean array of shape ``(len(im), len(re))`` (rows follow the imaginary
    axis, as ``numpy.meshgrid`` and ``imshow`` expect).
    """
    rho, sigma = _rho_sigma(rho, sigma)
    re, im = check_vector("re", re), check_vector("im", im)
    z = (re[None, :] + 1j * im[:, None]).ravel()
    coeffs = rho[None, :] - z[:, None] * sigma[None, :]
    return (_max_root_modulus(coeffs) <= 1 + tol).reshape(im.size, re.size)


def is_zero_stable(rho: Any, *, tol: float = 1e-7) -> bool:
    r"""The root condition on :math:`\rho`: roots in :math:`|\zeta| \le 1`, those on the circle simple.

    Roots are computed by ``numpy.roots``; a root counts as on the circle when
    :math:`\bigl||\zeta| - 1\bigr| \le` ``tol``, and as repeated when another root is within ``tol``.
    """
    roots = np.roots(check_vector("rho", rho))
    moduli = np.abs(roots)
    if (moduli > 1 + tol).any():
        return False
    for i, r in enumerate(roots):
        if abs(moduli[i] - 1) <= tol and (np.abs(np.delete(roots, i) - r) <= tol).any():
            return False
    return True


def bdf_alpha_angle(order: int, *, num: int = 20001) -> float:
    r"""The angle :math:`\alpha` (degrees) of :math:`A(\alpha)`-stability of BDF-:math:`k`, :math:`k` = ``order``.

    The stability region of BDF-:math:`k` is the outside of its boundary locus, so the
    largest sector :math:`\{|\arg(-z)| < \alpha\}` it contains is bounded by the locus points
    in the left half-plane:

    .. math:: \alpha = \min_{\theta:\ \operatorname{Re} z(\theta) < 0} \bigl(\pi - |\arg z(\theta)|\bigr),

    and :math:`\alpha = 90°` when the locus does not enter the left half-plane (BDF1, BDF2:
    A-stable). The minimum is taken on ``num`` points and refined by a parabola through the
    three best. Values: 90, 90, 86.03, 73.35, 51.84, 17.84 for :math:`k = 1..6`.
    """
    num = check_count("num", num, minimum=16)
    rho, sigma = _bdf_polynomials_any(_check_order(order))

    def angle(theta):
        zeta = np.exp(1j * theta)
        z = np.polyval(rho, zeta) / np.polyval(sigma, zeta)
        # z(0) = 0, where arg is meaningless (near 0 the locus is tangent to the imaginary axis)
        left = (z.real < 0) & (np.abs(z) > 1e-6)
        return np.where(left, np.pi - np.abs(np.angle(z)), np.pi / 2)

    theta = np.linspace(0.0, np.pi, num)  # the locus is symmetric about the real axis
    a = angle(theta)
    i = int(np.argmin(a))
    best = a[i]
    if 0 < i < num - 1 and best < np.pi / 2:
        step = theta[1] - theta[0]
        left, mid, right = a[i - 1], a[i], a[i + 1]
        curvature = left - 2 * mid + right
        if curvature > 0:
            offset = 0.5 * (left - right) / curvature
            best = min(best, float(angle(np.array([theta[i] + offset * step]))[0]))
    return float(np.degrees(min(best, np.pi / 2)))


# --------------------------------------------------------------------------- approximate BDF: its stability


def approx_bdf_amplification(
    lam_h: Any, *, order: int, inner_steps: int, inner_lr: float, warm_start: str = "last"
) -> np.ndarray:
    r"""Spectral radius of :func:`~gfbook.approx_bdf` (after start-up) on :math:`L(x) = \tfrac\lambda2 x^2`.

    With :math:`z = h\lambda` (``lam_h``) the inner iteration is linear:
    :math:`y_{i+1} = q\,y_i + \eta\,c_n` with :math:`q = 1 - \eta(1 + z\beta)`, so after
    :math:`m` steps from :math:`y_0 = x_n`

    .. math:: x_{n+1} = q^m x_n + s\,c_n, \qquad s = \eta \sum_{i=0}^{m-1} q^i,
        \qquad c_n = -\sum_{j=1}^k \alpha_j x_{n+1-j}.

    This is the linear recurrence
    :math:`x_{n+1} = (q^m - s\alpha_1)\,x_n - s\alpha_2\,x_{n-1} - \dots - s\alpha_k\,x_{n+1-k}`, whose
    companion matrix has the returned spectral radius :math:`r(z)`: the run decays
    (for every start) iff :math:`r < 1`. As :math:`m \to \infty` with :math:`|q| < 1`,
    :math:`s \to 1/(1 + z\beta)` and :math:`r` tends to that of exact BDF-:math:`k`. Note that
    :math:`\eta` is dimensionless (it multiplies :math:`1 + z\beta`), so :math:`r` depends on
    :math:`z`, :math:`\eta`, :math:`k` and :math:`m` only.

    With ``warm_start="centre"`` the inner loop starts at :math:`y_0 = c_n` instead, so
    :math:`x_{n+1} = (q^m + s)\,c_n` and the characteristic polynomial is
    :math:`\zeta^k + (q^m + s)\sum_{j=1}^k \alpha_j \zeta^{k-j}`. (For BDF2 with one inner
    step, :math:`q + s = 1 - \tfrac23\eta z`: a Nesterov-type step with momentum
    :math:`\tfrac13`, stable iff :math:`z < 12/(5\eta)`.)

    Args:
        lam_h: :math:`z = h\lambda`, a real scalar or array (any sign).
        order, inner_steps, warm_start: as in :func:`~gfbook.approx_bdf`.
        inner_lr: :math:`\eta > 0`, a scalar or an array that broadcasts against ``lam_h``
            (so that a rule such as :func:`proximal_inner_lr` can vary it with :math:`h`).

    Returns:
        :math:`r(z)`, a float64 array of the broadcast shape of ``lam_h`` and ``inner_lr``.
    """
    z = np.asarray(as_real_numpy("lam_h", lam_h), dtype=float)
    order = _check_order(order)
    inner_steps = check_count("inner_steps", inner_steps)
    eta = check_positive_array("inner_lr", inner_lr)
    warm_start = check_warm_start(warm_start)
    try:
        z, eta = np.broadcast_arrays(z, eta)
    except ValueError:
        raise ValueError(f"inner_lr of shape {eta.shape} does not broadcast against lam_h of shape {z.shape}") from None
    alpha, beta = _bdf_exact(order)
    alpha = np.array([float(a) for a in alpha])
    beta = float(beta)
    flat, eta = z.ravel(), eta.ravel()
    q = 1 - eta * (1 + flat * beta)
    powers = q[:, None] ** np.arange(inner_steps + 1)[None, :]  # q^0 .. q^m
    qm = powers[:, -1]
    s = eta * powers[:, :-1].sum(axis=1)
    coeffs = np.empty((flat.size, order + 1))
    coeffs[:, 0] = 1.0
    if warm_start == "last":
        # zeta^k - (q^m - s alpha_1) zeta^{k-1} + s alpha_2 zeta^{k-2} + ... + s alpha_k
        coeffs[:, 1] = -(qm - s * alpha[1])
        coeffs[:, 2:] = s[:, None] * alpha[None, 2:]
    else:
        # x_{n+1} = (q^m + s) c_n: zeta^k + (q^m + s) (alpha_1 zeta^{k-1} + ... + alpha_k)
        coeffs[:, 1:] = (qm + s)[:, None] * alpha[None, 1:]
    return _max_root_modulus(coeffs).reshape(z.shape)


def approx_bdf_stability_interval(*, order: int, inner_steps: int, inner_lr: float, warm_start: str = "last") -> float:
    r"""The stability interval :math:`(0, z^*)` of :func:`~gfbook.approx_bdf` on the gradient flow of a quadratic.

    On :math:`L = \tfrac\lambda2 x^2` with :math:`\lambda > 0` the method is stable when
    :math:`z = h\lambda` lies in :math:`(0, z^*)`, where :math:`z^*` is the first :math:`z > 0`
    at which the spectral radius :func:`approx_bdf_amplification` exceeds 1. (For gradient flow
    the Hessian is symmetric, so only the real axis matters.) :math:`z^*` is found on a
    geometric grid of :math:`z` and refined by bisection to a relative :math:`10^{-12}`.

    Two closed forms check it: approximate BDF1 with one inner step is GD with step
    :math:`\eta h`, so :math:`z^* = 2/\eta`; with an even number of inner steps it is stable iff
    the inner iteration contracts, :math:`|1 - \eta(1 + z)| < 1`, so :math:`z^* = 2/\eta - 1`.
    For every order, :math:`z^* \to (2/\eta - 1)/\beta` as ``inner_steps`` grows: the interval of
    exact BDF (all :math:`z > 0`) is cut at the edge where the inner gradient descent diverges.
    The start of the inner loop matters: approximate BDF2 with one inner step has
    :math:`z^* = 3/\eta + 1` from the last iterate (heavy ball with momentum :math:`\eta/3`) and
    :math:`z^* = 12/(5\eta)` from the centre (a Nesterov-type step with momentum :math:`\tfrac13`).

    Args:
        order, inner_lr, warm_start: as in :func:`~gfbook.approx_bdf`.
        inner_steps: :math:`m \ge 1` (with no inner step the method stands still).

    Returns:
        :math:`z^*` as a float, ``inf`` if the method is stable on the whole search range
        :math:`0 < z \le 10^3\,(2/\eta + 1)/\beta`.
    """
    order = _check_order(order)
    inner_steps = check_count("inner_steps", inner_steps, minimum=1)
    check_positive("inner_lr", inner_lr)
    warm_start = check_warm_start(warm_start)
    beta = float(_bdf_exact(order)[1])
    z_max = 1e3 * (2 / float(inner_lr) + 1) / beta
    options = {"order": order, "inner_steps": inner_steps, "inner_lr": inner_lr, "warm_start": warm_start}

    def unstable(z):
        return approx_bdf_amplification(z, **options) > 1 + 1e-12

    grid = np.geomspace(1e-8, z_max, 1001)  # 3% apart; bisection does the rest
    bad = np.flatnonzero(unstable(grid))
    if bad.size == 0:
        return float("inf")
    if bad[0] == 0:
        return 0.0
    lo, hi = grid[bad[0] - 1], grid[bad[0]]
    while hi - lo > 1e-12 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if unstable(np.array([mid]))[0] else (mid, hi)
    return float(hi)


def proximal_inner_lr(lr: Any, *, order: int, smoothness: float) -> Any:
    r"""The inner step :math:`\eta = 1/(1 + h\beta\ell)` that makes :func:`~gfbook.approx_bdf` stable for every ``lr``.

    The inner objective :math:`\Phi(y) = h\beta L(y) + \tfrac12\|y - c\|^2` is
    :math:`(1 + h\beta\ell)`-smooth when :math:`L` is :math:`\ell`-smooth, and :math:`\eta` is
    the textbook step :math:`1/\text{smoothness}` for gradient descent on it. On a quadratic
    with curvatures in :math:`(0, \ell]` every inner factor
    :math:`q = 1 - \eta(1 + h\beta\lambda)` then lies in :math:`[0, 1)`, whatever :math:`h`.

    Args:
        lr: the outer step :math:`h > 0`, a scalar or an array (numpy or JAX; traced values
            pass through, so this can be used inside ``jax.vmap``).
        order: the BDF order :math:`k` (it sets :math:`\beta`).
        smoothness: :math:`\ell > 0`, an upper bound on the Hessian's eigenvalues
            (:func:`gfbook.sharpness` gives an estimate).
    """
    order = _check_order(order)
    check_positive("smoothness", smoothness)
    if not is_traced(lr):
        check_positive_array("lr", lr)
    beta = float(_bdf_exact(order)[1])
    return 1.0 / (1.0 + lr * beta * smoothness)
