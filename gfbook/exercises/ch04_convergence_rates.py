"""Checks for the exercises of Chapter 4, *Convergence rates*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

from gfbook.exercises._framework import Wrong, array, boolean, close, exercise, mapping, number
from gfbook.methods import gradient_descent
from gfbook.rates import gd_convex_bound_any_step


def _gd_gaps(problem, lr, num_steps):
    """f(x_k) - f* along GD, k = 0..num_steps (the reference run)."""
    path = gradient_descent(problem.loss, problem.x0, lr, num_steps)
    return np.asarray(jax.vmap(problem.loss)(path)) - (problem.f_star or 0.0), path


@exercise(
    "ex-rates-nonconvex-proof",
    answers={
        "running": "running[k - 1] = min over i < k of ||grad f(x_i)||^2, for k = 1..num_steps, GD at h = 1.5/L",
        "textbook_holds": "True if running <= 2 (f(x_0) - f*) / (h k) at every k on this run",
    },
    context=("cauchy", "num_steps"),
)
def _nonconvex(running, textbook_holds, cauchy, num_steps):
    h = 1.5 / cauchy.smoothness
    _, path = _gd_gaps(cauchy, h, num_steps)
    g2 = np.asarray(jax.vmap(lambda x: jnp.sum(jax.grad(cauchy.loss)(x) ** 2))(path))
    reference = np.minimum.accumulate(g2)[:-1]
    close("running", array("running", running, reference.shape), reference, rtol=1e-9,
          hint="the minimum for k runs over the gradients at x_0, ..., x_{k-1}")
    k = np.arange(1, num_steps + 1)
    if boolean("textbook_holds", textbook_holds) != bool(np.all(reference <= 2 * float(cauchy.loss(cauchy.x0)) / (h * k))):
        raise Wrong("`textbook_holds` does not match your running minimum: compare it with 2 (f(x_0) - f*)/(h k), f* = 0")


def _pl_example(x):
    return x**2 + 3 * np.sin(x) ** 2


def _pl_ratio(x):
    return (2 * x + 3 * np.sin(2 * x)) ** 2 / (2 * _pl_example(x))


@exercise(
    "ex-rates-pl",
    answers={
        "smoothness": "the smoothness constant L of f(x) = x^2 + 3 sin^2 x",
        "mu_pl": "your estimate of the PL constant on [-6, 6]",
        "values": "f(x_k) for k = 0..200, GD at h = 1/L from x_0 = 3",
    },
)
def _pl(smoothness, mu_pl, values):
    reference_smoothness = np.max(2 + 6 * np.cos(2 * np.linspace(-np.pi, np.pi, 100_001)))  # max f'' on a period
    close("smoothness", number("smoothness", smoothness), reference_smoothness, rtol=1e-9,
          hint="L is the largest value of |f''(x)|")
    grid = np.linspace(-6, 6, 120_001)
    grid = grid[np.abs(grid) > 1e-4]
    start = grid[np.argmin(_pl_ratio(grid))]
    refined = scipy.optimize.minimize_scalar(_pl_ratio, bounds=(start - 1e-3, start + 1e-3), method="bounded",
                                             options={"xatol": 1e-12})
    close("mu_pl", number("mu_pl", mu_pl), refined.fun, rtol=1e-3,
          hint="take the smallest value of |f'(x)|^2 / (2 f(x)) over a fine grid of [-6, 6], leaving out x = 0")
    points, x = [], 3.0
    for _ in range(201):
        points.append(_pl_example(x))
        x = x - (2 * x + 3 * np.sin(2 * x)) / reference_smoothness
    close("values", array("values", values, (201,)), points, rtol=1e-9, atol=1e-12 * points[0],
          hint="values[k] = f(x_k) for the GD iterates at h = 1/L, x_0 = 3 included")


@exercise(
    "ex-rates-any-step",
    answers={"gaps": "dict {1.2: ..., 1.6: ..., 1.9: ...}: f(x_k) - f* for k = 0..num_steps, GD at h = factor / L"},
    context=("problems", "num_steps"),
)
def _any_step(gaps, problems, num_steps):
    logcosh = problems["logcosh"]
    gaps = mapping("gaps", gaps, [1.2, 1.6, 1.9])
    distance0 = float(jnp.linalg.norm(logcosh.x0 - logcosh.x_star))
    for factor, answer in gaps.items():
        h = factor / logcosh.smoothness
        reference, _ = _gd_gaps(logcosh, h, num_steps)
        close(f"gaps[{factor}]", array(f"gaps[{factor}]", answer, reference.shape), reference, rtol=1e-9, atol=1e-14,
              hint="run GD on problems['logcosh'] from its x0 with h = factor / logcosh.smoothness, and subtract f_star")
        bound = gd_convex_bound_any_step(np.arange(num_steps + 1), lr=h, smoothness=logcosh.smoothness,
                                         distance0=distance0, gap0=float(reference[0]))
        if not np.all(reference <= bound + 1e-12):
            raise Wrong(f"the any-step bound fails at factor {factor}")  # a theorem: this would be a bug in gfbook


@exercise(
    "ex-rates-drori-half",
    answers={
        "final_gaps": "dict {3: ..., 30: ..., 300: ...}: the gap after N steps on huber_worst_case(N, relative_step=0.5)",
        "ratios": "dict {3: ..., 30: ..., 300: ...}: the textbook bound L R_0^2 / (2 h N) divided by that gap",
    },
)
def _drori_half(final_gaps, ratios):
    final_gaps, ratios = mapping("final_gaps", final_gaps, [3, 30, 300]), mapping("ratios", ratios, [3, 30, 300])
    for n in (3, 30, 300):
        tight = 1 / (2 * n + 2)  # Drori & Teboulle's worst case at h = 1/(2L), with L = R_0 = 1
        close(f"final_gaps[{n}]", number(f"final_gaps[{n}]", final_gaps[n]), tight, rtol=1e-10,
              hint="run N steps of GD with h = 0.5 on huber_worst_case(N, relative_step=0.5) from its x0")
        close(f"ratios[{n}]", number(f"ratios[{n}]", ratios[n]), (1 / n) / tight, rtol=1e-10,
              hint="the textbook bound is L R_0^2 / (2 h N) with L = R_0 = 1 and h = 0.5")
