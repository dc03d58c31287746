"""Checks for the exercises of Chapter 6, *Deep networks*."""

from __future__ import annotations

import numpy as np

from gfbook.exercises._framework import Wrong, array, close, exercise, mapping, number
from gfbook.problems import quadratic


@exercise(
    "ex-deep-quadratic",
    answers={
        "distances": "||x_n - x(nh)||, n = 0..40: GD (h = 0.5) vs flow on quadratic([0.1, 1.0, 3.0], rotation_seed=0)",
        "estimate": "the bound of the recursion at the same 41 times",
    },
)
def _quadratic(distances, estimate):
    q = quadratic([0.1, 1.0, 3.0], rotation_seed=0)
    lam, vectors = np.linalg.eigh(np.asarray(q.hessian))
    coefficients = vectors.T @ np.asarray(q.x0)
    n = np.arange(41)[:, None]
    gd = ((1 - 0.5 * lam) ** n * coefficients) @ vectors.T
    flow = (np.exp(-lam * 0.5 * n) * coefficients) @ vectors.T
    reference = np.linalg.norm(gd - flow, axis=1)
    distances = array("distances", distances, (41,))
    close("distances", distances, reference, rtol=1e-9, atol=1e-14,
          hint="compare GD's iterate n with the flow at time n h, n = 0 included")
    if not np.all(distances <= array("estimate", estimate, (41,)) + 1e-15):
        raise Wrong("`estimate` is below the measured distance somewhere: it is not the bound of the recursion")


@exercise("ex-deep-init", answers={"integral_small": "the integral of lambda_- along the flow from scale=0.3"},
          context=("integral",))
def _init(integral_small, integral):
    if not number("integral_small", integral_small) > number("integral", integral):
        raise Wrong("`integral_small` should be larger than the chapter's `integral` (scale 1.0): integrate "
                    "max(0, -lambda_min) over the same times, from the smaller initialisation")


@exercise(
    "ex-deep-richardson",
    answers={"d_inf": "dict {activation: fitted d_inf} for every network of the chapter's `protocol`"},
    context=("protocol", "protocol_ratios"),
)
def _richardson(d_inf, protocol, protocol_ratios):
    d_inf = mapping("d_inf", d_inf, list(protocol))
    design = (1 - 1 / np.asarray(protocol_ratios, dtype=float))[:, None]
    for activation, result in protocol.items():
        reference = np.linalg.lstsq(design, np.asarray(result["distance"], dtype=float), rcond=None)[0][0]
        close(f"d_inf[{activation!r}]", number(f"d_inf[{activation!r}]", d_inf[activation]), reference, rtol=1e-8,
              hint="least squares for d_r = d_inf (1 - 1/r), a line through the origin")


@exercise(
    "ex-deep-threshold",
    answers={
        "final_loss": "dict {h: final loss after 1000 GD steps} for h in 0.05, 0.1, 0.2, 0.3, 0.5",
        "end_sharpness": "dict {h: sharpness at the end point}, nan for runs that did not converge (loss >= 0.01)",
    },
    context=("lam_max",),
)
def _threshold(final_loss, end_sharpness, lam_max):
    grid = [0.05, 0.1, 0.2, 0.3, 0.5]
    final_loss, end_sharpness = mapping("final_loss", final_loss, grid), mapping("end_sharpness", end_sharpness, grid)
    beyond = False
    for h in grid:
        loss = float(np.asarray(final_loss[h], dtype=float))
        if not (np.isfinite(loss) and loss < 0.01):
            continue
        sharp = number(f"end_sharpness[{h}]", end_sharpness[h])
        if sharp > 2 / h * 1.01:
            raise Wrong(f"the run with h = {h} converged, but `end_sharpness[{h}]` is above 2/h: GD cannot settle at "
                        "such a minimiser; measure the sharpness at the run's last point")
        beyond = beyond or h > 2 / float(np.min(lam_max))
    if not beyond:
        raise Wrong("no run converged with h above 2 / (smallest sharpness along the flow): check `final_loss`")
