"""Checks for the exercises of Chapter 4, *Convergence rates*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

from gfbook.exercises._framework import Parameter, Wrong, array, boolean, close, exercise, mapping, number, part
from gfbook.methods import gradient_descent
from gfbook.problems import huber_worst_case
from gfbook.rates import gd_convex_bound, gd_convex_bound_any_step


def _gd_gaps(problem, lr, num_steps):
    """f(x_k) - f* along GD, k = 0..num_steps (the reference run)."""
    path = gradient_descent(problem.loss, problem.x0, lr, num_steps)
    return np.asarray(jax.vmap(problem.loss)(path)) - (problem.f_star or 0.0), path


@exercise(
    "ex-rates-nonconvex-proof",
    answers={
        "running": "running[k - 1] = min over i < k of ||grad f(x_i)||^2, k = 1..num_steps, GD at h = nonconvex_factor/L",
        "textbook_holds": "True if running <= 2 (f(x_0) - f*) / (h k) at every k on this run",
    },
    context=("cauchy", "num_steps"),
    parameters={"nonconvex_factor": Parameter(1.5, (1.3, 1.4, 1.6, 1.7, 1.8), "the step is h = nonconvex_factor / L")},
    weights={"running": 2},
)
def _nonconvex(running, textbook_holds, cauchy, num_steps, nonconvex_factor):
    h = float(nonconvex_factor) / cauchy.smoothness
    _, path = _gd_gaps(cauchy, h, num_steps)
    g2 = np.asarray(jax.vmap(lambda x: jnp.sum(jax.grad(cauchy.loss)(x) ** 2))(path))
    reference = np.minimum.accumulate(g2)[:-1]
    k = np.arange(1, num_steps + 1)
    holds = bool(np.all(reference <= 2 * float(cauchy.loss(cauchy.x0)) / (h * k)))
    with part("running"):
        close("running", array("running", running, reference.shape), reference, rtol=1e-9,
              hint="GD at h = nonconvex_factor / L; the minimum for k runs over the gradients at x_0, ..., x_{k-1}")
    with part("textbook_holds"):
        if boolean("textbook_holds", textbook_holds) != holds:
            raise Wrong("`textbook_holds` does not match this run: compare the running minimum with "
                        "2 (f(x_0) - f*)/(h k), f* = 0, at every k")


def _pl_loss(x, weight):
    return x**2 + weight * np.sin(x) ** 2


def _pl_ratio(x, weight):
    return (2 * x + weight * np.sin(2 * x)) ** 2 / (2 * _pl_loss(x, weight))


@exercise(
    "ex-rates-pl",
    answers={
        "smoothness": "the smoothness constant L of f(x) = x^2 + pl_weight sin^2 x",
        "mu_pl": "your estimate of the PL constant on [-6, 6]",
        "values": "f(x_k) for k = 0..200, GD at h = 1/L from x_0 = pl_start",
    },
    parameters={
        "pl_weight": Parameter(3.0, (1.5, 2.0, 2.5, 3.5), "c in f(x) = x^2 + c sin^2 x"),
        "pl_start": Parameter(3.0, (2.0, 2.5, 3.5, 4.0, 5.0), "the starting point x_0"),
    },
    weights={"values": 2},
)
def _pl(smoothness, mu_pl, values, pl_weight, pl_start):
    c = float(pl_weight)
    reference_smoothness = np.max(np.abs(2 + 2 * c * np.cos(2 * np.linspace(-np.pi, np.pi, 100_001))))  # max |f''|
    grid = np.linspace(-6, 6, 120_001)
    grid = grid[np.abs(grid) > 1e-4]
    start = grid[np.argmin(_pl_ratio(grid, c))]
    refined = scipy.optimize.minimize_scalar(_pl_ratio, bounds=(start - 1e-3, start + 1e-3), args=(c,),
                                             method="bounded", options={"xatol": 1e-12})
    points, x = [], float(pl_start)
    for _ in range(201):
        points.append(_pl_loss(x, c))
        x = x - (2 * x + c * np.sin(2 * x)) / reference_smoothness
    with part("smoothness"):
        close("smoothness", number("smoothness", smoothness), reference_smoothness, rtol=1e-9,
              hint="L is the largest value of |f''(x)|")
    with part("mu_pl"):
        close("mu_pl", number("mu_pl", mu_pl), refined.fun, rtol=1e-3,
              hint="take the smallest value of |f'(x)|^2 / (2 f(x)) over a fine grid of [-6, 6], leaving out x = 0")
    with part("values"):
        close("values", array("values", values, (201,)), points, rtol=1e-9, atol=1e-12 * points[0],
              hint="values[k] = f(x_k) for the GD iterates at h = 1/L, x_0 = pl_start included")


@exercise(
    "ex-rates-any-step",
    answers={"gaps": "dict {factor: ...} for each factor in any_step_factors: f(x_k) - f* for k = 0..num_steps, "
                     "GD at h = factor / L"},
    context=("problems", "num_steps"),
    parameters={"any_step_factors": Parameter(
        (1.2, 1.6, 1.9), ((1.1, 1.5, 1.8), (1.3, 1.7, 1.95), (1.25, 1.5, 1.75), (1.15, 1.45, 1.85), (1.05, 1.35, 1.65)),
        "the steps h L, between 1 and 2")},
)
def _any_step(gaps, problems, num_steps, any_step_factors):
    logcosh = problems["logcosh"]
    distance0 = float(jnp.linalg.norm(logcosh.x0 - logcosh.x_star))
    references = {}
    for factor in any_step_factors:
        h = factor / logcosh.smoothness
        references[factor], _ = _gd_gaps(logcosh, h, num_steps)
        bound = gd_convex_bound_any_step(np.arange(num_steps + 1), lr=h, smoothness=logcosh.smoothness,
                                         distance0=distance0, gap0=float(references[factor][0]))
        if not np.all(references[factor] <= bound + 1e-12):
            raise RuntimeError(f"the any-step bound fails at factor {factor}")  # a theorem: a bug in gfbook
    with part("gaps"):
        gaps = mapping("gaps", gaps, list(any_step_factors))
        for factor, answer in gaps.items():
            reference = references[factor]
            close(f"gaps[{factor}]", array(f"gaps[{factor}]", answer, reference.shape), reference, rtol=1e-9,
                  atol=1e-14, hint="run GD on problems['logcosh'] from its x0 with h = factor / logcosh.smoothness, "
                                   "and subtract f_star")


@exercise(
    "ex-rates-drori-half",
    answers={
        "final_gaps": "dict {N: ...} for N in drori_counts: the gap after N steps on "
                      "huber_worst_case(N, relative_step=drori_step)",
        "ratios": "dict {N: ...} for N in drori_counts: the textbook bound L R_0^2 / (2 h N) divided by that gap",
    },
    parameters={
        "drori_counts": Parameter((3, 30, 300), ((4, 40, 400), (5, 50, 250), (2, 20, 200), (6, 60, 360), (7, 70, 350)),
                                  "the step counts N"),
        "drori_step": Parameter(0.5, (0.25, 0.4, 0.6, 0.75), "the step h L (L = 1)"),
    },
)
def _drori_half(final_gaps, ratios, drori_counts, drori_step):
    counts, theta = [int(n) for n in drori_counts], float(drori_step)
    measured, textbook = {}, {}
    for n in counts:  # the measurement the exercise asks for: N GD steps on the worst case, L = R_0 = 1
        huber = huber_worst_case(n, relative_step=theta)
        measured[n] = float(huber.loss(gradient_descent(huber.loss, huber.x0, theta, n)[-1]))
        textbook[n] = float(gd_convex_bound(n, lr=theta, smoothness=1.0, distance0=1.0)) / measured[n]
    with part("final_gaps"):
        final_gaps = mapping("final_gaps", final_gaps, counts)
        for n in counts:
            close(f"final_gaps[{n}]", number(f"final_gaps[{n}]", final_gaps[n]), measured[n], rtol=1e-10,
                  hint="run N steps of GD with h = drori_step on huber_worst_case(N, relative_step=drori_step) "
                       "from its x0")
    with part("ratios"):
        ratios = mapping("ratios", ratios, counts)
        for n in counts:
            close(f"ratios[{n}]", number(f"ratios[{n}]", ratios[n]), textbook[n], rtol=1e-10,
                  hint="the textbook bound is R_0^2 / (2 h N) with L = R_0 = 1 and h = drori_step")
