"""Checks for the exercises of Chapter 5, *Corridors and the Corridor Learning Rate*."""

from __future__ import annotations

import numpy as np

from gfbook.exercises._framework import Wrong, array, boolean, close, exercise, mapping, number
from gfbook.methods import clr_descent


@exercise(
    "ex-corridors-eigenvector",
    answers={
        "gd_end": "the second coordinate of GD (h = 0.1) after 10 steps from (0, 1)",
        "flow_end": "the second coordinate of the flow at time 1 from (0, 1)",
        "ratio": "the corridor ratio at (0, 1)",
    },
)
def _eigenvector(gd_end, flow_end, ratio):
    close("gd_end", number("gd_end", gd_end), (1 - 0.1 * 4) ** 10, rtol=1e-10,
          hint="10 GD steps with h = 0.1 on L = (x_1^2 + 4 x_2^2)/2 from (0, 1)")
    close("flow_end", number("flow_end", flow_end), np.exp(-4.0), rtol=1e-10,
          hint="the flow of the same loss at time t = 10 * 0.1")
    close("ratio", number("ratio", ratio), 4.0, rtol=1e-10, hint="the ratio is ||H grad L|| / ||grad L||")


@exercise(
    "ex-corridors-factorization",
    answers={"special_points": "every point (a, b) with H grad L = 0 and grad L != 0, for y = 1, as a list of pairs"},
)
def _factorization(special_points):
    points = array("special_points", special_points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise Wrong(f"`special_points` should be a list of (a, b) pairs, got shape {points.shape}")
    for a, b in points:  # L = (ab - 1)^2 / 2: gradient r (b, a), Hessian [[b^2, ab + r], [ab + r, a^2]], r = ab - 1
        r = a * b - 1.0
        g = r * np.array([b, a])
        hg = np.array([[b * b, a * b + r], [a * b + r, a * a]]) @ g
        if not (np.linalg.norm(g) > 1e-6 and np.linalg.norm(hg) < 1e-10):
            raise Wrong(f"({a:.6g}, {b:.6g}) is not a point with H grad L = 0 and grad L != 0 (to 1e-10)")
    distinct = {tuple(np.round(p, 8)) for p in points}
    if len(distinct) != 2:
        raise Wrong(f"`special_points` holds {len(distinct)} distinct points, which is not all of them: "
                    "solve the two components of H grad L = 0 in the cases b = a and b = -a")


@exercise(
    "ex-corridors-fstar",
    answers={"final_gaps": 'dict {"true": ..., "half": ..., "zero": ...}: L - f* after 100 CLR steps with each f* guess'},
    context=("logreg",),
)
def _fstar(final_gaps, logreg):
    final_gaps = mapping("final_gaps", final_gaps, ["true", "half", "zero"])
    for key, guess in (("true", logreg.f_star), ("half", 0.5 * logreg.f_star), ("zero", 0.0)):
        reference = float(logreg.loss(clr_descent(logreg.loss, logreg.x0, 100, f_star=guess)[-1])) - logreg.f_star
        close(f'final_gaps["{key}"]', number(f'final_gaps["{key}"]', final_gaps[key]), reference, rtol=1e-6, atol=1e-14,
              hint="run gfbook.clr_descent for 100 steps from logreg.x0 and subtract the true f* from the final loss")


@exercise(
    "ex-corridors-cap",
    answers={
        "capped": 'dict {0.3: ..., 1.0: ..., 3.0: ..., "none": ...}: final training loss with each cap (and none)',
        "cap_helps": "True if some cap ended with a lower training loss than no cap",
    },
    context=("full",),
)
def _cap(capped, cap_helps, full):
    capped = mapping("capped", capped, [0.3, 1.0, 3.0, "none"])
    values = {key: number(f"capped[{key!r}]", value) for key, value in capped.items()}
    close('capped["none"]', values["none"], float(full["CLR, gamma = 1.0"][-1]), rtol=1e-12,
          hint='the uncapped run is the chapter\'s full["CLR, gamma = 1.0"]')
    if boolean("cap_helps", cap_helps) != (min(values[0.3], values[1.0], values[3.0]) < values["none"]):
        raise Wrong("`cap_helps` does not agree with the losses in `capped`")
