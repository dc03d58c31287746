"""Checks for the exercises of Chapter 4, *Approximate BDF as an optimiser*."""

from __future__ import annotations

import numpy as np

from gfbook.bdf import approx_bdf_stability_interval
from gfbook.exercises._framework import Parameter, close, exercise, function, number, part, probe_rng


@exercise("ex-bdf-bdf1-interval", answers={"bdf1_edge": "your function (eta, m) -> the edge z* of approximate BDF1"})
def _bdf1_interval(bdf1_edge):
    rng = probe_rng()
    probes = [(eta, m) for eta in (0.3, 0.5, 0.9) for m in (1, 2, 4)]
    probes += [(float(eta), int(m)) for eta, m in zip(rng.uniform(0.1, 1.0, 3), rng.choice([1, 2, 4, 6, 8], 3), strict=True)]
    with part("bdf1_edge"):
        function("bdf1_edge", bdf1_edge)
        for eta, m in probes:
            reference = approx_bdf_stability_interval(order=1, inner_steps=m, inner_lr=eta)
            close(
                f"bdf1_edge({eta:.4g}, {m})",
                number("bdf1_edge(eta, m)", bdf1_edge(eta, m)),
                reference,
                rtol=1e-8,
                hint="with q = 1 - eta (1 + z), find where |r(z)| = |(1 + z q^m)/(1 + z)| first reaches 1",
            )


@exercise(
    "ex-bdf-trapezoid",
    answers={
        "trapezoid_factor": "|stiffest component| after steps_tr trapezoidal steps / |stiffest component of stiff.x0|",
        "bdf1_factor": "the same ratio after the first BDF1 (implicit Euler) step",
    },
    context=("ell", "A_stiff", "stiff"),
    parameters={
        "h_scale_tr": Parameter(1e3, (200.0, 500.0, 2000.0, 5000.0), "the step is h = h_scale_tr / ell"),
        "steps_tr": Parameter(50, (10, 20, 30, 40, 60), "trapezoidal steps"),
    },
)
def _trapezoid(trapezoid_factor, bdf1_factor, ell, A_stiff, stiff, h_scale_tr, steps_tr):
    z = float(h_scale_tr) / float(ell) * np.linalg.eigvalsh(np.asarray(A_stiff))[-1]
    with part("trapezoid_factor"):
        close(
            "trapezoid_factor",
            number("trapezoid_factor", trapezoid_factor),
            abs((1 - z / 2) / (1 + z / 2)) ** int(steps_tr),
            rtol=1e-6,
            hint="take h = h_scale_tr / ell, steps_tr steps of (I + hA/2) x_{k+1} = (I - hA/2) x_k, and the top eigenvector",
        )
    with part("bdf1_factor"):
        # the solve leaves ~1e-11 of relative rounding in the stiff component after one step
        close(
            "bdf1_factor",
            number("bdf1_factor", bdf1_factor),
            1 / (1 + z),
            rtol=1e-6,
            hint="take one step of (I + hA) x_1 = x_0 with h = h_scale_tr / ell",
        )


@exercise("ex-bdf-momentum", answers={"heavy_ball_edge": "your function eta -> the edge z* of approximate BDF2, m = 1"})
def _momentum(heavy_ball_edge):
    etas = [0.2, 0.6, 1.0, *(float(eta) for eta in probe_rng().uniform(0.05, 1.0, 3))]
    with part("heavy_ball_edge"):
        function("heavy_ball_edge", heavy_ball_edge)
        for eta in etas:
            reference = approx_bdf_stability_interval(order=2, inner_steps=1, inner_lr=eta)
            close(
                f"heavy_ball_edge({eta:.4g})",
                number("heavy_ball_edge(eta)", heavy_ball_edge(eta)),
                reference,
                rtol=1e-8,
                hint="solve step * z < 2 (1 + momentum) for z with the step and momentum of approximate BDF2",
            )


@exercise(
    "ex-bdf-warm-start",
    answers={"centre_edge": "your function eta -> the edge z* of approximate BDF2, m = 1, started at the centre"},
)
def _warm_start(centre_edge):
    etas = [0.25, 1.0, 2.0, *(float(eta) for eta in probe_rng().uniform(0.05, 3.0, 3))]
    with part("centre_edge"):
        function("centre_edge", centre_edge)
        for eta in etas:
            # the reference is bisected to a relative 1e-12
            reference = approx_bdf_stability_interval(order=2, inner_steps=1, inner_lr=eta, warm_start="centre")
            close(
                f"centre_edge({eta:.4g})",
                number("centre_edge(eta)", centre_edge(eta)),
                reference,
                rtol=1e-8,
                hint="x_{n+1} = g c_n with g = 1 - (2/3) eta z: apply the three Jury conditions to "
                "zeta^2 - (4/3) g zeta + g / 3",
            )
