"""Checks for the exercises of Chapter 3, *BDF stability and approximate BDF*."""

from __future__ import annotations

import numpy as np

from gfbook.bdf import approx_bdf_stability_interval, bdf_coefficients
from gfbook.exercises._framework import Wrong, array, close, exercise, function, number


@exercise(
    "ex-bdf-derive-bdf2",
    answers={
        "alpha": "BDF2's coefficients [alpha_0, alpha_1, alpha_2] (alpha_0 = 1, multiplying x_{n+1})",
        "beta": "BDF2's coefficient beta multiplying h f(x_{n+1})",
        "error_constant": "the error constant C_3",
    },
    context=("order_defects",),
)
def _derive_bdf2(alpha, beta, error_constant, order_defects):
    reference_alpha, reference_beta = bdf_coefficients(2, exact=True)
    close("alpha", array("alpha", [float(a) for a in alpha] if isinstance(alpha, (list, tuple)) else alpha, (3,)),
          [float(a) for a in reference_alpha], atol=1e-12,
          hint="differentiate the interpolating quadratic at t_{n+1} and divide by the coefficient of x_{n+1}")
    close("beta", number("beta", beta), float(reference_beta), atol=1e-12,
          hint="after dividing by the coefficient of x_{n+1}, beta is what multiplies h f(x_{n+1})")
    constant = order_defects(list(reference_alpha), [reference_beta, 0, 0], 3)[3]
    close("error_constant", number("error_constant", error_constant), float(constant), atol=1e-12,
          hint="C_3 is the first order condition that fails; use the chapter's definition of C_q")


@exercise("ex-bdf-a-stability", answers={"leftmost": "the smallest real part of the boundary locus of BDF1, ..., BDF6"})
def _a_stability(leftmost):
    theta = np.linspace(0, 2 * np.pi, 200_001)
    backward = 1 - np.exp(-1j * theta)  # BDF-k's locus is z = sum_{j <= k} (1 - e^{-i theta})^j / j
    reference = [np.sum([backward**j / j for j in range(1, k + 1)], axis=0).real.min() for k in range(1, 7)]
    close("leftmost", array("leftmost", leftmost, (6,)), reference, atol=1e-4,
          hint="trace the locus z = rho(e^{i theta}) / sigma(e^{i theta}) over a full circle, finely, for each order")


@exercise("ex-bdf-bdf1-interval", answers={"bdf1_edge": "your function (eta, m) -> the edge z* of approximate BDF1"})
def _bdf1_interval(bdf1_edge):
    function("bdf1_edge", bdf1_edge)
    for eta in (0.3, 0.5, 0.9):
        for m in (1, 2, 4):
            reference = approx_bdf_stability_interval(order=1, inner_steps=m, inner_lr=eta)
            close(f"bdf1_edge({eta}, {m})", number("bdf1_edge(eta, m)", bdf1_edge(eta, m)), reference, rtol=1e-8,
                  hint="with q = 1 - eta (1 + z), find where |r(z)| = |(1 + z q^m)/(1 + z)| first reaches 1")


@exercise(
    "ex-bdf-trapezoid",
    answers={
        "trapezoid_factor": "|stiffest component| after 50 trapezoidal steps / |stiffest component of stiff.x0|",
        "bdf1_factor": "the same ratio after 50 BDF1 (implicit Euler) steps",
    },
    context=("ell", "A_stiff", "stiff"),
)
def _trapezoid(trapezoid_factor, bdf1_factor, ell, A_stiff, stiff):
    z = 1e3 / float(ell) * np.linalg.eigvalsh(np.asarray(A_stiff))[-1]
    close("trapezoid_factor", number("trapezoid_factor", trapezoid_factor), abs((1 - z / 2) / (1 + z / 2)) ** 50,
          rtol=1e-6, hint="take h = 1e3 / ell, 50 steps of (I + hA/2) x_{k+1} = (I - hA/2) x_k, and the top eigenvector")
    if not 0 <= number("bdf1_factor", bdf1_factor) < 1e-12:
        raise Wrong("`bdf1_factor` should be at rounding level: take 50 steps of (I + hA) x_{k+1} = x_k with h = 1e3 / ell")


@exercise("ex-bdf-momentum", answers={"heavy_ball_edge": "your function eta -> the edge z* of approximate BDF2, m = 1"})
def _momentum(heavy_ball_edge):
    function("heavy_ball_edge", heavy_ball_edge)
    for eta in (0.2, 0.6, 1.0):
        reference = approx_bdf_stability_interval(order=2, inner_steps=1, inner_lr=eta)
        close(f"heavy_ball_edge({eta})", number("heavy_ball_edge(eta)", heavy_ball_edge(eta)), reference, rtol=1e-8,
              hint="solve step * z < 2 (1 + momentum) for z with the step and momentum of approximate BDF2")
