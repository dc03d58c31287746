"""Checks for the exercises of Chapter 3, *Multistep methods and their stability*."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from gfbook.bdf import bdf_coefficients
from gfbook.exercises._framework import (
    Parameter,
    array,
    close,
    exercise,
    function,
    number,
    part,
    probe_rng,
)


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


def _explicit_maximal_order(k: int) -> tuple[list[Fraction], list[Fraction]]:
    """The explicit k-step method of order 2k - 1: C_0 = ... = C_{2k-1} = 0 solved in rational arithmetic."""
    # unknowns alpha_1..alpha_k, beta_1..beta_k; alpha_0 = 1, beta_0 = 0; C_q with its 1/q! dropped
    rows = []
    for q in range(2 * k):
        row = [Fraction((-j) ** q) for j in range(1, k + 1)]
        row += [Fraction(-q * (-j) ** (q - 1)) if q > 0 else Fraction(0) for j in range(1, k + 1)]
        rows.append([*row, Fraction(-1 if q == 0 else 0)])  # the alpha_0 (-0)^q term, 0^0 = 1, moved right
    for col in range(2 * k):  # Gauss-Jordan elimination with exact pivots
        pivot = next(r for r in range(col, 2 * k) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [v / rows[col][col] for v in rows[col]]
        for r in range(2 * k):
            if r != col and rows[r][col] != 0:
                rows[r] = [a - rows[r][col] * b for a, b in zip(rows[r], rows[col], strict=True)]
    solution = [row[-1] for row in rows]
    return [Fraction(1), *solution[:k]], [Fraction(0), *solution[k:]]


@exercise(
    "ex-bdf-first-barrier",
    answers={
        "alpha_explicit": "[alpha_0, ..., alpha_k] (alpha_0 = 1) of the explicit k-step method of order 2k - 1",
        "beta_explicit": "[beta_0, ..., beta_k] (beta_0 = 0) of the same method",
        "largest_root": "the largest modulus of the roots of its rho",
    },
    parameters={"k_explicit": Parameter(2, (2, 3, 4), "the number of steps k")},
)
def _first_barrier(alpha_explicit, beta_explicit, largest_root, k_explicit):
    k = int(k_explicit)
    alpha, beta = _explicit_maximal_order(k)
    # exact reference; a float solve of this (2k x 2k, k <= 4) system loses at most ~1e-12
    # (the hints name no number: a digit in a message could be read as an entry of the answer)
    hint = "make C_q vanish for every q below twice the number of steps: as many linear equations as unknowns"
    with part("alpha_explicit"):
        values = [float(a) for a in alpha_explicit] if isinstance(alpha_explicit, (list, tuple)) else alpha_explicit
        close("alpha_explicit", array("alpha_explicit", values, (k + 1,)), [float(a) for a in alpha], atol=1e-9,
              hint=hint)
    with part("beta_explicit"):
        values = [float(b) for b in beta_explicit] if isinstance(beta_explicit, (list, tuple)) else beta_explicit
        close("beta_explicit", array("beta_explicit", values, (k + 1,)), [float(b) for b in beta], atol=1e-9,
              hint=hint + "; the first beta vanishes for an explicit method")
    with part("largest_root"):
        # roots of a degree-k polynomial with simple roots, from exact coefficients: rounding only
        reference = np.abs(np.roots([float(a) for a in alpha])).max()
        close("largest_root", number("largest_root", largest_root), reference, rtol=1e-9,
              hint="numpy.roots of rho, highest power first, then the largest absolute value")


@exercise(
    "ex-bdf-heavy-ball-optimal",
    answers={"heavy_ball_parameters": "your function (mu, smoothness) -> Polyak's optimal (a, b)"},
    parameters={"kappa_hb": Parameter(100.0, (10.0, 50.0, 200.0, 1000.0), "the condition number of the solution's "
                                                                                "comparison")},
)
def _heavy_ball_optimal(heavy_ball_parameters, kappa_hb):
    rng = probe_rng()
    probes = [(1.0, 9.0), (0.01, 1.0), (2.0, 50.0)]
    mus = 10.0 ** rng.uniform(-3, 1, 3)
    probes += [(float(mu), float(mu * kappa_hb)) for mu in mus[:1]]
    probes += [(float(mu), float(mu * 10.0 ** rng.uniform(0.5, 4))) for mu in mus[1:]]
    with part("heavy_ball_parameters"):
        function("heavy_ball_parameters", heavy_ball_parameters)
        for mu, ell in probes:
            root_mu, root_ell = np.sqrt(mu), np.sqrt(ell)
            reference = [4 / (root_ell + root_mu) ** 2, ((root_ell - root_mu) / (root_ell + root_mu)) ** 2]
            name = f"heavy_ball_parameters({mu:.4g}, {ell:.4g})"
            # closed forms of a few flops: float rounding only
            close(name, array(name, heavy_ball_parameters(mu, ell), (2,)), reference, rtol=1e-10,
                  hint="make the roots of zeta^2 - (1 + b - a lambda) zeta + b complex, of modulus sqrt(b), "
                       "for every lambda in [mu, smoothness], with the double roots at both ends")
