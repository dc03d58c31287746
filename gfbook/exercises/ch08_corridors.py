"""Checks for the exercises of Chapter 8, *Corridors and the Corridor Learning Rate*."""

from __future__ import annotations

import jax
import numpy as np

from gfbook.exercises._framework import Parameter, Wrong, array, close, exercise, mapping, number, part
from gfbook.methods import clr_descent


@exercise(
    "ex-corridors-eigenvector",
    answers={
        "gd_end": "the second coordinate of GD (h = eigen_step) after 10 steps from (0, 1)",
        "flow_end": "the second coordinate of the flow at time 10 eigen_step from (0, 1)",
        "ratio": "the corridor ratio at (0, 1)",
    },
    parameters={
        "eigen_curvature": Parameter(4.0, (2.0, 3.0, 5.0, 6.0), "lambda in A = diag(1, lambda)"),
        "eigen_step": Parameter(0.1, (0.05, 0.08, 0.12, 0.15), "the GD step h"),
    },
)
def _eigenvector(gd_end, flow_end, ratio, eigen_curvature, eigen_step):
    lam, h = float(eigen_curvature), float(eigen_step)
    with part("gd_end"):
        close("gd_end", number("gd_end", gd_end), (1 - h * lam) ** 10, rtol=1e-10,
              hint="10 GD steps with h = eigen_step on L = (x_1^2 + lambda x_2^2)/2 from (0, 1)")
    with part("flow_end"):
        close("flow_end", number("flow_end", flow_end), np.exp(-lam * 10 * h), rtol=1e-10,
              hint="the flow of the same loss at time t = 10 h")
    with part("ratio"):
        close("ratio", number("ratio", ratio), lam, rtol=1e-10, hint="the ratio is ||H grad L|| / ||grad L||")


@exercise(
    "ex-corridors-factorization",
    answers={"special_points": "every point (a, b) with H grad L = 0 and grad L != 0, for y = factor_target, "
                               "as a list of pairs"},
    parameters={"factor_target": Parameter(1.0, (0.25, 0.5, 2.0, 3.0, 4.0), "the target y")},
)
def _factorization(special_points, factor_target):
    y = float(factor_target)
    with part("special_points"):
        points = array("special_points", special_points)
        if points.ndim != 2 or points.shape[1] != 2:
            raise Wrong(f"`special_points` should be a list of (a, b) pairs, got shape {points.shape}")
        for a, b in points:  # L = (ab - y)^2 / 2: gradient r (b, a), Hessian [[b^2, ab + r], [ab + r, a^2]], r = ab - y
            r = a * b - y
            g = r * np.array([b, a])
            hg = np.array([[b * b, a * b + r], [a * b + r, a * a]]) @ g
            if not (np.linalg.norm(g) > 1e-6 and np.linalg.norm(hg) < 1e-10):
                raise Wrong(f"({a:.6g}, {b:.6g}) in `special_points` is not a point with H grad L = 0 and "
                            "grad L != 0 for y = factor_target (to 1e-10)")
        distinct = {tuple(np.round(p, 8)) for p in points}
        if len(distinct) != 2:
            raise Wrong(f"`special_points` holds {len(distinct)} distinct points, which is not all of them: "
                        "solve the two components of H grad L = 0 in the cases b = a and b = -a")


@exercise(
    "ex-corridors-fstar",
    answers={"final_gaps": 'dict {"true": ..., "under": ..., "zero": ...}: L - f* after fstar_steps CLR steps with '
                           "f* guessed as the true value, fstar_fraction times it, and 0"},
    context=("logreg",),
    parameters={
        "fstar_fraction": Parameter(0.5, (0.25, 0.4, 0.6, 0.75, 0.9), "the underestimate, a fraction of f*"),
        "fstar_steps": Parameter(100, (60, 80, 120, 150), "the number of CLR steps"),
    },
)
def _fstar(final_gaps, logreg, fstar_fraction, fstar_steps):
    guesses = {"true": logreg.f_star, "under": float(fstar_fraction) * logreg.f_star, "zero": 0.0}
    references = {key: float(logreg.loss(clr_descent(logreg.loss, logreg.x0, int(fstar_steps), f_star=guess)[-1]))
                  - logreg.f_star for key, guess in guesses.items()}
    with part("final_gaps"):
        final_gaps = mapping("final_gaps", final_gaps, list(guesses))
        for key, reference in references.items():
            close(f'final_gaps["{key}"]', number(f'final_gaps["{key}"]', final_gaps[key]), reference, rtol=1e-6,
                  atol=1e-14, hint="run gfbook.clr_descent for fstar_steps steps from logreg.x0 and subtract the true "
                                   "f* from the final loss")


def _quadratic_products(eigenvalues: np.ndarray, fraction: float, points: np.ndarray) -> np.ndarray:
    """h_CLR rho on L = x^T A x / 2, A = diag(eigenvalues), f* = 0, at each row of points (closed form)."""
    u = points * eigenvalues  # the gradients A x
    step = fraction * 0.5 * np.sum(points * u, axis=1) / np.sum(u * u, axis=1)
    return step * np.linalg.norm(u * eigenvalues, axis=1) / np.linalg.norm(u, axis=1)


@exercise(
    "ex-corridors-quadratic-step",
    answers={
        "floor": "your lower bound on h_CLR rho, a number, for gamma = quad_fraction",
        "products": "h_CLR rho at the rows of jax.random.normal(jax.random.key(0), (200, n)), n eigenvalues",
        "at_eigenvector": "h_CLR rho at the first basis vector e_1",
    },
    parameters={
        "quad_eigenvalues": Parameter((1.0, 10.0, 100.0), ((1.0, 4.0, 16.0), (0.5, 2.0, 50.0),
                                                            (1.0, 3.0, 9.0, 27.0), (2.0, 20.0)),
                                      "the diagonal of A"),
        "quad_fraction": Parameter(0.5, (0.25, 0.75, 1.0, 1.5), "the CLR fraction gamma"),
    },
)
def _quadratic_step(floor, products, at_eigenvector, quad_eigenvalues, quad_fraction):
    eigenvalues, gamma = np.asarray(quad_eigenvalues, dtype=float), float(quad_fraction)
    points = np.asarray(jax.random.normal(jax.random.key(0), (200, eigenvalues.size)), dtype=float)
    with part("floor"):
        close("floor", number("floor", floor), gamma / 2, rtol=1e-10,
              hint="write u = A x and apply the Cauchy-Schwarz inequality to <A^(-1/2) u, A^(1/2) u> and to u^T A u")
    with part("products"):
        close("products", array("products", products, shape=(points.shape[0],)),
              _quadratic_products(eigenvalues, gamma, points), rtol=1e-6,
              hint="gfbook.corridor_lr (with fraction=quad_fraction) times gfbook.corridor_ratio at each point")
    with part("at_eigenvector"):
        e1 = np.eye(eigenvalues.size)[:1]
        close("at_eigenvector", number("at_eigenvector", at_eigenvector),
              _quadratic_products(eigenvalues, gamma, e1)[0], rtol=1e-8,
              hint="at an eigenvector both Cauchy-Schwarz inequalities are equalities")
