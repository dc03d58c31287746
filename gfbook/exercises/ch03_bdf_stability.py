"""Checks for the exercises of Chapter 3, *Multistep methods and their stability*."""

from __future__ import annotations

import numpy as np

from gfbook.bdf import bdf_coefficients
from gfbook.exercises._framework import Parameter, array, close, exercise, number, part


@exercise(
    "ex-bdf-derive-bdf2",
    answers={
        "alpha": "BDFk's coefficients [alpha_0, ..., alpha_k] (alpha_0 = 1, multiplying x_{n+1}), k = k_derive",
        "beta": "BDFk's coefficient beta multiplying h f(x_{n+1})",
        "error_constant": "the error constant C_{k+1} / sigma(1) (C_q with the 1/q! of the chapter)",
    },
    context=("order_defects",),
    parameters={"k_derive": Parameter(2, (2, 3, 4, 5, 6), "the order k of the BDF method to derive")},
)
def _derive_bdf2(alpha, beta, error_constant, order_defects, k_derive):
    k = int(k_derive)
    reference_alpha, reference_beta = bdf_coefficients(k, exact=True)
    # the error constant C_{k+1} / sigma(1), with sigma(1) = beta for BDF (Hairer, Norsett & Wanner I, III.2)
    constant = order_defects(list(reference_alpha), [reference_beta] + [0] * k, k + 1)[k + 1] / reference_beta
    with part("alpha"):
        values = [float(a) for a in alpha] if isinstance(alpha, (list, tuple)) else alpha
        close("alpha", array("alpha", values, (k + 1,)), [float(a) for a in reference_alpha], atol=1e-12,
              hint="differentiate the interpolating polynomial at t_{n+1} and divide by the coefficient of x_{n+1}")
    with part("beta"):
        close("beta", number("beta", beta), float(reference_beta), atol=1e-12,
              hint="after dividing by the coefficient of x_{n+1}, beta is what multiplies h f(x_{n+1})")
    with part("error_constant"):
        close("error_constant", number("error_constant", error_constant), float(constant), atol=1e-12,
              hint="C_{k+1} is the first order condition that fails (with its 1/(k+1)!); divide it by sigma(1) = beta")


# No parameter: the answer is a property of the BDF family itself, the same for every student.
@exercise("ex-bdf-a-stability", answers={"leftmost": "the smallest real part of the boundary locus of BDF1, ..., BDF6"})
def _a_stability(leftmost):
    theta = np.linspace(0, 2 * np.pi, 200_001)
    backward = 1 - np.exp(-1j * theta)  # BDF-k's locus is z = sum_{j <= k} (1 - e^{-i theta})^j / j
    reference = [np.sum([backward**j / j for j in range(1, k + 1)], axis=0).real.min() for k in range(1, 7)]
    with part("leftmost"):
        close("leftmost", array("leftmost", leftmost, (6,)), reference, atol=1e-4,
              hint="trace the locus z = rho(e^{i theta}) / sigma(e^{i theta}) over a full circle, finely, for each order")
