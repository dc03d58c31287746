"""Checks for the exercises of Chapter 5, *Corridors and the Corridor Learning Rate*."""

from __future__ import annotations

import jax
import numpy as np

from gfbook.exercises._framework import Parameter, Wrong, array, boolean, close, exercise, mapping, number, part
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


@exercise(
    "ex-corridors-cap",
    answers={
        "capped": 'dict {cap: ...} for each cap in cap_values, and "none": final training loss with each cap (and none)',
        "cap_helps": "True if some cap ended with a lower training loss than no cap",
    },
    context=("full", "net_loss", "params0", "net_steps"),
    parameters={"cap_values": Parameter(
        (0.3, 1.0, 3.0), ((0.2, 0.5, 2.0), (0.5, 1.5, 5.0), (0.1, 0.6, 2.5), (0.4, 0.8, 4.0), (0.25, 2.0, 10.0)),
        "the caps h_max")},
    weights={"capped": 2},
)
def _cap(capped, cap_helps, full, net_loss, params0, net_steps, cap_values):
    caps = [float(cap) for cap in cap_values]
    references = {"none": float(full["CLR, gamma = 1.0"][-1])}
    for cap in caps:  # the runs the exercise asks for
        path = clr_descent(net_loss, params0, net_steps, fraction=1.0, max_lr=cap)
        references[cap] = float(net_loss(jax.tree.map(lambda leaf: leaf[-1], path)))
    helps = min(references[cap] for cap in caps) < references["none"]
    with part("capped"):
        capped = mapping("capped", capped, [*caps, "none"])
        for key, reference in references.items():
            close(f"capped[{key!r}]", number(f"capped[{key!r}]", capped[key]), reference, rtol=1e-6, atol=1e-12,
                  hint='run gfbook.clr_descent at fraction=1.0 with max_lr=cap for net_steps steps and take the loss '
                       'at its last point; the uncapped run is the chapter\'s full["CLR, gamma = 1.0"]')
    with part("cap_helps"):
        if boolean("cap_helps", cap_helps) != helps:
            raise Wrong("`cap_helps` does not agree with the final losses of the capped and uncapped runs")
